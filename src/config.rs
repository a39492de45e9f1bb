//! Configuration: the `.piiscan.toml` file, where it is found, and how it
//! merges with the command line into the effective settings of a scan; the
//! severity of each entity and the failing threshold (`--fail-on`); and the
//! allowlists, which become a [`FindingFilter`].
//!
//! The file is looked for in the directory of the first scanned path and then
//! upward, stopping after the first directory that holds `.git` (the top of
//! the repository), unless `--config FILE` names one or `--no-config` turns
//! it off. Command-line flags override the file: scalars replace its values,
//! `--entities` replaces its `[entities]`, `-g` globs are applied after its
//! `include`/`exclude` (so they win), and `--rules` adds to its `rules`.
//!
//! Paths in `rules` are relative to the configuration file. Globs (`include`,
//! `exclude`, `allowlist.paths`) use gitignore syntax and match paths as
//! piiscan reports them, relative to the directory piiscan runs in: run it
//! from the directory holding `.piiscan.toml` (the repository root), as CI
//! jobs and pre-commit do.
//!
//! Allowlisted values are stored as keyed fingerprints (`piiscan fingerprint
//! --entity E VALUE` prints one), never in clear, together with the key id
//! they were made with: a scan with another key refuses the file instead of
//! silently allowing nothing.

use crate::cli::{RuleArgs, ScanArgs};
use crate::error::{Error, Result};
use crate::finding::{Entity, Finding};
use crate::redact::FingerprintKey;
use crate::rules::Rule;
use crate::scan::FindingFilter;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = ".piiscan.toml";
/// The region used when neither the file nor `--region` gives one.
pub const DEFAULT_REGION: &str = "NL";

/// How much a finding matters; `--fail-on` fails the run on findings at or
/// above a severity. Ordered: `Low < Medium < High`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The built-in severity of an entity: identity numbers and money are
    /// high, direct contact and vehicle identifiers medium, and values that
    /// identify a person only together with other data low.
    pub fn default_for(entity: Entity) -> Severity {
        match entity {
            Entity::Bsn | Entity::CreditCard | Entity::Iban => Severity::High,
            Entity::Email
            | Entity::Phone
            | Entity::LicencePlate
            | Entity::Vin
            | Entity::DateOfBirth
            | Entity::PersonName
            | Entity::Address => Severity::Medium,
            Entity::IpAddress | Entity::Postcode | Entity::FreeText => Severity::Low,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The severity of every entity, resolved (defaults plus configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severities([Severity; Entity::ALL.len()]);

impl Default for Severities {
    fn default() -> Self {
        let mut table = [Severity::Low; Entity::ALL.len()];
        for e in Entity::ALL {
            table[e as usize] = Severity::default_for(e);
        }
        Severities(table)
    }
}

impl Severities {
    pub fn get(&self, entity: Entity) -> Severity {
        self.0[entity as usize]
    }

    pub fn set(&mut self, entity: Entity, severity: Severity) {
        self.0[entity as usize] = severity;
    }
}

/// `.piiscan.toml` as written. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "piiscan configuration (.piiscan.toml)",
    description = "Configuration of the piiscan personal-data scanner. Command-line flags override it."
)]
pub struct ConfigFile {
    /// Scan only paths matching one of these globs (gitignore syntax, relative to the directory piiscan runs in).
    #[serde(default)]
    pub include: Vec<String>,
    /// Do not scan paths matching these globs (gitignore syntax).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Extra rule files or directories of rule files, relative to this file.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Load only the rules in `rules`, not the built-in ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_default_rules: Option<bool>,
    /// Default country for phone numbers written without a country code (e.g. "NL").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The run fails (exit 1) on findings at or above this severity. Default: low (any finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
    /// Entities on (true) or off (false). Entities not listed are on.
    #[serde(default)]
    #[schemars(schema_with = "entity_table_schema::<bool>")]
    pub entities: BTreeMap<String, bool>,
    /// Severity per entity, overriding the built-in ones.
    #[serde(default)]
    #[schemars(schema_with = "entity_table_schema::<Severity>")]
    pub severity: BTreeMap<String, Severity>,
    /// Findings that are never reported.
    #[serde(default)]
    pub allowlist: Allowlist,
    /// Retention policies: how long personal data may be kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<crate::retention::RetentionConfig>,
    /// Safety limits of a scan; what they stop is counted as `too_large` or `limit_hit`.
    #[serde(default, skip_serializing_if = "LimitsFile::is_empty")]
    pub limits: LimitsFile,
}

/// The `[limits]` table. Sizes are bytes, or text such as "500K", "10M", "2G".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Skip files larger than this, and archive members by their unpacked size (`--max-filesize`). Default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_filesize: Option<Size>,
    /// Do not examine the rest of a line longer than this; 0: no limit (`--max-line-length`). Default: "64M".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_line_length: Option<Size>,
    /// Stop unpacking one archive, with everything nested in it, after this many bytes (`--max-archive-bytes`). Default: "1G".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_archive_bytes: Option<Size>,
    /// Stop a compressed stream that unpacks to more than this many bytes per compressed byte (`--max-archive-ratio`). Default: 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_archive_ratio: Option<u64>,
    /// Open archives nested at most this deep; 0: open no archives or spreadsheets (`--max-archive-depth`). Default: 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_archive_depth: Option<u32>,
}

impl LimitsFile {
    fn is_empty(&self) -> bool {
        *self == LimitsFile::default()
    }
}

/// A size in a configuration file: a number of bytes, or text with a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    /// The number of bytes, or why the text is not a size.
    pub fn bytes(&self) -> std::result::Result<u64, String> {
        match self {
            Size::Bytes(n) => Ok(*n),
            Size::Text(text) => crate::cli::parse_size(text),
        }
    }

    /// `n` bytes written the way a person would: with the largest unit that
    /// divides it.
    pub fn of(n: u64) -> Size {
        const UNITS: [(u64, &str); 4] = [
            (1 << 40, "T"),
            (1 << 30, "G"),
            (1 << 20, "M"),
            (1 << 10, "K"),
        ];
        match UNITS
            .iter()
            .find(|(unit, _)| n > 0 && n.is_multiple_of(*unit))
        {
            Some((unit, name)) => Size::Text(format!("{}{name}", n / unit)),
            None => Size::Bytes(n),
        }
    }
}

/// The safety limits in effect: the command line, else the file, else the
/// defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_filesize: Option<u64>,
    /// `None`: lines of any length are examined whole.
    pub max_line_length: Option<u64>,
    pub archive: crate::container::ArchiveLimits,
}

/// The `[allowlist]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Findings in paths matching these globs are not reported (gitignore syntax; `!` re-includes).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Keyed fingerprints of values that are not reported, as printed by `piiscan fingerprint --entity ENTITY VALUE`. Never the values themselves.
    #[serde(default)]
    pub values: Vec<String>,
    /// The key id `piiscan fingerprint` printed with the fingerprints in `values`; required with `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Regular expressions: findings whose value matches one are not reported (anchor with ^ and $ for whole values).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// E-mail addresses at these domains, or their subdomains, are not reported.
    #[serde(default)]
    pub email_domains: Vec<String>,
}

/// A JSON Schema object with one optional property per entity, generated
/// from [`Entity::ALL`] so the schema follows the code.
fn entity_table_schema<T: JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    let value = generator.subschema_for::<T>().to_value();
    let properties: serde_json::Map<String, serde_json::Value> = Entity::ALL
        .iter()
        .map(|e| (e.as_str().to_string(), value.clone()))
        .collect();
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The JSON Schema of `.piiscan.toml`, pretty-printed with a final newline
/// (the content of the checked-in `piiscan.schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Lexically normalises a path: drops `.` components and resolves `..`
/// against the previous component, without touching the file system.
pub fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The current directory, or an I/O error naming it.
pub fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))
}

/// `path` relative to `cwd` when it lies below it (for messages), else as is.
fn display_relative(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// Finds `.piiscan.toml` for a scan of `start`: in its directory (its parent
/// for a file) or above, stopping after the top of a git repository.
pub fn discover(start: &Path, cwd: &Path) -> Option<PathBuf> {
    let abs = normalize_path(&cwd.join(start));
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    };
    loop {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<ConfigFile> {
    let err = |message: String| Error::Config {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    for name in file.entities.keys().chain(file.severity.keys()) {
        if Entity::parse(name).is_none() {
            return Err(err(Error::UnknownEntity(name.clone()).to_string()));
        }
    }
    for (i, v) in file.allowlist.values.iter().enumerate() {
        // The value is not echoed: it may be a raw value pasted by mistake.
        if !is_fingerprint(v) {
            return Err(err(format!(
                "allowlist.values[{i}] is not a fingerprint (32 hex digits); \
                 store `piiscan fingerprint --entity ENTITY VALUE`, never the value"
            )));
        }
    }
    let sizes = [
        ("max_filesize", &file.limits.max_filesize),
        ("max_line_length", &file.limits.max_line_length),
        ("max_archive_bytes", &file.limits.max_archive_bytes),
    ];
    for (name, size) in sizes {
        if let Some(Err(message)) = size.as_ref().map(Size::bytes) {
            return Err(err(format!("limits.{name}: {message}")));
        }
    }
    if file.limits.max_archive_ratio == Some(0) {
        return Err(err(
            "limits.max_archive_ratio must be at least 1 (bytes unpacked per compressed byte)"
                .into(),
        ));
    }
    if !file.allowlist.values.is_empty() && file.allowlist.key_id.is_none() {
        return Err(err(
            "allowlist.values needs allowlist.key_id (printed by `piiscan fingerprint`)".into(),
        ));
    }
    Ok(file)
}

/// True for a fingerprint as piiscan writes them: 32 lowercase hex digits.
pub fn is_fingerprint(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The effective settings of a scan: the configuration file merged with the
/// command line, every default filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file used, if any.
    pub source: Option<PathBuf>,
    /// Include globs (file, then command line).
    pub include: Vec<String>,
    /// Exclude globs, without the leading `!`.
    pub exclude: Vec<String>,
    /// Globs for the walk, in the order they apply (later ones win).
    pub globs: Vec<String>,
    /// Extra rule paths, resolved.
    pub rule_paths: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub region: String,
    pub fail_on: Severity,
    /// Every entity, on or off.
    pub entities: BTreeMap<Entity, bool>,
    pub severities: Severities,
    pub allowlist: Allowlist,
    pub retention: Option<crate::retention::RetentionConfig>,
    pub limits: Limits,
}

impl Settings {
    /// Resolves the settings for `args`: finds and reads the configuration
    /// file, then applies the command line.
    pub fn resolve(args: &ScanArgs) -> Result<Settings> {
        let cwd = current_dir()?;
        let source = if args.no_config {
            None
        } else if let Some(path) = &args.config {
            if !path.is_file() {
                return Err(Error::Config {
                    path: path.display().to_string(),
                    message: "no such file".into(),
                });
            }
            Some(path.clone())
        } else {
            let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
            discover(first, &cwd).map(|p| PathBuf::from(display_relative(&p, &cwd)))
        };
        let file = match &source {
            Some(path) => load(path)?,
            None => ConfigFile::default(),
        };
        Self::merge(file, source, args)
    }

    /// Applies the command line to a configuration file's contents.
    fn merge(file: ConfigFile, source: Option<PathBuf>, args: &ScanArgs) -> Result<Settings> {
        let config_dir = source
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut include = file.include.clone();
        let mut exclude = file.exclude.clone();
        let mut globs: Vec<String> = include
            .iter()
            .cloned()
            .chain(exclude.iter().map(|g| format!("!{g}")))
            .collect();
        for g in &args.globs {
            globs.push(g.clone());
            match g.strip_prefix('!') {
                Some(ex) => exclude.push(ex.to_string()),
                None => include.push(g.clone()),
            }
        }
        let mut rule_paths: Vec<PathBuf> = file
            .rules
            .iter()
            .map(|r| normalize_path(&config_dir.join(r)))
            .collect();
        rule_paths.extend(args.rules.rules.iter().cloned());
        let mut entities: BTreeMap<Entity, bool> = Entity::ALL.iter().map(|e| (*e, true)).collect();
        if args.entities.is_empty() {
            for (name, on) in &file.entities {
                if let Some(e) = Entity::parse(name) {
                    entities.insert(e, *on);
                }
            }
        } else {
            entities.values_mut().for_each(|on| *on = false);
            for name in &args.entities {
                let e =
                    Entity::parse(name.trim()).ok_or_else(|| Error::UnknownEntity(name.clone()))?;
                entities.insert(e, true);
            }
        }
        let mut severities = Severities::default();
        for (name, severity) in &file.severity {
            if let Some(e) = Entity::parse(name) {
                severities.set(e, *severity);
            }
        }
        let region = args
            .region
            .clone()
            .or(file.region.clone())
            .unwrap_or_else(|| DEFAULT_REGION.to_string())
            .to_ascii_uppercase();
        let limits = Self::merge_limits(&file.limits, args);
        Ok(Settings {
            limits,
            source,
            include,
            exclude,
            globs,
            rule_paths,
            no_default_rules: args.rules.no_default_rules || file.no_default_rules == Some(true),
            region,
            fail_on: args.fail_on.or(file.fail_on).unwrap_or(Severity::Low),
            entities,
            severities,
            allowlist: file.allowlist,
            retention: file.retention,
        })
    }

    /// The limits of the command line, else of the file (checked when it
    /// was loaded), else the defaults.
    fn merge_limits(file: &LimitsFile, args: &ScanArgs) -> Limits {
        let size = |s: &Option<Size>| s.as_ref().and_then(|s| s.bytes().ok());
        let defaults = crate::container::ArchiveLimits::default();
        let max_line_length = args
            .max_line_length
            .or(size(&file.max_line_length))
            .unwrap_or(crate::scan::DEFAULT_MAX_LINE_LENGTH);
        Limits {
            max_filesize: args.max_filesize.or(size(&file.max_filesize)),
            max_line_length: (max_line_length > 0).then_some(max_line_length),
            archive: crate::container::ArchiveLimits {
                max_bytes: args
                    .max_archive_bytes
                    .or(size(&file.max_archive_bytes))
                    .unwrap_or(defaults.max_bytes),
                max_ratio: args
                    .max_archive_ratio
                    .or(file.max_archive_ratio)
                    .unwrap_or(defaults.max_ratio),
                max_depth: args
                    .max_archive_depth
                    .or(file.max_archive_depth)
                    .unwrap_or(defaults.max_depth),
            },
        }
    }

    /// The entities to scan for, `None` when all are on.
    pub fn entity_list(&self) -> Option<Vec<Entity>> {
        if self.entities.values().all(|on| *on) {
            None
        } else {
            Some(
                self.entities
                    .iter()
                    .filter(|(_, on)| **on)
                    .map(|(e, _)| *e)
                    .collect(),
            )
        }
    }

    /// Loads the rules: the built-in ones unless turned off, then the extra files.
    pub fn load_rules(&self) -> Result<Vec<Rule>> {
        crate::cli::load_rules(&RuleArgs {
            rules: self.rule_paths.clone(),
            no_default_rules: self.no_default_rules,
        })
    }

    /// The settings written out as a configuration file (`piiscan config dump`).
    pub fn to_file(&self) -> ConfigFile {
        ConfigFile {
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            rules: self
                .rule_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            no_default_rules: Some(self.no_default_rules),
            region: Some(self.region.clone()),
            fail_on: Some(self.fail_on),
            entities: self
                .entities
                .iter()
                .map(|(e, on)| (e.as_str().to_string(), *on))
                .collect(),
            severity: Entity::ALL
                .iter()
                .map(|e| (e.as_str().to_string(), self.severities.get(*e)))
                .collect(),
            allowlist: self.allowlist.clone(),
            retention: self.retention.clone(),
            limits: LimitsFile {
                max_filesize: self.limits.max_filesize.map(Size::of),
                max_line_length: Some(Size::of(self.limits.max_line_length.unwrap_or(0))),
                max_archive_bytes: Some(Size::of(self.limits.archive.max_bytes)),
                max_archive_ratio: Some(self.limits.archive.max_ratio),
                max_archive_depth: Some(self.limits.archive.max_depth),
            },
        }
    }

    /// The effective configuration as TOML, with a comment naming its source.
    pub fn dump(&self) -> Result<String> {
        let body = toml::to_string_pretty(&self.to_file()).map_err(|e| Error::Config {
            path: "(effective)".into(),
            message: e.to_string(),
        })?;
        let source = match &self.source {
            Some(p) => format!("{} and the command line", p.display()),
            None => "built-in defaults and the command line (no configuration file)".into(),
        };
        Ok(format!(
            "# Effective piiscan configuration, from {source}.\n{body}"
        ))
    }

    /// The allowlist as a matcher, `None` when it is empty. Fails when its
    /// fingerprints were made with another key, or a glob or pattern is invalid.
    /// The compiled retention policies, if `[retention]` sets any.
    pub fn retention_policy(&self) -> Result<Option<crate::retention::RetentionPolicy>> {
        let Some(config) = &self.retention else {
            return Ok(None);
        };
        crate::retention::RetentionPolicy::compile(config).map_err(|e| match (e, &self.source) {
            (Error::Config { message, .. }, Some(path)) => Error::Config {
                path: path.display().to_string(),
                message,
            },
            (e, _) => e,
        })
    }

    pub fn allowlist_matcher(&self, key: &FingerprintKey) -> Result<Option<AllowlistMatcher>> {
        AllowlistMatcher::new(&self.allowlist, key, self.source.as_deref())
    }
}

/// The allowlist, compiled. Runs on the scanning threads.
pub struct AllowlistMatcher {
    paths: Option<ignore::gitignore::Gitignore>,
    values: HashSet<String>,
    patterns: Option<regex::RegexSet>,
    email_domains: Vec<String>,
}

impl AllowlistMatcher {
    /// Compiles `list`; `source` names the file in errors.
    pub fn new(
        list: &Allowlist,
        key: &FingerprintKey,
        source: Option<&Path>,
    ) -> Result<Option<AllowlistMatcher>> {
        let err = |message: String| Error::Config {
            path: source.map_or_else(|| "(command line)".into(), |p| p.display().to_string()),
            message,
        };
        if list.paths.is_empty()
            && list.values.is_empty()
            && list.patterns.is_empty()
            && list.email_domains.is_empty()
        {
            return Ok(None);
        }
        if !list.values.is_empty() {
            let id = key.id();
            match &list.key_id {
                Some(k) if *k == id => {}
                Some(k) => {
                    return Err(err(format!(
                        "allowlist.values were made with key id {k}, but this scan uses key id {id} \
                         ({}); use the same key (PIISCAN_KEY or --key-file) or recompute them \
                         with `piiscan fingerprint`",
                        key.origin
                    )));
                }
                None => {
                    return Err(err(
                        "allowlist.values needs allowlist.key_id (printed by `piiscan fingerprint`)"
                            .into(),
                    ));
                }
            }
        }
        let paths = if list.paths.is_empty() {
            None
        } else {
            let mut builder = ignore::gitignore::GitignoreBuilder::new("");
            for glob in &list.paths {
                builder
                    .add_line(None, glob)
                    .map_err(|e| err(format!("allowlist.paths: invalid glob `{glob}`: {e}")))?;
            }
            Some(
                builder
                    .build()
                    .map_err(|e| err(format!("allowlist.paths: {e}")))?,
            )
        };
        let patterns = if list.patterns.is_empty() {
            None
        } else {
            Some(
                regex::RegexSet::new(&list.patterns)
                    .map_err(|e| err(format!("allowlist.patterns: {e}")))?,
            )
        };
        Ok(Some(AllowlistMatcher {
            paths,
            values: list.values.iter().cloned().collect(),
            patterns,
            email_domains: list
                .email_domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        }))
    }

    /// True when the finding is allowlisted (and so not reported).
    pub fn allows(&self, f: &Finding) -> bool {
        if self.values.contains(&f.fingerprint) {
            return true;
        }
        if f.entity == Entity::Email
            && !self.email_domains.is_empty()
            && let Some((_, domain)) = f.value.rsplit_once('@')
        {
            let domain = domain.to_ascii_lowercase();
            if self.email_domains.iter().any(|d| {
                domain == *d
                    || domain
                        .strip_suffix(d.as_str())
                        .is_some_and(|head| head.ends_with('.'))
            }) {
                return true;
            }
        }
        if let Some(set) = &self.patterns
            && set.is_match(&f.value)
        {
            return true;
        }
        if let Some(paths) = &self.paths {
            let path = Path::new(&*f.path);
            // Absolute paths (absolute scan roots) are matched below the
            // current directory when they lie there; other ones never match.
            let rel = if path.has_root() {
                match std::env::current_dir()
                    .ok()
                    .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
                {
                    Some(rel) => rel,
                    None => return false,
                }
            } else {
                normalize_path(path)
            };
            if paths.matched_path_or_any_parents(&rel, false).is_ignore() {
                return true;
            }
        }
        false
    }

    /// The matcher as a scan filter (keeps what is not allowlisted).
    pub fn into_filter(self) -> FindingFilter {
        Arc::new(move |f: &Finding| !self.allows(f))
    }
}

/// Counts the findings that reach the report, and those at or above the
/// failing threshold, which decide the exit status. Its filter must come last.
#[derive(Debug)]
pub struct Gate {
    fail_on: Severity,
    severities: Severities,
    counts: [ThreadCounts; COUNT_SHARDS],
}

/// Counters the scanning threads add to, each thread mostly its own: one
/// pair shared by all made every finding of every thread fight over one
/// cache line.
const COUNT_SHARDS: usize = 16;

/// Reported and failing findings of the threads counted here, on a cache
/// line of their own.
#[derive(Debug, Default)]
#[repr(align(128))]
struct ThreadCounts {
    reported: AtomicU64,
    failing: AtomicU64,
}

/// This thread's counters among [`COUNT_SHARDS`].
fn count_shard() -> usize {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static SHARD: usize = (NEXT.fetch_add(1, Ordering::Relaxed) as usize) % COUNT_SHARDS;
    }
    SHARD.with(|s| *s)
}

impl Gate {
    pub fn new(fail_on: Severity, severities: Severities) -> Arc<Gate> {
        Arc::new(Gate {
            fail_on,
            severities,
            counts: Default::default(),
        })
    }

    /// Counts one reported finding.
    pub fn observe(&self, f: &Finding) {
        let counts = &self.counts[count_shard()];
        counts.reported.fetch_add(1, Ordering::Relaxed);
        if self.severities.get(f.entity) >= self.fail_on {
            counts.failing.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Findings at or above the threshold.
    pub fn failing(&self) -> u64 {
        self.counts
            .iter()
            .map(|c| c.failing.load(Ordering::Relaxed))
            .sum()
    }

    /// Findings reported (after allowlists and the baseline).
    pub fn reported(&self) -> u64 {
        self.counts
            .iter()
            .map(|c| c.reported.load(Ordering::Relaxed))
            .sum()
    }

    pub fn fail_on(&self) -> Severity {
        self.fail_on
    }

    /// A filter that counts and keeps everything.
    pub fn filter(self: &Arc<Self>) -> FindingFilter {
        let gate = Arc::clone(self);
        Arc::new(move |f: &Finding| {
            gate.observe(f);
            true
        })
    }
}

/// Chains filters: a finding is kept when every filter keeps it, and later
/// filters see only what earlier ones kept (stateful ones rely on that).
pub fn chain_filters(filters: Vec<FindingFilter>) -> Option<FindingFilter> {
    match filters.len() {
        0 => None,
        1 => filters.into_iter().next(),
        _ => Some(Arc::new(move |f: &Finding| {
            filters.iter().all(|keep| keep(f))
        })),
    }
}

/// The region for `piiscan fingerprint`: `--region`, else the configuration
/// found from the current directory, else [`DEFAULT_REGION`].
pub fn region_for_fingerprint(region: Option<&str>) -> Result<String> {
    if let Some(r) = region {
        return Ok(r.to_ascii_uppercase());
    }
    let cwd = current_dir()?;
    let from_file = match discover(Path::new("."), &cwd) {
        Some(path) => load(&path)?.region,
        None => None,
    };
    Ok(from_file
        .unwrap_or_else(|| DEFAULT_REGION.to_string())
        .to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_follow_entity_order() {
        let s = Severities::default();
        for e in Entity::ALL {
            assert_eq!(s.get(e), Severity::default_for(e), "{e}");
        }
        assert!(Severity::Low < Severity::Medium && Severity::Medium < Severity::High);
    }

    #[test]
    fn the_gate_counts_what_every_thread_saw() {
        let mut severities = Severities::default();
        severities.set(Entity::Email, Severity::High);
        severities.set(Entity::Postcode, Severity::Low);
        let gate = Gate::new(Severity::Medium, severities);
        let keep = gate.filter();
        let finding = |entity| Finding {
            entity,
            rule: "r".into(),
            category: crate::finding::Category::Contact,
            path: "p".into(),
            line: 1,
            column: 1,
            field: None,
            confidence: crate::finding::Confidence::High,
            masked: String::new(),
            fingerprint: String::new(),
            fingerprint_bits: 0,
            value: String::new(),
        };
        // More threads than shards: some share one.
        std::thread::scope(|scope| {
            for t in 0..(COUNT_SHARDS + 3) {
                let keep = Arc::clone(&keep);
                scope.spawn(move || {
                    for n in 0..1000 {
                        let entity = if (n + t) % 4 == 0 {
                            Entity::Email
                        } else {
                            Entity::Postcode
                        };
                        assert!(keep(&finding(entity)));
                    }
                });
            }
        });
        let threads = (COUNT_SHARDS + 3) as u64;
        assert_eq!(gate.reported(), threads * 1000);
        assert_eq!(gate.failing(), threads * 250);
    }

    #[test]
    fn config_file_parses_and_rejects_typos_and_raw_values() {
        let text = r#"
            include = ["src/**"]
            exclude = ["vendor/"]
            region = "be"
            fail_on = "medium"
            [entities]
            postcode = false
            [severity]
            email = "high"
            [allowlist]
            paths = ["tests/"]
            email_domains = ["example.org"]
            [retention]
            default = "30d"
        "#;
        let file: ConfigFile = toml::from_str(text).unwrap();
        assert_eq!(file.fail_on, Some(Severity::Medium));
        assert_eq!(file.entities.get("postcode"), Some(&false));
        assert!(file.retention.is_some());
        assert!(toml::from_str::<ConfigFile>("fail_onn = \"low\"").is_err());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "[allowlist]\nkey_id = \"x\"\nvalues = [\"jan@hotmail.com\"]\n",
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("not a fingerprint"), "{err}");
        assert!(!err.contains("jan@hotmail.com"), "value echoed: {err}");
        std::fs::write(&path, "[severity]\nshoe_size = \"high\"\n").unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("shoe_size"));
    }

    #[test]
    fn limits_come_from_the_flags_then_the_file_then_the_defaults() {
        use clap::Parser;
        let args = |extra: &[&str]| -> ScanArgs {
            let cli =
                crate::cli::Cli::parse_from(["piiscan", "scan"].iter().chain(extra).chain(&["."]));
            match cli.command {
                crate::cli::Command::Scan(a) => a,
                _ => unreachable!("a scan was parsed"),
            }
        };
        let file: ConfigFile = toml::from_str(
            "[limits]\nmax_filesize = \"10M\"\nmax_line_length = 0\nmax_archive_bytes = 4096\nmax_archive_depth = 1\n",
        )
        .unwrap();
        let limits = Settings::merge(file.clone(), None, &args(&[]))
            .unwrap()
            .limits;
        assert_eq!(limits.max_filesize, Some(10 << 20));
        assert_eq!(limits.max_line_length, None);
        assert_eq!(limits.archive.max_bytes, 4096);
        assert_eq!(limits.archive.max_ratio, 100);
        assert_eq!(limits.archive.max_depth, 1);
        let flags = args(&[
            "--max-filesize",
            "1K",
            "--max-archive-depth",
            "0",
            "--max-line-length",
            "2M",
        ]);
        let limits = Settings::merge(file, None, &flags).unwrap().limits;
        assert_eq!(limits.max_filesize, Some(1024));
        assert_eq!(limits.max_line_length, Some(2 << 20));
        assert_eq!(limits.archive.max_depth, 0);
        let defaults = Settings::merge(ConfigFile::default(), None, &args(&[])).unwrap();
        assert_eq!(defaults.limits.max_filesize, None);
        assert_eq!(
            defaults.limits.max_line_length,
            Some(crate::scan::DEFAULT_MAX_LINE_LENGTH)
        );
        assert_eq!(
            defaults.limits.archive,
            crate::container::ArchiveLimits::default()
        );
        // What `config dump` writes reads back as the same limits.
        let dumped = defaults.to_file();
        assert_eq!(
            dumped.limits.max_line_length,
            Some(Size::Text("64M".into()))
        );
        let again = Settings::merge(dumped, None, &args(&[])).unwrap();
        assert_eq!(again.limits, defaults.limits);
    }

    #[test]
    fn bad_limits_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "[limits]\nmax_archive_bytes = \"3 parsecs\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("limits.max_archive_bytes"), "{err}");
        std::fs::write(&path, "[limits]\nmax_archive_ratio = 0\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("max_archive_ratio"), "{err}");
        std::fs::write(&path, "[limits]\nmax_file_size = \"1M\"\n").unwrap();
        assert!(load(&path).is_err());
        assert_eq!(Size::of(3 << 30), Size::Text("3G".into()));
        assert_eq!(Size::of(1000), Size::Bytes(1000));
        assert_eq!(Size::of(0), Size::Bytes(0));
    }

    #[test]
    fn discovery_walks_up_and_stops_at_the_repository_top() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "").unwrap();
        assert_eq!(discover(Path::new("repo/a/b"), dir.path()), None);
        std::fs::write(repo.join(CONFIG_FILE), "").unwrap();
        assert_eq!(
            discover(Path::new("repo/a/b"), dir.path()),
            Some(repo.join(CONFIG_FILE))
        );
    }

    #[test]
    fn normalize_path_is_lexical() {
        assert_eq!(
            normalize_path(Path::new("./a/./b/../c")),
            PathBuf::from("a/c")
        );
        assert_eq!(normalize_path(Path::new("/x/y/..")), PathBuf::from("/x"));
    }

    #[test]
    fn the_schema_names_every_entity() {
        let schema = json_schema();
        for e in Entity::ALL {
            assert!(schema.contains(&format!("\"{}\"", e.as_str())), "{e}");
        }
    }
}
