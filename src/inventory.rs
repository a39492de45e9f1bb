//! Aggregation of findings and file outcomes into the inventory: per file and
//! per entity counts, distinct counts, confidence and masked samples, plus
//! totals and what was skipped. Holds aggregates only, never the findings, so
//! its size depends on the number of files with findings, not on the data.

use crate::columns::{TableProfile, Verdict, column_verdict};
use crate::distinct::DistinctCounter;
use crate::finding::{Confidence, Entity, Finding};
use crate::redact::mask_into;
use crate::scan::{FileOutcome, FileStatus, SkipReason};
use crate::structured::{DocumentProfile, SqlProfile};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

/// Masked samples kept per file and entity.
pub const SAMPLES_PER_ENTITY: usize = 3;

/// One masked sample. Most are short (`i***@t***.nl`, `NL47************02`)
/// and kept in place of the pointer: every entity of every file keeps up to
/// three, and allocating each made the most allocations of a scan of many
/// small files.
pub type Sample = compact_str::CompactString;

/// The masked samples of one statistic, first seen first.
pub type Samples = arrayvec::ArrayVec<Sample, SAMPLES_PER_ENTITY>;

#[derive(Debug, Clone, Default)]
pub struct EntityStats {
    pub count: u64,
    pub distinct: DistinctCounter,
    /// The highest confidence seen.
    pub confidence: Option<Confidence>,
    pub samples: Samples,
    /// Files holding this entity (totals only).
    pub files: u64,
}

impl EntityStats {
    pub fn add(&mut self, finding: &Finding) {
        self.add_masking_once(finding, &mut MaskedOnce::default());
    }

    /// Counts `finding`; its masked form is made from the value only while
    /// samples are wanted, once for every statistic the finding counts in
    /// (`masked` keeps it between those calls).
    fn add_masking_once(&mut self, finding: &Finding, masked: &mut MaskedOnce) {
        self.count += 1;
        self.distinct.insert(finding.fingerprint_bits);
        self.confidence = self.confidence.max(Some(finding.confidence));
        if !self.samples.is_full() {
            masked.sample_into(finding, &mut self.samples);
        }
    }

    /// Adds the counts of `other` (a union of distinct values; samples kept
    /// in order, `self`'s first).
    pub fn absorb(&mut self, other: &EntityStats) {
        self.count += other.count;
        self.distinct.merge(&other.distinct);
        self.confidence = self.confidence.max(other.confidence);
        for s in &other.samples {
            if !self.samples.is_full() && !self.samples.contains(s) {
                self.samples.push(s.clone());
            }
        }
    }
}

/// Statistics per entity, in entity order. A file or field holds a few
/// entities; a B-tree node has room for eleven (a kilobyte for each file
/// of an inventory).
#[derive(Debug, Clone, Default)]
pub struct EntityMap(Vec<(Entity, EntityStats)>);

type EntityMapIter<'a> = std::iter::Map<
    std::slice::Iter<'a, (Entity, EntityStats)>,
    fn(&'a (Entity, EntityStats)) -> (&'a Entity, &'a EntityStats),
>;

impl EntityMap {
    pub const fn new() -> EntityMap {
        EntityMap(Vec::new())
    }

    /// The statistics of `entity`, added (empty) when missing.
    pub fn get_or_default(&mut self, entity: Entity) -> &mut EntityStats {
        let at = match self.0.binary_search_by_key(&entity, |(e, _)| *e) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (entity, EntityStats::default()));
                at
            }
        };
        &mut self.0[at].1
    }

    pub fn get(&self, entity: &Entity) -> Option<&EntityStats> {
        self.0
            .binary_search_by_key(entity, |(e, _)| *e)
            .ok()
            .map(|at| &self.0[at].1)
    }

    pub fn contains_key(&self, entity: &Entity) -> bool {
        self.get(entity).is_some()
    }

    pub fn iter(&self) -> EntityMapIter<'_> {
        self.0.iter().map(|(e, s)| (e, s))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Entity> {
        self.0.iter().map(|(e, _)| e)
    }

    pub fn values(&self) -> impl Iterator<Item = &EntityStats> {
        self.0.iter().map(|(_, s)| s)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Gives back the room kept for more entities: for an inventory that
    /// keeps the map to the end.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl<'a> IntoIterator for &'a EntityMap {
    type Item = (&'a Entity, &'a EntityStats);
    type IntoIter = EntityMapIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Findings per field name; in no order (reports sort the names).
pub type FieldMap = HashMap<String, EntityMap, foldhash::fast::RandomState>;

#[derive(Debug, Clone, Default)]
pub struct FileEntry {
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// What `modified` is: a file time or a message's date.
    pub dated: crate::scan::Dated,
    pub entities: EntityMap,
    /// Findings per field (CSV column, JSON path, SQL `table.column`).
    /// Hashed (with foldhash): looked up for every finding of a table,
    /// where a B-tree compared the name with several others each time.
    pub fields: FieldMap,
    /// Rows and columns, for delimited tables.
    /// (The profiles are boxed: most files have none, and an inventory
    /// keeps an entry for every file holding personal data.)
    pub table: Option<Box<TableProfile>>,
    /// Records and fields, for JSON, NDJSON and XML.
    pub document: Option<Box<DocumentProfile>>,
    /// Rows per table and columns, for SQL dumps.
    pub sql: Option<Box<SqlProfile>>,
    /// Set when the file was not scanned to the end.
    pub partial: Option<(SkipReason, String)>,
}

/// One column or field of a file in the inventory: what it holds and how
/// sure piiscan is.
#[derive(Debug, Clone)]
pub struct FieldSummary<'a> {
    pub name: &'a str,
    /// 0-based column, for tables.
    pub column: Option<usize>,
    /// Rows of the table (not known for JSON and SQL fields).
    pub rows: Option<u64>,
    /// Non-blank values (not known for JSON and SQL fields).
    pub non_empty: Option<u64>,
    /// Findings per entity in this field.
    pub entities: Option<&'a EntityMap>,
    /// The entity the header names, with the distinct values and samples
    /// counted for header-only entities.
    pub header_entity: Option<Entity>,
    pub header_values: Option<&'a EntityStats>,
    pub verdict: Option<Verdict>,
    /// For date-like columns: the oldest and newest dates (record ages).
    pub dates: Option<crate::columns::DateRange>,
}

/// One row of a file's inventory, as the inventory CSV and the HTML page
/// list them: an entity in a field (found in its values, or named by its
/// header), or an entity's findings outside every field.
#[derive(Debug, Clone)]
pub struct LocationRow<'a> {
    /// `None` for findings outside every field (text, logs).
    pub field: Option<FieldSummary<'a>>,
    pub entity: Entity,
    pub stats: &'a EntityStats,
    /// The findings of this row: the statistics' count in a field; outside
    /// every field, what the fields leave of the file's count.
    pub count: u64,
    /// `values` (findings) or `header` (named by the column header).
    pub source: &'static str,
}

impl FieldSummary<'_> {
    /// The share of non-blank values holding `entity`, when known.
    pub fn share(&self, count: u64) -> Option<f64> {
        self.non_empty
            .filter(|&n| n > 0)
            .map(|n| (count as f64 / n as f64).min(1.0))
    }
}

static NO_ENTITIES: EntityMap = EntityMap::new();

thread_local! {
    /// Where the findings a thread counts are masked: most masked values
    /// are not kept as samples, and those that are get a string of their
    /// own length.
    static MASKED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Whether a finding's masked form is in the thread's buffer: it is made
/// at most once, for the first statistic that wants a sample.
#[derive(Default)]
struct MaskedOnce {
    made: bool,
}

impl MaskedOnce {
    /// Adds the masked form of `finding` to `samples` unless it is there.
    fn sample_into(&mut self, finding: &Finding, samples: &mut Samples) {
        MASKED.with_borrow_mut(|masked| {
            if !self.made {
                mask_into(finding.entity, &finding.value, masked);
                self.made = true;
            }
            if !samples.is_full() && !samples.iter().any(|s| s == masked.as_str()) {
                samples.push(Sample::new(masked.as_str()));
            }
        });
    }
}

impl FileEntry {
    /// Counts a finding of this file.
    pub fn add(&mut self, finding: &Finding) {
        let mut masked = MaskedOnce::default();
        self.entities
            .get_or_default(finding.entity)
            .add_masking_once(finding, &mut masked);
        if let Some(field) = &finding.field {
            let per_field = match self.fields.get_mut(field) {
                Some(f) => f,
                None => self.fields.entry(field.clone()).or_default(),
            };
            per_field
                .get_or_default(finding.entity)
                .add_masking_once(finding, &mut masked);
        }
    }

    pub fn findings(&self) -> u64 {
        self.entities.values().map(|s| s.count).sum()
    }

    /// The oldest and newest record dates over the date-like columns, with
    /// the column that holds the oldest.
    pub fn record_dates(&self) -> Option<(crate::columns::DateRange, String)> {
        let mut all = crate::columns::DateRange::default();
        let mut oldest_column = String::new();
        for f in self.field_summaries() {
            let Some(d) = f.dates else { continue };
            if d.oldest.is_some() && (all.oldest.is_none() || d.oldest < all.oldest) {
                oldest_column = f.name.to_string();
            }
            all.merge(&d);
        }
        (all.dated > 0).then_some((all, oldest_column))
    }

    /// True when the file holds personal data: findings, or a table column
    /// whose header names personal data and which has values.
    pub fn holds_personal_data(&self) -> bool {
        // Pattern entities need matching values; a header alone names only
        // what no rule can find (names, addresses, free text).
        let has_named_column = |c: &crate::columns::ColumnProfile| {
            c.header_entity.is_some_and(Entity::is_header_only) && c.non_empty > 0
        };
        !self.entities.is_empty()
            || self
                .table
                .as_ref()
                .is_some_and(|t| t.columns.iter().any(has_named_column))
            || self
                .document
                .as_ref()
                .is_some_and(|d| d.fields.iter().any(has_named_column))
            || self
                .sql
                .as_deref()
                .and_then(SqlProfile::counts)
                .is_some_and(|c| c.fields.iter().any(has_named_column))
    }

    /// How many of the file's fields hold personal data (have a verdict).
    pub fn personal_fields(&self) -> usize {
        self.field_summaries()
            .iter()
            .filter(|f| f.verdict.is_some())
            .count()
    }

    /// Summaries of profiled fields (JSON paths, SQL columns) by name;
    /// `rows` gives the record count a field's name belongs to.
    fn push_profiled<'a>(
        &'a self,
        out: &mut Vec<FieldSummary<'a>>,
        fields: &'a [crate::columns::ColumnProfile],
        rows: impl Fn(&str) -> Option<u64>,
    ) {
        let mut fields: Vec<&crate::columns::ColumnProfile> = fields.iter().collect();
        fields.sort_by(|a, b| a.name.cmp(&b.name));
        for c in fields {
            let entities = self.fields.get(&c.name);
            out.push(FieldSummary {
                name: &c.name,
                column: None,
                rows: rows(&c.name),
                non_empty: Some(c.non_empty),
                entities,
                header_entity: c.header_entity,
                header_values: c.header_values.as_ref(),
                verdict: column_verdict(
                    c.header_entity,
                    entities.unwrap_or(&NO_ENTITIES),
                    Some(c.non_empty),
                ),
                dates: c.dates.filter(|d| d.dated > 0),
            });
        }
    }

    /// The rows of this file's inventory: per field its entities (those a
    /// header names after those found), then each entity's findings
    /// outside every field, where the fields do not hold them all.
    pub fn location_rows(&self) -> Vec<LocationRow<'_>> {
        let mut rows = Vec::new();
        let mut in_fields: BTreeMap<Entity, u64> = BTreeMap::new();
        for f in self.field_summaries() {
            let mut found: Vec<(Entity, &EntityStats, &'static str)> = f
                .entities
                .into_iter()
                .flatten()
                .map(|(e, s)| (*e, s, "values"))
                .collect();
            if let (Some(e), Some(values)) = (f.header_entity, f.header_values)
                && values.count > 0
                && !found.iter().any(|(x, _, _)| *x == e)
            {
                found.push((e, values, "header"));
            }
            for (entity, stats, source) in found {
                if source == "values" {
                    *in_fields.entry(entity).or_default() += stats.count;
                }
                rows.push(LocationRow {
                    field: Some(f.clone()),
                    entity,
                    stats,
                    count: stats.count,
                    source,
                });
            }
        }
        for (entity, stats) in &self.entities {
            let rest = stats
                .count
                .saturating_sub(in_fields.get(entity).copied().unwrap_or(0));
            if rest > 0 {
                rows.push(LocationRow {
                    field: None,
                    entity: *entity,
                    stats,
                    count: rest,
                    source: "values",
                });
            }
        }
        rows
    }

    /// Every column of a table in order, then fields known only from
    /// findings (JSON paths, SQL columns) by name.
    pub fn field_summaries(&self) -> Vec<FieldSummary<'_>> {
        let mut out = Vec::new();
        if let Some(table) = &self.table {
            for (i, c) in table.columns.iter().enumerate() {
                let entities = self.fields.get(&c.name);
                let verdict = column_verdict(
                    c.header_entity.filter(|_| c.non_empty > 0),
                    entities.unwrap_or(&NO_ENTITIES),
                    Some(c.non_empty),
                );
                out.push(FieldSummary {
                    name: &c.name,
                    column: Some(i),
                    rows: Some(table.rows()),
                    non_empty: Some(c.non_empty),
                    entities,
                    header_entity: c.header_entity,
                    header_values: c.header_values.as_ref(),
                    verdict,
                    dates: c.dates.filter(|d| d.dated > 0),
                });
            }
        }
        if let Some(document) = &self.document {
            self.push_profiled(&mut out, &document.fields, |_| document.records);
        }
        if let Some(counts) = self.sql.as_deref().and_then(SqlProfile::counts) {
            self.push_profiled(&mut out, &counts.fields, |name| {
                let table = name.split('.').next().unwrap_or("");
                counts.rows.get(table).copied()
            });
        }
        let mut unprofiled: Vec<(&String, &EntityMap)> = self.fields.iter().collect();
        unprofiled.sort_unstable_by_key(|(name, _)| *name);
        for (name, entities) in unprofiled {
            let profiled = self
                .table
                .as_ref()
                .is_some_and(|t| t.columns.iter().any(|c| &c.name == name))
                || self
                    .document
                    .as_ref()
                    .is_some_and(|d| d.fields.iter().any(|c| &c.name == name))
                || self
                    .sql
                    .as_deref()
                    .and_then(SqlProfile::counts)
                    .is_some_and(|c| c.fields.iter().any(|f| &f.name == name));
            if profiled {
                continue;
            }
            // The last segment of a path names the value: `klant.email`,
            // `Klant/Email`, `Voertuig/@kenteken`.
            let last = name.rsplit(['.', ']', '/', '@']).next().unwrap_or(name);
            let header_entity = crate::columns::classify_header(last);
            out.push(FieldSummary {
                name,
                column: None,
                rows: None,
                non_empty: None,
                entities: Some(entities),
                header_entity,
                header_values: None,
                verdict: column_verdict(header_entity, entities, None),
                dates: None,
            });
        }
        out
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

/// Takes each file's entry as the inventory is given it, for a report that
/// writes entries out as they come instead of holding them all.
pub trait EntrySink: std::fmt::Debug + Send {
    /// `entry` (its size and modification time set) of the file at `path`,
    /// with its locations past their retention policy when the scan has
    /// one (`None` without).
    fn entry(
        &mut self,
        path: &str,
        entry: &FileEntry,
        overdue: Option<&[crate::retention::Overdue]>,
    );
}

/// An [`EntrySink`] shared by the inventory and the report that reads what
/// it took.
pub type SharedEntrySink = std::sync::Arc<std::sync::Mutex<dyn EntrySink>>;

/// Which per-file entries an inventory keeps.
#[derive(Debug, Clone)]
pub enum FileKeeping {
    /// Every file's entry, for reports that list files and columns.
    All,
    /// None, and no list of skipped files (they are counted by reason):
    /// for reports that show findings and totals.
    Nothing,
    /// What a summary lists, however many files a scan reads: the
    /// `most_findings` files with most findings, the first files in path
    /// order that hold personal fields, as many as fill `field_lines` lines
    /// of a listing that gives each such file one line and each of its
    /// personal fields one more, and of the files not fully scanned the
    /// first `skipped_examples` in path order for each reason (all are
    /// counted).
    Summary {
        most_findings: usize,
        field_lines: usize,
        skipped_examples: usize,
    },
    /// Every entry goes to the sink as it comes and none is kept; every
    /// skipped file is listed, and the totals' samples are those of the
    /// first files in path order, as with [`FileKeeping::All`].
    Streamed(SharedEntrySink),
}

/// Which entries [`FileKeeping::Summary`] still needs, and why.
#[derive(Debug, Clone, Default)]
struct SummaryLists {
    most_findings: usize,
    field_lines: usize,
    /// The files with most findings, most first, then by path.
    top: BTreeSet<(Reverse<u64>, String)>,
    /// The first files in path order that hold personal fields, with the
    /// lines each takes in the listing (one, plus one per field).
    first_with_fields: BTreeMap<String, usize>,
    /// The lines of `first_with_fields` together.
    lines: usize,
    /// Per entity, the samples of the first files in path order that hold
    /// it: enough files for [`SAMPLES_PER_ENTITY`] distinct samples.
    first_samples: BTreeMap<Entity, BTreeMap<String, Samples>>,
}

impl SummaryLists {
    /// Takes in a file with `findings` and `fields` personal fields;
    /// returns whether its entry is needed now, and the paths of entries
    /// no longer needed (evicted from every list).
    fn offer(
        &mut self,
        path: &str,
        findings: u64,
        fields: usize,
        evicted: &mut Vec<String>,
    ) -> bool {
        let mut dropped: Vec<String> = Vec::new();
        if findings > 0 && self.most_findings > 0 {
            self.top.insert((Reverse(findings), path.to_string()));
            if self.top.len() > self.most_findings
                && let Some((_, last)) = self.top.pop_last()
            {
                dropped.push(last);
            }
        }
        if fields > 0 && self.field_lines > 0 {
            if let Some(before) = self.first_with_fields.insert(path.to_string(), 1 + fields) {
                self.lines -= before;
            }
            self.lines += 1 + fields;
            // A file whose lines all come after the first `field_lines` is
            // not listed.
            while let Some((last, &n)) = self.first_with_fields.last_key_value() {
                if self.lines - n < self.field_lines {
                    break;
                }
                self.lines -= n;
                let last = last.clone();
                self.first_with_fields.remove(&last);
                dropped.push(last);
            }
        }
        for gone in dropped {
            if gone != path && !self.needs(&gone) {
                evicted.push(gone);
            }
        }
        self.needs(path)
    }

    fn needs(&self, path: &str) -> bool {
        self.first_with_fields.contains_key(path) || self.top.iter().any(|(_, p)| p == path)
    }

    /// Takes in the samples of a file's entities.
    fn offer_samples(&mut self, path: &str, entry: &FileEntry) {
        for (entity, stats) in &entry.entities {
            if stats.samples.is_empty() {
                continue;
            }
            let files = self.first_samples.entry(*entity).or_default();
            // Past the files that already hold enough: not needed (the
            // common case, once the first files by path have come).
            if files
                .last_key_value()
                .is_some_and(|(last, _)| path > last.as_str())
                && enough_samples(files.values())
            {
                continue;
            }
            files.insert(path.to_string(), stats.samples.clone());
            // The last file is not needed when those before it hold enough.
            while let Some(last) = files.keys().next_back().filter(|_| files.len() > 1) {
                let before = files.range::<String, _>(..last).map(|(_, s)| s);
                if !enough_samples(before) {
                    break;
                }
                let last = last.clone();
                files.remove(&last);
            }
        }
    }
}

/// Whether `files`' samples hold [`SAMPLES_PER_ENTITY`] distinct ones.
fn enough_samples<'a>(files: impl Iterator<Item = &'a Samples>) -> bool {
    let mut distinct: arrayvec::ArrayVec<&Sample, SAMPLES_PER_ENTITY> = arrayvec::ArrayVec::new();
    for s in files.flatten() {
        if !distinct.contains(&s) && distinct.try_push(s).is_err() {
            return true;
        }
    }
    distinct.is_full()
}

/// The first [`SAMPLES_PER_ENTITY`] distinct samples of `files`' samples,
/// in the order given.
fn first_distinct_samples<'a>(files: impl Iterator<Item = &'a Samples>) -> Samples {
    let mut samples = Samples::new();
    for s in files.flatten() {
        if samples.is_full() {
            break;
        }
        if !samples.contains(s) {
            samples.push(s.clone());
        }
    }
    samples
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
    /// The files holding personal data, by path: every one, or those
    /// [`FileKeeping`] keeps.
    pub files: BTreeMap<String, FileEntry>,
    /// Files with findings, kept or not.
    pub files_with_findings: u64,
    /// Files with fields (columns, JSON paths, SQL columns) that hold
    /// personal data, kept or not, and those fields together.
    pub files_with_personal_fields: u64,
    pub personal_fields: u64,
    pub totals: BTreeMap<Entity, EntityStats>,
    /// The files not fully scanned: every one, or as many per reason as
    /// [`FileKeeping::Summary`] keeps.
    pub skipped: Vec<SkippedFile>,
    /// Files not fully scanned, by reason, kept or not.
    skipped_counts: BTreeMap<SkipReason, u64>,
    /// Locations past their retention policy; `None` without policies.
    pub overdue: Option<crate::retention::OverdueList>,
    /// The policy each file is judged by as it is added, and the time it
    /// is judged at (see [`Inventory::judge_retention`]).
    retention: Option<(
        std::sync::Arc<crate::retention::RetentionPolicy>,
        SystemTime,
    )>,
    /// The scan was stopped (Ctrl-C) before it reached every file.
    pub incomplete: bool,
    keeping: FileKeeping,
    summary: SummaryLists,
}

impl Inventory {
    pub fn new(roots: Vec<String>, key_id: String, rules: usize) -> Self {
        Inventory::keeping(roots, key_id, rules, FileKeeping::All)
    }

    /// An inventory that keeps the per-file entries `keeping` says.
    pub fn keeping(roots: Vec<String>, key_id: String, rules: usize, keeping: FileKeeping) -> Self {
        let summary = match keeping {
            FileKeeping::Summary {
                most_findings,
                field_lines,
                ..
            } => SummaryLists {
                most_findings,
                field_lines,
                ..SummaryLists::default()
            },
            _ => SummaryLists::default(),
        };
        Inventory {
            roots,
            started_at: SystemTime::now(),
            duration: Duration::ZERO,
            key_id,
            rules,
            files_scanned: 0,
            bytes_scanned: 0,
            files: BTreeMap::new(),
            files_with_findings: 0,
            files_with_personal_fields: 0,
            personal_fields: 0,
            totals: BTreeMap::new(),
            skipped: Vec::new(),
            skipped_counts: BTreeMap::new(),
            overdue: None,
            retention: None,
            incomplete: false,
            keeping,
            summary,
        }
    }

    /// Judges every file added from now on by `policy`, as it comes: the
    /// locations past it are gathered in [`Inventory::overdue`], so no
    /// file's entry has to be kept for the judgement.
    pub fn judge_retention(&mut self, policy: std::sync::Arc<crate::retention::RetentionPolicy>) {
        self.retention = Some((policy, SystemTime::now()));
        self.overdue.get_or_insert_with(Default::default);
    }

    /// Adds one file: its outcome and, when it had findings, the per-entity
    /// statistics its scanning thread aggregated. The totals take in every
    /// file; its entry is kept as the inventory's [`FileKeeping`] says.
    pub fn add_file(&mut self, outcome: FileOutcome, entry: Option<Box<FileEntry>>) {
        if let Some(mut entry) = entry.filter(|e| e.holds_personal_data()) {
            entry.size = outcome.size;
            entry.modified = outcome.modified;
            entry.dated = outcome.dated;
            let judged = match (&self.retention, &mut self.overdue) {
                (Some((policy, now)), Some(overdue)) => {
                    Some(overdue.judge(&outcome.path, &entry, policy, *now))
                }
                _ => None,
            };
            for (entity, stats) in &entry.entities {
                let total = self.totals.entry(*entity).or_default();
                total.absorb(stats);
                total.files += 1;
            }
            let findings = entry.findings();
            let fields = entry.personal_fields();
            self.files_with_findings += u64::from(findings > 0);
            self.files_with_personal_fields += u64::from(fields > 0);
            self.personal_fields += fields as u64;
            let keep = match &self.keeping {
                FileKeeping::All => true,
                FileKeeping::Nothing => false,
                FileKeeping::Streamed(sink) => {
                    self.summary.offer_samples(&outcome.path, &entry);
                    let overdue = judged.as_deref();
                    // A poisoned lock means the report's thread panicked;
                    // the scan goes on, and the report says why it failed.
                    if let Ok(mut sink) = sink.lock() {
                        sink.entry(&outcome.path, &entry, overdue);
                    }
                    self.add_outcome(outcome);
                    return;
                }
                FileKeeping::Summary { .. } => {
                    let mut evicted = Vec::new();
                    let keep = self
                        .summary
                        .offer(&outcome.path, findings, fields, &mut evicted);
                    for path in evicted {
                        self.files.remove(&path);
                    }
                    keep
                }
            };
            if keep {
                self.files.insert(outcome.path.clone(), *entry);
            }
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
            entry.dated = outcome.dated;
            if let FileStatus::Partial { reason, detail } = &outcome.status {
                entry.partial = Some((*reason, detail.clone()));
            }
        }
        let (reason, detail, partial) = match outcome.status {
            FileStatus::Complete => return,
            FileStatus::Partial { reason, detail } => (reason, detail, true),
            FileStatus::Skipped { reason, detail } => (reason, detail, false),
        };
        let count = self.skipped_counts.entry(reason).or_default();
        *count += 1;
        let examples = match self.keeping {
            FileKeeping::All | FileKeeping::Streamed(_) => usize::MAX,
            FileKeeping::Nothing => 0,
            FileKeeping::Summary {
                skipped_examples, ..
            } => skipped_examples,
        };
        if examples == 0 {
            return;
        }
        self.skipped.push(SkippedFile {
            path: outcome.path,
            reason,
            detail,
            partial,
        });
        if *count > examples as u64 {
            // One too many of this reason: the last in path order goes.
            let last_of_reason = self
                .skipped
                .iter()
                .enumerate()
                .filter(|(_, s)| s.reason == reason)
                .max_by(|(_, a), (_, b)| a.path.cmp(&b.path))
                .map(|(at, _)| at);
            if let Some(at) = last_of_reason {
                self.skipped.swap_remove(at);
            }
        }
    }

    /// Sorts what arrived in thread order into a stable order.
    pub fn finish(&mut self, duration: Duration) {
        self.duration = duration;
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(overdue) = &mut self.overdue {
            overdue.sort();
        }
        // Total samples come from the files in path order, not arrival
        // order, so every run (and every merge of shards) picks the same.
        // Without every file's entry (or its samples) the samples stay in
        // arrival order.
        match &self.keeping {
            FileKeeping::All => {
                for (entity, total) in self.totals.iter_mut() {
                    total.samples = first_distinct_samples(
                        self.files
                            .values()
                            .filter_map(|entry| entry.entities.get(entity))
                            .map(|e| &e.samples),
                    );
                }
            }
            FileKeeping::Streamed(_) => {
                for (entity, total) in self.totals.iter_mut() {
                    if let Some(files) = self.summary.first_samples.get(entity) {
                        total.samples = first_distinct_samples(files.values());
                    }
                }
            }
            FileKeeping::Nothing | FileKeeping::Summary { .. } => {}
        }
    }

    pub fn total_findings(&self) -> u64 {
        self.totals.values().map(|s| s.count).sum()
    }

    /// Files not fully scanned, by reason.
    pub fn skipped_by_reason(&self) -> BTreeMap<SkipReason, u64> {
        self.skipped_counts.clone()
    }

    /// Files not fully scanned (also those not kept in `skipped`).
    pub fn skipped_count(&self) -> u64 {
        self.skipped_counts.values().sum()
    }

    /// Files with findings, most findings first.
    pub fn files_by_findings(&self) -> Vec<(&String, &FileEntry)> {
        let mut files: Vec<_> = self
            .files
            .iter()
            .filter(|(_, e)| e.findings() > 0)
            .collect();
        files.sort_by(|a, b| b.1.findings().cmp(&a.1.findings()).then(a.0.cmp(b.0)));
        files
    }
}

#[cfg(test)]
mod entity_map_tests {
    use super::*;

    /// Entities kept in entity order whatever order they arrive in, as a
    /// B-tree map keeps them.
    #[test]
    fn entities_are_kept_in_entity_order() {
        let arrivals = [
            Entity::Vin,
            Entity::Email,
            Entity::Phone,
            Entity::Email,
            Entity::Bsn,
            Entity::IpAddress,
            Entity::Vin,
        ];
        let mut map = EntityMap::new();
        let mut expected: BTreeMap<Entity, u64> = BTreeMap::new();
        for e in arrivals {
            map.get_or_default(e).count += 1;
            *expected.entry(e).or_default() += 1;
        }
        let kept: Vec<(Entity, u64)> = map.iter().map(|(e, s)| (*e, s.count)).collect();
        let wanted: Vec<(Entity, u64)> = expected.into_iter().collect();
        assert_eq!(kept, wanted);
        assert_eq!(map.len(), 5);
        assert_eq!(map.get(&Entity::Email).map(|s| s.count), Some(2));
        assert!(!map.contains_key(&Entity::Iban));
        assert!(EntityMap::new().is_empty());
    }

    #[test]
    fn a_file_s_rows_count_what_its_fields_leave_outside_them() {
        // Five e-mail addresses, three of them in the field `klant.email`,
        // and a phone number in no field (a JSON export with free text).
        let mut entry = FileEntry::default();
        entry.entities.get_or_default(Entity::Email).count = 5;
        entry.entities.get_or_default(Entity::Phone).count = 1;
        let mut in_field = EntityMap::new();
        in_field.get_or_default(Entity::Email).count = 3;
        entry.fields.insert("klant.email".into(), in_field);
        let rows: Vec<(Option<&str>, Entity, u64)> = entry
            .location_rows()
            .iter()
            .map(|r| (r.field.as_ref().map(|f| f.name), r.entity, r.count))
            .collect();
        assert_eq!(
            rows,
            [
                (Some("klant.email"), Entity::Email, 3),
                (None, Entity::Email, 2),
                (None, Entity::Phone, 1),
            ]
        );
    }
}

#[cfg(test)]
mod keeping_tests {
    use super::*;

    /// A file with `findings` e-mail addresses, `fields` of them in
    /// columns named like personal data.
    fn entry(findings: u64, fields: usize) -> Box<FileEntry> {
        let mut e = FileEntry::default();
        let stats = e.entities.get_or_default(Entity::Email);
        stats.count = findings;
        // Samples shared between files, so picking the first distinct
        // ones in path order matters.
        stats.samples = (0..findings.min(2))
            .map(|n| Sample::from(format!("s{}", (findings + n) % 4)))
            .collect();
        for name in ["email", "e_mail", "emailadres"].iter().take(fields) {
            let mut per_field = EntityMap::new();
            per_field.get_or_default(Entity::Email).count = 1;
            e.fields.insert((*name).to_string(), per_field);
        }
        Box::new(e)
    }

    /// What a sink was given: path, size and findings of each entry.
    #[derive(Debug, Default)]
    struct Taken(Vec<(String, u64, u64)>);

    impl EntrySink for Taken {
        fn entry(
            &mut self,
            path: &str,
            entry: &FileEntry,
            _: Option<&[crate::retention::Overdue]>,
        ) {
            self.0
                .push((path.to_string(), entry.size, entry.findings()));
        }
    }

    fn outcome(path: &str, status: FileStatus) -> FileOutcome {
        FileOutcome {
            status,
            ..FileOutcome::start(path.to_string(), 10, None)
        }
    }

    /// What arrives of one file: its findings and personal fields, or
    /// why it was skipped.
    enum Arrival {
        Found(u64, usize),
        Skipped(SkipReason),
    }

    /// Files of varied findings (with ties) and personal fields, and
    /// skipped files of two reasons, in a shuffled order.
    fn arrivals(seed: u64) -> Vec<(String, Arrival)> {
        let mut files = Vec::new();
        for i in 0..60u64 {
            let path = format!("d{}/f{:02}", i % 7, (i * 37) % 60);
            let arrival = match i % 5 {
                0 => Arrival::Skipped(SkipReason::Binary),
                1 if i % 2 == 0 => Arrival::Skipped(SkipReason::TooLarge),
                _ => Arrival::Found((i * 13) % 9, (i % 4) as usize),
            };
            files.push((path, arrival));
        }
        let mut state = seed;
        for i in (1..files.len()).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            files.swap(i, (state >> 33) as usize % (i + 1));
        }
        files
    }

    fn inventory(keeping: FileKeeping, seed: u64) -> Inventory {
        let mut inv = Inventory::keeping(vec![], "k".into(), 1, keeping);
        for (path, arrival) in arrivals(seed) {
            match arrival {
                Arrival::Found(findings, fields) => inv.add_file(
                    outcome(&path, FileStatus::Complete),
                    Some(entry(findings, fields)),
                ),
                Arrival::Skipped(reason) => inv.add_file(
                    outcome(
                        &path,
                        FileStatus::Skipped {
                            reason,
                            detail: String::new(),
                        },
                    ),
                    None,
                ),
            }
        }
        inv.finish(Duration::ZERO);
        inv
    }

    #[test]
    fn a_summary_keeps_what_its_lists_show_whatever_the_order() {
        let (most_findings, field_lines, skipped_examples) = (4, 9, 3);
        let summary = FileKeeping::Summary {
            most_findings,
            field_lines,
            skipped_examples,
        };
        let all = inventory(FileKeeping::All, 1);
        // The lists worked out from every entry.
        let mut ranked: Vec<(&String, &FileEntry)> =
            all.files.iter().filter(|(_, e)| e.findings() > 0).collect();
        ranked.sort_by(|a, b| b.1.findings().cmp(&a.1.findings()).then(a.0.cmp(b.0)));
        let mut wanted: BTreeSet<&String> =
            ranked.iter().take(most_findings).map(|f| f.0).collect();
        let mut lines = 0;
        for (path, e) in &all.files {
            let fields = e.personal_fields();
            if fields > 0 && lines < field_lines {
                wanted.insert(path);
                lines += 1 + fields;
            }
        }
        assert!(lines >= field_lines, "the listing of fields is cut short");
        let mut wanted_skipped: Vec<&str> = Vec::new();
        for reason in [SkipReason::Binary, SkipReason::TooLarge] {
            wanted_skipped.extend(
                all.skipped
                    .iter()
                    .filter(|s| s.reason == reason)
                    .take(skipped_examples)
                    .map(|s| s.path.as_str()),
            );
        }
        wanted_skipped.sort();

        for seed in [1, 2, 3, 99] {
            let kept = inventory(summary.clone(), seed);
            let kept_paths: BTreeSet<&String> = kept.files.keys().collect();
            assert_eq!(kept_paths, wanted, "seed {seed}");
            assert!(kept.files.len() < all.files.len());
            let skipped: Vec<&str> = kept.skipped.iter().map(|s| s.path.as_str()).collect();
            assert_eq!(skipped, wanted_skipped, "seed {seed}");
            // Counted whatever is kept.
            assert_eq!(kept.skipped_by_reason(), all.skipped_by_reason());
            assert_eq!(kept.skipped_count(), all.skipped.len() as u64);
            assert_eq!(kept.files_with_findings, ranked.len() as u64);
            assert_eq!(
                kept.files_with_personal_fields,
                all.files_with_personal_fields
            );
            assert_eq!(kept.personal_fields, all.personal_fields);
            assert_eq!(kept.totals.len(), all.totals.len());
            assert_eq!(kept.total_findings(), all.total_findings());
        }
        // Streamed: every entry to the sink, none kept, every skipped file
        // listed, and the totals' samples of the files in path order.
        let sink = std::sync::Arc::new(std::sync::Mutex::new(Taken::default()));
        let streamed = inventory(FileKeeping::Streamed(sink.clone()), 7);
        assert!(streamed.files.is_empty());
        let mut taken = sink.lock().unwrap().0.clone();
        taken.sort();
        let every: Vec<(String, u64, u64)> = all
            .files
            .iter()
            .map(|(p, e)| (p.clone(), e.size, e.findings()))
            .collect();
        assert_eq!(taken, every);
        assert_eq!(streamed.skipped.len(), all.skipped.len());
        let samples = |inv: &Inventory| -> Vec<Samples> {
            inv.totals.values().map(|t| t.samples.clone()).collect()
        };
        assert_eq!(samples(&streamed), samples(&all));
        assert!(samples(&all).iter().any(|s| s.len() == SAMPLES_PER_ENTITY));

        let nothing = inventory(FileKeeping::Nothing, 5);
        assert!(nothing.files.is_empty());
        assert!(nothing.skipped.is_empty());
        assert_eq!(nothing.skipped_by_reason(), all.skipped_by_reason());
        // Every skipped file and no entry (a SARIF log's notifications).
        let skipped_only = inventory(
            FileKeeping::Summary {
                most_findings: 0,
                field_lines: 0,
                skipped_examples: usize::MAX,
            },
            6,
        );
        assert!(skipped_only.files.is_empty());
        let paths = |inv: &Inventory| -> Vec<String> {
            inv.skipped.iter().map(|s| s.path.clone()).collect()
        };
        assert_eq!(paths(&skipped_only), paths(&all));
    }
}
