//! Receipts (SPEC §6): every (entity, field) the speaker's data reaches readable, and every field
//! the speaker's own servers collect, each with its shortest witness path and its last hops.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::finding::{FindingHead, Route, Verdict};
use crate::engine::graph::{Certainty, ReachOptions};
use crate::engine::reach::{Arrival, Holding, Tracer};
use crate::model::taxonomy::TaxonId;
use crate::model::{EntityId, FlowId, Model, SystemId, SystemLocation};

/// Whether a receipt is sharing with another entity or collection by the speaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReceiptKind {
    Share,
    Collect,
}

impl ReceiptKind {
    /// What the entity does with the field, in a sentence.
    pub fn verb(self) -> &'static str {
        match self {
            ReceiptKind::Share => "receives",
            ReceiptKind::Collect => "collects",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptKind::Share => "share",
            ReceiptKind::Collect => "collect",
        }
    }
}

/// An entity receiving a field, by the shortest path to any of its systems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub entity: EntityId,
    pub field: TaxonId,
    pub kind: ReceiptKind,
    /// Definite, or only possible (a hop lists a broader key): only definite receipts are judged.
    pub certainty: Certainty,
    /// The system the witness path ends at.
    pub system: SystemId,
    pub path: Vec<SystemId>,
    pub flows: Vec<FlowId>,
    /// The last hop leaves a speaker system.
    pub direct: bool,
    /// Every flow that brings the field, readable, into a system of the entity: the hops whose
    /// purposes the receipt is used for and whose exemptions a claim may grant (SPEC §5, §6).
    pub last_hops: Vec<FlowId>,
}

impl Receipt {
    /// A finding of claim `claim` about this receipt: the field reaching the entity by the
    /// receipt's path (for `disclosure_complete` and `no_expansion`).
    pub fn finding(&self, claim: usize, verdict: Verdict) -> FindingHead {
        FindingHead {
            claim,
            verdict,
            certainty: self.certainty,
            field: self.field,
            fields: vec![self.field],
            claim_field: self.field,
            recipient: self.system,
            direct: self.direct,
            notes: Vec::new(),
            waiver: None,
            route: Route::Flows(self.flows.clone()),
        }
    }

    /// The purposes the entity uses the field for: those its last hops declare, sorted.
    pub fn purposes(&self, model: &Model) -> Vec<TaxonId> {
        let mut purposes: Vec<TaxonId> = self
            .last_hops
            .iter()
            .flat_map(|&f| model.flow(f).purposes.iter().copied())
            .collect();
        purposes.sort();
        purposes.dedup();
        purposes
    }
}

/// Every receipt of a model, ordered by entity, kind and field key: the definite ones, which
/// disclosures judge, and the share receipts that are only possible.
pub struct Receipts {
    pub definite: Vec<Receipt>,
    pub possible: Vec<Receipt>,
}

/// All receipts of a model. A receipt is of a field key as flows list it; the key travels as SPEC
/// §4.2 says (composites carry their parts) and must arrive readable. An entity receives what
/// arrives at a system it holds (never a device in its user's hands); the speaker collects what
/// arrives at its servers, from anyone.
pub fn receipts(tracer: &Tracer) -> Receipts {
    let model = tracer.model();
    let speaker = model.speaker();
    let listed: BTreeSet<TaxonId> = model
        .flows
        .iter()
        .flat_map(|f| f.fields.iter().copied())
        .collect();
    let options = ReachOptions::default();
    let mut definite = Vec::new();
    let mut possible = Vec::new();
    for k in listed {
        let (reach, arrivals) = tracer.arrivals(k, &options, true);
        // Readable, definite arrivals: from the speaker's reach for sharing, from anyone for
        // collection.
        let readable = |a: &&Arrival| a.plaintext && a.certainty == Certainty::Definite;
        let mut last_hops: BTreeMap<EntityId, Vec<FlowId>> = BTreeMap::new();
        for a in arrivals
            .iter()
            .filter(readable)
            .filter(|a| a.source.is_some())
        {
            if let Some(holder) = model.holder(a.target).filter(|&h| h != speaker) {
                last_hops.entry(holder).or_default().push(a.flow);
            }
        }
        // Each other entity at its nearest reached system; ties go to the first system id.
        let mut nearest: BTreeMap<EntityId, (Certainty, u32, SystemId)> = BTreeMap::new();
        for id in (0..model.systems.len() as u32).map(SystemId) {
            let Some(holder) = model.holder(id).filter(|&h| h != speaker) else {
                continue;
            };
            if let Some((certainty, step)) = reach.plaintext(id)
                && step.hops > 0
            {
                let candidate = (certainty, step.hops, id);
                nearest
                    .entry(holder)
                    .and_modify(|c| *c = (*c).min(candidate))
                    .or_insert(candidate);
            }
        }
        for (entity, (certainty, _, system)) in nearest {
            let flows = reach.flows_to(model, system, certainty, Holding::Plaintext);
            let hops = last_hops.remove(&entity).unwrap_or_default();
            let receipt = receipt(
                tracer,
                entity,
                k,
                ReceiptKind::Share,
                certainty,
                flows,
                hops,
            );
            match certainty {
                Certainty::Definite => definite.push(receipt),
                Certainty::Possible => possible.push(receipt),
            }
        }
        // Collection: the speaker's servers receiving the key, from anyone.
        let collecting: Vec<&Arrival> = arrivals
            .iter()
            .filter(readable)
            .filter(|a| {
                let target = model.system(a.target);
                target.operator == speaker && target.location == SystemLocation::Server
            })
            .collect();
        // The nearest server, ties to the first system id (SPEC §4.3).
        if let Some(arrival) = collecting.iter().min_by_key(|a| (a.hops, a.target, a.flow)) {
            let source = model.flow(arrival.flow).from;
            let mut flows = match arrival.source {
                Some((certainty, holding)) => reach.flows_to(model, source, certainty, holding),
                None => Vec::new(),
            };
            flows.push(arrival.flow);
            let mut hops: Vec<FlowId> = collecting.iter().map(|a| a.flow).collect();
            hops.sort();
            hops.dedup();
            definite.push(receipt(
                tracer,
                speaker,
                k,
                ReceiptKind::Collect,
                Certainty::Definite,
                flows,
                hops,
            ));
        }
    }
    for list in [&mut definite, &mut possible] {
        list.sort_by(|a, b| {
            let key = |r: &Receipt| (r.entity, r.kind, model.fields.key(r.field).to_owned());
            key(a).cmp(&key(b))
        });
    }
    Receipts { definite, possible }
}

fn receipt(
    tracer: &Tracer,
    entity: EntityId,
    field: TaxonId,
    kind: ReceiptKind,
    certainty: Certainty,
    flows: Vec<FlowId>,
    mut last_hops: Vec<FlowId>,
) -> Receipt {
    let model = tracer.model();
    let last = model.flow(*flows.last().expect("a receipt has at least one hop"));
    let mut path = vec![model.flow(flows[0]).from];
    path.extend(flows.iter().map(|f| model.flow(*f).to));
    last_hops.sort();
    last_hops.dedup();
    Receipt {
        entity,
        field,
        kind,
        certainty,
        system: last.to,
        path,
        direct: model.is_speaker_system(last.from),
        flows,
        last_hops,
    }
}
