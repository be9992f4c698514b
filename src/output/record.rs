//! `privflow artifact ropa` renderings of the Art. 30 record (engine/record.rs): CSV with a
//! source column beside each cell, Markdown for a review, JSON for tools.

use std::fmt::Write;

use crate::engine::record::{COLUMNS, Cell, Record, Source};
use crate::output::markdown::escape;

/// Where a cell comes from, in a few words: `derived: f1, f2`, `declared: m.yaml:4`, `missing: …`.
pub fn source(cell: &Cell) -> String {
    match &cell.source {
        Source::Derived { flows } if flows.is_empty() => "derived".into(),
        Source::Derived { flows } => format!("derived: {}", flows.join(", ")),
        Source::Declared { at } => format!("declared: {at}"),
        Source::Missing { why } => format!("missing: {why}"),
    }
}

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Every policy's record as one CSV: a row per activity, a source column after each cell.
pub fn csv(records: &[Record]) -> String {
    let mut header = vec!["policy".to_owned(), "activity".to_owned()];
    for column in COLUMNS {
        header.push(column.to_owned());
        header.push(format!("{column} source"));
    }
    let mut out = header.join(",");
    out.push_str("\r\n");
    for record in records {
        for activity in &record.activities {
            let mut row = vec![csv_field(&record.policy), csv_field(&activity.activity)];
            for cell in activity.cells() {
                row.push(csv_field(&cell.value));
                row.push(csv_field(&source(cell)));
            }
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// Every policy's record as Markdown: a table per policy, each cell with its source beneath.
pub fn markdown(records: &[Record]) -> String {
    let mut out = String::from("# Records of processing activities (GDPR Article 30)\n");
    for record in records {
        let _ = write!(
            out,
            "\n## {} — controller {}\n\n{}",
            escape(&record.policy),
            escape(&record.controller),
            markdown_table(record)
        );
    }
    out
}

/// How many activities and missing cells a record has, in words.
pub fn summary(record: &Record) -> String {
    let (n, missing) = (record.activities.len(), record.missing());
    format!(
        "{n} activit{}, {missing} missing cell{}.",
        if n == 1 { "y" } else { "ies" },
        if missing == 1 { "" } else { "s" }
    )
}

/// One record as a Markdown table, after its summary line.
pub fn markdown_table(record: &Record) -> String {
    if record.activities.is_empty() {
        return "No processing activity: no personal data reaches the speaker's systems or leaves them.\n".into();
    }
    let mut out = format!(
        "{}\n\n| activity | {} |\n|{}\n",
        summary(record),
        COLUMNS.join(" | "),
        "---|".repeat(COLUMNS.len() + 1)
    );
    for activity in &record.activities {
        let _ = write!(out, "| `{}` |", escape(&activity.activity));
        for cell in activity.cells() {
            let _ = write!(
                out,
                " {}<br>*{}* |",
                escape(&cell.value),
                escape(&source(cell))
            );
        }
        out.push('\n');
    }
    out
}

/// Every policy's record as JSON.
pub fn json(records: &[Record]) -> String {
    let document = serde_json::json!({
        "privflow": env!("CARGO_PKG_VERSION"),
        "records": records,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    )
}
