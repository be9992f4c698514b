//! `--format markdown`: the audit as a page a reviewer pastes into a pull request or a CI job
//! summary: claims, findings with paths and locations, receipts per company.

use std::fmt::Write;

use super::{AuditRun, Report, describe_purpose_gap, ordered, unlisted_note};
use crate::baseline::Comparison;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::{Status, Verdict};

pub struct Markdown;

/// Text safe inside a Markdown table cell or line: no table breaks, no raw HTML.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

/// Text inside a code span; backticks in it would end the span, so they become quotes.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Violated => "❌ violated",
        Status::Possible => "⚠️ possible",
        Status::Undetermined => "❔ undetermined",
        Status::Holds => "✅ holds",
        Status::Waived => "🔕 waived",
        Status::Skipped => "⏭️ skipped",
    }
}

fn verdict_mark(verdict: DisclosureVerdict) -> &'static str {
    match verdict {
        DisclosureVerdict::Clear => "✅ clear",
        DisclosureVerdict::Vague => "〰️ vague",
        DisclosureVerdict::Ambiguous => "⚖️ ambiguous",
        DisclosureVerdict::Omitted => "❌ omitted",
        DisclosureVerdict::Incorrect => "❌ incorrect",
    }
}

impl Report for Markdown {
    fn render_against(&self, run: &AuditRun, _: Option<&Comparison>) -> String {
        let mut out = String::from("## privflow audit\n\n");
        let _ = writeln!(
            out,
            "| policy | claims | violated | possible | undetermined | holds | waived | skipped |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for a in &run.audits {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                code(&a.model.policy.id),
                a.claims.len(),
                a.count(Status::Violated),
                a.count(Status::Possible),
                a.count(Status::Undetermined),
                a.count(Status::Holds),
                a.count(Status::Waived),
                a.count(Status::Skipped)
            );
        }
        for audit in &run.audits {
            let model = audit.model;
            let policy = &model.policy;
            let title = policy
                .title
                .as_deref()
                .map(|t| format!(" — {}", escape(t)))
                .unwrap_or_default();
            let version = policy
                .version
                .as_deref()
                .map(|v| format!(" ({})", escape(v)))
                .unwrap_or_default();
            let _ = writeln!(out, "\n### {}{title}{version}\n", code(&policy.id));
            if audit.claims.is_empty() {
                let _ = writeln!(out, "No claims to check.");
            } else {
                let _ = writeln!(out, "| claim | kind | status | findings | promise |");
                let _ = writeln!(out, "|---|---|---|---:|---|");
            }
            for r in &audit.claims {
                let claim = &model.claims[r.claim];
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    code(&claim.id),
                    claim.kind.as_str(),
                    status_mark(r.status),
                    r.findings,
                    escape(claim.text.as_deref().unwrap_or(""))
                );
            }
            let findings = ordered(audit);
            if !findings.is_empty() || !audit.unlisted.is_empty() {
                let _ = writeln!(out, "\n#### Findings\n");
            }
            for f in findings {
                let claim = &model.claims[f.claim];
                let recipient = model.system(f.recipient);
                let mark = match (f.waiver.is_some(), f.verdict) {
                    (true, _) => "🔕",
                    (_, Verdict::Violated) => "❌",
                    (_, Verdict::Possible) => "⚠️",
                    (_, Verdict::Undetermined) => "❔",
                };
                let path: Vec<&str> = model.system_ids(&f.path);
                let flows: Vec<String> =
                    f.flows.iter().map(|id| code(&model.flow(*id).id)).collect();
                let last = model.flow(f.last_flow().expect("a finding has a hop")).span;
                let _ = writeln!(
                    out,
                    "- {mark} **{}** {}: {} reaches {} ({})  \n  path {} · flows {} · {}",
                    f.verdict.as_str(),
                    code(&claim.id),
                    code(model.fields.key(f.field)),
                    code(&recipient.id),
                    escape(&model.entity(model.party(f.recipient)).name),
                    code(&path.join(" → ")),
                    flows.join(", "),
                    code(&format!(
                        "{}:{}:{}",
                        run.sources.path(last.file),
                        last.line,
                        last.column
                    ))
                );
                if f.fields.len() > 1 {
                    let keys: Vec<String> = f.fields[1..]
                        .iter()
                        .map(|&k| code(model.fields.key(k)))
                        .collect();
                    let _ = writeln!(out, "  with {}", keys.join(", "));
                }
                if let Some(i) = f.waiver {
                    let _ = writeln!(out, "  waived: {}", escape(&model.waivers[i].reason));
                }
            }
            for r in &audit.claims {
                if let Some(note) = unlisted_note(r) {
                    let claim = &model.claims[r.claim].id;
                    let _ = writeln!(out, "- … {}: {}", code(claim), escape(&note));
                }
            }
            let judged = &audit.disclosures.judged;
            if !judged.is_empty() {
                let _ = writeln!(out, "\n#### Receipts\n");
                let _ = writeln!(out, "| entity | field | verdict | path | decided by |");
                let _ = writeln!(out, "|---|---|---|---|---|");
                for j in judged {
                    let r = &j.receipt;
                    let path: Vec<&str> = model.system_ids(&r.path);
                    let by: Vec<String> = j.by.iter().map(|s| code(s.id(model))).collect();
                    let collects =
                        if r.kind == crate::engine::disclosures::receipts::ReceiptKind::Collect {
                            " (collects)"
                        } else {
                            ""
                        };
                    let gap = j
                        .purpose_gap
                        .as_ref()
                        .map(|gap| format!(" ({})", escape(&describe_purpose_gap(model, gap))))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "| {}{collects} | {} | {}{gap} | {} | {} |",
                        escape(&model.entity_label(r.entity)),
                        code(model.fields.key(r.field)),
                        verdict_mark(j.verdict),
                        code(&path.join(" → ")),
                        by.join(", ")
                    );
                }
            }
        }
        out
    }
}
