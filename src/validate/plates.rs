use super::{Candidate, Verdict};
pub fn normalize_plate(t: &[u8]) -> String {
    String::from_utf8_lossy(t).into_owned()
}
pub(super) fn check_nl(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_be(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_de(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_fr(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_gb(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
