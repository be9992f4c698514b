//! What each fuzz target does with its bytes, shared by the libFuzzer targets (nightly) and the
//! stable regression test that replays `fuzz/corpus-regressions/` (tests/it/fuzz_regressions.rs).

use std::path::PathBuf;

use privflow::engine::disclosures::verdict::ConflictMode;
use privflow::model::duration::Date;
use privflow::model::files::Budget;
use privflow::model::loader::{InputFile, LoadFailure, Workspace, load_inputs};
use privflow::output::{
    Github, Json, Junit, Markdown, Report, Sarif, Table, diagram, document, explain, export, html,
};
use privflow::{AuditOptions, AuditRun, audit_workspace};

/// Where the diff target cuts its input in two: base before, revision after.
pub const SIDE_SEPARATOR: &[u8] = b"\n=====\n";

/// The model target: bytes as a model file, through load, audit and every renderer.
pub fn model(data: &[u8]) {
    // Whatever the event reader reads, serde-saphyr must read alike.
    if let Ok(text) = std::str::from_utf8(data) {
        privflow::model::reader::reads_as_serde_does(text);
    }
    match load_inputs(vec![input("fuzz.yaml", data)]) {
        Ok(workspace) => render_everything(&workspace),
        Err(failure) => render_failure(&failure),
    }
}

/// The diff target: two models cut at [`SIDE_SEPARATOR`] (a model diffed with itself when
/// there is none), through the diff and its every format.
pub fn diff(data: &[u8]) {
    let (base, revision) = match find(data, SIDE_SEPARATOR) {
        Some(at) => (&data[..at], &data[at + SIDE_SEPARATOR.len()..]),
        None => (data, data),
    };
    let (Ok(base), Ok(revision)) = (
        load_inputs(vec![input("base.yaml", base)]),
        load_inputs(vec![input("revision.yaml", revision)]),
    ) else {
        return;
    };
    let (base_run, revision_run) = (
        audit_workspace(&base, options()),
        audit_workspace(&revision, options()),
    );
    let report = privflow::diff::compare_sides(
        &privflow::diff::sides(&base_run),
        &privflow::diff::sides(&revision_run),
        &privflow::diff::Levels::default(),
    );
    json_document(&report.json());
    let _ = (report.table(), report.markdown(), report.github());
}

/// The side-file target: the first byte picks a waiver file, a `--levels` file or a baseline;
/// the rest is that file, read from disk as the command line reads it, and applied to a
/// bundled model.
pub fn side_file(data: &[u8]) {
    let Some((&kind, text)) = data.split_first() else {
        return;
    };
    let path = scratch_file(text);
    let mut budget = Budget::default();
    match kind % 3 {
        0 => {
            let Ok(mut workspace) = bundled() else { return };
            match workspace.add_waiver_files(std::slice::from_ref(&path), &mut budget) {
                Ok(()) => {
                    let run = audit_workspace(&workspace, options());
                    json_document(&Json.render(&run));
                }
                Err(failure) => render_failure(&failure),
            }
        }
        1 => {
            if let Err(failure) = privflow::diff::Levels::read(&path, &mut budget) {
                render_failure(&failure);
            }
        }
        _ => match privflow::baseline::Baseline::read(&path, &mut budget) {
            Ok(baseline) => {
                let Ok(workspace) = bundled() else { return };
                let run = audit_workspace(&workspace, options());
                let comparison = privflow::baseline::compare(&run, &baseline);
                json_document(&Json.render_against(&run, Some(&comparison)));
                let _ = table(false).render_against(&run, Some(&comparison));
            }
            Err(failure) => render_failure(&failure),
        },
    }
    let _ = std::fs::remove_file(&path);
}

fn render_everything(workspace: &Workspace) {
    let run = audit_workspace(workspace, options());
    render_audit(&run);
    let reports: Vec<_> = run
        .audits
        .iter()
        .map(|a| document::build(a, &workspace.sources))
        .collect();
    for (audit, report) in run.audits.iter().zip(&reports) {
        let _ = document::markdown(audit, report, &workspace.sources);
    }
    let page = html::page(
        &run.audits,
        &reports,
        &workspace.sources,
        &html::Extras {
            changes: None,
            timestamp: None,
        },
    );
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "the HTML report is one document"
    );
    let mut parts = Vec::new();
    for audit in &run.audits {
        for id in explain::subjects(audit.model) {
            for found in explain::explain(audit, &workspace.sources, id) {
                let _ = explain::render(&found.tree);
            }
        }
        parts.push((
            audit,
            export::Focus {
                field: None,
                claim: None,
            },
        ));
    }
    let graphs: Vec<_> = parts
        .iter()
        .map(|(audit, focus)| export::subgraph(audit, focus))
        .collect();
    let _ = (
        export::dot(&graphs),
        export::mermaid(&graphs),
        export::json(&graphs),
    );
    let _ = diagram::diagrams(&parts);
    let _ = privflow::baseline::Baseline::of(&run).to_json();
}

fn render_audit(run: &AuditRun) {
    json_document(&Json.render(run));
    let sarif = Sarif {
        cwd: PathBuf::from("/work"),
        root: PathBuf::from("/work"),
    };
    json_document(&sarif.render(run));
    let junit = Junit {
        fail_on: privflow::FailOn::Violated,
    };
    let _ = (
        table(true).render(run),
        table(false).render(run),
        junit.render(run),
    );
    let _ = (Github.render(run), Markdown.render(run));
}

/// The table as on a 40-column coloured terminal, or at the fixed width of a file.
fn table(terminal: bool) -> Table {
    Table {
        color: terminal,
        width: terminal.then_some(40),
    }
}

fn render_failure(failure: &LoadFailure) {
    assert!(!failure.diagnostics.is_empty(), "a failed load says why");
    let _ = privflow::diagnostics::render(&failure.diagnostics, &failure.sources, false);
    let json = privflow::diagnostics::to_json(&failure.diagnostics, &failure.sources);
    let _ = serde_json::to_string(&json).expect("diagnostics serialize");
}

/// Every JSON output is one JSON document.
fn json_document(text: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("not one JSON document ({e}):\n{text}");
    }
}

fn bundled() -> Result<Workspace, LoadFailure> {
    let text = include_str!("../policies/whatsapp-2021.yaml");
    load_inputs(vec![input("whatsapp-2021.yaml", text.as_bytes())])
}

fn options() -> AuditOptions {
    AuditOptions {
        today: Date::parse("2026-01-01").expect("a date"),
        conflict: ConflictMode::Specific,
        strict: false,
        listing: privflow::Listing::default(),
    }
}

fn input(path: &str, bytes: &[u8]) -> InputFile {
    InputFile {
        path: path.to_owned(),
        bytes: bytes.to_vec(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A file of this process's own in the temporary directory, holding `bytes`.
fn scratch_file(bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("privflow-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join(format!("{:?}.yaml", std::thread::current().id()).replace(['(', ')'], ""));
    std::fs::write(&path, bytes).expect("a scratch file");
    path
}
