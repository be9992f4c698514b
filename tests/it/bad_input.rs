//! Every broken or hostile input of SPEC §9 ends in exit 2 with a located diagnostic, never a
//! panic. Diagnostics are snapshot-tested as a user sees them (no colour, no hyperlinks).

use std::io::Write;

use crate::support::privflow;

/// Runs `check` on a fixture and returns its stderr after asserting exit 2 and no panic.
fn rejected(path: &str) -> String {
    let out = privflow(&["check", path]);
    assert_eq!(
        out.code, 2,
        "{path} must be rejected:\n{}{}",
        out.stdout, out.stderr
    );
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("internal error"),
        "{}",
        out.stderr
    );
    out.stderr
}

macro_rules! snapshot_case {
    ($name:ident, $path:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), rejected($path));
        }
    };
}

snapshot_case!(malformed_yaml, "fixtures/invalid/malformed.yaml");
snapshot_case!(wrong_type, "fixtures/invalid/wrong-type.yaml");
snapshot_case!(unknown_key, "fixtures/invalid/unknown-key.yaml");
snapshot_case!(duplicate_key, "fixtures/invalid/duplicate-key.yaml");
snapshot_case!(yes_is_not_a_boolean, "fixtures/invalid/yes-no-enum.yaml");
snapshot_case!(
    dangling_reference_suggests_the_fix,
    "fixtures/invalid/dangling-reference.yaml"
);
snapshot_case!(ownership_cycle, "fixtures/invalid/ownership-cycle.yaml");
snapshot_case!(taxonomy_cycle, "fixtures/invalid/taxonomy-cycle.yaml");
snapshot_case!(wrong_format_version, "fixtures/invalid/wrong-version.yaml");
snapshot_case!(empty_file, "fixtures/invalid/empty.yaml");
snapshot_case!(directory_without_yaml, "fixtures/invalid/no-yaml");
snapshot_case!(alias_bomb, "fixtures/invalid/alias-bomb.yaml");
snapshot_case!(
    all_problems_of_a_file_in_one_run,
    "fixtures/invalid/many-problems.yaml"
);
snapshot_case!(
    duplicate_ids_across_files,
    "fixtures/invalid/duplicate-across-files"
);
snapshot_case!(bad_selectors, "fixtures/invalid/bad-selector.yaml");
snapshot_case!(
    disclosure_needs_one_statement,
    "fixtures/invalid/bad-disclosure.yaml"
);
snapshot_case!(
    waiver_of_unknown_flow_and_bad_date,
    "fixtures/invalid/unknown-waiver-flow.yaml"
);

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn non_utf8_bytes() {
    let (_dir, path) = temp_file(
        "latin1.yaml",
        b"privflow: 1\npolicy: {id: p, speaker: a}\nentities:\n  a: {name: Caf\xe9}\n",
    );
    let stderr = rejected(&path);
    assert!(stderr.contains("privflow::load::not-utf8"), "{stderr}");
    assert!(stderr.contains("latin1.yaml:4:16"), "{stderr}");
}

#[test]
fn hundred_thousand_levels_of_nesting() {
    let depth = 100_000;
    let text = format!(
        "privflow: 1\npolicy: {{id: p, speaker: a}}\nflows: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (_dir, path) = temp_file("deep.yaml", text.as_bytes());
    let stderr = rejected(&path);
    assert!(stderr.contains("privflow::yaml::budget"), "{stderr}");
    assert!(
        stderr.len() < 2_000,
        "the snippet of a 200 kB line is left out: {} bytes",
        stderr.len()
    );
}

#[test]
fn deeply_nested_block_mappings() {
    let mut text = String::from("privflow: 1\npolicy: {id: p, speaker: a}\ntaxonomy:\n");
    for level in 0..5_000 {
        text.push_str(&" ".repeat(level + 1));
        text.push_str("k:\n");
    }
    let (_dir, path) = temp_file("deep-block.yaml", text.as_bytes());
    rejected(&path);
}

#[test]
fn a_200_megabyte_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file: 200 MB on paper, nothing on disk, so the test is fast and honest about
    // what privflow checks first (the size, before reading a byte).
    file.set_len(200 * 1024 * 1024).unwrap();
    let stderr = rejected(path.to_str().unwrap());
    assert!(stderr.contains("privflow::load::too-large"), "{stderr}");
    assert!(stderr.contains("200.0 MiB"), "sizes in one unit: {stderr}");
}

#[test]
fn load_errors_as_json_carry_line_and_column() {
    let out = privflow(&[
        "audit",
        "--format",
        "json",
        "fixtures/invalid/dangling-reference.yaml",
    ]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "privflow::model::unknown-system");
    assert_eq!(d["file"], "fixtures/invalid/dangling-reference.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(10), Some(21))
    );
    assert_eq!(d["help"], "did you mean `wa-server`?");
}

/// Issue 13: serde stops at a file's first shape error, so a broken file took one run per
/// mistake. Each section and item is now checked on its own after the first error.
#[test]
fn a_file_with_five_shape_errors_reports_all_five_in_one_run() {
    let out = privflow(&[
        "check",
        "--format",
        "json",
        "fixtures/invalid/five-shape-errors.yaml",
    ]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<(String, u64, u64, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("privflow::yaml::")
                    .to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["help"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("unknown-key", 5, 12, "did you mean `name`?"),
        ("wrong-type", 8, 40, "did you mean `device`?"),
        ("unknown-key", 11, 5, ""),
        ("unknown-key", 17, 5, "did you mean `purposes`?"),
        (
            "wrong-type",
            19,
            66,
            "expected one of `exact`, `subsidiaries`, `group`",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (found, (code, line, column, help)) in found.iter().zip(expected) {
        assert_eq!((found.0.as_str(), found.1, found.2), (code, line, column));
        assert!(found.3.starts_with(help), "{found:?}");
    }
}

#[test]
fn every_shape_error_of_flow_style_lists_and_unknown_sections_is_reported() {
    let (_dir, path) = temp_file(
        "flows.yaml",
        b"privflow: 1\nflows: [{from: a, to: b, fields: [x], bad: 1}, {from: a, to: b, fields: [x], worse: 2}]\nextras: {}\n",
    );
    let out = privflow(&["check", "--format", "json", &path]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let at: Vec<(u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(at, [(2, 39), (2, 78), (3, 1)], "{}", json["diagnostics"]);
    assert!(
        json["diagnostics"][2]["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `extras`")
    );
}

#[test]
fn a_file_with_aliases_reports_its_first_shape_error_only() {
    // An item on its own would lose what its alias points at: no guesses, only serde's error.
    let (_dir, path) = temp_file(
        "aliases.yaml",
        b"privflow: 1\nentities:\n  a: &e {}\n  b: *e\n  c: {nmae: C}\n  d: {nmae: D}\n",
    );
    let out = privflow(&["check", "--format", "json", &path]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1, "{json}");
}
