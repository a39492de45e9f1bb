//! The parallel directory walk: ignore rules, globs, symlinks, and turning
//! every walk error into a counted skip instead of an abort.

use crate::error::{Error, Result};
use crate::finding::{Finding, FindingBatch};
use crate::inventory::FileEntry;
use crate::scan::{
    FileOutcome, FileScanner, FileStatus, Profiles, ScanContext, ScanSink, SkipReason,
};
use ignore::{WalkBuilder, WalkState, overrides::OverrideBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    /// Which findings travel to the collector besides the per-file
    /// statistics.
    pub findings: FindingFlow,
    /// Scan only the files of this shard of the walk.
    pub shard: Option<Shard>,
    /// Scan only files last modified before this time (`--older-than`).
    pub modified_before: Option<std::time::SystemTime>,
}

/// Which findings the scanning threads send on to the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindingFlow {
    /// None: only per-file statistics travel between threads.
    #[default]
    Counted,
    /// Every finding, as it is found (for streaming reports).
    All,
    /// Of each file, the first N findings by location (path, line,
    /// column), sent with the file: all a report needs that lists the
    /// first N findings of the whole scan.
    EarliestPerFile(usize),
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
    pub findings: FindingBatch,
    pub files: Vec<(FileOutcome, Option<Box<FileEntry>>)>,
}

/// Files gathered before a thread sends them on: one message per file woke
/// the collector for every small file (a thread switch each).
const FILE_BATCH: usize = 64;

/// A scanning thread's outgoing batch, sent when full and when the thread
/// ends (on drop).
struct Outbox {
    tx: SyncSender<Event>,
    findings: FindingBatch,
    files: Vec<(FileOutcome, Option<Box<FileEntry>>)>,
    /// False once the collector is gone (the scan is ending).
    open: bool,
}

impl Outbox {
    fn new(tx: SyncSender<Event>) -> Self {
        Outbox {
            tx,
            findings: FindingBatch::default(),
            files: Vec::with_capacity(FILE_BATCH),
            open: true,
        }
    }

    fn finding(&mut self, finding: &Finding) {
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
            // Made full size: grown a file at a time, the batch was copied
            // six times on its way to 64 outcomes (about 1% of a scan of
            // many small files).
            files: std::mem::replace(&mut self.files, Vec::with_capacity(FILE_BATCH)),
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
            dated: Default::default(),
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
        flow: options.findings,
        stats: FileEntry::default(),
        earliest: Earliest::default(),
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
    flow: FindingFlow,
    stats: FileEntry,
    /// With [`FindingFlow::EarliestPerFile`]: the file's earliest findings
    /// so far.
    earliest: Earliest,
}

impl ScanSink for Collector<'_> {
    fn finding(&mut self, finding: &mut Finding) {
        self.stats.add(finding);
        match self.flow {
            FindingFlow::Counted => {}
            FindingFlow::All => self.outbox.finding(finding),
            FindingFlow::EarliestPerFile(n) => self.earliest.offer(n, finding),
        }
    }

    fn entry(&mut self, outcome: FileOutcome, profiles: Profiles) {
        // A file's findings travel before (or with) the file itself.
        for finding in self.earliest.take() {
            self.outbox.finding(&finding);
        }
        let mut stats = std::mem::take(&mut self.stats);
        stats.entities.shrink_to_fit();
        stats.table = profiles.table.map(Box::new);
        stats.document = profiles.document.map(Box::new);
        stats.sql = profiles.sql.map(Box::new);
        self.outbox.file(outcome, Some(Box::new(stats)));
    }
}

/// A file's first findings by location (path, line, column), for
/// [`FindingFlow::EarliestPerFile`].
#[derive(Default)]
struct Earliest {
    kept: Vec<Finding>,
    /// The location of the last finding kept.
    last: Option<(Arc<str>, u64, u64)>,
}

/// The order reports list findings in. Paths are compared only when they
/// differ (they rarely do within a file: archive members).
fn location_order(a: (&Arc<str>, u64, u64), b: (&Arc<str>, u64, u64)) -> std::cmp::Ordering {
    let paths = if Arc::ptr_eq(a.0, b.0) {
        std::cmp::Ordering::Equal
    } else {
        a.0.cmp(b.0)
    };
    paths.then((a.1, a.2).cmp(&(b.1, b.2)))
}

fn location(f: &Finding) -> (&Arc<str>, u64, u64) {
    (&f.path, f.line, f.column)
}

impl Earliest {
    /// Keeps `finding` unless `n` kept findings lie before it, and drops
    /// those that now have `n` kept findings before them. Findings at the
    /// location of the last one kept all stay: the report breaks such ties
    /// by what it shows, which is not known here.
    fn offer(&mut self, n: usize, finding: &mut Finding) {
        let after_last = self
            .last
            .as_ref()
            .map(|(p, l, c)| location_order(location(finding), (p, *l, *c)));
        if self.kept.len() >= n && after_last == Some(std::cmp::Ordering::Greater) {
            // Findings mostly arrive in order: this turns most away.
            return;
        }
        if after_last.is_none_or(|o| o == std::cmp::Ordering::Greater) {
            self.last = Some((Arc::clone(&finding.path), finding.line, finding.column));
        }
        self.kept.push(finding.take());
        while self.kept.len() > n {
            let Some((path, line, column)) = self.last.clone() else {
                return;
            };
            let before_last = |f: &Finding| {
                location_order(location(f), (&path, line, column)) == std::cmp::Ordering::Less
            };
            if self.kept.iter().filter(|f| before_last(f)).count() < n {
                return;
            }
            self.kept.retain(before_last);
            self.last = self
                .kept
                .iter()
                .max_by(|a, b| location_order(location(a), location(b)))
                .map(|f| (Arc::clone(&f.path), f.line, f.column));
        }
    }

    fn take(&mut self) -> std::vec::Drain<'_, Finding> {
        self.last = None;
        self.kept.drain(..)
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
        dated: Default::default(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Confidence, Entity};

    fn finding_at(path: &Arc<str>, line: u64, column: u64, tag: usize) -> Finding {
        Finding {
            entity: Entity::Email,
            rule: "email".into(),
            category: Category::Contact,
            path: Arc::clone(path),
            line,
            column,
            field: None,
            confidence: Confidence::High,
            masked: String::new(),
            fingerprint: String::new(),
            fingerprint_bits: 0,
            value: tag.to_string(),
        }
    }

    /// Whatever the order findings arrive in, and however many share a
    /// location, a file keeps exactly the findings with fewer than `n`
    /// of its findings before them: those the report may list.
    #[test]
    fn a_file_keeps_the_findings_with_fewer_than_n_before_them() {
        // Two paths, as an archive's members have; equal paths come as
        // distinct allocations too, so the comparison must not rely on
        // pointers alone.
        let paths: [Arc<str>; 3] = ["a.zip!/x".into(), "a.zip!/y".into(), "a.zip!/x".into()];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        for round in 0..400 {
            let n = 1 + (round % 6);
            let count = next(40) as usize;
            let (lines, columns) = (1 + next(6), 1 + next(3));
            let all: Vec<Finding> = (0..count)
                .map(|tag| {
                    let path = &paths[next(3) as usize];
                    finding_at(path, 1 + next(lines), 1 + next(columns), tag)
                })
                .collect();
            let mut earliest = Earliest::default();
            for f in &all {
                earliest.offer(n, &mut f.clone());
            }
            let mut kept: Vec<String> = earliest.take().map(|f| f.value).collect();
            kept.sort();
            let key = |f: &Finding| (f.path.to_string(), f.line, f.column);
            let mut expected: Vec<String> = all
                .iter()
                .filter(|f| all.iter().filter(|g| key(g) < key(f)).count() < n)
                .map(|f| f.value.clone())
                .collect();
            expected.sort();
            assert_eq!(kept, expected, "round {round}, n = {n}");
            assert!(earliest.take().next().is_none(), "taken once");
        }
    }
}
