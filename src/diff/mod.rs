//! `privflow diff`: what a new version of a policy model changes about who receives what —
//! semantically (by ids and content, never by lines), transitively (the reach closure), and
//! with stable check ids and levels that CI can gate on.

mod changes;
mod check;
mod flows;
mod promises;
mod reach;
mod report;
mod structure;

pub use check::{ALL as ALL_CHECKS, Check, Level, Levels};
pub use report::{DiffReport, Version};

use serde::Serialize;

use crate::diagnostics::Sources;
use crate::engine::audit::PolicyAudit;

/// One version of the model: its audit and the files it was read from.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub audit: &'a PolicyAudit<'a>,
    pub sources: &'a Sources,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// One change between the versions.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub id: String,
    #[serde(serialize_with = "check_id")]
    pub check: Check,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_location: Option<Location>,
}

fn check_id<S: serde::Serializer>(check: &Check, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(check.id())
}

/// Compares two versions of one policy and names them: the report every output renders.
pub fn compare(base: Side, revision: Side, levels: &Levels) -> DiffReport {
    let version = |side: &Side| Version {
        id: side.audit.model.policy.id.clone(),
        version: side.audit.model.policy.version.clone(),
    };
    DiffReport::new(
        version(&base),
        version(&revision),
        diff(base, revision, levels),
    )
}

/// Compares two versions of one policy: the model's structure, flows, the policy's own words,
/// then what the flows do — reach and findings.
pub fn diff(base: Side, revision: Side, levels: &Levels) -> Vec<Change> {
    let mut changes = changes::Changes::new(base, revision, levels);
    structure::speaker(&mut changes);
    structure::entities(&mut changes);
    structure::systems(&mut changes);
    flows::flows(&mut changes);
    promises::claims(&mut changes);
    promises::disclosures(&mut changes);
    reach::reach(&mut changes);
    reach::findings(&mut changes);
    changes.finish()
}
