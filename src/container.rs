//! Compressed files and archives: `.gz`, `.zip`, `.tar`, `.tar.gz`/`.tgz`,
//! (through [`crate::sheet`]) spreadsheets, (through [`crate::office`])
//! the text of word-processing and presentation documents, zip archives
//! of XML parts, (through [`crate::pdf`]) the text of PDF documents page
//! by page with their metadata, form values, comments and embedded files,
//! (through [`crate::rtf`]) the text of RTF documents, e-mail messages
//! (`.eml`, and through [`crate::msg`] Outlook's
//! `.msg`) with their attachments, and mailboxes (`.mbox`, through
//! [`crate::mbox`]) of such messages.
//! Their members are scanned by
//! the same pipeline as files and each is reported as an inventory entry of
//! its own, named `ARCHIVE!/MEMBER` (nested: `a.zip!/inner.zip!/x.csv`).
//!
//! Nothing is ever extracted: members stream from their decompressor into
//! the scanner's buffer, and member names such as `../../etc/passwd` are
//! only names. Three limits guard against archives built to exhaust memory
//! or time (decompression bombs), each checked while data streams, so a bomb
//! is stopped after at most a limit's worth of work, not after inflating:
//! the bytes one archive may unpack, the compression ratio of each stream,
//! and how deep archives may nest. Hitting one is reported, never silent.

use crate::finding::Finding;
use crate::formats::Format;
use crate::msg::{AttachmentContent, MessageAt, MsgError, OutlookFile};
use crate::office::{self, DocumentKind, Part};
use crate::pdf::{self, Opened, Pdf, PdfError};
use crate::rtf;
use crate::scan::{Dated, FileOutcome, FileScanner, FileStatus, ScanSink, SkipReason};
use std::cell::Cell;
use std::io::{BufReader, Cursor, Read, Seek};
use std::time::{Duration, SystemTime};

/// What joins an archive's path and a member's name: `a.zip!/x.csv`.
pub const MEMBER_SEPARATOR: &str = "!/";
/// Default for `--max-archive-bytes`: what one archive, with everything
/// nested in it, may unpack.
pub const DEFAULT_MAX_ARCHIVE_BYTES: u64 = 1 << 30;
/// Default for `--max-archive-ratio`: unpacked bytes per compressed byte.
pub const DEFAULT_MAX_ARCHIVE_RATIO: u64 = 100;
/// Default for `--max-archive-depth`: archive layers opened.
pub const DEFAULT_MAX_ARCHIVE_DEPTH: u32 = 3;
/// The ratio is judged only past this many unpacked bytes: a small, very
/// repetitive member (a page of blanks) compresses far beyond 100:1 and is
/// no threat.
pub const RATIO_GRACE: u64 = 1 << 20;
/// A guarded stream unpacks at most this much between two checks.
const GUARD_STEP: usize = 64 * 1024;
/// Zip archives and spreadsheets need random access, so one nested inside
/// another archive is read into memory first; above this size it is not.
pub const MAX_IN_MEMORY: u64 = 256 << 20;

/// Limits on what compressed files and archives may unpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Bytes one archive found by the walk may unpack, summed over every
    /// decompression layer in it.
    pub max_bytes: u64,
    /// Unpacked bytes per compressed byte allowed in one stream.
    pub max_ratio: u64,
    /// Archive layers opened: 1 opens the archives found by the walk but not
    /// archives inside them; 0 opens none.
    pub max_depth: u32,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_bytes: DEFAULT_MAX_ARCHIVE_BYTES,
            max_ratio: DEFAULT_MAX_ARCHIVE_RATIO,
            max_depth: DEFAULT_MAX_ARCHIVE_DEPTH,
        }
    }
}

/// The error a guarded stream returns when a limit stops it. It travels
/// inside an [`std::io::Error`] so that any reader stacked on top passes it
/// through; the scanner turns it into [`SkipReason::LimitHit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded(pub String);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// The kinds of container piiscan opens, recognised by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// One gzip stream; the member is the file name without `.gz`.
    Gzip,
    TarGz,
    Tar,
    Zip,
    Xlsx,
    Xls,
    Ods,
    /// A word-processing or presentation document: a zip archive whose
    /// text is in some of its XML parts.
    Document(DocumentKind),
    /// An e-mail message (`.eml`, MIME): its headers, its decoded text and
    /// its attachments.
    Mail,
    /// A mailbox (`.mbox`): messages one after another, each opened as
    /// [`Container::Mail`] is.
    Mbox,
    /// An Outlook message (`.msg`, an OLE compound file): the same parts
    /// as an `.eml`'s, read from its properties.
    OutlookMsg,
    /// A PDF document: the text of each page.
    Pdf,
    /// An RTF document (`.rtf`, and a `.doc` or any other file that starts
    /// with `{\rtf`): its text, a line per paragraph (see [`crate::rtf`]).
    Rtf,
}

/// What every PDF starts with (readers allow junk before it, but a file
/// not named `.pdf` is taken for one only when it starts so).
pub const PDF_SIGNATURE: &[u8] = b"%PDF-";
/// What every RTF document starts with: Word saves RTF under `.doc` when
/// asked to, and mail programs attach it under any name.
pub const RTF_SIGNATURE: &[u8] = b"{\\rtf";

/// The last component of a file or member name (members use `/`, some
/// archives written on Windows `\\`).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

impl Container {
    /// The container a file or member name says it is, by its extension.
    pub fn for_name(name: &str) -> Option<Container> {
        let base = base_name(name);
        let lower = base.to_ascii_lowercase();
        let kind = if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Container::TarGz
        } else if lower.ends_with(".gz") {
            Container::Gzip
        } else if lower.ends_with(".tar") {
            Container::Tar
        } else if lower.ends_with(".zip") {
            Container::Zip
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
            Container::Xlsx
        } else if lower.ends_with(".xls") {
            Container::Xls
        } else if lower.ends_with(".ods") {
            Container::Ods
        } else if [".docx", ".docm", ".pptx", ".pptm"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            Container::Document(DocumentKind::OpenXml)
        } else if lower.ends_with(".odt") || lower.ends_with(".odp") {
            Container::Document(DocumentKind::OpenDocument)
        } else if lower.ends_with(".eml") {
            Container::Mail
        } else if lower.ends_with(".mbox") || lower.ends_with(".mbx") {
            Container::Mbox
        } else if lower.ends_with(".msg") {
            Container::OutlookMsg
        } else if lower.ends_with(".pdf") {
            Container::Pdf
        } else if lower.ends_with(".rtf") {
            Container::Rtf
        } else {
            return None;
        };
        Some(kind)
    }

    /// The container a file whose name says none is, by its first bytes
    /// `head`: a PDF under any name (`factuur`, `scan.dat`, a download's
    /// `.bin`; read as text it is noise), a mail program's mailbox folder
    /// (no extension: Thunderbird's `Inbox`).
    pub fn sniff(name: &str, head: &[u8]) -> Option<Container> {
        if head.starts_with(PDF_SIGNATURE) {
            return Some(Container::Pdf);
        }
        if head.starts_with(RTF_SIGNATURE) {
            return Some(Container::Rtf);
        }
        let base = base_name(name);
        (!base.contains('.') && crate::mbox::looks_like_mbox(head)).then_some(Container::Mbox)
    }

    /// The container a file is by its name, or else by its first bytes.
    pub fn for_file(name: &str, head: &[u8]) -> Option<Container> {
        Container::for_name(name).or_else(|| Container::sniff(name, head))
    }

    /// A document that is only text (RTF): it holds no members, so it is
    /// no archive layer and is read at any `--max-archive-depth`, as the
    /// text file it was read as before it was known.
    fn is_text_document(self) -> bool {
        self == Container::Rtf
    }

    /// Zip archives and spreadsheets are read by seeking; the others stream.
    fn needs_random_access(self) -> bool {
        matches!(
            self,
            Container::Zip
                | Container::Xlsx
                | Container::Xls
                | Container::Ods
                | Container::Document(_)
                | Container::Mail
                | Container::OutlookMsg
                | Container::Pdf
        )
    }
}

/// What one archive found by the walk has unpacked so far, shared by every
/// stream nested in it.
pub(crate) struct Budget {
    pub(crate) limits: ArchiveLimits,
    used: Cell<u64>,
    /// Set once `max_bytes` is passed: every stream of the archive stops.
    exhausted: Cell<bool>,
}

impl Budget {
    pub(crate) fn new(limits: ArchiveLimits) -> Self {
        Budget {
            limits,
            used: Cell::new(0),
            exhausted: Cell::new(false),
        }
    }

    fn bytes_message(&self) -> String {
        format!(
            "unpacked more than {} bytes from one archive (--max-archive-bytes, limits.max_archive_bytes)",
            self.limits.max_bytes
        )
    }

    /// Counts `n` unpacked bytes; the error says the archive is over budget.
    pub(crate) fn charge(&self, n: u64) -> Result<(), LimitExceeded> {
        let used = self.used.get().saturating_add(n);
        self.used.set(used);
        if used > self.limits.max_bytes {
            self.exhausted.set(true);
        }
        if self.exhausted.get() {
            return Err(LimitExceeded(self.bytes_message()));
        }
        Ok(())
    }

    /// Bytes that may still be unpacked.
    pub(crate) fn remaining(&self) -> u64 {
        self.limits.max_bytes.saturating_sub(self.used.get())
    }

    pub(crate) fn is_exhausted(&self) -> bool {
        self.exhausted.get()
    }
}

/// How many compressed bytes stand behind a stream, for its ratio.
#[derive(Clone, Copy)]
enum Compressed<'c> {
    /// Known up front (a zip member's compressed size: the zip reader never
    /// reads past it).
    Known(u64),
    /// Counted as the decompressor consumes its input (gzip).
    Counted(&'c Cell<u64>),
}

/// A decompressed stream that stops at the archive's limits.
struct Guard<'b, R> {
    inner: R,
    budget: &'b Budget,
    compressed: Compressed<'b>,
    inflated: u64,
    /// Set when this stream passed the ratio: it stays stopped.
    stopped: Option<LimitExceeded>,
}

impl<'b, R: Read> Guard<'b, R> {
    fn new(inner: R, budget: &'b Budget, compressed: Compressed<'b>) -> Self {
        Guard {
            inner,
            budget,
            compressed,
            inflated: 0,
            stopped: None,
        }
    }
}

fn limit_error(limit: LimitExceeded) -> std::io::Error {
    std::io::Error::other(limit)
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(stop) = &self.stopped {
            return Err(limit_error(stop.clone()));
        }
        if self.budget.is_exhausted() {
            return Err(limit_error(LimitExceeded(self.budget.bytes_message())));
        }
        // Small steps, so a limit is noticed within GUARD_STEP bytes however
        // large the caller's buffer is.
        let step = buf.len().min(GUARD_STEP);
        let n = self.inner.read(&mut buf[..step])?;
        self.inflated += n as u64;
        self.budget.charge(n as u64).map_err(limit_error)?;
        let compressed = match self.compressed {
            Compressed::Known(c) => c,
            Compressed::Counted(c) => c.get(),
        };
        let ratio = self.budget.limits.max_ratio;
        if self.inflated > RATIO_GRACE && self.inflated > compressed.saturating_mul(ratio) {
            let stop = LimitExceeded(format!(
                "compression ratio over {ratio}:1 ({} bytes unpacked from {compressed}) (--max-archive-ratio, limits.max_archive_ratio)",
                self.inflated
            ));
            self.stopped = Some(stop.clone());
            return Err(limit_error(stop));
        }
        Ok(n)
    }
}

/// Counts the bytes a decompressor takes from its input.
struct Counting<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A reader whose first bytes were read ahead, to tell a file's format by
/// them: those bytes, then the rest.
pub(crate) struct Prefixed<'h, R> {
    head: &'h [u8],
    at: usize,
    rest: R,
    /// The head is all there is: the rest is not read again (for a small
    /// file, a read that would only say it ended).
    head_is_all: bool,
    /// An error met reading ahead: returned where it happened.
    error: Option<std::io::Error>,
}

impl<'h, R: Read> Prefixed<'h, R> {
    /// Reads up to `limit` bytes of `rest` into `head` (emptied first).
    pub(crate) fn read_ahead(head: &'h mut Vec<u8>, mut rest: R, limit: usize) -> Self {
        head.clear();
        head.reserve(limit);
        let (head_is_all, error) = match (&mut rest).take(limit as u64).read_to_end(head) {
            Ok(n) => (n < limit, None),
            Err(e) => (false, Some(e)),
        };
        Prefixed {
            head,
            at: 0,
            rest,
            head_is_all,
            error,
        }
    }

    /// The bytes read ahead.
    pub(crate) fn head(&self) -> &[u8] {
        self.head
    }
}

impl<R: Read> Read for Prefixed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.head_is_all {
            return Ok(0);
        }
        self.rest.read(buf)
    }
}

/// The limit an error carries, looked for through wrapping errors.
pub(crate) fn limit_in<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e LimitExceeded> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(limit) = err.downcast_ref::<LimitExceeded>() {
            return Some(limit);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(limit) = limit_in(inner)
        {
            return Some(limit);
        }
        current = err.source();
    }
    None
}

/// The reason and detail for an error that stopped reading a container.
fn container_error(
    e: &(dyn std::error::Error + 'static),
    budget: &Budget,
    what: &str,
) -> (SkipReason, String) {
    if let Some(limit) = limit_in(e) {
        return (SkipReason::LimitHit, limit.to_string());
    }
    if budget.is_exhausted() {
        return (SkipReason::LimitHit, budget.bytes_message());
    }
    (SkipReason::Corrupt, format!("{what}: {e}"))
}

/// The reason and detail for a part of an Outlook message not read.
fn outlook_error(e: &MsgError, budget: &Budget) -> (SkipReason, String) {
    match e {
        MsgError::NotAMessage => (SkipReason::Unsupported, e.to_string()),
        MsgError::OverAllowance { .. } if budget.remaining() < MAX_IN_MEMORY => (
            SkipReason::LimitHit,
            format!("{e}: {}", budget.bytes_message()),
        ),
        MsgError::OverAllowance { .. } => (
            SkipReason::LimitHit,
            format!("{e}: a message part is read into memory up to {MAX_IN_MEMORY} bytes"),
        ),
        MsgError::TooDeep => (SkipReason::LimitHit, e.to_string()),
        MsgError::NotCompoundFile(_)
        | MsgError::LargerThanFile { .. }
        | MsgError::Unreadable { .. } => (SkipReason::Corrupt, e.to_string()),
    }
}

/// The reason for what kept an RTF document's text from being read whole.
fn rtf_reason(problem: &rtf::RtfProblem) -> SkipReason {
    if problem.is_limit() {
        SkipReason::LimitHit
    } else {
        SkipReason::Corrupt
    }
}

/// The reason and detail for what stopped reading a PDF or one of its pages.
fn pdf_error(e: &PdfError) -> (SkipReason, String) {
    match e {
        PdfError::Limit(limit) => (SkipReason::LimitHit, limit.to_string()),
        PdfError::Unreadable(_) | PdfError::Damaged(_) | PdfError::ReaderFault(_) => {
            (SkipReason::Corrupt, e.to_string())
        }
    }
}

/// A member name made safe to print: control characters (a newline in a
/// crafted name would forge report lines) become `?`. Nothing else is
/// changed, `../` included: the name is never used as a path.
pub(crate) fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Bytes of an archive member without an extension read ahead to see
/// whether it starts with a mailbox's `From ` line and its date.
const MAILBOX_SNIFF_LEN: usize = 1024;

/// What a container says about one of its members.
struct Member {
    /// The display path, `ARCHIVE!/NAME`.
    path: String,
    /// The name inside the container, for recognising its format.
    name: String,
    /// The unpacked size the container declares, when it does.
    size: Option<u64>,
    modified: Option<SystemTime>,
    /// What `modified` is.
    dated: Dated,
}

impl Member {
    fn outcome(&self) -> FileOutcome {
        FileOutcome {
            dated: self.dated,
            ..FileOutcome::start(self.path.clone(), self.size.unwrap_or(0), self.modified)
        }
    }
}

/// Marks a container partly scanned: the archive's byte budget ran out
/// with `rest` of its `total` members (`what`: attachments, ...) left.
fn budget_spent(outcome: &mut FileOutcome, budget: &Budget, rest: usize, total: usize, what: &str) {
    partial(
        outcome,
        SkipReason::LimitHit,
        format!(
            "{}; {rest} of {total} {what} not scanned",
            budget.bytes_message()
        ),
    );
}

/// The time of a member that may carry its own modification time (a tar
/// or zip entry): that, else its container's.
fn member_time(own: Option<SystemTime>, outcome: &FileOutcome) -> (Option<SystemTime>, Dated) {
    match own {
        Some(time) => (Some(time), Dated::Modified),
        None => (outcome.modified, outcome.dated),
    }
}

/// The time of a message's parts: when it was written, when the message
/// says; else the time its container gives (`outcome`'s).
fn message_time(written: Option<SystemTime>, outcome: &FileOutcome) -> (Option<SystemTime>, Dated) {
    match written {
        Some(time) => (Some(time), Dated::Message),
        None => (outcome.modified, outcome.dated),
    }
}

/// Reads all of `reader` (a `what`: a nested archive, a message, a part of
/// a document) into memory, up to [`MAX_IN_MEMORY`]; `None`, with the
/// reason in `outcome`, when it cannot be read or is larger.
fn read_in_memory(
    reader: &mut dyn Read,
    budget: &Budget,
    what: &str,
    outcome: &mut FileOutcome,
) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    if let Err(e) = reader.take(MAX_IN_MEMORY + 1).read_to_end(&mut data) {
        let (reason, detail) = container_error(&e, budget, &format!("reading the {what}"));
        skipped(outcome, reason, detail);
        return None;
    }
    if data.len() as u64 > MAX_IN_MEMORY {
        skipped(
            outcome,
            SkipReason::LimitHit,
            format!("{what} is over the {MAX_IN_MEMORY} bytes opened in memory"),
        );
        return None;
    }
    Some(data)
}

fn skipped(outcome: &mut FileOutcome, reason: SkipReason, detail: String) {
    outcome.status = FileStatus::Skipped { reason, detail };
}

/// Marks a container as not scanned to the end, keeping the first reason.
fn partial(outcome: &mut FileOutcome, reason: SkipReason, detail: String) {
    if matches!(outcome.status, FileStatus::Complete) {
        outcome.status = FileStatus::Partial { reason, detail };
    }
}

/// Converts a zip (MS-DOS) timestamp, which has no time zone, read as UTC.
fn zip_time(t: zip::DateTime) -> Option<SystemTime> {
    let day = crate::mbox::utc_seconds(i32::from(t.year()), t.month().into(), t.day().into())?;
    let secs =
        day + i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    u64::try_from(secs)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

fn unix_time(secs: u64) -> Option<SystemTime> {
    (secs > 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// The name of a gzip file's member: its own name without `.gz`.
fn gzip_member_name(container_path: &str) -> String {
    let base = base_name(container_path);
    match base.len().checked_sub(3) {
        Some(cut) if base.is_char_boundary(cut) && base[cut..].eq_ignore_ascii_case(".gz") => {
            base[..cut].to_string()
        }
        _ => base.to_string(),
    }
}

/// What the functions below pass down the nesting.
struct Walk<'s, 'b> {
    budget: &'b Budget,
    sink: &'s mut dyn ScanSink,
    progress: &'s dyn Fn(u64),
}

impl FileScanner<'_> {
    /// Scans a compressed file, archive or spreadsheet found by the walk.
    /// Its members go to `sink` as entries; `outcome` is the container's own.
    pub(crate) fn scan_container_file<R: Read + Seek>(
        &mut self,
        kind: Container,
        file: R,
        outcome: &mut FileOutcome,
        sink: &mut dyn ScanSink,
        progress: &dyn Fn(u64),
    ) {
        let limits = self.settings().archive;
        if limits.max_depth == 0 && !kind.is_text_document() {
            skipped(
                outcome,
                SkipReason::LimitHit,
                "archives are not opened (--max-archive-depth 0, limits.max_archive_depth)".into(),
            );
            return;
        }
        let budget = Budget::new(limits);
        let mut walk = Walk {
            budget: &budget,
            sink,
            progress,
        };
        let mut reader = BufReader::new(file);
        if kind.needs_random_access() {
            self.open_random(kind, &mut reader, outcome, 1, &mut walk);
        } else {
            self.open_stream(kind, &mut reader, outcome, 1, &mut walk);
        }
    }

    /// Scans one member read from `reader`: a file, or a container nested
    /// `depth` layers deep (1: inside an archive found by the walk).
    fn scan_member(
        &mut self,
        reader: &mut dyn Read,
        member: Member,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) -> FileOutcome {
        let mut outcome = member.outcome();
        if self.over_max_filesize(&member, &mut outcome) {
            return outcome;
        }
        // Enough to tell a PDF by its signature; a member without an
        // extension may be a mail program's folder, told by its first line.
        let ahead = if base_name(&member.name).contains('.') {
            PDF_SIGNATURE.len()
        } else {
            MAILBOX_SNIFF_LEN
        };
        let mut first = Vec::new();
        let mut head = Prefixed::read_ahead(&mut first, reader, ahead);
        let Some(kind) = Container::for_file(&member.name, head.head()) else {
            let sink = &mut *walk.sink;
            self.scan_reader(
                &mut head,
                Format::for_path(std::path::Path::new(&member.name)),
                None,
                &mut outcome,
                &mut |f: &mut Finding| sink.finding(f),
                walk.progress,
            );
            if member.size.is_none() {
                outcome.size = outcome.bytes_scanned;
            }
            return outcome;
        };
        let max_depth = walk.budget.limits.max_depth;
        if depth >= max_depth && !kind.is_text_document() {
            skipped(
                &mut outcome,
                SkipReason::LimitHit,
                format!(
                    "archive nested more than {max_depth} deep (--max-archive-depth, limits.max_archive_depth)"
                ),
            );
            return outcome;
        }
        if !kind.needs_random_access() {
            self.open_stream(kind, &mut head, &mut outcome, depth + 1, walk);
            return outcome;
        }
        // Random access: read the member into memory, within limits.
        let what = match kind {
            Container::Pdf => "PDF",
            _ => "nested archive",
        };
        if let Some(size) = member.size
            && size > MAX_IN_MEMORY
        {
            skipped(
                &mut outcome,
                SkipReason::LimitHit,
                format!(
                    "{what} of {size} bytes is over the {MAX_IN_MEMORY} bytes opened in memory"
                ),
            );
            return outcome;
        }
        let Some(data) = read_in_memory(&mut head, walk.budget, what, &mut outcome) else {
            return outcome;
        };
        outcome.size = data.len() as u64;
        self.open_random(kind, &mut Cursor::new(data), &mut outcome, depth + 1, walk);
        outcome
    }

    /// Opens a streaming container (gzip, tar, tar.gz) that is `depth`
    /// layers deep.
    fn open_stream(
        &mut self,
        kind: Container,
        reader: &mut dyn Read,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let consumed = Cell::new(0u64);
        let counting = Counting {
            inner: reader,
            count: &consumed,
        };
        match kind {
            Container::Gzip => {
                let name = gzip_member_name(&outcome.path);
                let member = Member {
                    path: format!("{}{MEMBER_SEPARATOR}{}", outcome.path, printable(&name)),
                    name,
                    size: None,
                    modified: outcome.modified,
                    dated: outcome.dated,
                };
                // Concatenated gzip streams (rotated logs) are one member.
                let decoder = flate2::read::MultiGzDecoder::new(counting);
                let mut guard = Guard::new(decoder, walk.budget, Compressed::Counted(&consumed));
                let mut member_outcome = self.scan_member(&mut guard, member, depth, walk);
                if let Some(mtime) = guard
                    .inner
                    .header()
                    .and_then(|h| unix_time(h.mtime().into()))
                {
                    member_outcome.modified = Some(mtime);
                    member_outcome.dated = Dated::Modified;
                }
                self.enter_member(member_outcome, walk);
            }
            Container::TarGz => {
                let decoder = flate2::read::MultiGzDecoder::new(counting);
                let mut guard = Guard::new(decoder, walk.budget, Compressed::Counted(&consumed));
                self.scan_tar(&mut guard, outcome, depth, walk);
            }
            Container::Tar => {
                // Not compressed: its bytes are counted by the layer that
                // unpacked it, if any.
                let mut reader = counting;
                self.scan_tar(&mut reader, outcome, depth, walk);
            }
            Container::Mbox => {
                let mut reader = counting;
                self.scan_mbox(&mut reader, outcome, depth, walk);
            }
            Container::Rtf => {
                let mut reader = counting;
                self.scan_rtf(&mut reader, outcome, walk);
            }
            Container::Zip
            | Container::Xlsx
            | Container::Xls
            | Container::Ods
            | Container::Document(_)
            | Container::Mail
            | Container::OutlookMsg
            | Container::Pdf => {
                unreachable!("random-access containers are opened by open_random")
            }
        }
    }

    /// Scans the members of a tar stream.
    fn scan_tar(
        &mut self,
        reader: &mut dyn Read,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => {
                let (reason, detail) =
                    container_error(&e, walk.budget, "not a readable tar archive");
                skipped(outcome, reason, detail);
                return;
            }
        };
        for (seen, entry) in entries.enumerate() {
            if crate::interrupt::requested() {
                partial(outcome, SkipReason::Interrupted, "stopped".into());
                return;
            }
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let (reason, detail) = container_error(&e, walk.budget, "tar archive");
                    if seen == 0 {
                        skipped(outcome, reason, detail);
                    } else {
                        partial(outcome, reason, detail);
                    }
                    return;
                }
            };
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let header = entry.header();
            let (modified, dated) = member_time(header.mtime().ok().and_then(unix_time), outcome);
            let member = Member {
                path: format!("{}{MEMBER_SEPARATOR}{}", outcome.path, printable(&name)),
                size: Some(entry.size()),
                modified,
                dated,
                name,
            };
            let kind = header.entry_type();
            let member_outcome = if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
                self.scan_member(&mut entry, member, depth, walk)
            } else if kind.is_dir() {
                continue;
            } else if kind.is_symlink() || kind.is_hard_link() {
                let mut o = member.outcome();
                skipped(
                    &mut o,
                    SkipReason::Symlink,
                    "link inside an archive (not followed)".into(),
                );
                o
            } else if kind.is_pax_global_extensions() {
                continue;
            } else {
                let mut o = member.outcome();
                skipped(
                    &mut o,
                    SkipReason::Unsupported,
                    format!(
                        "special file inside an archive (tar type {})",
                        kind.as_byte()
                    ),
                );
                o
            };
            if self.enter_member(member_outcome, walk) {
                partial(outcome, SkipReason::LimitHit, walk.budget.bytes_message());
                return;
            }
        }
    }

    /// Hands a member's outcome, with the profiles its scan made, to the
    /// sink; true when the archive's byte budget is spent, so the container
    /// stops (and says so in its own words).
    fn enter_member(&mut self, member: FileOutcome, walk: &mut Walk<'_, '_>) -> bool {
        let profiles = self.take_profiles();
        walk.sink.entry(member, profiles);
        walk.budget.is_exhausted()
    }

    /// Opens a container that needs random access (zip, spreadsheets) that
    /// is `depth` layers deep.
    fn open_random<R: Read + Seek>(
        &mut self,
        kind: Container,
        reader: &mut R,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        match kind {
            Container::Zip => self.scan_zip(reader, None, outcome, depth, walk),
            Container::Document(document) => {
                self.scan_zip(reader, Some(document), outcome, depth, walk)
            }
            Container::Mail => self.scan_mail(reader, outcome, depth, walk),
            Container::OutlookMsg => self.scan_outlook(reader, outcome, depth, walk),
            Container::Pdf => self.scan_pdf(reader, outcome, depth, walk),
            Container::Xlsx | Container::Xls | Container::Ods => {
                self.scan_workbook(kind, reader, outcome, walk.budget, walk.sink, walk.progress)
            }
            Container::Gzip
            | Container::TarGz
            | Container::Tar
            | Container::Mbox
            | Container::Rtf => self.open_stream(kind, reader, outcome, depth, walk),
        }
    }

    /// Scans the members of a zip archive; of a `document`, the text of its
    /// text parts and the members with content of their own (images,
    /// embedded workbooks), not its layout.
    fn scan_zip<R: Read + Seek>(
        &mut self,
        reader: &mut R,
        document: Option<DocumentKind>,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                skipped(
                    outcome,
                    SkipReason::Corrupt,
                    format!("not a readable zip archive: {e}"),
                );
                return;
            }
        };
        let total = archive.len();
        for index in 0..total {
            if crate::interrupt::requested() {
                partial(
                    outcome,
                    SkipReason::Interrupted,
                    format!("stopped before member {} of {total}", index + 1),
                );
                return;
            }
            let (member, encrypted, symlink, compressed) = match archive.by_index_data(index) {
                Ok(entry) => {
                    if entry.is_dir() {
                        continue;
                    }
                    let name = match entry.name() {
                        Ok(n) => n.into_owned(),
                        Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
                    };
                    if document.is_some_and(|kind| office::part(kind, &name) == Part::Structure) {
                        continue;
                    }
                    let (modified, dated) =
                        member_time(entry.last_modified().and_then(zip_time), outcome);
                    let member = Member {
                        path: format!("{}{MEMBER_SEPARATOR}{}", outcome.path, printable(&name)),
                        name,
                        size: Some(entry.size()),
                        modified,
                        dated,
                    };
                    (
                        member,
                        entry.encrypted(),
                        entry.is_symlink(),
                        entry.compressed_size(),
                    )
                }
                Err(e) => {
                    partial(
                        outcome,
                        SkipReason::Corrupt,
                        format!("zip entry {} of {total}: {e}", index + 1),
                    );
                    continue;
                }
            };
            let member_outcome = if encrypted {
                let mut o = member.outcome();
                skipped(
                    &mut o,
                    SkipReason::Encrypted,
                    "encrypted zip member (no password to read it)".into(),
                );
                o
            } else if symlink {
                let mut o = member.outcome();
                skipped(
                    &mut o,
                    SkipReason::Symlink,
                    "link inside an archive (not followed)".into(),
                );
                o
            } else {
                match archive.by_index(index) {
                    Ok(file) => {
                        let mut guard =
                            Guard::new(file, walk.budget, Compressed::Known(compressed));
                        match document {
                            Some(kind) if office::part(kind, &member.name) == Part::Text => {
                                self.scan_document_text(&mut guard, member, walk)
                            }
                            _ => self.scan_member(&mut guard, member, depth, walk),
                        }
                    }
                    Err(e) => {
                        let mut o = member.outcome();
                        let (reason, detail) =
                            container_error(&e, walk.budget, "cannot read zip member");
                        skipped(&mut o, reason, detail);
                        o
                    }
                }
            };
            if self.enter_member(member_outcome, walk) {
                budget_spent(outcome, walk.budget, total - index - 1, total, "members");
                return;
            }
        }
    }

    /// Whether `member` is larger than `--max-filesize`, noted in `outcome`.
    fn over_max_filesize(&self, member: &Member, outcome: &mut FileOutcome) -> bool {
        let (Some(max), Some(size)) = (self.settings().max_filesize, member.size) else {
            return false;
        };
        if size <= max {
            return false;
        }
        skipped(
            outcome,
            SkipReason::TooLarge,
            format!("{size} bytes unpacked > {max} (--max-filesize, limits.max_filesize)"),
        );
        true
    }

    /// Scans an e-mail message: its headers as they are written (line
    /// numbers those of the file), each text body decoded from its transfer
    /// encoding and character set (an HTML body as its text), and each
    /// attachment as a member of an archive (an attached message is opened
    /// in turn). Quoted-printable breaks a long line with `=` at the end,
    /// anywhere, also inside an address; decoded, the address is whole.
    fn scan_mail<R: Read + Seek>(
        &mut self,
        reader: &mut R,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let Some(raw) = read_in_memory(reader, walk.budget, "message", outcome) else {
            return;
        };
        self.scan_message(&raw, outcome, depth, walk);
    }

    /// Scans one e-mail message held in memory, as [`Self::scan_mail`]
    /// describes.
    fn scan_message(
        &mut self,
        raw: &[u8],
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let Some(message) = mail_parser::MessageParser::default().parse(raw) else {
            skipped(
                outcome,
                SkipReason::Corrupt,
                "not a readable e-mail message".into(),
            );
            return;
        };
        let part_path =
            |name: &str| format!("{}{MEMBER_SEPARATOR}{}", outcome.path, printable(name));
        // Its parts are as old as the message: exported messages all carry
        // the time of the export, the Date header when they were written.
        let (written, dated) = message_time(
            message
                .date()
                .and_then(|date| u64::try_from(date.to_timestamp()).ok())
                .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs)),
            outcome,
        );
        let headers_end = (message.root_part().raw_body_offset() as usize).min(raw.len());
        let headers = crate::mime::decode_encoded_words(&raw[..headers_end]);
        let mut texts = vec![("headers".to_string(), headers)];
        let numbered = |kind: &str, i: usize| match i {
            0 => kind.to_string(),
            _ => format!("{kind} {}", i + 1),
        };
        for i in 0..message.text_body_count() {
            if let Some(text) = message.body_text(i) {
                texts.push((numbered("body", i), text.into_owned().into_bytes()));
            }
        }
        // An HTML alternative is content of its own: mailers do not always
        // put the same in both.
        for i in 0..message.html_body_count() {
            let html = message.html_part(i as u32);
            let also_text = (0..message.text_body_count()).any(|t| {
                html.is_some_and(|h| {
                    message
                        .text_part(t as u32)
                        .is_some_and(|p| std::ptr::eq(p, h))
                })
            });
            if let (false, Some(text)) = (also_text, html.and_then(|h| h.text_contents())) {
                let text = mail_parser::decoders::html::html_to_text(text);
                texts.push((numbered("body.html", i), text.into_bytes()));
            }
        }
        for (name, text) in texts {
            let member = Member {
                path: part_path(&name),
                name,
                size: Some(text.len() as u64),
                modified: written,
                dated,
            };
            let mut part_outcome = member.outcome();
            self.scan_decoded_text(&text, &mut part_outcome, walk);
            self.enter_member(part_outcome, walk);
        }
        for (i, attachment) in message.attachments().enumerate() {
            use mail_parser::MimeHeaders;
            let mut name = match attachment.attachment_name() {
                Some(name) => name.to_string(),
                None => format!("attachment {}", i + 1),
            };
            if attachment.is_message() && !name.to_ascii_lowercase().ends_with(".eml") {
                // Opened as the message it is, whatever it was called.
                name.push_str(".eml");
            }
            let contents = attachment.contents();
            let member = Member {
                path: part_path(&name),
                name,
                size: Some(contents.len() as u64),
                modified: written,
                dated,
            };
            let member_outcome = match walk.budget.charge(contents.len() as u64) {
                Ok(()) => self.scan_member(&mut &contents[..], member, depth, walk),
                Err(limit) => {
                    let mut o = member.outcome();
                    skipped(&mut o, SkipReason::LimitHit, limit.0);
                    o
                }
            };
            if self.enter_member(member_outcome, walk) {
                partial(outcome, SkipReason::LimitHit, walk.budget.bytes_message());
                return;
            }
        }
    }

    /// Scans an mbox mailbox: each message is a member, `message N` (from
    /// 1, in the order of the file), opened as an `.eml` file is, dated by
    /// its `From ` line (the mailbox's own time when that has none). A
    /// message is read into memory up to [`MAX_IN_MEMORY`]; one longer is
    /// scanned that far and listed as cut. A file that does not start with
    /// a message is read as text.
    fn scan_mbox(
        &mut self,
        reader: &mut dyn Read,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let mut mailbox = crate::mbox::Mailbox::new(reader, MAX_IN_MEMORY as usize);
        match mailbox.starts_with_message() {
            Ok(true) => {}
            Ok(false) => {
                let sink = &mut *walk.sink;
                self.scan_reader(
                    &mut mailbox.into_rest(),
                    Format::Text,
                    None,
                    outcome,
                    &mut |f: &mut Finding| sink.finding(f),
                    walk.progress,
                );
                return;
            }
            Err(e) => {
                let (reason, detail) = container_error(&e, walk.budget, "reading the mailbox");
                skipped(outcome, reason, detail);
                return;
            }
        }
        let max_depth = walk.budget.limits.max_depth;
        for n in 1.. {
            if crate::interrupt::requested() {
                partial(outcome, SkipReason::Interrupted, "stopped".into());
                return;
            }
            let message = match mailbox.next_message() {
                Ok(Some(message)) => message,
                Ok(None) => return,
                Err(e) => {
                    let (reason, detail) = container_error(&e, walk.budget, "reading the mailbox");
                    if n == 1 {
                        skipped(outcome, reason, detail);
                    } else {
                        partial(outcome, reason, detail);
                    }
                    return;
                }
            };
            let name = format!("message {n}");
            let (modified, dated) = message_time(message.received, outcome);
            let member = Member {
                path: format!("{}{MEMBER_SEPARATOR}{name}", outcome.path),
                name,
                size: Some(message.data.len() as u64 + message.dropped),
                modified,
                dated,
            };
            let mut message_outcome = member.outcome();
            if depth >= max_depth {
                skipped(
                    &mut message_outcome,
                    SkipReason::LimitHit,
                    format!(
                        "archive nested more than {max_depth} deep (--max-archive-depth, limits.max_archive_depth)"
                    ),
                );
            } else {
                self.scan_message(&message.data, &mut message_outcome, depth + 1, walk);
                if message.dropped > 0 {
                    partial(
                        &mut message_outcome,
                        SkipReason::LimitHit,
                        format!(
                            "message over the {MAX_IN_MEMORY} bytes opened in memory: the first {} of {} bytes read",
                            message.data.len(),
                            message.data.len() as u64 + message.dropped
                        ),
                    );
                }
            }
            if self.enter_member(message_outcome, walk) {
                partial(outcome, SkipReason::LimitHit, walk.budget.bytes_message());
                return;
            }
        }
    }

    /// Scans an Outlook message: the parts an `.eml` has, under the same
    /// names (`headers`, `body`, `body.html`, each attachment by its file
    /// name, an attached message as `NAME.msg` or `attachment N.msg`, never
    /// by its subject, opened in turn). The
    /// file is read where it is, not copied into memory: each part is
    /// read from its stream, within the archive's byte budget.
    fn scan_outlook<R: Read + Seek>(
        &mut self,
        reader: &mut R,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        match OutlookFile::open(reader) {
            Ok(mut file) => {
                self.scan_outlook_message(&mut file, &MessageAt::root(), outcome, depth, walk)
            }
            Err(e) => {
                let (reason, detail) = outlook_error(&e, walk.budget);
                skipped(outcome, reason, detail);
            }
        }
    }

    /// Scans the message at `at` of an Outlook file, `depth` layers deep;
    /// its parts go to the sink as entries, `outcome` is the message's own.
    fn scan_outlook_message<F: Read + Seek>(
        &mut self,
        file: &mut OutlookFile<F>,
        at: &MessageAt,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        // The bodies are held in memory while they are scanned: no more
        // than a member read into memory, nor than the budget has left.
        let allowed = walk.budget.remaining().min(MAX_IN_MEMORY);
        let mut allowance = allowed;
        let read = file.message(at, &mut allowance);
        if let Err(limit) = walk.budget.charge(allowed - allowance) {
            skipped(outcome, SkipReason::LimitHit, limit.0);
            return;
        }
        let message = match read {
            Ok(message) => message,
            Err(e) => {
                let (reason, detail) = outlook_error(&e, walk.budget);
                skipped(outcome, reason, detail);
                return;
            }
        };
        for problem in &message.problems {
            let (reason, detail) = outlook_error(problem, walk.budget);
            partial(outcome, reason, detail);
        }
        let rtf_text = message
            .rtf
            .as_deref()
            .and_then(|compressed| self.outlook_rtf_body(compressed, allowance, outcome, walk));
        let part_path =
            |name: &str| format!("{}{MEMBER_SEPARATOR}{}", outcome.path, printable(name));
        // Its parts are as old as the message (see `scan_message`).
        let (written, dated) = message_time(message.sent, outcome);
        // The headers it arrived with have encoded words, as an `.eml`'s.
        let headers = crate::mime::decode_encoded_words(message.headers.as_bytes());
        let mut texts = vec![("headers", String::from_utf8_lossy(&headers).into_owned())];
        texts.extend(message.body.map(|body| ("body", body)));
        texts.extend(message.html.map(|html| {
            (
                "body.html",
                mail_parser::decoders::html::html_to_text(&html),
            )
        }));
        texts.extend(rtf_text.map(|text| ("body.rtf", text)));
        for (name, text) in texts {
            let member = Member {
                path: part_path(name),
                name: name.to_string(),
                size: Some(text.len() as u64),
                modified: written,
                dated,
            };
            let mut part_outcome = member.outcome();
            self.scan_decoded_text(text.as_bytes(), &mut part_outcome, walk);
            self.enter_member(part_outcome, walk);
        }
        let total = message.attachments.len();
        for (i, attachment) in message.attachments.into_iter().enumerate() {
            if crate::interrupt::requested() {
                partial(
                    outcome,
                    SkipReason::Interrupted,
                    format!("stopped before attachment {} of {total}", i + 1),
                );
                return;
            }
            let mut name = attachment
                .name
                .unwrap_or_else(|| format!("attachment {}", i + 1));
            let is_message = matches!(attachment.content, AttachmentContent::Message(_));
            if is_message && !name.to_ascii_lowercase().ends_with(".msg") {
                name.push_str(".msg");
            }
            let size = match attachment.content {
                AttachmentContent::Data { size, .. } => Some(size),
                _ => None,
            };
            let member = Member {
                path: part_path(&name),
                name,
                size,
                modified: written,
                dated,
            };
            let member_outcome = match attachment.content {
                AttachmentContent::Data { stream, size } => match file.attachment_data(&stream) {
                    Ok(data) => {
                        let mut guard = Guard::new(data, walk.budget, Compressed::Known(size));
                        self.scan_member(&mut guard, member, depth, walk)
                    }
                    Err(e) => {
                        let mut o = member.outcome();
                        let (reason, detail) = outlook_error(&e, walk.budget);
                        skipped(&mut o, reason, detail);
                        o
                    }
                },
                AttachmentContent::Message(inner) => {
                    let mut o = member.outcome();
                    let max_depth = walk.budget.limits.max_depth;
                    if depth >= max_depth {
                        skipped(
                            &mut o,
                            SkipReason::LimitHit,
                            format!(
                                "message nested more than {max_depth} deep (--max-archive-depth, limits.max_archive_depth)"
                            ),
                        );
                    } else {
                        self.scan_outlook_message(file, &inner, &mut o, depth + 1, walk);
                    }
                    o
                }
                AttachmentContent::OleObject => {
                    let mut o = member.outcome();
                    skipped(
                        &mut o,
                        SkipReason::Unsupported,
                        "an OLE object embedded in the message: not read".into(),
                    );
                    o
                }
                AttachmentContent::Damaged(e) => {
                    let mut o = member.outcome();
                    let (reason, detail) = outlook_error(&e, walk.budget);
                    skipped(&mut o, reason, detail);
                    o
                }
            };
            if self.enter_member(member_outcome, walk) {
                budget_spent(outcome, walk.budget, total - i - 1, total, "attachments");
                return;
            }
        }
    }

    /// The text of an Outlook message's body kept only as compressed RTF,
    /// decompressed within what the message's `allowance` left (and
    /// charged to the budget, as the other bodies are); `None`, with the
    /// reason in `outcome`, when it cannot be read.
    fn outlook_rtf_body(
        &mut self,
        compressed: &[u8],
        allowance: u64,
        outcome: &mut FileOutcome,
        walk: &mut Walk<'_, '_>,
    ) -> Option<String> {
        let limit = usize::try_from(allowance.min(walk.budget.remaining())).unwrap_or(usize::MAX);
        let document = match rtf::decompress(compressed, limit) {
            Ok(document) => document,
            Err(e) => {
                let reason = if e.is_limit() {
                    SkipReason::LimitHit
                } else {
                    SkipReason::Corrupt
                };
                partial(outcome, reason, format!("compressed RTF body: {e}"));
                return None;
            }
        };
        if let Err(limit) = walk.budget.charge(document.len() as u64) {
            partial(outcome, SkipReason::LimitHit, limit.0);
            return None;
        }
        let read = rtf::text_of(&document);
        if let Some(problem) = &read.problem {
            partial(
                outcome,
                rtf_reason(problem),
                format!("compressed RTF body: {problem}"),
            );
        }
        Some(read.text)
    }

    /// Scans an RTF document: its text, a line per paragraph, as the
    /// file's (or member's) own; one that is not RTF is `corrupt`.
    fn scan_rtf(
        &mut self,
        reader: &mut dyn Read,
        outcome: &mut FileOutcome,
        walk: &mut Walk<'_, '_>,
    ) {
        let Some(data) = read_in_memory(reader, walk.budget, "RTF document", outcome) else {
            return;
        };
        let read = rtf::text_of(&data);
        if read.problem == Some(rtf::RtfProblem::NotRtf) {
            skipped(
                outcome,
                SkipReason::Corrupt,
                rtf::RtfProblem::NotRtf.to_string(),
            );
            return;
        }
        self.scan_decoded_text(read.text.as_bytes(), outcome, walk);
        // The document's size, not its text's.
        outcome.size = data.len() as u64;
        if let Some(problem) = &read.problem {
            partial(outcome, rtf_reason(problem), problem.to_string());
        }
    }

    /// Scans a PDF `depth` layers deep: what it holds besides its pages
    /// (`metadata`: its document information as lines `Key: value`;
    /// `metadata.xml`: its XMP packet, as XML; `form`: the values filled
    /// into its form, as NDJSON named by field), then each page with text
    /// as a member, `page N`, scanned as text of a line per line drawn,
    /// with the comments on it as `page N annotations`, and last each file
    /// embedded in it as a member of an archive, by its file name. A part
    /// that could not be read is listed with why; a PDF whose pages have no
    /// text at all (scanned images) is listed as not read, or as partly
    /// read when it holds something else, never counted as scanned.
    fn scan_pdf<R: Read>(
        &mut self,
        reader: &mut R,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let Some(data) = read_in_memory(reader, walk.budget, "PDF", outcome) else {
            return;
        };
        let document = match Pdf::open(&data, walk.budget) {
            Ok(Opened::Readable(document)) => document,
            Ok(Opened::Locked) => {
                skipped(
                    outcome,
                    SkipReason::Encrypted,
                    "an encrypted PDF (no password to read it with)".into(),
                );
                return;
            }
            Err(e) => {
                let (reason, detail) = pdf_error(&e);
                skipped(outcome, reason, detail);
                return;
            }
        };
        let pages = document.pages();
        // Parts listed besides the pages: with them a PDF without text on
        // its pages is partly read, not unread.
        let mut other_parts = false;
        if self.scan_pdf_description(&document, outcome, &mut other_parts, walk) {
            partial(outcome, SkipReason::LimitHit, walk.budget.bytes_message());
            return;
        }
        let mut pages = match pages {
            Ok(pages) => pages,
            Err(e) => {
                // Its metadata, form and embedded files are still read.
                let embedded = document.embedded_files();
                let has_embedded = embedded.as_ref().is_ok_and(|read| !read.value.is_empty());
                let (reason, detail) = pdf_error(&e);
                if other_parts || has_embedded {
                    partial(outcome, reason, detail);
                } else {
                    skipped(outcome, reason, detail);
                }
                self.scan_pdf_embedded(&document, embedded, outcome, depth, walk);
                return;
            }
        };
        let total = pages.count();
        let mut listed = false;
        loop {
            if crate::interrupt::requested() {
                partial(
                    outcome,
                    SkipReason::Interrupted,
                    format!(
                        "stopped before page {} of {total}",
                        total - pages.unread() + 1
                    ),
                );
                return;
            }
            let Some(page) = pages.next_page(walk.budget) else {
                break;
            };
            let has_text = !page.text.trim().is_empty();
            if has_text || page.problem.is_some() {
                let name = format!("page {}", page.number);
                let member = Member {
                    path: format!("{}{MEMBER_SEPARATOR}{name}", outcome.path),
                    name,
                    size: Some(page.content_bytes),
                    modified: outcome.modified,
                    dated: outcome.dated,
                };
                let mut page_outcome = member.outcome();
                if has_text {
                    self.scan_decoded_text(page.text.as_bytes(), &mut page_outcome, walk);
                    // What the PDF holds for the page, not the text made of it.
                    page_outcome.size = page.content_bytes;
                }
                if let Some(problem) = &page.problem {
                    let (reason, detail) = pdf_error(problem);
                    if has_text {
                        partial(&mut page_outcome, reason, detail);
                    } else {
                        skipped(&mut page_outcome, reason, detail);
                    }
                }
                listed = true;
                if self.enter_member(page_outcome, walk) {
                    budget_spent(outcome, walk.budget, pages.unread(), total, "pages");
                    return;
                }
            }
            // Comments are a member of their own: they are not printed on
            // the page, so the page's lines stay as drawn, and whoever
            // clears a comment needs to know it is one.
            if !page.annotations.is_empty() || page.annotations_problem.is_some() {
                other_parts = true;
                let name = format!("page {} annotations", page.number);
                let stop = self.enter_pdf_part(
                    &name,
                    Format::Text,
                    page.annotations.as_bytes(),
                    page.annotations_problem.as_ref(),
                    outcome,
                    walk,
                );
                if stop {
                    budget_spent(outcome, walk.budget, pages.unread(), total, "pages");
                    return;
                }
            }
        }
        let embedded = document.embedded_files();
        let has_embedded = embedded.as_ref().is_ok_and(|read| !read.value.is_empty());
        if !listed {
            if other_parts || has_embedded {
                partial(
                    outcome,
                    SkipReason::Unsupported,
                    "a PDF with no text on its pages (scanned images?): only its metadata, form, comments and embedded files are read".into(),
                );
            } else {
                skipped(
                    outcome,
                    SkipReason::Unsupported,
                    "a PDF with no text (scanned images?)".into(),
                );
            }
        }
        if pages.unread() > 0 {
            partial(
                outcome,
                SkipReason::Corrupt,
                format!(
                    "{} of {total} pages not read after the reader failed",
                    pages.unread()
                ),
            );
        } else if pages.over_max() {
            partial(
                outcome,
                SkipReason::LimitHit,
                format!("only the first {} pages are read", pdf::MAX_PAGES),
            );
        }
        self.scan_pdf_embedded(&document, embedded, outcome, depth, walk);
    }

    /// Scans the files embedded in a PDF, as its list of them was read.
    fn scan_pdf_embedded(
        &mut self,
        document: &Pdf,
        embedded: Result<pdf::Read<Vec<pdf::EmbeddedFile>>, PdfError>,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        match embedded {
            Ok(read) => {
                if let Some(problem) = &read.problem {
                    let (reason, detail) = pdf_error(problem);
                    partial(outcome, reason, detail);
                }
                self.scan_pdf_embedded_files(document, read.value, outcome, depth, walk);
            }
            Err(fault) => {
                let (reason, detail) = pdf_error(&fault);
                partial(outcome, reason, detail);
            }
        }
    }

    /// Scans what a PDF says about itself and what was filled into it: its
    /// document information, its XMP packet and its form, each a member
    /// when it has something (or a problem to name); `listed` is set when
    /// one is. True when the archive's byte budget is spent.
    fn scan_pdf_description(
        &mut self,
        document: &Pdf,
        outcome: &mut FileOutcome,
        listed: &mut bool,
        walk: &mut Walk<'_, '_>,
    ) -> bool {
        let (info, problem) = match document.metadata() {
            Ok(info) => (info.unwrap_or_default(), None),
            Err(problem) => (String::new(), Some(problem)),
        };
        if !info.is_empty() || problem.is_some() {
            *listed = true;
            let (text, problem) = (info.as_bytes(), problem.as_ref());
            if self.enter_pdf_part("metadata", Format::Text, text, problem, outcome, walk) {
                return true;
            }
        }
        // The XMP packet is XML: scanned as XML, its values are named by
        // their element path (`xmpmeta/RDF/Description/creator/Seq/li`).
        let (xmp, problem) = match document.xmp(walk.budget) {
            Ok(xmp) => (xmp.unwrap_or_default(), None),
            Err(problem) => (Vec::new(), Some(problem)),
        };
        if !xmp.is_empty() || problem.is_some() {
            *listed = true;
            let problem = problem.as_ref();
            if self.enter_pdf_part("metadata.xml", Format::Xml, &xmp, problem, outcome, walk) {
                return true;
            }
        }
        // The form as NDJSON: scanned as JSON, each value is named by its
        // field, and a field's name is context for the rules that need it
        // (a field `bsn` makes nine digits a BSN).
        let (form, problem) = match document.form() {
            Ok(read) => (read.value, read.problem),
            Err(fault) => (String::new(), Some(fault)),
        };
        if !form.is_empty() || problem.is_some() {
            *listed = true;
            let (text, problem) = (form.as_bytes(), problem.as_ref());
            if self.enter_pdf_part("form", Format::Json, text, problem, outcome, walk) {
                return true;
            }
        }
        walk.budget.is_exhausted()
    }

    /// Enters `text`, made from a part of the PDF `outcome` is of, as its
    /// member `name`, scanned as `format`; `problem` marks it partly read,
    /// or not read when there is no text. True when the archive's byte
    /// budget is spent.
    fn enter_pdf_part(
        &mut self,
        name: &str,
        format: Format,
        text: &[u8],
        problem: Option<&PdfError>,
        outcome: &FileOutcome,
        walk: &mut Walk<'_, '_>,
    ) -> bool {
        let member = Member {
            path: format!("{}{MEMBER_SEPARATOR}{name}", outcome.path),
            name: name.to_string(),
            size: Some(text.len() as u64),
            modified: outcome.modified,
            dated: outcome.dated,
        };
        let mut part_outcome = member.outcome();
        if !text.is_empty() {
            let sink = &mut *walk.sink;
            self.scan_reader(
                &mut &text[..],
                format,
                None,
                &mut part_outcome,
                &mut |f: &mut Finding| sink.finding(f),
                walk.progress,
            );
        }
        if let Some(problem) = problem {
            let (reason, detail) = pdf_error(problem);
            if text.is_empty() {
                skipped(&mut part_outcome, reason, detail);
            } else {
                partial(&mut part_outcome, reason, detail);
            }
        }
        self.enter_member(part_outcome, walk)
    }

    /// Scans the files embedded in a PDF as members of an archive, by their
    /// file names, each unpacked within the archive's limits; a file's time
    /// is its own modification date when it has one, else the PDF's.
    fn scan_pdf_embedded_files(
        &mut self,
        document: &Pdf,
        files: Vec<pdf::EmbeddedFile>,
        outcome: &mut FileOutcome,
        depth: u32,
        walk: &mut Walk<'_, '_>,
    ) {
        let total = files.len();
        for (i, file) in files.into_iter().enumerate() {
            if crate::interrupt::requested() {
                partial(
                    outcome,
                    SkipReason::Interrupted,
                    format!("stopped before embedded file {} of {total}", i + 1),
                );
                return;
            }
            let (modified, dated) = member_time(file.modified, outcome);
            let mut member = Member {
                path: format!("{}{MEMBER_SEPARATOR}{}", outcome.path, file.name),
                name: file.name.clone(),
                size: None,
                modified,
                dated,
            };
            let member_outcome = match document.embedded_data(&file, walk.budget) {
                Ok(data) => {
                    member.size = Some(data.len() as u64);
                    self.scan_member(&mut &data[..], member, depth, walk)
                }
                Err(problem) => {
                    let mut o = member.outcome();
                    let (reason, detail) = pdf_error(&problem);
                    skipped(&mut o, reason, detail);
                    o
                }
            };
            if self.enter_member(member_outcome, walk) {
                budget_spent(outcome, walk.budget, total - i - 1, total, "embedded files");
                return;
            }
        }
    }

    /// Scans the text of a document's XML part read from `reader`.
    fn scan_document_text(
        &mut self,
        reader: &mut dyn Read,
        member: Member,
        walk: &mut Walk<'_, '_>,
    ) -> FileOutcome {
        let mut outcome = member.outcome();
        if self.over_max_filesize(&member, &mut outcome) {
            return outcome;
        }
        let Some(xml) = read_in_memory(reader, walk.budget, "document part", &mut outcome) else {
            return outcome;
        };
        outcome.size = xml.len() as u64;
        self.scan_decoded_text(office::text_of(&xml).as_bytes(), &mut outcome, walk);
        // The part's size, not its text's, is what the archive holds.
        outcome.size = xml.len() as u64;
        outcome
    }

    /// Scans text made from a member (a decoded body, a document's text)
    /// as plain text.
    fn scan_decoded_text(
        &mut self,
        text: &[u8],
        outcome: &mut FileOutcome,
        walk: &mut Walk<'_, '_>,
    ) {
        let sink = &mut *walk.sink;
        self.scan_reader(
            &mut &text[..],
            Format::Text,
            None,
            outcome,
            &mut |f: &mut Finding| sink.finding(f),
            walk.progress,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_containers_by_name() {
        assert_eq!(Container::for_name("a/app.log.gz"), Some(Container::Gzip));
        assert_eq!(Container::for_name("x.TAR.GZ"), Some(Container::TarGz));
        assert_eq!(Container::for_name("x.tgz"), Some(Container::TarGz));
        assert_eq!(Container::for_name("x.tar"), Some(Container::Tar));
        assert_eq!(Container::for_name("mail.zip"), Some(Container::Zip));
        assert_eq!(Container::for_name("b.xlsx"), Some(Container::Xlsx));
        assert_eq!(Container::for_name("b.xls"), Some(Container::Xls));
        assert_eq!(Container::for_name("b.ods"), Some(Container::Ods));
        assert_eq!(
            Container::for_name("x/Afspraak.MSG"),
            Some(Container::OutlookMsg)
        );
        assert_eq!(Container::for_name("klanten.csv"), None);
        assert_eq!(Container::for_name("zip"), None);
    }

    #[test]
    fn gzip_member_is_the_name_without_gz() {
        assert_eq!(gzip_member_name("logs/app.log.gz"), "app.log");
        assert_eq!(gzip_member_name("KLANTEN.CSV.GZ"), "KLANTEN.CSV");
        assert_eq!(gzip_member_name("odd"), "odd");
    }

    #[test]
    fn zip_times_convert_as_utc() {
        let t = zip::DateTime::from_date_and_time(2023, 5, 17, 10, 30, 0).unwrap();
        let secs = zip_time(t)
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert_eq!(secs, 1_684_319_400);
    }

    #[test]
    fn guard_stops_a_stream_past_the_ratio() {
        let budget = Budget::new(ArchiveLimits::default());
        let zeros = std::io::repeat(0).take(8 * RATIO_GRACE);
        let mut guard = Guard::new(zeros, &budget, Compressed::Known(1000));
        let err = std::io::copy(&mut guard, &mut std::io::sink()).unwrap_err();
        assert!(limit_in(&err).is_some(), "{err}");
        assert!(guard.inflated <= RATIO_GRACE + 64 * 1024);
    }

    #[test]
    fn guard_stops_every_stream_past_the_byte_budget() {
        let budget = Budget::new(ArchiveLimits {
            max_bytes: 10_000,
            ..ArchiveLimits::default()
        });
        let mut a = Guard::new(&[1u8; 8000][..], &budget, Compressed::Known(8000));
        std::io::copy(&mut a, &mut std::io::sink()).unwrap();
        let mut b = Guard::new(&[1u8; 8000][..], &budget, Compressed::Known(8000));
        assert!(std::io::copy(&mut b, &mut std::io::sink()).is_err());
        let mut c = Guard::new(&[1u8; 10][..], &budget, Compressed::Known(10));
        assert!(std::io::copy(&mut c, &mut std::io::sink()).is_err());
    }

    #[test]
    fn rtf_is_known_by_its_extension_or_its_first_bytes() {
        assert_eq!(Container::for_name("brief.RTF"), Some(Container::Rtf));
        let head = b"{\\rtf1\\ansi";
        assert_eq!(Container::for_file("brief.doc", head), Some(Container::Rtf));
        assert_eq!(Container::for_file("bijlage", head), Some(Container::Rtf));
        // A name that says what it is wins over the first bytes.
        assert_eq!(Container::for_file("a.zip", head), Some(Container::Zip));
        assert_eq!(Container::for_file("brief.doc", b"{\"rtf\": 1}"), None);
    }

    #[test]
    fn names_are_printed_without_control_characters() {
        assert_eq!(printable("../../etc/passwd"), "../../etc/passwd");
        assert_eq!(printable("a\nb\x1b[31m"), "a?b?[31m");
    }
}
