//! `privflow graph`: the flow graph of each policy, whole or focused on a field or a claim, as
//! DOT, Mermaid, JSON or SVG.

use clap::ValueEnum;
use privflow::model::duration::Date;
use privflow::output::{diagram, export};

use super::EXIT_MODEL_ERROR;
use super::args::{ColorChoice, ConflictArg, Format, Inputs, audit_options, parse_date};
use super::output::{emit_code, load};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
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
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
    Json,
    Svg,
}

pub(crate) fn run(args: Args, color: ColorChoice) -> u8 {
    let workspace = match load(
        &args.inputs.paths,
        &args.inputs.select,
        Format::Table,
        color,
    ) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    // The graph draws paths from every finding, listed or not.
    let run =
        privflow::audit_workspace(&workspace, audit_options(ConflictArg::Specific, args.today));
    let mut parts = Vec::new();
    for audit in &run.audits {
        let model = audit.model;
        let field = match args
            .field
            .as_deref()
            .map(|k| model.fields.get(k).ok_or(k))
            .transpose()
        {
            Ok(f) => f,
            Err(k) => {
                let help = model
                    .fields
                    .suggest(k)
                    .unwrap_or_else(|| "`privflow taxonomy` lists the field keys".to_owned());
                say!("privflow: unknown field `{k}`\n  help: {help}");
                return EXIT_MODEL_ERROR;
            }
        };
        let claim_index = args
            .claim
            .as_deref()
            .and_then(|c| model.claims.iter().position(|x| x.id == c));
        if args.claim.is_some() && claim_index.is_none() {
            continue;
        }
        let focus = export::Focus {
            field,
            claim: claim_index,
        };
        parts.push((audit, focus));
    }
    if parts.is_empty() {
        say!(
            "privflow: no loaded policy has a claim `{}`",
            args.claim.unwrap_or_default()
        );
        return EXIT_MODEL_ERROR;
    }
    // One document of the format, whatever the number of policies.
    let graphs: Vec<export::Subgraph> = parts
        .iter()
        .map(|(audit, focus)| export::subgraph(audit, focus))
        .collect();
    let text = match args.format {
        GraphFormat::Dot => export::dot(&graphs),
        GraphFormat::Mermaid => export::mermaid(&graphs),
        GraphFormat::Svg => format!("{}\n", diagram::diagrams(&parts)),
        GraphFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&export::json(&graphs)).unwrap_or_default()
        ),
    };
    let code = emit_code(&text);
    // The process ends next: dropping a large model value by value only costs time.
    std::mem::forget(graphs);
    std::mem::forget(parts);
    std::mem::forget(run);
    std::mem::forget(workspace);
    code
}
