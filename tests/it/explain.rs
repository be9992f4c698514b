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
