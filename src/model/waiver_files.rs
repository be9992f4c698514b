//! `--waivers` files: waivers kept apart from the model, read once and added to every policy that
//! has what they name; a claim or flow that no loaded policy has is an error.

use std::path::PathBuf;
use std::sync::Arc;

use super::files::{Budget, display, read_file};
use super::loader::{ExternalWaiver, LoadFailure, Workspace};
use super::parse::{check_version, from_yaml};
use super::span::span_of;
use crate::diagnostics::{Diagnostic, FileId, did_you_mean};

impl Workspace {
    /// Reads `--waivers` files and adds their waivers to every policy that has what they name.
    /// A waiver naming a claim or flow that no policy has is an error, like a model's own.
    pub fn add_waiver_files(
        &mut self,
        paths: &[PathBuf],
        budget: &mut Budget,
    ) -> Result<(), LoadFailure> {
        let mut diagnostics = Vec::new();
        for path in paths {
            let bytes = match read_file(path, budget) {
                Ok(bytes) => bytes,
                Err(d) => {
                    diagnostics.push(*d);
                    continue;
                }
            };
            let Ok(text) = String::from_utf8(bytes) else {
                diagnostics.push(Diagnostic::error(
                    "privflow::load::not-utf8",
                    format!("`{}` is not valid UTF-8", display(path)),
                ));
                continue;
            };
            let text: Arc<str> = Arc::from(text);
            let file = self.sources.add(display(path), text.clone());
            let raw = match from_yaml::<crate::model::raw::RawWaiverFile>(file, &text) {
                Ok(raw) => raw,
                Err(d) => {
                    diagnostics.push(*d);
                    continue;
                }
            };
            if let Err(d) = check_version(
                file,
                &text,
                &raw.privflow.value.to_string(),
                &raw.privflow.at,
            ) {
                diagnostics.push(*d);
                continue;
            }
            let raws = raw.waivers.unwrap_or_default();
            diagnostics.extend(self.unknown_references(file, &text, &raws));
            let first_origin = self.external_waivers.len();
            for w in &raws {
                let w = &w.value;
                self.external_waivers.push(ExternalWaiver {
                    claim: w.claim.value.clone(),
                    expires: w
                        .expires
                        .as_ref()
                        .and_then(|e| crate::model::duration::Date::parse(&e.value.0)),
                    span: span_of(file, &text, &w.claim.at),
                });
            }
            for model in &mut self.models {
                let (waivers, found) = crate::model::validate::external_waivers(
                    model,
                    &self.sources,
                    file,
                    &raws,
                    first_origin,
                );
                model.waivers.extend(waivers);
                diagnostics.extend(found);
            }
        }
        crate::diagnostics::sort(&mut diagnostics);
        diagnostics.dedup();
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(LoadFailure {
                sources: self.sources.clone(),
                diagnostics,
                skipped: Vec::new(),
            });
        }
        self.warnings.extend(diagnostics);
        Ok(())
    }

    /// Claims and flows named by a waiver file that no loaded policy has.
    fn unknown_references(
        &self,
        file: FileId,
        text: &str,
        raws: &[crate::model::span::Spanned<crate::model::raw::RawWaiver>],
    ) -> Vec<Diagnostic> {
        let claims: Vec<&str> = self
            .models
            .iter()
            .flat_map(|m| m.claims.iter().map(|c| c.id.as_str()))
            .collect();
        let flows: Vec<&str> = self
            .models
            .iter()
            .flat_map(|m| m.flows.iter().map(|f| f.id.as_str()))
            .collect();
        let mut out = Vec::new();
        for raw in raws {
            let raw = &raw.value;
            let refs = [
                (Some(&raw.claim), &claims, "claim"),
                (raw.flow.as_ref(), &flows, "flow"),
            ];
            for (r, known, what) in refs {
                let Some(r) = r else { continue };
                if r.value == "*" || known.contains(&r.value.as_str()) {
                    continue;
                }
                let help = did_you_mean(&r.value, known.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "no loaded policy has a {what} `{}`; use `*` for any",
                        r.value
                    )
                });
                let code = if what == "claim" {
                    "privflow::model::unknown-claim"
                } else {
                    "privflow::model::unknown-flow"
                };
                out.push(
                    Diagnostic::error(code, format!("unknown {what} `{}`", r.value))
                        .at(
                            span_of(file, text, &r.at),
                            format!("no {what} named `{}`", r.value),
                        )
                        .with_help(help),
                );
            }
        }
        out
    }
}
