//! Running the binary and reading its JSON, for every test module.

use std::path::Path;
use std::process::Command;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `privflow` from the crate root, without colour, with a fixed date for waivers.
pub fn privflow(args: &[&str]) -> Output {
    privflow_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn privflow_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = privflow_command(args);
    command.current_dir(dir);
    run(command)
}

/// `privflow ARGS` from the crate root, without colour and without the caller's job summary or
/// input limits, for a test to adjust before it runs.
pub fn privflow_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privflow"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("PRIVFLOW_MAX_FILE_MIB")
        .env_remove("PRIVFLOW_MAX_INPUT_MIB");
    command
}

/// Runs `command` to its end and keeps its exit code and output.
pub fn run(mut command: Command) -> Output {
    let output = command.output().expect("the command runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `privflow audit … --format json`, parsed.
pub fn audit_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["audit", "--format", "json", "--today", "2026-11-22"];
    all.extend_from_slice(args);
    let out = privflow(&all);
    let json = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}):\n{}\nstderr:\n{}",
            out.stdout, out.stderr
        )
    });
    (out.code, json)
}

/// Claim id → status from an audit's JSON.
pub fn statuses(json: &serde_json::Value) -> Vec<(String, String)> {
    json["claims"]
        .as_array()
        .expect("claims array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The findings of one claim from an audit's JSON.
pub fn findings_of<'a>(json: &'a serde_json::Value, claim: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["check"] == claim)
        .collect()
}

/// Checks that `explain` says of every claim what the audit says: the claim's status, one
/// finding line per finding, and each finding's path. Runs in-process on the audit's own reach.
pub fn explain_agrees_with_audit(run: &privflow::AuditRun) -> Result<(), String> {
    use privflow::output::explain;
    for audit in &run.audits {
        let model = audit.model;
        for result in &audit.claims {
            let claim = &model.claims[result.claim];
            let explained = explain::explain(audit, run.sources, &claim.id);
            let tree = &explained
                .iter()
                .find(|e| e.subject == "claim")
                .ok_or_else(|| format!("explain has no claim `{}`", claim.id))?
                .tree;
            let status = result.status.as_str();
            if !tree.label.ends_with(&format!(": {status}")) {
                return Err(format!(
                    "`{}`: audit {status}, explain {}",
                    claim.id, tree.label
                ));
            }
            let text = explain::render(tree);
            let own: Vec<_> = audit
                .findings
                .iter()
                .filter(|f| f.claim == result.claim)
                .collect();
            let listed = tree
                .children
                .iter()
                .find(|n| n.label == "findings")
                .map_or(0, |n| n.children.len());
            if listed != own.len() {
                return Err(format!(
                    "`{}`: audit has {} findings, explain lists {listed}",
                    claim.id,
                    own.len()
                ));
            }
            for f in own {
                let path = format!("path {} (", model.system_ids(&f.path).join(" → "));
                if !text.contains(&path) {
                    return Err(format!("`{}`: explain lacks the audit's {path}", claim.id));
                }
            }
            if result.findings == 0 && text.contains("incorrect:") {
                return Err(format!(
                    "`{}` holds, yet explain judges a receipt incorrect by it",
                    claim.id
                ));
            }
        }
    }
    Ok(())
}

/// Runs `git ARGS` in `dir` as a fixed test author, asserting that it succeeds.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A tool `.ci/run` installs for the tests that need a real consumer of an output: an npm binary
/// under `target/ci-tools/`. `None` elsewhere; on CI (`CI` set) its absence fails the test.
pub fn ci_tool(name: &str) -> Option<std::path::PathBuf> {
    ci_installed(&format!("node_modules/.bin/{name}"), name)
}

/// The Python of the virtualenv `.ci/run` makes under `target/ci-tools/venv` with the packages
/// the tests read (fideslang); `None` elsewhere, and a failure on CI.
pub fn ci_python() -> Option<std::path::PathBuf> {
    ci_installed("venv/bin/python", "the Python virtualenv")
}

fn ci_installed(relative: &str, name: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-tools")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have `{name}`: .ci/run installs it under target/ci-tools"
    );
    eprintln!("skipped: no `{name}` here (`.ci/run` installs it under target/ci-tools)");
    None
}

/// The level of the `reach-expanded` change of `field` (at `entity`, if given) in a diff's JSON.
pub fn reach_level(
    diff: &serde_json::Value,
    field: &str,
    entity: Option<&str>,
) -> serde_json::Value {
    diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["check"] == "reach-expanded"
                && c["field"] == field
                && entity.is_none_or(|e| c["entity"] == e)
        })
        .unwrap_or_else(|| panic!("no reach-expanded of {field}: {diff:#}"))["level"]
        .clone()
}
