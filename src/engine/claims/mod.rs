//! The claim engine: one module per claim kind (SPEC §5). Claims read the reach the `Tracer`
//! shares and, for `disclosure_complete`, the receipts already judged; they never call back.

mod data_residency;
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

use super::disclosures::Disclosures;
use super::finding::{FindingHead, Note, Route, Verdict};
use super::graph::{Certainty, ReachOptions};
use super::reach::{Arrival, Tracer};
pub use super::scope::{exempts, recipients, speaker_selection};
use crate::model::taxonomy::TaxonId;
use crate::model::{Claim, ClaimKind, FlowId, Model, SystemId};

/// Checks the claims of one model against its reach and its judged receipts.
pub struct Checker<'a, 'm> {
    pub tracer: &'a Tracer<'m>,
}

/// Which arrivals a check is about: what a system can read, or whatever it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    Plaintext,
    Anything,
}

/// One way a key reaches a system where the claim breaks, before grouping.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub recipient: SystemId,
    pub verdict: Verdict,
    pub certainty: Certainty,
    /// The key as listed on the last hop.
    pub listed: TaxonId,
    pub hops: u32,
    pub last: FlowId,
    pub notes: Vec<Note>,
    pub witness: Route,
}

impl<'a, 'm> Checker<'a, 'm> {
    pub fn new(tracer: &'a Tracer<'m>) -> Checker<'a, 'm> {
        Checker { tracer }
    }

    pub fn model(&self) -> &'m Model {
        self.tracer.model()
    }

    /// Runs the check of `claim` against the flows; `None` for kinds judged on the receipts
    /// ([`check_on_receipts`]) or against a base version (`no_expansion`).
    pub fn check(&self, claim_index: usize) -> Option<Vec<FindingHead>> {
        let claim = &self.model().claims[claim_index];
        let findings = match claim.kind {
            ClaimKind::NoShare => no_share::check(self, claim),
            ClaimKind::NoCollect => no_collect::check(self, claim),
            ClaimKind::OnlyForPurposes => only_for_purposes::check(self, claim),
            ClaimKind::E2ee => e2ee::check(self, claim),
            ClaimKind::OperatorCannotRead => operator_cannot_read::check(self, claim),
            ClaimKind::RetentionMax => retention_max::check(self, claim),
            ClaimKind::DataResidency => data_residency::check(self, claim),
            ClaimKind::NoLogs => no_logs::check(self, claim),
            ClaimKind::DisclosureComplete | ClaimKind::NoExpansion => return None,
        };
        Some(numbered(findings, claim_index))
    }

    /// The keys that travel for each claim field (SPEC §4.2), each key under one claim field
    /// only — the most specific that contains it — so that a key with several parents, or
    /// listed claim fields that overlap, never yield two findings at one system.
    pub fn keys_by_claim_field(&self, claim: &Claim) -> Vec<(TaxonId, Vec<TaxonId>)> {
        let fields = &self.model().fields;
        let mut owner: BTreeMap<TaxonId, TaxonId> = BTreeMap::new();
        for &y in &claim.fields {
            for k in self.tracer.graph.travelling_keys(y) {
                let better = owner.get(&k).is_none_or(|&current| {
                    let more_specific = y != current && fields.is_within(y, current);
                    let comparable = more_specific || fields.is_within(current, y);
                    more_specific
                        || (!comparable
                            && (!fields.is_sensitive(y), fields.key(y))
                                < (!fields.is_sensitive(current), fields.key(current)))
                });
                if better {
                    owner.insert(k, y);
                }
            }
        }
        claim
            .fields
            .iter()
            .map(|&y| {
                let keys = owner.iter().filter(|&(_, &o)| o == y).map(|(&k, _)| k);
                (y, keys.collect())
            })
            .collect()
    }

    /// The shared shape of most checks: for each claim field and travelling key, judge every
    /// arrival the check `reads`, and group what breaks per (claim field, system).
    pub fn judge_arrivals(
        &self,
        claim: &Claim,
        options: &ReachOptions,
        from_anywhere: bool,
        reads: Reads,
        mut judge: impl FnMut(&Model, &Arrival) -> Option<(Verdict, Vec<Note>)>,
    ) -> Vec<FindingHead> {
        let mut findings = Vec::new();
        for (y, keys) in self.keys_by_claim_field(claim) {
            let mut candidates = Vec::new();
            for k in keys {
                let (reach, arrivals) = self.tracer.arrivals(k, options, from_anywhere);
                for arrival in arrivals.iter() {
                    if reads == Reads::Plaintext && !arrival.plaintext {
                        continue;
                    }
                    let Some((verdict, notes)) = judge(self.model(), arrival) else {
                        continue;
                    };
                    candidates.push(Candidate {
                        recipient: arrival.target,
                        verdict,
                        certainty: arrival.certainty,
                        listed: arrival.listed,
                        hops: arrival.hops,
                        last: arrival.flow,
                        notes,
                        witness: Route::Reached {
                            reach: reach.clone(),
                            source: arrival.source,
                            last: arrival.flow,
                        },
                    });
                }
            }
            findings.extend(group(self.model(), y, candidates));
        }
        findings
    }
}

/// Runs the check of a claim judged on the receipts (`disclosure_complete`); `None` for the
/// other kinds.
pub fn check_on_receipts(
    model: &Model,
    claim_index: usize,
    disclosures: &Disclosures,
) -> Option<Vec<FindingHead>> {
    let claim = &model.claims[claim_index];
    let findings = match claim.kind {
        ClaimKind::DisclosureComplete => disclosure_complete::check(model, claim, disclosures),
        _ => return None,
    };
    Some(numbered(findings, claim_index))
}

/// The findings of one claim, each told which claim it belongs to.
fn numbered(findings: Vec<FindingHead>, claim_index: usize) -> Vec<FindingHead> {
    findings
        .into_iter()
        .map(|mut f| {
            f.claim = claim_index;
            f
        })
        .collect()
}

/// One finding per system from the candidates of one claim field (SPEC §4.2, §5): the worst
/// verdict, then definite before possible, then sensitive keys, then by key, then the fewest
/// hops; `fields` lists every key that reaches the system, in that order.
pub fn group(model: &Model, claim_field: TaxonId, candidates: Vec<Candidate>) -> Vec<FindingHead> {
    let rank = |c: &Candidate| {
        (
            std::cmp::Reverse(c.verdict),
            c.certainty,
            !model.fields.is_sensitive(c.listed),
            model.fields.key(c.listed),
            c.hops,
            c.last,
        )
    };
    let mut by_system: BTreeMap<SystemId, Vec<Candidate>> = BTreeMap::new();
    for c in candidates {
        by_system.entry(c.recipient).or_default().push(c);
    }
    by_system
        .into_values()
        .map(|mut group| {
            group.sort_by(|a, b| rank(a).cmp(&rank(b)));
            let mut fields: Vec<TaxonId> = Vec::new();
            for c in &group {
                if !fields.contains(&c.listed) {
                    fields.push(c.listed);
                }
            }
            finding(model, claim_field, group.swap_remove(0), fields)
        })
        .collect()
}

/// The finding of a group's best candidate; its path is traced only if it is listed.
fn finding(
    model: &Model,
    claim_field: TaxonId,
    best: Candidate,
    fields: Vec<TaxonId>,
) -> FindingHead {
    let mut notes = best.notes;
    notes.sort();
    notes.dedup();
    FindingHead {
        claim: 0,
        verdict: best.verdict,
        certainty: best.certainty,
        field: fields[0],
        fields,
        claim_field,
        recipient: best.recipient,
        direct: model.is_speaker_system(model.flow(best.last).from),
        notes,
        waiver: None,
        route: best.witness,
    }
}
