//! The audit: every claim of every policy checked, waivers applied, statuses rolled up.
//! Produces data only; `report` renders it.

use std::rc::Rc;

use crate::diagnostics::Diagnostic;
use crate::engine::claims::{Checker, Disclosures};
use crate::engine::disclosures::verdict::{ConflictMode, DisclosureVerdict};
use crate::engine::finding::{Finding, Status, Verdict};
use crate::model::duration::Date;
use crate::model::raw::{ClaimKind, Scope};
use crate::model::{Model, Waiver};

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
    pub disclosures: Rc<Disclosures>,
    /// Waiver problems found while applying them: expired (error) and stale (warning).
    pub diagnostics: Vec<Diagnostic>,
    /// `--waivers` entries (by origin) that matched a finding of this policy.
    pub matched_external_waivers: Vec<usize>,
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
    let mut checker = Checker::new(model, options.conflict);
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
    let (diagnostics, matched_external_waivers) = apply_waivers(model, &mut findings, options);
    for result in &mut claims {
        if result.status == Status::Skipped {
            continue;
        }
        let own = findings.iter().filter(|f| f.claim == result.claim);
        let (mut worst, mut any_waived) = (None::<Verdict>, false);
        for f in own {
            if f.waiver.is_some() {
                any_waived = true;
            } else {
                worst = worst.max(Some(f.verdict));
            }
        }
        result.status = match (worst, any_waived) {
            (Some(v), _) => v.into(),
            (None, true) => Status::Waived,
            (None, false) => Status::Holds,
        };
    }
    let disclosures = checker.disclosures();
    PolicyAudit {
        model,
        claims,
        findings,
        disclosures,
        diagnostics,
        matched_external_waivers,
    }
}

impl PolicyAudit<'_> {
    pub fn count(&self, status: Status) -> usize {
        self.claims.iter().filter(|c| c.status == status).count()
    }
}

fn waiver_matches(model: &Model, waiver: &Waiver, finding: &Finding) -> bool {
    if waiver.claim.is_some_and(|c| c != finding.claim) {
        return false;
    }
    if let Some(flow) = waiver.flow
        && !finding.flows.contains(&flow)
    {
        return false;
    }
    if let Some(field) = waiver.field
        && !model.fields.is_within(finding.field, field)
        && !model.fields.is_within(finding.claim_field, field)
    {
        return false;
    }
    if let Some(selector) = &waiver.recipient {
        let operator = model.system(finding.recipient).operator;
        if !model.select(std::slice::from_ref(selector), Scope::Exact)[operator.index()] {
            return false;
        }
    }
    true
}

/// `claim `x`` or `every claim`, for messages about a waiver.
pub fn waiver_subject(model: &Model, waiver: &Waiver) -> String {
    match waiver.claim {
        Some(c) => format!("claim `{}`", model.claims[c].id),
        None => "every claim".to_owned(),
    }
}

pub fn expired_diagnostic(
    subject: &str,
    expires: Date,
    span: crate::diagnostics::Span,
) -> Diagnostic {
    Diagnostic::error(
        "privflow::waiver::expired",
        format!("waiver of {subject} expired on {expires}; its findings count again"),
    )
    .at(span, format!("expired {expires}"))
    .with_help("fix the flow, or renew the waiver with a new `expires` date and a reason")
}

pub fn stale_diagnostic(subject: &str, span: crate::diagnostics::Span, strict: bool) -> Diagnostic {
    let message = format!("waiver of {subject} matches no finding");
    let d = if strict {
        Diagnostic::error("privflow::waiver::unmatched", message)
    } else {
        Diagnostic::warning("privflow::waiver::unmatched", message)
    };
    d.at(span, "waives nothing")
        .with_help("the finding it covered is gone: remove the waiver")
}

/// Marks waived findings. The model's own waivers get their diagnostics here (expired: error,
/// matching nothing: warning, or error under `strict`); waivers from `--waivers` files report
/// only which of them matched, since they are judged across every policy.
fn apply_waivers(
    model: &Model,
    findings: &mut [Finding],
    options: AuditOptions,
) -> (Vec<Diagnostic>, Vec<usize>) {
    let mut diagnostics = Vec::new();
    let mut matched_origins = Vec::new();
    for (index, waiver) in model.waivers.iter().enumerate() {
        let subject = waiver_subject(model, waiver);
        if let Some(expires) = waiver.expires
            && expires < options.today
        {
            if waiver.origin.is_none() {
                diagnostics.push(expired_diagnostic(&subject, expires, waiver.span));
            }
            continue;
        }
        let mut matched = false;
        for finding in findings.iter_mut() {
            if finding.waiver.is_none() && waiver_matches(model, waiver, finding) {
                finding.waiver = Some(index);
                matched = true;
            }
        }
        let skipped_kind = waiver
            .claim
            .is_some_and(|c| model.claims[c].kind == ClaimKind::NoExpansion);
        match waiver.origin {
            Some(origin) if matched => matched_origins.push(origin),
            None if !matched && !skipped_kind => {
                diagnostics.push(stale_diagnostic(&subject, waiver.span, options.strict))
            }
            _ => {}
        }
    }
    (diagnostics, matched_origins)
}

/// Evaluates the `no_expansion` claims of `audit` against the receipts of a base version
/// (`audit --baseline BASE`): every field that newly reaches a selected entity is a violation.
pub fn apply_no_expansion(audit: &mut PolicyAudit, base: &PolicyAudit) {
    let model = audit.model;
    let base_model = base.model;
    let before: std::collections::BTreeSet<(String, String)> = base
        .disclosures
        .judged
        .iter()
        .filter(|j| j.receipt.kind == crate::engine::disclosures::receipts::ReceiptKind::Share)
        .map(|j| {
            (
                base_model.entity(j.receipt.entity).id.clone(),
                base_model.fields.key(j.receipt.field).to_owned(),
            )
        })
        .collect();
    for (index, claim) in model
        .claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ClaimKind::NoExpansion)
    {
        let mut selection = model.select(&claim.with, claim.scope.unwrap_or(Scope::Group));
        selection[model.speaker().index()] = false;
        let mut found = Vec::new();
        for j in
            audit.disclosures.judged.iter().filter(|j| {
                j.receipt.kind == crate::engine::disclosures::receipts::ReceiptKind::Share
            })
        {
            let r = &j.receipt;
            let key = (
                model.entity(r.entity).id.clone(),
                model.fields.key(r.field).to_owned(),
            );
            let in_scope = claim.fields.is_empty()
                || claim
                    .fields
                    .iter()
                    .any(|&y| model.fields.is_within(r.field, y));
            if !selection[r.entity.index()] || !in_scope || before.contains(&key) {
                continue;
            }
            let mut finding = r.finding(index, Verdict::Violated);
            finding.waiver = model
                .waivers
                .iter()
                .position(|w| waiver_matches(model, w, &finding));
            found.push(finding);
        }
        let result = audit
            .claims
            .iter_mut()
            .find(|r| r.claim == index)
            .expect("every claim has a result");
        result.findings = found.len();
        let worst = found
            .iter()
            .filter(|f| f.waiver.is_none())
            .map(|f| f.verdict)
            .max();
        result.status = match (worst, found.is_empty()) {
            (Some(v), _) => v.into(),
            (None, false) => Status::Waived,
            (None, true) => Status::Holds,
        };
        audit.findings.extend(found);
    }
}
