//! One large file shared by several threads (cut into pieces at line and
//! record ends, and for SQL dumps between statements, tuples or rows)
//! reports exactly what one thread reading it front to back
//! reports: the same findings in the same order with the same lines,
//! columns and fields, and the same per-column profile.

mod common;

use common::{piiscan, stderr, stdout};
use piiscan::generate::{GenerateOptions, generate};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Larger than the scanner's first chunk (4 MiB), so the rest of the file
/// is cut into pieces.
const LARGE: usize = 5 * 1024 * 1024 + 12_345;

/// Every file under `dir` whose name matches, sorted.
fn files_named(dir: &Path, matches: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    common::files_under(dir)
        .into_iter()
        .filter(|p| matches(&p.file_name().unwrap().to_string_lossy()))
        .collect()
}

/// A small generated dealer tree under `dir`, the source of the large files.
fn generated_tree(dir: &Path, seed: u64) -> PathBuf {
    let tree = dir.join("tree");
    generate(&GenerateOptions {
        out: tree.clone(),
        size: 2 * 1024 * 1024,
        seed,
        truth: None,
    })
    .expect("generate");
    tree
}

/// A generated tree's customer exports and logs made into one large CSV and
/// one large log, with what makes cutting hard: quoted cells holding line
/// ends, delimiters and escaped quotes, and suppression markers whose next
/// line may start a piece.
fn large_files(dir: &Path) {
    let tree = generated_tree(dir, 7);

    let csvs = files_named(&tree, &|n| n.starts_with("klanten_") && n.ends_with(".csv"));
    let mut header = String::new();
    let mut rows = Vec::new();
    // Some exports are Windows-1252: the large file is UTF-8 only.
    for text in csvs.iter().filter_map(|p| std::fs::read_to_string(p).ok()) {
        let mut lines = text.lines();
        header = lines.next().unwrap().to_string();
        rows.extend(lines.map(str::to_string));
    }
    assert!(rows.len() > 1000, "{} rows", rows.len());
    let mut csv = header + "\n";
    let mut n = 0usize;
    while csv.len() < LARGE {
        let row = &rows[n % rows.len()];
        csv.push_str(row);
        if n.is_multiple_of(2) {
            // A note over three lines, one holding an e-mail address, in
            // every other row: many line ends sit inside quotes.
            csv.push_str(";\"zegt \"\"bel mij\"\";\nmail naar q.de.vries@example.nl\nok\"");
        }
        csv.push('\n');
        n += 1;
    }
    std::fs::write(dir.join("scan/klanten.csv"), &csv).unwrap();

    let logs = files_named(&tree, &|n| n.ends_with(".log"));
    let lines: Vec<String> = logs
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|text| text.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut log = String::new();
    let mut n = 0usize;
    while log.len() < LARGE {
        if n.is_multiple_of(211) {
            log.push_str("// piiscan:ignore-next-line\n");
        }
        log.push_str(&lines[n % lines.len()]);
        log.push('\n');
        n += 1;
    }
    std::fs::write(dir.join("scan/app.log"), &log).unwrap();
}

/// `piiscan scan --exit-zero ARGS scan` in `dir`, which must succeed.
fn scan_with(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = piiscan()
        .current_dir(dir)
        .args(["scan", "--exit-zero"])
        .args(args)
        .arg("scan")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// Findings per file in the order reported, and the summary without
/// timings, of an NDJSON scan with `--threads`.
fn ndjson_scan(dir: &Path, threads: &str) -> (BTreeMap<String, Vec<Value>>, Value) {
    let out = scan_with(
        dir,
        &["--reveal", "--format", "ndjson", "--threads", threads],
    );
    let mut per_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut summary = Value::Null;
    for line in stdout(&out).lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["type"] == "summary" {
            v.as_object_mut().unwrap().remove("duration_secs");
            summary = v;
        } else {
            let path = v["path"].as_str().unwrap_or("").to_string();
            per_file.entry(path).or_default().push(v);
        }
    }
    (per_file, summary)
}

/// The JSON inventory of a scan with `--threads`, without timings.
fn json_scan(dir: &Path, threads: &str) -> Value {
    let out = scan_with(dir, &["--format", "json", "--threads", threads]);
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    strip_timings(&mut v);
    v
}

fn strip_timings(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !matches!(k.as_str(), "duration_secs" | "started_at"));
            map.values_mut().for_each(strip_timings);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

/// A temporary directory with an empty `scan/` for the large files.
fn work_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scan")).unwrap();
    dir
}

fn assert_same_scans(dir: &Path) {
    let (one, one_summary) = ndjson_scan(dir, "1");
    let (many, many_summary) = ndjson_scan(dir, "4");
    assert!(!one.is_empty());
    for (path, findings) in &one {
        let other = &many[path];
        assert_eq!(findings.len(), other.len(), "{path}");
        for (a, b) in findings.iter().zip(other) {
            assert_eq!(a, b, "{path}");
        }
    }
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        many.keys().collect::<Vec<_>>()
    );
    assert_eq!(one_summary, many_summary);
    assert_eq!(json_scan(dir, "1"), json_scan(dir, "4"));
}

#[test]
fn a_large_table_and_log_shared_by_threads_report_what_one_thread_does() {
    let dir = work_dir();
    large_files(dir.path());
    assert_same_scans(dir.path());
    // The table's rows are counted once each: a row ends at a line end
    // outside quotes (the generated notes and the added ones span lines).
    let inventory = json_scan(dir.path(), "4");
    let csv = std::fs::read(dir.path().join("scan/klanten.csv")).unwrap();
    let mut in_quotes = false;
    let mut record_ends = 0;
    for &b in &csv {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => record_ends += 1,
            _ => {}
        }
    }
    let rows = record_ends - 1;
    let file = inventory["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("klanten.csv"))
        .unwrap();
    assert_eq!(file["rows"].as_u64(), Some(rows as u64));
}

/// A generated tree's event streams made into one large NDJSON file and
/// its customer exports into one large JSON array of records (pretty
/// printed, so most line ends are inside records), with strings holding
/// brackets, escaped quotes and backslashes.
fn large_json_files(dir: &Path) {
    let tree = generated_tree(dir, 11);
    // Closing brackets only: a cutter that took them for structure would
    // cut inside records.
    let tricky = "zegt \"}]\" \\ bel q.de.vries@example.nl";
    let events: Vec<Value> = files_named(&tree, &|n| n.ends_with(".ndjson"))
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect::<Vec<Value>>()
        })
        .collect();
    assert!(events.len() > 100, "{} events", events.len());
    let mut ndjson = String::new();
    let mut n = 0usize;
    while ndjson.len() < LARGE {
        let mut event = events[n % events.len()].clone();
        if n.is_multiple_of(3) {
            event["note"] = Value::from(tricky);
        }
        ndjson.push_str(&event.to_string());
        ndjson.push('\n');
        n += 1;
    }
    std::fs::write(dir.join("scan/events.ndjson"), ndjson).unwrap();

    let records: Vec<Value> = files_named(&tree, &|n| {
        n.starts_with("klanten_") && n.ends_with(".json")
    })
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|text| serde_json::from_str::<Vec<Value>>(&text).ok())
    .flatten()
    .collect();
    assert!(records.len() > 100, "{} records", records.len());
    let mut all = Vec::new();
    let mut size = 0;
    let mut n = 0usize;
    while size < LARGE {
        let mut record = records[n % records.len()].clone();
        if n.is_multiple_of(2) {
            record["notitie"] = Value::from(tricky);
        }
        size += serde_json::to_string_pretty(&record).unwrap().len();
        all.push(record);
        n += 1;
    }
    let array = serde_json::to_string_pretty(&Value::Array(all)).unwrap();
    std::fs::write(dir.join("scan/klanten.json"), array).unwrap();
}

#[test]
fn large_json_documents_shared_by_threads_report_what_one_thread_does() {
    let dir = work_dir();
    large_json_files(dir.path());
    assert_same_scans(dir.path());
}

/// A quote that is never closed turns the rest of the table into one
/// record: no record end is left to cut at, and the rest is read by one
/// thread, still with the same result.
#[test]
fn a_table_with_an_unclosed_quote_is_read_on_by_one_thread() {
    let dir = work_dir();
    large_files(dir.path());
    let path = dir.path().join("scan/klanten.csv");
    let mut csv = std::fs::read_to_string(&path).unwrap();
    let at = csv[4_500_000..].find('\n').unwrap() + 4_500_001;
    csv.insert_str(at, "999;\"open quote\n");
    std::fs::write(&path, csv).unwrap();
    std::fs::remove_file(dir.path().join("scan/app.log")).unwrap();
    assert_same_scans(dir.path());
}

/// A generated tree's dumps made into one large mysqldump and one large
/// pg_dump, with what makes cutting a dump hard: strings holding line ends,
/// quotes, semicolons and a backslash before the line end, statements whose
/// header spans lines, tuples one per line, and tables known only from
/// their CREATE TABLE.
fn large_sql_dumps(dir: &Path) {
    let tree = generated_tree(dir, 13);
    let read = |matches: &dyn Fn(&str) -> bool| -> String {
        files_named(&tree, matches)
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    };
    let mysql = read(&|n| n.starts_with("dealer_crm") && n.ends_with(".sql"));
    let inserts: Vec<&str> = mysql
        .lines()
        .filter(|l| l.starts_with("INSERT INTO"))
        .collect();
    assert!(
        !inserts.is_empty(),
        "no INSERT lines in {} bytes",
        mysql.len()
    );
    let mut dump = mysql.clone();
    let mut n = 0usize;
    while dump.len() < LARGE {
        dump.push_str(inserts[n % inserts.len()]);
        dump.push('\n');
        match n % 3 {
            0 => {
                // Notes of many lines, each its own: most line ends of the
                // dump are inside a string.
                dump.push_str("INSERT INTO `notities` VALUES ");
                for row in 0..40 {
                    let sep = if row == 0 { "" } else { ",\n" };
                    dump.push_str(&format!(
                        "{sep}({row},'notitie\nbel 06-12345678;\n''quote'' \\\nq.de.vries@example.nl\nregel\nregel')"
                    ));
                }
                dump.push_str(";\n");
            }
            1 => dump.push_str(
                "INSERT INTO klanten\n  (id, naam, email)\nVALUES\n  (7, 'Jan', 'jan.devries@hotmail.com'),\n  (8, 'Piet', 'piet@kpn.nl');\n",
            ),
            _ => dump.push_str(
                "CREATE TABLE `notities` (\n  `id` int,\n  `opmerkingen` text\n);\n-- bel 06-87654321\n",
            ),
        }
        n += 1;
    }
    std::fs::write(dir.join("scan/dealer_crm.sql"), &dump).unwrap();

    let pg = read(&|n| n.starts_with("werkplaats_pg") && n.ends_with(".sql"));
    assert!(pg.contains("COPY "), "no COPY block in {} bytes", pg.len());
    let mut dump = String::new();
    while dump.len() < LARGE {
        dump.push_str(&pg);
    }
    std::fs::write(dir.join("scan/werkplaats.sql"), &dump).unwrap();
}

#[test]
fn large_sql_dumps_shared_by_threads_report_what_one_thread_does() {
    let dir = work_dir();
    large_sql_dumps(dir.path());
    assert_same_scans(dir.path());
    // Every table's columns are profiled and named from the dump.
    let inventory = json_scan(dir.path(), "4");
    let text = inventory.to_string();
    for field in ["notities.opmerkingen", "klanten.email"] {
        assert!(text.contains(field), "{field} not in the inventory");
    }
}
