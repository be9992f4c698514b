//! Flows: endpoints resolved, fields and purposes checked against the taxonomies, durations
//! parsed, and ids given (`<from>-><to>#<n>` when absent) and kept unique.

use std::collections::HashMap;

use crate::model::span::Spanned;

use super::{Known, Names, Validator, names};
use crate::diagnostics::{Diagnostic, FileId};
use crate::model::raw::{RawDocument, RawFlow};
use crate::model::{
    Flow, LawfulBasis, ProcessingFacts, Protection, SpecialCategoryCondition, SystemId, Transfer,
    UserControl,
};

impl Validator<'_> {
    pub(super) fn flows(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        known: &Known,
    ) -> (Names, Vec<Flow>) {
        let mut flow_names = Names::new();
        let listed = documents
            .iter()
            .map(|(_, d)| d.flows.as_ref().map_or(0, Vec::len));
        let mut flows: Vec<Flow> = Vec::with_capacity(listed.sum());
        let mut pair_counts: HashMap<(u32, u32), u32> = HashMap::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for raw in doc.flows.take().unwrap_or_default() {
                let span = self.span(&raw.at);
                let raw = raw.value;
                let from = self.resolve(
                    &known.systems,
                    &raw.from,
                    "system",
                    "privflow::model::unknown-system",
                );
                let to = self.resolve(
                    &known.systems,
                    &raw.to,
                    "system",
                    "privflow::model::unknown-system",
                );
                let fields_of_flow = self.taxa(&known.fields, Some(&raw.fields));
                if raw.fields.items.is_empty() {
                    let at = raw.fields.location.map_or(span, |l| self.span(&l));
                    self.error(
                        Diagnostic::error("privflow::model::empty-fields", "a flow must carry at least one field")
                            .at(at, "no fields")
                            .with_help("list the personal-data fields this flow moves, e.g. `[user.contact.phone_number]`"),
                    );
                }
                let purposes_of_flow = self.taxa(&known.purposes, raw.purposes.as_ref());
                let retention = raw.retention.as_ref().and_then(|r| self.duration(r));
                let (Some(from), Some(to)) = (from, to) else {
                    continue;
                };
                self.lint(&raw, from == to, known);
                let n = pair_counts.entry((from, to)).or_insert(0);
                *n += 1;
                let id = match &raw.id {
                    Some(id) => {
                        if !self.define(
                            &mut flow_names,
                            id,
                            "flow",
                            "privflow::model::duplicate-flow",
                        ) {
                            continue;
                        }
                        id.value.clone()
                    }
                    None => {
                        let generated = format!("{}->{}#{}", raw.from.value, raw.to.value, n);
                        let as_spanned = Spanned::new(generated.clone(), raw.from.at);
                        if !self.define(
                            &mut flow_names,
                            &as_spanned,
                            "flow",
                            "privflow::model::duplicate-flow",
                        ) {
                            continue;
                        }
                        generated
                    }
                };
                flows.push(Flow {
                    named: raw.id.is_some(),
                    id,
                    from: SystemId(from),
                    to: SystemId(to),
                    fields: fields_of_flow,
                    purposes: purposes_of_flow,
                    protection: raw.protection.unwrap_or_default(),
                    retention,
                    condition: raw.condition,
                    role: raw.role.unwrap_or_default(),
                    note: raw.note,
                    facts: facts(
                        raw.lawful_basis,
                        raw.special_category_condition,
                        names(raw.subjects.map(|b| *b)),
                        raw.transfer,
                        raw.user_control,
                    ),
                    span,
                });
            }
        }
        (flow_names, flows)
    }

    /// The flow lints of SPEC §8, warnings that change no exit code: a flow from a system to
    /// itself, and data marked aggregated or anonymized that lists a direct identifier.
    fn lint(&mut self, raw: &RawFlow, to_itself: bool, known: &Known) {
        if to_itself {
            let at = self.span(&raw.to.at);
            self.diagnostics.push(
                Diagnostic::warning(
                    "privflow::lint::self-flow",
                    format!("flow from `{}` to itself", raw.from.value),
                )
                .at(at, "the same system as `from`")
                .with_help("a flow moves data between two systems: name the system it goes to"),
            );
        }
        let derived = matches!(
            raw.protection,
            Some(Protection::Aggregated | Protection::Anonymized)
        );
        let identifier = raw.fields.items.iter().find(|item| {
            known
                .fields
                .get(&item.value)
                .is_some_and(|k| known.fields.is_direct_identifier(k))
        });
        if let (true, Some(item)) = (derived, identifier) {
            let protection = format!("{:?}", raw.protection.unwrap_or_default()).to_lowercase();
            let at = self.span(&item.at);
            self.diagnostics.push(
                Diagnostic::warning(
                    "privflow::lint::identifying-derived-data",
                    format!(
                        "a flow marked `{protection}` carries `{}`, which identifies a person",
                        item.value
                    ),
                )
                .at(at, "a direct identifier")
                .with_help(format!(
                    "data with an identifier is not {protection}: every claim and receipt treats this flow as personal; drop the identifier or the `{protection}` mark"
                )),
            );
        }
    }
}

/// A flow's processing facts, boxed, or `None` when it states none.
fn facts(
    lawful_basis: Option<LawfulBasis>,
    special_category_condition: Option<SpecialCategoryCondition>,
    subjects: Vec<String>,
    transfer: Option<Transfer>,
    user_control: Option<UserControl>,
) -> Option<Box<ProcessingFacts>> {
    let facts = ProcessingFacts {
        lawful_basis,
        special_category_condition,
        subjects,
        transfer,
        user_control,
    };
    (facts != ProcessingFacts::default()).then(|| Box::new(facts))
}
