//! The compiled form of a rule set: one multi-pattern pass over whole buffers,
//! then per-rule confirmation of each candidate.
//!
//! Stage 1 runs a single lazy DFA built from every rule pattern with
//! `MatchKind::All` and reports, in one forward pass, every position where
//! some rule's match can end (overlapping rules such as a phone and an IBAN
//! both get their say). Personal data is sparse in most bytes (source code,
//! logs), so nearly all time is spent in that one pass. Stage 2 runs only at
//! those ends: the rule's own reverse DFA, anchored at the end, finds where
//! the match starts (a few bytes of work), and the rule's validator and
//! context decide. Patterns are compiled with Unicode disabled: ASCII `\b`
//! and classes keep the lazy DFAs fast (the Unicode word boundary made a
//! prototype 60x slower).

use super::Rule;
use super::ends::{MIN_SPLIT, Walk, cut_at, ends_of_halves};
use super::required::RequiredBytes;
use crate::error::{Error, Result};
use crate::finding::{Confidence, Entity};
use crate::keywords::Keywords;
use crate::validate::{Candidate, Verdict};
use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How far before a value context keywords are looked for.
const KEYWORD_WINDOW: usize = 48;
/// Longest candidate a rule can produce: the reverse search for a start
/// looks no further back than this.
const MAX_CANDIDATE_LEN: usize = 512;
/// Candidate ends gathered on one line before they are confirmed; a 2 GB
/// one-line file is confirmed in batches of this many, so the work per
/// batch stays bounded.
const MAX_PENDING_ENDS: usize = 4096;
/// The forward pass gathers the ends of this many bytes (to the next line
/// end) before they are confirmed: few enough that they are still in the
/// cache when confirmed, enough for the pass to walk two halves at once.
/// A window cut in two is under twice this long (its middle is before the
/// line end that ends it); one that is not, a very long line, hands out
/// its ends [`MAX_PENDING_ENDS`] at a time.
const ENDS_WINDOW: usize = 64 << 10;

/// When looking for lines no match can be on (see [`super::required`])
/// passes over less than an eighth of a window, a thread stops looking for
/// this many bytes, then twice as many after each miss in a row, up to 64
/// times as many: a dense export has a value on every line, and looking
/// costs a few percent there.
const GAP_PAUSE: usize = 64 << 10;
const MAX_GAP_PAUSE_FACTOR: usize = 64;

/// A rule's context, pre-lowercased for cheap comparison.
#[derive(Debug, Clone, Default)]
struct CompiledContext {
    keywords: Keywords,
    fields: Vec<String>,
    required: bool,
}

/// One rule with its decision inputs (its regex lives in `Regexes`).
#[derive(Debug)]
pub struct CompiledRule {
    pub rule: Rule,
    context: CompiledContext,
}

/// Whether the byte offset given is in a column or field whose name passes
/// the check given (false where the format names no field).
pub type FieldIs<'a> = dyn FnMut(usize, &mut dyn FnMut(&str) -> bool) -> bool + 'a;

/// The compiled automata of a rule set.
#[derive(Debug)]
struct Regexes {
    /// Every pattern, `MatchKind::All`: each position where a rule's match
    /// ends, in one forward pass.
    ends: DFA,
    /// Each rule's reversed pattern, anchored at an end: where it starts.
    starts: Vec<DFA>,
}

/// Why compiling the rule set failed, kept so every caller gets the error.
#[derive(Debug, Clone)]
struct BuildError {
    /// The rule whose pattern failed, when it was one rule's.
    id: Option<String>,
    message: String,
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Error {
        match e.id {
            Some(id) => Error::RuleInvalid {
                id,
                message: e.message,
            },
            None => Error::MatcherBuild(e.message),
        }
    }
}

/// The whole rule set compiled once per scan and shared by all threads.
///
/// Compiling every pattern takes longer than scanning an empty directory
/// should (about 15 ms for the default set), so [`Matcher::new_lazy`]
/// checks the patterns' syntax only and compiles on first use.
#[derive(Debug)]
pub struct Matcher {
    rules: Vec<CompiledRule>,
    /// Bytes every match holds one of, when there are few enough to look
    /// for (lines without any are passed over).
    required: Option<RequiredBytes>,
    regexes: OnceLock<std::result::Result<Regexes, BuildError>>,
    region: String,
}

/// Per-thread search state: lazy DFA caches are mutable and not
/// shareable. Created empty; filled when the thread scans its first text.
pub struct MatcherCache {
    caches: Option<Caches>,
    /// Candidate ends of the window being confirmed: (rule, end).
    ends: Vec<(u32, usize)>,
    /// The ends of a window's second half, while both are walked.
    later_ends: Vec<(u32, usize)>,
    confirm: ConfirmScratch,
    gaps: GapSearch,
    kept: KeptLines,
}

/// The lines of a window that may hold a match, copied side by side to be
/// walked as one (two halves at once, as a window is).
#[derive(Default)]
struct KeptLines {
    /// Where they are in the buffer.
    stretches: Vec<std::ops::Range<usize>>,
    /// The byte before the first, the lines, and the byte after the last
    /// (what the automaton's look-behind and look-ahead see in the buffer).
    bytes: Vec<u8>,
    /// `(offset in bytes, offset in the buffer)` where each stretch starts.
    pieces: Vec<(usize, usize)>,
}

impl KeptLines {
    /// Copies `stretches` of `hay`; the range of `bytes` to walk.
    fn copy(&mut self, hay: &[u8]) -> std::ops::Range<usize> {
        self.bytes.clear();
        self.pieces.clear();
        let (Some(first), Some(last)) = (self.stretches.first(), self.stretches.last()) else {
            return 0..0;
        };
        if let Some(before) = first.start.checked_sub(1) {
            self.bytes.push(hay[before]);
        }
        let start = self.bytes.len();
        for stretch in &self.stretches {
            self.pieces.push((self.bytes.len(), stretch.start));
            self.bytes.extend_from_slice(&hay[stretch.clone()]);
        }
        let end = self.bytes.len();
        if let Some(&after) = hay.get(last.end) {
            self.bytes.push(after);
        }
        start..end
    }

    /// Where a match that ends at `end` in the copy ends in the buffer (its
    /// last byte is in the same stretch; matches never match empty).
    fn in_hay(pieces: &[(usize, usize)], end: usize) -> usize {
        let last = end.saturating_sub(1);
        let at = pieces.partition_point(|&(copied, _)| copied <= last);
        match at.checked_sub(1).map(|i| pieces[i]) {
            Some((copied, original)) => original + (end - copied),
            None => end,
        }
    }
}

/// What the forward pass walks: the buffer itself, or the lines of it
/// [`KeptLines::copy`] kept, with `pieces` to find them in the buffer.
struct Walked<'w> {
    bytes: &'w [u8],
    pieces: Option<&'w [(usize, usize)]>,
}

/// Whether a thread looks for lines to pass over, learnt from the windows
/// it searched last.
#[derive(Default)]
struct GapSearch {
    /// Bytes still to search without looking.
    paused_for: usize,
    /// How long the last pause lasted (0: the last look paid).
    last_pause: usize,
    /// Bytes passed over in all (for tests).
    passed_over: usize,
}

impl GapSearch {
    /// Takes note that a window of `len` bytes was searched, of which
    /// `passed_over` were passed over (`None`: not looked for); a miss
    /// pauses looking for `pause` bytes, or twice as many as the last.
    fn note(&mut self, len: usize, passed_over: Option<usize>, pause: usize) {
        match passed_over {
            None => self.paused_for = self.paused_for.saturating_sub(len),
            Some(passed) => {
                self.passed_over += passed;
                if passed >= len / 8 {
                    self.last_pause = 0;
                } else {
                    self.last_pause =
                        (self.last_pause * 2).clamp(pause, pause * MAX_GAP_PAUSE_FACTOR);
                    self.paused_for = self.last_pause;
                }
            }
        }
    }
}

/// What confirming a line's candidates keeps between lines.
#[derive(Default)]
struct ConfirmScratch {
    /// Candidates of one rule on the line: (start, end).
    spans: Vec<(usize, usize)>,
    /// Per rule, the end of its last accepted match in this buffer: its
    /// next match starts there or later, also across the batches of one
    /// very long line.
    floors: Vec<usize>,
    hits: Vec<Hit>,
    overlaps: OverlapScratch,
    field_names: FieldNameMemo,
    grouping: Grouping,
}

/// Buffers [`group_by_rule`] reuses.
#[derive(Default)]
struct Grouping {
    grouped: Vec<(u32, usize)>,
    /// Per rule, where its ends go next.
    next: Vec<usize>,
}

/// How the forward pass takes a buffer: windows of about `len` bytes (to
/// the next line end), with the lines no match can be on passed over when
/// `pass_over_lines` (see [`GapSearch`] for `gap_pause`), a window of
/// `min_split` bytes or more cut in two halves walked at once.
#[derive(Clone, Copy)]
struct Windows {
    len: usize,
    min_split: usize,
    pass_over_lines: bool,
    gap_pause: usize,
}

/// Ends of one line at most this many are grouped by sorting them (an
/// insertion sort for so few); more, by counting each rule's.
const SORTED_GROUPING_MAX: usize = 32;

/// Groups `ends` (each (rule, end) pair once, in the order the forward
/// pass found them, which is position order) by rule, each rule's ends in
/// position order: what sorting the pairs gives. A line of an SQL dump
/// holds thousands of candidates; counting each rule's ends first is
/// linear, and took 2% off the instructions of a mysqldump's scan.
fn group_by_rule(ends: &mut [(u32, usize)], scratch: &mut Grouping, rules: usize) {
    if ends.len() <= SORTED_GROUPING_MAX {
        ends.sort_unstable();
        return;
    }
    let Grouping { grouped, next } = scratch;
    next.clear();
    next.resize(rules + 1, 0);
    for &(rule, _) in ends.iter() {
        next[rule as usize + 1] += 1;
    }
    for r in 1..next.len() {
        next[r] += next[r - 1];
    }
    grouped.clear();
    grouped.resize(ends.len(), (0, 0));
    for &(rule, end) in ends.iter() {
        let at = &mut next[rule as usize];
        grouped[*at] = (rule, end);
        *at += 1;
    }
    ends.copy_from_slice(grouped);
}

/// Buffers [`resolve_overlaps`] reuses from line to line.
#[derive(Default)]
struct OverlapScratch {
    kept: Vec<Hit>,
    cluster: Vec<Hit>,
}

/// Which rules' context fields a field name holds, remembered per thread:
/// nearly every candidate in a table asks about one of its few column names,
/// and normalising the name and searching it for each of a rule's fields
/// cost more than the rest of the decision.
#[derive(Default)]
struct FieldNameMemo {
    /// Per name: bit `r` set when rule `r`'s answer is known, and the answer.
    /// Hashed with foldhash: looked up for nearly every candidate of a
    /// table, and SipHash took a few percent of a CSV scan.
    names: HashMap<Box<str>, (u64, u64), foldhash::fast::RandomState>,
}

/// Names remembered before the memo starts over (JSON keys can be many).
const MAX_REMEMBERED_FIELD_NAMES: usize = 4096;

impl FieldNameMemo {
    /// Whether `name` holds one of `fields`, the context fields of rule `rule`.
    fn matches(&mut self, name: &str, rule: usize, fields: &[String]) -> bool {
        let Some(bit) = u32::try_from(rule).ok().and_then(|r| 1u64.checked_shl(r)) else {
            return field_name_matches(name, fields);
        };
        if let Some((known, answers)) = self.names.get_mut(name) {
            if *known & bit == 0 {
                *known |= bit;
                if field_name_matches(name, fields) {
                    *answers |= bit;
                }
            }
            return *answers & bit != 0;
        }
        if self.names.len() >= MAX_REMEMBERED_FIELD_NAMES {
            self.names.clear();
        }
        let answer = field_name_matches(name, fields);
        self.names
            .insert(name.into(), (bit, if answer { bit } else { 0 }));
        answer
    }
}

struct Caches {
    ends: dfa::Cache,
    starts: Vec<dfa::Cache>,
}

/// A confirmed match inside a buffer, before it is located and turned into a
/// finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
}

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// Lazy DFA cache per thread for the automaton of all patterns. The
/// default (2 MiB) is too small for the union of every rule: on dense data
/// the DFA's states were thrown away and rebuilt over and over (a fifth of
/// the scan time went to determinization). The cache grows only as far as
/// states are actually built.
const UNION_CACHE_CAPACITY: usize = 16 << 20;
/// Lazy DFA cache per thread for one rule's reverse automaton (short
/// anchored searches visit few states).
const RULE_CACHE_CAPACITY: usize = 1 << 20;

fn build(patterns: &[&str], reverse: bool, cache_capacity: usize) -> Result<DFA> {
    DFA::builder()
        .syntax(syntax_config())
        .thompson(thompson::Config::new().reverse(reverse).utf8(false))
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .cache_capacity(cache_capacity)
                // Never give up on a search (the forward pass does not
                // report its progress, which the give-up heuristic reads).
                .minimum_cache_clear_count(None),
        )
        .build_many(patterns)
        .map_err(|e| Error::MatcherBuild(e.to_string()))
}

/// True when the normalised `name` contains one of `fields` (already
/// normalised). Runs for every candidate of a rule with field context, so
/// the common short ASCII name is normalised on the stack.
fn field_name_matches(name: &str, fields: &[String]) -> bool {
    let mut stack = [0u8; 128];
    if name.is_ascii() && name.len() <= stack.len() {
        let mut len = 0;
        for b in name.bytes().filter(u8::is_ascii_alphanumeric) {
            stack[len] = b.to_ascii_lowercase();
            len += 1;
        }
        let normalized = &stack[..len];
        return fields
            .iter()
            .any(|f| memchr::memmem::find(normalized, f.as_bytes()).is_some());
    }
    let normalized = normalize_field_name(name);
    fields.iter().any(|f| normalized.contains(f.as_str()))
}

fn normalize_field_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

impl Matcher {
    /// Compiles `rules`. Fails with the offending rule's id when a pattern is
    /// invalid.
    pub fn new(rules: Vec<Rule>, region: &str) -> Result<Matcher> {
        let matcher = Matcher::new_lazy(rules, region)?;
        matcher.compile()?;
        Ok(matcher)
    }

    /// Checks the syntax of every pattern (failing with the offending rule's
    /// id) and leaves compiling to the first search; [`Matcher::compile`]
    /// reports what that found.
    pub fn new_lazy(rules: Vec<Rule>, region: &str) -> Result<Matcher> {
        if rules.is_empty() {
            return Err(Error::Usage(
                "no rules to scan with (--no-default-rules without --rules?)".into(),
            ));
        }
        let mut compiled = Vec::with_capacity(rules.len());
        let mut trees = Vec::with_capacity(rules.len());
        for rule in rules {
            let tree = syntax::parse_with(&rule.pattern, &syntax_config()).map_err(|e| {
                Error::RuleInvalid {
                    id: rule.id.clone(),
                    message: format!("pattern does not compile: {e}"),
                }
            })?;
            trees.push(tree);
            let context = rule
                .context
                .as_ref()
                .map(|c| CompiledContext {
                    keywords: Keywords::new(&c.keywords),
                    fields: c.fields.iter().map(|f| normalize_field_name(f)).collect(),
                    required: c.required,
                })
                .unwrap_or_default();
            compiled.push(CompiledRule { rule, context });
        }
        Ok(Matcher {
            rules: compiled,
            required: RequiredBytes::of_patterns(&trees),
            regexes: OnceLock::new(),
            region: region.to_string(),
        })
    }

    /// Compiles the patterns now if no search has yet. Fails with the
    /// offending rule's id when one does not compile (beyond its syntax:
    /// size limits).
    pub fn compile(&self) -> Result<()> {
        match self.regexes() {
            Ok(_) => Ok(()),
            Err(e) => Err(e.clone().into()),
        }
    }

    /// The compile error of a lazily built matcher, if a search compiled it
    /// and that failed. Never compiles.
    pub fn compile_error(&self) -> Option<Error> {
        match self.regexes.get() {
            Some(Err(e)) => Some(e.clone().into()),
            _ => None,
        }
    }

    fn regexes(&self) -> &std::result::Result<Regexes, BuildError> {
        self.regexes.get_or_init(|| {
            let mut starts = Vec::with_capacity(self.rules.len());
            for r in &self.rules {
                let dfa =
                    build(&[r.rule.pattern.as_str()], true, RULE_CACHE_CAPACITY).map_err(|e| {
                        BuildError {
                            id: Some(r.rule.id.clone()),
                            message: format!("pattern does not compile: {e}"),
                        }
                    })?;
                starts.push(dfa);
            }
            let patterns: Vec<&str> = self.rules.iter().map(|r| r.rule.pattern.as_str()).collect();
            let ends = build(&patterns, false, UNION_CACHE_CAPACITY).map_err(|e| BuildError {
                id: None,
                message: e.to_string(),
            })?;
            Ok(Regexes { ends, starts })
        })
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index].rule
    }

    pub fn new_cache(&self) -> MatcherCache {
        MatcherCache {
            caches: None,
            ends: Vec::new(),
            later_ends: Vec::new(),
            confirm: ConfirmScratch::default(),
            gaps: GapSearch::default(),
            kept: KeptLines::default(),
        }
    }

    /// Finds every confirmed hit in `hay` that starts before `accept_end`.
    ///
    /// `field_is` tells whether the byte offset is in a column or field
    /// whose name passes the check given (for context); it is called only
    /// for candidates, never per byte, and for offsets of one line at a
    /// time; `None` when `hay` names no fields (plain text). Hits are passed
    /// to `emit` in order of position. A match never spans a line end.
    pub fn find_hits(
        &self,
        cache: &mut MatcherCache,
        hay: &[u8],
        accept_end: usize,
        field_is: Option<&mut FieldIs<'_>>,
        emit: &mut dyn FnMut(Hit),
    ) {
        self.find_hits_in_windows(
            cache,
            hay,
            accept_end,
            Windows {
                len: ENDS_WINDOW,
                min_split: MIN_SPLIT,
                pass_over_lines: true,
                gap_pause: GAP_PAUSE,
            },
            field_is,
            emit,
        );
    }

    /// [`Matcher::find_hits`], the forward pass gathering the ends of
    /// `windows.len` bytes at a time (to the next line end).
    fn find_hits_in_windows(
        &self,
        cache: &mut MatcherCache,
        hay: &[u8],
        accept_end: usize,
        windows: Windows,
        mut field_is: Option<&mut FieldIs<'_>>,
        emit: &mut dyn FnMut(Hit),
    ) {
        // A rule set that failed to compile finds nothing; whoever built the
        // matcher lazily learns why from `compile`.
        let Ok(regexes) = self.regexes() else {
            return;
        };
        let MatcherCache {
            caches,
            ends,
            later_ends,
            confirm,
            gaps,
            kept,
        } = cache;
        confirm.floors.clear();
        confirm.floors.resize(self.rules.len(), 0);
        let caches = caches.get_or_insert_with(|| Caches {
            ends: regexes.ends.create_cache(),
            starts: regexes.starts.iter().map(|d| d.create_cache()).collect(),
        });
        // Matches start before `accept_end` and are at most
        // MAX_CANDIDATE_LEN long, so no end past this one can be used.
        let search_end = hay.len().min(accept_end.saturating_add(MAX_CANDIDATE_LEN));
        // The line of the last ends confirmed, kept so a long line's
        // batches do not each look for where it starts.
        let mut line = 0..0;
        let mut window_start = 0;
        while window_start < search_end {
            // Windows end after a line end: no match spans one.
            let window_end = match window_start.checked_add(windows.len) {
                Some(at) if at < search_end => {
                    memchr::memchr(b'\n', &hay[at..search_end]).map_or(search_end, |i| at + i + 1)
                }
                _ => search_end,
            };
            // Lines no match can be on are passed over while that pays:
            // the others are copied side by side and walked as one.
            let looking = self
                .required
                .as_ref()
                .filter(|_| windows.pass_over_lines && gaps.paused_for == 0);
            let passed_over = looking.map(|required| {
                required.kept_lines(hay, window_start..window_end, &mut kept.stretches)
            });
            gaps.note(window_end - window_start, passed_over, windows.gap_pause);
            let (walked, range) = match passed_over {
                Some(1..) => {
                    let range = kept.copy(hay);
                    let walked = Walked {
                        bytes: &kept.bytes,
                        pieces: Some(&kept.pieces),
                    };
                    (walked, range)
                }
                _ => {
                    let walked = Walked {
                        bytes: hay,
                        pieces: None,
                    };
                    (walked, window_start..window_end)
                }
            };
            if !range.is_empty() {
                self.search_range(
                    regexes,
                    caches,
                    ends,
                    later_ends,
                    confirm,
                    hay,
                    walked,
                    range,
                    windows.min_split,
                    &mut line,
                    accept_end,
                    field_is.as_deref_mut(),
                    emit,
                );
            }
            window_start = window_end;
        }
    }

    /// Gathers the ends of `walked.bytes[range]` in one forward pass (cut in
    /// two halves walked at once when it is `min_split` bytes or longer) and
    /// confirms them in `hay`.
    #[allow(clippy::too_many_arguments)]
    fn search_range(
        &self,
        regexes: &Regexes,
        caches: &mut Caches,
        ends: &mut Vec<(u32, usize)>,
        later_ends: &mut Vec<(u32, usize)>,
        confirm: &mut ConfirmScratch,
        hay: &[u8],
        Walked {
            bytes: walked,
            pieces,
        }: Walked<'_>,
        range: std::ops::Range<usize>,
        min_split: usize,
        line: &mut std::ops::Range<usize>,
        accept_end: usize,
        mut field_is: Option<&mut FieldIs<'_>>,
        emit: &mut dyn FnMut(Hit),
    ) {
        // A range cut in two has all its ends gathered at once; one that
        // is not (a very long line, say) is walked alone and hands them
        // out a batch at a time.
        let dfa = &regexes.ends;
        let mut alone = match cut_at(walked, range.clone(), min_split) {
            Some(cut) => {
                ends.clear();
                ends_of_halves(dfa, &mut caches.ends, walked, range, cut, ends, later_ends);
                None
            }
            None => Some(Walk::new(dfa, &mut caches.ends, walked, range)),
        };
        loop {
            let done = match &mut alone {
                Some(walk) => {
                    ends.clear();
                    walk.run(dfa, &mut caches.ends, walked, ends, MAX_PENDING_ENDS)
                }
                None => true,
            };
            if let Some(pieces) = pieces {
                for (_, end) in ends.iter_mut() {
                    *end = KeptLines::in_hay(pieces, *end);
                }
            }
            self.confirm_ends(
                regexes,
                caches,
                ends,
                confirm,
                hay,
                line,
                accept_end,
                field_is.as_deref_mut(),
                emit,
            );
            if done {
                break;
            }
        }
    }

    /// Confirms `ends` (in position order) a line at a time, in batches of
    /// at most [`MAX_PENDING_ENDS`] on a line with more. `line` is the line
    /// (start to line end) of the ends confirmed last.
    #[allow(clippy::too_many_arguments)]
    fn confirm_ends(
        &self,
        regexes: &Regexes,
        caches: &mut Caches,
        ends: &mut [(u32, usize)],
        confirm: &mut ConfirmScratch,
        hay: &[u8],
        line: &mut std::ops::Range<usize>,
        accept_end: usize,
        mut field_is: Option<&mut FieldIs<'_>>,
        emit: &mut dyn FnMut(Hit),
    ) {
        let mut from = 0;
        while from < ends.len() {
            // Patterns never match empty, so a match's last byte is end - 1.
            let last = ends[from].1.saturating_sub(1);
            if !line.contains(&last) {
                let start = memchr::memrchr(b'\n', &hay[..last]).map_or(0, |i| i + 1);
                let end = memchr::memchr(b'\n', &hay[last..]).map_or(hay.len(), |i| last + i);
                *line = start..end;
            }
            let to = from
                + ends[from..]
                    .iter()
                    .take(MAX_PENDING_ENDS)
                    .position(|&(_, end)| end.saturating_sub(1) >= line.end)
                    .unwrap_or(MAX_PENDING_ENDS.min(ends.len() - from));
            self.confirm_line(
                regexes,
                caches,
                &mut ends[from..to],
                confirm,
                hay,
                line.start,
                accept_end,
                field_is.as_deref_mut(),
                emit,
            );
            from = to;
        }
    }

    /// Where rule `rule`'s match ending at `end` starts, looking no further
    /// back than `floor`: the leftmost start, as a leftmost-first search for
    /// the rule alone would find it.
    fn start_of(
        regexes: &Regexes,
        caches: &mut Caches,
        hay: &[u8],
        rule: usize,
        floor: usize,
        end: usize,
    ) -> Option<usize> {
        if floor >= end {
            return None;
        }
        let input = Input::new(hay).range(floor..end).anchored(Anchored::Yes);
        regexes.starts[rule]
            .try_search_rev(&mut caches.starts[rule], &input)
            .ok()
            .flatten()
            .map(|m| m.offset())
    }

    /// Confirms the candidate ends gathered on one line (all within
    /// `line_start..`): finds each start, keeps per rule the longest match
    /// from each start, runs validators and context, and resolves overlaps
    /// between rules.
    #[allow(clippy::too_many_arguments)]
    fn confirm_line(
        &self,
        regexes: &Regexes,
        caches: &mut Caches,
        ends: &mut [(u32, usize)],
        scratch: &mut ConfirmScratch,
        hay: &[u8],
        line_start: usize,
        accept_end: usize,
        mut field_is: Option<&mut FieldIs<'_>>,
        emit: &mut dyn FnMut(Hit),
    ) {
        group_by_rule(ends, &mut scratch.grouping, self.rules.len());
        let ConfirmScratch {
            spans,
            floors,
            hits,
            overlaps,
            field_names,
            grouping: _,
        } = scratch;
        hits.clear();
        let mut group_start = 0;
        while group_start < ends.len() {
            let rule = ends[group_start].0;
            let group_end = ends[group_start..]
                .iter()
                .position(|&(r, _)| r != rule)
                .map_or(ends.len(), |n| group_start + n);
            let idx = rule as usize;
            let group = &ends[group_start..group_end];
            if self.rules[idx].context.required
                && (field_is.is_none() || self.rules[idx].context.fields.is_empty())
                && !keyword_near(&self.rules[idx].context.keywords, hay, line_start, group)
            {
                // Every candidate would be turned down for want of context:
                // no need to find where they start or to validate them.
                group_start = group_end;
                continue;
            }
            // The longest match from each start, as a greedy search finds it.
            spans.clear();
            for &(_, end) in &ends[group_start..group_end] {
                let floor = line_start.max(end.saturating_sub(MAX_CANDIDATE_LEN));
                let Some(start) = Self::start_of(regexes, caches, hay, idx, floor, end) else {
                    continue;
                };
                match spans.last_mut() {
                    Some(last) if last.0 == start => last.1 = end,
                    _ => spans.push((start, end)),
                }
            }
            if !spans.is_sorted() {
                spans.sort_unstable();
                spans.dedup_by(|later, kept| {
                    let same = later.0 == kept.0;
                    if same {
                        kept.1 = kept.1.max(later.1);
                    }
                    same
                });
            }
            let compiled = &self.rules[idx];
            // Matches of one rule do not overlap: the next starts at or
            // after the end of the last one accepted.
            let mut floor = floors[idx].max(line_start);
            for (n, &(first_start, end)) in spans.iter().enumerate() {
                let next_start = spans.get(n + 1).map(|s| s.0);
                let mut start = first_start;
                if start < floor {
                    match Self::start_of(regexes, caches, hay, idx, floor, end) {
                        Some(s) => start = s,
                        None => continue,
                    }
                }
                loop {
                    if start >= accept_end || Some(start) == next_start && start != first_start {
                        break;
                    }
                    let cand = Candidate::new(hay, start, end);
                    if let Some(confidence) =
                        self.decide(idx, &cand, line_start, field_is.as_deref_mut(), field_names)
                    {
                        hits.push(Hit {
                            rule: idx,
                            start,
                            end,
                            confidence,
                        });
                        floor = end;
                        break;
                    }
                    // A rejected broad candidate may hide a valid shorter one
                    // that starts inside it (a phone after an order number).
                    if compiled
                        .rule
                        .validator
                        .is_some_and(|v| v.rejects_later_starts(&cand))
                    {
                        break;
                    }
                    match Self::start_of(regexes, caches, hay, idx, start + 1, end) {
                        Some(s) => start = s,
                        None => break,
                    }
                }
            }
            floors[idx] = floor;
            group_start = group_end;
        }
        resolve_overlaps(hits, overlaps);
        for hit in hits.drain(..) {
            emit(hit);
        }
    }

    fn decide(
        &self,
        rule: usize,
        cand: &Candidate<'_>,
        line_start: usize,
        field_is: Option<&mut FieldIs<'_>>,
        field_names: &mut FieldNameMemo,
    ) -> Option<Confidence> {
        let compiled = &self.rules[rule];
        let verdict = match compiled.rule.validator {
            Some(v) => v.check(cand, &self.region),
            None => Verdict::Accept(compiled.rule.confidence),
        };
        let (confidence, needs_context) = match verdict {
            Verdict::Reject => return None,
            Verdict::Accept(c) => (c, compiled.context.required),
            Verdict::NeedsContext(c) => (c, true),
        };
        let ctx = &compiled.context;
        if ctx.keywords.is_empty() && ctx.fields.is_empty() {
            return (!needs_context).then_some(confidence);
        }
        // Context could only raise a confidence that cannot go higher: no
        // need to look for it (most findings, so no keyword search and no
        // field lookup for them).
        if !needs_context && confidence.raised() == confidence {
            return Some(confidence);
        }
        // The field's name first: in a table it is the usual context, and
        // its answer is remembered per name, where the keyword search looks
        // through the bytes before every candidate.
        let has_context = (!ctx.fields.is_empty()
            && field_is.is_some_and(|field_is| {
                field_is(cand.start, &mut |n| {
                    field_names.matches(n, rule, &ctx.fields)
                })
            }))
            || keyword_before(cand, line_start, &ctx.keywords);
        match (has_context, needs_context) {
            (true, true) => Some(confidence),
            (true, false) => Some(confidence.raised()),
            (false, true) => None,
            (false, false) => Some(confidence),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The entity of rule `index`.
    pub fn entity(&self, index: usize) -> Entity {
        self.rules[index].rule.entity
    }
}

/// Longest stretch of a line [`keyword_near`] looks through.
const KEYWORD_REGION: usize = 2048;

/// Whether one of `keywords` may occur where [`keyword_before`] would look
/// for any candidate ending at the `ends` given (one rule's, in order, on
/// the line starting at `line_start`): anywhere from the earliest start of
/// a window to the last end. True (it may) when that stretch is too long
/// to look through.
fn keyword_near(keywords: &Keywords, hay: &[u8], line_start: usize, ends: &[(u32, usize)]) -> bool {
    let (Some(&(_, first)), Some(&(_, last))) = (ends.first(), ends.last()) else {
        return false;
    };
    if keywords.is_empty() {
        return false;
    }
    let from = first
        .saturating_sub(MAX_CANDIDATE_LEN + KEYWORD_WINDOW)
        .max(line_start);
    // A stretch longer than the buffer counts as holding one.
    hay.get(from..last)
        .is_none_or(|region| keywords.any_in::<KEYWORD_REGION>(region))
}

/// True when one of `keywords` occurs (ASCII case-insensitively) in the few
/// bytes before the candidate on its line.
fn keyword_before(cand: &Candidate<'_>, line_start: usize, keywords: &Keywords) -> bool {
    let from = cand.start.saturating_sub(KEYWORD_WINDOW).max(line_start);
    keywords.any_in::<KEYWORD_WINDOW>(&cand.hay[from..cand.start])
}

/// Keeps the best of overlapping hits: higher confidence, then longer, then
/// the rule listed first. Leaves `hits` sorted by position. Works on each
/// cluster of mutually overlapping hits alone, so a line with many values
/// costs time in proportion to them.
fn resolve_overlaps(hits: &mut Vec<Hit>, scratch: &mut OverlapScratch) {
    if hits.len() < 2 {
        return;
    }
    // The hits arrive as one run in order per rule: a stable sort finds
    // the runs and merges them, where an unstable one sorted a long line's
    // thousands of hits (a dump's INSERT) from scratch. No two hits have
    // the same key, so the order is the same.
    hits.sort_by_key(|h| (h.start, h.end, h.rule));
    let OverlapScratch { kept, cluster } = scratch;
    kept.clear();
    let mut i = 0;
    while i < hits.len() {
        let mut reach = hits[i].end;
        let mut j = i + 1;
        while j < hits.len() && hits[j].start < reach {
            reach = reach.max(hits[j].end);
            j += 1;
        }
        if j == i + 1 {
            kept.push(hits[i]);
        } else {
            cluster.clear();
            cluster.extend_from_slice(&hits[i..j]);
            cluster.sort_by(|a, b| {
                b.confidence
                    .cmp(&a.confidence)
                    .then((b.end - b.start).cmp(&(a.end - a.start)))
                    .then(a.rule.cmp(&b.rule))
                    .then(a.start.cmp(&b.start))
            });
            let from = kept.len();
            for h in cluster.iter() {
                if kept[from..]
                    .iter()
                    .all(|k| h.end <= k.start || h.start >= k.end)
                {
                    kept.push(*h);
                }
            }
            kept[from..].sort_by_key(|h| h.start);
        }
        i = j;
    }
    std::mem::swap(hits, kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_grouped_by_rule_are_what_sorting_them_gives() {
        let mut rng = crate::generate::rng::Rng::new(7);
        let mut scratch = Grouping::default();
        for len in [0, 1, 5, 31, 32, 33, 64, 500, 4096] {
            for rules in [1u64, 3, 17] {
                // Ends in position order; several rules may end at one
                // position, each (rule, end) pair once.
                let mut ends = Vec::new();
                let mut at = 0usize;
                while ends.len() < len {
                    at += rng.range(1, 4) as usize;
                    let mut here: Vec<u32> = (0..rules as u32).collect();
                    here.retain(|_| rng.chance(40));
                    for rule in here.into_iter().take(len - ends.len()) {
                        ends.push((rule, at));
                    }
                }
                let mut sorted = ends.clone();
                sorted.sort();
                group_by_rule(&mut ends, &mut scratch, rules as usize);
                assert_eq!(ends, sorted, "{len} ends of {rules} rules");
            }
        }
    }

    fn hits(text: &[u8]) -> Vec<(String, usize, usize)> {
        let matcher = Matcher::new(crate::rules::default_rules().unwrap(), "NL").unwrap();
        let mut cache = matcher.new_cache();
        let mut found = Vec::new();
        matcher.find_hits(&mut cache, text, text.len(), None, &mut |h| {
            found.push((matcher.rule(h.rule).id.clone(), h.start, h.end))
        });
        found
    }

    #[test]
    fn overlapping_rules_each_get_their_say_and_the_best_is_kept() {
        let text = b"klant jan.devries@hotmail.com belt 06-12345678 over NL91ABNA0417164300\n";
        let found = hits(text);
        let ids: Vec<&str> = found.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, ["email", "phone", "iban"], "{found:?}");
        let (_, s, e) = &found[2];
        assert_eq!(&text[*s..*e], b"NL91ABNA0417164300");
    }

    #[test]
    fn rules_needing_context_find_their_keyword_anywhere_in_reach() {
        let bsn = |text: &str| -> Vec<String> {
            hits(text.as_bytes())
                .into_iter()
                .filter(|(id, _, _)| id == "bsn")
                .map(|(_, s, e)| text[s..e].to_string())
                .collect()
        };
        // The keyword at the line start, 43 bytes before the number.
        assert_eq!(
            bsn("Burgerservicenummer van klant J. de Vries: 111222333\n"),
            ["111222333"]
        );
        // Too far before it (and nowhere else): not reported.
        assert!(bsn(&format!("bsn {} 111222333\n", "x".repeat(60))).is_empty());
        // Numbers without context before one with it, on a short line and on
        // a line longer than the stretch looked through at once.
        for filler in [4, 300] {
            let line = format!("{}bsn: 111222333\n", "111222333 ".repeat(filler));
            assert_eq!(bsn(&line), ["111222333"], "{filler}");
        }
    }

    #[test]
    fn a_line_with_more_candidate_ends_than_one_batch_holds() {
        // Each address ends a match twice (`.n` and `.nl`), so 3,000 of them
        // on one line are confirmed in more than one batch.
        let mut line = Vec::new();
        for i in 0..3000 {
            line.extend_from_slice(format!("klant{i}@ziggo.nl ").as_bytes());
        }
        line.push(b'\n');
        let found = hits(&line);
        assert_eq!(found.len(), 3000);
        for pair in found.windows(2) {
            assert!(pair[0].2 <= pair[1].1, "overlap: {pair:?}");
        }
        assert!(found.iter().all(|(id, s, e)| id == "email"
            && line[*s..*e].starts_with(b"klant")
            && line[*s..*e].ends_with(b"@ziggo.nl")));
    }

    #[test]
    fn field_names_match_the_same_on_the_stack_and_off_it() {
        let fields = vec!["telefoon".to_string(), "ipaddress".to_string()];
        for (name, expected) in [
            ("Telefoon_Mobiel", true),
            ("IP-Address", true),
            ("tel", false),
            ("Téléfoon", false),
            ("Telefoon ⁄ mobiel", true),
        ] {
            assert_eq!(field_name_matches(name, &fields), expected, "{name}");
            let slow = normalize_field_name(name);
            assert_eq!(fields.iter().any(|f| slow.contains(f.as_str())), expected);
        }
        let long = format!("{}telefoon", "x".repeat(200));
        assert!(field_name_matches(&long, &fields));
    }

    #[test]
    fn remembered_field_names_answer_as_asked_afresh() {
        // Rules past the 64 a name's bits hold, and more names than are
        // remembered: every answer is the one computed afresh.
        let rule_fields: Vec<Vec<String>> = (0..70)
            .map(|r| match r % 3 {
                0 => vec!["telefoon".to_string()],
                1 => vec!["email".to_string(), "mail".to_string()],
                _ => vec![format!("veld{r}")],
            })
            .collect();
        let names: Vec<String> = ["Telefoon", "E-mail", "mobiel", "veld5", "Veld68_x"]
            .into_iter()
            .map(String::from)
            .chain((0..MAX_REMEMBERED_FIELD_NAMES + 10).map(|i| format!("kolom{i}")))
            .collect();
        let mut memo = FieldNameMemo::default();
        for round in 0..2 {
            for (n, name) in names.iter().enumerate() {
                for (rule, fields) in rule_fields.iter().enumerate() {
                    if (n + rule + round) % 5 == 0 || n < 5 {
                        assert_eq!(
                            memo.matches(name, rule, fields),
                            field_name_matches(name, fields),
                            "{name} rule {rule} round {round}"
                        );
                    }
                }
            }
        }
        assert!(memo.names.len() <= MAX_REMEMBERED_FIELD_NAMES);
    }

    #[test]
    fn addresses_and_year_first_dates_end_where_their_parts_do() {
        // Only the longest match from a start is validated: the e-mail and
        // date patterns end after a domain label or the day, not after
        // every byte of it, and the forward pass stops there once.
        let matcher = Matcher::new(crate::rules::default_rules().unwrap(), "NL").unwrap();
        let Ok(regexes) = matcher.regexes() else {
            panic!("the default rules compile");
        };
        let rule_ends = |text: &str, id: &str| -> Vec<usize> {
            let hay = text.as_bytes();
            let mut cache = regexes.ends.create_cache();
            let mut ends = Vec::new();
            Walk::new(&regexes.ends, &mut cache, hay, 0..hay.len()).run(
                &regexes.ends,
                &mut cache,
                hay,
                &mut ends,
                usize::MAX,
            );
            let rule = matcher.rules.iter().position(|r| r.rule.id == id).unwrap() as u32;
            ends.iter().filter(|e| e.0 == rule).map(|e| e.1).collect()
        };
        for (text, id, values) in [
            ("mail jan@ziggo.nl;", "email", &["jan@ziggo.nl"][..]),
            ("mail Jan@Dealer.NL.", "email", &["Jan@Dealer.NL"]),
            (
                "mail jan.devries@hotmail.co.uk",
                "email",
                &["jan.devries@hotmail.co", "jan.devries@hotmail.co.uk"],
            ),
            ("('1979-10-30','x')", "date_of_birth", &["1979-10-30"]),
            (
                "geboren 1990-01-03T00:00:00Z",
                "date_of_birth",
                &["1990-01-03"],
            ),
            ("geboren 1990/1/3 te Ede", "date_of_birth", &["1990/1/3"]),
        ] {
            let start = text.find(values[0]).unwrap();
            let ends: Vec<usize> = values.iter().map(|v| start + v.len()).collect();
            assert_eq!(rule_ends(text, id), ends, "{text}");
        }
    }

    #[test]
    fn matches_never_span_a_line_end() {
        let found = hits(b"NL91 ABNA\n0417 1643 00\n");
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn windows_and_halves_of_the_forward_pass_find_what_one_pass_finds() {
        // Every rule's examples and negative examples, line after line,
        // with a long line of numbers and addresses among them.
        let rules = crate::rules::default_rules().unwrap();
        let mut text = String::new();
        for round in 0..3 {
            for rule in &rules {
                for example in rule.examples.iter().chain(&rule.negative_examples) {
                    text.push_str(example.text());
                    text.push('\n');
                }
            }
            for i in 0..200 {
                text.push_str(&format!(
                    "klant{round}{i}@ziggo.nl 06-1234{i:04} 111222333 "
                ));
            }
            text.push('\n');
            // Lines no rule can match, alone and in runs, one of them long.
            for lines in [1, 3, 40] {
                for _ in 0..lines {
                    text.push_str("geen nummers of adressen op deze regel\n");
                }
                text.push_str("bel 06-12345678\n");
            }
            text.push_str(&"zonder cijfers ".repeat(500));
            text.push('\n');
        }
        let hay = text.as_bytes();
        let matcher = Matcher::new(rules, "NL").unwrap();
        // (window, split from, lines passed over, pause): the hits, and the
        // bytes passed over.
        let found = |len, min_split, pass_over_lines, gap_pause, accept_end| {
            let mut cache = matcher.new_cache();
            let mut found = Vec::new();
            let windows = Windows {
                len,
                min_split,
                pass_over_lines,
                gap_pause,
            };
            matcher.find_hits_in_windows(&mut cache, hay, accept_end, windows, None, &mut |h| {
                found.push((h.rule, h.start, h.end, h.confidence))
            });
            (found, cache.gaps.passed_over)
        };
        for accept_end in [hay.len(), hay.len() / 2, hay.len() / 3 + 1] {
            let (whole, _) = found(usize::MAX, usize::MAX, false, 0, accept_end);
            assert!(whole.len() > 300, "{} hits", whole.len());
            for (window, min_split, pass_over, pause) in [
                (usize::MAX, 0, false, 0),
                (1, 0, false, 0),
                (1, 0, true, 0),
                (700, 0, true, 0),
                (4096, 64, true, 0),
                (64, 1 << 20, true, 0),
                (usize::MAX, 4096, true, 0),
                (700, 0, true, 1000),
            ] {
                let (hits, passed_over) = found(window, min_split, pass_over, pause, accept_end);
                assert!(
                    hits == whole,
                    "window {window}, split from {min_split}, lines passed over {pass_over}, accept_end {accept_end}"
                );
                if pass_over && pause == 0 {
                    assert!(
                        passed_over > 5_000,
                        "{passed_over} bytes passed over: window {window}, accept_end {accept_end}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_thread_stops_looking_for_lines_to_pass_over_where_there_are_none() {
        let mut gaps = GapSearch::default();
        let pause = 5000;
        // Half passed over: keeps looking.
        gaps.note(1000, Some(500), pause);
        assert_eq!(gaps.paused_for, 0);
        // Too little passed over: pauses, longer after each miss in a row,
        // counting down the bytes searched without looking.
        gaps.note(1000, Some(10), pause);
        assert_eq!(gaps.paused_for, pause);
        gaps.note(3000, None, pause);
        gaps.note(3000, None, pause);
        assert_eq!(gaps.paused_for, 0);
        gaps.note(1000, Some(0), pause);
        assert_eq!(gaps.paused_for, 2 * pause);
        for _ in 0..20 {
            gaps.note(1000, Some(0), pause);
        }
        assert_eq!(gaps.paused_for, pause * MAX_GAP_PAUSE_FACTOR);
        // One window worth it starts over.
        gaps.paused_for = 0;
        gaps.note(1000, Some(200), pause);
        gaps.note(1000, Some(0), pause);
        assert_eq!(gaps.paused_for, pause);
        assert_eq!(gaps.passed_over, 710);
    }
}
