//! The data-flow diagram as SVG: the layered layout (output/layout.rs) drawn with the structure
//! outside tools read (groups, nodes, edges by id). Coordinates only ever saturate, never wrap.

#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;
use std::fmt::Write;
use std::num::Saturating;

use crate::engine::audit::PolicyAudit;
use crate::model::{EntityId, FlowId, SystemId, SystemLocation};
use crate::output::export::{Focus, Subgraph, subgraph};
use crate::output::layout::{Graph, LINE_Y, NODE_H, NODE_W, PAD, Px, layout, px, slots};
use crate::output::markup::escape;

/// Characters of a system's name per line in its box (12 px text, 0.6 em a glyph).
const NAME_CHARS: usize = 27;
/// Characters of a system id (11 px) in its box.
const ID_CHARS: usize = 30;
/// Characters of an edge label per line (10 px) in its slot.
const LABEL_CHARS: usize = 32;
/// A group title's line: 12.6 px glyphs of its bold 12 px text.
const TITLE_GLYPH: u32 = 8;
const TITLE_LINE: Px = Saturating(16);
/// The most layer slots (nodes and the bends of long flows) a diagram is drawn with, system by
/// system: past it the drawing is unreadable and its cost quadratic, so systems collapse to
/// their company groups (a 1 000-system, 10 000-flow model needs millions).
const MAX_SLOTS: usize = 20_000;

/// The diagrams of several policies as one SVG document: each policy's own diagram, stacked.
pub fn diagrams(parts: &[(&PolicyAudit, Focus)]) -> String {
    if let [(audit, focus)] = parts {
        return diagram(audit, focus);
    }
    let size = |svg: &str, attr: &str| -> Px {
        Saturating(
            svg.split_once(&format!(" {attr}=\""))
                .and_then(|(_, rest)| rest.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        )
    };
    let (mut body, mut width, mut height) = (String::new(), Saturating(0), Saturating(0));
    for (audit, focus) in parts {
        let svg = diagram(audit, focus);
        let (w, h) = (size(&svg, "width"), size(&svg, "height"));
        body.push_str(&svg.replacen("<svg ", &format!("<svg x=\"0\" y=\"{height}\" "), 1));
        width = width.max(w);
        height += h;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">{body}</svg>"
    )
}

/// The diagram, laid out in layers (output/layout.rs): a box per company group (the speaker's
/// first), systems as boxes inside, flows as arrows labelled with their fields; e2ee dashed,
/// flows on a broken promise's path red, on a possible one amber. A policy with no system to
/// draw gets an empty diagram that says so.
pub fn diagram(audit: &PolicyAudit, focus: &Focus) -> String {
    let model = audit.model;
    let sub = subgraph(audit, focus);
    if sub.systems.is_empty() {
        let (width, height) = (NODE_W + PAD + PAD, NODE_H + PAD);
        return svg(
            &model.policy.id,
            width,
            height,
            &format!(
                "<text x=\"{PAD}\" y=\"{}\" class=\"empty\">No systems to draw.</text>",
                PAD + Saturating(4)
            ),
        );
    }
    let speaker_group = model.ultimate_owner(model.speaker());
    // Bands in drawing order: the speaker's group, then the others by id.
    let mut groups: BTreeMap<(bool, String), EntityId> = BTreeMap::new();
    for &s in &sub.systems {
        let group = model.ultimate_owner(model.party(s));
        groups.insert(
            (group != speaker_group, model.entity(group).id.clone()),
            group,
        );
    }
    let groups: Vec<EntityId> = groups.into_values().collect();
    let band_of = |s: SystemId| band(model, &groups, s);
    let index: BTreeMap<SystemId, usize> = sub
        .systems
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i))
        .collect();
    let flows: Vec<FlowId> = sub
        .flows
        .iter()
        .copied()
        .filter(|&f| {
            index.contains_key(&model.flow(f).from) && index.contains_key(&model.flow(f).to)
        })
        .collect();
    // Past a few dozen flows, labels on every arrow hide the arrows; each keeps its tooltip.
    let labelled = flows.len() <= 30;
    let graph = Graph {
        bands: sub.systems.iter().map(|&s| band_of(s)).collect(),
        band_count: groups.len(),
        edges: flows
            .iter()
            .map(|&f| (index[&model.flow(f).from], index[&model.flow(f).to]))
            .collect(),
        labelled,
    };
    let title_lines = |band: usize, width: Px| {
        let chars = usize::try_from(width.0.saturating_sub(24) / TITLE_GLYPH).unwrap_or(1);
        wrap(&model.entity(groups[band]).name, chars.max(1), 3)
    };
    if slots(&graph) > MAX_SLOTS {
        return collapsed(audit, &sub, &flows, &groups);
    }
    let laid = layout(&graph, |band, width| {
        TITLE_LINE * px(title_lines(band, width).len()) + Saturating(14)
    });

    let mut out = String::new();
    for (band, rect) in laid.bands.iter().enumerate() {
        let Some(r) = rect else { continue };
        let _ = write!(
            out,
            "<g class=\"group\" data-entity=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"12\"/>",
            escape(&model.entity(groups[band]).id),
            r.x,
            r.y,
            r.w,
            r.h
        );
        for (i, line) in title_lines(band, r.w).iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                r.x + Saturating(12),
                r.y + Saturating(19) + TITLE_LINE * px(i),
                escape(line)
            );
        }
        out.push_str("</g>");
    }
    let marker = marker_id(&model.policy.id);
    for (route, &f) in laid.edges.iter().zip(&flows) {
        let flow = model.flow(f);
        let mut class = String::from("edge");
        if sub.ciphertext.contains(&f) {
            class.push_str(" e2ee");
        }
        // The arrowhead takes its arrow's colour.
        let head = if sub.possibly.contains(&f) {
            class.push_str(" possible");
            "-possible"
        } else if sub.breaking.contains(&f) {
            class.push_str(" breaks");
            "-breaks"
        } else {
            ""
        };
        let (from, to) = (
            escape(&model.system(flow.from).id),
            escape(&model.system(flow.to).id),
        );
        let fields: Vec<&str> = flow
            .fields
            .iter()
            .map(|&k| model.fields.key(k).trim_start_matches("user."))
            .collect();
        let fields = fields.join(", ");
        let _ = write!(
            out,
            "<g class=\"{class}\" data-from=\"{from}\" data-to=\"{to}\" data-flow=\"{}\"><title>{}: {from} → {to} ({})</title><path d=\"{}\" marker-end=\"url(#{marker}{head})\"/>",
            escape(&flow.id),
            escape(&flow.id),
            escape(&fields),
            route.path
        );
        if labelled {
            // Above the line through the slot, ending above the line's first lines.
            let lines = wrap(&fields, LABEL_CHARS, 2);
            let (lx, ly) = route.label;
            for (i, line) in lines.iter().enumerate() {
                let above = px(lines.len().saturating_sub(i)) * Saturating(12);
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\">{}</text>",
                    lx + Saturating(2),
                    ly + LINE_Y - above + Saturating(8),
                    escape(line)
                );
            }
        }
        out.push_str("</g>");
    }
    for (i, &s) in sub.systems.iter().enumerate() {
        let r = laid.nodes[i];
        let sys = model.system(s);
        let class = if sys.location == SystemLocation::Device {
            "node device"
        } else {
            "node"
        };
        let _ = write!(
            out,
            "<g class=\"{class}\" data-system=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/>",
            escape(&sys.id),
            r.x,
            r.y,
            r.w,
            r.h
        );
        let name = wrap(&sys.name, NAME_CHARS, 2);
        let first = if name.len() > 1 { 18 } else { 23 };
        for (k, line) in name.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" class=\"name\">{}</text>",
                r.x + Saturating(10),
                r.y + Saturating(first) + Saturating(14) * px(k),
                escape(line)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" class=\"id\">{}</text></g>",
            r.x + Saturating(10),
            r.y + Saturating(if name.len() > 1 { 48 } else { 41 }),
            escape(&truncate(&sys.id, ID_CHARS))
        );
    }
    svg(&model.policy.id, laid.width, laid.height, &out)
}

/// The band (company group, in drawing order) a system is drawn in.
fn band(model: &crate::model::Model, groups: &[EntityId], s: SystemId) -> usize {
    let group = model.ultimate_owner(model.party(s));
    groups.iter().position(|&g| g == group).unwrap_or(0)
}

/// The diagram of a model too large to draw system by system: a box per company group, an
/// arrow per pair of groups flows connect (red or amber when one of its flows is), and a note
/// saying so. Flows inside a group are left out; `graph --format json` has them all.
fn collapsed(audit: &PolicyAudit, sub: &Subgraph, flows: &[FlowId], groups: &[EntityId]) -> String {
    let model = audit.model;
    let group_of = |s: SystemId| band(model, groups, s);
    // Each pair of groups and its flows.
    let mut pairs: BTreeMap<(usize, usize), Vec<FlowId>> = BTreeMap::new();
    for &f in flows {
        let flow = model.flow(f);
        let (a, b) = (group_of(flow.from), group_of(flow.to));
        if a != b {
            pairs.entry((a, b)).or_default().push(f);
        }
    }
    let graph = Graph {
        bands: vec![0; groups.len()],
        band_count: 1,
        edges: pairs.keys().copied().collect(),
        labelled: false,
    };
    let note = format!(
        "{} systems and {} flows are too many to draw one by one: each box is a company group, each arrow the flows between two groups (flows within a group left out). `privflow graph --format json` has every system and flow.",
        sub.systems.len(),
        flows.len()
    );
    let note_lines = wrap(&note, 110, 3);
    let top = TITLE_LINE * px(note_lines.len()) + Saturating(8);
    if slots(&graph) > MAX_SLOTS {
        let text: String = note_lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                format!(
                    "<text x=\"{PAD}\" y=\"{}\" class=\"empty\">{}</text>",
                    PAD + TITLE_LINE * px(i),
                    escape(l)
                )
            })
            .collect();
        return svg(&model.policy.id, Saturating(900), top + PAD + PAD, &text);
    }
    let laid = layout(&graph, |_, _| TITLE_LINE + Saturating(14));
    // The note under the drawing, so that everything stays in the layout's own coordinates.
    let mut out = String::new();
    for (i, line) in note_lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{PAD}\" y=\"{}\" class=\"empty\">{}</text>",
            laid.height + TITLE_LINE * px(i),
            escape(line)
        );
    }
    let marker = marker_id(&model.policy.id);
    for (route, ((a, b), carried)) in laid.edges.iter().zip(&pairs) {
        let breaks = carried
            .iter()
            .any(|f| sub.breaking.contains(f) && !sub.possibly.contains(f));
        let possible = !breaks && carried.iter().any(|f| sub.possibly.contains(f));
        let (class, head) = match (breaks, possible) {
            (true, _) => ("edge collapsed breaks", "-breaks"),
            (_, true) => ("edge collapsed possible", "-possible"),
            _ => ("edge collapsed", ""),
        };
        let (from, to) = (
            escape(&model.entity(groups[*a]).id),
            escape(&model.entity(groups[*b]).id),
        );
        let _ = write!(
            out,
            "<g class=\"{class}\" data-from-entity=\"{from}\" data-to-entity=\"{to}\"><title>{} flow{}: {from} → {to}</title><path d=\"{}\" marker-end=\"url(#{marker}{head})\"/></g>",
            carried.len(),
            if carried.len() == 1 { "" } else { "s" },
            route.path
        );
    }
    for (i, &group) in groups.iter().enumerate() {
        let r = laid.nodes[i];
        let entity = model.entity(group);
        let systems = sub.systems.iter().filter(|&&s| group_of(s) == i).count();
        let _ = write!(
            out,
            "<g class=\"node collapsed\" data-entity=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/><text x=\"{}\" y=\"{}\" class=\"name\">{}</text><text x=\"{}\" y=\"{}\" class=\"id\">{systems} system{}</text></g>",
            escape(&entity.id),
            r.x,
            r.y,
            r.w,
            r.h,
            r.x + Saturating(10),
            r.y + Saturating(23),
            escape(&truncate(&entity.name, NAME_CHARS)),
            r.x + Saturating(10),
            r.y + Saturating(41),
            if systems == 1 { "" } else { "s" }
        );
    }
    svg(
        &model.policy.id,
        laid.width.max(Saturating(900)),
        laid.height + top,
        &out,
    )
}

/// One policy's diagram document around its drawn `body`: three arrowheads (plain, on a
/// violated path, on a possible breach) with ids unique to the policy.
fn svg(policy: &str, width: Px, height: Px, body: &str) -> String {
    let id = marker_id(policy);
    let markers: String = ["", "-breaks", "-possible"]
        .iter()
        .map(|kind| {
            format!(
                "<marker id=\"{id}{kind}\" class=\"head{kind}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker>"
            )
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Data-flow diagram of {}\"><defs>{markers}<style>{SVG_STYLE}</style></defs>{body}</svg>",
        escape(policy),
    )
}

/// The arrowhead's id, one per policy, so that a page holding several diagrams has each id once.
fn marker_id(policy: &str) -> String {
    let safe: String = policy
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("arrow-{safe}")
}

/// `s` cut to `max` characters, the last one an ellipsis.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let kept: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// `text` in lines of at most `width` characters, broken after spaces where it can, at most
/// `max_lines` of them: the last one ends in an ellipsis when text is left over.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_inclusive(' ') {
        if !line.is_empty()
            && line
                .chars()
                .count()
                .saturating_add(word.trim_end().chars().count())
                > width
        {
            lines.push(std::mem::take(&mut line).trim_end().to_owned());
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines.saturating_sub(1));
        lines.push(truncate(&rest.join(" "), width));
    }
    lines
}

/// The diagram's own style, inside the SVG so that `privflow graph --format svg` stands alone.
const SVG_STYLE: &str = "svg.diagram{font:12px system-ui,sans-serif}.group rect{fill:#f5f7fb;stroke:#b8c0cc}.group text{font-weight:600;fill:#39414d}.node rect{fill:#fff;stroke:#5b6778}.node.device rect{fill:#eef6ff}.node .id{fill:#6a7380;font-size:11px}.edge path{fill:none;stroke:#7b8594;stroke-width:1.4}.edge text{fill:#57606a;font-size:10px}.edge.e2ee path{stroke-dasharray:5 4}.edge.breaks path{stroke:#d00000;stroke-width:2.4}.edge.breaks text{fill:#b00020}.edge.possible path{stroke:#b35c00;stroke-width:2.2}.edge.possible text{fill:#8a4700}.empty{fill:#57606a}marker path{fill:#7b8594}.head-breaks path{fill:#d00000}.head-possible path{fill:#b35c00}";
