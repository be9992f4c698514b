//! Loading: paths or in-memory files to one validated model per policy, or every problem found.
//! Each stage has its file: files (paths to bytes), parse, policies (grouping), validate.

use std::path::PathBuf;

use super::Model;
pub use super::files::InputFile;
use super::files::{Budget, Reader, display};
use super::parse;
use super::policies::group_by_policy;
use super::validate::validate;
use crate::diagnostics::{Diagnostic, Sources, Span};

/// Everything a successful load produced: the files read, one model per policy, and warnings.
#[derive(Debug)]
pub struct Workspace {
    pub sources: Sources,
    pub models: Vec<Model>,
    pub warnings: Vec<Diagnostic>,
    /// Waivers from `--waivers` files, by origin number; each model holds the ones that apply.
    pub external_waivers: Vec<ExternalWaiver>,
    /// YAML files a directory walk passed over: none of privflow's top-level keys (SPEC §2).
    pub skipped: Vec<String>,
}

/// A waiver from a `--waivers` file, as the workspace judges it across policies.
#[derive(Clone, Debug)]
pub struct ExternalWaiver {
    /// The claim it names, or `*`.
    pub claim: String,
    pub expires: Option<crate::model::duration::Date>,
    pub span: Span,
}

/// A load that found errors: nothing may be audited. `diagnostics` holds every problem found.
#[derive(Debug)]
pub struct LoadFailure {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// YAML files a directory walk passed over as not privflow's, as with a workspace.
    pub skipped: Vec<String>,
}

/// Loads files and directories from disk (SPEC §2) within the default limits.
pub fn load(paths: &[PathBuf]) -> Result<Workspace, LoadFailure> {
    load_within(paths, &mut Budget::default())
}

/// Loads files and directories from disk, charging what it reads to the run's `budget`.
pub fn load_within(paths: &[PathBuf], budget: &mut Budget) -> Result<Workspace, LoadFailure> {
    let mut diagnostics = Vec::new();
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    let mut reader = Reader::default();
    for path in paths {
        let found = match reader.find(path) {
            Ok(found) => found,
            Err(d) => {
                diagnostics.push(*d);
                continue;
            }
        };
        let mut models = 0;
        for file in &found {
            match reader.read(&file.path, budget) {
                // Read already, through another path or link.
                Ok(None) => models += 1,
                Ok(Some(bytes)) if !file.named && !parse::is_privflow_document(&bytes) => {
                    skipped.push(display(&file.path));
                }
                Ok(Some(bytes)) => {
                    models += 1;
                    inputs.push(InputFile {
                        path: display(&file.path),
                        bytes,
                    });
                }
                Err(d) => diagnostics.push(*d),
            }
        }
        if models == 0 && diagnostics.is_empty() {
            diagnostics.push(no_model(path, found.len()));
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadFailure {
            sources: Sources::default(),
            diagnostics,
            skipped,
        });
    }
    let mut workspace = load_inputs(inputs).map_err(|mut f| {
        f.skipped.clone_from(&skipped);
        f
    })?;
    workspace.skipped = skipped;
    Ok(workspace)
}

/// A directory that holds no model: no YAML at all, or only YAML that is not privflow's.
pub(super) fn no_model(path: &std::path::Path, yaml_files: usize) -> Diagnostic {
    let message = if yaml_files == 0 {
        format!(
            "directory `{}` holds no `.yaml` or `.yml` file",
            display(path)
        )
    } else {
        format!(
            "directory `{}` holds no privflow model: none of its {yaml_files} YAML files has a privflow top-level key",
            display(path)
        )
    };
    Diagnostic::error("privflow::load::no-yaml", message)
        .with_help("point privflow at a model file, or at a directory of model files (`--verbose` names the files it skips)")
}

/// Loads files already in memory (from disk, from git, from a test).
pub fn load_inputs(mut inputs: Vec<InputFile>) -> Result<Workspace, LoadFailure> {
    // Files load in path order whatever order they were named in.
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut documents = Vec::new();
    for input in inputs {
        match parse::parse_file_reporting_all(input, &mut sources) {
            Ok(doc) => documents.push(doc),
            Err(found) => diagnostics.extend(found),
        }
    }
    let groups = group_by_policy(documents, &sources, &mut diagnostics);
    let mut models = Vec::new();
    for group in groups {
        let (model, found) = validate(group, &sources);
        diagnostics.extend(found);
        if let Some(mut model) = model {
            diagnostics.extend(super::visible::make_visible(&mut model));
            models.push(model);
        }
    }
    crate::diagnostics::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadFailure {
            sources,
            diagnostics,
            skipped: Vec::new(),
        });
    }
    Ok(Workspace {
        sources,
        models,
        warnings: diagnostics,
        external_waivers: Vec::new(),
        skipped: Vec::new(),
    })
}

impl Workspace {
    /// Keeps only the policy `id` (`--policy`), or says which ids there are.
    pub fn keep_policy(&mut self, id: &str) -> Result<(), Box<Diagnostic>> {
        if self.models.iter().any(|m| m.policy.id == id) {
            self.models.retain(|m| m.policy.id == id);
            return Ok(());
        }
        let ids: Vec<&str> = self.models.iter().map(|m| m.policy.id.as_str()).collect();
        let help = crate::diagnostics::did_you_mean(id, ids.iter().copied())
            .unwrap_or_else(|| format!("the loaded policies are {}", ids.join(", ")));
        Err(Box::new(
            Diagnostic::error(
                "privflow::load::unknown-policy",
                format!("no loaded policy has the id `{id}`"),
            )
            .with_help(help),
        ))
    }
}
