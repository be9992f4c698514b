//! `privflow diff`: load both sides (paths or `git:REV:PATH`), audit each, compare, render, and
//! exit by `--fail-on`.

use std::path::PathBuf;

use clap::ValueEnum;
use privflow::AuditOptions;
use privflow::diff;
use privflow::model::duration::Date;
use privflow::model::git::{load_git, load_side};

use super::args::{ColorChoice, ConflictArg, Select, audit_options, parse_date};
use super::output::{emit, report_diagnostics, within_budget};
use super::{EXIT_FINDINGS, EXIT_MODEL_ERROR, EXIT_OK};

#[derive(clap::Args)]
pub(crate) struct Args {
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
    #[command(flatten)]
    select: Select,
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

pub(crate) fn run(args: Args, color: ColorChoice) -> u8 {
    // Every finding of both sides, listed or not, takes part in `finding-new` and
    // `finding-resolved`; only those rows trace a path.
    let options: AuditOptions = audit_options(args.conflict, args.today);
    let levels = match args
        .levels
        .map(|path| within_budget(|budget| diff::Levels::read(&path, budget)))
    {
        None => diff::Levels::default(),
        Some(Ok(levels)) => levels,
        Some(Err(failure)) => {
            report_diagnostics(&failure.diagnostics, &failure.sources, color);
            return EXIT_MODEL_ERROR;
        }
    };
    let loaded = match (&args.base, args.sides.as_slice()) {
        (Some(rev), paths) => {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            within_budget(|budget| {
                let base = load_git(rev, &paths, budget);
                (base, privflow::model::loader::load_within(&paths, budget))
            })
        }
        (None, [base, revision]) => {
            within_budget(|budget| (load_side(base, budget), load_side(revision, budget)))
        }
        (None, _) => {
            say!("privflow: diff takes BASE and REVISION, or --base REV and the paths to compare");
            return EXIT_MODEL_ERROR;
        }
    };
    if args.select.verbose {
        for result in [&loaded.0, &loaded.1] {
            let skipped = match result {
                Ok(ws) => &ws.skipped,
                Err(f) => &f.skipped,
            };
            for file in skipped {
                say!("privflow: skipped `{file}`: none of privflow's top-level keys");
            }
        }
    }
    let (base, revision) = match loaded {
        (Ok(b), Ok(r)) => (b, r),
        (b, r) => {
            for (side, result) in [("base", b), ("revision", r)] {
                if let Err(failure) = result {
                    say!("privflow: the {side} side does not load:");
                    report_diagnostics(&failure.diagnostics, &failure.sources, color);
                }
            }
            return EXIT_MODEL_ERROR;
        }
    };
    let (mut base, mut revision) = (base, revision);
    if let Some(id) = &args.select.policy {
        for (side, ws) in [("base", &mut base), ("revision", &mut revision)] {
            if let Err(d) = ws.keep_policy(id) {
                say!("privflow: the {side} side:");
                report_diagnostics(&[*d], &ws.sources, color);
                return EXIT_MODEL_ERROR;
            }
        }
    }
    let (base_run, revision_run) = (
        privflow::audit_workspace(&base, options),
        privflow::audit_workspace(&revision, options),
    );
    let report = diff::compare_sides(
        &diff::sides(&base_run),
        &diff::sides(&revision_run),
        &levels,
    );
    if report
        .changes()
        .any(|c| c.check == diff::Check::SpeakerChanged)
    {
        say!("privflow: warning: the two versions have different speakers");
    }
    let text = match args.format {
        DiffFormat::Table => report.table(),
        DiffFormat::Json => report.json(),
        DiffFormat::Markdown => report.markdown(),
        DiffFormat::Github => report.github(),
    };
    if let Err(code) = emit(&text) {
        return code;
    }
    let threshold = match args.fail_on {
        DiffFailOn::Error => Some(diff::Level::Error),
        DiffFailOn::Warning => Some(diff::Level::Warning),
        DiffFailOn::Info => Some(diff::Level::Info),
        DiffFailOn::Never => None,
    };
    let code = if report.fails(threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // The process ends next: dropping both runs and models value by value only costs time.
    std::mem::forget(report);
    std::mem::forget((base_run, revision_run));
    std::mem::forget((base, revision));
    code
}
