//! `privflow schema`: the JSON Schema of the policy format, for editors, or with `--output` that
//! of `audit --format json`.

use super::output::emit_code;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The schema of the JSON that `audit --format json` writes.
    #[arg(long)]
    output: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let text = if args.output {
        privflow::output::schema::audit_output()
    } else {
        privflow::output::schema::policy()
    };
    emit_code(&text)
}
