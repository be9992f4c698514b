//! Claim semantics end to end: every kind in every status, paths, scopes, waivers.

use crate::support::{audit_json, findings_of, statuses};

#[test]
fn every_claim_kind_reaches_its_expected_status() {
    let (code, json) = audit_json(&["fixtures/valid/claim-kinds.yaml"]);
    assert_eq!(code, 1, "violations exit 1");
    for (id, status) in statuses(&json) {
        // The fixture names each claim after the status it must have.
        let expected = id.rsplit('-').next().unwrap();
        let expected = match expected {
            "exempt" => "holds",
            other => other,
        };
        assert_eq!(status, expected, "claim {id}");
    }
    let summary = &json["summary"];
    assert_eq!(summary["claims"], 29);
    assert_eq!(summary["skipped"], 1);
    assert_eq!(summary["waived"], 1);
}

#[test]
fn multi_hop_paths_are_the_shortest_witness_with_flow_ids() {
    let (_, json) = audit_json(&["fixtures/valid/claim-kinds.yaml"]);
    let found = findings_of(&json, "share-violated");
    assert_eq!(
        found.len(),
        2,
        "one finding per recipient system: sister-api and sister-ads"
    );
    let far = found
        .iter()
        .find(|f| f["recipient"]["system"] == "sister-ads")
        .unwrap();
    assert_eq!(
        far["path"],
        serde_json::json!(["app", "relay", "sister-api", "sister-ads"])
    );
    assert_eq!(
        far["flows"],
        serde_json::json!(["route", "to-sister", "sister-to-ads"])
    );
    assert_eq!(far["hops"], 3);
    assert_eq!(far["direct"], false);
    assert_eq!(far["recipient"]["entity"], "sister-sub");
    assert_eq!(far["location"]["line"], 35);
    let near = found
        .iter()
        .find(|f| f["recipient"]["system"] == "sister-api")
        .unwrap();
    assert_eq!(near["direct"], true);
}

#[test]
fn generic_fields_are_possible_and_composites_definite() {
    let (_, json) = audit_json(&["fixtures/valid/claim-kinds.yaml"]);
    let possible = findings_of(&json, "share-possible");
    assert_eq!(possible.len(), 1);
    assert_eq!(possible[0]["certainty"], "possible");
    assert_eq!(possible[0]["field"], "user.contact");
    assert_eq!(possible[0]["claim_field"], "user.contact.email");
    // The address book contains names: collecting it is collecting them.
    let collect = findings_of(&json, "collect-composite-violated");
    assert_eq!(collect.len(), 1);
    assert_eq!(collect[0]["certainty"], "definite");
    assert_eq!(collect[0]["field"], "user.social.address_book");
    assert_eq!(collect[0]["claim_field"], "user.name");
}

#[test]
fn the_speaker_is_excluded_from_its_own_group_scope() {
    let (_, json) = audit_json(&["fixtures/valid/claim-kinds.yaml"]);
    for f in findings_of(&json, "share-violated") {
        assert_ne!(f["recipient"]["entity"], "chat-co");
        assert_eq!(f["notes"], serde_json::json!(["self_excluded"]));
    }
}

#[test]
fn waived_findings_stay_visible_and_expired_waivers_stop_applying() {
    let (_, json) = audit_json(&["fixtures/valid/claim-kinds.yaml"]);
    let waived = findings_of(&json, "logs-waived");
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["waived"], true);
    assert_eq!(waived[0]["waiver"]["owner"], "privacy-team");

    let (code, json) = audit_json(&["fixtures/valid/expired-waiver.yaml"]);
    assert_eq!(code, 1, "the expired waiver no longer hides the violation");
    assert_eq!(
        statuses(&json)[0],
        ("no-ip-to-ads".to_owned(), "violated".to_owned())
    );
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["privflow::waiver::expired", "privflow::waiver::unmatched"]
    );
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert_eq!(json["diagnostics"][1]["severity"], "warning");

    // Before its expiry date the same waiver applies.
    let out = crate::support::privflow(&[
        "audit",
        "fixtures/valid/expired-waiver.yaml",
        "--today",
        "2020-01-31",
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn fail_on_thresholds() {
    for (fail_on, code) in [
        ("violated", 1),
        ("possible", 1),
        ("undetermined", 1),
        ("never", 0),
    ] {
        let out = crate::support::privflow(&[
            "audit",
            "fixtures/valid/claim-kinds.yaml",
            "--fail-on",
            fail_on,
        ]);
        assert_eq!(out.code, code, "--fail-on {fail_on}");
    }
    // A model whose worst status is `possible` passes the default gate and fails a stricter one.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("possible.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {}, b: {}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: b}\nflows:\n  - {from: app, to: x, fields: [user.contact]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.contact.email], with: [b]}\n",
    )
    .unwrap();
    let path = model.to_str().unwrap();
    assert_eq!(crate::support::privflow(&["audit", path]).code, 0);
    assert_eq!(
        crate::support::privflow(&["audit", path, "--fail-on", "possible"]).code,
        1
    );
}

#[test]
fn split_models_merge_and_generated_flow_ids_count_per_pair() {
    let (code, json) = audit_json(&["fixtures/valid/split"]);
    assert_eq!(code, 1);
    let f = findings_of(&json, "no-email-to-partner");
    assert_eq!(
        f[0]["flows"],
        serde_json::json!(["app->api#1", "api->partner-api#1"])
    );
    assert_eq!(
        f[0]["location"]["file"],
        "fixtures/valid/split/flows-and-claims.yml"
    );
    assert_eq!(json["policies"][0]["files"].as_array().unwrap().len(), 3);
}

#[test]
fn the_spec_example_reads_as_the_spec_shows() {
    let (_, json) = audit_json(&["fixtures/valid/spec-example.yaml"]);
    let f = findings_of(&json, "phone-for-service-only");
    assert_eq!(f.len(), 1);
    let f = f[0];
    assert_eq!(f["verdict"], "violated");
    assert_eq!(
        f["recipient"],
        serde_json::json!({"system": "fb-ads", "entity": "meta"})
    );
    assert_eq!(
        f["path"],
        serde_json::json!(["wa-client", "wa-server", "fb-ads"])
    );
    assert_eq!(
        f["flows"],
        serde_json::json!(["upload-contacts", "wa-server->fb-ads#1"])
    );
    assert_eq!(f["purposes"], serde_json::json!(["marketing.advertising"]));
    assert_eq!(
        f["location"],
        serde_json::json!({"file": "fixtures/valid/spec-example.yaml", "line": 42, "column": 5})
    );
    assert_eq!(
        f["id"].as_str().unwrap().len(),
        16,
        "16 hex digits of SHA-256"
    );
}

#[test]
fn fingerprints_survive_reformatting_and_reordering() {
    let original = std::fs::read_to_string("fixtures/valid/spec-example.yaml").unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Blank lines and comments above the flows, and the flows in reverse order.
    let shifted = original.replacen("flows:\n", "# moved\n\n\nflows:\n", 1);
    let path = dir.path().join("shifted.yaml");
    std::fs::write(&path, shifted).unwrap();
    let fingerprints = |p: &str| -> Vec<String> {
        let (_, json) = audit_json(&[p]);
        let mut ids: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        fingerprints("fixtures/valid/spec-example.yaml"),
        fingerprints(path.to_str().unwrap())
    );
}
