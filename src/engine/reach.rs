//! Per-key reach (SPEC §4.2): which systems hold each field key — in plaintext or only as
//! ciphertext — by the shortest witness path from where the key enters the speaker's systems.
//! Computed once per (key, options) and shared by every claim, receipt and output.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use super::graph::{Certainty, FlowGraph, Pass, ReachOptions};
use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, Protection, SystemId};

/// How a system holds a key: readable, or only as ciphertext it cannot read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holding {
    Plaintext,
    Ciphertext,
}

impl Holding {
    /// What the target of `flow` holds when its source holds `self` (SPEC §4.2): plaintext
    /// leaves only a plaintext holder over a hop that is not `e2ee`; a device is the end of a
    /// session and reads whatever arrives.
    pub fn after(self, graph: &FlowGraph, flow: FlowId) -> Holding {
        let f = graph.model.flow(flow);
        if graph.is_device(f.to) || (self == Holding::Plaintext && f.protection != Protection::E2ee)
        {
            Holding::Plaintext
        } else {
            Holding::Ciphertext
        }
    }

    fn index(self) -> usize {
        match self {
            Holding::Plaintext => 0,
            Holding::Ciphertext => 1,
        }
    }
}

/// One way a system came to hold a key: the flow that arrived last, the hop count, and how the
/// previous system held it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub via: Option<FlowId>,
    pub hops: u32,
    from: Holding,
}

/// Reach of one key from the speaker: per system and holding, the shortest all-definite path and
/// the shortest path of any certainty.
#[derive(Clone, Debug)]
pub struct Reach {
    definite: Steps,
    any: Steps,
}

/// The states a BFS reached, by `system * 2 + holding`: only those, sorted, so a key that
/// reaches few of 10 000 systems costs what it reaches.
#[derive(Clone, Debug)]
struct Steps(Vec<(u32, Step)>);

impl Steps {
    fn get(&self, slot: usize) -> Option<Step> {
        let at = self
            .0
            .binary_search_by_key(&slot, |(s, _)| *s as usize)
            .ok()?;
        Some(self.0[at].1)
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

fn slot(system: SystemId, holding: Holding) -> usize {
    system.index() * 2 + holding.index()
}

impl Reach {
    fn table(&self, certainty: Certainty) -> &Steps {
        match certainty {
            Certainty::Definite => &self.definite,
            Certainty::Possible => &self.any,
        }
    }

    /// Best way `system` holds the key as `holding`: definitely if it can, else possibly.
    pub fn holds(&self, system: SystemId, holding: Holding) -> Option<(Certainty, Step)> {
        [Certainty::Definite, Certainty::Possible]
            .into_iter()
            .find_map(|c| {
                self.table(c)
                    .get(slot(system, holding))
                    .map(|step| (c, step))
            })
    }

    /// Best way `system` can read the key: held in plaintext.
    pub fn plaintext(&self, system: SystemId) -> Option<(Certainty, Step)> {
        self.holds(system, Holding::Plaintext)
    }

    /// Best way `system` holds the key at all; at equal certainty the plaintext route (a system
    /// fed both holds plaintext).
    pub fn held(&self, system: SystemId) -> Option<(Certainty, Holding, Step)> {
        [Certainty::Definite, Certainty::Possible]
            .into_iter()
            .find_map(|c| {
                [Holding::Plaintext, Holding::Ciphertext]
                    .into_iter()
                    .find_map(|h| self.table(c).get(slot(system, h)).map(|step| (c, h, step)))
            })
    }

    /// Adds to `flows` the flows of the witness path to `system` holding the key as `holding`,
    /// walking back only until a state `walked` holds: paths that share a tail cost it once.
    pub fn collect_flows_to(
        &self,
        model: &Model,
        (system, certainty, holding): (SystemId, Certainty, Holding),
        walked: &mut std::collections::HashSet<(usize, Certainty, usize)>,
        flows: &mut std::collections::BTreeSet<FlowId>,
    ) {
        let me = self as *const Reach as usize;
        let table = self.table(certainty);
        let (mut at, mut held) = (system, holding);
        while walked.insert((me, certainty, slot(at, held))) {
            let Some(Step {
                via: Some(flow),
                from,
                ..
            }) = table.get(slot(at, held))
            else {
                break;
            };
            flows.insert(flow);
            at = model.flow(flow).from;
            held = from;
        }
    }

    /// The flows of the witness path to `system` holding the key as `holding`, first hop first.
    pub fn flows_to(
        &self,
        model: &Model,
        system: SystemId,
        certainty: Certainty,
        holding: Holding,
    ) -> Vec<FlowId> {
        let table = self.table(certainty);
        let mut flows = Vec::new();
        let (mut at, mut held) = (system, holding);
        while let Some(Step {
            via: Some(flow),
            from,
            ..
        }) = table.get(slot(at, held))
        {
            flows.push(flow);
            at = model.flow(flow).from;
            held = from;
            if flows.len() > table.len() {
                break; // defensive: a predecessor chain never exceeds the state count
            }
        }
        flows.reverse();
        flows
    }
}

/// A field key arriving at a system over one flow.
#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    pub flow: FlowId,
    pub target: SystemId,
    pub certainty: Certainty,
    pub hops: u32,
    pub listed: TaxonId,
    /// The target can read it.
    pub plaintext: bool,
    /// How the speaker's data reached the source (`None`: the hop alone is the evidence).
    pub source: Option<(Certainty, Holding)>,
}

/// How a flow carries a key, best first: as listed, inside a composite, or as a broader key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Preference {
    Listed,
    Composite,
    Broader,
}

/// A flow that carries the key, as the BFS walks it: ordered by source, then preference, then
/// flow order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Carrying {
    from: SystemId,
    preference: Preference,
    flow: FlowId,
    to: SystemId,
}

/// What arrives at a system over the flows that carry a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arriving {
    Nothing,
    OnlyCiphertext,
    Readable,
}

/// Follows field keys across the flow graph: reach and passes per key, each computed once and
/// shared by every claim and by the receipts, on whichever thread asks first.
pub struct Tracer<'m> {
    pub graph: FlowGraph<'m>,
    reaches: Cache<(TaxonId, ReachOptions), Reach>,
    passes: Cache<TaxonId, Vec<Pass>>,
    arrivals: Cache<(TaxonId, ReachOptions, bool), Vec<Arrival>>,
}

/// Values computed once per key and shared across threads: a thread that asks for a value
/// another is computing waits for it, so none is computed twice.
struct Cache<K, V>(Mutex<HashMap<K, Arc<OnceLock<Arc<V>>>>>);

impl<K: Eq + Hash, V> Cache<K, V> {
    fn new() -> Cache<K, V> {
        Cache(Mutex::new(HashMap::new()))
    }

    fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> Arc<V> {
        let cell = {
            // A thread that panicked while holding the lock left the map whole.
            let mut cells = self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            cells.entry(key).or_default().clone()
        };
        cell.get_or_init(|| Arc::new(compute())).clone()
    }
}

impl<'m> Tracer<'m> {
    pub fn new(model: &'m Model) -> Tracer<'m> {
        Tracer {
            graph: FlowGraph::new(model),
            reaches: Cache::new(),
            passes: Cache::new(),
            arrivals: Cache::new(),
        }
    }

    pub fn model(&self) -> &'m Model {
        self.graph.model
    }

    /// The flows that pass key `k` (see [`FlowGraph::passes`]), computed once.
    pub fn passes(&self, k: TaxonId) -> Arc<Vec<Pass>> {
        self.passes.get_or(k, || self.graph.passes(k))
    }

    /// Reach of key `k` from the speaker's systems over every flow that carries it, computed once
    /// per (key, options) and shared by every claim that asks.
    pub fn reach(&self, k: TaxonId, options: &ReachOptions) -> Arc<Reach> {
        self.reaches
            .get_or((k, *options), || self.compute_reach(k, options))
    }

    fn compute_reach(&self, k: TaxonId, options: &ReachOptions) -> Reach {
        let passes = self.passes(k);
        let carrying: Vec<Carrying> = passes
            .iter()
            .filter(|p| self.graph.flow_counts(p.flow, options))
            .map(|p| {
                let flow = self.model().flow(p.flow);
                Carrying {
                    from: flow.from,
                    preference: match p.certainty {
                        Certainty::Definite if p.listed == k => Preference::Listed,
                        Certainty::Definite => Preference::Composite,
                        Certainty::Possible => Preference::Broader,
                    },
                    flow: p.flow,
                    to: flow.to,
                }
            })
            .collect();
        let definite = self.bfs(&carrying, true);
        let any = self.bfs(&carrying, false);
        Reach { definite, any }
    }

    /// Multi-source BFS over (system, holding) from where the key enters the speaker's systems
    /// (SPEC §4.2): a speaker system that no other speaker system feeds the key, unless it
    /// receives the key only as ciphertext. It walks only the flows that carry the key, as a
    /// flat adjacency (CSR) by source, so its cost follows the key's flows, not the model's.
    fn bfs(&self, carrying: &[Carrying], definite_only: bool) -> Steps {
        let graph = &self.graph;
        let n = graph.model.systems.len();
        // Among equally short paths, prefer flows that list the key itself, then flow order
        // (flows are sorted by id, so this never depends on the input's order).
        let mut out: Vec<Carrying> = carrying
            .iter()
            .filter(|c| !definite_only || c.preference != Preference::Broader)
            .copied()
            .collect();
        out.sort_unstable();
        let mut first = vec![0u32; n + 1];
        for c in &out {
            first[c.from.index() + 1] += 1;
        }
        for s in 0..n {
            first[s + 1] += first[s];
        }
        let leaving = |s: SystemId| &out[first[s.index()] as usize..first[s.index() + 1] as usize];
        // Per system: fed the key by another speaker system; receives it only over `e2ee` hops
        // (what arrives is ciphertext, so the key does not enter there).
        let mut fed_by_speaker = vec![false; n];
        let mut arrives = vec![Arriving::Nothing; n];
        for c in &out {
            let to = c.to.index();
            if c.from != c.to && graph.is_speaker_system(c.from) {
                fed_by_speaker[to] = true;
            }
            let e2ee = graph.model.flow(c.flow).protection == Protection::E2ee;
            arrives[to] = match (arrives[to], e2ee) {
                (Arriving::Nothing | Arriving::OnlyCiphertext, true) => Arriving::OnlyCiphertext,
                _ => Arriving::Readable,
            };
        }
        let ciphertext_only =
            |s: SystemId| !graph.is_device(s) && arrives[s.index()] == Arriving::OnlyCiphertext;
        let mut steps: Vec<Option<Step>> = vec![None; 2 * n];
        let mut queue = VecDeque::new();
        let start = Step {
            via: None,
            hops: 0,
            from: Holding::Plaintext,
        };
        for s in (0..n as u32).map(SystemId) {
            if graph.is_speaker_system(s) && !fed_by_speaker[s.index()] && !ciphertext_only(s) {
                steps[slot(s, Holding::Plaintext)] = Some(start);
                queue.push_back((s, Holding::Plaintext));
            }
        }
        // Systems that send the key, in system order: where a cycle may need an entry point.
        let mut senders = out.iter().map(|c| c.from).peekable();
        loop {
            while let Some((s, held)) = queue.pop_front() {
                let hops = steps[slot(s, held)].map_or(0, |st| st.hops);
                for c in leaving(s) {
                    let next = held.after(graph, c.flow);
                    if steps[slot(c.to, next)].is_none() {
                        steps[slot(c.to, next)] = Some(Step {
                            via: Some(c.flow),
                            hops: hops + 1,
                            from: held,
                        });
                        queue.push_back((c.to, next));
                    }
                }
            }
            // Speaker systems that only feed each other in a cycle have no entry point: the first
            // one not reached that sends the key becomes one.
            let next = senders.by_ref().find(|&s| {
                graph.is_speaker_system(s)
                    && steps[slot(s, Holding::Plaintext)].is_none()
                    && steps[slot(s, Holding::Ciphertext)].is_none()
                    && !ciphertext_only(s)
            });
            match next {
                Some(s) => {
                    steps[slot(s, Holding::Plaintext)] = Some(start);
                    queue.push_back((s, Holding::Plaintext));
                }
                None => break,
            }
        }
        Steps(
            steps
                .into_iter()
                .enumerate()
                .filter_map(|(slot, step)| Some((slot as u32, step?)))
                .collect(),
        )
    }

    /// Every arrival of key `k` over a flow that carries it under `options`, one per way the
    /// source holds it; with `from_anywhere`, also the hop alone from a source the speaker's data
    /// does not definitely reach. Computed once and shared by every claim that asks.
    pub fn arrivals(
        &self,
        k: TaxonId,
        options: &ReachOptions,
        from_anywhere: bool,
    ) -> (Arc<Reach>, Arc<Vec<Arrival>>) {
        let reach = self.reach(k, options);
        let arrivals = self.arrivals.get_or((k, *options, from_anywhere), || {
            self.compute_arrivals(k, options, from_anywhere, &reach)
        });
        (reach, arrivals)
    }

    fn compute_arrivals(
        &self,
        k: TaxonId,
        options: &ReachOptions,
        from_anywhere: bool,
        reach: &Reach,
    ) -> Vec<Arrival> {
        let passes = self.passes(k);
        let graph = &self.graph;
        let mut out = Vec::new();
        for pass in passes.iter() {
            if !graph.flow_counts(pass.flow, options) {
                continue;
            }
            let flow = graph.model.flow(pass.flow);
            let arrival = |source: Option<(Certainty, Holding)>, hops: u32| {
                let (certainty, holding) = match source {
                    Some((c, h)) => (c.and(pass.certainty), h),
                    // A source nothing reaches is where the key comes from: it holds plaintext.
                    None => (pass.certainty, Holding::Plaintext),
                };
                Arrival {
                    flow: pass.flow,
                    target: flow.to,
                    certainty,
                    hops,
                    listed: pass.listed,
                    plaintext: holding.after(graph, pass.flow) == Holding::Plaintext,
                    source,
                }
            };
            let mut definitely_reached = false;
            for holding in [Holding::Plaintext, Holding::Ciphertext] {
                let Some((c, step)) = reach.holds(flow.from, holding) else {
                    continue;
                };
                // From anywhere, the hop alone is evidence: a source the speaker reaches only
                // possibly must not weaken a definite hop.
                if from_anywhere && c == Certainty::Possible {
                    continue;
                }
                definitely_reached |= c == Certainty::Definite;
                out.push(arrival(Some((c, holding)), step.hops + 1));
            }
            if from_anywhere && !definitely_reached {
                out.push(arrival(None, 1));
            }
        }
        out
    }
}
