//! `--format json`: the inventory as one document. `schema_version` changes
//! only when a field is removed or changes meaning (2: the distinct counters'
//! `sketch` holds SipHash bits instead of fingerprint prefixes).

use super::{Report, age_days, rfc3339};
use crate::inventory::{EntityStats, FieldSummary, FileEntry, Inventory};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::SystemTime;

pub const SCHEMA_VERSION: u32 = 2;

pub struct JsonReport;

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    pub scan: ScanSection<'a>,
    /// Built one file at a time as it is written: a scan of many files
    /// never holds a second copy of its inventory.
    pub files: FileSections<'a>,
    pub totals: Totals<'a>,
    /// With retention policies: the locations holding data past them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionSection<'a>>,
}

#[derive(Serialize)]
pub struct RetentionSection<'a> {
    pub overdue: &'a [crate::retention::Overdue],
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct ScanSection<'a> {
    pub roots: &'a [String],
    pub started_at: String,
    pub duration_secs: f64,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    pub skipped_by_reason: BTreeMap<&'static str, u64>,
    pub skipped: Vec<Skipped<'a>>,
    pub key_id: &'a str,
    pub rules: usize,
    /// Present (true) only when the scan was stopped before the end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

#[derive(Serialize)]
pub struct Skipped<'a> {
    pub path: &'a str,
    pub reason: &'static str,
    pub detail: &'a str,
    pub partial: bool,
}

#[derive(Serialize)]
pub struct FileSection<'a> {
    pub path: &'a str,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<u64>,
    pub findings: u64,
    pub entities: BTreeMap<&'static str, EntitySection<'a>>,
    /// Data rows, for tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Per column (tables: every column in order) or field (JSON paths,
    /// SQL `table.column`, where findings were made).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSection<'a>>,
}

#[derive(Serialize)]
pub struct FieldSection<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_empty: Option<u64>,
    /// The entity the column holds, with evidence and confidence; null when
    /// nothing personal was found.
    pub verdict: Option<VerdictSection>,
    /// Findings per entity, with the share of non-blank values they are.
    pub entities: BTreeMap<&'static str, FieldEntitySection<'a>>,
    /// The entity the header names, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_entity: Option<&'static str>,
    /// Date-like columns: the oldest and newest date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_date: Option<String>,
}

#[derive(Serialize)]
pub struct VerdictSection {
    pub entity: &'static str,
    pub evidence: &'static str,
    pub confidence: &'static str,
}

#[derive(Serialize)]
pub struct FieldEntitySection<'a> {
    #[serde(flatten)]
    pub stats: EntitySection<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// `values` for findings, `header` for values counted because the header
    /// names an entity no rule finds (names, addresses, free text).
    pub evidence: &'static str,
}

#[derive(Serialize)]
pub struct EntitySection<'a> {
    pub count: u64,
    pub distinct: u64,
    pub distinct_exact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<&'static str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub samples: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    /// Totals only: the distinct counter itself, so inventories of shards
    /// merge into the union (`piiscan merge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sketch: Option<String>,
}

#[derive(Serialize)]
pub struct Totals<'a> {
    pub findings: u64,
    pub entities: BTreeMap<&'static str, EntitySection<'a>>,
}

/// The `files` array of the document.
pub struct FileSections<'a> {
    inventory: &'a Inventory,
    now: SystemTime,
}

impl Serialize for FileSections<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.inventory
                .files
                .iter()
                .map(|(path, entry)| file_section(path, entry, self.now)),
        )
    }
}

fn file_section<'a>(path: &'a str, entry: &'a FileEntry, now: SystemTime) -> FileSection<'a> {
    FileSection {
        path,
        size: entry.size,
        modified: entry.modified.map(rfc3339),
        age_days: entry.modified.map(|m| age_days(m, now)),
        findings: entry.findings(),
        entities: entry
            .entities
            .iter()
            .map(|(e, s)| (e.as_str(), entity_section(s, false)))
            .collect(),
        rows: entry.table.as_ref().map(|t| t.rows()),
        fields: entry.field_summaries().iter().map(field_section).collect(),
    }
}

/// The share rounded to four decimals, so reports stay readable.
fn rounded(share: Option<f64>) -> Option<f64> {
    share.map(|s| (s * 10_000.0).round() / 10_000.0)
}

pub fn field_section<'a>(f: &FieldSummary<'a>) -> FieldSection<'a> {
    let mut entities: BTreeMap<&'static str, FieldEntitySection> = f
        .entities
        .into_iter()
        .flatten()
        .map(|(e, s)| {
            (
                e.as_str(),
                FieldEntitySection {
                    stats: entity_section(s, false),
                    share: rounded(f.share(s.count)),
                    evidence: "values",
                },
            )
        })
        .collect();
    if let (Some(e), Some(values)) = (f.header_entity, f.header_values)
        && values.count > 0
    {
        entities
            .entry(e.as_str())
            .or_insert_with(|| FieldEntitySection {
                stats: entity_section(values, false),
                share: rounded(f.share(values.count)),
                evidence: "header",
            });
    }
    FieldSection {
        name: f.name,
        column: f.column.map(|c| c + 1),
        rows: f.rows,
        non_empty: f.non_empty,
        verdict: f.verdict.map(|v| VerdictSection {
            entity: v.entity.as_str(),
            evidence: v.evidence.as_str(),
            confidence: v.confidence.as_str(),
        }),
        entities,
        header_entity: f.header_entity.map(|e| e.as_str()),
        oldest_date: f
            .dates
            .and_then(|d| d.oldest)
            .map(crate::columns::format_day),
        newest_date: f
            .dates
            .and_then(|d| d.newest)
            .map(crate::columns::format_day),
    }
}

fn entity_section(stats: &EntityStats, with_files: bool) -> EntitySection<'_> {
    EntitySection {
        count: stats.count,
        distinct: stats.distinct.count(),
        distinct_exact: stats.distinct.is_exact(),
        confidence: stats.confidence.map(|c| c.as_str()),
        samples: &stats.samples,
        files: with_files.then_some(stats.files),
        sketch: with_files.then(|| stats.distinct.to_text()),
    }
}

pub fn document(inventory: &Inventory) -> Document<'_> {
    let now = SystemTime::now();
    Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "piiscan",
            version: env!("CARGO_PKG_VERSION"),
        },
        scan: ScanSection {
            roots: &inventory.roots,
            started_at: rfc3339(inventory.started_at),
            duration_secs: inventory.duration.as_secs_f64(),
            files_scanned: inventory.files_scanned,
            bytes_scanned: inventory.bytes_scanned,
            files_skipped: inventory.skipped.iter().filter(|s| !s.partial).count() as u64,
            skipped_by_reason: inventory
                .skipped_by_reason()
                .into_iter()
                .map(|(r, n)| (r.as_str(), n))
                .collect(),
            skipped: inventory
                .skipped
                .iter()
                .map(|s| Skipped {
                    path: &s.path,
                    reason: s.reason.as_str(),
                    detail: &s.detail,
                    partial: s.partial,
                })
                .collect(),
            key_id: &inventory.key_id,
            rules: inventory.rules,
            incomplete: inventory.incomplete,
        },
        files: FileSections { inventory, now },
        retention: inventory
            .overdue
            .as_deref()
            .map(|overdue| RetentionSection { overdue }),
        totals: Totals {
            findings: inventory.total_findings(),
            entities: inventory
                .totals
                .iter()
                .map(|(e, s)| (e.as_str(), entity_section(s, true)))
                .collect(),
        },
    }
}

impl Report for JsonReport {
    fn end(&mut self, out: &mut dyn Write, inventory: &Inventory) -> std::io::Result<()> {
        // The serializer writes a few bytes at a time: buffered here, each
        // write is a copy instead of a call through the output's trait object.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
        serde_json::to_writer_pretty(&mut out, &document(inventory))?;
        out.write_all(b"\n")?;
        out.flush()
    }
}
