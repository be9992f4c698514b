//! The built-in taxonomies against fideslang itself: every data category and data use of the
//! pinned release (read from the fideslang package `.ci/run` installs from PyPI, not from our
//! `data/`) is a key; moved keys are deprecated aliases; sensitivity shows and counts in diff.

use std::collections::BTreeSet;
use std::process::Command;

use crate::support::{ci_python, privflow, reach_level};

fn taxonomy_json() -> serde_json::Value {
    let out = privflow(&["taxonomy", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn keys(document: &serde_json::Value, which: &str) -> BTreeSet<String> {
    document[which]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_key_of_fideslang_3_1_4_is_built_in() {
    let ours = taxonomy_json();
    assert_eq!(ours["fideslang"], "3.1.4");
    let Some(python) = ci_python() else {
        return;
    };
    let script = "import json, fideslang\nfrom fideslang import DEFAULT_TAXONOMY as T\nprint(json.dumps({'version': fideslang.__version__, 'fields': [c.fides_key for c in T.data_category], 'purposes': [u.fides_key for u in T.data_use]}))";
    let out = Command::new(python).args(["-c", script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        theirs["version"], "3.1.4",
        "the pinned release is installed"
    );
    for which in ["fields", "purposes"] {
        let listed: BTreeSet<String> = theirs[which]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        assert!(listed.len() > 50, "{which}: {listed:?}");
        let built_in = keys(&ours, which);
        let missing: Vec<&String> = listed.difference(&built_in).collect();
        assert!(missing.is_empty(), "{which} missing: {missing:?}");
    }
}

#[test]
fn keys_fideslang_moved_are_read_as_the_new_ones_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {name: A}, b: {name: B}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: b}\nflows:\n  - {from: app, to: x, fields: [user.political_opinion]}\nclaims:\n  - {id: c, kind: no_share, fields: [user.demographic.political_opinion], with: [b]}\n",
    )
    .unwrap();
    let out = privflow(&["audit", model.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "`user.political_opinion` is deprecated: it is now `user.demographic.political_opinion`"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("m.yaml:8:33"), "{}", out.stderr);
    let audit: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let finding = &audit["findings"][0];
    assert_eq!(
        finding["field"], "user.demographic.political_opinion",
        "{audit:#}"
    );

    let ours = taxonomy_json();
    let deprecated = ours["fields"]["deprecated"].as_array().unwrap();
    assert_eq!(deprecated.len(), 4, "{deprecated:?}");
    for alias in deprecated {
        assert!(!keys(&ours, "fields").contains(alias["key"].as_str().unwrap()));
        assert!(keys(&ours, "fields").contains(alias["replaced_by"].as_str().unwrap()));
    }
}

#[test]
fn an_alias_beside_a_definition_or_to_nothing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\ntaxonomy:\n  fields:\n    user.old: {replaced_by: user.name}\n    user.bad: {replaced_by: user.nothing, label: X}\nentities: {a: {name: A}}\nsystems: {app: {operated_by: a}}\n",
    )
    .unwrap();
    let out = privflow(&["check", model.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("field `user.bad` is an alias and a definition")
    );
    assert!(
        out.stderr
            .contains("names unknown replacement `user.nothing`")
    );
    assert!(out.stderr.contains("m.yaml:6:5"), "{}", out.stderr);
}

#[test]
fn sensitivity_shows_is_inherited_and_a_model_may_mark_its_own_keys() {
    let ours = taxonomy_json();
    let sensitive = |key: &str| {
        ours["fields"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == key)
            .unwrap_or_else(|| panic!("{key}"))["sensitive"]
            .as_bool()
            .unwrap()
    };
    for key in [
        "user.health_and_medical.genetic",
        "user.biometric.fingerprint",
        "user.demographic.religious_belief",
        "user.government_id.passport_number",
        "user.location.precise",
        "user.content.private.message",
        "user.social.address_book",
        "user.childrens",
    ] {
        assert!(sensitive(key), "{key}");
    }
    for key in [
        "user.contact.email",
        "user.demographic.age_range",
        "user.device.ip_address",
    ] {
        assert!(!sensitive(key), "{key}");
    }
    let tree = privflow(&["taxonomy", "fields"]).stdout;
    assert!(
        tree.contains("    genetic  — User's Genetic Data [sensitive]"),
        "{tree}"
    );
    assert!(tree.contains("  user.religious_belief → user.demographic.religious_belief"));

    // A model's own key marked sensitive newly reaching a subsidiary is an error in diff.
    let dir = tempfile::tempdir().unwrap();
    let head = "privflow: 1\npolicy: {id: p, speaker: a}\ntaxonomy:\n  fields:\n    user.cycle_data: {label: Menstrual cycle, sensitive: true}\n    user.step_count: {label: Steps}\nentities: {a: {name: A}, sub: {name: Sub, owned_by: a}}\nsystems:\n  app: {operated_by: a, location: device}\n  x: {operated_by: sub}\n";
    let base = dir.path().join("base.yaml");
    let revised = dir.path().join("head.yaml");
    std::fs::write(&base, format!("{head}flows: []\n")).unwrap();
    std::fs::write(
        &revised,
        format!("{head}flows:\n  - {{id: f, from: app, to: x, fields: [user.cycle_data, user.step_count]}}\n"),
    )
    .unwrap();
    let out = privflow(&[
        "diff",
        base.to_str().unwrap(),
        revised.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let diff: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let level = |field: &str| reach_level(&diff, field, None);
    assert_eq!(level("user.cycle_data"), "error");
    assert_eq!(level("user.step_count"), "warning");
    assert_eq!(out.code, 1, "{}", out.stderr);
}
