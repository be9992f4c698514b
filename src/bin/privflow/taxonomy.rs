//! `privflow taxonomy`: the built-in field and purpose taxonomies as trees, with the fideslang
//! credit their keys carry.

use clap::ValueEnum;
use privflow::model::taxonomy::{self, TaxonomyKind};

use super::EXIT_OK;
use super::output::emit;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Which taxonomy to print; both by default.
    #[arg(value_enum)]
    which: Option<Which>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Fields,
    Purposes,
}

pub(crate) fn run(args: Args) -> u8 {
    let mut text = String::new();
    for (kind, title, wanted) in [
        (
            TaxonomyKind::Fields,
            "fields",
            !matches!(args.which, Some(Which::Purposes)),
        ),
        (
            TaxonomyKind::Purposes,
            "purposes",
            !matches!(args.which, Some(Which::Fields)),
        ),
    ] {
        if wanted {
            text.push_str(&format!("# {title} (keys after fideslang, CC BY 4.0)\n"));
            text.push_str(&taxonomy::render_tree(&taxonomy::builtin(kind)));
            text.push('\n');
        }
    }
    emit(text.trim_end_matches('\n'))
        .and_then(|()| emit("\n"))
        .err()
        .unwrap_or(EXIT_OK)
}
