//! Retention: record dates per date-like column, policies from
//! `.piiscan.toml`, and the locations past them.

mod common;

use common::{run, run_in, stderr, stdout, tree};
use serde_json::Value;

const POLICY: &str =
    "[retention]\ndefault = \"5y\"\n[retention.categories]\ncontact = \"2y\"\nfinancial = \"7y\"\n";

fn config() -> tempfile::TempDir {
    tree(&[("policy.toml", POLICY.as_bytes())])
}

#[test]
fn record_dates_make_a_crm_export_overdue() {
    let cfg = config();
    let policy = cfg.path().join("policy.toml");
    let out = run(&[
        "scan",
        "--format",
        "json",
        "--config",
        policy.to_str().unwrap(),
        "fixtures/exports/crm/klanten.csv",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let created = doc["files"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "aanmaakdatum")
        .unwrap();
    assert_eq!(created["oldest_date"], "2023-01-03");
    assert_eq!(created["newest_date"], "2023-11-14");
    let overdue = doc["retention"]["overdue"].as_array().unwrap();
    let email = overdue
        .iter()
        .find(|o| o["entity"] == "email")
        .expect("email overdue");
    assert_eq!(email["basis"], "records");
    assert_eq!(email["max_age_days"], 730);
    assert!(email["policy"].as_str().unwrap().contains("contact"));
    // IBANs keep 7 years: not yet overdue.
    assert!(!overdue.iter().any(|o| o["entity"] == "iban"));
    // Names and addresses are contact data too.
    assert!(overdue.iter().any(|o| o["entity"] == "person_name"));
}

#[test]
fn old_files_without_dates_are_judged_by_their_age() {
    let dir = tree(&[
        ("oud/bericht.txt", b"mail jan.jansen@gmail.com\n"),
        ("nieuw/bericht.txt", b"mail piet.pietersen@hotmail.com\n"),
        (".piiscan.toml", POLICY.as_bytes()),
    ]);
    let old = std::fs::File::options()
        .write(true)
        .open(dir.path().join("oud/bericht.txt"))
        .unwrap();
    old.set_modified(
        std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 365 * 86_400),
    )
    .unwrap();
    let out = run_in(dir.path(), &["scan", "--format", "inventory-csv", "."]);
    let text = stdout(&out);
    let row = |path: &str| {
        text.lines()
            .find(|l| l.starts_with(path))
            .unwrap_or_else(|| panic!("no row for {path} in {text}"))
            .to_string()
    };
    assert!(
        row("oud/bericht.txt").contains("yes: 2y for contact data"),
        "{text}"
    );
    assert!(row("nieuw/bericht.txt").ends_with(",no"), "{text}");
    let human = stdout(&run_in(dir.path(), &["scan", "."]));
    assert!(
        human.contains("Past retention policy: 1 locations"),
        "{human}"
    );
    assert!(human.contains("oud/bericht.txt"), "{human}");
}

#[test]
fn a_bad_policy_is_a_configuration_error() {
    let dir = tree(&[
        (".piiscan.toml", b"[retention]\ndefault = \"forever\"\n"),
        ("a.txt", b"x\n"),
    ]);
    let out = run_in(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("retention.default"),
        "{}",
        stderr(&out)
    );
}
