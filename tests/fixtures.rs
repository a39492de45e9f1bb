//! The bundled fixtures against their truth file: every planted value is
//! found (same path, line and entity) and no look-alike is reported.
//! tests/data/fixture_truth.jsonl lives outside fixtures/ so scanning the
//! fixtures never sees the answers.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

struct Truth {
    path: String,
    line: u64,
    entity: String,
    value: String,
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || *c == '@')
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn load_truth() -> (Vec<Truth>, Vec<Truth>) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture_truth.jsonl"),
    )
    .unwrap();
    let mut planted = Vec::new();
    let mut lookalikes = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let path = v["path"].as_str().unwrap().to_string();
        let line = v["line"].as_u64().unwrap();
        if let Some(text) = v["lookalike"].as_str() {
            lookalikes.push(Truth {
                path,
                line,
                entity: v["not"].as_str().unwrap().to_string(),
                value: text.to_string(),
            });
        } else {
            planted.push(Truth {
                path,
                line,
                entity: v["entity"].as_str().unwrap().to_string(),
                value: v["value"].as_str().unwrap().to_string(),
            });
        }
    }
    (planted, lookalikes)
}

struct Found {
    path: String,
    line: u64,
    entity: String,
    value: String,
}

fn scan_fixtures() -> Vec<Found> {
    let out = run(&["scan", "fixtures", "--format", "ndjson", "--reveal"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| Found {
            path: l["path"].as_str().unwrap().to_string(),
            line: l["line"].as_u64().unwrap(),
            entity: l["entity"].as_str().unwrap().to_string(),
            value: l["value"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn same(t: &Truth, f: &Found) -> bool {
    t.path == f.path
        && t.entity == f.entity
        && t.line == f.line
        && normalized(&t.value) == normalized(&f.value)
}

#[test]
fn every_planted_value_is_found_and_nothing_else() {
    let (planted, _) = load_truth();
    let found = scan_fixtures();
    let missed: Vec<String> = planted
        .iter()
        .filter(|t| !found.iter().any(|f| same(t, f)))
        .map(|t| format!("{}:{} {} {:?}", t.path, t.line, t.entity, t.value))
        .collect();
    let extra: Vec<String> = found
        .iter()
        .filter(|f| !planted.iter().any(|t| same(t, f)))
        .map(|f| format!("{}:{} {} {:?}", f.path, f.line, f.entity, f.value))
        .collect();
    let mut per_entity: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for t in &planted {
        let e = per_entity.entry(t.entity.as_str()).or_default();
        e.0 += 1;
        if found.iter().any(|f| same(t, f)) {
            e.1 += 1;
        }
    }
    for f in &found {
        if !planted.iter().any(|t| same(t, f)) {
            per_entity.entry(f.entity.as_str()).or_default().2 += 1;
        }
    }
    let summary: Vec<String> = per_entity
        .iter()
        .map(|(e, (n, hit, fp))| format!("{e}: {hit}/{n} found, {fp} false"))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{}\nmissed {}:\n  {}\nreported but not planted {}:\n  {}",
        summary.join("\n"),
        missed.len(),
        missed.join("\n  "),
        extra.len(),
        extra.join("\n  ")
    );
}

#[test]
fn every_entity_occurs_in_the_fixtures() {
    let (planted, _) = load_truth();
    for entity in [
        "email",
        "phone",
        "licence_plate",
        "vin",
        "iban",
        "bsn",
        "credit_card",
        "ip_address",
        "postcode",
        "date_of_birth",
    ] {
        assert!(
            planted.iter().any(|t| t.entity == entity),
            "no {entity} planted"
        );
    }
}

#[test]
fn no_lookalike_is_reported() {
    let (_, lookalikes) = load_truth();
    let found = scan_fixtures();
    let reported: Vec<String> = lookalikes
        .iter()
        .filter(|t| {
            found.iter().any(|f| {
                f.path == t.path
                    && f.line == t.line
                    && f.entity == t.entity
                    && (normalized(&t.value).contains(&normalized(&f.value))
                        || normalized(&f.value).contains(&normalized(&t.value)))
            })
        })
        .map(|t| {
            format!(
                "{}:{} {:?} reported as {}",
                t.path, t.line, t.value, t.entity
            )
        })
        .collect();
    assert!(
        reported.is_empty(),
        "{} look-alikes reported:\n  {}",
        reported.len(),
        reported.join("\n  ")
    );
}

#[test]
fn source_files_and_binaries_have_no_findings() {
    let found = scan_fixtures();
    let bad: Vec<String> = found
        .iter()
        .filter(|f| f.path.starts_with("fixtures/src/") || f.path.starts_with("fixtures/binary/"))
        .map(|f| format!("{}:{} {} {:?}", f.path, f.line, f.entity, f.value))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_binary_fixture_is_skipped_with_its_reason() {
    let out = run(&["scan", "fixtures", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = doc["scan"]["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"] == "fixtures/binary/photo.png" && s["reason"] == "binary"),
        "{skipped:?}"
    );
}

/// The Outlook message among the fixtures is written by a helper, so what
/// it holds can be read in `tests/common/outlook.rs`; run with
/// `PIISCAN_WRITE_FIXTURES=1` to write it again after changing that.
#[test]
fn the_outlook_fixture_is_the_one_its_helper_builds() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/exports/mail/bericht_0005.msg");
    let built = outlook::workshop_appointment().build();
    assert_eq!(built, outlook::workshop_appointment().build());
    if std::env::var_os("PIISCAN_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &built).unwrap();
    }
    assert!(
        std::fs::read(&path).unwrap() == built,
        "{} is not what tests/common/outlook.rs builds",
        path.display()
    );
}
