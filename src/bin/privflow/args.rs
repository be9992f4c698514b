//! The command line as clap defines it: every command, flag and value, and the small parsers and
//! settings derived from them. Help, man page and completions are generated from these types.

use super::*;

#[derive(Parser)]
#[command(
    name = "privflow",
    version,
    about = "Audit privacy promises against data flows."
)]
#[command(
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, \
2 usage or model error (nothing audited), 3 internal error."
)]
pub(crate) struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Load, validate and check every claim: the main job.
    Audit {
        /// Model files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format, repeatable: table (default), json, sarif, junit, github, markdown;
        /// `FORMAT=PATH` writes to a file, e.g. `--format sarif=privflow.sarif --format table`.
        #[arg(long, value_parser = parse_output, value_name = "FORMAT[=PATH]")]
        format: Vec<Output>,
        /// Lowest severity that makes the audit exit 1.
        #[arg(long, value_enum, default_value_t = FailOnArg::Violated)]
        fail_on: FailOnArg,
        /// How a disclosure and a negative claim covering the same receipt are resolved.
        #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
        conflict: ConflictArg,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// A base version (a path or `git:REV:PATH`) to evaluate `no_expansion` claims against.
        #[arg(long = "baseline", value_name = "BASE")]
        base_version: Option<String>,
        /// Fail only on results not recorded in this baseline (`privflow baseline create`).
        #[arg(long, value_name = "FILE")]
        baseline_file: Option<PathBuf>,
        /// A file of waivers kept apart from the model (repeatable).
        #[arg(long, value_name = "FILE")]
        waivers: Vec<PathBuf>,
        /// Waivers that match nothing are errors, and any waiver error fails the audit.
        #[arg(long)]
        strict: bool,
    },
    /// Record the current findings and receipts as accepted, for `audit --baseline-file`.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Compare two versions of a policy: what changes about who receives what.
    ///
    /// Each side is a file, a directory or `git:REV:PATH`; or give `--base REV PATH…` for the
    /// same paths at a git revision.
    Diff {
        /// BASE and REVISION, or with `--base`, the paths to compare against their older selves.
        #[arg(required = true)]
        sides: Vec<String>,
        /// Compare PATH… with the same paths at this git revision.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
        /// Lowest level that makes the diff exit 1.
        #[arg(long, value_enum, default_value_t = DiffFailOn::Error)]
        fail_on: DiffFailOn,
        /// A YAML file re-levelling checks: `check-id: error|warning|info|none`.
        #[arg(long, value_name = "FILE")]
        levels: Option<PathBuf>,
        /// How a disclosure and a negative claim covering the same receipt are resolved.
        #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
        conflict: ConflictArg,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// An audit report for a privacy review: summary, data-flow diagram (Mermaid), promises and
    /// findings, a record of processing and a reach matrix.
    Report {
        /// Model files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Write the report to this file instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add a "changes since" section comparing with this base version (path or `git:REV:PATH`).
        #[arg(long, value_name = "BASE")]
        baseline: Option<String>,
        /// Add the time of generation (left out by default: same input, same bytes).
        #[arg(long)]
        timestamp: bool,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// The flow graph as Graphviz DOT, Mermaid or JSON: systems boxed by company group, flows
    /// labelled with their fields, e2ee hops dashed, flows that break a promise in red.
    Graph {
        /// Model files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Only the flows that carry this field key (or something within it).
        #[arg(long, value_name = "KEY")]
        field: Option<String>,
        /// Only the flows on the paths of this claim's findings.
        #[arg(long, value_name = "ID")]
        claim: Option<String>,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Load and validate only.
    Check {
        /// Model files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format of diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Explain why a claim, disclosure, system or field stands as it does: every path and every
    /// deciding statement.
    Explain {
        /// Model files or directories of them, then the id to explain.
        #[arg(required = true, num_args = 2..)]
        paths_and_id: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// How a disclosure and a negative claim covering the same receipt are resolved.
        #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
        conflict: ConflictArg,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Print the JSON Schema (draft-07) of the policy format, for editors; `--output` prints the
    /// schema of `audit --format json` instead.
    Schema {
        /// The schema of the JSON that `audit --format json` writes.
        #[arg(long)]
        output: bool,
    },
    /// Print a shell completion script: `privflow completions bash > /etc/bash_completion.d/privflow`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `privflow man > privflow.1`.
    Man,
    /// Print the built-in field and purpose taxonomies as trees.
    Taxonomy {
        /// Which taxonomy to print; both by default.
        #[arg(value_enum)]
        which: Option<Which>,
    },
}

#[derive(Subcommand)]
pub(crate) enum BaselineAction {
    /// Write the fingerprints of every current finding and receipt to a file.
    Create {
        /// Model files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the baseline.
        #[arg(short, long, default_value = "privflow-baseline.json")]
        output: PathBuf,
        /// How a disclosure and a negative claim covering the same receipt are resolved.
        #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
        conflict: ConflictArg,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Markdown,
    Html,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    Dot,
    Mermaid,
    Json,
    Svg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Table,
    Json,
    Markdown,
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
}

/// Formats of `audit`; each may go to stdout or, as `FORMAT=PATH`, to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuditFormat {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

/// One `--format` of `audit`: a format and where it goes (`None`: stdout).
#[derive(Clone, Debug)]
pub(crate) struct Output {
    pub(crate) format: AuditFormat,
    pub(crate) path: Option<PathBuf>,
}

pub(crate) fn parse_output(value: &str) -> Result<Output, String> {
    let (name, path) = match value.split_once('=') {
        Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
        Some((_, _)) => return Err(format!("`{value}` names no file after `=`")),
        None => (value, None),
    };
    let format = AuditFormat::from_str(name, true).map_err(|_| {
        format!("`{name}` is not a format; use table, json, sarif, junit, github or markdown, optionally as FORMAT=PATH")
    })?;
    Ok(Output { format, path })
}

/// The `--fail-on` ladder, most severe first: a level fails on itself and everything above.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOnArg {
    /// A claim is violated.
    Violated,
    /// A receipt contradicts a negative claim.
    Incorrect,
    /// A receipt is not disclosed at all.
    Omitted,
    /// A claim is possibly violated.
    Possible,
    /// A receipt is covered by conflicting statements.
    Ambiguous,
    /// A receipt is disclosed only in broad terms.
    Vague,
    /// A claim cannot be decided from the model.
    Undetermined,
    /// Never fail (exit 0 unless the model is broken).
    Never,
}

impl FailOnArg {
    pub(crate) fn threshold(self) -> FailOn {
        match self {
            FailOnArg::Violated => FailOn::Violated,
            FailOnArg::Incorrect => FailOn::Incorrect,
            FailOnArg::Omitted => FailOn::Omitted,
            FailOnArg::Possible => FailOn::Possible,
            FailOnArg::Ambiguous => FailOn::Ambiguous,
            FailOnArg::Vague => FailOn::Vague,
            FailOnArg::Undetermined => FailOn::Undetermined,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ConflictArg {
    /// The most specific statement wins (narrower field, then fewer entities).
    Specific,
    /// Every overlap of a disclosure and a negative claim is ambiguous.
    Strict,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Which {
    Fields,
    Purposes,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub(crate) fn read_baseline(path: &std::path::Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    Baseline::parse(&text).map_err(|e| format!("`{}`: {e}", path.display()))
}

pub(crate) fn audit_options(conflict: ConflictArg, today: Option<Date>) -> AuditOptions {
    AuditOptions {
        strict: false,
        today: today.unwrap_or_else(Date::today),
        conflict: match conflict {
            ConflictArg::Specific => ConflictMode::Specific,
            ConflictArg::Strict => ConflictMode::Strict,
        },
    }
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}
