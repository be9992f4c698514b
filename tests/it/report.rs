//! `privflow report`: the review document of a bundled policy, as Markdown and JSON.

use crate::support::privflow;

#[test]
fn markdown_report_of_the_whatsapp_update() {
    let out = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("```mermaid\nflowchart LR\n"));
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn json_report_has_the_record_of_processing_and_the_reach_matrix() {
    let out = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let facebook = json[0]["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["recipient"] == "facebook-inc")
        .unwrap();
    assert_eq!(facebook["role"], "receives");
    assert_eq!(facebook["country"], "US");
    assert!(
        facebook["fields"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("user.device.ip_address"))
    );
    assert!(
        facebook["disclosed_by"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("share-phone-ip-with-facebook"))
    );
    let businesses = json[0]["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["recipient"] == "businesses")
        .unwrap();
    assert_eq!(
        businesses["retention"],
        "indefinite (some flows unspecified)"
    );
    assert_eq!(
        json[0]["reach"]["user.financial.transaction"],
        serde_json::json!(["facebook-inc"])
    );
    // Same input, same bytes.
    let again = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn a_report_with_a_base_version_shows_the_changes_since() {
    let md = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--baseline",
        "policies/whatsapp-2020.yaml",
    ]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        md.stdout
            .contains("## Sharing changes in whatsapp-2021 (2021-01-04)")
    );
    assert!(
        md.stdout
            .contains("breaks no-expanded-sharing-with-facebook"),
        "{}",
        md.stdout
    );
    // One semantics: the promise the changes break is violated in the report's own list too.
    assert!(
        md.stdout
            .contains("### `no-expanded-sharing-with-facebook` (no_expansion) — violated"),
        "{}",
        md.stdout
    );
    let html = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--format",
        "html",
        "--baseline",
        "policies/whatsapp-2020.yaml",
    ]);
    assert!(
        html.stdout
            .contains("<h2>Changes since whatsapp-2020</h2><p>5 errors, 4 warnings, 6 info.</p>"),
        "{}",
        html.stdout
    );
    assert!(
        !html.stdout.contains("Generated at"),
        "no timestamp unless asked"
    );
    assert!(
        !html.stdout.contains("Skipped: this promise"),
        "with a baseline no_expansion is checked"
    );
    let stamped = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "--format",
        "html",
        "--timestamp",
    ]);
    assert!(stamped.stdout.contains("Generated at "));
    // Without a baseline the skipped no_expansion says how to check it; cards are worst first.
    assert!(
        stamped.stdout.contains("<p class=\"hint\">Skipped: this promise compares two versions of the policy. Pass the earlier version with <code>--baseline BASE</code>"),
        "{}",
        stamped.stdout
    );
    let cards: Vec<&str> = stamped
        .stdout
        .split("<div class=\"card\"><span class=\"")
        .skip(1)
        .map(|c| c.split('"').next().unwrap())
        .collect();
    assert_eq!(
        cards,
        [
            "violated",
            "undetermined",
            "holds",
            "skipped",
            "omitted",
            "vague",
            "clear"
        ]
    );
}

/// A page of several diagrams defines each id once, and every arrow points at an arrowhead of
/// its own diagram in its own colour.
#[test]
fn every_id_of_an_html_report_is_defined_once() {
    let out = privflow(&[
        "report",
        "policies/",
        "--format",
        "html",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<&str> = out
        .stdout
        .split(" id=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert!(unique.contains("arrow-whatsapp-2021-breaks"), "{unique:?}");
    for used in out.stdout.split("marker-end=\"url(#").skip(1) {
        let id = used.split(')').next().unwrap();
        assert!(unique.contains(id), "arrowhead {id} is not defined");
    }
    let red = out
        .stdout
        .split("<g class=\"edge")
        .skip(1)
        .filter(|e| e.split('"').next().unwrap().contains("breaks"))
        .count();
    assert!(red > 0);
    assert_eq!(out.stdout.matches("-breaks)\"").count(), red);
}
