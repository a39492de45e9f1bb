//! Validity of phone numbers outside the Dutch fast path (international
//! `+<country code> <number>`, or national in a given region) against
//! libphonenumber's numbering plans, with the plans' patterns compiled here
//! instead of by the `phonenumber` crate.
//!
//! Why: the crate compiles every pattern it touches with Unicode-aware
//! `regex::Regex`es and keeps them in one process-wide cache. A tree with
//! numbers (or number-like ids such as `009187374437`) from many countries
//! makes it compile the patterns of every country: about 160 KB each, 200 MB
//! resident for 200,000 random `00`-prefixed ids, and 3 s of compiling. The
//! same patterns compiled as ASCII-only automata without a lazy DFA are a
//! fraction of that and need no lock.
//!
//! The metadata (patterns, possible lengths, leading digits, national
//! prefixes) is the crate's, embedded as data (see [`EMBEDDED_PLANS`]: the
//! crate itself takes 100 ms to decode it), and the steps follow what the
//! crate's `parse_with` and `is_valid_with` do with a `+digits` string (or
//! national digits and a region: an international access code, a country
//! code written without `+`): the first 1-3 digits that form an assigned
//! country code, the region chosen by leading digits or number type, a
//! written national prefix stripped, then "matches the general pattern and
//! one number type", each pattern anchored at the start of the number and
//! gated by its possible lengths. Plans whose national-prefix rule is itself
//! a pattern (with carrier codes and transforms) are not re-implemented:
//! when such a rule applies to a number, the checks answer
//! [`PlanVerdict::AskTheCrate`].
//! `tests::agrees_with_the_crate*` compare the two on every region's
//! examples in international and national forms and on random numbers for
//! every code and region.

use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

/// Country calling codes are at most three digits.
const CODES: usize = 1000;
/// Shortest and longest national significant number the crate accepts.
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;

/// The answer for one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PlanVerdict {
    /// Valid; the E.164 form (`+` and digits).
    Valid(String),
    Invalid,
    /// The number needs a rule not re-implemented here (see the module docs).
    AskTheCrate,
}

/// The numbering plans as far as validity needs them: libphonenumber's
/// metadata as the crate holds it, without the formatting rules, written
/// out by `tests::embedded_plans_are_the_crates` (which fails when the
/// crate's metadata changes, and rewrites the file when
/// `PIISCAN_WRITE_PHONE_PLANS=1` is set).
///
/// Embedded rather than read from the crate because the crate decodes its
/// whole database, parsing every pattern of every region, before it
/// answers anything: 100 ms of start-up for the first number outside the
/// Dutch fast path. Decoding this file takes a few milliseconds.
const EMBEDDED_PLANS: &str = include_str!("phone_plans.json");

/// The embedded plans, by country code in the crate's order.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct PlanData {
    codes: Vec<CodeData>,
}

/// The regions sharing one country calling code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct CodeData {
    code: u16,
    regions: Vec<RegionData>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct RegionData {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    idd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    leading_digits: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    national_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prefix_rule: Option<String>,
    general: TypeData,
    general_local_lengths: Vec<u16>,
    /// The number types in the crate's order of checking.
    types: Vec<TypeData>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct TypeData {
    lengths: Vec<u16>,
    pattern: String,
}

/// The embedded plans decoded, with the look-ups the checks need.
struct Plans {
    data: PlanData,
    /// Country code -> index into `data.codes`.
    by_code: Vec<Option<usize>>,
    /// Region id -> its country code.
    code_of_region: HashMap<String, u16>,
}

impl Plans {
    fn new(data: PlanData) -> Plans {
        let mut by_code = vec![None; CODES];
        let mut code_of_region = HashMap::new();
        for (index, code) in data.codes.iter().enumerate() {
            if let Some(slot) = by_code.get_mut(usize::from(code.code)) {
                *slot = Some(index);
            }
            for region in &code.regions {
                code_of_region.entry(region.id.clone()).or_insert(code.code);
            }
        }
        Plans {
            data,
            by_code,
            code_of_region,
        }
    }

    fn code(&self, code: u16) -> Option<&CodeData> {
        let index = (*self.by_code.get(usize::from(code))?)?;
        self.data.codes.get(index)
    }
}

fn plans() -> &'static Plans {
    static PLANS: LazyLock<Plans> = LazyLock::new(|| {
        // The file is checked against the crate by the tests; a file that
        // fails to decode leaves every number to the crate.
        Plans::new(serde_json::from_str(EMBEDDED_PLANS).unwrap_or_default())
    });
    &PLANS
}

/// One number type's (or the general) description.
struct TypePlan {
    /// Empty: any length.
    lengths: Vec<u16>,
    pattern: Regex,
}

impl TypePlan {
    fn new(data: &TypeData) -> Option<TypePlan> {
        Some(TypePlan {
            lengths: data.lengths.clone(),
            pattern: compile(&data.pattern)?,
        })
    }

    fn matches(&self, national: &str) -> bool {
        let len_ok = self.lengths.is_empty()
            || u16::try_from(national.len()).is_ok_and(|l| self.lengths.contains(&l));
        len_ok && at_start(&self.pattern, national)
    }
}

/// One region's plan.
struct RegionPlan {
    /// ISO region code (`001` for non-geographic entities).
    id: String,
    /// International access code (`00` in most of Europe).
    idd: Option<Regex>,
    leading_digits: Option<Regex>,
    national_prefix: Option<String>,
    /// The region's national-prefix rule when it is a pattern.
    prefix_rule: Option<Regex>,
    general: TypePlan,
    general_local_lengths: Vec<u16>,
    types: Vec<TypePlan>,
}

impl RegionPlan {
    fn new(data: &RegionData) -> Option<RegionPlan> {
        // A pattern the region may lack: `Some(None)`; one that does not
        // compile: `None` (the whole plan is left to the crate).
        let optional = |source: &Option<String>| match source {
            Some(source) => compile(source).map(Some),
            None => Some(None),
        };
        Some(RegionPlan {
            id: data.id.clone(),
            idd: optional(&data.idd)?,
            leading_digits: optional(&data.leading_digits)?,
            national_prefix: data.national_prefix.clone(),
            prefix_rule: optional(&data.prefix_rule)?,
            general: TypePlan::new(&data.general)?,
            general_local_lengths: data.general_local_lengths.clone(),
            types: data
                .types
                .iter()
                .map(TypePlan::new)
                .collect::<Option<_>>()?,
        })
    }

    /// The crate's `number_type(..) != Unknown`.
    fn valid(&self, national: &str) -> bool {
        self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
    }

    /// The crate's `length(.., Unknown).is_possible()`.
    fn possible_length(&self, national: &str) -> bool {
        let lengths = &self.general.lengths;
        let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
        let (Some(&min), Some(&max)) = (lengths.first(), lengths.last()) else {
            return false;
        };
        self.general_local_lengths.contains(&len)
            || len == min
            || (len > min && len <= max && lengths.contains(&len))
    }

    /// Whether the crate's length test calls `national` too short (then a
    /// stripped national prefix is put back).
    fn too_short(&self, national: &str) -> bool {
        let lengths = &self.general.lengths;
        let Some(&min) = lengths.first() else {
            return false;
        };
        let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
        !self.general_local_lengths.contains(&len) && len < min
    }
}

/// The regions sharing one country code, in the crate's order.
struct CodePlan {
    /// The country code as written (`31`).
    code_text: String,
    regions: Vec<RegionPlan>,
}

impl CodePlan {
    fn new(data: &CodeData) -> Option<CodePlan> {
        Some(CodePlan {
            code_text: data.code.to_string(),
            regions: data
                .regions
                .iter()
                .map(RegionPlan::new)
                .collect::<Option<_>>()?,
        })
    }

    /// The crate's `source_for`: the only region, or the first whose
    /// leading digits start the number (or, without leading digits, whose
    /// plan the number is valid in).
    fn region_for(&self, national: &str) -> Option<&RegionPlan> {
        if let [only] = self.regions.as_slice() {
            return Some(only);
        }
        self.regions.iter().find(|r| match &r.leading_digits {
            Some(re) => at_start(re, national),
            None => r.valid(national),
        })
    }
}

/// Plans by country code, compiled on first use. `None` inside: the code is
/// not assigned (or its plan did not compile, and the crate answers).
fn plan(code: u16) -> Option<&'static CodePlan> {
    static COMPILED: OnceLock<Vec<OnceLock<Option<CodePlan>>>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| (0..CODES).map(|_| OnceLock::new()).collect());
    compiled
        .get(usize::from(code))?
        .get_or_init(|| plans().code(code).and_then(CodePlan::new))
        .as_ref()
}

/// Whether `code` is an assigned country calling code.
fn assigned(code: u16) -> bool {
    plans().code(code).is_some()
}

/// Validity of the international number `+digits` (`digits`: ASCII digits,
/// country code first).
pub(super) fn check_international(digits: &str) -> PlanVerdict {
    if plans().data.codes.is_empty() {
        return PlanVerdict::AskTheCrate;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return PlanVerdict::Invalid;
    }
    let Some((code, national)) = split_country_code(digits) else {
        return PlanVerdict::Invalid;
    };
    let Some(code_plan) = plan(code) else {
        return PlanVerdict::AskTheCrate;
    };
    // Without a region, the national prefix is the one of the region the
    // number itself names.
    let region = code_plan.region_for(national.trim_start_matches('0'));
    match strip_national_prefix(region, national) {
        Some(national) => finish(code_plan, code, national),
        None => PlanVerdict::AskTheCrate,
    }
}

/// Validity of `digits` written as a national number of `region_id` (ISO
/// code such as `DE`): the crate's `parse_with(Some(region))`, including a
/// leading international access code (`00` in most of Europe) and a
/// country code written without `+`.
pub(super) fn check_national(region_id: &str, digits: &str) -> PlanVerdict {
    use PlanVerdict::{AskTheCrate, Invalid};
    if plans().data.codes.is_empty() {
        return AskTheCrate;
    }
    if digits.len() < MIN_NSN || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Invalid;
    }
    let Some(&own_code) = plans().code_of_region.get(region_id) else {
        return Invalid;
    };
    let Some(own_plan) = plan(own_code) else {
        return AskTheCrate;
    };
    let Some(own) = own_plan.regions.iter().find(|r| r.id == region_id) else {
        return AskTheCrate;
    };
    // An international access code at the start: the rest is dialled
    // abroad (the crate still strips this region's national prefix).
    if let Some(idd_end) = own.idd.as_ref().and_then(|re| end_at_start(re, digits)) {
        let rest = &digits[idd_end..];
        if !rest.starts_with('0') {
            if rest.len() <= MIN_NSN {
                return Invalid;
            }
            let Some((code, national)) = split_country_code(rest) else {
                return Invalid;
            };
            let Some(code_plan) = plan(code) else {
                return AskTheCrate;
            };
            return match strip_national_prefix(Some(own), national) {
                Some(national) => finish(code_plan, code, national),
                None => AskTheCrate,
            };
        }
    }
    // The region's country code written without `+`, when the number is
    // not a valid national number as it stands.
    let mut national = digits;
    if let Some(rest) = digits.strip_prefix(own_plan.code_text.as_str())
        && (!own.general.matches(digits) || !own.possible_length(digits))
    {
        national = rest;
    }
    match strip_national_prefix(Some(own), national) {
        Some(national) => finish(own_plan, own_code, national),
        None => AskTheCrate,
    }
}

/// The first 1-3 digits that form an assigned country code, and the rest.
fn split_country_code(digits: &str) -> Option<(u16, &str)> {
    if digits.len() <= MIN_NSN || digits.starts_with('0') {
        return None;
    }
    (1..=3).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        assigned(code).then(|| (code, &digits[len..]))
    })
}

/// The crate's national-prefix handling with `region`'s plan: `None` when
/// the region's rule is a pattern that applies (the crate answers those).
fn strip_national_prefix<'n>(region: Option<&RegionPlan>, national: &'n str) -> Option<&'n str> {
    let Some(region) = region else {
        return Some(national);
    };
    let prefix = region.national_prefix.as_deref().filter(|p| !p.is_empty());
    let mut potential = national;
    match &region.prefix_rule {
        Some(rule) if at_start(rule, national) => return None,
        Some(_) => {}
        None => {
            if let Some(prefix) = prefix {
                potential = potential.strip_prefix(prefix).unwrap_or(potential);
            }
        }
    }
    // The crate strips a written national prefix once more, and keeps the
    // result unless that leaves the number too short.
    if let Some(prefix) = prefix {
        potential = potential.strip_prefix(prefix).unwrap_or(potential);
    }
    Some(if region.too_short(potential) {
        national
    } else {
        potential
    })
}

/// The crate's final length checks and `is_valid_with`.
fn finish(code_plan: &CodePlan, code: u16, national: &str) -> PlanVerdict {
    if national.len() < MIN_NSN || national.len() > MAX_NSN {
        return PlanVerdict::Invalid;
    }
    // The crate stores the number as leading zeros plus an integer below
    // 2^56: all zeros, or too large a value, fails to parse.
    let significant = national.trim_start_matches('0');
    if significant.is_empty() || significant.parse::<u64>().map_or(true, |v| v >= 1 << 56) {
        return PlanVerdict::Invalid;
    }
    match code_plan.region_for(national) {
        Some(region) if region.valid(national) => PlanVerdict::Valid(format!("+{code}{national}")),
        _ => PlanVerdict::Invalid,
    }
}

fn compile(pattern: &str) -> Option<Regex> {
    Regex::builder()
        .syntax(syntax::Config::new().ignore_whitespace(true).unicode(false))
        .configure(Regex::config().hybrid(false).dfa(false))
        .build(pattern)
        .ok()
}

/// Where the leftmost-first match starting at the first byte ends.
fn end_at_start(re: &Regex, text: &str) -> Option<usize> {
    re.find(Input::new(text).anchored(Anchored::Yes))
        .map(|m| m.end())
}

fn at_start(re: &Regex, text: &str) -> bool {
    re.is_match(Input::new(text).anchored(Anchored::Yes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::phone::METADATA;
    use phonenumber::metadata::{Database, Descriptor, Metadata};

    /// A pattern without the layout whitespace of the metadata (patterns
    /// are compiled ignoring whitespace, so it means nothing).
    fn squeezed(pattern: &str) -> String {
        pattern.split_ascii_whitespace().collect()
    }

    fn type_data(desc: &Descriptor) -> TypeData {
        TypeData {
            lengths: desc.possible_length().to_vec(),
            pattern: squeezed(desc.national_number().as_str()),
        }
    }

    fn region_data(meta: &Metadata) -> RegionData {
        let d = meta.descriptors();
        // The order of the crate's number-type checks; only "any of them"
        // matters for validity.
        let typed = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ];
        RegionData {
            id: meta.id().to_owned(),
            idd: meta.international_prefix().map(|re| squeezed(re.as_str())),
            leading_digits: meta.leading_digits().map(|re| squeezed(re.as_str())),
            national_prefix: meta.national_prefix().map(str::to_owned),
            prefix_rule: meta
                .national_prefix_for_parsing()
                .map(|re| squeezed(re.as_str())),
            general: type_data(d.general()),
            general_local_lengths: d.general().possible_local_length().to_vec(),
            types: typed.into_iter().flatten().map(type_data).collect(),
        }
    }

    /// The plans as the crate holds them: each assigned code's regions in
    /// the crate's order (for non-geographic codes, the code's first
    /// entity, as the crate takes it).
    fn crate_plans(db: &Database) -> PlanData {
        let mut codes = Vec::new();
        for code in 1..CODES as u16 {
            let Some(ids) = db.region(&code) else {
                continue;
            };
            let metas: Vec<&Metadata> = if ids.len() == 1 && ids[0] == "001" {
                db.by_code(&code)
                    .map(|m| m.into_iter().take(1).collect())
                    .unwrap_or_default()
            } else {
                ids.iter().filter_map(|id| db.by_id(*id)).collect()
            };
            codes.push(CodeData {
                code,
                regions: metas.into_iter().map(region_data).collect(),
            });
        }
        PlanData { codes }
    }

    /// One country code per line, so that a change of the crate's
    /// metadata shows as a readable diff.
    fn write_plans(data: &PlanData) -> String {
        let mut out = String::from("{\"codes\": [\n");
        for (n, code) in data.codes.iter().enumerate() {
            let line = serde_json::to_string(code).expect("plain data serialises");
            out.push_str(&line);
            out.push_str(if n + 1 < data.codes.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        out.push_str("]}\n");
        out
    }

    /// The embedded file holds exactly the crate's metadata.
    #[test]
    fn embedded_plans_are_the_crates() {
        let expected = crate_plans(&METADATA);
        assert!(expected.codes.len() > 200, "{}", expected.codes.len());
        if std::env::var_os("PIISCAN_WRITE_PHONE_PLANS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/validate/phone_plans.json");
            std::fs::write(path, write_plans(&expected)).expect("write the plans");
        }
        let embedded: PlanData =
            serde_json::from_str(EMBEDDED_PLANS).expect("the embedded plans decode");
        assert!(
            embedded == expected,
            "src/validate/phone_plans.json differs from the phonenumber crate's metadata: \
             rewrite it with PIISCAN_WRITE_PHONE_PLANS=1 cargo test embedded_plans"
        );
        assert_eq!(plans().data, expected);
    }

    fn crate_e164(digits: &str) -> Option<String> {
        let db: &Database = &METADATA;
        let number = phonenumber::parse_with(db, None, format!("+{digits}")).ok()?;
        phonenumber::is_valid_with(db, &number)
            .then(|| format!("+{}{}", number.code().value(), number.national()))
    }

    fn crate_national_e164(region: &str, digits: &str) -> Option<String> {
        let db: &Database = &METADATA;
        let region: phonenumber::country::Id = region.parse().ok()?;
        let number = phonenumber::parse_with(db, Some(region), digits).ok()?;
        phonenumber::is_valid_with(db, &number)
            .then(|| format!("+{}{}", number.code().value(), number.national()))
    }

    /// Deterministic digits for the comparisons.
    fn digit_source() -> impl FnMut() -> char {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b'0' + (seed % 10) as u8)
        }
    }

    /// How the plans' answers compare with the crate's.
    #[derive(Default)]
    struct Tally {
        checked: usize,
        valid: usize,
        asked: usize,
        disagree: Vec<String>,
    }

    impl Tally {
        fn record(&mut self, number: &str, plan: PlanVerdict, crate_says: Option<String>) {
            self.checked += 1;
            match plan {
                PlanVerdict::AskTheCrate => self.asked += 1,
                PlanVerdict::Valid(e164) => {
                    self.valid += 1;
                    if crate_says.as_deref() != Some(e164.as_str()) {
                        self.disagree
                            .push(format!("{number}: plan {e164}, crate {crate_says:?}"));
                    }
                }
                PlanVerdict::Invalid => {
                    if let Some(e164) = crate_says {
                        self.disagree
                            .push(format!("{number}: plan invalid, crate {e164}"));
                    }
                }
            }
        }

        /// No disagreement, enough numbers (and valid ones) to mean
        /// something, and at most one in `handed_back` left to the crate.
        fn assert_agrees(&self, min_checked: usize, min_valid: usize, handed_back: usize) {
            let Tally {
                checked,
                valid,
                asked,
                disagree,
            } = self;
            assert!(
                *checked > min_checked && *valid > min_valid,
                "{checked} {valid}"
            );
            assert!(
                disagree.is_empty(),
                "{} of {checked} disagree: {:?}",
                disagree.len(),
                &disagree[..disagree.len().min(30)]
            );
            assert!(
                asked * handed_back < *checked,
                "{asked} of {checked} asked the crate"
            );
        }
    }

    /// Every region's example numbers (all number types), the same with
    /// their last digits changed, and random numbers of every length for
    /// every country code: the compiled plans answer as the crate does, and
    /// hand only a few numbers back to it.
    #[test]
    fn agrees_with_the_crate() {
        let db: &Database = &METADATA;
        let mut random_digit = digit_source();
        let mut numbers = Vec::new();
        for meta in db.iter() {
            let code = meta.country_code();
            let d = meta.descriptors();
            let all = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            for example in all.into_iter().flatten().filter_map(Descriptor::example) {
                numbers.push(format!("{code}{example}"));
                // The trunk prefix written after the country code.
                if let Some(prefix) = meta.national_prefix() {
                    numbers.push(format!("{code}{prefix}{example}"));
                }
                for _ in 0..3 {
                    let keep = example.len().saturating_sub(3);
                    let tail: String = (keep..example.len()).map(|_| random_digit()).collect();
                    numbers.push(format!("{code}{}{tail}", &example[..keep]));
                }
            }
        }
        for code in 1..1000u16 {
            if !assigned(code) {
                continue;
            }
            for len in 1..=14 {
                for _ in 0..6 {
                    let national: String = (0..len).map(|_| random_digit()).collect();
                    numbers.push(format!("{code}{national}"));
                }
            }
        }
        let mut tally = Tally::default();
        for digits in &numbers {
            let plan = check_international(digits);
            tally.record(&format!("+{digits}"), plan, crate_e164(digits));
        }
        tally.assert_agrees(20_000, 3_000, 20);
    }

    /// National forms in every region: the example with and without the
    /// trunk prefix, with the country code but no `+`, after the
    /// international access code, and random digits.
    #[test]
    fn agrees_with_the_crate_on_national_forms() {
        let db: &Database = &METADATA;
        let mut random_digit = digit_source();
        let mut national = Vec::new();
        for meta in db.iter().filter(|m| m.id() != "001") {
            let (id, code) = (meta.id(), meta.country_code());
            let d = meta.descriptors();
            // Digits only: the written form never hands on a `~` (wait for
            // the dial tone, in some regions' preferred prefix).
            let idd = meta
                .preferred_international_prefix()
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or("00");
            for example in [d.fixed_line(), d.mobile(), d.toll_free()]
                .into_iter()
                .flatten()
                .filter_map(Descriptor::example)
            {
                let prefix = meta.national_prefix().unwrap_or("");
                for form in [
                    example.to_owned(),
                    format!("{prefix}{example}"),
                    format!("{code}{example}"),
                    format!("{idd}{code}{example}"),
                    format!("{idd}49301234567"),
                ] {
                    national.push((id.to_owned(), form));
                }
            }
            for len in 4..=13 {
                for _ in 0..3 {
                    let digits: String = (0..len).map(|_| random_digit()).collect();
                    national.push((id.to_owned(), digits));
                }
            }
        }
        let mut tally = Tally::default();
        for (id, digits) in &national {
            let plan = check_national(id, digits);
            tally.record(
                &format!("{id} {digits}"),
                plan,
                crate_national_e164(id, digits),
            );
        }
        tally.assert_agrees(5_000, 1_000, 5);
    }

    #[test]
    fn odd_input_is_invalid() {
        for digits in ["", "3", "31", "0316", "31 6", "999123456", "+31612345678"] {
            assert_eq!(
                check_international(digits),
                PlanVerdict::Invalid,
                "{digits}"
            );
        }
        assert_eq!(
            check_international("31612345678"),
            PlanVerdict::Valid("+31612345678".into())
        );
    }
}
