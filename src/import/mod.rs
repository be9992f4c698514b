//! Other tools' manifests to privflow models: read each file within the run's budget, every
//! problem a located diagnostic, then translate. Fides (fideslang) is the one format today.

pub mod fides;
mod manifest;

use std::path::PathBuf;

use crate::model::files::Budget;
use crate::model::loader::LoadFailure;
use crate::model::side_file::SideFile;

/// The fideslang manifests at `paths` as one privflow model's YAML text, or why one of them
/// cannot be read.
pub fn fides_model(
    paths: &[PathBuf],
    options: &fides::ImportOptions,
    budget: &mut Budget,
) -> Result<String, LoadFailure> {
    let mut manifests = Vec::new();
    let mut names = Vec::new();
    for path in paths {
        let file = SideFile::read(path, budget)?;
        manifests.push(file.yaml::<fides::Manifest>()?);
        names.push(file.path().to_owned());
    }
    Ok(fides::import(&manifests, &names, options))
}
