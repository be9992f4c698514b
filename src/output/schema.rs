//! JSON Schemas (draft-07) generated from the types: of the policy format, for editors that
//! validate YAML as it is typed, and of `audit --format json`, for tools that consume it.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::model::raw::{ClaimKind, RawDocument};
use crate::model::taxonomy::{TaxonomyKind, builtin};

/// Where the committed schema of the policy format lives, relative to the repository root.
pub const POLICY_SCHEMA_PATH: &str = "schema/privflow.schema.json";

/// The properties every claim takes, whatever its kind.
const COMMON_CLAIM_PROPERTIES: [&str; 4] = ["id", "kind", "text", "source"];

fn render(mut schema: schemars::Schema, title: &str) -> String {
    schema.insert("title".to_owned(), title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of a policy model file: the built-in keys offered for completion, and a claim's
/// parameters those of its kind only.
pub fn policy() -> String {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RawDocument>();
    if let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        offer_keys(definitions, "FieldKey", TaxonomyKind::Fields);
        offer_keys(definitions, "PurposeKey", TaxonomyKind::Purposes);
        claims_by_kind(definitions);
    }
    render(schema, "privflow policy model (format 1)")
}

/// The built-in keys of a taxonomy as the `examples` of its key definition: editors offer them
/// while a model's own keys stay valid.
fn offer_keys(definitions: &mut Map<String, Value>, name: &str, kind: TaxonomyKind) {
    let taxonomy = builtin(kind);
    let mut keys: Vec<&str> = taxonomy.keys().collect();
    keys.sort_unstable();
    if let Some(definition) = definitions.get_mut(name).and_then(Value::as_object_mut) {
        definition.insert("examples".into(), json!(keys));
    }
}

/// One subschema per claim kind (`if kind == K then` its parameters, nothing else): draft-07
/// has no `unevaluatedProperties`, so each block repeats the common properties.
fn claims_by_kind(definitions: &mut Map<String, Value>) {
    let Some(claim) = definitions.get_mut("Claim").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(Value::Object(every)) = claim.remove("properties") else {
        return;
    };
    claim.remove("additionalProperties");
    let pick = |names: &mut dyn Iterator<Item = &str>| -> Map<String, Value> {
        names
            .filter_map(|n| every.get(n).map(|p| (n.to_owned(), p.clone())))
            .collect()
    };
    let common = pick(&mut COMMON_CLAIM_PROPERTIES.into_iter());
    let branches: Vec<Value> = ClaimKind::ALL
        .iter()
        .map(|kind| {
            let (allowed, required) = kind.parameters();
            let properties = pick(&mut COMMON_CLAIM_PROPERTIES.into_iter().chain(allowed.iter().copied()));
            let mut needed = vec!["id", "kind"];
            needed.extend_from_slice(required);
            json!({
                "if": {"properties": {"kind": {"const": kind.as_str()}}, "required": ["kind"]},
                "then": {"properties": properties, "required": needed, "additionalProperties": false}
            })
        })
        .collect();
    claim.insert("properties".into(), Value::Object(common));
    claim.insert("allOf".into(), Value::Array(branches));
}

/// The schema of `privflow audit --format json`.
pub fn audit_output() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::output::JsonDocument>();
    render(schema, "privflow audit --format json")
}
