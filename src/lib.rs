//! piiscan finds personal data, and the vehicle data that identifies people,
//! in directory trees of exports, dumps and source code, and reports an
//! inventory of where it lives.
//!
//! Data flows one way: [`walk`] -> [`formats`] -> [`rules::matcher`] ->
//! [`validate`] -> [`finding`] -> [`inventory`] -> [`report`]. Compressed
//! files, archives, documents and e-mail ([`container`]; Outlook messages
//! through [`msg`]) and spreadsheets ([`sheet`]) feed their members into
//! the same [`scan`] pipeline.

pub mod accuracy;
pub mod baseline;
pub mod bench;
pub mod caught;
pub mod cli;
pub mod columns;
pub mod config;
pub mod container;
pub mod distinct;
pub mod error;
pub mod find;
pub mod finding;
pub mod formats;
pub mod generate;
pub mod git;
pub mod interrupt;
pub mod inventory;
pub mod keywords;
pub mod mbox;
pub mod merge;
pub mod mime;
pub mod msg;
pub mod office;
pub mod output;
pub mod pdf;
pub mod progress;
pub mod redact;
pub mod report;
pub mod retention;
pub mod rtf;
pub mod rules;
pub mod rules_check;
pub mod scan;
pub mod sheet;
pub mod structured;
pub mod validate;
pub mod walk;

use crate::error::Result;
use crate::finding::{Entity, Finding};
use crate::inventory::{FileKeeping, Inventory};
use crate::redact::FingerprintKey;
use crate::rules::Rule;
use crate::rules::matcher::Matcher;
use crate::scan::{ScanContext, ScanSettings};
use crate::walk::{Counters, Event, WalkOptions};
use std::path::PathBuf;
use std::time::Instant;

/// Everything a scan needs, resolved from the command line or configuration.
pub struct ScanRequest {
    pub roots: Vec<PathBuf>,
    pub walk: WalkOptions,
    pub settings: ScanSettings,
    pub rules: Vec<Rule>,
    /// Report only these entities (all when `None`).
    pub entities: Option<Vec<Entity>>,
    pub region: String,
    pub key: FingerprintKey,
    /// Which per-file entries the inventory keeps: every one for per-file
    /// and per-column reports; with fewer, memory does not grow with the
    /// number of files.
    pub file_entries: FileKeeping,
    /// Retention policies to judge each file by as it is done (see
    /// [`Inventory::judge_retention`]); `None` without.
    pub retention: Option<std::sync::Arc<crate::retention::RetentionPolicy>>,
}

/// Compiles the rules a request asks for (restricted to its entities).
pub fn build_matcher(
    rules: Vec<Rule>,
    entities: Option<&[Entity]>,
    region: &str,
) -> Result<Matcher> {
    let matcher = build_lazy_matcher(rules, entities, region)?;
    matcher.compile()?;
    Ok(matcher)
}

/// Like [`build_matcher`], but compiles on the first search: a scan that
/// finds no text to read does not pay for compiling the rule set.
fn build_lazy_matcher(
    rules: Vec<Rule>,
    entities: Option<&[Entity]>,
    region: &str,
) -> Result<Matcher> {
    let rules = match entities {
        Some(wanted) => rules
            .into_iter()
            .filter(|r| wanted.contains(&r.entity))
            .collect(),
        None => rules,
    };
    Matcher::new_lazy(rules, region)
}

/// A request for the tests: the default rules, region and settings, a
/// fixed key, over `root`.
#[cfg(test)]
pub(crate) fn test_request(
    root: PathBuf,
    walk: WalkOptions,
    file_entries: FileKeeping,
) -> ScanRequest {
    ScanRequest {
        roots: vec![root],
        walk,
        settings: ScanSettings::default(),
        rules: crate::rules::default_rules().expect("the default rules parse"),
        entities: None,
        region: "NL".into(),
        key: FingerprintKey::from_secret(b"k", "test"),
        file_entries,
        retention: None,
    }
}

/// Events (batches of findings, finished files) in flight between the
/// scanning threads and the thread that writes the report (a batch holds
/// up to 1024 findings, so this bounds the queue at a few megabytes).
const EVENT_QUEUE: usize = 16;

/// Runs a scan: walks in parallel, calls `on_finding` for the findings the
/// walk options send on ([`walk::FindingFlow`]) as they arrive (on the
/// calling thread, so streaming writers need no locks), and returns the
/// inventory.
pub fn run_scan(
    request: ScanRequest,
    counters: &Counters,
    on_finding: &mut dyn FnMut(&Finding) -> std::io::Result<()>,
) -> Result<Inventory> {
    let started = Instant::now();
    let matcher = build_lazy_matcher(request.rules, request.entities.as_deref(), &request.region)?;
    let rule_count = matcher.rules().len();
    let ctx = ScanContext::new(matcher, request.key, request.settings);
    let roots: Vec<String> = request
        .roots
        .iter()
        .map(|r| walk::display_path(r))
        .collect();
    let mut inventory = Inventory::keeping(roots, ctx.key.id(), rule_count, request.file_entries);
    if let Some(policy) = request.retention {
        inventory.judge_retention(policy);
    }
    // Bounded, so scanning threads wait for a slow report writer instead
    // of queueing findings without limit.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Event>(EVENT_QUEUE);
    let mut write_error: Option<std::io::Error> = None;
    let walk_result = std::thread::scope(|scope| {
        let walker = scope.spawn(|| walk::walk(&request.roots, &request.walk, &ctx, counters, tx));
        let mut spare = None;
        for event in rx {
            if write_error.is_none()
                && let Err(e) = event.findings.for_each(&mut spare, |f| on_finding(f))
            {
                write_error = Some(e);
            }
            for (outcome, stats) in event.files {
                inventory.add_file(outcome, stats);
            }
            // A broken output (closed pipe) ends the scan: dropping the
            // receiver makes every walker thread stop at its next send.
            if write_error.is_some() {
                break;
            }
        }
        walker.join()
    });
    match walk_result {
        Ok(r) => r?,
        Err(_) => {
            return Err(error::Error::Usage(
                "internal error: a scanning thread panicked".into(),
            ));
        }
    }
    if let Some(e) = ctx.matcher.compile_error() {
        return Err(e);
    }
    if let Some(e) = write_error {
        return Err(error::Error::io("writing findings", e));
    }
    inventory.incomplete = interrupt::requested();
    inventory.finish(started.elapsed());
    Ok(inventory)
}
