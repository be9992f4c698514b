//! `privflow audit`: load, audit every policy, compare with a base version and a baseline when
//! given, write each `--format` to stdout or its file, and exit by `--fail-on`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use privflow::FailOn;
use privflow::baseline::{Baseline, Comparison};
use privflow::model::duration::Date;
use privflow::output::{Github, Json, Junit, Markdown, Report, SARIF_MAX_RESULTS, Sarif, Table};

use super::args::{
    Caps, ColorChoice, ConflictArg, FailOnArg, Format, Inputs, audit_options, parse_date,
};
use super::output::{
    append, color_for, emit_with, load, load_failure, report_diagnostics, terminal_width,
    within_budget, write_file_with,
};
use super::{EXIT_FINDINGS, EXIT_MODEL_ERROR, EXIT_OK};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format, repeatable: table (default), json, sarif, junit, github, markdown;
    /// `FORMAT=PATH` writes to a file, e.g. `--format sarif=privflow.sarif --format table`.
    #[arg(long, value_parser = OutputParser, value_name = "FORMAT[=PATH]")]
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
    #[command(flatten)]
    caps: Caps,
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
    format: AuditFormat,
    path: Option<PathBuf>,
}

/// Parses `FORMAT[=PATH]`, and offers the formats to shell completion.
#[derive(Clone)]
struct OutputParser;

impl clap::builder::TypedValueParser for OutputParser {
    type Value = Output;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Output, clap::Error> {
        parse_output(&value.to_string_lossy()).map_err(|message| {
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n"))
                .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            AuditFormat::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value()),
        ))
    }
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

pub(crate) fn run(args: Args, color: ColorChoice) -> u8 {
    let outputs = if args.format.is_empty() {
        vec![Output {
            format: AuditFormat::Table,
            path: None,
        }]
    } else {
        args.format
    };
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        say!(
            "privflow: only one --format may write to stdout; give the others a file: --format sarif=privflow.sarif"
        );
        return EXIT_MODEL_ERROR;
    }
    within_budget(|budget| {
        for output in &outputs {
            if let Some(path) = &output.path {
                let name = output
                    .format
                    .to_possible_value()
                    .map(|v| v.get_name().to_owned());
                let option = format!("--format {}={}", name.unwrap_or_default(), path.display());
                budget.protect(path, &option);
            }
        }
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            budget.protect(std::path::Path::new(&summary), "GITHUB_STEP_SUMMARY");
        }
    });
    let baseline = match args
        .baseline_file
        .as_deref()
        .map(|path| within_budget(|budget| Baseline::read(path, budget)))
        .transpose()
    {
        Ok(b) => b,
        Err(failure) => {
            report_diagnostics(&failure.diagnostics, &failure.sources, color);
            return EXIT_MODEL_ERROR;
        }
    };
    let stdout_format = outputs.iter().find(|o| o.path.is_none()).map(|o| o.format);
    let load_format = if stdout_format == Some(AuditFormat::Json) {
        Format::Json
    } else {
        Format::Table
    };
    let mut workspace = match load(&args.inputs.paths, &args.inputs.select, load_format, color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    if let Err(failure) = within_budget(|budget| workspace.add_waiver_files(&args.waivers, budget))
    {
        return load_failure(failure, load_format, color);
    }
    let mut options = audit_options(args.conflict, args.today);
    options.strict = args.strict;
    options.listing = args.caps.listing();
    let mut run = privflow::audit_workspace(&workspace, options);
    // `no_expansion` claims need the base version's reach.
    let base_workspace = match args
        .base_version
        .as_deref()
        .map(|side| within_budget(|budget| privflow::model::git::load_side(side, budget)))
        .transpose()
    {
        Ok(ws) => ws,
        Err(failure) => {
            say!("privflow: the --baseline version does not load:");
            report_diagnostics(&failure.diagnostics, &failure.sources, color);
            return EXIT_MODEL_ERROR;
        }
    };
    let base_run = base_workspace
        .as_ref()
        .map(|ws| privflow::audit_workspace(ws, options));
    if let Some(base_run) = &base_run {
        run.apply_base(base_run);
    }
    let comparison = baseline.map(|b| privflow::baseline::compare(&run, &b));
    report_diagnostics(&run.diagnostics, &workspace.sources, color);
    let fail_on = args.fail_on.threshold();
    // Every writer runs even when another fails; a failed write is the user's to fix: exit 2.
    let mut failed = false;
    for output in &outputs {
        failed |= write_output(output, &run, comparison.as_ref(), fail_on, color).is_err();
    }
    let accepted =
        |policy: &str, id: &str| comparison.as_ref().is_some_and(|c| c.accepts(policy, id));
    let code = if failed {
        EXIT_MODEL_ERROR
    } else if run.fails(fail_on, accepted) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // The process ends next: dropping a large run and its model value by value only costs time.
    std::mem::forget(run);
    std::mem::forget(base_run);
    std::mem::forget(workspace);
    std::mem::forget(base_workspace);
    code
}

/// Renders one output and writes it to its file or to stdout.
fn write_output(
    output: &Output,
    run: &privflow::AuditRun,
    baseline: Option<&Comparison>,
    fail_on: FailOn,
    color: ColorChoice,
) -> Result<(), ()> {
    let to_terminal = output.path.is_none() && std::io::stdout().is_terminal();
    let report: Box<dyn Report> = match output.format {
        AuditFormat::Table => Box::new(Table {
            color: color_for(color, to_terminal),
            width: terminal_width(to_terminal),
        }),
        AuditFormat::Json => Box::new(Json),
        AuditFormat::Sarif => {
            let count = privflow::output::sarif_result_count(run);
            if count > SARIF_MAX_RESULTS {
                say!(
                    "privflow: warning: SARIF holds {SARIF_MAX_RESULTS} of {count} results (GitHub's limit); the run's properties count the rest"
                );
            }
            let cwd = std::env::current_dir().unwrap_or_default();
            Box::new(Sarif {
                root: repository_root(&cwd),
                cwd,
            })
        }
        AuditFormat::Junit => Box::new(Junit { fail_on }),
        AuditFormat::Github => {
            // On GitHub Actions the full report goes to the job summary as well.
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty())
            {
                // Best effort: the annotations matter more than the summary.
                let _ = append(
                    &PathBuf::from(summary),
                    &Markdown.render_against(run, baseline),
                );
            }
            Box::new(Github)
        }
        AuditFormat::Markdown => Box::new(Markdown),
    };
    let write = |out: &mut dyn std::io::Write| report.write(run, baseline, out);
    match &output.path {
        None => emit_with(write).map_err(|_| ()),
        Some(path) => write_file_with(path, write),
    }
}

/// The repository the command runs in (the nearest directory with `.git`), else `cwd`: SARIF
/// names files relative to it, as code scanning expects.
fn repository_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}
