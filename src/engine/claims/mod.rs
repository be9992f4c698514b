//! The claim engine: one module per claim kind (SPEC §5). Claims read the reach the `Tracer`
//! shares and, for `disclosure_complete`, the receipts already judged; they never call back.

mod disclosure_complete;
mod e2ee;
mod no_collect;
pub mod no_expansion;
mod no_logs;
mod no_share;
mod only_for_purposes;
mod operator_cannot_read;
mod retention_max;

use std::collections::BTreeMap;
use std::rc::Rc;

use super::disclosures::Disclosures;
use super::finding::{Finding, Note, Verdict};
use super::graph::{Certainty, ReachOptions};
use super::reach::{Arrival, Reach, Tracer};
use crate::model::taxonomy::TaxonId;
use crate::model::{Claim, FlowId, Model, Selector, SystemId};
use crate::model::{ClaimKind, Scope};

/// Checks the claims of one model against its reach and its judged receipts.
pub struct Checker<'a, 'm> {
    pub tracer: &'a mut Tracer<'m>,
    disclosures: &'a Disclosures,
}

/// A candidate finding before grouping: the arrival plus the claim's verdict on it.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub arrival: Arrival,
    pub verdict: Verdict,
    pub notes: Vec<Note>,
}

impl<'a, 'm> Checker<'a, 'm> {
    pub fn new(tracer: &'a mut Tracer<'m>, disclosures: &'a Disclosures) -> Checker<'a, 'm> {
        Checker {
            tracer,
            disclosures,
        }
    }

    pub fn model(&self) -> &'m Model {
        self.tracer.model()
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

    /// The keys that travel for claim field `y`.
    pub fn keys(&self, y: TaxonId) -> Vec<TaxonId> {
        self.tracer.graph.travelling_keys(y)
    }

    /// Builds a finding from the best candidate of a group.
    fn finding(&self, reach: &Reach, claim_field: TaxonId, c: Candidate) -> Finding {
        let model = self.model();
        let a = c.arrival;
        let flow = model.flow(a.flow);
        let mut flows = match a.source {
            Some(certainty) => reach.flows_to(model, flow.from, certainty),
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
            direct: self.tracer.graph.is_speaker_system(flow.from),
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
                let (reach, arrivals) = self.tracer.arrivals(k, options, from_anywhere);
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
