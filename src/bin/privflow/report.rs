//! `privflow report`: the audit as a review document — Markdown, one self-contained HTML page or
//! JSON — optionally with the changes since a base version and the time of generation.

use std::path::PathBuf;

use clap::ValueEnum;
use privflow::diff;
use privflow::model::duration::Date;
use privflow::model::git::load_side;
use privflow::output::{document, html};

use super::args::{Caps, ColorChoice, ConflictArg, Inputs, audit_options, parse_date};
use super::output::{emit_code, load_writing, report_diagnostics, within_budget, write_file};
use super::{EXIT_MODEL_ERROR, EXIT_OK};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
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
    #[command(flatten)]
    caps: Caps,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
    Json,
}

pub(crate) fn run(args: Args, color: ColorChoice) -> u8 {
    let workspace = match load_writing(&args.inputs, args.output.as_deref(), color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let mut options = audit_options(ConflictArg::Specific, args.today);
    options.listing = args.caps.listing();
    let mut run = privflow::audit_workspace(&workspace, options);
    // The base version evaluates `no_expansion` in every format, and gives the changes since.
    let base_workspace = match args.baseline.as_deref().map(load_base).transpose() {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let base_run = base_workspace
        .as_ref()
        .map(|ws| privflow::audit_workspace(ws, audit_options(ConflictArg::Specific, args.today)));
    if let Some(base_run) = &base_run {
        run.apply_base(base_run);
    }
    let reports: Vec<_> = run
        .audits
        .iter()
        .map(|a| document::build(a, &workspace.sources))
        .collect();
    // JSON reports carry no "changes since".
    let wants_changes = args.format != ReportFormat::Json;
    let changes = base_run.as_ref().filter(|_| wants_changes).map(|base_run| {
        diff::compare_sides(
            &diff::sides(base_run),
            &diff::sides(&run),
            &diff::Levels::default(),
        )
    });
    let text = match args.format {
        ReportFormat::Markdown => {
            let mut text = run
                .audits
                .iter()
                .zip(&reports)
                .map(|(a, r)| document::markdown(a, r, &workspace.sources))
                .collect::<Vec<_>>()
                .join("\n");
            if let Some(report) = &changes {
                text.push_str(&format!("\n{}", report.markdown()));
            }
            text
        }
        ReportFormat::Html => {
            let extras = html::Extras {
                timestamp: args.timestamp.then(Date::now_utc),
                changes,
            };
            html::page(&run.audits, &reports, &workspace.sources, &extras)
        }
        ReportFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        ),
    };
    let code = match args.output {
        None => emit_code(&text),
        Some(path) => match write_file(&path, &text) {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_MODEL_ERROR,
        },
    };
    // The process ends next: dropping a large model value by value only costs time.
    std::mem::forget(reports);
    std::mem::forget(run);
    std::mem::forget(workspace);
    code
}

/// The base version named by `--baseline`, loaded within the input budget.
fn load_base(base: &str) -> Result<privflow::model::loader::Workspace, u8> {
    within_budget(|budget| load_side(base, budget)).map_err(|failure| {
        say!("privflow: the --baseline version does not load:");
        report_diagnostics(&failure.diagnostics, &failure.sources, ColorChoice::Auto);
        EXIT_MODEL_ERROR
    })
}
