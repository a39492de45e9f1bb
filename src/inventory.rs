//! Aggregation of findings and file outcomes into the inventory: per file and
//! per entity counts, distinct counts, confidence and masked samples, plus
//! totals and what was skipped. Holds aggregates only, never the findings, so
//! its size depends on the number of files with findings, not on the data.

use crate::distinct::DistinctCounter;
use crate::finding::{Confidence, Entity, Finding};
use crate::scan::{FileOutcome, FileStatus, SkipReason};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Masked samples kept per file and entity.
pub const SAMPLES_PER_ENTITY: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct EntityStats {
    pub count: u64,
    pub distinct: DistinctCounter,
    /// The highest confidence seen.
    pub confidence: Option<Confidence>,
    pub samples: Vec<String>,
    /// Files holding this entity (totals only).
    pub files: u64,
}

impl EntityStats {
    pub fn add(&mut self, finding: &Finding) {
        self.count += 1;
        self.distinct.insert(finding.fingerprint_bits);
        self.confidence = self.confidence.max(Some(finding.confidence));
        if self.samples.len() < SAMPLES_PER_ENTITY && !self.samples.contains(&finding.masked) {
            self.samples.push(finding.masked.clone());
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FileEntry {
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub entities: BTreeMap<Entity, EntityStats>,
    /// Set when the file was not scanned to the end.
    pub partial: Option<(SkipReason, String)>,
}

impl FileEntry {
    /// Counts a finding of this file.
    pub fn add(&mut self, finding: &Finding) {
        self.entities
            .entry(finding.entity)
            .or_default()
            .add(finding);
    }

    pub fn findings(&self) -> u64 {
        self.entities.values().map(|s| s.count).sum()
    }
}

#[derive(Debug, Clone)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
    pub detail: String,
    /// True when part of the file was scanned before the stop.
    pub partial: bool,
}

#[derive(Debug, Clone)]
pub struct Inventory {
    pub roots: Vec<String>,
    pub started_at: SystemTime,
    pub duration: Duration,
    pub key_id: String,
    pub rules: usize,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files: BTreeMap<String, FileEntry>,
    pub totals: BTreeMap<Entity, EntityStats>,
    pub skipped: Vec<SkippedFile>,
}

impl Inventory {
    pub fn new(roots: Vec<String>, key_id: String, rules: usize) -> Self {
        Inventory {
            roots,
            started_at: SystemTime::now(),
            duration: Duration::ZERO,
            key_id,
            rules,
            files_scanned: 0,
            bytes_scanned: 0,
            files: BTreeMap::new(),
            totals: BTreeMap::new(),
            skipped: Vec::new(),
        }
    }

    /// Adds one file: its outcome and, when it had findings, the per-entity
    /// statistics its scanning thread aggregated.
    pub fn add_file(&mut self, outcome: FileOutcome, entry: Option<FileEntry>) {
        if let Some(entry) = entry.filter(|e| !e.entities.is_empty()) {
            for (entity, stats) in &entry.entities {
                let total = self.totals.entry(*entity).or_default();
                total.count += stats.count;
                total.files += 1;
                total.distinct.merge(&stats.distinct);
                total.confidence = total.confidence.max(stats.confidence);
                for s in &stats.samples {
                    if total.samples.len() < SAMPLES_PER_ENTITY && !total.samples.contains(s) {
                        total.samples.push(s.clone());
                    }
                }
            }
            self.files.insert(outcome.path.clone(), entry);
        }
        self.add_outcome(outcome);
    }

    fn add_outcome(&mut self, outcome: FileOutcome) {
        let scanned = !matches!(outcome.status, FileStatus::Skipped { .. });
        if scanned {
            self.files_scanned += 1;
            self.bytes_scanned += outcome.bytes_scanned;
        }
        if let Some(entry) = self.files.get_mut(&outcome.path) {
            entry.size = outcome.size;
            entry.modified = outcome.modified;
            if let FileStatus::Partial { reason, detail } = &outcome.status {
                entry.partial = Some((*reason, detail.clone()));
            }
        }
        match outcome.status {
            FileStatus::Complete => {}
            FileStatus::Partial { reason, detail } => self.skipped.push(SkippedFile {
                path: outcome.path,
                reason,
                detail,
                partial: true,
            }),
            FileStatus::Skipped { reason, detail } => self.skipped.push(SkippedFile {
                path: outcome.path,
                reason,
                detail,
                partial: false,
            }),
        }
    }

    /// Sorts what arrived in thread order into a stable order.
    pub fn finish(&mut self, duration: Duration) {
        self.duration = duration;
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }

    pub fn total_findings(&self) -> u64 {
        self.totals.values().map(|s| s.count).sum()
    }

    pub fn skipped_by_reason(&self) -> BTreeMap<SkipReason, u64> {
        let mut by = BTreeMap::new();
        for s in &self.skipped {
            *by.entry(s.reason).or_default() += 1;
        }
        by
    }

    /// Files with findings, most findings first.
    pub fn files_by_findings(&self) -> Vec<(&String, &FileEntry)> {
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort_by(|a, b| b.1.findings().cmp(&a.1.findings()).then(a.0.cmp(b.0)));
        files
    }
}
