//! Every shape error of a file in one run: serde stops at the first, so when a file does not
//! deserialize, each section and each item of its lists and maps is deserialized on its own.

use granit_parser::{Event, Parser, StructureStyle};
use serde::de::DeserializeOwned;

use super::parse::{TOP_LEVEL_KEYS, options_for, yaml_error};
use super::raw::RawWaiver;
use super::raw::{RawClaim, RawDisclosure, RawEntity, RawFlow, RawPolicy, RawSystem, RawTaxonomy};
use crate::diagnostics::{Diagnostic, FileId, Span};

/// At most this many shape errors per file beyond the first; a file this broken needs no more.
const MORE_AT_MOST: usize = 100;

/// A top-level key that is not privflow's, and its byte offset.
type UnknownKey = (String, usize);

/// One node of the document to check on its own: what it should be, and its bytes.
struct Node {
    kind: Kind,
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Policy,
    Taxonomy,
    Entity,
    System,
    Flow,
    Disclosure,
    Claim,
    Waiver,
}

impl Kind {
    /// The kind of a top-level section's nodes (`None`: not a section checked here).
    fn of_section(key: &str) -> Option<Kind> {
        Some(match key {
            "policy" => Kind::Policy,
            "taxonomy" => Kind::Taxonomy,
            "entities" => Kind::Entity,
            "systems" => Kind::System,
            "flows" => Kind::Flow,
            "disclosures" => Kind::Disclosure,
            "claims" => Kind::Claim,
            "waivers" => Kind::Waiver,
            _ => return None,
        })
    }

    /// Whether the section is a list or map of such nodes, rather than one.
    fn many(self) -> bool {
        !matches!(self, Kind::Policy | Kind::Taxonomy)
    }
}

/// The shape errors of `text` besides `first` (the one the whole file's deserialization gave),
/// in file order. Files with anchors or aliases are left at the first error: an item on its own
/// would lose what its aliases point at.
pub fn more_shape_errors(id: FileId, text: &str, first: &Diagnostic) -> Vec<Diagnostic> {
    let Some((nodes, unknown_keys)) = nodes(text) else {
        return Vec::new();
    };
    let first_at = first.span.map(|s| s.offset);
    let mut found = Vec::new();
    for (key, at) in unknown_keys.into_iter().take(MORE_AT_MOST) {
        if Some(at) != first_at {
            found.push(unknown_section(id, text, &key, at));
        }
    }
    for node in nodes {
        if first_at.is_some_and(|at| (node.start..node.end.max(node.start + 1)).contains(&at)) {
            continue;
        }
        let result = match node.kind {
            Kind::Policy => check::<RawPolicy>(id, text, &node),
            Kind::Taxonomy => check::<RawTaxonomy>(id, text, &node),
            Kind::Entity => check::<RawEntity>(id, text, &node),
            Kind::System => check::<RawSystem>(id, text, &node),
            Kind::Flow => check::<RawFlow>(id, text, &node),
            Kind::Disclosure => check::<RawDisclosure>(id, text, &node),
            Kind::Claim => check::<RawClaim>(id, text, &node),
            Kind::Waiver => check::<RawWaiver>(id, text, &node),
        };
        found.extend(result);
        if found.len() >= MORE_AT_MOST {
            break;
        }
    }
    found.sort_by_key(|d| d.span.map(|s| s.offset));
    found.truncate(MORE_AT_MOST);
    found
}

/// The node deserialized on its own: its text keeps its column (the line's start is blanked),
/// and the error's location is moved back to the file's.
fn check<T: DeserializeOwned>(id: FileId, text: &str, node: &Node) -> Option<Diagnostic> {
    let before = text.get(..node.start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let body = text.get(node.start..node.end)?;
    let item = format!("{}{body}", " ".repeat(node.start - line_start));
    let error = serde_saphyr::from_str_with_options::<T>(&item, options_for(item.len())).err()?;
    let mut d = yaml_error(id, &item, &error);
    let line = before.matches('\n').count() as u32;
    if let Some(span) = d.span.as_mut() {
        span.offset = (span.offset + line_start).min(text.len());
        span.len = span.len.min(text.len() - span.offset);
        span.line += line;
    }
    Some(d)
}

/// A top-level key that is not privflow's.
fn unknown_section(id: FileId, text: &str, key: &str, at: usize) -> Diagnostic {
    let span = Span::at_offset(id, text, at, key.len());
    Diagnostic::error(
        "privflow::yaml::unknown-key",
        format!("unknown key `{key}`"),
    )
    .at(span, "unknown key")
    .with_help(format!(
        "the top-level keys are {}",
        TOP_LEVEL_KEYS.join(", ")
    ))
}

/// The nodes to check and the unknown top-level keys (with their offsets), read from the
/// parser's events; `None` when the file has anchors, aliases or a syntax error.
fn nodes(text: &str) -> Option<(Vec<Node>, Vec<UnknownKey>)> {
    let mut nodes = Vec::new();
    let mut unknown = Vec::new();
    // The styles of the open collections: the root mapping is depth 1, a section's list or
    // map depth 2.
    let mut styles: Vec<StructureStyle> = Vec::new();
    let mut section: Option<Kind> = None;
    let mut section_is_map = false;
    let mut root_key_next = true;
    let mut entry_key_next = true;
    // The node being read, and the depth its end brings the parser back to.
    let mut open: Option<(Node, usize)> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let (start, end) = (span.start.byte_offset()?, span.end.byte_offset()?);
        if event.anchor_id().is_some_and(|a| a != 0) || matches!(event, Event::Alias(_)) {
            return None;
        }
        let depth = styles.len();
        let begins = matches!(
            event,
            Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..)
        );
        // Which kind of node begins here, if one this module checks does.
        let mut begun = None;
        if begins && depth == 1 {
            if root_key_next {
                if let Event::Scalar(key, ..) = &event {
                    section = Kind::of_section(key);
                    if section.is_none() && !TOP_LEVEL_KEYS.contains(&key.as_ref()) {
                        unknown.push((key.to_string(), start));
                    }
                }
            } else {
                section_is_map = matches!(event, Event::MappingStart(..));
                entry_key_next = true;
                begun = section.filter(|k| !k.many()).map(|kind| (kind, 1));
            }
            root_key_next = !root_key_next;
        } else if begins && depth == 2 {
            let is_value = !section_is_map || !entry_key_next;
            if section_is_map {
                entry_key_next = !entry_key_next;
            }
            if is_value {
                begun = section.filter(|k| k.many()).map(|kind| (kind, 2));
            }
        }
        if let Some((kind, at_depth)) = begun {
            let node = Node { kind, start, end };
            match &event {
                Event::Scalar(value, ..) => {
                    if !matches!(value.as_ref(), "" | "~" | "null") {
                        nodes.push(node);
                    }
                }
                _ => open = Some((node, at_depth)),
            }
        }
        match &event {
            Event::MappingStart(style, ..) | Event::SequenceStart(style, ..) => styles.push(*style),
            Event::MappingEnd | Event::SequenceEnd => {
                let style = styles.pop();
                if let Some((node, at_depth)) = open.as_mut() {
                    if style == Some(StructureStyle::Flow) {
                        node.end = node.end.max(end);
                    }
                    if styles.len() == *at_depth {
                        nodes.extend(open.take().map(|(node, _)| node));
                    }
                }
            }
            Event::Scalar(..) => {
                if let Some((node, _)) = open.as_mut() {
                    node.end = node.end.max(end);
                }
            }
            _ => {}
        }
    }
    Some((nodes, unknown))
}
