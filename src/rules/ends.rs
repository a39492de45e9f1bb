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

use regex_automata::Input;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};

/// The search's position between calls of [`EndScan::next`].
pub(super) struct EndScan {
    sid: LazyStateID,
    /// The next byte to consume.
    at: usize,
    /// Where the search stops (the input's end).
    end: usize,
    /// Where the patterns of the match state `sid` end, and the index of
    /// the next of them to report and their number.
    pending: Option<(usize, usize, usize)>,
    done: bool,
}

impl EndScan {
    /// Starts a search over `input` (unanchored).
    pub(super) fn new(dfa: &DFA, cache: &mut Cache, input: &Input<'_>) -> EndScan {
        let start = dfa.start_state_forward(cache, input);
        cache.search_start(input.start());
        EndScan {
            done: start.is_err(),
            sid: start.unwrap_or_default(),
            at: input.start(),
            end: input.end(),
            pending: None,
        }
    }

    /// The next (pattern, end) found, or `None` when the search is over
    /// (also when the lazy DFA gives up or quits, which it is never
    /// configured to do).
    pub(super) fn next(
        &mut self,
        dfa: &DFA,
        cache: &mut Cache,
        hay: &[u8],
    ) -> Option<(u32, usize)> {
        if let Some((offset, index, len)) = self.pending {
            if index < len {
                self.pending = Some((offset, index + 1, len));
                return Some((dfa.match_pattern(cache, self.sid, index).as_u32(), offset));
            }
            self.pending = None;
        }
        if self.done {
            return None;
        }
        let bytes = &hay[..self.end];
        let mut sid = self.sid;
        let mut at = self.at;
        while at < bytes.len() {
            let byte = bytes[at];
            let known = if sid.is_tagged() {
                None
            } else {
                let next = dfa.next_state_untagged(cache, sid, byte);
                if !next.is_tagged() {
                    sid = next;
                    at += 1;
                    continue;
                }
                (!next.is_unknown()).then_some(next)
            };
            sid = match known {
                Some(next) => next,
                None => {
                    cache.search_update(at);
                    match dfa.next_state(cache, sid, byte) {
                        Ok(next) => next,
                        Err(_) => return self.stop(cache, at),
                    }
                }
            };
            at += 1;
            if sid.is_match() {
                self.sid = sid;
                self.at = at;
                return Some(self.first_of_match(dfa, cache, at - 1));
            }
            if sid.is_dead() || sid.is_quit() {
                return self.stop(cache, at);
            }
        }
        self.sid = sid;
        self.at = at;
        // The end of the input: a match may end there (the transition on
        // the byte after it, or the end of the haystack).
        self.done = true;
        let last = match hay.get(self.end) {
            Some(&byte) => dfa.next_state(cache, sid, byte),
            None => dfa.next_eoi_state(cache, sid),
        };
        cache.search_finish(self.end);
        match last {
            Ok(last) if last.is_match() => {
                self.sid = last;
                Some(self.first_of_match(dfa, cache, self.end))
            }
            _ => None,
        }
    }

    /// The first pattern of the match state just entered, ending at
    /// `offset`; the others are reported by the next calls.
    fn first_of_match(&mut self, dfa: &DFA, cache: &Cache, offset: usize) -> (u32, usize) {
        self.pending = Some((offset, 1, dfa.match_len(cache, self.sid)));
        (dfa.match_pattern(cache, self.sid, 0).as_u32(), offset)
    }

    fn stop(&mut self, cache: &mut Cache, at: usize) -> Option<(u32, usize)> {
        cache.search_finish(at);
        self.done = true;
        self.at = at;
        None
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

    fn scanned_ends(dfa: &DFA, cache: &mut Cache, input: &Input<'_>) -> Vec<(u32, usize)> {
        let mut scan = EndScan::new(dfa, cache, input);
        let mut ends = Vec::new();
        while let Some(end) = scan.next(dfa, cache, input.haystack()) {
            ends.push(end);
        }
        ends
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
                            scanned_ends(&dfa, &mut cache, &input),
                            expected,
                            "{text:?} {from}..{to}"
                        );
                    }
                }
            }
        }
        assert!(found > 100, "{found} ends: too few to tell");
    }
}
