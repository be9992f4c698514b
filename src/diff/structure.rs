//! The diff of the model's structure: the speaker, entities (ownership, kind, categories) and
//! systems (operator, location, kind, retention), by id.

use super::Check;
use super::changes::{About, Changes, Pair, pair_by_id};
use crate::model::{Entity, Model, System};

pub fn speaker(changes: &mut Changes) {
    let (b, r) = changes.models();
    let (was, now) = (&b.entity(b.speaker()).id, &r.entity(r.speaker()).id);
    if was != now {
        let message = format!(
            "the speaker changed from {was} to {now}; the versions may be different policies"
        );
        changes.push(Check::SpeakerChanged, now, message, About::default());
    }
}

pub fn entities(changes: &mut Changes) {
    let (b, r) = changes.models();
    for (id, pair) in pair_by_id(&b.entities, &r.entities, |e| &e.id) {
        let entity = Some(id.to_owned());
        match pair {
            Pair::Added(e) => {
                let about = About {
                    entity,
                    ..changes.added(e.span)
                };
                let message = format!("entity {} added", r.entity_label_of(e));
                changes.push(Check::EntityAdded, id, message, about);
            }
            Pair::Removed(e) => {
                let about = About {
                    entity,
                    ..changes.removed(e.span)
                };
                let message = format!("entity {} removed", b.entity_label_of(e));
                changes.push(Check::EntityRemoved, id, message, about);
            }
            Pair::Both(was, now) => {
                let what = entity_change(b, was, r, now);
                if !what.is_empty() {
                    let about = About {
                        entity,
                        ..changes.changed(was.span, now.span)
                    };
                    let message = format!("entity {id} changed: {}", what.join("; "));
                    changes.push(Check::EntityChanged, id, message, about);
                }
            }
        }
    }
}

/// What changed about an entity both versions have, in words.
fn entity_change(b: &Model, was: &Entity, r: &Model, now: &Entity) -> Vec<String> {
    let owner = |m: &Model, e: &Entity| e.owned_by.map(|o| m.entity(o).id.clone());
    let mut what = Vec::new();
    if owner(b, was) != owner(r, now) {
        what.push(format!(
            "owner {} → {}",
            owner(b, was).unwrap_or("none".into()),
            owner(r, now).unwrap_or("none".into())
        ));
    }
    if was.kind != now.kind {
        what.push(format!("kind {:?} → {:?}", was.kind, now.kind).to_lowercase());
    }
    if was.categories != now.categories {
        what.push(format!(
            "categories [{}] → [{}]",
            was.categories.join(", "),
            now.categories.join(", ")
        ));
    }
    what
}

pub fn systems(changes: &mut Changes) {
    let (b, r) = changes.models();
    for (id, pair) in pair_by_id(&b.systems, &r.systems, |s| &s.id) {
        match pair {
            Pair::Added(s) => {
                let operator = &r.entity(s.operator).id;
                let about = About {
                    entity: Some(operator.clone()),
                    ..changes.added(s.span)
                };
                let message = format!("system {id} ({}) of {operator} added", s.name);
                changes.push(Check::SystemAdded, id, message, about);
            }
            Pair::Removed(s) => {
                let message = format!("system {id} ({}) removed", s.name);
                let about = changes.removed(s.span);
                changes.push(Check::SystemRemoved, id, message, about);
            }
            Pair::Both(was, now) => {
                let what = system_change(b, was, r, now);
                if !what.is_empty() {
                    let message = format!("system {id} changed: {}", what.join("; "));
                    let about = changes.changed(was.span, now.span);
                    changes.push(Check::SystemChanged, id, message, about);
                }
            }
        }
    }
}

/// What changed about a system both versions have, in words.
fn system_change(b: &Model, was: &System, r: &Model, now: &System) -> Vec<String> {
    let mut what = Vec::new();
    let (was_op, now_op) = (&b.entity(was.operator).id, &r.entity(now.operator).id);
    if was_op != now_op {
        what.push(format!("operator {was_op} → {now_op}"));
    }
    if was.location != now.location
        || was.kind != now.kind
        || was.ephemeral != now.ephemeral
        || was.retention != now.retention
    {
        let shape = |x: &System| {
            let kept = x
                .retention
                .map(|r| format!(", keeps {r}"))
                .unwrap_or_default();
            let ephemeral = if x.ephemeral { ", ephemeral" } else { "" };
            format!("{:?} {:?}{ephemeral}{kept}", x.location, x.kind).to_lowercase()
        };
        what.push(format!("{} → {}", shape(was), shape(now)));
    }
    what
}
