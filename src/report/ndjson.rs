//! `--format ndjson`: one object per finding, streamed as found, then a
//! closing `"type":"summary"` object.

use super::pretty::{write_escaped, write_u64};
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

/// One finding's line, as `serde_json` writes the object (in this order:
/// type, entity, rule, category, path, line, column, field when known,
/// confidence, masked, fingerprint, value with `--reveal`), and a line end.
/// Written by hand: escaping every string through `serde_json` was a tenth
/// of a scan that streams its findings.
fn finding_line(line: &mut Vec<u8>, f: &Finding, reveal: bool) {
    let key = |line: &mut Vec<u8>, key: &str| {
        line.extend_from_slice(b",\"");
        line.extend_from_slice(key.as_bytes());
        line.extend_from_slice(b"\":");
    };
    line.extend_from_slice(br#"{"type":"finding""#);
    key(line, "entity");
    write_escaped(line, f.entity.as_str());
    key(line, "rule");
    write_escaped(line, &f.rule);
    key(line, "category");
    write_escaped(line, f.category.as_str());
    key(line, "path");
    write_escaped(line, &f.path);
    key(line, "line");
    write_u64(line, f.line);
    key(line, "column");
    write_u64(line, f.column);
    if let Some(field) = &f.field {
        key(line, "field");
        write_escaped(line, field);
    }
    key(line, "confidence");
    write_escaped(line, f.confidence.as_str());
    key(line, "masked");
    write_escaped(line, &f.masked);
    key(line, "fingerprint");
    write_escaped(line, &f.fingerprint);
    if reveal {
        key(line, "value");
        write_escaped(line, &f.value);
    }
    line.extend_from_slice(b"}\n");
}

impl Report for NdjsonReport {
    fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        self.line.clear();
        finding_line(&mut self.line, f, self.options.reveal);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Confidence, Entity};

    /// The line as `serde_json` writes the same object.
    #[derive(Serialize)]
    struct Reference<'a> {
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

    #[test]
    fn lines_are_what_serde_json_writes() {
        let awkward = "tab\there \"quoted\" back\\slash \u{1} é \u{2028}\nnext";
        for (n, field) in [None, Some("e-mail"), Some(awkward)]
            .into_iter()
            .enumerate()
        {
            let f = Finding {
                entity: Entity::Email,
                rule: "email".into(),
                category: Category::Contact,
                path: if n == 2 {
                    awkward.into()
                } else {
                    "exports/klanten.csv".into()
                },
                line: [1, 0, u64::MAX][n],
                column: [22, 10, 1][n],
                field: field.map(str::to_string),
                confidence: Confidence::High,
                masked: "j***@d***.nl".into(),
                fingerprint: "84c05169b77b890eafdd3ea3bcdefa52".into(),
                fingerprint_bits: 7,
                value: if n == 2 {
                    awkward.into()
                } else {
                    "jan@dealer.nl".into()
                },
            };
            for reveal in [false, true] {
                let mut line = Vec::new();
                finding_line(&mut line, &f, reveal);
                let mut expected = serde_json::to_vec(&Reference {
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
                    value: reveal.then_some(f.value.as_str()),
                })
                .unwrap();
                expected.push(b'\n');
                assert_eq!(
                    String::from_utf8_lossy(&line),
                    String::from_utf8_lossy(&expected)
                );
            }
        }
    }
}
