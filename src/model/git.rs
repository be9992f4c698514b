//! Git sides: `git:REV:PATH` and `diff --base REV`, read from the repository the command runs in
//! through `git ls-tree` and `git show`, never the working tree.

use std::path::PathBuf;

use super::files::{Budget, InputFile};
use super::loader::{LoadFailure, Workspace, load_inputs, load_within};
use super::parse::is_privflow_document;
use crate::diagnostics::{Diagnostic, Sources};

/// Loads one side of a diff: a path, or `git:REV:PATH` read from the repository the command
/// runs in (through `git ls-tree` and `git show`, never the working tree).
pub fn load_side(spec: &str, budget: &mut Budget) -> Result<Workspace, LoadFailure> {
    match spec.strip_prefix("git:") {
        None => load_within(&[PathBuf::from(spec)], budget),
        Some(rest) => {
            let (rev, path) = rest.split_once(':').unwrap_or((rest, "."));
            load_git(rev, &[PathBuf::from(path)], budget)
        }
    }
}

/// Loads `paths` as they are at git revision `rev`, walking directories as on disk (SPEC §2):
/// no hidden directories, YAML that is not privflow's skipped, each blob's size charged to the
/// run's `budget` before it is read.
pub fn load_git(
    rev: &str,
    paths: &[PathBuf],
    budget: &mut Budget,
) -> Result<Workspace, LoadFailure> {
    let failure = |message: String| {
        LoadFailure {
        sources: Sources::default(),
        diagnostics: vec![Diagnostic::error("privflow::load::git", message).with_help(
            "name a revision git knows (`HEAD~1`, a branch, a tag) and a path in it, as `git:REV:PATH`",
        )],
        skipped: Vec::new(),
    }
    };
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        // A pathspec as given: `display` is for people.
        let spec = path.to_string_lossy().replace('\\', "/");
        let listed = git(&["ls-tree", "-r", "--name-only", rev, "--", &spec])
            .map_err(|e| failure(format!("cannot list `{spec}` at `{rev}`: {e}")))?;
        let listed = String::from_utf8_lossy(&listed);
        let named = |file: &str| file == spec.trim_start_matches("./");
        let files: Vec<&str> = listed
            .lines()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
            .filter(|f| named(f) || !in_hidden_directory(f, &spec))
            .collect();
        let mut models = 0;
        for file in &files {
            // Paths from `ls-tree` are relative to the working directory, as `REV:./PATH` is.
            let object = format!("{rev}:./{file}");
            let size = git(&["cat-file", "-s", &object])
                .map_err(|e| failure(format!("cannot read `{file}` at `{rev}`: {e}")))?;
            let size: u64 = String::from_utf8_lossy(&size)
                .trim()
                .parse()
                .unwrap_or(u64::MAX);
            if let Err(d) = budget.charge(&format!("git:{rev}:{file}"), size) {
                return Err(LoadFailure {
                    sources: Sources::default(),
                    diagnostics: vec![*d],
                    skipped: Vec::new(),
                });
            }
            let bytes = git(&["cat-file", "blob", &object])
                .map_err(|e| failure(format!("cannot read `{file}` at `{rev}`: {e}")))?;
            if !named(file) && !is_privflow_document(&bytes) {
                skipped.push((*file).to_owned());
                continue;
            }
            models += 1;
            inputs.push(InputFile {
                path: (*file).to_owned(),
                bytes,
            });
        }
        if models == 0 {
            return Err(failure(format!(
                "`{spec}` holds no privflow model file at `{rev}`"
            )));
        }
    }
    let mut workspace = load_inputs(inputs).map_err(|mut f| {
        f.skipped.clone_from(&skipped);
        f
    })?;
    workspace.skipped = skipped;
    Ok(workspace)
}

/// Whether `file`, listed below the pathspec `spec`, sits in a hidden directory under it.
fn in_hidden_directory(file: &str, spec: &str) -> bool {
    let below = file
        .strip_prefix(spec.trim_start_matches("./").trim_end_matches('/'))
        .unwrap_or(file);
    let mut parts: Vec<&str> = below.split('/').filter(|p| !p.is_empty()).collect();
    parts.pop();
    parts
        .iter()
        .any(|p| p.starts_with('.') && *p != "." && *p != "..")
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}
