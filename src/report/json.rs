//! `--format json`: the inventory as one document. `schema_version` changes
//! only when a field is removed or changes meaning (2: the distinct counters'
//! `sketch` holds SipHash bits instead of fingerprint prefixes).

use super::pretty::Pretty;
use super::spill::Spill;
use super::{Report, age_days, rfc3339};
use crate::inventory::{EntityStats, FieldSummary, FileEntry, Inventory, Sample};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub const SCHEMA_VERSION: u32 = 2;

pub struct JsonReport {
    /// Threads that render the `files` array.
    pub threads: usize,
    /// The file sections written out during the scan (made by
    /// [`render_file_section`]), when the inventory streams its entries
    /// there instead of keeping them.
    pub spilled: Option<Arc<Mutex<Spill>>>,
}

/// A file's section of the `files` array, as the document indents it.
pub fn render_file_section(
    path: &str,
    entry: &FileEntry,
    // The document lists overdue locations in a section of their own.
    _overdue: Option<&[crate::retention::Overdue]>,
    now: SystemTime,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    // Inside the document's object and its `files` array.
    write_file_section(&mut Pretty::new(out, 2), path, entry, now)
}

/// Writes the `files` array from `spill`'s sections, in path order.
fn copy_sections(spill: &Spill, out: &mut dyn Write) -> std::io::Result<()> {
    if spill.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    spill.for_each_in_order(&mut |i, text| {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        out.write_all(text)
    })?;
    out.write_all(b"\n  ]")
}

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
    pub overdue: &'a crate::retention::OverdueList,
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
    /// `message` when `modified` is the date of the e-mail message the
    /// file is part of; absent for a file time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dated_by: Option<&'static str>,
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
    #[serde(skip_serializing_if = "<[Sample]>::is_empty")]
    pub samples: &'a [Sample],
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
    /// Sections written out during the scan (sorted by path).
    spilled: Option<&'a Spill>,
}

impl Serialize for FileSections<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.spilled.is_some() {
            return Err(serde::ser::Error::custom(
                "sections written out during the scan are copied by write_document",
            ));
        }
        serializer.collect_seq(
            self.inventory
                .files
                .iter()
                .map(|(path, entry)| file_section(path, entry, self.now)),
        )
    }
}

/// What a file's `modified` is, when it is not the file's own time.
fn dated_by(entry: &FileEntry) -> Option<&'static str> {
    (entry.modified.is_some() && entry.dated != crate::scan::Dated::Modified)
        .then(|| entry.dated.as_str())
}

fn file_section<'a>(path: &'a str, entry: &'a FileEntry, now: SystemTime) -> FileSection<'a> {
    FileSection {
        path,
        size: entry.size,
        modified: entry.modified.map(rfc3339),
        age_days: entry.modified.map(|m| age_days(m, now)),
        dated_by: dated_by(entry),
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

/// Writes what `file_section` serializes to, without building it: the
/// entities of a file and its fields in name order, members skipped as the
/// serde attributes skip them.
fn write_file_section(
    p: &mut Pretty,
    path: &str,
    entry: &FileEntry,
    now: SystemTime,
) -> std::io::Result<()> {
    p.begin_object();
    p.key("path");
    p.string(path);
    p.key("size");
    p.u64(entry.size);
    if let Some(modified) = entry.modified {
        p.key("modified");
        p.string(&rfc3339(modified));
        p.key("age_days");
        p.u64(age_days(modified, now));
        if let Some(dated_by) = dated_by(entry) {
            p.key("dated_by");
            p.string(dated_by);
        }
    }
    p.key("findings");
    p.u64(entry.findings());
    p.key("entities");
    let mut entities: Vec<(&'static str, &EntityStats)> = entry
        .entities
        .iter()
        .map(|(e, s)| (e.as_str(), s))
        .collect();
    entities.sort_unstable_by_key(|&(name, _)| name);
    p.begin_object();
    for (name, stats) in entities {
        p.key(name);
        p.begin_object();
        write_entity_members(p, stats);
        p.end_object();
    }
    p.end_object();
    if let Some(table) = &entry.table {
        p.key("rows");
        p.u64(table.rows());
    }
    let fields = entry.field_summaries();
    if !fields.is_empty() {
        p.key("fields");
        p.begin_array();
        for field in &fields {
            p.element();
            write_field_section(p, field)?;
        }
        p.end_array();
    }
    p.end_object();
    Ok(())
}

/// The members of `entity_section(stats, false)`.
fn write_entity_members(p: &mut Pretty, stats: &EntityStats) {
    p.key("count");
    p.u64(stats.count);
    p.key("distinct");
    p.u64(stats.distinct.count());
    p.key("distinct_exact");
    p.bool(stats.distinct.is_exact());
    if let Some(confidence) = stats.confidence {
        p.key("confidence");
        p.string(confidence.as_str());
    }
    if !stats.samples.is_empty() {
        p.key("samples");
        p.begin_array();
        for sample in &stats.samples {
            p.element();
            p.string(sample);
        }
        p.end_array();
    }
}

/// Writes what `field_section(f)` serializes to.
fn write_field_section(p: &mut Pretty, f: &FieldSummary) -> std::io::Result<()> {
    p.begin_object();
    p.key("name");
    p.string(f.name);
    for (key, value) in [
        ("column", f.column.map(|c| c as u64 + 1)),
        ("rows", f.rows),
        ("non_empty", f.non_empty),
    ] {
        if let Some(value) = value {
            p.key(key);
            p.u64(value);
        }
    }
    p.key("verdict");
    match f.verdict {
        Some(v) => {
            p.begin_object();
            p.key("entity");
            p.string(v.entity.as_str());
            p.key("evidence");
            p.string(v.evidence.as_str());
            p.key("confidence");
            p.string(v.confidence.as_str());
            p.end_object();
        }
        None => p.null(),
    }
    p.key("entities");
    // Findings per entity, then the header's entity when no finding has it.
    let mut entities: Vec<(&'static str, &EntityStats, &'static str)> = f
        .entities
        .into_iter()
        .flatten()
        .map(|(e, s)| (e.as_str(), s, "values"))
        .collect();
    if let (Some(e), Some(values)) = (f.header_entity, f.header_values)
        && values.count > 0
        && !entities.iter().any(|&(name, _, _)| name == e.as_str())
    {
        entities.push((e.as_str(), values, "header"));
    }
    entities.sort_unstable_by_key(|&(name, _, _)| name);
    p.begin_object();
    for (name, stats, evidence) in entities {
        p.key(name);
        p.begin_object();
        write_entity_members(p, stats);
        if let Some(share) = rounded(f.share(stats.count)) {
            p.key("share");
            p.f64(share)?;
        }
        p.key("evidence");
        p.string(evidence);
        p.end_object();
    }
    p.end_object();
    if let Some(e) = f.header_entity {
        p.key("header_entity");
        p.string(e.as_str());
    }
    if let Some(dates) = f.dates {
        for (key, day) in [("oldest_date", dates.oldest), ("newest_date", dates.newest)] {
            if let Some(day) = day {
                p.key(key);
                p.string(&crate::columns::format_day(day));
            }
        }
    }
    p.end_object();
    Ok(())
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
    document_at(inventory, SystemTime::now(), None)
}

/// The document of `inventory`, file ages counted to `now`, the file
/// sections from `spilled` when the inventory streamed its entries there.
fn document_at<'a>(
    inventory: &'a Inventory,
    now: SystemTime,
    spilled: Option<&'a Spill>,
) -> Document<'a> {
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
        files: FileSections {
            inventory,
            now,
            spilled,
        },
        retention: inventory
            .overdue
            .as_ref()
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
        match &self.spilled {
            Some(spilled) => {
                let spilled = Spill::finished(spilled)?;
                let now = spilled.now();
                let doc = document_at(inventory, now, Some(&spilled));
                write_document(&mut out, &doc, self.threads)?;
            }
            None => write_document(&mut out, &document(inventory), self.threads)?,
        }
        out.write_all(b"\n")?;
        out.flush()
    }
}

/// Writes `doc` as `serde_json::to_writer_pretty` would, the `files` array
/// rendered by `threads` threads: one section per file is most of the work
/// for trees of many small files.
pub fn write_document(out: &mut dyn Write, doc: &Document, threads: usize) -> std::io::Result<()> {
    out.write_all(b"{")?;
    write_member(out, "schema_version", &doc.schema_version, true)?;
    write_member(out, "tool", &doc.tool, false)?;
    write_member(out, "scan", &doc.scan, false)?;
    out.write_all(b",\n  \"files\": ")?;
    doc.files.write_pretty(out, threads)?;
    write_member(out, "totals", &doc.totals, false)?;
    if let Some(retention) = &doc.retention {
        write_retention(out, retention.overdue)?;
    }
    out.write_all(b"\n}")
}

/// The `retention` member, one overdue location at a time: a review of
/// many files lists a million of them, too many to render as one text.
fn write_retention(
    out: &mut dyn Write,
    overdue: &crate::retention::OverdueList,
) -> std::io::Result<()> {
    out.write_all(b",\n  \"retention\": {\n    \"overdue\": [")?;
    if overdue.is_empty() {
        return out.write_all(b"]\n  }");
    }
    let mut text = Vec::new();
    for (n, location) in overdue.iter().enumerate() {
        out.write_all(if n == 0 { b"\n      " } else { b",\n      " })?;
        text.clear();
        serde_json::to_writer_pretty(&mut text, &location)?;
        indent_into(out, &text, 6)?;
    }
    out.write_all(b"\n    ]\n  }")
}

/// `"key": value` of a top-level member, as the pretty printer indents it.
fn write_member(
    out: &mut dyn Write,
    key: &str,
    value: &impl Serialize,
    first: bool,
) -> std::io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b": ")?;
    let mut text = Vec::new();
    serde_json::to_writer_pretty(&mut text, value)?;
    indent_into(out, &text, 2)
}

/// Copies pretty JSON `text` with `depth` more spaces after each line end.
/// (Pretty JSON has line ends only between tokens: inside strings they are
/// escaped.)
fn indent_into(out: &mut dyn Write, text: &[u8], depth: usize) -> std::io::Result<()> {
    const SPACES: &[u8] = b"        ";
    let mut rest = text;
    while let Some(end) = memchr::memchr(b'\n', rest) {
        out.write_all(&rest[..=end])?;
        out.write_all(&SPACES[..depth])?;
        rest = &rest[end + 1..];
    }
    out.write_all(rest)
}

/// Files rendered by one thread at a time before the next share is handed
/// out: enough to keep threads busy, few enough to keep memory flat.
const FILES_PER_SHARE: usize = 512;

impl FileSections<'_> {
    /// The array, each file's section rendered on one of `threads` threads,
    /// written in path order.
    fn write_pretty(&self, out: &mut dyn Write, threads: usize) -> std::io::Result<()> {
        if let Some(spilled) = self.spilled {
            return copy_sections(spilled, out);
        }
        if self.inventory.files.is_empty() {
            return out.write_all(b"[]");
        }
        let render = |files: &[(&String, &FileEntry)], first: bool| {
            let mut text = Vec::new();
            for (i, (path, entry)) in files.iter().enumerate() {
                text.extend_from_slice(if first && i == 0 {
                    b"\n    "
                } else {
                    b",\n    "
                });
                // Inside the document's object and its `files` array.
                write_file_section(&mut Pretty::new(&mut text, 2), path, entry, self.now)?;
            }
            Ok::<_, std::io::Error>(text)
        };
        out.write_all(b"[")?;
        let files: Vec<(&String, &FileEntry)> = self.inventory.files.iter().collect();
        let threads = threads.clamp(1, files.len().div_ceil(FILES_PER_SHARE));
        let mut first = true;
        for window in files.chunks(FILES_PER_SHARE * threads) {
            let texts: Vec<std::io::Result<Vec<u8>>> = if threads == 1 {
                vec![render(window, first)]
            } else {
                // This thread renders the first share of the window itself.
                let (own, rest) = window.split_at(FILES_PER_SHARE.min(window.len()));
                std::thread::scope(|scope| {
                    let others: Vec<_> = rest
                        .chunks(FILES_PER_SHARE)
                        .map(|share| scope.spawn(move || render(share, false)))
                        .collect();
                    let mut texts = vec![render(own, first)];
                    for other in others {
                        texts.push(
                            other
                                .join()
                                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                        );
                    }
                    texts
                })
            };
            for text in texts {
                out.write_all(&text?)?;
            }
            first = false;
        }
        out.write_all(b"\n  ]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{Counters, WalkOptions};

    /// The fixtures' inventory, with every finding past a one-day policy.
    fn fixtures_inventory() -> Inventory {
        let request = crate::ScanRequest {
            roots: vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")],
            walk: WalkOptions::default(),
            settings: crate::scan::ScanSettings::default(),
            rules: crate::rules::default_rules().unwrap(),
            entities: None,
            region: "NL".into(),
            key: crate::redact::FingerprintKey::from_secret(b"k", "test"),
            file_entries: crate::inventory::FileKeeping::All,
            retention: None,
        };
        let mut inventory =
            crate::run_scan(request, &Counters::default(), &mut |_| Ok(())).unwrap();
        let config: crate::retention::RetentionConfig = toml::from_str("default = \"1d\"").unwrap();
        let policy = crate::retention::RetentionPolicy::compile(&config)
            .unwrap()
            .unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(2 * 86_400);
        inventory.overdue = Some(crate::retention::overdue(&inventory, &policy, later));
        inventory
    }

    fn written(doc: &Document, threads: usize) -> String {
        let mut out = Vec::new();
        write_document(&mut out, doc, threads).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn stats(count: u64, samples: &[&str]) -> EntityStats {
        let mut stats = EntityStats {
            count,
            samples: samples.iter().map(|s| Sample::from(*s)).collect(),
            ..EntityStats::default()
        };
        for n in 0..count {
            stats.distinct.insert(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        }
        stats
    }

    #[test]
    fn field_sections_are_written_as_serde_writes_them() {
        use crate::finding::{Confidence, Entity};
        let mut found = crate::inventory::EntityMap::new();
        *found.get_or_default(Entity::PersonName) = stats(3, &["J*** ****"]);
        *found.get_or_default(Entity::Email) = stats(7, &["a***@b***.nl", "\"q\"\n"]);
        found.get_or_default(Entity::Phone).confidence = Some(Confidence::High);
        let by_header = stats(5, &["K*** ****"]);
        let base = FieldSummary {
            name: "klant \"naam\"\t",
            column: Some(2),
            rows: Some(9),
            non_empty: Some(7),
            entities: Some(&found),
            header_entity: Some(Entity::PersonName),
            header_values: Some(&by_header),
            verdict: Some(crate::columns::Verdict {
                entity: Entity::PersonName,
                evidence: crate::columns::Evidence::Header,
                confidence: Confidence::Medium,
            }),
            dates: Some(crate::columns::DateRange {
                oldest: Some(-400),
                newest: None,
                dated: 1,
            }),
        };
        let no_values = EntityStats::default();
        let variants = [
            // The header's entity among the findings: the findings' count it.
            base.clone(),
            // The header's entity found by header alone.
            FieldSummary {
                header_entity: Some(Entity::Address),
                ..base
            },
            FieldSummary {
                header_entity: Some(Entity::Address),
                header_values: Some(&no_values),
                ..base
            },
            FieldSummary {
                column: None,
                rows: None,
                non_empty: Some(0),
                entities: None,
                verdict: None,
                dates: None,
                ..base
            },
            FieldSummary {
                non_empty: None,
                header_entity: None,
                header_values: None,
                dates: Some(crate::columns::DateRange::default()),
                ..base
            },
        ];
        for (n, f) in variants.iter().enumerate() {
            let expected = serde_json::to_string_pretty(&field_section(f)).unwrap();
            let mut out = Vec::new();
            write_field_section(&mut Pretty::new(&mut out, 0), f).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "variant {n}");
        }
    }

    #[test]
    fn file_sections_written_out_during_the_scan_make_the_same_document() {
        use crate::inventory::FileKeeping;
        crate::report::assert_streamed_writes_what_kept_writes(
            &|| {
                Box::new(JsonReport {
                    threads: 1,
                    spilled: None,
                })
            },
            &|threads| {
                let spill = Spill::new(SystemTime::now(), render_file_section).unwrap();
                let spilled = Arc::new(Mutex::new(spill));
                let report = JsonReport {
                    threads,
                    spilled: Some(spilled.clone()),
                };
                (FileKeeping::Streamed(spilled), Box::new(report))
            },
            &|kept, retention| {
                assert!(kept.matches("\"path\":").count() > 10, "{kept}");
                assert_eq!(kept.contains("\"overdue\": [\n"), retention);
            },
        );
    }

    #[test]
    fn the_document_is_written_as_the_pretty_printer_writes_it() {
        let mut inventory = fixtures_inventory();
        assert!(!inventory.overdue.as_ref().unwrap().is_empty());
        let check = |inventory: &Inventory, what: &str| {
            let doc = document(inventory);
            let expected = serde_json::to_string_pretty(&doc).unwrap();
            for threads in [0, 1, 2, 3] {
                assert!(
                    written(&doc, threads) == expected,
                    "{what}, {threads} threads"
                );
            }
        };
        check(&inventory, "fixtures");
        // Enough files for several shares per thread and a last, short one.
        let (path, entry) = inventory.files.pop_first().unwrap();
        for i in 0..(FILES_PER_SHARE * 5 + 7) {
            inventory
                .files
                .insert(format!("{path}.{i:05}"), entry.clone());
        }
        check(&inventory, "many files");
        inventory.overdue = Some(Default::default());
        check(&inventory, "nothing overdue");
        inventory.overdue = None;
        inventory.files.clear();
        check(&inventory, "no files");
    }
}
