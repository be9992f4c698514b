//! `privflow diff` and the "changes since" of a report: load both sides, audit each, compare.

use super::*;

/// `privflow diff`: load both sides, audit each, compare, render.
pub(crate) fn run_diff(
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
                privflow::model::git::load_git(rev, &paths),
                privflow::load(&paths),
            )
        }
        (None, [base, revision]) => (
            privflow::model::git::load_side(base),
            privflow::model::git::load_side(revision),
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
    let report = diff::compare(
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
pub(crate) fn changes_since(
    base: &str,
    run: &privflow::output::AuditRun,
    workspace: &Workspace,
    today: Option<Date>,
) -> Result<diff::DiffReport, u8> {
    let base_ws = privflow::model::git::load_side(base).map_err(|failure| {
        eprintln!("privflow: the --baseline version does not load:");
        report_diagnostics(&failure.diagnostics, &failure.sources, ColorChoice::Auto);
        EXIT_MODEL_ERROR
    })?;
    if base_ws.models.len() != 1 || run.audits.len() != 1 {
        eprintln!("privflow: a report with --baseline compares one policy with one base version");
        return Err(EXIT_MODEL_ERROR);
    }
    let base_run = privflow::audit_workspace(&base_ws, audit_options(ConflictArg::Specific, today));
    Ok(diff::compare(
        diff::Side {
            audit: &base_run.audits[0],
            sources: &base_ws.sources,
        },
        diff::Side {
            audit: &run.audits[0],
            sources: &workspace.sources,
        },
        &diff::Levels::default(),
    ))
}
