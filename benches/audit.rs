//! Benchmark: audits a generated model of 10 000 systems, 100 000 flows, 200 field keys and
//! 1 000 claims, and prints wall time per phase and peak memory (run: `cargo bench`).

#[expect(
    dead_code,
    reason = "its chain generator serves the scale bench and the tests"
)]
mod generate;

use std::time::Instant;

use privflow::AuditOptions;
use privflow::engine::disclosures::verdict::ConflictMode;
use privflow::model::duration::Date;
use privflow::model::loader::{InputFile, load_inputs};

/// Peak resident memory of this process, from Linux's /proc (None elsewhere).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let size = generate::Size {
        systems: 10_000,
        flows: 100_000,
        keys: 200,
        claims: 1_000,
    };
    let started = Instant::now();
    let text = generate::model(&size);
    let generated = started.elapsed();
    let bytes = text.len();

    let started = Instant::now();
    let workspace = load_inputs(vec![InputFile {
        path: "generated.yaml".into(),
        bytes: text.into_bytes(),
    }])
    .unwrap_or_else(|f| panic!("generated model must load: {:?}", &f.diagnostics[..1]));
    let loaded = started.elapsed();

    let started = Instant::now();
    let options = AuditOptions {
        today: Date::parse("2026-01-01").unwrap(),
        conflict: ConflictMode::Specific,
        strict: false,
        listing: privflow::Listing::default(),
    };
    let run = privflow::audit_workspace(&workspace, options);
    let audited = started.elapsed();
    let findings: usize = run.audits.iter().map(|a| a.findings.len()).sum();
    let receipts: usize = run.audits.iter().map(|a| a.disclosures.judged.len()).sum();

    println!("privflow audit benchmark");
    println!(
        "  model      {} systems, {} flows, {} field keys, {} claims ({:.1} MB of YAML, generated in {:.2?})",
        size.systems,
        size.flows,
        size.keys,
        size.claims,
        bytes as f64 / 1e6,
        generated
    );
    println!("  load       {loaded:.2?} (parse + validate)");
    println!("  audit      {audited:.2?} ({findings} findings, {receipts} receipts judged)");
    println!("  total      {:.2?}", loaded + audited);
    // Diff: the same model against a revision with 1 000 more flows.
    let started = Instant::now();
    let revised = generate::revision(&generate::model(&size), &size, 1_000);
    let revision = load_inputs(vec![InputFile {
        path: "revision.yaml".into(),
        bytes: revised.into_bytes(),
    }])
    .unwrap_or_else(|f| panic!("the revision must load: {:?}", &f.diagnostics[..1]));
    let revision_run = privflow::audit_workspace(&revision, options);
    let changes = privflow::diff::diff(
        privflow::diff::Side {
            audit: &run.audits[0],
            sources: &workspace.sources,
        },
        privflow::diff::Side {
            audit: &revision_run.audits[0],
            sources: &revision.sources,
        },
        &privflow::diff::Levels::default(),
    );
    println!(
        "  diff       {:.2?} (load and audit the revision, compare: {} changes)",
        started.elapsed(),
        changes.len()
    );
    // Report: the HTML page of a 1 000-system model.
    let small = generate::Size {
        systems: 1_000,
        flows: 10_000,
        keys: 100,
        claims: 100,
    };
    let started = Instant::now();
    let ws = load_inputs(vec![InputFile {
        path: "report.yaml".into(),
        bytes: generate::model(&small).into_bytes(),
    }])
    .unwrap_or_else(|f| panic!("the report model must load: {:?}", &f.diagnostics[..1]));
    let report_run = privflow::audit_workspace(&ws, options);
    let reports: Vec<_> = report_run
        .audits
        .iter()
        .map(|a| privflow::output::document::build(a, &ws.sources))
        .collect();
    let page = privflow::output::html::page(
        &report_run.audits,
        &reports,
        &ws.sources,
        &Default::default(),
    );
    println!(
        "  report     {:.2?} (1 000 systems, 10 000 flows: load, audit and a {:.1} MB HTML page)",
        started.elapsed(),
        page.len() as f64 / 1e6
    );
    match peak_memory_mb() {
        Some(mb) => println!("  peak RSS   {mb:.0} MB"),
        None => println!("  peak RSS   unavailable on this platform"),
    }
    outputs();
}

/// Peak memory of the `privflow` binary per output format on a model with many results: SARIF
/// is written as it is made, so it stays within twice what JSON takes.
fn outputs() {
    // 12 000 flows from the app to other companies, and 50 promises about everyone: 600 000
    // findings, the case that once took 1.6 GB for a 262 MB SARIF file.
    let mut text = String::from(
        "privflow: 1\npolicy: {id: dense, speaker: app-co}\nentities:\n  app-co: {}\n  other: {}\nsystems:\n  app: {operated_by: app-co, location: device}\n",
    );
    let mut flows = String::from("flows:\n");
    for i in 0..12_000 {
        text.push_str(&format!("  s{i}: {{operated_by: other}}\n"));
        flows.push_str(&format!(
            "  - {{from: app, to: s{i}, fields: [user.contact.email, user.device.ip_address]}}\n"
        ));
    }
    text.push_str(&flows);
    text.push_str("claims:\n");
    for c in 0..50 {
        text.push_str(&format!(
            "  - {{id: c{c}, kind: no_share, fields: [user], with: ['*']}}\n"
        ));
    }
    let dir = std::env::temp_dir().join(format!("privflow-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let model = dir.join("outputs.yaml");
    if std::fs::write(&model, text).is_err() {
        return;
    }
    println!(
        "  outputs    12 000 flows × 50 promises about everyone: peak RSS of `privflow audit` per format"
    );
    for format in ["json", "sarif", "table"] {
        let out = dir.join(format!("out.{format}"));
        let started = Instant::now();
        let ran = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(env!("CARGO_BIN_EXE_privflow"))
            .args([
                "audit",
                "--fail-on",
                "never",
                "--today",
                "2026-01-01",
                "--format",
            ])
            .arg(format!("{format}={}", out.display()))
            .arg(&model)
            .output();
        let Ok(ran) = ran else {
            println!("    (no /usr/bin/time here)");
            break;
        };
        let kb: f64 = String::from_utf8_lossy(&ran.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0.0);
        let written = std::fs::metadata(&out).map_or(0, |m| m.len());
        println!(
            "    {format:<6} {:>6.0} MB peak, {:.2?}, {:.1} MB written",
            kb / 1024.0,
            started.elapsed(),
            written as f64 / 1e6
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
