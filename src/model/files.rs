//! Paths to bytes (SPEC §2, §9): the files a path names — itself, or the YAML files below a
//! directory, hidden directories left out — read only when regular, each once, within a budget.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

const MIB: u64 = 1024 * 1024;

/// How much one run may read (SPEC §9): any one input file, and all of them together — models,
/// waiver, levels and baseline files, `git:` blobs. A generated model of 10⁶ flows is about
/// 138 MiB and audits in about 8 bytes of memory per byte of YAML, so it loads by default, and
/// a diff of two such versions fits the run's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub file_bytes: u64,
    pub total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_bytes: 160 * MIB,
            total_bytes: 512 * MIB,
        }
    }
}

/// The environment variables that raise (or lower) the limits, in MiB.
pub const FILE_LIMIT_VARIABLE: &str = "PRIVFLOW_MAX_FILE_MIB";
pub const TOTAL_LIMIT_VARIABLE: &str = "PRIVFLOW_MAX_INPUT_MIB";

impl Limits {
    /// The defaults, or what `PRIVFLOW_MAX_FILE_MIB` and `PRIVFLOW_MAX_INPUT_MIB` say; a value
    /// that is not a whole number of MiB from 1 to 1 048 576 is an error naming the variable.
    pub fn from_env() -> Result<Limits, String> {
        let mut limits = Limits::default();
        for (variable, limit) in [
            (FILE_LIMIT_VARIABLE, &mut limits.file_bytes),
            (TOTAL_LIMIT_VARIABLE, &mut limits.total_bytes),
        ] {
            let Some(value) = std::env::var_os(variable) else {
                continue;
            };
            let value = value.to_string_lossy();
            match value.trim().parse::<u64>() {
                Ok(mib @ 1..=1_048_576) => *limit = mib * MIB,
                _ => {
                    return Err(format!(
                        "{variable}=`{value}` is not a size: give a whole number of MiB from 1 to 1048576"
                    ));
                }
            }
        }
        Ok(limits)
    }
}

/// What one run has read so far, against its limits: every input of the run is charged to it.
/// It also knows the files the run will write, so that none of them is read as an input.
#[derive(Debug, Default)]
pub struct Budget {
    limits: Limits,
    spent: u64,
    outputs: HashMap<FileKey, String>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            ..Budget::default()
        }
    }

    /// Marks `path`, named by the option `option`, as an output of this run: reading it as an
    /// input is then an error, found before its bytes are read, so the output cannot overwrite
    /// a model or side file (nothing lost).
    pub fn protect(&mut self, path: &Path, option: &str) {
        if let Ok(meta) = std::fs::metadata(path) {
            self.outputs.insert(key_of(path, &meta), option.to_owned());
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Charges `size` bytes of the input `name`, or says which limit it would pass.
    pub fn charge(&mut self, name: &str, size: u64) -> Result<(), Problem> {
        if size > self.limits.file_bytes {
            return Err(too_large(name, size, self.limits.file_bytes));
        }
        let spent = self.spent.saturating_add(size);
        if spent > self.limits.total_bytes {
            return Err(Box::new(
                Diagnostic::error(
                    "privflow::load::too-much-input",
                    format!(
                        "reading `{name}` would take this run's input to {} MiB; privflow reads at most {} MiB in all",
                        mib(spent),
                        mib(self.limits.total_bytes)
                    ),
                )
                .in_file(name)
                .with_help(format!(
                    "audit fewer files at once, or raise the limit: {TOTAL_LIMIT_VARIABLE}={}",
                    spent.div_ceil(MIB)
                )),
            ));
        }
        self.spent = spent;
        Ok(())
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / MIB as f64)
}

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
    crate::inert::visible(&path.to_string_lossy()).replace('\\', "/")
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

    /// The bytes of `path`, charged to `budget`, or `None` when this reader has already read
    /// the same file.
    pub fn read(&mut self, path: &Path, budget: &mut Budget) -> Result<Option<Vec<u8>>, Problem> {
        let mut file = open(path).map_err(|e| io_error(path, &e))?;
        let meta = file.metadata().map_err(|e| io_error(path, &e))?;
        regular(path, &meta)?;
        let key = key_of(path, &meta);
        if let Some(option) = budget.outputs.get(&key) {
            return Err(Box::new(
                Diagnostic::error(
                    "privflow::load::input-is-output",
                    format!(
                        "`{}` is an input of this run and also its output `{option}`",
                        display(path)
                    ),
                )
                .in_file(display(path))
                .with_help(
                    "write the output somewhere else: it would replace the file it was made from",
                ),
            ));
        }
        if !self.seen.insert(key) {
            return Ok(None);
        }
        let name = display(path);
        budget.charge(&name, meta.len())?;
        let cap = budget.limits.file_bytes;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        // The file may grow while it is read: never past the cap.
        file.by_ref()
            .take(cap.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(path, &e))?;
        let read = bytes.len() as u64;
        if read > meta.len() {
            budget.charge(&name, read - meta.len())?;
        }
        if read > cap {
            return Err(too_large(&name, read, cap));
        }
        Ok(Some(bytes))
    }
}

/// Reads one file on its own (a waiver, levels or baseline file), charged to `budget`.
pub fn read_file(path: &Path, budget: &mut Budget) -> Result<Vec<u8>, Problem> {
    Ok(Reader::default().read(path, budget)?.unwrap_or_default())
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
        .in_file(display(path))
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

fn too_large(name: &str, size: u64, limit: u64) -> Problem {
    Box::new(
        Diagnostic::error(
            "privflow::load::too-large",
            format!(
                "`{name}` is {} MiB; privflow reads files of at most {} MiB",
                mib(size),
                mib(limit)
            ),
        )
        .in_file(name)
        .with_help(format!(
            "raise the limit: {FILE_LIMIT_VARIABLE}={} (a model can also be split across the files of one directory)",
            size.div_ceil(MIB)
        )),
    )
}

fn io_error(path: &Path, e: &std::io::Error) -> Problem {
    Box::new(
        Diagnostic::error(
            "privflow::load::io",
            format!("cannot read `{}`: {e}", display(path)),
        )
        .in_file(display(path)),
    )
}
