//! Output streams: stdout (a closed pipe is not an error), files, colour decisions, diagnostics on
//! stderr, and the one way every command loads a model or reports why it cannot (exit 2).

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use privflow::diagnostics::{self, Diagnostic, Sources};
use privflow::model::files::{Budget, Limits};
use privflow::{LoadFailure, Workspace};

use super::EXIT_MODEL_ERROR;
use super::args::{ColorChoice, Format, Inputs, Select};

thread_local! {
    /// What this run may still read (SPEC §9): every input of the command is charged to it.
    static BUDGET: RefCell<Budget> = RefCell::new(Budget::default());
}

/// Sets the run's limits, from the environment, before anything is read.
pub(crate) fn set_limits(limits: Limits) {
    BUDGET.with(|b| *b.borrow_mut() = Budget::new(limits));
}

/// Runs `read` against the run's budget.
pub(crate) fn within_budget<T>(read: impl FnOnce(&mut Budget) -> T) -> T {
    BUDGET.with(|b| read(&mut b.borrow_mut()))
}

/// Loads `paths` and keeps the `--policy` asked for, or prints every diagnostic (as JSON too,
/// with `format` json) and gives the exit code of a model error.
pub(crate) fn load(
    paths: &[PathBuf],
    select: &Select,
    format: Format,
    color: ColorChoice,
) -> Result<Workspace, u8> {
    let loaded = within_budget(|budget| privflow::model::loader::load_within(paths, budget));
    let skipped = match &loaded {
        Ok(ws) => &ws.skipped,
        Err(failure) => &failure.skipped,
    };
    if select.verbose {
        for file in skipped {
            say!("privflow: skipped `{file}`: none of privflow's top-level keys");
        }
    }
    let mut workspace = loaded.map_err(|failure| load_failure(failure, format, color))?;
    if let Some(id) = &select.policy
        && let Err(d) = workspace.keep_policy(id)
    {
        report_diagnostics(&[*d], &workspace.sources, color);
        return Err(EXIT_MODEL_ERROR);
    }
    Ok(workspace)
}

/// Loads the models of a command that writes `-o FILE`, keeping FILE out of what it reads (a
/// model is never overwritten by its own output); diagnostics as text.
pub(crate) fn load_writing(
    inputs: &Inputs,
    output: Option<&Path>,
    color: ColorChoice,
) -> Result<Workspace, u8> {
    if let Some(path) = output {
        within_budget(|budget| budget.protect(path, &format!("-o {}", path.display())));
    }
    load(&inputs.paths, &inputs.select, Format::Table, color)
}

pub(crate) fn load_failure(failure: LoadFailure, format: Format, color: ColorChoice) -> u8 {
    report_diagnostics(&failure.diagnostics, &failure.sources, color);
    let errors = failure.diagnostics.iter().filter(|d| d.is_error()).count();
    say!(
        "privflow: {errors} error{} in the model; nothing was audited",
        if errors == 1 { "" } else { "s" }
    );
    if let Format::Json = format {
        let doc = serde_json::json!({
            "privflow": env!("CARGO_PKG_VERSION"),
            "diagnostics": diagnostics::to_json(&failure.diagnostics, &failure.sources),
        });
        let _ = emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    }
    EXIT_MODEL_ERROR
}

/// Writes to stdout; a closed pipe (`privflow audit … | head`) is not an error.
pub(crate) fn emit(text: &str) -> Result<(), u8> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            say!("privflow: cannot write output: {e}");
            Err(EXIT_MODEL_ERROR)
        }
    }
}

/// Writes `text` to the file at `path`, saying on stderr why not.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), ()> {
    write_file_with(path, |out| out.write_all(text.as_bytes()))
}

/// Writes an output file atomically: into a temporary file beside it, renamed over it only once
/// complete, so a write that fails half way leaves the old file as it was. Says on stderr why it
/// could not (a path the user can fix: the caller exits 2).
pub(crate) fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ()> {
    let fail = |why: String| say!("privflow: cannot write `{}`: {why}", path.display());
    if path.is_dir() {
        fail("it is a directory; name a file".to_owned());
        return Err(());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        fail(format!("the directory `{}` does not exist", dir.display()));
        return Err(());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.privflow-{}.tmp", std::process::id()));
    let file = match std::fs::File::create(&temporary) {
        Ok(file) => file,
        Err(e) => {
            fail(format!("cannot create a file in `{}`: {e}", dir.display()));
            return Err(());
        }
    };
    let written = {
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)
            .and_then(|()| out.into_inner().map_err(|e| e.into_error()))
            .and_then(|file| file.sync_all())
    };
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            fail(e.to_string());
            Err(())
        }
    }
}

/// Streams an output to stdout; a closed pipe is not an error.
pub(crate) fn emit_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            say!("privflow: cannot write output: {e}");
            Err(EXIT_MODEL_ERROR)
        }
    }
}

/// Emits `text`, giving the exit code of the command.
pub(crate) fn emit_code(text: &str) -> u8 {
    emit(text).err().unwrap_or(super::EXIT_OK)
}

pub(crate) fn append(path: &Path, text: &str) -> Result<(), ()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    file.and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            say!(
                "privflow: cannot write the job summary `{}`: {e}",
                path.display()
            );
        })
}

pub(crate) fn color_for(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

pub(crate) fn report_diagnostics(list: &[Diagnostic], sources: &Sources, color: ColorChoice) {
    if list.is_empty() {
        return;
    }
    let text = diagnostics::render(
        list,
        sources,
        color_for(color, std::io::stderr().is_terminal()),
    );
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The width to fit text to: `COLUMNS` when set, else the terminal's when writing to one;
/// `None` (a fixed layout, stable in files) otherwise.
pub(crate) fn terminal_width(to_terminal: bool) -> Option<u16> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &u16| c >= 40);
    columns.or_else(|| {
        to_terminal
            .then(|| comfy_table::Table::new().width())
            .flatten()
    })
}
