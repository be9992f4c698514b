//! `privflow import fides`: a realistic Fides manifest (fixtures/fides, valid for fideslang's own
//! models) becomes a model that checks clean, audits, and diffs as privflow reads it.

use std::process::Command;

use crate::support::{ci_python, privflow, reach_level};

const MANIFEST: &str = "fixtures/fides/cycle-health.yml";
const REVISED: &str = "fixtures/fides/cycle-health-2.yml";

fn imported(dir: &std::path::Path, manifest: &str, name: &str, extra: &[&str]) -> String {
    let path = dir.join(name);
    let mut args = vec!["import", "fides", manifest, "-o", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = privflow(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "the model goes to the -o file");
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_manifests_are_valid_fideslang() {
    let Some(python) = ci_python() else {
        return;
    };
    for manifest in [MANIFEST, REVISED] {
        let out = Command::new(&python)
            .args([
                "-c",
                "import sys, yaml\nfrom fideslang.models import Taxonomy\nt = Taxonomy.model_validate(yaml.safe_load(open(sys.argv[1])))\nprint(len(t.organization), len(t.system), len(t.dataset))",
                manifest,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{manifest}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let counts = String::from_utf8_lossy(&out.stdout);
        assert!(counts.starts_with("2 "), "{manifest}: {counts}");
    }
}

#[test]
fn a_fides_manifest_imports_checks_clean_and_audits() {
    let out = privflow(&["import", "fides", MANIFEST]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let model = out.stdout;
    insta::assert_snapshot!(model);
    // Every guess is said on its line.
    for guessed in [
        "vendor-mailer_saas: {name: \"Postbox Mail Inc.\"}  # guessed: the vendor of system `mailer_saas` (vendor_id gvl.931)",
        "cycle_labs: {name: \"Cycle Labs GmbH\"}  # guessed: fideslang has no ownership",
        "location: device}  # guessed: fideslang's `user` endpoint",
        "sensitive: true}  # guessed: sensitive: privacy declaration \"Provide cycle tracking\"",
    ] {
        assert!(model.contains(guessed), "{guessed}\n{model}");
    }

    let dir = tempfile::tempdir().unwrap();
    let path = imported(dir.path(), MANIFEST, "model.yaml", &[]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), model);
    let check = privflow(&["check", &path]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(check.stderr, "", "no warnings either");
    assert!(
        check
            .stdout
            .contains("cycle_health: 6 systems, 5 flows, 0 claims"),
        "{}",
        check.stdout
    );

    let audit = privflow(&["audit", &path, "--format", "json"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let json: serde_json::Value = serde_json::from_str(&audit.stdout).unwrap();
    let receipts = json["disclosures"].as_array().unwrap();
    let verdict = |entity: &str, field: &str| {
        receipts
            .iter()
            .find(|r| r["entity"] == entity && r["field"] == field)
            .unwrap_or_else(|| panic!("{entity} {field}: {receipts:#?}"))["verdict"]
            .clone()
    };
    // The vendor's declaration discloses what it receives; the third-party share is declared.
    assert_eq!(verdict("vendor-mailer_saas", "user.contact.email"), "clear");
    assert_eq!(
        verdict("third-parties-cycle_app_backend-3", "user.device.device_id"),
        "clear"
    );
    // The manifest collects device ids from users under a declaration that does not list them.
    assert_eq!(verdict("cycle_health", "user.device.device_id"), "omitted");
}

#[test]
fn a_special_category_key_newly_reaching_a_subsidiary_is_an_error_in_diff() {
    let dir = tempfile::tempdir().unwrap();
    let owned = ["--owned-by", "cycle_labs=cycle_health"];
    let base = imported(dir.path(), MANIFEST, "base.yaml", &owned);
    let head = imported(dir.path(), REVISED, "head.yaml", &owned);
    let out = privflow(&["diff", &base, &head, "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let diff: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let level = |field: &str| reach_level(&diff, field, Some("cycle_labs"));
    // The manifest's own category, declared with special-category processing, is sensitive.
    assert_eq!(level("user.behavior.symptom_log"), "error");
    // Inside the group and not sensitive: a warning.
    assert_eq!(level("user.device.device_id"), "warning");
}

#[test]
fn a_broken_manifest_is_exit_2_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "system:\n  - fides_key: a\n    egress: {not: a list}\n",
    )
    .unwrap();
    let out = privflow(&["import", "fides", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("bad.yml:3:"), "{}", out.stderr);
    let missing = privflow(&["import", "fides", "no/such/manifest.yml"]);
    assert_eq!(missing.code, 2);
    let usage = privflow(&["import", "fides", MANIFEST, "--owned-by", "cycle_labs"]);
    assert_eq!(usage.code, 2);
    assert!(
        usage.stderr.contains("is not CHILD=PARENT"),
        "{}",
        usage.stderr
    );
}
