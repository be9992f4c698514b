//! `privflow check`: load and validate only; print what loaded (or every diagnostic) as text or
//! JSON.

use privflow::diagnostics;

use super::args::{ColorChoice, Format, Inputs};
use super::output::{emit_code, load, report_diagnostics};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format of diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) fn run(args: Args, color: ColorChoice) -> u8 {
    let ws = match load(&args.inputs.paths, &args.inputs.select, args.format, color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    report_diagnostics(&ws.warnings, &ws.sources, color);
    let summary: Vec<String> = ws
        .models
        .iter()
        .map(|m| {
            let count =
                |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
            format!(
                "{}: {}, {}, {}",
                m.policy.id,
                count(m.systems.len(), "system"),
                count(m.flows.len(), "flow"),
                count(m.claims.len(), "claim")
            )
        })
        .collect();
    let text = match args.format {
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
    let code = emit_code(&text);
    // The process ends next: dropping a large model value by value only costs time.
    std::mem::forget(ws);
    code
}
