//! The data-flow diagram as SVG, laid out here in Rust: a box per company group (the speaker's
//! first), a column per hop from the speaker's apps. Coordinates only ever saturate, never wrap.

#![deny(clippy::arithmetic_side_effects)]

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;
use std::num::Saturating;

use crate::engine::audit::PolicyAudit;
use crate::model::SystemLocation;
use crate::model::{Model, SystemId};
use crate::output::export::{Focus, subgraph};
use crate::output::markup::escape;

/// A coordinate or length in SVG pixels: arithmetic on it saturates at `u32::MAX`, never wraps.
type Px = Saturating<u32>;

const NODE_W: Px = Saturating(210);
const NODE_H: Px = Saturating(46);
const COL_GAP: Px = Saturating(60);
const ROW_GAP: Px = Saturating(26);
const PAD: Px = Saturating(30);
/// Room for a group's title above its first row.
const TITLE: Px = Saturating(28);
/// A node's inner width: its box, less the group's margins.
const NODE_INNER: Px = Saturating(182);

/// A count (rows, columns) as pixels, saturating.
fn px(n: usize) -> Px {
    Saturating(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Half of a length, rounded down.
fn halve(p: Px) -> Px {
    Saturating(p.0 / 2)
}

/// Hops from the speaker's systems over any flow: the order of systems within a column.
fn depths(model: &Model) -> Vec<u32> {
    let mut depth = vec![u32::MAX; model.systems.len()];
    let mut sends: Vec<Vec<SystemId>> = vec![Vec::new(); model.systems.len()];
    for f in &model.flows {
        sends[f.from.index()].push(f.to);
    }
    let speakers = |device_only: bool| {
        model.systems.iter().enumerate().filter_map(move |(i, s)| {
            let id = SystemId(u32::try_from(i).unwrap_or(u32::MAX));
            (model.is_speaker_system(id) && (!device_only || s.location == SystemLocation::Device))
                .then_some(i)
        })
    };
    let mut queue: VecDeque<usize> = speakers(true).collect();
    if queue.is_empty() {
        queue = speakers(false).collect();
    }
    for &i in &queue {
        depth[i] = 0;
    }
    while let Some(s) = queue.pop_front() {
        for to in &sends[s] {
            if depth[to.index()] == u32::MAX {
                depth[to.index()] = depth[s].saturating_add(1);
                queue.push_back(to.index());
            }
        }
    }
    depth
}

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

/// The diagram: a box per company group (the speaker's first), inside it a column per distance
/// from the speaker's apps, systems as boxes, flows as arrows labelled with their fields; e2ee
/// dashed, flows on a broken promise's path red. A policy with no system to draw gets an empty
/// diagram that says so.
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
    let depth = depths(model);
    let speaker_group = model.ultimate_owner(model.speaker());
    // Keyed (not the speaker's, entity id); the value is the group's name and its systems.
    let mut groups: BTreeMap<(bool, String), (String, Vec<SystemId>)> = BTreeMap::new();
    for &s in &sub.systems {
        let group = model.ultimate_owner(model.party(s));
        let key = (group != speaker_group, model.entity(group).id.clone());
        groups
            .entry(key)
            .or_insert_with(|| (model.entity(group).name.clone(), Vec::new()))
            .1
            .push(s);
    }
    let mut position: BTreeMap<SystemId, (Px, Px)> = BTreeMap::new();
    let (mut boxes, mut nodes) = (String::new(), String::new());
    let mut node = |s: SystemId, nx: Px, ny: Px, nodes: &mut String| {
        position.insert(s, (nx, ny));
        let sys = model.system(s);
        let class = if sys.location == SystemLocation::Device {
            "node device"
        } else {
            "node"
        };
        let _ = write!(
            nodes,
            "<g class=\"{class}\" data-system=\"{}\"><rect x=\"{nx}\" y=\"{ny}\" width=\"{NODE_INNER}\" height=\"{NODE_H}\" rx=\"8\"/><text x=\"{}\" y=\"{}\" class=\"name\">{}</text><text x=\"{}\" y=\"{}\" class=\"id\">{}</text></g>",
            escape(&sys.id),
            nx + Saturating(10),
            ny + Saturating(19),
            escape(&truncate(&sys.name, 30)),
            nx + Saturating(10),
            ny + Saturating(36),
            escape(&sys.id)
        );
    };
    let group_box = |entity: &str, name: &str, gx: Px, gy: Px, w: Px, h: Px, boxes: &mut String| {
        let _ = write!(
            boxes,
            "<g class=\"group\" data-entity=\"{}\"><rect x=\"{gx}\" y=\"{gy}\" width=\"{w}\" height=\"{h}\" rx=\"12\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            escape(entity),
            gx + Saturating(12),
            gy + Saturating(18),
            escape(&truncate(name, 40))
        );
    };
    let row_y = |top: Px, row: usize| top + TITLE + px(row) * (NODE_H + ROW_GAP);
    let inset = Saturating(14);
    // The speaker's group on the left, a column per distance from the speaker's apps; every
    // other group stacked on the right, so no arrow passes behind a group it does not enter.
    let (mut x, mut height) = (PAD, Saturating(0));
    let mut others = Vec::new();
    for ((other, entity), (name, systems)) in &groups {
        if *other {
            others.push((entity, name, systems));
            continue;
        }
        let mut columns: BTreeMap<u32, Vec<SystemId>> = BTreeMap::new();
        for &s in systems {
            columns.entry(depth[s.index()]).or_default().push(s);
        }
        let group_x = x;
        let mut rows = 0;
        // Each column after the first is ordered by where its systems' senders sit (the
        // barycentre heuristic), which untangles most crossings in layered drawings.
        let mut placed: BTreeMap<SystemId, f64> = BTreeMap::new();
        for column in columns.values_mut() {
            column.sort_by_key(|s| model.system(*s).id.clone());
            let barycentre = |s: SystemId| {
                let rows: Vec<f64> = sub
                    .flows
                    .iter()
                    .map(|&f| model.flow(f))
                    .filter(|f| f.to == s)
                    .filter_map(|f| placed.get(&f.from).copied())
                    .collect();
                if rows.is_empty() {
                    f64::MAX
                } else {
                    rows.iter().sum::<f64>() / rows.len() as f64
                }
            };
            let mut keyed: Vec<(f64, SystemId)> =
                column.iter().map(|&s| (barycentre(s), s)).collect();
            keyed.sort_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then_with(|| model.system(a.1).id.cmp(&model.system(b.1).id))
            });
            *column = keyed.into_iter().map(|(_, s)| s).collect();
            for (row, &s) in column.iter().enumerate() {
                placed.insert(s, row as f64);
            }
            for (row, &s) in column.iter().enumerate() {
                node(s, x + inset, row_y(PAD, row), &mut nodes);
            }
            rows = rows.max(column.len());
            x += NODE_W;
        }
        let h = row_y(Saturating(0), rows);
        group_box(entity, name, group_x, PAD, x - group_x, h, &mut boxes);
        height = height.max(PAD + h + PAD);
        x += COL_GAP;
    }
    let mut y = PAD;
    for (entity, name, systems) in &others {
        let mut systems = systems.to_vec();
        systems.sort_by_key(|s| (depth[s.index()], model.system(*s).id.clone()));
        for (row, &s) in systems.iter().enumerate() {
            node(s, x + inset, row_y(y, row), &mut nodes);
        }
        let h = row_y(Saturating(0), systems.len());
        group_box(entity, name, x, y, NODE_W, h, &mut boxes);
        y += h + ROW_GAP;
    }
    if !others.is_empty() {
        x += NODE_W + COL_GAP;
    }
    height = height.max(y + PAD);
    // Every group is followed by a column gap; the last one's becomes the right margin.
    let width = Saturating(x.0.saturating_sub(COL_GAP.0)) + PAD;
    // Past a few dozen flows, labels on every arrow hide the arrows; each keeps its tooltip.
    let label_edges = sub.flows.len() <= 30;
    let mut edges = String::new();
    let marker = marker_id(&model.policy.id);
    for &f in &sub.flows {
        let flow = model.flow(f);
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (position.get(&flow.from), position.get(&flow.to))
        else {
            continue;
        };
        let w = NODE_INNER;
        let (sy, ey) = (fy + halve(NODE_H), ty + halve(NODE_H));
        // Forward arrows leave on the right and enter on the left; the others loop back below.
        let d = if tx > fx {
            let (sx, ex) = (fx + w, tx);
            let bend = halve(Saturating(ex.0.saturating_sub(sx.0)));
            format!(
                "M{sx},{sy} C{},{sy} {},{ey} {ex},{ey}",
                sx + bend,
                Saturating(ex.0.saturating_sub(bend.0))
            )
        } else if tx == fx {
            let side = fx + w;
            let out = side + Saturating(50);
            format!("M{side},{sy} C{out},{sy} {out},{ey} {side},{ey}")
        } else {
            let (sx, ex) = (fx + halve(w), tx + halve(w));
            let low = fy.max(ty) + NODE_H + halve(ROW_GAP);
            format!(
                "M{sx},{} C{sx},{low} {ex},{low} {ex},{}",
                fy + NODE_H,
                ty + NODE_H
            )
        };
        let mut class = String::from("edge");
        if sub.ciphertext.contains(&f) {
            class.push_str(" e2ee");
        }
        if sub.possibly.contains(&f) {
            class.push_str(" possible");
        } else if sub.breaking.contains(&f) {
            class.push_str(" breaks");
        }
        let (from, to) = (
            escape(&model.system(flow.from).id),
            escape(&model.system(flow.to).id),
        );
        let fields: Vec<&str> = flow
            .fields
            .iter()
            .map(|&k| model.fields.key(k).trim_start_matches("user."))
            .collect();
        // The label sits near the arrow's head, where fan-outs have spread apart.
        let (lx, ly) = if tx > fx {
            (
                Saturating(tx.0.saturating_sub(8)),
                Saturating(ey.0.saturating_sub(6)),
            )
        } else {
            (
                halve(fx) + halve(tx) + halve(w),
                fy.max(ty) + NODE_H + Saturating(10),
            )
        };
        let _ = write!(
            edges,
            "<g class=\"{class}\" data-from=\"{from}\" data-to=\"{to}\" data-flow=\"{}\"><title>{}: {from} → {to} ({})</title><path d=\"{d}\" marker-end=\"url(#{marker})\"/><text x=\"{lx}\" y=\"{ly}\">{}</text></g>",
            escape(&flow.id),
            escape(&flow.id),
            escape(&fields.join(", ")),
            if label_edges {
                escape(&truncate(&fields.join(", "), 34))
            } else {
                String::new()
            }
        );
    }
    svg(
        &model.policy.id,
        width,
        height,
        &format!("{boxes}{edges}{nodes}"),
    )
}

/// One policy's diagram document around its drawn `body`.
fn svg(policy: &str, width: Px, height: Px, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Data-flow diagram of {}\"><defs><marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker><style>{SVG_STYLE}</style></defs>{body}</svg>",
        escape(policy),
        marker_id(policy)
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

/// The diagram's own style, inside the SVG so that `privflow graph --format svg` stands alone.
const SVG_STYLE: &str = "svg.diagram{font:12px system-ui,sans-serif}.group rect{fill:#f5f7fb;stroke:#b8c0cc}.group text{font-weight:600;fill:#39414d}.node rect{fill:#fff;stroke:#5b6778}.node.device rect{fill:#eef6ff}.node .id{fill:#6a7380;font-size:11px}.edge path{fill:none;stroke:#7b8594;stroke-width:1.4}.edge text{fill:#57606a;font-size:10px;text-anchor:end}.edge.e2ee path{stroke-dasharray:5 4}.edge.breaks path{stroke:#d00000;stroke-width:2.4}.edge.breaks text{fill:#b00020}.edge.possible path{stroke:#b35c00;stroke-width:2.2}.edge.possible text{fill:#8a4700}.empty{fill:#57606a}marker path{fill:#7b8594}";
