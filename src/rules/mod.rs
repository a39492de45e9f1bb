//! Rules as data: loading rule files (TOML), the default set embedded in the
//! binary, and checking each rule's examples.
//!
//! A rule is a broad candidate pattern plus an optional validator and context.
//! All rule patterns are compiled together into one multi-pattern matcher
//! (see [`matcher`]), so adding a rule costs little on the hot path.

mod ends;
pub mod matcher;
mod required;

use crate::error::{Error, Result};
use crate::finding::{Category, Confidence, Entity};
use crate::validate::Validator;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The default rule files, embedded at build time so the binary works from any
/// directory. `tests` check that every file in rules/ is listed here.
pub const DEFAULT_RULE_FILES: &[(&str, &str)] = &[
    ("rules/email.toml", include_str!("../../rules/email.toml")),
    ("rules/phone.toml", include_str!("../../rules/phone.toml")),
    (
        "rules/licence_plate.toml",
        include_str!("../../rules/licence_plate.toml"),
    ),
    ("rules/vin.toml", include_str!("../../rules/vin.toml")),
    ("rules/iban.toml", include_str!("../../rules/iban.toml")),
    ("rules/bsn.toml", include_str!("../../rules/bsn.toml")),
    (
        "rules/credit_card.toml",
        include_str!("../../rules/credit_card.toml"),
    ),
    (
        "rules/ip_address.toml",
        include_str!("../../rules/ip_address.toml"),
    ),
    (
        "rules/postcode.toml",
        include_str!("../../rules/postcode.toml"),
    ),
    (
        "rules/date_of_birth.toml",
        include_str!("../../rules/date_of_birth.toml"),
    ),
];

/// Words or field names that confirm a value, or raise confidence in it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Matched case-insensitively just before the value on the same line.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Matched against the normalised column or field name (substring).
    #[serde(default)]
    pub fields: Vec<String>,
    /// When true the rule never reports a value without context.
    #[serde(default)]
    pub required: bool,
}

/// A rule example: plain text, or text with the column/field it sits in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    InField { text: String, field: String },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) | Example::InField { text: t, .. } => t,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::InField { field, .. } => Some(field),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub entity: Entity,
    pub category: Category,
    #[serde(default)]
    pub description: String,
    pub pattern: String,
    #[serde(default)]
    pub validator: Option<Validator>,
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub context: Option<Context>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
    /// Where the rule came from (file path), for messages.
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// Parses one rule file's text. `origin` names it in errors.
pub fn parse_rules(text: &str, origin: &str) -> Result<Vec<Rule>> {
    let file: RuleFile = toml::from_str(text).map_err(|e| Error::RuleFileParse {
        path: origin.to_string(),
        message: e.to_string(),
    })?;
    let mut rules = file.rules;
    for rule in &mut rules {
        rule.source = origin.to_string();
        if rule.id.is_empty() {
            return Err(Error::RuleInvalid {
                id: "(empty)".into(),
                message: format!("in {origin}: a rule needs an id"),
            });
        }
        if rule.examples.is_empty() || rule.negative_examples.is_empty() {
            return Err(Error::RuleInvalid {
                id: rule.id.clone(),
                message: format!(
                    "in {origin}: every rule needs `examples` and `negative_examples`"
                ),
            });
        }
    }
    Ok(rules)
}

/// The default rule set embedded in the binary.
pub fn default_rules() -> Result<Vec<Rule>> {
    let mut all = Vec::new();
    for (origin, text) in DEFAULT_RULE_FILES {
        all.extend(parse_rules(text, origin)?);
    }
    Ok(all)
}

/// Loads rules from a file, or from every `*.toml` file in a directory (sorted,
/// so rule order is stable).
pub fn load_rules_path(path: &Path) -> Result<Vec<Rule>> {
    let read = |p: &Path| -> Result<Vec<Rule>> {
        let text = std::fs::read_to_string(p).map_err(|source| Error::RuleFileRead {
            path: p.to_path_buf(),
            source,
        })?;
        parse_rules(&text, &p.display().to_string())
    };
    if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|source| Error::RuleFileRead {
                path: path.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut all = Vec::new();
        for f in files {
            all.extend(read(&f)?);
        }
        Ok(all)
    } else {
        read(path)
    }
}

/// Rejects duplicate ids: a later rule with the same id would be ambiguous in
/// every report and baseline.
pub fn check_unique_ids(rules: &[Rule]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for r in rules {
        if !seen.insert(r.id.as_str()) {
            return Err(Error::RuleInvalid {
                id: r.id.clone(),
                message: format!("duplicate rule id (second one in {})", r.source),
            });
        }
    }
    Ok(())
}
