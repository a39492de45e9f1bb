//! How a file's bytes are read as a document: plain text, delimited tables
//! (CSV/TSV/semicolon), JSON or an SQL dump, chosen by the file's extension
//! or, for `.txt`, `.dat`, `.log` and names without one, by whether its
//! start reads as JSON records or as a table; and how a byte offset is named
//! as a location (line, column, field).
//!
//! Locating is lazy: the scanner asks for the field of an offset only when a
//! candidate matched there, and the table tracker only walks forward from the
//! previous question, so a file without findings costs nothing here.

use std::path::Path;

/// How a file is interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Text,
    /// A delimited table; the delimiter is sniffed from the first line.
    Table,
    Json,
    /// An SQL dump (INSERT ... VALUES, COPY ... FROM stdin).
    Sql,
    /// An XML document: values named by their element path.
    Xml,
    /// Plain text, unless its start reads as JSON records
    /// ([`looks_like_json`]), as an XML document ([`looks_like_xml`]) or as
    /// a delimited table with a header
    /// ([`looks_like_table`]): the names exports get that are not `.csv` or
    /// `.json` (Excel's "Text (Tab delimited)" and "Unicode Text" save as
    /// `.txt`, database tools write `.dat` or no extension at all), and
    /// structured logs, one JSON object a line in a `.log`.
    Sniffed,
}

impl Format {
    pub fn for_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv" | "tsv" | "tab" | "psv") => Format::Table,
            Some("json" | "ndjson" | "jsonl" | "geojson") => Format::Json,
            Some("sql") => Format::Sql,
            Some("xml") => Format::Xml,
            Some("txt" | "dat" | "log") | None => Format::Sniffed,
            _ => Format::Text,
        }
    }
}

/// `bytes` as text, invalid UTF-8 replaced as [`String::from_utf8_lossy`]
/// replaces it. Valid text (nearly all) is checked by `str::from_utf8`,
/// which runs through ASCII a word at a time: quicker on the short values
/// and fields it is asked about, once per finding and per table, JSON or
/// SQL field.
pub fn text_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Picks the delimiter that splits the header line into the most fields,
/// outside quotes. Dutch Excel exports use `;`, others `,`, `\t` or `|`.
pub fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let mut best = (b',', 0usize);
    for delim in DELIMITERS {
        let mut count = 0;
        let mut quoted = false;
        for &b in first_line {
            if b == b'"' {
                quoted = !quoted;
            } else if b == delim && !quoted {
                count += 1;
            }
        }
        if count > best.1 {
            best = (delim, count);
        }
    }
    best.0
}

thread_local! {
    /// One CSV parser per delimiter and thread, reset for every header
    /// line: building one (its transition table) took more than scanning
    /// the rest of a small table.
    static HEADER_PARSERS: std::cell::RefCell<Vec<(u8, csv_core::Reader)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `f` given this thread's parser for `delimiter`, reset.
fn with_parser<R>(delimiter: u8, f: impl FnOnce(&mut csv_core::Reader) -> R) -> R {
    HEADER_PARSERS.with_borrow_mut(|parsers| {
        let at = match parsers.iter().position(|(d, _)| *d == delimiter) {
            Some(at) => at,
            None => {
                let parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
                parsers.push((delimiter, parser));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[at].1;
        parser.reset();
        f(parser)
    })
}

/// Splits a header line into names, honouring quotes, as the `csv` crate
/// reads a first record.
fn parse_header(line: &[u8], delimiter: u8) -> Vec<String> {
    use csv_core::ReadRecordResult;
    with_parser(delimiter, |parser| {
        // Grown when full: the first line of a file without line ends is
        // the whole first chunk.
        let mut fields = vec![0u8; line.len().min(1024) + 1];
        let mut ends = vec![0usize; 64];
        let (mut input, mut field_len, mut ends_len) = (line, 0, 0);
        loop {
            let at_end = input.is_empty();
            let (result, read, written, ended) =
                parser.read_record(input, &mut fields[field_len..], &mut ends[ends_len..]);
            input = &input[read..];
            field_len += written;
            ends_len += ended;
            match result {
                // Input that ran out is followed by none, which ends it.
                ReadRecordResult::InputEmpty if !at_end => {}
                ReadRecordResult::OutputFull => fields.resize(fields.len() * 2 + 1, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2 + 1, 0),
                ReadRecordResult::Record => {
                    let mut start = 0;
                    return ends[..ends_len]
                        .iter()
                        .map(|&end| {
                            let name = String::from_utf8_lossy(&fields[start..end])
                                .trim()
                                .to_string();
                            start = end;
                            name
                        })
                        .collect();
                }
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Vec::new(),
            }
        }
    })
}

/// Whether the start of a file reads as JSON records: an object whose
/// first key is a string (`{"ts": ...`, as one line of a structured log or
/// NDJSON export starts), or an array whose first element is one (`[{"id":
/// ...`), blanks allowed between. Text rarely starts like that; the JSON
/// tracker reads whatever follows leniently, as it reads any `.json` file.
pub fn looks_like_json(start: &[u8]) -> bool {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let mut rest = start.trim_ascii_start();
    if let Some(after) = rest.strip_prefix(b"[") {
        rest = after.trim_ascii_start();
    }
    let Some(after) = rest.strip_prefix(b"{") else {
        return false;
    };
    let Some(key) = after.trim_ascii_start().strip_prefix(b"\"") else {
        return false;
    };
    // The key's closing quote (escapes honoured), on the same line.
    let mut escaped = false;
    for (at, &b) in key.iter().enumerate().take(MAX_FIELD_OF_NAME * 4) {
        match b {
            b'\n' => return false,
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return key[at + 1..].trim_ascii_start().starts_with(b":"),
            _ => {}
        }
    }
    false
}

/// Whether the start of a file is an XML declaration (`<?xml version=`),
/// after a byte order mark and blanks: exports saved without `.xml`.
pub fn looks_like_xml(start: &[u8]) -> bool {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let rest = start.trim_ascii_start();
    rest.strip_prefix(b"<?xml")
        .and_then(|after| after.first())
        .is_some_and(|b| b.is_ascii_whitespace())
}

/// The delimiter a first line `sep=;` declares (Excel reads it and some
/// tools write it for Excel: quoted or not, any case, CRLF or LF), and the
/// text after that line; `None` and all of `start` when there is none.
pub fn after_separator_line(start: &[u8]) -> (Option<u8>, &[u8]) {
    let line_end = memchr::memchr(b'\n', start).unwrap_or(start.len());
    let line = start[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&start[..line_end]);
    let line = line
        .strip_prefix(b"\"")
        .and_then(|l| l.strip_suffix(b"\""))
        .unwrap_or(line);
    match line {
        [s, e, p, b'=', delimiter]
            if s.eq_ignore_ascii_case(&b's')
                && e.eq_ignore_ascii_case(&b'e')
                && p.eq_ignore_ascii_case(&b'p') =>
        {
            (Some(*delimiter), &start[(line_end + 1).min(start.len())..])
        }
        _ => (None, start),
    }
}

/// How much of a file's start [`looks_like_table`] reads.
const TABLE_SNIFF_BYTES: usize = 64 * 1024;

/// Records after the header [`looks_like_table`] compares at most.
const TABLE_SNIFF_ROWS: usize = 50;

/// Whether the start of a file reads as a delimited table: a first line
/// that splits into column names (short, starting with a letter, no
/// punctuation that prose or code would bring) and records after it, every
/// one with as many fields as the header names (quotes honoured, so a
/// quoted line end does not count). Prose has commas and semicolons too, so
/// those delimiters need more evidence: three columns for a comma, two
/// records for a comma or semicolon. A table without a header is not
/// recognised: nothing would name its columns, and a slice of one starts
/// anywhere in a record.
pub fn looks_like_table(start: &[u8]) -> bool {
    let Some((sample, cut)) = sniff_sample(start) else {
        return false;
    };
    let sample = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let (declared, sample) = after_separator_line(sample);
    // Most text has no delimiter in its first words: ruled out at once.
    let first_name = &sample[..sample.len().min(MAX_FIELD_OF_NAME + 1)];
    if memchr::memchr3(b',', b';', b'\t', first_name).is_none()
        && memchr::memchr(b'|', first_name).is_none()
    {
        return false;
    }
    let Some(first_line_end) = memchr::memchr(b'\n', sample) else {
        return false;
    };
    let first_line = &sample[..first_line_end];
    let Some(delimiter) = header_delimiter(first_line) else {
        return false;
    };
    if declared.is_some_and(|declared| declared != delimiter) {
        return false;
    }
    let names = parse_header(first_line, delimiter);
    let (min_columns, min_rows) = match delimiter {
        b',' => (3, 2),
        b';' => (2, 2),
        _ => (2, 1),
    };
    if names.len() < min_columns
        || !looks_like_header(&names)
        || !names.iter().all(|name| plausible_column_name(name))
    {
        return false;
    }
    let body = &sample[first_line_end + 1..];
    match records_of_width(body, delimiter, names.len(), cut) {
        Some(rows) => rows >= min_rows,
        None => false,
    }
}

/// What of `text` the table sniffs read: all of it, or where it is longer
/// than [`TABLE_SNIFF_BYTES`], that much to its last line end (a record cut
/// there would count too few fields), and whether it was cut. `None` where
/// so much text has no line end.
fn sniff_sample(text: &[u8]) -> Option<(&[u8], bool)> {
    if text.len() <= TABLE_SNIFF_BYTES {
        return Some((text, false));
    }
    let sample = &text[..TABLE_SNIFF_BYTES];
    let end = memchr::memrchr(b'\n', sample)?;
    Some((&sample[..end + 1], true))
}

/// The delimiter [`sniff_delimiter`] would pick for `line`, where the line
/// could be a header: one pass, no allocation, so most lines of text and
/// slices of tables are ruled out before their fields are parsed. `None`
/// where a byte is one a column name never has (`@`, `+`, `:`, `=`, ...;
/// bytes above ASCII are letters of other scripts, judged later by
/// [`plausible_column_name`]) or a field between the picked delimiters
/// does not start with a letter (a record of data has a number or a date).
fn header_delimiter(line: &[u8]) -> Option<u8> {
    use HeaderByte::*;
    let mut counts = [0usize; DELIMITERS.len()];
    // Per delimiter: a field after one started with something else.
    let mut bad_start = [false; DELIMITERS.len()];
    // The delimiter just passed, until the field's first byte is seen.
    let mut field_after: Option<usize> = None;
    let mut quoted = false;
    // Bytes since the last delimiter: a name is short, so a line of prose
    // is given up on within its first words, not read to its end.
    let mut field_len = 0;
    let first = line.iter().find(|&&b| !matches!(b, b' ' | b'"'));
    if !first.is_some_and(|&b| HEADER_BYTES[b as usize] == Letter) {
        return None;
    }
    for &b in line {
        field_len += 1;
        if field_len > MAX_FIELD_OF_NAME {
            return None;
        }
        let class = HEADER_BYTES[b as usize];
        if let Some(at) = field_after
            && !matches!(class, Blank | Quote)
        {
            bad_start[at] |= class != Letter;
            field_after = None;
        }
        match class {
            Other => return None,
            Quote => quoted = !quoted,
            Delimiter(at) if !quoted => {
                counts[at as usize] += 1;
                field_after = Some(at as usize);
                field_len = 0;
            }
            _ => {}
        }
    }
    if let Some(at) = field_after {
        // The line ends with a delimiter: its last field is empty.
        bad_start[at] = true;
    }
    let mut best = 0;
    for at in 1..DELIMITERS.len() {
        if counts[at] > counts[best] {
            best = at;
        }
    }
    // One name is no header: a table has two columns at least.
    (counts[best] > 0 && !bad_start[best]).then_some(DELIMITERS[best])
}

/// The delimiters [`sniff_delimiter`] tries, in its order.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What a byte of a header line can be, for [`header_delimiter`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderByte {
    /// An ASCII letter, or a byte of another script's letter.
    Letter,
    Digit,
    /// Punctuation column names have: `_ - . / # ( ) &`, and a CR.
    Punctuation,
    Blank,
    Quote,
    /// One of [`DELIMITERS`], by its index.
    Delimiter(u8),
    /// Anything else: no column name has it.
    Other,
}

static HEADER_BYTES: [HeaderByte; 256] = {
    let mut classes = [HeaderByte::Other; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_alphabetic() || byte >= 0x80 {
            HeaderByte::Letter
        } else if byte.is_ascii_digit() {
            HeaderByte::Digit
        } else {
            match byte {
                b'_' | b'-' | b'.' | b'/' | b'#' | b'(' | b')' | b'&' | b'\r' => {
                    HeaderByte::Punctuation
                }
                b' ' => HeaderByte::Blank,
                b'"' => HeaderByte::Quote,
                _ => HeaderByte::Other,
            }
        };
        b += 1;
    }
    let mut at = 0;
    while at < DELIMITERS.len() {
        classes[DELIMITERS[at] as usize] = HeaderByte::Delimiter(at as u8);
        at += 1;
    }
    classes
};

/// The longest field [`header_delimiter`] reads as a name: the longest
/// name [`plausible_column_name`] takes, with room for quotes and blanks.
const MAX_FIELD_OF_NAME: usize = 64;

/// A column name as exports write them: `bsn`, `E-mail adres`,
/// `Klant_ID`, `Datum (laatste bezoek)`; not a sentence or a line of code.
fn plausible_column_name(name: &str) -> bool {
    name.len() <= 40
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name.split_whitespace().count() <= 4
        && name.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '#' | '(' | ')' | '&')
        })
}

/// How many records `body` holds (up to [`TABLE_SNIFF_ROWS`]), blank lines
/// aside, if every one has `width` fields; `None` at the first that has not.
/// Where `body` was `cut` from a longer text, a last record it does not
/// end (a quoted field open at the cut, which may hold line ends) is not
/// judged.
fn records_of_width(body: &[u8], delimiter: u8, width: usize, cut: bool) -> Option<usize> {
    use csv_core::ReadRecordResult;
    with_parser(delimiter, |parser| {
        // Only the count of fields matters: their bytes are written over.
        let mut fields = [0u8; 1024];
        let mut ends = [0usize; 64];
        let (mut input, mut in_record, mut rows) = (body, 0usize, 0usize);
        let mut blank = true;
        loop {
            let at_end = input.is_empty();
            let (result, read, written, ended) = parser.read_record(input, &mut fields, &mut ends);
            blank &= written == 0;
            input = &input[read..];
            in_record += ended;
            match result {
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
                // Ended by the end of the input, not a line end.
                ReadRecordResult::Record if at_end && cut => return Some(rows),
                ReadRecordResult::Record => {
                    // A blank line reads as one empty field.
                    if !(blank && in_record == 1) {
                        if in_record != width {
                            return None;
                        }
                        rows += 1;
                        if rows == TABLE_SNIFF_ROWS {
                            return Some(rows);
                        }
                    }
                    (in_record, blank) = (0, true);
                }
                ReadRecordResult::End => return Some(rows),
            }
        }
    })
}

/// A header row names its columns: every cell has a letter, none looks like
/// data (an `@`, a long value).
fn looks_like_header(names: &[String]) -> bool {
    names.len() > 1
        && names.iter().all(|n| {
            !n.is_empty()
                && n.len() <= 64
                && !n.contains('@')
                && n.chars().any(|c| c.is_alphabetic())
        })
}

/// A format's tracker that names the field (column, JSON path, SQL
/// `table.column`) a byte offset of its buffer is in.
pub trait NamesFields {
    /// `f` applied to the name of the field at `offset`, looked at where the
    /// tracker keeps it (no copy); `None` where no field is known.
    fn with_field_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R>;

    /// The name of the field at `offset`.
    fn field_at(&mut self, buf: &[u8], offset: usize) -> Option<String> {
        self.with_field_at(buf, offset, str::to_string)
    }
}

/// The index of the last of `marks` (in order of their offsets, the first
/// at or before `offset`) whose offset is at or before `offset`, looked for
/// from `hint`, the last answer. Questions come in the order a matcher asks
/// them: a few marks back for another rule's candidate on the same line, or
/// further on (the candidates of a line a few marks apart, the next line's
/// a few dozen): steps back one by one, or steps forward that double and a
/// binary search within the last.
pub(crate) fn last_mark_at<M>(
    marks: &[M],
    hint: usize,
    offset: u32,
    at_of: impl Fn(&M) -> u32,
) -> usize {
    let mut at = hint.min(marks.len() - 1);
    if at_of(&marks[at]) > offset {
        let back = marks[..at]
            .iter()
            .rev()
            .take(32)
            .position(|m| at_of(m) <= offset);
        return match back {
            Some(n) => at - 1 - n,
            None => marks[..at].partition_point(|m| at_of(m) <= offset) - 1,
        };
    }
    let mut step = 1;
    while marks.get(at + step).is_some_and(|m| at_of(m) <= offset) {
        at += step;
        step *= 2;
    }
    let bound = (at + step).min(marks.len());
    at + marks[at..bound].partition_point(|m| at_of(m) <= offset) - 1
}

impl NamesFields for TableTracker {
    /// The column's header name, or its 1-based number when there is none.
    fn with_field_at<R>(
        &mut self,
        buf: &[u8],
        offset: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Option<R> {
        if offset < self.header_start {
            // A title above the table is in no column.
            return None;
        }
        let column = self.column_at(buf, offset)?;
        Some(match self.headers.get(column) {
            Some(header) => f(header),
            None => f(&format!("column {}", column + 1)),
        })
    }
}

/// Follows a delimited table through the buffer to answer "which column is
/// this offset in?" with RFC 4180 quoting (quoted delimiters and newlines).
#[derive(Debug, Clone)]
pub struct TableTracker {
    delimiter: u8,
    /// Records before the header: Excel's `sep=` line, and the lines of a
    /// title above the table (see [`TableTracker::new`]).
    records_before_header: u64,
    /// Where the header starts in the first buffer (0 where nothing comes
    /// before it, and in every later buffer).
    header_start: usize,
    /// Shared: the tracker is copied for every buffer it names fields in.
    headers: std::sync::Arc<[String]>,
    /// Offset up to which the state below is valid.
    pos: usize,
    column: usize,
    in_quotes: bool,
    /// A saved state (offset, column, in_quotes) at or before the start of the
    /// record containing `pos`. Lets the tracker answer again about an
    /// earlier offset of the same record.
    checkpoint: (usize, usize, bool),
    /// Where each column walked so far in the current record starts (the
    /// first is column `first_column`): an earlier offset of the record,
    /// asked again for each rule, is found without walking. At most
    /// `MAX_COLUMN_STARTS`; earlier columns of wider records are walked
    /// again from the checkpoint.
    column_starts: Vec<usize>,
    first_column: usize,
    /// Where each field of the buffer starts and its column, noted by the
    /// table's profile as it walked the buffer (see
    /// [`TableTracker::use_marks`]); empty when the tracker walks itself.
    marks: Vec<(u32, u32)>,
    /// The mark the last question was answered from.
    mark_at: usize,
    /// The end of the stretch the marks cover, and the state there.
    marked_end: (usize, usize, bool),
}

/// Column starts a tracker keeps for one record.
const MAX_COLUMN_STARTS: usize = 4096;

impl TableTracker {
    /// Builds a tracker from the start of the file: the delimiter and the
    /// header, when the first line is one. Before the header may come a
    /// `sep=` line and, in exports made as reports, a few lines of title
    /// (up to [`MAX_TITLE_LINES`], none holding the delimiter, blank lines
    /// among them), when the line after them is a header whose width the
    /// next record has; otherwise the first line is data.
    pub fn new(start_of_file: &[u8]) -> TableTracker {
        let (declared, start) = after_separator_line(start_of_file);
        let mut header_start = start_of_file.len() - start.len();
        let mut records_before_header = u64::from(declared.is_some());
        let first_line_end = memchr::memchr(b'\n', start).unwrap_or(start.len());
        let first_line = &start[..first_line_end];
        let mut delimiter = declared.unwrap_or_else(|| sniff_delimiter(first_line));
        let mut names = parse_header(first_line, delimiter);
        if !looks_like_header(&names)
            && let Some((title_len, title_lines, below_title)) = header_below_title(start, declared)
        {
            header_start += title_len;
            records_before_header += title_lines;
            (delimiter, names) = below_title;
        }
        let headers: std::sync::Arc<[String]> = if looks_like_header(&names) {
            names.into()
        } else {
            std::sync::Arc::default()
        };
        TableTracker {
            delimiter,
            records_before_header,
            header_start,
            headers,
            pos: 0,
            column: 0,
            in_quotes: false,
            checkpoint: (0, 0, false),
            column_starts: vec![0],
            first_column: 0,
            marks: Vec::new(),
            mark_at: 0,
            marked_end: (0, 0, false),
        }
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Records before the data: the header, and a `sep=` line and the
    /// lines of a title before it.
    pub fn leading_records(&self) -> u64 {
        self.records_before_header + u64::from(!self.headers.is_empty())
    }

    /// A column profile of this table: its delimiter and header, and the
    /// records before its data not counted as rows.
    pub fn profile(&self) -> crate::columns::TableProfile {
        crate::columns::TableProfile::new(self.delimiter, &self.headers)
            .with_leading_records(self.leading_records())
    }

    /// The header names (empty when the first line is data).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The 0-based column index at `offset`, walking forward from the last
    /// question. `None` when asked about an offset behind the tracker.
    pub fn column_at(&mut self, buf: &[u8], offset: usize) -> Option<usize> {
        if let Some(&(first, _)) = self.marks.first() {
            if offset < first as usize {
                // Before the stretch marked: a line already left behind.
                return None;
            }
            if offset < self.marked_end.0 {
                return Some(self.marked_column(offset));
            }
            self.stop_using_marks();
        }
        if offset < self.pos {
            if let Some(&first) = self.column_starts.first()
                && offset >= first
            {
                let later = self.column_starts.partition_point(|&s| s <= offset);
                return Some(self.first_column + later - 1);
            }
            let (at, column, in_quotes) = self.checkpoint;
            if offset < at {
                return None;
            }
            self.pos = at;
            self.column = column;
            self.in_quotes = in_quotes;
            self.column_starts.clear();
            self.column_starts.push(at);
            self.first_column = column;
        }
        let end = offset.min(buf.len());
        let mut i = self.pos;
        while i < end {
            let rest = &buf[i..end];
            if self.in_quotes {
                match memchr::memchr(b'"', rest) {
                    Some(j) => {
                        // A doubled quote inside quotes is an escaped quote;
                        // either way the toggle below keeps the state right.
                        self.in_quotes = false;
                        i += j + 1;
                    }
                    None => i = end,
                }
            } else {
                match memchr::memchr3(self.delimiter, b'\n', b'"', rest) {
                    Some(j) => {
                        let b = rest[j];
                        if b == b'"' {
                            self.in_quotes = true;
                        } else if b == b'\n' {
                            self.column = 0;
                            self.checkpoint = (i + j + 1, 0, false);
                            self.column_starts.clear();
                            self.column_starts.push(i + j + 1);
                            self.first_column = 0;
                        } else {
                            self.column += 1;
                            if self.column_starts.len() == MAX_COLUMN_STARTS {
                                let dropped = MAX_COLUMN_STARTS / 2;
                                self.column_starts.drain(..dropped);
                                self.first_column += dropped;
                            }
                            self.column_starts.push(i + j + 1);
                        }
                        i += j + 1;
                    }
                    None => i = end,
                }
            }
        }
        self.pos = end;
        Some(self.column)
    }

    /// The same table's tracker at the start of a record that begins a new
    /// buffer (the caller knows the record boundary, so nothing is walked).
    pub fn at_record_start(&self) -> TableTracker {
        TableTracker {
            delimiter: self.delimiter,
            records_before_header: self.records_before_header,
            header_start: 0,
            headers: self.headers.clone(),
            pos: 0,
            column: 0,
            in_quotes: false,
            checkpoint: (0, 0, false),
            column_starts: vec![0],
            first_column: 0,
            marks: Vec::new(),
            mark_at: 0,
            marked_end: (0, 0, false),
        }
    }

    /// The column and quoting at offset `at` of the buffer, when the
    /// tracker stands there: what a walk from there starts from.
    pub fn position_at(&self, at: usize) -> Option<(usize, bool)> {
        (self.pos == at && self.marks.is_empty()).then_some((self.column, self.in_quotes))
    }

    /// Swaps the tracker's buffer of marks with `marks`: a scanner lends
    /// the tracker of each buffer it scans its own, so the trackers a file's
    /// pieces carry between threads hold none.
    pub fn swap_marks(&mut self, marks: &mut Vec<(u32, u32)>) {
        std::mem::swap(&mut self.marks, marks);
    }

    /// The buffer for a walk from where the tracker stands (see
    /// [`TableTracker::position_at`]) to note field starts in, for
    /// [`TableTracker::use_marks`].
    pub fn marks_to_fill(&mut self) -> &mut Vec<(u32, u32)> {
        &mut self.marks
    }

    /// Answers from the marks just filled, which cover the buffer from
    /// where the tracker stands up to `end`, where the walk was in `column`
    /// and `in_quotes`, until [`TableTracker::stop_using_marks`]. Marks
    /// that do not start where the tracker stands are not used.
    pub fn use_marks(&mut self, end: usize, column: usize, in_quotes: bool) {
        let starts_here = self
            .marks
            .first()
            .is_some_and(|&(at, _)| at as usize == self.pos);
        if !starts_here || end > u32::MAX as usize {
            self.marks.clear();
            return;
        }
        self.mark_at = 0;
        self.marked_end = (end, column, in_quotes);
    }

    /// Leaves the tracker where the marks end, walking on by itself.
    pub fn stop_using_marks(&mut self) {
        if self.marks.is_empty() {
            return;
        }
        self.marks.clear();
        let (end, column, in_quotes) = self.marked_end;
        self.pos = end;
        self.column = column;
        self.in_quotes = in_quotes;
        self.checkpoint_here();
    }

    /// Saves the state where the tracker stands as the one to answer from
    /// for any later offset of its record.
    fn checkpoint_here(&mut self) {
        self.checkpoint = (self.pos, self.column, self.in_quotes);
        self.column_starts.clear();
        self.column_starts.push(self.pos);
        self.first_column = self.column;
    }

    /// The column at `offset` from the marks (which cover it).
    fn marked_column(&mut self, offset: usize) -> usize {
        self.mark_at = last_mark_at(&self.marks, self.mark_at, offset as u32, |m| m.0);
        self.marks[self.mark_at].1 as usize
    }

    /// Moves the tracker's offsets back by `consumed` bytes when the scanner
    /// drops the front of its buffer.
    pub fn rebase(&mut self, buf: &[u8], consumed: usize) {
        // Bring the state up to the cut, so nothing before it is needed again.
        if self.pos < consumed {
            let _ = self.column_at(buf, consumed);
        }
        self.pos -= consumed.min(self.pos);
        self.header_start = self.header_start.saturating_sub(consumed);
        self.checkpoint_here();
    }
}

/// Lines of title [`TableTracker::new`] looks past for a header.
pub const MAX_TITLE_LINES: usize = 5;

/// A header below a few lines of title (`Klantenoverzicht`, `Datum:
/// 01-03-2024`, blank lines): the bytes and non-blank lines of the title,
/// the delimiter and the names. The title's lines hold no delimiter and no
/// quote (which would make the column walk read its line ends as part of a
/// field), the header's names are plausible column names, and the records
/// after it have as many fields as it names.
fn header_below_title(
    start: &[u8],
    declared: Option<u8>,
) -> Option<(usize, u64, (u8, Vec<String>))> {
    let mut line_start = 0;
    let mut title_lines = 0;
    for _ in 0..=MAX_TITLE_LINES {
        let line_end = line_start + memchr::memchr(b'\n', &start[line_start..])?;
        let line = &start[line_start..line_end];
        let delimiter = declared.or_else(|| header_delimiter(line));
        if let Some(delimiter) = delimiter.filter(|_| line_start > 0) {
            let title = &start[..line_start];
            let names = parse_header(line, delimiter);
            let plausible = names.len() >= 2
                && looks_like_header(&names)
                && names.iter().all(|name| plausible_column_name(name))
                && memchr::memchr2(delimiter, b'"', title).is_none();
            if plausible {
                let (below, cut) = sniff_sample(&start[line_end + 1..])?;
                return match records_of_width(below, delimiter, names.len(), cut) {
                    Some(1..) => Some((line_start, title_lines, (delimiter, names))),
                    _ => None,
                };
            }
        }
        if !line.trim_ascii().is_empty() {
            title_lines += 1;
        }
        line_start = line_end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header line as the `csv` crate reads its first record.
    fn header_by_csv_reader(line: &[u8], delimiter: u8) -> Vec<String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(line);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => record
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn header_lines_split_as_the_csv_reader_splits_them() {
        let pieces: [&[u8]; 14] = [
            b"naam",
            b" e-mail ",
            b"\"",
            b"\"\"",
            b";",
            b",",
            b"\t",
            b"|",
            b"\r",
            b"\r\n",
            b"x\"y",
            b"\xef\xbb\xbf",
            b"\xff",
            b"",
        ];
        let mut rng = crate::generate::rng::Rng::new(5);
        for round in 0..20_000 {
            let mut line = Vec::new();
            // Some records longer than the parser's first buffers (no line
            // end in them: a line end ends the record).
            let long = round % 100 == 0;
            for _ in 0..rng.below(if long { 2_000 } else { 12 }) {
                let piece = pieces[rng.below(pieces.len() as u64) as usize];
                if !(long && piece.contains(&b'\r')) {
                    line.extend_from_slice(piece);
                }
            }
            // The same parser serves many lines and delimiters in turn.
            let delimiter = *rng.pick(b",;\t|");
            assert_eq!(
                parse_header(&line, delimiter),
                header_by_csv_reader(&line, delimiter),
                "round {round}: {:?} split by {:?}",
                String::from_utf8_lossy(&line),
                delimiter as char
            );
        }
    }

    #[test]
    fn text_is_replaced_as_the_standard_library_replaces_it() {
        for bytes in [
            &b"jan@kpn.nl"[..],
            b"",
            "Ørsted".as_bytes(),
            b"caf\xe9 06-12345678",
            b"\xff\xfe\x00a",
            b"truncated \xe2\x82",
        ] {
            assert_eq!(text_lossy(bytes), String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn exports_without_a_table_extension_read_as_tables() {
        for table in [
            // Excel's "Text (Tab delimited)", line ends and all.
            &b"naam\temail\tbsn\r\nJan Jansen\tjan@example.nl\t111222333\r\n"[..],
            b"Klant_ID|E-mail adres|Datum (laatste bezoek)\n1|a@b.nl|2021-01-01\n",
            b"id;naam;plaats\n1;Jan;Emmen\n2;Piet;Assen\n",
            b"id,naam,plaats\n1,Jan,Emmen\n\n2,Piet,Assen\n",
            // A quoted line end is inside a field, not between records.
            b"id,naam,notitie\n1,Jan,\"regel een,\nregel twee\"\n2,Piet,kort\n",
            // A last record without a line end still counts.
            b"naam\tbsn\nJan\t111222333",
            b"\xEF\xBB\xBFnaam\tbsn\nJan\t111222333\n",
        ] {
            assert!(
                looks_like_table(table),
                "{:?}",
                String::from_utf8_lossy(table)
            );
        }
    }

    #[test]
    fn prose_code_and_slices_are_not_tables() {
        for text in [
            // Prose with commas and semicolons.
            &b"Beste klant, bedankt voor uw bezoek.\nUw BSN staat genoteerd, groet, Jan\n"[..],
            b"Hallo Jan, Piet, Klaas\nzie je morgen, om tien, bij de garage\n",
            b"Notitie; afspraak\nKlant belt terug; zegt later\n",
            // Lines of code and settings.
            b"a, b, c = load()\nx, y, z = b, c, a\n",
            b"numpy==1.26\npandas==2.1\n",
            // A header and nothing under it, or a single line.
            b"naam\temail\tbsn\n",
            b"naam\temail\tbsn",
            // Records that do not fit the header.
            b"naam\temail\tbsn\nJan\tjan@example.nl\n",
            b"id,naam,plaats\n1,Jan,Emmen\n2,Piet,Assen,extra\n",
            // A slice of a table starting inside a record.
            b"sen,jan@example.nl,0612345678\n10,Piet,piet@ziggo.nl\n11,Klaas,k@kpn.nl\n",
            // One column.
            b"naam\nJan\nPiet\n",
        ] {
            assert!(
                !looks_like_table(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn an_excel_separator_line_declares_the_delimiter_before_the_header() {
        for (start, delimiter, rest) in [
            (&b"sep=;\nnaam;bsn\n"[..], Some(b';'), &b"naam;bsn\n"[..]),
            (b"SEP=,\r\nnaam,bsn\r\n", Some(b','), b"naam,bsn\r\n"),
            (b"\"sep=|\"\nnaam|bsn\n", Some(b'|'), b"naam|bsn\n"),
            (b"sep=\t", Some(b'\t'), b""),
            (b"sep=;;\nnaam;bsn\n", None, b"sep=;;\nnaam;bsn\n"),
            (b"september;oktober\n", None, b"september;oktober\n"),
        ] {
            assert_eq!(after_separator_line(start), (delimiter, rest), "{start:?}");
        }
        let tracker = TableTracker::new(b"sep=,\r\nnaam;email,bsn\r\nJan;Piet,111222333\r\n");
        assert_eq!(tracker.delimiter(), b',');
        assert_eq!(tracker.headers(), ["naam;email", "bsn"]);
        assert_eq!(tracker.leading_records(), 2);
        assert_eq!(TableTracker::new(b"naam;bsn\n").leading_records(), 1);
        assert_eq!(TableTracker::new(b"sep=;\n1;2\n").leading_records(), 1);
        assert!(looks_like_table(
            b"sep=;\nnaam;bsn\nJan;111222333\nPiet;123456782\n"
        ));
        assert!(!looks_like_table(
            b"sep=,\nnaam;bsn\nJan;111222333\nPiet;123456782\n"
        ));
    }

    #[test]
    fn a_title_above_the_table_is_looked_past() {
        let report = b"Klantenoverzicht Autobedrijf Jansen\r\nDatum: 01-03-2024, door beheer@jansen.nl\r\n\r\n\
                       naam;email;bsn\r\nJan;jan@ziggo.nl;111222333\r\n";
        let mut tracker = TableTracker::new(report);
        assert_eq!(tracker.delimiter(), b';');
        assert_eq!(tracker.headers(), ["naam", "email", "bsn"]);
        // Two lines of title (the blank one is no record) and the header.
        assert_eq!(tracker.leading_records(), 3);
        let at = |needle: &[u8]| {
            report
                .windows(needle.len())
                .position(|w| w == needle)
                .unwrap()
        };
        assert_eq!(tracker.field_at(report, at(b"beheer@")), None);
        assert_eq!(
            tracker.field_at(report, at(b"jan@")).as_deref(),
            Some("email")
        );
        assert_eq!(
            tracker.field_at(report, at(b"111222")).as_deref(),
            Some("bsn")
        );
        // Data first: no title, no header (the second line holds the
        // delimiter the first has).
        for data in [
            &b"100231;Jeroen;Bakker\nAnouk;de Jong;Assen\nPiet;Smit;Zwolle\n"[..],
            b"100231;Jeroen;Bakker\n100232;Anouk;de Jong\n",
            // A header below more lines of title than are looked past.
            b"a\nb\nc\nd\ne\nf\nnaam;bsn\nJan;111222333\n",
            // A header-like line with nothing under it.
            b"Overzicht\nnaam;bsn\n",
            // A quote in the title.
            b"Overzicht \"klanten\nnaam;bsn\nJan;111222333\n",
        ] {
            let tracker = TableTracker::new(data);
            assert!(
                tracker.headers().is_empty(),
                "{:?}",
                String::from_utf8_lossy(data)
            );
            assert_eq!(tracker.leading_records(), 0);
        }
    }

    #[test]
    fn json_records_are_told_from_text() {
        for json in [
            &b"{\"ts\":\"2024-01-01T10:00:00Z\",\"user\":{\"email\":\"a@b.nl\"}}\n"[..],
            b"\xEF\xBB\xBF{\"id\": 1}",
            b"[\n  {\n    \"klant\": {\"naam\": \"Jan\"}\n  }\n]\n",
            b"  { \"a \\\" b\" : 1 }",
        ] {
            assert!(looks_like_json(json), "{:?}", String::from_utf8_lossy(json));
        }
        for text in [
            &b"[INFO] 2024-01-01 started\n"[..],
            b"{{ template }}\n",
            b"{ not json }\n",
            b"[1, 2, 3]",
            b"{\"unterminated\n: 1}",
            b"{\"key\" is not followed by a colon}",
            b"2024-01-01 10:00:00 {\"user\": 1}",
            b"",
        ] {
            assert!(
                !looks_like_json(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn xml_declarations_are_told_from_text() {
        for xml in [
            &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document>"[..],
            b"\xEF\xBB\xBF<?xml version='1.0'?><a/>",
            b"\r\n  <?xml\tversion=\"1.0\"?>",
        ] {
            assert!(looks_like_xml(xml), "{:?}", String::from_utf8_lossy(xml));
        }
        for text in [
            &b"<Document>no declaration</Document>"[..],
            b"<?xml-stylesheet href=\"a.xsl\"?>",
            b"<?xmlversion",
            b"Zie <?xml version=\"1.0\"?> in de bijlage",
            b"",
        ] {
            assert!(!looks_like_xml(text), "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn the_quick_header_test_picks_the_sniffed_delimiter() {
        for line in [
            &b"naam;email;bsn"[..],
            b"naam\temail\tbsn\r",
            b"Naam, voornaam;E-mail;BSN",
            b"\"naam;achternaam\",email,bsn",
            b"id|naam|plaats",
            b"a b,c d\te f",
        ] {
            assert_eq!(
                header_delimiter(line),
                Some(sniff_delimiter(line)),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        for line in [
            &b"naam;email;"[..],
            b"naam;2e naam;bsn",
            b"145568;Fleur;de Graaf",
            b"roningen;11-09-1961;339163719",
            b"naam;e-mail: adres;bsn",
            b"werkplaats een olie auto accu lamp",
            b"naam;een naam die langer is dan iedere kolomnaam die een export ooit had;bsn",
        ] {
            assert_eq!(
                header_delimiter(line),
                None,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn a_long_start_is_read_to_its_last_whole_record() {
        let mut start = b"naam;email;bsn\n".to_vec();
        while start.len() < 2 * TABLE_SNIFF_BYTES {
            start.extend_from_slice(b"Jan Jansen;jan@example.nl;111222333\n");
        }
        // Cut inside a record, as the first chunk of a large file is.
        start.truncate(start.len() - 5);
        assert!(looks_like_table(&start));
        // Wide records with notes over several lines: the sample's last
        // line end may be inside a quoted note.
        let mut start = b"naam;notitie;bsn\n".to_vec();
        while start.len() < 2 * TABLE_SNIFF_BYTES {
            start.extend_from_slice(b"Jan Jansen;\"");
            for _ in 0..100 {
                start.extend_from_slice(b"Belt terug over de lease.\n");
            }
            start.extend_from_slice(b"\";111222333\n");
        }
        assert!(looks_like_table(&start));
        let line_free = vec![b'a'; 2 * TABLE_SNIFF_BYTES];
        assert!(!looks_like_table(&line_free));
    }

    #[test]
    fn formats_follow_extensions_and_sniff_the_rest() {
        for (name, format) in [
            ("klanten.csv", Format::Table),
            ("klanten.TSV", Format::Table),
            ("export.json", Format::Json),
            ("dump.sql", Format::Sql),
            ("incasso_2022-03.XML", Format::Xml),
            ("klanten.txt", Format::Sniffed),
            ("KLANTEN.DAT", Format::Sniffed),
            ("klanten", Format::Sniffed),
            ("app.log", Format::Sniffed),
            ("app.out", Format::Text),
            ("main.rs", Format::Text),
        ] {
            assert_eq!(Format::for_path(Path::new(name)), format, "{name}");
        }
    }

    #[test]
    fn sniffs_dutch_excel_semicolons() {
        assert_eq!(sniff_delimiter(b"naam;email;\"a,b\";kenteken"), b';');
        assert_eq!(sniff_delimiter(b"name,email,plate"), b',');
        assert_eq!(sniff_delimiter(b"name\temail"), b'\t');
    }

    #[test]
    fn tracks_columns_through_quotes_and_newlines() {
        let buf = b"naam;notitie;email\nJan;\"zegt; hallo\nen meer\";jan@x.nl\n";
        let mut t = TableTracker::new(buf);
        let email_at = buf.windows(8).position(|w| w == b"jan@x.nl").unwrap();
        assert_eq!(t.field_at(buf, email_at).as_deref(), Some("email"));
        // Asking again about an earlier offset in the same record works too.
        let note_at = buf.windows(7).position(|w| w == b"en meer").unwrap();
        assert_eq!(t.field_at(buf, note_at).as_deref(), Some("notitie"));
    }

    #[test]
    fn earlier_offsets_of_a_record_asked_in_any_order() {
        // Records wider than the column starts kept, with quoted delimiters
        // and newlines: asked back and forth inside each record, every
        // answer equals the one of a tracker asked in order.
        for columns in [5, 40, MAX_COLUMN_STARTS + 700] {
            let header: Vec<String> = (0..columns).map(|i| format!("h{i}")).collect();
            let mut buf = header.join(";").into_bytes();
            let mut records = Vec::new();
            for row in 0..3 {
                buf.push(b'\n');
                let start = buf.len();
                let values: Vec<String> = (0..columns)
                    .map(|i| match i % 7 {
                        3 => format!("\"a;{row}\nb\""),
                        _ => format!("v{row}x{i}"),
                    })
                    .collect();
                buf.extend_from_slice(values.join(";").as_bytes());
                records.push(start..buf.len());
            }
            let mut in_order = TableTracker::new(&buf);
            let expected: Vec<Option<String>> =
                (0..buf.len()).map(|o| in_order.field_at(&buf, o)).collect();
            let mut tracker = TableTracker::new(&buf);
            for record in records {
                let mut offsets: Vec<usize> = record.step_by(3).collect();
                offsets.reverse();
                let third = offsets.len() / 3;
                offsets.rotate_left(third);
                for offset in offsets {
                    let asked = tracker.field_at(&buf, offset);
                    assert!(asked.is_some(), "offset {offset} of {columns} columns");
                    assert_eq!(
                        asked, expected[offset],
                        "offset {offset} of {columns} columns"
                    );
                }
            }
        }
    }

    #[test]
    fn headerless_tables_number_columns() {
        let buf = b"1;jan@x.nl\n2;piet@y.nl\n";
        let mut t = TableTracker::new(buf);
        assert_eq!(t.field_at(buf, 2).as_deref(), Some("column 2"));
    }

    /// Columns looked up from a profile's marks are the columns the tracker
    /// finds by walking: quoted delimiters and line ends, doubled quotes,
    /// questions about earlier offsets of a line, and chunks that end inside
    /// a field or inside quotes.
    #[test]
    fn marked_columns_are_the_walked_columns() {
        use crate::columns::TableProfile;
        let key = crate::redact::FingerprintKey::from_secret(b"marks", "test");
        let mut text = String::from("id;naam;notitie;email\n");
        for n in 0..300 {
            let note = match n % 5 {
                0 => "\"met ; erin\"".to_string(),
                1 => "\"twee\nregels\"".to_string(),
                2 => "\"een \"\"citaat\"\" hier\"".to_string(),
                3 => String::new(),
                _ => format!("notitie {n}"),
            };
            text.push_str(&format!("{n};naam {n};{note};p{n}@x.nl\n"));
        }
        let text = text.as_bytes();
        // Offsets asked in the order a matcher asks: forward, now and then a
        // few bytes back on the same line (another rule's candidate).
        let mut questions = Vec::new();
        for at in (0..text.len()).step_by(7) {
            questions.push(at);
            let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
            if at % 3 == 0 {
                questions.push(at.saturating_sub(40).max(line_start));
            }
        }
        for chunk_len in [97, 1000, text.len()] {
            let mut walking = TableTracker::new(text);
            let mut marked = walking.clone();
            let mut profile = TableProfile::new(marked.delimiter(), marked.headers());
            let mut from = 0;
            let mut used_marks = 0;
            while from < text.len() {
                let chunk = &text[from..(from + chunk_len).min(text.len())];
                // The chunk in stretches cut at record ends, as a scan names
                // them (a stretch of about 50 bytes here).
                let mut stretch_from = 0;
                while stretch_from < chunk.len() {
                    let stretch_to = if marked.position_at(stretch_from) == Some(profile.position())
                    {
                        let walked = profile.walk_marking(
                            &chunk[stretch_from..],
                            &key,
                            Some((marked.marks_to_fill(), stretch_from)),
                            50,
                        );
                        let (column, in_quotes) = profile.position();
                        marked.use_marks(stretch_from + walked, column, in_quotes);
                        used_marks += 1;
                        stretch_from + walked
                    } else {
                        profile.walk(&chunk[stretch_from..], &key);
                        chunk.len()
                    };
                    let asked = questions
                        .iter()
                        .filter(|&&at| at >= from + stretch_from && at < from + stretch_to);
                    for &at in asked {
                        assert_eq!(
                            marked.column_at(chunk, at - from),
                            walking.column_at(chunk, at - from),
                            "offset {at} in chunks of {chunk_len}"
                        );
                    }
                    marked.stop_using_marks();
                    stretch_from = stretch_to;
                }
                marked.stop_using_marks();
                walking.rebase(chunk, chunk.len());
                marked.rebase(chunk, chunk.len());
                from += chunk.len();
            }
            assert!(
                used_marks > text.len().div_ceil(chunk_len),
                "{used_marks} stretches answered from marks"
            );
        }
    }
}
