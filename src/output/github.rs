//! `--format github`: workflow-command annotations on the YAML lines that break promises, most
//! severe first, within GitHub's limit of ten per level and step; the rest in one summary notice.

use super::{AuditRun, Report, ordered, unlisted_note};
use crate::baseline::Comparison;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::Verdict;

pub struct Github;

/// GitHub shows at most this many annotations of each level per step.
const PER_LEVEL: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

struct Annotation {
    level: Level,
    file: String,
    line: u32,
    column: u32,
    title: String,
    message: String,
}

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`) of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotations(run: &AuditRun) -> Vec<Annotation> {
    let mut out = Vec::new();
    for audit in &run.audits {
        let model = audit.model;
        for f in ordered(audit).into_iter().filter(|f| f.waiver.is_none()) {
            let claim = &model.claims[f.claim];
            let last = model.flow(f.last_flow().expect("a finding has a hop"));
            let recipient = model.system(f.recipient);
            let path: Vec<&str> = model.system_ids(&f.path);
            let promise = claim
                .text
                .as_deref()
                .map(|t| format!("\n\"{t}\""))
                .unwrap_or_default();
            out.push(Annotation {
                level: match f.verdict {
                    Verdict::Violated => Level::Error,
                    Verdict::Possible => Level::Warning,
                    Verdict::Undetermined => Level::Notice,
                },
                file: run.sources.path(last.span.file).to_owned(),
                line: last.span.line,
                column: last.span.column,
                title: format!(
                    "privflow: {} ({}) {}",
                    claim.id,
                    claim.kind.as_str(),
                    f.verdict.as_str()
                ),
                message: format!(
                    "{} reaches {} ({}) via {}{promise}",
                    model.fields.key(f.field),
                    recipient.id,
                    model.entity(model.party(f.recipient)).name,
                    path.join(" → ")
                ),
            });
        }
        for result in &audit.claims {
            let Some(note) = unlisted_note(result) else {
                continue;
            };
            let claim = &model.claims[result.claim];
            out.push(Annotation {
                level: Level::Notice,
                file: run.sources.path(claim.span.file).to_owned(),
                line: claim.span.line,
                column: claim.span.column,
                title: format!("privflow: {} ({})", claim.id, claim.kind.as_str()),
                message: note,
            });
        }
        for j in &audit.disclosures.judged {
            let level = match j.verdict {
                DisclosureVerdict::Incorrect => Level::Error,
                DisclosureVerdict::Omitted | DisclosureVerdict::Ambiguous => Level::Warning,
                DisclosureVerdict::Vague => Level::Notice,
                DisclosureVerdict::Clear => continue,
            };
            let r = &j.receipt;
            let last = model.flow(*r.flows.last().expect("a receipt has a hop"));
            let path: Vec<&str> = model.system_ids(&r.path);
            out.push(Annotation {
                level,
                file: run.sources.path(last.span.file).to_owned(),
                line: last.span.line,
                column: last.span.column,
                title: format!("privflow: disclosure {}", j.verdict.as_str()),
                message: format!(
                    "{} {} {} via {}",
                    model.entity_label(r.entity),
                    r.kind.verb(),
                    model.fields.key(r.field),
                    path.join(" → ")
                ),
            });
        }
    }
    // Most severe first; the order within a level is the report's order.
    out.sort_by_key(|a| a.level);
    out
}

impl Report for Github {
    fn render_against(&self, run: &AuditRun, _: Option<&Comparison>) -> String {
        let all = annotations(run);
        let mut shown = [0usize; 3];
        let mut hidden = Vec::new();
        let overflow = [Level::Error, Level::Warning, Level::Notice]
            .iter()
            .any(|&l| all.iter().filter(|a| a.level == l).count() > PER_LEVEL);
        let mut out = String::new();
        for a in &all {
            let slot = a.level as usize;
            // Keep one notice free for the summary of what did not fit.
            let cap = if overflow && a.level == Level::Notice {
                PER_LEVEL - 1
            } else {
                PER_LEVEL
            };
            if shown[slot] >= cap {
                hidden.push(a.level);
                continue;
            }
            shown[slot] += 1;
            out.push_str(&format!(
                "::{} file={},line={},col={},title={}::{}\n",
                a.level.command(),
                escape_property(&a.file),
                a.line,
                a.column,
                escape_property(&a.title),
                escape_data(&a.message)
            ));
        }
        if !hidden.is_empty() {
            let count = |l: Level| hidden.iter().filter(|&&h| h == l).count();
            out.push_str(&format!(
                "::notice title=privflow::{} more results not annotated ({} errors, {} warnings, {} notices); see the job summary or run privflow audit locally\n",
                hidden.len(),
                count(Level::Error),
                count(Level::Warning),
                count(Level::Notice)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_workflow_commands_reserve() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
