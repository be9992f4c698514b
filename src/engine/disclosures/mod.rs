//! The disclosure stage (SPEC §6), run after reach and before the claims: every receipt — who
//! receives or collects which field, by which path — and the verdict the policy's statements give it.

pub mod receipts;
pub mod verdict;

use super::reach::Tracer;
use receipts::Receipt;
use verdict::{ConflictMode, Judged};

/// Every receipt with its verdict, and the disclosures no receipt needs.
#[derive(Clone, Debug)]
pub struct Disclosures {
    pub judged: Vec<Judged>,
    /// Share receipts that are only possible (a hop lists a broader key): not judged, but a
    /// `no_expansion` promise counts them.
    pub possible: Vec<Receipt>,
    /// Indices of disclosures that cover no receipt: the policy admits to more than the flows do.
    pub over: Vec<usize>,
}

/// Finds every receipt over the shared reach and judges it against the policy's statements.
pub fn judge(tracer: &Tracer, conflict: ConflictMode) -> Disclosures {
    let receipts = receipts::receipts(tracer);
    let (judged, over) = verdict::judge_all(tracer.model(), receipts.definite, conflict);
    Disclosures {
        judged,
        possible: receipts.possible,
        over,
    }
}
