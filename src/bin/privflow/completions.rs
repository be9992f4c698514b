//! `privflow completions SHELL` and `privflow man`: shell completion scripts and man pages (one
//! per command), all generated from the one clap definition of the command line.

use clap::CommandFactory;

use super::args::Cli;
use super::output::{emit_code, write_file};
use super::{EXIT_INTERNAL, EXIT_MODEL_ERROR, EXIT_OK};

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

#[derive(clap::Args)]
pub(crate) struct ManArgs {
    /// Write `privflow.1` and one page per command into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<std::path::PathBuf>,
}

/// `privflow man`: the man page in roff, or with `--out-dir` the pages of every command.
pub(crate) fn man(args: ManArgs) -> u8 {
    let command = Cli::command();
    let Some(dir) = args.out_dir else {
        let mut page = Vec::new();
        return match clap_mangen::Man::new(command).render(&mut page) {
            Ok(()) => emit_code(&String::from_utf8_lossy(&page)),
            Err(e) => {
                say!("privflow: cannot render the man page: {e}");
                EXIT_INTERNAL
            }
        };
    };
    // The main page, then `privflow-<command>.1` for every command it names in SEE ALSO.
    let mut pages = vec![("privflow".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("privflow-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let mut roff = Vec::new();
        if let Err(e) = clap_mangen::Man::new(page).render(&mut roff) {
            say!("privflow: cannot render the man page {name}: {e}");
            return EXIT_INTERNAL;
        }
        let path = dir.join(format!("{name}.1"));
        if write_file(&path, &String::from_utf8_lossy(&roff)).is_err() {
            return EXIT_MODEL_ERROR;
        }
    }
    EXIT_OK
}
