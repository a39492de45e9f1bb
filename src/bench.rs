//! `piiscan bench`: throughput and accuracy on a generated tree.
//!
//! Without a directory it generates a fixture (see [`crate::generate`]) into
//! a temporary directory, outside any scanned tree, and removes it after.
//! It scans the tree through the library ([`crate::run_scan`], default
//! rules) three times and reports the median wall time, MB/s, files/s and
//! the peak resident memory of the scans. When ripgrep (`rg`) is on PATH it
//! times `rg -c --no-ignore -f benches/naive_patterns.txt DIR` (four naive
//! patterns: e-mail, Dutch mobile, dashed plate, VIN) the same way, as a
//! yardstick of raw regex-over-files speed. When the tree has a truth file
//! (`DIR.truth.jsonl`) it adds per-entity precision, recall and F1 from
//! [`crate::accuracy`].

use crate::accuracy::{AccuracyReport, Observed, evaluate, load_truth};
use crate::error::{Error, Result};
use crate::generate::{GenerateOptions, default_truth_path, generate};
use crate::inventory::FileKeeping;
use crate::redact::FingerprintKey;
use crate::scan::ScanSettings;
use crate::walk::{Counters, FindingFlow, WalkOptions};
use crate::{ScanRequest, run_scan};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The naive patterns ripgrep runs, embedded so `bench` works anywhere.
pub const NAIVE_PATTERNS: &str = include_str!("../benches/naive_patterns.txt");

/// Timed runs per tool; the median is reported.
const RUNS: usize = 3;
/// The region the accuracy run normalises phone numbers with.
const REGION: &str = "NL";

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The tree to scan; `None` generates one.
    pub dir: Option<PathBuf>,
    /// Size and seed of a generated tree.
    pub size: u64,
    pub seed: u64,
    /// Scanning threads (0: one per core); passed to ripgrep as `-j`.
    pub threads: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GenerationStats {
    pub files: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub mb_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub runs_seconds: Vec<f64>,
    pub median_seconds: f64,
    pub mb_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RipgrepStats {
    pub command: String,
    pub timing: Timing,
    /// piiscan's throughput divided by ripgrep's.
    pub throughput_ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub tree: String,
    pub generated: Option<GenerationStats>,
    pub files: u64,
    pub bytes: u64,
    pub scan: Timing,
    pub files_per_s: f64,
    /// Peak resident set size of the scans in bytes (VmHWM), when known.
    pub peak_memory_bytes: Option<u64>,
    /// Why ripgrep was not run, when it was not.
    pub ripgrep_note: Option<String>,
    pub ripgrep: Option<RipgrepStats>,
    pub truth_file: Option<String>,
    pub accuracy: Option<AccuracyReport>,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

fn timing(runs: Vec<f64>, bytes: u64) -> Timing {
    let m = median(runs.clone());
    Timing {
        runs_seconds: runs,
        median_seconds: m,
        mb_per_s: if m > 0.0 { bytes as f64 / 1e6 / m } else { 0.0 },
    }
}

/// Resets the kernel's peak-RSS mark so VmHWM measures what follows
/// (Linux 4.0+; elsewhere, or when not allowed, the mark stays).
fn reset_peak_memory() {
    #[cfg(target_os = "linux")]
    {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
}

/// VmHWM (peak resident set size) from /proc/self/status, in bytes.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn scan_request(dir: &Path, threads: usize, stream: bool) -> Result<ScanRequest> {
    Ok(ScanRequest {
        roots: vec![dir.to_path_buf()],
        walk: WalkOptions {
            // The same files ripgrep sees with --no-ignore.
            no_ignore: true,
            threads,
            findings: if stream {
                FindingFlow::All
            } else {
                FindingFlow::Counted
            },
            ..WalkOptions::default()
        },
        settings: ScanSettings {
            threads: crate::walk::resolve_threads(threads),
            bare_findings: !stream,
            ..ScanSettings::default()
        },
        rules: crate::rules::default_rules()?,
        entities: None,
        file_entries: if stream {
            FileKeeping::Nothing
        } else {
            FileKeeping::All
        },
        retention: None,
        region: REGION.to_string(),
        // A fixed key: fingerprints are not compared with anything, and a
        // benchmark must not create a per-user key file.
        key: FingerprintKey::from_secret(b"piiscan bench", "bench"),
    })
}

/// One timed scan: seconds, files and bytes scanned.
fn timed_scan(dir: &Path, threads: usize) -> Result<(f64, u64, u64)> {
    let request = scan_request(dir, threads, false)?;
    let counters = Counters::default();
    let started = Instant::now();
    let inventory = run_scan(request, &counters, &mut |_| Ok(()))?;
    let secs = started.elapsed().as_secs_f64();
    Ok((secs, inventory.files_scanned, inventory.bytes_scanned))
}

/// Finds `name` in PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn time_ripgrep(rg: &Path, dir: &Path, threads: usize) -> Result<(String, Vec<f64>)> {
    let mut patterns = tempfile::NamedTempFile::new()
        .map_err(|e| Error::io("creating the ripgrep pattern file", e))?;
    std::io::Write::write_all(&mut patterns, NAIVE_PATTERNS.as_bytes())
        .map_err(|e| Error::io("writing the ripgrep pattern file", e))?;
    let mut args: Vec<String> = vec!["-c".into(), "--no-ignore".into()];
    if threads > 0 {
        args.push("-j".into());
        args.push(threads.to_string());
    }
    args.push("-f".into());
    args.push(patterns.path().display().to_string());
    args.push(dir.display().to_string());
    let command = format!(
        "rg {} (-f benches/naive_patterns.txt)",
        args.iter()
            .filter(|a| !a.contains("/tmp") && *a != "-f")
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let status = Command::new(rg)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Error::io("running rg", e))?;
        // rg exits 1 when nothing matched; 2 is an error.
        if status.code() == Some(2) || status.code().is_none() {
            return Err(Error::Usage(format!("rg failed ({status})")));
        }
        runs.push(started.elapsed().as_secs_f64());
    }
    Ok((command, runs))
}

fn accuracy(dir: &Path, truth_path: &Path, threads: usize) -> Result<AccuracyReport> {
    let truth = load_truth(truth_path)?;
    let root = crate::walk::display_path(dir);
    let mut found = Vec::new();
    let request = scan_request(dir, threads, true)?;
    run_scan(request, &Counters::default(), &mut |f| {
        found.push(Observed::from_finding(f, &root, REGION));
        Ok(())
    })?;
    Ok(evaluate(&truth, &found, REGION))
}

/// Runs the benchmark.
pub fn run(options: &BenchOptions) -> Result<BenchReport> {
    // A generated tree lives in a temporary directory: tree and truth side
    // by side, removed when `_tmp` drops.
    let mut _tmp = None;
    let mut generated = None;
    let dir = match &options.dir {
        Some(d) => d.clone(),
        None => {
            let tmp = tempfile::Builder::new()
                .prefix("piiscan-bench-")
                .tempdir()
                .map_err(|e| Error::io("creating a temporary directory", e))?;
            let tree = tmp.path().join("tree");
            let summary = generate(&GenerateOptions {
                out: tree.clone(),
                size: options.size,
                seed: options.seed,
                truth: None,
            })?;
            let secs = summary.duration.as_secs_f64();
            generated = Some(GenerationStats {
                files: summary.files,
                bytes: summary.bytes,
                seconds: secs,
                mb_per_s: if secs > 0.0 {
                    summary.bytes as f64 / 1e6 / secs
                } else {
                    0.0
                },
            });
            _tmp = Some(tmp);
            tree
        }
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    reset_peak_memory();
    let mut runs = Vec::with_capacity(RUNS);
    let (mut files, mut bytes) = (0, 0);
    for _ in 0..RUNS {
        let (secs, f, b) = timed_scan(&dir, options.threads)?;
        runs.push(secs);
        (files, bytes) = (f, b);
    }
    let peak_memory_bytes = peak_memory();
    let scan = timing(runs, bytes);
    let files_per_s = if scan.median_seconds > 0.0 {
        files as f64 / scan.median_seconds
    } else {
        0.0
    };
    let (ripgrep, ripgrep_note) = match on_path("rg") {
        None => (None, Some("rg not found on PATH".to_string())),
        Some(rg) => match time_ripgrep(&rg, &dir, options.threads) {
            Ok((command, runs)) => {
                let timing = timing(runs, bytes);
                let ratio = if timing.mb_per_s > 0.0 {
                    scan.mb_per_s / timing.mb_per_s
                } else {
                    0.0
                };
                (
                    Some(RipgrepStats {
                        command,
                        timing,
                        throughput_ratio: ratio,
                    }),
                    None,
                )
            }
            Err(e) => (None, Some(e.to_string())),
        },
    };
    let truth_path = default_truth_path(&dir).ok().filter(|p| p.is_file());
    let accuracy = match &truth_path {
        Some(p) => Some(accuracy(&dir, p, options.threads)?),
        None => None,
    };
    Ok(BenchReport {
        tree: dir.display().to_string(),
        generated,
        files,
        bytes,
        scan,
        files_per_s,
        peak_memory_bytes,
        ripgrep_note,
        ripgrep,
        truth_file: truth_path.map(|p| p.display().to_string()),
        accuracy,
    })
}

/// The human-readable report.
pub fn render_human(r: &BenchReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Tree: {}", r.tree);
    if let Some(g) = &r.generated {
        let _ = writeln!(
            s,
            "  generated {} files, {:.1} MB in {:.2} s ({:.0} MB/s)",
            g.files,
            g.bytes as f64 / 1e6,
            g.seconds,
            g.mb_per_s
        );
    }
    let runs: Vec<String> = r
        .scan
        .runs_seconds
        .iter()
        .map(|x| format!("{x:.2}"))
        .collect();
    let _ = writeln!(
        s,
        "Scan: {} files, {:.1} MB, median {:.2} s of {} runs ({})",
        r.files,
        r.bytes as f64 / 1e6,
        r.scan.median_seconds,
        runs.len(),
        runs.join(" ")
    );
    let _ = writeln!(
        s,
        "  throughput   {:.1} MB/s, {:.0} files/s",
        r.scan.mb_per_s, r.files_per_s
    );
    let _ = writeln!(
        s,
        "  peak memory  {}",
        r.peak_memory_bytes
            .map(|b| format!("{:.1} MiB (VmHWM)", b as f64 / (1u64 << 20) as f64))
            .unwrap_or_else(|| "n/a".into())
    );
    match (&r.ripgrep, &r.ripgrep_note) {
        (Some(rg), _) => {
            let _ = writeln!(
                s,
                "ripgrep: {}\n  median {:.2} s ({:.1} MB/s); piiscan/ripgrep throughput ratio {:.2}",
                rg.command, rg.timing.median_seconds, rg.timing.mb_per_s, rg.throughput_ratio
            );
        }
        (None, Some(note)) => {
            let _ = writeln!(s, "ripgrep: not run ({note})");
        }
        (None, None) => {}
    }
    match (&r.accuracy, &r.truth_file) {
        (Some(a), Some(t)) => {
            let _ = writeln!(
                s,
                "Accuracy against {t} ({} planted values, {} look-alikes):",
                a.planted_total, a.lookalikes_planted
            );
            let _ = writeln!(
                s,
                "  {:<15} {:>9} {:>9} {:>7} {:>7} {:>9} {:>8} {:>7}",
                "entity", "planted", "TP", "FP", "FN", "precision", "recall", "F1"
            );
            for e in &a.entities {
                let _ = writeln!(
                    s,
                    "  {:<15} {:>9} {:>9} {:>7} {:>7} {:>9.4} {:>8.4} {:>7.4}",
                    e.entity,
                    e.planted,
                    e.true_positives,
                    e.false_positives,
                    e.false_negatives,
                    e.precision,
                    e.recall,
                    e.f1
                );
            }
            let _ = writeln!(s, "  look-alikes reported: {}", a.lookalikes_reported);
            if !a.missed_examples.is_empty() {
                let _ = writeln!(s, "Missed (examples, masked):");
                for m in &a.missed_examples {
                    let _ = writeln!(s, "  {}:{} {} {}", m.path, m.line, m.entity, m.masked);
                }
            }
            if !a.false_positive_examples.is_empty() {
                let _ = writeln!(s, "False positives (examples, masked):");
                for m in &a.false_positive_examples {
                    let _ = writeln!(s, "  {}:{} {} {}", m.path, m.line, m.entity, m.masked);
                }
            }
        }
        _ => {
            let _ = writeln!(s, "Accuracy: no truth file next to the tree");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_three_and_naive_patterns_are_embedded() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(NAIVE_PATTERNS.lines().count(), 4);
        let t = timing(vec![2.0, 1.0, 4.0], 4_000_000);
        assert_eq!((t.median_seconds, t.mb_per_s), (2.0, 2.0));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn peak_memory_is_read_on_linux() {
        assert!(peak_memory().is_some_and(|b| b > 0));
    }
}
