//! `--format table`: one row per claim with its status, then every finding with its path,
//! written for a reviewer at a terminal (colour only when stdout is one).

use std::fmt::Write;

use comfy_table::{Cell, Color, ContentArrangement, presets};

use super::{AuditRun, Report, describe_note, describe_purpose_gap, ordered, unlisted_note};
use crate::baseline::Comparison;
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::receipts::ReceiptKind;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::{Finding, Status, Verdict};
use crate::model::Model;

pub struct Table {
    pub color: bool,
    /// Terminal width; `None` renders at a fixed width so files and snapshots are stable.
    pub width: Option<u16>,
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Violated => Color::Red,
        Status::Possible => Color::Yellow,
        Status::Undetermined => Color::Magenta,
        Status::Holds => Color::Green,
        Status::Waived | Status::Skipped => Color::DarkGrey,
    }
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Violated => "✗",
        Verdict::Possible => "?",
        Verdict::Undetermined => "…",
    }
}

impl Table {
    fn paint(&self, text: &str, color: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn finding(&self, out: &mut String, run: &AuditRun, model: &Model, f: &Finding) {
        let recipient = model.system(f.recipient);
        let verdict = if f.waiver.is_some() {
            format!("{} (waived)", f.verdict.as_str())
        } else {
            f.verdict.as_str().to_owned()
        };
        let color = match (f.waiver.is_some(), f.verdict) {
            (true, _) => "90",
            (_, Verdict::Violated) => "31",
            (_, Verdict::Possible) => "33",
            (_, Verdict::Undetermined) => "35",
        };
        let _ = writeln!(
            out,
            "    {} {}  {} reaches {} ({})",
            self.paint(mark(f.verdict), color),
            self.paint(&verdict, color),
            model.fields.key(f.field),
            recipient.id,
            model.entity(model.party(f.recipient)).name,
        );
        if f.fields.len() > 1 {
            let keys: Vec<&str> = f.fields[1..].iter().map(|&k| model.fields.key(k)).collect();
            let _ = writeln!(out, "        with   {}", keys.join(", "));
        }
        let path: Vec<&str> = model.system_ids(&f.path);
        let reach = if f.direct { "direct" } else { "indirect" };
        let hops = if f.hops() == 1 {
            "1 hop".to_owned()
        } else {
            format!("{} hops", f.hops())
        };
        let _ = writeln!(
            out,
            "        path   {}  ({hops}, {reach}, {})",
            path.join(" → "),
            f.certainty.as_str()
        );
        let flows: Vec<&str> = f
            .flows
            .iter()
            .map(|id| model.flow(*id).id.as_str())
            .collect();
        let _ = writeln!(out, "        flows  {}", flows.join(", "));
        if let Some(last) = f.last_flow() {
            let span = model.flow(last).span;
            let _ = writeln!(
                out,
                "        at     {}:{}:{}",
                run.sources.path(span.file),
                span.line,
                span.column
            );
        }
        for note in &f.notes {
            let _ = writeln!(out, "        note   {}", describe_note(model, note));
        }
        if let Some(i) = f.waiver {
            let w = &model.waivers[i];
            let owner = w
                .owner
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default();
            let _ = writeln!(out, "        waived {}{owner}", w.reason);
        }
    }
}

fn verdict_color(verdict: DisclosureVerdict) -> &'static str {
    match verdict {
        DisclosureVerdict::Clear => "32",
        DisclosureVerdict::Vague | DisclosureVerdict::Ambiguous => "33",
        DisclosureVerdict::Omitted | DisclosureVerdict::Incorrect => "31",
    }
}

impl Table {
    /// Who receives what, grouped by entity, with what the policy says about each receipt.
    fn receipts(&self, out: &mut String, audit: &PolicyAudit) {
        let model = audit.model;
        let judged = &audit.disclosures.judged;
        if judged.is_empty() {
            return;
        }
        let _ = writeln!(out, "receipts:");
        let width = judged
            .iter()
            .map(|j| model.fields.key(j.receipt.field).len())
            .max()
            .unwrap_or(0);
        let mut current = None;
        for j in judged {
            let r = &j.receipt;
            if current != Some((r.entity, r.kind)) {
                current = Some((r.entity, r.kind));
                let role = match r.kind {
                    ReceiptKind::Share => "receives",
                    ReceiptKind::Collect => "collects (first party)",
                };
                let _ = writeln!(
                    out,
                    "  {} {role}",
                    self.paint(&model.entity_label(r.entity), "1")
                );
            }
            let verdict = format!("{:<9}", j.verdict.as_str());
            let path: Vec<&str> = model.system_ids(&r.path);
            let by = if j.by.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = j.by.iter().map(|s| s.id(model)).collect();
                format!("  by {}", ids.join(", "))
            };
            let _ = writeln!(
                out,
                "    {} {:<width$}  {}{by}",
                self.paint(&verdict, verdict_color(j.verdict)),
                model.fields.key(r.field),
                path.join(" → "),
            );
            if let Some(gap) = &j.purpose_gap {
                let _ = writeln!(
                    out,
                    "    {:<9} {:<width$}  {}",
                    "",
                    "",
                    describe_purpose_gap(model, gap)
                );
            }
        }
        if !audit.disclosures.over.is_empty() {
            let ids: Vec<&str> = audit
                .disclosures
                .over
                .iter()
                .map(|&i| model.disclosures[i].id.as_str())
                .collect();
            let _ = writeln!(out, "  disclosed but never received: {}", ids.join(", "));
        }
    }
}

impl Report for Table {
    fn render_against(&self, run: &AuditRun, baseline: Option<&Comparison>) -> String {
        let mut out = String::new();
        for audit in &run.audits {
            let model = audit.model;
            let policy = &model.policy;
            let title = policy.title.as_deref().unwrap_or(&policy.id);
            let version = policy
                .version
                .as_deref()
                .map(|v| format!(" ({v})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{} — {title}{version}, speaker {}",
                self.paint(&policy.id, "1"),
                model.entity_label(model.speaker())
            );
            let mut table = comfy_table::Table::new();
            table.load_style(presets::UTF8_FULL_CONDENSED);
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(self.width.unwrap_or(110));
            if self.color {
                table.enforce_styling();
            } else {
                table.force_no_tty();
            }
            table.set_header(vec!["claim", "kind", "status", "findings"]);
            for result in &audit.claims {
                let claim = &model.claims[result.claim];
                let mut status = Cell::new(result.status.as_str());
                if self.color {
                    status = status.fg(status_color(result.status));
                }
                table.add_row(vec![
                    Cell::new(&claim.id),
                    Cell::new(claim.kind.as_str()),
                    status,
                    Cell::new(result.findings),
                ]);
            }
            if audit.claims.is_empty() {
                let _ = writeln!(out, "  no claims to check");
            } else {
                let _ = writeln!(out, "{table}");
            }
            let findings = ordered(audit);
            if !findings.is_empty() {
                let _ = writeln!(out, "findings:");
            }
            for result in audit.claims.iter().filter(|r| r.findings > 0) {
                let claim = &model.claims[result.claim];
                let text = claim
                    .text
                    .as_deref()
                    .map(|t| format!(" — \"{t}\""))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} ({}){text}",
                    self.paint(&claim.id, "1"),
                    claim.kind.as_str()
                );
                for f in findings.iter().filter(|f| f.claim == result.claim) {
                    self.finding(&mut out, run, model, f);
                }
                if let Some(note) = unlisted_note(result) {
                    let _ = writeln!(out, "    {}", self.paint(&format!("… {note}"), "90"));
                }
            }
            self.receipts(&mut out, audit);
            out.push('\n');
        }
        let summary = [
            Status::Violated,
            Status::Possible,
            Status::Undetermined,
            Status::Holds,
            Status::Waived,
            Status::Skipped,
        ]
        .iter()
        .filter_map(|&s| {
            let n = run.count(s);
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ");
        let policies = if run.audits.len() == 1 {
            "1 policy".to_owned()
        } else {
            format!("{} policies", run.audits.len())
        };
        let claims = if run.claims() == 1 {
            "1 claim".to_owned()
        } else {
            format!("{} claims", run.claims())
        };
        // Receipts, worst verdict first.
        let judged: Vec<DisclosureVerdict> = run
            .audits
            .iter()
            .flat_map(|a| a.disclosures.judged.iter().map(|j| j.verdict))
            .collect();
        let receipts = [
            DisclosureVerdict::Incorrect,
            DisclosureVerdict::Omitted,
            DisclosureVerdict::Ambiguous,
            DisclosureVerdict::Vague,
            DisclosureVerdict::Clear,
        ]
        .iter()
        .filter_map(|&v| {
            let n = judged.iter().filter(|&&j| j == v).count();
            (n > 0).then(|| format!("{n} {}", v.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ");
        let receipts = match judged.len() {
            0 => String::new(),
            1 => format!("; 1 receipt: {receipts}"),
            n => format!("; {n} receipts: {receipts}"),
        };
        let summary = if summary.is_empty() {
            String::new()
        } else {
            format!(": {summary}")
        };
        let _ = writeln!(out, "{policies}, {claims}{summary}{receipts}");
        if let Some(b) = baseline {
            let resolved: Vec<String> = b
                .resolved
                .iter()
                .map(|e| format!("[{}] {} {} at {}", e.policy, e.check, e.field, e.recipient))
                .collect();
            let list = if resolved.is_empty() {
                String::new()
            } else {
                format!(": {}", resolved.join("; "))
            };
            let _ = writeln!(
                out,
                "baseline: {} accepted, {} new, {} resolved{list}",
                b.matched,
                b.new,
                b.resolved.len()
            );
        }
        match self.width {
            Some(width) => wrap(&out, usize::from(width)),
            None => out,
        }
    }
}

/// Wraps every line wider than `width` at spaces, continuing under the text it wraps: past a
/// detail label (`path   `, `flows  `) or two columns in. Colour codes take no width.
fn wrap(text: &str, width: usize) -> String {
    let visible = |s: &str| {
        let mut n = 0;
        let mut escape = false;
        for c in s.chars() {
            match (escape, c) {
                (false, '\x1b') => escape = true,
                (true, 'm') => escape = false,
                (true, _) => {}
                (false, _) => n += 1,
            }
        }
        n
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if visible(line) <= width || line.starts_with(['┌', '│', '╞', '├', '└']) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let label = line[lead..]
            .split_once("  ")
            .filter(|(word, _)| word.len() <= 6 && !word.contains(' '))
            .map_or(2, |(word, rest)| {
                word.len() + 2 + (rest.len() - rest.trim_start().len())
            });
        let indent = " ".repeat((lead + label).min(width / 2));
        let mut current = line[..lead].to_owned();
        for word in line[lead..].split(' ') {
            let fits = visible(&current) + 1 + visible(word) <= width;
            if current.trim().is_empty() || fits {
                if !current.trim().is_empty() {
                    current.push(' ');
                }
                current.push_str(word);
            } else {
                out.push_str(current.trim_end());
                out.push('\n');
                current = format!("{indent}{word}");
            }
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}
