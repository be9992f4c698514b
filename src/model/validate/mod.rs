//! The validation pass: raw documents of one policy in, a `Model` out, and every problem found
//! on the way collected as a located diagnostic with a did-you-mean (nothing fails fast).

mod canonical;
mod claims;
mod disclosures;
mod entities;
mod flows;
mod selectors;
mod waivers;

pub use waivers::external_waivers;

use std::collections::HashMap;

use crate::model::span::{Loc, Spanned};

use super::span::span_of;
use crate::diagnostics::{Diagnostic, FileId, Sources, Span, did_you_mean};
use crate::model::duration::Duration;
use crate::model::raw::*;
use crate::model::taxonomy::{TaxonId, Taxonomy, TaxonomyBuilder, TaxonomyKind};
use crate::model::*;

/// Validates the documents of one policy. Returns the model when no error was found, and every
/// diagnostic (errors and warnings) either way.
pub fn validate(
    documents: Vec<(FileId, RawDocument)>,
    sources: &Sources,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut v = Validator {
        sources,
        diagnostics: Vec::new(),
        file: FileId(0),
    };
    let model = v.run(documents);
    let failed = v.diagnostics.iter().any(Diagnostic::is_error);
    (if failed { None } else { model }, v.diagnostics)
}

struct Validator<'a> {
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
    /// The file whose document is being read; raw locations are relative to it.
    file: FileId,
}

/// An id defined in some file, for duplicate and did-you-mean checks.
struct Defined {
    span: Span,
}

struct Names {
    index: HashMap<String, u32>,
    defined: Vec<Defined>,
}

impl Names {
    fn new() -> Names {
        Names {
            index: HashMap::new(),
            defined: Vec::new(),
        }
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The names of a validated model's items, in index order.
    fn of<'a>(items: impl Iterator<Item = (&'a str, Span)>) -> Names {
        let mut names = Names::new();
        for (i, (id, span)) in items.enumerate() {
            names.index.insert(id.to_owned(), i as u32);
            names.defined.push(Defined { span });
        }
        names
    }
}

/// What the sections after entities and systems may refer to.
struct Known {
    fields: Taxonomy,
    purposes: Taxonomy,
    entities: Names,
    /// Every category some entity carries, sorted.
    categories: Vec<String>,
    systems: Names,
}

impl Validator<'_> {
    fn span(&self, loc: &Loc) -> Span {
        span_of(self.file, &self.sources.get(self.file).text, loc)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Registers `id`; a second definition is reported against the first.
    fn define(
        &mut self,
        names: &mut Names,
        id: &Spanned<String>,
        what: &str,
        code: &'static str,
    ) -> bool {
        let span = self.span(&id.at);
        if id.value.is_empty() {
            self.error(
                Diagnostic::error(code, format!("empty {what} id")).at(span, "give it a name"),
            );
            return false;
        }
        if let Some(&first) = names.index.get(&id.value) {
            let first = names.defined[first as usize].span;
            let help = format!(
                "first defined at {}:{}:{}",
                self.sources.path(first.file),
                first.line,
                first.column
            );
            self.error(
                Diagnostic::error(code, format!("{what} `{}` is defined twice", id.value))
                    .at(span, "second definition")
                    .with_help(help),
            );
            return false;
        }
        names
            .index
            .insert(id.value.clone(), names.defined.len() as u32);
        names.defined.push(Defined { span });
        true
    }

    /// Resolves a reference to a defined id, or reports it with a suggestion.
    fn resolve(
        &mut self,
        names: &Names,
        r: &Spanned<String>,
        what: &str,
        code: &'static str,
    ) -> Option<u32> {
        if let Some(&i) = names.index.get(&r.value) {
            return Some(i);
        }
        let span = self.span(&r.at);
        let help = did_you_mean(&r.value, names.names()).unwrap_or_else(|| {
            format!(
                "define `{}` under `{}:` or fix the reference",
                r.value,
                section_of(what)
            )
        });
        self.error(
            Diagnostic::error(code, format!("unknown {what} `{}`", r.value))
                .at(span, format!("no {what} named `{}`", r.value))
                .with_help(help),
        );
        None
    }

    fn taxon(&mut self, taxonomy: &Taxonomy, r: &Spanned<String>) -> Option<TaxonId> {
        if let Some(id) = taxonomy.get(&r.value) {
            if let Some(new) = taxonomy.replacement(&r.value) {
                let span = self.span(&r.at);
                self.diagnostics.push(
                    Diagnostic::warning(
                        "privflow::model::deprecated-key",
                        format!("`{}` is deprecated: it is now `{new}`", r.value),
                    )
                    .at(span, format!("read as `{new}`"))
                    .with_help(format!(
                        "write `{new}`; `privflow taxonomy` lists the current keys and the deprecated ones"
                    )),
                );
            }
            return Some(id);
        }
        let (noun, code) = match taxonomy.kind {
            TaxonomyKind::Fields => ("field", "privflow::model::unknown-field"),
            TaxonomyKind::Purposes => ("purpose", "privflow::model::unknown-purpose"),
        };
        let span = self.span(&r.at);
        let help = taxonomy.suggest(&r.value).unwrap_or_else(|| {
            format!("`privflow taxonomy` lists the known {noun}s; new ones go under `taxonomy: {noun}s:`")
        });
        self.error(
            Diagnostic::error(code, format!("unknown {noun} `{}`", r.value))
                .at(span, format!("not a {noun} key"))
                .with_help(help),
        );
        None
    }

    fn taxa(&mut self, taxonomy: &Taxonomy, refs: Option<&Refs>) -> Vec<TaxonId> {
        let mut out: Vec<TaxonId> = refs
            .map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| self.taxon(taxonomy, r))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn duration(&mut self, text: &Spanned<Text>) -> Option<Duration> {
        let parsed = Duration::parse(&text.value.0);
        if parsed.is_none() {
            let span = self.span(&text.at);
            self.error(
                Diagnostic::error(
                    "privflow::model::bad-duration",
                    format!("`{}` is not a duration", text.value.0),
                )
                .at(span, "not a duration")
                .with_help("write `0`, `12h`, `30d`, `2w`, `2y` or `indefinite`"),
            );
        }
        parsed
    }

    fn run(&mut self, mut documents: Vec<(FileId, RawDocument)>) -> Option<Model> {
        // Taxonomies first: every other section refers to their keys.
        let (fields, purposes) = self.taxonomies(&mut documents);
        let (entity_names, entities, categories) = self.entities(&mut documents);
        let (system_names, systems) = self.systems(&mut documents, &entity_names);
        let known = Known {
            fields,
            purposes,
            entities: entity_names,
            categories,
            systems: system_names,
        };
        let (flow_names, flows) = self.flows(&mut documents, &known);
        let disclosures = self.disclosures(&mut documents, &known);
        let (claim_names, claims) = self.claims(&mut documents, &known);
        let scope = waivers::WaiverScope {
            claims: &claim_names,
            flows: &flow_names,
            entities: &known.entities,
            categories: &known.categories,
        };
        let waivers = self.waivers(&mut documents, &scope, &known.fields);
        let policy = self.policy(&mut documents, &known.entities)?;
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        let Known {
            fields, purposes, ..
        } = known;
        Some(canonical::canonical(Model {
            policy,
            fields,
            purposes,
            entities,
            systems,
            flows,
            claims,
            disclosures,
            waivers,
            ownership: Ownership::default(),
        }))
    }

    /// The built-in taxonomies extended by the model's own `taxonomy:` sections.
    fn taxonomies(&mut self, documents: &mut [(FileId, RawDocument)]) -> (Taxonomy, Taxonomy) {
        let mut field_builder = TaxonomyBuilder::new(TaxonomyKind::Fields);
        let mut purpose_builder = TaxonomyBuilder::new(TaxonomyKind::Purposes);
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            let Some(taxonomy) = doc.taxonomy.take() else {
                continue;
            };
            let text = self.sources.get(*file).text.clone();
            let file = *file;
            let span_of_loc = |loc: &Loc| Some(span_of(file, &text, loc));
            for (builder, map) in [
                (&mut field_builder, taxonomy.fields),
                (&mut purpose_builder, taxonomy.purposes),
            ] {
                for (key, raw) in map.unwrap_or_default().0 {
                    let span = span_of(file, &text, &key.at);
                    builder.define(
                        &key.value,
                        raw.unwrap_or_default(),
                        Some(span),
                        span_of_loc,
                        false,
                    );
                }
            }
        }
        let (fields, d1) = field_builder.finish();
        let (purposes, d2) = purpose_builder.finish();
        self.diagnostics.extend(d1);
        self.diagnostics.extend(d2);
        (fields, purposes)
    }

    /// The group's `policy:` block, its speaker resolved.
    fn policy(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        entities: &Names,
    ) -> Option<Policy> {
        let mut policy = None;
        let files: Vec<FileId> = documents.iter().map(|(f, _)| *f).collect();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            if let Some(raw) = doc.policy.take() {
                let raw = raw.value;
                let speaker = self.resolve(
                    entities,
                    &raw.speaker,
                    "entity",
                    "privflow::model::unknown-entity",
                );
                policy = Some(Policy {
                    id: raw.id.value,
                    title: raw.title,
                    version: raw.version.map(|v| v.0),
                    speaker: EntityId(speaker.unwrap_or(0)),
                    source: raw.source,
                    subjects_span: raw
                        .subjects
                        .as_ref()
                        .and_then(|r| r.location)
                        .map(|at| self.span(&at)),
                    subjects: names(raw.subjects),
                    files: files.clone(),
                });
            }
        }
        policy
    }
}

/// The names a free list holds (`subjects: [users, children]`), in the order written.
fn names(refs: Option<Refs>) -> Vec<String> {
    refs.map(|r| r.items.into_iter().map(|item| item.value).collect())
        .unwrap_or_default()
}

/// The model section that defines things of kind `what`.
fn section_of(what: &str) -> &'static str {
    match what {
        "entity" => "entities",
        "system" => "systems",
        "flow" => "flows",
        "claim" => "claims",
        _ => "disclosures",
    }
}
