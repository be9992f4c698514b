//! Installing privflow without a compile: the action and workflow YAML against GitHub's schemas
//! (SchemaStore copies in fixtures/), the wheel `.ci/run` builds installed into a fresh virtualenv
//! with no cargo on PATH, and the pre-commit mirror run by `pre-commit try-repo` on that wheel.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{ci_python, git};

fn validate(schema: &str, document: &str) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(document).unwrap();
    let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    validator
        .iter_errors(&value)
        .map(|e| format!("{document}: {e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_action_and_the_workflows_validate_against_githubs_schemas() {
    let mut errors = validate("fixtures/schemastore/github-action.json", "action.yml");
    let workflows = std::fs::read_dir(".github/workflows")
        .unwrap()
        .map(|e| e.unwrap().path());
    let documented =
        ["docs/ci/github-workflow.yml", "docs/ci/github-action.yml"].map(PathBuf::from);
    for path in workflows.chain(documented) {
        errors.extend(validate(
            "fixtures/schemastore/github-workflow.json",
            path.to_str().unwrap(),
        ));
    }
    assert_eq!(errors, Vec::<String>::new());
    let action = std::fs::read_to_string("action.yml").unwrap();
    assert!(action.contains("github/codeql-action/upload-sarif@v4"));
    assert!(action.contains("using: composite"));
    // The schema itself rejects a broken action.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("action.yml");
    std::fs::write(&broken, "name: x\nruns: {using: composite}\n").unwrap();
    assert!(
        !validate(
            "fixtures/schemastore/github-action.json",
            broken.to_str().unwrap()
        )
        .is_empty()
    );
}

/// The wheel `.ci/run` built into target/wheels; `None` (skipped) elsewhere, a failure on CI.
fn wheel() -> Option<PathBuf> {
    let found = std::fs::read_dir("target/wheels").ok().and_then(|entries| {
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must build the wheel: .ci/run runs maturin build"
        );
        eprintln!("skipped: no wheel in target/wheels (`.ci/run` builds it)");
    }
    found
}

/// A PATH with the system's tools (python, git) and none of Rust's.
fn path_without_cargo(first: &Path) -> String {
    let kept: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|dir| !dir.contains("cargo") && !dir.contains("rustup"))
        .filter(|dir| !Path::new(dir).join("cargo").exists())
        .map(str::to_owned)
        .collect();
    format!("{}:{}", first.display(), kept.join(":"))
}

#[test]
fn the_wheel_installs_and_runs_without_cargo() {
    let (Some(python), Some(wheel)) = (ci_python(), wheel()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let made = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(made.success());
    let bin = venv.join("bin");
    let install = Command::new(bin.join("pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(std::fs::canonicalize(&wheel).unwrap())
        .env("PATH", path_without_cargo(&bin))
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let version = Command::new("privflow")
        .arg("--version")
        .env("PATH", path_without_cargo(&bin))
        .output()
        .unwrap();
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("privflow {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        Command::new("cargo")
            .env("PATH", path_without_cargo(&bin))
            .arg("--version")
            .output()
            .is_err(),
        "cargo is off PATH"
    );
}

#[test]
fn the_pre_commit_mirror_fails_a_violating_model_without_a_compile() {
    let (Some(python), Some(wheel)) = (ci_python(), wheel()) else {
        return;
    };
    let pre_commit = python.with_file_name("pre-commit");
    assert!(
        pre_commit.exists(),
        ".ci/run installs pre-commit in the venv"
    );
    let dir = tempfile::tempdir().unwrap();
    // The mirror as its own repository, as it is published.
    let mirror = dir.path().join("mirror");
    std::fs::create_dir(&mirror).unwrap();
    for file in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::copy(Path::new("pre-commit").join(file), mirror.join(file)).unwrap();
    }
    git(&mirror, &["init", "-q"]);
    git(&mirror, &["add", "."]);
    git(&mirror, &["commit", "-qm", "mirror"]);
    // A project with one violating and one clean model.
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("policies")).unwrap();
    std::fs::copy(
        "policies/whatsapp-2021.yaml",
        project.join("policies/violating.yaml"),
    )
    .unwrap();
    std::fs::write(
        project.join("policies/clean.yaml"),
        "privflow: 1\npolicy: {id: clean, speaker: a}\nentities: {a: {name: A}}\nsystems: {app: {operated_by: a, location: device}}\nclaims:\n  - {id: c, kind: no_collect, fields: [user.name]}\n",
    )
    .unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);
    let links = std::fs::canonicalize(wheel.parent().unwrap()).unwrap();
    let run = |file: &str| {
        Command::new(&pre_commit)
            .current_dir(&project)
            .args([
                "try-repo",
                mirror.to_str().unwrap(),
                "privflow-audit",
                "--files",
                file,
            ])
            .env("PATH", path_without_cargo(python.parent().unwrap()))
            .env("PIP_FIND_LINKS", &links)
            .env("PRE_COMMIT_HOME", dir.path().join("cache"))
            .output()
            .unwrap()
    };
    let clean = run("policies/clean.yaml");
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let violating = run("policies/violating.yaml");
    let said = String::from_utf8_lossy(&violating.stdout);
    assert_eq!(violating.status.code(), Some(1), "{said}");
    assert!(said.contains("business-chats-encrypted"), "{said}");
    assert!(!said.contains("Compiling"), "no compile: {said}");
}
