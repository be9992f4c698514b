//! `privflow explain` on the bundled policies: snapshot of each kind of subject, JSON shape,
//! and an unknown id.

use crate::support::privflow;

fn explained(args: &[&str]) -> String {
    let mut all = vec!["explain", "--today", "2026-11-22"];
    all.extend_from_slice(args);
    let out = privflow(&all);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn a_violated_claim_shows_every_path_hop_by_hop() {
    insta::assert_snapshot!(explained(&[
        "policies/whatsapp-2021.yaml",
        "business-chats-encrypted"
    ]));
}

#[test]
fn a_disclosure_shows_the_receipts_it_decides() {
    insta::assert_snapshot!(explained(&[
        "policies/whatsapp-2021.yaml",
        "share-phone-ip-with-facebook"
    ]));
}

#[test]
fn a_system_shows_its_flows_receipts_and_broken_promises() {
    insta::assert_snapshot!(explained(&[
        "policies/messenger-interop-2019.yaml",
        "ad-platform"
    ]));
}

#[test]
fn a_field_shows_where_it_goes_and_what_is_promised() {
    insta::assert_snapshot!(explained(&[
        "policies/wechat-2019.yaml",
        "user.content.private.message"
    ]));
}

#[test]
fn an_id_in_several_policies_is_explained_in_each() {
    let out = explained(&["policies/", "no-contacts-to-facebook"]);
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        heads,
        [
            "[whatsapp-2020] claim no-contacts-to-facebook (no_share): holds",
            "[whatsapp-2021] claim no-contacts-to-facebook (no_share): holds"
        ]
    );
}

#[test]
fn json_carries_the_same_tree() {
    let out = explained(&[
        "policies/whatsapp-2021.yaml",
        "business-chats-encrypted",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["subject"], "claim");
    assert_eq!(json[0]["policy"], "whatsapp-2021");
    assert_eq!(
        json[0]["tree"]["label"],
        "claim business-chats-encrypted (e2ee): violated"
    );
}

#[test]
fn an_unknown_id_exits_2_with_a_suggestion() {
    let out = privflow(&["explain", "policies/whatsapp-2021.yaml", "fb-companys"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `fb-companies`?"),
        "{}",
        out.stderr
    );
}

/// Every claim of the bundled policies, the semantics fixtures and a generated model of 2 000
/// systems: `explain` gives the audit's status and paths (SPEC §5: explain never contradicts it).
#[test]
fn explain_agrees_with_audit_on_every_claim() {
    let options = privflow::AuditOptions {
        today: privflow::model::duration::Date::parse("2026-11-22").unwrap(),
        conflict: privflow::engine::disclosures::verdict::ConflictMode::Specific,
        strict: false,
        listing: privflow::Listing::default(),
    };
    // The bundled policies, and every valid fixture as a policy of its own (the `split` one
    // is one policy across files).
    let mut paths: Vec<std::path::PathBuf> = vec!["policies".into(), "fixtures/valid/split".into()];
    let mut pending = vec![std::path::PathBuf::from("fixtures/valid")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("split") {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    for path in &paths {
        let workspace = privflow::load(std::slice::from_ref(path))
            .unwrap_or_else(|f| panic!("{path:?}: {f:?}"));
        let run = privflow::audit_workspace(&workspace, options);
        crate::support::explain_agrees_with_audit(&run).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    }
    let text = crate::generate::model(&crate::generate::Size {
        systems: 2_000,
        flows: 20_000,
        keys: 100,
        claims: 100,
    });
    let workspace =
        privflow::model::loader::load_inputs(vec![privflow::model::loader::InputFile {
            path: "generated.yaml".into(),
            bytes: text.into_bytes(),
        }])
        .unwrap();
    let run = privflow::audit_workspace(&workspace, options);
    assert!(
        run.audits[0].findings.len() > 100,
        "the generated model breaks promises"
    );
    crate::support::explain_agrees_with_audit(&run).unwrap();
}
