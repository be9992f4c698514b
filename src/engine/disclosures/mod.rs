//! The disclosure stage (SPEC §6), run after reach and before the claims: every receipt — who
//! receives or collects which field, by which path — and the verdict the policy's statements give it.

pub mod receipts;
pub mod verdict;

use super::reach::Tracer;
use verdict::{ConflictMode, Judged};

/// Every receipt with its verdict, and the disclosures no receipt needs.
#[derive(Clone, Debug)]
pub struct Disclosures {
    pub judged: Vec<Judged>,
    /// Indices of disclosures that cover no receipt: the policy admits to more than the flows do.
    pub over: Vec<usize>,
}

/// Finds every receipt over the shared reach and judges it against the policy's statements.
pub fn judge(tracer: &mut Tracer, conflict: ConflictMode) -> Disclosures {
    let receipts = receipts::receipts(tracer);
    let (judged, over) = verdict::judge_all(tracer.model(), receipts, conflict);
    Disclosures { judged, over }
}
