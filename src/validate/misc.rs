//! Validators without a check digit: IP addresses, Dutch postcodes and dates
//! (of birth).
//!
//! None of these can be proven by arithmetic, so they lean on structure
//! (octet ranges, real calendar dates), on what surrounds the candidate (an
//! IPv4 address glued to `v` or followed by `.5` is a version number) and on
//! excluding values that are not about a person (private and documentation
//! address ranges). Dates and ambiguous postcodes return `NeedsContext`.
//!
//! Like `checksums`, everything here reads bytes through bounds-checked
//! helpers and never panics.

use super::checksums::{cand_text, in_decimal_number, next_byte, prev_byte, window_before};
use super::{Candidate, Verdict};
use crate::finding::Confidence;
use crate::keywords::{Keywords, Letters, Lowered};
use std::net::Ipv6Addr;

fn is_alnum(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric())
}

fn is_digit(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// IPv4

/// Parses a dotted quad with octets 0-255 written without leading zeros
/// (`010.1.1.1` is octal in some parsers and a version or id elsewhere).
fn parse_ipv4(text: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = text.split(|&b| b == b'.');
    for slot in &mut out {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if part.len() > 1 && part[0] == b'0' {
            return None;
        }
        let v = part
            .iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
        *slot = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

/// Ranges that never identify a person on the internet: "this network",
/// private, CGNAT, loopback, link-local, IETF protocol assignments,
/// documentation (TEST-NET-1/2/3), benchmarking, multicast, reserved and
/// broadcast (RFC 6890).
fn ipv4_non_public(ip: [u8; 4]) -> bool {
    let [a, b, c, _] = ip;
    a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 169 && b == 254)
        || (a == 172 && (16..=31).contains(&b))
        || (a == 192 && b == 168)
        || (a == 100 && (64..=127).contains(&b))
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
}

/// Public addresses of well-known services and the classic placeholder: they
/// appear in configuration and documentation and say nothing about a person.
const IPV4_WELL_KNOWN: &[[u8; 4]] = &[
    [1, 0, 0, 1],         // Cloudflare DNS
    [1, 1, 1, 1],         // Cloudflare DNS
    [1, 2, 3, 4],         // placeholder
    [12, 34, 56, 78],     // placeholder
    [123, 45, 67, 89],    // placeholder
    [8, 8, 4, 4],         // Google DNS
    [8, 8, 8, 8],         // Google DNS
    [9, 9, 9, 9],         // Quad9
    [149, 112, 112, 112], // Quad9
    [208, 67, 220, 220],  // OpenDNS
    [208, 67, 222, 222],  // OpenDNS
];

/// Words that make a dotted quad a version, section number or object
/// identifier rather than an address when they occur in the few bytes before
/// it (anywhere, so `AssemblyVersion` and `ObjectIdentifier` count). Lower
/// case; matched ignoring ASCII case.
const NUMBERING_LABELS: &[&[u8]] = &[
    b"version",
    b"section",
    b"chapter",
    b"hoofdstuk",
    b"paragraaf",
    b"objectidentifier",
    // Changelogs: "upgrade V8 to 4.5.103.35", "patch V8 to 11.3.244.8".
    b"upgrade",
    b"update",
    b"bump",
    b"patch",
    b"release",
    "\u{a7}".as_bytes(), // the section sign, in UTF-8
];

/// Short labels that count only as whole words (`ver. 1.2.3.4`, `OID
/// 2.5.29.17`), not inside `server`, `android` or a token such as a VIN.
const NUMBERING_WORDS: &[&[u8]] = &[b"ver", b"oid"];

/// True when a version, section or OID label sits in the 20 bytes before the
/// candidate: one of [`NUMBERING_LABELS`] anywhere, or one of
/// [`NUMBERING_WORDS`] as a word.
fn numbering_label_before(c: &Candidate<'_>) -> bool {
    static LABELS: std::sync::LazyLock<Keywords> =
        std::sync::LazyLock::new(|| Keywords::new(NUMBERING_LABELS));
    const WINDOW: usize = 20;
    let Some(window) = Lowered::<WINDOW>::new(window_before(c, WINDOW)) else {
        return false;
    };
    if LABELS.any_in_lowered(&window) {
        return true;
    }
    let window_bytes = window.bytes();
    NUMBERING_WORDS.iter().any(|word| {
        window.may_hold(Letters::of(word))
            && window_bytes.windows(word.len()).enumerate().any(|(i, w)| {
                let before = i.checked_sub(1).and_then(|j| window_bytes.get(j));
                let after = window_bytes.get(i + word.len());
                // Not inside a token either: `VER` in the VIN
                // `WBAGLW86VER117032` labels nothing after it.
                w == *word
                    && !before.is_some_and(u8::is_ascii_alphanumeric)
                    && !after.is_some_and(u8::is_ascii_alphanumeric)
            })
    })
}

/// True when the token before the candidate (one space or comma back) is a
/// plain decimal number such as `-2.12`: then the candidate is a run of
/// compressed SVG path numbers (`-2.12 3.51.98.32` is 3.51, .98, .32), not an
/// address. A list of addresses has dotted quads there, not single-dot
/// decimals.
fn after_decimal_number(c: &Candidate<'_>) -> bool {
    if !matches!(prev_byte(c, 1), Some(b' ' | b',')) {
        return false;
    }
    let window = window_before(c, 24);
    let Some((_, head)) = window.split_last() else {
        return false;
    };
    let token_start = head
        .iter()
        .rposition(|b| !(b.is_ascii_digit() || *b == b'.' || *b == b'-'))
        .map_or(0, |i| i + 1);
    let token = &head[token_start..];
    let dots = token.iter().filter(|&&b| b == b'.').count();
    dots == 1 && token.last().is_some_and(u8::is_ascii_digit)
}

/// IPv4 validator: a dotted quad of a public, non-well-known address that is
/// not part of a longer dotted number (`1.2.3.4.5`, OIDs), a word (`v1.2.3.4`),
/// a version or section label, a reverse-DNS name, SVG path data, nor four
/// single digits.
/// Accepts at medium (an address is personal data only when it is a
/// client's); an address with all octets below 32 needs context.
pub(super) fn check_ipv4(c: &Candidate<'_>) -> Verdict {
    let before = prev_byte(c, 1);
    let after = next_byte(c, 1);
    if is_alnum(before) || matches!(before, Some(b'.' | b'_')) {
        return Verdict::Reject;
    }
    if is_alnum(after) || after == Some(b'_') || (after == Some(b'.') && is_digit(next_byte(c, 2)))
    {
        return Verdict::Reject;
    }
    // `4.3.2.1.in-addr.arpa` is a reverse-DNS name, the address written
    // backwards.
    let tail = c.hay.get(c.end..).unwrap_or_default();
    if tail.len() >= 8 && tail[..8].eq_ignore_ascii_case(b".in-addr") {
        return Verdict::Reject;
    }
    let Some(ip) = parse_ipv4(cand_text(c)) else {
        return Verdict::Reject;
    };
    // Four single-digit octets (`1.3.3.1`, `4.6.2.2`) are outline or section
    // numbers far more often than one of the few thousand such addresses.
    let all_single_digit = ip.iter().all(|&o| o < 10);
    if ipv4_non_public(ip)
        || IPV4_WELL_KNOWN.contains(&ip)
        || all_single_digit
        || numbering_label_before(c)
        || after_decimal_number(c)
    {
        return Verdict::Reject;
    }
    // All octets small (`3.2.2.10`, `2.5.29.9`): usually a spec section, OID
    // or version; a real address like that (well under 1% of them) still
    // counts next to an IP keyword or in an IP column.
    if ip.iter().all(|&o| o < 32) {
        return Verdict::NeedsContext(Confidence::Medium);
    }
    Verdict::Accept(Confidence::Medium)
}

/// Whether every candidate that ends where `c` ends but starts inside it is
/// turned down by [`check_ipv4`] (`colons` false) or [`check_ipv6`]
/// (`colons` true): they reject a start right after a letter, digit, dot or
/// underscore, and the IPv6 check also one after a colon.
pub(super) fn later_address_starts_rejected(c: &Candidate<'_>, colons: bool) -> bool {
    let text = cand_text(c);
    text.split_last().is_some_and(|(_, inner)| {
        inner.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_') || (colons && b == b':')
        })
    })
}

// ---------------------------------------------------------------------------
// IPv6

/// True for a global unicast address outside documentation space: 2000::/3
/// minus 2001:db8::/32 and 3fff::/20 (RFC 3849, RFC 9637). This also excludes
/// the unspecified and loopback addresses, IPv4-mapped and -compatible
/// addresses, link-local fe80::/10, unique-local fc00::/7 and multicast
/// ff00::/8, which are checked explicitly anyway for clarity.
fn ipv6_is_public(ip: &Ipv6Addr) -> bool {
    let s = ip.segments();
    if ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.to_ipv4_mapped().is_some()
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xfe00) == 0xfc00
    {
        return false;
    }
    let documentation = (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] & 0xfff0) == 0x3ff0;
    (s[0] & 0xe000) == 0x2000 && !documentation
}

/// Public resolvers' IPv6 addresses (Google, Cloudflare, Quad9, OpenDNS):
/// configuration, not a person.
const IPV6_WELL_KNOWN: &[[u16; 8]] = &[
    [0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8844],
    [0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888],
    [0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1001],
    [0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111],
    [0x2620, 0x00fe, 0, 0, 0, 0, 0, 0x0009],
    [0x2620, 0x00fe, 0, 0, 0, 0, 0, 0x00fe],
    [0x2620, 0x0119, 0x0035, 0, 0, 0, 0, 0x0035],
    [0x2620, 0x0119, 0x0053, 0, 0, 0, 0, 0x0053],
];

/// IPv6 validator: the text (with any `%zone` suffix dropped) must parse as an
/// IPv6 address with at least two colons, must not be glued to hex digits,
/// letters or colons, must not look like a time (`12:30:45`), and must be a
/// public global unicast address other than a well-known resolver. Accepts at
/// medium.
pub(super) fn check_ipv6(c: &Candidate<'_>) -> Verdict {
    let before = prev_byte(c, 1);
    let after = next_byte(c, 1);
    if is_alnum(before) || matches!(before, Some(b':' | b'_' | b'.')) {
        return Verdict::Reject;
    }
    if is_alnum(after)
        || matches!(after, Some(b':' | b'_'))
        || (after == Some(b'.') && is_digit(next_byte(c, 2)))
    {
        return Verdict::Reject;
    }
    let text = cand_text(c);
    let addr = match text.iter().position(|&b| b == b'%') {
        Some(i) => &text[..i],
        None => text,
    };
    let colons = addr.iter().filter(|&&b| b == b':').count();
    if colons < 2 {
        return Verdict::Reject;
    }
    let groups = addr.split(|&b| b == b':').filter(|g| !g.is_empty()).count();
    if groups <= 3 && addr.iter().all(|&b| b.is_ascii_digit() || b == b':') {
        return Verdict::Reject;
    }
    let Some(ip) = std::str::from_utf8(addr)
        .ok()
        .and_then(|s| s.parse::<Ipv6Addr>().ok())
    else {
        return Verdict::Reject;
    };
    if !ipv6_is_public(&ip) || IPV6_WELL_KNOWN.contains(&ip.segments()) {
        return Verdict::Reject;
    }
    Verdict::Accept(Confidence::Medium)
}

// ---------------------------------------------------------------------------
// Dutch postcode

/// Upper-case two-letter suffixes that after a number are more often a unit
/// or an era than a postcode (`1024 MB`, `1500 KG`, `1600 CC`, `1066 AD`).
/// They are valid postcode letters, so they still count with context.
const UNIT_SUFFIXES: &[[u8; 2]] = &[
    *b"AD", *b"AM", *b"BC", *b"CC", *b"CE", *b"CM", *b"EM", *b"GB", *b"GW", *b"HP", *b"HZ", *b"KB",
    *b"KG", *b"KM", *b"KW", *b"MB", *b"MM", *b"MS", *b"MW", *b"NM", *b"NS", *b"PB", *b"PK", *b"PM",
    *b"PT", *b"PX", *b"TB",
];

/// Dutch postcode validator: `[1-9]\d{3}`, an optional single space, two
/// letters other than SA, SD and SS, not glued to letters or digits, not the
/// end of a number range and not on a copyright line.
///
/// `1234 AB` (upper case, with the space) accepts at medium. Without the space
/// or in lower case it collides with sidecode-2 plates and ids, and `1024 MB`
/// is a size, so those need context (a postcode keyword or column).
pub(super) fn check_nl_postcode(c: &Candidate<'_>) -> Verdict {
    if is_alnum(prev_byte(c, 1)) || is_alnum(next_byte(c, 1)) {
        return Verdict::Reject;
    }
    // The second year of a range (`2012-2024 JP Aumasson`) or the tail of a
    // longer number. Not a comma: in a comma-separated row the field before
    // (`Hoofdstraat 10,7299 KV`) often ends in a digit.
    if matches!(prev_byte(c, 1), Some(b'-' | b'/' | b'.')) && is_digit(prev_byte(c, 2)) {
        return Verdict::Reject;
    }
    // Copyright lines: `(C) 1999 AT&T`, `Copyright 2008 TJ`.
    static COPYRIGHT: std::sync::LazyLock<Keywords> = std::sync::LazyLock::new(|| {
        Keywords::new([b"copyright".as_slice(), b"(c)", "\u{a9}".as_bytes()])
    });
    const COPYRIGHT_WINDOW: usize = 40;
    if COPYRIGHT.any_in::<COPYRIGHT_WINDOW>(window_before(c, COPYRIGHT_WINDOW)) {
        return Verdict::Reject;
    }
    let text = cand_text(c);
    let (digits, sep, letters) = match text {
        [d @ .., b' ', l1, l2] if d.len() == 4 => (d, true, [*l1, *l2]),
        [d @ .., l1, l2] if d.len() == 4 => (d, false, [*l1, *l2]),
        _ => return Verdict::Reject,
    };
    if !digits.iter().all(u8::is_ascii_digit)
        || digits[0] == b'0'
        || !letters.iter().all(u8::is_ascii_alphabetic)
    {
        return Verdict::Reject;
    }
    let upper = letters.map(|b| b.to_ascii_uppercase());
    if matches!(&upper, b"SA" | b"SD" | b"SS") {
        return Verdict::Reject;
    }
    let canonical = sep && letters.iter().all(u8::is_ascii_uppercase);
    if canonical && !UNIT_SUFFIXES.contains(&upper) {
        Verdict::Accept(Confidence::Medium)
    } else {
        Verdict::NeedsContext(Confidence::Medium)
    }
}

// ---------------------------------------------------------------------------
// Dates

const MIN_YEAR: u32 = 1900;
const MAX_YEAR: u32 = 2026;

/// Month names and abbreviations, Dutch and English, lower case.
const MONTHS: &[(&[u8], u32)] = &[
    (b"januari", 1),
    (b"january", 1),
    (b"jan", 1),
    (b"februari", 2),
    (b"february", 2),
    (b"feb", 2),
    (b"febr", 2),
    (b"maart", 3),
    (b"march", 3),
    (b"mrt", 3),
    (b"mar", 3),
    (b"april", 4),
    (b"apr", 4),
    (b"mei", 5),
    (b"may", 5),
    (b"juni", 6),
    (b"june", 6),
    (b"jun", 6),
    (b"juli", 7),
    (b"july", 7),
    (b"jul", 7),
    (b"augustus", 8),
    (b"august", 8),
    (b"aug", 8),
    (b"september", 9),
    (b"sept", 9),
    (b"sep", 9),
    (b"oktober", 10),
    (b"october", 10),
    (b"okt", 10),
    (b"oct", 10),
    (b"november", 11),
    (b"nov", 11),
    (b"december", 12),
    (b"dec", 12),
];

fn month_from_name(word: &[u8]) -> Option<u32> {
    MONTHS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|&(_, m)| m)
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// A real calendar date in the accepted year range.
fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (MIN_YEAR..=MAX_YEAR).contains(&y) && (1..=days).contains(&d)
}

/// A run of `min_len..=max_len` ASCII digits as a number.
fn number(part: &[u8], min_len: usize, max_len: usize) -> Option<u32> {
    if !(min_len..=max_len).contains(&part.len()) || !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        part.iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0')),
    )
}

/// `dd-mm-yyyy`, `d/m/yyyy`, `dd.mm.yyyy` (day first, the Dutch order; with
/// `/` also month first, as US exports write it) and `yyyy-mm-dd` /
/// `yyyy/mm/dd`. One separator throughout.
fn numeric_date_ok(text: &[u8]) -> bool {
    let Some(&sep) = text.iter().find(|b| !b.is_ascii_digit()) else {
        return false;
    };
    if !matches!(sep, b'-' | b'/' | b'.') {
        return false;
    }
    let parts: Vec<&[u8]> = text.split(|&b| b == sep).collect();
    let [p1, p2, p3] = parts.as_slice() else {
        return false;
    };
    if p1.len() == 4 {
        if sep == b'.' {
            return false;
        }
        let (Some(y), Some(m), Some(d)) = (number(p1, 4, 4), number(p2, 1, 2), number(p3, 1, 2))
        else {
            return false;
        };
        return valid_date(y, m, d);
    }
    let (Some(a), Some(b), Some(y)) = (number(p1, 1, 2), number(p2, 1, 2), number(p3, 4, 4)) else {
        return false;
    };
    valid_date(y, b, a) || (sep == b'/' && valid_date(y, a, b))
}

/// Splits text into word and number tokens. Between tokens there must be a
/// separator of one or two different characters from ` `, `-`, `.`, `,`
/// (`12 mrt. 1985`, `March 12, 1985`); a double space or `--` is not a date.
fn tokens(text: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::with_capacity(3);
    let mut i = 0;
    while i < text.len() {
        let start = i;
        let kind = |b: u8| {
            if b.is_ascii_digit() {
                1
            } else if b.is_ascii_alphabetic() {
                2
            } else {
                0
            }
        };
        let k = kind(text[i]);
        if k == 0 {
            return None;
        }
        while i < text.len() && kind(text[i]) == k {
            i += 1;
        }
        out.push(&text[start..i]);
        let sep_start = i;
        while i < text.len() && matches!(text[i], b' ' | b'-' | b'.' | b',') {
            i += 1;
        }
        let run = &text[sep_start..i];
        let too_long = run.len() > 2 || (run.len() == 2 && run[0] == run[1]);
        if too_long || (i < text.len() && run.is_empty()) {
            return None;
        }
    }
    Some(out)
}

/// `12 maart 1985`, `3 Jan 1990`, `12 mrt. 1985`, `12-MRT-1985` and the
/// English month-first `March 12, 1985`.
fn named_month_date_ok(text: &[u8]) -> bool {
    let Some(toks) = tokens(text) else {
        return false;
    };
    let [t1, t2, t3] = toks.as_slice() else {
        return false;
    };
    let (day, month, year) = if t1.first().is_some_and(u8::is_ascii_digit) {
        (number(t1, 1, 2), month_from_name(t2), number(t3, 4, 4))
    } else {
        (number(t2, 1, 2), month_from_name(t1), number(t3, 4, 4))
    };
    match (day, month, year) {
        (Some(d), Some(m), Some(y)) => valid_date(y, m, d),
        _ => false,
    }
}

/// Date validator for dates of birth: numeric or month-name dates that are
/// real calendar dates with a year in 1900..=2026. Always `NeedsContext`:
/// files are full of dates that are not birth dates (APK expiry, first
/// registration, invoices). Rejects dates glued to digits or inside a longer
/// dotted or dashed number.
pub(super) fn check_date(c: &Candidate<'_>) -> Verdict {
    let sep = |b: Option<u8>| matches!(b, Some(b'.' | b'-' | b'/'));
    if is_digit(prev_byte(c, 1)) || is_digit(next_byte(c, 1)) {
        return Verdict::Reject;
    }
    if (sep(prev_byte(c, 1)) && is_digit(prev_byte(c, 2)))
        || (sep(next_byte(c, 1)) && is_digit(next_byte(c, 2)))
        || in_decimal_number(c)
    {
        return Verdict::Reject;
    }
    let text = cand_text(c);
    let ok = if text.iter().any(u8::is_ascii_alphabetic) {
        named_month_date_ok(text)
    } else {
        numeric_date_ok(text)
    };
    if ok {
        Verdict::NeedsContext(Confidence::High)
    } else {
        Verdict::Reject
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEDIUM: Verdict = Verdict::Accept(Confidence::Medium);
    const REJECT: Verdict = Verdict::Reject;
    const CTX_MEDIUM: Verdict = Verdict::NeedsContext(Confidence::Medium);
    const CTX_HIGH: Verdict = Verdict::NeedsContext(Confidence::High);

    fn run(check: fn(&Candidate<'_>) -> Verdict, text: &str) -> Verdict {
        check(&Candidate::whole(text.as_bytes()))
    }

    /// Runs a validator on `text` found inside `hay` (first occurrence).
    fn inside(check: fn(&Candidate<'_>) -> Verdict, hay: &str, text: &str) -> Verdict {
        let start = hay
            .find(text)
            .expect("test text must occur in the haystack");
        check(&Candidate::new(hay.as_bytes(), start, start + text.len()))
    }

    #[test]
    fn no_later_start_inside_an_address_is_accepted_where_the_matcher_stops_looking() {
        let lines = [
            "client 81.204.12.7 and 2a02:a440:1:2::17, 145.53.1.200.",
            "v1.2.3.4 85.128.152.234:443 [2a02:a440::17]:8080 1.81.204.12.7",
            "x_81.204.12.7 213.75.12.34.5 2a02:a440:1:2::17%eth0 ::ffff:81.204.12.7",
        ];
        crate::validate::assert_later_starts_rejected(
            &lines,
            |c| later_address_starts_rejected(c, false),
            check_ipv4,
        );
        crate::validate::assert_later_starts_rejected(
            &lines,
            |c| later_address_starts_rejected(c, true),
            check_ipv6,
        );
    }

    #[test]
    fn ipv4_accepts_public() {
        for ok in ["81.204.12.7", "145.53.1.200", "213.75.12.34", "52.95.110.1"] {
            assert_eq!(run(check_ipv4, ok), MEDIUM, "{ok}");
        }
        assert_eq!(
            inside(check_ipv4, "client=81.204.12.7 GET /", "81.204.12.7"),
            MEDIUM
        );
        assert_eq!(
            inside(check_ipv4, "\"ip\":\"81.204.12.7\"", "81.204.12.7"),
            MEDIUM
        );
        assert_eq!(
            inside(check_ipv4, "from 81.204.12.7.", "81.204.12.7"),
            MEDIUM
        );
        assert_eq!(
            inside(check_ipv4, "server 81.204.12.7", "81.204.12.7"),
            MEDIUM
        );
        // `VER` inside a VIN in the column before is no version label.
        assert_eq!(
            inside(
                check_ipv4,
                "'WBAGLW86VER117032','89.132.4.105'",
                "89.132.4.105"
            ),
            MEDIUM
        );
        assert_eq!(
            inside(check_ipv4, "id 7OID3 81.204.12.7", "81.204.12.7"),
            MEDIUM
        );
    }

    #[test]
    fn ipv4_rejects_non_public() {
        for bad in [
            "10.0.0.1",
            "127.0.0.1",
            "0.0.0.0",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.1",
            "192.0.0.8",
            "192.0.2.15",
            "198.18.0.1",
            "198.19.2.3",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.251",
            "239.255.255.250",
            "240.1.2.3",
            "255.255.255.255",
            "8.8.8.8",
            "1.1.1.1",
            "1.2.3.4",
        ] {
            assert_eq!(run(check_ipv4, bad), REJECT, "{bad}");
        }
        // Edges just outside the private ranges are public.
        for ok in [
            "172.15.0.1",
            "172.32.0.1",
            "100.63.0.1",
            "100.128.0.1",
            "198.20.0.1",
            "11.0.0.100",
        ] {
            assert_eq!(run(check_ipv4, ok), MEDIUM, "{ok}");
        }
    }

    #[test]
    fn ipv4_rejects_malformed_and_versions() {
        for bad in [
            "256.1.1.1",
            "81.204.012.7",
            "01.2.3.4",
            "81.204.12",
            "81.204.12.7.9",
            "81..12.7",
            "a.b.c.d",
            "",
        ] {
            assert_eq!(run(check_ipv4, bad), REJECT, "{bad}");
        }
        let ip = "81.204.12.7";
        assert_eq!(inside(check_ipv4, "v81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "9.81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "81.204.12.7.9", ip), REJECT);
        assert_eq!(inside(check_ipv4, "81.204.12.75", "81.204.12.7"), REJECT);
        assert_eq!(inside(check_ipv4, "81.204.12.7b", ip), REJECT);
        assert_eq!(inside(check_ipv4, "Version 81.204.12.7", ip), REJECT);
        assert_eq!(
            inside(check_ipv4, "AssemblyVersion(\"81.204.12.7\")", ip),
            REJECT
        );
        assert_eq!(inside(check_ipv4, "ver. 81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "VER 81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "see Section 81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "zie \u{a7} 81.204.12.7", ip), REJECT);
        assert_eq!(run(check_ipv4, "4.6.2.2"), REJECT);
        assert_eq!(run(check_ipv4, "9.3.3.1"), REJECT);
        assert_eq!(run(check_ipv4, "9.3.3.10"), CTX_MEDIUM);
        assert_eq!(run(check_ipv4, "2.5.29.9"), CTX_MEDIUM);
        assert_eq!(run(check_ipv4, "2.5.29.32"), MEDIUM);
        assert_eq!(run(check_ipv4, "123.45.67.89"), REJECT);
        assert_eq!(
            inside(check_ipv4, "ObjectIdentifier(\"81.204.12.7\")", ip),
            REJECT
        );
        assert_eq!(inside(check_ipv4, "OID 81.204.12.7", ip), REJECT);
        assert_eq!(
            inside(check_ipv4, "deps: upgrade V8 to 81.204.12.7", ip),
            REJECT
        );
        assert_eq!(inside(check_ipv4, "android 81.204.12.7", ip), MEDIUM);
        assert_eq!(inside(check_ipv4, "avoid 81.204.12.7", ip), MEDIUM);
        assert_eq!(
            inside(check_ipv4, "d=\"M2 0-2.12 81.204.12.7 2.03.5\"", ip),
            REJECT
        );
        assert_eq!(inside(check_ipv4, "x 1.5,81.204.12.7", ip), REJECT);
        assert_eq!(inside(check_ipv4, "52.95.110.1, 81.204.12.7", ip), MEDIUM);
        assert_eq!(inside(check_ipv4, "port 8080 81.204.12.7", ip), MEDIUM);
        assert_eq!(inside(check_ipv4, " 81.204.12.7", ip), MEDIUM);
        assert_eq!(inside(check_ipv4, "'81.204.12.7.in-addr.arpa'", ip), REJECT);
        assert_eq!(inside(check_ipv4, "81.204.12.7.IN-ADDR.ARPA", ip), REJECT);
    }

    #[test]
    fn ipv6_accepts_global() {
        for ok in [
            "2a02:a440:1:2::17",
            "2001:4860:4860::1",
            "2A02:A440:0001:0002:0000:0000:0000:0017",
            "2606:4700:10::6816:1",
            "2a02:a440::1%eth0",
        ] {
            assert_eq!(run(check_ipv6, ok), MEDIUM, "{ok}");
        }
        assert_eq!(
            inside(
                check_ipv6,
                "client [2a02:a440:1:2::17]:443",
                "2a02:a440:1:2::17"
            ),
            MEDIUM
        );
        assert_eq!(
            inside(check_ipv6, "from 2a02:a440:1:2::17.", "2a02:a440:1:2::17"),
            MEDIUM
        );
    }

    #[test]
    fn ipv6_rejects() {
        for bad in [
            "::",
            "::1",
            "fe80::1",
            "fe80::1%eth0",
            "fd12:3456:789a::1",
            "fc00::1",
            "2001:db8::1",
            "2001:DB8:85a3::8a2e:370:7334",
            "3fff::1",
            "ff02::1",
            "::ffff:81.204.12.7",
            "::81.204.12.7",
            "12:30:45",
            "2023:10:15",
            "2001:4860",
            "2001:4860:4860:8888",
            "2001:4860::8888::1",
            "dead:beef::1",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "2620:fe::fe",
            "",
        ] {
            assert_eq!(run(check_ipv6, bad), REJECT, "{bad:?}");
        }
        let ip = "2a02:a440::17";
        assert_eq!(inside(check_ipv6, "a2a02:a440::17", ip), REJECT);
        assert_eq!(inside(check_ipv6, ":2a02:a440::17", ip), REJECT);
        assert_eq!(inside(check_ipv6, "2a02:a440::17:", ip), REJECT);
        assert_eq!(inside(check_ipv6, "2a02:a440::17f", ip), REJECT);
    }

    #[test]
    fn postcode() {
        assert_eq!(run(check_nl_postcode, "1012 AB"), MEDIUM);
        assert_eq!(run(check_nl_postcode, "9999 ZZ"), MEDIUM);
        assert_eq!(run(check_nl_postcode, "1012AB"), CTX_MEDIUM);
        assert_eq!(run(check_nl_postcode, "1012 ab"), CTX_MEDIUM);
        assert_eq!(run(check_nl_postcode, "1012ab"), CTX_MEDIUM);
        assert_eq!(run(check_nl_postcode, "1024 MB"), CTX_MEDIUM);
        assert_eq!(run(check_nl_postcode, "1500 KG"), CTX_MEDIUM);
        for bad in [
            "1012 SA", "1012 SD", "1012 SS", "1012sa", "0123 AB", "1012  AB", "101 AB", "10123 AB",
            "1012 A1", "1012-AB", "1012 ABC", "",
        ] {
            assert_eq!(run(check_nl_postcode, bad), REJECT, "{bad:?}");
        }
        assert_eq!(
            inside(check_nl_postcode, "Damrak 1, 1012 AB Amsterdam", "1012 AB"),
            MEDIUM
        );
        assert_eq!(inside(check_nl_postcode, "NL-1012 AB", "1012 AB"), MEDIUM);
        assert_eq!(inside(check_nl_postcode, "x1012 AB", "1012 AB"), REJECT);
        assert_eq!(inside(check_nl_postcode, "1012 ABC", "1012 AB"), REJECT);
        assert_eq!(inside(check_nl_postcode, "51012 AB", "1012 AB"), REJECT);
        // A comma-separated row whose previous field ends in a digit.
        assert_eq!(
            inside(
                check_nl_postcode,
                "Hoofdstraat 10,7299 KV,Arnhem",
                "7299 KV"
            ),
            MEDIUM
        );
        assert_eq!(inside(check_nl_postcode, "2012-2024 JP", "2024 JP"), REJECT);
        assert_eq!(inside(check_nl_postcode, "3.1024 MB", "1024 MB"), REJECT);
        assert_eq!(
            inside(
                check_nl_postcode,
                "Copyright 2012-2024 JP Aumasson",
                "2024 JP"
            ),
            REJECT
        );
        assert_eq!(
            inside(check_nl_postcode, "Copyright (C) 1999 AT&T Labs", "1999 AT"),
            REJECT
        );
        assert_eq!(
            inside(check_nl_postcode, "\u{a9} 2008 TJ", "2008 TJ"),
            REJECT
        );
        assert_eq!(inside(check_nl_postcode, "1-2024 JP", "2024 JP"), REJECT);
    }

    #[test]
    fn dates_accepted() {
        for ok in [
            "12-03-1985",
            "1-3-1985",
            "12/03/1985",
            "12.03.1985",
            "1985-03-12",
            "1985/03/12",
            "29-02-2000",
            "29-02-1996",
            "31-12-2026",
            "01-01-1900",
            "12/31/1990",
            "12 maart 1985",
            "3 Jan 1990",
            "12 mrt. 1985",
            "12 MRT 1985",
            "12-mrt-1985",
            "1 mei 1970",
            "5 okt. 2001",
            "17 September 1964",
            "March 12, 1985",
            "Jan 3 1990",
            "sept. 9, 1999",
        ] {
            assert_eq!(run(check_date, ok), CTX_HIGH, "{ok}");
        }
    }

    #[test]
    fn dates_rejected() {
        for bad in [
            "31-02-1990",
            "29-02-1900",
            "29-02-2001",
            "31-04-1985",
            "00-01-1985",
            "12-13-1985",
            "32-01-1985",
            "12-03-1899",
            "01-01-2027",
            "12-03/1985",
            "12.03-1985",
            "1985.03.12",
            "123-03-1985",
            "12-03-85",
            "12 foo 1985",
            "31 april 1985",
            "12 maart",
            "maart 1985",
            "12  maart 1985",
            "12 maart 1985 x",
            "",
        ] {
            assert_eq!(run(check_date, bad), REJECT, "{bad:?}");
        }
        let d = "12-03-1985";
        assert_eq!(
            inside(check_date, "geboortedatum: 12-03-1985;", d),
            CTX_HIGH
        );
        assert_eq!(inside(check_date, "112-03-1985", "12-03-1985"), REJECT);
        assert_eq!(inside(check_date, "12-03-19851", d), REJECT);
        assert_eq!(inside(check_date, "1.12.03.1985", "12.03.1985"), REJECT);
        assert_eq!(inside(check_date, "12-03-1985-4", d), REJECT);
        assert_eq!(
            inside(check_date, "1985-03-12T00:00:00Z", "1985-03-12"),
            CTX_HIGH
        );
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000));
        assert!(is_leap(1996));
        assert!(!is_leap(1900));
        assert!(!is_leap(2023));
        assert!(is_leap(2024));
    }

    /// Every validator on every span of many generated strings (and on spans
    /// outside the haystack) returns without panicking.
    #[test]
    fn no_panic_on_arbitrary_input() {
        const ALPHABET: &[u8] = b"0123456789abfAMmr .-/:,%\xff";
        let mut seed = 0x9e37_79b9_u64;
        let checks: [fn(&Candidate<'_>) -> Verdict; 4] =
            [check_ipv4, check_ipv6, check_nl_postcode, check_date];
        for _ in 0..300 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 33) as usize % 40;
            let hay: Vec<u8> = (0..len)
                .map(|i| {
                    let x = seed.rotate_left(i as u32 * 7) >> 40;
                    ALPHABET[x as usize % ALPHABET.len()]
                })
                .collect();
            for start in 0..=len + 2 {
                for end in 0..=len + 2 {
                    let c = Candidate::new(&hay, start, end);
                    for check in checks {
                        let _ = check(&c);
                    }
                }
            }
        }
    }
}
