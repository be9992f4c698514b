//! `privflow graph`: DOT and Mermaid of the bundled policies, focus on a field or a claim, and
//! names that could break the markup.

use crate::support::privflow;

#[test]
fn dot_and_mermaid_of_the_whatsapp_update() {
    let dot = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    insta::assert_snapshot!("graph_whatsapp_2021_dot", dot.stdout);
    let mermaid = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!("graph_whatsapp_2021_mermaid", mermaid.stdout);
    assert!(mermaid.stdout.starts_with("flowchart LR\n"));
    // One node per system, in a box per company group.
    assert_eq!(
        mermaid
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with('s') && l.contains("<br/>"))
            .count(),
        9
    );
}

#[test]
fn focus_on_a_field_or_a_claim() {
    let out = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--field",
        "user.device.ip_address",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let edges: Vec<&str> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        edges,
        ["connect-and-route", "share-with-facebook-companies"]
    );
    let out = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--claim",
        "business-chats-encrypted",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let edges: Vec<(&str, bool)> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["breaks_a_promise"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            ("business-chat", true),
            ("business-decrypted-copies", true),
            ("business-hosting", false)
        ]
    );
    assert_eq!(
        privflow(&[
            "graph",
            "policies/whatsapp-2021.yaml",
            "--field",
            "user.contact.phone_numbr"
        ])
        .code,
        2
    );
    assert_eq!(
        privflow(&["graph", "policies/whatsapp-2021.yaml", "--claim", "nope"]).code,
        2
    );
}

#[test]
fn names_cannot_break_the_markup() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {name: \"A \\\"quoted\\\" <b>Co</b>\"}, b: {name: Bé & Co}}\nsystems:\n  app: {operated_by: a, name: \"<script>x</script>\", location: device}\n  x: {operated_by: b, name: \"say \\\"hi\\\"\"}\nflows:\n  - {from: app, to: x, fields: [user.name]}\n",
    )
    .unwrap();
    let path = model.to_str().unwrap();
    let mermaid = privflow(&["graph", path, "--format", "mermaid"]).stdout;
    assert!(
        !mermaid.contains("<script>") && mermaid.contains("#lt;script#gt;"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("say #quot;hi#quot;") && mermaid.contains("Bé & Co"),
        "{mermaid}"
    );
    let dot = privflow(&["graph", path]).stdout;
    assert!(dot.contains("label=\"say \\\"hi\\\"\\n(x)\""), "{dot}");
}
