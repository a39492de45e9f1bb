//! The per-file pipeline: open, classify (binary, encoding), read in chunks,
//! run the matcher over whole buffers, and turn confirmed hits into located,
//! masked, fingerprinted findings.
//!
//! Files are read in chunks cut at line ends, with a reusable per-thread
//! buffer, so memory stays flat whatever the file size: a 5 GB log costs the
//! same few megabytes as a 5 KB one. A line longer than a chunk is cut with an
//! overlap so no value straddling the cut is lost.
//!
//! A file larger than one chunk is cut into pieces at line ends (for
//! tables: at record ends, outside quotes; for JSON and NDJSON: between
//! top-level records) when other scanning threads have nothing to do, and
//! those threads take the pieces from a queue as they finish the last
//! (module `pieces`); findings still come out in file order, and per-column
//! profiles of the pieces add up to the profile of the whole. One large
//! export then uses every core, not one.
//!
//! The same pipeline reads the members of compressed files and archives (see
//! [`crate::container`]): it takes any reader, so a plain file is read
//! straight from disk into the buffer and a member straight from its
//! decompressor, with no copy in between.

mod pieces;

use crate::columns::TableProfile;
use crate::container::{ArchiveLimits, Container, Prefixed};
use crate::finding::{Entity, Finding, FindingBatch, set_reusing};
use crate::formats::{Format, NamesFields, TableTracker};
use crate::redact::{FingerprintKey, mask_into, normalize_into};
use crate::rules::matcher::{FieldIs, Hit, Matcher, MatcherCache};
use crate::structured::{
    DocumentProfile, JsonProfile, JsonTracker, SqlProfile, SqlTracker, XmlProfile, XmlTracker,
};
use serde::Serialize;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use pieces::{Crew, PieceQueue};

/// Bytes read per chunk. Large enough that per-chunk overhead vanishes, small
/// enough that two threads stay far below the memory budget.
pub const CHUNK_SIZE: usize = 4 * 1024 * 1024;
/// Bytes per piece when threads share one table or JSON document: small,
/// so that the findings a piece holds until its turn stay few (half a
/// megabyte of a dense export is about 20,000 findings) and the threads
/// sharing a file finish it evenly.
const TABLE_PIECE_SIZE: usize = 512 * 1024;
/// Bytes per piece of other text: personal data is sparser there (a
/// megabyte of a log holds about 5,000 values), and larger pieces spread
/// the cost of copying and queueing each.
const TEXT_PIECE_SIZE: usize = 2 * 1024 * 1024;
/// Bytes of a table or SQL dump whose fields are noted at a time for
/// naming hits (see `walk_stretch`): a mark for nearly every field of a
/// dense export, so marks for a whole 4 MB chunk took 4 MB per thread.
const NAMING_STRETCH: usize = 128 * 1024;
/// Line ends tried, from the back of a piece, to find one outside quotes.
const RECORD_END_TRIES: usize = 64;
/// Binary detection looks for a NUL byte in this many leading bytes.
const BINARY_PROBE: usize = 8 * 1024;
/// Overlap kept when a line longer than a chunk is cut.
const LONG_LINE_OVERLAP: usize = 1024;
/// UTF-16 files are decoded whole; above this they are skipped as too large.
const MAX_DECODED_FILE: u64 = 512 * 1024 * 1024;
/// Default for `--max-line-length`: past this a "line" is a blob (a minified
/// bundle, base64 data, a one-line dump), not records someone typed; the
/// rest of it is not examined, and the report says so.
pub const DEFAULT_MAX_LINE_LENGTH: u64 = 64 * 1024 * 1024;

/// Why a file was not scanned, or not scanned to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A NUL byte: binary data.
    Binary,
    /// Larger than `--max-filesize`.
    TooLarge,
    /// Could not be opened or read (permission, vanished, I/O error).
    Unreadable,
    /// Not a regular file (FIFO, socket, device) or an encoding not handled.
    Unsupported,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// The file changed size while it was read.
    Changed,
    /// A safety limit stopped the scan of this file.
    LimitHit,
    /// A compressed file, archive or spreadsheet whose data is damaged
    /// (truncated, bad checksum, unreadable directory).
    Corrupt,
    /// An encrypted archive member: there is no password to read it with.
    Encrypted,
    /// The directory walk itself failed here (loop, permission on a directory).
    WalkError,
    /// The scan was stopped (Ctrl-C) while this file was read.
    Interrupted,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Unsupported => "unsupported",
            SkipReason::Symlink => "symlink",
            SkipReason::Changed => "changed",
            SkipReason::LimitHit => "limit_hit",
            SkipReason::Corrupt => "corrupt",
            SkipReason::Encrypted => "encrypted",
            SkipReason::WalkError => "walk_error",
            SkipReason::Interrupted => "interrupted",
        }
    }
}

/// How far a file was scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    Complete,
    /// Scanned in part; findings up to the stop are reported.
    Partial {
        reason: SkipReason,
        detail: String,
    },
    /// Not scanned at all.
    Skipped {
        reason: SkipReason,
        detail: String,
    },
}

/// What a file's time (`modified`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dated {
    /// When the file, or the archive member, was last modified.
    #[default]
    Modified,
    /// When the e-mail message it is part of was written (its `Date`
    /// header, an Outlook message's sent time, a mailbox's `From ` line):
    /// exported mail carries the time of the export as its file time.
    Message,
}

impl Dated {
    pub fn as_str(self) -> &'static str {
        match self {
            Dated::Modified => "modified",
            Dated::Message => "message",
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// What `modified` is.
    pub dated: Dated,
    pub bytes_scanned: u64,
    pub status: FileStatus,
}

impl FileOutcome {
    /// A file about to be read: complete until something says otherwise.
    pub fn start(path: String, size: u64, modified: Option<SystemTime>) -> Self {
        FileOutcome {
            path,
            size,
            modified,
            dated: Dated::Modified,
            bytes_scanned: 0,
            status: FileStatus::Complete,
        }
    }
}

/// Decides whether a finding is kept: allowlists, baselines, changed-lines
/// mode. Runs on the scanning threads, so it must be cheap and shareable.
pub type FindingFilter = std::sync::Arc<dyn Fn(&Finding) -> bool + Send + Sync>;

/// Receives what the scan of one walked file produces.
///
/// A plain file produces only findings. A container (compressed file,
/// archive, spreadsheet) also produces one entry per member or sheet: its
/// findings all arrive before its entry and after the previous entry, so a
/// receiver can group findings by entry without looking at their paths.
pub trait ScanSink {
    /// A finding, lent: a sink that keeps it takes it ([`Finding::take`]);
    /// what is left is filled in again for the next one.
    fn finding(&mut self, finding: &mut Finding);
    /// A member of a container is finished, with the row and column
    /// profiles of its table, JSON or SQL content.
    fn entry(&mut self, outcome: FileOutcome, profiles: Profiles);
}

/// The row and column profiles of one scanned document, by format.
#[derive(Debug, Default)]
pub struct Profiles {
    pub table: Option<TableProfile>,
    /// JSON or XML.
    pub document: Option<DocumentProfile>,
    pub sql: Option<SqlProfile>,
}

/// The comment marker that suppresses findings on its own line.
pub const IGNORE_MARKER: &[u8] = b"piiscan:ignore";
/// The comment marker that suppresses findings on the next line.
pub const IGNORE_NEXT_LINE_MARKER: &[u8] = b"piiscan:ignore-next-line";

/// Settings that do not change during a scan.
#[derive(Clone, Default)]
pub struct ScanSettings {
    pub max_filesize: Option<u64>,
    /// The rest of a line longer than this is not examined (`None`: every
    /// byte is). Checked per chunk, so up to [`CHUNK_SIZE`] more is.
    pub max_line_length: Option<u64>,
    /// Findings for which this returns false are dropped.
    pub filter: Option<FindingFilter>,
    /// Limits on what compressed files and archives may unpack.
    pub archive: ArchiveLimits,
    /// Scanning threads of the scan: above one, idle threads help with the
    /// pieces of a large file.
    pub threads: usize,
    /// Findings carry no `fingerprint` (hex) or `masked` string: no filter
    /// reads them, and whatever shows a finding makes them for the few it
    /// shows (the inventory its masked samples, the summary the findings
    /// it lists, SARIF the results it keeps). Spares two strings and a
    /// keyed hash per value.
    pub bare_findings: bool,
}

impl ScanSettings {
    /// Whether the filter (allowlists, baseline, gate) keeps `finding`.
    fn keeps(&self, finding: &Finding) -> bool {
        self.filter.as_ref().is_none_or(|keep| keep(finding))
    }
}

impl std::fmt::Debug for ScanSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanSettings")
            .field("max_filesize", &self.max_filesize)
            .field("max_line_length", &self.max_line_length)
            .field("filter", &self.filter.is_some())
            .field("archive", &self.archive)
            .field("threads", &self.threads)
            .field("bare_findings", &self.bare_findings)
            .finish()
    }
}

/// Searchers for the markers, built once: building a substring searcher
/// costs more than running it over one line.
static IGNORE_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(IGNORE_MARKER));
static IGNORE_NEXT_LINE_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(IGNORE_NEXT_LINE_MARKER));

/// True when `line` carries `piiscan:ignore` (and not only the next-line form).
fn line_ignores_itself(line: &[u8]) -> bool {
    IGNORE_FINDER
        .find_iter(line)
        .any(|at| !line[at..].starts_with(IGNORE_NEXT_LINE_MARKER))
}

/// True when `line` carries `piiscan:ignore-next-line`.
fn line_ignores_next(line: &[u8]) -> bool {
    IGNORE_NEXT_LINE_FINDER.find(line).is_some()
}

/// Everything threads share during a scan: compiled once, read by all.
pub struct ScanContext {
    pub matcher: Matcher,
    pub key: FingerprintKey,
    pub settings: ScanSettings,
    /// Threads scanning a file or a piece of one right now: the rest of
    /// [`ScanSettings::threads`] may help with a large file.
    pub busy_threads: AtomicUsize,
}

impl ScanContext {
    pub fn new(matcher: Matcher, key: FingerprintKey, settings: ScanSettings) -> ScanContext {
        ScanContext {
            matcher,
            key,
            settings,
            busy_threads: AtomicUsize::new(0),
        }
    }

    /// Threads that may help now with the pieces of a file.
    fn idle_threads(&self) -> usize {
        self.settings
            .threads
            .saturating_sub(self.busy_threads.load(Ordering::Relaxed))
    }
}

/// Counts a thread as busy while it lives.
struct Busy<'c>(&'c AtomicUsize);

impl<'c> Busy<'c> {
    fn new(counter: &'c AtomicUsize) -> Busy<'c> {
        counter.fetch_add(1, Ordering::Relaxed);
        Busy(counter)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A part of a file cut at a line (or record) end, scanned on its own by
/// one thread, with the state the file's scan had where it starts.
struct Piece {
    data: Vec<u8>,
    /// Offset of `data` in the file.
    base: u64,
    lines: LineTracker,
    locator: Locator,
    /// The table profile of the piece: `None` for the piece that starts
    /// the file (it makes its own, with the header); a continuation
    /// otherwise.
    table: Option<TableProfile>,
    /// The JSON profile of the piece, the same way.
    json: Option<JsonProfile>,
    /// The SQL dump profile of the piece, the same way.
    sql: Option<SqlProfile>,
    /// Filled by the scan, not yet filtered; kept packed until the owner
    /// of the file hands them on in file order. The thread that scans a
    /// piece allocates nothing per finding, and the owner frees nothing
    /// another thread allocated: owned findings made two threads on one
    /// file spend a third more CPU time than one.
    findings: FindingBatch,
}

/// Where the findings of a chunk go.
enum ChunkOut<'s> {
    /// Filtered (allowlists, baseline, gate), then lent to the sink.
    Sink(&'s mut dyn FnMut(&mut Finding)),
    /// Kept unfiltered in a piece: filters may keep state, so the owner of
    /// the file filters the findings of its pieces in file order.
    Piece(&'s mut FindingBatch),
}

/// Where in its file a hit is: maintained incrementally so that computing a
/// line and a character column never rescans from the start of the file.
#[derive(Debug, Default, Clone)]
struct LineTracker {
    /// Absolute offset up to which the counts below are valid.
    counted_to: u64,
    /// 1-based line number at `counted_to`.
    line: u64,
    /// Characters from the start of that line to `counted_to`.
    chars: u64,
    /// The last line before the current buffer said `piiscan:ignore-next-line`.
    previous_chunk_ignores_next: bool,
}

impl LineTracker {
    fn new() -> Self {
        LineTracker {
            counted_to: 0,
            line: 1,
            chars: 0,
            previous_chunk_ignores_next: false,
        }
    }

    /// Moves to absolute offset `to` over bytes of the current line that are
    /// not examined (they hold no line end, so only the column moves).
    fn pass_over(&mut self, to: u64) {
        if to > self.counted_to {
            self.chars += to - self.counted_to;
            self.counted_to = to;
        }
    }

    /// Advances to absolute offset `to`; `buf` starts at absolute `base`.
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.counted_to {
            return;
        }
        let from = (self.counted_to - base) as usize;
        let to_rel = (to - base) as usize;
        let span = &buf[from..to_rel];
        match memchr::memrchr(b'\n', span) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', span).count() as u64;
                self.chars = count_chars(&span[last + 1..]);
            }
            None => self.chars += count_chars(span),
        }
        self.counted_to = to;
    }
}

/// Bytes of a file read to recognise a container by its start: as much as
/// a small file holds, so it is read in one go.
const SNIFF_LEN: usize = 64 * 1024;

/// Formats known by their first bytes whose text piiscan does not read:
/// documents (`unsupported`, said by name so a review knows what to export
/// another way) and images (`binary`, as the NUL byte would say, but named).
/// Only signatures no text starts with.
fn known_unreadable_format(head: &[u8]) -> Option<(SkipReason, &'static str)> {
    const FORMATS: &[(&[u8], SkipReason, &str)] = &[
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            SkipReason::Unsupported,
            "an OLE compound file (a Word 97-2003 .doc, a PowerPoint .ppt; an Outlook message is read when named .msg)",
        ),
        (b"\x89PNG\r\n\x1a\n", SkipReason::Binary, "a PNG image"),
        (b"\xFF\xD8\xFF", SkipReason::Binary, "a JPEG image"),
        (b"GIF87a", SkipReason::Binary, "a GIF image"),
        (b"GIF89a", SkipReason::Binary, "a GIF image"),
        (b"II*\0", SkipReason::Binary, "a TIFF image"),
        (b"MM\0*", SkipReason::Binary, "a TIFF image"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _, _)| head.starts_with(magic))
        .map(|&(_, reason, kind)| (reason, kind))
}

/// Characters in UTF-8 text: every byte that is not a continuation byte.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// One thread's scanner: owns its buffer and regex caches, reused across files.
pub struct FileScanner<'a> {
    ctx: &'a ScanContext,
    cache: MatcherCache,
    /// The path of the file being scanned, shared by its findings.
    shared_path: Option<std::sync::Arc<str>>,
    /// Rule ids shared by this thread's findings (a copy per thread, so
    /// threads never count references on one shared value).
    rule_ids: Vec<std::sync::Arc<str>>,
    buf: Vec<u8>,
    /// The first bytes of a file without an extension (see `scan_file`).
    sniffed_head: Vec<u8>,
    hits: Vec<Hit>,
    /// Where in `hit_field_names` the name of the field each of `hits` is
    /// in was copied, as the matcher found it.
    hit_fields: Vec<Option<std::ops::Range<usize>>>,
    hit_field_names: String,
    /// For the phone numbers among `hits` that the validator had just
    /// accepted when the matcher handed them over: the hit's index and
    /// where in `hit_phones` its E.164 form was copied. Normalising the
    /// number later, after the whole buffer was validated, parsed it
    /// again. (Only those hits have an entry: a chunk holds many more.)
    hit_phone_forms: Vec<(u32, u32, u32)>,
    hit_phones: String,
    /// The canonical form of the value being handed over, reused.
    normalized: String,
    /// Rows and columns of the table being scanned, when it is one.
    table_profile: Option<TableProfile>,
    /// Where the fields of a table's stretch start, lent to the tracker of
    /// each buffer scanned (see `walk_stretch`).
    table_marks: Vec<(u32, u32)>,
    /// Records and fields of the JSON document being scanned, when it is one.
    json_profile: Option<JsonProfile>,
    /// Rows and columns of the SQL dump being scanned, when it is one.
    sql_profile: Option<SqlProfile>,
    /// Fields of the XML document being scanned, when it is one.
    xml_profile: Option<XmlProfile>,
    /// Scanners for the pieces other threads take of a large file, kept
    /// (with their warm caches) from one file to the next.
    helpers: Vec<FileScanner<'a>>,
    /// Buffers of pieces handed on, for the next ones of the same file.
    spare_pieces: Vec<(Vec<u8>, FindingBatch)>,
    /// The finding handed to sinks, filled in again for every hit.
    spare_finding: Option<Finding>,
}

/// How a document names the field of an offset.
#[derive(Clone)]
enum Locator {
    None,
    Table(TableTracker),
    Json(JsonTracker),
    Sql(SqlTracker),
    Xml(XmlTracker),
    /// A fixed field, for rule examples given with their column.
    Fixed(String),
    /// A spreadsheet row rendered as one line: each cell's end offset and
    /// field name, in order.
    Cells(Vec<(usize, String)>),
}

impl Locator {
    /// `f` applied to the name of the field at `offset`, looked at where
    /// the locator keeps it (no copy).
    fn with_field<R>(&mut self, buf: &[u8], offset: usize, f: impl FnOnce(&str) -> R) -> Option<R> {
        match self {
            Locator::None => None,
            Locator::Table(t) => t.with_field_at(buf, offset, f),
            Locator::Json(t) => t.with_field_at(buf, offset, f),
            Locator::Sql(t) => t.with_field_at(buf, offset, f),
            Locator::Xml(t) => t.with_field_at(buf, offset, f),
            Locator::Fixed(name) => Some(f(name)),
            Locator::Cells(cells) => {
                let i = cells.partition_point(|(end, _)| *end <= offset);
                cells.get(i).map(|(_, name)| f(name))
            }
        }
    }

    /// Whether the field at `offset` exists and `check` holds for its name
    /// (for XML, the name its context is judged by).
    fn field_is(&mut self, buf: &[u8], offset: usize, check: &mut dyn FnMut(&str) -> bool) -> bool {
        match self {
            Locator::Xml(t) => t.with_context_name_at(buf, offset, check),
            _ => self.with_field(buf, offset, check),
        }
        .unwrap_or(false)
    }
}

impl<'a> FileScanner<'a> {
    pub fn new(ctx: &'a ScanContext) -> Self {
        FileScanner {
            ctx,
            cache: ctx.matcher.new_cache(),
            shared_path: None,
            rule_ids: ctx
                .matcher
                .rules()
                .iter()
                .map(|r| r.rule.id.as_str().into())
                .collect(),
            buf: Vec::new(),
            sniffed_head: Vec::new(),
            hits: Vec::new(),
            hit_fields: Vec::new(),
            hit_field_names: String::new(),
            hit_phone_forms: Vec::new(),
            hit_phones: String::new(),
            normalized: String::new(),
            table_profile: None,
            table_marks: Vec::new(),
            json_profile: None,
            xml_profile: None,
            sql_profile: None,
            helpers: Vec::new(),
            spare_pieces: Vec::new(),
            spare_finding: None,
        }
    }

    /// The profiles of the document just scanned (empty for plain text).
    pub fn take_profiles(&mut self) -> Profiles {
        Profiles {
            table: self.take_table_profile(),
            document: self.take_document_profile(),
            sql: self.take_sql_profile(),
        }
    }

    /// The row and column profile of the SQL dump just scanned.
    pub fn take_sql_profile(&mut self) -> Option<SqlProfile> {
        let mut profile = self.sql_profile.take()?;
        profile.forget_counted_values();
        Some(profile)
    }

    /// The record and field profile of the JSON or XML document just
    /// scanned.
    pub fn take_document_profile(&mut self) -> Option<DocumentProfile> {
        match self.json_profile.take() {
            Some(json) => Some(json.into_document()),
            None => Some(self.xml_profile.take()?.into_document()),
        }
    }

    /// Drops the profiles of the document scanned before.
    fn forget_profiles(&mut self) {
        self.table_profile = None;
        self.json_profile = None;
        self.sql_profile = None;
        self.xml_profile = None;
    }

    /// The row and column profile of the table just scanned, if it was one.
    pub fn take_table_profile(&mut self) -> Option<TableProfile> {
        let mut profile = self.table_profile.take()?;
        profile.finish(&self.ctx.key);
        Some(profile)
    }

    /// The fingerprint key of the scan this scanner belongs to.
    pub(crate) fn key(&self) -> &FingerprintKey {
        &self.ctx.key
    }

    /// The settings of the scan this scanner belongs to.
    pub(crate) fn settings(&self) -> &ScanSettings {
        &self.ctx.settings
    }

    /// Scans an in-memory document (rule examples, tests). `field` names the
    /// column the text sits in, when there is one.
    pub fn scan_text(
        &mut self,
        text: &[u8],
        display_path: &str,
        field: Option<&str>,
        sink: &mut dyn FnMut(Finding),
    ) {
        let mut locator = match field {
            Some(f) => Locator::Fixed(f.to_string()),
            None => Locator::None,
        };
        let mut lines = LineTracker::new();
        self.scan_chunk(
            text,
            0,
            text.len(),
            &mut lines,
            &mut locator,
            display_path,
            ChunkOut::Sink(&mut |f| sink(f.take())),
        );
    }

    /// Scans an in-memory text as one buffer, with the format its path
    /// implies (tables name columns, JSON paths), and nothing else: no
    /// encoding or binary detection, no archives. [`Self::scan_bytes`]
    /// scans bytes the way a file of that name is scanned.
    pub fn scan_document(
        &mut self,
        text: &[u8],
        display_path: &str,
        sink: &mut dyn FnMut(Finding),
    ) {
        self.forget_profiles();
        let mut locator = Locator::for_format(Format::for_path(Path::new(display_path)), text);
        let mut lines = LineTracker::new();
        self.scan_chunk(
            text,
            0,
            text.len(),
            &mut lines,
            &mut locator,
            display_path,
            ChunkOut::Sink(&mut |f| sink(f.take())),
        );
    }

    /// Scans a spreadsheet row rendered as one line (cells separated so that
    /// no pattern matches across them). `cells` holds each cell's byte range
    /// in `text` and its field name; findings get `line` = `row` and a column
    /// counted from the start of their cell.
    pub(crate) fn scan_row(
        &mut self,
        text: &[u8],
        row: u64,
        cells: &[(std::ops::Range<usize>, String)],
        display_path: &str,
        sink: &mut dyn FnMut(&mut Finding),
    ) {
        let mut locator = Locator::Cells(
            cells
                .iter()
                .map(|(range, name)| (range.end, name.clone()))
                .collect(),
        );
        let mut lines = LineTracker::new();
        lines.line = row;
        self.scan_chunk(
            text,
            0,
            text.len(),
            &mut lines,
            &mut locator,
            display_path,
            ChunkOut::Sink(&mut |finding| {
                // `column` counts characters from the row start; make it
                // relative to the cell the value is in.
                let at = (finding.column - 1) as usize;
                let mut chars_before = 0u64;
                for (range, _) in cells {
                    let cell_chars = count_chars(&text[range.clone()]) as usize;
                    let start_chars = chars_before as usize;
                    if at < start_chars + cell_chars {
                        finding.column -= chars_before;
                        break;
                    }
                    // The cell and its one-byte separator.
                    chars_before += cell_chars as u64 + 1;
                }
                sink(finding);
            }),
        );
    }

    /// Scans one file. Never fails: problems become the outcome's status.
    /// Members of compressed files, archives and spreadsheets are reported
    /// to `sink` as entries of their own; the returned outcome is the file's.
    /// `listed_regular` says the directory listing showed a regular file
    /// (see `open_listed_regular`).
    pub fn scan_file(
        &mut self,
        path: &Path,
        listed_regular: bool,
        display_path: String,
        sink: &mut dyn ScanSink,
        progress: &dyn Fn(u64),
    ) -> FileOutcome {
        let ctx = self.ctx;
        let _busy = Busy::new(&ctx.busy_threads);
        self.forget_profiles();
        let mut outcome = FileOutcome::start(display_path, 0, None);
        let skip = |outcome: &mut FileOutcome, reason, detail: String| {
            outcome.status = FileStatus::Skipped { reason, detail };
        };
        let opened = if listed_regular {
            open_listed_regular(path)
        } else {
            None
        };
        let (meta, opened) = match opened {
            Some(Ok((file, meta))) => (meta, Some(file)),
            Some(Err(e)) => {
                skip(&mut outcome, SkipReason::Unreadable, e.to_string());
                return outcome;
            }
            // Metadata first: opening a FIFO or a device could block or
            // have effects of its own.
            None => match std::fs::metadata(path) {
                Ok(m) => (m, None),
                Err(e) => {
                    skip(&mut outcome, SkipReason::Unreadable, e.to_string());
                    return outcome;
                }
            },
        };
        outcome.size = meta.len();
        outcome.modified = meta.modified().ok();
        if !meta.is_file() {
            let kind = describe_special(&meta);
            skip(
                &mut outcome,
                SkipReason::Unsupported,
                format!("not a regular file ({kind})"),
            );
            return outcome;
        }
        if let Some(max) = self.ctx.settings.max_filesize
            && meta.len() > max
        {
            skip(
                &mut outcome,
                SkipReason::TooLarge,
                format!(
                    "{} bytes > {max} (--max-filesize, limits.max_filesize)",
                    meta.len()
                ),
            );
            return outcome;
        }
        let mut file = match opened.map_or_else(|| File::open(path), Ok) {
            Ok(f) => f,
            Err(e) => {
                skip(&mut outcome, SkipReason::Unreadable, e.to_string());
                return outcome;
            }
        };
        let name = path.file_name().map(|n| n.to_string_lossy());
        if let Some(kind) = name.as_deref().and_then(Container::for_name) {
            self.scan_container_file(kind, file, &mut outcome, sink, progress);
            return outcome;
        }
        // A file whose name says no container may be one known by its start
        // (a PDF under any name, a mailbox folder). Its first bytes, read to
        // tell, are scanned from memory, so telling costs no read of its own.
        let mut head = std::mem::take(&mut self.sniffed_head);
        let mut ahead = Prefixed::read_ahead(&mut head, &mut file, SNIFF_LEN);
        match name
            .as_deref()
            .and_then(|name| Container::sniff(name, ahead.head()))
        {
            None => self.scan_reader(
                &mut ahead,
                Format::for_path(path),
                Some(meta.len()),
                &mut outcome,
                &mut |f| sink.finding(f),
                progress,
            ),
            Some(kind) => {
                use std::io::Seek;
                match file.rewind() {
                    Ok(()) => self.scan_container_file(kind, file, &mut outcome, sink, progress),
                    Err(e) => skip(&mut outcome, SkipReason::Unreadable, e.to_string()),
                }
            }
        }
        self.sniffed_head = head;
        outcome
    }

    /// Scans a whole file held in memory exactly as [`Self::scan_file`]
    /// scans a file of that name and content: compressed files, archives
    /// and spreadsheets are opened (members go to `sink` as entries), other
    /// files are located by their extension. For callers that hold files in
    /// memory, and for fuzzing the whole pipeline.
    pub fn scan_bytes(&mut self, name: &str, data: &[u8], sink: &mut dyn ScanSink) -> FileOutcome {
        let ctx = self.ctx;
        let _busy = Busy::new(&ctx.busy_threads);
        self.forget_profiles();
        let mut outcome = FileOutcome::start(name.to_string(), data.len() as u64, None);
        let head = &data[..data.len().min(SNIFF_LEN)];
        match Container::for_name(name).or_else(|| Container::sniff(name, head)) {
            Some(kind) => self.scan_container_file(
                kind,
                std::io::Cursor::new(data),
                &mut outcome,
                sink,
                &|_| {},
            ),
            None => self.scan_reader(
                &mut &data[..],
                Format::for_path(Path::new(name)),
                Some(data.len() as u64),
                &mut outcome,
                &mut |f| sink.finding(f),
                &|_| {},
            ),
        }
        outcome
    }

    /// Reads `reader` to the end through the chunked pipeline. `format` says
    /// how to locate fields; `expected_len` is the size a plain file was
    /// listed with (a different count read means it changed), `None` for a
    /// stream whose length is not known up front (an archive member).
    pub(crate) fn scan_reader(
        &mut self,
        file: &mut dyn Read,
        format: Format,
        expected_len: Option<u64>,
        outcome: &mut FileOutcome,
        sink: &mut dyn FnMut(&mut Finding),
        progress: &dyn Fn(u64),
    ) {
        let display = outcome.path.clone();
        let queue = PieceQueue::default();
        let helpers = std::mem::take(&mut self.helpers);
        let threads = self.ctx.settings.threads;
        self.helpers = std::thread::scope(|scope| {
            let mut crew = (threads > 1).then(|| Crew::new(scope, &queue, &display, helpers));
            self.read_loop(
                file,
                format,
                expected_len,
                outcome,
                sink,
                progress,
                &display,
                crew.as_mut(),
            );
            crew.map(Crew::into_scanners).unwrap_or_default()
        });
    }

    /// The reading loop of [`Self::scan_reader`]; with a crew, a file of
    /// more than one chunk may be shared with its helpers in pieces.
    #[allow(clippy::too_many_arguments)]
    fn read_loop<'s>(
        &mut self,
        file: &mut dyn Read,
        format: Format,
        expected_len: Option<u64>,
        outcome: &mut FileOutcome,
        sink: &mut dyn FnMut(&mut Finding),
        progress: &dyn Fn(u64),
        display: &str,
        mut crew: Option<&mut Crew<'s, '_, 'a>>,
    ) where
        'a: 's,
    {
        // The buffer is allocated and zeroed once per thread: `filled` marks
        // the valid bytes, so no file pays for clearing megabytes it never uses.
        let mut buf = std::mem::take(&mut self.buf);
        if buf.len() < 2 * CHUNK_SIZE {
            buf.resize(2 * CHUNK_SIZE, 0);
        }
        let mut filled = 0usize;
        let mut base: u64 = 0;
        let mut lines = LineTracker::new();
        let mut locator: Option<Locator> = None;
        let mut eof = false;
        let mut first = true;
        // Set when the first chunk is not valid UTF-8: the file is read as
        // Windows-1252 (a superset of Latin-1), decoded chunk by chunk, which
        // is exact because it is a single-byte encoding.
        let mut windows_1252 = false;
        let mut raw_read: u64 = 0;
        let max_line = self.ctx.settings.max_line_length;
        // Bytes of the current line already examined, and whether the rest
        // of it is being passed over (it is longer than `max_line`).
        let mut line_run: u64 = 0;
        let mut skipping_line = false;
        // Whether the file is cut into pieces (decided after the first
        // chunk) and whether the piece in hand goes to the crew.
        let mut in_pieces = false;
        let mut piece_size = TEXT_PIECE_SIZE;
        // For an SQL dump: pieces went to the crew since the owner's own
        // profile last walked, so it does not stand where the reading does.
        let mut sql_profile_behind = false;
        // For JSON in pieces: whether the position reached is inside the
        // document's top-level array (between its records).
        let mut json_in_array = false;
        while !eof {
            if crate::interrupt::requested() {
                let (reason, detail) = (
                    SkipReason::Interrupted,
                    format!("stopped after {raw_read} bytes"),
                );
                outcome.status = if raw_read == 0 {
                    FileStatus::Skipped { reason, detail }
                } else {
                    FileStatus::Partial { reason, detail }
                };
                break;
            }
            // Read up to a chunk beyond what is carried over. Decoding can
            // triple the size, so Windows-1252 reads a third of a chunk.
            let read_from = filled;
            let target = if in_pieces {
                filled.max(piece_size)
            } else {
                filled
                    + if windows_1252 {
                        CHUNK_SIZE / 3
                    } else {
                        CHUNK_SIZE
                    }
            };
            if buf.len() < target {
                buf.resize(target, 0);
            }
            while filled < target {
                match file.read(&mut buf[filled..target]) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(n) => {
                        filled += n;
                        raw_read += n as u64;
                        progress(n as u64);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let (reason, detail) = read_error(&e, raw_read);
                        outcome.status = if raw_read == 0 {
                            FileStatus::Skipped { reason, detail }
                        } else {
                            FileStatus::Partial { reason, detail }
                        };
                        eof = true;
                        break;
                    }
                }
            }
            if first && let Some((reason, kind)) = known_unreadable_format(&buf[..filled]) {
                // A read error already named says more.
                if matches!(outcome.status, FileStatus::Complete) {
                    outcome.status = FileStatus::Skipped {
                        reason,
                        detail: format!("{kind}: not read"),
                    };
                }
                outcome.bytes_scanned = raw_read;
                self.buf = buf;
                return;
            }
            if first && !is_utf16_bom(&buf[..filled]) {
                windows_1252 = looks_like_windows_1252(&buf[..filled], eof);
            }
            if windows_1252 {
                filled = decode_windows_1252_in_place(&mut buf, read_from, filled);
            }
            let data = &buf[..filled];
            if first {
                first = false;
                if let Some((decoded, read)) =
                    self.decode_if_utf16(data, file, expected_len, outcome)
                {
                    // Whole file decoded to UTF-8: scan it as one chunk.
                    let mut loc = Locator::for_format(format, &decoded);
                    let mut lt = LineTracker::new();
                    progress(read.saturating_sub(raw_read));
                    outcome.bytes_scanned = read;
                    self.scan_chunk(
                        &decoded,
                        0,
                        decoded.len(),
                        &mut lt,
                        &mut loc,
                        display,
                        ChunkOut::Sink(sink),
                    );
                    self.note_profile_limits(outcome);
                    self.buf = buf;
                    return;
                }
                // A read error after some data (a truncated archive member)
                // still has that data scanned below.
                if matches!(outcome.status, FileStatus::Skipped { .. }) {
                    self.buf = buf;
                    return;
                }
                let probe = &data[..data.len().min(BINARY_PROBE)];
                if let Some(at) = memchr::memchr(0, probe) {
                    // A read error already named (a bomb of zeros stopped by
                    // a limit) says more than "binary".
                    if matches!(outcome.status, FileStatus::Complete) {
                        outcome.status = FileStatus::Skipped {
                            reason: SkipReason::Binary,
                            detail: format!("NUL byte at offset {at}"),
                        };
                    }
                    outcome.bytes_scanned = raw_read;
                    self.buf = buf;
                    return;
                }
                // A UTF-8 byte order mark is not part of the first field name.
                let bom = if data.starts_with(b"\xEF\xBB\xBF") {
                    3
                } else {
                    0
                };
                locator = Some(Locator::for_format(format.clone(), &data[bom..]));
                // Files of more than one chunk, of formats whose state at a
                // line (or record) end is known without reading what came
                // before, may be shared with idle threads.
                in_pieces = crew.is_some()
                    && !eof
                    && matches!(
                        locator,
                        Some(
                            Locator::None | Locator::Table(_) | Locator::Json(_) | Locator::Sql(_)
                        )
                    );
                if matches!(locator, Some(Locator::Table(_) | Locator::Json(_))) {
                    piece_size = TABLE_PIECE_SIZE;
                }
            }
            if skipping_line {
                // Pass over the rest of an over-long line up to its end; a
                // NUL in it still means binary data, and reading stops.
                let data = &buf[..filled];
                let stop = memchr::memchr2(b'\n', 0, data);
                let drop = stop.unwrap_or(filled);
                let binary = stop.is_some_and(|i| data[i] == 0);
                if binary {
                    eof = true;
                }
                lines.pass_over(base + drop as u64);
                let loc = locator.get_or_insert(Locator::None);
                loc.rebase(data, drop);
                buf.copy_within(drop..filled, 0);
                filled -= drop;
                base += drop as u64;
                if stop.is_none() || binary {
                    continue;
                }
                skipping_line = false;
                line_run = 0;
            }
            let mut data = &buf[..filled];
            if let Some(at) = memchr::memchr(0, data) {
                // Binary data further in: scan what came before, then stop.
                data = &data[..at];
                if matches!(outcome.status, FileStatus::Complete) {
                    outcome.status = FileStatus::Partial {
                        reason: SkipReason::Binary,
                        detail: format!("NUL byte at offset {}", base + at as u64),
                    };
                }
                eof = true;
            }
            let mut cut = if eof {
                data.len()
            } else {
                match memchr::memrchr(b'\n', data) {
                    Some(i) => i + 1,
                    // One line longer than the chunk: cut it, keep an overlap.
                    None => data.len().saturating_sub(LONG_LINE_OVERLAP).max(1),
                }
            };
            let loc = locator.get_or_insert(Locator::None);
            let table = matches!(loc, Locator::Table(_));
            let json = matches!(loc, Locator::Json(_));
            let mut json_in_array_after = json_in_array;
            // For SQL in pieces: the dump's tracker walked to the cut.
            let mut sql_at_cut = None;
            if in_pieces {
                // A piece ends at a line end (a record end, for tables)
                // within its size; without one, the rest of the file is
                // scanned in chunks as usual.
                let head = &data[..data.len().min(piece_size)];
                let end = if eof {
                    Some(data.len())
                } else if table {
                    record_end(head)
                } else if json {
                    json_record_end(head, json_in_array).map(|(end, in_array)| {
                        json_in_array_after = in_array;
                        end
                    })
                } else if let Locator::Sql(t) = &*loc {
                    // At the first line end past TABLE_PIECE_SIZE where
                    // nothing runs on into the next line (a dump's INSERT
                    // statement is often a line of up to a megabyte, so
                    // pieces may grow to TEXT_PIECE_SIZE); the walk there is
                    // the next piece's start. The owner walks the dump's
                    // structure, the helpers do the rest.
                    let mut walked = t.clone();
                    let end = walked.walk_to_piece_end(data, TABLE_PIECE_SIZE, head.len());
                    sql_at_cut = end.map(|_| walked);
                    end
                } else {
                    memchr::memrchr(b'\n', head).map(|i| i + 1)
                };
                match end {
                    Some(end) => cut = end,
                    None => {
                        if let Some(crew) = crew.as_deref_mut() {
                            crew.finish(self, sink);
                        }
                        in_pieces = false;
                    }
                }
            }
            let shared = match crew.as_deref_mut() {
                Some(crew) if in_pieces => crew.wants_piece(self).then_some(crew),
                _ => None,
            };
            if let Some(crew) = shared {
                let (mut piece_data, findings) = self.spare_pieces.pop().unwrap_or_default();
                piece_data.clear();
                piece_data.extend_from_slice(&data[..cut]);
                // In pieces, the locator is reset at every cut (below), so
                // it holds the state at this piece's start.
                let piece_locator = loc.clone();
                let piece_json =
                    (json && base > 0).then(|| JsonProfile::between_records(json_in_array));
                let piece_table = match (&piece_locator, base) {
                    (Locator::Table(t), 1..) => Some(t.profile().continuation()),
                    _ => None,
                };
                let piece_sql = match (&piece_locator, base) {
                    (Locator::Sql(t), 1..) => Some(SqlProfile::continuing(t)),
                    _ => None,
                };
                sql_profile_behind |= matches!(piece_locator, Locator::Sql(_));
                let piece = Piece {
                    data: piece_data,
                    base,
                    lines: lines.clone(),
                    locator: piece_locator,
                    table: piece_table,
                    json: piece_json,
                    sql: piece_sql,
                    findings,
                };
                crew.submit(self, piece, sink);
            } else {
                if let Some(crew) = crew.as_deref_mut() {
                    crew.drain(self, sink);
                }
                if let (true, Locator::Sql(t)) = (sql_profile_behind, &*loc) {
                    // The pieces before were profiled by their own walks.
                    self.sql_profile
                        .get_or_insert_with(SqlProfile::new)
                        .stand_at(t);
                    sql_profile_behind = false;
                }
                self.scan_chunk(
                    data,
                    base,
                    cut,
                    &mut lines,
                    loc,
                    display,
                    ChunkOut::Sink(sink),
                );
            }
            lines.advance(data, base, base + cut as u64);
            let last_line_start =
                memchr::memrchr(b'\n', &data[..cut.saturating_sub(1)]).map_or(0, |i| i + 1);
            lines.previous_chunk_ignores_next = line_ignores_next(&data[last_line_start..cut]);
            line_run = match memchr::memrchr(b'\n', &data[..cut]) {
                Some(i) => (cut - i - 1) as u64,
                None => line_run + cut as u64,
            };
            if let Some(max) = max_line
                && line_run > max
                && !eof
            {
                skipping_line = true;
                let detail = format!(
                    "line {} is longer than {max} bytes: the rest of it is not examined (--max-line-length, limits.max_line_length)",
                    lines.line
                );
                if matches!(outcome.status, FileStatus::Complete) {
                    outcome.status = FileStatus::Partial {
                        reason: SkipReason::LimitHit,
                        detail,
                    };
                }
            }
            // An SQL dump cut into pieces: its structure was walked to the cut.
            if let Some(walked) = sql_at_cut {
                *loc = Locator::Sql(walked);
            }
            match &*loc {
                // Cut at a record end: the next buffer starts a record.
                Locator::Table(t) if in_pieces => *loc = Locator::Table(t.at_record_start()),
                // Cut between top-level records.
                Locator::Json(_) if in_pieces => {
                    json_in_array = json_in_array_after;
                    *loc = Locator::Json(JsonTracker::between_records(json_in_array));
                }
                _ => loc.rebase(data, cut),
            }
            buf.copy_within(cut..filled, 0);
            filled -= cut;
            base += cut as u64;
        }
        if let Some(crew) = crew {
            crew.finish(self, sink);
        }
        // A file's piece buffers are not kept for the next file.
        self.spare_pieces = Vec::new();
        outcome.bytes_scanned = raw_read;
        if let Some(expected_len) = expected_len
            && matches!(outcome.status, FileStatus::Complete)
            && outcome.bytes_scanned != expected_len
        {
            outcome.status = FileStatus::Partial {
                reason: SkipReason::Changed,
                detail: format!(
                    "size changed while reading: listed {expected_len} bytes, read {}",
                    outcome.bytes_scanned
                ),
            };
        }
        self.note_profile_limits(outcome);
        self.buf = buf;
    }

    /// Hands the findings of a scanned piece to `sink`, filtered, and adds
    /// its profiles to the file's. Pieces come here in file order.
    fn hand_on(&mut self, mut piece: Piece, sink: &mut dyn FnMut(&mut Finding)) {
        let keeps = |f: &Finding| self.ctx.settings.keeps(f);
        let _ = piece.findings.for_each(&mut self.spare_finding, |finding| {
            if keeps(finding) {
                sink(finding);
            }
            Ok::<(), std::convert::Infallible>(())
        });
        piece.findings.clear();
        if let Some(part) = piece.table {
            match &mut self.table_profile {
                Some(table) => table.absorb(&part),
                None => self.table_profile = Some(part),
            }
        }
        if let Some(part) = piece.json {
            match &mut self.json_profile {
                Some(json) => json.absorb(&part),
                None => self.json_profile = Some(part),
            }
        }
        if let Some(part) = piece.sql.take() {
            match &mut self.sql_profile {
                Some(sql) => sql.absorb(&part),
                None => self.sql_profile = Some(part),
            }
        }
        self.spare_pieces.push((piece.data, piece.findings));
    }

    /// Scans one piece on this scanner; its findings and profiles are left
    /// in the piece (the profiles of the file this scanner owns, if any,
    /// are put aside meanwhile).
    fn scan_piece(&mut self, piece: &mut Piece, display: &str) {
        let file_table = std::mem::replace(&mut self.table_profile, piece.table.take());
        let file_json = std::mem::replace(&mut self.json_profile, piece.json.take());
        let file_sql = std::mem::replace(&mut self.sql_profile, piece.sql.take());
        self.scan_chunk(
            &piece.data,
            piece.base,
            piece.data.len(),
            &mut piece.lines,
            &mut piece.locator,
            display,
            ChunkOut::Piece(&mut piece.findings),
        );
        piece.json = std::mem::replace(&mut self.json_profile, file_json);
        piece.sql = std::mem::replace(&mut self.sql_profile, file_sql);
        piece.table = std::mem::replace(&mut self.table_profile, file_table).map(|mut table| {
            table.finish(&self.ctx.key);
            table
        });
    }

    /// Reports a limit the table or JSON profile hit: the file was scanned
    /// for findings to the end, but its per-column counts stop at the limit.
    fn note_profile_limits(&self, outcome: &mut FileOutcome) {
        if !matches!(outcome.status, FileStatus::Complete) {
            return;
        }
        let table = self.table_profile.as_ref().and_then(|p| p.wider_than_limit);
        let json = self.json_profile.as_ref().and_then(|p| p.deeper_than_limit);
        let xml = self.xml_profile.as_ref().and_then(|p| p.deeper_than_limit);
        let detail = match (table, json.or(xml)) {
            (Some(width), _) => format!(
                "a record of {width} columns: columns past {} are not profiled (their findings are reported)",
                crate::columns::MAX_TABLE_COLUMNS
            ),
            (None, Some(depth)) => format!(
                "{} nested {depth} levels deep: fields deeper than {} are named by their first {} levels",
                if json.is_some() { "JSON" } else { "XML" },
                crate::structured::MAX_JSON_DEPTH,
                crate::structured::MAX_JSON_DEPTH
            ),
            (None, None) => return,
        };
        outcome.status = FileStatus::Partial {
            reason: SkipReason::LimitHit,
            detail,
        };
    }

    /// Decodes a UTF-16 file (by its byte order mark) to UTF-8, with the
    /// number of raw bytes read. Returns `None` for anything else.
    fn decode_if_utf16(
        &self,
        head: &[u8],
        file: &mut dyn Read,
        expected_len: Option<u64>,
        outcome: &mut FileOutcome,
    ) -> Option<(Vec<u8>, u64)> {
        let encoding = match encoding_rs::Encoding::for_bom(head) {
            Some((encoding, _)) => encoding,
            None => utf16_without_bom(head)?,
        };
        if encoding == encoding_rs::UTF_8 {
            return None;
        }
        let over_limit = |outcome: &mut FileOutcome, partial: bool| {
            let reason = SkipReason::LimitHit;
            let detail = format!(
                "{} text over {MAX_DECODED_FILE} bytes is not decoded",
                encoding.name()
            );
            outcome.status = if partial {
                FileStatus::Partial { reason, detail }
            } else {
                FileStatus::Skipped { reason, detail }
            };
        };
        if expected_len.is_some_and(|len| len > MAX_DECODED_FILE) {
            over_limit(outcome, false);
            return None;
        }
        // A stream of unknown length (an archive member) is read up to the
        // limit; past it, what was read is scanned and the rest is reported.
        let mut raw = head.to_vec();
        let room = (MAX_DECODED_FILE + 1).saturating_sub(raw.len() as u64);
        if let Err(e) = file.take(room).read_to_end(&mut raw) {
            let (reason, detail) = read_error(&e, raw.len() as u64);
            outcome.status = FileStatus::Partial { reason, detail };
        }
        if raw.len() as u64 > MAX_DECODED_FILE {
            raw.truncate(MAX_DECODED_FILE as usize);
            over_limit(outcome, true);
        }
        let read = raw.len() as u64;
        let (text, _, _) = encoding.decode(&raw);
        Some((text.into_owned().into_bytes(), read))
    }

    /// Walks the profile of a table or SQL dump over the stretch of `buf`
    /// from `from`, about [`NAMING_STRETCH`] bytes up to a record or line
    /// end (at most to `accept_end`), and lets the locator name the
    /// stretch's fields from the marks the walk noted. Where the locator does
    /// not stand where the profile does (a line passed over for its length),
    /// the profile walks the rest and the locator walks by itself. Returns
    /// the stretch's end; other formats are one stretch.
    fn walk_stretch(
        &mut self,
        buf: &[u8],
        from: usize,
        accept_end: usize,
        locator: &mut Locator,
    ) -> usize {
        let key = &self.ctx.key;
        let fits = u32::try_from(accept_end).is_ok();
        match locator {
            Locator::Table(t) => {
                let profile = self.table_profile.get_or_insert_with(|| t.profile());
                let rest = &buf[from..accept_end];
                if !fits || t.position_at(from) != Some(profile.position()) {
                    profile.walk(rest, key);
                    return accept_end;
                }
                let walked = profile.walk_marking(
                    rest,
                    key,
                    Some((t.marks_to_fill(), from)),
                    NAMING_STRETCH,
                );
                let (column, in_quotes) = profile.position();
                t.use_marks(from + walked, column, in_quotes);
                from + walked
            }
            Locator::Sql(t) => {
                let profile = self.sql_profile.get_or_insert_with(SqlProfile::new);
                let alike = fits && t.starts_like(profile);
                let to = match from.checked_add(NAMING_STRETCH) {
                    Some(target) if alike && target < accept_end => {
                        memchr::memchr(b'\n', &buf[target..accept_end])
                            .map_or(accept_end, |i| target + i + 1)
                    }
                    _ => accept_end,
                };
                profile.walk_to(buf, from, to, key, alike);
                if alike {
                    t.use_marks(profile, from, to);
                }
                to
            }
            _ => accept_end,
        }
    }

    /// Runs the matcher over `buf[..accept_end]` and emits located findings.
    #[allow(clippy::too_many_arguments)]
    fn scan_chunk(
        &mut self,
        buf: &[u8],
        base: u64,
        accept_end: usize,
        lines: &mut LineTracker,
        locator: &mut Locator,
        display_path: &str,
        mut out: ChunkOut<'_>,
    ) {
        let matcher = &self.ctx.matcher;
        self.hits.clear();
        self.hit_fields.clear();
        self.hit_field_names.clear();
        self.hit_phone_forms.clear();
        self.hit_phones.clear();
        let key = &self.ctx.key;
        // Tables and SQL dumps are scanned in stretches of about
        // NAMING_STRETCH bytes: the profile walks a stretch first and notes
        // where each field starts, the stretch's hits are then named by a
        // look-up, not by a second walk, and the marks of one stretch at a
        // time are kept.
        if let Locator::Table(t) = &mut *locator {
            t.swap_marks(&mut self.table_marks);
        }
        let mut stretch_start = 0;
        loop {
            let (from, to) = (
                stretch_start,
                self.walk_stretch(buf, stretch_start, accept_end, locator),
            );
            {
                // Hits are named as the matcher hands them over, line by line:
                // the locator is then still on their line (the context checks
                // before them asked only about that line), so a tracker that
                // walks (JSON) walks each line once for both. Trackers answer
                // for earlier offsets of the line they are on.
                let (hits, hit_fields, hit_field_names, hit_phone_forms, hit_phones) = (
                    &mut self.hits,
                    &mut self.hit_fields,
                    &mut self.hit_field_names,
                    &mut self.hit_phone_forms,
                    &mut self.hit_phones,
                );
                let names_fields = !matches!(locator, Locator::None);
                let shared = std::cell::RefCell::new(&mut *locator);
                let mut field_is = |offset: usize, check: &mut dyn FnMut(&str) -> bool| {
                    shared.borrow_mut().field_is(buf, from + offset, check)
                };
                let field_is: Option<&mut FieldIs<'_>> = names_fields.then_some(&mut field_is);
                let stretch = &buf[from..];
                matcher.find_hits(&mut self.cache, stretch, to - from, field_is, &mut |h| {
                    let h = Hit {
                        start: from + h.start,
                        end: from + h.end,
                        ..h
                    };
                    // Copied into one buffer: a string per hit, held until the
                    // hits are turned into findings, cost more in allocation
                    // than the walk it saves.
                    let field = if names_fields {
                        shared.borrow_mut().with_field(buf, h.start, |name| {
                            let at = hit_field_names.len();
                            hit_field_names.push_str(name);
                            at..hit_field_names.len()
                        })
                    } else {
                        None
                    };
                    hit_fields.push(field);
                    let text = &buf[h.start..h.end];
                    let phones_from = hit_phones.len();
                    // ASCII: the value normalised later is these very bytes.
                    let appended = matcher.entity(h.rule) == Entity::Phone
                        && text.is_ascii()
                        && crate::validate::phone_append_just_accepted(
                            text,
                            matcher.region(),
                            hit_phones,
                        );
                    if appended {
                        let index = u32::try_from(hits.len());
                        let range = u32::try_from(phones_from)
                            .and_then(|from| u32::try_from(hit_phones.len()).map(|to| (from, to)));
                        // Offsets beyond u32 are not kept: the number is then
                        // normalised from its text.
                        if let (Ok(index), Ok((from, to))) = (index, range) {
                            hit_phone_forms.push((index, from, to));
                        }
                    }
                    hits.push(h)
                });
            }
            match &mut *locator {
                Locator::Table(t) => t.stop_using_marks(),
                Locator::Sql(t) => {
                    if let Some(profile) = self.sql_profile.as_mut() {
                        t.give_back_marks(profile);
                    }
                }
                _ => {}
            }
            if to >= accept_end {
                break;
            }
            stretch_start = to;
        }
        match &mut *locator {
            Locator::Table(t) => t.swap_marks(&mut self.table_marks),
            Locator::Json(_) => self
                .json_profile
                .get_or_insert_with(JsonProfile::default)
                .walk(&buf[..accept_end], key),
            Locator::Xml(_) => self
                .xml_profile
                .get_or_insert_with(XmlProfile::default)
                .walk(&buf[..accept_end], key),
            Locator::Sql(_) => {
                if let Some(profile) = self.sql_profile.as_mut() {
                    profile.end_buffer(accept_end);
                }
            }
            _ => {}
        }
        // One pass over the chunk tells whether any line in it carries a
        // marker; only then is each hit's line looked at.
        // (`piiscan:ignore` is also the start of the next-line marker.)
        let markers = lines.previous_chunk_ignores_next || IGNORE_FINDER.find(buf).is_some();
        let path = self.path_for(display_path);
        let mut ignored_line = IgnoredLine::default();
        let mut phone_forms = self.hit_phone_forms.iter().peekable();
        // Where values are dense (an export), the chunk is checked as
        // UTF-8 once and its values are slices of it: checking each value
        // alone cost about a hundred instructions, checking the chunk well
        // under one a byte.
        let text = (self.hits.len() > buf.len() / 256)
            .then(|| std::str::from_utf8(buf).ok())
            .flatten();
        for (index, (hit, field)) in self.hits.iter().zip(&self.hit_fields).enumerate() {
            let phone_form = phone_forms.next_if(|form| form.0 as usize == index);
            lines.advance(buf, base, base + hit.start as u64);
            if markers && ignored_line.is_ignored(buf, hit.start, lines.previous_chunk_ignores_next)
            {
                continue;
            }
            let rule = matcher.rule(hit.rule);
            let finding = Self::fill_spare(
                &mut self.spare_finding,
                rule,
                &self.rule_ids[hit.rule],
                &path,
            );
            finding.line = lines.line;
            finding.column = lines.chars + 1;
            set_reusing(
                &mut finding.field,
                field.clone().map(|at| &self.hit_field_names[at]),
            );
            finding.confidence = hit.confidence;
            finding.value.clear();
            match text.and_then(|text| text.get(hit.start..hit.end)) {
                Some(value) => finding.value.push_str(value),
                None => finding
                    .value
                    .push_str(&crate::formats::text_lossy(&buf[hit.start..hit.end])),
            }
            let normalized: &str = match phone_form {
                Some(&(_, from, to)) => &self.hit_phones[from as usize..to as usize],
                None => {
                    normalize_into(
                        rule.entity,
                        &finding.value,
                        matcher.region(),
                        &mut self.normalized,
                    );
                    &self.normalized
                }
            };
            if self.ctx.settings.bare_findings {
                finding.fingerprint_bits = self.ctx.key.distinct_bits(rule.entity, normalized);
                finding.fingerprint.clear();
                finding.masked.clear();
            } else {
                (finding.fingerprint, finding.fingerprint_bits) =
                    self.ctx.key.fingerprint(rule.entity, normalized);
                mask_into(rule.entity, &finding.value, &mut finding.masked);
            }
            match &mut out {
                ChunkOut::Sink(sink) => {
                    if self.ctx.settings.keeps(finding) {
                        sink(finding);
                    }
                }
                ChunkOut::Piece(found) => found.push(finding),
            }
        }
    }

    /// One shared copy of the path for the findings of a file.
    fn path_for(&mut self, display_path: &str) -> std::sync::Arc<str> {
        match &self.shared_path {
            Some(p) if **p == *display_path => std::sync::Arc::clone(p),
            _ => {
                let p: std::sync::Arc<str> = display_path.into();
                self.shared_path = Some(std::sync::Arc::clone(&p));
                p
            }
        }
    }

    /// The finding lent to sinks, with the parts that come from its rule
    /// and its file set. One finding is filled in for each hit: a sink that
    /// keeps it takes its strings, one that only counts it leaves them to
    /// be written over (no allocation per finding).
    fn fill_spare<'f>(
        spare: &'f mut Option<Finding>,
        rule: &crate::rules::Rule,
        rule_id: &std::sync::Arc<str>,
        path: &std::sync::Arc<str>,
    ) -> &'f mut Finding {
        let finding = spare.get_or_insert_with(|| Finding {
            entity: rule.entity,
            rule: std::sync::Arc::clone(rule_id),
            category: rule.category,
            path: std::sync::Arc::clone(path),
            line: 0,
            column: 0,
            field: None,
            confidence: crate::finding::Confidence::Low,
            masked: String::new(),
            fingerprint: String::new(),
            fingerprint_bits: 0,
            value: String::new(),
        });
        finding.entity = rule.entity;
        if !std::sync::Arc::ptr_eq(&finding.rule, rule_id) {
            finding.rule = std::sync::Arc::clone(rule_id);
        }
        finding.category = rule.category;
        if !std::sync::Arc::ptr_eq(&finding.path, path) {
            finding.path = std::sync::Arc::clone(path);
        }
        finding
    }
}

/// The end of the last line in `data` that ends between top-level JSON
/// values (NDJSON documents, or the records of a top-level array), and
/// whether it is inside that array. `data` starts between such values,
/// inside the top-level array when `in_array`. Counts brackets as the JSON
/// walkers push and pop frames, strings with their escapes.
fn json_record_end(data: &[u8], in_array: bool) -> Option<(usize, bool)> {
    let mut depth = usize::from(in_array);
    let mut outer_is_array = in_array;
    let mut in_string = false;
    let mut last = None;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if in_string {
            match memchr::memchr2(b'"', b'\\', &data[i..]) {
                Some(j) if data[i + j] == b'\\' => i += j + 2,
                Some(j) => {
                    in_string = false;
                    i += j + 1;
                }
                None => break,
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                if depth == 0 {
                    outer_is_array = b == b'[';
                }
                depth += 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 || (depth == 1 && outer_is_array) => {
                last = Some((i + 1, depth == 1));
            }
            _ => {}
        }
        i += 1;
    }
    last
}

/// The end of the last whole record in `data`, which starts where a record
/// starts: just past a line end with an even number of quotes before it
/// (the table walkers toggle "inside quotes" at every quote, so an escaped
/// `""` keeps the count even). `None` when no such line end is near the
/// back of `data`.
fn record_end(data: &[u8]) -> Option<usize> {
    let mut quotes = memchr::memchr_iter(b'"', data).count();
    let mut end = data.len();
    for _ in 0..RECORD_END_TRIES {
        let line_end = memchr::memrchr(b'\n', &data[..end])?;
        quotes -= memchr::memchr_iter(b'"', &data[line_end + 1..end]).count();
        if quotes.is_multiple_of(2) {
            return Some(line_end + 1);
        }
        end = line_end;
    }
    None
}

/// Names a read error: a limit of [`crate::container`], damaged compressed
/// data, or an I/O failure.
fn read_error(e: &std::io::Error, read: u64) -> (SkipReason, String) {
    if let Some(limit) = crate::container::limit_in(e) {
        return (SkipReason::LimitHit, limit.to_string());
    }
    let reason = match e.kind() {
        // What decompressors and archive readers say about bad data.
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::UnexpectedEof => SkipReason::Corrupt,
        _ => SkipReason::Unreadable,
    };
    (reason, format!("read error after {read} bytes: {e}"))
}

/// UTF-16 written without a byte order mark (some Windows exports): in the
/// probe, nearly every byte at one parity is NUL and almost none at the
/// other, which is what mostly-ASCII text looks like in UTF-16 and what
/// binary data almost never does. Anything else stays binary.
fn utf16_without_bom(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let probe = &head[..head.len().min(BINARY_PROBE) & !1];
    // Text without a NUL (nearly every file) is settled by one fast search.
    if probe.len() < 32 || memchr::memchr(0, probe).is_none() {
        return None;
    }
    let pairs = probe.len() / 2;
    let zeros_at = |parity: usize| {
        probe
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let hardly = |n: usize| n * 20 <= pairs;
    if mostly(odd) && hardly(even) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(even) && hardly(odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

fn is_utf16_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")
}

/// True when `head` holds a byte sequence that is invalid UTF-8 (not merely
/// a character cut at the end of the chunk).
fn looks_like_windows_1252(head: &[u8], at_eof: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some() || at_eof,
    }
}

/// Decodes `buf[from..to]` from Windows-1252 to UTF-8 in place, growing the
/// buffer when needed. Returns the new end of the valid bytes.
fn decode_windows_1252_in_place(buf: &mut Vec<u8>, from: usize, to: usize) -> usize {
    let raw = &buf[from..to];
    if raw.is_ascii() {
        return to;
    }
    let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(raw);
    let decoded = decoded.into_owned().into_bytes();
    let end = from + decoded.len();
    if end > buf.len() {
        buf.resize(end, 0);
    }
    buf[from..end].copy_from_slice(&decoded);
    end
}

/// The inline-ignore verdict of the line the previous hit was on. Hits
/// arrive in position order, so the many hits of one long line (minified
/// JSON, a one-line list of addresses) look their line up once: looking it
/// up per hit scanned the whole line each time, which made such a chunk
/// quadratic (100,000 addresses on one 1.5 MB line took minutes).
#[derive(Default)]
struct IgnoredLine {
    /// The line's first byte and its end (its `\n`, or the buffer's end).
    line: Option<(usize, usize)>,
    ignored: bool,
}

impl IgnoredLine {
    fn is_ignored(&mut self, buf: &[u8], at: usize, previous_chunk_ignores_next: bool) -> bool {
        if let Some((start, end)) = self.line
            && (start..=end).contains(&at)
        {
            return self.ignored;
        }
        let line_start = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i);
        self.line = Some((line_start, line_end));
        self.ignored = is_ignored_inline(buf, line_start, line_end, previous_chunk_ignores_next);
        self.ignored
    }
}

/// Inline ignores: `piiscan:ignore` on the finding's line
/// (`buf[line_start..line_end]`), or `piiscan:ignore-next-line` on the line
/// before, in any comment syntax.
fn is_ignored_inline(
    buf: &[u8],
    line_start: usize,
    line_end: usize,
    previous_chunk_ignores_next: bool,
) -> bool {
    if line_ignores_itself(&buf[line_start..line_end]) {
        return true;
    }
    if line_start == 0 {
        return previous_chunk_ignores_next;
    }
    let prev_start = memchr::memrchr(b'\n', &buf[..line_start - 1]).map_or(0, |i| i + 1);
    line_ignores_next(&buf[prev_start..line_start - 1])
}

impl Locator {
    /// Keeps the tracker valid when the scanner drops `consumed` bytes.
    fn rebase(&mut self, buf: &[u8], consumed: usize) {
        match self {
            Locator::Table(t) => t.rebase(buf, consumed),
            Locator::Json(t) => t.rebase(buf, consumed),
            Locator::Sql(t) => t.rebase(buf, consumed),
            Locator::Xml(t) => t.rebase(buf, consumed),
            Locator::None | Locator::Fixed(_) | Locator::Cells(_) => {}
        }
    }

    fn for_format(format: Format, start: &[u8]) -> Locator {
        match format {
            Format::Text => Locator::None,
            Format::Table => Locator::Table(TableTracker::new(start)),
            Format::Sniffed if crate::formats::looks_like_json(start) => {
                Locator::Json(JsonTracker::new())
            }
            Format::Sniffed if crate::formats::looks_like_xml(start) => {
                Locator::Xml(XmlTracker::new())
            }
            Format::Sniffed if crate::formats::looks_like_table(start) => {
                Locator::Table(TableTracker::new(start))
            }
            Format::Sniffed => Locator::None,
            Format::Json => Locator::Json(JsonTracker::new()),
            Format::Sql => Locator::Sql(SqlTracker::new()),
            Format::Xml => Locator::Xml(XmlTracker::new()),
        }
    }
}

/// Opens a file the directory listing showed as regular, then reads its
/// metadata from the open file: one path lookup instead of two, which is a
/// measurable share of a scan of many small files. Opened without blocking
/// in case it was replaced by a FIFO since the listing (the metadata then
/// tells, and the file is skipped like any special file). `None` where
/// that cannot be done (not Unix): the caller reads the metadata first.
#[cfg(unix)]
fn open_listed_regular(path: &Path) -> Option<std::io::Result<(File, std::fs::Metadata)>> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .and_then(|file| {
            let meta = file.metadata()?;
            Ok((file, meta))
        });
    Some(opened)
}

#[cfg(not(unix))]
fn open_listed_regular(_path: &Path) -> Option<std::io::Result<(File, std::fs::Metadata)>> {
    None
}

fn describe_special(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ft = meta.file_type();
        if ft.is_fifo() {
            return "fifo";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "device";
        }
    }
    if meta.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::said;

    fn context() -> ScanContext {
        ScanContext::new(
            crate::build_matcher(crate::rules::default_rules().unwrap(), None, "NL").unwrap(),
            FingerprintKey::from_secret(b"scan tests", "test"),
            ScanSettings::default(),
        )
    }

    fn outcome() -> FileOutcome {
        FileOutcome::start("x.txt".into(), 0, None)
    }

    /// Delivers `data`, then fails as a file deleted or truncated under
    /// the reader would (a network file system's stale handle, EIO).
    struct Vanishing<'d> {
        data: &'d [u8],
    }

    impl Read for Vanishing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.data.is_empty() {
                return Err(std::io::Error::other("stale file handle"));
            }
            let n = self.data.read(buf)?;
            Ok(n)
        }
    }

    const TEXT: &[u8] = b"jan.devries@hotmail.com\n";

    #[test]
    fn a_lent_finding_says_only_what_its_hit_found_whether_taken_or_not() {
        let ctx = context();
        // A table (fields named) then plain text (none), values of several
        // lengths and entities, so that every part is written over.
        let documents: [(&str, &[u8]); 2] = [
            (
                "klanten.csv",
                b"naam;email;telefoon;kenteken\nJan;jan.devries@hotmail.com;0612345678;GB-12-NZ\n\
                  Piet;p@kpn.nl;+31 20 123 4567;12-ABC-3\nKees;kees.van.der.berg@ziggo.nl;;\n",
            ),
            (
                "notes.txt",
                b"call 06-12345678 or mail a.b@kpn.nl\nIBAN NL91ABNA0417164300, 1HGCM82633A004352\n",
            ),
        ];
        // Each finding as it was handed on, by a sink that keeps them all.
        let kept: Vec<Vec<String>> = documents
            .iter()
            .map(|(name, text)| {
                let mut kept = Vec::new();
                FileScanner::new(&ctx).scan_document(text, name, &mut |f| kept.push(said(&f)));
                assert!(kept.len() >= 4, "{name}: {kept:?}");
                kept
            })
            .collect();
        // A sink that takes every other finding and only looks at the rest
        // sees the same findings, with one scanner for both documents.
        for takes_first in [true, false] {
            let mut scanner = FileScanner::new(&ctx);
            for ((name, text), kept) in documents.iter().zip(&kept) {
                let mut seen = Vec::new();
                let mut taken = Vec::new();
                let mut locator = Locator::for_format(Format::for_path(Path::new(name)), text);
                scanner.scan_chunk(
                    text,
                    0,
                    text.len(),
                    &mut LineTracker::new(),
                    &mut locator,
                    name,
                    ChunkOut::Sink(&mut |f| {
                        seen.push(said(f));
                        if (seen.len() % 2 == 1) == takes_first {
                            taken.push(f.take());
                        }
                    }),
                );
                assert_eq!(&seen, kept, "{name}");
                let taken: Vec<String> = taken.iter().map(said).collect();
                let expected: Vec<String> = kept
                    .iter()
                    .skip(usize::from(!takes_first))
                    .step_by(2)
                    .cloned()
                    .collect();
                assert_eq!(taken, expected, "{name}");
            }
        }
    }

    #[test]
    fn a_file_that_shrinks_after_listing_is_partial_changed() {
        let ctx = context();
        let mut scanner = FileScanner::new(&ctx);
        let mut found = Vec::new();
        let mut o = outcome();
        scanner.scan_reader(
            &mut &TEXT[..],
            Format::Text,
            Some(1000),
            &mut o,
            &mut |f| found.push(f.take()),
            &|_| {},
        );
        assert_eq!(found.len(), 1, "what was read is scanned");
        match o.status {
            FileStatus::Partial {
                reason: SkipReason::Changed,
                detail,
            } => assert!(detail.contains("listed 1000 bytes, read 24"), "{detail}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_that_vanishes_while_read_is_partial_unreadable() {
        let ctx = context();
        let mut scanner = FileScanner::new(&ctx);
        let mut found = Vec::new();
        let mut o = outcome();
        let mut reader = Vanishing { data: TEXT };
        scanner.scan_reader(
            &mut reader,
            Format::Text,
            Some(1000),
            &mut o,
            &mut |f| found.push(f.take()),
            &|_| {},
        );
        assert_eq!(found.len(), 1);
        match o.status {
            FileStatus::Partial {
                reason: SkipReason::Unreadable,
                detail,
            } => assert!(detail.contains("after 24 bytes"), "{detail}"),
            other => panic!("{other:?}"),
        }
        // Vanished before the first byte: skipped, not partial.
        let mut o = outcome();
        scanner.scan_reader(
            &mut Vanishing { data: b"" },
            Format::Text,
            Some(1000),
            &mut o,
            &mut |_| {},
            &|_| {},
        );
        assert!(
            matches!(
                o.status,
                FileStatus::Skipped {
                    reason: SkipReason::Unreadable,
                    ..
                }
            ),
            "{:?}",
            o.status
        );
    }

    #[test]
    fn utf16_is_recognised_without_a_byte_order_mark() {
        let le: Vec<u8> = "naam,email\nJan,x\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&le), Some(encoding_rs::UTF_16LE));
        let be: Vec<u8> = "naam,email\nJan,x\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_without_bom(&[0u8; 4096]), None);
        assert_eq!(
            utf16_without_bom(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"),
            None
        );
    }
}
