//! Output formats of `privflow audit`, behind one trait: adding a format is adding one file.
//! Renderers read audit data and return text; they never decide verdicts.

pub mod document;
pub mod explain;
pub mod export;
pub mod github;
pub mod html;
mod json;
mod junit;
pub mod markdown;
mod sarif;
pub mod schema;
mod table;

pub use github::Github;
pub(crate) use json::Document as JsonDocument;
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::Sarif;
pub use table::Table;

use crate::diagnostics::Sources;
use crate::engine::audit::PolicyAudit;
use crate::engine::finding::{Finding, Note, Status};
use crate::model::Model;

/// Everything a renderer may show: the files read, and one audit per policy.
pub struct AuditRun<'a> {
    pub sources: &'a Sources,
    pub audits: Vec<PolicyAudit<'a>>,
    /// Load warnings and waiver problems, sorted.
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
    /// The comparison with a baseline, when the audit was given one.
    pub baseline: Option<crate::baseline::Comparison>,
    /// Under `--strict`, waiver errors (expired, matching nothing) fail the audit.
    pub strict: bool,
}

impl AuditRun<'_> {
    /// Whether any policy fails the `--fail-on` threshold: a finding that is not waived, or a
    /// receipt, at or above it — and, with a baseline, not accepted by the baseline.
    pub fn fails(&self, threshold: crate::FailOn) -> bool {
        let waiver_errors = self
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code.starts_with("privflow::waiver::"));
        if self.strict && waiver_errors {
            return true;
        }
        let accepted = |id: String| {
            self.baseline
                .as_ref()
                .is_some_and(|b| b.accepted.contains(&id))
        };
        self.audits.iter().any(|a| {
            let findings = a.findings.iter().any(|f| {
                f.waiver.is_none()
                    && threshold.fails_status(f.verdict.into())
                    && !accepted(f.fingerprint(a.model))
            });
            findings
                || a.disclosures.judged.iter().any(|j| {
                    threshold.fails_verdict(j.verdict) && !accepted(j.fingerprint(a.model))
                })
        })
    }

    pub fn count(&self, status: Status) -> usize {
        self.audits.iter().map(|a| a.count(status)).sum()
    }

    pub fn claims(&self) -> usize {
        self.audits.iter().map(|a| a.claims.len()).sum()
    }
}

pub trait Report {
    fn render(&self, run: &AuditRun) -> String;
}

/// Findings of a policy in reading order: worst verdict first, then claim order, then recipient.
pub fn ordered<'a>(audit: &'a PolicyAudit) -> Vec<&'a Finding> {
    let mut findings: Vec<&Finding> = audit.findings.iter().collect();
    findings.sort_by_key(|f| {
        (
            f.waiver.is_some(),
            std::cmp::Reverse(f.verdict),
            f.claim,
            f.claim_field,
            f.recipient,
        )
    });
    findings
}

/// A note in words, for people.
pub fn describe_note(model: &Model, note: &Note) -> String {
    match note {
        Note::SelfExcluded => {
            "self_excluded: the speaker is inside the claim's scope and is not its own recipient"
                .into()
        }
        Note::Retention(Some(r)) => format!("retention: {r}"),
        Note::Retention(None) => "retention: unspecified".into(),
        Note::DisallowedPurposes(p) => {
            let keys: Vec<&str> = p.iter().map(|&p| model.purposes.key(p)).collect();
            format!("purposes outside the promise: {}", keys.join(", "))
        }
        Note::NoPurpose => "the flow declares no purpose".into(),
    }
}
