//! The ownership forest of a model's entities, computed once in linear time: each entity's
//! ultimate owner and its subtree as an interval of a pre-order, so scope widening is cheap.

use super::{Entity, EntityId, Scope};

#[derive(Clone, Debug, Default)]
pub struct Ownership {
    /// The top of each entity's ownership chain.
    root: Vec<EntityId>,
    /// Pre-order position of each entity; its subtree is `pre[e]..end[e]`.
    pre: Vec<u32>,
    end: Vec<u32>,
    /// Entities in pre-order.
    order: Vec<EntityId>,
}

impl Ownership {
    /// The forest of `entities`, whose `owned_by` links must have no cycle.
    pub fn of(entities: &[Entity]) -> Ownership {
        let n = entities.len();
        let mut children: Vec<Vec<EntityId>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, e) in entities.iter().enumerate() {
            match e.owned_by {
                Some(owner) => children[owner.index()].push(EntityId(i as u32)),
                None => roots.push(EntityId(i as u32)),
            }
        }
        let mut ownership = Ownership {
            root: vec![EntityId(0); n],
            pre: vec![0; n],
            end: vec![0; n],
            order: Vec::with_capacity(n),
        };
        // Iterative DFS: ownership chains may be deep.
        for r in roots {
            let mut stack = vec![(r, 0usize)];
            ownership.enter(r, r);
            while let Some(top) = stack.len().checked_sub(1) {
                let (e, next) = stack[top];
                match children[e.index()].get(next) {
                    Some(&child) => {
                        stack[top].1 += 1;
                        ownership.enter(child, r);
                        stack.push((child, 0));
                    }
                    None => {
                        ownership.end[e.index()] = ownership.order.len() as u32;
                        stack.pop();
                    }
                }
            }
        }
        ownership
    }

    fn enter(&mut self, e: EntityId, root: EntityId) {
        self.root[e.index()] = root;
        self.pre[e.index()] = self.order.len() as u32;
        self.order.push(e);
    }

    pub fn root(&self, e: EntityId) -> EntityId {
        self.root[e.index()]
    }

    /// `e` is `ancestor` or owned by it, directly or through subsidiaries.
    pub fn is_owned_by(&self, e: EntityId, ancestor: EntityId) -> bool {
        let (p, a) = (self.pre[e.index()], ancestor.index());
        self.pre[a] <= p && p < self.end[a]
    }

    /// Marks in `chosen` every entity that `scope` widens each of `entities` to.
    pub fn widen(&self, entities: &[EntityId], scope: Scope, chosen: &mut [bool]) {
        let n = self.order.len();
        // Subtrees as intervals of the pre-order, summed once: linear in entities + selected.
        let mut delta = vec![0i64; n + 1];
        for &e in entities {
            let top = match scope {
                Scope::Exact => {
                    chosen[e.index()] = true;
                    continue;
                }
                Scope::Subsidiaries => e,
                Scope::Group => self.root(e),
            };
            delta[self.pre[top.index()] as usize] += 1;
            delta[self.end[top.index()] as usize] -= 1;
        }
        let mut depth = 0;
        for (i, d) in delta.iter().take(n).enumerate() {
            depth += d;
            if depth > 0 {
                chosen[self.order[i].index()] = true;
            }
        }
    }
}
