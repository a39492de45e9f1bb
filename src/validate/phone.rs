use super::{Candidate, Verdict};
pub fn to_e164(_t: &[u8], _r: &str) -> Option<String> {
    None
}
pub(super) fn check(_c: &Candidate, _r: &str) -> Verdict {
    Verdict::Reject
}
