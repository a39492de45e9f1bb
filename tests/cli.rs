//! The command line as a user runs it: output formats, exit codes, masking,
//! skipped files, atomic output.

mod common;
use common::*;
use serde_json::Value;
use std::os::unix::fs::OpenOptionsExt;

const NOTES: &[u8] = b"Klant belde over de APK.\nMail naar jan.devries@hotmail.com en cc anja.bakker@ziggo.nl\nGeen verdere info.\n";

#[test]
fn findings_exit_1_and_the_summary_names_them() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("email"), "{text}");
    assert!(text.contains("notes.txt"), "{text}");
    assert!(
        !text.contains("jan.devries@hotmail.com"),
        "value leaked: {text}"
    );
}

#[test]
fn no_findings_exit_0_and_exit_zero_overrides() {
    let dir = tree(&[("a.txt", b"nothing personal here\n")]);
    let out = run_in(dir.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No personal data found"));
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_path_is_an_error_exit_2() {
    let out = run(&["scan", "does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does/not/exist"), "{}", stderr(&out));
}

#[test]
fn unknown_entity_is_an_error_exit_2() {
    let dir = tree(&[("a.txt", b"x\n")]);
    let out = run_in(dir.path(), &["scan", "--entities", "email,shoe_size"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("shoe_size"));
}

#[test]
fn ndjson_streams_findings_then_a_summary_and_masks_values() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson", "notes.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = ndjson(&out);
    let (last, findings) = lines.split_last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["findings"], 2);
    assert_eq!(findings.len(), 2);
    let first = findings
        .iter()
        .find(|f| f["column"] == 11)
        .expect("first email at column 11");
    for key in [
        "type",
        "entity",
        "rule",
        "category",
        "path",
        "line",
        "column",
        "confidence",
        "masked",
        "fingerprint",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["entity"], "email");
    assert_eq!(first["path"], "notes.txt");
    assert_eq!(first["line"], 2);
    assert_eq!(first["masked"], "j***@h***.com");
    assert!(
        first.get("value").is_none(),
        "value present without --reveal"
    );
    assert!(!stdout(&out).contains("hotmail.com\""));
}

#[test]
fn reveal_adds_values() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson", "--reveal", "."]);
    let lines = ndjson(&out);
    let values: Vec<&str> = lines.iter().filter_map(|l| l["value"].as_str()).collect();
    assert!(values.contains(&"jan.devries@hotmail.com"), "{values:?}");
}

#[test]
fn fingerprints_are_stable_for_one_key_and_differ_between_keys() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let fp = |key: &str| -> Vec<String> {
        let out = piiscan()
            .current_dir(dir.path())
            .env("PIISCAN_KEY", key)
            .args(["scan", "--format", "ndjson"])
            .output()
            .unwrap();
        let mut v: Vec<String> = ndjson(&out)
            .iter()
            .filter_map(|l| l["fingerprint"].as_str().map(String::from))
            .collect();
        v.sort();
        v
    };
    assert_eq!(fp("one"), fp("one"));
    assert_ne!(fp("one"), fp("two"));
}

#[test]
fn json_inventory_parses_and_counts() {
    let dir = tree(&[("notes.txt", NOTES), ("sub/more.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["scan"]["files_scanned"], 2);
    assert_eq!(doc["totals"]["findings"], 4);
    assert_eq!(doc["totals"]["entities"]["email"]["count"], 4);
    // The same two addresses in two files: 2 distinct.
    assert_eq!(doc["totals"]["entities"]["email"]["distinct"], 2);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let f = &files[0];
    assert!(f["modified"].is_string() && f["size"].as_u64().unwrap() > 0);
    assert_eq!(
        f["entities"]["email"]["samples"].as_array().unwrap().len(),
        2
    );
}

#[test]
fn csv_output_has_a_header_and_one_row_per_finding() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "entity");
    assert!(!headers.iter().any(|h| h == "value"));
    let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "email");
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let mut blob = b"\x89PNG\r\n\x1a\n\0\0\0".to_vec();
    blob.extend_from_slice(b"jan.devries@hotmail.com");
    let dir = tree(&[("photo.png", &blob), ("notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["scan"]["skipped_by_reason"]["binary"], 1);
    let skipped = &doc["scan"]["skipped"][0];
    assert_eq!(skipped["path"], "photo.png");
    assert_eq!(skipped["reason"], "binary");
    assert_eq!(
        doc["totals"]["findings"], 2,
        "the binary's e-mail is not reported"
    );
    let human = stdout(&run_in(dir.path(), &["scan"]));
    assert!(
        human.contains("binary") && human.contains("photo.png"),
        "{human}"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_and_special_files_are_counted_and_the_scan_goes_on() {
    let dir = tree(&[("notes.txt", NOTES)]);
    // Root can read any mode, so make unreadability real: a link to nothing,
    // followed, and a FIFO (which must not block the scan).
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), dir.path().join("dangling.txt"))
        .unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let out = run_in(dir.path(), &["scan", "--follow", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
    let skipped = doc["scan"]["skipped"].as_array().unwrap();
    let reason_of = |name: &str| {
        skipped
            .iter()
            .find(|s| s["path"].as_str().unwrap().ends_with(name))
            .map(|s| s["reason"].as_str().unwrap().to_string())
    };
    let dangling = reason_of("dangling.txt").expect("dangling link counted");
    assert!(
        dangling == "unreadable" || dangling == "walk_error",
        "{dangling}"
    );
    if made.is_ok_and(|s| s.success()) {
        assert_eq!(reason_of("pipe").as_deref(), Some("unsupported"));
    }
    assert!(
        stderr(&out).contains("not fully scanned"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_by_default_but_counted() {
    let dir = tree(&[("notes.txt", NOTES)]);
    std::os::unix::fs::symlink(dir.path().join("notes.txt"), dir.path().join("link.txt")).unwrap();
    let out = run_in(dir.path(), &["scan", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
    assert_eq!(doc["scan"]["skipped_by_reason"]["symlink"], 1);
}

#[test]
fn max_filesize_skips_with_reason() {
    let dir = tree(&[("big.txt", NOTES), ("small.txt", b"ok\n")]);
    let out = run_in(
        dir.path(),
        &["scan", "--max-filesize", "50", "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["scan"]["skipped_by_reason"]["too_large"], 1);
    assert_eq!(doc["totals"]["findings"], 0);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_file_is_written_whole_and_the_tree_is_untouched() {
    let dir = tree(&[("data/notes.txt", NOTES)]);
    let before = listing(&dir.path().join("data"));
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("report.json");
    let out = report_of_data_to(dir.path(), &report);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
    assert_eq!(
        listing(&dir.path().join("data")),
        before,
        "the scanned tree changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

/// `piiscan scan data --format json -o target`, run in `dir`.
fn report_of_data_to(dir: &std::path::Path, target: &std::path::Path) -> std::process::Output {
    run_in(
        dir,
        &[
            "scan",
            "data",
            "--format",
            "json",
            "-o",
            target.to_str().unwrap(),
        ],
    )
}

/// `-o /dev/null` (or a named pipe) must be written, not replaced: renaming
/// the report over it turned the device into a plain file when run as root.
#[test]
fn output_to_a_named_pipe_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tree(&[("data/notes.txt", NOTES)]);
    let out_dir = tempfile::tempdir().unwrap();
    let fifo = out_dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    // A second name for the pipe, so the reader can be released whatever
    // the scan did to the first.
    let other_name = out_dir.path().join("same.pipe");
    std::fs::hard_link(&fifo, &other_name).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap_or_default())
    };
    let out = report_of_data_to(dir.path(), &fifo);
    // Opening the write end releases a reader still waiting (no-op otherwise).
    let release = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&other_name);
    drop(release);
    let received = reader.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by a {kind:?}");
    let doc: Value = serde_json::from_slice(&received).expect("the report came through the pipe");
    assert_eq!(doc["totals"]["findings"], 2);
}

/// Through a symbolic link the file it names gets the report; the link stays.
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let dir = tree(&[("data/notes.txt", NOTES)]);
    let out_dir = tempfile::tempdir().unwrap();
    let real = out_dir.path().join("real.json");
    std::fs::write(&real, b"old").unwrap();
    let link = out_dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = report_of_data_to(dir.path(), &link);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
}

#[test]
fn entities_filter_restricts_the_report() {
    let dir = tree(&[("notes.txt", NOTES)]);
    let out = run_in(
        dir.path(),
        &["scan", "--entities", "phone", "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 0);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn gitignored_files_are_skipped_unless_no_ignore() {
    let dir = tree(&[(".ignore", b"secret/\n"), ("secret/notes.txt", NOTES)]);
    let out = run_in(dir.path(), &["scan", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 0);
    let out = run_in(dir.path(), &["scan", "--no-ignore", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
}

#[test]
fn globs_include_and_exclude() {
    let dir = tree(&[("a/notes.txt", NOTES), ("b/notes.log", NOTES)]);
    let out = run_in(dir.path(), &["scan", "-g", "*.log", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["findings"], 2);
    assert_eq!(doc["files"][0]["path"], "b/notes.log");
    let out = run_in(dir.path(), &["scan", "-g", "!*.log", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"][0]["path"], "a/notes.txt");
}

#[test]
fn rules_check_passes_and_rules_list_names_every_rule() {
    let out = run(&["rules", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("0 failed"));
    let out = run(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    for entity in ["email", "phone", "licence_plate", "vin", "iban", "bsn"] {
        assert!(
            stdout(&out).contains(entity),
            "{entity} missing from rules list"
        );
    }
}

#[test]
fn rules_check_fails_on_a_broken_example() {
    let dir = tree(&[(
        "bad.toml",
        br#"[[rules]]
id = "order_number"
name = "Order number"
entity = "bsn"
category = "identity"
pattern = '''\bORD-\d{6}\b'''
examples = ["ORD-123456", "ORD-12"]
negative_examples = ["ORD-654321"]
"#,
    )]);
    let out = run_in(dir.path(), &["rules", "check", "bad.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("example not found: \"ORD-12\""), "{err}");
    assert!(
        err.contains("negative example was reported: \"ORD-654321\""),
        "{err}"
    );
}

#[test]
fn custom_rules_add_to_the_default_set() {
    let dir = tree(&[
        (
            "rules/klant.toml",
            br#"[[rules]]
id = "dealer_customer_number"
name = "Customer number"
entity = "bsn"
category = "identity"
pattern = '''\bKL-\d{6}\b'''
confidence = "low"
examples = ["klant KL-123456"]
negative_examples = ["KL-12345"]
"#,
        ),
        ("data.txt", b"klant KL-482913 belde\n"),
    ]);
    let out = run_in(
        dir.path(),
        &["scan", "data.txt", "--rules", "rules", "--format", "ndjson"],
    );
    let lines = ndjson(&out);
    assert_eq!(lines[0]["rule"], "dealer_customer_number");
    assert_eq!(lines[0]["confidence"], "low");
}

#[test]
fn inline_ignores_suppress_a_line_or_the_next() {
    let dir = tree(&[(
        "app.py",
        b"OWNER = 'jan.devries@hotmail.com'  # piiscan:ignore\n# piiscan:ignore-next-line\nSUPPORT = 'anja.bakker@ziggo.nl'\nSALES = 'kees.vos@xs4all.nl'\n",
    )]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson"]);
    let lines = ndjson(&out);
    let lines: Vec<_> = lines.iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["line"], 4);
}

#[test]
fn windows_1252_and_utf16_files_are_read_as_text() {
    // "Renée Müller;renee.mueller@hotmail.com" in Windows-1252: é = 0xE9, ü = 0xFC.
    let latin1 = b"naam;email\nRen\xE9e M\xFCller;renee.mueller@hotmail.com\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "naam,email\nJan,jan.devries@hotmail.com\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let dir = tree(&[("latin1.csv", latin1), ("utf16.csv", &utf16)]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson", "--reveal"]);
    let findings: Vec<_> = ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    let latin = findings
        .iter()
        .find(|f| f["path"] == "latin1.csv")
        .expect("latin1 finding");
    assert_eq!(latin["value"], "renee.mueller@hotmail.com");
    assert_eq!(latin["field"], "email");
    assert_eq!(latin["column"], 14, "column counted in characters");
    let wide = findings
        .iter()
        .find(|f| f["path"] == "utf16.csv")
        .expect("utf16 finding");
    assert_eq!(wide["value"], "jan.devries@hotmail.com");
    assert_eq!(wide["line"], 2);
    assert_eq!(wide["field"], "email");
}

#[test]
fn sql_dumps_and_json_exports_name_their_fields() {
    let sql = b"CREATE TABLE klanten (\n  id int,\n  email varchar(200)\n);\nINSERT INTO klanten VALUES (1,'jan.devries@hotmail.com'),(2,'anja.bakker@ziggo.nl');\n";
    let json = b"[\n  {\"klant\": {\"email\": \"jan.devries@hotmail.com\"}}\n]\n";
    let dir = tree(&[("dump.sql", sql), ("export.json", json)]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson"]);
    let fields: Vec<(String, String)> = ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("dump.sql".into(), "klanten.email".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("export.json".into(), "klant.email".into())),
        "{fields:?}"
    );
}

/// The matcher may consult a field tracker for context beyond earlier hits;
/// those earlier hits must still be named (they once came out without a field).
#[test]
fn every_finding_in_structured_exports_has_its_field() {
    for path in [
        "fixtures/exports/crm/customers.json",
        "fixtures/exports/crm/klanten.csv",
        "fixtures/exports/crm/vehicles.csv",
    ] {
        let out = run(&["scan", "--format", "ndjson", path]);
        let findings: Vec<_> = ndjson(&out)
            .into_iter()
            .filter(|v| v["type"] == "finding")
            .collect();
        assert!(!findings.is_empty(), "{path}");
        for f in &findings {
            assert!(f["field"].is_string(), "{path}: no field in {f}");
        }
    }
}

#[test]
fn older_than_scans_only_old_files() {
    let dir = tree(&[
        ("old.txt", b"jan.jansen@gmail.com\n"),
        ("new.txt", b"piet.pietersen@hotmail.com\n"),
    ]);
    let three_years = std::time::Duration::from_secs(3 * 365 * 86_400);
    let old = std::fs::File::options()
        .write(true)
        .open(dir.path().join("old.txt"))
        .unwrap();
    old.set_modified(std::time::SystemTime::now() - three_years)
        .unwrap();
    let out = run_in(
        dir.path(),
        &["scan", "--older-than", "2y", "--format", "ndjson", "."],
    );
    let paths: Vec<String> = ndjson(&out)
        .iter()
        .filter(|v| v["type"] == "finding")
        .map(|v| v["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["old.txt"]);
}

#[test]
fn every_row_of_a_table_gets_its_columns_field() {
    // Rows before a bare plate (which asks for its field to confirm it)
    // keep their fields too.
    let csv = b"customer_id,license_plate,vin\n1,GBN-38-T,WVWZZZE1ZRP012846\n2,K712ZD,WAUZZZGYZLA052871\n";
    let dir = tree(&[("vehicles.csv", csv)]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson"]);
    let findings: Vec<Value> = ndjson(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    assert_eq!(findings.len(), 4, "{findings:?}");
    for f in &findings {
        let expected = if f["entity"] == "vin" {
            "vin"
        } else {
            "license_plate"
        };
        assert_eq!(f["field"], expected, "{f}");
    }
}

/// NDJSON keeps no per-file entries (memory stays flat on large trees);
/// its totals must still be those of the full inventory.
#[test]
fn ndjson_totals_equal_the_full_inventory_totals() {
    let full = run(&["scan", "--format", "json", "fixtures"]);
    let full: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap();
    let lines = ndjson(&run(&["scan", "--format", "ndjson", "fixtures"]));
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["findings"], full["totals"]["findings"]);
    assert_eq!(summary["files_scanned"], full["scan"]["files_scanned"]);
    let entities = full["totals"]["entities"].as_object().unwrap();
    assert!(entities.len() > 5);
    assert_eq!(
        summary["entities"].as_object().unwrap().len(),
        entities.len()
    );
    for (entity, total) in entities {
        for key in ["count", "distinct", "files"] {
            assert_eq!(
                summary["entities"][entity][key], total[key],
                "{entity} {key}"
            );
        }
    }
}

/// The summary's findings, as (path, line, column, entity, shown, field).
type ListedFinding = (String, u64, u64, String, String, String);

fn summary_listing(out: &std::process::Output) -> Vec<ListedFinding> {
    let text = stdout(out);
    let Some((_, listing)) = text.split_once("\nFindings") else {
        panic!("no findings listed: {text}");
    };
    listing
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let (location, rest) = l.trim_start().split_once("  ").unwrap();
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next().unwrap().parse().unwrap();
            let line = parts.next().unwrap().parse().unwrap();
            let path = parts.next().unwrap().to_string();
            let (entity, rest) = rest.split_once(' ').unwrap();
            let (shown, field) = match rest.trim_start().split_once("  [") {
                Some((shown, field)) => (shown, field.trim_end_matches(']')),
                None => (rest.trim_start(), ""),
            };
            (
                path,
                line,
                column,
                entity.into(),
                shown.into(),
                field.into(),
            )
        })
        .collect()
}

fn ndjson_listing(out: &std::process::Output) -> Vec<ListedFinding> {
    let mut all: Vec<ListedFinding> = ndjson(out)
        .iter()
        .filter(|v| v["type"] != "summary")
        .map(|v| {
            (
                v["path"].as_str().unwrap().into(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["entity"].as_str().unwrap().into(),
                v["masked"].as_str().unwrap().into(),
                v["field"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    all.sort();
    all
}

/// Checks that `listed` are the first findings of `all` by location: each
/// one is a finding, and every finding before the last listed location is
/// listed. (Findings sharing the last location may be cut.)
fn assert_first_by_location(listed: &[ListedFinding], all: &[ListedFinding]) {
    assert_eq!(listed.len(), 20, "{listed:?}");
    for l in listed {
        assert!(all.contains(l), "listed but not found: {l:?}");
    }
    let last = listed.iter().map(|l| (&l.0, l.1, l.2)).max().unwrap();
    for f in all.iter().filter(|f| (&f.0, f.1, f.2) < last) {
        assert!(
            listed.contains(f),
            "{f:?} comes before {last:?} but is not listed"
        );
    }
}

#[test]
fn the_summary_lists_the_first_findings_of_the_whole_scan_by_location() {
    // Three files of 15 findings: the first 20 are all of a.txt and the
    // first five of b.txt, whichever thread scans which file first.
    let notes: String = (0..15)
        .map(|i| format!("regel {i}: mail klant{i}@voorbeeld.nl\n"))
        .collect();
    let dir = tree(&[
        ("b.txt", notes.as_bytes()),
        ("c.txt", notes.as_bytes()),
        ("a.txt", notes.as_bytes()),
    ]);
    for threads in ["1", "2"] {
        let summary = run_in(dir.path(), &["scan", "--threads", threads, "."]);
        let all = run_in(dir.path(), &["scan", "--format", "ndjson", "."]);
        let listed = summary_listing(&summary);
        let first: Vec<_> = ndjson_listing(&all).into_iter().take(20).collect();
        assert_eq!(listed, first, "--threads {threads}");
    }
    // The fixtures: archives, spreadsheets and cells that share a location.
    for threads in ["1", "2"] {
        let summary = run(&["scan", "--threads", threads, "fixtures"]);
        let all = run(&["scan", "--format", "ndjson", "fixtures"]);
        assert_first_by_location(&summary_listing(&summary), &ndjson_listing(&all));
    }
}

#[test]
fn a_reader_that_closes_the_output_early_stops_the_scan_quietly() {
    use std::io::{BufRead, BufReader};
    // Far more NDJSON than a pipe holds, so piiscan is still writing when
    // the reader goes away after the first line.
    let lines: String = (0..5_000)
        .map(|n| format!("klant {n}: jan.devries{n}@hotmail.com\n"))
        .collect();
    let dir = tree(&[("klanten.txt", lines.as_bytes())]);
    let mut child = piiscan()
        .current_dir(dir.path())
        .args(["scan", "--format", "ndjson", "."])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    assert!(first.contains("\"finding\""), "{first}");
    drop(out);
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(141), "{}", stderr(&done));
    assert_eq!(stderr(&done), "", "nothing said about the closed output");
}
