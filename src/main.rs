//! The `privflow` command line: argument parsing, output streams and exit codes only.
//! Every decision about models, verdicts and formats lives in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use privflow::baseline::Baseline;
use privflow::diagnostics::{self, Diagnostic, Sources};
use privflow::duration::Date;
use privflow::report::{Github, Json, Junit, Markdown, Report, Sarif, Table};
use privflow::taxonomy::{self, TaxonomyKind};
use privflow::verdict::ConflictMode;
use privflow::{AuditOptions, FailOn, LoadFailure, Workspace};
use privflow::{diff, explain};

/// Exit codes (SPEC §7).
const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_MODEL_ERROR: u8 = 2;
const EXIT_INTERNAL: u8 = 3;

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
struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
enum BaselineAction {
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
enum ReportFormat {
    Markdown,
    Html,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
    Json,
    Svg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
    Markdown,
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Formats of `audit`; each may go to stdout or, as `FORMAT=PATH`, to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AuditFormat {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

/// One `--format` of `audit`: a format and where it goes (`None`: stdout).
#[derive(Clone, Debug)]
struct Output {
    format: AuditFormat,
    path: Option<PathBuf>,
}

fn parse_output(value: &str) -> Result<Output, String> {
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

/// Renders one output and writes it to its file or to stdout.
fn write_output(
    output: &Output,
    run: &privflow::report::AuditRun,
    fail_on: FailOn,
    color: ColorChoice,
) -> Result<(), ()> {
    let to_terminal = output.path.is_none() && std::io::stdout().is_terminal();
    let text = match output.format {
        AuditFormat::Table => Table {
            color: color_for(color, to_terminal),
            width: to_terminal.then(terminal_width),
        }
        .render(run),
        AuditFormat::Json => Json.render(run),
        AuditFormat::Sarif => Sarif.render(run),
        AuditFormat::Junit => Junit { fail_on }.render(run),
        AuditFormat::Github => {
            // On GitHub Actions the full report goes to the job summary as well.
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty())
            {
                append(&PathBuf::from(summary), &Markdown.render(run))?;
            }
            Github.render(run)
        }
        AuditFormat::Markdown => Markdown.render(run),
    };
    match &output.path {
        None => emit(&text).map_err(|_| ()),
        Some(path) => std::fs::write(path, text).map_err(|e| {
            eprintln!("privflow: cannot write `{}`: {e}", path.display());
        }),
    }
}

fn append(path: &PathBuf, text: &str) -> Result<(), ()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    file.and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            eprintln!(
                "privflow: cannot write the job summary `{}`: {e}",
                path.display()
            );
        })
}

/// The `--fail-on` ladder, most severe first: a level fails on itself and everything above.
#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
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
    fn threshold(self) -> FailOn {
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
enum ConflictArg {
    /// The most specific statement wins (narrower field, then fewer entities).
    Specific,
    /// Every overlap of a disclosure and a negative claim is ambiguous.
    Strict,
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Fields,
    Purposes,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `privflow diff`: load both sides, audit each, compare, render.
fn run_diff(
    sides: Vec<String>,
    base_rev: Option<String>,
    format: DiffFormat,
    fail_on: DiffFailOn,
    levels: Option<PathBuf>,
    options: AuditOptions,
    color: ColorChoice,
) -> u8 {
    let levels = match levels.map(|p| {
        std::fs::read_to_string(&p)
            .map_err(|e| e.to_string())
            .and_then(|t| diff::Levels::parse(&t))
    }) {
        None => diff::Levels::default(),
        Some(Ok(levels)) => levels,
        Some(Err(message)) => {
            eprintln!("privflow: --levels: {message}");
            return EXIT_MODEL_ERROR;
        }
    };
    let loaded = match (&base_rev, sides.as_slice()) {
        (Some(rev), paths) => {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            (
                privflow::loader::load_git(rev, &paths),
                privflow::load(&paths),
            )
        }
        (None, [base, revision]) => (
            privflow::loader::load_side(base),
            privflow::loader::load_side(revision),
        ),
        (None, _) => {
            eprintln!(
                "privflow: diff takes BASE and REVISION, or --base REV and the paths to compare"
            );
            return EXIT_MODEL_ERROR;
        }
    };
    let (base, revision) = match loaded {
        (Ok(b), Ok(r)) => (b, r),
        (b, r) => {
            for (side, result) in [("base", b), ("revision", r)] {
                if let Err(failure) = result {
                    eprintln!("privflow: the {side} side does not load:");
                    report_diagnostics(&failure.diagnostics, &failure.sources, color);
                }
            }
            return EXIT_MODEL_ERROR;
        }
    };
    if base.models.len() != 1 || revision.models.len() != 1 {
        eprintln!(
            "privflow: diff compares one policy per side; the base has {} and the revision {}",
            base.models.len(),
            revision.models.len()
        );
        return EXIT_MODEL_ERROR;
    }
    let (base_run, revision_run) = (
        privflow::audit_workspace(&base, options),
        privflow::audit_workspace(&revision, options),
    );
    let side = |run: &'_ privflow::report::AuditRun<'_>| -> diff::Version {
        let policy = &run.audits[0].model.policy;
        diff::Version {
            id: policy.id.clone(),
            version: policy.version.clone(),
        }
    };
    let changes = diff::diff(
        diff::Side {
            audit: &base_run.audits[0],
            sources: &base.sources,
        },
        diff::Side {
            audit: &revision_run.audits[0],
            sources: &revision.sources,
        },
        &levels,
    );
    let report = diff::DiffReport::new(side(&base_run), side(&revision_run), changes);
    if report
        .changes
        .iter()
        .any(|c| c.check == diff::Check::SpeakerChanged)
    {
        eprintln!("privflow: warning: the two versions have different speakers");
    }
    let text = match format {
        DiffFormat::Table => report.table(),
        DiffFormat::Json => report.json(),
        DiffFormat::Markdown => report.markdown(),
        DiffFormat::Github => report.github(),
    };
    if let Err(code) = emit(&text) {
        return code;
    }
    let threshold = match fail_on {
        DiffFailOn::Error => Some(diff::Level::Error),
        DiffFailOn::Warning => Some(diff::Level::Warning),
        DiffFailOn::Info => Some(diff::Level::Info),
        DiffFailOn::Never => None,
    };
    if report.fails(threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The diff of a report's (single) policy against a base version, for "changes since".
fn changes_since(
    base: &str,
    run: &privflow::report::AuditRun,
    workspace: &Workspace,
    today: Option<Date>,
) -> Result<diff::DiffReport, u8> {
    let base_ws = privflow::loader::load_side(base).map_err(|failure| {
        eprintln!("privflow: the --baseline version does not load:");
        report_diagnostics(&failure.diagnostics, &failure.sources, ColorChoice::Auto);
        EXIT_MODEL_ERROR
    })?;
    if base_ws.models.len() != 1 || run.audits.len() != 1 {
        eprintln!("privflow: a report with --baseline compares one policy with one base version");
        return Err(EXIT_MODEL_ERROR);
    }
    let base_run = privflow::audit_workspace(&base_ws, audit_options(ConflictArg::Specific, today));
    let version = |a: &privflow::audit::PolicyAudit| diff::Version {
        id: a.model.policy.id.clone(),
        version: a.model.policy.version.clone(),
    };
    let changes = diff::diff(
        diff::Side {
            audit: &base_run.audits[0],
            sources: &base_ws.sources,
        },
        diff::Side {
            audit: &run.audits[0],
            sources: &workspace.sources,
        },
        &diff::Levels::default(),
    );
    Ok(diff::DiffReport::new(
        version(&base_run.audits[0]),
        version(&run.audits[0]),
        changes,
    ))
}

fn read_baseline(path: &std::path::Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    Baseline::parse(&text).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn audit_options(conflict: ConflictArg, today: Option<Date>) -> AuditOptions {
    AuditOptions {
        strict: false,
        today: today.unwrap_or_else(Date::today),
        conflict: match conflict {
            ConflictArg::Specific => ConflictMode::Specific,
            ConflictArg::Strict => ConflictMode::Strict,
        },
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_MODEL_ERROR
            } else {
                EXIT_OK
            });
        }
    };
    std::panic::set_hook(Box::new(|info| {
        eprintln!("privflow: internal error: {info}");
        eprintln!("This is a bug in privflow; please report it with the model that triggered it.");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(_) => ExitCode::from(EXIT_INTERNAL),
    }
}

/// Writes to stdout; a closed pipe (`privflow audit … | head`) is not an error.
fn emit(text: &str) -> Result<(), u8> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("privflow: cannot write output: {e}");
            Err(EXIT_INTERNAL)
        }
    }
}

fn color_for(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn report_diagnostics(list: &[Diagnostic], sources: &Sources, color: ColorChoice) {
    if list.is_empty() {
        return;
    }
    let text = diagnostics::render(
        list,
        sources,
        color_for(color, std::io::stderr().is_terminal()),
    );
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn load_failure(failure: LoadFailure, format: Format, color: ColorChoice) -> u8 {
    report_diagnostics(&failure.diagnostics, &failure.sources, color);
    let errors = failure.diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "privflow: {errors} error{} in the model; nothing was audited",
        if errors == 1 { "" } else { "s" }
    );
    if let Format::Json = format {
        let doc = serde_json::json!({
            "privflow": env!("CARGO_PKG_VERSION"),
            "diagnostics": diagnostics::to_json(&failure.diagnostics, &failure.sources),
        });
        let _ = emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    }
    EXIT_MODEL_ERROR
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Baseline {
            action:
                BaselineAction::Create {
                    paths,
                    output,
                    conflict,
                    today,
                },
        } => {
            let workspace = match privflow::load(&paths) {
                Ok(ws) => ws,
                Err(failure) => return load_failure(failure, Format::Table, cli.color),
            };
            let run = privflow::audit_workspace(&workspace, audit_options(conflict, today));
            let baseline = Baseline::of(&run);
            match std::fs::write(&output, baseline.to_json()) {
                Ok(()) => {
                    eprintln!(
                        "privflow: recorded {} results in `{}`",
                        baseline.entries.len(),
                        output.display()
                    );
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("privflow: cannot write `{}`: {e}", output.display());
                    EXIT_INTERNAL
                }
            }
        }
        Command::Audit {
            paths,
            format,
            fail_on,
            conflict,
            today,
            base_version,
            baseline_file,
            waivers,
            strict,
        } => {
            let baseline = match baseline_file.as_deref().map(read_baseline).transpose() {
                Ok(b) => b,
                Err(message) => {
                    eprintln!("privflow: {message}");
                    return EXIT_MODEL_ERROR;
                }
            };
            let outputs = if format.is_empty() {
                vec![Output {
                    format: AuditFormat::Table,
                    path: None,
                }]
            } else {
                format
            };
            if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
                eprintln!(
                    "privflow: only one --format may write to stdout; give the others a file: --format sarif=privflow.sarif"
                );
                return EXIT_MODEL_ERROR;
            }
            let stdout_format = outputs.iter().find(|o| o.path.is_none()).map(|o| o.format);
            let load_format = if stdout_format == Some(AuditFormat::Json) {
                Format::Json
            } else {
                Format::Table
            };
            let mut workspace: Workspace = match privflow::load(&paths) {
                Ok(ws) => ws,
                Err(failure) => return load_failure(failure, load_format, cli.color),
            };
            if let Err(failure) = workspace.add_waiver_files(&waivers) {
                return load_failure(failure, load_format, cli.color);
            }
            let mut options = audit_options(conflict, today);
            options.strict = strict;
            let mut run = privflow::audit_workspace(&workspace, options);
            // `no_expansion` claims need the base version's reach.
            let base_workspace = match base_version
                .as_deref()
                .map(privflow::loader::load_side)
                .transpose()
            {
                Ok(ws) => ws,
                Err(failure) => {
                    eprintln!("privflow: the --baseline version does not load:");
                    report_diagnostics(&failure.diagnostics, &failure.sources, cli.color);
                    return EXIT_MODEL_ERROR;
                }
            };
            let base_run = base_workspace
                .as_ref()
                .map(|ws| privflow::audit_workspace(ws, options));
            if let Some(base_run) = &base_run {
                for audit in &mut run.audits {
                    let base = base_run
                        .audits
                        .iter()
                        .find(|b| b.model.policy.id == audit.model.policy.id);
                    if let Some(base) = base.or(if base_run.audits.len() == 1 {
                        base_run.audits.first()
                    } else {
                        None
                    }) {
                        privflow::audit::apply_no_expansion(audit, base);
                    }
                }
            }
            run.baseline = baseline.map(|b| privflow::baseline::compare(&run, &b));
            report_diagnostics(&run.diagnostics, &workspace.sources, cli.color);
            let fail_on = fail_on.threshold();
            // Every writer runs even when another fails; any failure makes the exit code 3.
            let mut failed = false;
            for output in &outputs {
                failed |= write_output(output, &run, fail_on, cli.color).is_err();
            }
            if failed {
                EXIT_INTERNAL
            } else if run.fails(fail_on) {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        Command::Diff {
            sides,
            base,
            format,
            fail_on,
            levels,
            conflict,
            today,
        } => run_diff(
            sides,
            base,
            format,
            fail_on,
            levels,
            audit_options(conflict, today),
            cli.color,
        ),
        Command::Report {
            paths,
            format,
            output,
            today,
            baseline,
            timestamp,
        } => {
            let workspace = match privflow::load(&paths) {
                Ok(ws) => ws,
                Err(failure) => return load_failure(failure, Format::Table, cli.color),
            };
            let run =
                privflow::audit_workspace(&workspace, audit_options(ConflictArg::Specific, today));
            let reports: Vec<_> = run
                .audits
                .iter()
                .map(|a| privflow::document::build(a, &workspace.sources))
                .collect();
            let text = match format {
                ReportFormat::Markdown => {
                    let mut text = run
                        .audits
                        .iter()
                        .zip(&reports)
                        .map(|(a, r)| privflow::document::markdown(a, r, &workspace.sources))
                        .collect::<Vec<_>>()
                        .join("\n");
                    if let Some(base) = &baseline {
                        match changes_since(base, &run, &workspace, today) {
                            Ok(report) => text.push_str(&format!("\n{}", report.markdown())),
                            Err(code) => return code,
                        }
                    }
                    text
                }
                ReportFormat::Html => {
                    let mut extras = privflow::html::Extras::default();
                    if timestamp {
                        extras.timestamp = Some(Date::now_utc());
                    }
                    if let Some(base) = &baseline {
                        match changes_since(base, &run, &workspace, today) {
                            Ok(report) => extras.changes = Some(report),
                            Err(code) => return code,
                        }
                    }
                    privflow::html::page(&run.audits, &reports, &workspace.sources, &extras)
                }
                ReportFormat::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&reports).unwrap_or_default()
                ),
            };
            match output {
                None => emit(&text).err().unwrap_or(EXIT_OK),
                Some(path) => match std::fs::write(&path, text) {
                    Ok(()) => EXIT_OK,
                    Err(e) => {
                        eprintln!("privflow: cannot write `{}`: {e}", path.display());
                        EXIT_INTERNAL
                    }
                },
            }
        }
        Command::Graph {
            paths,
            format,
            field,
            claim,
            today,
        } => {
            let workspace = match privflow::load(&paths) {
                Ok(ws) => ws,
                Err(failure) => return load_failure(failure, Format::Table, cli.color),
            };
            let run =
                privflow::audit_workspace(&workspace, audit_options(ConflictArg::Specific, today));
            let mut parts = Vec::new();
            for audit in &run.audits {
                let model = audit.model;
                let field = match field
                    .as_deref()
                    .map(|k| model.fields.get(k).ok_or(k))
                    .transpose()
                {
                    Ok(f) => f,
                    Err(k) => {
                        let help = model.fields.suggest(k).unwrap_or_else(|| {
                            "`privflow taxonomy` lists the field keys".to_owned()
                        });
                        eprintln!("privflow: unknown field `{k}`\n  help: {help}");
                        return EXIT_MODEL_ERROR;
                    }
                };
                let claim_index = claim
                    .as_deref()
                    .and_then(|c| model.claims.iter().position(|x| x.id == c));
                if claim.is_some() && claim_index.is_none() {
                    continue;
                }
                let focus = privflow::export::Focus {
                    field,
                    claim: claim_index,
                };
                let sub = privflow::export::subgraph(audit, &focus);
                parts.push(match format {
                    GraphFormat::Dot => sub.dot(),
                    GraphFormat::Mermaid => sub.mermaid(),
                    GraphFormat::Svg => format!("{}\n", privflow::html::diagram(audit, &focus)),
                    GraphFormat::Json => format!(
                        "{}\n",
                        serde_json::to_string_pretty(&sub.json()).unwrap_or_default()
                    ),
                });
            }
            if parts.is_empty() {
                eprintln!(
                    "privflow: no loaded policy has a claim `{}`",
                    claim.unwrap_or_default()
                );
                return EXIT_MODEL_ERROR;
            }
            emit(&parts.join("\n")).err().unwrap_or(EXIT_OK)
        }
        Command::Check { paths, format } => match privflow::load(&paths) {
            Ok(ws) => {
                report_diagnostics(&ws.warnings, &ws.sources, cli.color);
                let summary: Vec<String> = ws
                    .models
                    .iter()
                    .map(|m| {
                        format!(
                            "{}: {} systems, {} flows, {} claims",
                            m.policy.id,
                            m.systems.len(),
                            m.flows.len(),
                            m.claims.len()
                        )
                    })
                    .collect();
                let text = match format {
                    Format::Table => format!(
                        "{}\nok: {} polic{} valid\n",
                        summary.join("\n"),
                        ws.models.len(),
                        if ws.models.len() == 1 { "y" } else { "ies" }
                    ),
                    Format::Json => {
                        let doc = serde_json::json!({
                            "privflow": env!("CARGO_PKG_VERSION"),
                            "policies": ws.models.iter().map(|m| &m.policy.id).collect::<Vec<_>>(),
                            "diagnostics": diagnostics::to_json(&ws.warnings, &ws.sources),
                        });
                        format!(
                            "{}\n",
                            serde_json::to_string_pretty(&doc).unwrap_or_default()
                        )
                    }
                };
                emit(&text).err().unwrap_or(EXIT_OK)
            }
            Err(failure) => load_failure(failure, format, cli.color),
        },
        Command::Explain {
            mut paths_and_id,
            format,
            conflict,
            today,
        } => {
            let id = paths_and_id.pop().unwrap_or_default();
            let paths: Vec<PathBuf> = paths_and_id.into_iter().map(PathBuf::from).collect();
            let workspace = match privflow::load(&paths) {
                Ok(ws) => ws,
                Err(failure) => return load_failure(failure, format, cli.color),
            };
            let options = audit_options(conflict, today);
            let run = privflow::audit_workspace(&workspace, options);
            let found: Vec<_> = run
                .audits
                .iter()
                .flat_map(|a| explain::explain(a, &workspace.sources, &id))
                .collect();
            if found.is_empty() {
                let known: Vec<&str> = workspace
                    .models
                    .iter()
                    .flat_map(explain::subjects)
                    .collect();
                let help = diagnostics::did_you_mean(&id, known).unwrap_or_else(|| {
                    "explain takes a claim, disclosure or system id, or a field key".to_owned()
                });
                eprintln!(
                    "privflow: nothing named `{id}` in the model
  help: {help}"
                );
                return EXIT_MODEL_ERROR;
            }
            let text = match format {
                Format::Table => {
                    let trees: Vec<String> = found
                        .iter()
                        .map(|e| format!("[{}] {}", e.policy, explain::render(&e.tree)))
                        .collect();
                    trees.join("\n")
                }
                Format::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&found).unwrap_or_default()
                ),
            };
            emit(&text).err().unwrap_or(EXIT_OK)
        }
        Command::Schema { output } => {
            let text = if output {
                privflow::schema::audit_output()
            } else {
                privflow::schema::policy()
            };
            emit(&text).err().unwrap_or(EXIT_OK)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "privflow", &mut script);
            emit(&String::from_utf8_lossy(&script))
                .err()
                .unwrap_or(EXIT_OK)
        }
        Command::Man => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => emit(&String::from_utf8_lossy(&page))
                    .err()
                    .unwrap_or(EXIT_OK),
                Err(e) => {
                    eprintln!("privflow: cannot render the man page: {e}");
                    EXIT_INTERNAL
                }
            }
        }
        Command::Taxonomy { which } => {
            let mut text = String::new();
            for (kind, title, wanted) in [
                (
                    TaxonomyKind::Fields,
                    "fields",
                    !matches!(which, Some(Which::Purposes)),
                ),
                (
                    TaxonomyKind::Purposes,
                    "purposes",
                    !matches!(which, Some(Which::Fields)),
                ),
            ] {
                if wanted {
                    text.push_str(&format!("# {title} (keys after fideslang, CC BY 4.0)\n"));
                    text.push_str(&taxonomy::render_tree(&taxonomy::builtin(kind)));
                    text.push('\n');
                }
            }
            emit(text.trim_end_matches('\n'))
                .and_then(|()| emit("\n"))
                .err()
                .unwrap_or(EXIT_OK)
        }
    }
}

/// The terminal's width from `COLUMNS`, else a width most terminals have.
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}
