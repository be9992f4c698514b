//! The outputs of `privflow diff`: a table for people, JSON (SPEC §7), a Markdown changelog for
//! pull requests, and GitHub annotations on the revision's lines.

use std::fmt::Write;

use serde::Serialize;

use super::{Change, Level};
use crate::output::github::{escape_data, escape_property};
use crate::output::markdown::escape;

/// A policy version as the diff names it.
#[derive(Clone, Debug, Serialize)]
pub struct Version {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Version {
    fn label(&self) -> String {
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

    pub fn json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "{} → {}: {} errors, {} warnings, {} info\n",
            self.base.label(),
            self.revision.label(),
            self.summary.error,
            self.summary.warning,
            self.summary.info
        );
        if self.changes.is_empty() {
            out.push_str("no changes\n");
        }
        let width = self
            .changes
            .iter()
            .map(|c| c.check.id().len())
            .max()
            .unwrap_or(0);
        for c in &self.changes {
            let _ = writeln!(
                out,
                "  {:<7}  {:<width$}  {}",
                c.level.as_str(),
                c.check.id(),
                c.message
            );
            let mut detail = Vec::new();
            if !c.path.is_empty() {
                detail.push(format!("path {}", c.path.join(" → ")));
            }
            if let Some(l) = c.revision_location.as_ref().or(c.base_location.as_ref()) {
                detail.push(format!("{}:{}:{}", l.file, l.line, l.column));
            }
            if !detail.is_empty() {
                let _ = writeln!(out, "  {:<7}  {:<width$}  {}", "", "", detail.join(" · "));
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## Sharing changes in {}\n\n",
            escape(&self.revision.label())
        );
        let _ = writeln!(
            out,
            "Compared with {}: **{} errors**, {} warnings, {} info.\n",
            escape(&self.base.label()),
            self.summary.error,
            self.summary.warning,
            self.summary.info
        );
        if self.changes.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        out.push_str("| level | check | change | path | where |\n|---|---|---|---|---|\n");
        for c in &self.changes {
            let mark = match c.level {
                Level::Error => "❌ error",
                Level::Warning => "⚠️ warning",
                Level::Info => "ℹ️ info",
            };
            let path = if c.path.is_empty() {
                String::new()
            } else {
                format!("`{}`", escape(&c.path.join(" → ")))
            };
            let at = c
                .revision_location
                .as_ref()
                .or(c.base_location.as_ref())
                .map(|l| format!("`{}:{}`", escape(&l.file), l.line))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {mark} | `{}` | {} | {path} | {at} |",
                c.check.id(),
                escape(&c.message)
            );
        }
        out
    }

    /// Annotations on the revision side's lines (the base side's when only it has one).
    pub fn github(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let command = match c.level {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Info => "notice",
            };
            let title = escape_property(&format!("privflow diff: {}", c.check.id()));
            match c.revision_location.as_ref().or(c.base_location.as_ref()) {
                Some(l) => {
                    let _ = writeln!(
                        out,
                        "::{command} file={},line={},col={},title={title}::{}",
                        escape_property(&l.file),
                        l.line,
                        l.column,
                        escape_data(&c.message)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "::{command} title={title}::{}",
                        escape_data(&c.message)
                    );
                }
            }
        }
        out
    }
}
