//! Claims: the parameters each kind takes and requires (SPEC §5), every key, selector, system and
//! duration resolved; a parameter of another kind is an error at its own span.

use crate::model::span::Loc;

use super::{Known, Names, Validator};
use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::model::raw::{RawClaim, RawDocument};
use crate::model::{Claim, SystemId};

impl Validator<'_> {
    pub(super) fn claims(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        known: &Known,
    ) -> (Names, Vec<Claim>) {
        let mut claim_names = Names::new();
        let mut claims = Vec::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for raw in doc.claims.take().unwrap_or_default() {
                let span = self.span(&raw.at);
                let raw = raw.value;
                if !self.define(
                    &mut claim_names,
                    &raw.id,
                    "claim",
                    "privflow::model::duplicate-claim",
                ) {
                    continue;
                }
                if let Some(claim) = self.claim(raw, span, known) {
                    claims.push(claim);
                }
            }
        }
        (claim_names, claims)
    }

    fn claim(&mut self, raw: RawClaim, span: Span, known: &Known) -> Option<Claim> {
        let kind = raw.kind.value;
        // The parameters given, checked against those the kind takes and requires.
        let given: [(&str, Option<Loc>); 12] = [
            ("fields", raw.fields.as_ref().and_then(|r| r.location)),
            ("with", raw.with.as_ref().and_then(|r| r.location)),
            ("scope", raw.scope.as_ref().map(|s| s.at)),
            (
                "exempt_conditions",
                raw.exempt_conditions.as_ref().and_then(|r| r.location),
            ),
            (
                "processors_exempt",
                raw.processors_exempt.as_ref().map(|s| s.at),
            ),
            (
                "include_derived",
                raw.include_derived.as_ref().map(|s| s.at),
            ),
            ("purposes", raw.purposes.as_ref().and_then(|r| r.location)),
            ("endpoints", raw.endpoints.as_ref().and_then(|r| r.location)),
            ("operators", raw.operators.as_ref().and_then(|r| r.location)),
            ("max", raw.max.as_ref().map(|s| s.at)),
            ("at", raw.at.as_ref().and_then(|r| r.location)),
            ("countries", raw.countries.as_ref().and_then(|r| r.location)),
        ];
        let exclude_given = raw.exclude.as_ref().and_then(|r| r.location);
        let (allowed, required) = kind.parameters();
        let mut ok = true;
        let mut params: Vec<(&str, Option<Loc>)> = given.to_vec();
        params.push(("exclude", exclude_given));
        for (name, loc) in &params {
            if let Some(loc) = loc
                && !allowed.contains(name)
            {
                let at = self.span(loc);
                self.error(
                    Diagnostic::error(
                        "privflow::model::parameter-not-for-kind",
                        format!("`{name}` does not apply to a `{}` claim", kind.as_str()),
                    )
                    .at(at, "not a parameter of this kind")
                    .with_help(format!(
                        "a `{}` claim takes {}",
                        kind.as_str(),
                        allowed
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                ok = false;
            }
        }
        for name in required {
            if params.iter().any(|(p, loc)| p == name && loc.is_none()) {
                self.error(
                    Diagnostic::error(
                        "privflow::model::missing-parameter",
                        format!("a `{}` claim needs `{name}`", kind.as_str()),
                    )
                    .at(self.span(&raw.id.at), format!("`{name}` missing"))
                    .with_help(format!("add `{name}:` to claim `{}`", raw.id.value)),
                );
                ok = false;
            }
        }
        let claim_fields = self.taxa(&known.fields, raw.fields.as_ref());
        let claim_purposes = self.taxa(&known.purposes, raw.purposes.as_ref());
        let with = self.selectors(&known.entities, &known.categories, raw.with.as_ref());
        let operators = self.selectors(&known.entities, &known.categories, raw.operators.as_ref());
        let at = self.selectors(&known.entities, &known.categories, raw.at.as_ref());
        let exclude = self.selectors(&known.entities, &known.categories, raw.exclude.as_ref());
        let endpoints: Vec<SystemId> = raw
            .endpoints
            .as_ref()
            .map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| {
                self.resolve(
                    &known.systems,
                    r,
                    "system",
                    "privflow::model::unknown-system",
                )
                .map(SystemId)
            })
            .collect();
        let max = raw.max.as_ref().and_then(|m| self.duration(m));
        if !ok {
            return None;
        }
        Some(Claim {
            id: raw.id.value,
            kind,
            text: raw.text,
            source: raw.source,
            span,
            fields: claim_fields,
            with,
            scope: raw.scope.map(|s| s.value),
            exempt_conditions: raw
                .exempt_conditions
                .map(|r| r.items.into_iter().map(|c| c.value).collect())
                .unwrap_or_default(),
            processors_exempt: raw.processors_exempt.is_some_and(|b| b.value),
            include_derived: raw.include_derived.is_some_and(|b| b.value),
            purposes: claim_purposes,
            endpoints,
            operators,
            max,
            at,
            exclude,
            countries: raw
                .countries
                .map(|r| {
                    r.items
                        .into_iter()
                        .map(|c| c.value.to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}
