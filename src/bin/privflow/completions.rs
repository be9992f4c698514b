//! `privflow completions SHELL` and `privflow man`: shell completion scripts and the man page,
//! both generated from the one clap definition of the command line.

use clap::CommandFactory;

use super::EXIT_INTERNAL;
use super::args::Cli;
use super::output::emit_code;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

pub(crate) fn run(args: Args) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "privflow", &mut script);
    emit_code(&String::from_utf8_lossy(&script))
}

/// `privflow man`: the man page in roff.
pub(crate) fn man() -> u8 {
    let mut page = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut page) {
        Ok(()) => emit_code(&String::from_utf8_lossy(&page)),
        Err(e) => {
            eprintln!("privflow: cannot render the man page: {e}");
            EXIT_INTERNAL
        }
    }
}
