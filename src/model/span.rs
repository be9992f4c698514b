//! Source locations: serde-saphyr's locations as our diagnostics' spans, for every pass that
//! reports against the YAML (parsing, validation, waiver files).

use serde_saphyr::Location;

use crate::diagnostics::{FileId, Span};

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
