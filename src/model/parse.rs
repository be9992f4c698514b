//! Bytes to a spanned raw document: UTF-8, emptiness, the format version, YAML budgets, and every
//! YAML or shape error turned into a located diagnostic with a stable code and a hint.

use std::sync::Arc;

use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

use super::files::{InputFile, Problem};
use super::prescan::refuse_tags;
use super::raw::{RawDocument, RawVersionOnly};
use super::span::{Loc, span_of};
use crate::diagnostics::{Diagnostic, FileId, Sources, Span, did_you_mean};

/// The top-level keys of a privflow document: a YAML file with none of them is not a model.
pub(crate) const TOP_LEVEL_KEYS: [&str; 9] = [
    "privflow",
    "policy",
    "taxonomy",
    "entities",
    "systems",
    "flows",
    "disclosures",
    "claims",
    "waivers",
];

/// Whether a YAML file found in a walk is privflow's (SPEC §2): it has one of privflow's
/// top-level keys. Read from the lines alone, before parsing: CI workflows, lock files and the
/// YAML of node modules are passed over, while a fragment lacking `privflow: 1` is still parsed
/// (and refused).
pub fn is_privflow_document(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().any(|line| {
        if line.starts_with('{') {
            // A flow-style document: any of the keys inside it.
            return TOP_LEVEL_KEYS
                .iter()
                .any(|k| line.contains(&format!("{k}:")));
        }
        let Some((key, _)) = line.split_once(':') else {
            return false;
        };
        let key = key.trim_end().trim_matches(|c| c == '"' || c == '\'');
        !line.starts_with([' ', '\t', '#', '-']) && TOP_LEVEL_KEYS.contains(&key)
    })
}

/// The only model format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Budgets scale with the input so a large legitimate model loads while a small hostile one
/// (an alias bomb, 100 000 nested brackets) is stopped early.
pub fn options_for(len: usize) -> Options {
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(len + 1024);
    budget.max_nodes = budget.max_nodes.max(len + 1024);
    budget.max_depth = 64;
    // The text is in memory already, read within the run's limits.
    budget.max_reader_input_bytes = Some(len.saturating_add(1));
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

/// A side file (waivers, levels) as YAML of shape `T`: tags refused, the model's budgets, every
/// error a located diagnostic.
pub fn from_yaml<T: serde::de::DeserializeOwned>(id: FileId, text: &str) -> Result<T, Problem> {
    if let Some(tag) = refuse_tags(id, text) {
        return Err(Box::new(tag));
    }
    serde_saphyr::from_str_with_options(text, options_for(text.len()))
        .map_err(|e| Box::new(yaml_error(id, text, &e)))
}

pub fn parse_file(
    input: InputFile,
    sources: &mut Sources,
) -> Result<(FileId, RawDocument), Problem> {
    let InputFile { path, bytes } = input;
    let text: Arc<str> = match std::str::from_utf8(&bytes) {
        Ok(text) => Arc::from(text),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let prefix: Arc<str> = Arc::from(String::from_utf8_lossy(valid).as_ref());
            let id = sources.add(path, prefix.clone());
            let span = Span::at_offset(id, &prefix, prefix.len(), 0);
            return Err(Box::new(
                Diagnostic::error("privflow::load::not-utf8", "the file is not valid UTF-8")
                    .at(span, "invalid byte here")
                    .with_help("save the model as UTF-8"),
            ));
        }
    };
    // The text is held once, by the sources, while the model is read.
    drop(bytes);
    let id = sources.add(path, text.clone());
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
    if let Some(tag) = refuse_tags(id, text) {
        return Err(Box::new(tag));
    }
    let options = options_for(text.len());
    // Plain models are read from the parser's events; serde-saphyr reads the rest.
    let read = match super::reader::read_document(text) {
        Some(doc) => Ok(doc),
        None => serde_saphyr::from_str_with_options::<RawDocument>(text, options.clone()),
    };
    match read {
        Ok(doc) => {
            check_version(id, text, &doc.privflow.value.to_string(), &doc.privflow.at)?;
            Ok((id, doc))
        }
        Err(error) => {
            // A file of another format version fails on its unknown keys; say what matters.
            if let Ok(v) = serde_saphyr::from_str_with_options::<RawVersionOnly>(text, options) {
                match v.privflow {
                    Some(version) => check_version(id, text, &version.value.0, &version.at)?,
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

/// Parses a file, reporting every shape error it has (the first as `parse_file` words it, then
/// those of the other sections and items), never only the first.
pub fn parse_file_reporting_all(
    input: InputFile,
    sources: &mut Sources,
) -> Result<(FileId, RawDocument), Vec<Diagnostic>> {
    parse_file(input, sources).map_err(|first| {
        let mut all = Vec::new();
        let file = first.span.map(|s| s.file);
        if let Some(file) = file.filter(|_| first.code.starts_with("privflow::yaml::")) {
            let text = sources.get(file).text.clone();
            all.extend(super::shape::more_shape_errors(file, &text, &first));
        }
        all.insert(0, *first);
        all
    })
}

pub fn check_version(id: FileId, text: &str, version: &str, loc: &Loc) -> Result<(), Problem> {
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

/// Turns a YAML or shape error into a diagnostic with a stable code and, where possible, a hint.
pub fn yaml_error(id: FileId, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
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
    let (code, label, message, plain_help) = in_our_words(code, label, message, text, inner);
    let message = message.as_str();
    let mut d = Diagnostic::error(code, message.to_owned());
    if let Some(loc) = inner.location().or_else(|| error.location()) {
        d = d.at(span_of(id, text, &Loc::from(&loc)), label);
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
        _ => plain_help,
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
/// serde-saphyr's and serde's wording where it names their API or Rust types, in the model's
/// words: (code, label, message, help).
fn in_our_words(
    code: &'static str,
    label: &'static str,
    message: &str,
    text: &str,
    error: &serde_saphyr::Error,
) -> (&'static str, &'static str, String, Option<String>) {
    if message.contains("multiple YAML documents") {
        return (
            "privflow::yaml::multiple-documents",
            "a second document starts here",
            "a second YAML document: a privflow file holds one".to_owned(),
            Some(
                "split the documents into files of their own (a policy may span several files), or remove the `---` line"
                    .to_owned(),
            ),
        );
    }
    if message.contains("simple key expected") {
        let line = error
            .location()
            .and_then(|l| text.lines().nth(l.line().saturating_sub(1) as usize))
            .unwrap_or_default();
        let key = line.split(':').next().unwrap_or_default().trim();
        if key.chars().count() > 1024 {
            return (
                code,
                "this key",
                format!(
                    "a key of {} characters: YAML allows at most 1024 in a key written without `? `",
                    key.chars().count()
                ),
                Some("shorten the key: ids and field keys are short names".to_owned()),
            );
        }
        return (
            code,
            label,
            "expected `:` after this key".to_owned(),
            Some(
                "a mapping entry is `key: value`; quote a value that holds `: ` or `#`".to_owned(),
            ),
        );
    }
    // Advice that names serde-saphyr's options or Rust types is not for a model's author.
    let message = [", set ", "; use ", " If you just use"]
        .iter()
        .fold(message, |m, cut| m.split(cut).next().unwrap_or(m));
    let mut words = message.to_owned();
    for (rust, ours) in [
        ("invalid u64", "not a whole number"),
        ("invalid u32", "not a whole number"),
        ("invalid i64", "not a whole number"),
        ("invalid f64", "not a number"),
        ("expected u64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
    ] {
        words = words.replace(rust, ours);
    }
    (code, label, words, None)
}

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
