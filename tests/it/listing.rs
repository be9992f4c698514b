//! `--max-findings` and `--max-findings-total`: findings past a cap are counted, not listed, in
//! every format, and still decide statuses, the gate, waivers and baselines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::{Output, privflow};

/// A speaker's app sending an email address to `recipients` systems of another company, and
/// `claims` identical promises not to share it.
fn fan_out(dir: &Path, recipients: usize, claims: usize, waivers: &str) -> PathBuf {
    let mut model = String::from(
        "privflow: 1\npolicy: {id: fan, speaker: app-co}\nentities:\n  app-co: {}\n  other: {}\nsystems:\n  app: {operated_by: app-co, location: device}\n",
    );
    for i in 0..recipients {
        let _ = writeln!(model, "  s{i:04}: {{operated_by: other}}");
    }
    model.push_str("flows:\n");
    for i in 0..recipients {
        let _ = writeln!(
            model,
            "  - {{id: to-s{i:04}, from: app, to: s{i:04}, fields: [user.contact.email]}}"
        );
    }
    model.push_str("claims:\n");
    for c in 0..claims {
        let _ = writeln!(
            model,
            "  - {{id: c{c}, kind: no_share, fields: [user.contact.email], with: ['*']}}"
        );
    }
    model.push_str(waivers);
    let path = dir.join("fan.yaml");
    std::fs::write(&path, model).unwrap();
    path
}

fn audit(path: &Path, args: &[&str]) -> Output {
    let mut all = vec!["audit", path.to_str().unwrap(), "--today", "2026-11-22"];
    all.extend_from_slice(args);
    privflow(&all)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.stderr))
}

fn recipients_listed(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["recipient"]["system"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn past_the_claim_cap_findings_are_counted_and_the_first_in_reading_order_listed() {
    let dir = tempfile::tempdir().unwrap();
    let path = fan_out(dir.path(), 5, 1, "");
    let out = audit(&path, &["--format", "json", "--max-findings", "2"]);
    assert_eq!(out.code, 1, "a capped violation still fails the gate");
    let doc = json(&out);
    assert_eq!(doc["claims"][0]["status"], "violated");
    assert_eq!(doc["claims"][0]["findings"], 5);
    assert_eq!(doc["claims"][0]["unlisted"], 3);
    assert_eq!(doc["summary"]["unlisted_findings"], 3);
    let listed = recipients_listed(&doc);
    assert_eq!(
        listed,
        [("c0".into(), "s0000".into()), ("c0".into(), "s0001".into())]
    );
    // Uncapped, the same findings come first and nothing says "unlisted".
    let all = json(&audit(&path, &["--format", "json"]));
    assert_eq!(all["findings"].as_array().unwrap().len(), 5);
    assert!(all["claims"][0].get("unlisted").is_none());
    assert!(all["summary"].get("unlisted_findings").is_none());
    assert_eq!(recipients_listed(&all)[..2], listed[..]);
}

#[test]
fn the_run_cap_lists_the_first_findings_a_reader_sees_across_claims() {
    let dir = tempfile::tempdir().unwrap();
    let path = fan_out(dir.path(), 5, 3, "");
    let doc = json(&audit(
        &path,
        &["--format", "json", "--max-findings-total", "7"],
    ));
    let unlisted: Vec<u64> = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.get("unlisted").and_then(|n| n.as_u64()).unwrap_or(0))
        .collect();
    assert_eq!(unlisted, [0, 3, 5]);
    let listed = recipients_listed(&doc);
    assert_eq!(listed.len(), 7);
    assert_eq!(listed[5], ("c1".into(), "s0000".into()));
    assert_eq!(doc["claims"][2]["status"], "violated");
    // `all` lifts the cap; a word that is not a number is a usage error.
    let all = json(&audit(
        &path,
        &["--format", "json", "--max-findings-total", "all"],
    ));
    assert_eq!(all["findings"].as_array().unwrap().len(), 15);
    let bad = audit(&path, &["--max-findings", "many"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("`many` is not a number of findings (or `all`)")
    );
}

#[test]
fn every_format_says_how_many_findings_it_does_not_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = fan_out(dir.path(), 5, 1, "");
    let note = "3 more findings counted, not listed";
    let capped = ["--max-findings", "2"];
    for format in ["table", "markdown", "github", "junit"] {
        let out = audit(&path, &[&["--format", format][..], &capped].concat());
        assert!(out.stdout.contains(note), "{format}:\n{}", out.stdout);
    }
    let github = audit(&path, &[&["--format", "github"][..], &capped].concat());
    assert!(
        github
            .stdout
            .lines()
            .any(|l| l.starts_with("::notice file=")
                && l.contains(",line=20,col=5,")
                && l.contains(note)),
        "the note sits at the claim:\n{}",
        github.stdout
    );
    let junit = audit(&path, &[&["--format", "junit"][..], &capped].concat());
    assert!(
        junit.stdout.contains("violated (5 findings)"),
        "{}",
        junit.stdout
    );
    let sarif = json(&audit(
        &path,
        &[&["--format", "sarif"][..], &capped].concat(),
    ));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.iter().filter(|r| r["ruleId"] == "fan/c0").count(),
        2
    );
    assert_eq!(
        sarif["runs"][0]["properties"]["findingsUnlisted"],
        serde_json::json!({"fan/c0": 3})
    );
    for format in ["markdown", "html"] {
        let report = privflow(
            &[
                &["report", path.to_str().unwrap(), "--format", format][..],
                &capped,
            ]
            .concat(),
        );
        assert_eq!(report.code, 0, "{}", report.stderr);
        assert!(report.stdout.contains(note), "report {format}");
    }
    let explain = privflow(&["explain", path.to_str().unwrap(), "c0"]);
    assert!(!explain.stdout.contains("counted, not listed"));
    assert!(explain.stdout.contains("s0004"), "{}", explain.stdout);
}

#[test]
fn unlisted_findings_are_waived_by_flow_and_recorded_in_baselines() {
    let dir = tempfile::tempdir().unwrap();
    // Waive every finding but the one at s0004, which is past the cap of one.
    let mut waivers = String::from("waivers:\n");
    for i in 0..4 {
        let _ = writeln!(
            waivers,
            "  - {{claim: c0, flow: to-s{i:04}, reason: accepted}}"
        );
    }
    let path = fan_out(dir.path(), 5, 1, &waivers);
    let doc = json(&audit(&path, &["--format", "json", "--max-findings", "1"]));
    assert_eq!(
        doc["claims"][0]["status"], "violated",
        "s0004 is not waived"
    );
    assert_eq!(
        recipients_listed(&doc),
        [("c0".into(), "s0004".into())],
        "the unwaived finding is listed first"
    );
    assert!(
        doc["diagnostics"].as_array().unwrap().is_empty(),
        "every waiver matched, listed or not: {}",
        doc["diagnostics"]
    );

    // A baseline made under the default caps accepts every finding, listed or not.
    let many = tempfile::tempdir().unwrap();
    let path = fan_out(many.path(), 1_100, 1, "");
    let baseline = many.path().join("baseline.json");
    let made = privflow(&[
        "baseline",
        "create",
        path.to_str().unwrap(),
        "-o",
        baseline.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let entries: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    let of_claim = |doc: &serde_json::Value| {
        doc["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["check"] == "c0")
            .count()
    };
    assert_eq!(of_claim(&entries), 1_100);
    let gated = audit(
        &path,
        &[
            "--format",
            "json",
            "--baseline-file",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(gated.code, 0, "{}", gated.stderr);
    let doc = json(&gated);
    assert_eq!(doc["claims"][0]["unlisted"], 100);
    assert_eq!(doc["baseline"]["new"], 0);

    // Explain and the graph see every finding: the graph marks all 1 100 paths as breaking.
    let explain = privflow(&["explain", path.to_str().unwrap(), "c0"]);
    assert!(
        explain
            .stdout
            .contains("100 more findings counted, not listed")
    );
    let explain = privflow(&["explain", path.to_str().unwrap(), "s1099"]);
    assert!(
        explain.stdout.contains("promises broken here"),
        "{}",
        explain.stdout
    );
    let graph = privflow(&[
        "graph",
        path.to_str().unwrap(),
        "--claim",
        "c0",
        "--format",
        "json",
    ]);
    let graph: serde_json::Value = serde_json::from_str(&graph.stdout).unwrap();
    let edges = graph["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1_100);
    assert!(edges.iter().all(|e| e["breaks_a_promise"] == true));
}

/// Issue 13: a chain of systems with many claims about `user` wrote claims × recipients × path
/// length of output (4 GB and an abort from 261 KB). The run cap bounds what is listed.
#[test]
fn a_long_chain_with_many_claims_lists_at_most_the_run_cap() {
    let dir = tempfile::tempdir().unwrap();
    let model = crate::generate::chain(300, 100);
    let path = dir.path().join("chain.yaml");
    std::fs::write(&path, model).unwrap();
    let doc = json(&audit(&path, &["--format", "json"]));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 10_000);
    assert_eq!(doc["summary"]["unlisted_findings"], 100 * 299 - 10_000);
    assert_eq!(doc["summary"]["violated"], 100);
    // 33 claims listed whole, then the first 133 of the 34th; each path runs the whole chain.
    let last = &doc["findings"][9_999];
    assert_eq!(last["check"], "c33");
    assert_eq!(doc["claims"][33]["unlisted"], 299 - 133);
    let recipient = last["recipient"]["system"].as_str().unwrap();
    assert_eq!(last["hops"], recipient[1..].parse::<u64>().unwrap());
}

#[test]
fn diff_compares_every_finding_listed_or_not() {
    // The revision drops the waiver of the 1 100th finding: past the cap of 1 000, it is new.
    let (base, revision) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let waiver = "waivers:\n  - {claim: c0, flow: to-s1099, reason: accepted}\n";
    let base = fan_out(base.path(), 1_100, 1, waiver);
    let revision = fan_out(revision.path(), 1_100, 1, "");
    let out = privflow(&[
        "diff",
        base.to_str().unwrap(),
        revision.to_str().unwrap(),
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    let doc = json(&out);
    let new: Vec<&serde_json::Value> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "finding-new")
        .collect();
    assert_eq!(new.len(), 1, "{}", out.stdout);
    assert!(
        new[0]["message"]
            .as_str()
            .unwrap()
            .contains("reaches s1099")
    );
    assert_eq!(new[0]["path"], serde_json::json!(["app", "s1099"]));
}
