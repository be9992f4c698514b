//! The claim engine: one module per claim kind (SPEC §5), sharing reach through `Checker` so the
//! cost grows with field keys × graph size, not with the number of claims.

mod disclosure_complete;
mod e2ee;
mod no_collect;
mod no_logs;
mod no_share;
mod only_for_purposes;
mod operator_cannot_read;
mod retention_max;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::disclosures::verdict::{ConflictMode, Judged};
use crate::engine::finding::{Finding, Note, Verdict};
use crate::engine::graph::{Certainty, FlowGraph, Pass, Reach, ReachOptions};
use crate::model::raw::{ClaimKind, Scope};
use crate::model::taxonomy::TaxonId;
use crate::model::{Claim, FlowId, Model, Selector, SystemId};

/// Checks claims against one model, caching reach per (key, options).
pub struct Checker<'m> {
    pub graph: FlowGraph<'m>,
    passes: std::collections::HashMap<TaxonId, Rc<Vec<Pass>>>,
    conflict: ConflictMode,
    disclosures: Option<Rc<Disclosures>>,
}

/// Every receipt with its verdict, and the disclosures no receipt needs.
#[derive(Debug)]
pub struct Disclosures {
    pub judged: Vec<Judged>,
    pub over: Vec<usize>,
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
    source: Option<Certainty>,
}

/// A candidate finding before grouping: the arrival plus the claim's verdict on it.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub arrival: Arrival,
    pub verdict: Verdict,
    pub notes: Vec<Note>,
}

impl<'m> Checker<'m> {
    pub fn new(model: &'m Model, conflict: ConflictMode) -> Checker<'m> {
        Checker {
            graph: FlowGraph::new(model),
            passes: Default::default(),
            conflict,
            disclosures: None,
        }
    }

    /// Receipts and their disclosure verdicts, computed once.
    pub fn disclosures(&mut self) -> Rc<Disclosures> {
        if let Some(d) = &self.disclosures {
            return d.clone();
        }
        let receipts = crate::engine::disclosures::receipts::receipts(self);
        let (judged, over) =
            crate::engine::disclosures::verdict::judge_all(self.model(), receipts, self.conflict);
        let d = Rc::new(Disclosures { judged, over });
        self.disclosures = Some(d.clone());
        d
    }

    pub fn model(&self) -> &'m Model {
        self.graph.model
    }

    /// Runs the check of `claim`; `None` for kinds evaluated elsewhere (they are skipped).
    pub fn check(&mut self, claim_index: usize) -> Option<Vec<Finding>> {
        let claim = &self.model().claims[claim_index];
        let findings = match claim.kind {
            ClaimKind::NoShare => no_share::check(self, claim),
            ClaimKind::NoCollect => no_collect::check(self, claim),
            ClaimKind::OnlyForPurposes => only_for_purposes::check(self, claim),
            ClaimKind::E2ee => e2ee::check(self, claim),
            ClaimKind::OperatorCannotRead => operator_cannot_read::check(self, claim),
            ClaimKind::RetentionMax => retention_max::check(self, claim),
            ClaimKind::NoLogs => no_logs::check(self, claim),
            ClaimKind::DisclosureComplete => disclosure_complete::check(self, claim),
            ClaimKind::NoExpansion => return None,
        };
        Some(
            findings
                .into_iter()
                .map(|mut f| {
                    f.claim = claim_index;
                    f
                })
                .collect(),
        )
    }

    fn passes(&mut self, k: TaxonId) -> Rc<Vec<Pass>> {
        if let Some(p) = self.passes.get(&k) {
            return p.clone();
        }
        let p = Rc::new(self.graph.passes(k));
        self.passes.insert(k, p.clone());
        p
    }

    /// Every readable arrival of key `k` over a counting flow whose source the speaker's data
    /// reached (or any source, with `from_anywhere`).
    pub fn arrivals(
        &mut self,
        k: TaxonId,
        options: &ReachOptions,
        from_anywhere: bool,
    ) -> (Rc<Reach>, Vec<Arrival>) {
        let reach = self.graph.reach(k, options);
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

    /// The keys that travel for claim field `y`.
    pub fn keys(&self, y: TaxonId) -> Vec<TaxonId> {
        self.graph.travelling_keys(y)
    }

    /// Builds a finding from the best candidate of a group.
    fn finding(&self, reach: &Reach, claim_field: TaxonId, c: Candidate) -> Finding {
        let model = self.model();
        let a = c.arrival;
        let flow = model.flow(a.flow);
        let mut flows = match a.source {
            Some(certainty) => reach.flows_to(&self.graph, flow.from, certainty),
            None => Vec::new(),
        };
        flows.push(a.flow);
        let mut path = vec![model.flow(flows[0]).from];
        path.extend(flows.iter().map(|f| model.flow(*f).to));
        let mut notes = c.notes;
        notes.sort();
        notes.dedup();
        Finding {
            claim: 0,
            verdict: c.verdict,
            certainty: a.certainty,
            field: a.listed,
            claim_field,
            recipient: a.target,
            path,
            flows,
            direct: self.graph.is_speaker_system(flow.from),
            notes,
            waiver: None,
        }
    }

    /// The shared shape of most checks: for each claim field and travelling key, judge every
    /// arrival, and keep per (claim field, system) the worst verdict, then definite before
    /// possible, then the fewest hops (SPEC §4.2).
    pub fn judge_arrivals(
        &mut self,
        claim: &Claim,
        options: &ReachOptions,
        from_anywhere: bool,
        mut judge: impl FnMut(&Model, &Arrival) -> Option<(Verdict, Vec<Note>)>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for &y in &claim.fields {
            let mut best: BTreeMap<SystemId, (Candidate, Rc<Reach>)> = BTreeMap::new();
            for k in self.keys(y) {
                let (reach, arrivals) = self.arrivals(k, options, from_anywhere);
                for arrival in arrivals {
                    let Some((verdict, notes)) = judge(self.model(), &arrival) else {
                        continue;
                    };
                    let candidate = Candidate {
                        arrival,
                        verdict,
                        notes,
                    };
                    let better = match best.get(&arrival.target) {
                        None => true,
                        Some((current, _)) => rank(&candidate) < rank(current),
                    };
                    if better {
                        best.insert(arrival.target, (candidate, reach.clone()));
                    }
                }
            }
            for (candidate, reach) in best.into_values() {
                findings.push(self.finding(&reach, y, candidate));
            }
        }
        findings
    }
}

/// Sort key of candidates within a group: smaller is kept.
fn rank(c: &Candidate) -> (std::cmp::Reverse<Verdict>, Certainty, u32, FlowId, TaxonId) {
    (
        std::cmp::Reverse(c.verdict),
        c.arrival.certainty,
        c.arrival.hops,
        c.arrival.flow,
        c.arrival.listed,
    )
}

/// The entities a claim's selectors pick, with `default_scope` unless the claim states one.
pub fn selection(
    model: &Model,
    selectors: &[Selector],
    claim: &Claim,
    default_scope: Scope,
) -> Vec<bool> {
    model.select(selectors, claim.scope.unwrap_or(default_scope))
}

/// `at`/`operators` default: the speaker itself, widened by `scope`.
pub fn speaker_selection(
    model: &Model,
    selectors: &[Selector],
    claim: &Claim,
    default_scope: Scope,
) -> Vec<bool> {
    if selectors.is_empty() {
        model.select(
            &[Selector::Entity(model.speaker())],
            claim.scope.unwrap_or(default_scope),
        )
    } else {
        selection(model, selectors, claim, Scope::Exact)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Builds small models from YAML for the per-kind tests.
    use crate::engine::finding::Finding;
    use crate::model::Model;
    use crate::model::loader::{InputFile, load_inputs};

    pub fn model(yaml: &str) -> Model {
        let header = "privflow: 1\npolicy: {id: test, speaker: app-co}\n";
        let text = format!("{header}{yaml}");
        match load_inputs(vec![InputFile {
            path: "test.yaml".into(),
            bytes: text.into_bytes(),
        }]) {
            Ok(mut ws) => ws.models.remove(0),
            Err(f) => panic!("model does not load: {:#?}", f.diagnostics),
        }
    }

    /// Runs claim `id` and describes its findings as `verdict field@system: a>b>c`.
    pub fn run(model: &Model, id: &str) -> Vec<String> {
        let index = model
            .claims
            .iter()
            .position(|c| c.id == id)
            .expect("claim exists");
        let mut checker = super::Checker::new(model, Default::default());
        let findings = checker.check(index).expect("claim kind is checked");
        findings.iter().map(|f| describe(model, f)).collect()
    }

    pub fn describe(model: &Model, f: &Finding) -> String {
        let path: Vec<&str> = model.system_ids(&f.path);
        format!(
            "{} {}@{}: {}",
            f.verdict.as_str(),
            model.fields.key(f.field),
            model.system(f.recipient).id,
            path.join(">")
        )
    }

    /// Entities and systems most tests share: the speaker's app and server, Meta's ad system,
    /// and an unrelated advertiser.
    pub const WORLD: &str = "
entities:
  meta: {name: Meta}
  app-co: {owned_by: meta}
  fb: {owned_by: meta}
  adnet: {categories: [advertiser]}
systems:
  app: {operated_by: app-co, location: device}
  server: {operated_by: app-co}
  fb-ads: {operated_by: fb}
  ads: {operated_by: adnet}
";
}
