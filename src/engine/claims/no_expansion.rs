//! `no_expansion`: against a base version of the policy, no field newly reaches a selected entity
//! (SPEC §5). Without a base version the claim is skipped; `audit --baseline BASE` supplies one.

use std::collections::BTreeMap;

use super::recipients;
use crate::engine::disclosures::Disclosures;
use crate::engine::disclosures::receipts::{Receipt, ReceiptKind};
use crate::engine::finding::{FindingHead, Verdict};
use crate::engine::graph::Certainty;
use crate::model::Model;

/// The share receipts of one version by (entity id, field key), with how surely each is made.
fn reach<'a>(
    model: &'a Model,
    disclosures: &'a Disclosures,
) -> BTreeMap<(&'a str, &'a str), Certainty> {
    let definite = disclosures.judged.iter().map(|j| &j.receipt);
    definite
        .chain(&disclosures.possible)
        .filter(|r| r.kind == ReceiptKind::Share)
        .map(|r| {
            (
                (
                    model.entity(r.entity).id.as_str(),
                    model.fields.key(r.field),
                ),
                r.certainty,
            )
        })
        .collect()
}

/// The findings of claim `claim` of `model`: every (entity, field) the receipts `now` have that
/// the base version's `base` do not, for a selected entity and a claimed field. A new definite
/// reach violates it; one that is only possible, in either version, makes it possible.
pub fn check(
    model: &Model,
    claim: usize,
    now: &Disclosures,
    base_model: &Model,
    base: &Disclosures,
) -> Vec<FindingHead> {
    let before = reach(base_model, base);
    let promise = &model.claims[claim];
    let (selection, _) = recipients(model, promise);
    let in_scope = |r: &Receipt| {
        r.kind == ReceiptKind::Share
            && selection[r.entity.index()]
            && (promise.fields.is_empty()
                || promise
                    .fields
                    .iter()
                    .any(|&y| model.fields.is_within(r.field, y)))
    };
    let definite = now.judged.iter().map(|j| &j.receipt);
    definite
        .chain(&now.possible)
        .filter(|r| in_scope(r))
        .filter_map(|r| {
            let key = (
                model.entity(r.entity).id.as_str(),
                model.fields.key(r.field),
            );
            let verdict = match (r.certainty, before.get(&key)) {
                (_, Some(Certainty::Definite)) => return None,
                (Certainty::Possible, Some(Certainty::Possible)) => return None,
                (Certainty::Definite, None) => Verdict::Violated,
                _ => Verdict::Possible,
            };
            Some(r.finding(claim, verdict))
        })
        .collect()
}
