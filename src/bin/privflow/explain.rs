//! `privflow explain PATH… ID`: why a claim, disclosure, system or field stands as it does, in
//! every policy that has it, as a tree of text or as JSON.

use std::path::PathBuf;

use privflow::diagnostics;
use privflow::model::duration::Date;
use privflow::output::explain;

use super::EXIT_MODEL_ERROR;
use super::args::{ColorChoice, ConflictArg, Format, Select, audit_options, parse_date};
use super::output::{emit_code, load};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Model files or directories of them, then the id to explain: a claim, disclosure, system
    /// or entity id, or a field key.
    #[arg(required = true, num_args = 1.., value_name = "PATHS… ID")]
    paths_and_id: Vec<String>,
    #[command(flatten)]
    select: Select,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// How a disclosure and a negative claim covering the same receipt are resolved.
    #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
    conflict: ConflictArg,
    /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
}

pub(crate) fn run(mut args: Args, color: ColorChoice) -> u8 {
    if args.paths_and_id.len() < 2 {
        let path = args.paths_and_id.first().cloned().unwrap_or_default();
        say!(
            "privflow: name what to explain after the model: `privflow explain {path} ID`\n  help: ID is a claim, disclosure, system or entity id, or a field key"
        );
        if let Ok(ws) = super::output::within_budget(|budget| {
            privflow::model::loader::load_within(&[PathBuf::from(&path)], budget)
        }) {
            let claims: Vec<&str> = ws
                .models
                .iter()
                .flat_map(|m| m.claims.iter().map(|c| c.id.as_str()))
                .take(8)
                .collect();
            if !claims.is_empty() {
                say!("  claims there: {}", claims.join(", "));
            }
        }
        return EXIT_MODEL_ERROR;
    }
    let id = args.paths_and_id.pop().unwrap_or_default();
    let paths: Vec<PathBuf> = args.paths_and_id.into_iter().map(PathBuf::from).collect();
    let workspace = match load(&paths, &args.select, args.format, color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    // Explanations trace what they show from every finding, listed or not.
    let run = privflow::audit_workspace(&workspace, audit_options(args.conflict, args.today));
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
            "explain takes a claim, disclosure, system or entity id, or a field key".to_owned()
        });
        say!("privflow: nothing named `{id}` in the model\n  help: {help}");
        return EXIT_MODEL_ERROR;
    }
    let text = match args.format {
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
    let code = emit_code(&text);
    // The process ends next: dropping a large model value by value only costs time.
    std::mem::forget(found);
    std::mem::forget(run);
    std::mem::forget(workspace);
    code
}
