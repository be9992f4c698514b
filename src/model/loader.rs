//! Loading: paths or in-memory files to one validated model per policy, or every problem found.
//! Each stage has its file: files (paths to bytes), parse, policies (grouping), validate.

use std::path::PathBuf;

use super::Model;
pub use super::files::InputFile;
use super::files::{collect_files, display, read_file};
use super::parse::parse_file;
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
}

/// Loads files and directories from disk (SPEC §2).
pub fn load(paths: &[PathBuf]) -> Result<Workspace, LoadFailure> {
    let mut diagnostics = Vec::new();
    let mut inputs = Vec::new();
    for path in paths {
        match collect_files(path) {
            Ok(files) if files.is_empty() => diagnostics.push(
                Diagnostic::error(
                    "privflow::load::no-yaml",
                    format!(
                        "directory `{}` holds no `.yaml` or `.yml` file",
                        display(path)
                    ),
                )
                .with_help("point privflow at a model file, or at a directory of model files"),
            ),
            Ok(files) => {
                for file in files {
                    match read_file(&file) {
                        Ok(bytes) => inputs.push(InputFile {
                            path: display(&file),
                            bytes,
                        }),
                        Err(d) => diagnostics.push(*d),
                    }
                }
            }
            Err(d) => diagnostics.push(*d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadFailure {
            sources: Sources::default(),
            diagnostics,
        });
    }
    load_inputs(inputs)
}

/// Loads files already in memory (from disk, from git, from a test).
pub fn load_inputs(mut inputs: Vec<InputFile>) -> Result<Workspace, LoadFailure> {
    // Files load in path order whatever order they were named in.
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut documents = Vec::new();
    for input in inputs {
        match parse_file(input, &mut sources) {
            Ok(doc) => documents.push(doc),
            Err(d) => diagnostics.push(*d),
        }
    }
    let groups = group_by_policy(documents, &sources, &mut diagnostics);
    let mut models = Vec::new();
    for group in groups {
        let (model, found) = validate(group, &sources);
        diagnostics.extend(found);
        models.extend(model);
    }
    crate::diagnostics::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadFailure {
            sources,
            diagnostics,
        });
    }
    Ok(Workspace {
        sources,
        models,
        warnings: diagnostics,
        external_waivers: Vec::new(),
    })
}
