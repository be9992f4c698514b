//! Disclosure verdicts end to end: every class, the conflict modes, `disclosure_complete`,
//! over-disclosure and the `--fail-on` ladder.

use crate::support::{audit_json, findings_of, privflow};

/// `entity field verdict [by…]` for every receipt of an audit.
fn receipts(json: &serde_json::Value) -> Vec<String> {
    json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let by: Vec<&str> = d["by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap())
                .collect();
            format!(
                "{} {} {} [{}]",
                d["entity"].as_str().unwrap(),
                d["field"].as_str().unwrap(),
                d["verdict"].as_str().unwrap(),
                by.join(" ")
            )
        })
        .collect()
}

#[test]
fn every_verdict_class_with_its_deciding_statements() {
    let (_, json) = audit_json(&["fixtures/valid/disclosures.yaml"]);
    assert_eq!(
        receipts(&json),
        [
            "analytics user.device.ip_address vague [device-data-to-analytics]",
            // `collect: user.contact` is broader than each contact field: vague.
            "app-co user.contact.email vague [collect-signup]",
            "app-co user.contact.phone_number vague [collect-signup]",
            "app-co user.device.ip_address clear [collect-signup]",
            "broker user.contact.email omitted []",
            "printer user.contact.phone_number incorrect [no-phone-sharing]",
            "sister user.contact.email clear [email-to-group]",
        ]
    );
    let over: Vec<&str> = json["over_disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(over, ["location-to-analytics"]);
    let broker = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["entity"] == "broker")
        .unwrap();
    assert_eq!(
        broker["path"],
        serde_json::json!(["app", "api", "sister-api", "broker-api"])
    );
    assert_eq!(broker["hops"], 3);
    assert_eq!(broker["direct"], false);
}

#[test]
fn strict_conflict_mode_makes_every_overlap_ambiguous() {
    let (_, json) = audit_json(&["fixtures/valid/disclosures.yaml", "--conflict", "strict"]);
    let printer = receipts(&json)
        .into_iter()
        .find(|r| r.starts_with("printer"))
        .unwrap();
    assert_eq!(
        printer,
        "printer user.contact.phone_number ambiguous [contact-to-printers no-phone-sharing]"
    );
}

#[test]
fn disclosure_complete_is_violated_by_omitted_receipts_outside_its_exclusions() {
    let (_, json) = audit_json(&["fixtures/valid/disclosures.yaml"]);
    let found = findings_of(&json, "all-disclosed");
    let described: Vec<(String, String)> = found
        .iter()
        .map(|f| {
            (
                f["recipient"]["entity"].as_str().unwrap().to_owned(),
                f["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The broker's email is omitted; the analytics receipt is only vague; the sister is excluded
    // with the whole holding group.
    assert_eq!(
        described,
        [
            ("broker".to_owned(), "violated".to_owned()),
            ("analytics".to_owned(), "possible".to_owned())
        ]
    );
}

#[test]
fn fail_on_ladder_reaches_receipt_verdicts() {
    // The claims alone: `no-phone-sharing` is violated, so even the default fails.
    let path = "fixtures/valid/disclosures.yaml";
    assert_eq!(privflow(&["audit", path]).code, 1);
    // A model with only a vague receipt passes every threshold above `vague`.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("vague.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {}, b: {categories: [partner]}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: b}\nflows:\n  - {from: app, to: x, fields: [user.contact.email]}\ndisclosures:\n  - {id: d, share: {fields: [user.contact], with: [category:partner]}}\n",
    )
    .unwrap();
    let model = model.to_str().unwrap();
    for (threshold, code) in [
        ("violated", 0),
        ("incorrect", 0),
        ("omitted", 0),
        ("possible", 0),
        ("ambiguous", 0),
        ("vague", 1),
        ("undetermined", 1),
        ("never", 0),
    ] {
        assert_eq!(
            privflow(&["audit", model, "--fail-on", threshold]).code,
            code,
            "--fail-on {threshold}"
        );
    }
}

#[test]
fn the_bundled_policies_show_clear_vague_and_omitted_receipts() {
    let (_, json) = audit_json(&["policies/whatsapp-2021.yaml"]);
    let all = receipts(&json);
    assert!(
        all.contains(
            &"facebook-inc user.contact.phone_number clear [share-phone-ip-with-facebook]"
                .to_owned()
        ),
        "{all:#?}"
    );
    assert!(all.contains(
        &"facebook-inc user.device.ip_address clear [share-phone-ip-with-facebook]".to_owned()
    ));
    assert!(
        all.contains(
            &"facebook-inc user.content.private.message.business clear [hosted-business-chats]"
                .to_owned()
        )
    );
    assert!(all.contains(
        &"businesses user.content.private.message.business vague [business-copies]".to_owned()
    ));
    assert!(all.contains(&"facebook-inc user.financial.transaction omitted []".to_owned()));
}
