//! Waivers (SPEC §5): which findings a waiver covers, expiry against today's date, and the
//! diagnostics of waivers that expired or match nothing.

use super::finding::FindingHead;
use crate::diagnostics::{Diagnostic, Span};
use crate::model::duration::Date;
use crate::model::{ClaimKind, Scope};
use crate::model::{Model, Waiver};

pub fn matches(model: &Model, waiver: &Waiver, finding: &FindingHead) -> bool {
    if waiver.claim.is_some_and(|c| c != finding.claim) {
        return false;
    }
    if let Some(flow) = waiver.flow
        && !finding.route.flows(model).contains(&flow)
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
        let party = model.party(finding.recipient);
        if !model.select(std::slice::from_ref(selector), None, Scope::Exact)[party.index()] {
            return false;
        }
    }
    true
}

/// The first waiver that has not expired by `today` and covers `finding`.
pub fn first_match(model: &Model, finding: &FindingHead, today: Date) -> Option<usize> {
    model
        .waivers
        .iter()
        .position(|w| w.expires.is_none_or(|e| e >= today) && matches(model, w, finding))
}

/// `claim `x`` or `every claim`, for messages about a waiver.
pub fn subject_of(model: &Model, waiver: &Waiver) -> String {
    match waiver.claim {
        Some(c) => format!("claim `{}`", model.claims[c].id),
        None => "every claim".to_owned(),
    }
}

pub fn expired_diagnostic(subject: &str, expires: Date, span: Span) -> Diagnostic {
    Diagnostic::error(
        "privflow::waiver::expired",
        format!("waiver of {subject} expired on {expires}; its findings count again"),
    )
    .at(span, format!("expired {expires}"))
    .with_help("fix the flow, or renew the waiver with a new `expires` date and a reason")
}

pub fn stale_diagnostic(subject: &str, span: Span, strict: bool) -> Diagnostic {
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
pub fn apply(
    model: &Model,
    findings: &mut [FindingHead],
    today: Date,
    strict: bool,
) -> (Vec<Diagnostic>, Vec<usize>) {
    let mut diagnostics = Vec::new();
    let mut matched_origins = Vec::new();
    for (index, waiver) in model.waivers.iter().enumerate() {
        let subject = subject_of(model, waiver);
        if let Some(expires) = waiver.expires
            && expires < today
        {
            if waiver.origin.is_none() {
                diagnostics.push(expired_diagnostic(&subject, expires, waiver.span));
            }
            continue;
        }
        let mut matched = false;
        for finding in findings.iter_mut() {
            if finding.waiver.is_none() && matches(model, waiver, finding) {
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
                diagnostics.push(stale_diagnostic(&subject, waiver.span, strict))
            }
            _ => {}
        }
    }
    (diagnostics, matched_origins)
}
