//! Measured accuracy: compares a scan's findings with the truth file that
//! `piiscan generate` writes next to its tree, per entity (true and false
//! positives, misses, precision, recall, F1), and counts look-alikes that
//! were reported.
//!
//! A finding matches a planted value when path and entity are the same, the
//! lines are at most one apart and the normalised values are equal
//! ([`crate::redact::normalize`], so `06-12345678` and `+31612345678` are one
//! value). Each planted value is matched at most once. A finding matches a
//! look-alike when path and entity are the same, the lines at most one apart,
//! and one normalised value contains the other (a look-alike reported in part
//! counts too). Raw values are used only for matching: reports show masked
//! values.

use crate::error::{Error, Result};
use crate::finding::{Entity, Finding};
use crate::redact::{mask, normalize};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;

/// Whether a truth record is personal data or something that only looks
/// like it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TruthKind {
    Pii,
    Lookalike,
}

/// One line of a truth file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthRecord {
    /// Relative to the generated tree, `/` separators.
    pub path: String,
    /// 1-based physical line where the value starts.
    pub line: u64,
    pub entity: Entity,
    pub value: String,
    pub kind: TruthKind,
}

/// Reads a truth file (JSON lines).
pub fn load_truth(path: &Path) -> Result<Vec<TruthRecord>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("reading truth file {}", path.display()), e))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line =
            line.map_err(|e| Error::io(format!("reading truth file {}", path.display()), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: TruthRecord = serde_json::from_str(&line).map_err(|e| Error::Truth {
            path: path.display().to_string(),
            message: format!("line {}: {e}", i + 1),
        })?;
        out.push(record);
    }
    Ok(out)
}

/// What evaluation keeps of a finding: no raw value, only its normalised
/// form (for matching) and its mask (for showing).
#[derive(Debug, Clone)]
pub struct Observed {
    /// Relative to the scanned tree, `/` separators.
    pub path: String,
    pub line: u64,
    pub entity: Entity,
    pub normalized: String,
    pub masked: String,
}

impl Observed {
    /// Keeps what is needed of `f`, with its path made relative to `root`
    /// (the root as the scan displayed it).
    pub fn from_finding(f: &Finding, root: &str, region: &str) -> Observed {
        let path = f
            .path
            .strip_prefix(root)
            .map(|p| p.trim_start_matches(['/', '\\']))
            .unwrap_or(&f.path)
            .replace('\\', "/");
        Observed {
            path,
            line: f.line,
            entity: f.entity,
            normalized: normalize(f.entity, &f.value, region),
            masked: f.masked.clone(),
        }
    }
}

/// Counts and scores of one entity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EntityScore {
    pub entity: String,
    pub planted: u64,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// One example of a miss or a false positive, masked.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub path: String,
    pub line: u64,
    pub entity: String,
    pub masked: String,
}

/// The result of comparing findings with a truth file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AccuracyReport {
    pub entities: Vec<EntityScore>,
    pub planted_total: u64,
    pub lookalikes_planted: u64,
    /// Findings that match a look-alike record (should be 0).
    pub lookalikes_reported: u64,
    /// A few misses per entity, masked.
    pub missed_examples: Vec<Example>,
    /// A few false positives per entity, masked.
    pub false_positive_examples: Vec<Example>,
}

/// Examples kept per entity and kind.
const EXAMPLES_PER_ENTITY: usize = 5;

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// Planted values are looked up by path, entity and normalised value.
type PlantedKey<'a> = (&'a str, Entity, String);
/// A planted value's line, whether a finding matched it, and its index in
/// the truth file.
type PlantedSlot = (u64, bool, usize);

/// Compares `found` with `truth`. `region` normalises the truth values the
/// way the scan normalised its findings.
pub fn evaluate(truth: &[TruthRecord], found: &[Observed], region: &str) -> AccuracyReport {
    // Planted values by (path, entity, normalised value): their lines and
    // whether each was matched.
    let mut planted: HashMap<PlantedKey<'_>, Vec<PlantedSlot>> = HashMap::new();
    let mut lookalikes: HashMap<(&str, Entity), Vec<(u64, String)>> = HashMap::new();
    let mut report = AccuracyReport::default();
    for (i, t) in truth.iter().enumerate() {
        match t.kind {
            TruthKind::Pii => {
                report.planted_total += 1;
                planted
                    .entry((
                        t.path.as_str(),
                        t.entity,
                        normalize(t.entity, &t.value, region),
                    ))
                    .or_default()
                    .push((t.line, false, i));
            }
            TruthKind::Lookalike => {
                report.lookalikes_planted += 1;
                lookalikes
                    .entry((t.path.as_str(), t.entity))
                    .or_default()
                    .push((t.line, normalize(t.entity, &t.value, region)));
            }
        }
    }
    let mut scores: BTreeMap<Entity, EntityScore> = BTreeMap::new();
    let mut fp_examples: BTreeMap<Entity, Vec<Example>> = BTreeMap::new();
    for f in found {
        let score = scores.entry(f.entity).or_default();
        let key = (f.path.as_str(), f.entity, f.normalized.clone());
        let hit = planted.get_mut(&key).and_then(|lines| {
            lines
                .iter_mut()
                .filter(|(line, used, _)| !*used && line.abs_diff(f.line) <= 1)
                .min_by_key(|(line, _, _)| line.abs_diff(f.line))
        });
        if let Some(slot) = hit {
            slot.1 = true;
            score.true_positives += 1;
            continue;
        }
        score.false_positives += 1;
        let is_lookalike = lookalikes
            .get(&(f.path.as_str(), f.entity))
            .is_some_and(|list| {
                list.iter().any(|(line, value)| {
                    line.abs_diff(f.line) <= 1
                        && !f.normalized.is_empty()
                        && (value.contains(&f.normalized) || f.normalized.contains(value.as_str()))
                })
            });
        if is_lookalike {
            report.lookalikes_reported += 1;
        }
        let examples = fp_examples.entry(f.entity).or_default();
        if examples.len() < EXAMPLES_PER_ENTITY {
            examples.push(Example {
                path: f.path.clone(),
                line: f.line,
                entity: f.entity.as_str().to_string(),
                masked: f.masked.clone(),
            });
        }
    }
    let mut missed: Vec<(u64, usize)> = Vec::new();
    for ((_, entity, _), lines) in &planted {
        let score = scores.entry(*entity).or_default();
        for (_, used, idx) in lines {
            score.planted += 1;
            if !used {
                score.false_negatives += 1;
                missed.push((0, *idx));
            }
        }
    }
    // Deterministic examples: in truth-file order, a few per entity.
    missed.sort_by_key(|(_, idx)| *idx);
    let mut per_entity: BTreeMap<Entity, usize> = BTreeMap::new();
    for (_, idx) in missed {
        let t = &truth[idx];
        let n = per_entity.entry(t.entity).or_default();
        if *n < EXAMPLES_PER_ENTITY {
            *n += 1;
            report.missed_examples.push(Example {
                path: t.path.clone(),
                line: t.line,
                entity: t.entity.as_str().to_string(),
                masked: mask(t.entity, &t.value),
            });
        }
    }
    report.false_positive_examples = fp_examples.into_values().flatten().collect();
    for (entity, mut s) in scores {
        s.entity = entity.as_str().to_string();
        s.precision = ratio(s.true_positives, s.true_positives + s.false_positives);
        s.recall = ratio(s.true_positives, s.true_positives + s.false_negatives);
        s.f1 = if s.precision + s.recall == 0.0 {
            0.0
        } else {
            2.0 * s.precision * s.recall / (s.precision + s.recall)
        };
        report.entities.push(s);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(path: &str, line: u64, entity: Entity, value: &str, kind: TruthKind) -> TruthRecord {
        TruthRecord {
            path: path.into(),
            line,
            entity,
            value: value.into(),
            kind,
        }
    }

    fn seen(path: &str, line: u64, entity: Entity, value: &str) -> Observed {
        Observed {
            path: path.into(),
            line,
            entity,
            normalized: normalize(entity, value, "NL"),
            masked: mask(entity, value),
        }
    }

    #[test]
    fn matches_by_normalised_value_and_nearby_line() {
        let t = vec![
            truth("a.csv", 2, Entity::Phone, "06-12345678", TruthKind::Pii),
            truth("a.csv", 3, Entity::LicencePlate, "GB-12-NZ", TruthKind::Pii),
            truth(
                "a.csv",
                9,
                Entity::Iban,
                "NL91ABNA0417164300",
                TruthKind::Pii,
            ),
            truth(
                "src/x.js",
                4,
                Entity::Email,
                "logo@2x.png",
                TruthKind::Lookalike,
            ),
        ];
        let f = vec![
            seen("a.csv", 2, Entity::Phone, "+31 6 12345678"),
            seen("a.csv", 4, Entity::LicencePlate, "gb12nz"),
            // A second report of the same planted value is a false positive.
            seen("a.csv", 3, Entity::LicencePlate, "GB-12-NZ"),
            seen("src/x.js", 4, Entity::Email, "logo@2x.png"),
        ];
        let r = evaluate(&t, &f, "NL");
        let by = |e: &str| r.entities.iter().find(|s| s.entity == e).unwrap().clone();
        assert_eq!(by("phone").true_positives, 1);
        let plate = by("licence_plate");
        assert_eq!((plate.true_positives, plate.false_positives), (1, 1));
        let iban = by("iban");
        assert_eq!((iban.false_negatives, iban.recall), (1, 0.0));
        assert_eq!(r.lookalikes_reported, 1);
        assert_eq!(r.missed_examples.len(), 1);
        assert!(!r.missed_examples[0].masked.contains("0417"));
    }

    #[test]
    fn findings_are_made_relative_to_the_root() {
        let f = Finding {
            entity: Entity::Email,
            rule: "email".into(),
            category: crate::finding::Category::Contact,
            path: "/tmp/tree/mail/a.txt".into(),
            line: 1,
            column: 1,
            field: None,
            confidence: crate::finding::Confidence::High,
            masked: "j***@h***.nl".into(),
            fingerprint: String::new(),
            fingerprint_bits: 0,
            value: "Jan@Hotmail.nl".into(),
        };
        let o = Observed::from_finding(&f, "/tmp/tree", "NL");
        assert_eq!(o.path, "mail/a.txt");
        assert_eq!(o.normalized, "jan@hotmail.nl");
    }
}
