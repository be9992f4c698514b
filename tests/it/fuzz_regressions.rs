//! Every input the fuzzers ever crashed on, replayed on stable through the same harness the
//! libFuzzer targets use: `fuzz/corpus-regressions/<target>/` holds one file per crash.

use std::path::Path;

#[path = "../../fuzz/harness.rs"]
mod harness;

/// Runs `target` on every file of its regression directory; returns how many there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus-regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    for file in &files {
        let bytes = std::fs::read(file).expect("a regression file");
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} crashes again", file.display());
    }
    files.len()
}

#[test]
fn model_inputs_that_once_crashed_load_and_render() {
    assert!(replay("model", harness::model) >= 1);
}

#[test]
fn diff_inputs_that_once_crashed_diff() {
    replay("diff", harness::diff);
}

#[test]
fn side_files_that_once_crashed_are_read() {
    replay("side_file", harness::side_file);
}

/// The harness itself renders: a bundled policy goes through every path without a panic, and
/// the diff target cuts at its separator.
#[test]
fn the_harness_runs_the_bundled_policies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read(root.join("policies/whatsapp-2020.yaml")).expect("a policy");
    let revision = std::fs::read(root.join("policies/whatsapp-2021.yaml")).expect("a policy");
    harness::model(&base);
    let mut pair = base.clone();
    pair.extend_from_slice(harness::SIDE_SEPARATOR);
    pair.extend_from_slice(&revision);
    harness::diff(&pair);
    let mut levels = vec![1];
    levels.extend(std::fs::read(root.join("fixtures/side/levels.yaml")).expect("levels"));
    harness::side_file(&levels);
}
