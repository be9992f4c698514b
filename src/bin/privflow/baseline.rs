//! `privflow baseline create`: audit the paths and record every current finding and receipt that
//! is not `clear`, so that `audit --baseline-file` fails only on what is new.

use std::path::PathBuf;

use clap::Subcommand;
use privflow::baseline::Baseline;
use privflow::model::duration::Date;

use super::args::{ColorChoice, ConflictArg, Inputs, audit_options, parse_date};
use super::output::{load_writing, write_file};
use super::{EXIT_MODEL_ERROR, EXIT_OK};

#[derive(Subcommand)]
pub(crate) enum Action {
    /// Write the fingerprints of every current finding and receipt to a file.
    Create {
        #[command(flatten)]
        inputs: Inputs,
        /// Where to write the baseline.
        #[arg(short, long, default_value = "privflow-baseline.json")]
        output: PathBuf,
        /// How a disclosure and a negative claim covering the same receipt are resolved.
        #[arg(long, value_enum, default_value_t = ConflictArg::Specific)]
        conflict: ConflictArg,
        /// The date waivers expire against (YYYY-MM-DD); default today, UTC.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
}

pub(crate) fn run(action: Action, color: ColorChoice) -> u8 {
    let Action::Create {
        inputs,
        output,
        conflict,
        today,
    } = action;
    let workspace = match load_writing(&inputs, Some(&output), color) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let run = privflow::audit_workspace(&workspace, audit_options(conflict, today));
    let baseline = Baseline::of(&run);
    match write_file(&output, &baseline.to_json()) {
        Ok(()) => {
            say!(
                "privflow: recorded {} results in `{}`",
                baseline.entries.len(),
                output.display()
            );
            EXIT_OK
        }
        Err(()) => EXIT_MODEL_ERROR,
    }
}
