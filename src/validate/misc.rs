use super::{Candidate, Verdict};
pub(super) fn check_ipv4(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_ipv6(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_nl_postcode(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
pub(super) fn check_date(_c: &Candidate) -> Verdict {
    Verdict::Reject
}
