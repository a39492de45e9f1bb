//! `--format inventory-csv`: the data map for spreadsheets. One row per file
//! x field x entity: where each kind of personal data lives, how much of it,
//! how many distinct values, on what evidence, and how old the file is.
//! Files without fields (plain text) get one row per entity with an empty
//! field. Values appear only masked.

use super::spill::Spill;
use super::{Report, age_days, rfc3339};
use crate::inventory::{FileEntry, Inventory};
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
    let rows = entry.location_rows();
    rows.into_iter()
        .map(|row| {
            let f = row.field.as_ref();
            let verdict = f.and_then(|f| f.verdict).filter(|v| v.entity == row.entity);
            let confidence = match verdict {
                Some(v) => v.confidence.as_str(),
                None => row.stats.confidence.map(|c| c.as_str()).unwrap_or(""),
            };
            let approx = if row.stats.distinct.is_exact() {
                ""
            } else {
                "~"
            };
            vec![
                path.to_string(),
                f.map(|f| f.name.to_string()).unwrap_or_default(),
                f.and_then(|f| f.column)
                    .map(|c| (c + 1).to_string())
                    .unwrap_or_default(),
                f.and_then(|f| f.rows)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                f.and_then(|f| f.non_empty)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                row.entity.as_str().to_string(),
                row.count.to_string(),
                f.and_then(|f| f.share(row.count))
                    .map(|s| format!("{s:.4}"))
                    .unwrap_or_default(),
                format!("{approx}{}", row.stats.distinct.count()),
                verdict
                    .map_or(row.source, |v| v.evidence.as_str())
                    .to_string(),
                confidence.to_string(),
                match (f, verdict) {
                    (None, _) => String::new(),
                    (Some(_), Some(_)) => "yes".to_string(),
                    (Some(_), None) => "no".to_string(),
                },
                row.stats.samples.join(" | "),
                modified.clone(),
                age.clone(),
                oldest_record.clone(),
                overdue_cell(row.entity),
            ]
        })
        .collect()
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
