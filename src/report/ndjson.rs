//! `--format ndjson`: one object per finding, streamed as found, then a
//! closing `"type":"summary"` object.

use super::{RenderOptions, Report};
use crate::finding::Finding;
use crate::inventory::Inventory;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

pub struct NdjsonReport {
    options: RenderOptions,
    /// One finding's line, built whole and handed to the output in one
    /// write: serialising straight into the output made a dynamic call for
    /// every key and comma of every line.
    line: Vec<u8>,
}

impl NdjsonReport {
    pub fn new(options: RenderOptions) -> Self {
        NdjsonReport {
            options,
            line: Vec::with_capacity(512),
        }
    }
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    entity: &'static str,
    rule: &'a str,
    category: &'static str,
    path: &'a str,
    line: u64,
    column: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    confidence: &'static str,
    masked: &'a str,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

#[derive(Serialize)]
struct EntityTotal {
    count: u64,
    distinct: u64,
    files: u64,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    findings: u64,
    files_scanned: u64,
    bytes_scanned: u64,
    duration_secs: f64,
    skipped_by_reason: BTreeMap<&'static str, u64>,
    entities: BTreeMap<&'static str, EntityTotal>,
    key_id: &'a str,
    /// Present (true) only when the scan was stopped before the end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    incomplete: bool,
}

impl Report for NdjsonReport {
    fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        let line = FindingLine {
            kind: "finding",
            entity: f.entity.as_str(),
            rule: &f.rule,
            category: f.category.as_str(),
            path: &f.path,
            line: f.line,
            column: f.column,
            field: f.field.as_deref(),
            confidence: f.confidence.as_str(),
            masked: &f.masked,
            fingerprint: &f.fingerprint,
            value: self.options.reveal.then_some(f.value.as_str()),
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &line)?;
        self.line.push(b'\n');
        out.write_all(&self.line)
    }

    fn end(&mut self, out: &mut dyn Write, inv: &Inventory) -> std::io::Result<()> {
        let summary = SummaryLine {
            kind: "summary",
            findings: inv.total_findings(),
            files_scanned: inv.files_scanned,
            bytes_scanned: inv.bytes_scanned,
            duration_secs: inv.duration.as_secs_f64(),
            skipped_by_reason: inv
                .skipped_by_reason()
                .into_iter()
                .map(|(r, n)| (r.as_str(), n))
                .collect(),
            entities: inv
                .totals
                .iter()
                .map(|(e, s)| {
                    (
                        e.as_str(),
                        EntityTotal {
                            count: s.count,
                            distinct: s.distinct.count(),
                            files: s.files,
                        },
                    )
                })
                .collect(),
            key_id: &inv.key_id,
            incomplete: inv.incomplete,
        };
        serde_json::to_writer(&mut *out, &summary)?;
        out.write_all(b"\n")
    }
}
