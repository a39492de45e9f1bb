//! CI behaviour against real git repositories built in temporary
//! directories: baselines, changed lines (`--git-diff`, `--staged`),
//! configuration and allowlists, exit codes and SARIF.

mod common;

use common::{ndjson, piiscan, run, run_in, stderr, stdout};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// A repository with one committed customer export.
fn repo() -> tempfile::TempDir {
    let dir = common::tree(&[(
        "exports/klanten.csv",
        b"naam;email;telefoon\nJan Jansen;jan.jansen@gmail.com;06-12345678\n",
    )]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first export"]);
    dir
}

fn append(dir: &Path, path: &str, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(path))
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn findings(o: &std::process::Output) -> Vec<serde_json::Value> {
    ndjson(o)
        .into_iter()
        .filter(|v| v["type"] == "finding")
        .collect()
}

/// `(path, entity)` of each finding, sorted.
fn paths_and_entities(o: &std::process::Output) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = findings(o)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["entity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn a_baseline_lets_only_new_findings_fail() {
    let dir = repo();
    let d = dir.path();
    let created = run_in(
        d,
        &["baseline", "create", "-o", ".piiscan-baseline.json", "."],
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let text = std::fs::read_to_string(d.join(".piiscan-baseline.json")).unwrap();
    assert!(!text.contains("jan.jansen"), "baseline holds a raw value");
    assert!(!text.contains("12345678"), "baseline holds a raw value");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "baseline"]);

    let clean = run_in(d, &["scan", "--baseline", ".piiscan-baseline.json", "."]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));

    // Moving the known rows down and adding a customer: only the new email fails.
    let old = std::fs::read_to_string(d.join("exports/klanten.csv")).unwrap();
    let moved = old.replacen(
        "naam;email;telefoon\n",
        "naam;email;telefoon\nPiet Pietersen;piet.pietersen@hotmail.com;\n",
        1,
    );
    std::fs::write(d.join("exports/klanten.csv"), moved).unwrap();
    git(d, &["commit", "-q", "-am", "new customer"]);
    let out = run_in(
        d,
        &[
            "scan",
            "--baseline",
            ".piiscan-baseline.json",
            "--format",
            "ndjson",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["entity"], "email");
    assert_eq!(found[0]["line"], 2);
}

#[test]
fn update_baseline_drops_findings_that_are_gone() {
    let dir = repo();
    let d = dir.path();
    run_in(d, &["baseline", "create", "."]);
    std::fs::write(d.join("exports/klanten.csv"), "naam;email\n").unwrap();
    let out = run_in(
        d,
        &[
            "scan",
            "--baseline",
            ".piiscan-baseline.json",
            "--update-baseline",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join(".piiscan-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["entries"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_baseline_made_with_another_key_is_refused() {
    let dir = repo();
    let d = dir.path();
    run_in(d, &["baseline", "create", "."]);
    let out = piiscan()
        .current_dir(d)
        .env("PIISCAN_KEY", "another key")
        .args(["scan", "--baseline", ".piiscan-baseline.json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("key"), "{}", stderr(&out));
}

#[test]
fn git_diff_reports_only_added_lines_and_follows_renames() {
    let dir = repo();
    let d = dir.path();
    git(
        d,
        &["mv", "exports/klanten.csv", "exports/klanten_2024.csv"],
    );
    append(
        d,
        "exports/klanten_2024.csv",
        "Piet;piet.pietersen@hotmail.com;\n",
    );
    std::fs::write(d.join("notes.txt"), "bel 06-87654321\n").unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "rename and add"]);
    let out = run_in(
        d,
        &["scan", "--git-diff", "HEAD~1", "--format", "ndjson", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        paths_and_entities(&out),
        vec![
            ("exports/klanten_2024.csv".to_string(), "email".to_string()),
            ("notes.txt".to_string(), "phone".to_string()),
        ]
    );

    // A deleted file is no error.
    git(d, &["rm", "-q", "notes.txt"]);
    git(d, &["commit", "-q", "-m", "remove notes"]);
    let out = run_in(d, &["scan", "--git-diff", "HEAD~1", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn git_diff_with_a_missing_revision_is_a_clear_error() {
    let dir = repo();
    let out = run_in(dir.path(), &["scan", "--git-diff", "no-such-rev", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-rev"), "{}", stderr(&out));
}

#[test]
fn git_diff_works_in_a_shallow_clone() {
    let dir = repo();
    let d = dir.path();
    append(
        d,
        "exports/klanten.csv",
        "Piet;piet.pietersen@hotmail.com;\n",
    );
    git(d, &["commit", "-q", "-am", "second"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let out = run_in(&shallow, &["scan", "--git-diff", "HEAD~1", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("HEAD~1"), "{}", stderr(&out));
    let out = run_in(&shallow, &["scan", "--git-diff", "HEAD", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn staged_scans_the_index_not_the_working_copy() {
    let dir = repo();
    let d = dir.path();
    append(
        d,
        "exports/klanten.csv",
        "Piet;piet.pietersen@hotmail.com;\n",
    );
    git(d, &["add", "exports/klanten.csv"]);
    // An unstaged edit after staging is not what would be committed.
    append(d, "exports/klanten.csv", "Kees;kees.de.vries@ziggo.nl;\n");
    let out = run_in(d, &["scan", "--staged", "--format", "ndjson", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["line"], 3);
    assert_eq!(found[0]["masked"], "p***@h***.com");

    git(d, &["commit", "-q", "-m", "staged"]);
    git(d, &["checkout", "-q", "--", "."]);
    let out = run_in(d, &["scan", "--staged", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing staged: {}",
        stdout(&out)
    );
}

/// A UTF-16 (little-endian, with its byte order mark) text: git diffs it
/// as binary.
fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// A zip holding one customer export, `klanten.csv`, of `rows`.
fn zipped_export(rows: &str) -> Vec<u8> {
    common::zip_of(&[("klanten.csv", rows.as_bytes())], common::deflated())
}

#[test]
fn staged_archives_and_binary_exports_are_scanned_whole() {
    // Git has no added lines to name in a binary file, so a pre-commit scan
    // that went by lines alone let a zipped export through unseen.
    let dir = repo();
    let d = dir.path();
    let zip = zipped_export("naam;email\nPiet;piet.pietersen@hotmail.com\n");
    std::fs::write(d.join("export.zip"), &zip).unwrap();
    std::fs::write(
        d.join("bel lijst.log.gz"),
        common::gzip_of(b"terugbellen 06-87654321\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("utf16.csv"),
        utf16("naam;iban\nKees;NL91ABNA0417164300\n"),
    )
    .unwrap();
    std::fs::write(d.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    git(d, &["add", "."]);
    // Changed again after staging: the staged archive is what is scanned.
    let unstaged = zipped_export("naam;email\nKees;kees.de.vries@ziggo.nl\n");
    std::fs::write(d.join("export.zip"), unstaged).unwrap();

    let out = run_in(d, &["scan", "--staged", "--format", "ndjson", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        paths_and_entities(&out),
        vec![
            (
                "bel lijst.log.gz!/bel lijst.log".to_string(),
                "phone".to_string()
            ),
            ("export.zip!/klanten.csv".to_string(), "email".to_string()),
            ("utf16.csv".to_string(), "iban".to_string()),
        ]
    );
    let from_index = findings(&out)
        .into_iter()
        .find(|f| f["path"] == "export.zip!/klanten.csv")
        .unwrap();
    assert_eq!(from_index["masked"], "p***@h***.com");
    assert_eq!(from_index["field"], "email");
    // The binary file that is no archive is counted, not passed over.
    let summary = ndjson(&out)
        .into_iter()
        .find(|v| v["type"] == "summary")
        .unwrap();
    assert_eq!(summary["skipped_by_reason"]["binary"], 1, "{summary}");
}

#[test]
fn git_diff_scans_a_changed_archive_whole_and_a_moved_one_not_at_all() {
    let dir = repo();
    let d = dir.path();
    let zip = zipped_export("naam;email\nPiet;piet.pietersen@hotmail.com\n");
    std::fs::create_dir(d.join("oud")).unwrap();
    std::fs::write(d.join("oud/export.zip"), &zip).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "archive"]);
    let out = run_in(
        d,
        &["scan", "--git-diff", "HEAD~1", "--format", "ndjson", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        paths_and_entities(&out),
        vec![(
            "oud/export.zip!/klanten.csv".to_string(),
            "email".to_string()
        )]
    );

    git(d, &["mv", "oud/export.zip", "export 2023.zip"]);
    git(d, &["commit", "-q", "-m", "moved"]);
    let out = run_in(
        d,
        &["scan", "--git-diff", "HEAD~1", "--format", "ndjson", "."],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn inline_ignores_work_in_any_comment_syntax() {
    let dir = common::tree(&[
        (
            "a.py",
            b"owner = 'jan.jansen@gmail.com'  # piiscan:ignore\n",
        ),
        (
            "b.sql",
            b"-- piiscan:ignore-next-line\nINSERT INTO t VALUES ('jan.jansen@gmail.com');\n",
        ),
        ("c.html", b"<!-- piiscan:ignore --> jan.jansen@gmail.com\n"),
        ("d.txt", b"jan.jansen@gmail.com\n"),
    ]);
    let out = run_in(dir.path(), &["scan", "--format", "ndjson", "."]);
    let paths: Vec<String> = findings(&out)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["d.txt"]);
}

#[test]
fn allowlists_by_path_value_pattern_and_domain() {
    let dir = common::tree(&[
        ("docs/team.md", b"mail ons: info@autobedrijf-devries.nl\n"),
        ("tests/data.txt", b"jan.jansen@gmail.com\n"),
        ("src/a.txt", b"kees@autobedrijf-devries.nl\npiet.pietersen@hotmail.com\n06-12345678\nNL91ABNA0417164300\n"),
    ]);
    let d = dir.path();
    let fp = run_in(d, &["fingerprint", "--entity", "phone", "06-12345678"]);
    assert_eq!(fp.status.code(), Some(0), "{}", stderr(&fp));
    let fingerprint = stdout(&fp).trim().to_string();
    assert!(!fingerprint.contains("12345678"));
    let key_id = stderr(&fp)
        .split('"')
        .nth(1)
        .expect("key id printed")
        .to_string();
    std::fs::write(
        d.join(".piiscan.toml"),
        format!(
            "[allowlist]\npaths = [\"tests/**\"]\nvalues = [\"{fingerprint}\"]\nkey_id = \"{key_id}\"\n\
             patterns = ['^NL91ABNA']\nemail_domains = [\"autobedrijf-devries.nl\"]\n"
        ),
    )
    .unwrap();
    let out = run_in(d, &["scan", "--format", "ndjson", "."]);
    let got: Vec<(String, String)> = findings(&out)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["entity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("src/a.txt".to_string(), "email".to_string())],
        "{}",
        stdout(&out)
    );

    // --no-config brings everything back.
    let out = run_in(d, &["scan", "--no-config", "--format", "ndjson", "."]);
    assert_eq!(findings(&out).len(), 6, "{}", stdout(&out));
}

#[test]
fn configuration_is_found_upward_and_dumped() {
    let dir = common::tree(&[
        (".piiscan.toml", b"region = \"BE\"\nfail_on = \"high\"\n\n[entities]\nip_address = false\n\n[severity]\nemail = \"low\"\n"),
        ("sub/dir/a.txt", b"jan.jansen@gmail.com\n"),
    ]);
    let d = dir.path();
    let dump = run_in(&d.join("sub/dir"), &["config", "dump", "."]);
    assert_eq!(dump.status.code(), Some(0), "{}", stderr(&dump));
    let text = stdout(&dump);
    assert!(text.contains("region = \"BE\""), "{text}");
    assert!(text.contains("fail_on = \"high\""), "{text}");
    // email is low, below fail_on = high: reported but not failing.
    let out = run_in(&d.join("sub/dir"), &["scan", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run_in(&d.join("sub/dir"), &["scan", "--fail-on", "low", "."]);
    assert_eq!(out.status.code(), Some(1));
    // A broken configuration is a usage error.
    std::fs::write(d.join(".piiscan.toml"), "fail_on = \"sometimes\"\n").unwrap();
    let out = run_in(d, &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".piiscan.toml"), "{}", stderr(&out));
}

#[test]
fn the_checked_in_config_schema_matches_the_code() {
    let out = run(&["config", "schema"]);
    let generated = stdout(&out);
    let checked_in =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("piiscan.schema.json"))
            .expect("piiscan.schema.json is checked in");
    assert_eq!(
        generated, checked_in,
        "regenerate with: cargo run -- config schema > piiscan.schema.json"
    );
}

/// Where `sarif` breaks the SARIF 2.1.0 schema.
fn sarif_schema_errors(sarif: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A result's place in a list cut to the most severe: level, then location.
fn severity_then_place(r: &serde_json::Value) -> (u8, String, u64, u64, String) {
    let level = match r["level"].as_str() {
        Some("error") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    let loc = &r["locations"][0]["physicalLocation"];
    (
        level,
        loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
        loc["region"]["startLine"].as_u64().unwrap(),
        loc["region"]["startColumn"].as_u64().unwrap(),
        r["ruleId"].as_str().unwrap().to_string(),
    )
}

#[test]
fn sarif_lists_the_most_severe_results_up_to_its_limit_and_says_so() {
    let all = run(&[
        "scan",
        "--format",
        "sarif",
        "--sarif-max-results",
        "0",
        "fixtures",
    ]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let every = all["runs"][0]["results"].as_array().unwrap().clone();
    let levels: std::collections::BTreeSet<&str> =
        every.iter().filter_map(|r| r["level"].as_str()).collect();
    assert!(levels.len() > 1, "{levels:?}");
    // The default holds every result of a scan this size.
    let default = run(&["scan", "--format", "sarif", "fixtures"]);
    let default: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(default["runs"][0]["results"], all["runs"][0]["results"]);

    // More than the errors alone, so the cut falls among the warnings.
    let errors = every.iter().filter(|r| r["level"] == "error").count();
    let limit = errors + 7;
    let out = run(&[
        "scan",
        "--format",
        "sarif",
        "--sarif-max-results",
        &limit.to_string(),
        "fixtures",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cut: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors_found = sarif_schema_errors(&cut);
    assert!(errors_found.is_empty(), "{errors_found:#?}");
    let listed = cut["runs"][0]["results"].as_array().unwrap();
    let mut wanted = every.clone();
    wanted.sort_by_key(severity_then_place);
    wanted.truncate(limit);
    // Listed in location order, as every SARIF piiscan writes.
    let place = |r: &serde_json::Value| {
        let (_, uri, line, column, rule) = severity_then_place(r);
        (uri, line, column, rule)
    };
    wanted.sort_by_key(place);
    assert_eq!(listed, &wanted);
    let left_out = (every.len() - limit) as u64;
    assert_eq!(cut["runs"][0]["properties"]["results_not_listed"], left_out);
    let notes = cut["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let note = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "results-not-listed")
        .expect("a notification of the results left out");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "{left_out} of {} results are not listed",
                every.len()
            )),
        "{note}"
    );
    assert!(
        stderr(&out).contains(&format!(
            "{left_out} of {} results not in the SARIF",
            every.len()
        )),
        "{}",
        stderr(&out)
    );
}

/// SARIF fingerprints and masks the results it keeps itself when no filter
/// reads the findings' values; with an allowlist of values every finding
/// comes from the scan fingerprinted and masked. Both give one document.
#[test]
fn sarif_fingerprints_what_it_keeps_as_the_scan_would() {
    let own = run(&["scan", "--format", "sarif", "fixtures"]);
    assert_eq!(own.status.code(), Some(1), "{}", stderr(&own));
    let fp = run(&["fingerprint", "--entity", "email", "nobody@example.invalid"]);
    assert_eq!(fp.status.code(), Some(0), "{}", stderr(&fp));
    let key_id = stderr(&fp)
        .split('"')
        .nth(1)
        .expect("key id printed")
        .to_string();
    let config = common::tree(&[(
        "allow.toml",
        format!(
            "[allowlist]\nvalues = [\"{}\"]\nkey_id = \"{key_id}\"\n",
            stdout(&fp).trim()
        )
        .as_bytes(),
    )]);
    let config = config.path().join("allow.toml");
    let scanned = run(&[
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "sarif",
        "fixtures",
    ]);
    assert_eq!(scanned.status.code(), Some(1), "{}", stderr(&scanned));
    let results = |o: &std::process::Output| -> serde_json::Value {
        let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
        sarif["runs"][0]["results"].clone()
    };
    let (own, scanned) = (results(&own), results(&scanned));
    assert!(own.as_array().is_some_and(|r| r.len() > 100), "{own}");
    // Phone numbers in every written form are among them, each
    // fingerprinted by its E.164 form.
    assert!(own.to_string().contains("\"ruleId\":\"phone\""));
    assert_eq!(own, scanned);
}

#[test]
fn sarif_from_the_fixtures_validates_against_the_schema() {
    let out = run(&["scan", "--format", "sarif", "fixtures"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let errors = sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 100, "{} results", results.len());
    for r in results {
        assert!(r["partialFingerprints"].is_object());
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("fixtures/")
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // No value in clear.
    let text = String::from_utf8_lossy(&out.stdout);
    for value in [
        "jeroen.bakker@ziggo.nl",
        "06-41827365",
        "NL82ABNA0363008004",
        "GBN38T",
    ] {
        assert!(!text.contains(value), "{value} in the SARIF output");
    }
}
