//! The CI formats: SARIF validated against the official schema, JUnit counts, GitHub annotation
//! limits and escaping, several outputs in one run, exit codes unchanged by format.

use std::path::Path;
use std::process::Command;

use crate::support::{privflow, privflow_in};

fn sarif(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["audit", "--format", "sarif", "--today", "2026-11-22"];
    all.extend_from_slice(args);
    let out = privflow(&all);
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("SARIF is JSON: {e}\n{}", out.stderr))
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let text = std::fs::read_to_string("fixtures/sarif/sarif-schema-2.1.0.json").unwrap();
    // The published schema's `language` patterns have a stray `]` that strict regex engines
    // refuse to compile; the SARIF errata correct them to the pattern below. Nothing else changes.
    let text = text.replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    for args in [
        &["policies/"][..],
        &["fixtures/valid/claim-kinds.yaml"],
        &["fixtures/valid/disclosures.yaml"],
    ] {
        let log = sarif(args);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        // The validator does reject what the schema forbids.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn sarif_declares_every_claim_and_locates_results_with_code_flows() {
    let log = sarif(&["policies/whatsapp-2021.yaml"]);
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"whatsapp-2021/personal-chats-e2ee"),
        "claims that hold are declared too, named by policy: {rules:?}"
    );
    assert!(rules.contains(&"whatsapp-2021/no-expanded-sharing-with-facebook"));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "whatsapp-2021/business-chats-encrypted" && r["suppressions"].is_null()
        })
        .unwrap();
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "policies/whatsapp-2021.yaml"
    );
    assert_eq!(location["region"]["startLine"], 88);
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        166
    );
    let hops = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    assert_eq!(hops.len(), 2, "one thread-flow location per hop");
    assert_eq!(
        hops[0]["location"]["message"]["text"],
        "business-chat: wa-app → business-app"
    );
    // The waived finding is a suppression with the waiver's reason.
    let waived = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["suppressions"].is_null())
        .unwrap();
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    assert!(
        waived["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("WhatsApp announced")
    );
}

#[test]
fn sarif_fingerprints_survive_blank_lines_above_a_flow() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string("policies/whatsapp-2021.yaml").unwrap();
    std::fs::write(dir.path().join("a.yaml"), &original).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        original.replacen("flows:\n", "flows:\n\n\n\n", 1),
    )
    .unwrap();
    let fingerprints = |file: &str| -> Vec<(String, i64)> {
        let out = privflow_in(
            dir.path(),
            &["audit", "--format", "sarif", "--today", "2026-11-22", file],
        );
        let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let fp = r["partialFingerprints"]
                    .as_object()
                    .unwrap()
                    .values()
                    .next()
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned();
                (
                    fp,
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_i64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (fingerprints("a.yaml"), fingerprints("b.yaml"));
    assert_eq!(a.len(), b.len());
    for ((fa, la), (fb, lb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb, "the fingerprint does not move with the line");
        assert_eq!(la + 3, *lb, "the location does");
    }
}

#[test]
fn junit_parses_with_the_expected_counts() {
    let out = privflow(&[
        "audit",
        "--format",
        "junit",
        "--today",
        "2026-11-22",
        "policies/whatsapp-2021.yaml",
    ]);
    assert_eq!(out.code, 1);
    let report = quick_junit::Report::deserialize_from_str(&out.stdout).expect("JUnit XML parses");
    let claims = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "whatsapp-2021 claims")
        .unwrap();
    assert_eq!(
        claims.test_cases.len(),
        7,
        "one test case per claim, passing ones included"
    );
    assert_eq!(claims.failures, 1);
    assert_eq!(claims.skipped, 1);
    let receipts = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "whatsapp-2021 disclosures")
        .unwrap();
    assert_eq!(receipts.test_cases.len(), 10);
    assert_eq!(
        receipts.failures, 0,
        "receipts fail only at a --fail-on that reaches them"
    );
    let strict = privflow(&[
        "audit",
        "--format",
        "junit",
        "--fail-on",
        "omitted",
        "policies/whatsapp-2021.yaml",
    ]);
    let report = quick_junit::Report::deserialize_from_str(&strict.stdout).unwrap();
    let receipts = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "whatsapp-2021 disclosures")
        .unwrap();
    assert_eq!(receipts.failures, 6);
}

/// A model with `n` violated findings, each on its own flow.
fn many_violations(dir: &Path, n: usize) -> String {
    let mut yaml = String::from(
        "privflow: 1\npolicy: {id: many, speaker: a}\nentities: {a: {}, \"b, Inc.\": {name: \"B: 100% <ads>\"}}\nsystems:\n  app: {operated_by: a, location: device}\n",
    );
    for i in 0..n {
        yaml.push_str(&format!("  x{i}: {{operated_by: \"b, Inc.\"}}\n"));
    }
    yaml.push_str("flows:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{from: app, to: x{i}, fields: [user.contact.email]}}\n"
        ));
    }
    yaml.push_str("claims:\n  - {id: c, kind: no_share, fields: [user.contact.email], with: [\"b, Inc.\"], text: \"Line one\\nline two: 100%\"}\n");
    let path = dir.join("many.yaml");
    std::fs::write(&path, yaml).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn github_annotations_are_capped_escaped_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    // 14 findings and the receipt they make incorrect: 15 errors.
    let model = many_violations(dir.path(), 14);
    let summary = dir.path().join("summary.md");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(["audit", "--format", "github", &model])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let errors = lines.iter().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(errors, 10, "GitHub shows ten errors per step");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::notice title=privflow::5 more results not annotated (5 errors"),
        "{stdout}"
    );
    let first = lines[0];
    // Message: newline and percent escaped; properties: colon and comma escaped too.
    assert!(
        first.contains("title=privflow%3A c (no_share) violated::"),
        "{first}"
    );
    assert!(
        first.contains("B%3A 100%25 &lt;ads&gt;") || first.contains("(B: 100%25 <ads>)"),
        "{first}"
    );
    assert!(
        first.contains("%0A\"Line one%0Aline two: 100%25\""),
        "{first}"
    );
    assert!(!first.contains('\n'));
    let md = std::fs::read_to_string(&summary).expect("the job summary is written");
    assert!(md.starts_with("## privflow audit"));
    assert!(
        md.contains("B: 100% &lt;ads&gt;"),
        "markup in names is escaped in Markdown: {md}"
    );
}

#[test]
fn several_outputs_in_one_run_and_a_failing_writer_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let out = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--format",
        &format!("sarif={}", sarif.display()),
        "--format",
        &format!("junit={}", junit.display()),
        "--format",
        "table",
    ]);
    assert_eq!(out.code, 1, "exit codes stay as SPEC §7 in every format");
    assert!(
        out.stdout
            .contains("whatsapp-2021 — WhatsApp Privacy Policy")
    );
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains("\"version\": \"2.1.0\"")
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .starts_with("<?xml")
    );

    let unwritable = dir.path().join("no/such/dir/out.sarif");
    let md = dir.path().join("out.md");
    let out = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--format",
        &format!("sarif={}", unwritable.display()),
        "--format",
        &format!("markdown={}", md.display()),
    ]);
    assert_eq!(
        out.code, 2,
        "a path the user can fix is a usage error (exit 2), never exit 0"
    );
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(md.exists(), "the other writer still ran");

    let out = privflow(&[
        "audit",
        "policies/",
        "--format",
        "json",
        "--format",
        "table",
    ]);
    assert_eq!(out.code, 2, "two formats cannot both own stdout");
    assert_eq!(
        privflow(&["audit", "policies/", "--format", "yaml"]).code,
        2
    );
}

#[test]
fn markdown_is_deterministic_and_escapes_markup() {
    let a = privflow(&[
        "audit",
        "--format",
        "markdown",
        "--today",
        "2026-11-22",
        "policies/",
    ]);
    let b = privflow(&[
        "audit",
        "--format",
        "markdown",
        "--today",
        "2026-11-22",
        "policies/",
    ]);
    assert_eq!(a.stdout, b.stdout);
    insta::assert_snapshot!(a.stdout);
}

#[test]
fn baseline_create_and_compare_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    let base = "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {}, ads: {}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: ads}\nflows:\n  - {id: old, from: app, to: x, fields: [user.device.ip_address]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.device.ip_address, user.contact.email], with: [ads]}\n";
    std::fs::write(&model, base).unwrap();
    let run = |args: &[&str]| privflow_in(dir.path(), args);
    assert_eq!(
        run(&["audit", "m.yaml"]).code,
        1,
        "the known violation fails without a baseline"
    );
    let created = run(&["baseline", "create", "m.yaml", "-o", "base.json"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let accepted = run(&["audit", "m.yaml", "--baseline-file", "base.json"]);
    assert_eq!(
        accepted.code, 0,
        "only new findings fail:\n{}",
        accepted.stdout
    );
    assert!(
        accepted
            .stdout
            .contains("baseline: 2 accepted, 0 new, 0 resolved"),
        "{}",
        accepted.stdout
    );

    // A new violation fails; the known one still does not.
    std::fs::write(
        &model,
        base.replace(
            "flows:\n",
            "flows:\n  - {id: new, from: app, to: x, fields: [user.contact.email]}\n",
        ),
    )
    .unwrap();
    let out = run(&[
        "audit",
        "m.yaml",
        "--baseline-file",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["baseline"]["new"], 2,
        "the email finding and its receipt"
    );

    // Removing the old flow resolves its entries.
    std::fs::write(
        &model,
        base.replace(
            "  - {id: old, from: app, to: x, fields: [user.device.ip_address]}\n",
            "",
        ),
    )
    .unwrap();
    let out = run(&[
        "audit",
        "m.yaml",
        "--baseline-file",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let resolved: Vec<&str> = json["baseline"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["check"].as_str().unwrap())
        .collect();
    let mut resolved = resolved;
    resolved.sort_unstable();
    assert_eq!(resolved, ["c", "disclosure"]);

    std::fs::write(
        dir.path().join("bad.json"),
        "{\"privflow_baseline\": 9, \"entries\": []}",
    )
    .unwrap();
    let out = run(&["audit", "m.yaml", "--baseline-file", "bad.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("baseline format 9 is not supported"),
        "{}",
        out.stderr
    );
}

#[test]
fn completions_and_man_page_generate() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = privflow(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains("privflow"), "{shell}");
        assert!(
            out.stdout.contains("audit"),
            "{shell} completes subcommands"
        );
    }
    let man = privflow(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH privflow 1"));
    assert!(
        man.stdout
            .contains("Audit privacy promises against data flows")
    );
}

#[test]
fn waiver_files_apply_with_wildcards_and_stale_ones_warn_or_fail_under_strict() {
    let base = [
        "audit",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
        "--waivers",
        "fixtures/waivers/whatsapp.yaml",
    ];
    let out = privflow(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(
        out.code, 0,
        "every violation of the policy is waived now:\n{}",
        out.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let crm = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recipient"]["system"] == "business-crm")
        .unwrap();
    assert_eq!(
        crm["waived"], true,
        "the `*` claim selector with a recipient category matched"
    );
    assert_eq!(crm["waiver"]["ticket"], "PRIV-2021-07");
    let stale: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "privflow::waiver::unmatched")
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(stale[0]["file"], "fixtures/waivers/whatsapp.yaml");

    let strict = privflow(&[&base[..], &["--strict"]].concat());
    assert_eq!(
        strict.code, 1,
        "a stale waiver fails the audit under --strict"
    );
    assert!(
        strict
            .stderr
            .contains("× waiver of claim `cannot-see-shared-location` matches no finding"),
        "{}",
        strict.stderr
    );

    let expired = privflow(&[
        "audit",
        "policies/whatsapp-2021.yaml",
        "--waivers",
        "fixtures/waivers/whatsapp.yaml",
        "--today",
        "2100-01-01",
    ]);
    assert_eq!(
        expired.code, 1,
        "past its expiry the waiver no longer hides the violation"
    );
    assert!(
        expired.stderr.contains("privflow::waiver::expired"),
        "{}",
        expired.stderr
    );

    let unknown = privflow(&[
        "audit",
        "policies/",
        "--waivers",
        "fixtures/waivers/unknown.yaml",
    ]);
    assert_eq!(
        unknown.code, 2,
        "unknown references in a waiver file are errors"
    );
    assert!(unknown.stderr.contains("unknown flow `routing-logs`"));
    assert!(
        unknown
            .stderr
            .contains("did you mean `business-chats-encrypted`?")
    );
}

/// The `run:`/`script:`/`entry` commands of a CI definition that invoke privflow.
fn privflow_commands(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) if s.starts_with("privflow ") => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| privflow_commands(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| privflow_commands(v, out)),
        _ => {}
    }
}

#[test]
fn the_documented_ci_definitions_parse_and_their_commands_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("policies")).unwrap();
    for entry in std::fs::read_dir(root.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            work.path().join("policies").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let docs = std::fs::read_to_string(root.join("docs/ci.md")).unwrap();
    for file in ["docs/ci/github-workflow.yml", "docs/ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let yaml: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file} parses: {e}"));
        let mut commands = Vec::new();
        privflow_commands(&yaml, &mut commands);
        assert!(!commands.is_empty(), "{file} runs privflow");
        for command in commands {
            assert!(
                docs.contains(&command),
                "docs/ci.md shows `{command}` as {file} has it"
            );
            let args: Vec<&str> = command.split_whitespace().skip(1).collect();
            let out = privflow_in(work.path(), &args);
            assert_eq!(
                out.code, 1,
                "`{command}` audits the bundled policies and finds their violations:\n{}",
                out.stderr
            );
        }
    }
    assert!(
        work.path().join("privflow.sarif").exists()
            && work.path().join("privflow-junit.xml").exists()
    );

    // The hooks as pre-commit runs them: the entry, then the files `files:` selects.
    let models: Vec<String> = std::fs::read_dir(work.path().join("policies"))
        .unwrap()
        .map(|e| format!("policies/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    let mut ids = Vec::new();
    for hooks_file in [
        ".pre-commit-hooks.yaml",
        "pre-commit/.pre-commit-hooks.yaml",
    ] {
        let hooks: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(root.join(hooks_file)).unwrap())
                .unwrap();
        for hook in hooks.as_array().unwrap() {
            assert_eq!(hook["files"], "^policies/.*\\.ya?ml$", "{hooks_file}");
            assert!(
                hook.get("args").is_none(),
                "{hooks_file}: paths come from `files:`"
            );
            let mut args: Vec<&str> = hook["entry"]
                .as_str()
                .unwrap()
                .split_whitespace()
                .skip(1)
                .collect();
            args.extend(models.iter().map(String::as_str));
            let out = privflow_in(work.path(), &args);
            let expected = if hook["id"] == "privflow-check" { 0 } else { 1 };
            assert_eq!(out.code, expected, "{hooks_file}: hook {}", hook["id"]);
            ids.push((hook["id"].clone(), hook["entry"].clone()));
        }
    }
    // The mirror offers the hooks the source repository does.
    assert_eq!(ids[..ids.len() / 2], ids[ids.len() / 2..]);
}

#[test]
fn sarif_of_a_directory_is_one_run_that_github_accepts() {
    // Issue: the upload action refuses several runs of one category, and GitHub's validator
    // flagged rules without `fullDescription` (GH2012).
    let log = sarif(&["policies/"]);
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run per invocation");
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: std::collections::BTreeSet<&str> =
        rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        rules.len(),
        "rule ids cannot collide across policies"
    );
    assert!(ids.contains("wechat-2019/never-records-conversations"));
    for rule in rules {
        assert!(rule["fullDescription"]["text"].is_string(), "{rule}");
    }
    for result in runs[0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
    }
    assert_eq!(runs[0]["properties"]["resultsLeftOut"], 0);
    let Some(multitool) = crate::support::ci_tool("sarif-multitool") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("privflow.sarif");
    std::fs::write(&input, serde_json::to_string(&log).unwrap()).unwrap();
    for kinds in [&[][..], &["--rule-kind", "Gh"][..]] {
        let report = dir.path().join("validation.sarif");
        let _ = std::fs::remove_file(&report);
        let status = Command::new(&multitool)
            .arg("validate")
            .arg(&input)
            .args(kinds)
            .arg("-o")
            .arg(&report)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let validation: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let errors: Vec<&serde_json::Value> = validation["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "error")
            .collect();
        assert!(errors.is_empty(), "{kinds:?}: {errors:?}");
    }
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root_and_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("models")).unwrap();
    std::fs::create_dir_all(repo.join("sub")).unwrap();
    let model = repo.join("models/spec example.yaml");
    std::fs::copy("fixtures/valid/spec-example.yaml", &model).unwrap();
    for path in ["../models/spec example.yaml", model.to_str().unwrap()] {
        let out = crate::support::privflow_in(
            &repo.join("sub"),
            &["audit", path, "--format", "sarif", "--today", "2026-11-22"],
        );
        let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            serde_json::json!({"uri": "models/spec%20example.yaml", "uriBaseId": "%SRCROOT%"}),
            "{path}"
        );
    }
}

#[test]
fn sarif_keeps_at_most_githubs_25000_results_and_counts_the_rest() {
    let mut model = String::from(
        "privflow: 1\npolicy: {id: many, speaker: app-co}\nentities:\n  app-co: {}\n  other: {}\nsystems:\n  app: {operated_by: app-co, location: device}\n",
    );
    let mut flows = String::from("flows:\n");
    for i in 0..300 {
        model.push_str(&format!("  s{i}: {{operated_by: other}}\n"));
        flows.push_str(&format!(
            "  - {{from: app, to: s{i}, fields: [user.contact.email]}}\n"
        ));
    }
    model.push_str(&flows);
    model.push_str("claims:\n");
    for c in 0..90 {
        model.push_str(&format!(
            "  - {{id: c{c}, kind: no_share, fields: [user.contact.email], with: ['*']}}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.yaml");
    std::fs::write(&path, model).unwrap();
    let out = privflow(&[
        "audit",
        path.to_str().unwrap(),
        "--format",
        "sarif",
        "--today",
        "2026-11-22",
        "--max-findings-total",
        "all",
    ]);
    assert!(
        out.stderr.contains("SARIF holds 25000 of 27001 results"),
        "{}",
        out.stderr
    );
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 25_000);
    assert_eq!(log["runs"][0]["properties"]["resultsLeftOut"], 2_001);
}

/// The JUnit file validates against the Jenkins JUnit schema most CI readers follow (pytest's
/// junit-10.xsd), for a run with failures, a skipped claim and several policies.
#[test]
fn junit_validates_against_the_jenkins_schema() {
    let Some(python) = crate::support::ci_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("privflow.xml");
    let out = privflow(&[
        "audit",
        "policies/",
        "--format",
        "junit",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("skipped=\"1\""),
        "a skipped claim is counted per suite"
    );
    std::fs::write(&xml, &out.stdout).unwrap();
    let check = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, xmlschema\nerrors = [f'{e.path}: {e.reason}' for e in xmlschema.XMLSchema(sys.argv[1]).iter_errors(sys.argv[2])]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)",
            "fixtures/junit/junit-10.xsd",
            xml.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
