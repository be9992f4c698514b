//! The outputs of `privflow diff`: a table for people, JSON (SPEC §7), a Markdown changelog for
//! pull requests, and GitHub annotations on the revision's lines.

use std::fmt::Write;

use super::github::{escape_data, escape_property};
use super::markdown::escape;
use crate::diff::{DiffReport, Level};

impl DiffReport {
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
