//! The `privflow` command line: argument parsing, output streams and exit codes only.
//! Every decision about models, verdicts and formats lives in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use privflow::baseline::Baseline;
use privflow::diagnostics::{self, Diagnostic, Sources};
use privflow::diff;
use privflow::engine::disclosures::verdict::ConflictMode;
use privflow::model::duration::Date;
use privflow::model::taxonomy::{self, TaxonomyKind};
use privflow::output::explain;
use privflow::output::{Github, Json, Junit, Markdown, Report, Sarif, Table};
use privflow::{AuditOptions, FailOn, LoadFailure, Workspace};

mod args;
mod compare;
mod output;

use args::*;
use compare::*;
use output::*;

/// Exit codes (SPEC §7).
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_MODEL_ERROR: u8 = 2;
pub(crate) const EXIT_INTERNAL: u8 = 3;

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
                .map(privflow::model::git::load_side)
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
                        privflow::engine::audit::apply_no_expansion(audit, base);
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
                .map(|a| privflow::output::document::build(a, &workspace.sources))
                .collect();
            let text = match format {
                ReportFormat::Markdown => {
                    let mut text = run
                        .audits
                        .iter()
                        .zip(&reports)
                        .map(|(a, r)| {
                            privflow::output::document::markdown(a, r, &workspace.sources)
                        })
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
                    let mut extras = privflow::output::html::Extras::default();
                    if timestamp {
                        extras.timestamp = Some(Date::now_utc());
                    }
                    if let Some(base) = &baseline {
                        match changes_since(base, &run, &workspace, today) {
                            Ok(report) => extras.changes = Some(report),
                            Err(code) => return code,
                        }
                    }
                    privflow::output::html::page(&run.audits, &reports, &workspace.sources, &extras)
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
                let focus = privflow::output::export::Focus {
                    field,
                    claim: claim_index,
                };
                let sub = privflow::output::export::subgraph(audit, &focus);
                parts.push(match format {
                    GraphFormat::Dot => sub.dot(),
                    GraphFormat::Mermaid => sub.mermaid(),
                    GraphFormat::Svg => {
                        format!("{}\n", privflow::output::html::diagram(audit, &focus))
                    }
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
                privflow::output::schema::audit_output()
            } else {
                privflow::output::schema::policy()
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
