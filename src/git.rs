//! Scanning only what changed: `scan --git-diff REV` (lines added since a
//! revision) and `scan --staged` (lines added in the index, for pre-commit).
//!
//! Both run `git diff --unified=0 --no-color --no-ext-diff -M` (with
//! `--cached` for the index) in the current directory, with `--relative` so
//! paths are relative to it like every other path piiscan reports, and read
//! only the hunk headers: `@@ -a,b +c,d @@` says lines `c..c+d` of the new
//! file are added. Renamed files are followed to their new path (only lines
//! changed by the rename commit count as added; a pure rename adds none),
//! deleted files have no added lines and are not scanned.
//!
//! What is scanned:
//! - `--git-diff REV`: the working-tree files with added lines. `git diff REV`
//!   compares REV with the working tree, so line numbers match the files on
//!   disk. (With a range such as `A...B`, the files on disk are assumed to be
//!   B, as in a CI checkout.)
//! - `--staged`: the staged content. A staged file whose working copy is
//!   identical to the index is scanned on disk through the normal pipeline;
//!   one changed again after `git add` is read from the index (`git cat-file
//!   blob :./PATH`) into memory and scanned there by the same pipeline, so
//!   the line numbers of the staged diff always fit the text scanned and
//!   nothing unstaged is reported. The staged copy never touches the disk.
//!
//! A file git calls binary (its diff says `Binary files ... differ`: a zip
//! or gzip archive, a spreadsheet, a UTF-16 export, anything with a NUL or
//! marked `binary` in `.gitattributes`) has no added lines to name, so it is
//! scanned whole: every finding in it, and in its archive members, counts
//! as added. Binary files that are neither text nor an archive are counted
//! as skipped (`binary`), as the directory walk counts them.
//!
//! Findings are then kept only when they start on an added line, through a
//! [`FindingFilter`]. Changed files are scanned even when hidden or matched
//! by `.gitignore` (git tracks them, so they are part of the repository); the
//! `include`/`exclude` and `-g` globs still apply. Untracked files are not part
//! of `git diff`; `git add` (or `git add -N`) them first.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::inventory::{FileEntry, Inventory};
use crate::scan::{FileOutcome, FileScanner, FindingFilter, Profiles, ScanContext, ScanSink};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// What to compare against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffBase {
    /// `git diff REV`: the working tree against a revision (or a range).
    Rev(String),
    /// `git diff --cached`: the index against HEAD.
    Staged,
}

/// One file of a diff: its path in the new version and its added lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    /// Path in the new version (after a rename), relative to the current directory.
    pub path: String,
    /// Path before a rename, when it was renamed.
    pub renamed_from: Option<String>,
    /// True when the file is deleted in the new version.
    pub deleted: bool,
    /// Added line ranges: (first line, count), 1-based, sorted.
    pub added: Vec<(u64, u64)>,
    /// True when git diffed it as binary: no lines to name, changed as a whole.
    pub binary: bool,
}

/// Added lines per file, for the filter.
#[derive(Debug, Clone, Default)]
pub struct ChangedLines {
    files: HashMap<String, Vec<(u64, u64)>>,
    /// Files changed as a whole (binary to git): every line of them, and of
    /// every archive member in them, counts as added.
    whole: HashSet<String>,
}

impl ChangedLines {
    /// True when `line` of `path` was added. `path` may name an archive
    /// member (`a.zip!/x.csv`): it was added when its archive changed.
    pub fn contains(&self, path: &str, line: u64) -> bool {
        if !self.whole.is_empty() && self.in_whole_file(path) {
            return true;
        }
        let Some(ranges) = self.files.get(path) else {
            return false;
        };
        // Ranges are sorted and disjoint: find the last one starting at or before `line`.
        let i = ranges.partition_point(|(start, _)| *start <= line);
        i > 0 && {
            let (start, count) = ranges[i - 1];
            line < start + count
        }
    }

    /// True when `path`, or the archive it is a member of (at any depth),
    /// changed as a whole.
    fn in_whole_file(&self, path: &str) -> bool {
        self.whole.contains(path)
            || path
                .match_indices(crate::container::MEMBER_SEPARATOR)
                .any(|(at, _)| self.whole.contains(&path[..at]))
    }

    /// Files with added lines or changed as a whole.
    pub fn len(&self) -> usize {
        self.files.len() + self.whole.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.whole.is_empty()
    }
}

/// What a changed-lines scan needs: the added lines, the files to scan on
/// disk, and (for `--staged`) the files to read from the index instead.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    pub lines: ChangedLines,
    /// Files scanned from the working tree.
    pub on_disk: Vec<PathBuf>,
    /// Staged files whose working copy differs: scanned from the index.
    pub from_index: Vec<String>,
}

impl ChangeSet {
    /// A filter keeping only findings that start on an added line.
    pub fn filter(&self) -> FindingFilter {
        let lines = Arc::new(self.lines.clone());
        Arc::new(move |f: &Finding| lines.contains(&f.path, f.line))
    }

    /// Drops files the include/exclude globs exclude, the way the directory
    /// walk would (a directory excluded excludes everything below it).
    pub fn apply_globs(&mut self, globs: &[String]) -> Result<()> {
        if globs.is_empty() {
            return Ok(());
        }
        let mut builder = ignore::overrides::OverrideBuilder::new(".");
        for g in globs {
            builder.add(g).map_err(|e| Error::InvalidGlob {
                glob: g.clone(),
                message: e.to_string(),
            })?;
        }
        let overrides = builder.build().map_err(|e| Error::InvalidGlob {
            glob: globs.join(" "),
            message: e.to_string(),
        })?;
        let excluded = |path: &Path| -> bool {
            let mut ancestors: Vec<&Path> = path
                .ancestors()
                .skip(1)
                .filter(|a| !a.as_os_str().is_empty())
                .collect();
            ancestors.reverse();
            ancestors
                .iter()
                .any(|dir| overrides.matched(dir, true).is_ignore())
                || overrides.matched(path, false).is_ignore()
        };
        self.on_disk.retain(|p| !excluded(p));
        self.from_index.retain(|p| !excluded(Path::new(p)));
        let kept: HashSet<String> = self
            .on_disk
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .chain(self.from_index.iter().cloned())
            .collect();
        self.lines.files.retain(|path, _| kept.contains(path));
        self.lines.whole.retain(|path| kept.contains(path));
        Ok(())
    }
}

/// A `git` command with settings that keep its output parseable whatever
/// the user's configuration says.
fn git() -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "core.quotePath=false"])
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

fn spawn_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::Git(
            "git is not installed or not on PATH (needed for --git-diff and --staged)".into(),
        )
    } else {
        Error::Git(format!("cannot run git: {e}"))
    }
}

/// Runs a git command to completion; its stdout, or an error with its stderr.
fn git_output(args: &[&str], what: &str) -> Result<Vec<u8>> {
    let out = git().args(args).output().map_err(spawn_error)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(Error::Git(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Checks that the current directory is inside a git work tree.
fn check_work_tree() -> Result<()> {
    let out = git()
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .map_err(spawn_error)?;
    if out.status.success() && out.stdout.trim_ascii() == b"true" {
        Ok(())
    } else {
        Err(Error::Git(format!(
            "not inside a git work tree (--git-diff and --staged need one): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Checks that `rev` names a commit, with a clear message for shallow clones.
fn check_revision(rev: &str) -> Result<()> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(Error::Usage(format!(
            "--git-diff: `{rev}` is not a revision"
        )));
    }
    if rev.contains("..") {
        // A range: git diff checks both ends and says which one is missing.
        return Ok(());
    }
    let spec = format!("{rev}^{{commit}}");
    let out = git()
        .args(["rev-parse", "--verify", "--quiet", &spec])
        .output()
        .map_err(spawn_error)?;
    if out.status.success() {
        return Ok(());
    }
    let shallow = git()
        .args(["rev-parse", "--is-shallow-repository"])
        .output()
        .map(|o| o.stdout.trim_ascii() == b"true")
        .unwrap_or(false);
    let hint = if shallow {
        " (this is a shallow clone: fetch the history it needs, e.g. `git fetch --unshallow`, \
         or actions/checkout with `fetch-depth: 0`)"
    } else {
        " (fetch it first, or check the name)"
    };
    Err(Error::Git(format!(
        "revision `{rev}` not found in this repository{hint}"
    )))
}

/// Runs `git diff` for `base` limited to `pathspecs` and returns the changed
/// files with their added lines.
pub fn diff(base: &DiffBase, pathspecs: &[PathBuf]) -> Result<Vec<FileDiff>> {
    check_work_tree()?;
    let mut args: Vec<OsString> = [
        "diff",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "-M",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    match base {
        DiffBase::Rev(rev) => {
            check_revision(rev)?;
            args.push(rev.into());
        }
        DiffBase::Staged => args.push("--cached".into()),
    }
    args.push("--".into());
    args.extend(pathspecs.iter().map(|p| p.as_os_str().to_os_string()));
    let mut child = git()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    // Drain stderr on its own thread so a chatty git never blocks on it.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = e.read_to_string(&mut s);
            s
        })
    });
    let parsed = match child.stdout.take() {
        Some(out) => parse_diff(BufReader::new(out)),
        None => Ok(Vec::new()),
    };
    let status = child
        .wait()
        .map_err(|e| Error::Git(format!("git diff: {e}")))?;
    let message = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(Error::Git(format!("git diff failed: {}", message.trim())));
    }
    parsed
}

/// Files whose working copy differs from the index (`git diff --name-only`).
fn unstaged_paths(pathspecs: &[PathBuf]) -> Result<HashSet<String>> {
    let mut args = vec![
        "diff",
        "--name-only",
        "-z",
        "--no-ext-diff",
        "--relative",
        "--",
    ];
    let specs: Vec<String> = pathspecs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    args.extend(specs.iter().map(String::as_str));
    let out = git_output(&args, "git diff --name-only")?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Works out what to scan for `base`.
pub fn changes(base: &DiffBase, pathspecs: &[PathBuf]) -> Result<ChangeSet> {
    let diffs = diff(base, pathspecs)?;
    let unstaged = match base {
        DiffBase::Staged => unstaged_paths(pathspecs)?,
        DiffBase::Rev(_) => HashSet::new(),
    };
    let mut set = ChangeSet::default();
    for d in diffs {
        if d.deleted || d.path.is_empty() || (d.added.is_empty() && !d.binary) {
            continue;
        }
        let path = PathBuf::from(&d.path);
        let regular_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        match base {
            DiffBase::Staged if unstaged.contains(&d.path) || !regular_file => {
                set.from_index.push(d.path.clone());
            }
            // Deleted since, a submodule or a symbolic link: nothing to read.
            _ if !regular_file => continue,
            _ => set.on_disk.push(path),
        }
        if d.binary {
            set.lines.whole.insert(d.path);
        } else {
            set.lines.files.insert(d.path, d.added);
        }
    }
    Ok(set)
}

/// Reads a staged file from the index.
fn read_index_blob(path: &str) -> Result<Vec<u8>> {
    let spec = format!(":./{path}");
    git_output(
        &["cat-file", "blob", &spec],
        &format!("reading {path} from the index"),
    )
}

/// Scans staged files from the index in memory, adding them to `inventory`
/// and passing each finding to `on_finding`, like the directory walk does:
/// each blob goes through the same pipeline as a file of its name (formats,
/// encodings, binary detection, archives and their members).
pub fn scan_index_blobs(
    paths: &[String],
    ctx: &ScanContext,
    inventory: &mut Inventory,
    on_finding: &mut dyn FnMut(&Finding) -> std::io::Result<()>,
) -> Result<()> {
    let mut scanner = FileScanner::new(ctx);
    for path in paths {
        let blob = read_index_blob(path)?;
        let mut sink = IndexSink {
            inventory: &mut *inventory,
            on_finding: &mut *on_finding,
            entry: FileEntry::default(),
            failed: None,
        };
        let outcome = scanner.scan_bytes(path, &blob, &mut sink);
        let profiles = scanner.take_profiles();
        sink.entry(outcome, profiles);
        if let Some(e) = sink.failed {
            return Err(Error::io("writing findings", e));
        }
    }
    Ok(())
}

/// Takes the findings and entries of one staged blob (the blob and, for an
/// archive, each member) into the inventory.
struct IndexSink<'a> {
    inventory: &'a mut Inventory,
    on_finding: &'a mut dyn FnMut(&Finding) -> std::io::Result<()>,
    /// The statistics of the entry whose findings are arriving.
    entry: FileEntry,
    /// The first error writing a finding out; later findings are not written.
    failed: Option<std::io::Error>,
}

impl ScanSink for IndexSink<'_> {
    fn finding(&mut self, finding: &mut Finding) {
        self.entry.add(finding);
        if self.failed.is_none()
            && let Err(e) = (self.on_finding)(finding)
        {
            self.failed = Some(e);
        }
    }

    fn entry(&mut self, outcome: FileOutcome, profiles: Profiles) {
        let mut entry = std::mem::take(&mut self.entry);
        entry.table = profiles.table.map(Box::new);
        entry.document = profiles.document.map(Box::new);
        entry.sql = profiles.sql.map(Box::new);
        self.inventory.add_file(outcome, Some(Box::new(entry)));
    }
}

/// Parses `git diff --unified=0` output (with `a/` and `b/` prefixes).
/// Only headers are read; content lines are skipped.
pub fn parse_diff(mut reader: impl BufRead) -> Result<Vec<FileDiff>> {
    let mut files = Vec::new();
    let mut current: Option<FileDiff> = None;
    let mut in_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::Git(format!("reading git diff output: {e}")))?;
        if n == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if let Some(paths) = text.strip_prefix(b"diff --git ") {
            files.extend(current.take());
            // A binary file's header has no `+++` line: its path comes from
            // here (or from `rename to`).
            let path = git_header_new_path(&String::from_utf8_lossy(paths)).unwrap_or_default();
            current = Some(FileDiff {
                path,
                ..FileDiff::default()
            });
            in_header = true;
            continue;
        }
        let Some(file) = current.as_mut() else {
            continue;
        };
        if text.starts_with(b"@@ ") {
            in_header = false;
            if let Some(range) = parse_hunk_header(text) {
                if range.1 > 0 {
                    file.added.push(range);
                }
            } else {
                return Err(Error::Git(format!(
                    "unexpected hunk header in git diff output: {}",
                    String::from_utf8_lossy(text)
                )));
            }
            continue;
        }
        if !in_header {
            continue;
        }
        let text = String::from_utf8_lossy(text);
        if let Some(p) = text.strip_prefix("+++ ") {
            match header_path(p, "b/") {
                Some(p) => file.path = p,
                None => file.deleted = true,
            }
        } else if let Some(p) = text.strip_prefix("rename to ") {
            file.path = unquote(p);
        } else if let Some(p) = text.strip_prefix("rename from ") {
            file.renamed_from = Some(unquote(p));
        } else if text.starts_with("deleted file mode") {
            file.deleted = true;
        } else if text.starts_with("Binary files ") {
            file.binary = true;
        }
    }
    files.extend(current);
    for f in &mut files {
        f.added.sort_unstable();
    }
    Ok(files)
}

/// The new path in a `diff --git a/OLD b/NEW` line (what follows `diff
/// --git `), when OLD and NEW are the same file: the line does not say
/// where a name with spaces ends, but the same name twice is split in the
/// middle. Renames are named by their `rename to` line instead.
fn git_header_new_path(paths: &str) -> Option<String> {
    let mid = paths.len() / 2;
    if paths.len().is_multiple_of(2) || paths.as_bytes().get(mid) != Some(&b' ') {
        return None;
    }
    let (old, new) = (&paths[..mid], paths.get(mid + 1..)?);
    let (old, new) = (unquote(old), unquote(new));
    let name = new.strip_prefix("b/")?;
    (old.strip_prefix("a/")? == name).then(|| name.to_string())
}

/// `@@ -a,b +c,d @@ ...` -> `(c, d)`; a missing count means 1.
fn parse_hunk_header(line: &[u8]) -> Option<(u64, u64)> {
    let text = std::str::from_utf8(line).ok()?;
    let new = text.split(' ').find(|t| t.starts_with('+'))?;
    let new = &new[1..];
    let (start, count) = match new.split_once(',') {
        Some((s, c)) => (s.parse().ok()?, c.parse().ok()?),
        None => (new.parse().ok()?, 1),
    };
    Some((start, count))
}

/// The path of a `---`/`+++` header: `None` for `/dev/null`. Unquotes C-style
/// quoted names and drops the tab git appends to names with spaces.
fn header_path(raw: &str, prefix: &str) -> Option<String> {
    if raw == "/dev/null" {
        return None;
    }
    let raw = if raw.starts_with('"') {
        raw
    } else {
        raw.strip_suffix('\t').unwrap_or(raw)
    };
    let path = unquote(raw);
    Some(path.strip_prefix(prefix).unwrap_or(&path).to_string())
}

/// Undoes git's C-style quoting (`"a\tb\303\251"`); unquoted text is returned as is.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let c = bytes[i + 1];
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                let mut digits = 1;
                while digits < 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    value = value * 8 + u32::from(bytes[i] - b'0');
                    i += 1;
                    digits += 1;
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/old.txt b/new.txt\n\
similarity index 75%\n\
rename from old.txt\n\
rename to new.txt\n\
index 01e79c3..94ebaf9 100644\n\
--- a/old.txt\n\
+++ b/new.txt\n\
@@ -3,0 +4 @@\n\
+4\n\
diff --git a/sp ace.txt b/sp ace.txt\n\
index 422c2b7..95f3767 100644\n\
--- a/sp ace.txt\t\n\
+++ b/sp ace.txt\t\n\
@@ -1,0 +2,3 @@ a\n\
+++ not a header\n\
+c\n\
+d\n\
@@ -9,2 +11,0 @@\n\
-x\n\
-y\n\
diff --git \"a/\\303\\251\\tx.txt\" \"b/\\303\\251\\tx.txt\"\n\
--- \"a/\\303\\251\\tx.txt\"\n\
+++ \"b/\\303\\251\\tx.txt\"\n\
@@ -0,0 +1 @@\n\
+y\n\
diff --git a/gone.txt b/gone.txt\n\
deleted file mode 100644\n\
index 587be6b..0000000\n\
--- a/gone.txt\n\
+++ /dev/null\n\
@@ -1 +0,0 @@\n\
-x\n\
diff --git a/moved.txt b/elsewhere/moved.txt\n\
similarity index 100%\n\
rename from moved.txt\n\
rename to elsewhere/moved.txt\n";

    #[test]
    fn parses_hunks_renames_quoting_and_deletions() {
        let files = parse_diff(DIFF.as_bytes()).unwrap();
        assert_eq!(files.len(), 5);
        assert_eq!(files[0].path, "new.txt");
        assert_eq!(files[0].renamed_from.as_deref(), Some("old.txt"));
        assert_eq!(files[0].added, vec![(4, 1)]);
        assert_eq!(files[1].path, "sp ace.txt");
        assert_eq!(files[1].added, vec![(2, 3)]);
        assert_eq!(files[2].path, "é\tx.txt");
        assert_eq!(files[2].added, vec![(1, 1)]);
        assert!(files[3].deleted);
        assert!(files[3].added.is_empty());
        assert_eq!(files[4].path, "elsewhere/moved.txt");
        assert!(files[4].added.is_empty());
    }

    const BINARY_DIFF: &str = "diff --git a/k.zip b/k.zip\n\
new file mode 100644\n\
index 0000000..1b2c3d4\n\
Binary files /dev/null and b/k.zip differ\n\
diff --git a/with space.xlsx b/with space.xlsx\n\
index 1111111..2222222 100644\n\
Binary files a/with space.xlsx and b/with space.xlsx differ\n\
diff --git \"a/\\303\\251\\t.gz\" \"b/\\303\\251\\t.gz\"\n\
new file mode 100644\n\
Binary files /dev/null and \"b/\\303\\251\\t.gz\" differ\n\
diff --git a/old.zip b/new.zip\n\
similarity index 90%\n\
rename from old.zip\n\
rename to new.zip\n\
Binary files a/old.zip and b/new.zip differ\n\
diff --git a/gone.zip b/gone.zip\n\
deleted file mode 100644\n\
Binary files a/gone.zip and /dev/null differ\n\
diff --git a/text.txt b/text.txt\n\
--- a/text.txt\n\
+++ b/text.txt\n\
@@ -1,0 +2 @@\n\
+x\n";

    #[test]
    fn binary_files_are_named_and_marked() {
        let files = parse_diff(BINARY_DIFF.as_bytes()).unwrap();
        let got: Vec<(&str, bool, bool)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.binary, f.deleted))
            .collect();
        assert_eq!(
            got,
            vec![
                ("k.zip", true, false),
                ("with space.xlsx", true, false),
                ("é\t.gz", true, false),
                ("new.zip", true, false),
                ("gone.zip", true, true),
                ("text.txt", false, false),
            ]
        );
        assert!(
            files
                .iter()
                .filter(|f| f.binary)
                .all(|f| f.added.is_empty())
        );
    }

    #[test]
    fn a_header_names_the_new_path_only_when_both_sides_agree() {
        assert_eq!(git_header_new_path("a/x y b/x y").as_deref(), Some("x y"));
        assert_eq!(git_header_new_path("a/x b/y"), None);
        assert_eq!(git_header_new_path("a/xb/x"), None);
        assert_eq!(git_header_new_path("a/é b/é").as_deref(), Some("é"));
        assert_eq!(git_header_new_path("a/é  b/é"), None);
    }

    #[test]
    fn a_whole_file_holds_every_line_of_it_and_of_its_members() {
        let mut lines = ChangedLines::default();
        lines.whole.insert("dir!/k.zip".into());
        lines.files.insert("notes.txt".into(), vec![(2, 1)]);
        assert!(lines.contains("dir!/k.zip", 1));
        assert!(lines.contains("dir!/k.zip!/x.csv", 7));
        assert!(lines.contains("dir!/k.zip!/inner.zip!/y.csv", 9));
        assert!(!lines.contains("dir!/k.zip2", 1));
        assert!(!lines.contains("dir!/k.zi", 1));
        assert!(!lines.contains("other.zip!/x.csv", 1));
        assert!(lines.contains("notes.txt", 2));
        assert!(!lines.contains("notes.txt", 3));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn changed_lines_lookup() {
        let mut lines = ChangedLines::default();
        lines
            .files
            .insert("a".into(), vec![(2, 3), (10, 1), (20, 2)]);
        let hits: Vec<u64> = (0..25).filter(|l| lines.contains("a", *l)).collect();
        assert_eq!(hits, vec![2, 3, 4, 10, 20, 21]);
        assert!(!lines.contains("b", 2));
    }

    #[test]
    fn unquotes_c_style() {
        assert_eq!(unquote("plain"), "plain");
        assert_eq!(unquote("\"a\\\"b\\\\c\\n\""), "a\"b\\c\n");
        assert_eq!(unquote("\"\\303\\251\""), "é");
    }
}
