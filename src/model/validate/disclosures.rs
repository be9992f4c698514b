//! Disclosures: each has exactly one statement, `share` (fields, recipients, scope, purposes) or
//! `collect` (fields, purposes), every key and selector resolved.

use super::{Known, Names, Validator};
use crate::diagnostics::{Diagnostic, FileId};
use crate::model::raw::{RawDocument, Scope};
use crate::model::{Disclosure, Statement};

impl Validator<'_> {
    pub(super) fn disclosures(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        known: &Known,
    ) -> Vec<Disclosure> {
        let mut disclosure_names = Names::new();
        let mut disclosures = Vec::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for raw in doc.disclosures.take().unwrap_or_default() {
                let span = self.span(&raw.at);
                let raw = raw.value;
                if !self.define(
                    &mut disclosure_names,
                    &raw.id,
                    "disclosure",
                    "privflow::model::duplicate-disclosure",
                ) {
                    continue;
                }
                let statement = match (raw.share, raw.collect) {
                    (Some(share), None) => {
                        let s = share.value;
                        Statement::Share {
                            fields: self.taxa(&known.fields, Some(&s.fields)),
                            with: self.selectors(&known.entities, &known.categories, Some(&s.with)),
                            scope: s.scope.unwrap_or(Scope::Exact),
                            purposes: self.taxa(&known.purposes, s.purposes.as_ref()),
                        }
                    }
                    (None, Some(collect)) => {
                        let c = collect.value;
                        Statement::Collect {
                            fields: self.taxa(&known.fields, Some(&c.fields)),
                            purposes: self.taxa(&known.purposes, c.purposes.as_ref()),
                        }
                    }
                    (share, _) => {
                        let (message, label, help) = if share.is_some() {
                            (
                                "a disclosure has either `share` or `collect`, not both",
                                "both given",
                                "split it into two disclosures, one per statement",
                            )
                        } else {
                            (
                                "a disclosure needs `share` or `collect`",
                                "neither given",
                                "add `share: {fields: […], with: […]}` or `collect: {fields: […]}`",
                            )
                        };
                        self.error(
                            Diagnostic::error("privflow::model::bad-disclosure", message)
                                .at(self.span(&raw.id.at), label)
                                .with_help(help),
                        );
                        continue;
                    }
                };
                disclosures.push(Disclosure {
                    id: raw.id.value,
                    text: raw.text,
                    source: raw.source,
                    statement,
                    span,
                });
            }
        }
        disclosures
    }
}
