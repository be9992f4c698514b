//! Whom a claim is about and what it exempts (SPEC §4.3, §5), in one place for the claims and
//! the disclosure verdicts that judge receipts against them.

use crate::model::{Claim, Flow, Model, Role, Scope, Selector};

/// Whether `claim` exempts `flow` (`exempt_conditions`, `processors_exempt`): its target is no
/// recipient through it for this claim, though reach continues past it (SPEC §5).
pub fn exempts(claim: &Claim, flow: &Flow) -> bool {
    (claim.processors_exempt && flow.role == Role::Processor)
        || flow
            .condition
            .as_ref()
            .is_some_and(|c| claim.exempt_conditions.contains(c))
}

/// The recipients a `no_share` or `no_expansion` claim is about (SPEC §4.3): its `with`, entity
/// ids widened to their group unless it states a scope, never the speaker. The flag says whether
/// the speaker fell inside and was left out.
pub fn recipients(model: &Model, claim: &Claim) -> (Vec<bool>, bool) {
    let mut chosen = model.select(&claim.with, claim.scope, Scope::Group);
    let self_excluded = std::mem::replace(&mut chosen[model.speaker().index()], false);
    (chosen, self_excluded)
}

/// `at`/`operators`: the speaker itself by default, widened by `default_scope` unless the claim
/// states a scope; listed selectors take the stated scope, else exact (SPEC §5).
pub fn speaker_selection(
    model: &Model,
    selectors: &[Selector],
    claim: &Claim,
    default_scope: Scope,
) -> Vec<bool> {
    if selectors.is_empty() {
        model.select(
            &[Selector::Entity(model.speaker())],
            claim.scope,
            default_scope,
        )
    } else {
        model.select(selectors, claim.scope, Scope::Exact)
    }
}
