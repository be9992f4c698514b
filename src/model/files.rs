//! Paths to bytes: the files a path names (a file, or the YAML files below a directory) and their
//! contents, refused before reading when larger than privflow reads.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Model files larger than this are refused before they are read. A generated model of
/// 100 000 flows is about 14 MB, so this leaves room while bounding memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A problem that stops one file from loading; boxed, as it travels in `Result`s.
pub type Problem = Box<Diagnostic>;

/// A file to load: the path to show in diagnostics and its bytes.
pub struct InputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

pub fn collect_files(path: &Path) -> Result<Vec<PathBuf>, Problem> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| io_error(&dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&dir, &e))?;
            let p = entry.path();
            let file_type = entry.file_type().map_err(|e| io_error(&p, &e))?;
            if file_type.is_dir() {
                pending.push(p);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, Problem> {
    let size = std::fs::metadata(path)
        .map_err(|e| io_error(path, &e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "privflow::load::too-large",
                format!(
                    "`{}` is {:.1} MB; privflow reads model files of at most {} MB",
                    display(path),
                    size as f64 / 1e6,
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_help("split the model across several files in one directory"),
        ));
    }
    std::fs::read(path).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> Problem {
    Box::new(Diagnostic::error(
        "privflow::load::io",
        format!("cannot read `{}`: {e}", display(path)),
    ))
}
