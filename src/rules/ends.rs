//! Every position where some rule's match ends, in one forward pass of the
//! lazy DFA of all rules: the ends `try_search_overlapping_fwd` reports,
//! in the same order, with a tighter loop over the bytes.
//!
//! The library's overlapping search steps one byte at a time through the
//! checked transition and updates its progress on every byte; nearly every
//! byte of a scan goes through this loop, and nearly every transition
//! leads to an ordinary (untagged) state. Here untagged transitions are
//! followed in a loop of their own, and the checked transition (which
//! builds states the lazy DFA has not built yet) runs only where the state
//! is tagged or unknown.
//!
//! Each step waits for the transition table's answer to the step before
//! (the union of all rules has about a megabyte of states, more than the
//! first-level cache holds), so a long stretch is cut in two at a line end
//! and both halves are walked at once: two independent chains of look-ups
//! overlap their waits. Matches never span a line end, so the halves find
//! what the whole finds.

use regex_automata::Input;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use std::ops::Range;

/// Stretches shorter than this are walked in one piece: two walks cost a
/// second start and a second merge of ends.
pub(super) const MIN_SPLIT: usize = 4096;

/// One forward walk over `hay[at..end]`, resumable: its ends can be
/// taken in batches. (Walks do not tell the cache how far they got: only
/// the lazy DFA's give-up heuristic reads that, and the matcher does not
/// enable it.)
pub(super) struct Walk {
    sid: LazyStateID,
    /// The next byte to consume.
    at: usize,
    /// Where the walk stops (the end of its input).
    end: usize,
    /// The lazy DFA gave up or reached a dead state: no more ends.
    stopped: bool,
    /// The end of the input has been looked at.
    finished: bool,
}

impl Walk {
    pub(super) fn new(dfa: &DFA, cache: &mut Cache, hay: &[u8], range: Range<usize>) -> Walk {
        let input = Input::new(hay).range(range.clone());
        let start = dfa.start_state_forward(cache, &input);
        Walk {
            stopped: start.is_err(),
            sid: start.unwrap_or_default(),
            at: range.start,
            end: range.end,
            finished: false,
        }
    }

    fn done(&self) -> bool {
        self.stopped || self.at >= self.end
    }

    /// Consumes one byte with the checked transition (which builds the
    /// next state when it is unknown, and may clear the cache to do so),
    /// adding the ends of a match state entered to `out`.
    fn step(&mut self, dfa: &DFA, cache: &mut Cache, hay: &[u8], out: &mut Vec<(u32, usize)>) {
        match dfa.next_state(cache, self.sid, hay[self.at]) {
            Ok(next) => self.sid = next,
            Err(_) => {
                self.stopped = true;
                return;
            }
        }
        self.at += 1;
        if self.sid.is_match() {
            // The lazy DFA reports a match one byte late: it ended before
            // the byte just consumed.
            push_match(dfa, cache, self.sid, self.at - 1, out);
        } else if self.sid.is_dead() || self.sid.is_quit() {
            self.stopped = true;
        }
    }

    /// Walks on alone, adding ends to `out`, until `out` holds `limit` or
    /// more (false: call again for the rest) or the input is done (true),
    /// having then looked at the end of the input: a match may end there
    /// (the transition on the byte after it, or the end of the haystack).
    pub(super) fn run(
        &mut self,
        dfa: &DFA,
        cache: &mut Cache,
        hay: &[u8],
        out: &mut Vec<(u32, usize)>,
        limit: usize,
    ) -> bool {
        while !self.done() {
            if out.len() >= limit {
                return false;
            }
            let bytes = &hay[..self.end];
            while self.at < bytes.len() && !self.sid.is_tagged() {
                let next = dfa.next_state_untagged(cache, self.sid, bytes[self.at]);
                if next.is_tagged() {
                    break;
                }
                self.sid = next;
                self.at += 1;
            }
            if self.at < self.end {
                self.step(dfa, cache, hay, out);
            }
        }
        if self.stopped || self.finished {
            return true;
        }
        self.finished = true;
        let last = match hay.get(self.end) {
            Some(&byte) => dfa.next_state(cache, self.sid, byte),
            None => dfa.next_eoi_state(cache, self.sid),
        };
        if let Ok(last) = last
            && last.is_match()
        {
            push_match(dfa, cache, last, self.end, out);
        }
        true
    }
}

fn push_match(dfa: &DFA, cache: &Cache, sid: LazyStateID, end: usize, out: &mut Vec<(u32, usize)>) {
    for index in 0..dfa.match_len(cache, sid) {
        out.push((dfa.match_pattern(cache, sid, index).as_u32(), end));
    }
}

/// Where to cut `hay[range]` in two for [`ends_of_halves`]: after the first
/// line end in its second half, when it is `min_split` bytes or longer and
/// that line end is not its last byte.
pub(super) fn cut_at(hay: &[u8], range: Range<usize>, min_split: usize) -> Option<usize> {
    let Range { start, end } = range;
    if end - start < min_split {
        return None;
    }
    let middle = start + (end - start) / 2;
    let cut = middle + memchr::memchr(b'\n', &hay[middle..end])? + 1;
    (cut < end).then_some(cut)
}

/// Appends to `out` every (pattern, end) of unanchored overlapping searches
/// of `hay[range.start..cut]` and of `hay[cut..range.end]`, in order, both
/// halves walked at once. `later` is scratch for the second half's ends.
// Kept out of its caller: inlined into the matcher's search, its loop over
// ordinary states compiled to more instructions per byte (+0.75% on a
// scan of source files).
#[inline(never)]
pub(super) fn ends_of_halves(
    dfa: &DFA,
    cache: &mut Cache,
    hay: &[u8],
    range: Range<usize>,
    cut: usize,
    out: &mut Vec<(u32, usize)>,
    later: &mut Vec<(u32, usize)>,
) {
    let Range { start, end } = range;
    let first_end = out.len();
    later.clear();
    let clears = cache.clear_count();
    let mut a = Walk::new(dfa, cache, hay, start..cut);
    let mut b = Walk::new(dfa, cache, hay, cut..end);
    // Building a state may clear the cache, and every state but the one
    // being left goes with it: then the halves are walked again, one at a
    // time (with a cache large enough, this never happens).
    let mut cleared = cache.clear_count() != clears;
    while !cleared && !a.done() && !b.done() {
        // Both in ordinary states: one byte of each, their look-ups
        // independent of each other.
        while a.at < a.end && b.at < b.end {
            if a.sid.is_tagged() || b.sid.is_tagged() {
                break;
            }
            let next_a = dfa.next_state_untagged(cache, a.sid, hay[a.at]);
            let next_b = dfa.next_state_untagged(cache, b.sid, hay[b.at]);
            if next_a.is_tagged() || next_b.is_tagged() {
                break;
            }
            a.sid = next_a;
            b.sid = next_b;
            a.at += 1;
            b.at += 1;
        }
        if a.done() || b.done() {
            break;
        }
        a.step(dfa, cache, hay, out);
        cleared = cache.clear_count() != clears;
        if !cleared && !b.done() {
            b.step(dfa, cache, hay, later);
            cleared = cache.clear_count() != clears;
        }
    }
    if !cleared {
        // One half is done; the other finishes alone.
        a.run(dfa, cache, hay, out, usize::MAX);
        cleared = cache.clear_count() != clears;
        if !cleared {
            b.run(dfa, cache, hay, later, usize::MAX);
            out.extend_from_slice(later);
        }
    }
    if cleared {
        out.truncate(first_end);
        Walk::new(dfa, cache, hay, start..cut).run(dfa, cache, hay, out, usize::MAX);
        Walk::new(dfa, cache, hay, cut..end).run(dfa, cache, hay, out, usize::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::MatchKind;
    use regex_automata::hybrid::dfa::OverlappingState;
    use regex_automata::nfa::thompson;
    use regex_automata::util::syntax;

    fn dfa(patterns: &[&str], cache_capacity: usize) -> DFA {
        DFA::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache_capacity)
                    .minimum_cache_clear_count(None),
            )
            .build_many(patterns)
            .expect("test patterns compile")
    }

    fn library_ends(dfa: &DFA, input: &Input<'_>) -> Vec<(u32, usize)> {
        let mut cache = dfa.create_cache();
        let mut state = OverlappingState::start();
        let mut ends = Vec::new();
        while let (Ok(()), Some(half)) = (
            dfa.try_search_overlapping_fwd(&mut cache, input, &mut state),
            state.get_match(),
        ) {
            ends.push((half.pattern().as_u32(), half.offset()));
        }
        ends
    }

    /// The ends of `input` as the matcher takes them: both halves at once
    /// where [`cut_at`] cuts it, else one walk in batches of a few ends.
    fn scanned_ends(
        dfa: &DFA,
        cache: &mut Cache,
        input: &Input<'_>,
        min_split: usize,
    ) -> Vec<(u32, usize)> {
        let (mut out, mut later) = (vec![(99, 99)], Vec::new());
        let (hay, range) = (input.haystack(), input.start()..input.end());
        match cut_at(hay, range.clone(), min_split) {
            Some(cut) => ends_of_halves(dfa, cache, hay, range, cut, &mut out, &mut later),
            None => {
                let mut walk = Walk::new(dfa, cache, hay, range);
                let mut batches = 0;
                loop {
                    let limit = out.len() + 3;
                    if walk.run(dfa, cache, hay, &mut out, limit) {
                        break;
                    }
                    batches += 1;
                }
                // A walk that is done stays done.
                assert!(walk.run(dfa, cache, hay, &mut out, 0));
                // Each batch but the last holds three ends or more.
                let ends = out.len() - 1;
                assert!(batches <= ends / 3 && (ends < 10 || batches > 0));
            }
        }
        // What was in `out` before stays.
        assert_eq!(out.remove(0), (99, 99));
        out
    }

    #[test]
    fn the_ends_are_the_overlapping_search_ends_in_order() {
        let patterns = [
            r"\b\d{4} ?[A-Z]{2}\b",
            r"[a-z0-9.]+@[a-z0-9-]+(?:\.[a-z]{2,})+",
            r"\b\d(?:[ -]?\d){6,9}\b",
            r"(?i)\bnl\d{2}[a-z]{4}\d{10}\b",
            r"\d+",
            r"ab|b",
        ];
        let texts = [
            "",
            "a",
            "1234 AB",
            "tel 06-12345678, mail jan@dealer.nl of NL91ABNA0417164300; 1234AB",
            "ab ab b 0612345678 1234 AB\n2024-05-01T02:05:19 x@y.co.uk 9999",
            "\u{e9}\u{e9} 12 345 678 90 \u{ff}\u{fe}",
        ];
        // A small cache is cleared over and over, and states are built
        // again in the middle of the loop.
        let mut found = 0;
        for cache_capacity in [4 << 10, 1 << 20] {
            let dfa = dfa(&patterns, cache_capacity);
            let mut cache = dfa.create_cache();
            for text in texts {
                let hay = text.as_bytes();
                for from in [0, 1, 3] {
                    for to in [hay.len(), hay.len().saturating_sub(1), hay.len() / 2] {
                        if from > to {
                            continue;
                        }
                        let input = Input::new(hay).range(from..to);
                        let expected = library_ends(&dfa, &input);
                        found += expected.len();
                        assert_eq!(
                            scanned_ends(&dfa, &mut cache, &input, usize::MAX),
                            expected,
                            "{text:?} {from}..{to}"
                        );
                    }
                }
            }
        }
        assert!(found > 100, "{found} ends: too few to tell");
    }

    #[test]
    fn a_stretch_cut_in_two_has_the_ends_of_both_halves_searched_alone() {
        let patterns = [
            r"\b\d{4} ?[A-Z]{2}\b",
            r"[a-z0-9.]+@[a-z0-9-]+(?:\.[a-z]{2,})+",
            r"\b\d(?:[ -]?\d){6,9}\b",
            r"\d+",
            r"ab|b",
            r"(?s)x.y",
        ];
        let lines = [
            "tel 06-12345678, mail jan@dealer.nl; 1234AB",
            "ab ab b 0612345678 1234 AB",
            "",
            "x",
            "y 2024-05-01T02:05:19 x@y.co.uk 9999",
            "\u{e9}\u{e9} 12 345 678 90 \u{ff}\u{fe}",
        ];
        let mut text = String::new();
        for n in 0..40 {
            text.push_str(lines[n % lines.len()]);
            text.push('\n');
        }
        let hay = text.as_bytes();
        let (mut cuts, mut found) = (0, 0);
        // A small cache is cleared while the halves are walked (they are
        // then walked again one at a time); a large one never is.
        for cache_capacity in [4 << 10, 1 << 20] {
            let dfa = dfa(&patterns, cache_capacity);
            let mut cache = dfa.create_cache();
            for from in [0, 1, 7, 50] {
                for to in [hay.len(), hay.len() - 1, hay.len() / 2, hay.len() / 3 + 5] {
                    let Some(cut) = cut_at(hay, from..to, 0) else {
                        continue;
                    };
                    cuts += 1;
                    let mut expected = library_ends(&dfa, &Input::new(hay).range(from..cut));
                    expected.extend(library_ends(&dfa, &Input::new(hay).range(cut..to)));
                    found += expected.len();
                    let input = Input::new(hay).range(from..to);
                    assert_eq!(
                        scanned_ends(&dfa, &mut cache, &input, 0),
                        expected,
                        "{from}..{to}, cut at {cut}"
                    );
                }
            }
        }
        assert!(cuts >= 24 && found > 1000, "{cuts} cuts, {found} ends");
        // Too short, or no line end after the middle but the last byte.
        assert_eq!(cut_at(hay, 0..hay.len(), hay.len() + 1), None);
        assert_eq!(cut_at(b"ab\ncd\n", 0..6, 0), None);
        assert_eq!(cut_at(b"ab\ncd\nef", 0..8, 0), Some(6));
    }
}
