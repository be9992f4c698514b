//! Budgets scale with the input: a large legitimate model loads (the default serde-saphyr event
//! budget alone would refuse it), while the hostile cases in `bad_input` are still stopped.

#[path = "../../benches/generate.rs"]
mod generate;

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
    let inputs = vec![privflow::loader::InputFile {
        path: "generated.yaml".into(),
        bytes: text.into_bytes(),
    }];
    let workspace = privflow::loader::load_inputs(inputs)
        .unwrap_or_else(|f| panic!("{:#?}", &f.diagnostics[..1]));
    let model = &workspace.models[0];
    assert_eq!(
        (model.systems.len(), model.flows.len(), model.claims.len()),
        (10_000, 100_000, 100)
    );
}
