//! The GDPR Article 30(1) record of processing activities, compiled from the receipts the audit
//! found: one activity per purpose of the speaker's, each cell derived, declared, or missing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Sources, Span};
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::receipts::Receipt;
use crate::model::raw::keyword;
use crate::model::{EEA, EntityId, FlowId, Model, Protection, Role};

/// Where a cell's content comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// Worked out from these flows.
    Derived { flows: Vec<String> },
    /// Written in the model, at this place (`file:line`).
    Declared { at: String },
    /// The model does not say, and why it matters.
    Missing { why: String },
}

/// One cell of the record.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub value: String,
    #[serde(flatten)]
    pub source: Source,
    /// For a missing cell, the flow whose line its warning points at.
    #[serde(skip)]
    pub flow: Option<FlowId>,
}

/// The columns of Art. 30(1): (a) the controller, (b) the purposes, (c) the categories of data
/// subjects and of personal data, (d) the recipients, internal, external and processors,
/// (e) transfers to third countries and their safeguards, (f) time limits for erasure, per
/// category, (g) the security measures.
pub const COLUMNS: [&str; 10] = [
    "controller",
    "purpose",
    "data subjects",
    "personal data",
    "recipients (internal)",
    "recipients (external)",
    "processors",
    "third-country transfers",
    "retention",
    "security measures",
];

/// One processing activity: a purpose of the controller's, with the cells of Art. 30(1).
#[derive(Clone, Debug, Serialize)]
pub struct Activity {
    /// The purpose key (`unspecified` for data whose flows declare none).
    pub activity: String,
    pub controller: Cell,
    pub purpose: Cell,
    pub subjects: Cell,
    pub data: Cell,
    pub internal: Cell,
    pub external: Cell,
    pub processors: Cell,
    pub transfers: Cell,
    pub retention: Cell,
    pub security: Cell,
}

impl Activity {
    /// The cells in the order of [`COLUMNS`].
    pub fn cells(&self) -> [&Cell; 10] {
        [
            &self.controller,
            &self.purpose,
            &self.subjects,
            &self.data,
            &self.internal,
            &self.external,
            &self.processors,
            &self.transfers,
            &self.retention,
            &self.security,
        ]
    }
}

/// The record of one policy's speaker, and a warning per missing cell.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub policy: String,
    pub controller: String,
    pub activities: Vec<Activity>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Record {
    pub fn missing(&self) -> usize {
        self.activities
            .iter()
            .flat_map(|a| a.cells())
            .filter(|c| matches!(c.source, Source::Missing { .. }))
            .count()
    }
}

/// What the record needs to know about one activity while it is compiled.
struct Gathered<'a> {
    receipts: Vec<&'a Receipt>,
    /// The hops into each receipt's entity that declare this purpose.
    hops: BTreeSet<FlowId>,
}

/// Compiles the record of `audit`'s speaker: one activity per purpose declared on a hop that
/// brings a field to the speaker's servers or, from them, to anyone.
pub fn record(audit: &PolicyAudit, sources: &Sources) -> Record {
    let at = |span: Span| format!("{}:{}", sources.path(span.file), span.line);
    let model = audit.model;
    let speaker = model.speaker();
    let mut activities: BTreeMap<String, Gathered> = BTreeMap::new();
    for judged in &audit.disclosures.judged {
        let receipt = &judged.receipt;
        let mut purposes: BTreeMap<String, BTreeSet<FlowId>> = BTreeMap::new();
        for &hop in &receipt.last_hops {
            let flow = model.flow(hop);
            if flow.purposes.is_empty() {
                purposes
                    .entry("unspecified".into())
                    .or_default()
                    .insert(hop);
            }
            for &p in &flow.purposes {
                purposes
                    .entry(model.purposes.key(p).to_owned())
                    .or_default()
                    .insert(hop);
            }
        }
        for (purpose, hops) in purposes {
            let gathered = activities.entry(purpose).or_insert_with(|| Gathered {
                receipts: Vec::new(),
                hops: BTreeSet::new(),
            });
            gathered.receipts.push(receipt);
            gathered.hops.extend(hops);
        }
    }
    let mut diagnostics = Vec::new();
    let activities = activities
        .into_iter()
        .map(|(purpose, gathered)| {
            let compiler = Compiler {
                model,
                speaker,
                purpose: &purpose,
                gathered: &gathered,
                at: &at,
            };
            let activity = compiler.activity();
            for (column, cell) in COLUMNS.iter().zip(activity.cells()) {
                if let Source::Missing { why } = &cell.source {
                    diagnostics.push(compiler.warning(column, why, cell.flow));
                }
            }
            activity
        })
        .collect();
    Record {
        policy: model.policy.id.clone(),
        controller: model.entity(speaker).name.clone(),
        activities,
        diagnostics,
    }
}

struct Compiler<'a> {
    model: &'a Model,
    speaker: EntityId,
    purpose: &'a str,
    gathered: &'a Gathered<'a>,
    at: &'a dyn Fn(Span) -> String,
}

fn derived(value: String, flows: impl IntoIterator<Item = String>) -> Cell {
    let flows: BTreeSet<String> = flows.into_iter().collect();
    Cell {
        value,
        source: Source::Derived {
            flows: flows.into_iter().collect(),
        },
        flow: None,
    }
}

fn declared(value: String, at: String) -> Cell {
    Cell {
        value,
        source: Source::Declared { at },
        flow: None,
    }
}

/// A missing cell; its warning points at `flow` (else at the activity's first flow).
fn missing(value: impl Into<String>, why: impl Into<String>, flow: Option<FlowId>) -> Cell {
    Cell {
        value: value.into(),
        source: Source::Missing { why: why.into() },
        flow,
    }
}

fn or_none(items: BTreeSet<String>) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.into_iter().collect::<Vec<_>>().join("; ")
    }
}

impl Compiler<'_> {
    fn flow_ids(&self, flows: impl IntoIterator<Item = FlowId>) -> Vec<String> {
        flows
            .into_iter()
            .map(|f| self.model.flow(f).id.clone())
            .collect()
    }

    fn activity(&self) -> Activity {
        Activity {
            activity: self.purpose.to_owned(),
            controller: self.controller(),
            purpose: self.purpose_cell(),
            subjects: self.subjects(),
            data: self.data(),
            internal: self.recipients(Kind::Internal),
            external: self.recipients(Kind::External),
            processors: self.recipients(Kind::Processor),
            transfers: self.transfers(),
            retention: self.retention(),
            security: self.security(),
        }
    }

    /// A warning for a missing cell, at `flow` or else the first hop of the activity.
    fn warning(&self, column: &str, why: &str, flow: Option<FlowId>) -> Diagnostic {
        let d = Diagnostic::warning(
            "privflow::record::missing",
            format!(
                "record of processing, activity `{}`: {column} missing — {why}",
                self.purpose
            ),
        );
        match flow.or_else(|| self.gathered.hops.iter().next().copied()) {
            Some(hop) => d.at(self.model.flow(hop).span, "this flow"),
            None => d,
        }
    }

    /// (a) The speaker, with the joint controllers the activity's hops name.
    fn controller(&self) -> Cell {
        let speaker = self.model.entity(self.speaker);
        let joint: BTreeSet<String> = self
            .gathered
            .hops
            .iter()
            .filter(|&&f| self.model.flow(f).role == Role::JointController)
            .map(|&f| {
                self.model
                    .entity(self.model.party(self.model.flow(f).to))
                    .name
                    .clone()
            })
            .collect();
        let value = if joint.is_empty() {
            speaker.name.clone()
        } else {
            format!("{} (joint controllers: {})", speaker.name, or_none(joint))
        };
        declared(value, (self.at)(speaker.span))
    }

    /// (b) The purpose, by its label and key.
    fn purpose_cell(&self) -> Cell {
        let hops = self.flow_ids(self.gathered.hops.iter().copied());
        match self.model.purposes.get(self.purpose) {
            Some(p) => {
                let label = &self.model.purposes.taxon(p).label;
                derived(format!("{label} ({})", self.purpose), hops)
            }
            None => missing(
                "unspecified",
                format!("flows {} declare no purpose", hops.join(", ")),
                None,
            ),
        }
    }

    /// (c) Whose data: the hops' `subjects`, else the policy's.
    fn subjects(&self) -> Cell {
        let stated: BTreeSet<String> = self
            .gathered
            .hops
            .iter()
            .flat_map(|&f| self.model.flow(f).facts().subjects.iter().cloned())
            .collect();
        let unstated = self
            .gathered
            .hops
            .iter()
            .any(|&f| self.model.flow(f).facts().subjects.is_empty());
        let policy = &self.model.policy.subjects;
        if !unstated {
            return derived(
                or_none(stated),
                self.flow_ids(self.gathered.hops.iter().copied()),
            );
        }
        let Some(span) = self.model.policy.subjects_span else {
            return missing(
                or_none(stated),
                "neither its flows nor the policy say whose data it is: add `subjects:` to the policy or the flows",
                None,
            );
        };
        let mut all = stated;
        all.extend(policy.iter().cloned());
        declared(or_none(all), (self.at)(span))
    }

    /// (c) The categories of personal data: the fields the activity's receipts carry.
    fn data(&self) -> Cell {
        let fields: BTreeSet<String> = self
            .gathered
            .receipts
            .iter()
            .map(|r| self.model.fields.key(r.field).to_owned())
            .collect();
        derived(
            or_none(fields),
            self.flow_ids(self.gathered.hops.iter().copied()),
        )
    }

    /// (d) The recipients: entities other than the speaker that receive the activity's data,
    /// as processors (every hop into them says `role: processor`), inside the speaker's
    /// ownership group, or outside it.
    fn recipients(&self, kind: Kind) -> Cell {
        let mut by_entity: BTreeMap<EntityId, (bool, BTreeSet<FlowId>)> = BTreeMap::new();
        for r in &self.gathered.receipts {
            if r.entity == self.speaker {
                continue;
            }
            let hops: Vec<FlowId> = r
                .last_hops
                .iter()
                .copied()
                .filter(|h| self.gathered.hops.contains(h))
                .collect();
            let entry = by_entity.entry(r.entity).or_insert((true, BTreeSet::new()));
            entry.0 &= hops
                .iter()
                .all(|&h| self.model.flow(h).role == Role::Processor);
            entry.1.extend(hops);
        }
        let group = self.model.ultimate_owner(self.speaker);
        let mut names = BTreeSet::new();
        let mut flows = Vec::new();
        for (entity, (processor, hops)) in by_entity {
            let internal = self.model.ultimate_owner(entity) == group;
            let this = match kind {
                Kind::Processor => processor,
                Kind::Internal => !processor && internal,
                Kind::External => !processor && !internal,
            };
            if this {
                let e = self.model.entity(entity);
                let country = e
                    .country
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default();
                names.insert(format!("{} ({}{country})", e.name, e.id));
                flows.extend(self.flow_ids(hops));
            }
        }
        derived(or_none(names), flows)
    }

    /// (e) Transfers to third countries: every hop on the activity's paths from a system
    /// established in the EEA to one outside it, with its safeguard.
    fn transfers(&self) -> Cell {
        let flows: BTreeSet<FlowId> = self
            .gathered
            .receipts
            .iter()
            .flat_map(|r| r.flows.iter().copied())
            .collect();
        let (mut found, mut unsafe_, mut unknown) = (BTreeSet::new(), Vec::new(), BTreeSet::new());
        let (mut witnesses, mut first_gap) = (Vec::new(), None);
        for f in flows {
            let flow = self.model.flow(f);
            let to = self.model.established(flow.to).flatten();
            // A flow that states a safeguard is a transfer as the model sees it.
            if let (Some(t), Some(b)) = (flow.facts().transfer, to)
                && !EEA.contains(&b)
            {
                witnesses.push(flow.id.clone());
                found.insert(format!("{b} ({}, {})", keyword(&t), flow.id));
                continue;
            }
            // A device in its user's hands exports nothing: collection is not a transfer.
            let Some(from) = self.model.established(flow.from) else {
                continue;
            };
            let to = self.model.established(flow.to);
            match (from, to) {
                (Some(a), Some(Some(b))) if EEA.contains(&a) && !EEA.contains(&b) => {
                    witnesses.push(flow.id.clone());
                    unsafe_.push(format!("{} → {b}", flow.id));
                    first_gap.get_or_insert(f);
                }
                (Some(_), Some(Some(_)) | None) => {}
                (a, b) => {
                    for (end, country) in [(flow.from, a), (flow.to, b.flatten())] {
                        if country.is_none() && self.model.established(end).is_some() {
                            unknown.insert(self.model.system(end).id.clone());
                            first_gap.get_or_insert(f);
                        }
                    }
                }
            }
        }
        if !unsafe_.is_empty() {
            return missing(
                or_none(found),
                format!("no `transfer` safeguard on {}", unsafe_.join(", ")),
                first_gap,
            );
        }
        if !unknown.is_empty() {
            return missing(
                or_none(found),
                format!(
                    "the country of {} is unknown: give `country:` to the systems or their entities",
                    unknown.into_iter().collect::<Vec<_>>().join(", ")
                ),
                first_gap,
            );
        }
        derived(or_none(found), witnesses)
    }

    /// (f) How long each category is kept where the activity's hops bring it.
    fn retention(&self) -> Cell {
        let mut kept: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let (mut unknown, mut first_gap) = (BTreeSet::new(), None);
        let mut hops = BTreeSet::new();
        for r in &self.gathered.receipts {
            let field = self.model.fields.key(r.field).to_owned();
            for &h in r
                .last_hops
                .iter()
                .filter(|h| self.gathered.hops.contains(h))
            {
                hops.insert(h);
                match self.model.retention_of(h) {
                    Some(d) => {
                        kept.entry(field.clone()).or_default().insert(d.to_string());
                    }
                    None => {
                        unknown.insert(self.model.flow(h).id.clone());
                        first_gap.get_or_insert(h);
                        kept.entry(field.clone())
                            .or_default()
                            .insert("unspecified".into());
                    }
                }
            }
        }
        let value = or_none(
            kept.into_iter()
                .map(|(field, times)| {
                    format!(
                        "{field}: {}",
                        times.into_iter().collect::<Vec<_>>().join(" / ")
                    )
                })
                .collect(),
        );
        if unknown.is_empty() {
            derived(value, self.flow_ids(hops))
        } else {
            missing(
                value,
                format!(
                    "no retention where {} delivers: give `retention:` to the flow or its system",
                    unknown.into_iter().collect::<Vec<_>>().join(", ")
                ),
                first_gap,
            )
        }
    }

    /// (g) The protections of the hops on the activity's paths.
    fn security(&self) -> Cell {
        let mut by: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for r in &self.gathered.receipts {
            for &f in &r.flows {
                let flow = self.model.flow(f);
                by.entry(protection(flow.protection))
                    .or_default()
                    .insert(flow.id.clone());
            }
        }
        let flows: Vec<String> = by.values().flatten().cloned().collect();
        let value = or_none(
            by.into_iter()
                .map(|(p, flows)| {
                    format!("{p} ({})", flows.into_iter().collect::<Vec<_>>().join(", "))
                })
                .collect(),
        );
        derived(value, flows)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Internal,
    External,
    Processor,
}

fn protection(p: Protection) -> &'static str {
    match p {
        Protection::Plaintext => "plaintext",
        Protection::Tls => "encrypted in transit (tls)",
        Protection::E2ee => "end-to-end encrypted",
        Protection::Hashed => "hashed",
        Protection::Aggregated => "aggregated",
        Protection::Anonymized => "anonymized",
    }
}
