//! Reading model files: paths to files, bytes to spanned raw documents, documents to policies.
//! Every hostile input (huge, deep, aliased, non-UTF-8, empty) ends here as a located diagnostic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options};

use crate::diagnostics::{Diagnostic, FileId, Sources, Span, did_you_mean};
use crate::model::Model;
use crate::model::raw::{RawDocument, RawVersionOnly};
use crate::model::validate::validate;

/// The only model format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Model files larger than this are refused before they are read. A generated model of
/// 100 000 flows is about 14 MB, so this leaves room while bounding memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Everything a successful load produced: the files read, one model per policy, and warnings.
#[derive(Debug)]
pub struct Workspace {
    pub sources: Sources,
    pub models: Vec<Model>,
    pub warnings: Vec<Diagnostic>,
    /// Waivers from `--waivers` files, by origin number; each model holds the ones that apply.
    pub external_waivers: Vec<ExternalWaiver>,
}

/// A waiver from a `--waivers` file, as the workspace judges it across policies.
#[derive(Clone, Debug)]
pub struct ExternalWaiver {
    /// The claim it names, or `*`.
    pub claim: String,
    pub expires: Option<crate::model::duration::Date>,
    pub span: Span,
}

/// A load that found errors: nothing may be audited. `diagnostics` holds every problem found.
#[derive(Debug)]
pub struct LoadFailure {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file to load: the path to show in diagnostics and its bytes.
pub struct InputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A problem that stops one file from loading; boxed, as it travels in `Result`s.
type Problem = Box<Diagnostic>;

/// Loads files and directories from disk (SPEC §2).
pub fn load(paths: &[PathBuf]) -> Result<Workspace, LoadFailure> {
    let mut diagnostics = Vec::new();
    let mut inputs = Vec::new();
    for path in paths {
        match collect_files(path) {
            Ok(files) if files.is_empty() => diagnostics.push(
                Diagnostic::error(
                    "privflow::load::no-yaml",
                    format!(
                        "directory `{}` holds no `.yaml` or `.yml` file",
                        display(path)
                    ),
                )
                .with_help("point privflow at a model file, or at a directory of model files"),
            ),
            Ok(files) => {
                for file in files {
                    match read_file(&file) {
                        Ok(bytes) => inputs.push(InputFile {
                            path: display(&file),
                            bytes,
                        }),
                        Err(d) => diagnostics.push(*d),
                    }
                }
            }
            Err(d) => diagnostics.push(*d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadFailure {
            sources: Sources::default(),
            diagnostics,
        });
    }
    load_inputs(inputs)
}

/// Loads files already in memory (from disk, from git, from a test).
pub fn load_inputs(mut inputs: Vec<InputFile>) -> Result<Workspace, LoadFailure> {
    // Files load in path order whatever order they were named in.
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut documents = Vec::new();
    for input in inputs {
        match parse_file(input, &mut sources) {
            Ok(doc) => documents.push(doc),
            Err(d) => diagnostics.push(*d),
        }
    }
    let groups = group_by_policy(documents, &sources, &mut diagnostics);
    let mut models = Vec::new();
    for group in groups {
        let (model, found) = validate(group, &sources);
        diagnostics.extend(found);
        models.extend(model);
    }
    crate::diagnostics::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadFailure {
            sources,
            diagnostics,
        });
    }
    Ok(Workspace {
        sources,
        models,
        warnings: diagnostics,
        external_waivers: Vec::new(),
    })
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn collect_files(path: &Path) -> Result<Vec<PathBuf>, Problem> {
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

fn read_file(path: &Path) -> Result<Vec<u8>, Problem> {
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

/// Budgets scale with the input so a large legitimate model loads while a small hostile one
/// (an alias bomb, 100 000 nested brackets) is stopped early.
fn options_for(len: usize) -> Options {
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(len + 1024);
    budget.max_nodes = budget.max_nodes.max(len + 1024);
    budget.max_depth = 64;
    budget.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    let max_events = budget.max_events;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.strict_booleans = true;
    options.with_snippet = false;
    options.alias_limits.max_total_replayed_events = (len + 10_000).min(max_events);
    options.alias_limits.max_replay_stack_depth = 32;
    options
}

fn parse_file(input: InputFile, sources: &mut Sources) -> Result<(FileId, RawDocument), Problem> {
    let text: Arc<str> = match std::str::from_utf8(&input.bytes) {
        Ok(text) => Arc::from(text),
        Err(e) => {
            let valid = &input.bytes[..e.valid_up_to()];
            let prefix: Arc<str> = Arc::from(String::from_utf8_lossy(valid).as_ref());
            let id = sources.add(input.path, prefix.clone());
            let span = Span::at_offset(id, &prefix, prefix.len(), 0);
            return Err(Box::new(
                Diagnostic::error("privflow::load::not-utf8", "the file is not valid UTF-8")
                    .at(span, "invalid byte here")
                    .with_help("save the model as UTF-8"),
            ));
        }
    };
    let id = sources.add(input.path, text.clone());
    let text = text.as_ref();
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(
            Diagnostic::error("privflow::load::empty", "the file is empty")
                .at(Span::file_start(id), "nothing here")
                .with_help("a model file starts with `privflow: 1`")
                .into(),
        );
    }
    let options = options_for(text.len());
    match serde_saphyr::from_str_with_options::<RawDocument>(text, options.clone()) {
        Ok(doc) => {
            check_version(
                id,
                text,
                &doc.privflow.value.to_string(),
                &doc.privflow.referenced,
            )?;
            Ok((id, doc))
        }
        Err(error) => {
            // A file of another format version fails on its unknown keys; say what matters.
            if let Ok(v) = serde_saphyr::from_str_with_options::<RawVersionOnly>(text, options) {
                match v.privflow {
                    Some(version) => {
                        check_version(id, text, &version.value.0, &version.referenced)?
                    }
                    None => {
                        return Err(Box::new(
                            Diagnostic::error(
                                "privflow::load::missing-version",
                                "the file does not start with `privflow: 1`",
                            )
                            .at(Span::file_start(id), "expected `privflow: 1` here")
                            .with_help(
                                "every model file starts with the format version: `privflow: 1`",
                            ),
                        ));
                    }
                }
            }
            Err(Box::new(yaml_error(id, text, &error)))
        }
    }
}

fn check_version(id: FileId, text: &str, version: &str, loc: &Location) -> Result<(), Problem> {
    if version == FORMAT_VERSION.to_string() {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(
            "privflow::load::unsupported-version",
            format!("format version `{version}` is not supported"),
        )
        .at(span_of(id, text, loc), "unsupported version")
        .with_help(format!("this privflow reads `privflow: {FORMAT_VERSION}`")),
    ))
}

/// The span of a serde-saphyr location in file `id`.
pub fn span_of(id: FileId, text: &str, loc: &Location) -> Span {
    let s = loc.span();
    match s.byte_offset() {
        Some(offset) => Span {
            file: id,
            offset: offset as usize,
            len: s.byte_len().unwrap_or(0) as usize,
            line: loc.line().max(1) as u32,
            column: loc.column().max(1) as u32,
        },
        None => Span::at_line_column(id, text, loc.line() as u32, loc.column() as u32, 0),
    }
}

/// Turns a YAML or shape error into a diagnostic with a stable code and, where possible, a hint.
fn yaml_error(id: FileId, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let inner = error.without_snippet();
    let message = inner.to_string();
    let message = strip_location_suffix(&message);
    let lower = message.to_lowercase();
    let (code, label) = if lower.contains("unknown field") {
        ("privflow::yaml::unknown-key", "unknown key")
    } else if lower.contains("duplicate") {
        ("privflow::yaml::duplicate-key", "duplicate key")
    } else if lower.contains("missing field") {
        (
            "privflow::yaml::missing-key",
            "required key missing in this mapping",
        )
    } else if lower.contains("budget") || lower.contains("limit") || lower.contains("exceeded") {
        ("privflow::yaml::budget", "limit exceeded here")
    } else if lower.contains("unknown variant")
        || lower.contains("invalid type")
        || lower.contains("invalid value")
        || lower.starts_with("expected ")
        || lower.contains("invalid boolean")
        || lower.contains("unexpected value")
    {
        ("privflow::yaml::wrong-type", "unexpected value")
    } else {
        ("privflow::yaml::syntax", "here")
    };
    // serde-saphyr's advice names its own API; ours names the model.
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(message);
    let mut d = Diagnostic::error(code, message.to_owned());
    if let Some(loc) = inner.location().or_else(|| error.location()) {
        d = d.at(span_of(id, text, &loc), label);
    }
    let unknown = message.split('`').nth(1).unwrap_or("");
    let help = match code {
        "privflow::yaml::unknown-key" if unknown.contains([' ', '(', ')', '.', '\'']) => Some(
            "a comma inside an unquoted value in `{ … }` ends the value: quote it, e.g. `name: \"A, B\"`".to_owned(),
        ),
        "privflow::yaml::unknown-key" | "privflow::yaml::wrong-type" => expected_suggestion(message),
        "privflow::yaml::duplicate-key" => {
            Some("a key may appear once per mapping; merge the two entries or rename one".to_owned())
        }
        "privflow::yaml::budget" => Some(
            "the document is nested, aliased or sized beyond what a policy model needs; \
             flatten it or split it across files"
                .to_owned(),
        ),
        _ => None,
    };
    let help = match (code, help, lower.contains("boolean")) {
        ("privflow::yaml::wrong-type", None, true) => Some(
            "write `true` or `false`; YAML 1.1 words like `yes`/`no`/`on` are not booleans here"
                .to_owned(),
        ),
        (_, help, _) => help,
    };
    d.with_optional_help(help)
}

/// serde-saphyr appends ` at line L column C`; the diagnostic shows the location itself.
/// Other mentions of lines (where an alias was defined) stay.
fn strip_location_suffix(message: &str) -> &str {
    let Some(i) = message.rfind(" at line ") else {
        return message;
    };
    let rest = &message[i + " at line ".len()..];
    let is_location = rest.split_once(" column ").is_some_and(|(line, column)| {
        let line = line.strip_suffix(',').unwrap_or(line);
        [line, column]
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    if is_location { &message[..i] } else { message }
}

/// From "unknown field `nmae`, expected one of name, kind" suggests `name`.
fn expected_suggestion(message: &str) -> Option<String> {
    let got = message.split('`').nth(1)?;
    let (_, rest) = message
        .split_once("expected one of ")
        .or_else(|| message.split_once("expected "))?;
    let candidates: Vec<&str> = rest
        .split(", ")
        .map(|c| c.trim_matches('`').trim())
        .filter(|c| !c.is_empty())
        .collect();
    did_you_mean(got, candidates.iter().copied()).or_else(|| {
        let list = candidates
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        (!candidates.is_empty()).then(|| format!("expected one of {list}"))
    })
}

/// Groups documents into policies by their `policy:` block (see docs/format.md, "Files").
fn group_by_policy(
    documents: Vec<(FileId, RawDocument)>,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Vec<(FileId, RawDocument)>> {
    let mut declared: Vec<(String, FileId)> = Vec::new();
    for (file, doc) in &documents {
        if let Some(policy) = &doc.policy {
            let id = policy.value.id.value.clone();
            if let Some((_, first)) = declared.iter().find(|(p, _)| *p == id) {
                let text = &sources.get(*file).text;
                diagnostics.push(
                    Diagnostic::error("privflow::load::duplicate-policy", format!("policy `{id}` is declared twice"))
                        .at(span_of(*file, text, &policy.value.id.referenced), "second declaration")
                        .with_help(format!(
                            "first declared in `{}`; declare a policy once and split the rest across files without a `policy:` block",
                            sources.path(*first)
                        )),
                );
            } else {
                declared.push((id, *file));
            }
        }
    }
    if declared.is_empty() {
        if let Some((file, _)) = documents.first() {
            diagnostics.push(
                Diagnostic::error("privflow::load::no-policy", "no file declares a `policy:`")
                    .at(Span::file_start(*file), "no `policy:` block in this model")
                    .with_help("add `policy: {id: my-policy, speaker: <entity id>}` to one file"),
            );
        }
        return Vec::new();
    }
    let dir_of = |f: FileId| -> String {
        let p = sources.path(f);
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned())
    };
    let mut groups: BTreeMap<usize, Vec<(FileId, RawDocument)>> = BTreeMap::new();
    for (file, doc) in documents {
        let target = match &doc.policy {
            Some(p) => declared.iter().position(|(id, _)| *id == p.value.id.value),
            None => {
                let dir = dir_of(file);
                let here: Vec<usize> = (0..declared.len())
                    .filter(|&i| dir_of(declared[i].1) == dir)
                    .collect();
                match (here.as_slice(), declared.len()) {
                    ([one], _) => Some(*one),
                    (_, 1) => Some(0),
                    _ => {
                        diagnostics.push(
                            Diagnostic::error(
                                "privflow::load::orphan-file",
                                "this file has no `policy:` block and belongs to no single policy",
                            )
                            .at(Span::file_start(file), "which policy is this part of?")
                            .with_help(
                                "put the file in the directory of exactly one policy file, or add a `policy:` block",
                            ),
                        );
                        None
                    }
                }
            }
        };
        if let Some(i) = target {
            groups.entry(i).or_default().push((file, doc));
        }
    }
    groups.into_values().collect()
}

impl Workspace {
    /// Reads `--waivers` files and adds their waivers to every policy that has what they name.
    /// A waiver naming a claim or flow that no policy has is an error, like a model's own.
    pub fn add_waiver_files(&mut self, paths: &[PathBuf]) -> Result<(), LoadFailure> {
        let mut diagnostics = Vec::new();
        for path in paths {
            let bytes = match read_file(path) {
                Ok(bytes) => bytes,
                Err(d) => {
                    diagnostics.push(*d);
                    continue;
                }
            };
            let Ok(text) = String::from_utf8(bytes) else {
                diagnostics.push(Diagnostic::error(
                    "privflow::load::not-utf8",
                    format!("`{}` is not valid UTF-8", display(path)),
                ));
                continue;
            };
            let text: Arc<str> = Arc::from(text);
            let file = self.sources.add(display(path), text.clone());
            let raw = match serde_saphyr::from_str_with_options::<crate::model::raw::RawWaiverFile>(
                &text,
                options_for(text.len()),
            ) {
                Ok(raw) => raw,
                Err(e) => {
                    diagnostics.push(yaml_error(file, &text, &e));
                    continue;
                }
            };
            if let Err(d) = check_version(
                file,
                &text,
                &raw.privflow.value.to_string(),
                &raw.privflow.referenced,
            ) {
                diagnostics.push(*d);
                continue;
            }
            let raws = raw.waivers.unwrap_or_default();
            diagnostics.extend(self.unknown_references(file, &text, &raws));
            let first_origin = self.external_waivers.len();
            for w in &raws {
                let w = &w.value;
                self.external_waivers.push(ExternalWaiver {
                    claim: w.claim.value.clone(),
                    expires: w
                        .expires
                        .as_ref()
                        .and_then(|e| crate::model::duration::Date::parse(&e.value.0)),
                    span: span_of(file, &text, &w.claim.referenced),
                });
            }
            for model in &mut self.models {
                let (waivers, found) = crate::model::validate::external_waivers(
                    model,
                    &self.sources,
                    file,
                    &raws,
                    first_origin,
                );
                model.waivers.extend(waivers);
                diagnostics.extend(found);
            }
        }
        crate::diagnostics::sort(&mut diagnostics);
        diagnostics.dedup();
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(LoadFailure {
                sources: self.sources.clone(),
                diagnostics,
            });
        }
        self.warnings.extend(diagnostics);
        Ok(())
    }

    /// Claims and flows named by a waiver file that no loaded policy has.
    fn unknown_references(
        &self,
        file: FileId,
        text: &str,
        raws: &[serde_saphyr::Spanned<crate::model::raw::RawWaiver>],
    ) -> Vec<Diagnostic> {
        let claims: Vec<&str> = self
            .models
            .iter()
            .flat_map(|m| m.claims.iter().map(|c| c.id.as_str()))
            .collect();
        let flows: Vec<&str> = self
            .models
            .iter()
            .flat_map(|m| m.flows.iter().map(|f| f.id.as_str()))
            .collect();
        let mut out = Vec::new();
        for raw in raws {
            let raw = &raw.value;
            let refs = [
                (Some(&raw.claim), &claims, "claim"),
                (raw.flow.as_ref(), &flows, "flow"),
            ];
            for (r, known, what) in refs {
                let Some(r) = r else { continue };
                if r.value == "*" || known.contains(&r.value.as_str()) {
                    continue;
                }
                let help = did_you_mean(&r.value, known.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "no loaded policy has a {what} `{}`; use `*` for any",
                        r.value
                    )
                });
                let code = if what == "claim" {
                    "privflow::model::unknown-claim"
                } else {
                    "privflow::model::unknown-flow"
                };
                out.push(
                    Diagnostic::error(code, format!("unknown {what} `{}`", r.value))
                        .at(
                            span_of(file, text, &r.referenced),
                            format!("no {what} named `{}`", r.value),
                        )
                        .with_help(help),
                );
            }
        }
        out
    }
}

/// Loads one side of a diff: a path, or `git:REV:PATH` read from the repository the command
/// runs in (through `git ls-tree` and `git show`, never the working tree).
pub fn load_side(spec: &str) -> Result<Workspace, LoadFailure> {
    match spec.strip_prefix("git:") {
        None => load(&[PathBuf::from(spec)]),
        Some(rest) => {
            let (rev, path) = rest.split_once(':').unwrap_or((rest, "."));
            load_git(rev, &[PathBuf::from(path)])
        }
    }
}

/// Loads `paths` as they are at git revision `rev`.
pub fn load_git(rev: &str, paths: &[PathBuf]) -> Result<Workspace, LoadFailure> {
    let failure = |message: String| {
        LoadFailure {
        sources: Sources::default(),
        diagnostics: vec![Diagnostic::error("privflow::load::git", message)
            .with_help("name a revision git knows (`HEAD~1`, a branch, a tag) and a path in it, as `git:REV:PATH`")],
    }
    };
    let mut inputs = Vec::new();
    for path in paths {
        let spec = display(path);
        let listed = git(&["ls-tree", "-r", "--name-only", rev, "--", &spec])
            .map_err(|e| failure(format!("cannot list `{spec}` at `{rev}`: {e}")))?;
        let listed = String::from_utf8_lossy(&listed);
        let files: Vec<&str> = listed
            .lines()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
            .collect();
        if files.is_empty() {
            return Err(failure(format!(
                "`{spec}` holds no `.yaml` or `.yml` file at `{rev}`"
            )));
        }
        for file in files {
            let bytes = git(&["show", &format!("{rev}:{file}")])
                .map_err(|e| failure(format!("cannot read `{file}` at `{rev}`: {e}")))?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(failure(format!(
                    "`{file}` at `{rev}` is larger than {} MB",
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            inputs.push(InputFile {
                path: file.to_owned(),
                bytes,
            });
        }
    }
    load_inputs(inputs)
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}
