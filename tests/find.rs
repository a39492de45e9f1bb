//! `piiscan find`: one customer's identifiers, given in other written forms
//! than the files use, are found in the CSV export, the JSON export, the SQL
//! dump and a mail.

mod common;

use common::{ndjson, run, stderr, stdout};
use std::collections::BTreeSet;

fn locations(o: &std::process::Output) -> Vec<serde_json::Value> {
    ndjson(o)
        .into_iter()
        .filter(|v| v["type"] == "location")
        .collect()
}

#[test]
fn a_customer_is_found_in_every_export_in_any_written_form() {
    // The files write 06 28 47 19 36, +31 6 ..., HX482B, HX-482-B, lower case.
    let out = run(&[
        "find",
        "--format",
        "ndjson",
        "--email",
        "P.VanDijk@KPN.nl",
        "--phone",
        "+31628471936",
        "--plate",
        "hx-482-b",
        "fixtures",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = locations(&out);
    let files: BTreeSet<&str> = found.iter().map(|l| l["path"].as_str().unwrap()).collect();
    for expected in [
        "fixtures/exports/crm/klanten.csv",
        "fixtures/exports/crm/customers.json",
        "fixtures/exports/db/dealer_mysql.sql",
        "fixtures/exports/mail/bericht_0001.txt",
    ] {
        assert!(files.contains(expected), "{expected} not in {files:?}");
    }
    let in_csv: BTreeSet<&str> = found
        .iter()
        .filter(|l| l["path"] == "fixtures/exports/crm/klanten.csv")
        .map(|l| l["entity"].as_str().unwrap())
        .collect();
    assert_eq!(in_csv, BTreeSet::from(["email", "licence_plate", "phone"]));
    // Nobody else: every location is this customer's.
    for l in &found {
        assert!(l["masked"].as_str().unwrap().contains('*'), "{l}");
        assert!(l.get("value").is_none(), "value without --reveal");
    }
    let text = stdout(&out);
    assert!(!text.contains("vandijk"), "a raw value in the output");
}

#[test]
fn not_found_exits_1_and_nothing_to_find_is_an_error() {
    let out = run(&["find", "--email", "nobody@nowhere-dealer.nl", "fixtures"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["find", "fixtures"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn subjects_file_reports_per_person() {
    let dir = common::tree(&[(
        "subjects.csv",
        b"klantnummer;email;telefoon;kenteken\n100233;p.vandijk@kpn.nl;06 28 47 19 36;HX482B\n100231;jeroen.bakker@ziggo.nl;;\n100999;nobody@nowhere-dealer.nl;;\n",
    )]);
    let list = dir.path().join("subjects.csv");
    let out = run(&[
        "find",
        "--format",
        "ndjson",
        "--subjects",
        list.to_str().unwrap(),
        "fixtures",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = locations(&out);
    let subjects: BTreeSet<&str> = found
        .iter()
        .map(|l| l["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        BTreeSet::from(["row 2 (100233)", "row 3 (100231)"])
    );
    let human = run(&["find", "--subjects", list.to_str().unwrap(), "fixtures"]);
    assert!(
        stdout(&human).contains("row 4 (100999): 0 locations"),
        "{}",
        stdout(&human)
    );
}
