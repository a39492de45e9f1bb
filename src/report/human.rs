//! The default report: a summary a person reads in a terminal. Colour only
//! when writing to a terminal and `NO_COLOR` is unset.

use super::{RenderOptions, Report};
use crate::finding::Finding;
use crate::inventory::{FileKeeping, Inventory};
use std::collections::BinaryHeap;
use std::io::Write;

/// Files listed under "most findings".
const TOP_FILES: usize = 10;
/// Skipped files listed per reason.
const SKIPPED_EXAMPLES: usize = 5;
/// Width of the column (or field) name under "Personal data by column".
const NAME_WIDTH: usize = 24;
/// Columns listed under "Personal data by column".
const LISTED_COLUMNS: usize = 40;
/// Findings listed with their location: enough to act on in CI, few enough
/// that an inventory of millions stays readable (and memory stays flat).
pub const LISTED_FINDINGS: usize = 20;
/// The per-file entries the summary needs: those it lists, however many
/// files a scan reads.
pub const FILE_ENTRIES: FileKeeping = FileKeeping::Summary {
    most_findings: TOP_FILES,
    field_lines: LISTED_COLUMNS,
    skipped_examples: SKIPPED_EXAMPLES,
};

/// One listed finding, ordered by where it is so the list is the same
/// whatever order the threads found things in.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    path: String,
    line: u64,
    column: u64,
    entity: &'static str,
    field: Option<String>,
    shown: String,
}

pub struct HumanReport {
    options: RenderOptions,
    /// The first [`LISTED_FINDINGS`] findings by location (a max-heap, so
    /// the last of them is dropped when an earlier one arrives).
    listed: BinaryHeap<Listed>,
}

impl HumanReport {
    pub fn new(options: RenderOptions) -> Self {
        HumanReport {
            options,
            listed: BinaryHeap::new(),
        }
    }

    fn bold(&self, s: &str) -> String {
        if self.options.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn yellow(&self, s: &str) -> String {
        if self.options.color {
            format!("\x1b[33m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

impl HumanReport {
    /// The data map: per file and column, the entity held and the evidence
    /// (the first [`LISTED_COLUMNS`] lines, in path order).
    fn write_columns(&self, out: &mut dyn Write, inv: &Inventory) -> std::io::Result<()> {
        let mut lines = Vec::new();
        for (path, entry) in &inv.files {
            if lines.len() >= LISTED_COLUMNS {
                break;
            }
            let fields = entry.field_summaries();
            let personal: Vec<_> = fields.iter().filter(|f| f.verdict.is_some()).collect();
            if personal.is_empty() {
                continue;
            }
            let rows = entry
                .table
                .as_ref()
                .map(|t| format!("  ({} rows)", t.rows()))
                .unwrap_or_default();
            lines.push(format!("  {path}{rows}"));
            for f in personal {
                let Some(v) = f.verdict else { continue };
                let count = f
                    .entities
                    .and_then(|e| e.get(&v.entity))
                    .or(f.header_values.filter(|s| s.count > 0))
                    .map(|s| (s.count, s.distinct.count(), s.distinct.is_exact()));
                let detail = match (count, f.non_empty) {
                    (Some((n, d, exact)), Some(non_empty)) => format!(
                        "{n} of {non_empty} values ({:.0}%), {}{d} distinct",
                        f.share(n).unwrap_or(0.0) * 100.0,
                        if exact { "" } else { "~" }
                    ),
                    (Some((n, d, exact)), None) => {
                        format!("{n} values, {}{d} distinct", if exact { "" } else { "~" })
                    }
                    (None, Some(non_empty)) => format!("{non_empty} values"),
                    (None, None) => String::new(),
                };
                // A name longer than its column (an XML or JSON path) gets
                // a line of its own, so the columns after it stay aligned.
                let name = if f.name.chars().count() > NAME_WIDTH {
                    format!("{}\n    {:NAME_WIDTH$}", f.name, "")
                } else {
                    f.name.to_string()
                };
                lines.push(format!(
                    "    {name:<NAME_WIDTH$} {:<14} {:<18} {:<7} {detail}",
                    v.entity.as_str(),
                    v.evidence.as_str().replace('_', " "),
                    v.confidence.as_str()
                ));
            }
        }
        if lines.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            self.bold("Personal data by column (column, entity, evidence, confidence):")
        )?;
        for l in lines.iter().take(LISTED_COLUMNS) {
            writeln!(out, "{l}")?;
        }
        // A line per file holding personal fields and one per field.
        let all_lines = inv.files_with_personal_fields + inv.personal_fields;
        if all_lines > LISTED_COLUMNS as u64 {
            writeln!(
                out,
                "  ... {} more lines; --format inventory-csv or json for the whole map",
                all_lines - LISTED_COLUMNS as u64
            )?;
        }
        Ok(())
    }
}

fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} KB", n / 1e3)
    } else {
        format!("{n} B")
    }
}

impl Report for HumanReport {
    fn finding(&mut self, _out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        let is_early = self.listed.peek().is_none_or(|last| {
            (&*f.path, f.line, f.column) < (last.path.as_str(), last.line, last.column)
        });
        if self.listed.len() < LISTED_FINDINGS || is_early {
            self.listed.push(Listed {
                path: f.path.to_string(),
                line: f.line,
                column: f.column,
                entity: f.entity.as_str(),
                field: f.field.clone(),
                shown: if self.options.reveal {
                    f.value.clone()
                } else if f.masked.is_empty() {
                    // Findings only counted by the scan come unmasked.
                    crate::redact::mask(f.entity, &f.value)
                } else {
                    f.masked.clone()
                },
            });
            if self.listed.len() > LISTED_FINDINGS {
                self.listed.pop();
            }
        }
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write, inv: &Inventory) -> std::io::Result<()> {
        let total = inv.total_findings();
        let secs = inv.duration.as_secs_f64();
        let files_with = inv.files_with_findings;
        if total == 0 {
            writeln!(out, "{}", self.bold("No personal data found."))?;
        } else {
            writeln!(
                out,
                "{}",
                self.bold(&format!(
                    "{total} findings of personal data in {files_with} of {} files",
                    inv.files_scanned
                ))
            )?;
            writeln!(out)?;
            writeln!(
                out,
                "  {:<15} {:>9} {:>9} {:>6}  confidence",
                "entity", "findings", "distinct", "files"
            )?;
            for (entity, stats) in &inv.totals {
                let approx = if stats.distinct.is_exact() { "" } else { "~" };
                writeln!(
                    out,
                    "  {:<15} {:>9} {:>9} {:>6}  {}",
                    entity.as_str(),
                    stats.count,
                    format!("{approx}{}", stats.distinct.count()),
                    stats.files,
                    stats.confidence.map(|c| c.as_str()).unwrap_or("-")
                )?;
            }
            writeln!(out)?;
            writeln!(out, "{}", self.bold("Files with most findings:"))?;
            let ranked = inv.files_by_findings();
            for (path, entry) in ranked.iter().take(TOP_FILES) {
                let parts: Vec<String> = entry
                    .entities
                    .iter()
                    .map(|(e, s)| format!("{} {}", e.as_str(), s.count))
                    .collect();
                writeln!(
                    out,
                    "  {:>6}  {}  ({})",
                    entry.findings(),
                    path,
                    parts.join(", ")
                )?;
            }
            if files_with > TOP_FILES as u64 {
                writeln!(
                    out,
                    "  ... and {} more files",
                    files_with - TOP_FILES as u64
                )?;
            }
            self.write_columns(out, inv)?;
            let listed = std::mem::take(&mut self.listed).into_sorted_vec();
            if !listed.is_empty() {
                writeln!(out)?;
                let title = if (listed.len() as u64) < total {
                    format!(
                        "Findings (the first {} of {total} by path; --format ndjson lists all):",
                        listed.len()
                    )
                } else {
                    "Findings:".to_string()
                };
                writeln!(out, "{}", self.bold(&title))?;
                for l in &listed {
                    let field = l
                        .field
                        .as_deref()
                        .map(|f| format!("  [{f}]"))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "  {}:{}:{}  {:<13} {}{field}",
                        l.path, l.line, l.column, l.entity, l.shown
                    )?;
                }
            }
        }
        if let Some(overdue) = &inv.overdue {
            writeln!(out)?;
            if overdue.is_empty() {
                writeln!(out, "{}", self.bold("Retention: nothing past its policy."))?;
            } else {
                writeln!(
                    out,
                    "{}",
                    self.yellow(&format!(
                        "Past retention policy: {} locations",
                        overdue.len()
                    ))
                )?;
                for o in overdue.iter().take(LISTED_COLUMNS) {
                    writeln!(
                        out,
                        "  {}  {:<13} policy {}: {}",
                        o.path,
                        o.entity.as_str(),
                        o.policy,
                        o.evidence
                    )?;
                }
                if overdue.len() > LISTED_COLUMNS {
                    writeln!(
                        out,
                        "  ... and {} more; --format json or inventory-csv lists all",
                        overdue.len() - LISTED_COLUMNS
                    )?;
                }
            }
        }
        if inv.skipped_count() > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                self.yellow(&format!("Not fully scanned: {} files", inv.skipped_count()))
            )?;
            for (reason, count) in inv.skipped_by_reason() {
                writeln!(out, "  {:<12} {count}", reason.as_str())?;
                for s in inv
                    .skipped
                    .iter()
                    .filter(|s| s.reason == reason)
                    .take(SKIPPED_EXAMPLES)
                {
                    let part = if s.partial { " (partly scanned)" } else { "" };
                    writeln!(out, "      {}{part}: {}", s.path, s.detail)?;
                }
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "Scanned {} files, {} in {:.2} s ({:.1} MB/s) with {} rules.",
            inv.files_scanned,
            human_bytes(inv.bytes_scanned),
            secs,
            inv.bytes_scanned as f64 / 1e6 / secs.max(1e-6),
            inv.rules
        )?;
        if total > 0 {
            writeln!(
                out,
                "Values are masked; --format json for the full inventory, --reveal to show values."
            )?;
        }
        if inv.incomplete {
            writeln!(
                out,
                "{}",
                self.yellow(
                    "Interrupted: the scan stopped before the end; this report is incomplete."
                )
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{Counters, FindingFlow, WalkOptions};
    use std::path::Path;

    /// More files than the summary lists of each kind: tables with
    /// personal columns, notes with findings, and binary files.
    fn tree(dir: &Path) {
        for i in 0..14 {
            let mut csv = String::from("klantnr;email;telefoon;opmerking\n");
            for row in 0..=i {
                csv.push_str(&format!(
                    "{row};klant{i}x{row}@example.nl;06-1234{:04};rij {row}\n",
                    i * 100 + row
                ));
            }
            std::fs::write(dir.join(format!("export_{i:02}.csv")), csv).unwrap();
        }
        for i in 0..13 {
            let note = "Bel 06-12345678 of mail jan@garage.nl\n".repeat(i % 5 + 1);
            std::fs::write(dir.join(format!("notitie_{i:02}.txt")), note).unwrap();
        }
        for i in 0..8 {
            std::fs::write(dir.join(format!("foto_{i}.bin")), b"\x00\x01jan@garage.nl").unwrap();
        }
    }

    fn summary(dir: &Path, keeping: FileKeeping, threads: usize) -> (String, usize) {
        let request = crate::test_request(
            dir.to_path_buf(),
            WalkOptions {
                threads,
                findings: FindingFlow::EarliestPerFile(LISTED_FINDINGS),
                ..WalkOptions::default()
            },
            keeping,
        );
        let mut report = HumanReport::new(RenderOptions::default());
        let mut sink = Vec::new();
        let mut inv = crate::run_scan(request, &Counters::default(), &mut |f| {
            report.finding(&mut sink, f)
        })
        .unwrap();
        inv.duration = std::time::Duration::from_secs(1);
        let mut out = Vec::new();
        report.end(&mut out, &inv).unwrap();
        (String::from_utf8(out).unwrap(), inv.files.len())
    }

    #[test]
    fn the_summary_keeps_only_the_entries_it_lists_and_reads_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        tree(tmp.path());
        let (every, kept_all) = summary(tmp.path(), FileKeeping::All, 1);
        for needed in [
            "... and 17 more files",
            "more lines;",
            "Not fully scanned: 8 files",
        ] {
            assert!(every.contains(needed), "{needed:?} not in\n{every}");
        }
        for threads in [1, 2] {
            let (listed, kept) = summary(tmp.path(), FILE_ENTRIES, threads);
            assert_eq!(listed, every, "threads {threads}");
            assert!(kept < kept_all, "{kept} of {kept_all} entries kept");
        }
    }
}
