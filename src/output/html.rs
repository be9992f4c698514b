//! `privflow report --format html`: one self-contained page (no scripts, fonts or network) with
//! the data-flow diagram drawn as inline SVG, laid out here in Rust: a column per company group.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;

use crate::diagnostics::Sources;
use crate::engine::audit::PolicyAudit;
use crate::model::SystemLocation;
use crate::model::{Model, SystemId};
use crate::output::document::PolicyReport;
use crate::output::export::{Focus, subgraph};

/// Text safe in HTML content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const NODE_W: u32 = 210;
const NODE_H: u32 = 46;
const COL_GAP: u32 = 60;
const ROW_GAP: u32 = 26;
const PAD: u32 = 30;

/// Hops from the speaker's systems over any flow: the order of systems within a column.
fn depths(model: &Model) -> Vec<u32> {
    let n = model.systems.len();
    let mut depth = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    for (i, s) in model.systems.iter().enumerate() {
        if model.is_speaker_system(SystemId(i as u32)) && s.location == SystemLocation::Device {
            depth[i] = 0;
            queue.push_back(i);
        }
    }
    if queue.is_empty() {
        for (i, d) in depth.iter_mut().enumerate() {
            if model.is_speaker_system(SystemId(i as u32)) {
                *d = 0;
                queue.push_back(i);
            }
        }
    }
    while let Some(s) = queue.pop_front() {
        for f in model.flows.iter().filter(|f| f.from.index() == s) {
            if depth[f.to.index()] == u32::MAX {
                depth[f.to.index()] = depth[s] + 1;
                queue.push_back(f.to.index());
            }
        }
    }
    depth
}

/// The diagram: a box per company group (the speaker's first), inside it a column per distance
/// from the speaker's apps, systems as boxes, flows as arrows labelled with their fields; e2ee
/// dashed, flows on a broken promise's path red.
/// The diagrams of several policies as one SVG document: each policy's own diagram, stacked.
pub fn diagrams(parts: &[(&PolicyAudit, Focus)]) -> String {
    if let [(audit, focus)] = parts {
        return diagram(audit, focus);
    }
    let size = |svg: &str, attr: &str| -> u32 {
        svg.split_once(&format!(" {attr}=\""))
            .and_then(|(_, rest)| rest.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (mut body, mut width, mut height) = (String::new(), 0, 0);
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

pub fn diagram(audit: &PolicyAudit, focus: &Focus) -> String {
    let model = audit.model;
    let sub = subgraph(audit, focus);
    let depth = depths(model);
    let speaker_group = model.ultimate_owner(model.speaker());
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
    let mut position: BTreeMap<SystemId, (u32, u32)> = BTreeMap::new();
    let (mut boxes, mut nodes) = (String::new(), String::new());
    let mut node = |s: SystemId, nx: u32, ny: u32, nodes: &mut String| {
        position.insert(s, (nx, ny));
        let sys = model.system(s);
        let class = if sys.location == SystemLocation::Device {
            "node device"
        } else {
            "node"
        };
        let _ = write!(
            nodes,
            "<g class=\"{class}\" data-system=\"{}\"><rect x=\"{nx}\" y=\"{ny}\" width=\"{}\" height=\"{NODE_H}\" rx=\"8\"/><text x=\"{}\" y=\"{}\" class=\"name\">{}</text><text x=\"{}\" y=\"{}\" class=\"id\">{}</text></g>",
            escape(&sys.id),
            NODE_W - 28,
            nx + 10,
            ny + 19,
            escape(&truncate(&sys.name, 30)),
            nx + 10,
            ny + 36,
            escape(&sys.id)
        );
    };
    let group_box = |name: &str, gx: u32, gy: u32, w: u32, h: u32, boxes: &mut String| {
        let _ = write!(
            boxes,
            "<g class=\"group\"><rect x=\"{gx}\" y=\"{gy}\" width=\"{w}\" height=\"{h}\" rx=\"12\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            gx + 12,
            gy + 18,
            escape(&truncate(name, 40))
        );
    };
    // The speaker's group on the left, a column per distance from the speaker's apps; every
    // other group stacked on the right, so no arrow passes behind a group it does not enter.
    let (mut x, mut height) = (PAD, 0);
    let mut others = Vec::new();
    for ((other, _), (name, systems)) in &groups {
        if *other {
            others.push((name, systems));
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
                node(
                    s,
                    x + 14,
                    PAD + 28 + row as u32 * (NODE_H + ROW_GAP),
                    &mut nodes,
                );
            }
            rows = rows.max(column.len() as u32);
            x += NODE_W;
        }
        let h = 28 + rows * (NODE_H + ROW_GAP);
        group_box(name, group_x, PAD, x - group_x, h, &mut boxes);
        height = height.max(PAD + h + PAD);
        x += COL_GAP;
    }
    let mut y = PAD;
    for (name, systems) in &others {
        let mut systems = systems.to_vec();
        systems.sort_by_key(|s| (depth[s.index()], model.system(*s).id.clone()));
        for (row, &s) in systems.iter().enumerate() {
            node(
                s,
                x + 14,
                y + 28 + row as u32 * (NODE_H + ROW_GAP),
                &mut nodes,
            );
        }
        let h = 28 + systems.len() as u32 * (NODE_H + ROW_GAP);
        group_box(name, x, y, NODE_W, h, &mut boxes);
        y += h + ROW_GAP;
    }
    if !others.is_empty() {
        x += NODE_W + COL_GAP;
    }
    height = height.max(y + PAD);
    let width = x - COL_GAP + PAD;
    // Past a few dozen flows, labels on every arrow hide the arrows; each keeps its tooltip.
    let label_edges = sub.flows.len() <= 30;
    let mut edges = String::new();
    for &f in &sub.flows {
        let flow = model.flow(f);
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (position.get(&flow.from), position.get(&flow.to))
        else {
            continue;
        };
        let w = NODE_W - 28;
        let (sy, ey) = (fy + NODE_H / 2, ty + NODE_H / 2);
        // Forward arrows leave on the right and enter on the left; the others loop back below.
        let d = if tx > fx {
            let (sx, ex) = (fx + w, tx);
            let bend = (ex - sx) / 2;
            format!(
                "M{sx},{sy} C{},{sy} {},{ey} {ex},{ey}",
                sx + bend,
                ex - bend
            )
        } else if tx == fx {
            let side = fx + w;
            format!(
                "M{side},{sy} C{},{sy} {},{ey} {side},{ey}",
                side + 50,
                side + 50
            )
        } else {
            let (sx, ex) = (fx + w / 2, tx + w / 2);
            let low = fy.max(ty) + NODE_H + ROW_GAP / 2;
            format!(
                "M{sx},{} C{sx},{low} {ex},{low} {ex},{}",
                fy + NODE_H,
                ty + NODE_H
            )
        };
        let mut class = String::from("flow");
        if sub.ciphertext.contains(&f) {
            class.push_str(" e2ee");
        }
        if sub.breaking.contains(&f) {
            class.push_str(" breaks");
        }
        let fields: Vec<&str> = flow
            .fields
            .iter()
            .map(|&k| model.fields.key(k).trim_start_matches("user."))
            .collect();
        // The label sits near the arrow's head, where fan-outs have spread apart.
        let (lx, ly) = if tx > fx {
            (tx - 8, ey - 6)
        } else {
            ((fx + tx) / 2 + w / 2, fy.max(ty) + NODE_H + 10)
        };
        let _ = write!(
            edges,
            "<g class=\"{class}\"><title>{}: {} → {} ({})</title><path d=\"{d}\" marker-end=\"url(#arrow)\"/><text x=\"{lx}\" y=\"{ly}\">{}</text></g>",
            escape(&flow.id),
            escape(&model.system(flow.from).id),
            escape(&model.system(flow.to).id),
            escape(&fields.join(", ")),
            if label_edges {
                escape(&truncate(&fields.join(", "), 34))
            } else {
                String::new()
            }
        );
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Data-flow diagram of {}\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker><style>{SVG_STYLE}</style></defs>{boxes}{edges}{nodes}</svg>",
        escape(&model.policy.id)
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// The diagram's own style, inside the SVG so that `privflow graph --format svg` stands alone.
const SVG_STYLE: &str = "svg.diagram{font:12px system-ui,sans-serif}.group rect{fill:#f5f7fb;stroke:#b8c0cc}.group text{font-weight:600;fill:#39414d}.node rect{fill:#fff;stroke:#5b6778}.node.device rect{fill:#eef6ff}.node .id{fill:#6a7380;font-size:11px}.flow path{fill:none;stroke:#7b8594;stroke-width:1.4}.flow text{fill:#57606a;font-size:10px;text-anchor:end}.flow.e2ee path{stroke-dasharray:5 4}.flow.breaks path{stroke:#d00000;stroke-width:2.4}.flow.breaks text{fill:#b00020}marker path{fill:#7b8594}";

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d2330}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d8dce4}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d8dce4;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f3f5f8}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d8dce4;border-radius:8px;padding:.6rem 1rem}.violated,.incorrect,.omitted{color:#b00020;font-weight:600}.possible,.vague,.ambiguous{color:#9a6700;font-weight:600}.holds,.clear{color:#1a7f37;font-weight:600}.undetermined,.waived,.skipped{color:#57606a;font-weight:600}.path span{display:inline-block;border:1px solid #c8ccd4;border-radius:6px;padding:0 .4rem;margin:0 .15rem;background:#f6f8fa}.scroll{overflow-x:auto;border:1px solid #e4e7ec;border-radius:8px}@media print{.scroll{overflow:visible;border:0}}";

/// The whole report of one or more policies as one HTML page.
pub fn page(
    audits: &[PolicyAudit],
    reports: &[PolicyReport],
    sources: &Sources,
    extra: &Extras,
) -> String {
    let mut body = String::new();
    for (audit, report) in audits.iter().zip(reports) {
        section(&mut body, audit, report, sources);
    }
    for pair in extra.changes.iter().flat_map(|d| &d.pairs) {
        changes_section(&mut body, pair);
    }
    if let Some(at) = &extra.timestamp {
        let _ = write!(body, "<p><small>Generated at {}.</small></p>", escape(at));
    }
    let title = reports
        .iter()
        .map(|r| r.policy.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>privflow report: {}</title><style>{STYLE}</style></head><body>{body}<footer><p>Generated by privflow {}.</p></footer></body></html>\n",
        escape(&title),
        env!("CARGO_PKG_VERSION")
    )
}

fn section(out: &mut String, audit: &PolicyAudit, report: &PolicyReport, sources: &Sources) {
    let model = audit.model;
    let title = report.title.as_deref().unwrap_or(&report.policy);
    let version = report
        .version
        .as_deref()
        .map(|v| format!(" ({})", escape(v)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<h1>Privacy audit: {}{version}</h1><p>Policy <code>{}</code>, speaker {}, from {}.</p>",
        escape(title),
        escape(&report.policy),
        escape(&report.speaker),
        report
            .files
            .iter()
            .map(|f| format!("<code>{}</code>", escape(f)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("<h2>Summary</h2><div class=\"cards\">");
    for (status, n) in &report.claims_by_status {
        let _ = write!(
            out,
            "<div class=\"card\"><span class=\"{status}\">{n} {status}</span> claims</div>"
        );
    }
    for (verdict, n) in &report.receipts_by_verdict {
        let _ = write!(
            out,
            "<div class=\"card\"><span class=\"{verdict}\">{n} {verdict}</span> receipts</div>"
        );
    }
    out.push_str("</div>");
    let _ = write!(
        out,
        "<h2>Data flow</h2><p>The speaker's company group on the left, its systems in columns by distance from its apps; every other company group on the right. Dashed arrows are end-to-end encrypted, red arrows lie on the path of a broken promise.</p><div class=\"scroll\">{}</div>",
        diagram(audit, &Focus::default())
    );
    out.push_str("<h2>Promises</h2>");
    let findings = crate::output::ordered(audit);
    for r in &audit.claims {
        let claim = &model.claims[r.claim];
        let status = r.status.as_str();
        let _ = write!(
            out,
            "<h3><code>{}</code> ({}) — <span class=\"{status}\">{status}</span></h3>",
            escape(&claim.id),
            claim.kind.as_str()
        );
        if let Some(text) = &claim.text {
            let _ = write!(out, "<blockquote>{}</blockquote>", escape(text));
        }
        let own: Vec<_> = findings.iter().filter(|f| f.claim == r.claim).collect();
        if !own.is_empty() {
            out.push_str("<ul>");
            for f in own {
                let verdict = f.verdict.as_str();
                let waived = f
                    .waiver
                    .map(|i| format!(" — waived: {}", escape(&model.waivers[i].reason)))
                    .unwrap_or_default();
                let chain: Vec<String> = model
                    .system_ids(&f.path)
                    .iter()
                    .map(|s| format!("<span>{}</span>", escape(s)))
                    .collect();
                let last = model.flow(f.last_flow().expect("a finding has a hop")).span;
                let with: Vec<String> = f.fields[1..]
                    .iter()
                    .map(|&k| format!("<code>{}</code>", escape(model.fields.key(k))))
                    .collect();
                let with = if with.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", with.join(", "))
                };
                let _ = write!(
                    out,
                    "<li><span class=\"{verdict}\">{verdict}</span>: <code>{}</code>{with} reaches <code>{}</code> <span class=\"path\">{}</span> <small>{}:{}</small>{waived}</li>",
                    escape(model.fields.key(f.field)),
                    escape(&model.system(f.recipient).id),
                    chain.join("→"),
                    escape(sources.path(last.file)),
                    last.line
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("<h2>Record of processing</h2><p>Who receives which personal data, for which purpose, for how long (GDPR Article 30).</p><table><tr><th>recipient</th><th>role</th><th>country</th><th>data</th><th>purposes</th><th>retention</th><th>disclosed by</th></tr>");
    for row in &report.inventory {
        let data: Vec<String> = row
            .verdicts
            .iter()
            .map(|v| {
                let (field, verdict) = v.rsplit_once(": ").unwrap_or((v, ""));
                format!(
                    "<code>{}</code> <span class=\"{verdict}\">{verdict}</span>",
                    escape(field)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td>{} (<code>{}</code>)</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.name),
            escape(&row.recipient),
            row.role,
            escape(row.country.as_deref().unwrap_or("—")),
            data.join("<br>"),
            escape(&if row.purposes.is_empty() {
                "unspecified".to_owned()
            } else {
                row.purposes.join(", ")
            }),
            escape(&row.retention),
            escape(&if row.disclosed_by.is_empty() {
                "—".to_owned()
            } else {
                row.disclosed_by.join(", ")
            })
        );
    }
    out.push_str("</table>");
    let recipients: std::collections::BTreeSet<&str> = report
        .reach
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    out.push_str("<h2>Who receives what</h2><table><tr><th>field</th>");
    for r in &recipients {
        let _ = write!(out, "<th>{}</th>", escape(r));
    }
    out.push_str("</tr>");
    for (field, who) in &report.reach {
        let _ = write!(out, "<tr><td><code>{}</code></td>", escape(field));
        for r in &recipients {
            out.push_str(if who.iter().any(|w| w == r) {
                "<td>●</td>"
            } else {
                "<td></td>"
            });
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    if !model.waivers.is_empty() {
        out.push_str("<h2>Waivers</h2><table><tr><th>claim</th><th>flow</th><th>reason</th><th>owner</th><th>ticket</th><th>expires</th></tr>");
        for w in &model.waivers {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(
                    &w.claim
                        .map_or("*".to_owned(), |c| model.claims[c].id.clone())
                ),
                escape(&w.flow.map_or("—".to_owned(), |f| model.flow(f).id.clone())),
                escape(&w.reason),
                escape(w.owner.as_deref().unwrap_or("—")),
                escape(w.ticket.as_deref().unwrap_or("—")),
                w.expires.map_or("—".to_owned(), |d| d.to_string())
            );
        }
        out.push_str("</table>");
    }
}

/// What a report may add besides the audit: the changes since a base version, and when it was
/// generated (only when asked, so that the same input gives the same bytes).
#[derive(Default)]
pub struct Extras {
    pub changes: Option<crate::diff::DiffDocument>,
    pub timestamp: Option<String>,
}

fn changes_section(out: &mut String, report: &crate::diff::DiffReport) {
    let _ = write!(
        out,
        "<h2>{}</h2><p>{} errors, {} warnings, {} info.</p><table><tr><th>level</th><th>check</th><th>change</th><th>path</th></tr>",
        escape(&match (&report.base, &report.revision) {
            (Some(base), Some(_)) => format!("Changes since {}", base.id),
            _ => format!("Changes: {}", report.label()),
        }),
        report.summary.error,
        report.summary.warning,
        report.summary.info
    );
    for c in &report.changes {
        let level = c.level.as_str();
        let class = match c.level {
            crate::diff::Level::Error => "violated",
            crate::diff::Level::Warning => "possible",
            crate::diff::Level::Info => "skipped",
        };
        let _ = write!(
            out,
            "<tr><td class=\"{class}\">{level}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            c.check.id(),
            escape(&format!(
                "{}{}",
                c.message,
                if c.breaks.is_empty() {
                    String::new()
                } else {
                    format!(" — breaks {}", c.breaks.join(", "))
                }
            )),
            escape(&c.path.join(" → "))
        );
    }
    out.push_str("</table>");
}
