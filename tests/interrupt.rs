//! Ctrl-C: a scan stops within seconds with exit status 130, and a report
//! file given with `-o` is either left as it was or replaced by a complete,
//! parseable report marked incomplete, never torn.

#![cfg(unix)]

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const PREVIOUS: &[u8] = b"the previous report\n";

/// How long after its start a scan of `tree` is well under way: a third of
/// the time a whole scan takes here (a debug build scans this tree twenty
/// times slower than a release build, and a loaded machine slower still).
fn while_under_way(tree: &Path) -> Duration {
    let started = Instant::now();
    let out = piiscan()
        .arg("scan")
        .arg(tree)
        .args(["--format", "json", "-q"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    (started.elapsed() / 3).max(Duration::from_millis(30))
}

/// Starts `piiscan scan TREE ARGS -o REPORT`, interrupts it `after` its
/// start, and returns its exit status and stderr.
fn interrupt_scan(
    tree: &Path,
    report: &Path,
    args: &[&str],
    after: Duration,
) -> (ExitStatus, String) {
    let mut scan = piiscan();
    scan.arg("scan").arg(tree).args(args).arg("-o").arg(report);
    interrupt(scan, report, 1, after)
}

/// Runs `command`, which writes `output` (first set to [`PREVIOUS`]), and
/// interrupts it `after` its start. A run that finished first, with exit
/// status `finished` (the machine was quicker than measured), is started
/// again with half the delay, up to four times.
fn interrupt(
    mut command: Command,
    output: &Path,
    finished: i32,
    after: Duration,
) -> (ExitStatus, String) {
    let mut after = after;
    for _ in 0..4 {
        let (status, err) = interrupt_once(&mut command, output, after);
        if status.code() != Some(finished) {
            return (status, err);
        }
        after /= 2;
    }
    panic!("every run finished before it was interrupted");
}

fn interrupt_once(command: &mut Command, output: &Path, after: Duration) -> (ExitStatus, String) {
    std::fs::write(output, PREVIOUS).unwrap();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("piiscan runs");
    std::thread::sleep(after);
    // SAFETY: kill only sends a signal to the child we started.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("piiscan still running 20 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    (status, err)
}

/// No temporary files left beside the report.
fn assert_no_leftovers(dir: &Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".piiscan-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn sigint_stops_the_scan_and_never_tears_the_report() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    // 8 MiB rather than 64: the scanner checks for Ctrl-C between 4 MiB
    // chunks, and in a debug build one of the larger, densely filled files
    // of a 64 MiB tree takes 20-30 s to scan on a loaded two-core machine
    // (a release build: about a second), which a 20 s bound cannot allow.
    // When to interrupt is measured, so debug and release builds both stop
    // mid-scan.
    let out = piiscan()
        .args(["generate", "--size", "8MiB", "--seed", "1", "--out"])
        .arg(&tree)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reports = tempfile::tempdir().unwrap();
    let after = while_under_way(&tree);

    // JSON: the report is written whole, marked incomplete.
    let report = reports.path().join("report.json");
    let (status, err) = interrupt_scan(&tree, &report, &["--format", "json"], after);
    assert_eq!(status.code(), Some(130), "{err}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap())
        .unwrap_or_else(|e| panic!("torn report: {e}"));
    assert_eq!(doc["scan"]["incomplete"], true);
    assert!(err.contains("interrupted"), "{err}");

    // NDJSON: the summary line says so.
    let report = reports.path().join("report.ndjson");
    let (status, err) = interrupt_scan(&tree, &report, &["--format", "ndjson"], after);
    assert_eq!(status.code(), Some(130), "{err}");
    let text = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("torn line {l:?}: {e}")))
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["incomplete"], true);

    // Human: a note at the end.
    let report = reports.path().join("report.txt");
    let (status, err) = interrupt_scan(&tree, &report, &["--format", "human"], after);
    assert_eq!(status.code(), Some(130), "{err}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("this report is incomplete"), "{text}");

    // CSV cannot carry a mark: the previous file stays as it was.
    let report = reports.path().join("report.csv");
    let (status, err) = interrupt_scan(&tree, &report, &["--format", "csv"], after);
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(std::fs::read(&report).unwrap(), PREVIOUS);
    assert!(err.contains("was not written"), "{err}");

    // A baseline of part of the tree is never written.
    let baseline = reports.path().join("baseline.json");
    let mut create = piiscan();
    create
        .args(["baseline", "create"])
        .arg(&tree)
        .arg("-o")
        .arg(&baseline);
    let (status, err) = interrupt(create, &baseline, 0, after);
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(std::fs::read(&baseline).unwrap(), PREVIOUS);

    assert_no_leftovers(reports.path());
}
