//! Budgets scale with the input: a large legitimate model loads (the default serde-saphyr event
//! budget alone would refuse it), while the hostile cases in `bad_input` are still stopped.

use crate::generate;

#[test]
fn a_100_000_flow_model_loads() {
    let text = generate::model(&generate::Size {
        systems: 10_000,
        flows: 100_000,
        keys: 200,
        claims: 100,
    });
    assert!(
        text.len() > 8_000_000,
        "the model is realistic in size: {} bytes",
        text.len()
    );
    let inputs = vec![privflow::model::loader::InputFile {
        path: "generated.yaml".into(),
        bytes: text.into_bytes(),
    }];
    let workspace = privflow::model::loader::load_inputs(inputs)
        .unwrap_or_else(|f| panic!("{:#?}", &f.diagnostics[..1]));
    let model = &workspace.models[0];
    assert_eq!(
        (model.systems.len(), model.flows.len(), model.claims.len()),
        (10_000, 100_000, 100)
    );
}

#[test]
fn a_generated_revision_diffs_with_new_reach() {
    let size = generate::Size {
        systems: 2_000,
        flows: 1_000,
        keys: 200,
        claims: 30,
    };
    let base_text = generate::model(&size);
    let revised = generate::revision(&base_text, &size, 200);
    let load = |path: &str, text: String| {
        privflow::model::loader::load_inputs(vec![privflow::model::loader::InputFile {
            path: path.into(),
            bytes: text.into_bytes(),
        }])
        .unwrap_or_else(|f| panic!("{:#?}", &f.diagnostics[..1]))
    };
    let (base, revision) = (load("base.yaml", base_text), load("revision.yaml", revised));
    let options = privflow::AuditOptions {
        today: privflow::model::duration::Date::parse("2026-01-01").unwrap(),
        conflict: privflow::engine::disclosures::verdict::ConflictMode::Specific,
        strict: false,
        listing: privflow::Listing::ALL,
    };
    let (b, r) = (
        privflow::audit_workspace(&base, options),
        privflow::audit_workspace(&revision, options),
    );
    let changes = privflow::diff::diff(
        privflow::diff::Side {
            audit: &b.audits[0],
            sources: &base.sources,
        },
        privflow::diff::Side {
            audit: &r.audits[0],
            sources: &revision.sources,
        },
        &privflow::diff::Levels::default(),
    );
    let added = changes
        .iter()
        .filter(|c| c.check == privflow::diff::Check::FlowAdded)
        .count();
    assert_eq!(added, 200, "every new flow is reported");
    let kinds: std::collections::BTreeSet<&str> = changes.iter().map(|c| c.check.id()).collect();
    assert!(kinds.contains("reach-expanded"), "{kinds:?}");
    assert!(
        !changes
            .iter()
            .any(|c| c.check == privflow::diff::Check::FlowRemoved)
    );
}
