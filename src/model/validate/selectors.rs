//! Selectors (SPEC §3): an entity id, `category:<name>`, `kind:<kind>` or `*`, each checked and
//! resolved, with a did-you-mean for a near miss and a warning for a category nobody carries.

use super::{Names, Validator};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::raw::{EntityKind, Refs};
use crate::model::span::Spanned;
use crate::model::{EntityId, Selector};

impl Validator<'_> {
    pub(super) fn selector(
        &mut self,
        entities: &Names,
        known_categories: &[String],
        r: &Spanned<String>,
    ) -> Option<Selector> {
        let text = r.value.as_str();
        let span = self.span(&r.at);
        if text == "*" {
            return Some(Selector::All);
        }
        if let Some(category) = text.strip_prefix("category:") {
            if category.is_empty() {
                self.error(
                    Diagnostic::error("privflow::model::bad-selector", "empty category selector")
                        .at(span, "category name missing")
                        .with_help("write `category:<name>`, e.g. `category:advertiser`"),
                );
                return None;
            }
            // A promise about a category nobody in the model carries simply holds; only a
            // near miss of a category that exists is worth a word (a typo).
            if !known_categories.iter().any(|c| c == category)
                && let Some(help) =
                    did_you_mean(category, known_categories.iter().map(String::as_str))
            {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "privflow::model::unused-category",
                        format!("no entity has category `{category}`"),
                    )
                    .at(span, "selects no entity")
                    .with_help(help),
                );
            }
            return Some(Selector::Category(category.to_owned()));
        }
        if let Some(kind) = text.strip_prefix("kind:") {
            return match kind {
                "company" => Some(Selector::Kind(EntityKind::Company)),
                "data_subject" => Some(Selector::Kind(EntityKind::DataSubject)),
                "authority" => Some(Selector::Kind(EntityKind::Authority)),
                _ => {
                    let help = did_you_mean(kind, ["company", "data_subject", "authority"])
                        .unwrap_or_else(|| {
                            "the kinds are `company`, `data_subject` and `authority`".to_owned()
                        });
                    self.error(
                        Diagnostic::error(
                            "privflow::model::bad-selector",
                            format!("unknown entity kind `{kind}`"),
                        )
                        .at(span, "not an entity kind")
                        .with_help(help),
                    );
                    None
                }
            };
        }
        if let Some((prefix, _)) = text.split_once(':') {
            self.error(
                Diagnostic::error(
                    "privflow::model::bad-selector",
                    format!("unknown selector prefix `{prefix}:`"),
                )
                .at(span, "not a selector")
                .with_help("a selector is an entity id, `category:<name>`, `kind:<kind>` or `*`"),
            );
            return None;
        }
        self.resolve(entities, r, "entity", "privflow::model::unknown-entity")
            .map(|i| Selector::Entity(EntityId(i)))
    }

    pub(super) fn selectors(
        &mut self,
        entities: &Names,
        categories: &[String],
        refs: Option<&Refs>,
    ) -> Vec<Selector> {
        refs.map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| self.selector(entities, categories, r))
            .collect()
    }
}
