//! The compiled form of a rule set: one multi-pattern pass over whole buffers,
//! then per-rule confirmation on the lines that had a candidate.
//!
//! Stage 1 runs a single `regex_automata::meta::Regex` built from every rule
//! pattern and only asks "is there a candidate, and where?". Personal data is
//! sparse in most bytes (source code, logs), so nearly all time is spent here,
//! in one DFA pass. Stage 2 works on the candidate's line: a second regex of the
//! same patterns, compiled with `MatchKind::All`, says which rules match there
//! (so overlapping rules such as a phone and an IBAN both get their say), then
//! each of those rules finds its own spans and runs its validator and context.
//! Patterns are compiled with Unicode disabled: ASCII `\b` and classes keep the
//! lazy DFA fast (the Unicode word boundary made a prototype 60x slower).

use super::Rule;
use crate::error::{Error, Result};
use crate::finding::{Confidence, Entity};
use crate::validate::{Candidate, Verdict};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, PatternSet};
use std::sync::OnceLock;

/// How far before a value context keywords are looked for.
const KEYWORD_WINDOW: usize = 48;
/// Lines longer than this are searched in windows of this size around each
/// candidate, so a 2 GB one-line file never makes stage 2 quadratic.
const STAGE2_WINDOW: usize = 64 * 1024;
/// Longest candidate a rule can reasonably produce; windows overlap by this.
const MAX_CANDIDATE_LEN: usize = 256;

/// A rule's context, pre-lowercased for cheap comparison.
#[derive(Debug, Clone, Default)]
struct CompiledContext {
    /// Searchers built once per keyword (already lowercase).
    keywords: Vec<memchr::memmem::Finder<'static>>,
    fields: Vec<String>,
    required: bool,
}

/// One rule with its decision inputs (its regex lives in [`Regexes`]).
#[derive(Debug)]
pub struct CompiledRule {
    pub rule: Rule,
    context: CompiledContext,
}

/// The compiled regexes of a rule set.
#[derive(Debug)]
struct Regexes {
    /// Leftmost-first, used only to find the next candidate quickly.
    stage1: Regex,
    /// Same patterns with `MatchKind::All`, to learn which rules match a line.
    which: Regex,
    /// Each rule's own pattern, for stage 2.
    per_rule: Vec<Regex>,
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
    regexes: OnceLock<std::result::Result<Regexes, BuildError>>,
    region: String,
}

/// Per-thread search state: regex caches are mutable and not shareable.
/// Created empty; filled when the thread scans its first text.
pub struct MatcherCache {
    caches: Option<Caches>,
    hits: Vec<Hit>,
}

struct Caches {
    stage1: meta::Cache,
    which: meta::Cache,
    per_rule: Vec<meta::Cache>,
    patset: PatternSet,
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

/// Lazy DFA cache per thread for the two regexes over all patterns. The
/// default (2 MiB) is too small for the union of every rule: on dense data
/// the DFA's states were thrown away and rebuilt over and over (a fifth of
/// the scan time went to determinization). The cache grows only as far as
/// states are actually built.
const UNION_CACHE_CAPACITY: usize = 16 << 20;
/// Lazy DFA cache per thread for one rule's own regex.
const RULE_CACHE_CAPACITY: usize = 2 << 20;

fn build(patterns: &[&str], kind: MatchKind, cache_capacity: usize) -> Result<Regex> {
    Regex::builder()
        .syntax(syntax_config())
        .configure(
            Regex::config()
                .match_kind(kind)
                .utf8_empty(false)
                .hybrid_cache_capacity(cache_capacity),
        )
        .build_many(patterns)
        .map_err(|e| Error::MatcherBuild(e.to_string()))
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
        for rule in rules {
            syntax::parse_with(&rule.pattern, &syntax_config()).map_err(|e| {
                Error::RuleInvalid {
                    id: rule.id.clone(),
                    message: format!("pattern does not compile: {e}"),
                }
            })?;
            let context = rule
                .context
                .as_ref()
                .map(|c| CompiledContext {
                    keywords: c
                        .keywords
                        .iter()
                        .map(|k| {
                            memchr::memmem::Finder::new(k.to_ascii_lowercase().as_bytes())
                                .into_owned()
                        })
                        .collect(),
                    fields: c.fields.iter().map(|f| normalize_field_name(f)).collect(),
                    required: c.required,
                })
                .unwrap_or_default();
            compiled.push(CompiledRule { rule, context });
        }
        Ok(Matcher {
            rules: compiled,
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
            let mut per_rule = Vec::with_capacity(self.rules.len());
            for r in &self.rules {
                let regex = build(
                    &[r.rule.pattern.as_str()],
                    MatchKind::LeftmostFirst,
                    RULE_CACHE_CAPACITY,
                )
                .map_err(|e| BuildError {
                    id: Some(r.rule.id.clone()),
                    message: format!("pattern does not compile: {e}"),
                })?;
                per_rule.push(regex);
            }
            let patterns: Vec<&str> = self.rules.iter().map(|r| r.rule.pattern.as_str()).collect();
            let union = |kind| {
                build(&patterns, kind, UNION_CACHE_CAPACITY).map_err(|e| BuildError {
                    id: None,
                    message: e.to_string(),
                })
            };
            Ok(Regexes {
                stage1: union(MatchKind::LeftmostFirst)?,
                which: union(MatchKind::All)?,
                per_rule,
            })
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
            hits: Vec::new(),
        }
    }

    /// Finds every confirmed hit in `hay` that starts before `accept_end`.
    ///
    /// `field_of` names the column or field a byte offset belongs to (for
    /// context); it is called only for candidates, never per byte. Hits are
    /// passed to `emit` in order of position.
    pub fn find_hits(
        &self,
        cache: &mut MatcherCache,
        hay: &[u8],
        accept_end: usize,
        field_of: &mut dyn FnMut(usize) -> Option<String>,
        emit: &mut dyn FnMut(Hit),
    ) {
        // A rule set that failed to compile finds nothing; whoever built the
        // matcher lazily learns why from `compile`.
        let Ok(regexes) = self.regexes() else {
            return;
        };
        let caches = cache.caches.get_or_insert_with(|| Caches {
            stage1: regexes.stage1.create_cache(),
            which: regexes.which.create_cache(),
            per_rule: regexes.per_rule.iter().map(|r| r.create_cache()).collect(),
            patset: PatternSet::new(self.rules.len()),
        });
        let mut pos = 0;
        while pos < accept_end {
            // Stage 1 searches forward only: the end of the earliest
            // candidate says which line to confirm, and a reverse search for
            // its exact start would be wasted work.
            let input = Input::new(hay).range(pos..hay.len()).earliest(true);
            let Some(half) = regexes.stage1.search_half_with(&mut caches.stage1, &input) else {
                break;
            };
            // A byte inside the candidate (patterns never match empty).
            let inside = half.offset().saturating_sub(1).max(pos);
            let line_start = memchr::memrchr(b'\n', &hay[pos..inside]).map_or(pos, |i| pos + i + 1);
            let line_end = memchr::memchr(b'\n', &hay[inside..]).map_or(hay.len(), |i| inside + i);
            // Stage 2 window: the whole line, or a bounded slice of a huge one.
            let win_start = line_start.max(half.offset().saturating_sub(MAX_CANDIDATE_LEN));
            if win_start >= accept_end {
                break;
            }
            let win_accept_end = line_end
                .min(win_start.saturating_add(STAGE2_WINDOW))
                .min(accept_end)
                .max(win_start + 1);
            let win_end = line_end.min(win_accept_end + MAX_CANDIDATE_LEN);
            self.confirm_window(
                regexes,
                caches,
                &mut cache.hits,
                hay,
                line_start,
                win_start,
                win_accept_end,
                win_end,
                field_of,
                emit,
            );
            pos = win_accept_end;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn confirm_window(
        &self,
        regexes: &Regexes,
        cache: &mut Caches,
        hits: &mut Vec<Hit>,
        hay: &[u8],
        line_start: usize,
        win_start: usize,
        win_accept_end: usize,
        win_end: usize,
        field_of: &mut dyn FnMut(usize) -> Option<String>,
        emit: &mut dyn FnMut(Hit),
    ) {
        cache.patset.clear();
        let input = Input::new(hay).range(win_start..win_end);
        regexes
            .which
            .which_overlapping_matches_with(&mut cache.which, &input, &mut cache.patset);
        hits.clear();
        for pid in cache.patset.iter() {
            let idx = pid.as_usize();
            let compiled = &self.rules[idx];
            let mut at = win_start;
            while at < win_accept_end {
                let input = Input::new(hay).range(at..win_end);
                let Some(m) = regexes.per_rule[idx].search_with(&mut cache.per_rule[idx], &input)
                else {
                    break;
                };
                if m.start() >= win_accept_end {
                    break;
                }
                let cand = Candidate::new(hay, m.start(), m.end());
                let decision = self.decide(compiled, &cand, line_start, field_of);
                match decision {
                    Some(confidence) => {
                        hits.push(Hit {
                            rule: idx,
                            start: m.start(),
                            end: m.end(),
                            confidence,
                        });
                        at = m.end().max(m.start() + 1);
                    }
                    // A rejected broad candidate may hide a valid shorter one
                    // that starts inside it (a phone after an order number).
                    None => at = m.start() + 1,
                }
            }
        }
        resolve_overlaps(hits);
        for hit in hits.drain(..) {
            emit(hit);
        }
    }

    fn decide(
        &self,
        compiled: &CompiledRule,
        cand: &Candidate<'_>,
        line_start: usize,
        field_of: &mut dyn FnMut(usize) -> Option<String>,
    ) -> Option<Confidence> {
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
        let has_context = keyword_before(cand, line_start, &ctx.keywords)
            || (!ctx.fields.is_empty() && {
                field_of(cand.start).as_deref().is_some_and(|n| {
                    let n = normalize_field_name(n);
                    ctx.fields.iter().any(|f| n.contains(f.as_str()))
                })
            });
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

/// True when one of `keywords` occurs (ASCII case-insensitively) in the few
/// bytes before the candidate on its line.
fn keyword_before(
    cand: &Candidate<'_>,
    line_start: usize,
    keywords: &[memchr::memmem::Finder<'static>],
) -> bool {
    if keywords.is_empty() {
        return false;
    }
    let from = cand.start.saturating_sub(KEYWORD_WINDOW).max(line_start);
    // Lowercase the window once, then look for each (already lowercase)
    // keyword with a plain substring search.
    let mut lowered = [0u8; KEYWORD_WINDOW];
    let window = &cand.hay[from..cand.start];
    let lowered = &mut lowered[..window.len()];
    for (dst, src) in lowered.iter_mut().zip(window) {
        *dst = src.to_ascii_lowercase();
    }
    keywords.iter().any(|k| k.find(lowered).is_some())
}

/// Keeps the best of overlapping hits: higher confidence, then longer, then
/// the rule listed first. Leaves `hits` sorted by position.
fn resolve_overlaps(hits: &mut Vec<Hit>) {
    if hits.len() < 2 {
        return;
    }
    hits.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.rule.cmp(&b.rule))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits.iter() {
        if kept.iter().all(|k| h.end <= k.start || h.start >= k.end) {
            kept.push(*h);
        }
    }
    kept.sort_by_key(|h| h.start);
    *hits = kept;
}
