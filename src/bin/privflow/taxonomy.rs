//! `privflow taxonomy`: the built-in field and purpose taxonomies as trees or JSON, with the
//! fideslang release and credit their keys carry.

use clap::ValueEnum;
use privflow::model::taxonomy::{self, FIDESLANG_VERSION, TaxonomyKind};
use privflow::output::taxonomy as render;

use super::EXIT_OK;
use super::output::emit;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Which taxonomy to print; both by default.
    #[arg(value_enum)]
    which: Option<Which>,
    /// `text`: indented trees; `json`: every key with its label, description, parents, parts and
    /// sensitivity, and the deprecated keys.
    #[arg(long, value_enum, default_value = "text")]
    format: TaxonomyFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Fields,
    Purposes,
}

#[derive(Clone, Copy, ValueEnum)]
enum TaxonomyFormat {
    Text,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let wanted = [
        (TaxonomyKind::Fields, "fields", "data categories"),
        (TaxonomyKind::Purposes, "purposes", "data uses"),
    ]
    .into_iter()
    .filter(|(kind, _, _)| match args.which {
        Some(Which::Fields) => *kind == TaxonomyKind::Fields,
        Some(Which::Purposes) => *kind == TaxonomyKind::Purposes,
        None => true,
    });
    let text = match args.format {
        TaxonomyFormat::Text => {
            let mut text = String::new();
            for (kind, title, fideslang_name) in wanted {
                text.push_str(&format!(
                    "# {title} (keys of fideslang {FIDESLANG_VERSION} {fideslang_name}, CC BY 4.0, and privflow's own)\n"
                ));
                text.push_str(&render::tree(&taxonomy::builtin(kind)));
                text.push('\n');
            }
            format!("{}\n", text.trim_end_matches('\n'))
        }
        TaxonomyFormat::Json => {
            let mut document = serde_json::Map::new();
            document.insert("fideslang".into(), FIDESLANG_VERSION.into());
            for (kind, title, _) in wanted {
                document.insert(title.into(), render::json(&taxonomy::builtin(kind)));
            }
            let value = serde_json::Value::Object(document);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
    };
    emit(&text).err().unwrap_or(EXIT_OK)
}
