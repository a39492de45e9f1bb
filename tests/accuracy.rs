//! Measured accuracy on a generated tree: per-entity precision and recall
//! against the truth file `piiscan generate` writes, no look-alike reported,
//! and generation that is deterministic per seed.

mod common;

use piiscan::accuracy::{Observed, evaluate, load_truth};
use piiscan::generate::{GenerateOptions, generate};
use piiscan::redact::FingerprintKey;
use piiscan::scan::ScanSettings;
use piiscan::walk::{Counters, FindingFlow, WalkOptions};
use piiscan::{ScanRequest, run_scan};
use std::collections::BTreeMap;
use std::path::Path;

const MIN_PRECISION: f64 = 0.99;
const MIN_RECALL: f64 = 0.98;

fn gen_tree(dir: &Path, size: u64, seed: u64) {
    generate(&GenerateOptions {
        out: dir.join("tree"),
        size,
        seed,
        truth: None,
    })
    .expect("generate");
}

/// Every file under `dir` (relative path) with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn generated_tree_meets_the_accuracy_targets() {
    let tmp = tempfile::tempdir().unwrap();
    gen_tree(tmp.path(), 3 << 20, 7);
    let tree = tmp.path().join("tree");
    let truth = load_truth(&tmp.path().join("tree.truth.jsonl")).unwrap();
    // The answers are next to the tree, not in it.
    assert!(
        !contents(&tree)
            .keys()
            .any(|p| p.ends_with(".jsonl") && p.contains("truth"))
    );

    let request = ScanRequest {
        roots: vec![tree.clone()],
        walk: WalkOptions {
            findings: FindingFlow::All,
            ..WalkOptions::default()
        },
        settings: ScanSettings::default(),
        rules: piiscan::rules::default_rules().unwrap(),
        entities: None,
        region: "NL".into(),
        key: FingerprintKey::from_secret(b"accuracy test", "test"),
        file_entries: piiscan::inventory::FileKeeping::Nothing,
        retention: None,
    };
    let root = piiscan::walk::display_path(&tree);
    let mut found = Vec::new();
    run_scan(request, &Counters::default(), &mut |f| {
        found.push(Observed::from_finding(f, &root, "NL"));
        Ok(())
    })
    .unwrap();
    let report = evaluate(&truth, &found, "NL");

    let table: Vec<String> = report
        .entities
        .iter()
        .map(|e| {
            format!(
                "{:<14} planted {:>6} tp {:>6} fp {:>4} fn {:>4} precision {:.4} recall {:.4}",
                e.entity,
                e.planted,
                e.true_positives,
                e.false_positives,
                e.false_negatives,
                e.precision,
                e.recall
            )
        })
        .collect();
    let examples: Vec<String> = report
        .missed_examples
        .iter()
        .map(|m| format!("missed {}:{} {} {}", m.path, m.line, m.entity, m.masked))
        .chain(report.false_positive_examples.iter().map(|m| {
            format!(
                "false positive {}:{} {} {}",
                m.path, m.line, m.entity, m.masked
            )
        }))
        .collect();
    let context = format!("{}\n{}", table.join("\n"), examples.join("\n"));

    // Every entity is planted, so none can pass by being absent.
    for entity in piiscan::finding::Entity::ALL {
        if entity.is_header_only() {
            continue; // a property of columns, not a finding
        }
        assert!(
            report
                .entities
                .iter()
                .any(|e| e.entity == entity.as_str() && e.planted > 0),
            "{entity} not planted\n{context}"
        );
    }
    for e in &report.entities {
        assert!(
            e.precision >= MIN_PRECISION,
            "{} precision\n{context}",
            e.entity
        );
        assert!(e.recall >= MIN_RECALL, "{} recall\n{context}", e.entity);
    }
    assert!(report.lookalikes_planted > 0);
    assert_eq!(report.lookalikes_reported, 0, "{context}");

    // The formats that hold a small share of the tree, each whole: a miss
    // there would hardly move the totals above.
    for file in [
        "exports/mail/postvak_2024.zip!/",
        "exports/mail/thunderbird/Inbox!/",
        "exports/documenten/werkplaatsnotities_2023.rtf",
        "exports/bank/incasso_2024.xml",
        "exports/crm/proefritten_excel.txt",
    ] {
        let truth: Vec<_> = truth
            .iter()
            .filter(|t| t.path.starts_with(file))
            .cloned()
            .collect();
        let found: Vec<_> = found
            .iter()
            .filter(|f| f.path.starts_with(file))
            .cloned()
            .collect();
        let report = evaluate(&truth, &found, "NL");
        assert!(
            report.planted_total > 20,
            "{file}: {}",
            report.planted_total
        );
        for e in &report.entities {
            assert_eq!(
                (e.false_negatives, e.false_positives),
                (0, 0),
                "{file} {}: {:?} {:?}",
                e.entity,
                report.missed_examples,
                report.false_positive_examples
            );
        }
        assert_eq!(report.lookalikes_reported, 0, "{file}");
    }
}

#[test]
fn the_generated_payment_file_is_named_by_its_elements() {
    let tmp = tempfile::tempdir().unwrap();
    gen_tree(tmp.path(), 3 << 20, 7);
    let file = tmp.path().join("tree/exports/bank/incasso_2024.xml");
    let file = file.to_str().unwrap();
    let out = common::run(&["scan", "--format", "ndjson", "--exit-zero", file]);
    let findings: Vec<serde_json::Value> = common::ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    assert!(findings.len() > 50, "{} findings", findings.len());
    // Every planted value sits in an element that names it.
    for f in &findings {
        let field = f["field"].as_str().unwrap_or("");
        let element = field.rsplit('/').next().unwrap_or("");
        assert!(
            ["IBAN", "AdrLine", "BirthDt", "EmailAdr", "PhneNb", "Ustrd"].contains(&element)
                && field.starts_with("Document/CstmrDrctDbtInitn/PmtInf/"),
            "{f}"
        );
    }
    // Names and addresses, which no rule finds, are in the inventory by
    // their element names.
    let out = common::run(&["scan", "--format", "json", "--exit-zero", file]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdict = |name: &str| {
        doc["files"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["verdict"]["entity"].clone())
    };
    let debtor = "Document/CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/Dbtr";
    assert_eq!(verdict(&format!("{debtor}/Nm")), Some("person_name".into()));
    assert_eq!(
        verdict(&format!("{debtor}/PstlAdr/AdrLine")),
        Some("address".into())
    );
}

#[test]
fn generation_is_deterministic_per_seed() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    gen_tree(a.path(), 1 << 20, 3);
    gen_tree(b.path(), 1 << 20, 3);
    gen_tree(c.path(), 1 << 20, 4);
    let (ta, tb, tc) = (contents(a.path()), contents(b.path()), contents(c.path()));
    assert!(ta.len() > 10);
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(tb[path] == *bytes, "{path} differs between two runs");
    }
    // Same layout, other contents.
    assert_eq!(ta.keys().collect::<Vec<_>>(), tc.keys().collect::<Vec<_>>());
    assert_ne!(ta, tc);
}

#[test]
fn generate_refuses_a_non_empty_directory_and_a_truth_file_inside_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x"), "x").unwrap();
    let err = generate(&GenerateOptions {
        out: tmp.path().to_path_buf(),
        size: 1 << 16,
        seed: 1,
        truth: Some(tmp.path().with_extension("truth.jsonl")),
    });
    assert!(err.is_err());
    let err = generate(&GenerateOptions {
        out: tmp.path().join("new"),
        size: 1 << 16,
        seed: 1,
        truth: Some(tmp.path().join("new/truth.jsonl")),
    });
    assert!(err.is_err());
}
