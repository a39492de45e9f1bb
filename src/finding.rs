//! The vocabulary every output shares: entities, categories, confidence levels,
//! and the finding record that flows from the matcher to the reports.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of personal (or person-identifying vehicle) data a finding is.
///
/// The names are a stable contract: they appear in every output format, in rule
/// files and in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Email,
    Phone,
    LicencePlate,
    Vin,
    Iban,
    Bsn,
    CreditCard,
    IpAddress,
    Postcode,
    DateOfBirth,
    /// A column of person names, known by its header (no pattern finds names).
    PersonName,
    /// A column of street addresses or places, known by its header.
    Address,
    /// A free-text column (notes, remarks), known by its header: it holds
    /// whatever people typed, personal data included.
    FreeText,
}

impl Entity {
    pub const ALL: [Entity; 13] = [
        Entity::Email,
        Entity::Phone,
        Entity::LicencePlate,
        Entity::Vin,
        Entity::Iban,
        Entity::Bsn,
        Entity::CreditCard,
        Entity::IpAddress,
        Entity::Postcode,
        Entity::DateOfBirth,
        Entity::PersonName,
        Entity::Address,
        Entity::FreeText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Email => "email",
            Entity::Phone => "phone",
            Entity::LicencePlate => "licence_plate",
            Entity::Vin => "vin",
            Entity::Iban => "iban",
            Entity::Bsn => "bsn",
            Entity::CreditCard => "credit_card",
            Entity::IpAddress => "ip_address",
            Entity::Postcode => "postcode",
            Entity::DateOfBirth => "date_of_birth",
            Entity::PersonName => "person_name",
            Entity::Address => "address",
            Entity::FreeText => "free_text",
        }
    }

    /// The category an entity belongs to (rules may say otherwise for their
    /// own findings; this is the default, used for retention policies).
    pub fn category(self) -> Category {
        match self {
            Entity::Email
            | Entity::Phone
            | Entity::Postcode
            | Entity::PersonName
            | Entity::Address
            | Entity::FreeText => Category::Contact,
            Entity::Bsn | Entity::DateOfBirth => Category::Identity,
            Entity::Iban | Entity::CreditCard => Category::Financial,
            Entity::LicencePlate | Entity::Vin => Category::Vehicle,
            Entity::IpAddress => Category::Network,
        }
    }

    /// Entities that no rule finds in values: a column holds them by its
    /// header (see [`crate::columns`]).
    pub fn is_header_only(self) -> bool {
        matches!(
            self,
            Entity::PersonName | Entity::Address | Entity::FreeText
        )
    }

    pub fn parse(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The broad class of an entity, used for grouping and (later) retention policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Contact,
    Identity,
    Financial,
    Vehicle,
    Network,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Contact => "contact",
            Category::Identity => "identity",
            Category::Financial => "financial",
            Category::Vehicle => "vehicle",
            Category::Network => "network",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure piiscan is that a finding is real. Ordered: `Low < Medium < High`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// One step up, saturating at `High`.
    pub fn raised(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    /// One step down, saturating at `Low`.
    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One confirmed occurrence of personal data.
///
/// `value` holds the raw text only so that fingerprints and masks can be made;
/// reports print it only when the user asked for `--reveal`.
#[derive(Debug, Clone)]
pub struct Finding {
    pub entity: Entity,
    pub rule: std::sync::Arc<str>,
    pub category: Category,
    /// The path as the user gave the root (e.g. `exports/crm/klanten.csv`).
    pub path: std::sync::Arc<str>,
    /// 1-based line number where the value starts.
    pub line: u64,
    /// 1-based column, counted in characters.
    pub column: u64,
    /// The column header or field name, when the format knows it.
    pub field: Option<String>,
    pub confidence: Confidence,
    pub masked: String,
    pub fingerprint: String,
    /// Keyed 64 bits of the value for distinct counting (not printed).
    pub fingerprint_bits: u64,
    pub value: String,
}

impl Finding {
    /// The finding moved out, its strings leaving empty ones behind: for a
    /// sink lent a finding that the scanner fills in again for the next.
    pub fn take(&mut self) -> Finding {
        Finding {
            entity: self.entity,
            rule: std::sync::Arc::clone(&self.rule),
            category: self.category,
            path: std::sync::Arc::clone(&self.path),
            line: self.line,
            column: self.column,
            field: self.field.take(),
            confidence: self.confidence,
            masked: std::mem::take(&mut self.masked),
            fingerprint: std::mem::take(&mut self.fingerprint),
            fingerprint_bits: self.fingerprint_bits,
            value: std::mem::take(&mut self.value),
        }
    }
}

/// Sets `field` to `name`, writing into the string it holds if any: the
/// lent finding keeps its field name's allocation from one hit to the next.
pub(crate) fn set_reusing(field: &mut Option<String>, name: Option<&str>) {
    match (name, field.as_mut()) {
        (Some(name), Some(held)) => {
            held.clear();
            held.push_str(name);
        }
        (Some(name), None) => *field = Some(name.to_string()),
        (None, _) => *field = None,
    }
}

/// Everything a finding says, on one line: for tests that compare findings.
#[cfg(test)]
pub(crate) fn said(f: &Finding) -> String {
    format!(
        "{} {} {} {}:{}:{} {:?} {:?} {} {} {:x} {}",
        f.entity.as_str(),
        f.rule,
        f.category.as_str(),
        f.path,
        f.line,
        f.column,
        f.field,
        f.confidence,
        f.masked,
        f.fingerprint,
        f.fingerprint_bits,
        f.value
    )
}

/// Findings packed for the trip from a scanning thread to the report: the
/// strings of every finding in one buffer, rule ids and paths once per
/// batch. Owned findings cost four allocations each on the scanning thread
/// and four frees on the report's, which made more than a tenth of the CPU
/// time of a scan that streams every finding.
#[derive(Debug, Default)]
pub struct FindingBatch {
    items: Vec<PackedFinding>,
    /// The strings of every item, one after another.
    text: String,
    rules: Vec<std::sync::Arc<str>>,
    paths: Vec<std::sync::Arc<str>>,
}

#[derive(Debug)]
struct PackedFinding {
    entity: Entity,
    category: Category,
    confidence: Confidence,
    rule: u32,
    path: u32,
    line: u64,
    column: u64,
    fingerprint_bits: u64,
    /// Where each string ends in [`FindingBatch::text`]; each starts where
    /// the one before it ends (the first at the previous item's end).
    value_end: usize,
    /// `None` when the finding names no field.
    field_end: Option<usize>,
    masked_end: usize,
    fingerprint_end: usize,
}

/// The index of `s` in `list`, added when absent. Rule ids are shared by
/// the findings of a scanner: comparing pointers finds them (an equal id
/// from another scanner is added once more, which costs nothing but room).
fn index_of(list: &mut Vec<std::sync::Arc<str>>, s: &std::sync::Arc<str>) -> u32 {
    let found = list
        .iter()
        .rposition(|held| std::sync::Arc::ptr_eq(held, s));
    let index = found.unwrap_or_else(|| {
        list.push(std::sync::Arc::clone(s));
        list.len() - 1
    });
    // Batches hold a bounded number of findings, so far fewer entries.
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl FindingBatch {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.items.clear();
        self.text.clear();
        self.rules.clear();
        self.paths.clear();
    }

    /// Adds a copy of `f`.
    pub fn push(&mut self, f: &Finding) {
        // The path is the last one's unless a new file began.
        let path = match self.paths.last() {
            Some(last) if std::sync::Arc::ptr_eq(last, &f.path) => self.paths.len() - 1,
            _ => {
                self.paths.push(std::sync::Arc::clone(&f.path));
                self.paths.len() - 1
            }
        };
        let rule = index_of(&mut self.rules, &f.rule);
        let text = &mut self.text;
        text.push_str(&f.value);
        let value_end = text.len();
        let field_end = f.field.as_deref().map(|field| {
            text.push_str(field);
            text.len()
        });
        text.push_str(&f.masked);
        let masked_end = text.len();
        text.push_str(&f.fingerprint);
        self.items.push(PackedFinding {
            entity: f.entity,
            category: f.category,
            confidence: f.confidence,
            rule,
            path: u32::try_from(path).unwrap_or(u32::MAX),
            line: f.line,
            column: f.column,
            fingerprint_bits: f.fingerprint_bits,
            value_end,
            field_end,
            masked_end,
            fingerprint_end: text.len(),
        });
    }

    /// Lends each finding in turn to `each`, in the order pushed, as one
    /// finding written over (no allocation per finding once its strings
    /// have grown). Stops at the first error.
    pub fn for_each<E>(
        &self,
        spare: &mut Option<Finding>,
        mut each: impl FnMut(&mut Finding) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut from = 0;
        for item in &self.items {
            let (Some(rule), Some(path)) = (
                self.rules.get(item.rule as usize),
                self.paths.get(item.path as usize),
            ) else {
                continue;
            };
            let f = spare.get_or_insert_with(|| Finding {
                entity: item.entity,
                rule: std::sync::Arc::clone(rule),
                category: item.category,
                path: std::sync::Arc::clone(path),
                line: 0,
                column: 0,
                field: None,
                confidence: item.confidence,
                masked: String::new(),
                fingerprint: String::new(),
                fingerprint_bits: 0,
                value: String::new(),
            });
            if !std::sync::Arc::ptr_eq(&f.rule, rule) {
                f.rule = std::sync::Arc::clone(rule);
            }
            if !std::sync::Arc::ptr_eq(&f.path, path) {
                f.path = std::sync::Arc::clone(path);
            }
            f.entity = item.entity;
            f.category = item.category;
            f.confidence = item.confidence;
            f.line = item.line;
            f.column = item.column;
            f.fingerprint_bits = item.fingerprint_bits;
            let text = &self.text;
            f.value.clear();
            f.value.push_str(&text[from..item.value_end]);
            let masked_from = item.field_end.unwrap_or(item.value_end);
            set_reusing(
                &mut f.field,
                item.field_end.map(|end| &text[item.value_end..end]),
            );
            f.masked.clear();
            f.masked.push_str(&text[masked_from..item.masked_end]);
            f.fingerprint.clear();
            f.fingerprint
                .push_str(&text[item.masked_end..item.fingerprint_end]);
            from = item.fingerprint_end;
            each(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_batch_lends_back_what_was_pushed_in_order() {
        let rules: [Arc<str>; 2] = ["email".into(), "phone".into()];
        let paths: [Arc<str>; 3] = ["a.csv".into(), "b.txt".into(), "a.csv".into()];
        let mut pushed = Vec::new();
        let mut batch = FindingBatch::default();
        for n in 0..40u64 {
            let i = n as usize;
            let f = Finding {
                entity: if i.is_multiple_of(2) {
                    Entity::Email
                } else {
                    Entity::Phone
                },
                rule: Arc::clone(&rules[i % 2]),
                category: Category::Contact,
                // Runs of one path, and a path equal to an earlier one but
                // not the same allocation.
                path: Arc::clone(&paths[(i / 7) % 3]),
                line: n + 1,
                column: 3 * n,
                field: (!i.is_multiple_of(3)).then(|| format!("veld {}", "x".repeat(i % 5))),
                confidence: if i.is_multiple_of(4) {
                    Confidence::High
                } else {
                    Confidence::Low
                },
                masked: "*".repeat(i % 6),
                fingerprint: format!("{n:x}"),
                fingerprint_bits: n * 31,
                value: "é".repeat(i % 4),
            };
            batch.push(&f);
            pushed.push(said(&f));
        }
        assert_eq!(batch.len(), 40);
        // The second time, the spare finding lent holds the strings of the
        // last finding and is written over.
        let mut spare = None;
        for _ in 0..2 {
            let mut lent = Vec::new();
            batch
                .for_each(&mut spare, |f| {
                    lent.push(said(f));
                    Ok::<(), ()>(())
                })
                .unwrap();
            assert_eq!(lent, pushed);
        }
        let mut seen = 0;
        let stopped = batch.for_each(&mut None, |_| {
            seen += 1;
            if seen == 3 { Err("stop") } else { Ok(()) }
        });
        assert_eq!((stopped, seen), (Err("stop"), 3));
        batch.clear();
        assert!(batch.is_empty());
    }
}
