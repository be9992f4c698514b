//! Diagnostics: every problem found in a model, with a stable code, a source span, a label and help.
//! The rest of the crate builds `Diagnostic` values; only this module knows that miette renders them.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde::Serialize;

/// Index of a loaded file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// One loaded file: its display path (relative, as given) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: Arc<str>,
}

/// Every file a run has read, so diagnostics and findings can point into them.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: String, text: Arc<str>) -> FileId {
        self.files.push(SourceFile { path, text });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &str {
        &self.get(id).path
    }
}

/// A place in a source file: byte range for the renderer, 1-based line and column for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub offset: usize,
    pub len: usize,
    pub line: u32,
    pub column: u32,
}

impl Span {
    /// A span from a byte offset, computing line and column from the text.
    pub fn at_offset(file: FileId, text: &str, offset: usize, len: usize) -> Span {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count() as u32
            + 1;
        Span {
            file,
            offset,
            len,
            line,
            column,
        }
    }

    /// A span from a 1-based line and column (in characters), for locations without byte offsets.
    pub fn at_line_column(file: FileId, text: &str, line: u32, column: u32, len: usize) -> Span {
        let line_start = if line <= 1 {
            0
        } else {
            text.match_indices('\n')
                .nth(line as usize - 2)
                .map_or(text.len(), |(i, _)| i + 1)
        };
        let offset = text[line_start..]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| line_start + i);
        Span {
            file,
            offset,
            len,
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The start of a file, for problems that concern a whole file.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            offset: 0,
            len: 0,
            line: 1,
            column: 1,
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: `code` is stable (`privflow::model::unknown-system`), `message` says what is wrong,
/// `label` sits under the span, `help` says how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// The file a problem is about when there is no place in it to point at: one that is not a
    /// regular file, or too large to read.
    pub path: Option<String>,
    pub label: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            path: None,
            label: String::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_optional_help(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code, so output never depends on discovery order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.span.map(|s| (s.file, s.offset)),
                d.code,
                d.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// The closest candidate to `name`, if any is close enough to suggest: a small edit distance
/// (typos, swapped letters) or a high Jaro-Winkler similarity (shared prefixes).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    let length = name.chars().count();
    let allowed_edits = (length / 3).max(1);
    for candidate in shortlist(name, candidates) {
        if candidate == name {
            continue;
        }
        // A name cut short (`user.contact.phone`) means the key it begins, not its parent.
        if length >= 3 && candidate.starts_with(name) {
            let score = 3.0 - candidate.len() as f64 / 1e6;
            if best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
                best = Some((score, candidate));
            }
            continue;
        }
        // Candidates of a very different length cannot be close: skip them unmeasured, so a
        // long misspelt id among many candidates stays quick.
        if candidate.chars().count().abs_diff(length) > allowed_edits.max(length / 2) {
            continue;
        }
        let edits = strsim::damerau_levenshtein(name, candidate);
        let similarity = strsim::jaro_winkler(name, candidate);
        let score = if edits <= allowed_edits {
            1.0 + similarity
        } else {
            similarity
        };
        if score >= 0.85 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Candidates measured in full by `did_you_mean`; past this many, a cheap overlap picks them.
const SHORTLIST: usize = 256;

/// The candidates worth measuring: all of them when they are few; else the [`SHORTLIST`] that
/// share the longest prefix and suffix with `name` (an edit leaves both), in name order. Edit
/// distance against each of 10 000 candidates for each of 10 000 unknown ids took minutes.
fn shortlist<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let all: Vec<&str> = candidates.into_iter().collect();
    if all.len() <= SHORTLIST {
        return all;
    }
    let overlap = |c: &str| {
        let (a, b) = (name.as_bytes(), c.as_bytes());
        let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let suffix = a[prefix..]
            .iter()
            .rev()
            .zip(b[prefix.min(b.len())..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        prefix + suffix
    };
    let mut scored: Vec<(usize, &str)> = all.into_iter().map(|c| (overlap(c), c)).collect();
    scored.select_nth_unstable_by(SHORTLIST - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.truncate(SHORTLIST);
    let mut kept: Vec<&str> = scored.into_iter().map(|(_, c)| c).collect();
    kept.sort_unstable();
    kept
}

/// Renders diagnostics for a terminal (or a plain-text log when `color` is false).
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let shown = shown(diagnostic);
        let report = MietteDiagnostic::new(&shown, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
        }
    }
    out
}

/// A diagnostic's text with its control characters shown: messages quote model strings.
fn shown(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    crate::inert::make_visible(&mut d.message);
    crate::inert::make_visible(&mut d.label);
    if let Some(help) = &mut d.help {
        crate::inert::make_visible(help);
    }
    d
}

/// A diagnostic as `--format json` carries it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "str::is_empty", default)]
    pub label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

pub fn to_json<'a>(diagnostics: &'a [Diagnostic], sources: &'a Sources) -> Vec<JsonDiagnostic<'a>> {
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            severity: d.severity,
            message: &d.message,
            file: d.span.map(|s| sources.path(s.file)).or(d.path.as_deref()),
            line: d.span.map(|s| s.line),
            column: d.span.map(|s| s.column),
            label: &d.label,
            help: d.help.as_deref(),
        })
        .collect()
}

const MAX_SNIPPET_LINE: usize = 400;

/// Length in bytes of the line holding `offset`.
fn line_length(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = text.as_bytes()[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |p| offset + p);
    end - start
}

/// Adapter between our diagnostic and miette's trait.
struct MietteDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    path: Option<&'a str>,
    source: Option<Excerpt>,
}

impl<'a> MietteDiagnostic<'a> {
    fn new(diagnostic: &'a Diagnostic, sources: &'a Sources) -> Self {
        // A snippet of a line thousands of characters long helps nobody; the message still
        // carries file, line and column.
        let source = diagnostic
            .span
            .filter(|span| {
                line_length(&sources.get(span.file).text, span.offset) <= MAX_SNIPPET_LINE
            })
            .map(|span| Excerpt::around(sources.get(span.file), span));
        let path = diagnostic.span.map(|span| sources.path(span.file));
        MietteDiagnostic {
            diagnostic,
            path,
            source,
        }
    }
}

/// The lines of a file around a span, which is all miette reads for a snippet: each diagnostic
/// costs its own few lines, not a scan of the whole file (20 000 of them once took 152 s).
struct Excerpt {
    name: String,
    /// The lines, with control characters blanked so they never reach the terminal raw.
    text: String,
    /// Byte offset and 0-based line of the excerpt's start in the file.
    offset: usize,
    line: usize,
}

impl Excerpt {
    /// Lines of context kept on each side: more than the renderer shows.
    const CONTEXT: usize = 3;

    fn around(file: &SourceFile, span: Span) -> Excerpt {
        let bytes = file.text.as_bytes();
        let at = span.offset.min(bytes.len());
        let end = at.saturating_add(span.len).min(bytes.len());
        let mut start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let mut skipped = 0;
        while skipped < Self::CONTEXT && start > 0 {
            start = bytes[..start - 1]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            skipped += 1;
        }
        let mut stop = end;
        for _ in 0..=Self::CONTEXT {
            match bytes[stop..].iter().position(|&b| b == b'\n') {
                Some(p) => stop += p + 1,
                None => {
                    stop = bytes.len();
                    break;
                }
            }
        }
        // Offsets come from the parser, on character boundaries; a line break is one too.
        let text = file.text.get(start..stop).unwrap_or_default();
        Excerpt {
            name: crate::inert::visible(&file.path).into_owned(),
            text: crate::inert::blanked(text).into_owned(),
            offset: start,
            line: (span.line as usize)
                .saturating_sub(1)
                .saturating_sub(skipped),
        }
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let inner = self.text.as_bytes().read_span(
            &SourceSpan::new(local.into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.offset).into(),
                inner.span().len(),
            ),
            inner.line() + self.line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnostic")
            .field("code", &self.diagnostic.code)
            .finish()
    }
}

impl fmt::Display for MietteDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.diagnostic.span, &self.path) {
            (Some(span), Some(path)) => {
                write!(
                    f,
                    "{} ({}:{}:{})",
                    self.diagnostic.message, path, span.line, span.column
                )
            }
            _ => f.write_str(&self.diagnostic.message),
        }
    }
}

impl std::error::Error for MietteDiagnostic<'_> {}

impl miette::Diagnostic for MietteDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = self.diagnostic.span?;
        let label = (!self.diagnostic.label.is_empty()).then(|| self.diagnostic.label.clone());
        let labeled = LabeledSpan::new_primary_with_span(
            label,
            SourceSpan::new(span.offset.into(), span.len),
        );
        Some(Box::new(std::iter::once(labeled)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_line_and_column_count_characters() {
        let text = "a: 1\nbé: x\n";
        let span = Span::at_offset(FileId(0), text, 9, 1);
        assert_eq!((span.line, span.column), (2, 4));
    }

    /// A diagnostic rendered from the whole file, as it was before excerpts.
    struct WholeFile<'a>(&'a MietteDiagnostic<'a>, miette::NamedSource<String>);

    impl fmt::Debug for WholeFile<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(self.0, f)
        }
    }
    impl fmt::Display for WholeFile<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Display::fmt(self.0, f)
        }
    }
    impl std::error::Error for WholeFile<'_> {}
    impl miette::Diagnostic for WholeFile<'_> {
        fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
            miette::Diagnostic::code(self.0)
        }
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            Some(&self.1)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            miette::Diagnostic::labels(self.0)
        }
    }

    #[test]
    fn an_excerpt_renders_as_the_whole_file_would() {
        let text: String = (1..=12).map(|i| format!("key{i}: value{i}\n")).collect();
        let text = format!("{text}last: no newline");
        let mut sources = Sources::default();
        let file = sources.add("m.yaml".into(), Arc::from(text.as_str()));
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_links(false)
            .with_width(100);
        // First line, middle, a span over two lines, the last line without a newline.
        for (offset, len) in [(0, 4), (60, 6), (75, 20), (text.len() - 10, 10)] {
            let d = Diagnostic::error("privflow::test", "here")
                .at(Span::at_offset(file, &text, offset, len), "this");
            let excerpt = MietteDiagnostic::new(&d, &sources);
            let whole = WholeFile(&excerpt, miette::NamedSource::new("m.yaml", text.clone()));
            let (mut by_excerpt, mut by_whole) = (String::new(), String::new());
            handler.render_report(&mut by_excerpt, &excerpt).unwrap();
            handler.render_report(&mut by_whole, &whole).unwrap();
            assert_eq!(by_excerpt, by_whole, "span at {offset}");
            assert!(by_excerpt.contains("│"), "{by_excerpt}");
        }
    }

    #[test]
    fn many_candidates_still_give_the_closest() {
        let candidates: Vec<String> = (0..10_000).map(|i| format!("system-{i:05}")).collect();
        let names = || candidates.iter().map(String::as_str);
        assert_eq!(
            did_you_mean("sistem-04711", names()).as_deref(),
            Some("did you mean `system-04711`?")
        );
        assert_eq!(
            did_you_mean("system-0471", names()).as_deref(),
            Some("did you mean `system-04710`?"),
            "a name cut short means the key it begins"
        );
        assert_eq!(did_you_mean("zzz", names()), None);
    }

    #[test]
    fn suggests_the_closest_name_only_when_close() {
        assert_eq!(
            did_you_mean("wa-sever", ["wa-server", "fb-ads"]).as_deref(),
            Some("did you mean `wa-server`?")
        );
        assert_eq!(did_you_mean("zzz", ["wa-server", "fb-ads"]), None);
    }
}
