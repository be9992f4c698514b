//! JSON Schemas (draft-07) generated from the types: of the policy format, for editors that
//! validate YAML as it is typed, and of `audit --format json`, for tools that consume it.

use schemars::generate::SchemaSettings;

use crate::model::raw::RawDocument;

/// Where the committed schema of the policy format lives, relative to the repository root.
pub const POLICY_SCHEMA_PATH: &str = "schema/privflow.schema.json";

fn render(mut schema: schemars::Schema, title: &str) -> String {
    schema.insert("title".to_owned(), title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of a policy model file.
pub fn policy() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RawDocument>();
    render(schema, "privflow policy model (format 1)")
}

/// The schema of `privflow audit --format json`.
pub fn audit_output() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::output::JsonDocument>();
    render(schema, "privflow audit --format json")
}
