//! No raw value leaks: every value `--reveal` shows in the fixtures is
//! absent from every report format written without `--reveal`, and from a
//! baseline file.

mod common;
use common::*;

#[test]
fn no_raw_value_appears_in_any_default_output() {
    let revealed = run(&["scan", "--format", "ndjson", "--reveal", "fixtures"]);
    let values: std::collections::BTreeSet<String> = ndjson(&revealed)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| l["value"].as_str().unwrap().to_string())
        .collect();
    assert!(
        values.len() > 50,
        "too few values to mean anything: {values:?}"
    );

    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in [
        "human",
        "json",
        "ndjson",
        "csv",
        "sarif",
        "inventory-csv",
        "html",
    ] {
        let out = run(&["scan", "--format", format, "fixtures"]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        outputs.push((format.to_string(), stdout(&out)));
        outputs.push((format!("{format} stderr"), stderr(&out)));
    }
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let out = run(&[
        "baseline",
        "create",
        "fixtures",
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    outputs.push((
        "baseline".into(),
        std::fs::read_to_string(&baseline).unwrap(),
    ));
    outputs.push(("baseline stdout".into(), stdout(&out)));

    for (name, text) in &outputs {
        for value in &values {
            assert!(
                !text.contains(value.as_str()),
                "{name} holds the raw value {value:?}"
            );
        }
    }
}
