//! Scanning in shards: `--shard K/N` covers every file exactly once,
//! `--files-from` scans exactly the listed files, and `piiscan merge` of the
//! shards' inventories equals the inventory of a single run.

mod common;

use common::{piiscan, run, stderr};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;

/// The inventory without what legitimately differs between runs: timings.
fn without_timings(mut doc: Value) -> Value {
    let scan = doc["scan"].as_object_mut().unwrap();
    scan.remove("started_at");
    scan.remove("duration_secs");
    doc
}

fn inventory(args: &[&str]) -> Value {
    let mut all = vec!["scan", "--format", "json", "--exit-zero"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn scanned_paths(doc: &Value) -> BTreeSet<String> {
    let mut paths: BTreeSet<String> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    for s in doc["scan"]["skipped"].as_array().unwrap() {
        paths.insert(s["path"].as_str().unwrap().to_string());
    }
    paths
}

#[test]
fn shards_cover_every_file_once_and_merge_to_the_single_run() {
    let single = inventory(&["fixtures"]);
    let dir = tempfile::tempdir().unwrap();
    let mut shard_files = Vec::new();
    let mut scanned = 0;
    let mut seen = BTreeSet::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let doc = inventory(&["--shard", &shard, "fixtures"]);
        scanned += doc["scan"]["files_scanned"].as_u64().unwrap();
        for p in scanned_paths(&doc) {
            assert!(seen.insert(p.clone()), "{p} in two shards");
        }
        let path = dir.path().join(format!("shard{k}.json"));
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        shard_files.push(path);
    }
    assert_eq!(scanned, single["scan"]["files_scanned"].as_u64().unwrap());
    assert_eq!(seen, scanned_paths(&single));

    let merged_path = dir.path().join("merged.json");
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(shard_files.iter().rev().map(|p| p.display().to_string()));
    args.extend(["-o".into(), merged_path.display().to_string()]);
    let out = piiscan().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let merged: Value = serde_json::from_slice(&std::fs::read(&merged_path).unwrap()).unwrap();
    assert_eq!(without_timings(merged), without_timings(single));
}

#[test]
fn merge_refuses_inventories_of_another_schema_version() {
    // Version 1 inventories counted distinct values with other bits: a
    // union with them would count every value twice.
    let dir = tempfile::tempdir().unwrap();
    let current = inventory(&["--shard", "0/2", "fixtures"]);
    let mut older = inventory(&["--shard", "1/2", "fixtures"]);
    older["schema_version"] = 1.into();
    let mut paths = Vec::new();
    for (name, doc) in [("current.json", &current), ("older.json", &older)] {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
        paths.push(path.display().to_string());
    }
    let out = piiscan().arg("merge").args(&paths).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("older.json: schema_version 1 is not 2"),
        "{}",
        stderr(&out)
    );
    let out = piiscan().arg("merge").arg(&paths[0]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn merge_refuses_inventories_made_with_different_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (k, key) in ["one key", "another key"].iter().enumerate() {
        let shard = format!("{k}/2");
        let out = piiscan()
            .env("PIISCAN_KEY", key)
            .args([
                "scan",
                "--format",
                "json",
                "--exit-zero",
                "--shard",
                &shard,
                "fixtures",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let path = dir.path().join(format!("s{k}.json"));
        std::fs::write(&path, &out.stdout).unwrap();
        paths.push(path.display().to_string());
    }
    let out = piiscan().arg("merge").args(&paths).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("key"), "{}", stderr(&out));
}

#[test]
fn files_from_scans_exactly_the_listed_files() {
    for null in [false, true] {
        let list = [
            "fixtures/exports/crm/klanten.csv",
            "fixtures/logs/app.log",
            "fixtures/no/such/file.txt",
        ];
        let sep = if null { "\0" } else { "\n" };
        let mut cmd = piiscan();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "scan",
            "--format",
            "json",
            "--exit-zero",
            "--files-from",
            "-",
        ]);
        if null {
            cmd.arg("-0");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(list.join(sep).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["scan"]["files_scanned"], 2);
        let files: Vec<&str> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            files,
            vec!["fixtures/exports/crm/klanten.csv", "fixtures/logs/app.log"]
        );
        // A listed path that is not there is counted, not silently dropped.
        assert_eq!(
            doc["scan"]["skipped"][0]["path"],
            "fixtures/no/such/file.txt"
        );
    }
}

#[test]
fn overdue_locations_survive_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[retention]\n[retention.categories]\ncontact = \"2y\"\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let single = inventory(&["--config", policy, "fixtures"]);
    assert!(
        !single["retention"]["overdue"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let mut paths = Vec::new();
    for k in 0..2 {
        let shard = format!("{k}/2");
        let doc = inventory(&["--config", policy, "--shard", &shard, "fixtures"]);
        let path = dir.path().join(format!("s{k}.json"));
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        paths.push(path.display().to_string());
    }
    let out = piiscan().arg("merge").args(&paths).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["retention"], single["retention"]);
}
