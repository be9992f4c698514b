//! `privflow diff`: what a new version of a policy model changes about who receives what —
//! semantically (by ids and content, never by lines), transitively (the reach closure), and
//! with stable check ids and levels that CI can gate on.

mod check;
mod report;

pub use check::{ALL as ALL_CHECKS, Check, Level, Levels};
pub use report::{DiffReport, Version};

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diagnostics::{Sources, Span};
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::receipts::ReceiptKind;
use crate::engine::disclosures::verdict::Judged;
use crate::engine::finding::fingerprint_of;
use crate::model::raw::{Protection, Scope};
use crate::model::{Claim, Model, SystemId};

/// One version of the model: its audit and the files it was read from.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub audit: &'a PolicyAudit<'a>,
    pub sources: &'a Sources,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// One change between the versions.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub id: String,
    #[serde(serialize_with = "check_id")]
    pub check: Check,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_location: Option<Location>,
}

fn check_id<S: serde::Serializer>(check: &Check, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(check.id())
}

/// Field keys whose new reach is always an error (SPEC §7): special categories, precise
/// location, message content and contacts, with everything within them.
const SENSITIVE: [&str; 12] = [
    "user.biometric",
    "user.health_and_medical",
    "user.political_opinion",
    "user.race_ethnicity",
    "user.religious_belief",
    "user.sexual_orientation",
    "user.criminal_history",
    "user.childrens",
    "user.government_id",
    "user.location.precise",
    "user.content.private",
    "user.social.address_book",
];

pub fn is_sensitive(model: &Model, field: crate::model::taxonomy::TaxonId) -> bool {
    SENSITIVE
        .iter()
        .filter_map(|k| model.fields.get(k))
        .any(|s| model.fields.is_within(field, s))
}

fn location(sources: &Sources, span: Span) -> Location {
    Location {
        file: sources.path(span.file).to_owned(),
        line: span.line,
        column: span.column,
    }
}

/// Collects changes, applying the levels as it goes.
struct Changes<'l> {
    levels: &'l Levels,
    out: Vec<Change>,
}

/// What a change is about, besides its check and message.
#[derive(Default)]
struct About {
    entity: Option<String>,
    field: Option<String>,
    path: Vec<String>,
    base: Option<Location>,
    revision: Option<Location>,
}

impl Changes<'_> {
    fn push(&mut self, check: Check, level: Level, key: &str, message: String, about: About) {
        let Some(level) = self.levels.level(check, level) else {
            return;
        };
        self.out.push(Change {
            id: fingerprint_of(&format!("{}|{key}", check.id())),
            check,
            level,
            message,
            entity: about.entity,
            field: about.field,
            path: about.path,
            base_location: about.base,
            revision_location: about.revision,
        });
    }
}

/// A receipt keyed by what stays the same across versions: entity id, field key, kind.
type ReceiptKey = (String, String, ReceiptKind);

fn receipts<'a>(side: &Side<'a>) -> BTreeMap<ReceiptKey, &'a Judged> {
    let model = side.audit.model;
    side.audit
        .disclosures
        .judged
        .iter()
        .map(|j| {
            let r = &j.receipt;
            (
                (
                    model.entity(r.entity).id.clone(),
                    model.fields.key(r.field).to_owned(),
                    r.kind,
                ),
                j,
            )
        })
        .collect()
}

fn path_of(model: &Model, systems: &[SystemId]) -> Vec<String> {
    model
        .system_ids(systems)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// What a reach change is about: the entity, the field and the receipt's path.
fn receipt_about(
    model: &Model,
    key: &ReceiptKey,
    receipt: &crate::engine::disclosures::receipts::Receipt,
) -> About {
    About {
        entity: Some(key.0.clone()),
        field: Some(key.1.clone()),
        path: path_of(model, &receipt.path),
        ..About::default()
    }
}

/// Where a receipt's last hop is written, on one side.
fn receipt_location(
    side: Side,
    receipt: &crate::engine::disclosures::receipts::Receipt,
) -> Option<Location> {
    let last = side
        .audit
        .model
        .flow(*receipt.flows.last().expect("a receipt has a hop"));
    Some(location(side.sources, last.span))
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

/// The entity ids a claim's `with` selects, under its scope (never the speaker).
fn selected_ids(model: &Model, claim: &Claim) -> BTreeSet<String> {
    let selection = model.select(&claim.with, claim.scope.unwrap_or(Scope::Group));
    (0..model.entities.len())
        .filter(|&i| selection[i] && i != model.speaker().index())
        .map(|i| model.entities[i].id.clone())
        .collect()
}

/// Whether every field of `narrow` is within some field of `wide` (by key, across models).
fn fields_covered(
    narrow: &Model,
    narrow_fields: &[crate::model::taxonomy::TaxonId],
    wide: &Model,
    wide_fields: &[crate::model::taxonomy::TaxonId],
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
    let (bw, rw) = (selected_ids(b, bc), selected_ids(r, rc));
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
    let purposes_within = |from: &Model,
                           p: &[crate::model::taxonomy::TaxonId],
                           to: &Model,
                           q: &[crate::model::taxonomy::TaxonId]| {
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

/// Compares two versions of one policy and names them: the report every output renders.
pub fn compare(base: Side, revision: Side, levels: &Levels) -> DiffReport {
    let version = |side: &Side| Version {
        id: side.audit.model.policy.id.clone(),
        version: side.audit.model.policy.version.clone(),
    };
    DiffReport::new(
        version(&base),
        version(&revision),
        diff(base, revision, levels),
    )
}

/// Compares two versions of one policy.
pub fn diff(base: Side, revision: Side, levels: &Levels) -> Vec<Change> {
    let (b, r) = (base.audit.model, revision.audit.model);
    let mut changes = Changes {
        levels,
        out: Vec::new(),
    };
    let bl = |span: Span| Some(location(base.sources, span));
    let rl = |span: Span| Some(location(revision.sources, span));

    let (b_speaker, r_speaker) = (&b.entity(b.speaker()).id, &r.entity(r.speaker()).id);
    if b_speaker != r_speaker {
        let message = format!(
            "the speaker changed from {b_speaker} to {r_speaker}; the versions may be different policies"
        );
        changes.push(
            Check::SpeakerChanged,
            Check::SpeakerChanged.default_level(),
            r_speaker,
            message,
            About::default(),
        );
    }

    // Entities and systems, by id.
    let b_entities: BTreeMap<&str, _> = b.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let r_entities: BTreeMap<&str, _> = r.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    for (id, e) in &r_entities {
        if !b_entities.contains_key(id) {
            let about = About {
                entity: Some(id.to_string()),
                revision: rl(e.span),
                ..About::default()
            };
            changes.push(
                Check::EntityAdded,
                Level::Info,
                id,
                format!("entity {} added", r.entity_label_of(e)),
                about,
            );
        }
    }
    for (id, e) in &b_entities {
        if let Some(now) = r_entities.get(id) {
            let owner =
                |m: &Model, e: &crate::model::Entity| e.owned_by.map(|o| m.entity(o).id.clone());
            let mut what = Vec::new();
            if owner(b, e) != owner(r, now) {
                what.push(format!(
                    "owner {} → {}",
                    owner(b, e).unwrap_or("none".into()),
                    owner(r, now).unwrap_or("none".into())
                ));
            }
            if e.kind != now.kind {
                what.push(format!("kind {:?} → {:?}", e.kind, now.kind).to_lowercase());
            }
            if e.categories != now.categories {
                what.push(format!(
                    "categories [{}] → [{}]",
                    e.categories.join(", "),
                    now.categories.join(", ")
                ));
            }
            if !what.is_empty() {
                let about = About {
                    entity: Some(id.to_string()),
                    base: bl(e.span),
                    revision: rl(now.span),
                    ..About::default()
                };
                changes.push(
                    Check::EntityChanged,
                    Level::Info,
                    id,
                    format!("entity {id} changed: {}", what.join("; ")),
                    about,
                );
            }
        }
        if !r_entities.contains_key(id) {
            let about = About {
                entity: Some(id.to_string()),
                base: bl(e.span),
                ..About::default()
            };
            changes.push(
                Check::EntityRemoved,
                Level::Info,
                id,
                format!("entity {} removed", b.entity_label_of(e)),
                about,
            );
        }
    }
    let b_systems: BTreeMap<&str, _> = b.systems.iter().map(|s| (s.id.as_str(), s)).collect();
    let r_systems: BTreeMap<&str, _> = r.systems.iter().map(|s| (s.id.as_str(), s)).collect();
    for (id, s) in &r_systems {
        if !b_systems.contains_key(id) {
            let operator = &r.entity(s.operator).id;
            let about = About {
                entity: Some(operator.clone()),
                revision: rl(s.span),
                ..About::default()
            };
            changes.push(
                Check::SystemAdded,
                Level::Info,
                id,
                format!("system {id} ({}) of {operator} added", s.name),
                about,
            );
        }
    }
    for (id, s) in &b_systems {
        if let Some(now) = r_systems.get(id) {
            let mut what = Vec::new();
            let (was_op, now_op) = (&b.entity(s.operator).id, &r.entity(now.operator).id);
            if was_op != now_op {
                what.push(format!("operator {was_op} → {now_op}"));
            }
            if s.location != now.location
                || s.kind != now.kind
                || s.ephemeral != now.ephemeral
                || s.retention != now.retention
            {
                let shape = |x: &crate::model::System| {
                    let kept = x
                        .retention
                        .map(|r| format!(", keeps {r}"))
                        .unwrap_or_default();
                    let ephemeral = if x.ephemeral { ", ephemeral" } else { "" };
                    format!("{:?} {:?}{ephemeral}{kept}", x.location, x.kind).to_lowercase()
                };
                what.push(format!("{} → {}", shape(s), shape(now)));
            }
            if !what.is_empty() {
                let about = About {
                    base: bl(s.span),
                    revision: rl(now.span),
                    ..About::default()
                };
                changes.push(
                    Check::SystemChanged,
                    Level::Info,
                    id,
                    format!("system {id} changed: {}", what.join("; ")),
                    about,
                );
            }
        }
        if !r_systems.contains_key(id) {
            let about = About {
                base: bl(s.span),
                ..About::default()
            };
            changes.push(
                Check::SystemRemoved,
                Level::Info,
                id,
                format!("system {id} ({}) removed", s.name),
                about,
            );
        }
    }

    // Flows, by id: added, removed, and what changed about the ones in both.
    let b_flows: BTreeMap<&str, _> = b.flows.iter().map(|f| (f.id.as_str(), f)).collect();
    let r_flows: BTreeMap<&str, _> = r.flows.iter().map(|f| (f.id.as_str(), f)).collect();
    let ends = |m: &Model, f: &crate::model::Flow| {
        vec![m.system(f.from).id.clone(), m.system(f.to).id.clone()]
    };
    let keys =
        |m: &Model, list: &[crate::model::taxonomy::TaxonId], purposes: bool| -> Vec<String> {
            list.iter()
                .map(|&k| {
                    if purposes {
                        m.purposes.key(k)
                    } else {
                        m.fields.key(k)
                    }
                    .to_owned()
                })
                .collect()
        };
    for (id, f) in &r_flows {
        let Some(old) = b_flows.get(id) else {
            let message = format!(
                "flow {id} added: {} → {} carries {}",
                r.system(f.from).id,
                r.system(f.to).id,
                keys(r, &f.fields, false).join(", ")
            );
            let about = About {
                path: ends(r, f),
                revision: rl(f.span),
                ..About::default()
            };
            changes.push(Check::FlowAdded, Level::Warning, id, message, about);
            continue;
        };
        let old_purposes: BTreeSet<String> = keys(b, &old.purposes, true).into_iter().collect();
        let added: Vec<String> = keys(r, &f.purposes, true)
            .into_iter()
            .filter(|p| !old_purposes.contains(p))
            .collect();
        if !added.is_empty() {
            let message = format!("flow {id} gains purpose {}", added.join(", "));
            let about = About {
                path: ends(r, f),
                base: bl(old.span),
                revision: rl(f.span),
                ..About::default()
            };
            changes.push(
                Check::PurposeAdded,
                Level::Error,
                &format!("{id}|{}", added.join(",")),
                message,
                about,
            );
        }
        if strength(f.protection) < strength(old.protection) {
            let name = |p: Protection| format!("{p:?}").to_lowercase();
            let message = format!(
                "flow {id} protection weakened from {} to {}",
                name(old.protection),
                name(f.protection)
            );
            let about = About {
                path: ends(r, f),
                base: bl(old.span),
                revision: rl(f.span),
                ..About::default()
            };
            changes.push(Check::ProtectionWeakened, Level::Error, id, message, about);
        }
        let mut what = Vec::new();
        if ends(b, old) != ends(r, f) {
            what.push(format!(
                "now {} → {}",
                r.system(f.from).id,
                r.system(f.to).id
            ));
        }
        let (was_fields, now_fields) = (keys(b, &old.fields, false), keys(r, &f.fields, false));
        if was_fields != now_fields {
            what.push(format!(
                "fields [{}] → [{}]",
                was_fields.join(", "),
                now_fields.join(", ")
            ));
        }
        if old.condition != f.condition {
            what.push(format!(
                "condition {} → {}",
                old.condition.as_deref().unwrap_or("none"),
                f.condition.as_deref().unwrap_or("none")
            ));
        }
        if old.role != f.role {
            what.push(format!("role {:?} → {:?}", old.role, f.role).to_lowercase());
        }
        if !what.is_empty() {
            let about = About {
                path: ends(r, f),
                base: bl(old.span),
                revision: rl(f.span),
                ..About::default()
            };
            changes.push(
                Check::FlowChanged,
                Level::Info,
                id,
                format!("flow {id} changed: {}", what.join("; ")),
                about,
            );
        }
        let kept = |m: &Model, f: &crate::model::Flow| f.retention.or(m.system(f.to).retention);
        if let (Some(was), Some(now)) = (kept(b, old), kept(r, f))
            && now > was
        {
            let message = format!("flow {id}: the recipient keeps data {now} instead of {was}");
            let about = About {
                path: ends(r, f),
                base: bl(old.span),
                revision: rl(f.span),
                ..About::default()
            };
            changes.push(
                Check::RetentionIncreased,
                Level::Warning,
                id,
                message,
                about,
            );
        }
    }
    for (id, f) in &b_flows {
        if !r_flows.contains_key(id) {
            let message = format!(
                "flow {id} removed: {} → {}",
                b.system(f.from).id,
                b.system(f.to).id
            );
            let about = About {
                path: ends(b, f),
                base: bl(f.span),
                ..About::default()
            };
            changes.push(Check::FlowRemoved, Level::Info, id, message, about);
        }
    }

    // Claims, by id.
    let b_claims: BTreeMap<&str, &Claim> = b.claims.iter().map(|c| (c.id.as_str(), c)).collect();
    let r_claims: BTreeMap<&str, &Claim> = r.claims.iter().map(|c| (c.id.as_str(), c)).collect();
    let quote = |c: &Claim| {
        c.text
            .as_deref()
            .map(|t| format!(" (\"{t}\")"))
            .unwrap_or_default()
    };
    for (id, c) in &b_claims {
        match r_claims.get(id) {
            None => {
                let about = About {
                    base: bl(c.span),
                    ..About::default()
                };
                changes.push(
                    Check::ClaimRemoved,
                    Level::Error,
                    id,
                    format!("claim {id}{} removed", quote(c)),
                    about,
                );
            }
            Some(rc) => {
                let (weaker, stronger) = claim_change(b, c, r, rc);
                let about = || About {
                    base: bl(c.span),
                    revision: rl(rc.span),
                    ..About::default()
                };
                if !weaker.is_empty() {
                    let message = format!("claim {id} weakened: {}", weaker.join("; "));
                    changes.push(Check::ClaimWeakened, Level::Error, id, message, about());
                } else if !stronger.is_empty() {
                    let message = format!("claim {id} strengthened: {}", stronger.join("; "));
                    changes.push(Check::ClaimStrengthened, Level::Info, id, message, about());
                }
            }
        }
    }
    for (id, c) in &r_claims {
        if !b_claims.contains_key(id) {
            let about = About {
                revision: rl(c.span),
                ..About::default()
            };
            changes.push(
                Check::ClaimAdded,
                Level::Info,
                id,
                format!("claim {id}{} added", quote(c)),
                about,
            );
        }
    }

    // Disclosures, by id.
    let b_disclosures: BTreeMap<&str, _> =
        b.disclosures.iter().map(|d| (d.id.as_str(), d)).collect();
    let r_disclosures: BTreeMap<&str, _> =
        r.disclosures.iter().map(|d| (d.id.as_str(), d)).collect();
    for (id, d) in &r_disclosures {
        if !b_disclosures.contains_key(id) {
            let text = d
                .text
                .as_deref()
                .map(|t| format!(": \"{t}\""))
                .unwrap_or_default();
            let about = About {
                revision: rl(d.span),
                ..About::default()
            };
            changes.push(
                Check::DisclosureAdded,
                Level::Info,
                id,
                format!("disclosure {id} added{text}"),
                about,
            );
        }
    }
    for (id, d) in &b_disclosures {
        if let Some(now) = r_disclosures.get(id) {
            let statement = |m: &Model, d: &crate::model::Disclosure| match &d.statement {
                crate::model::Statement::Share {
                    fields,
                    with,
                    scope,
                    ..
                } => {
                    let names: Vec<String> = with
                        .iter()
                        .map(|s| match s {
                            crate::model::Selector::Entity(e) => m.entity(*e).id.clone(),
                            other => format!("{other:?}"),
                        })
                        .collect();
                    format!(
                        "shares {} with {} ({scope:?})",
                        keys(m, fields, false).join(", "),
                        names.join(", ")
                    )
                    .to_lowercase()
                }
                crate::model::Statement::Collect { fields, .. } => {
                    format!("collects {}", keys(m, fields, false).join(", "))
                }
            };
            let (was, is) = (statement(b, d), statement(r, now));
            if was != is {
                let about = About {
                    base: bl(d.span),
                    revision: rl(now.span),
                    ..About::default()
                };
                changes.push(
                    Check::DisclosureChanged,
                    Level::Info,
                    id,
                    format!("disclosure {id} changed: {was} → {is}"),
                    about,
                );
            }
        }
        if !r_disclosures.contains_key(id) {
            let about = About {
                base: bl(d.span),
                ..About::default()
            };
            changes.push(
                Check::DisclosureRemoved,
                Level::Warning,
                id,
                format!("disclosure {id} removed"),
                about,
            );
        }
    }

    // The reach closure: every (entity, field) received or collected, by any path.
    let (b_receipts, r_receipts) = (receipts(&base), receipts(&revision));
    let r_group = r.ultimate_owner(r.speaker());
    let mut expanded: Vec<&Judged> = Vec::new();
    for (key, j) in &r_receipts {
        if b_receipts.contains_key(key) {
            continue;
        }
        expanded.push(j);
        let rc = &j.receipt;
        let outside = r.ultimate_owner(rc.entity) != r_group;
        let level = if outside || is_sensitive(r, rc.field) {
            Level::Error
        } else {
            Level::Warning
        };
        let verb = match rc.kind {
            ReceiptKind::Share => "now reaches",
            ReceiptKind::Collect => "is now collected by",
        };
        let message = format!("{} {verb} {}", key.1, r.entity_label(rc.entity));
        let about = About {
            revision: receipt_location(revision, rc),
            ..receipt_about(r, key, rc)
        };
        changes.push(
            Check::ReachExpanded,
            level,
            &format!("{}|{}|{}", key.0, key.1, key.2.as_str()),
            message,
            about,
        );
    }
    for (key, j) in &b_receipts {
        if r_receipts.contains_key(key) {
            continue;
        }
        let bc = &j.receipt;
        let verb = match bc.kind {
            ReceiptKind::Share => "no longer reaches",
            ReceiptKind::Collect => "is no longer collected by",
        };
        let message = format!("{} {verb} {}", key.1, b.entity_label(bc.entity));
        let about = About {
            base: receipt_location(base, bc),
            ..receipt_about(b, key, bc)
        };
        changes.push(
            Check::ReachNarrowed,
            Level::Info,
            &format!("{}|{}|{}", key.0, key.1, key.2.as_str()),
            message,
            about,
        );
    }

    // `no_expansion` promises of the revision, against the base's reach.
    for claim in r
        .claims
        .iter()
        .filter(|c| c.kind == crate::model::raw::ClaimKind::NoExpansion)
    {
        let selected = selected_ids(r, claim);
        for j in &expanded {
            let rc = &j.receipt;
            let entity = &r.entity(rc.entity).id;
            let field_in_scope = claim.fields.is_empty()
                || claim
                    .fields
                    .iter()
                    .any(|&y| r.fields.is_within(rc.field, y));
            if rc.kind != ReceiptKind::Share || !selected.contains(entity) || !field_in_scope {
                continue;
            }
            let field = r.fields.key(rc.field);
            let message = format!(
                "claim {} is broken: {field} now reaches {}",
                claim.id,
                r.entity_label(rc.entity)
            );
            let last = r.flow(*rc.flows.last().expect("a receipt has a hop"));
            let about = About {
                entity: Some(entity.clone()),
                field: Some(field.to_owned()),
                path: path_of(r, &rc.path),
                base: None,
                revision: rl(last.span),
            };
            changes.push(
                Check::NoExpansionBroken,
                Level::Error,
                &format!("{}|{entity}|{field}", claim.id),
                message,
                about,
            );
        }
    }

    // Findings, by fingerprint.
    let (b_findings, r_findings) = (fingerprints(base), fingerprints(revision));
    for (fp, f) in &r_findings {
        if b_findings.contains_key(fp) {
            continue;
        }
        let claim = &r.claims[f.claim];
        let recipient = r.system(f.recipient);
        let message = format!(
            "new finding: {} {} — {} reaches {} ({})",
            f.verdict.as_str(),
            claim.id,
            r.fields.key(f.field),
            recipient.id,
            r.entity(recipient.operator).name
        );
        let last = r.flow(f.last_flow().expect("a finding has a hop"));
        let about = About {
            entity: Some(r.entity(recipient.operator).id.clone()),
            field: Some(r.fields.key(f.field).to_owned()),
            path: path_of(r, &f.path),
            revision: rl(last.span),
            ..About::default()
        };
        changes.push(Check::FindingNew, Level::Error, fp, message, about);
    }
    for (fp, f) in &b_findings {
        if r_findings.contains_key(fp) {
            continue;
        }
        let claim = &b.claims[f.claim];
        let recipient = b.system(f.recipient);
        let message = format!(
            "resolved finding: {} — {} no longer reaches {}",
            claim.id,
            b.fields.key(f.field),
            recipient.id
        );
        let last = b.flow(f.last_flow().expect("a finding has a hop"));
        let about = About {
            entity: Some(b.entity(recipient.operator).id.clone()),
            field: Some(b.fields.key(f.field).to_owned()),
            path: path_of(b, &f.path),
            base: bl(last.span),
            ..About::default()
        };
        changes.push(Check::FindingResolved, Level::Info, fp, message, about);
    }

    let mut out = changes.out;
    out.sort_by(|x, y| {
        (std::cmp::Reverse(x.level), x.check, &x.message).cmp(&(
            std::cmp::Reverse(y.level),
            y.check,
            &y.message,
        ))
    });
    out
}

/// A side's findings that are not waived, by fingerprint.
fn fingerprints<'a>(side: Side<'a>) -> BTreeMap<String, &'a crate::engine::finding::Finding> {
    let model = side.audit.model;
    side.audit
        .findings
        .iter()
        .filter(|f| f.waiver.is_none())
        .map(|f| (f.fingerprint(model), f))
        .collect()
}
