//! Side files — `--levels` and `--baseline-file` inputs beside the model: read within the run's
//! budget, as UTF-8, and parsed so that every problem is a diagnostic located in the file.

use std::path::Path;
use std::sync::Arc;

use crate::model::span::Loc;
use serde::de::DeserializeOwned;

use super::files::{Budget, display, read_file};
use super::loader::LoadFailure;
use super::parse::from_yaml;
use super::span::span_of;
use crate::diagnostics::{Diagnostic, FileId, Sources, Span};

/// A side file read whole, with the sources its diagnostics point into.
pub struct SideFile {
    pub sources: Sources,
    pub file: FileId,
    pub text: Arc<str>,
}

impl SideFile {
    pub fn read(path: &Path, budget: &mut Budget) -> Result<SideFile, LoadFailure> {
        let fail = |d: Diagnostic| LoadFailure {
            sources: Sources::default(),
            diagnostics: vec![d],
            skipped: Vec::new(),
        };
        let bytes = read_file(path, budget).map_err(|d| fail(*d))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            fail(Diagnostic::error(
                "privflow::load::not-utf8",
                format!("`{}` is not valid UTF-8", display(path)),
            ))
        })?;
        let text: Arc<str> = Arc::from(text);
        let mut sources = Sources::default();
        let file = sources.add(display(path), text.clone());
        Ok(SideFile {
            sources,
            file,
            text,
        })
    }

    /// The file as YAML of shape `T`, with the model's budgets and messages.
    pub fn yaml<T: DeserializeOwned>(&self) -> Result<T, LoadFailure> {
        from_yaml(self.file, &self.text).map_err(|d| self.failure(vec![*d]))
    }

    /// The file as JSON of shape `T`; a syntax or shape error is located at serde_json's line
    /// and column.
    pub fn json<T: DeserializeOwned>(
        &self,
        code: &'static str,
        what: &str,
    ) -> Result<T, LoadFailure> {
        serde_json::from_str(&self.text).map_err(|e| {
            let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
            let column = u32::try_from(e.column()).unwrap_or(u32::MAX);
            let span = Span::at_line_column(self.file, &self.text, line, column, 0);
            let reason = e.to_string();
            let reason = reason.split(" at line ").next().unwrap_or_default();
            self.failure(vec![
                Diagnostic::error(code, format!("`{}` is not {what}: {reason}", self.path()))
                    .at(span, "here"),
            ])
        })
    }

    pub fn path(&self) -> &str {
        self.sources.path(self.file)
    }

    pub fn span(&self, location: &Loc) -> Span {
        span_of(self.file, &self.text, location)
    }

    /// A failed load of this file, with its sources for the snippets.
    pub fn failure(&self, diagnostics: Vec<Diagnostic>) -> LoadFailure {
        LoadFailure {
            sources: self.sources.clone(),
            diagnostics,
            skipped: Vec::new(),
        }
    }
}
