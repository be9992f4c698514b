//! What serde cannot see in a YAML file, found from the parser's events before deserializing:
//! tags (`!!binary`, `!!python/object`, `!custom`), which privflow refuses wherever they stand.

use granit_parser::{Event, Parser};

use crate::diagnostics::{Diagnostic, FileId, Span};

/// The first tag in `text`, as an error located at it. Syntax errors are left to the
/// deserializer, which words them with the model's keys.
pub fn refuse_tags(file: FileId, text: &str) -> Option<Diagnostic> {
    // Every tag starts with `!`: most files are never parsed twice.
    if !text.contains('!') {
        return None;
    }
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return None;
        };
        let tag = match &event {
            Event::Scalar(_, _, _, tag)
            | Event::SequenceStart(_, _, tag)
            | Event::MappingStart(_, _, tag) => tag.as_ref(),
            _ => None,
        };
        if let Some(tag) = tag {
            let start = span.tag_start.unwrap_or(span.start);
            let offset = start.byte_offset().unwrap_or(0).min(text.len());
            let written = text
                .get(offset..)
                .unwrap_or_default()
                .split(|c: char| c.is_whitespace() || c == ',' || c == '}' || c == ']')
                .next()
                .unwrap_or("!");
            return Some(refused_tag(
                Span::at_offset(file, text, offset, written.len()),
                written,
                &tag.to_string(),
            ));
        }
    }
    None
}

fn refused_tag(span: Span, written: &str, resolved: &str) -> Diagnostic {
    let binary = resolved.ends_with(":binary");
    let help = if binary {
        "write the value itself: a base64 `!!binary` value hides what the model says from its reviewer"
    } else {
        "remove the tag; quote the value if it must stay text, e.g. `name: \"!important\"`"
    };
    Diagnostic::error(
        "privflow::yaml::tag",
        format!("YAML tag `{written}` is not allowed in a privflow model"),
    )
    .at(span, "tag")
    .with_help(help)
}
