//! The diff of flows, by id: added and removed flows, and for flows in both versions new purposes,
//! weaker protection, longer retention and any other change of what they carry or where.

use std::collections::{BTreeMap, BTreeSet};

use super::changes::{About, Changes, Pair, field_keys, pair_by_key, purpose_keys};
use super::{Check, Fact};
use crate::model::Protection;
use crate::model::raw::keyword;
use crate::model::{Flow, Model};

/// A flow's key across versions (SPEC §7): its id when the model names it; otherwise what it
/// is — from, to and the set of fields — counted among identical ones, so that reordering or
/// reformatting id-less flows changes nothing.
pub(super) fn keys(model: &Model) -> Vec<(String, &Flow)> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    model
        .flows
        .iter()
        .map(|f| {
            if f.named {
                return (f.id.clone(), f);
            }
            let mut fields = field_keys(model, &f.fields);
            fields.sort();
            let content = format!(
                "{}->{} [{}]",
                model.system(f.from).id,
                model.system(f.to).id,
                fields.join(", ")
            );
            let n = seen.entry(content.clone()).or_insert(0);
            *n += 1;
            (format!("{content} #{n}"), f)
        })
        .collect()
}

pub fn flows(changes: &mut Changes) {
    let (b, r) = changes.models();
    for (key, pair) in pair_by_key(keys(b), keys(r)) {
        // Messages name the flow by its id in the version at hand; the key identifies the change.
        let key = key.as_str();
        match pair {
            Pair::Added(f) => {
                let message = format!(
                    "flow {} added: {} → {} carries {}",
                    f.id,
                    r.system(f.from).id,
                    r.system(f.to).id,
                    field_keys(r, &f.fields).join(", ")
                );
                let about = About {
                    path: ends(r, f),
                    ..changes.added(f.span)
                };
                changes.push(Check::FlowAdded, key, message, about);
            }
            Pair::Removed(f) => {
                let message = format!(
                    "flow {} removed: {} → {}",
                    f.id,
                    b.system(f.from).id,
                    b.system(f.to).id
                );
                let about = About {
                    path: ends(b, f),
                    ..changes.removed(f.span)
                };
                changes.push(Check::FlowRemoved, key, message, about);
            }
            Pair::Both(was, now) => changed(changes, key, was, now),
        }
    }
}

/// The changes of one flow both versions have, each its own check; `key` identifies the flow.
fn changed(changes: &mut Changes, key: &str, was: &Flow, now: &Flow) {
    let (b, r) = changes.models();
    let id = &now.id;
    let about = |changes: &Changes| About {
        path: ends(r, now),
        ..changes.changed(was.span, now.span)
    };
    // Purposes, protection and retention can make a claim's finding new (SPEC §7).
    let causing = |changes: &Changes| About {
        fact: Some(Fact::Flow(key.to_owned())),
        ..about(changes)
    };
    let old_purposes: BTreeSet<String> = purpose_keys(b, &was.purposes).into_iter().collect();
    let added: Vec<String> = purpose_keys(r, &now.purposes)
        .into_iter()
        .filter(|p| !old_purposes.contains(p))
        .collect();
    if !added.is_empty() {
        let message = format!("flow {id} gains purpose {}", added.join(", "));
        let key = format!("{key}|{}", added.join(","));
        changes.push(Check::PurposeAdded, &key, message, causing(changes));
    }
    if strength(now.protection) < strength(was.protection) {
        let name = |p: Protection| format!("{p:?}").to_lowercase();
        let message = format!(
            "flow {id} protection weakened from {} to {}",
            name(was.protection),
            name(now.protection)
        );
        changes.push(Check::ProtectionWeakened, key, message, causing(changes));
    }
    let what = flow_change(b, was, r, now);
    if !what.is_empty() {
        let message = format!("flow {id} changed: {}", what.join("; "));
        changes.push(Check::FlowChanged, key, message, about(changes));
    }
    let kept = |m: &Model, f: &Flow| f.retention.or(m.system(f.to).retention);
    if let (Some(before), Some(after)) = (kept(b, was), kept(r, now))
        && after > before
    {
        let message = format!("flow {id}: the recipient keeps data {after} instead of {before}");
        changes.push(Check::RetentionIncreased, key, message, causing(changes));
    }
}

/// What else changed about a flow: its ends, fields, condition, role, lawful basis, transfer
/// safeguard, user control or subjects, in words.
fn flow_change(b: &Model, was: &Flow, r: &Model, now: &Flow) -> Vec<String> {
    let mut what = Vec::new();
    if ends(b, was) != ends(r, now) {
        what.push(format!(
            "now {} → {}",
            r.system(now.from).id,
            r.system(now.to).id
        ));
    }
    let (was_fields, now_fields) = (field_keys(b, &was.fields), field_keys(r, &now.fields));
    if was_fields != now_fields {
        what.push(format!(
            "fields [{}] → [{}]",
            was_fields.join(", "),
            now_fields.join(", ")
        ));
    }
    if was.condition != now.condition {
        what.push(format!(
            "condition {} → {}",
            was.condition.as_deref().unwrap_or("none"),
            now.condition.as_deref().unwrap_or("none")
        ));
    }
    if was.protection != now.protection && strength(now.protection) >= strength(was.protection) {
        what.push(format!("protection {:?} → {:?}", was.protection, now.protection).to_lowercase());
    }
    if was.role != now.role {
        what.push(format!(
            "role {} → {}",
            keyword(&was.role),
            keyword(&now.role)
        ));
    }
    let (was, now) = (was.facts(), now.facts());
    let facts = [
        (
            "lawful basis",
            keyword(&was.lawful_basis),
            keyword(&now.lawful_basis),
        ),
        (
            "special-category condition",
            keyword(&was.special_category_condition),
            keyword(&now.special_category_condition),
        ),
        (
            "transfer safeguard",
            keyword(&was.transfer),
            keyword(&now.transfer),
        ),
        (
            "user control",
            keyword(&was.user_control),
            keyword(&now.user_control),
        ),
        ("subjects", was.subjects.join(", "), now.subjects.join(", ")),
    ];
    for (fact, before, after) in facts {
        if before != after {
            let none = |s: String| if s.is_empty() { "none".to_owned() } else { s };
            what.push(format!("{fact} {} → {}", none(before), none(after)));
        }
    }
    what
}

/// The systems at either end of a flow.
fn ends(model: &Model, f: &Flow) -> Vec<String> {
    vec![
        model.system(f.from).id.clone(),
        model.system(f.to).id.clone(),
    ]
}

/// How strongly a protection hides data, weakest first.
fn strength(p: Protection) -> u8 {
    match p {
        Protection::Plaintext => 0,
        Protection::Tls => 1,
        Protection::Hashed => 2,
        Protection::Aggregated => 3,
        Protection::Anonymized => 4,
        Protection::E2ee => 5,
    }
}
