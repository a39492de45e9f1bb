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
