//! `privflow artifact ropa PATH…`: the documents a privacy review hands in, compiled from the
//! flows — today the GDPR Article 30 record of processing, as CSV, Markdown or JSON.

use std::path::PathBuf;

use clap::ValueEnum;
use privflow::engine::record;
use privflow::model::duration::Date;
use privflow::output::record as render;

use super::args::{ColorChoice, ConflictArg, Inputs, audit_options, parse_date};
use super::output::{emit_code, load_writing, report_diagnostics, write_file};
use super::{EXIT_FINDINGS, EXIT_MODEL_ERROR, EXIT_OK};

#[derive(clap::Subcommand)]
pub(crate) enum Kind {
    /// The GDPR Article 30(1) record of processing activities: one row per purpose of the
    /// speaker's, the columns (a)–(g), every cell `derived` (with its flows), `declared` (with
    /// its line) or `missing` (a warning; `--fail-on missing` exits 1).
    Ropa(RopaArgs),
}

#[derive(clap::Args)]
pub(crate) struct RopaArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RopaFormat::Csv)]
    format: RopaFormat,
    /// Write the record to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// `missing`: exit 1 when a cell is missing, so a record can gate CI; `never` (default).
    #[arg(long, value_enum, default_value_t = RopaFailOn::Never)]
    fail_on: RopaFailOn,
    /// The same as `--fail-on missing`.
    #[arg(long)]
    strict: bool,
    /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RopaFormat {
    Csv,
    Markdown,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RopaFailOn {
    Missing,
    Never,
}

pub(crate) fn run(kind: Kind, color: ColorChoice) -> u8 {
    let Kind::Ropa(args) = kind;
    let workspace = match load_writing(&args.inputs, args.output.as_deref(), color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    report_diagnostics(&workspace.warnings, &workspace.sources, color);
    let run =
        privflow::audit_workspace(&workspace, audit_options(ConflictArg::Specific, args.today));
    let records: Vec<record::Record> = run
        .audits
        .iter()
        .map(|audit| record::record(audit, &workspace.sources))
        .collect();
    let warnings: Vec<_> = records
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    report_diagnostics(&warnings, &workspace.sources, color);
    let text = match args.format {
        RopaFormat::Csv => render::csv(&records),
        RopaFormat::Markdown => render::markdown(&records),
        RopaFormat::Json => render::json(&records),
    };
    let written = match &args.output {
        None => emit_code(&text),
        Some(path) => match write_file(path, &text) {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_MODEL_ERROR,
        },
    };
    let gate = args.strict || args.fail_on == RopaFailOn::Missing;
    if written == EXIT_OK && gate && records.iter().any(|r| r.missing() > 0) {
        return EXIT_FINDINGS;
    }
    written
}
