//! `privflow import fides MANIFEST… [-o FILE]`: other tools' manifests as a privflow model, on
//! stdout or written atomically to a file.

use std::path::PathBuf;

use privflow::import::fides::ImportOptions;

use super::args::{ColorChoice, Format};
use super::output::{emit_code, load_failure, within_budget, write_file};
use super::{EXIT_MODEL_ERROR, EXIT_OK};

#[derive(clap::Subcommand)]
pub(crate) enum Source {
    /// fideslang manifests (organizations, systems with privacy declarations, egress and ingress,
    /// datasets, custom data categories and uses) to one model; every line the import had to
    /// guess carries a `# guessed:` comment.
    Fides(FidesArgs),
}

#[derive(clap::Args)]
pub(crate) struct FidesArgs {
    /// The Fides manifest files (YAML), read together.
    #[arg(required = true, value_name = "MANIFEST")]
    manifests: Vec<PathBuf>,
    /// Write the model to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// An ownership fideslang cannot express: organization CHILD belongs to PARENT. Repeatable.
    #[arg(long, value_name = "CHILD=PARENT", value_parser = owned_by)]
    owned_by: Vec<(String, String)>,
}

fn owned_by(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((child, parent)) if !child.is_empty() && !parent.is_empty() => {
            Ok((child.to_owned(), parent.to_owned()))
        }
        _ => Err(format!("`{text}` is not CHILD=PARENT")),
    }
}

pub(crate) fn run(source: Source, color: ColorChoice) -> u8 {
    let Source::Fides(args) = source;
    let options = ImportOptions {
        owned_by: args.owned_by,
    };
    let model =
        within_budget(|budget| privflow::import::fides_model(&args.manifests, &options, budget));
    let text = match model {
        Ok(text) => text,
        Err(failure) => return load_failure(failure, Format::Table, color),
    };
    match args.output {
        Some(path) => match write_file(&path, &text) {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_MODEL_ERROR,
        },
        None => emit_code(&text),
    }
}
