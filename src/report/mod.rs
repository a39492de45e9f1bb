//! Report writers, one per output format. Streaming formats (ndjson, csv)
//! write each finding as it arrives; document formats (human, json) are
//! written from the inventory at the end.

pub mod csv;
pub mod html;
pub mod human;
pub mod inventory_csv;
pub mod json;
pub mod ndjson;
mod pretty;
pub mod sarif;
pub mod spill;

use crate::finding::Finding;
use crate::inventory::Inventory;
use std::io::Write;
use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A readable summary (the default).
    Human,
    /// One inventory document.
    Json,
    /// One JSON object per finding, streamed, then a summary object.
    Ndjson,
    /// One row per finding, for spreadsheets.
    Csv,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// The data map: one row per file, field and entity, for spreadsheets.
    InventoryCsv,
    /// The data map as one self-contained HTML page (use with -o).
    Html,
}

/// How reports render values.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Include raw values (`--reveal`).
    pub reveal: bool,
    /// ANSI colour in the human report.
    pub color: bool,
    /// Threads a report may use to render (0 counts as one).
    pub threads: usize,
}

/// A writer for one format.
pub trait Report {
    /// Called before anything else.
    fn begin(&mut self, _out: &mut dyn Write) -> std::io::Result<()> {
        Ok(())
    }
    /// Called for every finding as it is found.
    fn finding(&mut self, _out: &mut dyn Write, _finding: &Finding) -> std::io::Result<()> {
        Ok(())
    }
    /// Called once with the finished inventory.
    fn end(&mut self, out: &mut dyn Write, inventory: &Inventory) -> std::io::Result<()>;
    /// What the user should know about the report written (printed on
    /// stderr after it): what it left out, say.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

pub fn new_report(format: ReportFormat, options: RenderOptions) -> Box<dyn Report> {
    match format {
        ReportFormat::Human => Box::new(human::HumanReport::new(options)),
        ReportFormat::Json => Box::new(json::JsonReport {
            threads: options.threads,
            spilled: None,
        }),
        ReportFormat::Ndjson => Box::new(ndjson::NdjsonReport::new(options)),
        ReportFormat::Csv => Box::new(csv::CsvReport::new(options)),
        ReportFormat::InventoryCsv => Box::new(inventory_csv::InventoryCsvReport::default()),
        ReportFormat::Html => Box::new(html::HtmlReport::default()),
        // Without rule descriptions and with the built-in severities; the
        // scan command builds its own with the rules and configuration in effect.
        ReportFormat::Sarif => Box::new(sarif::SarifReport::new(
            Vec::new(),
            crate::config::Severities::default(),
            sarif::GITHUB_MAX_RESULTS,
        )),
    }
}

/// The fixtures scanned with `threads` threads and `file_entries` (and,
/// with `retention`, a policy of one day: the dated exports are past it),
/// the inventory written by `report` (duration and start fixed), for the
/// tests.
#[cfg(test)]
pub(crate) fn fixtures_report(
    file_entries: crate::inventory::FileKeeping,
    report: &mut dyn Report,
    threads: usize,
    retention: bool,
) -> String {
    let mut request = crate::test_request(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        crate::walk::WalkOptions {
            threads,
            ..crate::walk::WalkOptions::default()
        },
        file_entries,
    );
    if retention {
        let config: crate::retention::RetentionConfig = toml::from_str("default = \"1d\"").unwrap();
        let policy = crate::retention::RetentionPolicy::compile(&config).unwrap();
        request.retention = policy.map(std::sync::Arc::new);
    }
    let counters = crate::walk::Counters::default();
    let mut inventory = crate::run_scan(request, &counters, &mut |_| Ok(())).unwrap();
    inventory.duration = std::time::Duration::from_secs(1);
    inventory.started_at = SystemTime::UNIX_EPOCH;
    let mut out = Vec::new();
    report.end(&mut out, &inventory).unwrap();
    String::from_utf8(out).unwrap()
}

/// Checks that a report fed entries as files are done writes what it
/// writes from an inventory that kept every entry: with and without a
/// retention policy, scanned with one and two threads. `kept` makes the
/// report of kept entries; `streamed(threads)` the keeping that feeds a
/// report and that report; `check(text, retention)` looks at the kept text
/// (that it holds what the comparison is about).
#[cfg(test)]
pub(crate) fn assert_streamed_writes_what_kept_writes(
    kept: &dyn Fn() -> Box<dyn Report>,
    streamed: &dyn Fn(usize) -> (crate::inventory::FileKeeping, Box<dyn Report>),
    check: &dyn Fn(&str, bool),
) {
    use crate::inventory::FileKeeping;
    for retention in [false, true] {
        let written_kept = fixtures_report(FileKeeping::All, &mut *kept(), 1, retention);
        check(&written_kept, retention);
        for threads in [1, 2] {
            let (keeping, mut report) = streamed(threads);
            let written = fixtures_report(keeping, &mut *report, threads, retention);
            assert!(
                written == written_kept,
                "{threads} threads, retention {retention}:\n{written}"
            );
        }
    }
}

/// RFC 3339 time in UTC, seconds precision.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Whole days since `t` (0 for the future).
pub fn age_days(t: SystemTime, now: SystemTime) -> u64 {
    now.duration_since(t)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0)
}
