//! The audit of a whole workspace: every policy audited, waivers of `--waivers` files judged
//! across policies, diagnostics gathered, and the `--fail-on` gate over the result.

use super::audit::{self, AuditOptions, FailOn, PolicyAudit};
use super::finding::Status;
use super::waivers;
use crate::diagnostics::{self, Diagnostic, Sources};
use crate::model::loader::Workspace;

/// Everything a renderer may show: the files read, and one audit per policy.
pub struct AuditRun<'a> {
    pub sources: &'a Sources,
    pub audits: Vec<PolicyAudit<'a>>,
    /// Load warnings and waiver problems, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Under `--strict`, waiver errors (expired, matching nothing) fail the audit.
    pub strict: bool,
}

/// Audits every policy of a loaded workspace into a run that any report can render.
pub fn audit_workspace(workspace: &Workspace, options: AuditOptions) -> AuditRun<'_> {
    let mut run_budget = options.listing.per_run;
    let audits: Vec<_> = workspace
        .models
        .iter()
        .map(|m| audit::audit_within(m, options, &mut run_budget))
        .collect();
    let mut diagnostics = workspace.warnings.clone();
    for a in &audits {
        diagnostics.extend(a.diagnostics.iter().cloned());
    }
    // Waivers from `--waivers` files are judged across every policy: expired once, and stale
    // only when no policy has a finding they match.
    for (origin, waiver) in workspace.external_waivers.iter().enumerate() {
        let subject = if waiver.claim == "*" {
            "every claim".to_owned()
        } else {
            format!("claim `{}`", waiver.claim)
        };
        match waiver.expires {
            Some(expires) if expires < options.today => {
                diagnostics.push(waivers::expired_diagnostic(&subject, expires, waiver.span));
            }
            _ if !audits
                .iter()
                .any(|a| a.matched_external_waivers.contains(&origin)) =>
            {
                diagnostics.push(waivers::stale_diagnostic(
                    &subject,
                    waiver.span,
                    options.strict,
                ));
            }
            _ => {}
        }
    }
    diagnostics::sort(&mut diagnostics);
    AuditRun {
        sources: &workspace.sources,
        audits,
        diagnostics,
        strict: options.strict,
    }
}

impl AuditRun<'_> {
    /// Evaluates every `no_expansion` claim against the base version's audit of the same
    /// policy (by id; a base of one policy stands for any), as `audit` and `report` with
    /// `--baseline BASE` do.
    pub fn apply_base(&mut self, base: &AuditRun) {
        let only = match base.audits.as_slice() {
            [one] => Some(one),
            _ => None,
        };
        for audit in &mut self.audits {
            let same = base
                .audits
                .iter()
                .find(|b| b.model.policy.id == audit.model.policy.id);
            if let Some(base) = same.or(only) {
                audit.apply_no_expansion(base);
            }
        }
    }

    /// Whether any policy fails the `--fail-on` threshold: a finding that is not waived, or a
    /// receipt, at or above it — unless `accepted` (a baseline) accepts its (policy, fingerprint).
    pub fn fails(&self, threshold: FailOn, accepted: impl Fn(&str, &str) -> bool) -> bool {
        let waiver_errors = self
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code.starts_with("privflow::waiver::"));
        if self.strict && waiver_errors {
            return true;
        }
        self.audits.iter().any(|a| {
            let findings = a.heads().any(|f| {
                f.waiver.is_none()
                    && threshold.fails_status(f.verdict.into())
                    && !accepted(&a.model.policy.id, &f.fingerprint(a.model))
            });
            findings
                || a.disclosures.judged.iter().any(|j| {
                    threshold.fails_verdict(j.verdict)
                        && !accepted(&a.model.policy.id, &j.fingerprint(a.model))
                })
        })
    }

    pub fn count(&self, status: Status) -> usize {
        self.audits.iter().map(|a| a.count(status)).sum()
    }

    /// Findings counted but not listed, over every policy.
    pub fn unlisted(&self) -> usize {
        self.audits.iter().map(|a| a.unlisted.len()).sum()
    }

    pub fn claims(&self) -> usize {
        self.audits.iter().map(|a| a.claims.len()).sum()
    }
}
