//! `privflow diff`: no changes for cosmetic edits, every check on a real edit, git revisions,
//! re-levelling, and the symmetry of reach changes.

use crate::support::{git, privflow, privflow_in};

const BASE: &str = "privflow: 1
policy: {id: app, version: \"1\", speaker: app-co}
entities:
  holding: {name: Holding}
  app-co: {name: App Co, owned_by: holding}
  partner: {name: Partner}
  broker: {name: Broker}
systems:
  app: {operated_by: app-co, location: device}
  api: {operated_by: app-co}
  partner-api: {operated_by: partner}
  broker-api: {operated_by: broker}
flows:
  - {id: signup, from: app, to: api, fields: [user.contact.email, user.content.private.message], protection: e2ee}
  - {id: login, from: app, to: api, fields: [user.contact.email]}
  - {id: to-partner, from: api, to: partner-api, fields: [user.contact.email], purposes: [essential.service]}
claims:
  - {id: no-email-to-broker, kind: no_share, fields: [user.contact.email], with: [broker]}
  - {id: no-new-sharing, kind: no_expansion, with: ['*']}
";

/// Writes `files` into a fresh directory and diffs `base` against `revision` there.
fn diff_in(files: &[(&str, &str)], args: &[&str]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut all = vec!["diff", "--format", "json", "--today", "2026-11-22"];
    all.extend_from_slice(args);
    let out = privflow_in(dir.path(), &all);
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, json, out.stderr)
}

fn checks(json: &serde_json::Value) -> Vec<String> {
    json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["level"].as_str().unwrap(),
                c["check"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn cosmetic_edits_give_no_changes() {
    let reordered = {
        let mut lines: Vec<&str> = BASE.lines().collect();
        // Swap the two app→api flows and move a system: order carries no meaning.
        lines.swap(14, 15);
        lines.swap(9, 10);
        lines.join("\n")
    };
    let commented = BASE.replace("flows:\n", "# the flows\n\n\nflows:   # every hop\n");
    let split_policy = BASE.split("systems:").next().unwrap().to_owned();
    let split_rest = format!(
        "privflow: 1\nsystems:{}",
        BASE.split("systems:").nth(1).unwrap()
    );
    for (label, files) in [
        ("identical", vec![("b/app.yaml", BASE.to_owned())]),
        ("reordered", vec![("b/app.yaml", reordered)]),
        ("re-commented", vec![("b/app.yaml", commented)]),
        (
            "re-split",
            vec![("b/policy.yaml", split_policy), ("b/rest.yaml", split_rest)],
        ),
    ] {
        let mut all: Vec<(&str, &str)> = vec![("a/app.yaml", BASE)];
        all.extend(files.iter().map(|(n, t)| (*n, t.as_str())));
        let (code, json, _) = diff_in(&all, &["a", "b"]);
        assert_eq!(checks(&json), Vec::<String>::new(), "{label}");
        assert_eq!(code, 0, "{label}");
    }
}

#[test]
fn a_new_hop_downstream_expands_reach_to_the_far_entity() {
    let revision = BASE.replace(
        "claims:",
        "  - {id: partner-to-broker, from: partner-api, to: broker-api, fields: [user.contact.email]}\nclaims:",
    );
    let (code, json, _) = diff_in(
        &[("a.yaml", BASE), ("b.yaml", &revision)],
        &["a.yaml", "b.yaml"],
    );
    assert_eq!(code, 1);
    let expanded = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "reach-expanded")
        .unwrap();
    assert_eq!(expanded["entity"], "broker");
    assert_eq!(expanded["field"], "user.contact.email");
    assert_eq!(
        expanded["level"], "error",
        "the broker is outside the speaker's group"
    );
    assert_eq!(
        expanded["path"],
        serde_json::json!(["app", "api", "partner-api", "broker-api"])
    );
    assert_eq!(expanded["revision_location"]["line"], 17);
    // One fact, one change (SPEC §7): the reach names the claims it breaks; no separate rows.
    let mut breaks: Vec<&str> = expanded["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    breaks.sort();
    assert_eq!(breaks.len(), 2, "{breaks:?}");
    let all = checks(&json);
    assert_eq!(all, ["error reach-expanded", "warning flow-added"]);
}

#[test]
fn weakened_protection_removed_claims_and_added_purposes_are_errors() {
    let revision = BASE
        .replace("user.content.private.message], protection: e2ee}", "user.content.private.message], protection: tls}")
        .replace("  - {id: no-email-to-broker, kind: no_share, fields: [user.contact.email], with: [broker]}\n", "")
        .replace("purposes: [essential.service]}", "purposes: [essential.service, marketing.advertising]}");
    let (code, json, _) = diff_in(
        &[("a.yaml", BASE), ("b.yaml", &revision)],
        &["a.yaml", "b.yaml"],
    );
    assert_eq!(code, 1);
    let all = checks(&json);
    for expected in [
        "error protection-weakened",
        "error claim-removed",
        "error purpose-added",
    ] {
        assert!(all.contains(&expected.to_owned()), "{expected} in {all:?}");
    }
    // The message content the speaker's server can now read is new collection of a sensitive field.
    assert!(all.contains(&"error reach-expanded".to_owned()), "{all:?}");
}

#[test]
fn a_removed_flow_narrows_reach_at_info_and_passes_the_default_gate() {
    let revision = BASE.replace(
        "  - {id: to-partner, from: api, to: partner-api, fields: [user.contact.email], purposes: [essential.service]}\n",
        "",
    );
    let (code, json, _) = diff_in(
        &[("a.yaml", BASE), ("b.yaml", &revision)],
        &["a.yaml", "b.yaml"],
    );
    assert_eq!(
        code, 0,
        "info changes do not fail the default --fail-on error"
    );
    assert!(checks(&json).contains(&"info reach-narrowed".to_owned()));
    let (code, _, _) = diff_in(
        &[("a.yaml", BASE), ("b.yaml", &revision)],
        &["a.yaml", "b.yaml", "--fail-on", "info"],
    );
    assert_eq!(code, 1);
}

#[test]
fn checks_can_be_relevelled_or_silenced() {
    let revision = BASE.replace(
        "  - {id: to-partner, from: api, to: partner-api, fields: [user.contact.email], purposes: [essential.service]}\n",
        "",
    );
    let levels = "reach-narrowed: error\nflow-removed: none\n";
    let (code, json, _) = diff_in(
        &[
            ("a.yaml", BASE),
            ("b.yaml", &revision),
            ("levels.yaml", levels),
        ],
        &["a.yaml", "b.yaml", "--levels", "levels.yaml"],
    );
    assert_eq!(code, 1);
    let all = checks(&json);
    assert!(all.contains(&"error reach-narrowed".to_owned()));
    assert!(!all.iter().any(|c| c.ends_with("flow-removed")), "{all:?}");
    let out = privflow(&[
        "diff",
        "policies/whatsapp-2020.yaml",
        "policies/whatsapp-2021.yaml",
        "--levels",
        "Cargo.toml",
    ]);
    assert_eq!(
        out.code, 2,
        "a levels file that is not one is a usage error"
    );
}

#[test]
fn git_revisions_are_sides() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::create_dir(repo.join("policies")).unwrap();
    std::fs::write(repo.join("policies/app.yaml"), BASE).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let revision = BASE.replace(
        "claims:",
        "  - {id: partner-to-broker, from: partner-api, to: broker-api, fields: [user.contact.email]}\nclaims:",
    );
    std::fs::write(repo.join("policies/app.yaml"), revision).unwrap();
    git(repo, &["commit", "-q", "-am", "revision"]);

    let out = privflow_in(
        repo,
        &[
            "diff",
            "git:HEAD~1:policies/app.yaml",
            "policies/app.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("\"check\": \"reach-expanded\""));
    let shorthand = privflow_in(
        repo,
        &["diff", "--base", "HEAD~1", "policies/", "--format", "json"],
    );
    assert_eq!(
        shorthand.stdout, out.stdout,
        "--base REV PATH… is the same comparison"
    );
    let missing = privflow_in(
        repo,
        &["diff", "git:HEAD~5:policies/app.yaml", "policies/app.yaml"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("the base side does not load"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("privflow::load::git"),
        "{}",
        missing.stderr
    );
}

#[test]
fn the_bundled_whatsapp_update_breaks_its_no_expansion_promise() {
    let out = privflow(&[
        "diff",
        "policies/whatsapp-2020.yaml",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stdout);
    let md = privflow(&[
        "diff",
        "policies/whatsapp-2020.yaml",
        "policies/whatsapp-2021.yaml",
        "--format",
        "markdown",
    ]);
    assert!(
        md.stdout
            .starts_with("## Sharing changes in whatsapp-2021 (2021-01-04)")
    );
    let gh = privflow(&[
        "diff",
        "policies/whatsapp-2020.yaml",
        "policies/whatsapp-2021.yaml",
        "--format",
        "github",
    ]);
    assert!(gh.stdout.lines().all(|l| l.starts_with("::")));
    assert!(
        gh.stdout
            .contains("::error file=policies/whatsapp-2021.yaml,line=")
    );
}

#[test]
fn a_side_that_does_not_load_is_named() {
    let out = privflow(&[
        "diff",
        "fixtures/invalid/dangling-reference.yaml",
        "policies/whatsapp-2021.yaml",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("the base side does not load"));
    assert!(out.stderr.contains("privflow::model::unknown-system"));
    let out = privflow(&[
        "diff",
        "policies/whatsapp-2020.yaml",
        "policies/wechat-2019.yaml",
    ]);
    assert!(out.stderr.contains("different speakers"), "{}", out.stderr);
}

#[test]
fn audit_with_a_base_version_evaluates_no_expansion_claims() {
    let out = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--baseline",
        "policies/whatsapp-2020.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let claim = json["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "no-expanded-sharing-with-facebook")
        .unwrap();
    assert_eq!(claim["status"], "violated");
    assert_eq!(claim["findings"], 5);
    let fields: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "no-expanded-sharing-with-facebook")
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"user.contact.phone_number") && fields.contains(&"user.device.ip_address"),
        "{fields:?}"
    );
    // Against itself nothing is new: the promise holds.
    let same = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--baseline",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&same.stdout).unwrap();
    let claim = json["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "no-expanded-sharing-with-facebook")
        .unwrap();
    assert_eq!(claim["status"], "holds");
    // Without a base version it is skipped, as before.
    let (_, json) = crate::support::audit_json(&["policies/whatsapp-2021.yaml"]);
    let claim = json["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "no-expanded-sharing-with-facebook")
        .unwrap();
    assert_eq!(claim["status"], "skipped");
}

#[test]
fn changed_entities_systems_flows_and_disclosures_are_reported() {
    let base = format!(
        "{BASE}disclosures:\n  - {{id: d, share: {{fields: [user.contact.email], with: [partner]}}}}\n"
    );
    let revision = base
        .replace("  partner: {name: Partner}", "  partner: {name: Partner, owned_by: holding}")
        .replace("  broker-api: {operated_by: broker}", "  broker-api: {operated_by: broker, kind: store, retention: 1y}")
        .replace("{id: login, from: app, to: api, fields: [user.contact.email]}", "{id: login, from: app, to: api, fields: [user.contact.email], condition: user_initiated}")
        .replace("share: {fields: [user.contact.email], with: [partner]}", "share: {fields: [user.contact], with: [partner]}");
    let (_, json, _) = diff_in(
        &[("a.yaml", &base), ("b.yaml", &revision)],
        &["a.yaml", "b.yaml"],
    );
    let messages: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    for expected in [
        "entity partner changed: owner none → holding",
        "system broker-api changed: server process → server store, keeps 1y",
        "flow login changed: condition none → user_initiated",
        "disclosure d changed: shares user.contact.email with partner (exact) → shares user.contact with partner (exact)",
    ] {
        assert!(messages.contains(&expected), "{expected} in {messages:#?}");
    }
}

/// The processing facts of a flow (lawful basis, role, transfer safeguard, user control,
/// subjects) are recorded: a change to them is one `flow-changed`, in the format's own words.
#[test]
fn a_changed_lawful_basis_role_or_safeguard_is_a_flow_change() {
    let base = std::fs::read_to_string("fixtures/valid/processing-facts.yaml").unwrap();
    let revised = base
        .replace(
            "    role: third_party\n    lawful_basis: consent\n    transfer: scc\n",
            "    role: joint_controller\n    lawful_basis: legitimate_interests\n    transfer: derogation\n",
        )
        .replace("    user_control: optional\n", "");
    assert_ne!(base, revised);
    let (code, json, stderr) = diff_in(
        &[("base.yaml", &base), ("head.yaml", &revised)],
        &["base.yaml", "head.yaml"],
    );
    assert_eq!(checks(&json), ["info flow-changed"], "{json:#}\n{stderr}");
    assert_eq!(code, 0);
    let message = json["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("role third_party → joint_controller")
            && message.contains("lawful basis consent → legitimate_interests")
            && message.contains("transfer safeguard scc → derogation")
            && message.contains("user control optional → none"),
        "{message}"
    );
}
