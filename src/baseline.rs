//! Baselines: the findings a repository already has, recorded so that a scan
//! reports (and fails on) only new ones.
//!
//! A finding's identity is its path, entity and keyed fingerprint (of the
//! normalised value), not its line, so moving a line does not make a finding
//! new. Identities are counted: with two occurrences in the baseline and three
//! now, one is new (the first two met in file order are the known ones).
//!
//! The file holds no raw values and no unkeyed hashes: only paths, entity
//! names, keyed fingerprints and counts, plus the key id. A baseline is
//! refused when the scan uses another key, since its fingerprints would
//! match nothing. Paths are stored relative to the baseline file's directory,
//! so the baseline works from any directory and in any checkout.
//!
//! ```json
//! {
//!   "piiscan_baseline": 1,
//!   "key_id": "a6d78dca84cb",
//!   "findings": 3,
//!   "entries": [
//!     { "path": "exports/klanten.csv", "entity": "email", "fingerprint": "5b0c…", "count": 2 }
//!   ]
//! }
//! ```

use crate::config::{current_dir, is_fingerprint, normalize_path};
use crate::error::{Error, Result};
use crate::finding::{Entity, Finding};
use crate::output::Output;
use crate::redact::FingerprintKey;
use crate::scan::FindingFilter;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The format version written in `piiscan_baseline`.
pub const BASELINE_VERSION: u32 = 1;
/// The file `baseline create` writes when `-o` is not given.
pub const DEFAULT_BASELINE_FILE: &str = ".piiscan-baseline.json";

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Format version.
    pub piiscan_baseline: u32,
    /// The id of the fingerprint key the entries were made with.
    pub key_id: String,
    /// Total occurrences (the sum of the counts).
    pub findings: u64,
    pub entries: Vec<Entry>,
}

/// One known identity and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative to the baseline file's directory, `/`-separated.
    pub path: String,
    pub entity: Entity,
    /// Keyed fingerprint of the normalised value.
    pub fingerprint: String,
    pub count: u64,
}

/// A finding's identity in a baseline: path, entity, fingerprint.
type Identity = (String, Entity, String);

/// Maps the paths findings carry (relative to the current directory, or
/// absolute) to paths relative to the baseline's directory.
#[derive(Debug, Clone)]
pub struct PathMapper {
    cwd: PathBuf,
    base: PathBuf,
    /// The baseline lives in the current directory: relative paths map to themselves.
    same: bool,
}

impl PathMapper {
    /// A mapper for a baseline at `file` (which need not exist yet).
    pub fn new(file: &Path) -> Result<PathMapper> {
        let cwd = current_dir()?;
        let cwd = cwd.canonicalize().unwrap_or(cwd);
        let dir = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = normalize_path(&cwd.join(&dir));
        let base = base.canonicalize().unwrap_or(base);
        Ok(PathMapper {
            same: base == cwd,
            cwd,
            base,
        })
    }

    /// The baseline form of `path`: relative to the baseline directory with
    /// `/` separators (empty for the directory itself), else absolute.
    pub fn map(&self, path: &str) -> String {
        let p = Path::new(path);
        if self.same && p.is_relative() {
            let normal = normalize_path(p);
            if !normal.starts_with("..") {
                return slashes(&normal);
            }
        }
        let abs = normalize_path(&self.cwd.join(p));
        match abs.strip_prefix(&self.base) {
            Ok(rel) => slashes(rel),
            Err(_) => slashes(&abs),
        }
    }
}

fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn baseline_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Baseline {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Writes a baseline file atomically (temporary file, then rename).
fn write_file(path: &Path, file: &BaselineFile) -> Result<()> {
    let mut out = Output::open(Some(path))?;
    serde_json::to_writer_pretty(&mut out, file)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e.into()))?;
    out.write_all(b"\n")
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    out.finish()
}

/// Records findings for `baseline create`. Used as a scan filter.
pub struct Recorder {
    mapper: PathMapper,
    counts: Mutex<BTreeMap<Identity, u64>>,
}

/// What a baseline holds, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub entries: usize,
    pub findings: u64,
}

impl Recorder {
    /// A recorder for a baseline to be written to `path`.
    pub fn new(path: &Path) -> Result<Arc<Recorder>> {
        Ok(Arc::new(Recorder {
            mapper: PathMapper::new(path)?,
            counts: Mutex::new(BTreeMap::new()),
        }))
    }

    pub fn record(&self, f: &Finding) {
        let id = (self.mapper.map(&f.path), f.entity, f.fingerprint.clone());
        *lock(&self.counts).entry(id).or_default() += 1;
    }

    /// A filter that records and keeps everything.
    pub fn filter(self: &Arc<Self>) -> FindingFilter {
        let rec = Arc::clone(self);
        Arc::new(move |f: &Finding| {
            rec.record(f);
            true
        })
    }

    /// Writes what was recorded to `path`, atomically.
    pub fn write(&self, path: &Path, key: &FingerprintKey) -> Result<Summary> {
        let counts = lock(&self.counts);
        let entries: Vec<Entry> = counts
            .iter()
            .map(|((path, entity, fingerprint), count)| Entry {
                path: path.clone(),
                entity: *entity,
                fingerprint: fingerprint.clone(),
                count: *count,
            })
            .collect();
        let file = BaselineFile {
            piiscan_baseline: BASELINE_VERSION,
            key_id: key.id(),
            findings: entries.iter().map(|e| e.count).sum(),
            entries,
        };
        write_file(path, &file)?;
        Ok(Summary {
            entries: file.entries.len(),
            findings: file.findings,
        })
    }
}

/// How often an identity is known, and how often this scan met it.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    known: u64,
    seen: u64,
}

/// A loaded baseline, matching findings during a scan.
pub struct Baseline {
    path: PathBuf,
    mapper: PathMapper,
    file: BaselineFile,
    slots: Mutex<HashMap<Identity, Slot>>,
}

impl Baseline {
    /// Loads `path` and checks it was made with `key`.
    pub fn load(path: &Path, key: &FingerprintKey) -> Result<Arc<Baseline>> {
        let text =
            std::fs::read_to_string(path).map_err(|e| baseline_error(path, e.to_string()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| baseline_error(path, format!("not a piiscan baseline: {e}")))?;
        if file.piiscan_baseline != BASELINE_VERSION {
            return Err(baseline_error(
                path,
                format!(
                    "format version {} is not supported (this piiscan reads version {BASELINE_VERSION})",
                    file.piiscan_baseline
                ),
            ));
        }
        let id = key.id();
        if file.key_id != id {
            return Err(baseline_error(
                path,
                format!(
                    "made with fingerprint key id {}, but this scan uses key id {id} ({}); \
                     run with the key the baseline was made with (PIISCAN_KEY or --key-file), \
                     or create the baseline again",
                    file.key_id, key.origin
                ),
            ));
        }
        let mut slots: HashMap<Identity, Slot> = HashMap::with_capacity(file.entries.len());
        for e in &file.entries {
            if !is_fingerprint(&e.fingerprint) {
                return Err(baseline_error(
                    path,
                    format!("entry for {} has an invalid fingerprint", e.path),
                ));
            }
            slots
                .entry((e.path.clone(), e.entity, e.fingerprint.clone()))
                .or_default()
                .known += e.count;
        }
        Ok(Arc::new(Baseline {
            path: path.to_path_buf(),
            mapper: PathMapper::new(path)?,
            file,
            slots: Mutex::new(slots),
        }))
    }

    /// Counts the finding; true when it is one of the known occurrences.
    pub fn is_known(&self, f: &Finding) -> bool {
        let id = (self.mapper.map(&f.path), f.entity, f.fingerprint.clone());
        let mut slots = lock(&self.slots);
        match slots.get_mut(&id) {
            Some(slot) => {
                slot.seen += 1;
                slot.seen <= slot.known
            }
            None => false,
        }
    }

    /// A filter that drops known findings.
    pub fn filter(self: &Arc<Self>) -> FindingFilter {
        let b = Arc::clone(self);
        Arc::new(move |f: &Finding| !b.is_known(f))
    }

    /// Findings of this scan the baseline knew (and so did not report).
    pub fn known_seen(&self) -> u64 {
        lock(&self.slots)
            .values()
            .map(|s| s.seen.min(s.known))
            .sum()
    }

    /// `--update-baseline`: rewrites the file (atomically) without the
    /// occurrences that no longer exist. Only entries below the scanned
    /// `roots` are touched; new findings are not added. Returns the new
    /// summary and the occurrences removed; the file is not rewritten when
    /// nothing was removed.
    pub fn update(&self, roots: &[PathBuf]) -> Result<(Summary, u64)> {
        let root_keys: Vec<String> = roots
            .iter()
            .map(|r| self.mapper.map(&r.to_string_lossy()))
            .collect();
        let below_root = |path: &str| {
            root_keys.iter().any(|root| {
                root.is_empty()
                    || path == root
                    || path
                        .strip_prefix(root.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let slots = lock(&self.slots);
        let mut removed = 0;
        let mut entries = Vec::with_capacity(self.file.entries.len());
        // Each identity appears once in a file we wrote; should a hand-edited
        // one repeat it, the first entry takes the identity's whole count.
        let mut done = std::collections::HashSet::new();
        for e in &self.file.entries {
            let id = (e.path.clone(), e.entity, e.fingerprint.clone());
            if !done.insert(id.clone()) {
                continue;
            }
            let slot = slots.get(&id).copied().unwrap_or_default();
            let count = if below_root(&e.path) {
                slot.known.min(slot.seen)
            } else {
                slot.known
            };
            removed += slot.known - count;
            if count > 0 {
                entries.push(Entry { count, ..e.clone() });
            }
        }
        entries.sort();
        let file = BaselineFile {
            piiscan_baseline: BASELINE_VERSION,
            key_id: self.file.key_id.clone(),
            findings: entries.iter().map(|e| e.count).sum(),
            entries,
        };
        if removed > 0 {
            write_file(&self.path, &file)?;
        }
        Ok((
            Summary {
                entries: file.entries.len(),
                findings: file.findings,
            },
            removed,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Confidence};

    fn finding(path: &str, fingerprint: &str) -> Finding {
        Finding {
            entity: Entity::Email,
            rule: "email".into(),
            category: Category::Contact,
            path: path.into(),
            line: 1,
            column: 1,
            field: None,
            confidence: Confidence::High,
            masked: "x".into(),
            fingerprint: fingerprint.into(),
            fingerprint_bits: 0,
            value: "never@written.example".into(),
        }
    }

    #[test]
    fn multiplicity_and_key_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        let key = FingerprintKey::from_secret(b"k", "test");
        let fp = "0123456789abcdef0123456789abcdef";
        let rec = Recorder::new(&path).unwrap();
        rec.record(&finding("a.txt", fp));
        rec.record(&finding("a.txt", fp));
        let summary = rec.write(&path, &key).unwrap();
        assert_eq!(
            summary,
            Summary {
                entries: 1,
                findings: 2
            }
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("never@written"), "{text}");

        let b = Baseline::load(&path, &key).unwrap();
        let kept: Vec<bool> = (0..3).map(|_| !b.is_known(&finding("a.txt", fp))).collect();
        assert_eq!(kept, vec![false, false, true]);

        let other = FingerprintKey::from_secret(b"other", "test");
        let err = Baseline::load(&path, &other).err().unwrap().to_string();
        assert!(err.contains("key id"), "{err}");
    }

    #[test]
    fn update_prunes_only_below_the_roots() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        let key = FingerprintKey::from_secret(b"k", "test");
        let fp = "0123456789abcdef0123456789abcdef";
        let mapper = PathMapper::new(&path).unwrap();
        let a = mapper.map(&dir.path().join("in/a.txt").to_string_lossy());
        let b = mapper.map(&dir.path().join("out/b.txt").to_string_lossy());
        assert_eq!(a, "in/a.txt");
        let rec = Recorder::new(&path).unwrap();
        for p in [&a, &a, &b] {
            rec.record(&finding(&dir.path().join(p).to_string_lossy(), fp));
        }
        rec.write(&path, &key).unwrap();
        let base = Baseline::load(&path, &key).unwrap();
        base.is_known(&finding(&dir.path().join("in/a.txt").to_string_lossy(), fp));
        let (summary, removed) = base.update(&[dir.path().join("in")]).unwrap();
        assert_eq!(removed, 1);
        assert_eq!(
            summary,
            Summary {
                entries: 2,
                findings: 2
            }
        );
    }
}
