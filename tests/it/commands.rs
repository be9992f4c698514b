//! The commands on the bundled policies: audit table and JSON, check, taxonomy, exit codes,
//! determinism and pipes.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::support::{audit_json, privflow, statuses};

#[test]
fn auditing_the_bundled_policies_reports_every_claim_with_paths() {
    let (code, json) = audit_json(&["policies/"]);
    assert_eq!(code, 1, "the bundled policies break promises");
    let ids: Vec<&str> = json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "messenger-interop-2019",
            "wechat-2019",
            "whatsapp-2020",
            "whatsapp-2021"
        ]
    );
    let all = statuses(&json);
    let status = |id: &str, policy: &str| {
        json["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id && c["policy"] == policy)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("claim {id} of {policy} in {all:?}"))
    };
    // The seed facts, as the audit must read them.
    assert_eq!(status("personal-chats-e2ee", "whatsapp-2021"), "holds");
    assert_eq!(status("no-contacts-to-facebook", "whatsapp-2021"), "holds");
    assert_eq!(
        status("business-chats-encrypted", "whatsapp-2021"),
        "violated"
    );
    assert_eq!(
        status("no-records-of-who-messages-whom", "whatsapp-2021"),
        "undetermined"
    );
    assert_eq!(
        status("no-expanded-sharing-with-facebook", "whatsapp-2021"),
        "skipped"
    );
    assert_eq!(
        status("integration-serves-messaging", "messenger-interop-2019"),
        "violated"
    );
    assert_eq!(
        status("never-records-conversations", "wechat-2019"),
        "undetermined"
    );
    let hosting = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flows"] == serde_json::json!(["business-hosting"]))
        .expect("the Facebook hosting finding");
    assert_eq!(hosting["waived"], true);
    assert_eq!(hosting["recipient"]["entity"], "facebook-inc");
}

#[test]
fn the_table_shows_claims_findings_and_locations() {
    let out = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("audit_whatsapp_2021_table", out.stdout);
    assert_eq!(out.stderr, "", "no diagnostics for the bundled policy");
}

#[test]
fn output_is_byte_for_byte_deterministic() {
    let first = privflow(&[
        "audit",
        "policies/",
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    for _ in 0..3 {
        let again = privflow(&[
            "audit",
            "policies/",
            "--format",
            "json",
            "--today",
            "2026-11-22",
        ]);
        assert_eq!(first.stdout, again.stdout);
    }
}

#[test]
fn check_validates_without_auditing() {
    let out = privflow(&["check", "policies/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("ok: 4 policies valid"),
        "{}",
        out.stdout
    );
    let out = privflow(&["check", "fixtures/invalid/dangling-reference.yaml"]);
    assert_eq!(out.code, 2);
}

#[test]
fn taxonomy_prints_both_trees_with_credit() {
    let out = privflow(&["taxonomy"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(
        "# fields (keys of fideslang 3.1.4 data categories, CC BY 4.0, and privflow's own)"
    ));
    assert!(out.stdout.contains(
        "address_book  — Address book [sensitive] (contains user.contact.phone_number, user.name)"
    ));
    assert!(out.stdout.contains("# purposes"));
    let fields_only = privflow(&["taxonomy", "fields"]);
    assert!(!fields_only.stdout.contains("# purposes"));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(privflow(&["audit"]).code, 2);
    assert_eq!(
        privflow(&["audit", "policies/", "--fail-on", "sometimes"]).code,
        2
    );
    assert_eq!(privflow(&["audit", "does/not/exist.yaml"]).code, 2);
    assert_eq!(privflow(&["--help"]).code, 0);
    assert_eq!(privflow(&["--version"]).code, 0);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args([
            "audit",
            "policies/",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up, as `| head -c1` would.
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("internal error"));
}

#[test]
fn the_readme_example_reports_what_the_readme_says() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readme.yaml");
    std::fs::write(&path, &readme[start..end]).unwrap();
    let (code, json) = audit_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let f = &json["findings"][0];
    assert_eq!(f["check"], "no-phone-to-facebook");
    assert_eq!(f["verdict"], "violated");
    assert_eq!(
        f["path"],
        serde_json::json!(["wa-app", "wa-server", "fb-companies"])
    );
    assert_eq!(
        f["flows"],
        serde_json::json!(["connect", "wa-server->fb-companies#1"])
    );
}

#[test]
fn the_committed_schema_is_current() {
    let out = privflow(&["schema"]);
    assert_eq!(out.code, 0);
    let committed = std::fs::read_to_string(privflow::output::schema::POLICY_SCHEMA_PATH).unwrap();
    assert!(
        out.stdout == committed,
        "schema/privflow.schema.json is stale: run `cargo run -- schema > schema/privflow.schema.json`"
    );
}

/// Every YAML file under `dir`, recursively.
fn yaml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    out
}

#[test]
fn bundled_policies_and_valid_fixtures_validate_against_the_schema_and_name_it() {
    let schema: serde_json::Value =
        serde_json::from_str(&privflow::output::schema::policy()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut files = yaml_files(std::path::Path::new("policies"));
    files.extend(yaml_files(std::path::Path::new("fixtures/valid")));
    assert!(files.len() >= 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=")
                && text
                    .lines()
                    .next()
                    .unwrap()
                    .ends_with("schema/privflow.schema.json"),
            "{} names the schema for editors",
            file.display()
        );
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
    // And the schema rejects what the loader rejects.
    let bad: serde_json::Value =
        serde_saphyr::from_str("privflow: 2\nentities: {a: {nmae: x}}\n").unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn audit_json_validates_against_the_output_schema() {
    let out = privflow(&["schema", "--output"]);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for path in [
        "policies/",
        "fixtures/valid/claim-kinds.yaml",
        "fixtures/valid/disclosures.yaml",
        "fixtures/valid/expired-waiver.yaml",
    ] {
        let (_, json) = audit_json(&[path]);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

#[test]
fn a_policy_without_claims_says_so_instead_of_drawing_empty_tables() {
    // Once "1 policy, 0 claims: " under a table of headers only.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.yaml");
    std::fs::write(
        &path,
        "privflow: 1\npolicy: {id: bare, speaker: acme}\nentities:\n  acme: {name: Acme}\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let table = privflow(&["audit", path]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .ends_with("  no claims to check\n\n1 policy, 0 claims\n"),
        "{}",
        table.stdout
    );
    let markdown = privflow(&["audit", path, "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .ends_with("### `bare`\n\nNo claims to check.\n"),
        "{}",
        markdown.stdout
    );
    let report = privflow(&["report", path]).stdout;
    for sentence in [
        "No claims to check.",
        "The model states no promise to check.",
        "No system receives personal data.",
        "No field reaches a recipient.",
    ] {
        assert!(report.contains(sentence), "{sentence}: {report}");
    }
    assert!(
        !report.contains("|---|\n\n"),
        "no table without rows: {report}"
    );
}
