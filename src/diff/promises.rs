//! The diff of the policy's own words: claims (removed, weakened, strengthened, added) and
//! disclosures (added, changed, removed), by id.

use std::collections::BTreeSet;

use super::Check;
use super::changes::{Changes, Pair, field_keys, pair_by_id};
use crate::engine::scope::recipients;
use crate::model::taxonomy::TaxonId;
use crate::model::{Claim, Disclosure, Model, Selector, Statement};

pub fn claims(changes: &mut Changes) {
    let (b, r) = changes.models();
    let quote = |c: &Claim| {
        c.text
            .as_deref()
            .map(|t| format!(" (\"{t}\")"))
            .unwrap_or_default()
    };
    for (id, pair) in pair_by_id(&b.claims, &r.claims, |c| &c.id) {
        match pair {
            Pair::Removed(c) => {
                let message = format!("claim {id}{} removed", quote(c));
                let about = changes.removed(c.span);
                changes.push(Check::ClaimRemoved, id, message, about);
            }
            Pair::Added(c) => {
                let message = format!("claim {id}{} added", quote(c));
                let about = changes.added(c.span);
                changes.push(Check::ClaimAdded, id, message, about);
            }
            Pair::Both(was, now) => {
                let (weaker, stronger) = claim_change(b, was, r, now);
                let about = changes.changed(was.span, now.span);
                if !weaker.is_empty() {
                    let message = format!("claim {id} weakened: {}", weaker.join("; "));
                    changes.push(Check::ClaimWeakened, id, message, about);
                } else if !stronger.is_empty() {
                    let message = format!("claim {id} strengthened: {}", stronger.join("; "));
                    changes.push(Check::ClaimStrengthened, id, message, about);
                }
            }
        }
    }
}

pub fn disclosures(changes: &mut Changes) {
    let (b, r) = changes.models();
    for (id, pair) in pair_by_id(&b.disclosures, &r.disclosures, |d| &d.id) {
        match pair {
            Pair::Added(d) => {
                let text = d
                    .text
                    .as_deref()
                    .map(|t| format!(": \"{t}\""))
                    .unwrap_or_default();
                let message = format!("disclosure {id} added{text}");
                let about = changes.added(d.span);
                changes.push(Check::DisclosureAdded, id, message, about);
            }
            Pair::Removed(d) => {
                let message = format!("disclosure {id} removed");
                let about = changes.removed(d.span);
                changes.push(Check::DisclosureRemoved, id, message, about);
            }
            Pair::Both(was, now) => {
                let (before, after) = (statement(b, was), statement(r, now));
                if before != after {
                    let message = format!("disclosure {id} changed: {before} → {after}");
                    let about = changes.changed(was.span, now.span);
                    changes.push(Check::DisclosureChanged, id, message, about);
                }
            }
        }
    }
}

/// A disclosure's statement in words, to compare across versions.
fn statement(m: &Model, d: &Disclosure) -> String {
    match &d.statement {
        Statement::Share {
            fields,
            with,
            scope,
            ..
        } => {
            let names: Vec<String> = with
                .iter()
                .map(|s| match s {
                    Selector::Entity(e) => m.entity(*e).id.clone(),
                    other => format!("{other:?}"),
                })
                .collect();
            format!(
                "shares {} with {} ({scope:?})",
                field_keys(m, fields).join(", "),
                names.join(", ")
            )
            .to_lowercase()
        }
        Statement::Collect { fields, .. } => {
            format!("collects {}", field_keys(m, fields).join(", "))
        }
    }
}

/// Selectors as written, sorted: what a claim says it is about.
fn selectors(model: &Model, list: &[Selector]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .map(|s| match s {
            Selector::Entity(e) => model.entity(*e).id.clone(),
            Selector::Category(c) => format!("category:{c}"),
            Selector::Kind(k) => format!("kind:{k:?}"),
            Selector::All => "*".to_owned(),
        })
        .collect();
    out.sort();
    out
}

/// The entity ids a claim's `with` selects, under its scope (never the speaker).
pub fn selected_ids(model: &Model, claim: &Claim) -> BTreeSet<String> {
    let (selection, _) = recipients(model, claim);
    (0..model.entities.len())
        .filter(|&i| selection[i])
        .map(|i| model.entities[i].id.clone())
        .collect()
}

/// Whether every field of `narrow` is within some field of `wide` (by key, across models).
fn fields_covered(
    narrow: &Model,
    narrow_fields: &[TaxonId],
    wide: &Model,
    wide_fields: &[TaxonId],
) -> bool {
    narrow_fields.iter().all(|&f| {
        let Some(f) = wide.fields.get(narrow.fields.key(f)) else {
            return false;
        };
        wide_fields.iter().any(|&w| wide.fields.is_within(f, w))
    })
}

/// How a claim changed: reasons it now promises less, and reasons it promises more.
fn claim_change(b: &Model, bc: &Claim, r: &Model, rc: &Claim) -> (Vec<String>, Vec<String>) {
    let mut weaker = Vec::new();
    let mut stronger = Vec::new();
    if bc.kind != rc.kind {
        weaker.push(format!(
            "kind changed from {} to {}",
            bc.kind.as_str(),
            rc.kind.as_str()
        ));
    }
    // An empty field list (a `no_expansion` claim about everything) covers every field.
    let narrowed = !rc.fields.is_empty()
        && (bc.fields.is_empty() || !fields_covered(b, &bc.fields, r, &rc.fields));
    let widened = !bc.fields.is_empty()
        && (rc.fields.is_empty() || !fields_covered(r, &rc.fields, b, &bc.fields));
    if narrowed {
        weaker.push("covers fewer fields".to_owned());
    } else if widened {
        stronger.push("covers more fields".to_owned());
    }
    // A claim that names the same recipients in the same words promises the same, whatever
    // entities the model adds: `*` or a category matching a new entity is no stronger promise.
    let (bw, rw) = if (selectors(b, &bc.with), bc.scope) == (selectors(r, &rc.with), rc.scope) {
        (BTreeSet::new(), BTreeSet::new())
    } else {
        (selected_ids(b, bc), selected_ids(r, rc))
    };
    if !bw.is_subset(&rw) {
        weaker.push(format!(
            "no longer about {}",
            bw.difference(&rw).cloned().collect::<Vec<_>>().join(", ")
        ));
    } else if !rw.is_subset(&bw) {
        stronger.push("covers more recipients".to_owned());
    }
    let new_exemptions: Vec<&String> = rc
        .exempt_conditions
        .iter()
        .filter(|c| !bc.exempt_conditions.contains(c))
        .collect();
    if !new_exemptions.is_empty() {
        weaker.push(format!(
            "now exempts {}",
            new_exemptions
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if rc.processors_exempt && !bc.processors_exempt {
        weaker.push("now exempts processors".to_owned());
    }
    if bc.include_derived && !rc.include_derived {
        weaker.push("no longer counts aggregated or anonymized data".to_owned());
    }
    if let (Some(bm), Some(rm)) = (bc.max, rc.max) {
        if rm > bm {
            weaker.push(format!("allows {rm} instead of {bm}"));
        } else if rm < bm {
            stronger.push(format!("allows {rm} instead of {bm}"));
        }
    }
    let purposes_within = |from: &Model, p: &[TaxonId], to: &Model, q: &[TaxonId]| {
        p.iter().all(|&x| {
            to.purposes
                .get(from.purposes.key(x))
                .is_some_and(|x| q.iter().any(|&y| to.purposes.is_within(x, y)))
        })
    };
    if !purposes_within(r, &rc.purposes, b, &bc.purposes) {
        weaker.push("allows more purposes".to_owned());
    }
    (weaker, stronger)
}
