//! Small models from YAML for the engine's unit tests, and the stages run on them as `audit`
//! runs them: reach, then receipts and verdicts, then one claim.

use super::claims::{Checker, check_on_receipts};
use super::disclosures::verdict::ConflictMode;
use super::disclosures::{self, Disclosures};
use super::finding::Finding;
use super::reach::Tracer;
use crate::model::Model;
use crate::model::loader::{InputFile, load_inputs};

pub fn model(yaml: &str) -> Model {
    let header = "privflow: 1\npolicy: {id: test, speaker: app-co}\n";
    let text = format!("{header}{yaml}");
    match load_inputs(vec![InputFile {
        path: "test.yaml".into(),
        bytes: text.into_bytes(),
    }]) {
        Ok(mut ws) => ws.models.remove(0),
        Err(f) => panic!("model does not load: {:#?}", f.diagnostics),
    }
}

/// Every receipt of `model` with its verdict under `mode`.
pub fn judged(model: &Model, mode: ConflictMode) -> Disclosures {
    disclosures::judge(&Tracer::new(model), mode)
}

/// The findings of claim `id`.
pub fn findings(model: &Model, id: &str) -> Vec<Finding> {
    let index = model
        .claims
        .iter()
        .position(|c| c.id == id)
        .expect("claim exists");
    let tracer = Tracer::new(model);
    let found = Checker::new(&tracer).check(index).or_else(|| {
        let disclosures = disclosures::judge(&tracer, ConflictMode::default());
        check_on_receipts(model, index, &disclosures)
    });
    found
        .expect("claim kind is checked")
        .into_iter()
        .map(|f| f.trace(model))
        .collect()
}

/// Runs claim `id` and describes its findings as `verdict field@system: a>b>c`.
pub fn run(model: &Model, id: &str) -> Vec<String> {
    findings(model, id)
        .iter()
        .map(|f| describe(model, f))
        .collect()
}

pub fn describe(model: &Model, f: &Finding) -> String {
    let path: Vec<&str> = model.system_ids(&f.path);
    format!(
        "{} {}@{}: {}",
        f.verdict.as_str(),
        model.fields.key(f.field),
        model.system(f.recipient).id,
        path.join(">")
    )
}

/// Entities and systems most tests share: the speaker's app and server, Meta's ad system,
/// and an unrelated advertiser.
pub const WORLD: &str = "
entities:
  meta: {name: Meta}
  app-co: {owned_by: meta}
  fb: {owned_by: meta}
  adnet: {categories: [advertiser]}
systems:
  app: {operated_by: app-co, location: device}
  server: {operated_by: app-co}
  fb-ads: {operated_by: fb}
  ads: {operated_by: adnet}
";
