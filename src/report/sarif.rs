//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
//! viewers.
//!
//! One run; `tool.driver.rules` describes every rule in effect (with its
//! entity and category as tags, and a default level from the entity's
//! severity); each finding becomes a result with its rule, level, a message
//! holding only the masked value, a location relative to `%SRCROOT%` (the
//! directory piiscan ran in, which should be the repository root), and
//! `partialFingerprints["piiscan/v1"]` built from the keyed fingerprint and
//! the entity, so code scanning tracks an alert across line moves without
//! ever seeing the value. Files not (fully) scanned become tool execution
//! notifications. Columns are counted in Unicode code points
//! (`columnKind: unicodeCodePoints`), as piiscan counts them everywhere.
//!
//! Results are kept (without their raw values) until the end, since SARIF
//! is one document: at most `max_results` of them (25,000 by default, the
//! most GitHub code scanning accepts in a run; it rejects the whole upload
//! above that), the most severe first, then by location, so memory stays
//! flat however much a scan finds. A notification says how many were left
//! out.

use super::Report;
use crate::config::{Severities, Severity};
use crate::finding::{Entity, Finding};
use crate::inventory::{FileKeeping, Inventory};
use crate::redact::{FingerprintKey, mask, normalize};
use crate::rules::Rule;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::Write;
use std::path::Path;

/// The base id of every location: the directory piiscan ran in.
pub const SRCROOT: &str = "%SRCROOT%";
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Results GitHub code scanning accepts in one run: it rejects an upload
/// with more.
pub const GITHUB_MAX_RESULTS: usize = 25_000;
/// What a log needs of the inventory: no file's entry, and every file not
/// fully scanned (each becomes a notification).
pub const FILE_ENTRIES: FileKeeping = FileKeeping::Summary {
    most_findings: 0,
    field_lines: 0,
    skipped_examples: usize::MAX,
};

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` (0.0 to 10.0) of a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "8.0",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
    }
}

/// A finding as kept for the document: no raw value. Ordered by what is
/// listed first when not all fit: the most severe, then by location.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Kept {
    severity: Reverse<Severity>,
    path: String,
    line: u64,
    column: u64,
    rule: String,
    entity: Entity,
    field: Option<String>,
    confidence: &'static str,
    masked: String,
    fingerprint: String,
}

pub struct SarifReport {
    rules: Vec<Rule>,
    severities: Severities,
    /// Results kept (0: every one).
    max_results: usize,
    /// The results to list; with a limit, a max-heap whose top is the
    /// first to leave when a more important one arrives.
    results: BinaryHeap<Kept>,
    /// Results found, and those not listed.
    found: u64,
    not_listed: u64,
    /// The key and region to fingerprint and mask findings that come
    /// without those strings (see [`SarifReport::making_strings`]).
    strings: Option<(FingerprintKey, String)>,
}

impl SarifReport {
    /// A report describing `rules` (those in effect), with levels from
    /// `severities`, listing at most `max_results` results (0: all).
    pub fn new(rules: Vec<Rule>, severities: Severities, max_results: usize) -> Self {
        SarifReport {
            rules,
            severities,
            max_results,
            results: BinaryHeap::new(),
            found: 0,
            not_listed: 0,
            strings: None,
        }
    }

    /// The report, fingerprinting (with `key`, phone numbers read as in
    /// `region`) and masking the findings it keeps that come without a
    /// fingerprint: a scan with a limit on results need not hash every
    /// value for the few thousand listed (a keyed BLAKE3 hash per value,
    /// a tenth of a scan of dense data).
    pub fn making_strings(mut self, key: FingerprintKey, region: &str) -> Self {
        self.strings = Some((key, region.to_string()));
        self
    }

    /// Whether a report keeping at most `max_results` (0: all) lets
    /// findings come without fingerprints and masked values, when made
    /// [`making_strings`](Self::making_strings). Not when it keeps more
    /// than code scanning takes: the scanning threads make them side by
    /// side, the report one after another.
    pub fn makes_strings_for(max_results: usize) -> bool {
        (1..=GITHUB_MAX_RESULTS).contains(&max_results)
    }

    /// The masked value and the fingerprint of `f`: its own, or made here
    /// when it came without them.
    fn strings_of(&self, f: &Finding) -> (String, String) {
        match &self.strings {
            Some((key, region)) if f.fingerprint.is_empty() => {
                let normalized = normalize(f.entity, &f.value, region);
                let (fingerprint, _) = key.fingerprint(f.entity, &normalized);
                (mask(f.entity, &f.value), fingerprint)
            }
            _ => (f.masked.clone(), f.fingerprint.clone()),
        }
    }

    /// Whether a finding ranked `key` would be the last of a full list.
    fn after_the_last(&self, key: (Reverse<Severity>, &str, u64, u64, &str)) -> bool {
        self.results.peek().is_some_and(|last| {
            key >= (
                last.severity,
                last.path.as_str(),
                last.line,
                last.column,
                last.rule.as_str(),
            )
        })
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Results<'a>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    key_id: &'a str,
    files_scanned: u64,
    bytes_scanned: u64,
    /// Results found but left out of `results` (see the notification).
    #[serde(skip_serializing_if = "is_zero")]
    results_not_listed: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    entity: &'static str,
    category: &'static str,
    severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    entity: &'static str,
    confidence: &'static str,
    masked: &'a str,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    start_column: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    descriptor: DescriptorReference,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: String,
}

/// An artifact location for a reported path: relative paths (and absolute
/// ones below the current directory) relative to `%SRCROOT%`, others as
/// `file://` URIs.
fn artifact_location(path: &str) -> ArtifactLocation {
    let p = Path::new(path);
    let relative = if p.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
    } else {
        Some(crate::config::normalize_path(p))
    };
    match relative {
        Some(rel) => ArtifactLocation {
            uri: encode_uri_path(&rel.to_string_lossy().replace('\\', "/")),
            uri_base_id: Some(SRCROOT),
        },
        None => ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(&path.replace('\\', "/"))),
            uri_base_id: None,
        },
    }
}

/// Percent-encodes a `/`-separated path for a URI reference, keeping the
/// unreserved characters and `/`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The stable partial fingerprint: keyed value fingerprint plus entity
/// (no raw value, nothing unkeyed).
fn partial_fingerprint(entity: Entity, fingerprint: &str) -> String {
    format!("{fingerprint}:{}", entity.as_str())
}

fn rule_help(rule: &Rule, severity: Severity) -> Help {
    let validator = rule
        .validator
        .map(|v| format!("{v:?}").to_lowercase())
        .unwrap_or_else(|| "none".into());
    let description = if rule.description.is_empty() {
        rule.name.clone()
    } else {
        rule.description.clone()
    };
    let text = format!(
        "{description}\n\nEntity: {entity}. Category: {category}. Severity: {severity}. Validator: {validator}.\n\
         Personal data should not be committed. Remove it (and from history if it was pushed), \
         replace it with made-up data, or, if it is not personal data, allowlist it in .piiscan.toml \
         ([allowlist] paths, values via `piiscan fingerprint`, patterns or email_domains) or mark the \
         line with `piiscan:ignore`.",
        entity = rule.entity.as_str(),
        category = rule.category.as_str(),
    );
    let markdown = format!(
        "{description}\n\n| entity | category | severity | validator |\n|---|---|---|---|\n\
         | `{entity}` | {category} | {severity} | {validator} |\n\n\
         Personal data should not be committed. Remove it (and from history if it was pushed), \
         replace it with made-up data, or, if it is not personal data, allowlist it in `.piiscan.toml` \
         (`[allowlist]` `paths`, `values` via `piiscan fingerprint`, `patterns` or `email_domains`) \
         or mark the line with `piiscan:ignore`.",
        entity = rule.entity.as_str(),
        category = rule.category.as_str(),
    );
    Help { text, markdown }
}

/// The listed results, each made when it is written: the document is not
/// built whole in memory.
struct Results<'a> {
    kept: &'a [Kept],
    index: &'a HashMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.kept.iter().map(|k| result(k, self.index)))
    }
}

fn result<'a>(k: &'a Kept, index: &HashMap<&str, usize>) -> SarifResult<'a> {
    let place = match &k.field {
        Some(field) => format!(" in field `{field}`"),
        None => String::new(),
    };
    SarifResult {
        rule_id: &k.rule,
        rule_index: index.get(k.rule.as_str()).copied(),
        level: level(k.severity.0),
        message: Text {
            text: format!(
                "Personal data ({}): {}{place}, confidence {}.",
                k.entity.as_str(),
                k.masked,
                k.confidence
            ),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&k.path),
                region: Some(Region {
                    start_line: k.line.max(1),
                    start_column: k.column.max(1),
                }),
            },
        }],
        partial_fingerprints: BTreeMap::from([(
            "piiscan/v1",
            partial_fingerprint(k.entity, &k.fingerprint),
        )]),
        properties: ResultProperties {
            entity: k.entity.as_str(),
            confidence: k.confidence,
            masked: &k.masked,
            fingerprint: &k.fingerprint,
            field: k.field.as_deref(),
        },
    }
}

impl Report for SarifReport {
    fn finding(&mut self, _out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
        self.found += 1;
        let severity = Reverse(self.severities.get(f.entity));
        let full = self.max_results > 0 && self.results.len() >= self.max_results;
        if full && self.after_the_last((severity, &f.path, f.line, f.column, &f.rule)) {
            self.not_listed += 1;
            return Ok(());
        }
        let (masked, fingerprint) = self.strings_of(f);
        self.results.push(Kept {
            severity,
            path: f.path.to_string(),
            line: f.line,
            column: f.column,
            rule: f.rule.to_string(),
            entity: f.entity,
            field: f.field.clone(),
            confidence: f.confidence.as_str(),
            masked,
            fingerprint,
        });
        if full {
            self.results.pop();
            self.not_listed += 1;
        }
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        if self.not_listed == 0 {
            return Vec::new();
        }
        vec![format!(
            "{} of {} results not in the SARIF (--sarif-max-results {}: the most severe are listed); --sarif-max-results 0 lists all",
            self.not_listed, self.found, self.max_results
        )]
    }

    fn end(&mut self, out: &mut dyn Write, inventory: &Inventory) -> std::io::Result<()> {
        // Stable output whatever order the threads found things in.
        let mut kept = std::mem::take(&mut self.results).into_vec();
        kept.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
        });
        let index: HashMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let rules = self
            .rules
            .iter()
            .map(|r| {
                let severity = self.severities.get(r.entity);
                ReportingDescriptor {
                    id: &r.id,
                    name: &r.name,
                    short_description: Text {
                        text: format!("{} ({})", r.name, r.entity.as_str()),
                    },
                    full_description: Text {
                        text: if r.description.is_empty() {
                            r.name.clone()
                        } else {
                            r.description.clone()
                        },
                    },
                    help: rule_help(r, severity),
                    default_configuration: Configuration {
                        level: level(severity),
                    },
                    properties: RuleProperties {
                        tags: vec![
                            "security".into(),
                            "privacy".into(),
                            "pii".into(),
                            r.entity.as_str().into(),
                            r.category.as_str().into(),
                        ],
                        precision: match r.confidence {
                            crate::finding::Confidence::High => "high",
                            crate::finding::Confidence::Medium => "medium",
                            crate::finding::Confidence::Low => "low",
                        },
                        security_severity: security_severity(severity),
                        entity: r.entity.as_str(),
                        category: r.category.as_str(),
                        severity: severity.as_str(),
                    },
                }
            })
            .collect();
        let mut notifications: Vec<Notification> = inventory
            .skipped
            .iter()
            .map(|s| Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "{} ({}): {}",
                        if s.partial {
                            "partly scanned"
                        } else {
                            "not scanned"
                        },
                        s.reason.as_str(),
                        s.detail
                    ),
                },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: artifact_location(&s.path),
                        region: None,
                    },
                }],
                descriptor: DescriptorReference {
                    id: format!("skipped/{}", s.reason.as_str()),
                },
            })
            .collect();
        if self.not_listed > 0 {
            notifications.push(Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "{} of {} results are not listed: this log holds at most {} (--sarif-max-results), \
                         the most severe first; GitHub code scanning rejects a run of more than {GITHUB_MAX_RESULTS}. \
                         --format ndjson lists every finding.",
                        self.not_listed, self.found, self.max_results
                    ),
                },
                locations: Vec::new(),
                descriptor: DescriptorReference {
                    id: "results-not-listed".into(),
                },
            });
        }
        let log = Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "piiscan",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        rules,
                    },
                },
                invocations: [Invocation {
                    execution_successful: !inventory.incomplete,
                    tool_execution_notifications: notifications,
                }],
                column_kind: "unicodeCodePoints",
                results: Results {
                    kept: &kept,
                    index: &index,
                },
                properties: RunProperties {
                    key_id: &inventory.key_id,
                    files_scanned: inventory.files_scanned,
                    bytes_scanned: inventory.bytes_scanned,
                    results_not_listed: self.not_listed,
                },
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_and_relative() {
        assert_eq!(encode_uri_path("a b/é.csv"), "a%20b/%C3%A9.csv");
        let loc = artifact_location("./exports/x y.csv");
        assert_eq!(loc.uri, "exports/x%20y.csv");
        assert_eq!(loc.uri_base_id, Some(SRCROOT));
        let loc = artifact_location("/nowhere/near/a.txt");
        assert_eq!(loc.uri, "file:///nowhere/near/a.txt");
        assert_eq!(loc.uri_base_id, None);
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
    }
}
