//! The cost of finding candidates alone: the one forward pass of every
//! default rule's pattern (a lazy DFA of all of them, `MatchKind::All`,
//! every position where some rule's match ends), with nothing confirmed,
//! validated, located or counted. It is the floor under a scan, to set
//! beside `rg -c` on the same files (see BENCHMARKS.md).
//!
//!     cargo bench --bench forward_pass -- big.csv big.log
//!     cargo bench --bench forward_pass -- --dense     # try a full DFA
//!
//! Each file is searched with regex-automata's own overlapping search, as
//! piiscan's matcher builds its automaton (ASCII classes and word
//! boundaries). The first run starts with an empty cache (the warm-up a
//! scanning thread pays); the median of five more runs reuses it.

use piiscan::rules::default_rules;
use regex_automata::hybrid::dfa::{DFA, OverlappingState};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use std::time::{Duration, Instant};

const WARM_RUNS: usize = 5;

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

fn patterns() -> Vec<String> {
    default_rules()
        .expect("the default rules parse")
        .into_iter()
        .map(|r| r.pattern)
        .collect()
}

/// Ends reported in one overlapping search of `hay`.
fn ends(dfa: &DFA, cache: &mut regex_automata::hybrid::dfa::Cache, hay: &[u8]) -> u64 {
    let input = Input::new(hay);
    let mut state = OverlappingState::start();
    let mut n = 0;
    loop {
        dfa.try_search_overlapping_fwd(cache, &input, &mut state)
            .expect("the lazy DFA never gives up on these patterns");
        if state.get_match().is_none() {
            return n;
        }
        n += 1;
    }
}

/// Tries to build a full DFA of the union, within a 2 GiB size limit.
fn dense(patterns: &[String]) {
    use regex_automata::dfa::{StartKind, dense};
    let started = Instant::now();
    let built = dense::Builder::new()
        .syntax(syntax_config())
        .thompson(thompson::Config::new().utf8(false))
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(StartKind::Unanchored)
                .dfa_size_limit(Some(2 << 30))
                .determinize_size_limit(Some(2 << 30)),
        )
        .build_many(patterns);
    match built {
        Ok(dfa) => println!(
            "full DFA: {} bytes, built in {:.1?}",
            dfa.memory_usage(),
            started.elapsed()
        ),
        Err(e) => println!("full DFA: not built after {:.1?}: {e}", started.elapsed()),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; everything else names files.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let patterns = patterns();
    if args.iter().any(|a| a == "--dense") {
        dense(&patterns);
        return;
    }
    if args.is_empty() {
        eprintln!("usage: cargo bench --bench forward_pass -- FILE... | --dense");
        std::process::exit(2);
    }
    let dfa = DFA::builder()
        .syntax(syntax_config())
        .thompson(thompson::Config::new().utf8(false))
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .cache_capacity(16 << 20),
        )
        .build_many(&patterns)
        .expect("the default patterns compile");
    for path in &args {
        let hay = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mb = hay.len() as f64 / 1e6;
        let mut cache = dfa.create_cache();
        let started = Instant::now();
        let found = ends(&dfa, &mut cache, &hay);
        let cold = started.elapsed();
        let mut warm: Vec<Duration> = (0..WARM_RUNS)
            .map(|_| {
                let started = Instant::now();
                ends(&dfa, &mut cache, &hay);
                started.elapsed()
            })
            .collect();
        warm.sort();
        let median = warm[WARM_RUNS / 2];
        println!(
            "{path}: {mb:.1} MB, {found} ends; first run {:.1} ms ({:.0} MB/s), warm median {:.1} ms ({:.0} MB/s), cache {} KiB",
            cold.as_secs_f64() * 1e3,
            mb / cold.as_secs_f64(),
            median.as_secs_f64() * 1e3,
            mb / median.as_secs_f64(),
            cache.memory_usage() / 1024,
        );
    }
}
