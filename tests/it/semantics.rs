//! SPEC version 2 semantics on the fixtures under `fixtures/valid/v2/`: ciphertext, devices,
//! exemptions, findings with every field, disclosure purposes, lints, and the defects they fixed.

use crate::support::{audit_json, findings_of, privflow, statuses};

const TODAY: &str = "2026-11-22";

fn fixture(name: &str) -> String {
    format!("fixtures/valid/v2/{name}")
}

fn status_of(json: &serde_json::Value, claim: &str) -> String {
    statuses(json)
        .into_iter()
        .find(|(id, _)| id == claim)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no claim {claim}"))
}

/// `entity field verdict [by…]` of every receipt.
fn receipts(json: &serde_json::Value) -> Vec<String> {
    json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let by: Vec<&str> = r["by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap())
                .collect();
            format!(
                "{} {} {} [{}]",
                r["entity"].as_str().unwrap(),
                r["field"].as_str().unwrap(),
                r["verdict"].as_str().unwrap(),
                by.join(" ")
            )
        })
        .collect()
}

fn path(finding: &serde_json::Value) -> String {
    let systems: Vec<&str> = finding["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    systems.join(">")
}

#[test]
fn ciphertext_relayed_over_tls_stays_ciphertext() {
    // Point 1: app →(e2ee)→ relay →(tls)→ partner. Nobody but the app reads the chat, so the
    // partner receives nothing it can read, while the queue still keeps the ciphertext.
    let (_, json) = audit_json(&[&fixture("ciphertext-relay.yaml")]);
    for claim in ["chats-e2ee", "relay-cannot-read", "no-chats-to-partner"] {
        assert_eq!(status_of(&json, claim), "holds", "{claim}");
    }
    assert!(
        receipts(&json).iter().all(|r| !r.starts_with("partner ")),
        "{:?}",
        receipts(&json)
    );
    let logs = findings_of(&json, "no-message-logs");
    let queue = logs
        .iter()
        .find(|f| f["recipient"]["system"] == "queue")
        .expect("the queue keeps the ciphertext");
    assert_eq!(queue["verdict"], "violated");
    assert_eq!(path(queue), "app>relay>queue");
}

#[test]
fn the_graph_of_a_field_draws_relayed_ciphertext_dashed() {
    let out = privflow(&[
        "graph",
        &fixture("ciphertext-relay.yaml"),
        "--field",
        "user.content.private.message",
        "--format",
        "json",
        "--today",
        TODAY,
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mirror = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "mirror")
        .unwrap();
    assert_eq!(mirror["protection"], "tls");
    assert_eq!(mirror["ciphertext"], true, "the relay forwards ciphertext");
}

#[test]
fn the_bundled_interop_plan_shows_no_plaintext_at_the_relay_or_on_phones() {
    let (_, json) = audit_json(&["policies/messenger-interop-2019.yaml"]);
    let systems: Vec<&str> = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["system"].as_str().unwrap())
        .collect();
    assert!(!systems.contains(&"whatsapp-app"), "{systems:?}");
    assert_eq!(
        status_of(&json, "facebook-cannot-read-cross-app-messages"),
        "holds"
    );
}

#[test]
fn a_phone_is_its_users_and_a_shop_phone_is_the_shops() {
    // Point 2: what reaches a contact's phone is not received by the maker of its app — only
    // what the app then sends to its maker's cloud; a device `held_by` a shop counts as the
    // shop's, though the speaker makes its software.
    let (_, json) = audit_json(&[&fixture("devices.yaml")]);
    let maker: Vec<String> = findings_of(&json, "no-chats-to-app-makers")
        .iter()
        .map(|f| path(f))
        .collect();
    assert_eq!(maker, ["app>server>contact-phone>maker-cloud"]);
    let systems: Vec<String> = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} at {}", r["entity"], r["system"]))
        .collect();
    assert_eq!(
        systems,
        [
            "\"app-maker\" at \"maker-cloud\"",
            "\"shop\" at \"shop-phone\""
        ]
    );
    let shop: Vec<String> = findings_of(&json, "no-chats-to-shops")
        .iter()
        .map(|f| format!("{} {}", f["recipient"]["system"], path(f)))
        .collect();
    assert_eq!(
        shop,
        [
            "\"shop-crm\" app>server>shop-phone>shop-crm",
            "\"shop-phone\" app>server>shop-phone"
        ]
    );
}

#[test]
fn held_by_is_for_devices_only() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities:\n  a: {}\n  b: {}\nsystems:\n  s: {operated_by: a, held_by: b}\n  t: {operated_by: a, location: device, held_by: nobody}\n",
    )
    .unwrap();
    let out = privflow(&["check", model.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("privflow::model::held-by-not-device"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("m.yaml:7:32"), "{}", out.stderr);
    assert!(
        out.stderr.contains("privflow::model::unknown-entity"),
        "{}",
        out.stderr
    );
}

#[test]
fn exemptions_reach_the_receipts_the_claim_judges_and_explain() {
    // Point 3: the exempted processor and legal request make no receipt `incorrect` by the
    // claim; they are plainly undisclosed. `--fail-on incorrect` passes, explain agrees.
    let (_, json) = audit_json(&[&fixture("exemptions.yaml")]);
    assert_eq!(status_of(&json, "no-sale"), "holds");
    assert_eq!(
        receipts(&json),
        [
            "adco user.health_and_medical clear [ad-partners]",
            "cloud user.health_and_medical omitted []",
            "police user.health_and_medical omitted []",
            "tracker user.health_and_medical omitted []"
        ]
    );
    let gate = |level: &str| {
        privflow(&[
            "audit",
            &fixture("exemptions.yaml"),
            "--fail-on",
            level,
            "--today",
            TODAY,
        ])
        .code
    };
    assert_eq!(gate("incorrect"), 0);
    assert_eq!(gate("omitted"), 1);
    let explain = privflow(&[
        "explain",
        &fixture("exemptions.yaml"),
        "no-sale",
        "--today",
        TODAY,
    ]);
    assert!(
        explain.stdout.contains("no flow breaks it"),
        "{}",
        explain.stdout
    );
    assert!(
        !explain.stdout.contains("incorrect"),
        "explain says the same as audit:\n{}",
        explain.stdout
    );
}

#[test]
fn reach_continues_past_an_exempted_processor() {
    let (_, json) = audit_json(&[&fixture("exemptions-reach.yaml")]);
    let found = findings_of(&json, "no-health-to-advertisers");
    let found: Vec<String> = found
        .iter()
        .map(|f| format!("{} {}", f["recipient"]["system"], path(f)))
        .collect();
    assert_eq!(found, ["\"ads\" app>backend>cloud-db>ads"]);
    assert!(
        receipts(&json).contains(&"cloud user.health_and_medical omitted []".to_owned()),
        "the processor's own receipt is not judged by the claim that exempts it"
    );
}

#[test]
fn a_finding_names_every_field_worst_first() {
    // Point 4: one finding at the SDK endpoint, health data (sensitive) first, then by key.
    let (_, json) = audit_json(&[&fixture("fields.yaml")]);
    let found = findings_of(&json, "no-advertising-use");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["field"], "user.health_and_medical");
    assert_eq!(
        found[0]["fields"],
        serde_json::json!([
            "user.health_and_medical",
            "user.behavior.purchase_history",
            "user.contact.email",
            "user.device.ip_address",
            "user.unique_id.pseudonymous"
        ])
    );
    let table = privflow(&["audit", &fixture("fields.yaml"), "--today", TODAY]);
    assert!(
        table
            .stdout
            .contains("with   user.behavior.purchase_history, user.contact.email"),
        "{}",
        table.stdout
    );
    let sarif = privflow(&[
        "audit",
        &fixture("fields.yaml"),
        "--format",
        "sarif",
        "--today",
        TODAY,
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["fields"], found[0]["fields"]);
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("with it user.behavior.purchase_history"),
        "{result}"
    );
}

#[test]
fn a_key_with_two_parents_yields_one_finding() {
    // Point 5.
    let (_, json) = audit_json(&[&fixture("two-parents.yaml")]);
    let found = findings_of(&json, "no-health-or-behaviour-to-ads");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["claim_field"], "user.health_and_medical");
}

#[test]
fn a_disclosure_for_another_purpose_leaves_the_receipt_omitted() {
    // Point 6.
    let (_, json) = audit_json(&[&fixture("disclosure-purposes.yaml")]);
    assert_eq!(
        receipts(&json),
        [
            "crashco user.device.device_id clear [crash-reports]",
            "mapco user.location.imprecise clear [maps]",
            "meta user.unique_id.pseudonymous omitted [ad-reporting]",
            "weatherco user.location.imprecise clear [forecasts]"
        ]
    );
    let meta = &json["disclosures"][2];
    assert_eq!(
        meta["note"],
        "disclosed for analytics.reporting.ad_performance, used for marketing.advertising.third_party.targeted"
    );
    assert_eq!(
        meta["purposes"],
        serde_json::json!(["marketing.advertising.third_party.targeted"])
    );
}

#[test]
fn anonymized_data_with_identifiers_is_personal_and_linted() {
    // Point 7 and the lints of SPEC §8.
    let out = privflow(&["audit", &fixture("anonymized.yaml"), "--today", TODAY]);
    assert_eq!(out.code, 1, "violations still fail the audit");
    assert!(
        out.stderr
            .contains("privflow::lint::identifying-derived-data"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("anonymized.yaml:14:49"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("privflow::lint::self-flow"),
        "{}",
        out.stderr
    );
    let (_, json) = audit_json(&[&fixture("anonymized.yaml")]);
    let found = findings_of(&json, "no-health-to-advertisers");
    let flows: Vec<&serde_json::Value> = found.iter().map(|f| &f["flows"]).collect();
    assert_eq!(
        flows,
        [&serde_json::json!(["insights"])],
        "the aggregated counts stay out"
    );
    let check = privflow(&["check", &fixture("anonymized.yaml")]);
    assert_eq!(check.code, 0, "lints are warnings");
}

#[test]
fn a_new_reach_that_is_only_possible_breaks_no_expansion_possibly() {
    // Point 8: no_expansion and a possible reach, in audit and in diff alike.
    let (code, json) = audit_json(&[
        &fixture("no-expansion/revision.yaml"),
        "--baseline",
        &fixture("no-expansion/base.yaml"),
    ]);
    assert_eq!(status_of(&json, "no-new-phone-sharing"), "possible");
    assert_eq!(code, 0, "possible does not fail the default gate");
    let found = findings_of(&json, "no-new-phone-sharing");
    assert_eq!(found[0]["field"], "user.contact.phone_number");
    assert_eq!(found[0]["certainty"], "possible");
    let diff = privflow(&[
        "diff",
        &fixture("no-expansion/base.yaml"),
        &fixture("no-expansion/revision.yaml"),
        "--format",
        "json",
    ]);
    let diff: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    let broken: Vec<&serde_json::Value> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "no-expansion-broken")
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0]["level"], "warning");
    assert_eq!(broken[0]["field"], "user.contact.phone_number");
}

#[test]
fn a_third_partys_flow_into_the_speakers_store_is_kept() {
    // Point 8: data from anyone, for every claim about what the speaker keeps.
    let (_, json) = audit_json(&[&fixture("third-party-store.yaml")]);
    for claim in [
        "no-location-collected",
        "location-kept-30-days",
        "no-location-logs",
    ] {
        assert_eq!(status_of(&json, claim), "violated", "{claim}");
        assert_eq!(
            path(findings_of(&json, claim)[0]),
            "partner-feed>warehouse",
            "{claim}"
        );
    }
}

#[test]
fn swapping_two_id_less_flows_of_a_pair_is_no_change() {
    // Point 8: id-less flows are matched by content (SPEC §7).
    let out = privflow(&[
        "diff",
        &fixture("flow-order/base.yaml"),
        &fixture("flow-order/revision.yaml"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["changes"], serde_json::json!([]), "{}", out.stdout);
}

#[test]
fn a_category_is_not_widened_to_the_group_unless_the_claim_says_so() {
    // Point 8: a holding company that owns an advertiser is not an advertiser (SPEC §4.3).
    let (_, json) = audit_json(&[&fixture("category-scope.yaml")]);
    assert_eq!(status_of(&json, "no-email-to-advertisers"), "holds");
    assert_eq!(
        status_of(&json, "no-email-to-advertiser-groups"),
        "violated"
    );
}

#[test]
fn finding_ids_are_sixteen_hex_digits_of_sha256_and_never_collide() {
    // Point 8: two distinct findings once had ids one hex digit apart.
    let (_, json) = audit_json(&["policies/", "fixtures/valid/v2/fields.yaml"]);
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 5);
    for id in &ids {
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    let distinct: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    // The id is a function of (policy, check, claim field, recipient): the same in any run.
    let (_, again) = audit_json(&["policies/", "fixtures/valid/v2/fields.yaml"]);
    assert_eq!(json["findings"], again["findings"]);
}

#[test]
fn the_bundled_audits_still_tell_the_seed_story() {
    let (_, json) = audit_json(&["policies/whatsapp-2021.yaml"]);
    let hosted = findings_of(&json, "business-chats-encrypted");
    assert!(
        hosted
            .iter()
            .any(|f| f["recipient"]["system"] == "fb-biz-hosting"),
        "business chats hosted by Facebook are not end-to-end encrypted"
    );
    let to_facebook: Vec<String> = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["entity"] == "facebook-inc")
        .map(|r| r["field"].as_str().unwrap().to_owned())
        .collect();
    for field in ["user.contact.phone_number", "user.device.ip_address"] {
        assert!(to_facebook.contains(&field.to_owned()), "{to_facebook:?}");
    }
    // No receipt is attributed to the maker of an app on someone's phone.
    let (_, all) = audit_json(&["policies/"]);
    for r in all["disclosures"].as_array().unwrap() {
        let system = r["system"].as_str().unwrap();
        assert!(
            ![
                "wa-app",
                "contact-app",
                "whatsapp-app",
                "messenger-app",
                "instagram-app",
                "wechat-app"
            ]
            .contains(&system),
            "{r}"
        );
    }
}

#[test]
fn a_diff_follows_the_same_plaintext_reach() {
    // SPEC §4.2: every output follows the one reach. Adding the relay's onward flow adds a flow,
    // not a reach: the partner receives only ciphertext.
    let text = std::fs::read_to_string(fixture("ciphertext-relay.yaml")).unwrap();
    let base: String = text
        .lines()
        .filter(|l| !l.contains("id: mirror"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let base_path = dir.path().join("base.yaml");
    std::fs::write(&base_path, base).unwrap();
    let out = privflow(&[
        "diff",
        base_path.to_str().unwrap(),
        &fixture("ciphertext-relay.yaml"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let checks: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["flow-added"], "{}", out.stdout);
}

#[test]
fn a_tie_names_the_system_whose_id_sorts_first() {
    let (_, json) = audit_json(&[&fixture("ties.yaml")]);
    let systems: Vec<String> = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["kind"], r["system"]))
        .collect();
    assert_eq!(
        systems,
        ["\"collect\" \"alpha-ingest\"", "\"share\" \"partner-a\""]
    );
}

/// Writes `yaml` after a header naming speaker `app-co`, and audits it.
fn audit_model(yaml: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.yaml");
    std::fs::write(
        &path,
        format!("privflow: 1\npolicy: {{id: inline, speaker: app-co}}\n{yaml}"),
    )
    .unwrap();
    audit_json(&[path.to_str().unwrap()]).1
}

#[test]
fn selectors_other_than_with_take_a_stated_scope_else_exact() {
    // SPEC §5: `operators`, `at` and `exclude` take the claim's scope when it states one.
    let model = |scope: &str| {
        audit_model(&format!(
            "entities:\n  app-co: {{}}\n  meta: {{}}\n  fb: {{owned_by: meta}}\nsystems:\n  app: {{operated_by: app-co, location: device}}\n  fb-store: {{operated_by: fb}}\nflows:\n  - {{from: app, to: fb-store, fields: [user.content.private.message]}}\nclaims:\n  - {{id: c, kind: operator_cannot_read, fields: [user.content.private.message], operators: [meta]{scope}}}\n"
        ))
    };
    assert_eq!(
        status_of(&model(""), "c"),
        "holds",
        "exact: meta itself runs nothing"
    );
    assert_eq!(status_of(&model(", scope: group"), "c"), "violated");
}

#[test]
fn a_path_is_definite_only_if_every_hop_is() {
    // SPEC §4.2: a broader key on any hop makes the whole path possible.
    let json = audit_model(
        "entities:\n  app-co: {}\n  adnet: {}\nsystems:\n  app: {operated_by: app-co, location: device}\n  server: {operated_by: app-co}\n  ads: {operated_by: adnet}\nflows:\n  - {from: app, to: server, fields: [user.contact.phone_number]}\n  - {from: server, to: ads, fields: [user.contact]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.contact.phone_number], with: [adnet]}\n",
    );
    let found = findings_of(&json, "c");
    assert_eq!(found[0]["certainty"], "possible");
    assert_eq!(found[0]["verdict"], "possible");
    assert_eq!(path(found[0]), "app>server>ads");
}

#[test]
fn a_system_fed_plaintext_and_ciphertext_holds_plaintext_by_the_plaintext_route() {
    // SPEC §4.2: the witness path of a system fed both is a plaintext route.
    let json = audit_model(
        "entities:\n  app-co: {}\n  adnet: {}\nsystems:\n  app: {operated_by: app-co, location: device}\n  relay: {operated_by: app-co}\n  server: {operated_by: app-co}\n  ads: {operated_by: adnet}\nflows:\n  - {id: sealed, from: app, to: relay, fields: [user.content.private.message], protection: e2ee}\n  - {id: upload, from: app, to: server, fields: [user.content.private.message]}\n  - {id: sync, from: server, to: relay, fields: [user.content.private.message]}\n  - {id: onward, from: relay, to: ads, fields: [user.content.private.message]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.content.private.message], with: [adnet]}\n",
    );
    let found = findings_of(&json, "c");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0]["flows"],
        serde_json::json!(["upload", "sync", "onward"]),
        "not the shorter ciphertext route through `sealed`"
    );
}
