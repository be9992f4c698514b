//! Issue 12's hostile-input table, row by row: each case asserts the exit code, the diagnostic
//! code and where it points. (Rows on what privflow reads and writes are in bounded_io.rs.)

use crate::support::privflow;

const BASE: &str = "privflow: 1\npolicy: {id: p, speaker: acme}\nentities:\n  acme: {name: Acme}\n";

fn temp(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

/// `check --format json`'s first diagnostic: (code, line, column, message).
fn first_diagnostic(path: &str) -> (i32, String, u64, u64, String) {
    let out = privflow(&["check", path, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stdout);
    let d = &json["diagnostics"][0];
    (
        out.code,
        d["code"].as_str().unwrap_or_default().to_owned(),
        d["line"].as_u64().unwrap_or(0),
        d["column"].as_u64().unwrap_or(0),
        d["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn yaml_tags_are_refused_where_they_stand() {
    for (from, to, column) in [
        ("speaker: acme", "speaker: !!binary YWNtZQ==", 26),
        ("name: Acme", "name: !!python/object:os.system Acme", 16),
        ("{name: Acme}", "!custom {name: Acme}", 9),
    ] {
        let (_dir, path) = temp("m.yaml", &BASE.replace(from, to));
        let (code, diag, line, col, message) = first_diagnostic(&path);
        assert_eq!((code, diag.as_str()), (2, "privflow::yaml::tag"), "{to}");
        assert_eq!(
            (line, col),
            (if to.contains("speaker") { 2 } else { 4 }, column),
            "{to}"
        );
        assert!(message.contains("is not allowed"), "{message}");
    }
}

#[test]
fn yaml_messages_name_the_model_not_the_library() {
    let (_d1, two) = temp("two.yaml", &format!("{BASE}---\n{BASE}"));
    let (code, diag, line, col, message) = first_diagnostic(&two);
    assert_eq!(
        (code, diag.as_str(), line, col),
        (2, "privflow::yaml::multiple-documents", 6, 1)
    );
    assert!(!message.contains("from_str"), "{message}");

    let (_d2, float) = temp("float.yaml", &BASE.replace("privflow: 1", "privflow: 1.0"));
    let (code, diag, line, col, message) = first_diagnostic(&float);
    assert_eq!(
        (code, diag.as_str(), line, col),
        (2, "privflow::load::unsupported-version", 1, 11)
    );
    assert!(
        message.contains("`1.0`") && !message.contains("u64"),
        "{message}"
    );

    let (_d3, long) = temp("long.yaml", &format!("{BASE}{}: 1\n", "x".repeat(1025)));
    let (code, diag, line, _, message) = first_diagnostic(&long);
    assert_eq!(
        (code, diag.as_str(), line),
        (2, "privflow::yaml::syntax", 5)
    );
    assert!(
        message.contains("1024") && !message.contains("simple key"),
        "{message}"
    );
}

/// A model whose ids, names and texts carry ESC, BEL, CR, a bidi override and a newline.
const ACTIVE: &str = r#"privflow: 1
policy: {id: "p\e[2J", speaker: acme, title: "T\e]0;pwned\a"}
entities:
  "ac\ame": {name: "Acme\e]0;pwned\a\e[2J"}
  acme: {name: "Acme \u202e evil"}
systems:
  app: {operated_by: acme, location: device, name: "App\r\e[8mhidden"}
  srv: {operated_by: "ac\ame", name: "line\n}\ndigraph evil {"}
flows:
  - {from: app, to: srv, fields: [user.contact.phone_number], purposes: [analytics]}
claims:
  - id: "no\e[2Jshare"
    kind: no_share
    text: "We never \e[8m share"
    fields: [user.contact.phone_number]
    with: ["ac\ame"]
"#;

fn assert_inert(what: &str, text: &str) {
    let active = text
        .chars()
        .find(|&c| c != '\n' && c != '\t' && privflow::inert::is_active(c));
    assert_eq!(active, None, "{what} carries a control character:\n{text}");
}

#[test]
fn control_characters_reach_no_output() {
    let (dir, path) = temp("active.yaml", ACTIVE);
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["table", "json", "sarif", "junit", "github", "markdown"] {
        runs.push(vec![
            "audit".into(),
            path.clone(),
            "--format".into(),
            format.into(),
        ]);
    }
    for format in ["markdown", "html", "json"] {
        runs.push(vec![
            "report".into(),
            path.clone(),
            "--format".into(),
            format.into(),
        ]);
    }
    for format in ["dot", "mermaid", "svg", "json"] {
        runs.push(vec![
            "graph".into(),
            path.clone(),
            "--format".into(),
            format.into(),
        ]);
    }
    for format in ["table", "markdown", "github", "json"] {
        runs.push(vec![
            "diff".into(),
            path.clone(),
            path.clone(),
            "--format".into(),
            format.into(),
        ]);
    }
    runs.push(vec!["explain".into(), path.clone(), "no␛[2Jshare".into()]);
    runs.push(vec!["check".into(), path.clone()]);
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = privflow(&args);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
    }
    let dot = privflow(&["graph", &path, "--format", "dot"]).stdout;
    assert!(
        !dot.contains("\ndigraph evil"),
        "a newline in a name ends a DOT label:\n{dot}"
    );
    let mermaid = privflow(&["graph", &path, "--format", "mermaid"]).stdout;
    assert!(!mermaid.contains("\ndigraph evil"), "{mermaid}");
    // The author hears about it, located.
    let check = privflow(&["check", &path, "--format", "json"]);
    assert!(
        check.stdout.contains("privflow::lint::control-character"),
        "{}",
        check.stdout
    );
    // A model error quoting an active string shows it too.
    std::fs::write(
        dir.path().join("bad.yaml"),
        ACTIVE.replace("with: [\"ac\\ame\"]", "with: [\"x\\e[2J\"]"),
    )
    .unwrap();
    let bad = privflow(&["check", dir.path().join("bad.yaml").to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_inert("a model error", &bad.stderr);
}

#[test]
fn a_policy_of_one_entity_renders_an_empty_diagram() {
    let (_dir, path) = temp("one.yaml", BASE);
    let html = privflow(&["report", &path, "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(
        html.stdout.contains("No systems to draw."),
        "{}",
        html.stdout
    );
    assert!(
        html.stdout.contains("width=\"268\" height=\"80\""),
        "{}",
        html.stdout
    );
}
