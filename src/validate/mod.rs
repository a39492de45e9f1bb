//! Structural and checksum validation of candidate matches.
//!
//! The matcher finds candidates with broad patterns; a validator decides whether a
//! candidate really is the identifier it looks like (check digits, numbering plans,
//! letter rules) and how sure that is. Validators run on candidates only, never on
//! every byte, so they may be thorough.

mod checksums;
mod email;
mod misc;
mod phone;
mod phone_plan;
mod plates;

pub use checksums::{bsn_11proef, iban_mod97, luhn, vin_check_digit};
pub use email::normalize_email;
pub use phone::append_just_accepted as phone_append_just_accepted;
pub use phone::to_e164 as phone_to_e164;
pub use plates::normalize_plate;

use crate::finding::Confidence;
use serde::{Deserialize, Serialize};

/// A candidate match inside its haystack, so validators can look at the bytes
/// around it (a phone number glued to letters is part of something else).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub hay: &'a [u8],
    pub start: usize,
    pub end: usize,
}

impl<'a> Candidate<'a> {
    pub fn new(hay: &'a [u8], start: usize, end: usize) -> Self {
        Candidate { hay, start, end }
    }

    /// A candidate that is the whole of `text`, for tests and `rules check`.
    pub fn whole(text: &'a [u8]) -> Self {
        Candidate::new(text, 0, text.len())
    }

    pub fn text(&self) -> &'a [u8] {
        &self.hay[self.start..self.end]
    }

    /// The byte just before the match, if any.
    pub fn byte_before(&self) -> Option<u8> {
        self.start.checked_sub(1).map(|i| self.hay[i])
    }

    /// The byte just after the match, if any.
    pub fn byte_after(&self) -> Option<u8> {
        self.hay.get(self.end).copied()
    }

    /// Up to `n` bytes before the match.
    pub fn before(&self, n: usize) -> &'a [u8] {
        &self.hay[self.start.saturating_sub(n)..self.start]
    }

    /// Up to `n` bytes after the match.
    pub fn after(&self, n: usize) -> &'a [u8] {
        &self.hay[self.end..(self.end + n).min(self.hay.len())]
    }
}

/// What a validator concluded about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not the identifier the rule looks for.
    Reject,
    /// A real identifier, at this confidence.
    Accept(Confidence),
    /// Structurally plausible but ambiguous on its own (a dash-less plate, a
    /// 9-digit number passing the 11-proef): counts only when context confirms it.
    NeedsContext(Confidence),
}

/// The named validators a rule file may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    Email,
    Phone,
    NlPlate,
    BePlate,
    DePlate,
    FrPlate,
    GbPlate,
    Vin,
    Iban,
    Bsn,
    CreditCard,
    Ipv4,
    Ipv6,
    NlPostcode,
    Date,
}

impl Validator {
    pub fn check(self, cand: &Candidate<'_>, region: &str) -> Verdict {
        match self {
            Validator::Email => email::check(cand),
            Validator::Phone => phone::check(cand, region),
            Validator::NlPlate => plates::check_nl(cand),
            Validator::BePlate => plates::check_be(cand),
            Validator::DePlate => plates::check_de(cand),
            Validator::FrPlate => plates::check_fr(cand),
            Validator::GbPlate => plates::check_gb(cand),
            Validator::Vin => checksums::check_vin(cand),
            Validator::Iban => checksums::check_iban(cand),
            Validator::Bsn => checksums::check_bsn(cand),
            Validator::CreditCard => checksums::check_credit_card(cand),
            Validator::Ipv4 => misc::check_ipv4(cand),
            Validator::Ipv6 => misc::check_ipv6(cand),
            Validator::NlPostcode => misc::check_nl_postcode(cand),
            Validator::Date => misc::check_date(cand),
        }
    }

    /// True when [`Validator::check`] would turn down every candidate that
    /// ends where `cand` ends but starts later: after rejecting `cand`, the
    /// matcher need not look for a shorter one inside it.
    pub fn rejects_later_starts(self, cand: &Candidate<'_>) -> bool {
        match self {
            Validator::Email => email::later_starts_rejected(cand.text()),
            Validator::Phone => phone::later_starts_rejected(cand),
            Validator::Ipv4 => misc::later_address_starts_rejected(cand, false),
            Validator::Ipv6 => misc::later_address_starts_rejected(cand, true),
            _ => false,
        }
    }
}

/// For tests of [`Validator::rejects_later_starts`]: over every stretch of
/// each line, as any pattern could hand it over, when `says` holds, `check`
/// must turn down every candidate that starts later and ends there too.
#[cfg(test)]
pub(crate) fn assert_later_starts_rejected(
    lines: &[&str],
    says: impl Fn(&Candidate) -> bool,
    check: impl Fn(&Candidate) -> Verdict,
) {
    for line in lines {
        let hay = line.as_bytes();
        for start in 0..hay.len() {
            for end in start + 1..=hay.len() {
                if !says(&Candidate::new(hay, start, end)) {
                    continue;
                }
                for later in start + 1..end {
                    assert_eq!(
                        check(&Candidate::new(hay, later, end)),
                        Verdict::Reject,
                        "{:?} after {:?}",
                        &line[later..end],
                        &line[start..end]
                    );
                }
            }
        }
    }
}
