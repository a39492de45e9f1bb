//! Outlook messages (`.msg`): the headers, bodies and attachments of a
//! message saved from Outlook, which is an OLE compound file (a small file
//! system of storages and streams, read with the `cfb` crate) laid out as
//! MS-OXMSG says:
//!
//! - each property of a message is a stream `__substg1.0_PPPPTTTT` (`PPPP`
//!   the property, `TTTT` its type: `001F` UTF-16LE text, `001E` text in
//!   the message's code page, `0102` bytes); numbers and times are kept
//!   together in `__properties_version1.0`;
//! - each recipient is a storage `__recip_version1.0_#XXXXXXXX`, each
//!   attachment a storage `__attach_version1.0_#XXXXXXXX` whose data is a
//!   stream, or, for an attached message, a storage laid out as a message.
//!
//! Only what a person wrote or received is read: the internet headers (or,
//! for a message never sent through the internet, header lines made from
//! the sender, recipients, subject and date), the plain and the HTML body,
//! and the attachments. A body kept only as compressed RTF is read as its
//! compressed bytes; [`crate::rtf`] makes text of them.
//!
//! A damaged file is never trusted: every size a stream claims is checked
//! against the file and against what the caller allows before it is read,
//! names that could not be looked up are passed over, and attached messages
//! nest at most [`MAX_NESTING`] deep.

use cfb::CompoundFile;
use encoding_rs::Encoding;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How deep attached messages are followed (the caller's archive depth
/// usually stops far earlier).
pub const MAX_NESTING: usize = 16;

const PROPERTIES: &str = "__properties_version1.0";
const PROPERTY_STREAM: &str = "__substg1.0_";
const RECIPIENT: &str = "__recip_version1.0_#";
const ATTACHMENT: &str = "__attach_version1.0_#";

// Property identifiers (MS-OXPROPS).
const SUBJECT: u16 = 0x0037;
const CLIENT_SUBMIT_TIME: u16 = 0x0039;
const SENT_REPRESENTING_NAME: u16 = 0x0042;
const SENT_REPRESENTING_EMAIL_ADDRESS: u16 = 0x0065;
const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
const RECIPIENT_TYPE: u16 = 0x0C15;
const SENDER_NAME: u16 = 0x0C1A;
const SENDER_EMAIL_ADDRESS: u16 = 0x0C1F;
const DISPLAY_BCC: u16 = 0x0E02;
const DISPLAY_CC: u16 = 0x0E03;
const DISPLAY_TO: u16 = 0x0E04;
const MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
const BODY: u16 = 0x1000;
const RTF_COMPRESSED: u16 = 0x1009;
const HTML: u16 = 0x1013;
const DISPLAY_NAME: u16 = 0x3001;
const EMAIL_ADDRESS: u16 = 0x3003;
const ATTACH_DATA: u16 = 0x3701;
const ATTACH_FILENAME: u16 = 0x3704;
const ATTACH_METHOD: u16 = 0x3705;
const ATTACH_LONG_FILENAME: u16 = 0x3707;
const SMTP_ADDRESS: u16 = 0x39FE;
const INTERNET_CPID: u16 = 0x3FDE;
const MESSAGE_CODEPAGE: u16 = 0x3FFD;
const SENDER_SMTP_ADDRESS: u16 = 0x5D01;
const SENT_REPRESENTING_SMTP_ADDRESS: u16 = 0x5D02;

// Property types.
const PT_LONG: u16 = 0x0003;
const PT_OBJECT: u16 = 0x000D;
const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_SYSTIME: u16 = 0x0040;
const PT_BINARY: u16 = 0x0102;

/// `PidTagAttachMethod` of an OLE object pasted into the message: its
/// storage is no message.
const ATTACH_OLE: u32 = 6;
/// `PidTagRecipientType` values.
const RECIPIENT_CC: u32 = 2;
const RECIPIENT_BCC: u32 = 3;

/// Why a message, or a part of one, could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MsgError {
    #[error("not a readable Outlook message (compound file): {0}")]
    NotCompoundFile(#[source] io::Error),
    #[error(
        "a compound file without message properties (a Word .doc or PowerPoint .ppt named .msg?)"
    )]
    NotAMessage,
    #[error("{name} claims {claimed} bytes, more than the whole file ({file_len} bytes)")]
    LargerThanFile {
        name: String,
        claimed: u64,
        file_len: u64,
    },
    #[error("{name} is {size} bytes, more than the {allowed} bytes left to read")]
    OverAllowance {
        name: String,
        size: u64,
        allowed: u64,
    },
    #[error("cannot read {name}: {source}")]
    Unreadable {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error("attached messages nested more than {MAX_NESTING} deep")]
    TooDeep,
}

/// Where a message's properties are: the root storage, or the storage of
/// a message attached to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAt {
    storage: PathBuf,
    /// 0 for the file's own message, 1 for one attached to it, ...
    depth: usize,
}

impl MessageAt {
    /// The file's own message.
    pub fn root() -> Self {
        MessageAt {
            storage: PathBuf::from("/"),
            depth: 0,
        }
    }

    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// What an attachment holds.
#[derive(Debug)]
pub enum AttachmentContent {
    /// Bytes (a file), in a stream of `size` bytes: see
    /// [`OutlookFile::attachment_data`].
    Data { stream: PathBuf, size: u64 },
    /// An attached message: see [`OutlookFile::message`].
    Message(MessageAt),
    /// An OLE object pasted into the message (a drawing, a document).
    OleObject,
    /// Its data could not be looked at.
    Damaged(MsgError),
}

#[derive(Debug)]
pub struct Attachment {
    /// The file name it was attached under (else, for a file, its display
    /// name; an attached message's is its subject, not used), when it has
    /// one.
    pub name: Option<String>,
    pub content: AttachmentContent,
}

/// The readable parts of one message.
#[derive(Debug, Default)]
pub struct Message {
    /// The internet headers the message arrived with, or, for one that has
    /// none (written, not received), `From:`, `To:`, `Cc:`, `Bcc:`,
    /// `Subject:` and `Date:` lines made from its properties.
    pub headers: String,
    /// The plain-text body.
    pub body: Option<String>,
    /// The HTML body, as HTML.
    pub html: Option<String>,
    /// The body as compressed RTF (MS-OXRTFCP, see [`crate::rtf`]), when
    /// the message has no plain or HTML body (it is then the only one;
    /// otherwise it says again what they say).
    pub rtf: Option<Vec<u8>>,
    pub subject: Option<String>,
    /// When it was sent (else delivered), when the message says.
    pub sent: Option<std::time::SystemTime>,
    /// The attachments with content, in their order.
    pub attachments: Vec<Attachment>,
    /// Parts passed over because they could not be read, in the order
    /// they were met.
    pub problems: Vec<MsgError>,
}

/// An open `.msg` file.
pub struct OutlookFile<F> {
    compound: CompoundFile<F>,
    /// No stream can be larger than the file it is in.
    file_len: u64,
}

impl<F: Read + Seek> OutlookFile<F> {
    /// Opens the compound file; its directory and sector tables are read
    /// and checked, no stream yet.
    pub fn open(mut inner: F) -> Result<Self, MsgError> {
        let file_len = inner
            .seek(SeekFrom::End(0))
            .map_err(MsgError::NotCompoundFile)?;
        let compound = CompoundFile::open(inner).map_err(MsgError::NotCompoundFile)?;
        Ok(OutlookFile { compound, file_len })
    }

    /// Reads the message at `at`: its headers and bodies, and the list of
    /// its attachments. Every stream read is taken from `allowance`; one
    /// larger than what is left is not read (a problem of the message).
    pub fn message(&mut self, at: &MessageAt, allowance: &mut u64) -> Result<Message, MsgError> {
        let children = self.children(&at.storage);
        let is_message = children.iter().any(|(name, _)| {
            name.eq_ignore_ascii_case(PROPERTIES) || starts_with_ignore_case(name, PROPERTY_STREAM)
        });
        if !is_message {
            return Err(MsgError::NotAMessage);
        }
        let mut reader = PartReader {
            file: self,
            allowance,
            problems: Vec::new(),
        };
        // The file's own message has a longer header before its
        // properties than an attached one (MS-OXMSG 2.4.1).
        let header_len = if at.depth == 0 { 32 } else { 24 };
        let fixed = reader.fixed_properties(&at.storage, header_len);
        let codepages = Codepages::of(&fixed);
        let storage = &at.storage;

        let subject = reader.text(storage, SUBJECT, codepages.text);
        let body = reader.text(storage, BODY, codepages.text);
        let html = reader.html(storage, &codepages);
        let rtf = if body.is_none() && html.is_none() {
            reader.stream(&property_path(storage, RTF_COMPRESSED, PT_BINARY))
        } else {
            None
        };
        let headers = match reader.text(storage, TRANSPORT_MESSAGE_HEADERS, codepages.text) {
            Some(headers) if !headers.trim().is_empty() => headers,
            _ => {
                reader.composed_headers(storage, &children, &fixed, &codepages, subject.as_deref())
            }
        };
        let attachments = children
            .iter()
            .filter(|(name, is_stream)| !is_stream && starts_with_ignore_case(name, ATTACHMENT))
            .filter_map(|(name, _)| reader.attachment(&storage.join(name), at.depth, &codepages))
            .collect();
        let sent = fixed
            .time(CLIENT_SUBMIT_TIME)
            .or_else(|| fixed.time(MESSAGE_DELIVERY_TIME))
            .and_then(time_of);
        Ok(Message {
            headers,
            body,
            html,
            rtf,
            subject,
            sent,
            attachments,
            problems: reader.problems,
        })
    }

    /// The data of an attachment, to read as a stream (it is not held in
    /// memory here).
    pub fn attachment_data(&mut self, stream: &Path) -> Result<cfb::Stream<F>, MsgError> {
        self.compound
            .open_stream(stream)
            .map_err(|source| MsgError::Unreadable {
                name: shown(stream),
                source,
            })
    }

    /// The names of what is in `storage`, sorted (recipients and
    /// attachments are numbered in their names), each with whether it is
    /// a stream. Names that cannot be looked up again (with a character
    /// compound files do not allow, such as `/`) are left out.
    fn children(&self, storage: &Path) -> Vec<(String, bool)> {
        let Ok(entries) = self.compound.read_storage(storage) else {
            return Vec::new();
        };
        let mut children: Vec<(String, bool)> = entries
            .filter(|e| !e.name().contains(['/', '\\', ':', '!']))
            .map(|e| (e.name().to_string(), e.is_stream()))
            .collect();
        children.sort();
        children
    }
}

/// Reads the parts of one message, counting what it reads and keeping the
/// problems it meets.
struct PartReader<'f, 'a, F> {
    file: &'f mut OutlookFile<F>,
    allowance: &'a mut u64,
    problems: Vec<MsgError>,
}

impl<F: Read + Seek> PartReader<'_, '_, F> {
    fn has_stream(&self, path: &Path) -> bool {
        self.file.compound.is_stream(path)
    }

    fn is_storage(&self, path: &Path) -> bool {
        self.file.compound.is_storage(path)
    }

    /// The whole stream at `path`; `None` when there is none, or it could
    /// not be read (then a problem is noted).
    fn stream(&mut self, path: &Path) -> Option<Vec<u8>> {
        if !self.has_stream(path) {
            return None;
        }
        match self.read_stream(path) {
            Ok(data) => Some(data),
            Err(e) => {
                self.problems.push(e);
                None
            }
        }
    }

    fn read_stream(&mut self, path: &Path) -> Result<Vec<u8>, MsgError> {
        let size = self
            .file
            .compound
            .entry(path)
            .map_err(|source| MsgError::Unreadable {
                name: shown(path),
                source,
            })?
            .len();
        if size > self.file.file_len {
            return Err(MsgError::LargerThanFile {
                name: shown(path),
                claimed: size,
                file_len: self.file.file_len,
            });
        }
        if size > *self.allowance {
            return Err(MsgError::OverAllowance {
                name: shown(path),
                size,
                allowed: *self.allowance,
            });
        }
        let unreadable = |source| MsgError::Unreadable {
            name: shown(path),
            source,
        };
        let stream = self.file.compound.open_stream(path).map_err(unreadable)?;
        // `size` is at most the file's length and the allowance: safe to
        // reserve.
        let mut data = Vec::with_capacity(size as usize);
        stream
            .take(size)
            .read_to_end(&mut data)
            .map_err(unreadable)?;
        *self.allowance -= data.len() as u64;
        Ok(data)
    }

    /// The numbers and times kept in the storage's property stream, after
    /// its header of `header_len` bytes.
    fn fixed_properties(&mut self, storage: &Path, header_len: usize) -> FixedProperties {
        let data = self.stream(&storage.join(PROPERTIES)).unwrap_or_default();
        let entries = data
            .get(header_len..)
            .unwrap_or_default()
            .chunks_exact(16)
            .map(|entry| {
                let tag = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
                let mut value = [0u8; 8];
                value.copy_from_slice(&entry[8..16]);
                (tag, u64::from_le_bytes(value))
            })
            .collect();
        FixedProperties(entries)
    }

    /// A text property, UTF-16 or 8-bit, without the NULs that may end it.
    fn text(&mut self, storage: &Path, id: u16, codepage: &'static Encoding) -> Option<String> {
        if let Some(data) = self.stream(&property_path(storage, id, PT_UNICODE)) {
            return Some(utf16le(&data));
        }
        let data = self.stream(&property_path(storage, id, PT_STRING8))?;
        Some(decoded(&data, codepage))
    }

    /// The HTML body: usually bytes in the internet code page, sometimes
    /// text.
    fn html(&mut self, storage: &Path, codepages: &Codepages) -> Option<String> {
        if let Some(data) = self.stream(&property_path(storage, HTML, PT_BINARY)) {
            let encoding = codepages.html.unwrap_or_else(|| {
                if std::str::from_utf8(&data).is_ok() {
                    encoding_rs::UTF_8
                } else {
                    codepages.text
                }
            });
            // A byte order mark, when there is one, says more.
            let (text, _, _) = encoding.decode(&data);
            return Some(text.trim_end_matches('\0').to_string());
        }
        self.text(storage, HTML, codepages.text)
    }

    /// Header lines for a message without internet headers.
    fn composed_headers(
        &mut self,
        storage: &Path,
        children: &[(String, bool)],
        fixed: &FixedProperties,
        codepages: &Codepages,
        subject: Option<&str>,
    ) -> String {
        let cp = codepages.text;
        let sender_name = self
            .text(storage, SENDER_NAME, cp)
            .or_else(|| self.text(storage, SENT_REPRESENTING_NAME, cp));
        let sender_address = [
            SENDER_SMTP_ADDRESS,
            SENDER_EMAIL_ADDRESS,
            SENT_REPRESENTING_SMTP_ADDRESS,
            SENT_REPRESENTING_EMAIL_ADDRESS,
        ]
        .into_iter()
        .find_map(|id| self.text(storage, id, cp).filter(|a| !a.trim().is_empty()));

        let mut to = Vec::new();
        let mut cc = Vec::new();
        let mut bcc = Vec::new();
        for (name, is_stream) in children {
            if *is_stream || !starts_with_ignore_case(name, RECIPIENT) {
                continue;
            }
            let recipient = storage.join(name);
            let kind = self
                .fixed_properties(&recipient, 8)
                .long(RECIPIENT_TYPE)
                .unwrap_or(1);
            let display = self.text(&recipient, DISPLAY_NAME, cp);
            let address = self
                .text(&recipient, SMTP_ADDRESS, cp)
                .filter(|a| !a.trim().is_empty())
                .or_else(|| self.text(&recipient, EMAIL_ADDRESS, cp));
            if let Some(person) = person(display.as_deref(), address.as_deref()) {
                match kind & 0xFF {
                    RECIPIENT_CC => cc.push(person),
                    RECIPIENT_BCC => bcc.push(person),
                    _ => to.push(person),
                }
            }
        }
        // Without recipient storages, the names Outlook shows are all there is.
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            for (id, list) in [
                (DISPLAY_TO, &mut to),
                (DISPLAY_CC, &mut cc),
                (DISPLAY_BCC, &mut bcc),
            ] {
                list.extend(self.text(storage, id, cp).filter(|s| !s.trim().is_empty()));
            }
        }

        let mut lines = Vec::new();
        if let Some(from) = person(sender_name.as_deref(), sender_address.as_deref()) {
            lines.push(format!("From: {from}"));
        }
        for (field, list) in [("To", to), ("Cc", cc), ("Bcc", bcc)] {
            if !list.is_empty() {
                lines.push(format!("{field}: {}", list.join(", ")));
            }
        }
        if let Some(subject) = subject {
            lines.push(format!("Subject: {subject}"));
        }
        let sent = fixed
            .time(CLIENT_SUBMIT_TIME)
            .or_else(|| fixed.time(MESSAGE_DELIVERY_TIME))
            .and_then(date_of);
        if let Some(date) = sent {
            lines.push(format!("Date: {date}"));
        }
        let mut headers = String::new();
        for line in lines {
            // A value with a line end in it must not move the lines after it.
            headers.push_str(&one_line(&line));
            headers.push('\n');
        }
        headers
    }

    /// One attachment storage; `None` for one without content (attached by
    /// reference to a file elsewhere).
    fn attachment(
        &mut self,
        storage: &Path,
        depth: usize,
        codepages: &Codepages,
    ) -> Option<Attachment> {
        let method = self.fixed_properties(storage, 8).long(ATTACH_METHOD);
        let mut name = self.name(storage, &[ATTACH_LONG_FILENAME, ATTACH_FILENAME], codepages);
        let data = property_path(storage, ATTACH_DATA, PT_BINARY);
        let object = property_path(storage, ATTACH_DATA, PT_OBJECT);
        let content = if self.has_stream(&data) {
            match self.file.compound.entry(&data) {
                Ok(entry) if entry.len() > self.file.file_len => {
                    AttachmentContent::Damaged(MsgError::LargerThanFile {
                        name: shown(&data),
                        claimed: entry.len(),
                        file_len: self.file.file_len,
                    })
                }
                Ok(entry) => AttachmentContent::Data {
                    stream: data,
                    size: entry.len(),
                },
                Err(source) => AttachmentContent::Damaged(MsgError::Unreadable {
                    name: shown(&data),
                    source,
                }),
            }
        } else if self.is_storage(&object) {
            let is_message =
                method != Some(ATTACH_OLE)
                    && self.file.children(&object).iter().any(|(name, is_stream)| {
                        *is_stream && name.eq_ignore_ascii_case(PROPERTIES)
                    });
            if !is_message {
                AttachmentContent::OleObject
            } else if depth + 1 > MAX_NESTING {
                AttachmentContent::Damaged(MsgError::TooDeep)
            } else {
                // An attached message's display name is its subject:
                // content, which may hold the very data a report masks, so
                // only a file name names it.
                AttachmentContent::Message(MessageAt {
                    storage: object,
                    depth: depth + 1,
                })
            }
        } else {
            return None;
        };
        if name.is_none() && !matches!(content, AttachmentContent::Message(_)) {
            name = self.name(storage, &[DISPLAY_NAME], codepages);
        }
        Some(Attachment { name, content })
    }

    /// The first of the text properties `ids` that is not blank, on one line.
    fn name(&mut self, storage: &Path, ids: &[u16], codepages: &Codepages) -> Option<String> {
        ids.iter().find_map(|&id| {
            self.text(storage, id, codepages.text)
                .map(|n| one_line(&n))
                .filter(|n| !n.is_empty())
        })
    }
}

/// The numbers and times of a property stream: (tag, value) pairs.
struct FixedProperties(Vec<(u32, u64)>);

impl FixedProperties {
    fn value(&self, id: u16, kind: u16) -> Option<u64> {
        let tag = (u32::from(id) << 16) | u32::from(kind);
        self.0.iter().find(|(t, _)| *t == tag).map(|&(_, v)| v)
    }

    fn long(&self, id: u16) -> Option<u32> {
        // A 32-bit value is the low half of the 8 bytes.
        self.value(id, PT_LONG).map(|v| v as u32)
    }

    fn time(&self, id: u16) -> Option<u64> {
        self.value(id, PT_SYSTIME)
    }
}

/// The encodings of a message's 8-bit text and of its HTML body.
struct Codepages {
    /// For 8-bit text properties: the message's code page, else the
    /// internet one, else Windows-1252 (what Outlook in western Europe
    /// writes).
    text: &'static Encoding,
    /// For the HTML body kept as bytes: the internet code page, if known.
    html: Option<&'static Encoding>,
}

impl Codepages {
    fn of(fixed: &FixedProperties) -> Self {
        let message = fixed.long(MESSAGE_CODEPAGE).and_then(encoding_for_codepage);
        let internet = fixed.long(INTERNET_CPID).and_then(encoding_for_codepage);
        Codepages {
            text: message.or(internet).unwrap_or(encoding_rs::WINDOWS_1252),
            html: internet.or(message),
        }
    }
}

/// The encoding of a Windows code page number, for those mail is written in.
pub(crate) fn encoding_for_codepage(codepage: u32) -> Option<&'static Encoding> {
    use encoding_rs::*;
    let encoding = match codepage {
        65001 => UTF_8,
        1200 => UTF_16LE,
        1201 => UTF_16BE,
        // Latin-1 and ASCII are read as their superset, as browsers do.
        1252 | 28591 | 20127 => WINDOWS_1252,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1253 => WINDOWS_1253,
        1254 | 28599 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        874 => WINDOWS_874,
        866 => IBM866,
        28592 => ISO_8859_2,
        28593 => ISO_8859_3,
        28594 => ISO_8859_4,
        28595 => ISO_8859_5,
        28596 => ISO_8859_6,
        28597 => ISO_8859_7,
        28598 => ISO_8859_8,
        38598 => ISO_8859_8_I,
        28603 => ISO_8859_13,
        28605 => ISO_8859_15,
        20866 => KOI8_R,
        21866 => KOI8_U,
        10000 => MACINTOSH,
        932 => SHIFT_JIS,
        936 => GBK,
        54936 => GB18030,
        949 | 51949 => EUC_KR,
        950 => BIG5,
        51932 => EUC_JP,
        50220..=50222 => ISO_2022_JP,
        _ => return None,
    };
    Some(encoding)
}

fn property_path(storage: &Path, id: u16, kind: u16) -> PathBuf {
    storage.join(format!("{PROPERTY_STREAM}{id:04X}{kind:04X}"))
}

fn starts_with_ignore_case(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// A stream's path as shown in a problem's detail.
fn shown(path: &Path) -> String {
    format!(
        "stream {}",
        crate::container::printable(&path.to_string_lossy())
    )
}

fn utf16le(data: &[u8]) -> String {
    let units = data
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    text.trim_end_matches('\0').to_string()
}

fn decoded(data: &[u8], encoding: &'static Encoding) -> String {
    let (text, _) = encoding.decode_without_bom_handling(data);
    text.trim_end_matches('\0').to_string()
}

/// `Name <address>`, or whichever of the two there is.
fn person(name: Option<&str>, address: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let address = address.map(str::trim).filter(|a| !a.is_empty());
    match (name, address) {
        (Some(n), Some(a)) if n.eq_ignore_ascii_case(a) => Some(a.to_string()),
        (Some(n), Some(a)) => Some(format!("{n} <{a}>")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    }
}

/// `text` on one line: control characters (line ends among them) become
/// spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A Windows time (100 ns ticks since 1601), for the years RFC 3339 can
/// write.
fn time_of(ticks: u64) -> Option<std::time::SystemTime> {
    const TICKS_PER_SECOND: u64 = 10_000_000;
    const UNIX_EPOCH_SECONDS: u64 = 11_644_473_600;
    // The end of year 9999: later times have no RFC 3339 form.
    const LAST_SECOND: u64 = 253_402_300_799;
    let secs = (ticks / TICKS_PER_SECOND).checked_sub(UNIX_EPOCH_SECONDS)?;
    if secs == 0 || secs > LAST_SECOND {
        return None;
    }
    Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// A Windows time as RFC 3339 UTC.
fn date_of(ticks: u64) -> Option<String> {
    time_of(ticks).map(|time| humantime::format_rfc3339_seconds(time).to_string())
}

#[cfg(test)]
#[path = "../tests/common/outlook.rs"]
#[allow(dead_code)]
mod outlook;

#[cfg(test)]
mod tests {
    use super::outlook::{MAY_6_2024, Msg, compressed_rtf, workshop_appointment};
    use super::*;
    use std::io::Cursor;

    const PLENTY: u64 = 1 << 30;

    fn open(bytes: Vec<u8>) -> OutlookFile<Cursor<Vec<u8>>> {
        OutlookFile::open(Cursor::new(bytes)).unwrap()
    }

    fn read(msg: &Msg) -> Message {
        let mut allowance = PLENTY;
        open(msg.build())
            .message(&MessageAt::root(), &mut allowance)
            .unwrap()
    }

    #[test]
    fn headers_are_made_from_the_properties() {
        let message = read(&workshop_appointment());
        assert_eq!(
            message.headers,
            "From: Kees van Leeuwen <kees.vanleeuwen@xs4all.nl>\n\
             To: Werkplaats Autobedrijf Jansen <werkplaats@autojansen.nl>\n\
             Cc: Marieke van Leeuwen-Bos <marieke.bos@gmail.com>\n\
             Subject: Afspraak APK en grote beurt\n\
             Date: 2024-05-06T08:41:00Z\n"
        );
        assert!(message.body.unwrap().contains("GZ-915-X"));
        assert!(message.html.unwrap().contains("<b>GZ-915-X</b>"));
        assert!(message.rtf.is_none());
        assert!(message.problems.is_empty(), "{:?}", message.problems);
        let [attachment] = &message.attachments[..] else {
            panic!("{:?}", message.attachments)
        };
        assert_eq!(attachment.name.as_deref(), Some("bestuurders_leenauto.csv"));
        assert!(matches!(attachment.content, AttachmentContent::Data { .. }));
    }

    #[test]
    fn internet_headers_are_taken_as_they_are() {
        let headers = "Received: from mx\r\nFrom: Piet <piet@kpn.nl>\r\nTo: info@autojansen.nl\r\n";
        let message = read(
            &Msg::new()
                .text(TRANSPORT_MESSAGE_HEADERS, headers)
                .text(SENDER_NAME, "Niet gebruikt"),
        );
        assert_eq!(message.headers, headers);
    }

    #[test]
    fn without_recipient_storages_the_display_names_are_used() {
        let message = read(
            &Msg::new()
                .text(DISPLAY_TO, "Jan de Vries; info@autojansen.nl")
                .text(DISPLAY_CC, "verkoop@autojansen.nl")
                .text(SUBJECT, "regel\r\nBcc: vals"),
        );
        assert_eq!(
            message.headers,
            "To: Jan de Vries; info@autojansen.nl\nCc: verkoop@autojansen.nl\n\
             Subject: regel  Bcc: vals\n"
        );
    }

    #[test]
    fn eight_bit_text_is_read_in_the_message_code_page() {
        let message = read(
            &Msg::new()
                .text8(SUBJECT, b"Caf\xe9 De Kroon\0")
                .text8(BODY, b"\xcf\xf0\xe8\xe2\xe5\xf2")
                .long(MESSAGE_CODEPAGE, 1251),
        );
        assert_eq!(message.body.as_deref(), Some("Привет"));
        assert_eq!(message.subject.as_deref(), Some("Cafй De Kroon"));
        // Without a code page, Windows-1252.
        let message = read(&Msg::new().text8(SUBJECT, b"Caf\xe9"));
        assert_eq!(message.subject.as_deref(), Some("Café"));
    }

    #[test]
    fn html_bytes_are_read_in_the_internet_code_page() {
        let message = read(
            &Msg::new()
                .binary(HTML, b"<p>Caf\xe9</p>")
                .long(INTERNET_CPID, 28591),
        );
        assert_eq!(message.html.as_deref(), Some("<p>Café</p>"));
        // Without one: UTF-8 when it is valid UTF-8.
        let message = read(&Msg::new().binary(HTML, "<p>Café</p>".as_bytes()));
        assert_eq!(message.html.as_deref(), Some("<p>Café</p>"));
    }

    #[test]
    fn a_body_only_in_rtf_is_read_as_its_compressed_bytes() {
        let compressed = compressed_rtf(b"{\\rtf1 bel 06-38215947}");
        let message = read(&Msg::new().rtf(b"{\\rtf1 bel 06-38215947}"));
        assert_eq!(message.rtf.as_deref(), Some(&compressed[..]));
        assert_eq!(
            crate::rtf::decompress(&compressed, 1000).unwrap(),
            b"{\\rtf1 bel 06-38215947}"
        );
        // With a plain body, the RTF says again what it says: not read.
        let message = read(&Msg::new().rtf(b"{\\rtf1 x}").text(BODY, "tekst"));
        assert!(message.rtf.is_none());
    }

    #[test]
    fn attached_messages_are_read_in_turn() {
        let inner = Msg::new()
            .text(SUBJECT, "Doorgestuurd")
            .text(BODY, "kenteken 52-RTH-8")
            .attach("x.txt", b"piet@kpn.nl");
        let outer = Msg::new()
            .text(BODY, "zie bijlage")
            .attach_message(None, inner)
            .attach_ole("tekening");
        let mut file = open(outer.build());
        let mut allowance = PLENTY;
        let message = file.message(&MessageAt::root(), &mut allowance).unwrap();
        let [attached, ole] = &message.attachments[..] else {
            panic!("{:?}", message.attachments)
        };
        assert!(matches!(ole.content, AttachmentContent::OleObject));
        let AttachmentContent::Message(at) = &attached.content else {
            panic!("{attached:?}")
        };
        // Its subject is content, never its name.
        assert_eq!(attached.name, None);
        assert_eq!(at.depth(), 1);
        let nested = file.message(at, &mut allowance).unwrap();
        assert_eq!(nested.body.as_deref(), Some("kenteken 52-RTH-8"));
        assert_eq!(nested.subject.as_deref(), Some("Doorgestuurd"));
        let AttachmentContent::Data { stream, .. } = &nested.attachments[0].content else {
            panic!("{:?}", nested.attachments)
        };
        let mut data = String::new();
        file.attachment_data(stream)
            .unwrap()
            .read_to_string(&mut data)
            .unwrap();
        assert_eq!(data, "piet@kpn.nl");
    }

    #[test]
    fn nesting_stops_at_its_limit() {
        let mut msg = Msg::new().text(BODY, "binnenste");
        for _ in 0..MAX_NESTING + 2 {
            msg = Msg::new().text(BODY, "laag").attach_message(None, msg);
        }
        let mut file = open(msg.build());
        let mut at = MessageAt::root();
        let mut allowance = PLENTY;
        for level in 0.. {
            let message = file.message(&at, &mut allowance).unwrap();
            match &message.attachments[0].content {
                AttachmentContent::Message(next) => at = next.clone(),
                AttachmentContent::Damaged(MsgError::TooDeep) => {
                    assert_eq!(level, MAX_NESTING);
                    return;
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn streams_over_the_allowance_are_not_read() {
        let body = "x".repeat(5000);
        let bytes = Msg::new().text(SUBJECT, "klein").text(BODY, &body).build();
        let mut allowance = 3000;
        let message = open(bytes)
            .message(&MessageAt::root(), &mut allowance)
            .unwrap();
        assert_eq!(message.subject.as_deref(), Some("klein"));
        assert!(message.body.is_none());
        assert!(
            matches!(
                message.problems[..],
                [MsgError::OverAllowance { size: 10000, .. }]
            ),
            "{:?}",
            message.problems
        );
        assert!(allowance < 3000);
    }

    #[test]
    fn other_compound_files_are_not_messages() {
        let mut file =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .unwrap();
        std::io::Write::write_all(
            &mut file.create_stream("/WordDocument").unwrap(),
            b"piet@kpn.nl",
        )
        .unwrap();
        file.flush().unwrap();
        let bytes = file.into_inner().into_inner();
        let mut allowance = PLENTY;
        let err = open(bytes)
            .message(&MessageAt::root(), &mut allowance)
            .unwrap_err();
        assert!(matches!(err, MsgError::NotAMessage), "{err}");
    }

    #[test]
    fn damaged_files_give_errors_not_panics() {
        let good = workshop_appointment().build();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for round in 0..2000 {
            let mut bytes = good.clone();
            match round % 3 {
                0 => bytes.truncate(next() as usize % bytes.len()),
                _ => {
                    for _ in 0..1 + next() % 8 {
                        let i = next() as usize % bytes.len();
                        bytes[i] = next() as u8;
                    }
                }
            }
            let Ok(mut file) = OutlookFile::open(Cursor::new(bytes)) else {
                continue;
            };
            let mut queue = vec![MessageAt::root()];
            while let Some(at) = queue.pop() {
                let mut allowance = 1 << 20;
                let Ok(message) = file.message(&at, &mut allowance) else {
                    continue;
                };
                for attachment in message.attachments {
                    match attachment.content {
                        AttachmentContent::Message(next) => queue.push(next),
                        AttachmentContent::Data { stream, .. } => {
                            if let Ok(s) = file.attachment_data(&stream) {
                                let _ = s.take(1 << 20).read_to_end(&mut Vec::new());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    #[test]
    fn code_pages_and_dates() {
        assert_eq!(encoding_for_codepage(1252), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for_codepage(65001), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for_codepage(4), None);
        assert_eq!(date_of(MAY_6_2024).as_deref(), Some("2024-05-06T08:41:00Z"));
        assert_eq!(date_of(0), None);
        assert_eq!(date_of(u64::MAX), None);
    }
}
