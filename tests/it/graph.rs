//! `privflow graph`: DOT and Mermaid of the bundled policies, focus on a field or a claim, and
//! names that could break the markup.

use std::fmt::Write as _;

use crate::support::privflow;

#[test]
fn dot_and_mermaid_of_the_whatsapp_update() {
    let dot = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    insta::assert_snapshot!("graph_whatsapp_2021_dot", dot.stdout);
    let mermaid = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!("graph_whatsapp_2021_mermaid", mermaid.stdout);
    assert!(mermaid.stdout.starts_with("flowchart LR\n"));
    // One node per system, in a box per company group.
    assert_eq!(
        mermaid
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with('s') && l.contains("<br/>"))
            .count(),
        9
    );
}

#[test]
fn focus_on_a_field_or_a_claim() {
    let out = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--field",
        "user.device.ip_address",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let edges: Vec<&str> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        edges,
        ["connect-and-route", "share-with-facebook-companies"]
    );
    let out = privflow(&[
        "graph",
        "policies/whatsapp-2021.yaml",
        "--format",
        "json",
        "--claim",
        "business-chats-encrypted",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let edges: Vec<(&str, bool)> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["breaks_a_promise"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            ("business-chat", true),
            ("business-decrypted-copies", true),
            ("business-hosting", false)
        ]
    );
    assert_eq!(
        privflow(&[
            "graph",
            "policies/whatsapp-2021.yaml",
            "--field",
            "user.contact.phone_numbr"
        ])
        .code,
        2
    );
    assert_eq!(
        privflow(&["graph", "policies/whatsapp-2021.yaml", "--claim", "nope"]).code,
        2
    );
}

#[test]
fn names_cannot_break_the_markup() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "privflow: 1\npolicy: {id: p, speaker: a}\nentities: {a: {name: \"A \\\"quoted\\\" <b>Co</b>\"}, b: {name: Bé & Co}}\nsystems:\n  app: {operated_by: a, name: \"<script>x</script>\", location: device}\n  x: {operated_by: b, name: \"say \\\"hi\\\"\"}\nflows:\n  - {from: app, to: x, fields: [user.name]}\n",
    )
    .unwrap();
    let path = model.to_str().unwrap();
    let mermaid = privflow(&["graph", path, "--format", "mermaid"]).stdout;
    assert!(
        !mermaid.contains("<script>") && mermaid.contains("#lt;script#gt;"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("say #quot;hi#quot;") && mermaid.contains("Bé & Co"),
        "{mermaid}"
    );
    let dot = privflow(&["graph", path]).stdout;
    assert!(dot.contains("label=\"say \\\"hi\\\"\\n(x)\""), "{dot}");
}

/// Feeds `text` to `program args…` on stdin; `Err` with what it said when it refuses it.
fn consume(program: &str, args: &[&str], text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn have(program: &str) -> bool {
    let found = std::process::Command::new("which")
        .arg(program)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have `{program}`: .ci/run installs it"
        );
        eprintln!("skipped: no `{program}` here (.ci/run installs it)");
    }
    found
}

/// Mermaid text parsed by the real `mermaid` package, when `.ci/run` installed it.
fn mermaid_parses(text: &str) -> Option<Result<(), String>> {
    let modules =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/node_modules");
    if !modules.join("mermaid").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have mermaid: .ci/run installs it"
        );
        eprintln!("skipped: no mermaid package here (.ci/run installs it)");
        return None;
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/mermaid-parse.mjs");
    let mut child = std::process::Command::new("node")
        .arg(script)
        .env("NODE_PATH", &modules)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn every_graph_and_report_output_of_the_bundled_policies_is_one_document_its_tool_reads() {
    // One policy and all four: each output is one valid document of its format.
    for paths in [&["policies/whatsapp-2021.yaml"][..], &["policies/"][..]] {
        let run = |format: &str| {
            let mut args = vec!["graph", "--format", format, "--today", "2026-11-22"];
            args.extend_from_slice(paths);
            let out = privflow(&args);
            assert_eq!(out.code, 0, "{format}: {}", out.stderr);
            out.stdout
        };
        serde_json::from_str::<serde_json::Value>(&run("json")).expect("graph JSON is one value");
        let svg = run("svg");
        consume(
            "python3",
            &[
                "-c",
                "import sys, xml.etree.ElementTree as E; E.fromstring(sys.stdin.read())",
            ],
            &svg,
        )
        .unwrap_or_else(|e| panic!("{paths:?}: SVG is not one XML document: {e}"));
        if have("dot") {
            consume("dot", &["-Tsvg", "-o", "/dev/null"], &run("dot"))
                .unwrap_or_else(|e| panic!("{paths:?}: dot refuses it: {e}"));
        }
        if let Some(parsed) = mermaid_parses(&run("mermaid")) {
            parsed.unwrap_or_else(|e| panic!("{paths:?}: mermaid refuses it: {e}"));
        }
        let mut args = vec!["report", "--format", "json", "--today", "2026-11-22"];
        args.extend_from_slice(paths);
        serde_json::from_str::<serde_json::Value>(&privflow(&args).stdout).expect("report JSON");
        let mut args = vec!["report", "--format", "html", "--today", "2026-11-22"];
        args.extend_from_slice(paths);
        let checker = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/html-check.py");
        consume("python3", &[checker], &privflow(&args).stdout)
            .unwrap_or_else(|e| panic!("{paths:?}: the HTML report: {e}"));
        let mut args = vec!["report", "--format", "markdown", "--today", "2026-11-22"];
        args.extend_from_slice(paths);
        let markdown = privflow(&args).stdout;
        for block in markdown.split("```mermaid\n").skip(1) {
            let diagram = block.split("```").next().unwrap();
            if let Some(parsed) = mermaid_parses(diagram) {
                parsed.unwrap_or_else(|e| panic!("{paths:?}: the report's mermaid: {e}"));
            }
        }
    }
}

/// `privflow graph --format mermaid` and the Markdown report's block of `model`.
fn mermaid_of(model: &str) -> [String; 2] {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, model).unwrap();
    let path = path.to_str().unwrap();
    let graph = privflow(&["graph", "--format", "mermaid", path]);
    assert_eq!(graph.code, 0, "{}", graph.stderr);
    let report = privflow(&[
        "report",
        "--format",
        "markdown",
        "--today",
        "2026-11-22",
        path,
    ]);
    let block = report.stdout.split("```mermaid\n").nth(1).unwrap();
    let block = block.split("```").next().unwrap().to_owned();
    [graph.stdout, block]
}

/// 400 flows among 20 systems, each listing six long field keys: under Mermaid's 500 links,
/// over its 50 000 characters.
fn long_labels() -> String {
    let mut model = String::from(
        "privflow: 1\npolicy: {id: p, speaker: e0}\nentities:\n  e0: {}\n  e1: {}\nsystems:\n",
    );
    for i in 0..20 {
        let _ = writeln!(model, "  a{i}: {{operated_by: e{}}}", i % 2);
    }
    model.push_str("flows:\n");
    for i in 0..400 {
        let (from, to) = (i % 20, (i * 7 + 1) % 20);
        let to = if to == from { (to + 1) % 20 } else { to };
        let _ = writeln!(
            model,
            "  - {{from: a{from}, to: a{to}, fields: [user.behavior.communication_metadata, user.behavior.browsing_history, user.behavior.media_consumption, user.behavior.purchase_history, user.content.private.message, user.content.private.media]}}"
        );
    }
    model
}

#[test]
fn past_mermaids_limit_the_diagram_drops_labels_then_collapses_to_companies() {
    let generated = |systems, flows| {
        crate::generate::model(&crate::generate::Size {
            systems,
            flows,
            keys: 40,
            claims: 20,
        })
    };
    for (model, said, node) in [
        (
            long_labels(),
            "the arrows are drawn without their field labels",
            "  s0 --> s",
        ),
        (
            generated(200, 1_000),
            "the systems are collapsed to their company groups",
            "  g0[\"",
        ),
    ] {
        let systems = model.lines().filter(|l| l.contains("operated_by")).count();
        for diagram in mermaid_of(&model) {
            assert!(
                diagram.len() < 50_000,
                "{systems}: {} characters",
                diagram.len()
            );
            assert!(
                diagram.contains(&format!("over Mermaid's limits of 50000 and 500: {said}.")),
                "{systems}: {diagram}"
            );
            assert!(diagram.contains(node), "{systems}: {diagram}");
            if let Some(parsed) = mermaid_parses(&diagram) {
                parsed.unwrap_or_else(|e| panic!("{systems}: mermaid refuses it: {e}"));
            }
        }
    }
}

#[test]
fn a_flow_only_on_a_possible_breach_is_amber_not_red_in_every_diagram() {
    let run = |format: &str| {
        let out = privflow(&[
            "graph",
            "--format",
            format,
            "fixtures/valid/disclosures.yaml",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let svg = run("svg");
    assert!(
        svg.contains("<g class=\"edge possible\" data-from=\"api\" data-to=\"stats\""),
        "{svg}"
    );
    assert!(svg.contains("<g class=\"edge breaks\" data-from=\"app\" data-to=\"api\""));
    let mermaid = run("mermaid");
    assert!(
        mermaid.contains("  linkStyle 0,1,2,3 stroke:#d00,stroke-width:2px\n  linkStyle 4 stroke:#b35c00,stroke-width:2px\n"),
        "{mermaid}"
    );
    assert!(run("dot").contains(
        "\"api\" -> \"stats\" [label=\"device.ip_address\", color=\"#b35c00\", fontcolor=\"#b35c00\", penwidth=2];"
    ));
}
