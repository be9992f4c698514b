//! The three jobs in a real repository (SPEC §2 and §7, version 2): directory walks that read only
//! models, directory diffs paired by policy, per-policy baselines, and diffs one fact per change.

use std::path::Path;
use std::process::Command;

use crate::support::{git, privflow, privflow_in};

const TODAY: &str = "2026-11-22";

/// A small model of policy `id`, speaker `app-co`, whose app sends an email to `partner`.
fn model(id: &str) -> String {
    format!(
        "privflow: 1
policy: {{id: {id}, speaker: app-co}}
entities:
  app-co: {{name: App Co}}
  partner: {{name: Partner}}
systems:
  app: {{operated_by: app-co, location: device}}
  partner-api: {{operated_by: partner}}
flows:
  - {{id: sync, from: app, to: partner-api, fields: [user.contact.email]}}
claims:
  - {{id: no-email-to-partner, kind: no_share, fields: [user.contact.email], with: [partner]}}
"
    )
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn json(out: &crate::support::Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr))
}

#[test]
fn a_walk_reads_models_only_and_names_what_it_skips() {
    // Point 6: CI workflows in a hidden directory and other tools' YAML are no models.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("policies/app.yaml", &model("app")),
            (".github/workflows/ci.yml", "name: CI\non: push\njobs: {}\n"),
            ("node_modules/pkg/config.yml", "name: pkg\nversion: 1\n"),
            ("docs/mkdocs.yaml", "site_name: docs\n"),
        ],
    );
    let out = privflow_in(dir.path(), &["check", ".", "--verbose"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("app: 2 systems, 1 flow, 1 claim\nok: 1 policy valid"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("skipped `./node_modules/pkg/config.yml`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("skipped `./docs/mkdocs.yaml`"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(".github"),
        "a hidden directory is not entered: {}",
        out.stderr
    );
    // A fragment with privflow's keys but no `privflow: 1` is still an error.
    write(
        dir.path(),
        &[(
            "policies/extra.yaml",
            "systems:\n  more: {operated_by: app-co}\n",
        )],
    );
    let out = privflow_in(dir.path(), &["check", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("privflow::load::missing-version"),
        "{}",
        out.stderr
    );
    // A file named on the command line must be a model.
    let out = privflow_in(dir.path(), &["check", "docs/mkdocs.yaml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_directory_of_no_models_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("ci.yml", "name: CI\n")]);
    let out = privflow(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("holds no privflow model"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_an_error_before_anything_blocks() {
    // Point 6: `fifo.yaml` with no writer once hung the audit.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("app.yaml", &model("app"))]);
    let fifo = dir.path().join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for target in [dir.path(), fifo.as_path()] {
        let out = privflow(&["audit", target.to_str().unwrap(), "--today", TODAY]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains("privflow::load::not-a-file"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("is a FIFO"), "{}", out.stderr);
    }
}

#[cfg(unix)]
#[test]
fn the_same_file_reached_twice_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("m/app.yaml", &model("app"))]);
    std::fs::hard_link(
        dir.path().join("m/app.yaml"),
        dir.path().join("m/link.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("m/app.yaml"), dir.path().join("m/sym.yaml"))
        .unwrap();
    let m = dir.path().join("m");
    let named = dir.path().join("m/app.yaml");
    let out = privflow(&[
        "check",
        m.to_str().unwrap(),
        named.to_str().unwrap(),
        named.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "no duplicate policy: {}", out.stderr);
    assert!(out.stdout.contains("ok: 1 policy valid"), "{}", out.stdout);
}

#[test]
fn diffing_two_directories_pairs_their_policies_by_id() {
    // Point 1: `diff policies/ policies/` once failed with "one policy per side".
    let same = privflow(&["diff", "policies/", "policies/", "--format", "json"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    let same = json(&same);
    assert_eq!(same["pairs"].as_array().unwrap().len(), 4);
    assert_eq!(
        same["summary"],
        serde_json::json!({"error": 0, "warning": 0, "info": 0})
    );

    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("a/one.yaml", &model("one")),
            ("a/two.yaml", &model("two")),
            ("b/one.yaml", &model("one")),
            ("b/three.yaml", &model("three")),
        ],
    );
    let out = privflow_in(dir.path(), &["diff", "a", "b", "--format", "json"]);
    assert_eq!(out.code, 1, "a removed policy is an error");
    let doc = json(&out);
    let checks: Vec<String> = doc["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["changes"].as_array().unwrap().clone())
        .map(|c| format!("{} {} {}", c["level"], c["check"], c["message"]))
        .collect();
    assert_eq!(
        checks,
        [
            "\"info\" \"policy-added\" \"policy three added\"",
            "\"error\" \"policy-removed\" \"policy two removed\""
        ]
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({"error": 1, "warning": 0, "info": 1})
    );
    // --policy picks one pair: the single-pair shape of SPEC §7.
    let one = json(&privflow_in(
        dir.path(),
        &["diff", "a", "b", "--policy", "one", "--format", "json"],
    ));
    assert_eq!(one["base"]["id"], "one");
    assert_eq!(one["changes"], serde_json::json!([]));
}

#[test]
fn diff_base_head_works_in_a_git_checkout() {
    // Point 1: the README's own `privflow diff --base HEAD~1 policies/`.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    for p in std::fs::read_dir("policies").unwrap() {
        let p = p.unwrap().path();
        write(
            repo,
            &[(
                &format!("policies/{}", p.file_name().unwrap().to_string_lossy()),
                &std::fs::read_to_string(&p).unwrap(),
            )],
        );
    }
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let wa = repo.join("policies/whatsapp-2021.yaml");
    let text = std::fs::read_to_string(&wa).unwrap();
    std::fs::write(&wa, text.replace("protection: e2ee", "protection: tls")).unwrap();
    git(repo, &["commit", "-q", "-am", "weaker"]);
    let out = privflow_in(repo, &["diff", "--base", "HEAD~1", "policies/"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("protection-weakened"), "{}", out.stdout);
    assert!(out.stdout.contains("4 policies:"), "{}", out.stdout);
}

#[test]
fn baselines_are_kept_per_policy() {
    // Point 2.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("one/p.yaml", &model("one")),
            ("copy/p.yaml", &model("copy")),
        ],
    );
    let baseline = dir.path().join("baseline.json");
    let created = privflow_in(
        dir.path(),
        &[
            "baseline",
            "create",
            "one",
            "-o",
            baseline.to_str().unwrap(),
            "--today",
            TODAY,
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let audit = |paths: &[&str]| {
        let mut args = vec![
            "audit",
            "--format",
            "json",
            "--today",
            TODAY,
            "--baseline-file",
        ];
        args.push(baseline.to_str().unwrap());
        args.extend_from_slice(paths);
        let out = privflow_in(dir.path(), &args);
        (out.code, json(&out))
    };
    // A renamed copy's findings are new, not accepted.
    let (code, copy) = audit(&["copy"]);
    assert_eq!(code, 1);
    assert_eq!(copy["baseline"]["accepted"], 0);
    assert_eq!(
        copy["baseline"]["resolved"],
        serde_json::json!([]),
        "policy one was not audited"
    );
    let (code, one) = audit(&["one"]);
    assert_eq!(code, 0, "the baseline accepts its own policy");
    assert_eq!(one["baseline"]["new"], 0);
    // Identical results of two policies have distinct fingerprints.
    let (_, both) = audit(&["one", "copy"]);
    let ids: std::collections::BTreeSet<&str> = both["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
}

#[test]
fn one_fact_is_one_change() {
    // Point 7: a new SDK flow is one reach change per field, naming the promise it breaks.
    let dir = tempfile::tempdir().unwrap();
    let base = model("app").replace(
        "  - {id: sync, from: app, to: partner-api, fields: [user.contact.email]}\n",
        "  - {id: sync, from: app, to: partner-api, fields: [user.contact.email], protection: hashed}\n",
    );
    let revision = base
        .replace("  partner-api:", "  sdk: {operated_by: sdk-co}\n  partner-api:")
        .replace("  partner: {name: Partner}", "  partner: {name: Partner}\n  sdk-co: {name: SDK Co}")
        .replace("protection: hashed}", "protection: e2ee}")
        .replace(
            "claims:\n",
            "  - {id: sdk-events, from: app, to: sdk, fields: [user.contact.email, user.device.ip_address]}\nclaims:\n  - {id: no-ip-to-anyone, kind: no_share, fields: [user.device.ip_address], with: ['*']}\n",
        );
    write(dir.path(), &[("a/p.yaml", &base), ("b/p.yaml", &revision)]);
    let out = privflow_in(
        dir.path(),
        &["diff", "a/p.yaml", "b/p.yaml", "--format", "json"],
    );
    let doc = json(&out);
    let changes = doc["changes"].as_array().unwrap();
    let rows: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {}", c["check"].as_str().unwrap(), c["breaks"]))
        .collect();
    assert!(
        rows.iter().all(|r| !r.starts_with("finding-new")),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"reach-expanded [\"no-ip-to-anyone\"]".to_owned()),
        "{rows:?}"
    );
    // The claim about everyone is no stronger because the model names one more entity.
    assert!(
        rows.iter().all(|r| !r.starts_with("claim-strengthened")),
        "{rows:?}"
    );
    let sync = changes
        .iter()
        .find(|c| c["check"] == "flow-changed")
        .expect("the protection change is named");
    assert!(
        sync["message"]
            .as_str()
            .unwrap()
            .contains("protection hashed → e2ee"),
        "{sync}"
    );
}

#[test]
fn a_receipt_that_loses_its_disclosure_is_a_change() {
    // Point 7: a receipt both versions have that becomes `omitted` or `incorrect`.
    let disclosed = model("app").replace(
        "claims:\n",
        "disclosures:\n  - {id: share-email, share: {fields: [user.contact.email], with: [partner]}}\nclaims:\n",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[("a/p.yaml", &disclosed), ("b/p.yaml", &model("app"))],
    );
    let doc = json(&privflow_in(
        dir.path(),
        &["diff", "a/p.yaml", "b/p.yaml", "--format", "json"],
    ));
    let undisclosed: Vec<&serde_json::Value> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "receipt-undisclosed")
        .collect();
    assert_eq!(undisclosed.len(), 1, "{doc}");
    assert_eq!(undisclosed[0]["level"], "error");
    assert_eq!(
        undisclosed[0]["message"],
        "partner (Partner) receives user.contact.email is now denied by no-email-to-partner (was ambiguous, now incorrect)"
    );
}

#[test]
fn a_path_the_user_can_fix_is_exit_2() {
    // Point 4: these were exit 3, "internal error".
    let out = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json=/nonexistent/dir/x.json",
        "--today",
        TODAY,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("/nonexistent/dir/x.json"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("does not exist"), "{}", out.stderr);
    let out = privflow(&[
        "report",
        "policies/whatsapp-2021.yaml",
        "-o",
        "/nonexistent/x.html",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let dir = tempfile::tempdir().unwrap();
    let out = privflow(&[
        "baseline",
        "create",
        "policies/whatsapp-2021.yaml",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
}

#[test]
fn papercuts() {
    // Point 8, each in a line or two.
    let dir = tempfile::tempdir().unwrap();
    // Months are 30 days.
    let months = model("m").replace(
        "  partner-api: {operated_by: partner}",
        "  partner-api: {operated_by: partner, kind: store, retention: 14mo}",
    );
    write(dir.path(), &[("months.yaml", &months)]);
    let explained = privflow_in(dir.path(), &["explain", "months.yaml", "partner-api"]);
    assert!(
        explained.stdout.contains("keeps data 420d"),
        "{}",
        explained.stdout
    );
    // A cut-short field key suggests the key it begins, not its parent.
    let typo = model("t").replace(
        "fields: [user.contact.email]}\nclaims",
        "fields: [user.contact.phone]}\nclaims",
    );
    write(dir.path(), &[("typo.yaml", &typo)]);
    let out = privflow_in(dir.path(), &["check", "typo.yaml"]);
    assert!(
        out.stderr
            .contains("did you mean `user.contact.phone_number`?"),
        "{}",
        out.stderr
    );
    // A duplicate policy id is one error naming both files.
    write(
        dir.path(),
        &[
            ("dup/a.yaml", &model("same")),
            ("dup/b.yaml", &model("same")),
        ],
    );
    let out = privflow_in(dir.path(), &["check", "dup"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("privflow: 1 error in the model"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("policy `same` is declared in both `dup/a.yaml` and `dup/b.yaml`"),
        "{}",
        out.stderr
    );
    // A promise about advertisers holds quietly when the model has none.
    let nobody = model("n").replace("with: [partner]", "with: [category:advertiser]");
    write(dir.path(), &[("nobody.yaml", &nobody)]);
    let out = privflow_in(dir.path(), &["check", "nobody.yaml"]);
    assert!(!out.stderr.contains("unused-category"), "{}", out.stderr);
    // The closing line counts receipts.
    let out = privflow(&["audit", "policies/whatsapp-2021.yaml", "--today", TODAY]);
    assert!(
        out.stdout
            .contains("; 10 receipts: 6 omitted, 1 vague, 3 clear"),
        "{}",
        out.stdout
    );
    // explain takes entities, and says what to pass without an id.
    let out = privflow(&[
        "explain",
        "policies/whatsapp-2021.yaml",
        "facebook-inc",
        "--today",
        TODAY,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("[whatsapp-2021] entity facebook-inc (Facebook, Inc.)")
    );
    assert!(out.stdout.contains("what reaches it"));
    let out = privflow(&["explain", "policies/whatsapp-2021.yaml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("privflow explain policies/whatsapp-2021.yaml ID"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("claims there: personal-chats-e2ee"),
        "{}",
        out.stderr
    );
    // One man page per command, and completions offer the formats.
    let pages = tempfile::tempdir().unwrap();
    let out = privflow(&["man", "--out-dir", pages.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "privflow.1",
        "privflow-audit.1",
        "privflow-diff.1",
        "privflow-explain.1",
    ] {
        assert!(pages.path().join(page).exists(), "{page}");
    }
    let bash = privflow(&["completions", "bash"]).stdout;
    assert!(
        bash.contains("table json sarif junit github markdown"),
        "--format values"
    );
    // The table fits COLUMNS.
    let out = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(["audit", "policies/whatsapp-2021.yaml", "--today", TODAY])
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 80, "{widest} columns:\n{text}");
    // Help says what the formats are.
    let graph = privflow(&["graph", "--help"]).stdout;
    assert!(graph.contains("SVG"), "{graph}");
}
