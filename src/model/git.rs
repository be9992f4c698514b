//! Git sides: `git:REV:PATH` and `diff --base REV`, read from the repository the command runs in
//! through `git ls-tree` and `git show`, never the working tree.

use std::path::PathBuf;

use super::files::{InputFile, MAX_FILE_BYTES, display};
use super::loader::{LoadFailure, Workspace, load, load_inputs};
use crate::diagnostics::{Diagnostic, Sources};

/// Loads one side of a diff: a path, or `git:REV:PATH` read from the repository the command
/// runs in (through `git ls-tree` and `git show`, never the working tree).
pub fn load_side(spec: &str) -> Result<Workspace, LoadFailure> {
    match spec.strip_prefix("git:") {
        None => load(&[PathBuf::from(spec)]),
        Some(rest) => {
            let (rev, path) = rest.split_once(':').unwrap_or((rest, "."));
            load_git(rev, &[PathBuf::from(path)])
        }
    }
}

/// Loads `paths` as they are at git revision `rev`.
pub fn load_git(rev: &str, paths: &[PathBuf]) -> Result<Workspace, LoadFailure> {
    let failure = |message: String| {
        LoadFailure {
        sources: Sources::default(),
        diagnostics: vec![Diagnostic::error("privflow::load::git", message)
            .with_help("name a revision git knows (`HEAD~1`, a branch, a tag) and a path in it, as `git:REV:PATH`")],
    }
    };
    let mut inputs = Vec::new();
    for path in paths {
        let spec = display(path);
        let listed = git(&["ls-tree", "-r", "--name-only", rev, "--", &spec])
            .map_err(|e| failure(format!("cannot list `{spec}` at `{rev}`: {e}")))?;
        let listed = String::from_utf8_lossy(&listed);
        let files: Vec<&str> = listed
            .lines()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
            .collect();
        if files.is_empty() {
            return Err(failure(format!(
                "`{spec}` holds no `.yaml` or `.yml` file at `{rev}`"
            )));
        }
        for file in files {
            let bytes = git(&["show", &format!("{rev}:{file}")])
                .map_err(|e| failure(format!("cannot read `{file}` at `{rev}`: {e}")))?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(failure(format!(
                    "`{file}` at `{rev}` is larger than {} MB",
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            inputs.push(InputFile {
                path: file.to_owned(),
                bytes,
            });
        }
    }
    load_inputs(inputs)
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
