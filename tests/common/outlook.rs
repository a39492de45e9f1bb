//! Outlook messages (`.msg`) built in tests with the cfb crate's writer, so
//! that each test shows the properties its message has instead of holding
//! an opaque binary. The layout is Outlook's: property streams named
//! `__substg1.0_PPPPTTTT`, fixed-size values in `__properties_version1.0`,
//! a storage per recipient and per attachment, an attached message as a
//! storage of its own. Also used by the unit tests in `src/msg.rs`.

use std::io::{Cursor, Write};

pub const SUBJECT: u16 = 0x0037;
pub const CLIENT_SUBMIT_TIME: u16 = 0x0039;
pub const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
pub const SENDER_NAME: u16 = 0x0C1A;
pub const SENDER_EMAIL_ADDRESS: u16 = 0x0C1F;
pub const SENDER_SMTP_ADDRESS: u16 = 0x5D01;
pub const DISPLAY_CC: u16 = 0x0E03;
pub const DISPLAY_TO: u16 = 0x0E04;
pub const BODY: u16 = 0x1000;
pub const RTF_COMPRESSED: u16 = 0x1009;
pub const HTML: u16 = 0x1013;
pub const INTERNET_CPID: u16 = 0x3FDE;
pub const MESSAGE_CODEPAGE: u16 = 0x3FFD;

pub const RECIPIENT_TO: u32 = 1;
pub const RECIPIENT_CC: u32 = 2;

const PT_LONG: u16 = 0x0003;
const PT_SYSTIME: u16 = 0x0040;
const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_BINARY: u16 = 0x0102;

/// 2024-05-06 08:41:00 UTC in 100 ns ticks since 1601, as Outlook stores
/// times.
pub const MAY_6_2024: u64 = (1_714_984_860 + 11_644_473_600) * 10_000_000;

#[derive(Clone)]
enum Value {
    Unicode(String),
    String8(Vec<u8>),
    Binary(Vec<u8>),
}

#[derive(Clone)]
enum Content {
    Bytes(Vec<u8>),
    Message(Box<Msg>),
    /// An OLE object pasted into the message: a storage that is no message.
    Ole,
}

#[derive(Clone)]
struct Attachment {
    long_name: Option<String>,
    content: Content,
}

#[derive(Clone)]
struct Recipient {
    kind: u32,
    name: String,
    address: String,
}

/// A message to write: its properties, recipients and attachments.
#[derive(Clone, Default)]
pub struct Msg {
    variable: Vec<(u16, Value)>,
    fixed: Vec<(u16, u16, u64)>,
    recipients: Vec<Recipient>,
    attachments: Vec<Attachment>,
}

impl Msg {
    pub fn new() -> Self {
        Msg::default()
    }

    /// A string property stored as UTF-16LE (type 001F).
    pub fn text(mut self, id: u16, text: &str) -> Self {
        self.variable.push((id, Value::Unicode(text.to_string())));
        self
    }

    /// A string property stored in the message's code page (type 001E).
    pub fn text8(mut self, id: u16, bytes: &[u8]) -> Self {
        self.variable.push((id, Value::String8(bytes.to_vec())));
        self
    }

    /// A binary property (type 0102).
    pub fn binary(mut self, id: u16, bytes: &[u8]) -> Self {
        self.variable.push((id, Value::Binary(bytes.to_vec())));
        self
    }

    /// The body as compressed RTF (`PR_RTF_COMPRESSED`): `rtf` compressed
    /// by [`compressed_rtf`].
    pub fn rtf(self, rtf: &[u8]) -> Self {
        self.binary(RTF_COMPRESSED, &compressed_rtf(rtf))
    }

    /// A 32-bit integer property (type 0003), kept in the property stream.
    pub fn long(mut self, id: u16, value: u32) -> Self {
        self.fixed.push((id, PT_LONG, u64::from(value)));
        self
    }

    /// A time property (type 0040), kept in the property stream.
    pub fn time(mut self, id: u16, ticks: u64) -> Self {
        self.fixed.push((id, PT_SYSTIME, ticks));
        self
    }

    pub fn recipient(mut self, kind: u32, name: &str, address: &str) -> Self {
        self.recipients.push(Recipient {
            kind,
            name: name.to_string(),
            address: address.to_string(),
        });
        self
    }

    pub fn attach(mut self, name: &str, data: &[u8]) -> Self {
        self.attachments.push(Attachment {
            long_name: Some(name.to_string()),
            content: Content::Bytes(data.to_vec()),
        });
        self
    }

    /// An attached message; `name` is the attachment's display name.
    pub fn attach_message(mut self, name: Option<&str>, message: Msg) -> Self {
        self.attachments.push(Attachment {
            long_name: name.map(str::to_string),
            content: Content::Message(Box::new(message)),
        });
        self
    }

    pub fn attach_ole(mut self, name: &str) -> Self {
        self.attachments.push(Attachment {
            long_name: Some(name.to_string()),
            content: Content::Ole,
        });
        self
    }

    /// The compound file, always the same bytes for the same message.
    pub fn build(&self) -> Vec<u8> {
        let mut file =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .unwrap();
        self.write_to(&mut file, "", 32);
        // Storages get the time they were made; a fixed one keeps the
        // bytes the same from run to run.
        let storages: Vec<_> = file
            .walk()
            .filter(|e| !e.is_stream())
            .map(|e| e.path().to_path_buf())
            .collect();
        let fixed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_714_984_860);
        for path in storages {
            file.set_created_time(&path, fixed).unwrap();
            file.set_modified_time(&path, fixed).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// Writes the message into the storage at `dir` ("" for the root);
    /// `header_len` is 32 for the root message and 24 for an attached one.
    fn write_to<F>(&self, file: &mut cfb::CompoundFile<F>, dir: &str, header_len: usize)
    where
        F: std::io::Read + std::io::Write + std::io::Seek,
    {
        let mut entries = Vec::new();
        for (id, value) in &self.variable {
            let (kind, bytes) = match value {
                Value::Unicode(s) => (PT_UNICODE, utf16(s)),
                Value::String8(b) => (PT_STRING8, b.clone()),
                Value::Binary(b) => (PT_BINARY, b.clone()),
            };
            stream(
                file,
                &format!("{dir}/__substg1.0_{id:04X}{kind:04X}"),
                &bytes,
            );
            entries.push((*id, kind, bytes.len() as u64));
        }
        for &(id, kind, value) in &self.fixed {
            entries.push((id, kind, value));
        }
        let mut header = vec![0u8; 8];
        for count in [
            self.recipients.len(),
            self.attachments.len(),
            self.recipients.len(),
            self.attachments.len(),
        ] {
            header.extend_from_slice(&(count as u32).to_le_bytes());
        }
        header.resize(header_len, 0);
        properties(file, dir, header, &entries);

        for (i, r) in self.recipients.iter().enumerate() {
            let storage = format!("{dir}/__recip_version1.0_#{i:08X}");
            file.create_storage(&storage).unwrap();
            stream(
                file,
                &format!("{storage}/__substg1.0_3001001F"),
                &utf16(&r.name),
            );
            stream(
                file,
                &format!("{storage}/__substg1.0_39FE001F"),
                &utf16(&r.address),
            );
            stream(
                file,
                &format!("{storage}/__substg1.0_3003001F"),
                &utf16(&r.address),
            );
            properties(
                file,
                &storage,
                vec![0; 8],
                &[(0x0C15, PT_LONG, u64::from(r.kind))],
            );
        }
        for (i, a) in self.attachments.iter().enumerate() {
            let storage = format!("{dir}/__attach_version1.0_#{i:08X}");
            file.create_storage(&storage).unwrap();
            let method = match &a.content {
                Content::Bytes(data) => {
                    stream(file, &format!("{storage}/__substg1.0_37010102"), data);
                    1
                }
                Content::Message(inner) => {
                    let sub = format!("{storage}/__substg1.0_3701000D");
                    file.create_storage(&sub).unwrap();
                    inner.write_to(file, &sub, 24);
                    5
                }
                Content::Ole => {
                    let sub = format!("{storage}/__substg1.0_3701000D");
                    file.create_storage(&sub).unwrap();
                    stream(file, &format!("{sub}/\u{1}Ole"), &[0u8; 20]);
                    6
                }
            };
            if let Some(name) = &a.long_name {
                let id = if method == 1 { "3707" } else { "3001" };
                stream(
                    file,
                    &format!("{storage}/__substg1.0_{id}001F"),
                    &utf16(name),
                );
            }
            properties(file, &storage, vec![0; 8], &[(0x3705, PT_LONG, method)]);
        }
    }
}

/// `rtf` as a compressed RTF stream (MS-OXRTFCP) of literals only: a
/// zero control byte before each 8 bytes, then the end marker (a reference
/// to the dictionary's write position, which starts at 207), and the
/// header with the CRC Outlook checks.
pub fn compressed_rtf(rtf: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    for chunk in rtf.chunks(8) {
        content.push(0);
        content.extend_from_slice(chunk);
    }
    let end_marker = ((((207 + rtf.len()) % 4096) as u16) << 4).to_be_bytes();
    match rtf.len() % 8 {
        // The last control byte is full: the marker gets one of its own.
        0 => content.push(1),
        tail => {
            let last_control = content.len() - tail - 1;
            content[last_control] = 1 << tail;
        }
    }
    content.extend_from_slice(&end_marker);
    compressed_rtf_stream(&content, rtf.len() as u32)
}

/// A compressed RTF stream of `content` (control bytes, literals and
/// references, as they come) behind a header that says it decompresses
/// to `raw_size` bytes, with the right CRC.
pub fn compressed_rtf_stream(content: &[u8], raw_size: u32) -> Vec<u8> {
    let crc = content.iter().fold(0u32, |crc, &byte| {
        let mut c = (crc ^ u32::from(byte)) & 0xFF;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        c ^ (crc >> 8)
    });
    let mut stream = Vec::new();
    for word in [content.len() as u32 + 12, raw_size, 0x7546_5A4C, crc] {
        stream.extend_from_slice(&word.to_le_bytes());
    }
    stream.extend_from_slice(content);
    stream
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn stream<F>(file: &mut cfb::CompoundFile<F>, path: &str, data: &[u8])
where
    F: std::io::Read + std::io::Write + std::io::Seek,
{
    file.create_stream(path).unwrap().write_all(data).unwrap();
}

/// The `__properties_version1.0` stream: `header`, then 16 bytes a property
/// (tag, flags, value or size).
fn properties<F>(
    file: &mut cfb::CompoundFile<F>,
    dir: &str,
    header: Vec<u8>,
    entries: &[(u16, u16, u64)],
) where
    F: std::io::Read + std::io::Write + std::io::Seek,
{
    let mut data = header;
    for &(id, kind, value) in entries {
        let tag = (u32::from(id) << 16) | u32::from(kind);
        data.extend_from_slice(&tag.to_le_bytes());
        data.extend_from_slice(&6u32.to_le_bytes());
        data.extend_from_slice(&value.to_le_bytes());
    }
    stream(file, &format!("{dir}/__properties_version1.0"), &data);
}

/// `fixtures/exports/mail/bericht_0005.msg`: a customer of a car dealer
/// asks the workshop for an appointment, with his number, account and
/// plate in the text and a CSV of the drivers of a courtesy car attached.
/// All values are made up (the IBAN passes mod-97, the BSNs the 11-proef).
pub fn workshop_appointment() -> Msg {
    let body = "Beste werkplaats,\r\n\
        Graag plan ik de APK en een grote beurt voor onze Golf met kenteken GZ-915-X.\r\n\
        Dinsdag of woensdag komt het beste uit; ik ben bereikbaar op 06-41827360.\r\n\
        Een bevestiging graag naar kees.vanleeuwen@xs4all.nl.\r\n\
        De rekening mag van NL46 RABO 0371 8462 05 worden afgeschreven.\r\n\
        In de bijlage staan de bestuurders van de leenauto.\r\n\
        \r\n\
        Met vriendelijke groet,\r\n\
        Kees van Leeuwen\r\n";
    let html = "<html><head><meta charset=\"utf-8\"></head><body>\
        <p>Beste werkplaats,</p>\
        <p>Graag plan ik de APK en een grote beurt voor onze Golf met kenteken <b>GZ-915-X</b>.</p>\
        <p>Dinsdag of woensdag komt het beste uit; ik ben bereikbaar op 06-41827360.</p>\
        <p>Een bevestiging graag naar <a href=\"mailto:kees.vanleeuwen@xs4all.nl\">kees.vanleeuwen@xs4all.nl</a>.</p>\
        <p>De rekening mag van NL46 RABO 0371 8462 05 worden afgeschreven.</p>\
        </body></html>";
    let drivers = "naam;bsn;rijbewijs categorie\r\n\
        Kees van Leeuwen;945807302;B\r\n\
        Marieke van Leeuwen-Bos;229262193;B\r\n";
    Msg::new()
        .text(SUBJECT, "Afspraak APK en grote beurt")
        .text(SENDER_NAME, "Kees van Leeuwen")
        .text(SENDER_EMAIL_ADDRESS, "kees.vanleeuwen@xs4all.nl")
        .text(SENDER_SMTP_ADDRESS, "kees.vanleeuwen@xs4all.nl")
        .text(DISPLAY_TO, "Werkplaats Autobedrijf Jansen")
        .text(DISPLAY_CC, "Marieke van Leeuwen-Bos")
        .text(BODY, body)
        .binary(HTML, html.as_bytes())
        .long(INTERNET_CPID, 65001)
        .time(CLIENT_SUBMIT_TIME, MAY_6_2024)
        .recipient(
            RECIPIENT_TO,
            "Werkplaats Autobedrijf Jansen",
            "werkplaats@autojansen.nl",
        )
        .recipient(
            RECIPIENT_CC,
            "Marieke van Leeuwen-Bos",
            "marieke.bos@gmail.com",
        )
        .attach("bestuurders_leenauto.csv", drivers.as_bytes())
}
