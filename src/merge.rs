//! `piiscan merge`: combines the JSON inventories of shards (`--shard K/N`,
//! `--files-from`) into the inventory one run over all files would give.
//!
//! Files, their columns and what was skipped are disjoint between shards and
//! are concatenated in path order. Totals add up, except distinct counts:
//! each inventory carries its distinct counters (`sketch`), and the merge
//! takes their union, exact while small, so a value seen by two shards is
//! counted once. Merging is associative and order-independent: merging
//! merged inventories gives the same document. Inventories made with
//! different fingerprint keys cannot be combined and are refused.

use crate::distinct::DistinctCounter;
use crate::error::{Error, Result};
use crate::inventory::SAMPLES_PER_ENTITY;
use crate::report::json::SCHEMA_VERSION;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn merge_error(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

/// Reads one inventory and checks that it is one piiscan can merge.
pub fn read_inventory(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        merge_error(format!(
            "{} is not a JSON inventory (`piiscan scan --format json`): {e}",
            path.display()
        ))
    })?;
    if doc["schema_version"] != json!(SCHEMA_VERSION) {
        return Err(merge_error(format!(
            "{}: schema_version {} is not {SCHEMA_VERSION}; make the inventories with this \
             version of piiscan",
            path.display(),
            doc["schema_version"]
        )));
    }
    Ok(doc)
}

fn as_u64(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn confidence_rank(c: &str) -> u8 {
    match c {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// Merges inventories; `names` label them in error messages.
pub fn merge(docs: &[Value], names: &[String]) -> Result<Value> {
    let Some(first) = docs.first() else {
        return Err(merge_error("nothing to merge"));
    };
    let key_id = first["scan"]["key_id"].clone();
    for (doc, name) in docs.iter().zip(names) {
        if doc["scan"]["key_id"] != key_id {
            return Err(merge_error(format!(
                "{name} was made with fingerprint key id {} but {} with {}: distinct counts \
                 and fingerprints of different keys cannot be combined; scan every shard \
                 with the same PIISCAN_KEY or --key-file",
                doc["scan"]["key_id"], names[0], key_id
            )));
        }
    }

    let mut roots: Vec<Value> = Vec::new();
    let mut started_at: Option<String> = None;
    let mut ends: Vec<f64> = Vec::new();
    let (mut files_scanned, mut bytes_scanned, mut files_skipped) = (0u64, 0u64, 0u64);
    let mut skipped_by_reason: BTreeMap<String, u64> = BTreeMap::new();
    let mut skipped: Vec<Value> = Vec::new();
    let mut rules = 0u64;
    let mut files: BTreeMap<String, (Value, String)> = BTreeMap::new();
    let mut totals: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut counters: BTreeMap<String, DistinctCounter> = BTreeMap::new();
    // Overdue locations are per file, so the shards' lists are disjoint.
    let mut overdue: Option<Vec<Value>> = None;
    // One stopped shard makes the whole inventory incomplete.
    let mut incomplete = false;

    for (doc, name) in docs.iter().zip(names) {
        let scan = &doc["scan"];
        for r in scan["roots"].as_array().into_iter().flatten() {
            if !roots.contains(r) {
                roots.push(r.clone());
            }
        }
        let start = scan["started_at"].as_str().unwrap_or_default().to_string();
        let start_time = humantime::parse_rfc3339(&start).ok();
        if let Some(t) = start_time {
            let secs = t
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            ends.push(secs + scan["duration_secs"].as_f64().unwrap_or(0.0));
        }
        // RFC 3339 in UTC with seconds sorts as text.
        if started_at.as_ref().is_none_or(|s| start < *s) {
            started_at = Some(start);
        }
        incomplete |= scan["incomplete"] == json!(true);
        files_scanned += as_u64(&scan["files_scanned"]);
        bytes_scanned += as_u64(&scan["bytes_scanned"]);
        files_skipped += as_u64(&scan["files_skipped"]);
        rules = rules.max(as_u64(&scan["rules"]));
        for (reason, n) in scan["skipped_by_reason"].as_object().into_iter().flatten() {
            *skipped_by_reason.entry(reason.clone()).or_default() += as_u64(n);
        }
        skipped.extend(scan["skipped"].as_array().into_iter().flatten().cloned());
        if let Some(list) = doc["retention"]["overdue"].as_array() {
            overdue
                .get_or_insert_with(Vec::new)
                .extend(list.iter().cloned());
        }
        for file in doc["files"].as_array().into_iter().flatten() {
            let path = file["path"].as_str().unwrap_or_default().to_string();
            if let Some((_, other)) = files.get(&path) {
                return Err(merge_error(format!(
                    "{path} is in both {other} and {name}: the inventories overlap \
                     (shards must cover disjoint files)"
                )));
            }
            files.insert(path, (file.clone(), name.clone()));
        }
        for (entity, stats) in doc["totals"]["entities"].as_object().into_iter().flatten() {
            let sketch = stats["sketch"]
                .as_str()
                .and_then(DistinctCounter::from_text);
            let Some(sketch) = sketch else {
                return Err(merge_error(format!(
                    "{name}: totals.entities.{entity} has no distinct counter (`sketch`); \
                     make the inventories with this version of piiscan"
                )));
            };
            counters.entry(entity.clone()).or_default().merge(&sketch);
            let total = totals.entry(entity.clone()).or_default();
            for field in ["count", "files"] {
                let sum = as_u64(&total.get(field).cloned().unwrap_or(Value::Null))
                    + as_u64(&stats[field]);
                total.insert(field.into(), json!(sum));
            }
            let mine = total
                .get("confidence")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let theirs = stats["confidence"].as_str().unwrap_or_default();
            if confidence_rank(theirs) > confidence_rank(mine) {
                total.insert("confidence".into(), json!(theirs));
            }
        }
    }

    skipped.sort_by(|a, b| {
        a["path"]
            .as_str()
            .unwrap_or_default()
            .cmp(b["path"].as_str().unwrap_or_default())
    });
    let started = started_at.unwrap_or_default();
    let duration = match (
        humantime::parse_rfc3339(&started).ok(),
        ends.iter().copied().reduce(f64::max),
    ) {
        (Some(t), Some(end)) => {
            let start = t
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            (end - start).max(0.0)
        }
        _ => 0.0,
    };

    let files: Vec<Value> = files.into_values().map(|(f, _)| f).collect();
    let mut total_findings = 0u64;
    let mut entities = Map::new();
    for (entity, mut total) in totals {
        let counter = counters.remove(&entity).unwrap_or_default();
        total_findings += as_u64(&total["count"]);
        // Samples as a single run picks them: from the files in path order.
        let mut samples: Vec<Value> = Vec::new();
        'files: for f in &files {
            for s in f["entities"][&entity]["samples"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if samples.len() >= SAMPLES_PER_ENTITY {
                    break 'files;
                }
                if !samples.contains(s) {
                    samples.push(s.clone());
                }
            }
        }
        let mut ordered = Map::new();
        ordered.insert("count".into(), total["count"].take());
        ordered.insert("distinct".into(), json!(counter.count()));
        ordered.insert("distinct_exact".into(), json!(counter.is_exact()));
        if let Some(c) = total.remove("confidence") {
            ordered.insert("confidence".into(), c);
        }
        if !samples.is_empty() {
            ordered.insert("samples".into(), Value::Array(samples));
        }
        ordered.insert("files".into(), total["files"].take());
        ordered.insert("sketch".into(), json!(counter.to_text()));
        entities.insert(entity, Value::Object(ordered));
    }

    if let Some(list) = overdue.as_mut() {
        let key = |v: &Value| {
            (
                v["path"].as_str().unwrap_or_default().to_string(),
                v["entity"].as_str().unwrap_or_default().to_string(),
            )
        };
        list.sort_by_key(key);
    }
    let tool = first["tool"].clone();
    let reasons: BTreeSet<_> = skipped_by_reason.keys().cloned().collect();
    let skipped_by_reason: Map<String, Value> = reasons
        .into_iter()
        .map(|r| {
            let n = skipped_by_reason[&r];
            (r, json!(n))
        })
        .collect();
    let mut merged = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": tool,
        "scan": {
            "roots": roots,
            "started_at": started,
            "duration_secs": duration,
            "files_scanned": files_scanned,
            "bytes_scanned": bytes_scanned,
            "files_skipped": files_skipped,
            "skipped_by_reason": skipped_by_reason,
            "skipped": skipped,
            "key_id": key_id,
            "rules": rules,
        },
        "files": files,
        "totals": {
            "findings": total_findings,
            "entities": entities,
        },
    });
    if let Some(list) = overdue {
        merged["retention"] = json!({ "overdue": list });
    }
    if incomplete {
        merged["scan"]["incomplete"] = json!(true);
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(key: &str, files: &[(&str, u64)], hashes: &[u64]) -> Value {
        let mut counter = DistinctCounter::default();
        for &h in hashes {
            counter.insert(h);
        }
        let count: u64 = files.iter().map(|(_, n)| n).sum();
        json!({
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "piiscan", "version": "0"},
            "scan": {"roots": ["."], "started_at": "2026-01-01T00:00:00Z", "duration_secs": 1.0,
                     "files_scanned": files.len(), "bytes_scanned": 10, "files_skipped": 0,
                     "skipped_by_reason": {}, "skipped": [], "key_id": key, "rules": 17},
            "files": files.iter().map(|(p, n)| json!({"path": p, "entities": {"email": {"count": n, "samples": [format!("{p}***")]}}})).collect::<Vec<_>>(),
            "totals": {"findings": count, "entities": {"email": {"count": count, "files": files.len(), "confidence": "high", "sketch": counter.to_text()}}}
        })
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("shard{i}")).collect()
    }

    #[test]
    fn distinct_counts_are_a_union_and_merging_is_order_independent() {
        let a = inventory("k", &[("a.csv", 2)], &[1, 2]);
        let b = inventory("k", &[("b.csv", 2)], &[2, 3]);
        let c = inventory("k", &[("c.csv", 1)], &[4]);
        let abc = merge(&[a.clone(), b.clone(), c.clone()], &names(3)).unwrap();
        assert_eq!(abc["totals"]["entities"]["email"]["distinct"], 4);
        assert_eq!(abc["totals"]["entities"]["email"]["count"], 5);
        assert_eq!(abc["totals"]["findings"], 5);
        let cba = merge(&[c.clone(), b.clone(), a.clone()], &names(3)).unwrap();
        assert_eq!(abc, cba);
        let ab = merge(&[a, b], &names(2)).unwrap();
        let nested = merge(&[ab, c], &names(2)).unwrap();
        assert_eq!(abc, nested);
    }

    #[test]
    fn different_keys_and_overlapping_shards_are_refused() {
        let a = inventory("k1", &[("a.csv", 1)], &[1]);
        let b = inventory("k2", &[("b.csv", 1)], &[2]);
        let err = merge(&[a.clone(), b], &names(2)).unwrap_err().to_string();
        assert!(err.contains("key"), "{err}");
        let err = merge(&[a.clone(), a], &names(2)).unwrap_err().to_string();
        assert!(err.contains("overlap"), "{err}");
    }
}
