//! The parallel directory walk: ignore rules, globs, symlinks, and turning
//! every walk error into a counted skip instead of an abort.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::inventory::FileEntry;
use crate::scan::{FileOutcome, FileScanner, FileStatus, ScanContext, ScanSink, SkipReason};
use ignore::{WalkBuilder, WalkState, overrides::OverrideBuilder};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;

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
}

/// What the walker threads tell the collector.
pub enum Event {
    /// Findings to stream, sent only when the report streams them.
    Findings(Vec<Finding>),
    /// A finished file, with the statistics of its findings.
    File(FileOutcome, Option<FileEntry>),
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
    tx: Sender<Event>,
) -> Result<()> {
    let Some((first, rest)) = roots.split_first() else {
        return Ok(());
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
        .threads(options.threads);
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
    builder.build_parallel().run(|| {
        let mut scanner = FileScanner::new(ctx);
        let tx = tx.clone();
        Box::new(move |result| {
            let sent = match result {
                Ok(entry) => visit(&mut scanner, &entry, options, counters, &tx),
                Err(err) => tx.send(Event::File(walk_error_outcome(&err), None)).is_ok(),
            };
            if sent {
                WalkState::Continue
            } else {
                WalkState::Quit
            }
        })
    });
    Ok(())
}

fn visit(
    scanner: &mut FileScanner<'_>,
    entry: &ignore::DirEntry,
    options: &WalkOptions,
    counters: &Counters,
    tx: &Sender<Event>,
) -> bool {
    let Some(file_type) = entry.file_type() else {
        return true; // stdin: not walked
    };
    if file_type.is_dir() {
        return true;
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
        return tx.send(Event::File(outcome, None)).is_ok();
    }
    let mut collector = Collector {
        tx,
        stream: options.stream_findings,
        batch: Vec::new(),
        stats: FileEntry::default(),
        ok: true,
    };
    let outcome = scanner.scan_file(entry.path(), display, &mut collector, &|bytes| {
        counters.bytes.fetch_add(bytes, Ordering::Relaxed);
    });
    counters.files.fetch_add(1, Ordering::Relaxed);
    collector.entry(outcome);
    collector.ok
}

/// Gathers one walked file's findings into per-entry statistics and sends
/// them on. Findings arrive before the entry they belong to (see
/// [`ScanSink`]), so the statistics so far always belong to the next entry.
struct Collector<'t> {
    tx: &'t Sender<Event>,
    stream: bool,
    batch: Vec<Finding>,
    stats: FileEntry,
    ok: bool,
}

impl ScanSink for Collector<'_> {
    fn finding(&mut self, finding: Finding) {
        self.stats.add(&finding);
        if self.stream {
            self.batch.push(finding);
            if self.batch.len() >= FINDING_BATCH {
                self.ok &= self
                    .tx
                    .send(Event::Findings(std::mem::take(&mut self.batch)))
                    .is_ok();
            }
        }
    }

    fn entry(&mut self, outcome: FileOutcome) {
        if !self.batch.is_empty() {
            self.ok &= self
                .tx
                .send(Event::Findings(std::mem::take(&mut self.batch)))
                .is_ok();
        }
        let stats = std::mem::take(&mut self.stats);
        self.ok &= self.tx.send(Event::File(outcome, Some(stats))).is_ok();
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
