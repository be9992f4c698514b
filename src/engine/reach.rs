//! Per-key reach (SPEC §4.2): which systems each field key reaches from the speaker, by the
//! shortest witness path, computed once per (key, options) and shared by claims and disclosures.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use super::graph::{Certainty, FlowGraph, Pass, ReachOptions};
use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, SystemId};

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
    pub fn flows_to(&self, model: &Model, system: SystemId, certainty: Certainty) -> Vec<FlowId> {
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
            at = model.flow(*flow).from;
            if flows.len() > table.len() {
                break; // defensive: a predecessor chain never exceeds the system count
            }
        }
        flows.reverse();
        flows
    }
}

/// A field key arriving at a system over one flow, from a system the speaker's data reached.
#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    pub flow: FlowId,
    pub target: SystemId,
    pub certainty: Certainty,
    pub hops: u32,
    pub listed: TaxonId,
    /// How the source was reached (`None`: not reached from the speaker at all).
    pub source: Option<Certainty>,
}

/// How a flow carries a key, best first: as listed, inside a composite, or as a broader key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Preference {
    Listed,
    Composite,
    Broader,
}

/// Follows field keys across the flow graph: reach and passes per key, each computed once and
/// shared by every claim and by the receipts.
pub struct Tracer<'m> {
    pub graph: FlowGraph<'m>,
    reaches: HashMap<(TaxonId, ReachOptions), Rc<Reach>>,
    passes: HashMap<TaxonId, Rc<Vec<Pass>>>,
}

impl<'m> Tracer<'m> {
    pub fn new(model: &'m Model) -> Tracer<'m> {
        Tracer {
            graph: FlowGraph::new(model),
            reaches: HashMap::new(),
            passes: HashMap::new(),
        }
    }

    pub fn model(&self) -> &'m Model {
        self.graph.model
    }

    /// The flows that pass key `k` (see [`FlowGraph::passes`]), computed once.
    pub fn passes(&mut self, k: TaxonId) -> Rc<Vec<Pass>> {
        if let Some(p) = self.passes.get(&k) {
            return p.clone();
        }
        let p = Rc::new(self.graph.passes(k));
        self.passes.insert(k, p.clone());
        p
    }

    /// Reach of key `k` from the speaker's systems over readable hops, computed once per
    /// (key, options) and shared by every claim that asks.
    pub fn reach(&mut self, k: TaxonId, options: &ReachOptions) -> Rc<Reach> {
        if let Some(r) = self.reaches.get(&(k, options.clone())) {
            return r.clone();
        }
        let passes = self.passes(k);
        let model = self.model();
        let mut preference: Vec<Option<Preference>> = vec![None; model.flows.len()];
        for p in passes.iter() {
            if !self.graph.flow_counts(p.flow, options) || !self.graph.readable(p.flow) {
                continue;
            }
            preference[p.flow.index()] = Some(match p.certainty {
                Certainty::Definite if p.listed == k => Preference::Listed,
                Certainty::Definite => Preference::Composite,
                Certainty::Possible => Preference::Broader,
            });
        }
        let definite = self.bfs(&preference, true);
        let any = self.bfs(&preference, false);
        let reach = Rc::new(Reach { definite, any });
        self.reaches.insert((k, options.clone()), reach.clone());
        reach
    }

    /// Multi-source BFS from where the key enters the speaker's systems (SPEC §4.2).
    fn bfs(&self, passing: &[Option<Preference>], definite_only: bool) -> Vec<Option<Step>> {
        let graph = &self.graph;
        let n = graph.model.systems.len();
        let usable = |flow: FlowId| match passing[flow.index()] {
            Some(Preference::Broader) => !definite_only,
            Some(_) => true,
            None => false,
        };
        // A speaker system is an entry point unless another speaker system feeds it this key.
        let fed_by_speaker = |s: SystemId| {
            graph
                .incoming(s)
                .any(|(flow, from)| from != s && graph.is_speaker_system(from) && usable(flow))
        };
        let mut steps: Vec<Option<Step>> = vec![None; n];
        let mut queue = VecDeque::new();
        for (s, step) in steps.iter_mut().enumerate() {
            let id = SystemId(s as u32);
            if graph.is_speaker_system(id) && !fed_by_speaker(id) {
                *step = Some(Step { via: None, hops: 0 });
                queue.push_back(id);
            }
        }
        let mut cursor = 0;
        loop {
            while let Some(s) = queue.pop_front() {
                let hops = steps[s.index()].map_or(0, |st| st.hops);
                let mut out: Vec<_> = graph
                    .outgoing(s)
                    .filter(|&(flow, _)| usable(flow))
                    .map(|(flow, t)| (passing[flow.index()], flow, t))
                    .collect();
                // Among equally short paths, prefer flows that list the key itself, then flow
                // order (flows are sorted by id, so this never depends on the input's order).
                out.sort_unstable();
                for (_, flow, t) in out {
                    if steps[t.index()].is_none() {
                        steps[t.index()] = Some(Step {
                            via: Some(flow),
                            hops: hops + 1,
                        });
                        queue.push_back(t);
                    }
                }
            }
            // Speaker systems that only feed each other in a cycle have no entry point: the first
            // unreached one that sends the key becomes one.
            let next = (cursor..n).map(|s| SystemId(s as u32)).find(|&s| {
                graph.is_speaker_system(s)
                    && steps[s.index()].is_none()
                    && graph.outgoing(s).any(|(flow, _)| usable(flow))
            });
            match next {
                Some(s) => {
                    cursor = s.index() + 1;
                    steps[s.index()] = Some(Step { via: None, hops: 0 });
                    queue.push_back(s);
                }
                None => break,
            }
        }
        steps
    }

    /// Every readable arrival of key `k` over a counting flow whose source the speaker's data
    /// reached (or any source, with `from_anywhere`).
    pub fn arrivals(
        &mut self,
        k: TaxonId,
        options: &ReachOptions,
        from_anywhere: bool,
    ) -> (Rc<Reach>, Vec<Arrival>) {
        let reach = self.reach(k, options);
        let passes = self.passes(k);
        let model = self.model();
        let mut out = Vec::new();
        for pass in passes.iter() {
            if !self.graph.flow_counts(pass.flow, options) || !self.graph.readable(pass.flow) {
                continue;
            }
            let flow = model.flow(pass.flow);
            let mut source = reach.best(flow.from);
            if source.is_none() && !from_anywhere {
                continue;
            }
            // From anywhere, the hop alone is evidence: a source the speaker reaches only
            // possibly must not weaken a definite hop.
            if from_anywhere && matches!(source, Some((Certainty::Possible, _))) {
                source = None;
            }
            let (certainty, hops) = match source {
                Some((c, step)) => (c.and(pass.certainty), step.hops + 1),
                None => (pass.certainty, 1),
            };
            out.push(Arrival {
                flow: pass.flow,
                target: flow.to,
                certainty,
                hops,
                listed: pass.listed,
                source: source.map(|(c, _)| c),
            });
        }
        (reach, out)
    }
}
