//! Paths to bytes (SPEC §2): the files a path names — itself, or the YAML files below a directory,
//! hidden directories left out — read only when regular, each once, within a per-file cap.

use std::collections::HashSet;
use std::io::Read;
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

/// A file a path led to: named on the command line, or found in a directory walk — where YAML
/// that is not a privflow model is skipped rather than refused.
pub struct Found {
    pub path: PathBuf,
    pub named: bool,
}

/// What identifies a file on disk, whatever path reaches it (hard links, symlinks, repeats).
#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

#[cfg(unix)]
fn key_of(_: &Path, meta: &std::fs::Metadata) -> FileKey {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn key_of(path: &Path, _: &std::fs::Metadata) -> FileKey {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads the files of one run: each file once, only regular files, never one that could block.
#[derive(Default)]
pub struct Reader {
    seen: HashSet<FileKey>,
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

impl Reader {
    /// Every file `path` leads to, in path order: the file itself, or every `.yaml`/`.yml` file
    /// below the directory, not entering hidden directories. A FIFO, socket or device is an error
    /// found before anything is opened.
    pub fn find(&self, path: &Path) -> Result<Vec<Found>, Problem> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        if !meta.is_dir() {
            regular(path, &meta)?;
            return Ok(vec![Found {
                path: path.to_path_buf(),
                named: true,
            }]);
        }
        let mut found = Vec::new();
        let mut entered = HashSet::from([key_of(path, &meta)]);
        let mut pending = vec![path.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| io_error(&dir, &e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io_error(&dir, &e))?;
                let p = entry.path();
                let file_type = entry.file_type().map_err(|e| io_error(&p, &e))?;
                let yaml = matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
                if !yaml && !file_type.is_dir() && !file_type.is_symlink() {
                    continue;
                }
                // Follows symlinks without opening anything; a broken link matters only when it
                // looks like a model.
                let meta = match std::fs::metadata(&p) {
                    Ok(meta) => meta,
                    Err(e) if yaml => return Err(io_error(&p, &e)),
                    Err(_) => continue,
                };
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if meta.is_dir() {
                    if !hidden && entered.insert(key_of(&p, &meta)) {
                        pending.push(p);
                    }
                } else if yaml {
                    regular(&p, &meta)?;
                    found.push(Found {
                        path: p,
                        named: false,
                    });
                }
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(found)
    }

    /// The bytes of `path`, or `None` when this run has already read the same file.
    pub fn read(&mut self, path: &Path) -> Result<Option<Vec<u8>>, Problem> {
        let mut file = open(path).map_err(|e| io_error(path, &e))?;
        let meta = file.metadata().map_err(|e| io_error(path, &e))?;
        regular(path, &meta)?;
        if !self.seen.insert(key_of(path, &meta)) {
            return Ok(None);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(path, meta.len()));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // The file may grow while it is read: never past the cap.
        file.by_ref()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(path, &e))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(path, bytes.len() as u64));
        }
        Ok(Some(bytes))
    }
}

/// Reads one file on its own (a waiver file, a side file).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Problem> {
    Ok(Reader::default().read(path)?.unwrap_or_default())
}

/// Opens for reading without blocking: a file swapped for a FIFO after it was checked must not
/// hang the run.
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(0o4000); // O_NONBLOCK
    }
    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(0x0004); // O_NONBLOCK
    }
    options.open(path)
}

/// Only regular files are read: the others can block or never end.
fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), Problem> {
    if meta.is_file() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            "privflow::load::not-a-file",
            format!(
                "`{}` is {}, not a regular file",
                display(path),
                kind_of(meta)
            ),
        )
        .with_help("privflow reads model files from disk: save the model to a file and name that"),
    ))
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a file"
}

fn too_large(path: &Path, size: u64) -> Problem {
    Box::new(
        Diagnostic::error(
            "privflow::load::too-large",
            format!(
                "`{}` is {:.1} MiB; privflow reads model files of at most {} MiB",
                display(path),
                size as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_help("split the model across several files in one directory"),
    )
}

fn io_error(path: &Path, e: &std::io::Error) -> Problem {
    Box::new(Diagnostic::error(
        "privflow::load::io",
        format!("cannot read `{}`: {e}", display(path)),
    ))
}
