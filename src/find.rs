//! Data-subject lookup (`piiscan find`): where do one person's identifiers
//! occur? The identifiers are normalised and fingerprinted with the scan's
//! key, and the ordinary parallel scan keeps only findings with one of those
//! fingerprints, so a phone number matches in any written form or country
//! prefix, a plate with or without dashes in any case, an IBAN grouped or
//! not, an e-mail address in any case. The identifiers themselves are never
//! printed unless `--reveal` is given.
//!
//! `--subjects FILE` reads a CSV of several people, one per row, with
//! columns named after the identifiers (`email`, `phone`, `plate`, `vin`,
//! `iban`, `bsn`; Dutch names such as `telefoon` and `kenteken` work too),
//! and reports the locations per person.

use crate::error::{Error, Result};
use crate::finding::{Entity, Finding};
use crate::redact::{FingerprintKey, normalize};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

/// One person looked for: a label (`subject 1`, or the CSV row and name
/// column when there is one) and their identifiers.
#[derive(Debug, Clone)]
pub struct Subject {
    pub label: String,
    pub identifiers: Vec<(Entity, String)>,
}

/// The fingerprints looked for, each with the subjects it belongs to.
#[derive(Debug, Default)]
pub struct Targets {
    by_fingerprint: HashMap<(Entity, String), Vec<usize>>,
    pub subjects: Vec<Subject>,
}

impl Targets {
    pub fn new(subjects: Vec<Subject>, key: &FingerprintKey, region: &str) -> Targets {
        let mut by_fingerprint: HashMap<(Entity, String), Vec<usize>> = HashMap::new();
        for (i, s) in subjects.iter().enumerate() {
            for (entity, value) in &s.identifiers {
                let normalized = normalize(*entity, value, region);
                let (fingerprint, _) = key.fingerprint(*entity, &normalized);
                let owners = by_fingerprint.entry((*entity, fingerprint)).or_default();
                if !owners.contains(&i) {
                    owners.push(i);
                }
            }
        }
        Targets {
            by_fingerprint,
            subjects,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_fingerprint.is_empty()
    }

    /// The subjects a finding belongs to (empty: not looked for).
    pub fn owners(&self, f: &Finding) -> &[usize] {
        self.by_fingerprint
            .get(&(f.entity, f.fingerprint.clone()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The entities looked for: the scan needs only their rules.
    pub fn entities(&self) -> Vec<Entity> {
        let mut e: Vec<Entity> = self.by_fingerprint.keys().map(|(e, _)| *e).collect();
        e.sort();
        e.dedup();
        e
    }
}

/// The identifier an option or CSV column names.
pub fn identifier_entity(name: &str) -> Option<Entity> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match key.as_str() {
        "email" | "mail" | "emailadres" | "emailaddress" => Entity::Email,
        "phone" | "telefoon" | "tel" | "mobiel" | "telephone" | "phonenumber"
        | "telefoonnummer" => Entity::Phone,
        "plate" | "kenteken" | "licenceplate" | "licenseplate" => Entity::LicencePlate,
        "vin" | "chassisnummer" => Entity::Vin,
        "iban" | "rekeningnummer" => Entity::Iban,
        "bsn" | "burgerservicenummer" => Entity::Bsn,
        _ => return None,
    })
}

/// Reads `--subjects FILE`: a header row naming identifier columns, then one
/// person per row. A cell may hold several values separated by `|`.
pub fn read_subjects(path: &Path) -> Result<Vec<Subject>> {
    let text =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let first_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = crate::formats::sniff_delimiter(first_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_slice());
    let bad = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("no header row: {e}")))?
        .clone();
    let columns: Vec<Option<Entity>> = headers.iter().map(identifier_entity).collect();
    if columns.iter().all(Option::is_none) {
        return Err(bad(format!(
            "no identifier column in the header ({}); name columns email, phone, plate, vin, iban or bsn",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let name_column = headers.iter().position(|h| {
        matches!(
            h.trim().to_ascii_lowercase().as_str(),
            "id" | "name" | "naam" | "subject" | "klantnummer" | "customer_id"
        )
    });
    let mut subjects = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("row {}: {e}", row + 2)))?;
        let mut identifiers = Vec::new();
        for (cell, entity) in record.iter().zip(&columns) {
            let Some(entity) = entity else { continue };
            for value in cell.split('|') {
                let value = value.trim();
                if !value.is_empty() {
                    identifiers.push((*entity, value.to_string()));
                }
            }
        }
        if identifiers.is_empty() {
            continue;
        }
        let label = match name_column.and_then(|c| record.get(c)) {
            Some(id) if !id.trim().is_empty() => format!("row {} ({})", row + 2, id.trim()),
            _ => format!("row {}", row + 2),
        };
        subjects.push(Subject { label, identifiers });
    }
    Ok(subjects)
}

/// One place where a subject's identifier occurs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: String,
    pub line: u64,
    pub column: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub entity: Entity,
    pub masked: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Location {
    pub fn of(f: &Finding, reveal: bool) -> Location {
        Location {
            path: f.path.to_string(),
            line: f.line,
            column: f.column,
            field: f.field.clone(),
            entity: f.entity,
            masked: f.masked.clone(),
            value: reveal.then(|| f.value.clone()),
        }
    }
}

/// What `find` found, per subject.
#[derive(Debug, Default)]
pub struct Found {
    pub per_subject: BTreeMap<usize, Vec<Location>>,
}

impl Found {
    pub fn add(&mut self, owners: &[usize], location: Location) {
        for &o in owners {
            self.per_subject
                .entry(o)
                .or_default()
                .push(location.clone());
        }
    }

    pub fn total(&self) -> usize {
        self.per_subject.values().map(Vec::len).sum()
    }

    fn sorted(&mut self) {
        for locations in self.per_subject.values_mut() {
            locations.sort();
            locations.dedup();
        }
    }
}

#[derive(Serialize)]
struct SubjectSection<'a> {
    subject: &'a str,
    locations: &'a [Location],
}

#[derive(Serialize)]
struct LocationLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    subject: &'a str,
    #[serde(flatten)]
    location: &'a Location,
}

/// Writes the result in one of the scan formats.
pub fn write(
    out: &mut dyn Write,
    format: crate::report::ReportFormat,
    targets: &Targets,
    found: &mut Found,
) -> std::io::Result<()> {
    use crate::report::ReportFormat;
    found.sorted();
    let label = |i: usize| targets.subjects[i].label.as_str();
    match format {
        ReportFormat::Json => {
            let sections: Vec<SubjectSection> = (0..targets.subjects.len())
                .map(|i| SubjectSection {
                    subject: label(i),
                    locations: found.per_subject.get(&i).map(Vec::as_slice).unwrap_or(&[]),
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "subjects": sections }))?;
            writeln!(out)
        }
        ReportFormat::Ndjson => {
            for (i, locations) in &found.per_subject {
                for l in locations {
                    let line = LocationLine {
                        kind: "location",
                        subject: label(*i),
                        location: l,
                    };
                    serde_json::to_writer(&mut *out, &line)?;
                    writeln!(out)?;
                }
            }
            Ok(())
        }
        ReportFormat::Csv | ReportFormat::InventoryCsv => {
            let mut w = csv::Writer::from_writer(out);
            let reveal = found
                .per_subject
                .values()
                .flatten()
                .any(|l| l.value.is_some());
            let mut header = vec![
                "subject", "entity", "path", "line", "column", "field", "masked",
            ];
            if reveal {
                header.push("value");
            }
            w.write_record(&header).map_err(std::io::Error::other)?;
            for (i, locations) in &found.per_subject {
                for l in locations {
                    let mut row = vec![
                        label(*i).to_string(),
                        l.entity.as_str().to_string(),
                        l.path.clone(),
                        l.line.to_string(),
                        l.column.to_string(),
                        l.field.clone().unwrap_or_default(),
                        l.masked.clone(),
                    ];
                    if reveal {
                        row.push(l.value.clone().unwrap_or_default());
                    }
                    w.write_record(&row).map_err(std::io::Error::other)?;
                }
            }
            w.flush()
        }
        ReportFormat::Human | ReportFormat::Sarif | ReportFormat::Html => {
            for (i, subject) in targets.subjects.iter().enumerate() {
                let locations = found.per_subject.get(&i).map(Vec::as_slice).unwrap_or(&[]);
                let files: std::collections::BTreeSet<&str> =
                    locations.iter().map(|l| l.path.as_str()).collect();
                writeln!(
                    out,
                    "{}: {} locations in {} files",
                    subject.label,
                    locations.len(),
                    files.len()
                )?;
                for l in locations {
                    let field = l
                        .field
                        .as_deref()
                        .map(|f| format!("  [{f}]"))
                        .unwrap_or_default();
                    let shown = l.value.as_deref().unwrap_or(&l.masked);
                    writeln!(
                        out,
                        "  {}:{}:{}  {:<13} {shown}{field}",
                        l.path,
                        l.line,
                        l.column,
                        l.entity.as_str()
                    )?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_forms_share_a_fingerprint() {
        let key = FingerprintKey::from_secret(b"k", "test");
        let targets = Targets::new(
            vec![Subject {
                label: "subject 1".into(),
                identifiers: vec![
                    (Entity::Phone, "+31 6 41827365".into()),
                    (Entity::LicencePlate, "gbn-38-t".into()),
                    (Entity::Email, "Jeroen.Bakker@Ziggo.nl".into()),
                ],
            }],
            &key,
            "NL",
        );
        for (entity, written) in [
            (Entity::Phone, "06-41827365"),
            (Entity::Phone, "0031641827365"),
            (Entity::LicencePlate, "GBN38T"),
            (Entity::Email, "jeroen.bakker@ziggo.nl"),
        ] {
            let (fingerprint, _) = key.fingerprint(entity, &normalize(entity, written, "NL"));
            assert!(
                targets.by_fingerprint.contains_key(&(entity, fingerprint)),
                "{written}"
            );
        }
    }

    #[test]
    fn identifier_columns_in_english_and_dutch() {
        assert_eq!(identifier_entity("Telefoon"), Some(Entity::Phone));
        assert_eq!(identifier_entity("e-mail"), Some(Entity::Email));
        assert_eq!(identifier_entity("kenteken"), Some(Entity::LicencePlate));
        assert_eq!(identifier_entity("naam"), None);
    }
}
