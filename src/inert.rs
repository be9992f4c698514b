//! Inert text: model strings reach a terminal, a Markdown viewer or a graph tool without the
//! control characters that would retitle a window, clear a screen or reorder a line.

use std::borrow::Cow;

/// Whether `c` would act on a terminal or a text layout rather than show: C0 controls other
/// than newline and tab, DEL, C1 controls, and the bidirectional and invisible format marks.
pub fn is_active(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(
            c,
            '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

/// `s` with every active character shown as a symbol: C0 as its Control Pictures glyph
/// (ESC as `␛`, BEL as `␇`, CR as `␍`), DEL as `␡`, the rest as `<U+202E>`.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_active) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(8));
    for c in s.chars() {
        match c {
            c if !is_active(c) => out.push(c),
            '\0'..='\u{1f}' => out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('?')),
            '\u{7f}' => out.push('␡'),
            c => out.push_str(&format!("<U+{:04X}>", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// Replaces `s` in place by its visible form; says whether anything changed.
pub fn make_visible(s: &mut String) -> bool {
    match visible(s) {
        Cow::Borrowed(_) => false,
        Cow::Owned(shown) => {
            *s = shown;
            true
        }
    }
}

/// `text` with every byte of an active character replaced by `?`: the same length, so byte
/// offsets into it (diagnostic spans) still hold.
pub fn blanked(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_active(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_show_as_symbols_and_text_stays() {
        assert_eq!(
            visible("Acme\u{1b}]0;pwned\u{7}\u{1b}[2J"),
            "Acme␛]0;pwned␇␛[2J"
        );
        assert_eq!(visible("a\r\nb\tc\u{7f}"), "a␍\nb\tc␡");
        assert_eq!(
            visible("evil\u{202e}txt.exe\u{85}"),
            "evil<U+202E>txt.exe<U+0085>"
        );
        assert!(matches!(visible("WhatsApp — Ünïcode ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn blanking_keeps_byte_offsets() {
        let text = "a: \"x\u{1b}\u{202e}y\"\n";
        let blank = blanked(text);
        assert_eq!(blank.len(), text.len());
        assert_eq!(blank, "a: \"x????y\"\n");
    }
}
