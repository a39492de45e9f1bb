//! Rich Text Format: the text of `.rtf` documents (letters, quotes and
//! contracts written with WordPad or Word, often saved as `.doc`) and of
//! Outlook's compressed RTF bodies (the `PR_RTF_COMPRESSED` property of a
//! `.msg`, compressed as MS-OXRTFCP says).
//!
//! [`decompress`] undoes Outlook's compression; [`text_of`] turns RTF into
//! the text a reader sees, a line per paragraph, as the document readers
//! of [`crate::office`] do. Neither trusts its input: sizes a header
//! claims are checked against a limit before anything is allocated, group
//! nesting is tracked on a bounded stack (no recursion on the input's
//! depth), and both run in time linear in their input.

use encoding_rs::Encoding;

/// The dictionary every compressed RTF stream starts from (MS-OXRTFCP
/// 3.1.3.1): RTF that most documents begin with, so their first bytes are
/// already references.
pub const INITIAL_DICTIONARY: &[u8; 207] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}\
{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier\
{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// The circular dictionary references point into.
const DICTIONARY_LEN: usize = 4096;
/// `COMPSIZE`, `RAWSIZE`, `COMPTYPE`, `CRC`: four little-endian words.
const HEADER_LEN: usize = 16;
/// `COMPTYPE` of compressed content, `LZFu`.
const COMPRESSED: u32 = 0x7546_5A4C;
/// `COMPTYPE` of content stored as it is, `MELA`.
const UNCOMPRESSED: u32 = 0x414C_454D;

/// Why a compressed RTF stream could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtfError {
    #[error("{len} bytes, too short for the 16-byte header")]
    TooShort { len: usize },
    #[error("unknown compression type 0x{0:08X} (neither LZFu nor MELA)")]
    UnknownType(u32),
    #[error("CRC mismatch (the header says {claimed:08X}, the content sums to {actual:08X})")]
    CrcMismatch { claimed: u32, actual: u32 },
    #[error("truncated: {have} bytes of content where the header says {claimed}")]
    Truncated { have: usize, claimed: usize },
    #[error("truncated: the content ends before its end marker")]
    Unterminated,
    #[error("it says it decompresses to {claimed} bytes, more than the {limit} bytes allowed")]
    OverLimit { claimed: u64, limit: usize },
    #[error("it decompresses to more than the {claimed} bytes its header says")]
    LongerThanClaimed { claimed: usize },
}

impl RtfError {
    /// Whether a limit of the reader, not damage, stopped it.
    pub fn is_limit(&self) -> bool {
        matches!(self, RtfError::OverLimit { .. })
    }
}

/// The RTF in `data`, a compressed RTF stream (MS-OXRTFCP), of at most
/// `limit` bytes. The size the header claims is checked against `limit`
/// before anything is allocated, and the output never grows past it.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, RtfError> {
    let Some(header) = data.get(..HEADER_LEN) else {
        return Err(RtfError::TooShort { len: data.len() });
    };
    let word = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let (compressed_size, raw_size, kind, crc) = (word(0), word(4), word(8), word(12));
    if kind != COMPRESSED && kind != UNCOMPRESSED {
        return Err(RtfError::UnknownType(kind));
    }
    // COMPSIZE counts the content and the three header words after itself.
    let content_len = (compressed_size as usize).saturating_sub(HEADER_LEN - 4);
    let rest = &data[HEADER_LEN..];
    let Some(content) = rest.get(..content_len) else {
        return Err(RtfError::Truncated {
            have: rest.len(),
            claimed: content_len,
        });
    };
    let raw_size = raw_size as usize;
    if raw_size > limit {
        return Err(RtfError::OverLimit {
            claimed: raw_size as u64,
            limit,
        });
    }
    if kind == UNCOMPRESSED {
        return match content.get(..raw_size) {
            Some(raw) => Ok(raw.to_vec()),
            None => Err(RtfError::Truncated {
                have: content.len(),
                claimed: raw_size,
            }),
        };
    }
    let actual = crc32(content);
    if actual != crc {
        return Err(RtfError::CrcMismatch {
            claimed: crc,
            actual,
        });
    }
    expand(content, raw_size)
}

/// Undoes the LZ77 compression of `content`, into at most `max` bytes.
fn expand(content: &[u8], max: usize) -> Result<Vec<u8>, RtfError> {
    let mut window = Window {
        dictionary: [0u8; DICTIONARY_LEN],
        write_at: INITIAL_DICTIONARY.len(),
    };
    window.dictionary[..INITIAL_DICTIONARY.len()].copy_from_slice(INITIAL_DICTIONARY);
    // Each input byte yields at most 8.5 output bytes; `max` is within the
    // caller's limit.
    let mut out = Vec::with_capacity(max.min(content.len().saturating_mul(9)));
    let mut input = content.iter().copied();
    loop {
        let control = input.next().ok_or(RtfError::Unterminated)?;
        for bit in 0..8 {
            if control & (1 << bit) == 0 {
                let literal = input.next().ok_or(RtfError::Unterminated)?;
                window.put(literal, &mut out, max)?;
                continue;
            }
            let (Some(high), Some(low)) = (input.next(), input.next()) else {
                return Err(RtfError::Unterminated);
            };
            let reference = u16::from_be_bytes([high, low]);
            let offset = usize::from(reference >> 4);
            let len = usize::from(reference & 0xF) + 2;
            // A reference to where the next byte would be written is the
            // end marker.
            if offset == window.write_at {
                return Ok(out);
            }
            // Byte by byte: a reference may read what it is writing.
            for i in 0..len {
                let byte = window.dictionary[(offset + i) % DICTIONARY_LEN];
                window.put(byte, &mut out, max)?;
            }
        }
    }
}

/// The circular dictionary and where the next byte goes in it.
struct Window {
    dictionary: [u8; DICTIONARY_LEN],
    write_at: usize,
}

impl Window {
    /// Writes `byte` out and into the dictionary; an error past `max`.
    fn put(&mut self, byte: u8, out: &mut Vec<u8>, max: usize) -> Result<(), RtfError> {
        if out.len() == max {
            return Err(RtfError::LongerThanClaimed { claimed: max });
        }
        out.push(byte);
        self.dictionary[self.write_at] = byte;
        self.write_at = (self.write_at + 1) % DICTIONARY_LEN;
        Ok(())
    }
}

/// The CRC-32 of MS-OXRTFCP 3.1.3.2: the usual table of polynomial
/// 0xEDB88320, started at 0 and not inverted at the end.
pub fn crc32(data: &[u8]) -> u32 {
    data.iter().fold(0, |crc, &byte| {
        CRC_TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

/// How deep groups are tracked; deeper ones are read with the formatting
/// of the group at this depth (their text is kept).
pub const MAX_DEPTH: usize = 1000;

/// What kept a document's text from being read whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtfProblem {
    #[error("not an RTF document: it does not start with {{\\rtf")]
    NotRtf,
    #[error("groups nested more than {MAX_DEPTH} deep: deeper text is read, its formatting is not")]
    TooDeep,
    #[error(
        "\\bin claims {claimed} bytes of binary data where {left} are left: the rest is not read"
    )]
    BinaryPastEnd { claimed: u64, left: usize },
}

impl RtfProblem {
    /// Whether a limit of the reader, not damage, is what it met.
    pub fn is_limit(&self) -> bool {
        matches!(self, RtfProblem::TooDeep)
    }
}

/// The text of an RTF document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RtfText {
    /// A line per paragraph (also per `\line`, table row, section and page;
    /// cells and tabs apart by a tab); each field of the document's
    /// information (title, author, company, ...) a line of its own first.
    pub text: String,
    /// The first thing that kept the text from being read whole.
    pub problem: Option<RtfProblem>,
}

/// Groups (destinations) whose content is not text a reader sees: tables
/// of fonts, colours and styles, pictures, embedded objects' data, themes.
const HIDDEN_DESTINATIONS: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"listtable",
    b"listoverridetable",
    b"pict",
    b"objdata",
    b"themedata",
    b"datastore",
    b"colorschememapping",
    b"latentstyles",
    b"generator",
    b"rsidtbl",
    b"revtbl",
    b"filetbl",
    b"xmlnstbl",
    b"nonshppict",
    b"fldinst",
    b"bkmkstart",
    b"bkmkend",
    b"template",
    b"userprops",
    b"passwordhash",
    // A shape's properties (names and numbers), and the drawing that
    // stands in for it in older readers (its text box's text again).
    b"sp",
    b"shprslt",
];

/// Optional destinations (`{\*\...}`) whose text is shown: a shape's
/// instructions hold its text box (`\shptxt`), often a letterhead's
/// address.
const SHOWN_OPTIONAL: &[&[u8]] = &[b"shpinst"];

/// The document information kept as text, each a line of its own (an
/// author's name is personal data as much as the body's).
const INFO_FIELDS: &[&[u8]] = &[
    b"title",
    b"subject",
    b"author",
    b"operator",
    b"manager",
    b"company",
    b"category",
    b"keywords",
    b"comment",
    b"doccomm",
    b"hlinkbase",
];

/// What the text of a group is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Text a reader sees.
    Text,
    /// Not shown: a font table, a picture, an unknown `{\*\...}`.
    Hidden,
    /// Outlook's HTML in RTF: the markup of an HTML tag, `{\*\htmltag ...}`.
    HtmlTag,
}

/// What a group changes, restored when it closes.
#[derive(Debug, Clone, Copy)]
struct Group {
    shown: Shown,
    /// A line of document information: it ends a line when it closes.
    ends_line: bool,
    /// `\ucN`: how many characters after a `\uN` stand in for it in
    /// readers without Unicode.
    fallback_len: u32,
    /// Inside `\htmlrtf ... \htmlrtf0`: RTF written only for readers of
    /// RTF, not part of the HTML it encapsulates.
    html_rtf: bool,
}

/// The text of the RTF document `rtf`, as [`RtfText`] describes. Linear
/// in the input, whatever its nesting.
pub fn text_of(rtf: &[u8]) -> RtfText {
    let start = rtf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(rtf);
    let start = &start[start.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    if !start.starts_with(b"{\\rtf") {
        return RtfText {
            text: String::new(),
            problem: Some(RtfProblem::NotRtf),
        };
    }
    let mut reader = TextReader::new(start.len());
    reader.read(start);
    reader.flush();
    RtfText {
        text: reader.text,
        problem: reader.problem,
    }
}

struct TextReader {
    group: Group,
    /// The groups around this one, up to [`MAX_DEPTH`].
    outer: Vec<Group>,
    /// Groups open beyond [`MAX_DEPTH`], not tracked.
    untracked: usize,
    /// Right after `{` (and `\*`): the next control word may name what the
    /// group is.
    group_start: bool,
    /// `\*` came first in the group: an optional destination, hidden from
    /// readers that do not know it.
    optional: bool,
    /// Characters still to skip as a `\uN`'s stand-in.
    fallback_left: u32,
    /// The first half of a UTF-16 surrogate pair written as two `\uN`.
    high_surrogate: Option<u16>,
    /// The code page of `\'hh` and 8-bit text.
    encoding: &'static Encoding,
    /// Bytes in that code page not yet decoded (a double-byte character
    /// may come as two `\'hh`).
    pending: Vec<u8>,
    /// The markup of the HTML tag being read.
    tag: Vec<u8>,
    text: String,
    problem: Option<RtfProblem>,
}

impl TextReader {
    fn new(input_len: usize) -> Self {
        TextReader {
            group: Group {
                shown: Shown::Text,
                ends_line: false,
                fallback_len: 1,
                html_rtf: false,
            },
            outer: Vec::new(),
            untracked: 0,
            group_start: false,
            optional: false,
            fallback_left: 0,
            high_surrogate: None,
            encoding: encoding_rs::WINDOWS_1252,
            pending: Vec::new(),
            tag: Vec::new(),
            // The text is shorter than the markup around it.
            text: String::with_capacity(input_len / 2),
            problem: None,
        }
    }

    fn read(&mut self, rtf: &[u8]) {
        let mut at = 0;
        while let Some(&byte) = rtf.get(at) {
            at += 1;
            match byte {
                b'{' => self.open_group(),
                b'}' => {
                    if self.close_group() {
                        // The document's own group closed: what follows
                        // (padding, NULs) is no part of it.
                        return;
                    }
                }
                b'\\' => match self.control(rtf, at) {
                    Ok(next) => at = next,
                    Err(problem) => {
                        self.problem.get_or_insert(problem);
                        return;
                    }
                },
                // Line ends in RTF are only there to keep lines short.
                b'\r' | b'\n' => {}
                _ => self.text_byte(byte),
            }
        }
    }

    fn open_group(&mut self) {
        self.fallback_left = 0;
        self.group_start = true;
        self.optional = false;
        if self.outer.len() >= MAX_DEPTH {
            self.untracked += 1;
            self.problem.get_or_insert(RtfProblem::TooDeep);
            return;
        }
        self.outer.push(self.group);
        self.group.ends_line = false;
    }

    /// Closes a group; true when it was the outermost.
    fn close_group(&mut self) -> bool {
        self.fallback_left = 0;
        self.group_start = false;
        if self.untracked > 0 {
            self.untracked -= 1;
            return false;
        }
        let closed = self.group;
        let Some(outer) = self.outer.pop() else {
            return true;
        };
        self.group = outer;
        if closed.shown == Shown::HtmlTag && self.group.shown != Shown::HtmlTag {
            self.html_tag();
        }
        if closed.ends_line && closed.shown == Shown::Text {
            self.push_char('\n');
        }
        self.outer.is_empty()
    }

    /// Whether text now is text a reader sees.
    fn shows_text(&self) -> bool {
        self.group.shown == Shown::Text && !self.group.html_rtf
    }

    /// Whether the next character is a `\uN`'s stand-in (then it is
    /// counted off).
    fn is_fallback(&mut self) -> bool {
        if self.fallback_left > 0 {
            self.fallback_left -= 1;
            return true;
        }
        false
    }

    /// A byte of text in the document's code page.
    fn text_byte(&mut self, byte: u8) {
        self.group_start = false;
        if self.is_fallback() {
            return;
        }
        match self.group.shown {
            Shown::Hidden => {}
            Shown::HtmlTag => self.tag.push(byte),
            Shown::Text if self.group.html_rtf => {}
            Shown::Text if byte == b'\t' => self.push_char('\t'),
            Shown::Text if byte < 0x20 || byte == 0x7F => {}
            Shown::Text => self.pending.push(byte),
        }
    }

    /// Reads the control word or symbol after the `\` before `at`; returns
    /// where reading goes on.
    fn control(&mut self, rtf: &[u8], at: usize) -> Result<usize, RtfProblem> {
        let Some(&first) = rtf.get(at) else {
            return Ok(at);
        };
        if !first.is_ascii_alphabetic() {
            return Ok(self.control_symbol(rtf, at, first));
        }
        let name_end = at
            + rtf[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
        let name = &rtf[at..name_end];
        let mut next = name_end;
        let negative =
            rtf.get(next) == Some(&b'-') && rtf.get(next + 1).is_some_and(u8::is_ascii_digit);
        if negative {
            next += 1;
        }
        let digits = rtf[next..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let parameter = (digits > 0).then(|| {
            let value = rtf[next..next + digits].iter().fold(0i64, |n, &d| {
                (n * 10 + i64::from(d - b'0')).min(i64::from(u32::MAX))
            });
            if negative { -value } else { value }
        });
        next += digits;
        // A space ends a control word and is part of it.
        if rtf.get(next) == Some(&b' ') {
            next += 1;
        }
        if name == b"bin" {
            // Binary data, as many bytes as it says, whatever they are.
            let claimed = u64::try_from(parameter.unwrap_or(0)).unwrap_or(0);
            let left = rtf.len() - next;
            if claimed > left as u64 {
                return Err(RtfProblem::BinaryPastEnd { claimed, left });
            }
            return Ok(next + claimed as usize);
        }
        self.control_word(name, parameter);
        Ok(next)
    }

    /// Reads a control symbol, `first` the byte after its `\` at `at`.
    fn control_symbol(&mut self, rtf: &[u8], at: usize, first: u8) -> usize {
        match first {
            b'*' => {
                self.optional = self.group_start;
                at + 1
            }
            b'\'' => {
                let hex = |i: usize| rtf.get(i).and_then(|&b| (b as char).to_digit(16));
                match (hex(at + 1), hex(at + 2)) {
                    (Some(high), Some(low)) => {
                        self.text_byte((high * 16 + low) as u8);
                        at + 3
                    }
                    _ => at + 1,
                }
            }
            b'\\' | b'{' | b'}' => {
                self.text_byte(first);
                at + 1
            }
            // A non-breaking space: a space to the scan.
            b'~' => {
                self.text_byte(b' ');
                at + 1
            }
            // A non-breaking hyphen.
            b'_' => {
                self.text_byte(b'-');
                at + 1
            }
            // `\` and a line end is a paragraph mark.
            b'\r' | b'\n' => {
                self.group_start = false;
                if !self.is_fallback() {
                    self.break_with('\n');
                }
                at + 1
            }
            // An optional hyphen, index marks: nothing in the text.
            _ => {
                self.group_start = false;
                self.is_fallback();
                at + 1
            }
        }
    }

    fn control_word(&mut self, name: &[u8], parameter: Option<i64>) {
        if self.group_start && self.untracked == 0 {
            self.destination(name);
        }
        self.group_start = false;
        if self.is_fallback() {
            return;
        }
        // What changes how the rest is read, in any group.
        match name {
            b"uc" if self.untracked == 0 => {
                self.group.fallback_len = u32::try_from(parameter.unwrap_or(1)).unwrap_or(0);
                return;
            }
            b"htmlrtf" if self.untracked == 0 => {
                self.group.html_rtf = parameter != Some(0);
                return;
            }
            b"ansicpg" => {
                if let Some(encoding) = parameter
                    .and_then(|cp| u32::try_from(cp).ok())
                    .and_then(crate::msg::encoding_for_codepage)
                    // Only code pages that keep ASCII as it is fit in RTF.
                    .filter(|e| e.is_ascii_compatible())
                {
                    self.flush();
                    self.encoding = encoding;
                }
                return;
            }
            b"mac" => {
                self.flush();
                self.encoding = encoding_rs::MACINTOSH;
                return;
            }
            // `\pc` (code page 437) and `\pca` (850) have no decoder here;
            // their letters are read as Windows-1252, which shares ASCII.
            b"ansi" | b"pc" | b"pca" => {
                self.flush();
                self.encoding = encoding_rs::WINDOWS_1252;
                return;
            }
            b"u" => {
                self.unicode(parameter.unwrap_or(0));
                return;
            }
            _ => {}
        }
        if self.group.shown == Shown::HtmlTag {
            // HTML source lines broken in the markup are white space.
            if matches!(name, b"par" | b"line" | b"tab") {
                self.tag.push(b' ');
            }
            return;
        }
        let replacement = match name {
            b"par" | b"line" | b"row" | b"sect" | b"page" => '\n',
            b"cell" | b"nestcell" | b"tab" => '\t',
            b"emdash" => '\u{2014}',
            b"endash" => '\u{2013}',
            b"bullet" => '\u{2022}',
            b"lquote" => '\u{2018}',
            b"rquote" => '\u{2019}',
            b"ldblquote" => '\u{201C}',
            b"rdblquote" => '\u{201D}',
            b"emspace" | b"enspace" | b"qmspace" => ' ',
            _ => return,
        };
        self.break_with(replacement);
    }

    /// The first control word of a group may say what the group is.
    fn destination(&mut self, name: &[u8]) {
        let optional = std::mem::take(&mut self.optional);
        if self.group.shown == Shown::Hidden {
            return;
        }
        if HIDDEN_DESTINATIONS.contains(&name) {
            self.group.shown = Shown::Hidden;
        } else if INFO_FIELDS.contains(&name) {
            self.group.ends_line = true;
        } else if optional && SHOWN_OPTIONAL.contains(&name) {
            // Shown: the group stays as it is.
        } else if optional && name == b"htmltag" {
            self.group.shown = Shown::HtmlTag;
        } else if optional && self.group.shown == Shown::Text {
            // An optional destination this reader does not know: readers
            // that do not know it skip it, so it is not shown.
            self.group.shown = Shown::Hidden;
        }
    }

    /// A character written `\uN` (N a signed 16-bit number), followed by
    /// the group's count of stand-in characters.
    fn unicode(&mut self, parameter: i64) {
        self.fallback_left = self.group.fallback_len;
        let unit = (parameter.rem_euclid(0x1_0000)) as u32;
        if !self.shows_text() {
            return;
        }
        let c = match unit {
            0xD800..=0xDBFF => {
                self.high_surrogate = Some(unit as u16);
                return;
            }
            0xDC00..=0xDFFF => match self.high_surrogate.take() {
                Some(high) => 0x1_0000 + ((u32::from(high) - 0xD800) << 10) + (unit - 0xDC00),
                None => return,
            },
            _ => unit,
        };
        if let Some(c) = char::from_u32(c).filter(|c| !c.is_control() || *c == '\t') {
            self.push_char(c);
        }
    }

    /// A paragraph or cell break, or a character named by a control word.
    fn break_with(&mut self, c: char) {
        if self.shows_text() {
            self.push_char(c);
        }
    }

    fn push_char(&mut self, c: char) {
        self.flush();
        self.text.push(c);
    }

    /// Decodes the bytes waiting in the code page.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let (decoded, _) = self.encoding.decode_without_bom_handling(&self.pending);
        self.text.push_str(&decoded);
        self.pending.clear();
    }

    /// What a browser would show for the HTML tag just read: a line break
    /// for `<br>` and the end of a block, a tab between cells, the
    /// character of an entity, nothing for the rest.
    fn html_tag(&mut self) {
        let tag = std::mem::take(&mut self.tag);
        let markup = tag.trim_ascii();
        if let Some(inside) = markup.strip_prefix(b"<") {
            let closing = inside.starts_with(b"/");
            let name: Vec<u8> = inside[usize::from(closing)..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .map(u8::to_ascii_lowercase)
                .collect();
            let block = matches!(
                name.as_slice(),
                b"p" | b"div"
                    | b"tr"
                    | b"li"
                    | b"h1"
                    | b"h2"
                    | b"h3"
                    | b"h4"
                    | b"h5"
                    | b"h6"
                    | b"table"
                    | b"blockquote"
            );
            if name == b"br" || (closing && block) {
                self.push_char('\n');
            } else if closing && matches!(name.as_slice(), b"td" | b"th") {
                self.push_char('\t');
            }
        } else if let Some(c) = markup.strip_prefix(b"&").and_then(entity) {
            self.push_char(c);
        }
        self.tag = tag;
        self.tag.clear();
    }
}

/// The character of an HTML entity written without its `&`.
fn entity(name: &[u8]) -> Option<char> {
    let name = name.strip_suffix(b";").unwrap_or(name);
    let c = match name {
        b"nbsp" => ' ',
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        _ => {
            let number = name.strip_prefix(b"#")?;
            let number = std::str::from_utf8(number).ok()?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            return char::from_u32(code).filter(|c| !c.is_control());
        }
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-OXRTFCP 4.1, "Example 1: Simple RTF".
    const SIMPLE: &[u8] = b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n";
    const SIMPLE_COMPRESSED: &[u8] = &[
        0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7,
        0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a,
        0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d,
        0x0a, 0x80, 0x0f, 0xa0,
    ];
    /// MS-OXRTFCP 4.2, "Example 2: Reading a Token from the Dictionary
    /// that Crosses WritePosition".
    const CROSSING: &[u8] = b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}";
    const CROSSING_COMPRESSED: &[u8] = &[
        0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4, 0x4b,
        0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0,
    ];

    /// Compresses `raw` as MS-OXRTFCP says, greedily taking the longest
    /// match in the dictionary (slow, for tests).
    fn compress(raw: &[u8]) -> Vec<u8> {
        let mut dictionary = [0u8; DICTIONARY_LEN];
        dictionary[..INITIAL_DICTIONARY.len()].copy_from_slice(INITIAL_DICTIONARY);
        let mut write_at = INITIAL_DICTIONARY.len();
        let mut filled = INITIAL_DICTIONARY.len();
        let mut content = Vec::new();
        let mut at = 0;
        let mut done = false;
        while !done {
            let mut control = 0u8;
            let mut run = Vec::new();
            for bit in 0..8 {
                if at >= raw.len() {
                    run.extend_from_slice(&((write_at as u16) << 4).to_be_bytes());
                    control |= 1 << bit;
                    done = true;
                    break;
                }
                // The longest match, reading as the decompressor will.
                let (mut best_offset, mut best_len) = (0, 0);
                for offset in 0..filled.min(DICTIONARY_LEN) {
                    if offset == write_at {
                        continue;
                    }
                    let mut trial = dictionary;
                    let mut w = write_at;
                    let mut len = 0;
                    while len < 17 && at + len < raw.len() {
                        let byte = trial[(offset + len) % DICTIONARY_LEN];
                        if byte != raw[at + len] {
                            break;
                        }
                        trial[w] = byte;
                        w = (w + 1) % DICTIONARY_LEN;
                        len += 1;
                    }
                    if len > best_len {
                        (best_offset, best_len) = (offset, len);
                    }
                }
                let take = if best_len >= 2 {
                    let reference = ((best_offset as u16) << 4) | (best_len as u16 - 2);
                    run.extend_from_slice(&reference.to_be_bytes());
                    control |= 1 << bit;
                    best_len
                } else {
                    run.push(raw[at]);
                    1
                };
                for &byte in &raw[at..at + take] {
                    dictionary[write_at] = byte;
                    write_at = (write_at + 1) % DICTIONARY_LEN;
                    filled += 1;
                }
                at += take;
            }
            content.push(control);
            content.extend_from_slice(&run);
        }
        with_header(&content, raw.len() as u32, COMPRESSED)
    }

    fn with_header(content: &[u8], raw_size: u32, kind: u32) -> Vec<u8> {
        let crc = if kind == COMPRESSED {
            crc32(content)
        } else {
            0
        };
        let mut out = Vec::new();
        for word in [content.len() as u32 + 12, raw_size, kind, crc] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(content);
        out
    }

    /// Literals only: 8 at a time behind a zero control byte.
    fn compress_literally(raw: &[u8]) -> Vec<u8> {
        let mut content = Vec::new();
        let chunks: Vec<&[u8]> = raw.chunks(8).collect();
        for chunk in &chunks {
            content.push(0);
            content.extend_from_slice(chunk);
        }
        let end = (((INITIAL_DICTIONARY.len() + raw.len()) % DICTIONARY_LEN) as u16) << 4;
        if raw.len().is_multiple_of(8) {
            content.push(1);
        } else {
            let last = content.len() - chunks.last().map_or(0, |c| c.len()) - 1;
            content[last] = 1 << (raw.len() % 8);
        }
        content.extend_from_slice(&end.to_be_bytes());
        with_header(&content, raw.len() as u32, COMPRESSED)
    }

    #[test]
    fn the_initial_dictionary_is_the_specs() {
        assert_eq!(INITIAL_DICTIONARY.len(), 207);
        assert!(INITIAL_DICTIONARY.ends_with(b"\\b\\i\\u\\tab\\tx"));
    }

    #[test]
    fn decompresses_the_specs_examples() {
        assert_eq!(decompress(SIMPLE_COMPRESSED, 1 << 20).unwrap(), SIMPLE);
        assert_eq!(decompress(CROSSING_COMPRESSED, 1 << 20).unwrap(), CROSSING);
    }

    #[test]
    fn compresses_as_the_spec_does() {
        assert_eq!(compress(SIMPLE), SIMPLE_COMPRESSED);
        assert_eq!(compress(CROSSING), CROSSING_COMPRESSED);
    }

    #[test]
    fn round_trips() {
        let letter = b"{\\rtf1\\ansi\\deff0 Beste heer Jansen,\\par bel 06-38215947 of mail \
            piet@kpn.nl.\\par Beste heer Jansen, tot ziens.\\par}"
            .repeat(40);
        for raw in [&letter[..], b"", b"x", b"{\\rtf1}", &[0u8; 5000][..]] {
            assert_eq!(decompress(&compress(raw), 1 << 20).unwrap(), raw);
            assert_eq!(decompress(&compress_literally(raw), 1 << 20).unwrap(), raw);
        }
        let stored = with_header(&letter, letter.len() as u32, UNCOMPRESSED);
        assert_eq!(decompress(&stored, 1 << 20).unwrap(), letter);
    }

    #[test]
    fn damage_is_named() {
        assert_eq!(decompress(b"LZFu", 100), Err(RtfError::TooShort { len: 4 }));
        let mut unknown = SIMPLE_COMPRESSED.to_vec();
        unknown[8..12].copy_from_slice(b"ABCD");
        assert!(matches!(
            decompress(&unknown, 100),
            Err(RtfError::UnknownType(_))
        ));
        let mut flipped = SIMPLE_COMPRESSED.to_vec();
        flipped[30] ^= 1;
        assert!(matches!(
            decompress(&flipped, 100),
            Err(RtfError::CrcMismatch { .. })
        ));
        assert!(matches!(
            decompress(&SIMPLE_COMPRESSED[..30], 100),
            Err(RtfError::Truncated { have: 14, .. })
        ));
        // Whole by its header, but the end marker is missing.
        let cut = with_header(&SIMPLE_COMPRESSED[16..40], 43, COMPRESSED);
        assert_eq!(decompress(&cut, 100), Err(RtfError::Unterminated));
    }

    #[test]
    fn sizes_are_checked_before_anything_is_allocated() {
        let mut huge = SIMPLE_COMPRESSED.to_vec();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decompress(&huge, 1 << 20),
            Err(RtfError::OverLimit {
                claimed: 4_294_967_295,
                ..
            })
        ));
        assert!(decompress(SIMPLE_COMPRESSED, 10).unwrap_err().is_limit());
        // A stream that says 10 bytes but writes more is stopped at 10.
        let raw = b"{\\rtf1 a long text that goes on}".repeat(100);
        let mut liar = compress(&raw);
        liar[4..8].copy_from_slice(&10u32.to_le_bytes());
        assert_eq!(
            decompress(&liar, 1 << 20),
            Err(RtfError::LongerThanClaimed { claimed: 10 })
        );
    }

    #[test]
    fn a_reference_that_repeats_itself_ends_at_the_claimed_size() {
        // One literal, then references to the byte just written, over and
        // over: the longest output 2 bytes of input can ask for.
        let mut content = Vec::new();
        let mut write_at = INITIAL_DICTIONARY.len();
        content.push(0b1111_1110);
        content.push(b'a');
        write_at += 1;
        for _ in 0..7 {
            let reference = (((write_at - 1) as u16) << 4) | 0xF;
            content.extend_from_slice(&reference.to_be_bytes());
            write_at += 17;
        }
        let stream = with_header(&content, 1000, COMPRESSED);
        assert_eq!(decompress(&stream, 1 << 20), Err(RtfError::Unterminated));
        let stream = with_header(&content, 50, COMPRESSED);
        assert_eq!(
            decompress(&stream, 1 << 20),
            Err(RtfError::LongerThanClaimed { claimed: 50 })
        );
    }

    #[test]
    fn damaged_streams_give_errors_not_panics() {
        let raw =
            b"{\\rtf1\\ansi {\\fonttbl{\\f0 Arial;}}\\pard Beste J\\'e9r\\'f4me,\\par}".repeat(20);
        let good = compress(&raw);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..3000 {
            let mut damaged = good.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % damaged.len();
            damaged[at] = (seed >> 32) as u8;
            if round % 3 == 0 {
                damaged.truncate((seed >> 40) as usize % damaged.len());
            }
            // The CRC would catch most changes: recompute it so the
            // decompressor sees the damage.
            if damaged.len() >= 16 && round % 2 == 0 {
                let crc = crc32(&damaged[16..]);
                damaged[12..16].copy_from_slice(&crc.to_le_bytes());
            }
            if let Ok(out) = decompress(&damaged, 4096) {
                assert!(out.len() <= 4096);
                let _ = text_of(&out);
            }
        }
    }

    fn text(rtf: &str) -> String {
        let read = text_of(rtf.as_bytes());
        assert_eq!(read.problem, None, "{rtf}");
        read.text
    }

    #[test]
    fn paragraphs_are_lines_and_cells_are_apart_by_tabs() {
        assert_eq!(
            text(
                "{\\rtf1\\ansi Beste heer,\\par\r\nbel ons\\line morgen\\par\
                  \\trowd a\\cell b\\cell\\row}"
            ),
            "Beste heer,\nbel ons\nmorgen\na\tb\t\n"
        );
    }

    #[test]
    fn escapes_are_read_in_the_documents_code_page() {
        assert_eq!(
            text("{\\rtf1\\ansi\\ansicpg1252 J\\'e9r\\'f4me \\'80 5}"),
            "Jérôme € 5"
        );
        assert_eq!(
            text("{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'e5\\'f2\\'f0}"),
            "Петр"
        );
        assert_eq!(text("{\\rtf1\\mac Andr\\'8e}"), "André");
        // Raw 8-bit text is in the code page too.
        assert_eq!(text_of(b"{\\rtf1 Jos\xe9}").text, "José");
    }

    #[test]
    fn unicode_characters_skip_their_stand_ins() {
        assert_eq!(text("{\\rtf1 prijs \\u8364? 25}"), "prijs € 25");
        assert_eq!(text("{\\rtf1\\uc2 \\u8364\\'80\\'80 25}"), "€ 25");
        assert_eq!(text("{\\rtf1\\uc0 \\u-3913 x}"), "\u{f0b7}x");
        // A group ends the stand-in.
        assert_eq!(text("{\\rtf1\\uc3 \\u233{}abc}"), "éabc");
        assert_eq!(text("{\\rtf1 \\u-10179?\\u-8704?}"), "😀");
    }

    #[test]
    fn formatting_groups_do_not_split_words() {
        assert_eq!(
            text("{\\rtf1 bel 06-{\\b 382}{\\i\\ul 15}947 of {\\f1 piet}@kpn.nl}"),
            "bel 06-38215947 of piet@kpn.nl"
        );
        assert_eq!(text("{\\rtf1 a\\{b\\}c\\\\d\\~e\\_f\\-g}"), "a{b}c\\d e-fg");
    }

    #[test]
    fn tables_pictures_and_unknown_destinations_are_not_text() {
        let rtf = "{\\rtf1\\ansi{\\fonttbl{\\f0\\fswiss Arial;}{\\f1 Times;}}\
            {\\colortbl;\\red255\\green0\\blue0;}{\\stylesheet{\\s0 Normal;}}\
            {\\*\\generator Riched20 10.0.19041}{\\*\\unknownthing secret}\
            {\\*\\themedata 504b0304}{\\*\\datastore 0105}\
            {\\pict\\pngblip 89504e47}{\\object{\\*\\objdata 0105}{\\result zichtbaar}}\
            tekst {\\field{\\*\\fldinst HYPERLINK \"mailto:x@y.nl\"}{\\fldrslt link}}\
            \\bin4 {}\\} na}";
        assert_eq!(text(rtf), "zichtbaartekst link na");
    }

    #[test]
    fn a_text_box_is_read_once() {
        let rtf = "{\\rtf1 brief{\\shp{\\*\\shpinst\\shpleft0{\\sp{\\sn fillColor}{\\sv 16777215}}\
            {\\shptxt \\pard Lindenlaan 14\\par}}{\\shprslt{\\*\\do\\dobxcolumn{\\dptxbxtext Lindenlaan 14}}}}einde}";
        assert_eq!(text(rtf), "briefLindenlaan 14\neinde");
    }

    #[test]
    fn document_information_is_kept_a_line_a_field() {
        let rtf = "{\\rtf1{\\info{\\title Offerte}{\\author Jos\\'e9 Bakker}\
            {\\operator J. Bakker}{\\creatim\\yr2024\\mo5\\dy6}{\\*\\company Autobedrijf Van Dijk}}\
            Beste klant}";
        assert_eq!(
            text(rtf),
            "Offerte\nJosé Bakker\nJ. Bakker\nAutobedrijf Van Dijk\nBeste klant"
        );
    }

    #[test]
    fn html_in_rtf_reads_as_the_htmls_text() {
        let rtf = "{\\rtf1\\ansi\\fbidis\\ansicpg1252\\deff0\\fromhtml1 \
            {\\fonttbl{\\f0\\fswiss Arial;}}\
            {\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}\
            {\\*\\htmltag241 <style>}{\\*\\htmltag241 p \\{ color: red \\}}{\\*\\htmltag249 </style>}\
            {\\*\\htmltag50 <body>}\\htmlrtf \\lang1043 \\htmlrtf0 \
            {\\*\\htmltag64 <p class=MsoNormal>}\\htmlrtf {\\htmlrtf0 Beste Jos\\'e9,\
            {\\*\\htmltag116 <br>}\\htmlrtf \\line \\htmlrtf0 bel 06-3821\
            {\\*\\htmltag84 &nbsp;}\\htmlrtf \\'a0\\htmlrtf0 5947\
            {\\*\\htmltag148 </p>}\\htmlrtf \\par }\\htmlrtf0 \
            {\\*\\htmltag64 <table><tr><td>}a{\\*\\htmltag92 </td>}{\\*\\htmltag92 <td>}b\
            {\\*\\htmltag92 </td>}{\\*\\htmltag92 </tr>}\
            {\\*\\htmltag58 </body>}}";
        assert_eq!(text(rtf), "Beste José,\nbel 06-3821 5947\na\tb\t\n");
    }

    #[test]
    fn what_is_not_rtf_says_so() {
        assert_eq!(text_of(b"PK\x03\x04").problem, Some(RtfProblem::NotRtf));
        assert_eq!(text("\u{feff} \r\n{\\rtf1 ja}"), "ja");
    }

    #[test]
    fn binary_data_past_the_end_is_named() {
        let read = text_of(b"{\\rtf1 voor {\\bin999999999 xyz} na}");
        assert_eq!(read.text, "voor ");
        assert_eq!(
            read.problem,
            Some(RtfProblem::BinaryPastEnd {
                claimed: 999_999_999,
                left: 8
            })
        );
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let depth = 200_000;
        let mut rtf = b"{\\rtf1 ".to_vec();
        rtf.extend(std::iter::repeat_n(b'{', depth));
        rtf.extend_from_slice(b"{\\fonttbl verborgen}piet@kpn.nl");
        rtf.extend(std::iter::repeat_n(b'}', depth));
        rtf.extend_from_slice(b" einde}");
        let read = text_of(&rtf);
        assert_eq!(read.problem, Some(RtfProblem::TooDeep));
        // Past the depth limit a group's kind is not tracked: its text is
        // read (the limit never hides text).
        assert!(read.text.contains("piet@kpn.nl"), "{}", read.text);
        assert!(read.text.ends_with(" einde"), "{}", read.text);
    }

    #[test]
    fn random_bytes_give_text_not_panics() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let alphabet = b"{}\\'*abcu0123456789- \r\nbinpar";
        for _ in 0..2000 {
            let mut rtf = b"{\\rtf1".to_vec();
            for _ in 0..(seed % 300) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                rtf.push(if seed & 1 == 0 {
                    alphabet[(seed >> 8) as usize % alphabet.len()]
                } else {
                    (seed >> 16) as u8
                });
            }
            let _ = text_of(&rtf);
        }
    }
}
