//! The engine: what the flows do to the policy's promises. It runs in stages, each reading only
//! the ones before it: `graph` and `reach` (where each field key goes) → `disclosures` (receipts
//! and their verdicts) → `claims` (one module per kind) → `audit` (waivers, statuses) → `run`;
//! `record` compiles the Art. 30 record of processing from an audit's receipts.

pub mod audit;
pub mod claims;
pub mod disclosures;
pub mod finding;
pub mod graph;
pub mod reach;
pub mod record;
pub mod run;
pub mod scope;
pub mod waivers;

#[cfg(test)]
mod test_support;
