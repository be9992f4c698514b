//! The model stage: YAML files in, one validated `Model` per policy out. `files` reads paths,
//! `parse` turns bytes into spanned `raw` documents, `policies` groups them, `validate` checks
//! every reference and value into the types below; `loader` runs the stage, `git` and
//! `waiver_files` feed it from elsewhere. The engine reads only the validated types.

pub mod duration;
pub mod files;
pub mod git;
pub mod loader;
mod ownership;
mod parse;
mod policies;
mod prescan;
pub mod raw;
pub mod reader;
mod shape;
pub mod side_file;
pub mod span;
pub mod taxonomy;
mod validate;
mod visible;
mod waiver_files;

use crate::diagnostics::{FileId, Span};
use crate::model::duration::{Date, Duration};
use crate::model::taxonomy::{TaxonId, Taxonomy};
pub use ownership::Ownership;
/// The vocabulary the raw documents and the validated model share.
pub use raw::{
    ClaimKind, EntityKind, LawfulBasis, Protection, Role, Scope, SpecialCategoryCondition,
    SystemKind, SystemLocation, Transfer, UserControl,
};

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
    /// Whose data the policy is about, as it says (empty when it does not); a flow's subjects
    /// default to these.
    pub subjects: Vec<String>,
    /// Where the policy lists its subjects, when it does.
    pub subjects_span: Option<Span>,
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
    /// Trades in personal data about people it has no relation with (SPEC addition, issue 16).
    pub data_broker: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct System {
    pub id: String,
    pub name: String,
    /// Who runs it; for a device, who makes its software.
    pub operator: EntityId,
    pub location: SystemLocation,
    /// For a device: the entity holding it (a business's phone); `None`, the data subject.
    pub held_by: Option<EntityId>,
    pub kind: SystemKind,
    pub ephemeral: bool,
    pub retention: Option<Duration>,
    pub country: Option<String>,
    /// The network domains it is reached at: an SDK's tracking domains.
    pub domains: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Flow {
    pub id: String,
    /// The model gives the id; otherwise it is generated (`<from>-><to>#<n>`), and a diff matches
    /// the flow by what it carries instead (SPEC §7).
    pub named: bool,
    pub from: SystemId,
    pub to: SystemId,
    pub fields: Vec<TaxonId>,
    pub purposes: Vec<TaxonId>,
    pub protection: Protection,
    pub retention: Option<Duration>,
    pub condition: Option<String>,
    pub role: Role,
    pub note: Option<String>,
    /// Lawful basis, subjects, transfer safeguard, user control: boxed, and absent when the
    /// flow states none, so a large model's flows stay small.
    pub facts: Option<Box<ProcessingFacts>>,
    pub span: Span,
}

/// What a record of processing or a store label needs of a flow beyond where data goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessingFacts {
    pub lawful_basis: Option<LawfulBasis>,
    pub special_category_condition: Option<SpecialCategoryCondition>,
    /// Whose data it carries, as the flow says; empty: the policy's subjects.
    pub subjects: Vec<String>,
    pub transfer: Option<Transfer>,
    pub user_control: Option<UserControl>,
}

impl Flow {
    /// The flow's processing facts; all absent when it states none.
    pub fn facts(&self) -> &ProcessingFacts {
        static NONE: ProcessingFacts = ProcessingFacts {
            lawful_basis: None,
            special_category_condition: None,
            subjects: Vec::new(),
            transfer: None,
            user_control: None,
        };
        self.facts.as_deref().unwrap_or(&NONE)
    }
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
    /// Where `data_residency` keeps the fields: ISO 3166 codes, `EEA` standing for its members.
    pub countries: Vec<String>,
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
    /// Who owns whom, computed once from `entities`.
    pub ownership: Ownership,
}

/// The EEA: the EU's 27 members, Iceland, Liechtenstein and Norway (ISO 3166 alpha-2). A flow
/// from a system established here to one outside is a transfer to a third country (Chapter V).
pub const EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

impl Model {
    /// Where a system is established: its country, else its party's (the operator, or the
    /// holder of a held device); `None` for a device in its user's hands, which is wherever its
    /// user is; `Some(None)` when the model does not say.
    pub fn established(&self, s: SystemId) -> Option<Option<&str>> {
        let system = self.system(s);
        if system.location == SystemLocation::Device && system.held_by.is_none() {
            return None;
        }
        let entity = self.entity(self.party(s));
        Some(system.country.as_deref().or(entity.country.as_deref()))
    }

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

    /// The top of `e`'s ownership chain.
    pub fn ultimate_owner(&self, e: EntityId) -> EntityId {
        self.ownership.root(e)
    }

    /// `e` is `ancestor` or owned by it, directly or through subsidiaries.
    pub fn is_owned_by(&self, e: EntityId, ancestor: EntityId) -> bool {
        self.ownership.is_owned_by(e, ancestor)
    }

    /// The entities `selectors` pick, as a membership vector (SPEC §4.3). An entity id is widened
    /// by the `stated` scope, else by `default`; a category, a kind or `*` picks the entities that
    /// carry it as they are, each widened only by a `stated` scope.
    pub fn select(
        &self,
        selectors: &[Selector],
        stated: Option<Scope>,
        default: Scope,
    ) -> Vec<bool> {
        let n = self.entities.len();
        if selectors.contains(&Selector::All) {
            return vec![true; n];
        }
        let mut named = Vec::new();
        let mut matching = Vec::new();
        for s in selectors {
            match s {
                Selector::Entity(e) => named.push(*e),
                Selector::Category(c) => matching.extend(
                    self.entity_ids()
                        .filter(|&e| self.entity(e).categories.iter().any(|x| x == c)),
                ),
                Selector::Kind(k) => {
                    matching.extend(self.entity_ids().filter(|&e| self.entity(e).kind == *k))
                }
                Selector::All => {}
            }
        }
        let mut chosen = vec![false; n];
        self.ownership
            .widen(&named, stated.unwrap_or(default), &mut chosen);
        self.ownership
            .widen(&matching, stated.unwrap_or(Scope::Exact), &mut chosen);
        chosen
    }

    pub fn entity_ids(&self) -> impl Iterator<Item = EntityId> + '_ {
        (0..self.entities.len() as u32).map(EntityId)
    }

    /// Who holds what arrives at `s`: a server's operator, a device's `held_by`; `None` for a
    /// device in the hands of the data subject, which makes no receipt and is nobody's recipient.
    pub fn holder(&self, s: SystemId) -> Option<EntityId> {
        let system = self.system(s);
        match system.location {
            SystemLocation::Server => Some(system.operator),
            SystemLocation::Device => system.held_by,
        }
    }

    /// The entity a system counts for when the speaker's own systems are told apart from others
    /// (path starts, "direct"): a device's holder when it has one, else the operator — so the
    /// speaker's own device apps are the speaker's (SPEC §4.2, §4.3).
    pub fn party(&self, s: SystemId) -> EntityId {
        let system = self.system(s);
        system.held_by.unwrap_or(system.operator)
    }

    /// How long the recipient of `flow` keeps what it carries: the flow's retention, else the
    /// system's, else nothing for an ephemeral process; `None` when the model does not say.
    pub fn retention_of(&self, flow: FlowId) -> Option<Duration> {
        let f = self.flow(flow);
        let target = self.system(f.to);
        f.retention
            .or(target.retention)
            .or(target.ephemeral.then_some(Duration::ZERO))
    }

    /// Whether `s` is one of the speaker's systems.
    pub fn is_speaker_system(&self, s: SystemId) -> bool {
        self.party(s) == self.speaker()
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
