//! `no_expansion`: against a base version of the policy, no field newly reaches a selected entity
//! (SPEC §5). Without a base version the claim is skipped; `audit --baseline BASE` supplies one.

use crate::engine::disclosures::Disclosures;
use crate::engine::disclosures::receipts::ReceiptKind;
use crate::engine::finding::{Finding, Verdict};
use crate::model::Model;
use crate::model::Scope;

/// The findings of claim `claim` of `model`: every (entity, field) of the receipts `now` that the
/// receipts `base` of the base version do not have, for a selected entity and a claimed field.
pub fn check(
    model: &Model,
    claim: usize,
    now: &Disclosures,
    base_model: &Model,
    base: &Disclosures,
) -> Vec<Finding> {
    let before: std::collections::BTreeSet<(&str, &str)> = base
        .judged
        .iter()
        .filter(|j| j.receipt.kind == ReceiptKind::Share)
        .map(|j| {
            (
                base_model.entity(j.receipt.entity).id.as_str(),
                base_model.fields.key(j.receipt.field),
            )
        })
        .collect();
    let promise = &model.claims[claim];
    let mut selection = model.select(&promise.with, promise.scope.unwrap_or(Scope::Group));
    selection[model.speaker().index()] = false;
    now.judged
        .iter()
        .map(|j| &j.receipt)
        .filter(|r| r.kind == ReceiptKind::Share && selection[r.entity.index()])
        .filter(|r| {
            promise.fields.is_empty()
                || promise
                    .fields
                    .iter()
                    .any(|&y| model.fields.is_within(r.field, y))
        })
        .filter(|r| {
            !before.contains(&(
                model.entity(r.entity).id.as_str(),
                model.fields.key(r.field),
            ))
        })
        .map(|r| r.finding(claim, Verdict::Violated))
        .collect()
}
