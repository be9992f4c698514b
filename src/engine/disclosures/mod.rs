//! Disclosures.

pub mod receipts;
pub mod verdict;
