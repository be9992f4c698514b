//! Findings and statuses: what a claim check reports, and how findings roll up into a claim's
//! status. A finding's witness path is data here; renderers decide how it looks.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::graph::Certainty;
use crate::engine::reach::{Holding, Reach};
use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, SystemId};

/// The verdict of one finding, worst last.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Undetermined,
    Possible,
    Violated,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Undetermined => "undetermined",
            Verdict::Possible => "possible",
            Verdict::Violated => "violated",
        }
    }

    /// A definite breach is a violation; one that rests on a possible relation is possible.
    pub fn of(certainty: Certainty) -> Verdict {
        match certainty {
            Certainty::Definite => Verdict::Violated,
            Certainty::Possible => Verdict::Possible,
        }
    }
}

/// A claim's status: the worst of its findings (SPEC §5).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Skipped,
    Holds,
    Waived,
    Undetermined,
    Possible,
    Violated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Skipped => "skipped",
            Status::Holds => "holds",
            Status::Waived => "waived",
            Status::Undetermined => "undetermined",
            Status::Possible => "possible",
            Status::Violated => "violated",
        }
    }
}

impl From<Verdict> for Status {
    fn from(v: Verdict) -> Status {
        match v {
            Verdict::Undetermined => Status::Undetermined,
            Verdict::Possible => Status::Possible,
            Verdict::Violated => Status::Violated,
        }
    }
}

/// Remarks a reader needs to interpret a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Note {
    /// The speaker fell inside the claim's recipient scope and was left out of it.
    SelfExcluded,
    /// The retention that decided a retention check (`None`: unspecified).
    Retention(Option<crate::model::duration::Duration>),
    /// The purposes outside the allowed ones.
    DisallowedPurposes(Vec<TaxonId>),
    /// The hop declares no purpose, so the check cannot decide.
    NoPurpose,
    /// Where the receiving system is established (`None`: the model does not say).
    Country(Option<String>),
}

/// One result of a claim before its witness path is traced: a field reaching a system where
/// the promise breaks. Findings past the `--max-findings` cap stay heads (counted, never listed).
#[derive(Clone, Debug)]
pub struct FindingHead {
    /// Index of the claim in `Model::claims`.
    pub claim: usize,
    pub verdict: Verdict,
    pub certainty: Certainty,
    /// The worst field key reaching the recipient, as listed on the last hop: `fields[0]`.
    pub field: TaxonId,
    /// Every field key reaching the recipient for this claim field, worst first (SPEC §5).
    pub fields: Vec<TaxonId>,
    /// The claim's field this finding is about.
    pub claim_field: TaxonId,
    /// The system where the breach happens.
    pub recipient: SystemId,
    /// The last hop leaves a system of the speaker.
    pub direct: bool,
    pub notes: Vec<Note>,
    /// Index of the waiver that covers this finding, if any.
    pub waiver: Option<usize>,
    /// How to trace the witness path.
    pub route: Route,
}

/// A finding's witness path, untraced: tracing costs the path's length, so it happens only for
/// listed findings and for waivers that name a flow.
#[derive(Clone, Debug)]
pub enum Route {
    /// The flows of the path, first hop first.
    Flows(Vec<FlowId>),
    /// The flow `last`, after the path by which the speaker's data reached its source in
    /// `reach` (none: `last` leaves where the data enters).
    Reached {
        reach: Arc<Reach>,
        source: Option<(Certainty, Holding)>,
        last: FlowId,
    },
}

impl Route {
    /// The flows of the path, first hop first; never empty.
    pub fn flows(&self, model: &Model) -> Vec<FlowId> {
        match self {
            Route::Flows(flows) => flows.clone(),
            Route::Reached {
                reach,
                source,
                last,
            } => {
                let mut flows = match *source {
                    Some((certainty, holding)) => {
                        reach.flows_to(model, model.flow(*last).from, certainty, holding)
                    }
                    None => Vec::new(),
                };
                flows.push(*last);
                flows
            }
        }
    }
}

/// The flows on the witness paths of many findings, listed or not, each shared tail walked once.
#[derive(Default)]
pub struct FlowsOnPaths {
    walked: std::collections::HashSet<(usize, Certainty, usize)>,
    pub flows: std::collections::BTreeSet<FlowId>,
}

impl FlowsOnPaths {
    pub fn add(&mut self, model: &Model, route: &Route) {
        match route {
            Route::Flows(flows) => self.flows.extend(flows.iter().copied()),
            Route::Reached {
                reach,
                source,
                last,
            } => {
                self.flows.insert(*last);
                if let Some((certainty, holding)) = *source {
                    let system = model.flow(*last).from;
                    let (walked, flows) = (&mut self.walked, &mut self.flows);
                    reach.collect_flows_to(model, (system, certainty, holding), walked, flows);
                }
            }
        }
    }
}

/// A listed finding: its head and the witness path, traced.
#[derive(Clone, Debug)]
pub struct Finding {
    pub head: FindingHead,
    /// Systems on the witness path, from where the field enters to the recipient.
    pub path: Vec<SystemId>,
    /// The flows of the path, first hop first.
    pub flows: Vec<FlowId>,
}

impl std::ops::Deref for Finding {
    type Target = FindingHead;
    fn deref(&self) -> &FindingHead {
        &self.head
    }
}

impl std::ops::DerefMut for Finding {
    fn deref_mut(&mut self) -> &mut FindingHead {
        &mut self.head
    }
}

impl FindingHead {
    /// Where the finding comes in every report: not waived first, worst verdict first, then
    /// claim order, claim field and recipient.
    pub fn reading_order(&self) -> (bool, std::cmp::Reverse<Verdict>, usize, TaxonId, SystemId) {
        (
            self.waiver.is_some(),
            std::cmp::Reverse(self.verdict),
            self.claim,
            self.claim_field,
            self.recipient,
        )
    }

    /// The listed finding: the head with its witness path traced.
    pub fn trace(self, model: &Model) -> Finding {
        let flows = self.route.flows(model);
        let mut path = Vec::with_capacity(flows.len() + 1);
        path.extend(flows.first().map(|&f| model.flow(f).from));
        path.extend(flows.iter().map(|&f| model.flow(f).to));
        Finding {
            head: self,
            path,
            flows,
        }
    }

    /// What identifies the finding within its policy, across versions: the grouping key of SPEC
    /// §4.2 (check, claim field, recipient system), never the path or the worst field.
    pub fn key(&self, model: &Model) -> String {
        format!(
            "{}|{}|{}",
            model.claims[self.claim].id,
            model.fields.key(self.claim_field),
            model.system(self.recipient).id
        )
    }

    /// A stable fingerprint of (policy, grouping key): survives reformatting, reordering and a
    /// changed path; distinct findings never share one.
    pub fn fingerprint(&self, model: &Model) -> String {
        fingerprint_of(&format!("{}|{}", model.policy.id, self.key(model)))
    }
}

impl Finding {
    pub fn hops(&self) -> usize {
        self.flows.len()
    }

    pub fn last_flow(&self) -> Option<FlowId> {
        self.flows.last().copied()
    }
}

/// A 16-hex-digit fingerprint of a canonical text: the start of its SHA-256.
pub fn fingerprint_of(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
