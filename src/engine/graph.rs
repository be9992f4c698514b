//! The flow graph (SPEC §4): systems and flows, which flows pass which field key and how surely,
//! and which flows carry personal data. Reach over it, with ciphertext, is computed in `reach`.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, SystemId};
use crate::model::{Protection, SystemLocation};

/// How sure a relation is: `Definite` sorts before `Possible` (better first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    Definite,
    Possible,
}

impl Certainty {
    pub fn and(self, other: Certainty) -> Certainty {
        self.max(other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Definite => "definite",
            Certainty::Possible => "possible",
        }
    }
}

/// A flow passing a key: how surely, and which listed field carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pass {
    pub flow: FlowId,
    pub certainty: Certainty,
    pub listed: TaxonId,
}

/// What a reach computation may traverse. Claims with equal options share one computation;
/// exemptions are not among them, since reach continues past an exempted flow (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ReachOptions {
    /// Follow `aggregated` and `anonymized` flows as personal data.
    pub include_derived: bool,
}

/// The systems as a petgraph graph (node index = system index, edge weight = flow), plus the
/// field-key index that says which flows carry which key.
pub struct FlowGraph<'m> {
    pub model: &'m Model,
    graph: DiGraph<SystemId, FlowId>,
    flows_listing: HashMap<TaxonId, Vec<FlowId>>,
    /// For each key, the listed composites that contain it.
    composites_containing: HashMap<TaxonId, Vec<TaxonId>>,
    speaker_systems: Vec<bool>,
    /// Per flow: it carries personal data even without `include_derived` — it is not marked
    /// aggregated or anonymized, or it lists a direct identifier and so is not anonymous.
    personal: Vec<bool>,
}

impl<'m> FlowGraph<'m> {
    pub fn new(model: &'m Model) -> FlowGraph<'m> {
        let mut graph = DiGraph::with_capacity(model.systems.len(), model.flows.len());
        for i in 0..model.systems.len() {
            graph.add_node(SystemId(i as u32));
        }
        let mut flows_listing: HashMap<TaxonId, Vec<FlowId>> = HashMap::new();
        for (i, flow) in model.flows.iter().enumerate() {
            let id = FlowId(i as u32);
            graph.add_edge(
                NodeIndex::new(flow.from.index()),
                NodeIndex::new(flow.to.index()),
                id,
            );
            for &field in &flow.fields {
                flows_listing.entry(field).or_default().push(id);
            }
        }
        let mut composites_containing: HashMap<TaxonId, Vec<TaxonId>> = HashMap::new();
        for &listed in flows_listing.keys() {
            for &part in model.fields.contained(listed) {
                composites_containing.entry(part).or_default().push(listed);
            }
        }
        for v in composites_containing.values_mut() {
            v.sort();
        }
        let speaker_systems = (0..model.systems.len() as u32)
            .map(|s| model.is_speaker_system(SystemId(s)))
            .collect();
        let personal = model
            .flows
            .iter()
            .map(|f| {
                !matches!(
                    f.protection,
                    Protection::Aggregated | Protection::Anonymized
                ) || f
                    .fields
                    .iter()
                    .any(|&k| model.fields.is_direct_identifier(k))
            })
            .collect();
        FlowGraph {
            model,
            graph,
            flows_listing,
            composites_containing,
            speaker_systems,
            personal,
        }
    }

    pub fn is_speaker_system(&self, s: SystemId) -> bool {
        self.speaker_systems[s.index()]
    }

    /// The flows leaving `s`, with their targets.
    pub fn outgoing(&self, s: SystemId) -> impl Iterator<Item = (FlowId, SystemId)> + '_ {
        self.graph
            .edges(NodeIndex::new(s.index()))
            .map(|e| (*e.weight(), SystemId(e.target().index() as u32)))
    }

    /// The flows arriving at `s`, with their sources.
    pub fn incoming(&self, s: SystemId) -> impl Iterator<Item = (FlowId, SystemId)> + '_ {
        self.graph
            .edges_directed(NodeIndex::new(s.index()), petgraph::Direction::Incoming)
            .map(|e| (*e.weight(), SystemId(e.source().index() as u32)))
    }

    /// Keys that occur in the model: listed on a flow, or a part of a listed composite.
    fn occurs(&self, k: TaxonId) -> bool {
        self.flows_listing.contains_key(&k) || self.composites_containing.contains_key(&k)
    }

    /// The keys that travel for a claim about `y` (SPEC §4.2): `y` and every narrower key that
    /// occurs in the model, sorted.
    pub fn travelling_keys(&self, y: TaxonId) -> Vec<TaxonId> {
        let fields = &self.model.fields;
        let mut keys: Vec<TaxonId> = fields
            .ids()
            .filter(|&k| k == y || (self.occurs(k) && fields.is_within(k, y)))
            .collect();
        keys.sort();
        keys
    }

    /// Flows that pass key `k`, best certainty per flow, in flow order.
    pub fn passes(&self, k: TaxonId) -> Vec<Pass> {
        let mut best: HashMap<FlowId, Pass> = HashMap::new();
        let mut offer = |flow: FlowId, certainty: Certainty, listed: TaxonId| {
            let candidate = Pass {
                flow,
                certainty,
                listed,
            };
            best.entry(flow)
                .and_modify(|p| {
                    if (certainty, listed) < (p.certainty, p.listed) {
                        *p = candidate;
                    }
                })
                .or_insert(candidate);
        };
        for &f in self.flows_listing.get(&k).into_iter().flatten() {
            offer(f, Certainty::Definite, k);
        }
        for &composite in self.composites_containing.get(&k).into_iter().flatten() {
            for &f in &self.flows_listing[&composite] {
                offer(f, Certainty::Definite, composite);
            }
        }
        for &ancestor in self.model.fields.ancestors(k).iter() {
            for &f in self.flows_listing.get(&ancestor).into_iter().flatten() {
                offer(f, Certainty::Possible, ancestor);
            }
        }
        let mut passes: Vec<Pass> = best.into_values().collect();
        passes.sort_by_key(|p| p.flow);
        passes
    }

    /// Whether a flow carries personal data under `options`: derived data only when they include
    /// it, or when the flow lists an identifier (SPEC §8).
    pub fn flow_counts(&self, flow: FlowId, options: &ReachOptions) -> bool {
        options.include_derived || self.personal[flow.index()]
    }

    /// Whether `s` is a device: the end of an encrypted session, where what arrives is plaintext.
    pub fn is_device(&self, s: SystemId) -> bool {
        self.model.system(s).location == SystemLocation::Device
    }
}
