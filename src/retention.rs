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
use crate::inventory::Inventory;
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

/// A compiled policy set.
pub struct RetentionPolicy {
    default: Option<(Duration, String)>,
    categories: BTreeMap<Category, (Duration, String)>,
    entities: BTreeMap<Entity, (Duration, String)>,
    paths: Vec<(ignore::gitignore::Gitignore, Duration, String)>,
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

/// The locations of the file at `path` among `overdue`, which is in path
/// order as [`overdue`] returns it. Reports look each file up this way: a
/// search of the whole list for every row made a page of 20 000 files with
/// 120 000 overdue locations take 30 s instead of one.
pub fn of_file<'a>(overdue: &'a [Overdue], path: &str) -> &'a [Overdue] {
    let from = overdue.partition_point(|o| o.path.as_str() < path);
    let to = from + overdue[from..].partition_point(|o| o.path == path);
    &overdue[from..to]
}

/// Every file x entity of the inventory past its policy, by path.
pub fn overdue(inventory: &Inventory, policy: &RetentionPolicy, now: SystemTime) -> Vec<Overdue> {
    let today = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| (d.as_secs() / DAY) as i64)
        .unwrap_or(0);
    let mut out = Vec::new();
    for (path, entry) in &inventory.files {
        let mut entities: Vec<Entity> = entry.entities.keys().copied().collect();
        for f in entry.field_summaries() {
            if let Some(v) = f.verdict
                && v.entity.is_header_only()
                && !entities.contains(&v.entity)
            {
                entities.push(v.entity);
            }
        }
        let records = entry.record_dates();
        for entity in entities {
            let Some((max_age, rule)) = policy.max_age(path, entity) else {
                continue;
            };
            let max_days = max_age.as_secs() / DAY;
            let (age_days, basis, evidence) = match &records {
                Some((range, column)) => {
                    let Some(oldest) = range.oldest else { continue };
                    let newest = range.newest.unwrap_or(oldest);
                    let age = (today - oldest).max(0) as u64;
                    (
                        age,
                        "records",
                        format!(
                            "records dated {} to {} (column {column}); the oldest is {age} days old",
                            crate::columns::format_day(oldest),
                            crate::columns::format_day(newest)
                        ),
                    )
                }
                None => {
                    let Some(modified) = entry.modified else {
                        continue;
                    };
                    let age = now
                        .duration_since(modified)
                        .map(|d| d.as_secs() / DAY)
                        .unwrap_or(0);
                    (
                        age,
                        "file",
                        format!(
                            "file last modified {}, {age} days ago",
                            crate::report::rfc3339(modified)
                                .split('T')
                                .next()
                                .unwrap_or_default()
                        ),
                    )
                }
            };
            if age_days > max_days {
                out.push(Overdue {
                    path: path.clone(),
                    entity,
                    policy: rule,
                    max_age_days: max_days,
                    age_days,
                    basis,
                    evidence,
                });
            }
        }
    }
    // The order a merge of shards gives too.
    out.sort_by(|a, b| {
        (a.path.as_str(), a.entity.as_str()).cmp(&(b.path.as_str(), b.entity.as_str()))
    });
    out
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
        let at = |path: &str, entity| Overdue {
            path: path.into(),
            entity,
            policy: "1d".into(),
            max_age_days: 1,
            age_days: 2,
            basis: "file",
            evidence: String::new(),
        };
        let list = [
            at("a.csv", Entity::Email),
            at("b/x.csv", Entity::Email),
            at("b/x.csv", Entity::Phone),
            at("b/x.csv.gz", Entity::Email),
            at("c", Entity::Iban),
        ];
        let entities =
            |path| -> Vec<Entity> { of_file(&list, path).iter().map(|o| o.entity).collect() };
        assert_eq!(entities("b/x.csv"), [Entity::Email, Entity::Phone]);
        assert_eq!(entities("a.csv"), [Entity::Email]);
        assert_eq!(entities("c"), [Entity::Iban]);
        for absent in ["", "a", "b", "b/x", "d"] {
            assert!(entities(absent).is_empty(), "{absent}");
        }
        assert!(of_file(&[], "a.csv").is_empty());
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
    }
}
