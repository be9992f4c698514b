//! The policy file as written: serde types with a source location on every reference.
//! Nothing here is checked beyond YAML shape; `validate` turns these into a `Model`.

use std::fmt;
use std::marker::PhantomData;

use super::span::{Loc, Spanned};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One YAML document of a privflow policy model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Document")]
pub struct RawDocument {
    /// The format version of the file: `1`.
    #[schemars(schema_with = "schema::version")]
    pub privflow: Spanned<u64>,
    /// The policy this file models: its id, title, version and speaker. Files without one join
    /// the policy of the directory's other files.
    #[schemars(with = "Option<RawPolicy>")]
    pub policy: Option<Spanned<RawPolicy>>,
    /// Field and purpose keys this model adds to the built-in taxonomies, or extends.
    pub taxonomy: Option<RawTaxonomy>,
    /// Companies, data subjects and authorities, by id.
    #[schemars(with = "Option<SpannedMap<RawEntity>>")]
    pub entities: Option<SpannedMap<Spanned<RawEntity>>>,
    /// Apps, servers, stores and SDKs, by id: the nodes of the flow graph.
    #[schemars(with = "Option<SpannedMap<RawSystem>>")]
    pub systems: Option<SpannedMap<Spanned<RawSystem>>>,
    /// Which fields move from which system to which: the edges of the flow graph.
    #[schemars(with = "Option<Vec<RawFlow>>")]
    pub flows: Option<Vec<Spanned<RawFlow>>>,
    /// What the policy says it shares or collects (positive statements).
    #[schemars(with = "Option<Vec<RawDisclosure>>")]
    pub disclosures: Option<Vec<Spanned<RawDisclosure>>>,
    /// The policy's promises, each checked against the flows.
    #[schemars(with = "Option<Vec<RawClaim>>")]
    pub claims: Option<Vec<Spanned<RawClaim>>>,
    /// Accepted exceptions: findings a reviewer has judged and recorded why.
    #[schemars(with = "Option<Vec<RawWaiver>>")]
    pub waivers: Option<Vec<Spanned<RawWaiver>>>,
}

/// A `--waivers` file: waivers kept apart from the model, e.g. owned by a compliance team.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WaiverFile")]
pub struct RawWaiverFile {
    /// The format version of the file: `1`.
    #[schemars(with = "u64")]
    pub privflow: Spanned<u64>,
    /// The waivers, as in a model's `waivers:`.
    #[schemars(with = "Option<Vec<RawWaiver>>")]
    pub waivers: Option<Vec<Spanned<RawWaiver>>>,
}

/// Only the version key, read when a document fails to load, so that a file of another format
/// version is reported as such rather than as a pile of unknown keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "VersionOnly")]
pub struct RawVersionOnly {
    /// The format version, whatever its type.
    #[schemars(with = "Option<Text>")]
    pub privflow: Option<Spanned<scalar::Scalar>>,
}

/// The policy a model describes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub struct RawPolicy {
    /// The policy's id, unique among the policies audited together (`whatsapp-2021`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The entity whose promises the claims are: the company speaking in the policy.
    #[schemars(with = "String")]
    pub speaker: Spanned<String>,
    /// The policy's title, shown in reports.
    pub title: Option<String>,
    /// The policy's version or date (`"2021-01-04"`), shown in reports and diffs.
    pub version: Option<Text>,
    /// Where the policy text is published (a URL).
    pub source: Option<String>,
    /// Whose data the policy is about (data-subject categories: `users`, `children`,
    /// `employees`, `contacts_of_users`, …); a flow's `subjects` default to these.
    pub subjects: Option<Refs>,
}

/// A model's additions to the built-in taxonomies (`privflow taxonomy` lists those).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Taxonomy")]
pub struct RawTaxonomy {
    /// Field keys (kinds of personal data) by key: new ones, or built-in ones extended.
    #[schemars(with = "Option<FieldKeyMap>")]
    pub fields: Option<SpannedMap<Option<RawTaxon>>>,
    /// Purpose keys (reasons data is used) by key: new ones, or built-in ones extended.
    #[schemars(with = "Option<PurposeKeyMap>")]
    pub purposes: Option<SpannedMap<Option<RawTaxon>>>,
}

/// A taxonomy key's definition.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Taxon")]
pub struct RawTaxon {
    /// A short human name (`Address book`); default the key.
    pub label: Option<String>,
    /// What the key means.
    pub description: Option<String>,
    /// Broader keys this one is within; default its dotted prefix. Several make a DAG.
    pub parents: Option<Refs>,
    /// Keys this one contains (an address book contains names and phone numbers).
    pub parts: Option<Refs>,
    /// Special-category data (GDPR Art. 9 and the like); inherited by descendants.
    pub sensitive: Option<bool>,
    /// Makes this key a deprecated alias of another (a key fideslang moved): references to it
    /// are read as the other key, with a warning naming it. Nothing else may be set beside it.
    #[schemars(with = "Option<String>")]
    pub replaced_by: Option<Spanned<String>>,
}

/// A legal person or a data subject.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Entity")]
pub struct RawEntity {
    /// The entity's name (`"Meta Platforms, Inc."`); default its id.
    pub name: Option<String>,
    /// `company` (default), `data_subject` or `authority`.
    pub kind: Option<EntityKind>,
    /// The entity that owns this one: ownership groups decide `scope: group` and subsidiaries.
    #[schemars(with = "Option<String>")]
    pub owned_by: Option<Spanned<String>>,
    /// Categories recipients can be selected by (`advertiser`, `analytics_provider`, …).
    pub categories: Option<Refs>,
    /// ISO 3166 country code.
    pub country: Option<String>,
    /// Buys or sells personal data about people it has no direct relation with; whatever
    /// reaches it counts as tracking.
    pub data_broker: Option<bool>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
/// What an entity is: a company, a data subject (users), or an authority.
pub enum EntityKind {
    #[default]
    Company,
    DataSubject,
    Authority,
}

/// A node of the flow graph: an app, server, store or SDK.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "System")]
pub struct RawSystem {
    /// The system's name (`WhatsApp servers`); default its id.
    pub name: Option<String>,
    /// The entity that runs it; data a system receives, that entity receives.
    #[schemars(with = "String")]
    pub operated_by: Spanned<String>,
    /// `server` (default) or `device` (an app on the user's phone, held by its holder).
    pub location: Option<SystemLocation>,
    /// A device only: the entity holding it (a business's phone); default the data subject.
    #[schemars(with = "Option<String>")]
    pub held_by: Option<Spanned<String>>,
    /// `process` (default) or `store` (it keeps what it receives).
    pub kind: Option<SystemKind>,
    /// A process that keeps nothing it receives (retention zero).
    pub ephemeral: Option<bool>,
    /// How long it keeps what it receives: `0`, `30d`, `12h`, `2y`, `indefinite`.
    #[schemars(with = "Option<Text>")]
    pub retention: Option<Spanned<Text>>,
    /// ISO 3166 country code of where it runs.
    pub country: Option<String>,
    /// The network domains it is reached at (`app-measurement.com`): an SDK's tracking domains.
    pub domains: Option<Refs>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
/// Where a system runs.
pub enum SystemLocation {
    #[default]
    Server,
    Device,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
/// Whether a system processes data or stores it.
pub enum SystemKind {
    #[default]
    Process,
    Store,
}

/// Fields moving from one system to another.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Flow")]
pub struct RawFlow {
    /// The flow's id; default `FROM->TO#N`. Give one to track the flow across versions.
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    /// The system the data leaves.
    #[schemars(with = "String")]
    pub from: Spanned<String>,
    /// The system that receives it.
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    /// The field keys it carries (`user.contact.phone_number`).
    #[schemars(with = "FieldKeys")]
    pub fields: Refs,
    /// Why the recipient uses the data: purpose keys (`marketing.advertising`).
    #[schemars(with = "Option<PurposeKeys>")]
    pub purposes: Option<Refs>,
    /// How the data travels: `tls` (default), `plaintext`, `e2ee`, `hashed`, `aggregated`,
    /// `anonymized`.
    pub protection: Option<Protection>,
    /// How long the recipient keeps this data; overrides the system's retention.
    #[schemars(with = "Option<Text>")]
    pub retention: Option<Spanned<Text>>,
    /// A free tag (`user_initiated`) that claims may exempt with `exempt_conditions`.
    pub condition: Option<String>,
    /// The recipient's role for this data: `controller` (default), `processor` (a service
    /// provider acting on the sender's behalf), `joint_controller` or `third_party`.
    pub role: Option<Role>,
    /// A reviewer's note, shown with the flow.
    pub note: Option<String>,
    /// The GDPR Art. 6(1) basis of this processing: `consent`, `contract`, `legal_obligation`,
    /// `vital_interests`, `public_task` or `legitimate_interests`.
    pub lawful_basis: Option<LawfulBasis>,
    /// For special-category data, the GDPR Art. 9(2) condition relied on.
    pub special_category_condition: Option<SpecialCategoryCondition>,
    /// Whose data it is (data-subject categories); default the policy's `subjects`.
    #[schemars(with = "Option<Refs>")]
    pub subjects: Option<Box<Refs>>,
    /// The safeguard of a transfer to a third country: `adequacy`, `scc`, `bcr` or `derogation`.
    pub transfer: Option<Transfer>,
    /// Whether the user may decline this flow and still use the service (`optional`) or not
    /// (`required`).
    pub user_control: Option<UserControl>,
}

/// A keyword of the format as a model writes it (`joint_controller`, `scc`), from its serde name;
/// empty for an absent one.
pub fn keyword<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// GDPR Art. 6(1)(a)–(f): the lawful bases of processing.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

/// GDPR Art. 9(2)(a)–(j): the conditions for processing special categories of data.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCategoryCondition {
    ExplicitConsent,
    EmploymentAndSocialSecurity,
    VitalInterests,
    NotForProfitBody,
    MadePublicByTheSubject,
    LegalClaims,
    SubstantialPublicInterest,
    HealthOrSocialCare,
    PublicHealth,
    ArchivingOrResearch,
}

/// The safeguard of a transfer of personal data to a third country (GDPR Chapter V).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Transfer {
    /// An adequacy decision (Art. 45).
    Adequacy,
    /// Standard contractual clauses (Art. 46(2)(c)).
    Scc,
    /// Binding corporate rules (Art. 47).
    Bcr,
    /// A derogation for a specific situation (Art. 49).
    Derogation,
}

/// Whether a user may decline a flow and still use the service.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum UserControl {
    Required,
    Optional,
}

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    JsonSchema,
    Serialize,
)]
#[serde(rename_all = "snake_case")]
/// How data is protected on a flow.
pub enum Protection {
    Plaintext,
    #[default]
    Tls,
    E2ee,
    Hashed,
    Aggregated,
    Anonymized,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "snake_case")]
/// A recipient's role for the data it receives.
pub enum Role {
    #[default]
    Controller,
    Processor,
    JointController,
    ThirdParty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
/// Which entities a selector covers: `exact`, the entity and its `subsidiaries`, or its whole
/// ownership `group`.
pub enum Scope {
    Exact,
    Subsidiaries,
    Group,
}

/// A positive statement of the policy: data it says it shares or collects.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Disclosure")]
pub struct RawDisclosure {
    /// The disclosure's id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The policy's words.
    pub text: Option<String>,
    /// Where the words are (a URL or section).
    pub source: Option<String>,
    /// Data the policy says it shares, and with whom.
    #[schemars(with = "Option<RawShare>")]
    pub share: Option<Spanned<RawShare>>,
    /// Data the policy says the speaker collects.
    #[schemars(with = "Option<RawCollect>")]
    pub collect: Option<Spanned<RawCollect>>,
}

/// A disclosed share.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Share")]
pub struct RawShare {
    /// The field keys shared.
    #[schemars(with = "FieldKeys")]
    pub fields: Refs,
    /// Who receives them: entity ids, `category:NAME`, `kind:KIND` or `*`.
    pub with: Refs,
    /// How far `with` reaches: `exact` (default), `subsidiaries` or `group`.
    pub scope: Option<Scope>,
    /// The purposes disclosed; none covers every purpose.
    #[schemars(with = "Option<PurposeKeys>")]
    pub purposes: Option<Refs>,
}

/// A disclosed collection by the speaker.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Collect")]
pub struct RawCollect {
    /// The field keys collected.
    #[schemars(with = "FieldKeys")]
    pub fields: Refs,
    /// The purposes disclosed; none covers every purpose.
    #[schemars(with = "Option<PurposeKeys>")]
    pub purposes: Option<Refs>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
/// What a promise says; each kind takes its own parameters (docs/format.md, Claims).
pub enum ClaimKind {
    NoShare,
    NoCollect,
    OnlyForPurposes,
    E2ee,
    OperatorCannotRead,
    RetentionMax,
    NoLogs,
    NoExpansion,
    DisclosureComplete,
    DataResidency,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 10] = [
        ClaimKind::NoShare,
        ClaimKind::NoCollect,
        ClaimKind::OnlyForPurposes,
        ClaimKind::E2ee,
        ClaimKind::OperatorCannotRead,
        ClaimKind::RetentionMax,
        ClaimKind::NoLogs,
        ClaimKind::NoExpansion,
        ClaimKind::DisclosureComplete,
        ClaimKind::DataResidency,
    ];

    /// The parameters a claim of this kind takes, and those it requires (SPEC §5): the one
    /// table validation and the editor schema both read.
    pub fn parameters(self) -> (&'static [&'static str], &'static [&'static str]) {
        use ClaimKind::*;
        match self {
            NoShare => (
                &[
                    "fields",
                    "with",
                    "scope",
                    "exempt_conditions",
                    "processors_exempt",
                    "include_derived",
                ],
                &["fields", "with"],
            ),
            NoCollect => (
                &["fields", "exempt_conditions", "include_derived"],
                &["fields"],
            ),
            OnlyForPurposes => (
                &["fields", "purposes", "exempt_conditions", "include_derived"],
                &["fields", "purposes"],
            ),
            E2ee => (&["fields", "endpoints"], &["fields", "endpoints"]),
            OperatorCannotRead => (
                &["fields", "operators", "scope", "include_derived"],
                &["fields"],
            ),
            RetentionMax => (
                &["fields", "max", "at", "scope", "include_derived"],
                &["fields", "max"],
            ),
            NoLogs => (&["fields", "at", "scope", "include_derived"], &["fields"]),
            NoExpansion => (&["fields", "with", "scope", "include_derived"], &["with"]),
            DisclosureComplete => (&["scope", "exclude"], &[]),
            DataResidency => (
                &["fields", "countries", "include_derived"],
                &["fields", "countries"],
            ),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::NoShare => "no_share",
            ClaimKind::NoCollect => "no_collect",
            ClaimKind::OnlyForPurposes => "only_for_purposes",
            ClaimKind::E2ee => "e2ee",
            ClaimKind::OperatorCannotRead => "operator_cannot_read",
            ClaimKind::RetentionMax => "retention_max",
            ClaimKind::NoLogs => "no_logs",
            ClaimKind::NoExpansion => "no_expansion",
            ClaimKind::DisclosureComplete => "disclosure_complete",
            ClaimKind::DataResidency => "data_residency",
        }
    }
}

/// A promise of the policy. Which parameters apply depends on `kind`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Claim")]
pub struct RawClaim {
    /// The claim's id, used by waivers, `explain` and fingerprints.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What the promise says: `no_share`, `no_collect`, `only_for_purposes`, `e2ee`,
    /// `operator_cannot_read`, `retention_max`, `no_logs`, `no_expansion`, `disclosure_complete` or
    /// `data_residency`.
    #[schemars(with = "ClaimKind")]
    pub kind: Spanned<ClaimKind>,
    /// The policy's words.
    pub text: Option<String>,
    /// Where the words are (a URL or section).
    pub source: Option<String>,
    /// The field keys the promise is about; data within them counts.
    #[schemars(with = "Option<FieldKeys>")]
    pub fields: Option<Refs>,
    /// Who must not receive the fields: entity ids, `category:NAME`, `kind:KIND` or `*`.
    pub with: Option<Refs>,
    /// How far the selectors reach: `exact`, `subsidiaries` or `group`.
    #[schemars(with = "Option<Scope>")]
    pub scope: Option<Spanned<Scope>>,
    /// Flow conditions (`user_initiated`) the promise does not cover.
    pub exempt_conditions: Option<Refs>,
    /// Flows to processors (`role: processor`) do not count.
    #[schemars(with = "Option<bool>")]
    pub processors_exempt: Option<Spanned<bool>>,
    /// Count hashed, aggregated and anonymized data as the fields too.
    #[schemars(with = "Option<bool>")]
    pub include_derived: Option<Spanned<bool>>,
    /// The only purposes the fields may be used for: purpose keys.
    #[schemars(with = "Option<PurposeKeys>")]
    pub purposes: Option<Refs>,
    /// The systems between which the fields are end-to-end encrypted.
    pub endpoints: Option<Refs>,
    /// Who cannot read the fields: selectors; default the speaker with its group.
    pub operators: Option<Refs>,
    /// The longest the fields may be kept: `30d`, `12h`, `2y`, `0`.
    #[schemars(with = "Option<Text>")]
    pub max: Option<Spanned<Text>>,
    /// Whose servers the promise is about: selectors; default the speaker.
    pub at: Option<Refs>,
    /// Recipients `disclosure_complete` leaves out: selectors.
    pub exclude: Option<Refs>,
    /// Where `data_residency` keeps the fields: ISO 3166 country codes, or `EEA`.
    pub countries: Option<Refs>,
}

/// An accepted exception to a claim: the findings it matches are reported as waived.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Waiver")]
pub struct RawWaiver {
    /// The id of the claim waived.
    #[schemars(with = "String")]
    pub claim: Spanned<String>,
    /// Why the exception is accepted, in a reviewer's words.
    pub reason: String,
    /// Only findings whose path uses this flow.
    #[schemars(with = "Option<String>")]
    pub flow: Option<Spanned<String>>,
    /// Only findings about this field key (or keys within it).
    #[schemars(with = "Option<FieldKey>")]
    pub field: Option<Spanned<String>>,
    /// Only findings at this recipient: a selector.
    #[schemars(with = "Option<String>")]
    pub recipient: Option<Spanned<String>>,
    /// Who answers for the exception.
    pub owner: Option<String>,
    /// The ticket that records it.
    pub ticket: Option<String>,
    /// The date it lapses (`2027-06-30`); after it the findings count again.
    #[schemars(with = "Option<Text>")]
    pub expires: Option<Spanned<Text>>,
}

/// A scalar read as text whether YAML typed it as a string or a number (`0`, `30d`, `2021-01-04`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        deserializer
            .deserialize_any(scalar::ScalarVisitor)
            .map(|s| Text(s.0))
    }
}

/// One reference or a list of them: `with: meta` and `with: [meta]` mean the same.
#[derive(Debug, Default)]
pub struct Refs {
    pub items: Vec<Spanned<String>>,
    pub location: Option<Loc>,
}

impl<'de> Deserialize<'de> for Refs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Refs, D::Error> {
        let spanned = Spanned::<OneOrMany>::deserialize(deserializer)?;
        let outer = spanned.at;
        // The single-string form carries no location of its own; it takes the outer one.
        let items = spanned
            .value
            .0
            .into_iter()
            .map(|item| {
                if !item.at.is_known() {
                    Spanned::new(item.value, outer)
                } else {
                    item
                }
            })
            .collect();
        Ok(Refs {
            items,
            location: Some(outer),
        })
    }
}

struct OneOrMany(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OneOrMany, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![Spanned::new(v.to_owned(), Loc::UNKNOWN)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(OneOrMany(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A YAML mapping kept in document order with the location of every key.
#[derive(Debug)]
pub struct SpannedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SpannedMap<V>, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping from ids to definitions")
            }
            fn visit_unit<E: de::Error>(self) -> Result<SpannedMap<V>, E> {
                Ok(SpannedMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SpannedMap<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(SpannedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// Scalars accepted as text: strings and numbers, never booleans or collections.
pub mod scalar {
    use super::*;

    #[derive(Debug)]
    pub struct Scalar(pub String);

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
            deserializer.deserialize_any(ScalarVisitor)
        }
    }

    pub struct ScalarVisitor;

    impl Visitor<'_> for ScalarVisitor {
        type Value = Scalar;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
            Ok(Scalar(v.to_owned()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
            // As written: `1.0` stays `1.0`, not the version `1`.
            Ok(Scalar(format!("{v:?}")))
        }
    }
}

/// JSON Schema of the hand-written deserializers above, for `privflow schema`.
/// Schema-only names for references to taxonomy keys: `output::schema` adds the built-in keys to
/// their definitions as `examples`, for completion.
pub struct FieldKey;
pub struct FieldKeys;
pub struct PurposeKey;
pub struct PurposeKeys;
pub struct FieldKeyMap;
pub struct PurposeKeyMap;

mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{
        FieldKey, FieldKeyMap, FieldKeys, PurposeKey, PurposeKeyMap, PurposeKeys, RawTaxon, Refs,
        SpannedMap, Text,
    };

    /// The shape of a taxonomy key: dotted words. A model's own keys are valid; whether a key
    /// exists is `privflow check`'s to say.
    const KEY_PATTERN: &str = "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$";

    fn key(description: &str) -> Schema {
        json_schema!({"type": "string", "pattern": KEY_PATTERN, "description": description})
    }

    fn keys<K: JsonSchema>(generator: &mut SchemaGenerator, description: &str) -> Schema {
        let one = generator.subschema_for::<K>();
        json_schema!({
            "description": description,
            "anyOf": [one.clone(), {"type": "array", "items": one}]
        })
    }

    impl JsonSchema for FieldKey {
        fn schema_name() -> Cow<'static, str> {
            "FieldKey".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            key("A field key: a kind of personal data (`user.contact.phone_number`).")
        }
    }

    impl JsonSchema for FieldKeys {
        fn schema_name() -> Cow<'static, str> {
            "FieldKeys".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            keys::<FieldKey>(generator, "One field key, or a list of them.")
        }
    }

    impl JsonSchema for PurposeKey {
        fn schema_name() -> Cow<'static, str> {
            "PurposeKey".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            key("A purpose key: why data is used (`marketing.advertising`).")
        }
    }

    impl JsonSchema for PurposeKeys {
        fn schema_name() -> Cow<'static, str> {
            "PurposeKeys".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            keys::<PurposeKey>(generator, "One purpose key, or a list of them.")
        }
    }

    fn keys_map(generator: &mut SchemaGenerator, description: &str) -> Schema {
        let taxon = generator.subschema_for::<Option<RawTaxon>>();
        json_schema!({
            "description": description,
            "type": "object",
            "propertyNames": {"pattern": KEY_PATTERN},
            "additionalProperties": taxon
        })
    }

    impl JsonSchema for FieldKeyMap {
        fn schema_name() -> Cow<'static, str> {
            "FieldKeyMap".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            keys_map(generator, "Taxonomy definitions by field key.")
        }
    }

    impl JsonSchema for PurposeKeyMap {
        fn schema_name() -> Cow<'static, str> {
            "PurposeKeyMap".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            keys_map(generator, "Taxonomy definitions by purpose key.")
        }
    }

    /// `privflow:` — the format version, always 1.
    pub fn version(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"description": "The format version of this file.", "const": 1})
    }

    impl JsonSchema for Text {
        fn schema_name() -> Cow<'static, str> {
            "Text".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({"type": ["string", "number"]})
        }
    }

    impl JsonSchema for Refs {
        fn schema_name() -> Cow<'static, str> {
            "Refs".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "One name, or a list of names.",
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            })
        }
    }

    impl<V: JsonSchema> JsonSchema for SpannedMap<V> {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            format!("Map_of_{}", V::schema_name()).into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({"type": "object", "additionalProperties": generator.subschema_for::<V>()})
        }
    }
}
