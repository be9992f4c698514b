//! Entities and systems: ids defined once, owners resolved in the file that names them, the
//! ownership forest checked for cycles, every system's operator resolved.

use crate::model::span::Spanned;

use super::{Names, Validator, names};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::FileId;
use crate::model::raw::RawDocument;
use crate::model::{Entity, EntityId, System, SystemLocation};

impl Validator<'_> {
    /// Every entity, with `owned_by` resolved and cycles cut; also every category carried.
    pub(super) fn entities(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
    ) -> (Names, Vec<Entity>, Vec<String>) {
        let mut entity_names = Names::new();
        let mut entities: Vec<Entity> = Vec::new();
        let mut owners: Vec<Option<Spanned<String>>> = Vec::new();
        let mut categories: Vec<String> = Vec::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for (id, raw) in doc.entities.take().unwrap_or_default().0 {
                if !self.define(
                    &mut entity_names,
                    &id,
                    "entity",
                    "privflow::model::duplicate-entity",
                ) {
                    continue;
                }
                let raw_entity = raw.value;
                let cats: Vec<String> = raw_entity
                    .categories
                    .map(|r| r.items.into_iter().map(|c| c.value).collect())
                    .unwrap_or_default();
                categories.extend(cats.iter().cloned());
                entities.push(Entity {
                    name: raw_entity.name.unwrap_or_else(|| id.value.clone()),
                    id: id.value.clone(),
                    kind: raw_entity.kind.unwrap_or_default(),
                    owned_by: None,
                    categories: cats,
                    country: raw_entity.country,
                    data_broker: raw_entity.data_broker.unwrap_or(false),
                    span: self.span(&id.at),
                });
                owners.push(raw_entity.owned_by);
            }
        }
        categories.sort();
        categories.dedup();
        // Owner references are resolved against the file that made them: remember it per entity.
        let entity_files: Vec<FileId> = entities.iter().map(|e| e.span.file).collect();
        for (i, owner) in owners.iter().enumerate() {
            if let Some(owner) = owner {
                self.file = entity_files[i];
                entities[i].owned_by = self
                    .resolve(
                        &entity_names,
                        owner,
                        "entity",
                        "privflow::model::unknown-entity",
                    )
                    .map(EntityId);
            }
        }
        self.check_ownership_cycles(&mut entities);
        (entity_names, entities, categories)
    }

    /// Every system, its operator resolved against the entities.
    pub(super) fn systems(
        &mut self,
        documents: &mut [(FileId, RawDocument)],
        entity_names: &Names,
    ) -> (Names, Vec<System>) {
        let mut system_names = Names::new();
        let mut systems: Vec<System> = Vec::new();
        for (file, doc) in documents.iter_mut() {
            self.file = *file;
            for (id, raw) in doc.systems.take().unwrap_or_default().0 {
                if !self.define(
                    &mut system_names,
                    &id,
                    "system",
                    "privflow::model::duplicate-system",
                ) {
                    continue;
                }
                let raw = raw.value;
                let operator = self.resolve(
                    entity_names,
                    &raw.operated_by,
                    "entity",
                    "privflow::model::unknown-entity",
                );
                let retention = raw.retention.as_ref().and_then(|r| self.duration(r));
                let location = raw.location.unwrap_or_default();
                let held_by = raw.held_by.as_ref().and_then(|holder| {
                    let entity = self.resolve(
                        entity_names,
                        holder,
                        "entity",
                        "privflow::model::unknown-entity",
                    )?;
                    if location != SystemLocation::Device {
                        let at = self.span(&holder.at);
                        self.error(
                            Diagnostic::error(
                                "privflow::model::held-by-not-device",
                                format!("system `{}` is not a device, so nobody holds it", id.value),
                            )
                            .at(at, "`held_by` on a server")
                            .with_help(
                                "`held_by` names who holds a device (a business's phone): set `location: device`, or remove `held_by`",
                            ),
                        );
                    }
                    Some(EntityId(entity))
                });
                systems.push(System {
                    name: raw.name.unwrap_or_else(|| id.value.clone()),
                    id: id.value.clone(),
                    operator: EntityId(operator.unwrap_or(0)),
                    location,
                    held_by,
                    kind: raw.kind.unwrap_or_default(),
                    ephemeral: raw.ephemeral.unwrap_or(false),
                    retention,
                    country: raw.country,
                    domains: names(raw.domains),
                    span: self.span(&id.at),
                });
            }
        }
        (system_names, systems)
    }

    fn check_ownership_cycles(&mut self, entities: &mut [Entity]) {
        let n = entities.len();
        let mut state = vec![0u8; n]; // 0 unvisited, 1 on the current chain, 2 done
        for start in 0..n {
            let mut chain = Vec::new();
            let mut e = Some(start);
            while let Some(i) = e {
                match state[i] {
                    2 => break,
                    1 => {
                        let pos = chain.iter().position(|&c| c == i).unwrap_or(0);
                        let names: Vec<&str> = chain[pos..]
                            .iter()
                            .chain(std::iter::once(&i))
                            .map(|&c| entities[c].id.as_str())
                            .collect();
                        let span = entities[i].span;
                        self.error(
                            Diagnostic::error(
                                "privflow::model::ownership-cycle",
                                format!("entities own each other in a cycle: {}", names.join(" → ")),
                            )
                            .at(span, "part of the cycle")
                            .with_help("ownership is a tree: remove `owned_by` from one entity of the cycle"),
                        );
                        // Cut the cycle so later passes terminate.
                        entities[i].owned_by = None;
                        break;
                    }
                    _ => {
                        state[i] = 1;
                        chain.push(i);
                        e = entities[i].owned_by.map(|o| o.index());
                    }
                }
            }
            for c in chain {
                state[c] = 2;
            }
        }
    }
}
