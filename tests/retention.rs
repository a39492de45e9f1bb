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

#[test]
fn a_message_is_judged_by_when_it_was_written_and_says_so() {
    // Exported today (the file's time), written years ago (its Date header).
    let message = b"From: Jan Jansen <jan.jansen@gmail.com>\r\n\
        To: verkoop@autohuis-demo.nl\r\n\
        Subject: proefrit\r\n\
        Date: Tue, 14 Sep 2021 10:12:00 +0200\r\n\
        \r\n\
        Bel me op 06-12345678.\r\n";
    let fresh = b"From: Piet <piet.pietersen@hotmail.com>\r\n\r\nhallo\r\n";
    let dir = tree(&[
        ("mail/oud.eml", &message[..]),
        ("mail/zonder_datum.eml", &fresh[..]),
        (".piiscan.toml", POLICY.as_bytes()),
    ]);
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no file {path} in {doc}"))
            .clone()
    };
    let body = file("mail/oud.eml!/body");
    assert_eq!(body["modified"], "2021-09-14T08:12:00Z");
    assert_eq!(body["dated_by"], "message");
    // Without a Date header a part is as old as its file, and says nothing.
    let undated = file("mail/zonder_datum.eml!/headers");
    assert!(undated.get("dated_by").is_none(), "{undated}");
    let overdue = doc["retention"]["overdue"].as_array().unwrap();
    let phone = overdue
        .iter()
        .find(|o| o["path"] == "mail/oud.eml!/body" && o["entity"] == "phone")
        .unwrap_or_else(|| panic!("the old message's phone number is overdue: {overdue:?}"));
    assert_eq!(phone["basis"], "message");
    let evidence = phone["evidence"].as_str().unwrap();
    assert!(
        evidence.starts_with("message written 2021-09-14, "),
        "{evidence}"
    );
    assert!(
        !overdue
            .iter()
            .any(|o| o["path"].as_str().unwrap().starts_with("mail/zonder_datum")),
        "{overdue:?}"
    );
    let human = stdout(&run_in(dir.path(), &["scan", "."]));
    assert!(human.contains("message written 2021-09-14"), "{human}");
    // The data map says which ages are a message's.
    let html = stdout(&run_in(dir.path(), &["scan", "--format", "html", "."]));
    assert!(
        html.contains(r#"title="since the e-mail message was written""#),
        "no message age marked in the HTML report"
    );
}
