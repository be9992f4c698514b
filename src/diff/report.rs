//! The result of a diff as data: both versions named, the changes counted by level, and the
//! `--fail-on` gate; `output::diff` renders it.

use serde::Serialize;

use super::{Change, Level};

/// A policy version as the diff names it.
#[derive(Clone, Debug, Serialize)]
pub struct Version {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Version {
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("{} ({v})", self.id),
            None => self.id.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// The whole result of a diff.
#[derive(Serialize)]
pub struct DiffReport {
    pub base: Version,
    pub revision: Version,
    pub summary: Summary,
    pub changes: Vec<Change>,
}

impl DiffReport {
    pub fn new(base: Version, revision: Version, changes: Vec<Change>) -> DiffReport {
        let count = |l: Level| changes.iter().filter(|c| c.level == l).count();
        let summary = Summary {
            error: count(Level::Error),
            warning: count(Level::Warning),
            info: count(Level::Info),
        };
        DiffReport {
            base,
            revision,
            summary,
            changes,
        }
    }

    /// Whether a change reaches `threshold` (`None`: never fail).
    pub fn fails(&self, threshold: Option<Level>) -> bool {
        threshold.is_some_and(|t| self.changes.iter().any(|c| c.level >= t))
    }
}
