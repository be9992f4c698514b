//! Waivers: a model's own must name claims and flows that exist; those of a `--waivers` file apply
//! to each policy that has what they name. Reasons are required, dates checked.

use crate::model::span::Spanned;

use super::{Names, Validator};
use crate::diagnostics::{Diagnostic, FileId, Sources};
use crate::model::duration::Date;
use crate::model::raw::{RawDocument, RawWaiver};
use crate::model::taxonomy::Taxonomy;
use crate::model::{FlowId, Model, Waiver};

/// What a waiver may refer to.
pub(super) struct WaiverScope<'n> {
    pub(super) claims: &'n Names,
    pub(super) flows: &'n Names,
    pub(super) entities: &'n Names,
    pub(super) categories: &'n [String],
}

impl Validator<'_> {
    /// The model's own waivers.
    pub(super) fn waivers(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        scope: &WaiverScope,
        fields: &Taxonomy,
    ) -> Vec<Waiver> {
        let mut waivers = Vec::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for raw in doc.waivers.take().unwrap_or_default() {
                waivers.extend(self.waiver(&raw.value, scope, fields, None));
            }
        }
        waivers
    }

    /// Resolves one waiver. A model's own waiver must name things that exist; a waiver from a
    /// `--waivers` file (`origin`) applies to the policies that have what it names and is skipped
    /// silently by the others (the file as a whole is checked against every policy).
    fn waiver(
        &mut self,
        raw: &RawWaiver,
        scope: &WaiverScope,
        fields: &Taxonomy,
        origin: Option<usize>,
    ) -> Option<Waiver> {
        // Waiver diagnostics point at the claim the waiver is for.
        let span = self.span(&raw.claim.at);
        let lookup = |this: &mut Self,
                      names: &Names,
                      r: &Spanned<String>,
                      what: &str,
                      code|
         -> Option<Option<u32>> {
            if r.value == "*" {
                return Some(None);
            }
            match origin {
                Some(_) => names.index.get(&r.value).map(|&i| Some(i)),
                None => this.resolve(names, r, what, code).map(Some),
            }
        };
        let claim = lookup(
            self,
            scope.claims,
            &raw.claim,
            "claim",
            "privflow::model::unknown-claim",
        );
        let flow = match &raw.flow {
            Some(f) => lookup(
                self,
                scope.flows,
                f,
                "flow",
                "privflow::model::unknown-flow",
            ),
            None => Some(None),
        };
        let field = match &raw.field {
            Some(f) if f.value == "*" => Some(None),
            Some(f) => self.taxon(fields, f).map(Some),
            None => Some(None),
        };
        let recipient = match &raw.recipient {
            Some(r) => self.selector(scope.entities, scope.categories, r).map(Some),
            None => Some(None),
        };
        let expires = raw.expires.as_ref().and_then(|e| {
            let date = Date::parse(&e.value.0);
            if date.is_none() {
                let at = self.span(&e.at);
                self.error(
                    Diagnostic::error(
                        "privflow::model::bad-date",
                        format!("`{}` is not a date", e.value.0),
                    )
                    .at(at, "not a date")
                    .with_help("write the date as YYYY-MM-DD, e.g. `2027-06-30`"),
                );
            }
            date
        });
        if raw.reason.trim().is_empty() {
            self.error(
                Diagnostic::error(
                    "privflow::model::waiver-without-reason",
                    "a waiver needs a reason",
                )
                .at(span, "empty `reason`")
                .with_help("say why the finding is accepted, so the next reviewer can judge it"),
            );
        }
        Some(Waiver {
            claim: claim?.map(|c| c as usize),
            flow: flow?.map(FlowId),
            field: field?,
            recipient: recipient?,
            reason: raw.reason.clone(),
            owner: raw.owner.clone(),
            ticket: raw.ticket.clone(),
            expires,
            span,
            origin,
        })
    }
}

/// Resolves the waivers of a `--waivers` file against one validated model: the ones whose claim
/// and flow exist in it (or are `*`) are returned; `first_origin` numbers them across files.
pub fn external_waivers(
    model: &Model,
    sources: &Sources,
    file: FileId,
    raws: &[Spanned<RawWaiver>],
    first_origin: usize,
) -> (Vec<Waiver>, Vec<Diagnostic>) {
    let mut v = Validator {
        sources,
        diagnostics: Vec::new(),
        file,
    };
    let claims = Names::of(model.claims.iter().map(|c| (c.id.as_str(), c.span)));
    let flows = Names::of(model.flows.iter().map(|f| (f.id.as_str(), f.span)));
    let entities = Names::of(model.entities.iter().map(|e| (e.id.as_str(), e.span)));
    let mut categories: Vec<String> = model
        .entities
        .iter()
        .flat_map(|e| e.categories.iter().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    let scope = WaiverScope {
        claims: &claims,
        flows: &flows,
        entities: &entities,
        categories: &categories,
    };
    let waivers = raws
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| v.waiver(&raw.value, &scope, &model.fields, Some(first_origin + i)))
        .collect();
    (waivers, v.diagnostics)
}
