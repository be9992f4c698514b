//! Issue 13's shapes that once grew worse than linear, at a size where the old growth showed:
//! each test asserts what the run says; the benchmark (`cargo bench --bench scale -- cases`)
//! prints their time and memory at full size.

use std::fmt::Write as _;

use crate::support::privflow;

const HEAD: &str = "privflow: 1\npolicy: {id: p, speaker: e0}\n";
const TAIL: &str =
    "entities:\n  e0: {}\n  e1: {}\nsystems:\n  s0: {operated_by: e0}\n  s1: {operated_by: e1}\n";

fn check(text: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, text).unwrap();
    let out = privflow(&["audit", path.to_str().unwrap(), "--format", "json"]);
    (out.code, out.stdout, out.stderr)
}

#[test]
fn a_deep_parent_chain_loads_and_reaches_its_root() {
    // 20 000 keys, each the child of the one before: 2·10⁸ stored ancestors once.
    let mut text = format!("{HEAD}taxonomy:\n  fields:\n    user.c0: {{}}\n");
    for i in 1..20_000 {
        let _ = writeln!(text, "    user.c{i}: {{parents: [user.c{}]}}", i - 1);
    }
    text.push_str(TAIL);
    text.push_str("flows:\n  - {from: s0, to: s1, fields: [user.c19999]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.c0], with: [e1]}\n");
    let (code, stdout, stderr) = check(&text);
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["claims"][0]["status"], "violated",
        "the deepest key is within the root"
    );
    assert_eq!(json["findings"][0]["field"], "user.c19999");
}

#[test]
fn a_wide_taxonomy_listed_on_one_flow_loads() {
    let mut text = format!("{HEAD}taxonomy:\n  fields:\n    user.w: {{}}\n");
    for i in 0..20_000 {
        let _ = writeln!(text, "    user.w.k{i}: {{}}");
    }
    text.push_str(TAIL);
    let keys: Vec<String> = (0..20_000).map(|i| format!("user.w.k{i}")).collect();
    let _ = writeln!(
        text,
        "flows:\n  - {{from: s0, to: s1, fields: [{}]}}",
        keys.join(", ")
    );
    let (code, stdout, stderr) = check(&text);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["policies"][0]["id"], "p");
}

#[test]
fn a_long_cycle_is_named_by_its_first_keys_and_its_length() {
    let mut text = format!("{HEAD}taxonomy:\n  fields:\n");
    for i in 0..20_000 {
        let _ = writeln!(
            text,
            "    user.c{i}: {{parents: [user.c{}]}}",
            (i + 1) % 20_000
        );
    }
    text.push_str(TAIL);
    let (code, stdout, _) = check(&text);
    assert_eq!(code, 2);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "privflow::model::taxonomy-cycle");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.ends_with("user.c5 → … → user.c0 (20000 keys in all)"),
        "{message}"
    );
    assert!(message.len() < 200, "{message}");
}

#[test]
fn one_unknown_parent_named_by_every_key_is_looked_up_once() {
    // 20 000 definitions under an undefined `user.w`: a did-you-mean against 20 000 keys each.
    let mut text = format!("{HEAD}taxonomy:\n  fields:\n");
    for i in 0..20_000 {
        let _ = writeln!(text, "    user.w.k{i}: {{}}");
    }
    text.push_str(TAIL);
    let (code, stdout, _) = check(&text);
    assert_eq!(code, 2);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let all = json["diagnostics"].as_array().unwrap();
    assert_eq!(all.len(), 20_000);
    assert_eq!(all[19_999]["code"], "privflow::model::unknown-taxon");
    assert_eq!(all[19_999]["line"], 20_004);
    assert_eq!(all[19_999]["help"], "did you mean `user.w.k0`?");
}
