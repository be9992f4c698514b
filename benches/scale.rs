//! Benchmark of issue 13, privflow at scale: the audit of a generated 100 000-flow model against a
//! bare YAML event scan of the same file, growth per dimension, and the superlinear cases.
//! Prints figures, asserts nothing (run on Linux: `cargo bench --bench scale`; `-- cases` runs
//! only the superlinear cases).

mod generate;
mod measure;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use measure::{Budget, Cost, DEFAULT_BUDGET, measure, privflow, row};

/// Rounds of scan and audit, interleaved so machine noise falls on both alike.
const ROUNDS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--scan") {
        scan(Path::new(&args[at + 1]));
        return;
    }
    let base = generate::Size {
        systems: 10_000,
        flows: 100_000,
        keys: 200,
        claims: 1_000,
    };
    // `-- --model FILE [SYSTEMS,FLOWS,KEYS,CLAIMS]` writes the generated model (for profiling,
    // or for the peers' equal models in benches/peers.sh), and measures nothing.
    if let Some(at) = args.iter().position(|a| a == "--model") {
        let size = args.get(at + 2).map_or(base, |dims| {
            let n: Vec<usize> = dims.split(',').map(|d| d.parse().unwrap()).collect();
            generate::Size {
                systems: n[0],
                flows: n[1],
                keys: n[2],
                claims: n[3],
            }
        });
        std::fs::write(&args[at + 1], generate::model(&size)).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    if args.iter().any(|a| a == "cases") {
        cases(dir.path());
        return;
    }
    let model = write(dir.path(), "base.yaml", &generate::model(&base));
    let bytes = std::fs::metadata(&model).unwrap().len();
    println!(
        "privflow at scale (issue 13): {} systems, {} flows, {} keys, {} claims, {:.1} MiB of YAML; load {}",
        base.systems,
        base.flows,
        base.keys,
        base.claims,
        mib(bytes),
        load_average()
    );
    let (scan, audit) = interleaved(&model);
    println!(
        "  event scan (granit-parser, no tree)  median {:>8.2?}  {:>7.1} MiB",
        median(&scan),
        scan.iter().map(|c| c.peak_mib).fold(0.0, f64::max)
    );
    let audit_peak = audit.iter().map(|c| c.peak_mib).fold(0.0, f64::max);
    println!(
        "  audit --format json                  median {:>8.2?}  {:>7.1} MiB",
        median(&audit),
        audit_peak
    );
    println!(
        "  ratio {:.2}× the scan (goal ≤ 2.0×), memory {:.1}× the file (goal ≤ 10×)",
        median(&audit).as_secs_f64() / median(&scan).as_secs_f64(),
        audit_peak / mib(bytes)
    );

    let text = std::fs::read_to_string(&model).unwrap();
    let revision = write(
        dir.path(),
        "revision.yaml",
        &generate::revision(&text, &base, 1_000),
    );
    drop(text);
    let me = std::env::current_exe().unwrap();
    let mut scan_both = Duration::ZERO;
    for path in [&model, &revision] {
        let mut command = Command::new(&me);
        command.arg("--scan").arg(path);
        scan_both += measure(&mut command, None, DEFAULT_BUDGET).wall;
    }
    let (base_path, revision_path) = (model.to_string_lossy(), revision.to_string_lossy());
    let mut command = privflow(&[
        "diff",
        "--format",
        "json",
        "--fail-on",
        "never",
        &base_path,
        &revision_path,
    ]);
    command.env("PRIVFLOW_MAX_FILE_MIB", "1024");
    let diff = measure(&mut command, None, DEFAULT_BUDGET);
    println!(
        "  diff against a revision with 1 000 more flows {:>8.2?}  {:.2}× the scan of both (goal ≤ 4×)  {:>7.1} MiB",
        diff.wall,
        diff.wall.as_secs_f64() / scan_both.as_secs_f64(),
        diff.peak_mib
    );

    println!("growth: each dimension doubled, audit time against the base (goal ≤ 2.2×)");
    let base_time = median(&audit).as_secs_f64();
    for (what, size) in [
        (
            "2× flows",
            generate::Size {
                flows: 2 * base.flows,
                ..copy(&base)
            },
        ),
        (
            "2× keys",
            generate::Size {
                keys: 2 * base.keys,
                ..copy(&base)
            },
        ),
        (
            "2× claims",
            generate::Size {
                claims: 2 * base.claims,
                ..copy(&base)
            },
        ),
    ] {
        let path = write(dir.path(), "grown.yaml", &generate::model(&size));
        let cost = audit_once(&path, DEFAULT_BUDGET);
        println!(
            "  {what:<10} {:>8.2?}  {:.2}×  {:>7.1} MiB{}",
            cost.wall,
            cost.wall.as_secs_f64() / base_time,
            cost.peak_mib,
            cost.killed
                .as_deref()
                .map(|k| format!("  (killed {k})"))
                .unwrap_or_default()
        );
    }

    let million = generate::Size {
        flows: 10 * base.flows,
        ..copy(&base)
    };
    let path = write(dir.path(), "million.yaml", &generate::model(&million));
    let size = mib(std::fs::metadata(&path).unwrap().len());
    let cost = audit_once(&path, DEFAULT_BUDGET);
    println!(
        "10⁶ flows ({size:.0} MiB, within the default file limit): {:.2?}  {:.1} MiB ({:.1}× the file){}",
        cost.wall,
        cost.peak_mib,
        cost.peak_mib / size,
        cost.killed
            .as_deref()
            .map(|k| format!("  (killed {k})"))
            .unwrap_or_default()
    );
    let _ = std::fs::remove_file(&path);

    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut bundled: Vec<Cost> = (0..ROUNDS)
        .map(|_| audit_once(&policies, DEFAULT_BUDGET))
        .collect();
    bundled.sort_by_key(|c| c.wall);
    println!(
        "bundled policies: audit --format json median {:.2?} (goal ≤ 20 ms)",
        bundled[ROUNDS / 2].wall
    );

    cases(dir.path());
}

/// Prints time and memory of every superlinear case (alone: `cargo bench --bench scale -- cases`).
fn cases(dir: &Path) {
    println!(
        "superlinear cases (each killed past 60 s or 2 GiB): goal, each ends in seconds within 1 GiB"
    );
    for (what, text) in superlinear_cases() {
        let path = write(dir, "case.yaml", &text);
        let size = std::fs::metadata(&path).unwrap().len();
        row(
            &format!("{what} ({:.1} MiB)", mib(size)),
            &audit_once(&path, DEFAULT_BUDGET),
        );
    }
}

fn copy(size: &generate::Size) -> generate::Size {
    generate::Size {
        systems: size.systems,
        flows: size.flows,
        keys: size.keys,
        claims: size.claims,
    }
}

/// The event scan, run in this benchmark's own binary as a child process so that it is measured
/// the way the audit is: reads the file and counts saphyr events, building nothing.
fn scan(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let events = granit_parser::Parser::new_from_str(&text)
        .take_while(Result::is_ok)
        .count();
    std::hint::black_box(events);
}

fn interleaved(model: &Path) -> (Vec<Cost>, Vec<Cost>) {
    let me = std::env::current_exe().unwrap();
    let mut scans = Vec::new();
    let mut audits = Vec::new();
    for _ in 0..ROUNDS {
        let mut command = Command::new(&me);
        command.arg("--scan").arg(model);
        scans.push(measure(&mut command, None, DEFAULT_BUDGET));
        audits.push(audit_once(model, DEFAULT_BUDGET));
    }
    (scans, audits)
}

fn audit_once(path: &Path, budget: Budget) -> Cost {
    let path = path.to_string_lossy();
    let mut command = privflow(&[
        "audit",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--today",
        "2026-01-01",
        &path,
    ]);
    command.env("PRIVFLOW_MAX_FILE_MIB", "1024");
    command.env("PRIVFLOW_MAX_INPUT_MIB", "4096");
    measure(&mut command, None, budget)
}

fn median(costs: &[Cost]) -> Duration {
    let mut walls: Vec<Duration> = costs.iter().map(|c| c.wall).collect();
    walls.sort();
    walls[walls.len() / 2]
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 20) as f64
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const HEAD: &str = "privflow: 1\npolicy: {id: p, speaker: e0}\n";

/// The inputs of issue 13's list of growth worse than linear, each a small generated model.
fn superlinear_cases() -> Vec<(&'static str, String)> {
    let mut cases = Vec::new();
    let entities = "entities:\n  e0: {}\n  e1: {}\nsystems:\n  s0: {operated_by: e0}\n  s1: {operated_by: e1}\n";

    let mut chain = format!("{HEAD}taxonomy:\n  fields:\n    user.c0: {{}}\n");
    for i in 1..100_000 {
        let _ = writeln!(chain, "    user.c{i}: {{parents: [user.c{}]}}", i - 1);
    }
    chain.push_str(entities);
    cases.push(("taxonomy: a 100 000-key parent chain", chain));

    let mut diamond = format!("{HEAD}taxonomy:\n  fields:\n");
    for layer in 0..1_000 {
        for k in 0..10 {
            let parents: Vec<String> = if layer == 0 {
                vec!["user".to_owned()]
            } else {
                (0..10)
                    .map(|p| format!("user.l{}.k{p}", layer - 1))
                    .collect()
            };
            let _ = writeln!(
                diamond,
                "    user.l{layer}.k{k}: {{parents: [{}]}}",
                parents.join(", ")
            );
        }
    }
    diamond.push_str(entities);
    cases.push(("taxonomy: 1 000 layers × 10 diamond parents", diamond));

    let mut wide = format!("{HEAD}taxonomy:\n  fields:\n    user.w: {{}}\n");
    for i in 0..100_000 {
        let _ = writeln!(wide, "    user.w.k{i}: {{}}");
    }
    let one_flow = format!(
        "{wide}{entities}flows:\n  - {{from: s0, to: s1, fields: [{}]}}\n",
        (0..100_000)
            .map(|i| format!("user.w.k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    wide.push_str(entities);
    cases.push(("taxonomy: 100 000 keys wide", wide));
    cases.push(("one flow listing 100 000 keys", one_flow));

    let mut cycle = format!("{HEAD}taxonomy:\n  fields:\n");
    for i in 0..100_000 {
        let _ = writeln!(
            cycle,
            "    user.c{i}: {{parents: [user.c{}]}}",
            (i + 1) % 100_000
        );
    }
    cycle.push_str(entities);
    cases.push(("taxonomy: a 100 000-key cycle", cycle));

    let mut many = format!("{HEAD}entities:\n");
    for i in 0..100_000 {
        let _ = writeln!(many, "  e{i}: {{}}");
    }
    many.push_str(
        "systems:\n  s0: {operated_by: e0}\n  s1: {operated_by: e1}\nflows:\n  - {from: s0, to: s1, fields: [user.contact.email]}\n",
    );
    let with = (1..100_000)
        .map(|i| format!("e{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    cases.push((
        "a claim with 100 000 `with` entries",
        format!("{many}claims:\n  - {{id: c, kind: no_share, fields: [user], with: [{with}]}}\n"),
    ));
    let mut advertisers = many.replacen("  e7: {}", "  e7: {categories: [advertiser]}", 1);
    advertisers.push_str(
        "claims:\n  - {id: c, kind: no_share, fields: [user], with: [category:advertiser], scope: group}\n",
    );
    cases.push((
        "100 000 entities, one `category:` at group scope",
        advertisers,
    ));

    let mut owners = format!("{HEAD}entities:\n  e0: {{}}\n");
    for i in 1..40_000 {
        let _ = writeln!(owners, "  e{i}: {{owned_by: e{}}}", i - 1);
    }
    owners.push_str("systems:\n  s0: {operated_by: e0}\n  s1: {operated_by: e39999}\nflows:\n  - {from: s0, to: s1, fields: [user.contact.email]}\nclaims:\n  - {id: c, kind: no_share, fields: [user], with: [e39999], scope: group}\n");
    cases.push(("a 40 000-deep ownership chain", owners));

    let mut unknown = format!("{HEAD}entities:\n  e0: {{}}\nsystems:\n");
    for i in 0..10_000 {
        let _ = writeln!(unknown, "  system-{i:05}: {{operated_by: e0}}");
    }
    unknown.push_str("flows:\n");
    for i in 0..10_000 {
        let _ = writeln!(
            unknown,
            "  - {{from: system-00000, to: sistem-{i:05}, fields: [user.contact.email]}}"
        );
    }
    cases.push(("10 000 unknown ids among 10 000 candidates", unknown));

    let long = "x".repeat(1 << 20);
    let typo = format!("{}y", &long[1..]);
    cases.push((
        "one 1 MiB id off by a character",
        format!(
            "{HEAD}entities:\n  e0: {{}}\nsystems:\n  s0: {{operated_by: e0}}\n  {long}: {{operated_by: e0}}\nflows:\n  - {{from: s0, to: {typo}, fields: [user.contact.email]}}\n"
        ),
    ));

    let mut exempt = format!("{HEAD}{entities}");
    exempt.push_str("flows:\n  - {from: s0, to: s1, fields: [user.contact.email]}\nclaims:\n");
    for i in 0..2_000 {
        let _ = writeln!(
            exempt,
            "  - {{id: c{i}, kind: no_share, fields: [user], with: [e1], exempt_conditions: [condition-{i}]}}"
        );
    }
    cases.push((
        "2 000 `no_share` differing only in exempt_conditions",
        exempt,
    ));

    let long_chain = generate::chain(1_000, 500);
    cases.push(("a 1 000-system chain, 500 claims about `user`", long_chain));
    cases
}
