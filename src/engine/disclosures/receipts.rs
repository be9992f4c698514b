//! Receipts (SPEC §6): every (entity, field) the speaker's data reaches by a readable path, and
//! every field the speaker's own servers collect, each with its shortest witness path.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::graph::{Certainty, ReachOptions};
use crate::engine::reach::Tracer;
use crate::model::SystemLocation;
use crate::model::taxonomy::TaxonId;
use crate::model::{EntityId, FlowId, SystemId};

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
    /// The system the witness path ends at.
    pub system: SystemId,
    pub path: Vec<SystemId>,
    pub flows: Vec<FlowId>,
    /// The last hop leaves a speaker system.
    pub direct: bool,
}

impl Receipt {
    /// A finding of claim `claim` about this receipt: the field reaching the entity by the
    /// receipt's path (for `disclosure_complete` and `no_expansion`).
    pub fn finding(
        &self,
        claim: usize,
        verdict: crate::engine::finding::Verdict,
    ) -> crate::engine::finding::Finding {
        crate::engine::finding::Finding {
            claim,
            verdict,
            certainty: Certainty::Definite,
            field: self.field,
            claim_field: self.field,
            recipient: self.system,
            path: self.path.clone(),
            flows: self.flows.clone(),
            direct: self.direct,
            notes: Vec::new(),
            waiver: None,
        }
    }
}

/// All receipts of a model, ordered by entity, kind and field key. A receipt is of a field key as
/// flows list it; the key travels as SPEC §4.2 says (composites carry their parts), over
/// readable hops only, and only definitely: a broader key listed on a flow is its own receipt.
pub fn receipts(tracer: &mut Tracer) -> Vec<Receipt> {
    let model = tracer.model();
    let speaker = model.speaker();
    let listed: BTreeSet<TaxonId> = model
        .flows
        .iter()
        .flat_map(|f| f.fields.iter().copied())
        .collect();
    let options = ReachOptions::default();
    let mut out = Vec::new();
    for k in listed {
        let (reach, arrivals) = tracer.arrivals(k, &options, true);
        // Third parties: the nearest reached system of each entity other than the speaker.
        let mut nearest: BTreeMap<EntityId, (u32, SystemId)> = BTreeMap::new();
        for (i, system) in model.systems.iter().enumerate() {
            let id = SystemId(i as u32);
            if system.operator == speaker {
                continue;
            }
            if let Some((Certainty::Definite, step)) = reach.best(id)
                && step.hops > 0
            {
                let candidate = (step.hops, id);
                nearest
                    .entry(system.operator)
                    .and_modify(|c| *c = (*c).min(candidate))
                    .or_insert(candidate);
            }
        }
        for (entity, (_, system)) in nearest {
            let flows = reach.flows_to(model, system, Certainty::Definite);
            out.push(receipt(tracer, entity, k, ReceiptKind::Share, flows));
        }
        // Collection: the speaker's servers receiving the key, from anyone.
        let collected = arrivals
            .iter()
            .filter(|a| {
                let target = model.system(a.target);
                a.certainty == Certainty::Definite
                    && target.operator == speaker
                    && target.location == SystemLocation::Server
            })
            .min_by_key(|a| (a.hops, a.flow));
        if let Some(arrival) = collected {
            let source = model.flow(arrival.flow).from;
            let mut flows = match reach.best(source) {
                Some((Certainty::Definite, _)) => {
                    reach.flows_to(model, source, Certainty::Definite)
                }
                _ => Vec::new(),
            };
            flows.push(arrival.flow);
            out.push(receipt(tracer, speaker, k, ReceiptKind::Collect, flows));
        }
    }
    out.sort_by(|a, b| {
        let key = |r: &Receipt| (r.entity, r.kind, model.fields.key(r.field).to_owned());
        key(a).cmp(&key(b))
    });
    out
}

fn receipt(
    tracer: &Tracer,
    entity: EntityId,
    field: TaxonId,
    kind: ReceiptKind,
    flows: Vec<FlowId>,
) -> Receipt {
    let model = tracer.model();
    let last = model.flow(*flows.last().expect("a receipt has at least one hop"));
    let mut path = vec![model.flow(flows[0]).from];
    path.extend(flows.iter().map(|f| model.flow(*f).to));
    Receipt {
        entity,
        field,
        kind,
        system: last.to,
        path,
        direct: tracer.graph.is_speaker_system(last.from),
        flows,
    }
}
