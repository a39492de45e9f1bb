//! `--format inventory-csv`: the data map for spreadsheets. One row per file
//! x field x entity: where each kind of personal data lives, how much of it,
//! how many distinct values, on what evidence, and how old the file is.
//! Files without fields (plain text) get one row per entity with an empty
//! field. Values appear only masked.

use super::spill::Spill;
use super::{Report, age_days, rfc3339};
use crate::inventory::{EntityStats, FileEntry, Inventory};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

#[derive(Default)]
pub struct InventoryCsvReport {
    /// The rows written out during the scan (made by [`render_file_rows`]),
    /// when the inventory streams its entries there instead of keeping
    /// them.
    pub spilled: Option<Arc<Mutex<Spill>>>,
}

pub const HEADER: [&str; 17] = [
    "path",
    "field",
    "column",
    "rows",
    "non_empty",
    "entity",
    "count",
    "share",
    "distinct",
    "evidence",
    "confidence",
    "column_verdict",
    "samples",
    "modified",
    "age_days",
    "oldest_record",
    "overdue",
];

fn stats_cells(s: &EntityStats) -> [String; 2] {
    let approx = if s.distinct.is_exact() { "" } else { "~" };
    [
        s.count.to_string(),
        format!("{approx}{}", s.distinct.count()),
    ]
}

fn file_rows(
    path: &str,
    entry: &FileEntry,
    now: SystemTime,
    overdue: Option<&[crate::retention::Overdue]>,
) -> Vec<Vec<String>> {
    let oldest_record = entry
        .record_dates()
        .and_then(|(d, _)| d.oldest)
        .map(crate::columns::format_day)
        .unwrap_or_default();
    let overdue_cell = |entity: crate::finding::Entity| match overdue {
        None => String::new(),
        Some(list) => match list.iter().find(|o| o.path == path && o.entity == entity) {
            Some(o) => format!("yes: {} ({} days)", o.policy, o.age_days),
            None => "no".to_string(),
        },
    };
    let modified = entry.modified.map(rfc3339).unwrap_or_default();
    let age = entry
        .modified
        .map(|m| age_days(m, now).to_string())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut counted_in_fields = std::collections::BTreeMap::new();
    for f in entry.field_summaries() {
        let mut entities: Vec<(crate::finding::Entity, &EntityStats, &str)> = f
            .entities
            .into_iter()
            .flatten()
            .map(|(e, s)| (*e, s, "values"))
            .collect();
        if let (Some(e), Some(values)) = (f.header_entity, f.header_values)
            && values.count > 0
            && !entities.iter().any(|(x, _, _)| *x == e)
        {
            entities.push((e, values, "header"));
        }
        for (entity, stats, source) in entities {
            if source == "values" {
                *counted_in_fields.entry(entity).or_insert(0u64) += stats.count;
            }
            let verdict = f.verdict.filter(|v| v.entity == entity);
            let evidence = match verdict {
                Some(v) => v.evidence.as_str(),
                None => source,
            };
            let confidence = match verdict {
                Some(v) => v.confidence.as_str(),
                None => stats.confidence.map(|c| c.as_str()).unwrap_or(""),
            };
            let [count, distinct] = stats_cells(stats);
            rows.push(vec![
                path.to_string(),
                f.name.to_string(),
                f.column.map(|c| (c + 1).to_string()).unwrap_or_default(),
                f.rows.map(|r| r.to_string()).unwrap_or_default(),
                f.non_empty.map(|r| r.to_string()).unwrap_or_default(),
                entity.as_str().to_string(),
                count,
                f.share(stats.count)
                    .map(|s| format!("{s:.4}"))
                    .unwrap_or_default(),
                distinct,
                evidence.to_string(),
                confidence.to_string(),
                if verdict.is_some() { "yes" } else { "no" }.to_string(),
                stats.samples.join(" | "),
                modified.clone(),
                age.clone(),
                oldest_record.clone(),
                overdue_cell(entity),
            ]);
        }
    }
    // Findings outside any field (text, logs): one row per entity.
    for (entity, stats) in &entry.entities {
        if counted_in_fields.get(entity).copied().unwrap_or(0) >= stats.count {
            continue;
        }
        let [count, distinct] = stats_cells(stats);
        rows.push(vec![
            path.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            entity.as_str().to_string(),
            count,
            String::new(),
            distinct,
            "values".to_string(),
            stats
                .confidence
                .map(|c| c.as_str())
                .unwrap_or("")
                .to_string(),
            String::new(),
            stats.samples.join(" | "),
            modified.clone(),
            age.clone(),
            oldest_record.clone(),
            overdue_cell(*entity),
        ]);
    }
    rows
}

/// The rows of one file, as CSV, with its locations past their retention
/// policy when the scan has one.
pub fn render_file_rows(
    path: &str,
    entry: &FileEntry,
    overdue: Option<&[crate::retention::Overdue]>,
    now: SystemTime,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .buffer_capacity(256)
        .from_writer(out);
    for row in file_rows(path, entry, now, overdue) {
        w.write_record(&row).map_err(std::io::Error::other)?;
    }
    w.flush()
}

impl Report for InventoryCsvReport {
    fn end(&mut self, out: &mut dyn Write, inventory: &Inventory) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new().from_writer(out);
        w.write_record(HEADER).map_err(std::io::Error::other)?;
        if let Some(spilled) = &self.spilled {
            let spilled = Spill::finished(spilled)?;
            let out = w
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            return spilled.for_each_in_order(&mut |_, rows| out.write_all(rows));
        }
        let now = SystemTime::now();
        for (path, entry) in &inventory.files {
            let overdue = inventory.overdue.as_ref().map(|all| all.of_file(path));
            for row in file_rows(path, entry, now, overdue.as_deref()) {
                w.write_record(&row).map_err(std::io::Error::other)?;
            }
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::FileKeeping;

    #[test]
    fn rows_written_out_during_the_scan_make_the_same_table() {
        crate::report::assert_streamed_writes_what_kept_writes(
            &|| Box::new(InventoryCsvReport::default()),
            &|_| {
                let spill = Spill::new(SystemTime::now(), render_file_rows).unwrap();
                let spilled = Arc::new(Mutex::new(spill));
                let report = InventoryCsvReport {
                    spilled: Some(spilled.clone()),
                };
                (FileKeeping::Streamed(spilled), Box::new(report))
            },
            &|kept, retention| {
                assert!(kept.lines().count() > 20, "{kept}");
                // The overdue column names the policy a location is past.
                assert_eq!(kept.contains("(default)"), retention, "{kept}");
            },
        );
    }
}
