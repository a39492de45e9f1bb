use super::{Candidate, Verdict};
pub fn luhn(_d: &[u8]) -> bool {
    false
}
pub fn iban_mod97(_d: &[u8]) -> bool {
    false
}
pub fn vin_check_digit(_d: &[u8]) -> Option<u8> {
    None
}
pub fn bsn_11proef(_d: &[u8]) -> bool {
    false
}
pub(super) fn check_vin(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_iban(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_bsn(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_credit_card(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
