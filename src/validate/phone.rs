//! Phone numbers: a written-form check of our own, then the numbering plan
//! of libphonenumber (the `phonenumber` crate) for validity.
//!
//! The rule pattern is deliberately broad (digits with spaces, dashes, dots,
//! slashes and parentheses), so most candidates are not phone numbers at all:
//! dates, times, amounts, version numbers, IP addresses, order numbers, the
//! digits of an IBAN or a card number. The written form rules those out
//! before the (much slower) numbering-plan check runs, and how the number is
//! written also decides the confidence: `+31 6 12345678` is surely a phone
//! number, a bare `612345678` may be anything.
//!
//! Metadata: libphonenumber's, as the `phonenumber` crate ships it. The
//! Dutch numbering plan (the default region, and most numbers in a Dutch
//! estate) is checked by code of our own ([`dutch_valid`]), with no lock and
//! no allocation. Every other number (international, or national in another
//! region) is checked by [`phone_plan`] against the same metadata embedded
//! as data, with patterns compiled per country on first use (no lock, and a
//! bounded, small memory cost however many countries a tree holds). Only the
//! few forms `phone_plan` hands back reach the crate itself ([`METADATA`]):
//! its process-wide database is decoded on that first use (about 100 ms,
//! parsing every region's patterns), and its checks share one mutex.
//!
//! Only clean strings reach the library (`+` and digits, or digits alone):
//! the library's own free-text parser has panicked on odd input in the past,
//! and the written form is already understood here.

use super::phone_plan::{self, PlanVerdict};
use super::{Candidate, Verdict};
use crate::finding::Confidence;
use arrayvec::{ArrayString, ArrayVec};
use phonenumber::PhoneNumber;
use phonenumber::country::Id;
use phonenumber::metadata::{DATABASE, Database};
use std::sync::LazyLock;

/// Compiled numbering-plan regexes the crate may keep. The crate's default
/// (an LRU of 100) holds the patterns of only about 13 countries: numbers
/// from more countries than that evict each other and every check recompiles
/// regexes (measured 4 ms per call instead of 10 µs). Checking the example
/// numbers of every region compiles about 1,200 patterns (about 135 MB
/// resident in all; 30 countries stay under 40 MB), so this bound is never
/// the limit in practice but still caps memory.
const REGEX_CACHE_CAPACITY: usize = 2048;

/// libphonenumber's metadata, decoded once on first use and shared by all
/// threads (see the module docs), with its regex cache enlarged.
pub(super) static METADATA: LazyLock<&'static Database> = LazyLock::new(|| {
    let db: &'static Database = &DATABASE;
    // A poisoned lock only means another thread panicked inside the crate;
    // the cache itself is still usable, so enlarge it either way.
    let cache = db.cache();
    let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
    guard.set_capacity(REGEX_CACHE_CAPACITY);
    db
});

/// E.164 allows at most 15 digits including the country code.
const MAX_DIGITS: usize = 15;
/// No numbering plan has shorter full numbers worth reporting.
const MIN_DIGITS: usize = 7;
/// Longest text a written phone number plausibly takes; bounds the work.
const MAX_TEXT: usize = 40;

/// How the number announces it is international.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intl {
    /// `+31 ...`
    Plus,
    /// `0031 ...` (the international access code of most of Europe).
    DoubleZero,
}

/// What the written form says about a candidate.
#[derive(Debug)]
struct Written {
    /// The digits to dial after the international prefix (or the national
    /// digits), with a `(0)` trunk marker removed.
    digits: ArrayString<MAX_TEXT>,
    intl: Option<Intl>,
    /// Number of digit groups as written (1: a plain digit run).
    groups: usize,
    /// Length of the first digit group (after `+` or `00` if present).
    first_group: usize,
    /// The area code is written in parentheses: `(020) 123 4567`.
    paren_area: bool,
    /// Dots were used as separators (less common; lowers confidence).
    dotted: bool,
}

/// One piece of the written form (offsets fit a byte: the text is at most
/// `MAX_TEXT` long, and small pieces are cheap to copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// A run of digits (byte range in the text).
    Digits(u8, u8),
    /// A parenthesised run of digits (byte range of the digits).
    Paren(u8, u8),
    /// A separator chunk between two pieces, by its non-space character
    /// (`b' '` when it is spaces only, `0` when empty, i.e. next to a paren).
    Sep(u8),
}

/// The pieces of a written form: no more than its bytes (the text is at
/// most `MAX_TEXT` long), kept on the stack.
type Pieces = ArrayVec<Piece, MAX_TEXT>;

/// An offset in a written form, as a piece stores it.
fn byte(offset: usize) -> Option<u8> {
    u8::try_from(offset).ok()
}

/// Splits `text` into digit groups, parenthesised groups and separator chunks.
/// `None` when the text has anything else, or separator chunks no one writes
/// (`--`, `-.`, `. `).
fn pieces(text: &[u8]) -> Option<Pieces> {
    let mut out = Pieces::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < text.len() && text[i].is_ascii_digit() {
                i += 1;
            }
            out.try_push(Piece::Digits(byte(start)?, byte(i)?)).ok()?;
        } else if b == b'(' {
            let start = i + 1;
            let mut j = start;
            while j < text.len() && text[j].is_ascii_digit() {
                j += 1;
            }
            if j == start || j - start > 5 || text.get(j) != Some(&b')') {
                return None;
            }
            if matches!(out.last(), Some(Piece::Digits(..) | Piece::Paren(..))) {
                out.try_push(Piece::Sep(0)).ok()?;
            }
            out.try_push(Piece::Paren(byte(start)?, byte(j)?)).ok()?;
            i = j + 1;
            // A digit right after the paren: "(0)20" is written glued.
            if text.get(i).is_some_and(u8::is_ascii_digit) {
                out.try_push(Piece::Sep(0)).ok()?;
            }
        } else if matches!(b, b' ' | b'-' | b'.' | b'/') {
            let start = i;
            while i < text.len() && matches!(text[i], b' ' | b'-' | b'.' | b'/') {
                i += 1;
            }
            out.try_push(Piece::Sep(sep_kind(&text[start..i])?)).ok()?;
        } else {
            return None;
        }
    }
    Some(out)
}

/// The kind of a separator chunk: spaces alone (at most two), or one of
/// `-./` with at most one space on either side.
fn sep_kind(chunk: &[u8]) -> Option<u8> {
    // A tab separates fields (TSV, pg_dump COPY), never the groups of one number.
    let is_space = |b: &u8| *b == b' ';
    let lead = chunk.iter().take_while(|b| is_space(b)).count();
    let rest = &chunk[lead..];
    match rest {
        [] if lead <= 2 => Some(b' '),
        [mark, tail @ ..] if lead <= 1 && tail.len() <= 1 && tail.iter().all(is_space) => {
            // Dots and slashes hug the digits; only a dash gets spaces.
            (*mark == b'-' || (lead == 0 && tail.is_empty())).then_some(*mark)
        }
        _ => None,
    }
}

/// Parses the written form of a candidate. `None`: not a phone number as
/// anyone writes one.
fn written(text: &[u8]) -> Option<Written> {
    if plain_date(text) {
        return None;
    }
    written_form(text)
}

/// `29-06-1950` or `1950-06-29` (any one of `-./` twice) with a valid day
/// and month: turned down by [`written_form`] too (as a date, or for its
/// dots or slashes), but told without parsing it. Tables hold a date of
/// birth on every row, and most phone candidates there are dates.
fn plain_date(text: &[u8]) -> bool {
    let &[a, b, c, d, e, f, g, h, i, j] = text else {
        return false;
    };
    let digits = |bytes: &[u8]| bytes.iter().all(u8::is_ascii_digit);
    let number = |hi: u8, lo: u8| u32::from(hi - b'0') * 10 + u32::from(lo - b'0');
    let day_month = |day: u32, month: u32| (1..=31).contains(&day) && (1..=12).contains(&month);
    let sep = |x: u8, y: u8| x == y && matches!(x, b'-' | b'.' | b'/');
    if sep(c, f) && digits(&[a, b, d, e, g, h, i, j]) {
        let (first, second) = (number(a, b), number(d, e));
        return day_month(first, second) || day_month(second, first);
    }
    sep(e, h) && digits(&[a, b, c, d, f, g, i, j]) && day_month(number(i, j), number(f, g))
}

/// [`written`] for every text.
fn written_form(text: &[u8]) -> Option<Written> {
    if text.len() > MAX_TEXT {
        return None;
    }
    let (intl_plus, body) = match text.split_first() {
        Some((b'+', rest)) => (true, rest),
        _ => (false, text),
    };
    let pieces = pieces(body)?;
    let (first, last) = (pieces.first()?, pieces.last()?);
    if matches!(first, Piece::Sep(_)) || matches!(last, Piece::Sep(_)) {
        return None;
    }
    if intl_plus && !matches!(first, Piece::Digits(..)) {
        return None;
    }
    let groups: Pieces = pieces
        .iter()
        .copied()
        .filter(|p| !matches!(p, Piece::Sep(_)))
        .collect();
    let seps: ArrayVec<u8, MAX_TEXT> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Sep(k) => Some(*k),
            _ => None,
        })
        .collect();

    // Parentheses: one pair, either the national area code in front
    // ("(020) 123 4567") or right after the country code ("+31 (0)20 ...",
    // "+1 (212) 555 1234").
    let mut parens = groups
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p, Piece::Paren(..)))
        .map(|(i, _)| i);
    let first_paren = parens.next();
    if parens.next().is_some() {
        return None;
    }

    // Digits as written, with the international prefix recognised.
    let text_of = |p: &Piece| -> &[u8] {
        match *p {
            Piece::Digits(s, e) | Piece::Paren(s, e) => &body[usize::from(s)..usize::from(e)],
            Piece::Sep(_) => &[],
        }
    };
    let first_digits = text_of(&groups[0]);
    let intl = if intl_plus {
        Some(Intl::Plus)
    } else if first_digits.starts_with(b"00") && matches!(groups[0], Piece::Digits(..)) {
        Some(Intl::DoubleZero)
    } else {
        None
    };
    let paren_area = first_paren == Some(0);
    match (first_paren, intl) {
        (None, _) | (Some(0), None) => {}
        (Some(1), Some(_)) => {}
        _ => return None,
    }

    let mut digits = ArrayString::<MAX_TEXT>::new();
    for (i, g) in groups.iter().enumerate() {
        let mut d = text_of(g);
        if i == 0 && intl == Some(Intl::DoubleZero) {
            d = &d[2..];
        }
        // "+31 (0)20 ..." : the (0) is the trunk prefix, not dialled from abroad.
        if intl.is_some() && matches!(g, Piece::Paren(..)) && d == b"0" {
            continue;
        }
        for &b in d {
            digits.try_push(char::from(b)).ok()?;
        }
    }
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        return None;
    }
    let first_group = match intl {
        Some(Intl::DoubleZero) => first_digits.len().saturating_sub(2),
        _ => first_digits.len(),
    };

    // Separators: each kind alone is common; few mixtures are.
    let has = |k: u8| seps.contains(&k);
    let marks: ArrayVec<u8, MAX_TEXT> = seps.iter().copied().filter(|k| *k != b' ').collect();
    let slashes = marks.iter().filter(|k| **k == b'/').count();
    if slashes > 1 {
        return None; // dates, paths, fractions
    }
    let dotted = has(b'.');
    if dotted {
        // Dots go alone, after one slash ("02/123.45.67", Belgium) or after
        // the space that ends the country code ("+33 1.23.45.67.89").
        let slash_first = marks.first() == Some(&b'/');
        let ok_marks = marks
            .iter()
            .enumerate()
            .all(|(i, k)| *k == b'.' || (i == 0 && slash_first));
        let spaces = seps.iter().filter(|k| **k == b' ').count();
        let ok_spaces =
            spaces == 0 || (spaces == 1 && intl.is_some() && seps.first() == Some(&b' '));
        if !ok_marks || !ok_spaces || has(0) {
            return None;
        }
        // A dotted digit string without a prefix is a version, an amount or
        // an address, not a phone number.
        if intl.is_none() && !first_digits.starts_with(b"0") {
            return None;
        }
    }
    if has(b'-') && slashes == 1 && marks.first() != Some(&b'/') {
        return None;
    }

    if looks_like_date(&groups, &seps, &text_of) || looks_like_ip(&groups, &seps, &text_of) {
        return None;
    }

    Some(Written {
        digits,
        intl,
        groups: groups.len(),
        first_group,
        paren_area,
        dotted,
    })
}

/// Parses one to four ASCII digits as a number.
fn small_number(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > 4 {
        return None;
    }
    Some(d.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0')))
}

/// `12-03-2024`, `2024-03-12`, `12.03.24`, `12/03/2024` (optionally followed
/// by more groups, such as the hour): three date parts joined by the same mark.
fn looks_like_date<'a>(
    groups: &[Piece],
    seps: &[u8],
    text_of: &impl Fn(&Piece) -> &'a [u8],
) -> bool {
    if groups.len() < 3 || seps.len() < 2 || seps[0] != seps[1] || seps[0] == b' ' {
        return false;
    }
    // "06-12-34-56-78" continues with the same mark; a date is followed by
    // something else (the time after a space), if anything.
    if seps.get(2) == Some(&seps[0]) {
        return false;
    }
    let parts = [
        text_of(&groups[0]),
        text_of(&groups[1]),
        text_of(&groups[2]),
    ];
    let lens = parts.map(<[u8]>::len);
    let (Some(n0), Some(n1), Some(n2)) = (
        small_number(parts[0]),
        small_number(parts[1]),
        small_number(parts[2]),
    ) else {
        return false;
    };
    let nums = [n0, n1, n2];
    let (day_month_year, year_month_day) = (
        lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 2 || lens[2] == 4),
        lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2,
    );
    let day_month = |d: u32, m: u32| (1..=31).contains(&d) && (1..=12).contains(&m);
    (day_month_year && (day_month(nums[0], nums[1]) || day_month(nums[1], nums[0])))
        || (year_month_day && day_month(nums[2], nums[1]))
}

/// Four dot-separated numbers of at most three digits, each up to 255.
fn looks_like_ip<'a>(groups: &[Piece], seps: &[u8], text_of: &impl Fn(&Piece) -> &'a [u8]) -> bool {
    groups.len() == 4
        && seps.iter().all(|k| *k == b'.')
        && groups.iter().all(|g| {
            let d = text_of(g);
            d.len() <= 3 && small_number(d).is_some_and(|n| n <= 255)
        })
}

/// Whether the bytes around the candidate show it is part of something
/// longer: an id, an amount, a date and time, an IBAN or a card number.
fn embedded(c: &Candidate) -> bool {
    let text = c.text();
    let before = c.before(2);
    let prev = before.last().copied();
    let prev2 = before
        .len()
        .checked_sub(2)
        .and_then(|i| before.get(i))
        .copied();
    if continues_something_before(prev, prev2) {
        return true;
    }
    let after = c.after(2);
    let next = after.first().copied();
    let next2 = after.get(1).copied();
    match next {
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'@' => return true,
        Some(b'.' | b':' | b'-') if next2.is_some_and(|b| b.is_ascii_digit()) => return true,
        Some(b'%') => return true,
        _ => {}
    }
    currency_before(c) || block_tail(c, text)
}

/// Whether the two bytes before a candidate (`prev` right before it) show
/// it continues a longer token.
fn continues_something_before(prev: Option<u8>, prev2: Option<u8>) -> bool {
    let digit_or_letter = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    // Commas and slashes next to digits are allowed: CSV rows put phone
    // columns side by side ("0612345678,0201234567") and people list numbers
    // as "020-1234567/06-12345678".
    match prev {
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'+' => true,
        // "12.0612345678", "10:15 ..." continued.
        Some(b'.' | b':') => prev2.is_some_and(|b| b.is_ascii_digit()),
        // "12-03-2024" continued, "ref-0612345678".
        Some(b'-') => digit_or_letter(prev2),
        // A path segment: "/orders/0612345678".
        Some(b'/') => prev2.is_some_and(|b| b.is_ascii_alphabetic()),
        _ => false,
    }
}

/// Whether [`check`] turns down every candidate that ends where `c` ends
/// but starts inside it. A written form starts with a digit, `(` or `+`;
/// one starting with a digit needs [`MIN_DIGITS`] digits from there on and
/// is turned down when the bytes before it continue something
/// (`12-03-2024 15`, `85.128.152.234`: every later start follows a dash or
/// dot after a digit). Parentheses and plus signs inside are left to the
/// check.
pub(super) fn later_starts_rejected(c: &Candidate) -> bool {
    let text = c.text();
    let mut digits_from_here = 0;
    for q in (1..text.len()).rev() {
        match text[q] {
            b'(' | b'+' => return false,
            b'0'..=b'9' => {
                digits_from_here += 1;
                if digits_from_here < MIN_DIGITS {
                    continue;
                }
                let prev2 = match q {
                    1 => c.byte_before(),
                    _ => Some(text[q - 2]),
                };
                if !continues_something_before(Some(text[q - 1]), prev2) {
                    return false;
                }
            }
            // Separators, letters: no written form starts there.
            _ => {}
        }
    }
    true
}

/// An amount: a currency sign or code just before the digits.
fn currency_before(c: &Candidate) -> bool {
    let before = c.before(8);
    let trimmed = before
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(&before[..0], |i| &before[..=i]);
    let ends = |s: &[u8]| {
        trimmed.len() >= s.len() && trimmed[trimmed.len() - s.len()..].eq_ignore_ascii_case(s)
    };
    ends("€".as_bytes())
        || ends("£".as_bytes())
        || ends(b"$")
        || ends(b"EUR")
        || ends(b"USD")
        || ends(b"GBP")
}

/// The alphanumeric token that ends right before a single space in front of
/// the candidate, and the token before that one.
fn previous_tokens<'a>(c: &Candidate<'a>) -> (&'a [u8], &'a [u8]) {
    let before = c.before(32);
    let token_before = |end: usize| -> Option<(usize, &'a [u8])> {
        let head = before.get(..end)?;
        let (&sep, head) = head.split_last()?;
        if sep != b' ' && sep != b'\t' {
            return None;
        }
        let start = head
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        let tok = &head[start..];
        (!tok.is_empty()).then_some((start, tok))
    };
    match token_before(before.len()) {
        Some((start, tok)) => (tok, token_before(start).map_or(&[][..], |(_, t)| t)),
        None => (&[][..], &[][..]),
    }
}

/// `[A-Z]{2}\d{2}`: the head of an IBAN.
fn iban_head(tok: &[u8]) -> bool {
    tok.len() == 4
        && tok[..2].iter().all(u8::is_ascii_uppercase)
        && tok[2..].iter().all(u8::is_ascii_digit)
}

/// The tail of an IBAN or card number written in blocks of four:
/// `NL91 ABNA 0417 1643 00`, `DE89 3704 0044 0532 0130 00`,
/// `5500 0000 0000 0004`.
fn block_tail(c: &Candidate, text: &[u8]) -> bool {
    let (prev, prev2) = previous_tokens(c);
    if prev.is_empty() {
        return false;
    }
    if iban_head(prev)
        || (prev.len() == 4 && prev.iter().all(u8::is_ascii_uppercase) && iban_head(prev2))
    {
        return true;
    }
    let first_group = text.iter().take_while(|b| b.is_ascii_digit()).count();
    prev.len() == 4 && prev.iter().all(u8::is_ascii_digit) && first_group == 4
}

/// Parses with the numbering plan of `region` (for national numbers) and
/// keeps the number only when it is valid there. This is the slow path:
/// the crate serialises its callers on one mutex (see the module docs), so
/// [`valid_e164`] answers the common Dutch forms without it.
fn crate_valid_number(w: &Written, region: &str) -> Option<PhoneNumber> {
    let region: Option<Id> = region.trim().to_ascii_uppercase().parse().ok();
    // International numbers are parsed without a region: given one, the
    // crate applies that region's trunk prefix to every number and turns
    // +39 06 ... (Rome, whose national number keeps its 0) into garbage.
    let (region, input) = match w.intl {
        Some(_) => (None, format!("+{}", w.digits)),
        None => (Some(region?), w.digits.to_string()),
    };
    let db: &Database = &METADATA;
    let number = phonenumber::parse_with(db, region, &input).ok()?;
    phonenumber::is_valid_with(db, &number).then_some(number)
}

/// The Dutch national significant number of `w`, when the written form
/// leaves no doubt about it; `None` sends the number to the crate.
///
/// Doubtful forms are left to the crate so both paths always agree: a
/// national number starting with `00` (an international prefix) or with
/// `31` (the crate may read it as the country code), and an international
/// number whose national part starts with the trunk `0` (`+31 06 ...`).
fn dutch_national<'w>(w: &'w Written, region: &str) -> Option<&'w [u8]> {
    let d = w.digits.as_bytes();
    match w.intl {
        Some(_) => d.strip_prefix(b"31").filter(|n| n.first() != Some(&b'0')),
        None if region.trim().eq_ignore_ascii_case("NL") => {
            if d.starts_with(b"00") || d.starts_with(b"31") {
                None
            } else {
                Some(d.strip_prefix(b"0").unwrap_or(d))
            }
        }
        None => None,
    }
}

/// Whether a Dutch national significant number is valid, with the crate's
/// semantics: libphonenumber's metadata for NL (the general pattern, then
/// any number type), where a pattern must match at the start of the number
/// (a prefix, not the whole number) and the number's length must be one of
/// the type's possible lengths; except that a mobile number matches whole,
/// as in libphonenumber itself. Written out as code so the check needs no
/// lock and no allocation; `tests::dutch_plan_agrees_with_the_crate` keeps
/// it equal to the crate's verdict.
fn dutch_valid(n: &[u8]) -> bool {
    if n.is_empty() || !n.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let len = n.len();
    let at = |i: usize| n.get(i).map_or(10, |b| b - b'0');
    let (a, b, c) = (at(0), at(1), at(2));
    // generalDesc (no possible lengths of its own):
    // (?:[124-7]\d\d|3(?:[02-9]\d|1[0-8]))\d{6}|8\d{6,9}|9\d{6,10}|1\d{4,5}
    let general = (len >= 9 && (matches!(a, 1 | 2 | 4..=7) || (a == 3 && (b != 1 || c <= 8))))
        || (a == 8 && len >= 7)
        || (a == 9 && len >= 7)
        || (a == 1 && len >= 5);
    if !general {
        return false;
    }
    let fixed_line = len == 9
        && match (a, b) {
            (1, 0 | 3 | 5) => true,
            (1, 1) => matches!(c, 1 | 3..=5 | 7 | 8),
            (1, 6) => matches!(c, 1 | 2 | 4..=8),
            (1, 7) => matches!(c, 2 | 4),
            (1, 8) => matches!(c, 0..=4 | 6 | 7),
            (2, 0 | 3 | 4 | 6) => true,
            (2, 2) => matches!(c, 2..=4 | 6..=9),
            (2, 5) => matches!(c, 1 | 2 | 5),
            (2, 9) => matches!(c, 4 | 7 | 9),
            (3, 0 | 3 | 5 | 6 | 8) => true,
            (3, 1) => matches!(c, 3..=8),
            (3, 2) => matches!(c, 0 | 1),
            (3, 4) => matches!(c, 1..=8),
            (4, 0 | 3 | 5 | 6) => true,
            (4, 1) => matches!(c, 1..=3 | 6 | 8),
            (4, 7) => matches!(c, 5 | 8),
            (4, 8) => matches!(c, 1 | 5..=8),
            (4, 9) => matches!(c, 2 | 3 | 5 | 7 | 9),
            (5, 0 | 3 | 5 | 8) => true,
            (5, 1 | 9) => matches!(c, 1..=9),
            (5, 2) => matches!(c, 1..=5 | 7..=9),
            (5, 4) => matches!(c, 1 | 3..=8),
            (5, 6) => matches!(c, 1 | 2 | 6),
            (5, 7) => matches!(c, 0..=3 | 5 | 7 | 8),
            (7, _) => true,
            _ => false,
        };
    // mobile (lengths 9, 11): (?:6[1-58]|970\d)\d{7}. Matched whole here,
    // as libphonenumber matches it: the crate's prefix match let 06 and
    // ten more digits (`065333174087`, a request id) pass for a mobile
    // number by the length of the 970 numbers.
    let mobile =
        (len == 9 && a == 6 && matches!(b, 1..=5 | 8)) || (len == 11 && n.starts_with(b"970"));
    // pager (9): 66\d{7}; voip (9): (?:85|91)\d{7}
    let pager = len == 9 && a == 6 && b == 6;
    let voip = len == 9 && matches!((a, b), (8, 5) | (9, 1));
    // tollFree (7-10): 800\d{4,7}; premiumRate (7-10): 90[069]\d{4,7}
    let toll_free = (7..=10).contains(&len) && n.starts_with(b"800");
    let premium = (7..=10).contains(&len) && a == 9 && b == 0 && matches!(c, 0 | 6 | 9);
    // uan (5, 6, 9): 140(?:1[035]|2[0346]|3[03568]|4[0356]|5[0358]|8[458])
    //   |(?:140(?:1[16-8]|2[259]|3[124]|4[17-9]|5[124679]|7)|8[478]\d{6})\d
    let uan = matches!(len, 5 | 6 | 9) && {
        let (d, e) = (at(3), at(4));
        let five = n.starts_with(b"140")
            && match d {
                1 => matches!(e, 0 | 3 | 5),
                2 => matches!(e, 0 | 3 | 4 | 6),
                3 => matches!(e, 0 | 3 | 5 | 6 | 8),
                4 => matches!(e, 0 | 3 | 5 | 6),
                5 => matches!(e, 0 | 3 | 5 | 8),
                8 => matches!(e, 4 | 5 | 8),
                7 => true,
                _ => false,
            };
        let six = n.starts_with(b"140")
            && len >= 6
            && match d {
                1 => matches!(e, 1 | 6..=8),
                2 => matches!(e, 2 | 5 | 9),
                3 => matches!(e, 1 | 2 | 4),
                4 => matches!(e, 1 | 7..=9),
                5 => matches!(e, 1 | 2 | 4 | 6 | 7 | 9),
                _ => false,
            };
        let nine = len == 9 && a == 8 && matches!(b, 4 | 7 | 8);
        five || six || nine
    };
    fixed_line || mobile || pager || voip || toll_free || premium || uan
}

/// The E.164 form of `w` when it is a valid number.
fn valid_e164(w: &Written, region: &str) -> Option<String> {
    valid_e164_on_stack(w, region).map(|e164| e164.to_string())
}

/// An E.164 form: `+` and at most 15 digits (room to spare, so a form is
/// never turned down for its length here).
type E164 = ArrayString<MAX_TEXT>;

/// [`valid_e164`] without a heap copy for the common Dutch forms.
fn valid_e164_on_stack(w: &Written, region: &str) -> Option<E164> {
    match dutch_national(w, region) {
        Some(national) => {
            if !dutch_valid(national) {
                return None;
            }
            let mut e164 = E164::new();
            e164.try_push_str("+31").ok()?;
            for &b in national {
                e164.try_push(char::from(b)).ok()?;
            }
            Some(e164)
        }
        None => other_e164(w, region).and_then(|e164| E164::from(&e164).ok()),
    }
}

/// A number outside the Dutch plan's common forms, by the plans compiled in
/// [`phone_plan`]; the few forms not re-implemented there by the crate.
fn other_e164(w: &Written, region: &str) -> Option<String> {
    let verdict = match w.intl {
        Some(_) => phone_plan::check_international(&w.digits),
        None => {
            let region = region.trim().to_ascii_uppercase();
            if region.parse::<Id>().is_err() {
                return None;
            }
            phone_plan::check_national(&region, &w.digits)
        }
    };
    match verdict {
        PlanVerdict::Valid(e164) => return Some(e164),
        PlanVerdict::Invalid => return None,
        PlanVerdict::AskTheCrate => {}
    }
    crate_valid_number(w, region).map(|n| format!("+{}{}", n.code().value(), n.national()))
}

/// Phone numbers, with `region` (ISO country code such as `NL`) as the
/// numbering plan for numbers written without an international prefix.
///
/// Accept(High): international (`+31 6 12345678`, `0031 6 1234 5678`) or a
/// national number with its trunk 0 in a written layout (`06-12345678`,
/// `(020) 123 4567`). Accept(Medium): the same as one plain digit run
/// (`0612345678`), dotted forms, or a parenthesised area code without a trunk
/// 0 (`(212) 555-1234`). NeedsContext(Medium): no prefix at all (`612345678`
/// is as likely an id).
pub(super) fn check(c: &Candidate, region: &str) -> Verdict {
    // The neighbours are cheaper to look at than the written form is to
    // parse, and turn down most candidates that are not phone numbers
    // (digits inside an IBAN, a date with its time).
    if embedded(c) {
        return Verdict::Reject;
    }
    let text = c.text();
    let Some(w) = written(text) else {
        return Verdict::Reject;
    };
    let Some(e164) = valid_e164_on_stack(&w, region) else {
        return Verdict::Reject;
    };
    RECENTLY_ACCEPTED.with_borrow_mut(|recent| recent.keep(text, region, e164));
    let separated = w.groups > 1;
    let mut conf = match w.intl {
        Some(Intl::Plus) => Confidence::High,
        Some(Intl::DoubleZero) if separated => Confidence::High,
        Some(Intl::DoubleZero) => Confidence::Medium,
        None if w.digits.starts_with('0') && separated && w.first_group <= 5 => Confidence::High,
        None if w.digits.starts_with('0') => Confidence::Medium,
        None if w.paren_area => Confidence::Medium,
        None => return Verdict::NeedsContext(Confidence::Medium),
    };
    if w.dotted {
        conf = conf.lowered();
    }
    Verdict::Accept(conf)
}

/// The E.164 form (`+31612345678`) of a phone number written in any of the
/// forms `check` accepts, for fingerprints and look-ups. `None` when the
/// text is not a valid number (for `region` when it has no international
/// prefix).
pub fn to_e164(text: &[u8], region: &str) -> Option<String> {
    if let Some(e164) = RECENTLY_ACCEPTED.with_borrow(|recent| recent.get(text, region)) {
        return Some(e164);
    }
    let w = written(text)?;
    valid_e164(&w, region)
}

/// Appends to `out` the E.164 form of `text` when it is one of the last
/// few numbers `check` accepted on this thread (in `region`); false when
/// it is not, and nothing is appended. Answers as [`to_e164`] would, without
/// an allocation.
pub fn append_just_accepted(text: &[u8], region: &str, out: &mut String) -> bool {
    RECENTLY_ACCEPTED.with_borrow(|recent| {
        recent
            .entries
            .iter()
            .find_map(|a| a.kept(text, region))
            .map(|e164| out.push_str(e164))
            .is_some()
    })
}

/// The E.164 form of a number [`check`] accepted on this thread.
#[derive(Default)]
struct Accepted {
    text: ArrayVec<u8, MAX_TEXT>,
    region: ArrayString<8>,
    e164: Option<E164>,
}

impl Accepted {
    fn keep(&mut self, text: &[u8], region: &str, e164: E164) {
        self.text.clear();
        self.region.clear();
        // Texts and regions too long to keep are not kept (the form is
        // computed again).
        if self.text.try_extend_from_slice(text).is_ok() && self.region.try_push_str(region).is_ok()
        {
            self.e164 = Some(e164);
        } else {
            self.e164 = None;
        }
    }

    /// The kept form when it is the one of `text` in `region`.
    fn kept(&self, text: &[u8], region: &str) -> Option<&str> {
        let e164 = self.e164.as_ref()?;
        (self.text.as_slice() == text && self.region.as_str() == region).then_some(e164.as_str())
    }
}

/// Numbers held by [`RecentlyAccepted`]: a line's candidates are all
/// checked before its findings are normalised, and a line seldom holds
/// more phone numbers than this.
const RECENT: usize = 4;

/// The E.164 forms of the last numbers [`check`] accepted on this thread:
/// a finding's value is normalised right after its line was checked, and
/// parsing the written form again cost as much as the check. (The form
/// depends only on the text and the region, so an entry can answer more
/// than once.)
#[derive(Default)]
struct RecentlyAccepted {
    entries: [Accepted; RECENT],
    next: usize,
}

impl RecentlyAccepted {
    fn keep(&mut self, text: &[u8], region: &str, e164: E164) {
        self.entries[self.next].keep(text, region, e164);
        self.next = (self.next + 1) % RECENT;
    }

    fn get(&self, text: &[u8], region: &str) -> Option<String> {
        self.entries
            .iter()
            .find_map(|a| a.kept(text, region))
            .map(str::to_string)
    }
}

thread_local! {
    static RECENTLY_ACCEPTED: std::cell::RefCell<RecentlyAccepted> =
        std::cell::RefCell::new(RecentlyAccepted::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_date_is_turned_down_as_the_written_form_would_be() {
        let mut dates = 0;
        for sep in ["-", ".", "/"] {
            for first in 0..=99 {
                for second in 0..=99 {
                    for year in ["1950", "2024", "0612", "0000"] {
                        for text in [
                            format!("{first:02}{sep}{second:02}{sep}{year}"),
                            format!("{year}{sep}{first:02}{sep}{second:02}"),
                        ] {
                            if plain_date(text.as_bytes()) {
                                dates += 1;
                                assert!(written_form(text.as_bytes()).is_none(), "{text}");
                            }
                        }
                    }
                }
            }
        }
        // Both orders of day and month, both layouts, three separators.
        assert!(dates > 3 * 4 * 2 * 300, "{dates}");
        for not_a_date in [
            "06-1234-56",
            "29-06-1950 ",
            "29-06/1950",
            "00-13-1950",
            "0612345678",
        ] {
            assert!(!plain_date(not_a_date.as_bytes()), "{not_a_date}");
        }
    }
    use crate::finding::Confidence::{High, Medium};

    fn v(text: &str) -> Verdict {
        check(&Candidate::whole(text.as_bytes()), "NL")
    }

    fn v_in(hay: &str, inner: &str) -> Verdict {
        let start = hay.find(inner).expect("inner in hay");
        check(
            &Candidate::new(hay.as_bytes(), start, start + inner.len()),
            "NL",
        )
    }

    #[test]
    fn dutch_forms() {
        for (text, conf) in [
            ("06-12345678", High),
            ("0612345678", Medium),
            ("06 12 34 56 78", High),
            ("06 - 12345678", High),
            ("+31 6 12345678", High),
            ("+31612345678", High),
            ("0031 6 1234 5678", High),
            ("0031612345678", Medium),
            ("(020) 123 4567", High),
            ("020-1234567", High),
            ("020 123 4567", High),
            ("+31 (0)20 123 4567", High),
            ("+31(0)20-1234567", High),
            ("0591-123456", High),
            ("085-1234567", High),
            ("0800-1234", High),
            ("06.12.34.56.78", Medium),
        ] {
            assert_eq!(v(text), Verdict::Accept(conf), "{text}");
        }
    }

    #[test]
    fn other_countries() {
        for text in [
            "+49 30 12345678",
            "+49 (0)30 12345678",
            "+32 2 234 56 78",
            "+32 475 12 34 56",
            "+33 1 23 45 67 89",
            "+33 6 12 34 56 78",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+1 212-555-0123",
            "+1 (212) 555-0123",
            "0049 30 12345678",
        ] {
            assert_eq!(v(text), Verdict::Accept(High), "{text}");
        }
        // National numbers of another region.
        let be = |t: &str| check(&Candidate::whole(t.as_bytes()), "BE");
        assert_eq!(be("02/234.56.78"), Verdict::Accept(Medium));
        assert_eq!(be("0475 12 34 56"), Verdict::Accept(High));
        let de = |t: &str| check(&Candidate::whole(t.as_bytes()), "DE");
        assert_eq!(de("030/12345678"), Verdict::Accept(High));
        let us = |t: &str| check(&Candidate::whole(t.as_bytes()), "US");
        assert_eq!(us("(212) 555-0123"), Verdict::Accept(Medium));
    }

    #[test]
    fn a_tab_is_not_a_separator() {
        // Tab-separated exports put a phone next to another numeric column.
        assert_eq!(v("06\t12345678"), Verdict::Reject);
        assert_eq!(v("020\t123 4567"), Verdict::Reject);
        assert_eq!(
            v_in("7\t06-12345678\t12", "06-12345678"),
            Verdict::Accept(High)
        );
    }

    #[test]
    fn no_prefix_needs_context() {
        assert_eq!(v("612345678"), Verdict::NeedsContext(Medium));
        assert_eq!(v("20 123 4567"), Verdict::NeedsContext(Medium));
    }

    #[test]
    fn invalid_numbers() {
        for text in [
            "0612345",      // too short
            "06123456789",  // too long for NL
            "0012345678",   // no country 12
            "+31 12345678", // no such NL number
            "+999 12345678",
            "00000000000",
            // 06 and ten digits: a request id, not a mobile number.
            "065333174087",
            "+31 65333174087",
        ] {
            assert_eq!(v(text), Verdict::Reject, "{text}");
        }
        // The 11-digit numbers there are (0970, machine to machine).
        assert!(matches!(v("097012345678"), Verdict::Accept(_)));
    }

    #[test]
    fn dates_times_amounts_versions_ips() {
        for text in [
            "12-03-2024",
            "2024-03-12",
            "12.03.2024",
            "12/03/2024",
            "01-03-2024",
            "01-03-2024 10",
            "1.234.567",
            "192.168.100.200",
            "010.001.010.001",
            "1.2.3.4.5.6.7",
            "2024.03.12",
            "123.456.789",
        ] {
            assert_eq!(v(text), Verdict::Reject, "{text}");
        }
        assert_eq!(
            v_in("om 12:30 0612345678", "30 0612345678"),
            Verdict::Reject
        );
        assert_eq!(v_in("12-03-2024 12:30", "12-03-2024 12"), Verdict::Reject);
        assert_eq!(v_in("bedrag 1.234.567,89", "1.234.567"), Verdict::Reject);
        assert_eq!(v_in("1,234,567.89", "234,567"), Verdict::Reject);
        assert_eq!(v_in("€ 0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("EUR 0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("versie 1.2.3.0612345", "0612345"), Verdict::Reject);
        assert_eq!(
            v_in("10.0.0.1 0612345678", "0612345678"),
            Verdict::Accept(Medium)
        );
    }

    #[test]
    fn mixed_separators() {
        for text in [
            "06-12.34.56.78",
            "06 12.34.56.78",
            "06/12/34/56/78",
            "06--12345678",
            "06 .12345678",
            "020-123/4567",
            "06-12 34-56 78 9 0 1 2 3 4 5",
            "(06)(12345678)",
            "06-(123)-45678",
            "+(31) 612345678",
            "+31 6 1234567(8)",
        ] {
            assert_eq!(v(text), Verdict::Reject, "{text}");
        }
    }

    #[test]
    fn embedded_in_longer_things() {
        // Glued to letters or digits.
        assert_eq!(v_in("ID0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("0612345678X", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("90612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("order_0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("0612345678@sms.nl", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("/orders/0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("12.0612345678", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("0612345678.5", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("0612345678:30", "0612345678"), Verdict::Reject);
        assert_eq!(v_in("ref-0612345678", "0612345678"), Verdict::Reject);
        // Digit runs longer than E.164.
        assert_eq!(v("0612345678901234567"), Verdict::Reject);
        // IBAN and card digits.
        assert_eq!(
            v_in("NL91 ABNA 0417 1643 00", "0417 1643 00"),
            Verdict::Reject
        );
        assert_eq!(
            v_in("DE89 3704 0044 0532 0130 00", "0044 0532 0130 00"),
            Verdict::Reject
        );
        assert_eq!(
            v_in("DE89 3704 0044 0532 0130 00", "3704 0044 0532 0130 00"),
            Verdict::Reject
        );
        assert_eq!(
            v_in("5500 0000 0000 0004", "0000 0000 0004"),
            Verdict::Reject
        );
        assert_eq!(v("4111 1111 1111 1111"), Verdict::Reject);
        // CSV, lists and prose around a number are fine.
        let csv = "12,0612345678,0201234567";
        assert_eq!(v_in(csv, "0612345678"), Verdict::Accept(Medium));
        assert_eq!(v_in(csv, "0201234567"), Verdict::Accept(Medium));
        let list = "020-1234567/06-12345678";
        assert_eq!(v_in(list, "020-1234567"), Verdict::Accept(High));
        assert_eq!(v_in(list, "06-12345678"), Verdict::Accept(High));
        assert_eq!(
            v_in("jan,0612345678,utrecht", "0612345678"),
            Verdict::Accept(Medium)
        );
        assert_eq!(
            v_in("Tel: 06-12345678.", "06-12345678"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in("bel (020) 123 4567!", "(020) 123 4567"),
            Verdict::Accept(High)
        );
        assert_eq!(
            v_in("tel:+31612345678", "+31612345678"),
            Verdict::Accept(High)
        );
    }

    #[test]
    fn the_form_kept_from_a_check_is_the_one_computed_afresh() {
        // Checks and look-ups interleaved as a scan makes them, with texts
        // and regions changing in between: every look-up equals a fresh one.
        let texts = [
            "06-12345678",
            "+32 470 12 34 56",
            "020 123 4567",
            "0475 12 34 56",
        ];
        let fresh_in = |text: &str, region: &str| {
            written(text.as_bytes()).and_then(|w| valid_e164(&w, region))
        };
        for (i, text) in texts.iter().cycle().take(12).enumerate() {
            let region = ["NL", "BE"][i % 2];
            let fresh = fresh_in(text, region);
            let verdict = check(&Candidate::whole(text.as_bytes()), region);
            assert_eq!(
                fresh.is_some(),
                verdict != Verdict::Reject,
                "{text} in {region}"
            );
            // The same text in the other region is another number (0475 is
            // Roermond in the Netherlands, a mobile in Belgium).
            let elsewhere = ["BE", "NL"][i % 2];
            assert_eq!(
                to_e164(text.as_bytes(), elsewhere),
                fresh_in(text, elsewhere)
            );
            check(&Candidate::whole(text.as_bytes()), region);
            let other = texts[(i + 1) % texts.len()];
            let other_region = ["NL", "BE"][(i / 2) % 2];
            let other_fresh = fresh_in(other, other_region);
            assert_eq!(
                to_e164(other.as_bytes(), other_region),
                other_fresh,
                "{other}"
            );
            assert_eq!(
                to_e164(text.as_bytes(), region),
                fresh,
                "{text} in {region}"
            );
            assert_eq!(to_e164(text.as_bytes(), region), fresh, "{text} again");
        }
    }

    #[test]
    fn e164_is_the_same_for_every_form() {
        for text in [
            "06-12345678",
            "0612345678",
            "06 12 34 56 78",
            "+31 6 12345678",
            "+31612345678",
            "0031 6 1234 5678",
        ] {
            assert_eq!(
                to_e164(text.as_bytes(), "NL").as_deref(),
                Some("+31612345678"),
                "{text}"
            );
        }
        for text in ["(020) 123 4567", "020-1234567", "+31 (0)20 123 4567"] {
            assert_eq!(
                to_e164(text.as_bytes(), "NL").as_deref(),
                Some("+31201234567"),
                "{text}"
            );
        }
        assert_eq!(
            to_e164(b"+44 20 7946 0958", "NL").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            to_e164(b"020 7946 0958", "GB").as_deref(),
            Some("+442079460958")
        );
        // Italian fixed lines keep their leading zero.
        assert_eq!(
            to_e164(b"+39 06 6982 1234", "NL").as_deref(),
            Some("+390669821234")
        );
        assert_eq!(to_e164(b"12-03-2024", "NL"), None);
        assert_eq!(to_e164(b"0612345678", "XX"), None);
        assert_eq!(
            to_e164(b"+31612345678", "XX").as_deref(),
            Some("+31612345678")
        );
    }

    /// The lock-free Dutch plan must give the crate's answer for every
    /// leading three digits and every length, written every way.
    #[test]
    fn dutch_plan_agrees_with_the_crate() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut checked = 0;
        for head in 0..1000u32 {
            for len in 4..=12usize {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut national = format!("{head:03}");
                let mut tail = seed;
                while national.len() < len {
                    national.push(char::from(b'0' + (tail % 10) as u8));
                    tail /= 10;
                }
                national.truncate(len);
                for text in [
                    format!("0{national}"),
                    national.clone(),
                    format!("+31{national}"),
                    format!("0031 {national}"),
                ] {
                    let Some(w) = written(text.as_bytes()) else {
                        continue;
                    };
                    let Some(national) = dutch_national(&w, "NL") else {
                        continue;
                    };
                    checked += 1;
                    let mut expected = crate_valid_number(&w, "NL")
                        .map(|n| format!("+{}{}", n.code().value(), n.national()));
                    // The crate's one prefix match that passes a number of
                    // no Dutch type (see `dutch_valid`).
                    if national.len() == 11 && national[0] == b'6' {
                        expected = None;
                    }
                    assert_eq!(valid_e164(&w, "NL"), expected, "{text}");
                }
            }
        }
        assert!(checked > 20_000, "{checked}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"0123456789+ ()-./\t0";
        for len in 0..30 {
            for _ in 0..300 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                for region in ["NL", "DE", "US", "IT", "", "nl", "ZZ"] {
                    let _ = check(&Candidate::whole(&s), region);
                    let _ = to_e164(&s, region);
                }
            }
        }
        let _ = check(&Candidate::whole("\u{ff10}\u{ff12}".as_bytes()), "NL");
        let _ = check(&Candidate::whole(b""), "NL");
    }

    #[test]
    fn no_later_start_is_accepted_where_the_matcher_stops_looking() {
        // Every stretch of each line, as any pattern could hand it over:
        // when `later_starts_rejected` says so, no later start to the same
        // end may pass, in any region.
        let lines = [
            "14-06-2023 15:31;06-41046169;2024-05-01T02:05:19.552Z",
            "client=85.128.152.234 xff=10.0.84.145:5432 v1.2.3.4567890",
            "ref-0612345678 12-0612345678 order 123 06-12345678",
            "Tel: +31 (0)20 123 4567 / (0342) 98 60 09, 020/1234567",
            "NL76 BUNQ 1705 1929 31;0031 6 4090 8928;+32 2 234 56 78",
            "run=20240719135539356 7622.59.127 1.234.567,89 0475 12 34 56",
            "a-0612345678.06-1234-5678 030 - 1234567-0612345678 12 1234567",
        ];
        for region in ["NL", "BE", "DE", "US"] {
            crate::validate::assert_later_starts_rejected(&lines, later_starts_rejected, |c| {
                check(c, region)
            });
        }
    }
}

#[cfg(test)]
mod metadata_examples {
    use super::*;

    /// Every example number in libphonenumber's metadata (fixed line and
    /// mobile of every region), written internationally and nationally, must
    /// pass the written-form checks and come out as the same E.164 string.
    #[test]
    fn every_region_example_is_accepted() {
        let mut failures = Vec::new();
        let mut checked = 0;
        for meta in METADATA.iter() {
            let d = meta.descriptors();
            let examples = [d.fixed_line(), d.mobile()]
                .into_iter()
                .flatten()
                .filter_map(|d| d.example());
            for ex in examples {
                checked += 1;
                let code = meta.country_code();
                let intl = format!("+{code} {ex}");
                let expected = format!("+{code}{ex}");
                if to_e164(intl.as_bytes(), meta.id()).as_deref() != Some(expected.as_str()) {
                    failures.push(intl.clone());
                }
                if check(&Candidate::whole(intl.as_bytes()), "NL")
                    != Verdict::Accept(Confidence::High)
                {
                    failures.push(format!("check {intl}"));
                }
                // Kiribati's 5-digit numbers are below MIN_DIGITS on purpose;
                // Colombia's national prefix carries a carrier code.
                if matches!(meta.id(), "KI" | "CO") {
                    continue;
                }
                if let Some(prefix) = meta.national_prefix() {
                    let national = format!("{prefix}{ex}");
                    if to_e164(national.as_bytes(), meta.id()).as_deref() != Some(expected.as_str())
                    {
                        failures.push(format!("{} {national}", meta.id()));
                    }
                }
            }
        }
        assert!(checked > 400, "{checked}");
        assert!(
            failures.is_empty(),
            "{} of {checked}: {failures:?}",
            failures.len()
        );
    }
}
