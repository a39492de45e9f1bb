//! `piiscan generate`: a deterministic, realistic test tree of a Dutch car
//! dealer's exports, with a truth file of every planted value.
//!
//! The tree holds CRM exports (CSV with Dutch and English headers, `;` and
//! `,`, quoted multi-line notes, one Windows-1252 file; one sheet saved
//! from Excel as tab-delimited UTF-16 `.txt`), JSON and NDJSON exports, SQL
//! dumps (mysqldump and pg_dump), customer mails and workshop notes in
//! Dutch and English, application logs, and a source repository
//! full of values that only look like personal data. Every identifier is
//! valid by construction ([`values`]); every planted value and every planted
//! look-alike is written to the truth file next to the tree (never inside
//! it, so a scan of the tree does not see the answers).
//!
//! The same seed gives a byte-identical tree: the file plan depends only on
//! the size and seed, and each file has its own random stream derived from
//! the seed and its index, so files can be written in parallel in any order.

mod documents;
pub mod rng;
pub mod values;

use crate::accuracy::TruthKind;
use crate::error::{Error, Result};
use crate::finding::Entity;
use rayon::prelude::*;
use rng::Rng;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The tree's root; must not exist or be empty.
    pub out: PathBuf,
    /// Approximate total size in bytes.
    pub size: u64,
    pub seed: u64,
    /// Where the truth file goes (default: `OUT.truth.jsonl` next to OUT).
    pub truth: Option<PathBuf>,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct GenerateSummary {
    pub files: u64,
    pub bytes: u64,
    pub planted: u64,
    pub lookalikes: u64,
    pub truth: PathBuf,
    pub duration: Duration,
}

/// The default truth file of a tree: `DIR.truth.jsonl` beside `DIR`.
pub fn default_truth_path(out: &Path) -> Result<PathBuf> {
    let name = out.file_name().ok_or_else(|| {
        Error::Usage(format!(
            "cannot name a truth file next to `{}`; give --truth FILE",
            out.display()
        ))
    })?;
    let mut file = name.to_os_string();
    file.push(".truth.jsonl");
    Ok(out.with_file_name(file))
}

/// The kinds of file in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    CrmCsvDutch,
    CrmCsvEnglish,
    CrmCsvWindows1252,
    CrmJson,
    EventsNdjson,
    MysqlDump,
    PgDump,
    Mail,
    WorkshopNotes,
    AppLog,
    Source,
    /// Test drives saved from Excel as "Unicode Text": a tab-delimited
    /// `.txt` in UTF-16 with a byte order mark.
    TestDrivesText,
    /// A month's SEPA direct debits (ISO 20022 XML) sent to the bank.
    DirectDebitsXml,
    /// A mailbox exported as a zip of `.eml` messages whose bodies are
    /// quoted-printable, which breaks long lines anywhere (also inside an
    /// address) with `=` at the line end.
    MailboxZip,
    /// A mail program's folder: the same messages one after another in
    /// one file without an extension, each after a `From ` line (mbox),
    /// as Thunderbird keeps its `Inbox`.
    MailFolder,
    /// Workshop notes saved from WordPad as RTF: a paragraph a line,
    /// accented letters and `€` as `\'hh` escapes in Windows-1252.
    WorkshopNotesRtf,
}

/// Share of the total size per kind (per mille), and the typical file size.
const PLAN: &[(Kind, u64, u64)] = &[
    (Kind::CrmCsvDutch, 150, 4 << 20),
    (Kind::CrmCsvEnglish, 90, 4 << 20),
    (Kind::CrmCsvWindows1252, 5, 2 << 20),
    (Kind::CrmJson, 80, 4 << 20),
    (Kind::EventsNdjson, 80, 4 << 20),
    (Kind::MysqlDump, 90, 4 << 20),
    (Kind::PgDump, 50, 4 << 20),
    (Kind::Mail, 90, 3 << 10),
    (Kind::WorkshopNotes, 80, 2 << 20),
    (Kind::AppLog, 150, 4 << 20),
    (Kind::Source, 120, 6 << 10),
    // Last, so that the files before them keep their index (and with it
    // their contents) from trees generated before they were added. The
    // Windows-1252 and the Excel exports each gave half their share to
    // the payment file and the mailbox; all four are single files capped
    // at their typical size, so from 400 MiB up (the Windows-1252 export
    // still at its cap) nothing else changes.
    (Kind::TestDrivesText, 3, 1 << 20),
    (Kind::DirectDebitsXml, 5, 1 << 20),
    // The zipped mailbox gave the mail folder part of its share: from 350
    // MiB up it is still at its cap, and no other file changed.
    (Kind::MailboxZip, 3, 1 << 20),
    (Kind::MailFolder, 2, 1 << 20),
    // Part of what the Excel export had: from 350 MiB up it is still at
    // its cap.
    (Kind::WorkshopNotesRtf, 2, 1 << 20),
];

/// One file to write.
#[derive(Debug, Clone)]
pub(crate) struct FileSpec {
    pub path: String,
    pub kind: Kind,
    pub target: u64,
    pub index: u64,
}

const SOURCE_EXTENSIONS: &[(&str, &str)] = &[
    ("js", "ui"),
    ("ts", "api"),
    ("py", "tests"),
    ("rs", "core"),
    ("go", "sync"),
    ("css", "styles"),
    ("json", "config"),
    ("md", "docs"),
    ("yaml", "deploy"),
    ("sql", "migrations"),
];

/// The list of files for a total size: the same for the same size, whatever
/// the seed (the seed changes contents, not layout).
pub(crate) fn plan(size: u64) -> Vec<FileSpec> {
    let mut specs = Vec::new();
    for &(kind, per_mille, typical) in PLAN {
        let share = (size * per_mille / 1000).max(1024);
        // The Windows-1252 and the Excel exports, the payment file and the
        // mailbox are one file each, as such exports from elsewhere are.
        let single = matches!(
            kind,
            Kind::CrmCsvWindows1252
                | Kind::TestDrivesText
                | Kind::DirectDebitsXml
                | Kind::MailboxZip
                | Kind::MailFolder
                | Kind::WorkshopNotesRtf
        );
        let count = if single {
            1
        } else {
            share.div_ceil(typical).max(1)
        };
        let target = if single {
            share.min(typical)
        } else {
            share / count
        };
        for i in 0..count {
            let path = match kind {
                Kind::CrmCsvDutch => format!("exports/crm/klanten_{i:03}.csv"),
                Kind::CrmCsvEnglish => format!("exports/crm/customers_{i:03}.csv"),
                Kind::CrmCsvWindows1252 => "exports/crm/klanten_oud_systeem.csv".to_string(),
                Kind::TestDrivesText => "exports/crm/proefritten_excel.txt".to_string(),
                Kind::DirectDebitsXml => "exports/bank/incasso_2024.xml".to_string(),
                Kind::MailboxZip => "exports/mail/postvak_2024.zip".to_string(),
                Kind::MailFolder => "exports/mail/thunderbird/Inbox".to_string(),
                Kind::WorkshopNotesRtf => {
                    "exports/documenten/werkplaatsnotities_2023.rtf".to_string()
                }
                Kind::CrmJson => format!("exports/crm/klanten_{i:03}.json"),
                Kind::EventsNdjson => format!("exports/api/events_{i:03}.ndjson"),
                Kind::MysqlDump => format!("exports/db/dealer_crm_{i:03}.sql"),
                Kind::PgDump => format!("exports/db/werkplaats_pg_{i:03}.sql"),
                Kind::Mail => format!("mail/box_{:03}/bericht_{i:05}.txt", i / 500),
                Kind::WorkshopNotes => format!("werkplaats/notities_{i:03}.txt"),
                Kind::AppLog => format!("logs/crm-api-{i:03}.log"),
                Kind::Source => {
                    let (ext, dir) = SOURCE_EXTENSIONS[(i as usize) % SOURCE_EXTENSIONS.len()];
                    format!("src/dealer-crm/{dir}/{:03}/module_{i:05}.{ext}", i / 200)
                }
            };
            specs.push(FileSpec {
                path,
                kind,
                target,
                index: 0,
            });
        }
    }
    for (i, s) in specs.iter_mut().enumerate() {
        s.index = i as u64;
    }
    specs
}

/// How a document's text is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Windows1252,
    /// Little-endian, after a byte order mark, as Excel's "Unicode Text".
    Utf16Le,
    /// An RTF document (WordPad's): a paragraph a line of text, `\`, `{`
    /// and `}` escaped, other than ASCII as `\'hh` in Windows-1252 (else
    /// `\uN?`); closed by [`Sink::finish`].
    Rtf,
}

/// What an RTF document starts with: no document information (whose
/// fields would be lines of their own before the text).
const RTF_HEADER: &[u8] =
    b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Calibri;}}\n\\pard\\f0\\fs22 ";

/// Where a sink's bytes go.
enum Out {
    File(BufWriter<File>),
    /// A document kept to be packed (a message of a zipped mailbox).
    Memory(Vec<u8>),
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::File(file) => file.write(bytes),
            Out::Memory(memory) => memory.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::File(file) => file.flush(),
            Out::Memory(_) => Ok(()),
        }
    }
}

/// Where a document is written: counts lines and bytes as text goes out, and
/// records planted values with the line they start on.
pub(crate) struct Sink {
    out: Out,
    path: String,
    line: u64,
    bytes: u64,
    encoding: Encoding,
    /// The path as a JSON string, made on first use.
    path_json: String,
    truth: Vec<u8>,
    planted: u64,
    lookalikes: u64,
    error: Option<std::io::Error>,
}

impl Sink {
    fn new(file: File, path: String, encoding: Encoding) -> Sink {
        Self::to(
            Out::File(BufWriter::with_capacity(256 * 1024, file)),
            path,
            encoding,
        )
    }

    fn to(out: Out, path: String, encoding: Encoding) -> Sink {
        let mut sink = Sink {
            out,
            path,
            line: 1,
            bytes: 0,
            encoding,
            path_json: String::new(),
            truth: Vec::new(),
            planted: 0,
            lookalikes: 0,
            error: None,
        };
        match encoding {
            Encoding::Utf16Le => sink.raw(&[0xFF, 0xFE]),
            Encoding::Rtf => sink.raw(RTF_HEADER),
            Encoding::Utf8 | Encoding::Windows1252 => {}
        }
        sink
    }

    /// Ends the document (an RTF document's closing brace).
    fn finish(&mut self) {
        if self.encoding == Encoding::Rtf {
            self.raw(b"}\n");
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        if let Err(e) = self.out.write_all(bytes)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
    }

    /// Writes `text`. Errors are kept and reported when the file is done, so
    /// the document code stays free of error plumbing.
    pub fn s(&mut self, text: &str) {
        self.line += memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64;
        match self.encoding {
            Encoding::Utf8 => self.raw(text.as_bytes()),
            Encoding::Windows1252 => {
                let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
                self.raw(&bytes);
            }
            Encoding::Utf16Le => {
                let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
                self.raw(&bytes);
            }
            Encoding::Rtf => {
                let rtf = as_rtf(text);
                self.raw(rtf.as_bytes());
            }
        }
    }

    fn record(&mut self, entity: Entity, value: &str, kind: TruthKind) {
        // Millions of records: written by hand with the path escaped once,
        // the same JSON a `TruthRecord` serialises to.
        if self.path_json.is_empty() {
            self.path_json = serde_json::to_string(&self.path).unwrap_or_default();
        }
        let t = &mut self.truth;
        t.extend_from_slice(b"{\"path\":");
        t.extend_from_slice(self.path_json.as_bytes());
        t.extend_from_slice(b",\"line\":");
        t.extend_from_slice(self.line.to_string().as_bytes());
        t.extend_from_slice(b",\"entity\":\"");
        t.extend_from_slice(entity.as_str().as_bytes());
        t.extend_from_slice(b"\",\"value\":");
        if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            t.push(b'"');
            t.extend_from_slice(value.as_bytes());
            t.push(b'"');
        } else {
            t.extend_from_slice(serde_json::to_string(value).unwrap_or_default().as_bytes());
        }
        t.extend_from_slice(match kind {
            TruthKind::Pii => b",\"kind\":\"pii\"}\n",
            TruthKind::Lookalike => b",\"kind\":\"lookalike\"}\n",
        });
    }

    /// Writes a planted personal value.
    pub fn pii(&mut self, entity: Entity, value: &str) {
        self.record(entity, value, TruthKind::Pii);
        self.planted += 1;
        self.s(value);
    }

    /// Writes a planted look-alike of `entity`.
    pub fn look(&mut self, entity: Entity, value: &str) {
        self.record(entity, value, TruthKind::Lookalike);
        self.lookalikes += 1;
        self.s(value);
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl std::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.s(s);
        Ok(())
    }
}

/// What one file produced.
struct Written {
    bytes: u64,
    truth: Vec<u8>,
    planted: u64,
    lookalikes: u64,
}

/// Messages of about this size fill the mailbox.
const MESSAGE_SIZE: u64 = 3 << 10;

/// Writes a zip of `.eml` messages up to the spec's size (of messages, as
/// unpacked). Each message is a mail as [`documents::mail`] writes it, its
/// body then encoded as quoted-printable; the truth names the message's
/// `headers` (their lines as written) and its decoded `body` (its lines
/// as decoded), as the scan names them.
fn write_mailbox(file: File, spec: &FileSpec, seed: u64) -> std::io::Result<Written> {
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(
            zip::DateTime::from_date_and_time(2024, 3, 28, 17, 0, 0).unwrap_or_default(),
        );
    let written = write_messages(spec, seed, |number, eml| {
        zip.start_file(format!("bericht_{number:04}.eml"), options)?;
        zip.write_all(eml.as_bytes())
    })?;
    zip.finish()?.flush()?;
    Ok(written)
}

/// Writes a mail program's folder (mbox): the messages
/// [`write_mailbox`] zips, one after another, each after its `From `
/// line; the truth names `message N` and its parts, as the scan does.
fn write_mail_folder(file: File, spec: &FileSpec, seed: u64) -> std::io::Result<Written> {
    let mut out = BufWriter::new(file);
    let written = write_messages(spec, seed, |number, eml| {
        // Received a day apart, the first on Friday 1 March 2024.
        const WEEKDAYS: [&str; 7] = ["Fri", "Sat", "Sun", "Mon", "Tue", "Wed", "Thu"];
        let day = (number - 1) % 28 + 1;
        writeln!(
            out,
            "From werkplaats@autohuis.example {} Mar {day:2} 09:{:02}:00 2024",
            WEEKDAYS[((day - 1) % 7) as usize],
            number % 60
        )?;
        // A line of the message that would read as the next one's start
        // is quoted, as mail programs do (the reader keeps the `>`).
        out.write_all(eml.replace("\nFrom ", "\n>From ").as_bytes())?;
        // A blank line ends each message.
        out.write_all(b"\n")
    })?;
    out.flush()?;
    Ok(written)
}

/// Makes messages up to the spec's size (as written) and hands each to
/// `put`, numbered from 1, with its truth filed under the member the scan
/// names it by: `bericht_NNNN.eml` in a zip, `message N` in a mail folder.
fn write_messages(
    spec: &FileSpec,
    seed: u64,
    mut put: impl FnMut(u64, &str) -> std::io::Result<()>,
) -> std::io::Result<Written> {
    let mut rng = Rng::derive(seed, spec.index);
    let mut written = Written {
        bytes: 0,
        truth: Vec::new(),
        planted: 0,
        lookalikes: 0,
    };
    let mut number = 0;
    while written.bytes < spec.target {
        number += 1;
        let member = match spec.kind {
            Kind::MailFolder => format!("message {number}"),
            _ => format!("bericht_{number:04}.eml"),
        };
        let message = format!(
            "{}{}{member}",
            spec.path,
            crate::container::MEMBER_SEPARATOR
        );
        let mut sink = Sink::to(Out::Memory(Vec::new()), String::new(), Encoding::Utf8);
        documents::mail(&mut rng, &mut sink, MESSAGE_SIZE);
        let Out::Memory(text) = std::mem::replace(&mut sink.out, Out::Memory(Vec::new())) else {
            unreachable!("a mailbox message is written to memory");
        };
        let (eml, truth) =
            as_quoted_printable(&String::from_utf8_lossy(&text), &sink.truth, &message);
        put(number, &eml)?;
        written.bytes += eml.len() as u64;
        written.truth.extend_from_slice(&truth);
        written.planted += sink.planted;
        written.lookalikes += sink.lookalikes;
    }
    Ok(written)
}

/// A plain-text message (headers, a blank line, the body) with its body
/// encoded as quoted-printable, and its truth (`records`, JSON lines whose
/// lines count in `text`) moved to the message's `headers` and `body`.
fn as_quoted_printable(text: &str, records: &[u8], message: &str) -> (String, Vec<u8>) {
    let header_end = text.find("\n\n").map_or(text.len(), |at| at + 1);
    let (headers, body) = (&text[..header_end], &text[header_end..]);
    let body = body.strip_prefix('\n').unwrap_or(body);
    let header_lines = headers.matches('\n').count() as u64;
    let mut eml = String::with_capacity(text.len() + text.len() / 8);
    eml.push_str(headers);
    // After every header that holds a value, so their lines stay.
    eml.push_str("MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\n");
    eml.push_str(&quoted_printable(body));
    let mut truth = Vec::with_capacity(records.len() + records.len() / 4);
    for record in records.split(|&b| b == b'\n').filter(|r| !r.is_empty()) {
        let Ok(mut record) = serde_json::from_slice::<serde_json::Value>(record) else {
            continue;
        };
        let line = record["line"].as_u64().unwrap_or(1);
        let (part, line) = if line <= header_lines {
            ("headers", line)
        } else {
            ("body", line - header_lines - 1)
        };
        record["path"] = format!("{message}{}{part}", crate::container::MEMBER_SEPARATOR).into();
        record["line"] = line.into();
        if serde_json::to_writer(&mut truth, &record).is_ok() {
            truth.push(b'\n');
        }
    }
    (eml, truth)
}

/// `text` as quoted-printable (RFC 2045): bytes outside printable ASCII,
/// `=` and blanks at a line end as `=XX`, and lines kept under 76
/// characters by a soft break (`=` at the line end), wherever it falls.
fn quoted_printable(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let bytes = line.as_bytes();
        let mut column = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let at_end = j + 1 == bytes.len();
            let escaped =
                b >= 0x80 || b == b'=' || (b < 0x20 && b != b'\t') || (at_end && b == b' ');
            let width = if escaped { 3 } else { 1 };
            if column + width > 75 {
                out.push_str("=\n");
                column = 0;
            }
            if escaped {
                let _ = write!(out, "={b:02X}");
            } else {
                out.push(char::from(b));
            }
            column += width;
        }
    }
    out
}

fn write_file(root: &Path, spec: &FileSpec, seed: u64) -> Result<Written> {
    let path = root.join(&spec.path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    let file =
        File::create(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
    type WritePacked = fn(File, &FileSpec, u64) -> std::io::Result<Written>;
    let packed: Option<WritePacked> = match spec.kind {
        Kind::MailboxZip => Some(write_mailbox),
        Kind::MailFolder => Some(write_mail_folder),
        _ => None,
    };
    if let Some(write_packed) = packed {
        return write_packed(file, spec, seed)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e));
    }
    let encoding = match spec.kind {
        Kind::CrmCsvWindows1252 => Encoding::Windows1252,
        Kind::TestDrivesText => Encoding::Utf16Le,
        Kind::WorkshopNotesRtf => Encoding::Rtf,
        _ => Encoding::Utf8,
    };
    let mut sink = Sink::new(file, spec.path.clone(), encoding);
    let mut rng = Rng::derive(seed, spec.index);
    documents::write(spec, &mut rng, &mut sink);
    sink.finish();
    let flushed = sink.out.flush();
    if let Some(e) = sink.error.take() {
        return Err(Error::io(format!("writing {}", path.display()), e));
    }
    flushed.map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    Ok(Written {
        bytes: sink.bytes,
        truth: sink.truth,
        planted: sink.planted,
        lookalikes: sink.lookalikes,
    })
}

/// `text` as RTF: each line end a paragraph end (`\\par`), a tab `\\tab`,
/// `\\`, `{` and `}` escaped, other characters than ASCII as `\\'hh` in
/// Windows-1252 when it has them, else `\\uN?`.
fn as_rtf(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\par\n"),
            '\t' => out.push_str("\\tab "),
            '\\' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {
                let mut utf8 = [0u8; 4];
                let (bytes, _, unmappable) =
                    encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut utf8));
                if unmappable || bytes.len() != 1 {
                    for unit in c.encode_utf16(&mut [0u16; 2]) {
                        // RTF's `\\u` takes a signed 16-bit number.
                        let _ = write!(out, "\\u{}?", *unit as i16);
                    }
                } else {
                    let _ = write!(out, "\\'{:02x}", bytes[0]);
                }
            }
        }
    }
    out
}

/// True when `inner` is `outer` or below it (both made absolute).
fn is_within(inner: &Path, outer: &Path) -> bool {
    let abs = |p: &Path| {
        std::path::absolute(p)
            .map(|a| a.components().collect::<PathBuf>())
            .unwrap_or_else(|_| p.to_path_buf())
    };
    abs(inner).starts_with(abs(outer))
}

/// Generates the tree and its truth file.
pub fn generate(options: &GenerateOptions) -> Result<GenerateSummary> {
    let started = Instant::now();
    let out = &options.out;
    if options.size == 0 {
        return Err(Error::Usage("--size must be greater than 0".into()));
    }
    let truth_path = match &options.truth {
        Some(p) => p.clone(),
        None => default_truth_path(out)?,
    };
    if is_within(&truth_path, out) {
        return Err(Error::Usage(format!(
            "the truth file {} must not be inside the generated tree {}",
            truth_path.display(),
            out.display()
        )));
    }
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Usage(format!(
                    "{} exists and is not empty; generate into a new directory",
                    out.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("reading {}", out.display()), e)),
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Error::io(format!("creating {}", out.display()), e))?;
    let truth_file = File::create(&truth_path)
        .map_err(|e| Error::io(format!("creating {}", truth_path.display()), e))?;
    let mut truth = BufWriter::with_capacity(1 << 20, truth_file);
    let specs = plan(options.size);
    let mut summary = GenerateSummary {
        files: specs.len() as u64,
        bytes: 0,
        planted: 0,
        lookalikes: 0,
        truth: truth_path.clone(),
        duration: Duration::ZERO,
    };
    // Batches bound the truth records held in memory; within a batch files
    // are written in parallel, and their truth is appended in plan order.
    let batch = rayon::current_num_threads().max(1) * 4;
    for chunk in specs.chunks(batch) {
        let results: Vec<Result<Written>> = chunk
            .par_iter()
            .map(|spec| write_file(out, spec, options.seed))
            .collect();
        for r in results {
            let w = r?;
            summary.bytes += w.bytes;
            summary.planted += w.planted;
            summary.lookalikes += w.lookalikes;
            truth
                .write_all(&w.truth)
                .map_err(|e| Error::io(format!("writing {}", truth_path.display()), e))?;
        }
    }
    truth
        .flush()
        .map_err(|e| Error::io(format!("writing {}", truth_path.display()), e))?;
    summary.duration = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_covers_every_kind_and_the_size() {
        let size = 3 << 20;
        let specs = plan(size);
        for &(kind, _, _) in PLAN {
            assert!(specs.iter().any(|s| s.kind == kind), "{kind:?}");
        }
        let total: u64 = specs.iter().map(|s| s.target).sum();
        assert!(total <= size && total > size * 9 / 10, "{total}");
        let mut paths: Vec<&str> = specs.iter().map(|s| s.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), specs.len());
    }

    #[test]
    fn hand_written_truth_records_parse() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("f")).unwrap();
        let mut sink = Sink::new(file, "a/\"b\".txt".into(), Encoding::Utf8);
        sink.s("x\n");
        sink.pii(Entity::Email, "jan@ziggo.nl");
        sink.look(Entity::Vin, "odd\\value\"");
        let text = String::from_utf8(sink.truth.clone()).unwrap();
        let records: Vec<crate::accuracy::TruthRecord> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records[0].path, "a/\"b\".txt");
        assert_eq!(records[0].line, 2);
        assert_eq!(records[0].entity, Entity::Email);
        assert_eq!(records[0].kind, TruthKind::Pii);
        assert_eq!(records[1].value, "odd\\value\"");
        assert_eq!(records[1].kind, TruthKind::Lookalike);
    }

    #[test]
    fn the_excel_export_is_unicode_text_with_its_truth_on_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let spec = plan(3 << 20)
            .into_iter()
            .find(|s| s.kind == Kind::TestDrivesText)
            .unwrap();
        let written = write_file(dir.path(), &spec, 7).unwrap();
        let bytes = std::fs::read(dir.path().join(&spec.path)).unwrap();
        assert_eq!(written.bytes, bytes.len() as u64);
        assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        let text = String::from_utf16(&units).unwrap();
        assert!(text.starts_with("Naam\tE-mailadres\t"), "{}", &text[..40]);
        let lines: Vec<&str> = text.split('\n').collect();
        let truth = String::from_utf8(written.truth).unwrap();
        let mut bsns = 0;
        for record in truth.lines() {
            let record: serde_json::Value = serde_json::from_str(record).unwrap();
            let line = record["line"].as_u64().unwrap() as usize;
            let value = record["value"].as_str().unwrap();
            assert!(
                lines[line - 1].contains(value),
                "{value} not on line {line}"
            );
            bsns += usize::from(record["entity"] == "bsn" && record["kind"] == "pii");
        }
        assert!(bsns > 10, "{bsns} BSNs");
    }

    #[test]
    fn truth_file_goes_next_to_the_tree() {
        assert_eq!(
            default_truth_path(Path::new("/tmp/x/tree")).unwrap(),
            PathBuf::from("/tmp/x/tree.truth.jsonl")
        );
        assert!(is_within(
            Path::new("/tmp/x/tree/t.jsonl"),
            Path::new("/tmp/x/tree")
        ));
        assert!(!is_within(
            Path::new("/tmp/x/tree.truth.jsonl"),
            Path::new("/tmp/x/tree")
        ));
    }
}
