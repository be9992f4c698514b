//! The flow graph and per-field reach (SPEC §4): which systems a field key reaches from the
//! speaker, by the shortest witness path, definitely or only possibly.

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::raw::{Protection, SystemLocation};
use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, SystemId};

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

/// How a flow carries a key, best first: as listed, inside a composite, or as a broader key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Preference {
    Listed,
    Composite,
    Broader,
}

/// A flow passing a key: how surely, and which listed field carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pass {
    pub flow: FlowId,
    pub certainty: Certainty,
    pub listed: TaxonId,
}

/// What a reach computation may traverse. Claims with equal options share one computation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ReachOptions {
    /// Flows with one of these conditions do not count (sorted, deduplicated).
    pub exempt_conditions: Vec<String>,
    /// Follow `aggregated` and `anonymized` flows as personal data.
    pub include_derived: bool,
}

impl ReachOptions {
    pub fn new(mut exempt_conditions: Vec<String>, include_derived: bool) -> ReachOptions {
        exempt_conditions.sort();
        exempt_conditions.dedup();
        ReachOptions {
            exempt_conditions,
            include_derived,
        }
    }
}

/// One way a system was reached: the flow that arrived last, and the hop count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub via: Option<FlowId>,
    pub hops: u32,
}

/// Reach of one key from the speaker: per system, the shortest all-definite path and the
/// shortest path of any certainty.
#[derive(Clone, Debug)]
pub struct Reach {
    definite: Vec<Option<Step>>,
    any: Vec<Option<Step>>,
}

impl Reach {
    /// Best way to `system`: definite if possible, else possible; `None` if unreached.
    pub fn best(&self, system: SystemId) -> Option<(Certainty, Step)> {
        if let Some(step) = self.definite[system.index()] {
            return Some((Certainty::Definite, step));
        }
        self.any[system.index()].map(|s| (Certainty::Possible, s))
    }

    /// The flows of the witness path to `system` under `certainty`, first hop first.
    pub fn flows_to(
        &self,
        graph: &FlowGraph,
        system: SystemId,
        certainty: Certainty,
    ) -> Vec<FlowId> {
        let table = match certainty {
            Certainty::Definite => &self.definite,
            Certainty::Possible => &self.any,
        };
        let mut flows = Vec::new();
        let mut at = system;
        while let Some(Some(Step {
            via: Some(flow), ..
        })) = table.get(at.index())
        {
            flows.push(*flow);
            at = graph.model.flow(*flow).from;
            if flows.len() > table.len() {
                break; // defensive: a predecessor chain never exceeds the system count
            }
        }
        flows.reverse();
        flows
    }
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
    cache: HashMap<(TaxonId, ReachOptions), std::rc::Rc<Reach>>,
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
        let speaker = model.speaker();
        let speaker_systems = model
            .systems
            .iter()
            .map(|s| s.operator == speaker)
            .collect();
        FlowGraph {
            model,
            graph,
            flows_listing,
            composites_containing,
            speaker_systems,
            cache: HashMap::new(),
        }
    }

    pub fn is_speaker_system(&self, s: SystemId) -> bool {
        self.speaker_systems[s.index()]
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
        for &ancestor in self.model.fields.ancestors(k) {
            for &f in self.flows_listing.get(&ancestor).into_iter().flatten() {
                offer(f, Certainty::Possible, ancestor);
            }
        }
        let mut passes: Vec<Pass> = best.into_values().collect();
        passes.sort_by_key(|p| p.flow);
        passes
    }

    /// Whether a flow counts under `options` at all (conditions and derived forms).
    pub fn flow_counts(&self, flow: FlowId, options: &ReachOptions) -> bool {
        let f = self.model.flow(flow);
        if !options.include_derived
            && matches!(
                f.protection,
                Protection::Aggregated | Protection::Anonymized
            )
        {
            return false;
        }
        !f.condition
            .as_ref()
            .is_some_and(|c| options.exempt_conditions.contains(c))
    }

    /// Whether the target of a flow can read what it carries. End-to-end encryption hides the
    /// content from every system but the devices at the ends of the session.
    pub fn readable(&self, flow: FlowId) -> bool {
        let f = self.model.flow(flow);
        f.protection != Protection::E2ee
            || self.model.system(f.to).location == SystemLocation::Device
    }

    /// Reach of key `k` from the speaker's systems over readable hops, computed once per
    /// (key, options) and shared by every claim that asks.
    pub fn reach(&mut self, k: TaxonId, options: &ReachOptions) -> std::rc::Rc<Reach> {
        if let Some(r) = self.cache.get(&(k, options.clone())) {
            return r.clone();
        }
        let passes: Vec<Pass> = self
            .passes(k)
            .into_iter()
            .filter(|p| self.flow_counts(p.flow, options) && self.readable(p.flow))
            .collect();
        let n = self.model.systems.len();
        let mut preference: Vec<Option<Preference>> = vec![None; self.model.flows.len()];
        for p in &passes {
            preference[p.flow.index()] = Some(match p.certainty {
                Certainty::Definite if p.listed == k => Preference::Listed,
                Certainty::Definite => Preference::Composite,
                Certainty::Possible => Preference::Broader,
            });
        }
        let definite = self.bfs(&preference, true, n);
        let any = self.bfs(&preference, false, n);
        let reach = std::rc::Rc::new(Reach { definite, any });
        self.cache.insert((k, options.clone()), reach.clone());
        reach
    }

    /// Multi-source BFS from where the key enters the speaker's systems (SPEC §4.2).
    fn bfs(
        &self,
        passing: &[Option<Preference>],
        definite_only: bool,
        n: usize,
    ) -> Vec<Option<Step>> {
        let usable = |flow: FlowId| match passing[flow.index()] {
            Some(Preference::Broader) => !definite_only,
            Some(_) => true,
            None => false,
        };
        // A speaker system is an entry point unless another speaker system feeds it this key.
        let fed_by_speaker = |s: usize| {
            self.graph
                .edges_directed(NodeIndex::new(s), petgraph::Direction::Incoming)
                .any(|e| {
                    let from = e.source().index();
                    from != s && self.speaker_systems[from] && usable(*e.weight())
                })
        };
        let mut steps: Vec<Option<Step>> = vec![None; n];
        let mut queue = VecDeque::new();
        for (s, step) in steps.iter_mut().enumerate() {
            if self.speaker_systems[s] && !fed_by_speaker(s) {
                *step = Some(Step { via: None, hops: 0 });
                queue.push_back(s);
            }
        }
        let mut cursor = 0;
        loop {
            while let Some(s) = queue.pop_front() {
                let hops = steps[s].map_or(0, |st| st.hops);
                let mut out: Vec<_> = self
                    .graph
                    .edges(NodeIndex::new(s))
                    .filter(|e| usable(*e.weight()))
                    .map(|e| (passing[e.weight().index()], *e.weight(), e.target().index()))
                    .collect();
                // Among equally short paths, prefer flows that list the key itself, then flow
                // order (flows are sorted by id, so this never depends on the input's order).
                out.sort_unstable();
                for (_, flow, t) in out {
                    if steps[t].is_none() {
                        steps[t] = Some(Step {
                            via: Some(flow),
                            hops: hops + 1,
                        });
                        queue.push_back(t);
                    }
                }
            }
            // Speaker systems that only feed each other in a cycle have no entry point: the first
            // unreached one that sends the key becomes one.
            let next = (cursor..n).find(|&s| {
                self.speaker_systems[s]
                    && steps[s].is_none()
                    && self
                        .graph
                        .edges(NodeIndex::new(s))
                        .any(|e| usable(*e.weight()))
            });
            match next {
                Some(s) => {
                    cursor = s + 1;
                    steps[s] = Some(Step { via: None, hops: 0 });
                    queue.push_back(s);
                }
                None => break,
            }
        }
        steps
    }
}
