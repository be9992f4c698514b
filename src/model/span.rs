//! Source locations of the raw document: a compact `Loc` on every spanned value, whoever read the
//! YAML (serde-saphyr or the event reader), and its conversion to our diagnostics' spans.

use serde::{Deserialize, Deserializer};

use crate::diagnostics::{FileId, Span};

/// Where a value stands in its file: byte offset and length, 1-based line and column
/// (line 0: unknown). Sixteen bytes, so a model of a million references stays small.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Byte offset, or `NO_OFFSET` when only the line and column are known.
    pub offset: u32,
    pub len: u32,
    pub line: u32,
    pub column: u32,
}

impl Loc {
    pub const UNKNOWN: Loc = Loc {
        offset: NO_OFFSET,
        len: 0,
        line: 0,
        column: 0,
    };

    /// A location from a byte range and the 1-based line and column of its start.
    pub fn new(offset: usize, len: usize, line: usize, column: usize) -> Loc {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Loc {
            offset: u32::try_from(offset).unwrap_or(NO_OFFSET),
            len: small(len),
            line: small(line),
            column: small(column),
        }
    }

    pub fn is_known(&self) -> bool {
        self.line != 0
    }
}

const NO_OFFSET: u32 = u32::MAX;

impl From<&serde_saphyr::Location> for Loc {
    fn from(loc: &serde_saphyr::Location) -> Loc {
        let span = loc.span();
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Loc {
            offset: span
                .byte_offset()
                .and_then(|o| u32::try_from(o).ok())
                .unwrap_or(NO_OFFSET),
            len: small(span.byte_len().unwrap_or(0)),
            line: small(loc.line()),
            column: small(loc.column()),
        }
    }
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub at: Loc,
}

impl<T> Spanned<T> {
    pub fn new(value: T, at: Loc) -> Spanned<T> {
        Spanned { value, at }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spanned<T>, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Spanned {
            value: spanned.value,
            at: Loc::from(&spanned.referenced),
        })
    }
}

/// The span of a location in file `id`.
pub fn span_of(id: FileId, text: &str, loc: &Loc) -> Span {
    if loc.offset == NO_OFFSET {
        return Span::at_line_column(id, text, loc.line, loc.column, 0);
    }
    Span {
        file: id,
        offset: loc.offset as usize,
        len: loc.len as usize,
        line: loc.line.max(1),
        column: loc.column.max(1),
    }
}
