//! The default rule set: every example holds, and every rule file in rules/
//! is embedded in the binary.

use piiscan::rules::{DEFAULT_RULE_FILES, default_rules};
use piiscan::rules_check::check_rules;

#[test]
fn every_default_rule_example_holds() {
    let rules = default_rules().expect("default rules parse");
    let (failures, checked) = check_rules(&rules, "NL").expect("rules compile");
    assert!(checked >= rules.len() * 2, "each rule has examples");
    let report: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(
        report.is_empty(),
        "{} failures:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn every_rule_file_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| format!("rules/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = DEFAULT_RULE_FILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn rule_ids_are_unique_and_cover_every_entity() {
    let rules = default_rules().unwrap();
    piiscan::rules::check_unique_ids(&rules).unwrap();
    for entity in piiscan::finding::Entity::ALL {
        if entity.is_header_only() {
            continue;
        }
        assert!(
            rules.iter().any(|r| r.entity == entity),
            "no rule for {entity}"
        );
    }
}
