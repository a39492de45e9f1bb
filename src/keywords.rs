//! ASCII case-insensitive search for a few short keywords in a small window
//! of text: the context keywords before a candidate, the labels that make a
//! dotted quad a version number.
//!
//! These searches run for a large share of all candidates, and most windows
//! hold none of the keywords. A window is lowercased once (a short one on
//! the stack, a long one, the part of a line a rule's candidates could take
//! their context from, into a buffer kept per thread) and searched for all
//! keywords of the set at once with the `aho-corasick` crate's packed
//! searcher: a substring search per keyword spent most of its time
//! starting up.
//!
//! Where that searcher is not available, and for a window its caller
//! lowered ([`Lowered`]), the set of ASCII letters the window holds is
//! noted on the way; a keyword with a letter the window lacks cannot occur
//! in it, so most keywords are ruled out by one mask test instead of a
//! substring search.

/// The ASCII letters (case folded) among some bytes, one bit per letter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Letters(u32);

impl Letters {
    /// Every letter.
    const ALL: Letters = Letters((1 << 26) - 1);

    /// The letters of `bytes`, `a` and `A` alike; other bytes add none.
    pub fn of(bytes: &[u8]) -> Letters {
        bytes.iter().fold(Letters::default(), |acc, &b| acc.with(b))
    }

    fn with(self, byte: u8) -> Letters {
        // Without a branch: the loops lowering a window stay simple.
        let index = byte.to_ascii_lowercase().wrapping_sub(b'a');
        Letters(self.0 | u32::from(index < 26) << (index & 31))
    }

    /// True when every letter of `self` is also in `other`.
    pub fn within(self, other: Letters) -> bool {
        self.0 & !other.0 == 0
    }
}

/// Longest text whose letters [`Lowered`] notes.
const MAX_NOTED: usize = 64;

/// Up to `N` bytes lowercased (ASCII only) on the stack, with their letters.
pub struct Lowered<const N: usize> {
    bytes: [u8; N],
    len: usize,
    letters: Letters,
}

impl<const N: usize> Lowered<N> {
    /// `None` when `text` is longer than `N`.
    pub fn new(text: &[u8]) -> Option<Lowered<N>> {
        let mut lowered = Lowered {
            bytes: [0; N],
            len: text.len(),
            letters: Letters::default(),
        };
        let dst = lowered.bytes.get_mut(..text.len())?;
        if text.len() > MAX_NOTED {
            // A long stretch (a whole line looked through at once) holds
            // nearly every letter: noting them would cost more than the
            // searches it could save.
            dst.copy_from_slice(text);
            dst.make_ascii_lowercase();
            lowered.letters = Letters::ALL;
            return Some(lowered);
        }
        let mut letters = Letters::default();
        for (d, &s) in dst.iter_mut().zip(text) {
            *d = s.to_ascii_lowercase();
            letters = letters.with(s);
        }
        lowered.letters = letters;
        Some(lowered)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// False when `needle` (lowercase) has a letter the text lacks, so it
    /// cannot occur; true when it may.
    pub fn may_hold(&self, needle_letters: Letters) -> bool {
        needle_letters.within(self.letters)
    }
}

/// A set of keywords, each searched for ASCII case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Keywords {
    keywords: Vec<Keyword>,
    /// All the lowercase keywords at once, for long text; `None` where the
    /// packed searcher is not available (then one search per keyword).
    all_at_once: Option<aho_corasick::packed::Searcher>,
}

thread_local! {
    /// A long stretch lowercased, reused from one search to the next.
    static LOWERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[derive(Debug, Clone)]
struct Keyword {
    letters: Letters,
    /// Built once, for the lowercase keyword.
    finder: memchr::memmem::Finder<'static>,
}

impl Keywords {
    pub fn new<S: AsRef<[u8]>>(keywords: impl IntoIterator<Item = S>) -> Keywords {
        let lowered: Vec<Vec<u8>> = keywords
            .into_iter()
            .map(|k| k.as_ref().to_ascii_lowercase())
            .collect();
        let keywords = lowered
            .iter()
            .map(|lower| Keyword {
                letters: Letters::of(lower),
                finder: memchr::memmem::Finder::new(lower).into_owned(),
            })
            .collect();
        // An empty keyword occurs everywhere; the packed searcher takes none.
        let all_at_once = if lowered.is_empty() || lowered.iter().any(Vec::is_empty) {
            None
        } else {
            aho_corasick::packed::Config::new()
                .builder()
                .extend(&lowered)
                .build()
        };
        Keywords {
            keywords,
            all_at_once,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// Whether one of the keywords occurs in `text`. Text longer than `N`
    /// counts as holding one (the callers' windows are bounded; a longer one
    /// is not worth searching).
    pub fn any_in<const N: usize>(&self, text: &[u8]) -> bool {
        if self.keywords.is_empty() {
            return false;
        }
        if text.len() > N {
            return true;
        }
        if text.len() <= MAX_NOTED {
            // A short text in a short buffer: a stretch that may be long
            // is often a few bytes (a timestamp at a line's start), and
            // zeroing a buffer of its longest size cost more than the search.
            let Some(searcher) = &self.all_at_once else {
                return Lowered::<MAX_NOTED>::new(text)
                    .is_some_and(|lowered| self.any_in_lowered(&lowered));
            };
            let mut buf = [0u8; MAX_NOTED];
            let lowered = &mut buf[..text.len()];
            lowered.copy_from_slice(text);
            lowered.make_ascii_lowercase();
            return searcher.find(&lowered[..]).is_some();
        }
        LOWERED.with_borrow_mut(|lowered| {
            lowered.clear();
            lowered.extend_from_slice(text);
            lowered.make_ascii_lowercase();
            match &self.all_at_once {
                Some(searcher) => searcher.find(&lowered[..]).is_some(),
                None => self
                    .keywords
                    .iter()
                    .any(|k| k.finder.find(lowered).is_some()),
            }
        })
    }

    /// Whether one of the keywords occurs in text already lowered.
    pub fn any_in_lowered<const N: usize>(&self, lowered: &Lowered<N>) -> bool {
        self.keywords
            .iter()
            .any(|k| lowered.may_hold(k.letters) && k.finder.find(lowered.bytes()).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of finding a keyword, checked against a plain
    /// case-insensitive substring search.
    fn naive(keywords: &[&str], text: &str) -> bool {
        let text = text.to_ascii_lowercase();
        keywords
            .iter()
            .any(|k| text.contains(&k.to_ascii_lowercase()))
    }

    #[test]
    fn finds_keywords_as_a_case_insensitive_substring_search_does() {
        let keywords = [
            "geboortedatum",
            "geb.",
            "DOB",
            "t.n.v.",
            "ip=",
            "\u{a7}",
            "straße",
        ];
        let texts = [
            "",
            "Geboortedatum: ",
            "GEB. ",
            "client dob=",
            "rekening T.N.V. ",
            "x IP=",
            "zie \u{a7} 4",
            "Straße 1",
            "STRAßE 1",
            "2024-05-01t02:05:19.552z info ",
            "geboorte datum",
            "tnv ",
            "gebx",
        ];
        let set = Keywords::new(keywords);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("ssse3") {
            assert!(set.all_at_once.is_some(), "the packed searcher is built");
        }
        // And as where the packed searcher is not available.
        let one_by_one = Keywords {
            all_at_once: None,
            ..set.clone()
        };
        // Each text also at the end of a stretch too long to note letters of.
        let long_texts: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{t}", "0123456789;".repeat(9)))
            .collect();
        for text in texts
            .iter()
            .copied()
            .chain(long_texts.iter().map(String::as_str))
        {
            for set in [&set, &one_by_one] {
                assert_eq!(
                    set.any_in::<256>(text.as_bytes()),
                    naive(&keywords, text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn a_keyword_with_a_letter_the_window_lacks_is_ruled_out_and_others_are_not() {
        let window = Lowered::<16>::new(b"Client=").expect("short");
        assert!(window.may_hold(Letters::of(b"client")));
        assert!(!window.may_hold(Letters::of(b"ip=")), "no p in the window");
        assert!(!window.may_hold(Letters::of(b"version")));
        assert!(
            window.may_hold(Letters::of(b"\xc2\xa7")),
            "no letters, nothing ruled out"
        );
    }

    #[test]
    fn text_longer_than_the_window_counts_as_holding_a_keyword() {
        let set = Keywords::new(["zzz"]);
        assert!(set.any_in::<4>(b"abcde"));
        assert!(!set.any_in::<5>(b"abcde"));
        assert!(
            !Keywords::default().any_in::<4>(b"abcde"),
            "no keywords, none found"
        );
    }
}
