//! The policy file as written: serde types with a source location on every reference.
//! Nothing here is checked beyond YAML shape; `validate` turns these into a `Model`.

use std::fmt;
use std::marker::PhantomData;

use super::span::{Loc, Spanned};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// One YAML document of a privflow policy model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Document")]
pub struct RawDocument {
    #[schemars(schema_with = "schema::version")]
    pub privflow: Spanned<u64>,
    #[schemars(with = "Option<RawPolicy>")]
    pub policy: Option<Spanned<RawPolicy>>,
    pub taxonomy: Option<RawTaxonomy>,
    #[schemars(with = "Option<SpannedMap<RawEntity>>")]
    pub entities: Option<SpannedMap<Spanned<RawEntity>>>,
    #[schemars(with = "Option<SpannedMap<RawSystem>>")]
    pub systems: Option<SpannedMap<Spanned<RawSystem>>>,
    #[schemars(with = "Option<Vec<RawFlow>>")]
    pub flows: Option<Vec<Spanned<RawFlow>>>,
    #[schemars(with = "Option<Vec<RawDisclosure>>")]
    pub disclosures: Option<Vec<Spanned<RawDisclosure>>>,
    #[schemars(with = "Option<Vec<RawClaim>>")]
    pub claims: Option<Vec<Spanned<RawClaim>>>,
    #[schemars(with = "Option<Vec<RawWaiver>>")]
    pub waivers: Option<Vec<Spanned<RawWaiver>>>,
}

/// A `--waivers` file: waivers kept apart from the model, e.g. owned by a compliance team.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WaiverFile")]
pub struct RawWaiverFile {
    #[schemars(with = "u64")]
    pub privflow: Spanned<u64>,
    #[schemars(with = "Option<Vec<RawWaiver>>")]
    pub waivers: Option<Vec<Spanned<RawWaiver>>>,
}

/// Only the version key, read when a document fails to load, so that a file of another format
/// version is reported as such rather than as a pile of unknown keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "VersionOnly")]
pub struct RawVersionOnly {
    #[schemars(with = "Option<Text>")]
    pub privflow: Option<Spanned<scalar::Scalar>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub struct RawPolicy {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "String")]
    pub speaker: Spanned<String>,
    pub title: Option<String>,
    pub version: Option<Text>,
    pub source: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Taxonomy")]
pub struct RawTaxonomy {
    #[schemars(with = "Option<SpannedMap<Option<RawTaxon>>>")]
    pub fields: Option<SpannedMap<Option<RawTaxon>>>,
    #[schemars(with = "Option<SpannedMap<Option<RawTaxon>>>")]
    pub purposes: Option<SpannedMap<Option<RawTaxon>>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Taxon")]
pub struct RawTaxon {
    pub label: Option<String>,
    pub description: Option<String>,
    pub parents: Option<Refs>,
    pub parts: Option<Refs>,
    /// Special-category data (GDPR Art. 9 and the like); inherited by descendants.
    pub sensitive: Option<bool>,
    /// Makes this key a deprecated alias of another (a key fideslang moved): references to it
    /// are read as the other key, with a warning naming it. Nothing else may be set beside it.
    #[schemars(with = "Option<String>")]
    pub replaced_by: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Entity")]
pub struct RawEntity {
    pub name: Option<String>,
    pub kind: Option<EntityKind>,
    #[schemars(with = "Option<String>")]
    pub owned_by: Option<Spanned<String>>,
    pub categories: Option<Refs>,
    pub country: Option<String>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    #[default]
    Company,
    DataSubject,
    Authority,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "System")]
pub struct RawSystem {
    pub name: Option<String>,
    #[schemars(with = "String")]
    pub operated_by: Spanned<String>,
    pub location: Option<SystemLocation>,
    /// A device only: the entity holding it (a business's phone); default the data subject.
    #[schemars(with = "Option<String>")]
    pub held_by: Option<Spanned<String>>,
    pub kind: Option<SystemKind>,
    pub ephemeral: Option<bool>,
    #[schemars(with = "Option<Text>")]
    pub retention: Option<Spanned<Text>>,
    pub country: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SystemLocation {
    #[default]
    Server,
    Device,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SystemKind {
    #[default]
    Process,
    Store,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Flow")]
pub struct RawFlow {
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    #[schemars(with = "String")]
    pub from: Spanned<String>,
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    pub fields: Refs,
    pub purposes: Option<Refs>,
    pub protection: Option<Protection>,
    #[schemars(with = "Option<Text>")]
    pub retention: Option<Spanned<Text>>,
    pub condition: Option<String>,
    pub role: Option<Role>,
    pub note: Option<String>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    Plaintext,
    #[default]
    Tls,
    E2ee,
    Hashed,
    Aggregated,
    Anonymized,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Controller,
    Processor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Exact,
    Subsidiaries,
    Group,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Disclosure")]
pub struct RawDisclosure {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub text: Option<String>,
    pub source: Option<String>,
    #[schemars(with = "Option<RawShare>")]
    pub share: Option<Spanned<RawShare>>,
    #[schemars(with = "Option<RawCollect>")]
    pub collect: Option<Spanned<RawCollect>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Share")]
pub struct RawShare {
    pub fields: Refs,
    pub with: Refs,
    pub scope: Option<Scope>,
    pub purposes: Option<Refs>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Collect")]
pub struct RawCollect {
    pub fields: Refs,
    pub purposes: Option<Refs>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
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
}

impl ClaimKind {
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
        }
    }
}

/// A promise of the policy. Which parameters apply depends on `kind`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Claim")]
pub struct RawClaim {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "ClaimKind")]
    pub kind: Spanned<ClaimKind>,
    pub text: Option<String>,
    pub source: Option<String>,
    pub fields: Option<Refs>,
    pub with: Option<Refs>,
    #[schemars(with = "Option<Scope>")]
    pub scope: Option<Spanned<Scope>>,
    pub exempt_conditions: Option<Refs>,
    #[schemars(with = "Option<bool>")]
    pub processors_exempt: Option<Spanned<bool>>,
    #[schemars(with = "Option<bool>")]
    pub include_derived: Option<Spanned<bool>>,
    pub purposes: Option<Refs>,
    pub endpoints: Option<Refs>,
    pub operators: Option<Refs>,
    #[schemars(with = "Option<Text>")]
    pub max: Option<Spanned<Text>>,
    pub at: Option<Refs>,
    pub exclude: Option<Refs>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Waiver")]
pub struct RawWaiver {
    #[schemars(with = "String")]
    pub claim: Spanned<String>,
    pub reason: String,
    #[schemars(with = "Option<String>")]
    pub flow: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub field: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub recipient: Option<Spanned<String>>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
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
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{Refs, SpannedMap, Text};

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
