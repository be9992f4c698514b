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
pub use report::{DiffDocument, DiffReport, Summary, Version};

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
    /// The claims whose finding this change makes new (SPEC §7: one fact, one change).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<String>,
    /// What the change is a fact about, for folding the findings it causes into it.
    #[serde(skip)]
    fact: Option<Fact>,
}

/// The fact behind a change that can make a claim's finding new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fact {
    /// A field key newly reaches an entity (ids).
    Reach(String, String),
    /// A flow (by its key across versions) gains a purpose, loses protection or keeps longer.
    Flow(String),
}

fn check_id<S: serde::Serializer>(check: &Check, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(check.id())
}

/// Compares two versions of one policy and names them: the report every output renders.
pub fn compare(base: Side, revision: Side, levels: &Levels) -> DiffReport {
    DiffReport::new(
        Some(version(&base)),
        Some(version(&revision)),
        diff(base, revision, levels),
    )
}

fn version(side: &Side) -> Version {
    Version {
        id: side.audit.model.policy.id.clone(),
        version: side.audit.model.policy.version.clone(),
    }
}

/// Every policy of an audited workspace as a side of a diff.
pub fn sides<'a>(run: &'a crate::engine::run::AuditRun<'a>) -> Vec<Side<'a>> {
    run.audits
        .iter()
        .map(|audit| Side {
            audit,
            sources: run.sources,
        })
        .collect()
}

/// Compares two sides that may hold several policies (SPEC §7): one policy each is compared
/// whatever its id; otherwise policies pair by id, and one on a single side is a
/// `policy-added` or `policy-removed` change with no rows for its content.
pub fn compare_sides<'a>(
    base: &[Side<'a>],
    revision: &[Side<'a>],
    levels: &Levels,
) -> DiffDocument {
    if let ([b], [r]) = (base, revision) {
        return DiffDocument::new(vec![compare(*b, *r, levels)]);
    }
    let id = |s: &Side| s.audit.model.policy.id.clone();
    let mut ids: Vec<String> = base.iter().chain(revision).map(id).collect();
    ids.sort();
    ids.dedup();
    let pairs = ids
        .iter()
        .map(|policy| {
            let find = |sides: &[Side<'a>]| {
                sides
                    .iter()
                    .find(|s| s.audit.model.policy.id == *policy)
                    .copied()
            };
            match (find(base), find(revision)) {
                (Some(b), Some(r)) => compare(b, r, levels),
                (Some(b), None) => one_sided(&b, Check::PolicyRemoved, "removed", levels),
                (None, Some(r)) => one_sided(&r, Check::PolicyAdded, "added", levels),
                (None, None) => unreachable!("every id comes from a side"),
            }
        })
        .collect();
    DiffDocument::new(pairs)
}

/// A policy only one side has: one change, nothing about its content.
fn one_sided(side: &Side, check: Check, verb: &str, levels: &Levels) -> DiffReport {
    let model = side.audit.model;
    let policy = &model.policy;
    let at = policy.files.first().map(|&f| Location {
        file: side.sources.path(f).to_owned(),
        line: 1,
        column: 1,
    });
    let added = check == Check::PolicyAdded;
    let changes = levels
        .level(check, check.default_level())
        .map(|level| Change {
            id: crate::engine::finding::fingerprint_of(&format!("{}|{}", check.id(), policy.id)),
            check,
            level,
            message: format!("policy {} {verb}", version(side).label()),
            entity: None,
            field: None,
            path: Vec::new(),
            base_location: if added { None } else { at.clone() },
            revision_location: if added { at } else { None },
            breaks: Vec::new(),
            fact: None,
        })
        .into_iter()
        .collect();
    let (b, r) = if added {
        (None, Some(version(side)))
    } else {
        (Some(version(side)), None)
    };
    DiffReport::new(b, r, changes)
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
