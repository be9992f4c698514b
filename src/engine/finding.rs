//! Findings and statuses: what a claim check reports, and how findings roll up into a claim's
//! status. A finding's witness path is data here; renderers decide how it looks.

use serde::Serialize;

use crate::engine::graph::Certainty;
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
}

/// One result of a claim: a field reaching a system where the promise breaks, and the path.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Index of the claim in `Model::claims`.
    pub claim: usize,
    pub verdict: Verdict,
    pub certainty: Certainty,
    /// The field as listed on the last hop.
    pub field: TaxonId,
    /// The claim's field this finding is about.
    pub claim_field: TaxonId,
    /// The system where the breach happens.
    pub recipient: SystemId,
    /// Systems on the witness path, from where the field enters to the recipient.
    pub path: Vec<SystemId>,
    /// The flows of the path, first hop first.
    pub flows: Vec<FlowId>,
    /// The last hop leaves a system of the speaker.
    pub direct: bool,
    pub notes: Vec<Note>,
    /// Index of the waiver that covers this finding, if any.
    pub waiver: Option<usize>,
}

impl Finding {
    pub fn hops(&self) -> usize {
        self.flows.len()
    }

    pub fn last_flow(&self) -> Option<FlowId> {
        self.flows.last().copied()
    }

    /// A stable fingerprint of (check, fields, recipient, path): survives reformatting and
    /// reordering of the model, changes when the path changes.
    pub fn fingerprint(&self, model: &Model) -> String {
        let claim = &model.claims[self.claim];
        let mut text = format!(
            "{}|{}|{}|{}",
            claim.id,
            model.fields.key(self.claim_field),
            model.fields.key(self.field),
            model.system(self.recipient).id
        );
        for s in &self.path {
            text.push('|');
            text.push_str(&model.system(*s).id);
        }
        fingerprint_of(&text)
    }
}

/// A 12-hex-digit fingerprint of a canonical text.
pub fn fingerprint_of(text: &str) -> String {
    format!("{:012x}", fnv1a64(text.as_bytes()) >> 16)
}

/// FNV-1a: tiny, stable across platforms and releases, which is all a fingerprint needs.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
