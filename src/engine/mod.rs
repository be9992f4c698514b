//! The engine: reach, receipts and their disclosure verdicts, claims, the audit.

pub mod audit;
pub mod claims;
pub mod disclosures;
pub mod finding;
pub mod graph;
