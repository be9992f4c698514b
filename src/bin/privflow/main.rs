//! The `privflow` command line: `main` parses the arguments and hands each command to its file,
//! which decides output streams and exit codes; the library decides everything else.

// Output goes through `say!` and `output::emit*`, which survive a closed or full stream.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;

/// Writes a line to stderr. A closed or full stderr (`2>/dev/full`, `2>&1 | head -1`) loses the
/// line; it never panics (SPEC §7).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod artifact;
mod audit;
mod baseline;
mod check;
mod completions;
mod diff;
mod explain;
mod graph;
mod import;
mod output;
mod report;
mod schema;
mod taxonomy;

use args::{Cli, Command};

/// Exit codes (SPEC §7).
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_MODEL_ERROR: u8 = 2;
pub(crate) const EXIT_INTERNAL: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_MODEL_ERROR
            } else {
                EXIT_OK
            });
        }
    };
    keep_going_past_file_size_limits();
    match privflow::model::files::Limits::from_env() {
        Ok(limits) => output::set_limits(limits),
        Err(message) => {
            say!("privflow: {message}");
            return ExitCode::from(EXIT_MODEL_ERROR);
        }
    }
    std::panic::set_hook(Box::new(|info| {
        say!("privflow: internal error: {info}");
        say!("This is a bug in privflow; please report it with the model that triggered it.");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(_) => ExitCode::from(EXIT_INTERNAL),
    }
}

/// A write past `ulimit -f` raises SIGXFSZ, which ends the process with a temporary file left
/// behind; ignored, the write fails with EFBIG instead, and the output file is left as it was.
fn keep_going_past_file_size_limits() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_IGN needs no handler.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn run(cli: Cli) -> u8 {
    let color = cli.color;
    match cli.command {
        Command::Audit(args) => audit::run(args, color),
        Command::Baseline { action } => baseline::run(action, color),
        Command::Diff(args) => diff::run(args, color),
        Command::Report(args) => report::run(args, color),
        Command::Graph(args) => graph::run(args, color),
        Command::Import { source } => import::run(source, color),
        Command::Artifact { kind } => artifact::run(kind, color),
        Command::Check(args) => check::run(args, color),
        Command::Explain(args) => explain::run(args, color),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
        Command::Taxonomy(args) => taxonomy::run(args),
    }
}
