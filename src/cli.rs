//! The command line: argument definitions (clap) and the commands they run.
//! `main.rs` only parses, calls [`run`] and maps the result to an exit code.

use crate::baseline::{Baseline, DEFAULT_BASELINE_FILE, Recorder};
use crate::config::{self, Gate, Settings, Severity};
use crate::error::{Error, Result};
use crate::finding::{Entity, Finding};
use crate::git;
use crate::inventory::{FileKeeping, Inventory};
use crate::output::Output;
use crate::progress::Progress;
use crate::redact::FingerprintKey;
use crate::report::html::{HtmlEntries, HtmlReport};
use crate::report::inventory_csv::InventoryCsvReport;
use crate::report::json::JsonReport;
use crate::report::sarif::SarifReport;
use crate::report::spill::{RenderFile, Spill};
use crate::report::{RenderOptions, ReportFormat, new_report};
use crate::rules::{self, Rule};
use crate::scan::{FindingFilter, ScanContext, ScanSettings};
use crate::walk::{Counters, FindingFlow, WalkOptions};
use crate::{ScanRequest, run_scan};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Exit status: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, configuration or I/O error.
pub const EXIT_ERROR: u8 = 2;
/// Exit status: stopped by Ctrl-C (SIGINT) or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = crate::interrupt::EXIT_INTERRUPTED;
/// The reader of the output closed it first (`piiscan scan | head`): the
/// status of a program stopped by SIGPIPE, which is what shells and CI
/// scripts know from other tools. The scan stops, and nothing is printed.
pub const EXIT_OUTPUT_CLOSED: u8 = 141;

/// Whether `err` is the output's reader having gone away.
pub fn output_closed(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Says on stderr that the scan was stopped and what became of the output.
fn note_interrupted(what: &str) {
    let _ = writeln!(std::io::stderr(), "piiscan: interrupted: {what}");
}

#[derive(Debug, Parser)]
#[command(
    name = "piiscan",
    version,
    about = "Find personal data (and the vehicle data that identifies people) in files, exports and repositories.",
    after_help = "Exit status: 0 nothing at or above the --fail-on threshold, 1 findings at or above it, 2 error, 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories and report where personal data lives.
    #[command(after_help = SCAN_AFTER_HELP)]
    Scan(ScanArgs),
    /// Record current findings so that later scans report only new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Show the effective configuration, or the JSON Schema of .piiscan.toml.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Prints the keyed fingerprint of values, for the `[allowlist]` table of
    /// `.piiscan.toml`. The help is given as `about`: clap would print this
    /// comment's markdown as written.
    #[command(
        about = "Print the keyed fingerprint of values, for [allowlist] values in .piiscan.toml",
        long_about = None
    )]
    Fingerprint(FingerprintArgs),
    /// Find where one person's (or several people's) identifiers occur.
    #[command(after_help = "Exit status: 0 found, 1 not found, 2 error.")]
    Find(FindArgs),
    /// Combine JSON inventories of shards into the inventory of one run.
    #[command(
        after_help = "Exit status: 0 merged, 2 error (unreadable input, different keys, overlapping shards)."
    )]
    Merge(MergeArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a realistic test tree of a car dealer's exports with a truth file of what it holds.
    #[command(after_help = GENERATE_AFTER_HELP)]
    Generate(GenerateArgs),
    /// Measure throughput (and accuracy, when a truth file is present) on a tree.
    #[command(after_help = BENCH_AFTER_HELP)]
    Bench(BenchArgs),
}

const GENERATE_AFTER_HELP: &str = "\
The same --seed and --size give a byte-identical tree. The truth file (one
JSON object per planted value or look-alike: path, line, entity, value,
kind) is written next to the tree, never inside it, so scanning the tree
does not see it. It holds raw values: they are synthetic.";

const BENCH_AFTER_HELP: &str = "\
Without DIR a tree of --size is generated in a temporary directory and
removed afterwards. Each scan runs 3 times; the median is reported. With rg
on PATH, `rg -c --no-ignore -f benches/naive_patterns.txt DIR` is timed the
same way. With DIR.truth.jsonl next to DIR, per-entity precision, recall and
F1 are reported (values masked).";

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to create (must not exist or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Approximate total size (e.g. 64MiB, 1GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub size: u64,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the truth file [default: DIR.truth.jsonl next to DIR].
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Tree to scan [default: generate one in a temporary directory].
    pub dir: Option<PathBuf>,
    /// Size of the generated tree (without DIR).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "256MiB")]
    pub size: u64,
    /// Seed of the generated tree (without DIR).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: BenchFormat,
    /// Scanning threads (0: one per core); also passed to rg.
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
}

/// Exit statuses and related notes, after `piiscan scan --help`.
pub const SCAN_AFTER_HELP: &str = "\
Exit status:
  0  no finding at or above the --fail-on severity (or --exit-zero)
  1  findings at or above it; with the default `--fail-on low`, any finding
  2  usage, configuration, baseline or git error (e.g. a missing revision)
  130  stopped by Ctrl-C (SIGINT) or SIGTERM: the report covers what was
     scanned and is marked incomplete (json, ndjson, human, sarif); an
     interrupted csv report is not written to -o FILE

Severities are per entity ([severity] in .piiscan.toml; `piiscan config dump`
shows them). Configuration is read from .piiscan.toml in the first scanned
path's directory or above (--config FILE, --no-config); flags override it.
With --baseline, findings recorded by `piiscan baseline create` are not
reported and do not fail the run.";

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan and record the findings in a baseline file (default .piiscan-baseline.json).
    ///
    /// Takes the options of `scan`; `-o FILE` names the baseline to write. The
    /// file holds paths, entities, keyed fingerprints and counts, never values.
    #[command(after_help = "Exit status: 0 written, 2 error.")]
    Create(ScanArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration as TOML (file, defaults and flags merged).
    ///
    /// Takes the options of `scan`, so flags show how they override the file.
    Dump(Box<ScanArgs>),
    /// Print the JSON Schema of .piiscan.toml (the checked-in piiscan.schema.json).
    Schema,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// An e-mail address to look for (any case; repeatable).
    #[arg(long, value_name = "EMAIL")]
    pub email: Vec<String>,
    /// A phone number (any written form or country prefix; repeatable).
    #[arg(long, value_name = "PHONE")]
    pub phone: Vec<String>,
    /// A licence plate (with or without dashes, any case; repeatable).
    #[arg(long, value_name = "PLATE")]
    pub plate: Vec<String>,
    /// A VIN (repeatable).
    #[arg(long, value_name = "VIN")]
    pub vin: Vec<String>,
    /// An IBAN (grouped or not; repeatable).
    #[arg(long, value_name = "IBAN")]
    pub iban: Vec<String>,
    /// A BSN (repeatable).
    #[arg(long, value_name = "BSN")]
    pub bsn: Vec<String>,
    /// A CSV of people, one per row, with columns email, phone, plate, vin, iban, bsn.
    #[arg(long, value_name = "FILE")]
    pub subjects: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Inventories written by `piiscan scan --format json` (e.g. one per shard).
    #[arg(required = true)]
    pub inventories: Vec<PathBuf>,
    /// Write the merged inventory to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// The entity of the values (email, phone, iban, ...): it is part of the fingerprint.
    #[arg(long, short = 'e')]
    pub entity: String,
    /// Values to fingerprint. None: read one per line from stdin (keeps them out of shell history).
    pub values: Vec<String>,
    /// Default country for phone numbers (default: the configuration's region, else NL).
    #[arg(long)]
    pub region: Option<String>,
    /// Secret for keyed fingerprints (default: $PIISCAN_KEY, then a per-user key file).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print the rules in effect.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run every rule's examples and negative examples; exit 1 when one fails.
    Check {
        /// Rule files or directories to check (default: the built-in rules).
        paths: Vec<PathBuf>,
        #[arg(long, default_value = "NL")]
        region: String,
    },
}

#[derive(Debug, Args, Clone)]
pub struct RuleArgs {
    /// Add rules from a TOML file or a directory of them (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long)]
    pub no_default_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    Auto,
    Never,
    Always,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: ReportFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show raw values in ndjson and csv output. Reports become copies of the data.
    #[arg(long)]
    pub reveal: bool,
    /// List at most N results in SARIF output, the most severe first (0: all). GitHub code scanning rejects a run of more than 25,000.
    #[arg(long, value_name = "N", default_value_t = crate::report::sarif::GITHUB_MAX_RESULTS)]
    pub sarif_max_results: usize,
    /// Scan hidden files and directories.
    #[arg(long)]
    pub hidden: bool,
    /// Do not honour .gitignore, .ignore and similar files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Include (or with a leading `!`, exclude) paths matching GLOB (repeatable).
    #[arg(long = "glob", short = 'g', value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Skip files larger than SIZE (e.g. 500K, 10M, 2G), counted as too_large.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,
    /// Do not examine the rest of a line longer than SIZE (0: no limit), counted as limit_hit [default: 64M].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_line_length: Option<u64>,
    /// Stop unpacking an archive (with everything nested in it) after SIZE bytes, counted as limit_hit [default: 1G].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_archive_bytes: Option<u64>,
    /// Stop a compressed stream that unpacks to more than N bytes per compressed byte [default: 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_archive_ratio: Option<u64>,
    /// Open archives nested at most N deep (0: do not open archives or spreadsheets) [default: 3].
    #[arg(long, value_name = "N")]
    pub max_archive_depth: Option<u32>,
    /// Number of scanning threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Report only these entities (comma separated, e.g. email,phone,vin).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub entities: Vec<String>,
    /// Default country for phone numbers written without a country code [default: NL].
    #[arg(long)]
    pub region: Option<String>,
    /// Exit 0 even when there are findings (inventory runs).
    #[arg(long)]
    pub exit_zero: bool,
    /// Progress on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressMode,
    /// No progress and no messages on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Secret for keyed fingerprints (default: $PIISCAN_KEY, then a per-user key file).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Read the configuration from FILE instead of looking for .piiscan.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Do not read any configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Fail (exit 1) only on findings at or above this severity [default: low].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Do not report findings recorded in this baseline (`piiscan baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: rewrite it without the findings that no longer occur.
    #[arg(long, requires = "baseline", conflicts_with_all = ["git_diff", "staged"])]
    pub update_baseline: bool,
    /// Report only findings on lines added since REV (`git diff REV`).
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub git_diff: Option<String>,
    /// Report only findings on lines added in the index (staged content), for pre-commit.
    #[arg(long)]
    pub staged: bool,
    /// Scan only shard K of N (0 <= K < N): a stable split of the walked files by path.
    #[arg(long, value_name = "K/N", value_parser = crate::walk::Shard::parse)]
    pub shard: Option<crate::walk::Shard>,
    /// Scan exactly the paths listed in FILE (one per line; `-` reads stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["git_diff", "staged"])]
    pub files_from: Option<PathBuf>,
    /// With --files-from and --list-files: paths are separated by NUL bytes, not line ends.
    #[arg(short = '0', long = "null")]
    pub null_separated: bool,
    /// Scan only files last modified more than DURATION ago (e.g. 2y, 18months, 90d).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub older_than: Option<std::time::Duration>,
    /// Print the files a scan would read (after ignore rules, globs and --shard), and stop.
    #[arg(long, conflicts_with_all = ["git_diff", "staged", "baseline"])]
    pub list_files: bool,
}

/// Reads the paths of `--files-from`.
fn read_file_list(source: &Path, null_separated: bool) -> Result<Vec<PathBuf>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if source == Path::new("-") {
        std::io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::io(format!("reading the file list {}", source.display()), e))?;
    let separator = if null_separated { b'\0' } else { b'\n' };
    let paths = bytes
        .split(|&b| b == separator)
        .map(|p| p.strip_suffix(b"\r").unwrap_or(p))
        .filter(|p| !p.is_empty())
        .map(|p| {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                PathBuf::from(std::ffi::OsStr::from_bytes(p))
            }
            #[cfg(not(unix))]
            {
                PathBuf::from(String::from_utf8_lossy(p).into_owned())
            }
        })
        .collect();
    Ok(paths)
}

/// Parses sizes such as `1024`, `500K`, `10M`, `2G` (binary multiples).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let s = s.trim();
    let (digits, mult) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (s, 1u64),
        Some((i, _)) => {
            let unit = s[i..].trim().to_ascii_uppercase();
            let mult = match unit.trim_end_matches("IB").trim_end_matches('B') {
                "" => 1,
                "K" => 1 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                "T" => 1 << 40,
                _ => return Err(format!("unknown size unit in `{s}` (use K, M, G)")),
            };
            (&s[..i], mult)
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 500K, 10M, 2G)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Loads the rules the arguments ask for.
pub fn load_rules(args: &RuleArgs) -> Result<Vec<Rule>> {
    let mut all = if args.no_default_rules {
        Vec::new()
    } else {
        rules::default_rules()?
    };
    for p in &args.rules {
        all.extend(rules::load_rules_path(p)?);
    }
    rules::check_unique_ids(&all)?;
    Ok(all)
}

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    if matches!(
        cli.command,
        Command::Scan(_) | Command::Baseline(_) | Command::Find(_)
    ) {
        crate::interrupt::install_handler();
    }
    match cli.command {
        Command::Scan(args) => run_scan_command(args),
        Command::Baseline(BaselineCommand::Create(args)) => create_baseline(args),
        Command::Config(ConfigCommand::Dump(args)) => dump_config(&args),
        Command::Config(ConfigCommand::Schema) => {
            write_stdout(&config::json_schema())?;
            Ok(EXIT_CLEAN)
        }
        Command::Fingerprint(args) => fingerprint(&args),
        Command::Merge(args) => merge_inventories(&args),
        Command::Find(args) => find(args),
        Command::Rules(RulesCommand::List { rules, json }) => list_rules(&rules, json),
        Command::Rules(RulesCommand::Check { paths, region }) => check_rules(&paths, &region),
        Command::Generate(args) => generate_tree(&args),
        Command::Bench(args) => bench(&args),
    }
}

/// What the scanning commands share: the effective configuration, the rules
/// and key, the allowlist, and for `--git-diff`/`--staged` what changed.
struct Prepared {
    settings: Settings,
    rules: Vec<Rule>,
    entities: Option<Vec<Entity>>,
    key: FingerprintKey,
    /// Filters in the order they apply; callers append theirs.
    filters: Vec<FindingFilter>,
    /// A filter reads values or fingerprints (an allowlist, a baseline, a
    /// baseline being recorded), not only where a finding is and what.
    filters_read_values: bool,
    /// What the walk starts from: the paths given, or the changed files.
    roots: Vec<PathBuf>,
    /// `--staged` files read from the index instead of the disk.
    from_index: Vec<String>,
}

fn prepare(args: &ScanArgs) -> Result<Prepared> {
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::Usage(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    let settings = Settings::resolve(args)?;
    let rules = settings.load_rules()?;
    let entities = settings.entity_list();
    let key = FingerprintKey::resolve(args.key_file.as_deref())?;
    let mut filters = Vec::new();
    let mut filters_read_values = false;
    if let Some(allowlist) = settings.allowlist_matcher(&key)? {
        filters.push(allowlist.into_filter());
        filters_read_values = true;
    }
    let mut roots = match &args.files_from {
        Some(list) => read_file_list(list, args.null_separated)?,
        None => args.paths.clone(),
    };
    let mut from_index = Vec::new();
    let base = match (&args.git_diff, args.staged) {
        (Some(rev), _) => Some(git::DiffBase::Rev(rev.clone())),
        (None, true) => Some(git::DiffBase::Staged),
        (None, false) => None,
    };
    if let Some(base) = base {
        let mut changes = git::changes(&base, &args.paths)?;
        changes.apply_globs(&settings.globs)?;
        filters.push(changes.filter());
        roots = std::mem::take(&mut changes.on_disk);
        from_index = std::mem::take(&mut changes.from_index);
    }
    Ok(Prepared {
        settings,
        rules,
        entities,
        key,
        filters,
        filters_read_values,
        roots,
        from_index,
    })
}

impl Prepared {
    /// The rules in effect (restricted to the entities scanned for).
    fn rules_in_effect(&self) -> Vec<Rule> {
        self.rules
            .iter()
            .filter(|r| self.entities.as_ref().is_none_or(|e| e.contains(&r.entity)))
            .cloned()
            .collect()
    }

    /// The scan settings, with every filter chained.
    fn scan_settings(&self, args: &ScanArgs) -> ScanSettings {
        ScanSettings {
            max_filesize: self.settings.limits.max_filesize,
            max_line_length: self.settings.limits.max_line_length,
            filter: config::chain_filters(self.filters.clone()),
            archive: self.settings.limits.archive,
            threads: crate::walk::resolve_threads(args.threads),
            bare_findings: false,
        }
    }

    /// The scan of `args`, its findings travelling as `findings` says to a
    /// report that, when `report_makes_strings`, fingerprints and masks
    /// those it shows itself.
    fn request(
        &self,
        args: &ScanArgs,
        findings: FindingFlow,
        report_makes_strings: bool,
    ) -> ScanRequest {
        let mut settings = self.scan_settings(args);
        // Findings whose values no filter reads need no fingerprints or
        // masked values when not all are streamed (the few a report lists
        // it masks itself) or when the report makes them itself.
        settings.bare_findings =
            (findings != FindingFlow::All || report_makes_strings) && !self.filters_read_values;
        ScanRequest {
            roots: self.roots.clone(),
            walk: WalkOptions {
                hidden: args.hidden,
                no_ignore: args.no_ignore,
                globs: self.settings.globs.clone(),
                follow: args.follow,
                threads: args.threads,
                findings,
                shard: args.shard,
                modified_before: args
                    .older_than
                    .and_then(|age| std::time::SystemTime::now().checked_sub(age)),
            },
            settings,
            rules: self.rules.clone(),
            entities: self.entities.clone(),
            region: self.settings.region.clone(),
            key: self.key.clone(),
            file_entries: FileKeeping::All,
            retention: None,
        }
    }

    /// A context for scanning `--staged` files from the index, if there are any.
    fn index_context(&self, args: &ScanArgs) -> Result<Option<ScanContext>> {
        if self.from_index.is_empty() {
            return Ok(None);
        }
        Ok(Some(ScanContext::new(
            crate::build_matcher(
                self.rules.clone(),
                self.entities.as_deref(),
                &self.settings.region,
            )?,
            self.key.clone(),
            self.scan_settings(args),
        )))
    }
}

fn start_progress(args: &ScanArgs, counters: &Arc<Counters>) -> Progress {
    let show = !args.quiet
        && match args.progress {
            ProgressMode::Always => true,
            ProgressMode::Never => false,
            ProgressMode::Auto => std::io::stderr().is_terminal(),
        };
    Progress::start(counters.clone(), show)
}

/// Whether the temporary directory is in one of `paths`: piiscan writes
/// nothing there, not even an unnamed file.
fn temp_dir_in(paths: &[PathBuf]) -> bool {
    let Ok(temp) = std::fs::canonicalize(std::env::temp_dir()) else {
        return true;
    };
    paths
        .iter()
        .any(|p| std::fs::canonicalize(p).is_ok_and(|root| temp.starts_with(root)))
}

/// Says on stderr how many files were not fully scanned.
fn note_skipped(inventory: &Inventory) {
    if inventory.skipped_count() == 0 {
        return;
    }
    let by = inventory.skipped_by_reason();
    let parts: Vec<String> = by
        .iter()
        .map(|(r, n)| format!("{} {n}", r.as_str()))
        .collect();
    let _ = writeln!(
        std::io::stderr(),
        "piiscan: {} files not fully scanned ({})",
        inventory.skipped_count(),
        parts.join(", ")
    );
}

fn run_scan_command(args: ScanArgs) -> Result<u8> {
    let mut prepared = prepare(&args)?;
    if args.list_files {
        let request = prepared.request(&args, FindingFlow::Counted, false);
        let files = crate::walk::list_files(&request.roots, &request.walk)?;
        let separator = if args.null_separated { '\0' } else { '\n' };
        let mut text = String::new();
        for f in files {
            text.push_str(&f);
            text.push(separator);
        }
        write_stdout(&text)?;
        return Ok(EXIT_CLEAN);
    }
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path, &prepared.key)?),
        None => None,
    };
    if let Some(b) = &baseline {
        prepared.filters.push(b.filter());
        prepared.filters_read_values = true;
    }
    let retention = prepared.settings.retention_policy()?.map(Arc::new);
    let gate = Gate::new(prepared.settings.fail_on, prepared.settings.severities);
    prepared.filters.push(gate.filter());
    // The JSON inventory needs only the per-file aggregates, the summary
    // lists the first findings of the scan, every other format shows
    // findings one by one.
    let flow = match args.format {
        ReportFormat::Json | ReportFormat::InventoryCsv | ReportFormat::Html => {
            FindingFlow::Counted
        }
        ReportFormat::Human => FindingFlow::EarliestPerFile(crate::report::human::LISTED_FINDINGS),
        ReportFormat::Ndjson | ReportFormat::Csv | ReportFormat::Sarif => FindingFlow::All,
    };
    // SARIF lists a few thousand of the findings: it fingerprints and masks
    // those itself.
    let sarif_makes_strings = args.format == ReportFormat::Sarif
        && SarifReport::makes_strings_for(args.sarif_max_results);
    let mut request = prepared.request(&args, flow, sarif_makes_strings);
    // Retention policies judge each file as it is done.
    request.retention = retention;
    // Findings-only formats print totals at the end, not files, and the
    // summary lists a few files: they keep no more entries than they show,
    // and memory stays flat on trees of any size. The JSON inventory, the
    // inventory CSV and the HTML page list every file: each file's text is
    // written out when the file is done (to an unnamed temporary file,
    // never in a scanned tree) rather than its entry kept; without a
    // temporary directory, entries are kept.
    let render: Option<RenderFile> = match args.format {
        ReportFormat::Json => Some(crate::report::json::render_file_section),
        ReportFormat::InventoryCsv => Some(crate::report::inventory_csv::render_file_rows),
        _ => None,
    };
    let may_spill = !temp_dir_in(&args.paths);
    let spilled = render
        .filter(|_| may_spill)
        .and_then(|render| Spill::new(std::time::SystemTime::now(), render).ok())
        .map(|s| Arc::new(std::sync::Mutex::new(s)));
    // The HTML page also tallies what its charts show as files are done.
    let html_entries = (may_spill && args.format == ReportFormat::Html)
        .then(|| {
            // The roots the inventory will name (see below).
            let roots = match args.files_from {
                Some(_) => &args.paths,
                None => &request.roots,
            };
            let roots = roots.iter().map(|p| crate::walk::display_path(p));
            HtmlEntries::new(roots.collect(), std::time::SystemTime::now()).ok()
        })
        .flatten()
        .map(|e| Arc::new(std::sync::Mutex::new(e)));
    request.file_entries = match (&spilled, &html_entries, args.format) {
        (Some(sink), _, _) => FileKeeping::Streamed(sink.clone()),
        (None, Some(sink), _) => FileKeeping::Streamed(sink.clone()),
        (None, None, ReportFormat::Ndjson | ReportFormat::Csv) => FileKeeping::Nothing,
        (None, None, ReportFormat::Sarif) => crate::report::sarif::FILE_ENTRIES,
        (None, None, ReportFormat::Human) => crate::report::human::FILE_ENTRIES,
        (None, None, ReportFormat::Json | ReportFormat::InventoryCsv | ReportFormat::Html) => {
            FileKeeping::All
        }
    };
    let index_ctx = prepared.index_context(&args)?;
    let mut out = Output::open(args.output.as_deref())?;
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut report: Box<dyn crate::report::Report> = match args.format {
        ReportFormat::Sarif => Box::new(
            SarifReport::new(
                prepared.rules_in_effect(),
                prepared.settings.severities,
                args.sarif_max_results,
            )
            .making_strings(prepared.key.clone(), &prepared.settings.region),
        ),
        ReportFormat::Json if spilled.is_some() => Box::new(JsonReport {
            threads: crate::walk::resolve_threads(args.threads),
            spilled,
        }),
        ReportFormat::InventoryCsv if spilled.is_some() => Box::new(InventoryCsvReport { spilled }),
        ReportFormat::Html if html_entries.is_some() => Box::new(HtmlReport {
            entries: html_entries,
        }),
        format => new_report(
            format,
            RenderOptions {
                reveal: args.reveal,
                color,
                threads: crate::walk::resolve_threads(args.threads),
            },
        ),
    };
    report
        .begin(&mut out)
        .map_err(|e| Error::io("writing the report", e))?;
    let counters = Arc::new(Counters::default());
    let progress = start_progress(&args, &counters);
    let result = run_scan(request, &counters, &mut |f| report.finding(&mut out, f));
    progress.stop();
    let mut inventory = result?;
    if args.files_from.is_some() {
        // The listed files were found under the paths given; report those,
        // as a walk of them would, not every listed file.
        inventory.roots = args
            .paths
            .iter()
            .map(|p| crate::walk::display_path(p))
            .collect();
    }
    if let Some(ctx) = index_ctx.as_ref().filter(|_| !inventory.incomplete) {
        let started = std::time::Instant::now();
        git::scan_index_blobs(&prepared.from_index, ctx, &mut inventory, &mut |f| {
            report.finding(&mut out, f)
        })?;
        let duration = inventory.duration + started.elapsed();
        inventory.finish(duration);
    }
    report
        .end(&mut out, &inventory)
        .map_err(|e| Error::io("writing the report", e))?;
    if inventory.incomplete {
        // CSV has no place for a mark: an interrupted CSV report file is
        // not written, so the previous one (if any) stays as it was.
        let markable = !matches!(args.format, ReportFormat::Csv | ReportFormat::InventoryCsv);
        let what = match (&args.output, markable) {
            (Some(path), false) => {
                out.abandon();
                format!("{} was not written (left as it was)", path.display())
            }
            (Some(path), true) => {
                out.finish()?;
                format!(
                    "{} is a complete report of what was scanned, marked incomplete",
                    path.display()
                )
            }
            (None, _) => {
                out.finish()?;
                "the report covers only what was scanned".to_string()
            }
        };
        note_interrupted(&what);
        return Ok(EXIT_INTERRUPTED);
    }
    out.finish()?;
    if !args.quiet && args.format != ReportFormat::Human {
        note_skipped(&inventory);
    }
    if !args.quiet {
        for note in report.notes() {
            let _ = writeln!(std::io::stderr(), "piiscan: {note}");
        }
    }
    // Freeing the entries of 200,000 files one by one took half a second,
    // after the report was written: the exit code does not wait for it.
    drop_in_background(inventory);
    if let Some(b) = &baseline {
        if args.update_baseline {
            let (summary, removed) = b.update(&args.paths)?;
            if !args.quiet {
                let _ = writeln!(
                    std::io::stderr(),
                    "piiscan: baseline {}: {removed} findings that no longer occur removed; {} remain in {} entries",
                    args.baseline.as_deref().unwrap_or(Path::new("")).display(),
                    summary.findings,
                    summary.entries
                );
            }
        }
        let known = b.known_seen();
        if !args.quiet && known > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "piiscan: {known} findings in the baseline not reported"
            );
        }
    }
    let (reported, failing) = (gate.reported(), gate.failing());
    if !args.quiet && reported > failing {
        let _ = writeln!(
            std::io::stderr(),
            "piiscan: {failing} of {reported} findings at or above --fail-on {}",
            gate.fail_on()
        );
    }
    Ok(if failing > 0 && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// Drops `value` on a thread of its own. When the process ends first, its
/// memory goes back with the process.
fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be started, the closure (and `value`) is dropped
    // here instead.
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(value));
}

fn create_baseline(mut args: ScanArgs) -> Result<u8> {
    if args.baseline.is_some() || args.git_diff.is_some() || args.staged {
        return Err(Error::Usage(
            "baseline create records a whole scan: --baseline, --git-diff and --staged do not apply"
                .into(),
        ));
    }
    let path = args
        .output
        .take()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BASELINE_FILE));
    let mut prepared = prepare(&args)?;
    let recorder = Recorder::new(&path)?;
    prepared.filters.push(recorder.filter());
    prepared.filters_read_values = true;
    let request = prepared.request(&args, FindingFlow::Counted, false);
    let counters = Arc::new(Counters::default());
    let progress = start_progress(&args, &counters);
    let result = run_scan(request, &counters, &mut |_| Ok(()));
    progress.stop();
    let inventory = result?;
    if inventory.incomplete {
        // A baseline of part of the tree would make later scans report
        // everything it missed as new: keep the previous one.
        note_interrupted(&format!(
            "{} was not written (left as it was)",
            path.display()
        ));
        return Ok(EXIT_INTERRUPTED);
    }
    let summary = recorder.write(&path, &prepared.key)?;
    if !args.quiet {
        note_skipped(&inventory);
        write_stdout(&format!(
            "Baseline {}: {} findings ({} entries) in {} files, key id {}.\n",
            path.display(),
            summary.findings,
            summary.entries,
            inventory.files.len(),
            prepared.key.id()
        ))?;
    }
    Ok(EXIT_CLEAN)
}

fn dump_config(args: &ScanArgs) -> Result<u8> {
    let settings = Settings::resolve(args)?;
    write_stdout(&settings.dump()?)?;
    Ok(EXIT_CLEAN)
}

fn fingerprint(args: &FingerprintArgs) -> Result<u8> {
    let entity = Entity::parse(args.entity.trim())
        .ok_or_else(|| Error::UnknownEntity(args.entity.clone()))?;
    let region = config::region_for_fingerprint(args.region.as_deref())?;
    let key = FingerprintKey::resolve(args.key_file.as_deref())?;
    let values: Vec<String> = if args.values.is_empty() {
        std::io::stdin()
            .lines()
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::io("reading values from stdin", e))?
            .into_iter()
            .map(|l| l.trim_end_matches('\r').to_string())
            .filter(|l| !l.trim().is_empty())
            .collect()
    } else {
        args.values.clone()
    };
    let mut text = String::new();
    for v in &values {
        let normalized = crate::redact::normalize(entity, v, &region);
        text.push_str(&key.fingerprint(entity, &normalized).0);
        text.push('\n');
    }
    write_stdout(&text)?;
    let _ = writeln!(
        std::io::stderr(),
        "piiscan: key_id = \"{}\" ({}); put the fingerprints in [allowlist] values and this key_id in .piiscan.toml",
        key.id(),
        key.origin
    );
    Ok(EXIT_CLEAN)
}

fn find(args: FindArgs) -> Result<u8> {
    use crate::find::{Found, Location, Subject, Targets};
    let mut prepared = prepare(&args.scan)?;
    let mut subjects = match &args.subjects {
        Some(path) => crate::find::read_subjects(path)?,
        None => Vec::new(),
    };
    let given: Vec<(Entity, String)> = [
        (Entity::Email, &args.email),
        (Entity::Phone, &args.phone),
        (Entity::LicencePlate, &args.plate),
        (Entity::Vin, &args.vin),
        (Entity::Iban, &args.iban),
        (Entity::Bsn, &args.bsn),
    ]
    .into_iter()
    .flat_map(|(e, values)| values.iter().map(move |v| (e, v.clone())))
    .collect();
    if !given.is_empty() {
        subjects.insert(
            0,
            Subject {
                label: "the identifiers given".into(),
                identifiers: given,
            },
        );
    }
    let targets = Arc::new(Targets::new(
        subjects,
        &prepared.key,
        &prepared.settings.region,
    ));
    if targets.is_empty() {
        return Err(Error::Usage(
            "nothing to find: give --email, --phone, --plate, --vin, --iban, --bsn or --subjects FILE"
                .into(),
        ));
    }
    prepared.entities = Some(targets.entities());
    let keep = targets.clone();
    prepared
        .filters
        .push(Arc::new(move |f: &Finding| !keep.owners(f).is_empty()));
    let request = prepared.request(&args.scan, FindingFlow::All, false);
    let counters = Arc::new(Counters::default());
    let progress = start_progress(&args.scan, &counters);
    let mut found = Found::default();
    let reveal = args.scan.reveal;
    let result = run_scan(request, &counters, &mut |f| {
        found.add(targets.owners(f), Location::of(f, reveal));
        Ok(())
    });
    progress.stop();
    let inventory = result?;
    if inventory.incomplete {
        note_interrupted(
            "nothing written: a search stopped part way cannot say where a person is not",
        );
        return Ok(EXIT_INTERRUPTED);
    }
    let mut out = Output::open(args.scan.output.as_deref())?;
    crate::find::write(&mut out, args.scan.format, &targets, &mut found)
        .map_err(|e| Error::io("writing the report", e))?;
    out.finish()?;
    if !args.scan.quiet {
        note_skipped(&inventory);
    }
    Ok(if found.total() > 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn merge_inventories(args: &MergeArgs) -> Result<u8> {
    let docs = args
        .inventories
        .iter()
        .map(|p| crate::merge::read_inventory(p))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = args
        .inventories
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let merged = crate::merge::merge(&docs, &names)?;
    let mut out = Output::open(args.output.as_deref())?;
    serde_json::to_writer_pretty(&mut out, &merged)
        .map_err(|e| Error::io("writing the merged inventory", e.into()))?;
    out.write_all(b"\n")
        .map_err(|e| Error::io("writing the merged inventory", e))?;
    out.finish()?;
    Ok(EXIT_CLEAN)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("writing to stdout", e))
}

fn list_rules(args: &RuleArgs, json: bool) -> Result<u8> {
    let rules = load_rules(args)?;
    let mut out = std::io::stdout().lock();
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        if json {
            serde_json::to_writer_pretty(&mut *out, &rules)?;
            writeln!(out)?;
        } else {
            for r in &rules {
                let validator = r
                    .validator
                    .map(|v| format!("{v:?}").to_lowercase())
                    .unwrap_or_else(|| "-".into());
                writeln!(
                    out,
                    "{:<24} {:<14} {:<10} validator={:<11} {}",
                    r.id,
                    r.entity.as_str(),
                    r.category.as_str(),
                    validator,
                    r.name
                )?;
            }
        }
        Ok(())
    };
    write(&mut out).map_err(|e| Error::io("writing to stdout", e))?;
    Ok(EXIT_CLEAN)
}

fn check_rules(paths: &[PathBuf], region: &str) -> Result<u8> {
    let rules = if paths.is_empty() {
        rules::default_rules()?
    } else {
        let mut all = Vec::new();
        for p in paths {
            all.extend(rules::load_rules_path(p)?);
        }
        all
    };
    rules::check_unique_ids(&rules)?;
    let (failures, checked) = crate::rules_check::check_rules(&rules, region)?;
    let mut err = std::io::stderr().lock();
    for f in &failures {
        let _ = writeln!(err, "FAIL {f}");
    }
    let _ = writeln!(
        std::io::stdout(),
        "{} rules, {} examples: {} passed, {} failed",
        rules.len(),
        checked,
        checked - failures.len(),
        failures.len()
    );
    Ok(if failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn generate_tree(args: &GenerateArgs) -> Result<u8> {
    let summary = crate::generate::generate(&crate::generate::GenerateOptions {
        out: args.out.clone(),
        size: args.size,
        seed: args.seed,
        truth: args.truth.clone(),
    })?;
    let secs = summary.duration.as_secs_f64();
    write_stdout(&format!(
        "Generated {} files, {:.1} MB in {:.2} s ({:.0} MB/s): {} planted values, {} look-alikes.\nTruth: {}\n",
        summary.files,
        summary.bytes as f64 / 1e6,
        secs,
        if secs > 0.0 {
            summary.bytes as f64 / 1e6 / secs
        } else {
            0.0
        },
        summary.planted,
        summary.lookalikes,
        summary.truth.display()
    ))?;
    Ok(EXIT_CLEAN)
}

fn bench(args: &BenchArgs) -> Result<u8> {
    let report = crate::bench::run(&crate::bench::BenchOptions {
        dir: args.dir.clone(),
        size: args.size,
        seed: args.seed,
        threads: args.threads,
    })?;
    let text = match args.format {
        BenchFormat::Human => crate::bench::render_human(&report),
        BenchFormat::Json => {
            let mut t = serde_json::to_string_pretty(&report)
                .map_err(|e| Error::Usage(format!("cannot render the report: {e}")))?;
            t.push('\n');
            t
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_directory_is_in_a_path_that_holds_it() {
        let temp = std::env::temp_dir();
        assert!(temp_dir_in(std::slice::from_ref(&temp)));
        if let Some(parent) = temp.parent() {
            assert!(temp_dir_in(&[
                PathBuf::from("no/such/dir"),
                parent.to_path_buf()
            ]));
        }
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(!temp_dir_in(&[elsewhere.path().to_path_buf()]));
        assert!(!temp_dir_in(&[]));
    }
}
