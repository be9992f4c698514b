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

impl Summary {
    fn of<'c>(changes: impl Iterator<Item = &'c Change> + Clone) -> Summary {
        let count = |l: Level| changes.clone().filter(|c| c.level == l).count();
        Summary {
            error: count(Level::Error),
            warning: count(Level::Warning),
            info: count(Level::Info),
        }
    }

    /// "1 error, 2 warnings, 0 info": the counts in words, each noun in its number.
    pub fn in_words(&self) -> (String, String, String) {
        let noun = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        (
            noun(self.error, "error"),
            noun(self.warning, "warning"),
            format!("{} info", self.info),
        )
    }
}

/// The diff of one policy: both versions named (one is absent for a policy only one side has),
/// and its changes.
#[derive(Serialize)]
pub struct DiffReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Version>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<Version>,
    pub summary: Summary,
    pub changes: Vec<Change>,
}

impl DiffReport {
    pub fn new(
        base: Option<Version>,
        revision: Option<Version>,
        changes: Vec<Change>,
    ) -> DiffReport {
        DiffReport {
            base,
            revision,
            summary: Summary::of(changes.iter()),
            changes,
        }
    }

    /// `base → revision`, as headings name the pair.
    pub fn label(&self) -> String {
        let name = |v: &Option<Version>| v.as_ref().map_or("(none)".to_owned(), Version::label);
        format!("{} → {}", name(&self.base), name(&self.revision))
    }
}

/// The diff of two sides holding any number of policies, paired by id (SPEC §7).
pub struct DiffDocument {
    pub pairs: Vec<DiffReport>,
    pub summary: Summary,
}

impl DiffDocument {
    pub fn new(pairs: Vec<DiffReport>) -> DiffDocument {
        let summary = Summary::of(pairs.iter().flat_map(|p| &p.changes));
        DiffDocument { pairs, summary }
    }

    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.pairs.iter().flat_map(|p| &p.changes)
    }

    /// Whether a change reaches `threshold` (`None`: never fail).
    pub fn fails(&self, threshold: Option<Level>) -> bool {
        threshold.is_some_and(|t| self.changes().any(|c| c.level >= t))
    }
}
