//! `piiscan rules check`: every rule's `examples` must be found by that rule
//! and its `negative_examples` must not. Each rule is checked alone, so a
//! rule's examples prove what the rule itself does.

use crate::error::Result;
use crate::redact::FingerprintKey;
use crate::rules::{Example, Rule};
use crate::scan::{FileScanner, ScanContext, ScanSettings};

/// One example that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub source: String,
    pub example: String,
    /// True for a positive example that was not found; false for a negative
    /// example that was.
    pub missed: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.missed {
            write!(
                f,
                "rule `{}` ({}): example not found: {:?}",
                self.rule, self.source, self.example
            )
        } else {
            write!(
                f,
                "rule `{}` ({}): negative example was reported: {:?}",
                self.rule, self.source, self.example
            )
        }
    }
}

/// Checks every example of every rule. Returns the failures (empty: all hold)
/// and how many examples were run.
pub fn check_rules(rules: &[Rule], region: &str) -> Result<(Vec<ExampleFailure>, usize)> {
    // Examples are not secrets; a fixed key keeps checking free of key files.
    let key = FingerprintKey::from_secret(b"rules check", "rules check");
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in rules {
        let ctx = ScanContext::new(
            crate::rules::matcher::Matcher::new(vec![rule.clone()], region)?,
            key.clone(),
            ScanSettings::default(),
        );
        let mut scanner = FileScanner::new(&ctx);
        let mut found = |example: &Example| -> bool {
            let mut hit = false;
            scanner.scan_text(
                example.text().as_bytes(),
                "example",
                example.field(),
                &mut |f| hit |= *f.rule == *rule.id,
            );
            hit
        };
        for ex in &rule.examples {
            checked += 1;
            if !found(ex) {
                failures.push(failure(rule, ex, true));
            }
        }
        for ex in &rule.negative_examples {
            checked += 1;
            if found(ex) {
                failures.push(failure(rule, ex, false));
            }
        }
    }
    Ok((failures, checked))
}

fn failure(rule: &Rule, example: &Example, missed: bool) -> ExampleFailure {
    let example = match example.field() {
        Some(field) => format!("{} (field {field})", example.text()),
        None => example.text().to_string(),
    };
    ExampleFailure {
        rule: rule.id.clone(),
        source: rule.source.clone(),
        example,
        missed,
    }
}
