//! The model stage: YAML files in, one validated `Model` per policy out. `files` reads paths,
//! `parse` turns bytes into spanned `raw` documents, `policies` groups them, `validate` checks
//! every reference and value into the types below; `loader` runs the stage, `git` and
//! `waiver_files` feed it from elsewhere. The engine reads only the validated types.

pub mod duration;
pub mod files;
pub mod git;
pub mod loader;
mod parse;
mod policies;
pub mod raw;
mod span;
pub mod taxonomy;
mod validate;
mod waiver_files;

use crate::diagnostics::{FileId, Span};
use crate::model::duration::{Date, Duration};
use crate::model::taxonomy::{TaxonId, Taxonomy};
/// The vocabulary the raw documents and the validated model share.
pub use raw::{ClaimKind, EntityKind, Protection, Role, Scope, SystemKind, SystemLocation};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowId(pub u32);

macro_rules! index_fn {
    ($t:ty) => {
        impl $t {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
index_fn!(EntityId);
index_fn!(SystemId);
index_fn!(FlowId);

#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub speaker: EntityId,
    pub source: Option<String>,
    pub files: Vec<FileId>,
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    pub owned_by: Option<EntityId>,
    pub categories: Vec<String>,
    pub country: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct System {
    pub id: String,
    pub name: String,
    pub operator: EntityId,
    pub location: SystemLocation,
    pub kind: SystemKind,
    pub ephemeral: bool,
    pub retention: Option<Duration>,
    pub country: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Flow {
    pub id: String,
    pub from: SystemId,
    pub to: SystemId,
    pub fields: Vec<TaxonId>,
    pub purposes: Vec<TaxonId>,
    pub protection: Protection,
    pub retention: Option<Duration>,
    pub condition: Option<String>,
    pub role: Role,
    pub note: Option<String>,
    pub span: Span,
}

/// Selects entities: by id, by category, by kind, or all of them (SPEC §3 selectors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Entity(EntityId),
    Category(String),
    Kind(EntityKind),
    All,
}

#[derive(Clone, Debug)]
pub struct Claim {
    pub id: String,
    pub kind: ClaimKind,
    pub text: Option<String>,
    pub source: Option<String>,
    pub span: Span,
    /// The claim's fields; empty for a `no_expansion` claim about all fields.
    pub fields: Vec<TaxonId>,
    pub with: Vec<Selector>,
    /// The scope the claim states, if any; each selector applies its own default otherwise.
    pub scope: Option<Scope>,
    pub exempt_conditions: Vec<String>,
    pub processors_exempt: bool,
    pub include_derived: bool,
    pub purposes: Vec<TaxonId>,
    pub endpoints: Vec<SystemId>,
    pub operators: Vec<Selector>,
    pub max: Option<Duration>,
    pub at: Vec<Selector>,
    pub exclude: Vec<Selector>,
}

#[derive(Clone, Debug)]
pub enum Statement {
    Share {
        fields: Vec<TaxonId>,
        with: Vec<Selector>,
        scope: Scope,
        purposes: Vec<TaxonId>,
    },
    Collect {
        fields: Vec<TaxonId>,
        purposes: Vec<TaxonId>,
    },
}

#[derive(Clone, Debug)]
pub struct Disclosure {
    pub id: String,
    pub text: Option<String>,
    pub source: Option<String>,
    pub statement: Statement,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Waiver {
    /// The claim waived; `None` for `*` (every claim).
    pub claim: Option<usize>,
    pub flow: Option<FlowId>,
    pub field: Option<TaxonId>,
    pub recipient: Option<Selector>,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<Date>,
    pub span: Span,
    /// For a waiver from a `--waivers` file, its number across all such files.
    pub origin: Option<usize>,
}

/// One policy's complete, validated model.
#[derive(Clone, Debug)]
pub struct Model {
    pub policy: Policy,
    pub fields: Taxonomy,
    pub purposes: Taxonomy,
    pub entities: Vec<Entity>,
    pub systems: Vec<System>,
    pub flows: Vec<Flow>,
    pub claims: Vec<Claim>,
    pub disclosures: Vec<Disclosure>,
    pub waivers: Vec<Waiver>,
}

impl Model {
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.index()]
    }

    pub fn system(&self, id: SystemId) -> &System {
        &self.systems[id.index()]
    }

    pub fn flow(&self, id: FlowId) -> &Flow {
        &self.flows[id.index()]
    }

    pub fn speaker(&self) -> EntityId {
        self.policy.speaker
    }

    /// The top of `e`'s ownership chain (the chain is acyclic after validation).
    pub fn ultimate_owner(&self, mut e: EntityId) -> EntityId {
        while let Some(owner) = self.entity(e).owned_by {
            e = owner;
        }
        e
    }

    /// `e` is `ancestor` or owned by it, directly or through subsidiaries.
    pub fn is_owned_by(&self, mut e: EntityId, ancestor: EntityId) -> bool {
        loop {
            if e == ancestor {
                return true;
            }
            match self.entity(e).owned_by {
                Some(owner) => e = owner,
                None => return false,
            }
        }
    }

    /// The entities selected by `selectors`, each widened by `scope`, as a membership vector.
    pub fn select(&self, selectors: &[Selector], scope: Scope) -> Vec<bool> {
        let mut chosen = vec![false; self.entities.len()];
        for (i, chosen_i) in chosen.iter_mut().enumerate() {
            let id = EntityId(i as u32);
            *chosen_i = selectors.iter().any(|s| match s {
                Selector::All => true,
                Selector::Entity(target) => match scope {
                    Scope::Exact => id == *target,
                    Scope::Subsidiaries => self.is_owned_by(id, *target),
                    Scope::Group => self.ultimate_owner(id) == self.ultimate_owner(*target),
                },
                Selector::Category(c) => {
                    self.widened(id, scope, |e| e.categories.iter().any(|x| x == c))
                }
                Selector::Kind(k) => self.widened(id, scope, |e| e.kind == *k),
            });
        }
        chosen
    }

    /// Whether `id` matches `pred` itself, or through the ownership scope of a matching entity.
    fn widened(&self, id: EntityId, scope: Scope, pred: impl Fn(&Entity) -> bool) -> bool {
        match scope {
            Scope::Exact => pred(self.entity(id)),
            Scope::Subsidiaries => {
                let mut e = Some(id);
                while let Some(x) = e {
                    if pred(self.entity(x)) {
                        return true;
                    }
                    e = self.entity(x).owned_by;
                }
                false
            }
            Scope::Group => {
                let root = self.ultimate_owner(id);
                (0..self.entities.len() as u32)
                    .map(EntityId)
                    .any(|x| self.ultimate_owner(x) == root && pred(self.entity(x)))
            }
        }
    }

    /// The ids of `systems`, in order: a witness path as people read it.
    pub fn system_ids(&self, systems: &[SystemId]) -> Vec<&str> {
        systems
            .iter()
            .map(|s| self.system(*s).id.as_str())
            .collect()
    }

    /// A human name for an entity: `meta (Meta Platforms, Inc.)`, or just the id when unnamed.
    pub fn entity_label(&self, id: EntityId) -> String {
        self.entity_label_of(self.entity(id))
    }

    pub fn entity_label_of(&self, e: &Entity) -> String {
        if e.name == e.id {
            e.id.clone()
        } else {
            format!("{} ({})", e.id, e.name)
        }
    }
}
