//! Small helpers for running the piiscan binary in tests.
#![allow(dead_code)]

pub mod outlook;
pub mod pdf;
#[allow(unused_imports)]
pub use pdf::*;

use std::path::Path;
use std::process::{Command, Output};

/// A fixed fingerprint key so tests never create a per-user key file and
/// fingerprints are comparable between runs.
pub const TEST_KEY: &str = "piiscan test key";

pub fn piiscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    cmd.env("PIISCAN_KEY", TEST_KEY).env("NO_COLOR", "1");
    cmd
}

/// Runs `piiscan ARGS` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("piiscan runs")
}

/// Runs `piiscan ARGS` from the crate root (where fixtures/ is).
pub fn run(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses NDJSON output into values.
pub fn ndjson(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad NDJSON line {l:?}: {e}")))
        .collect()
}

/// Writes `files` (path, contents) under a new temporary directory.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, contents).unwrap();
    }
    dir
}

/// Every file under `dir` (not directories), sorted.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every path under `dir` with its type, size and modification time, for
/// "nothing was written" checks.
pub fn listing(dir: &Path) -> Vec<(String, bool, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
            }
            out.push((
                p.display().to_string(),
                meta.is_dir(),
                meta.len(),
                meta.modified().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// Zip members compressed with deflate.
pub fn deflated() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

/// Zip members stored as they are.
pub fn stored() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}

/// A zip archive of `members` (name, contents) in memory.
pub fn zip_of(members: &[(&str, &[u8])], options: zip::write::SimpleFileOptions) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        w.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut w, data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `data` gzip-compressed.
pub fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, data).unwrap();
    e.finish().unwrap()
}
