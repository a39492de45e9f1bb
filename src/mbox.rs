//! Mailboxes in the mbox format (`.mbox`, Thunderbird's folders, mail
//! exports): messages one after another, each starting with a `From ` line
//! at the start of the file or after an empty line, whose date says when
//! the message arrived.
//!
//! [`Mailbox`] hands out one message at a time and never holds more than
//! one, nor more than a limit of it, however the file is built: a message
//! of gigabytes, a single line of gigabytes. What a message holds past the
//! limit is counted, not kept, so the caller can say it was cut.

use std::io::{self, Read};
use std::time::{Duration, SystemTime};

/// The line that starts a message.
const FROM: &[u8] = b"From ";
/// What is read from the file at a time.
const BUFFER: usize = 64 * 1024;
/// Of a `From ` line, only this much is kept (for its date).
const MAX_FROM_LINE: usize = 512;

/// One message of a mailbox.
#[derive(Debug, Default)]
pub struct Message {
    /// The message as written (headers and body), without its `From ` line,
    /// up to the limit.
    pub data: Vec<u8>,
    /// Bytes of the message past the limit, read but not kept.
    pub dropped: u64,
    /// When the `From ` line says the message arrived, if it says so in a
    /// form that reads.
    pub received: Option<SystemTime>,
    /// The line of the mailbox its `From ` line is on, from 1.
    pub line: u64,
}

/// Reads the messages of an mbox mailbox from `R`, one at a time.
pub struct Mailbox<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    /// Messages longer than this are cut (the rest counted in `dropped`).
    limit: usize,
    /// Lines read so far.
    lines: u64,
}

impl<R: Read> Mailbox<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        Mailbox {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            limit,
            lines: 0,
        }
    }

    /// Reads until at least `want` bytes are buffered or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while self.end - self.start < want && !self.eof {
            if self.end == self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// True when the input starts a message (a `From ` line); reads no
    /// further than that tells.
    pub fn starts_with_message(&mut self) -> io::Result<bool> {
        self.fill(FROM.len())?;
        Ok(self.buf[self.start..self.end].starts_with(FROM))
    }

    /// What is buffered but not yet handed out, then the rest of the input:
    /// for reading a file that turned out not to be a mailbox as text.
    pub fn into_rest(self) -> impl Read {
        io::Cursor::new(self.buf[self.start..self.end].to_vec()).chain(self.inner)
    }

    /// Passes one line (or what remains of it) to `take`, a piece at a
    /// time; true when the line had anything but its line end.
    fn line(&mut self, take: &mut dyn FnMut(&[u8])) -> io::Result<bool> {
        let mut content = false;
        loop {
            if self.start == self.end {
                self.fill(1)?;
                if self.start == self.end {
                    return Ok(content);
                }
            }
            let available = &self.buf[self.start..self.end];
            let (piece, ended) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            content |= piece.iter().any(|&b| b != b'\n' && b != b'\r');
            take(piece);
            self.start += piece.len();
            if ended {
                self.lines += 1;
                return Ok(content);
            }
        }
    }

    /// The next message, or `None` at the end of the mailbox. Text before
    /// the first `From ` line (a file that does not start with one) is a
    /// message of its own, with no date.
    pub fn next_message(&mut self) -> io::Result<Option<Message>> {
        self.fill(FROM.len())?;
        if self.start == self.end {
            return Ok(None);
        }
        let mut message = Message {
            line: self.lines + 1,
            ..Message::default()
        };
        if self.buf[self.start..self.end].starts_with(FROM) {
            let mut from_line = Vec::new();
            self.line(&mut |piece| {
                let room = MAX_FROM_LINE.saturating_sub(from_line.len());
                from_line.extend_from_slice(&piece[..piece.len().min(room)]);
            })?;
            message.received = from_line_date(&from_line);
        }
        let limit = self.limit;
        let mut after_blank = false;
        loop {
            self.fill(FROM.len())?;
            if self.start == self.end {
                break;
            }
            if after_blank && self.buf[self.start..self.end].starts_with(FROM) {
                break;
            }
            let Message { data, dropped, .. } = &mut message;
            let content = self.line(&mut |piece| {
                let room = limit.saturating_sub(data.len());
                let kept = piece.len().min(room);
                data.extend_from_slice(&piece[..kept]);
                *dropped += (piece.len() - kept) as u64;
            })?;
            after_blank = !content;
        }
        Ok(Some(message))
    }
}

/// True when `head`, the first bytes of a file, starts like a mailbox: a
/// `From ` line with a date. For files whose name does not say (a mail
/// program's folder named `Inbox`).
pub fn looks_like_mbox(head: &[u8]) -> bool {
    if !head.starts_with(FROM) {
        return false;
    }
    let line_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    from_line_date(&head[..line_end]).is_some()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The date of a `From ` line, written as C's `asctime` writes it after the
/// sender: `From jan@example.nl Sat Jan  3 01:05:34 1996`, sometimes with a
/// zone before the year (`Mon Jan 13 09:03:17 +0000 2020`). Read as UTC
/// unless a zone is given.
pub fn from_line_date(line: &[u8]) -> Option<SystemTime> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_ascii_whitespace().skip(2);
    let month = loop {
        let word = words.next()?;
        if let Some(m) = MONTHS
            .iter()
            .position(|m| word.len() == 3 && word.eq_ignore_ascii_case(m))
        {
            break m as u32 + 1;
        }
    };
    let day: u32 = words.next()?.parse().ok()?;
    let mut clock = words.next()?.split(':').map(|p| p.parse::<u32>().ok());
    let (hour, minute) = (clock.next()??, clock.next()??);
    let second = match clock.next() {
        Some(s) => s?,
        None => 0,
    };
    let mut offset_minutes: i64 = 0;
    let year = loop {
        let word = words.next()?;
        if let Some(zone) = word.strip_prefix(['+', '-'])
            && zone.len() == 4
            && let Ok(hhmm) = zone.parse::<i64>()
        {
            let minutes = hhmm / 100 * 60 + hhmm % 100;
            offset_minutes = if word.starts_with('-') {
                -minutes
            } else {
                minutes
            };
            continue;
        }
        if word.len() == 4 {
            break word.parse::<i32>().ok()?;
        }
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let local = utc_seconds(year, month, day)? + i64::from(hour * 3600 + minute * 60 + second)
        - offset_minutes * 60;
    u64::try_from(local)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

/// Seconds from 1970-01-01 to the start of a day of the (proleptic)
/// Gregorian calendar, UTC; `None` for a month or day that cannot be.
pub(crate) fn utc_seconds(year: i32, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(mailbox: &[u8], limit: usize) -> Vec<Message> {
        let mut reader = Mailbox::new(mailbox, limit);
        let mut out = Vec::new();
        while let Some(m) = reader.next_message().expect("reading from memory") {
            out.push(m);
        }
        out
    }

    fn unix(secs: u64) -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn messages_start_at_from_lines_after_an_empty_line() {
        let mailbox = b"From jan@example.nl Sat Jan  3 01:05:34 1996\nSubject: a\n\nHello,\nFrom the garage: all fine.\n\nFrom - Mon Jan 13 09:03:17 +0100 2020\r\nSubject: b\r\n\r\nbody\r\n";
        let found = messages(mailbox, 1 << 20);
        assert_eq!(found.len(), 2);
        // A `From ` not after an empty line is text of the message.
        assert_eq!(
            found[0].data,
            b"Subject: a\n\nHello,\nFrom the garage: all fine.\n\n".to_vec()
        );
        assert_eq!(found[0].line, 1);
        assert_eq!(found[0].received, unix(820_631_134));
        assert_eq!(found[1].data, b"Subject: b\r\n\r\nbody\r\n".to_vec());
        assert_eq!(found[1].line, 7);
        // 09:03:17 at +01:00 is 08:03:17 UTC.
        assert_eq!(found[1].received, unix(1_578_902_597));
    }

    #[test]
    fn a_message_past_the_limit_is_cut_and_the_next_still_found() {
        let mut mailbox = b"From a Sat Jan  3 01:05:34 1996\n".to_vec();
        // One line of 300 000 bytes: longer than the buffer and the limit.
        mailbox.extend(std::iter::repeat_n(b'x', 300_000));
        mailbox.extend_from_slice(b"\n\nFrom b Sat Jan  3 01:05:35 1996\nSubject: b\n");
        let found = messages(&mailbox, 1000);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].data.len(), 1000);
        assert_eq!(found[0].dropped, 300_002 - 1000);
        assert_eq!(found[1].data, b"Subject: b\n".to_vec());
        assert_eq!(found[1].line, 4);
    }

    #[test]
    fn from_lines_cut_by_the_buffer_are_still_seen() {
        // Place the `From ` of the second message across a buffer end.
        for shift in 0..8 {
            let mut mailbox = b"From a Sat Jan  3 01:05:34 1996\n".to_vec();
            let filler = BUFFER - mailbox.len() - 2 - shift;
            mailbox.extend(std::iter::repeat_n(b'y', filler));
            mailbox.extend_from_slice(b"\n\nFrom b Sat Jan  3 01:05:35 1996\nz\n");
            let found = messages(&mailbox, 1 << 20);
            assert_eq!(found.len(), 2, "shift {shift}");
            assert_eq!(found[1].data, b"z\n".to_vec());
        }
    }

    #[test]
    fn text_before_the_first_from_line_is_a_message_without_a_date() {
        let found = messages(b"no mailbox\n\nFrom a Sat Jan  3 01:05:34 1996\nx\n", 100);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].data, b"no mailbox\n\n".to_vec());
        assert_eq!(found[0].received, None);
        assert!(messages(b"", 100).is_empty());
    }

    #[test]
    fn from_line_dates_read_as_written_or_not_at_all() {
        assert_eq!(
            from_line_date(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011"),
            unix(1_310_126_914)
        );
        assert_eq!(
            from_line_date(b"From 1589735478216734232@xxx Mon Jan 13 09:03:17 +0000 2020"),
            unix(1_578_906_197)
        );
        assert_eq!(
            from_line_date(b"From a Fri Jul  8 12:08 2011"),
            unix(1_310_126_880)
        );
        for bad in [
            &b"From a"[..],
            b"From a Fri Xyz  8 12:08:34 2011",
            b"From a Fri Jul 32 12:08:34 2011",
            b"From a Fri Jul  8 25:08:34 2011",
            b"From a Fri Jul  8 12:08:34",
            b"From a Fri Jul  8 12:x:34 2011",
            b"From \xff Fri Jul  8 12:08:34 2011",
        ] {
            assert_eq!(
                from_line_date(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(looks_like_mbox(
            b"From - Sat Jan 03 01:05:34 2015\nX-Mozilla-Status: 0001\n"
        ));
        assert!(!looks_like_mbox(b"From the workshop: your car is ready\n"));
        assert!(!looks_like_mbox(b"Subject: x\n"));
    }

    #[test]
    fn civil_dates_count_days_as_the_calendar_does() {
        assert_eq!(utc_seconds(1970, 1, 1), Some(0));
        assert_eq!(utc_seconds(2000, 3, 1), Some(951_868_800));
        assert_eq!(utc_seconds(1969, 12, 31), Some(-86_400));
        assert_eq!(utc_seconds(2024, 13, 1), None);
        assert_eq!(utc_seconds(2024, 1, 0), None);
    }
}
