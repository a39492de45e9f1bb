//! The parallel directory walk: ignore rules, globs, symlinks, and turning
//! every walk error into a counted skip instead of an abort.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::inventory::FileEntry;
use crate::scan::{
    FileOutcome, FileScanner, FileStatus, Profiles, ScanContext, ScanSink, SkipReason,
};
use ignore::{WalkBuilder, WalkState, overrides::OverrideBuilder};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;

/// Findings are sent to the collector in batches of this many, so a file
/// with millions of findings streams instead of piling up.
const FINDING_BATCH: usize = 1024;

#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub hidden: bool,
    pub no_ignore: bool,
    pub globs: Vec<String>,
    pub follow: bool,
    /// 0 picks a number from the available cores.
    pub threads: usize,
    /// Send every finding to the collector (for streaming reports); when
    /// false only per-file statistics travel between threads.
    pub stream_findings: bool,
    /// Scan only the files of this shard of the walk.
    pub shard: Option<Shard>,
    /// Scan only files last modified before this time (`--older-than`).
    pub modified_before: Option<std::time::SystemTime>,
}

/// True when the file is out of the `--older-than` window.
fn too_recent(entry: &ignore::DirEntry, options: &WalkOptions) -> bool {
    let Some(cutoff) = options.modified_before else {
        return false;
    };
    entry
        .metadata()
        .ok()
        .and_then(|m| m.modified().ok())
        .is_some_and(|modified| modified > cutoff)
}

/// One of `count` disjoint parts of a walk (`--shard index/count`). A file
/// belongs to the shard its path, relative to the root it was found under,
/// hashes to, so shards on different machines agree without talking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with `0 <= K < N` (0-based, as a Kubernetes indexed
    /// job's completion index).
    pub fn parse(text: &str) -> std::result::Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N (e.g. 0/4)"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }

    /// True when the file at `path` (found under one of `roots`) is in this shard.
    pub fn contains(&self, roots: &[PathBuf], path: &Path) -> bool {
        let relative = roots
            .iter()
            .filter_map(|r| path.strip_prefix(r).ok())
            .min_by_key(|p| p.as_os_str().len())
            .unwrap_or(path);
        // The path with `/` separators, so every platform agrees.
        let mut key = Vec::new();
        for (i, c) in relative.components().enumerate() {
            if i > 0 {
                key.push(b'/');
            }
            key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        }
        let hash = blake3::hash(&key);
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        u64::from_le_bytes(first) % self.count == self.index
    }
}

/// What the walker threads tell the collector: a batch of findings (sent
/// only when the report streams them) and of finished files with the
/// statistics of their findings. A file's findings come in the same batch
/// as the file or an earlier one.
pub struct Event {
    pub findings: Vec<Finding>,
    pub files: Vec<(FileOutcome, Option<Box<FileEntry>>)>,
}

/// Files gathered before a thread sends them on: one message per file woke
/// the collector for every small file (a thread switch each).
const FILE_BATCH: usize = 64;

/// A scanning thread's outgoing batch, sent when full and when the thread
/// ends (on drop).
struct Outbox {
    tx: SyncSender<Event>,
    findings: Vec<Finding>,
    files: Vec<(FileOutcome, Option<Box<FileEntry>>)>,
    /// False once the collector is gone (the scan is ending).
    open: bool,
}

impl Outbox {
    fn new(tx: SyncSender<Event>) -> Self {
        Outbox {
            tx,
            findings: Vec::new(),
            files: Vec::new(),
            open: true,
        }
    }

    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
        if self.findings.len() >= FINDING_BATCH {
            self.flush();
        }
    }

    fn file(&mut self, outcome: FileOutcome, entry: Option<Box<FileEntry>>) {
        self.files.push((outcome, entry));
        if self.files.len() >= FILE_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.findings.is_empty() && self.files.is_empty() {
            return;
        }
        let event = Event {
            findings: std::mem::take(&mut self.findings),
            files: std::mem::take(&mut self.files),
        };
        self.open &= self.tx.send(event).is_ok();
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Shared counters for progress display: bytes and files, never matches.
#[derive(Debug, Default)]
pub struct Counters {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

/// The path as the user gave the root: `fixtures/a.csv`, not `./fixtures/a.csv`.
pub fn display_path(path: &Path) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    p.to_string_lossy().into_owned()
}

/// Walks `roots` in parallel, scanning every file, and sends events to `tx`.
pub fn walk(
    roots: &[PathBuf],
    options: &WalkOptions,
    ctx: &ScanContext,
    counters: &Counters,
    tx: SyncSender<Event>,
) -> Result<()> {
    let Some(builder) = walk_builder(roots, options)? else {
        return Ok(());
    };
    builder.build_parallel().run(|| {
        let mut scanner = FileScanner::new(ctx);
        let mut outbox = Outbox::new(tx.clone());
        Box::new(move |result| {
            if crate::interrupt::requested() {
                return WalkState::Quit;
            }
            match result {
                Ok(entry) => visit(&mut scanner, &entry, roots, options, counters, &mut outbox),
                Err(err) => outbox.file(walk_error_outcome(&err), None),
            };
            if outbox.open {
                WalkState::Continue
            } else {
                WalkState::Quit
            }
        })
    });
    Ok(())
}

/// The files a scan with these options would read, in walk order (sorted
/// by path), without reading them: for handing work to other machines.
pub fn list_files(roots: &[PathBuf], options: &WalkOptions) -> Result<Vec<String>> {
    let Some(mut builder) = walk_builder(roots, options)? else {
        return Ok(Vec::new());
    };
    builder.sort_by_file_path(|a, b| a.cmp(b));
    let mut files = Vec::new();
    for entry in builder.build().flatten() {
        let is_dir = entry.file_type().is_none_or(|t| t.is_dir());
        if is_dir {
            continue;
        }
        if let Some(shard) = options.shard
            && !shard.contains(roots, entry.path())
        {
            continue;
        }
        if too_recent(&entry, options) {
            continue;
        }
        files.push(display_path(entry.path()));
    }
    Ok(files)
}

/// The walker for `roots` with the ignore, hidden, symlink and glob options.
fn walk_builder(roots: &[PathBuf], options: &WalkOptions) -> Result<Option<WalkBuilder>> {
    let Some((first, rest)) = roots.split_first() else {
        return Ok(None);
    };
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    let respect = !options.no_ignore;
    builder
        .hidden(!options.hidden)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .parents(respect)
        .follow_links(options.follow)
        .threads(resolve_threads(options.threads));
    if !options.globs.is_empty() {
        let mut overrides = OverrideBuilder::new(".");
        for g in &options.globs {
            overrides.add(g).map_err(|e| Error::InvalidGlob {
                glob: g.clone(),
                message: e.to_string(),
            })?;
        }
        let built = overrides.build().map_err(|e| Error::InvalidGlob {
            glob: options.globs.join(" "),
            message: e.to_string(),
        })?;
        builder.overrides(built);
    }
    Ok(Some(builder))
}

/// The number of scanning threads for `--threads N` (0: one per core, at
/// most 12, as the walker counts them).
pub fn resolve_threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(12),
        n => n,
    }
}

fn visit(
    scanner: &mut FileScanner<'_>,
    entry: &ignore::DirEntry,
    roots: &[PathBuf],
    options: &WalkOptions,
    counters: &Counters,
    outbox: &mut Outbox,
) {
    let Some(file_type) = entry.file_type() else {
        return; // stdin: not walked
    };
    if file_type.is_dir() {
        return;
    }
    if let Some(shard) = options.shard
        && !shard.contains(roots, entry.path())
    {
        return; // another shard's file
    }
    if too_recent(entry, options) {
        return; // selected out, like a glob
    }
    let display = display_path(entry.path());
    if file_type.is_symlink() && !options.follow {
        let outcome = FileOutcome {
            path: display,
            size: 0,
            modified: None,
            bytes_scanned: 0,
            status: FileStatus::Skipped {
                reason: SkipReason::Symlink,
                detail: "symbolic link not followed (use --follow)".into(),
            },
        };
        outbox.file(outcome, None);
        return;
    }
    let mut collector = Collector {
        outbox,
        stream: options.stream_findings,
        stats: FileEntry::default(),
    };
    let listed_regular = file_type.is_file();
    let outcome = scanner.scan_file(
        entry.path(),
        listed_regular,
        display,
        &mut collector,
        &|bytes| {
            counters.bytes.fetch_add(bytes, Ordering::Relaxed);
        },
    );
    counters.files.fetch_add(1, Ordering::Relaxed);
    let profiles = scanner.take_profiles();
    collector.entry(outcome, profiles);
}

/// Gathers one walked file's findings into per-entry statistics and sends
/// them on. Findings arrive before the entry they belong to (see
/// [`ScanSink`]), so the statistics so far always belong to the next entry.
struct Collector<'t> {
    outbox: &'t mut Outbox,
    stream: bool,
    stats: FileEntry,
}

impl ScanSink for Collector<'_> {
    fn finding(&mut self, finding: Finding) {
        self.stats.add(&finding);
        if self.stream {
            self.outbox.finding(finding);
        }
    }

    fn entry(&mut self, outcome: FileOutcome, profiles: Profiles) {
        let mut stats = std::mem::take(&mut self.stats);
        stats.table = profiles.table.map(Box::new);
        stats.json = profiles.json.map(Box::new);
        stats.sql = profiles.sql.map(Box::new);
        self.outbox.file(outcome, Some(Box::new(stats)));
    }
}

fn walk_error_outcome(err: &ignore::Error) -> FileOutcome {
    let path = error_path(err)
        .map(display_path)
        .unwrap_or_else(|| "(unknown)".into());
    FileOutcome {
        path,
        size: 0,
        modified: None,
        bytes_scanned: 0,
        status: FileStatus::Skipped {
            reason: SkipReason::WalkError,
            detail: err.to_string(),
        },
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}
