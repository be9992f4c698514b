//! Output streams: writing reports to stdout or files (a closed pipe is not an error), colour
//! decisions, and rendering diagnostics to stderr.

use super::*;

/// Renders one output and writes it to its file or to stdout.
pub(crate) fn write_output(
    output: &Output,
    run: &privflow::output::AuditRun,
    fail_on: FailOn,
    color: ColorChoice,
) -> Result<(), ()> {
    let to_terminal = output.path.is_none() && std::io::stdout().is_terminal();
    let text = match output.format {
        AuditFormat::Table => Table {
            color: color_for(color, to_terminal),
            width: to_terminal.then(terminal_width),
        }
        .render(run),
        AuditFormat::Json => Json.render(run),
        AuditFormat::Sarif => Sarif.render(run),
        AuditFormat::Junit => Junit { fail_on }.render(run),
        AuditFormat::Github => {
            // On GitHub Actions the full report goes to the job summary as well.
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty())
            {
                append(&PathBuf::from(summary), &Markdown.render(run))?;
            }
            Github.render(run)
        }
        AuditFormat::Markdown => Markdown.render(run),
    };
    match &output.path {
        None => emit(&text).map_err(|_| ()),
        Some(path) => std::fs::write(path, text).map_err(|e| {
            eprintln!("privflow: cannot write `{}`: {e}", path.display());
        }),
    }
}

pub(crate) fn append(path: &PathBuf, text: &str) -> Result<(), ()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    file.and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            eprintln!(
                "privflow: cannot write the job summary `{}`: {e}",
                path.display()
            );
        })
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
            eprintln!("privflow: cannot write output: {e}");
            Err(EXIT_INTERNAL)
        }
    }
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

pub(crate) fn load_failure(failure: LoadFailure, format: Format, color: ColorChoice) -> u8 {
    report_diagnostics(&failure.diagnostics, &failure.sources, color);
    let errors = failure.diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
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

/// The terminal's width from `COLUMNS`, else a width most terminals have.
pub(crate) fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}
