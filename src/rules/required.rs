//! Bytes that every match of a rule set holds, and the lines that hold
//! one.
//!
//! Every default rule's match holds a digit or an `@` (an e-mail address
//! its `@`, everything else digits). A line with neither cannot hold a
//! match, and since no match spans a line end, the forward pass may pass
//! over such lines without running its automaton on them: about half the
//! bytes of real source code and two thirds of e-mail are on such lines.
//! The required bytes are looked for with a vector searcher (the
//! `aho-corasick` crate's packed searcher, several bytes per instruction),
//! which costs a fraction of a DFA transition per byte.
//!
//! The bytes are derived from the patterns themselves (their syntax tree),
//! so a custom rule set gets the same treatment when it allows it and none
//! when it does not: a rule whose match need not hold any particular byte
//! (a bare keyword in any case, say) turns the shortcut off.

use aho_corasick::packed::Searcher;
use regex_syntax::hir::{Class, Hir, HirKind};
use std::ops::Range;

/// The bytes tried first: digits and `@`. Every default rule needs one.
const PREFERRED: &[(u8, u8)] = &[(b'0', b'9'), (b'@', b'@')];

/// Bytes a set may hold: as many as the packed searcher looks for at once
/// (more, and lines without any grow rare anyway).
const MAX_BYTES: u32 = 16;

/// The bytes every match of a rule set holds one of, and a searcher for
/// them.
#[derive(Debug, Clone)]
pub(super) struct RequiredBytes {
    searcher: Searcher,
    #[cfg(test)]
    set: ByteSet,
}

/// A set of bytes, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn of_ranges(ranges: &[(u8, u8)]) -> ByteSet {
        let mut set = ByteSet::default();
        for &(lo, hi) in ranges {
            set.add_range(lo, hi);
        }
        set
    }

    fn add_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn union(mut self, other: ByteSet) -> ByteSet {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        self
    }

    fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// The set as inclusive ranges, in order.
    #[cfg(test)]
    fn ranges(&self) -> Vec<(u8, u8)> {
        let mut out = Vec::new();
        let mut open: Option<u8> = None;
        for b in 0..=255u8 {
            match (self.contains(b), open) {
                (true, None) => open = Some(b),
                (false, Some(lo)) => {
                    out.push((lo, b - 1));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(lo) = open {
            out.push((lo, 255));
        }
        out
    }
}

/// The bytes a class can match, with every byte of a non-ASCII character's
/// UTF-8 form counted as one of 0x80-0xFF.
fn class_bytes(class: &Class) -> ByteSet {
    let mut set = ByteSet::default();
    match class {
        Class::Bytes(c) => {
            for r in c.iter() {
                set.add_range(r.start(), r.end());
            }
        }
        Class::Unicode(c) => {
            for r in c.iter() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if lo < 0x80 {
                    // Both below 0x80 here: ASCII.
                    set.add_range(lo as u8, hi.min(0x7F) as u8);
                }
                if hi >= 0x80 {
                    set.add_range(0x80, 0xFF);
                }
            }
        }
    }
    set
}

/// Whether every match of `hir` holds at least one byte of `set`.
fn always_holds(hir: &Hir, set: &ByteSet) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(|&b| set.contains(b)),
        HirKind::Class(class) => {
            // A class that matches nothing makes its branch match nothing:
            // vacuously true.
            let bytes = class_bytes(class);
            (0..=255u8).all(|b| !bytes.contains(b) || set.contains(b))
        }
        HirKind::Repetition(rep) => rep.min >= 1 && always_holds(&rep.sub, set),
        HirKind::Capture(cap) => always_holds(&cap.sub, set),
        HirKind::Concat(parts) => parts.iter().any(|p| always_holds(p, set)),
        HirKind::Alternation(branches) => branches.iter().all(|b| always_holds(b, set)),
    }
}

/// A small set of bytes every match of `hir` holds one of, if there is one:
/// of the parts of a concatenation, the one with the fewest bytes.
fn some_required(hir: &Hir) -> Option<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(lit) => {
            let b = *lit.0.first()?;
            Some(ByteSet::of_ranges(&[(b, b)]))
        }
        HirKind::Class(class) => Some(class_bytes(class)),
        HirKind::Repetition(rep) if rep.min >= 1 => some_required(&rep.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(cap) => some_required(&cap.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(some_required)
            .min_by_key(ByteSet::len),
        HirKind::Alternation(branches) => branches
            .iter()
            .map(some_required)
            .try_fold(ByteSet::default(), |acc, b| Some(acc.union(b?))),
    }
}

impl RequiredBytes {
    /// The bytes every match of every pattern holds one of (digits and `@`
    /// where they do, plus what each other pattern needs), or `None` when
    /// some pattern needs no byte in particular, or the set is too
    /// scattered to look for quickly.
    pub(super) fn of_patterns(patterns: &[Hir]) -> Option<RequiredBytes> {
        let preferred = ByteSet::of_ranges(PREFERRED);
        let mut set = preferred;
        for hir in patterns {
            if !always_holds(hir, &preferred) {
                set = set.union(some_required(hir)?);
            }
        }
        if set.len() > MAX_BYTES {
            return None;
        }
        // `None` where the machine has no vector instructions to search
        // with.
        let searcher = Searcher::new((0..=255u8).filter(|&b| set.contains(b)).map(|b| [b]))?;
        Some(RequiredBytes {
            searcher,
            #[cfg(test)]
            set,
        })
    }

    /// Fills `out` with the stretches of `hay[range]` to search: the lines
    /// holding a required byte, side by side ones as one stretch. `range`
    /// starts at a line start or where `hay` does. Returns the bytes of the
    /// lines passed over.
    pub(super) fn kept_lines(
        &self,
        hay: &[u8],
        range: Range<usize>,
        out: &mut Vec<Range<usize>>,
    ) -> usize {
        out.clear();
        let mut sorter = LineSorter {
            out,
            kept_from: None,
            skip_from: range.start,
            passed_over: 0,
        };
        let (mut at, end) = (range.start, range.end);
        // From each required byte found, its line is kept and the search
        // goes on after it.
        while let Some(found) = self.searcher.find(&hay[at..end]) {
            let found = at + found.start();
            let line_start = memchr::memrchr(b'\n', &hay[at..found]).map_or(at, |i| at + i + 1);
            let line_end = memchr::memchr(b'\n', &hay[found..end]).map_or(end, |i| found + i + 1);
            sorter.line(line_start, line_end);
            at = line_end;
        }
        sorter.finish(end)
    }
}

/// Sorts the lines of a range into stretches to search and runs to pass
/// over, one line holding a required byte at a time.
struct LineSorter<'o> {
    out: &'o mut Vec<Range<usize>>,
    /// Where the stretch being gathered starts.
    kept_from: Option<usize>,
    /// Where the lines without a required byte since the last kept one
    /// start.
    skip_from: usize,
    passed_over: usize,
}

impl LineSorter<'_> {
    /// Takes the next line holding a required byte.
    fn line(&mut self, start: usize, end: usize) {
        let gap = start - self.skip_from;
        match self.kept_from {
            // Right after the last kept line: the stretch goes on.
            Some(_) if gap == 0 => {}
            Some(from) => {
                self.out.push(from..self.skip_from);
                self.kept_from = Some(start);
            }
            None => self.kept_from = Some(start),
        }
        self.passed_over += gap;
        self.skip_from = end;
    }

    fn finish(self, end: usize) -> usize {
        if let Some(from) = self.kept_from {
            self.out.push(from..self.skip_from);
        }
        self.passed_over + (end - self.skip_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::util::syntax;

    fn parse(pattern: &str) -> Hir {
        let config = syntax::Config::new().unicode(false).utf8(false);
        syntax::parse_with(pattern, &config).expect("test pattern parses")
    }

    fn required(patterns: &[&str]) -> Option<Vec<(u8, u8)>> {
        let hirs: Vec<Hir> = patterns.iter().map(|p| parse(p)).collect();
        RequiredBytes::of_patterns(&hirs).map(|r| r.set.ranges())
    }

    #[test]
    fn the_default_rules_need_a_digit_or_an_at_sign() {
        let patterns: Vec<String> = crate::rules::default_rules()
            .unwrap()
            .into_iter()
            .map(|r| r.pattern)
            .collect();
        let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
        assert_eq!(required(&patterns), Some(vec![(b'0', b'9'), (b'@', b'@')]));
    }

    #[test]
    fn what_a_pattern_may_match_without_decides() {
        // Digits in every branch, or a literal byte of their own.
        assert_eq!(
            required(&[r"\bKL-\d{6}\b", r"x@y|\d+"]),
            Some(vec![(b'0', b'9'), (b'@', b'@')])
        );
        assert_eq!(
            required(&[r"(?i)\bgeheim\b"]),
            Some(vec![(b'0', b'9'), (b'@', b'@'), (b'G', b'G'), (b'g', b'g')])
        );
        // A branch or repetition that may match without a digit.
        assert_eq!(
            required(&[r"\d{3}|ab"]),
            Some(vec![(b'0', b'9'), (b'@', b'@'), (b'a', b'a')])
        );
        assert_eq!(required(&[r"x?\d*"]), None, "matches the empty string");
        assert_eq!(required(&[r"\b"]), None);
        // Of a concatenation, the part with the fewest bytes.
        assert_eq!(
            required(&[r"[a-z]+-[XYZ]\b"]),
            Some(vec![(b'-', b'-'), (b'0', b'9'), (b'@', b'@')])
        );
        // Any byte at all, or more than the searcher takes.
        assert_eq!(required(&[r"(?s-u:.)"]), None);
        assert_eq!(required(&[r"[a-f]"]), None);
        // Non-ASCII letters count as their UTF-8 bytes: a literal by its
        // first, a class of them as every byte from 0x80 up (too many).
        assert_eq!(
            required(&[r"(?u:é)+"]),
            Some(vec![(b'0', b'9'), (b'@', b'@'), (0xC3, 0xC3)])
        );
        assert_eq!(required(&[r"(?u:[é-ü])"]), None);
    }

    /// The stretches and bytes passed over, line by line.
    fn kept_by_lines(
        hay: &[u8],
        from: usize,
        holds: impl Fn(u8) -> bool,
    ) -> (Vec<Range<usize>>, usize) {
        let mut out = Vec::new();
        let mut sorter = LineSorter {
            out: &mut out,
            kept_from: None,
            skip_from: from,
            passed_over: 0,
        };
        let mut start = from;
        for line in hay[from..].split_inclusive(|&b| b == b'\n') {
            if line.iter().any(|&b| holds(b)) {
                sorter.line(start, start + line.len());
            }
            start += line.len();
        }
        let passed = sorter.finish(hay.len());
        (out, passed)
    }

    #[test]
    fn lines_are_sorted_as_one_by_one() {
        // Sets of one or more ranges, one holding the NUL byte.
        let sets = [r"\d", r"\d|@", r"[ab]|[0-1]|@|-|\x00|\xFF"];
        let mut rng = 11u64;
        let mut next = |n: usize| {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) as usize % n
        };
        for pattern in sets {
            let set = RequiredBytes::of_patterns(&[parse(pattern)]).unwrap();
            let holds = |b: u8| set.set.contains(b);
            for len in [0, 1, 31, 32, 33, 95, 200, 1000] {
                let hay: Vec<u8> = (0..len)
                    .map(|_| b"abcxyz019@- \n\n\x00\xFFQ"[next(17)])
                    .collect();
                for from in [0, len / 3, len] {
                    let mut out = Vec::new();
                    let passed = set.kept_lines(&hay, from..len, &mut out);
                    let expected = kept_by_lines(&hay, from, holds);
                    assert_eq!((out, passed), expected, "{pattern} {len} {from}");
                }
            }
        }
    }

    #[test]
    fn stretches_hold_every_line_with_a_required_byte_and_pass_over_the_rest() {
        let set = RequiredBytes::of_patterns(&[parse(r"\d|@")]).unwrap();
        let pool = [
            "plain words only",
            "",
            "tel 0612345678",
            "x",
            "a much longer line of prose without any number in it at all",
            "mail jan@kpn.nl",
            "9",
        ];
        let mut rng = 7u64;
        for round in 0..200 {
            let mut text = String::new();
            for _ in 0..(round % 23) {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pool[(rng >> 33) as usize % pool.len()]);
                text.push('\n');
            }
            if round % 3 == 0 {
                text.push_str("tail 12");
            }
            let hay = text.as_bytes();
            let line_starts: Vec<usize> = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', hay).map(|i| i + 1))
                .filter(|&i| i <= hay.len())
                .collect();
            for &from in line_starts.iter().take(3) {
                let mut stretches = Vec::new();
                let passed = set.kept_lines(hay, from..hay.len(), &mut stretches);
                let searched: usize = stretches.iter().map(|r| r.len()).sum();
                assert_eq!(passed + searched, hay.len() - from);
                for pair in stretches.windows(2) {
                    assert!(pair[0].end < pair[1].start, "{stretches:?}");
                }
                for (i, &b) in hay.iter().enumerate().skip(from) {
                    if b.is_ascii_digit() || b == b'@' {
                        // The whole line (from `from` on) is in a stretch.
                        let inside = stretches.iter().find(|r| r.contains(&i));
                        let r = inside.unwrap_or_else(|| panic!("{text:?} {i}"));
                        let line_start = hay[..i]
                            .iter()
                            .rposition(|&c| c == b'\n')
                            .map_or(0, |j| j + 1);
                        let line_end = hay[i..]
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(hay.len(), |j| i + j + 1);
                        assert!(
                            r.start <= line_start.max(from) && line_end <= r.end,
                            "{text:?} {i} {r:?}"
                        );
                    }
                }
                // What is passed over is whole lines without a required
                // byte.
                let mut at = from;
                for r in stretches
                    .iter()
                    .chain(std::iter::once(&(hay.len()..hay.len())))
                {
                    let gap = &hay[at..r.start];
                    assert!(!gap.iter().any(|b| b.is_ascii_digit() || *b == b'@'));
                    if !gap.is_empty() {
                        assert!(
                            line_starts.contains(&at) && line_starts.contains(&r.start)
                                || r.start == hay.len()
                        );
                    }
                    at = r.end;
                }
            }
        }
    }
}
