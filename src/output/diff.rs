//! The outputs of `privflow diff`: a table for people grouped by entity, JSON (SPEC §7), a
//! Markdown changelog for pull requests, and GitHub annotations on the revision's lines.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::github::{escape_data, escape_property};
use super::markdown::escape;
use crate::diff::{Change, DiffDocument, DiffReport, Level};

/// The claims a change breaks, as a suffix of its message.
fn breaks(c: &Change) -> String {
    if c.breaks.is_empty() {
        String::new()
    } else {
        format!(" — breaks {}", c.breaks.join(", "))
    }
}

impl DiffDocument {
    /// One JSON document: the pair itself for one policy per side, else `pairs` and a total.
    pub fn json(&self) -> String {
        let value = match self.pairs.as_slice() {
            [one] => serde_json::to_value(one),
            pairs => serde_json::to_value(serde_json::json!({
                "pairs": pairs,
                "summary": self.summary,
            })),
        };
        let mut out = value
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default();
        out.push('\n');
        out
    }

    pub fn table(&self) -> String {
        let mut out = self
            .pairs
            .iter()
            .map(DiffReport::table)
            .collect::<Vec<_>>()
            .join("\n");
        if self.pairs.len() != 1 {
            let (errors, warnings, info) = self.summary.in_words();
            let _ = writeln!(
                out,
                "\n{} policies: {errors}, {warnings}, {info}",
                self.pairs.len(),
            );
        }
        out
    }

    pub fn markdown(&self) -> String {
        self.pairs
            .iter()
            .map(DiffReport::markdown)
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn github(&self) -> String {
        self.pairs.iter().map(DiffReport::github).collect()
    }
}

impl DiffReport {
    /// The changes grouped by the entity they concern (worst group first), then what concerns
    /// the model itself.
    fn by_entity(&self) -> Vec<(Option<&str>, Vec<&Change>)> {
        let mut groups: BTreeMap<Option<&str>, Vec<&Change>> = BTreeMap::new();
        for c in &self.changes {
            groups.entry(c.entity.as_deref()).or_default().push(c);
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by_key(|(entity, changes)| {
            let worst = changes.iter().map(|c| c.level).max();
            (entity.is_none(), std::cmp::Reverse(worst), *entity)
        });
        groups
    }

    pub fn table(&self) -> String {
        let (errors, warnings, info) = self.summary.in_words();
        let mut out = format!("{}: {errors}, {warnings}, {info}\n", self.label());
        if self.changes.is_empty() {
            out.push_str("no changes\n");
        }
        let width = self
            .changes
            .iter()
            .map(|c| c.check.id().len())
            .max()
            .unwrap_or(0);
        for (entity, changes) in self.by_entity() {
            let _ = writeln!(out, "{}", entity.unwrap_or("the model"));
            for c in changes {
                let _ = writeln!(
                    out,
                    "  {:<7}  {:<width$}  {}",
                    c.level.as_str(),
                    c.check.id(),
                    c.message
                );
                let mut detail = Vec::new();
                if !c.breaks.is_empty() {
                    detail.push(format!("breaks {}", c.breaks.join(", ")));
                }
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
        }
        out
    }

    pub fn markdown(&self) -> String {
        let name = |v: &Option<crate::diff::Version>| {
            v.as_ref().map_or("(none)".to_owned(), |v| v.label())
        };
        let mut out = format!(
            "## Sharing changes in {}\n\n",
            escape(&name(
                self.revision
                    .as_ref()
                    .map_or(&self.base, |_| &self.revision)
            ))
        );
        let (errors, warnings, info) = self.summary.in_words();
        let _ = writeln!(
            out,
            "Compared with {}: **{errors}**, {warnings}, {info}.\n",
            escape(&name(&self.base)),
        );
        if self.changes.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        out.push_str("| level | check | change | path | where |\n|---|---|---|---|---|\n");
        for (_, changes) in self.by_entity() {
            for c in changes {
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
                    "| {mark} | `{}` | {}{} | {path} | {at} |",
                    c.check.id(),
                    escape(&c.message),
                    escape(&breaks(c))
                );
            }
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
            let text = escape_data(&format!("{}{}", c.message, breaks(c)));
            match c.revision_location.as_ref().or(c.base_location.as_ref()) {
                Some(l) => {
                    let _ = writeln!(
                        out,
                        "::{command} file={},line={},col={},title={title}::{text}",
                        escape_property(&l.file),
                        l.line,
                        l.column,
                    );
                }
                None => {
                    let _ = writeln!(out, "::{command} title={title}::{text}");
                }
            }
        }
        out
    }
}
