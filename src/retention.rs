//! Retention policies: how long each kind of personal data may be kept, and
//! which locations hold data past that ("overdue").
//!
//! A policy is a maximum age, from `[retention]` in `.piiscan.toml`: per path
//! glob (the first matching one wins), else per entity, else per category
//! (contact, identity, financial, vehicle, network), else the default. The
//! age of a location is the age of its records when the file has date-like
//! columns (`aanmaakdatum`, `laatste_bezoek`, `created_at`: the oldest record
//! date), and otherwise the age of the file (its modification time).

use crate::error::{Error, Result};
use crate::finding::{Category, Entity};
use crate::inventory::{FileEntry, Inventory};
use crate::scan::Dated;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// `[retention]` in `.piiscan.toml`. Durations are written like `2y`,
/// `18months`, `90d`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// The maximum age of any personal data without a more specific policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Maximum age per category: contact, identity, financial, vehicle, network.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, String>,
    /// Maximum age per entity (email, phone, person_name, iban, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entities: BTreeMap<String, String>,
    /// Maximum age for paths matching a glob (gitignore syntax); the first
    /// matching entry wins over entity, category and default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathPolicy>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathPolicy {
    pub glob: String,
    pub max_age: String,
}

/// Most `[[retention.paths]]` entries: each overdue location names its
/// policy by a 16-bit index (see [`OverdueList`]), and the entity, category
/// and default policies need room too.
const MAX_PATH_POLICIES: usize = 60_000;

/// A compiled policy set.
pub struct RetentionPolicy {
    default: Option<(Duration, String)>,
    categories: BTreeMap<Category, (Duration, String)>,
    entities: BTreeMap<Entity, (Duration, String)>,
    paths: Vec<(ignore::gitignore::Gitignore, Duration, String)>,
}

impl std::fmt::Debug for RetentionPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The compiled globs say nothing useful; their policies do.
        f.debug_struct("RetentionPolicy")
            .field("default", &self.default)
            .field("categories", &self.categories)
            .field("entities", &self.entities)
            .field(
                "paths",
                &self
                    .paths
                    .iter()
                    .map(|(_, d, rule)| (d, rule))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn duration(text: &str, what: &str) -> Result<(Duration, String)> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| Error::Config {
        path: ".piiscan.toml".into(),
        message: format!(
            "retention.{what}: `{text}` is not a duration (e.g. 2y, 18months, 90d): {e}"
        ),
    })?;
    Ok((d, text.trim().to_string()))
}

fn category(name: &str) -> Option<Category> {
    Some(match name {
        "contact" => Category::Contact,
        "identity" => Category::Identity,
        "financial" => Category::Financial,
        "vehicle" => Category::Vehicle,
        "network" => Category::Network,
        _ => return None,
    })
}

impl RetentionPolicy {
    /// Compiles `[retention]`; `None` when it sets no policy at all.
    pub fn compile(config: &RetentionConfig) -> Result<Option<RetentionPolicy>> {
        let bad = |message: String| Error::Config {
            path: ".piiscan.toml".into(),
            message,
        };
        let default = config
            .default
            .as_deref()
            .map(|d| duration(d, "default"))
            .transpose()?;
        let mut categories = BTreeMap::new();
        for (name, age) in &config.categories {
            let c = category(name).ok_or_else(|| {
                bad(format!(
                    "retention.categories: unknown category `{name}` (contact, identity, financial, vehicle, network)"
                ))
            })?;
            categories.insert(c, duration(age, &format!("categories.{name}"))?);
        }
        let mut entities = BTreeMap::new();
        for (name, age) in &config.entities {
            let e = Entity::parse(name)
                .ok_or_else(|| bad(format!("retention.entities: unknown entity `{name}`")))?;
            entities.insert(e, duration(age, &format!("entities.{name}"))?);
        }
        if config.paths.len() > MAX_PATH_POLICIES {
            return Err(bad(format!(
                "retention.paths: {} entries, more than the {MAX_PATH_POLICIES} a scan can tell apart",
                config.paths.len()
            )));
        }
        let mut paths = Vec::new();
        for p in &config.paths {
            let mut builder = ignore::gitignore::GitignoreBuilder::new("");
            builder
                .add_line(None, &p.glob)
                .map_err(|e| bad(format!("retention.paths: invalid glob `{}`: {e}", p.glob)))?;
            let matcher = builder
                .build()
                .map_err(|e| bad(format!("retention.paths: {e}")))?;
            let (d, text) = duration(&p.max_age, "paths.max_age")?;
            paths.push((matcher, d, format!("{text} for {}", p.glob)));
        }
        if default.is_none() && categories.is_empty() && entities.is_empty() && paths.is_empty() {
            return Ok(None);
        }
        Ok(Some(RetentionPolicy {
            default,
            categories,
            entities,
            paths,
        }))
    }

    /// The maximum age for `entity` at `path`, and the policy that set it.
    pub fn max_age(&self, path: &str, entity: Entity) -> Option<(Duration, String)> {
        // An archive member is judged by the archive's path as well.
        let outer = path.split('!').next().unwrap_or(path);
        for (matcher, d, text) in &self.paths {
            for p in [path, outer] {
                if matcher
                    .matched_path_or_any_parents(std::path::Path::new(p), false)
                    .is_ignore()
                {
                    return Some((*d, text.clone()));
                }
            }
        }
        if let Some((d, text)) = self.entities.get(&entity) {
            return Some((*d, format!("{text} for {entity}")));
        }
        let c = entity.category();
        if let Some((d, text)) = self.categories.get(&c) {
            return Some((*d, format!("{text} for {c} data")));
        }
        self.default
            .as_ref()
            .map(|(d, text)| (*d, format!("{text} (default)")))
    }
}

/// A location holding data past its policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Overdue {
    pub path: String,
    pub entity: Entity,
    /// The policy, e.g. `2y for contact data`.
    pub policy: String,
    pub max_age_days: u64,
    pub age_days: u64,
    /// What the age is based on: `records` (dates in a column) or `file`.
    pub basis: &'static str,
    /// The evidence in words.
    pub evidence: String,
}

const DAY: u64 = 86_400;

/// Every location past its policy, kept compact: a review of 200 000 files
/// can find a million overdue locations, and one [`Overdue`] each (three
/// strings) took hundreds of megabytes. Each judged file keeps its path and
/// what its age is based on once; each location keeps numbers only. The
/// [`Overdue`] of a location (its policy and evidence in words) is made
/// when a report asks for it.
#[derive(Debug, Clone, Default)]
pub struct OverdueList {
    files: Vec<JudgedFile>,
    locations: Vec<Location>,
    /// The policies (`2y for contact data`) and their maximum age in
    /// days: few, shared by locations.
    policies: Vec<(String, u64)>,
}

#[derive(Debug, Clone)]
struct JudgedFile {
    path: Box<str>,
    basis: AgeBasis,
    age_days: u64,
}

/// What a file's age is based on.
#[derive(Debug, Clone)]
enum AgeBasis {
    /// Dates in a column: the oldest and newest record's day.
    Records {
        oldest: i64,
        newest: i64,
        column: Box<str>,
    },
    /// The file's modification time, or the date of the e-mail message
    /// it is part of.
    File { modified: SystemTime, dated: Dated },
}

/// One entity of a judged file: eight bytes.
#[derive(Debug, Clone, Copy)]
struct Location {
    file: u32,
    policy: u16,
    entity: Entity,
}

impl OverdueList {
    pub fn len(&self) -> usize {
        self.locations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.locations.is_empty()
    }

    /// The locations in order (by path, then entity, once
    /// [`OverdueList::sort`] has run).
    pub fn iter(&self) -> impl Iterator<Item = Overdue> + '_ {
        self.locations.iter().map(|l| self.describe(l))
    }

    /// The locations of the file at `path`; the list must be sorted.
    /// Reports look each file up this way: a search of the whole list for
    /// every row made a page of 20 000 files with 120 000 overdue locations
    /// take 30 s instead of one.
    pub fn of_file(&self, path: &str) -> Vec<Overdue> {
        let path_of = |l: &Location| &*self.files[l.file as usize].path;
        let from = self.locations.partition_point(|l| path_of(l) < path);
        let to = from + self.locations[from..].partition_point(|l| path_of(l) == path);
        self.locations[from..to]
            .iter()
            .map(|l| self.describe(l))
            .collect()
    }

    /// Puts the locations in the order reports list them (and a merge of
    /// shards gives): by path, then entity.
    pub fn sort(&mut self) {
        let mut by_path: Vec<u32> = (0..self.files.len() as u32).collect();
        by_path.sort_unstable_by(|&a, &b| {
            self.files[a as usize]
                .path
                .cmp(&self.files[b as usize].path)
        });
        let mut rank = vec![0u32; self.files.len()];
        for (r, &file) in by_path.iter().enumerate() {
            rank[file as usize] = r as u32;
        }
        self.locations.sort_by(|a, b| {
            (rank[a.file as usize], a.entity.as_str())
                .cmp(&(rank[b.file as usize], b.entity.as_str()))
        });
    }

    /// Judges the file at `path` by `policy` at `now`: its entities past
    /// their policy are added, and also returned, as reports show them.
    pub fn judge(
        &mut self,
        path: &str,
        entry: &FileEntry,
        policy: &RetentionPolicy,
        now: SystemTime,
    ) -> Vec<Overdue> {
        let today = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| (d.as_secs() / DAY) as i64)
            .unwrap_or(0);
        let mut entities: Vec<Entity> = entry.entities.keys().copied().collect();
        for f in entry.field_summaries() {
            if let Some(v) = f.verdict
                && v.entity.is_header_only()
                && !entities.contains(&v.entity)
            {
                entities.push(v.entity);
            }
        }
        let (basis, age_days) = match entry.record_dates() {
            Some((range, column)) => {
                let Some(oldest) = range.oldest else {
                    return Vec::new();
                };
                let basis = AgeBasis::Records {
                    oldest,
                    newest: range.newest.unwrap_or(oldest),
                    column: column.into(),
                };
                (basis, (today - oldest).max(0) as u64)
            }
            None => {
                let Some(modified) = entry.modified else {
                    return Vec::new();
                };
                let age = now
                    .duration_since(modified)
                    .map(|d| d.as_secs() / DAY)
                    .unwrap_or(0);
                let dated = entry.dated;
                (AgeBasis::File { modified, dated }, age)
            }
        };
        let file = self.files.len() as u32;
        let first = self.locations.len();
        for entity in entities {
            let Some((max_age, rule)) = policy.max_age(path, entity) else {
                continue;
            };
            let max_age_days = max_age.as_secs() / DAY;
            if age_days <= max_age_days {
                continue;
            }
            let policy = match self.policies.iter().position(|(p, _)| *p == rule) {
                Some(at) => at,
                None => {
                    self.policies.push((rule, max_age_days));
                    self.policies.len() - 1
                }
            };
            // Never fails: the configuration holds fewer policies (see
            // MAX_PATH_POLICIES).
            let Ok(policy) = u16::try_from(policy) else {
                continue;
            };
            self.locations.push(Location {
                file,
                policy,
                entity,
            });
        }
        if self.locations.len() == first {
            return Vec::new();
        }
        self.files.push(JudgedFile {
            path: path.into(),
            basis,
            age_days,
        });
        self.locations[first..]
            .iter()
            .map(|l| self.describe(l))
            .collect()
    }

    fn describe(&self, l: &Location) -> Overdue {
        let file = &self.files[l.file as usize];
        let age = file.age_days;
        let (basis, evidence) = match &file.basis {
            AgeBasis::Records {
                oldest,
                newest,
                column,
            } => (
                "records",
                format!(
                    "records dated {} to {} (column {column}); the oldest is {age} days old",
                    crate::columns::format_day(*oldest),
                    crate::columns::format_day(*newest)
                ),
            ),
            AgeBasis::File { modified, dated } => {
                let day = crate::report::rfc3339(*modified);
                let day = day.split('T').next().unwrap_or_default();
                match dated {
                    Dated::Modified => {
                        ("file", format!("file last modified {day}, {age} days ago"))
                    }
                    Dated::Message => ("message", format!("message written {day}, {age} days ago")),
                }
            }
        };
        let (policy, max_age_days) = &self.policies[usize::from(l.policy)];
        Overdue {
            path: file.path.to_string(),
            entity: l.entity,
            policy: policy.clone(),
            max_age_days: *max_age_days,
            age_days: age,
            basis,
            evidence,
        }
    }
}

impl Serialize for OverdueList {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Every file x entity of the inventory past its policy, by path.
pub fn overdue(inventory: &Inventory, policy: &RetentionPolicy, now: SystemTime) -> OverdueList {
    let mut list = OverdueList::default();
    for (path, entry) in &inventory.files {
        list.judge(path, entry, policy, now);
    }
    list.sort();
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml_text: &str) -> RetentionPolicy {
        let config: RetentionConfig = toml::from_str(toml_text).unwrap();
        RetentionPolicy::compile(&config).unwrap().unwrap()
    }

    #[test]
    fn a_file_s_locations_are_found_in_the_path_ordered_list() {
        let p = policy("default = \"1d\"\n[entities]\niban = \"10y\"");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(20_000 * DAY);
        let entry = |age_days: u64, entities: &[Entity]| {
            let mut entry = FileEntry {
                modified: Some(now - Duration::from_secs(age_days * DAY)),
                ..FileEntry::default()
            };
            for e in entities {
                entry.entities.get_or_default(*e).count = 1;
            }
            entry
        };
        let mut list = OverdueList::default();
        // Judged in the order a scan's threads finish files.
        for (path, age, entities) in [
            ("c", 5000, &[Entity::Iban, Entity::Email][..]),
            ("b/x.csv", 3, &[Entity::Phone, Entity::Email][..]),
            ("a.csv", 2, &[Entity::Email][..]),
            ("fresh.csv", 0, &[Entity::Email][..]),
            ("b/x.csv.gz", 2, &[Entity::Email, Entity::Iban][..]),
        ] {
            let judged = list.judge(path, &entry(age, entities), &p, now);
            assert!(judged.iter().all(|o| o.path == path && o.age_days == age));
        }
        list.sort();
        let entities =
            |path| -> Vec<Entity> { list.of_file(path).iter().map(|o| o.entity).collect() };
        assert_eq!(entities("b/x.csv"), [Entity::Email, Entity::Phone]);
        assert_eq!(entities("a.csv"), [Entity::Email]);
        assert_eq!(entities("b/x.csv.gz"), [Entity::Email]);
        assert_eq!(entities("c"), [Entity::Email, Entity::Iban]);
        for absent in ["", "a", "b", "b/x", "d", "fresh.csv"] {
            assert!(entities(absent).is_empty(), "{absent}");
        }
        let all: Vec<(String, Entity)> = list.iter().map(|o| (o.path, o.entity)).collect();
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
        assert_eq!(all, sorted);
        assert_eq!(list.len(), 6);
        let iban = list.of_file("c").pop().unwrap();
        assert_eq!(iban.policy, "10y for iban");
        assert_eq!((iban.max_age_days, iban.basis), (3652, "file"));
        assert!(
            iban.evidence.ends_with("5000 days ago"),
            "{}",
            iban.evidence
        );
        assert!(OverdueList::default().of_file("a.csv").is_empty());
        // What keeps a review of a million locations small.
        assert!(std::mem::size_of::<Location>() <= 8);
    }

    #[test]
    fn the_most_specific_policy_wins() {
        let p = policy(
            r#"
            default = "5y"
            [categories]
            contact = "2y"
            financial = "7y"
            [entities]
            licence_plate = "3y"
            [[paths]]
            glob = "archive/**"
            max_age = "1y"
            "#,
        );
        let days = |path: &str, e: Entity| p.max_age(path, e).unwrap().0.as_secs() / DAY;
        assert_eq!(days("crm/a.csv", Entity::Email), 730);
        assert_eq!(days("crm/a.csv", Entity::PersonName), 730);
        assert_eq!(days("crm/a.csv", Entity::Iban), 2556);
        assert_eq!(days("crm/a.csv", Entity::LicencePlate), 1095);
        assert_eq!(days("crm/a.csv", Entity::Vin), 1826);
        assert_eq!(days("archive/x.zip!/m.csv", Entity::Iban), 365);
    }

    #[test]
    fn bad_policies_are_configuration_errors() {
        for text in [
            "default = \"soon\"",
            "[categories]\nfriends = \"1y\"",
            "[entities]\nshoe_size = \"1y\"",
        ] {
            let config: RetentionConfig = toml::from_str(text).unwrap();
            assert!(RetentionPolicy::compile(&config).is_err(), "{text}");
        }
        assert!(
            RetentionPolicy::compile(&RetentionConfig::default())
                .unwrap()
                .is_none()
        );
        let path = PathPolicy {
            glob: "archive/**".into(),
            max_age: "1y".into(),
        };
        // Turned down before any glob is compiled.
        let config = RetentionConfig {
            paths: vec![path; MAX_PATH_POLICIES + 1],
            ..RetentionConfig::default()
        };
        let Err(e) = RetentionPolicy::compile(&config) else {
            panic!("more path policies than a location can name");
        };
        assert!(e.to_string().contains("retention.paths"), "{e}");
    }
}
