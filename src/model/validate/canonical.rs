//! The canonical order of a validated model: entities, systems and flows sorted by id, every
//! reference rewritten, so that nothing downstream depends on the order of the input.

use crate::model::{EntityId, FlowId, Model, Ownership, Selector, Statement, SystemId};

/// Orders entities, systems and flows by id and rewrites every reference to them, so that
/// indices — and with them tie-breaks between equally short paths and the order of output — never
/// depend on the order of files, map keys or list items.
pub(super) fn canonical(mut model: Model) -> Model {
    fn order<T>(items: &mut Vec<T>, id: impl Fn(&T) -> &str) -> Vec<u32> {
        let mut perm: Vec<usize> = (0..items.len()).collect();
        perm.sort_by(|&a, &b| id(&items[a]).cmp(id(&items[b])));
        let mut new_index = vec![0u32; items.len()];
        for (new, &old) in perm.iter().enumerate() {
            new_index[old] = new as u32;
        }
        let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
        items.extend(perm.iter().filter_map(|&old| slots[old].take()));
        new_index
    }
    let entity = order(&mut model.entities, |e| &e.id);
    let system = order(&mut model.systems, |s| &s.id);
    let flow = order(&mut model.flows, |f| &f.id);
    let e = |id: EntityId| EntityId(entity[id.index()]);
    let selectors = |list: &mut Vec<Selector>| {
        for s in list {
            if let Selector::Entity(id) = s {
                *id = e(*id);
            }
        }
    };
    model.policy.speaker = e(model.policy.speaker);
    for x in &mut model.entities {
        x.owned_by = x.owned_by.map(e);
    }
    for s in &mut model.systems {
        s.operator = e(s.operator);
        s.held_by = s.held_by.map(e);
    }
    for f in &mut model.flows {
        f.from = SystemId(system[f.from.index()]);
        f.to = SystemId(system[f.to.index()]);
    }
    for c in &mut model.claims {
        selectors(&mut c.with);
        selectors(&mut c.operators);
        selectors(&mut c.at);
        selectors(&mut c.exclude);
        for s in &mut c.endpoints {
            *s = SystemId(system[s.index()]);
        }
    }
    for d in &mut model.disclosures {
        if let Statement::Share { with, .. } = &mut d.statement {
            selectors(with);
        }
    }
    for w in &mut model.waivers {
        w.flow = w.flow.map(|f| FlowId(flow[f.index()]));
        if let Some(Selector::Entity(id)) = &mut w.recipient {
            *id = e(*id);
        }
    }
    model.ownership = Ownership::of(&model.entities);
    model
}
