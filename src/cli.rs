//! The command line: argument definitions (clap) and the commands they run.
//! `main.rs` only parses, calls [`run`] and maps the result to an exit code.

use crate::error::{Error, Result};
use crate::finding::Entity;
use crate::output::Output;
use crate::progress::Progress;
use crate::redact::FingerprintKey;
use crate::report::{RenderOptions, ReportFormat, new_report};
use crate::rules::{self, Rule};
use crate::scan::ScanSettings;
use crate::walk::{Counters, WalkOptions};
use crate::{ScanRequest, run_scan};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Exit status: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, configuration or I/O error.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "piiscan",
    version,
    about = "Find personal data (and the vehicle data that identifies people) in files, exports and repositories.",
    after_help = "Exit status: 0 no findings, 1 findings, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories and report where personal data lives.
    Scan(ScanArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
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
    /// Default country for phone numbers written without a country code.
    #[arg(long, default_value = "NL")]
    pub region: String,
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

fn parse_entities(names: &[String]) -> Result<Option<Vec<Entity>>> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|n| Entity::parse(n.trim()).ok_or_else(|| Error::UnknownEntity(n.clone())))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => run_scan_command(args),
        Command::Rules(RulesCommand::List { rules, json }) => list_rules(&rules, json),
        Command::Rules(RulesCommand::Check { paths, region }) => check_rules(&paths, &region),
    }
}

fn run_scan_command(args: ScanArgs) -> Result<u8> {
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::Usage(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    let rules = load_rules(&args.rules)?;
    let entities = parse_entities(&args.entities)?;
    let key = FingerprintKey::resolve(args.key_file.as_deref())?;
    let request = ScanRequest {
        roots: args.paths.clone(),
        walk: WalkOptions {
            hidden: args.hidden,
            no_ignore: args.no_ignore,
            globs: args.globs.clone(),
            follow: args.follow,
            threads: args.threads,
            stream_findings: matches!(args.format, ReportFormat::Ndjson | ReportFormat::Csv),
        },
        settings: ScanSettings {
            max_filesize: args.max_filesize,
            filter: None,
        },
        rules,
        entities,
        region: args.region.to_ascii_uppercase(),
        key,
    };
    let mut out = Output::open(args.output.as_deref())?;
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut report = new_report(
        args.format,
        RenderOptions {
            reveal: args.reveal,
            color,
        },
    );
    report
        .begin(&mut out)
        .map_err(|e| Error::io("writing the report", e))?;
    let show_progress = !args.quiet
        && match args.progress {
            ProgressMode::Always => true,
            ProgressMode::Never => false,
            ProgressMode::Auto => std::io::stderr().is_terminal(),
        };
    let counters = Arc::new(Counters::default());
    let progress = Progress::start(counters.clone(), show_progress);
    let result = run_scan(request, &counters, &mut |f| report.finding(&mut out, f));
    progress.stop();
    let inventory = result?;
    report
        .end(&mut out, &inventory)
        .map_err(|e| Error::io("writing the report", e))?;
    out.finish()?;
    if !args.quiet && !inventory.skipped.is_empty() && args.format != ReportFormat::Human {
        let by = inventory.skipped_by_reason();
        let parts: Vec<String> = by
            .iter()
            .map(|(r, n)| format!("{} {n}", r.as_str()))
            .collect();
        let _ = writeln!(
            std::io::stderr(),
            "piiscan: {} files not fully scanned ({})",
            inventory.skipped.len(),
            parts.join(", ")
        );
    }
    Ok(if inventory.total_findings() > 0 && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
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
