//! The audit of one policy: reach, then receipts and their verdicts, then every claim; waivers
//! applied and statuses rolled up. Produces data only; `output` renders it.

use super::claims::{Checker, no_expansion};
use super::disclosures::verdict::{ConflictMode, DisclosureVerdict};
use super::disclosures::{self, Disclosures};
use super::finding::{Finding, Status, Verdict};
use super::reach::Tracer;
use super::waivers;
use crate::diagnostics::Diagnostic;
use crate::model::ClaimKind;
use crate::model::Model;
use crate::model::duration::Date;

/// Settings of an audit run.
#[derive(Clone, Copy, Debug)]
pub struct AuditOptions {
    /// The date waivers expire against.
    pub today: Date,
    pub conflict: ConflictMode,
    /// Waivers that match nothing are errors, and waiver errors fail the audit.
    pub strict: bool,
}

/// The result of one claim.
#[derive(Clone, Debug)]
pub struct ClaimResult {
    pub claim: usize,
    pub status: Status,
    pub findings: usize,
}

/// The audit of one policy.
#[derive(Clone, Debug)]
pub struct PolicyAudit<'m> {
    pub model: &'m Model,
    pub claims: Vec<ClaimResult>,
    pub findings: Vec<Finding>,
    /// Every receipt with its disclosure verdict, and the disclosures no receipt needs.
    pub disclosures: Disclosures,
    /// Waiver problems found while applying them: expired (error) and stale (warning).
    pub diagnostics: Vec<Diagnostic>,
    /// `--waivers` entries (by origin) that matched a finding of this policy.
    pub matched_external_waivers: Vec<usize>,
    /// The date waivers expired against.
    pub today: Date,
}

/// When the audit fails the build (SPEC §7 `--fail-on`): one ladder for claim statuses and
/// disclosure verdicts, most severe first; a threshold fails on itself and everything above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    Never,
    Undetermined,
    Vague,
    Ambiguous,
    Possible,
    Omitted,
    Incorrect,
    Violated,
}

impl FailOn {
    /// Where a claim status sits on the ladder (`None`: never fails).
    fn of_status(status: Status) -> Option<FailOn> {
        match status {
            Status::Violated => Some(FailOn::Violated),
            Status::Possible => Some(FailOn::Possible),
            Status::Undetermined => Some(FailOn::Undetermined),
            Status::Holds | Status::Waived | Status::Skipped => None,
        }
    }

    /// Where a disclosure verdict sits on the ladder (`None`: never fails).
    fn of_verdict(verdict: DisclosureVerdict) -> Option<FailOn> {
        match verdict {
            DisclosureVerdict::Incorrect => Some(FailOn::Incorrect),
            DisclosureVerdict::Omitted => Some(FailOn::Omitted),
            DisclosureVerdict::Ambiguous => Some(FailOn::Ambiguous),
            DisclosureVerdict::Vague => Some(FailOn::Vague),
            DisclosureVerdict::Clear => None,
        }
    }

    /// Whether one claim status reaches this threshold.
    pub fn fails_status(self, status: Status) -> bool {
        self != FailOn::Never && FailOn::of_status(status).is_some_and(|level| level >= self)
    }

    /// Whether one disclosure verdict reaches this threshold.
    pub fn fails_verdict(self, verdict: DisclosureVerdict) -> bool {
        self != FailOn::Never && FailOn::of_verdict(verdict).is_some_and(|level| level >= self)
    }
}

/// Audits one model. `today` decides which waivers have expired.
pub fn audit(model: &Model, options: AuditOptions) -> PolicyAudit<'_> {
    let mut tracer = Tracer::new(model);
    let disclosures = disclosures::judge(&mut tracer, options.conflict);
    let mut checker = Checker::new(&mut tracer, &disclosures);
    let mut claims = Vec::new();
    let mut findings = Vec::new();
    for index in 0..model.claims.len() {
        match checker.check(index) {
            None => claims.push(ClaimResult {
                claim: index,
                status: Status::Skipped,
                findings: 0,
            }),
            Some(found) => {
                claims.push(ClaimResult {
                    claim: index,
                    status: Status::Holds,
                    findings: found.len(),
                });
                findings.extend(found);
            }
        }
    }
    let (diagnostics, matched_external_waivers) =
        waivers::apply(model, &mut findings, options.today, options.strict);
    for result in &mut claims {
        if result.status != Status::Skipped {
            result.status = status(findings.iter().filter(|f| f.claim == result.claim));
        }
    }
    PolicyAudit {
        model,
        claims,
        findings,
        disclosures,
        diagnostics,
        matched_external_waivers,
        today: options.today,
    }
}

/// A claim's status from its findings: the worst verdict not waived; `waived` when every finding
/// is; `holds` when there are none.
fn status<'f>(findings: impl Iterator<Item = &'f Finding>) -> Status {
    let (mut worst, mut any_waived) = (None::<Verdict>, false);
    for f in findings {
        if f.waiver.is_some() {
            any_waived = true;
        } else {
            worst = worst.max(Some(f.verdict));
        }
    }
    match (worst, any_waived) {
        (Some(v), _) => v.into(),
        (None, true) => Status::Waived,
        (None, false) => Status::Holds,
    }
}

impl PolicyAudit<'_> {
    pub fn count(&self, status: Status) -> usize {
        self.claims.iter().filter(|c| c.status == status).count()
    }

    /// Evaluates the `no_expansion` claims against the receipts of a base version
    /// (`audit --baseline BASE`), which were skipped without one.
    pub fn apply_no_expansion(&mut self, base: &PolicyAudit) {
        let model = self.model;
        for (index, claim) in model.claims.iter().enumerate() {
            if claim.kind != ClaimKind::NoExpansion {
                continue;
            }
            let mut found = no_expansion::check(
                model,
                index,
                &self.disclosures,
                base.model,
                &base.disclosures,
            );
            for finding in &mut found {
                finding.waiver = waivers::first_match(model, finding, self.today);
            }
            let result = self
                .claims
                .iter_mut()
                .find(|r| r.claim == index)
                .expect("every claim has a result");
            result.findings = found.len();
            result.status = status(found.iter());
            self.findings.extend(found);
        }
    }
}
