//! `privflow graph`: the flow graph, or the part a field travels or a claim's findings use, as
//! Graphviz DOT, Mermaid or JSON — systems boxed by the company group that runs them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;

use crate::engine::audit::PolicyAudit;
use crate::engine::finding::{FindingHead, FlowsOnPaths};
use crate::engine::graph::ReachOptions;
use crate::engine::reach::{Holding, Tracer};
use crate::model::taxonomy::TaxonId;
use crate::model::{FlowId, Model, SystemId};
use crate::model::{Protection, SystemLocation};

/// Which part of the graph to draw.
#[derive(Clone, Debug, Default)]
pub struct Focus {
    /// Only flows carrying this field key, something within it, or a composite containing it.
    pub field: Option<TaxonId>,
    /// Only flows on the witness paths of this claim's findings.
    pub claim: Option<usize>,
}

/// The selected systems and flows, with the flows some finding uses marked.
pub struct Subgraph<'a> {
    pub model: &'a Model,
    pub systems: Vec<SystemId>,
    pub flows: Vec<FlowId>,
    /// Flows on the path of a finding that breaks or may break a promise (not waived).
    pub breaking: BTreeSet<FlowId>,
    /// The breaking flows on no path of a *violated* finding, only of *possible* ones: drawn in
    /// amber, not red.
    pub possibly: BTreeSet<FlowId>,
    /// Flows drawn as carrying ciphertext: those `e2ee` hops, or, focused on a field, those that
    /// carry its keys only as ciphertext (a relay forwarding over TLS).
    pub ciphertext: BTreeSet<FlowId>,
}

/// Where a field's keys travel, as the audit's reach says (SPEC §4.2): every flow that carries
/// one of them from where it is held, and those of these that carry it only as ciphertext.
fn travel(model: &Model, field: TaxonId) -> (BTreeSet<FlowId>, BTreeSet<FlowId>) {
    let tracer = Tracer::new(model);
    let (mut carried, mut plaintext) = (BTreeSet::new(), BTreeSet::new());
    for k in tracer.graph.travelling_keys(field) {
        let (_, arrivals) = tracer.arrivals(k, &ReachOptions::default(), true);
        for a in arrivals.iter() {
            carried.insert(a.flow);
            let source = a.source.map_or(Holding::Plaintext, |(_, h)| h);
            if source == Holding::Plaintext && model.flow(a.flow).protection != Protection::E2ee {
                plaintext.insert(a.flow);
            }
        }
    }
    let ciphertext = carried.difference(&plaintext).copied().collect();
    (carried, ciphertext)
}

pub fn subgraph<'a>(audit: &'a PolicyAudit, focus: &Focus) -> Subgraph<'a> {
    let model = audit.model;
    // Flows on the path of a finding that breaks (or may break) a promise; undetermined and
    // waived findings are not drawn as breaks.
    // Every finding counts, listed or not: a cap on a report never hides a broken path.
    let flows_on_paths = |keep: &dyn Fn(&FindingHead) -> bool| {
        let mut on = FlowsOnPaths::default();
        for f in audit.heads().filter(|f| keep(f)) {
            on.add(model, &f.route);
        }
        on.flows
    };
    use crate::engine::finding::Verdict;
    let breaking: BTreeSet<FlowId> =
        flows_on_paths(&|f| f.waiver.is_none() && f.verdict >= Verdict::Possible);
    let violating = flows_on_paths(&|f| f.waiver.is_none() && f.verdict == Verdict::Violated);
    let possibly = breaking.difference(&violating).copied().collect();
    let claim_flows: Option<BTreeSet<FlowId>> =
        focus.claim.map(|c| flows_on_paths(&|f| f.claim == c));
    let (carried, ciphertext) = match focus.field {
        Some(y) => {
            let (carried, ciphertext) = travel(model, y);
            (Some(carried), ciphertext)
        }
        None => (
            None,
            (0..model.flows.len() as u32)
                .map(FlowId)
                .filter(|&f| model.flow(f).protection == Protection::E2ee)
                .collect(),
        ),
    };
    let carries = |flow: FlowId| carried.as_ref().is_none_or(|c| c.contains(&flow));
    let flows: Vec<FlowId> = (0..model.flows.len() as u32)
        .map(FlowId)
        .filter(|&f| carries(f) && claim_flows.as_ref().is_none_or(|c| c.contains(&f)))
        .collect();
    let systems: Vec<SystemId> = if focus.field.is_none() && focus.claim.is_none() {
        (0..model.systems.len() as u32).map(SystemId).collect()
    } else {
        let used: BTreeSet<SystemId> = flows
            .iter()
            .flat_map(|&f| [model.flow(f).from, model.flow(f).to])
            .collect();
        used.into_iter().collect()
    };
    Subgraph {
        model,
        systems,
        flows,
        breaking,
        possibly,
        ciphertext,
    }
}

impl Subgraph<'_> {
    /// Systems grouped by the top of their operator's ownership chain (named by that company),
    /// in id order.
    fn groups(&self) -> BTreeMap<&str, (&str, Vec<SystemId>)> {
        let mut groups: BTreeMap<&str, (&str, Vec<SystemId>)> = BTreeMap::new();
        for &s in &self.systems {
            let owner = self
                .model
                .entity(self.model.ultimate_owner(self.model.party(s)));
            groups
                .entry(owner.id.as_str())
                .or_insert((owner.name.as_str(), Vec::new()))
                .1
                .push(s);
        }
        groups
    }

    fn fields_label(&self, flow: FlowId) -> String {
        let f = self.model.flow(flow);
        f.fields
            .iter()
            .map(|&k| self.model.fields.key(k).trim_start_matches("user."))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The graph as one Graphviz DOT document.
    pub fn dot(&self) -> String {
        dot(std::slice::from_ref(self))
    }

    /// The graph as one Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        mermaid(std::slice::from_ref(self))
    }

    /// The DOT clusters and edges of this graph; node ids carry `prefix` so several policies can
    /// share one document.
    fn dot_body(&self, prefix: &str, indent: &str, out: &mut String) {
        let model = self.model;
        let esc = dot_string;
        let node = |s: SystemId| esc(&format!("{prefix}{}", model.system(s).id));
        for (i, (name, systems)) in self.groups().values().enumerate() {
            let _ = writeln!(
                out,
                "{indent}subgraph cluster_{}{i} {{\n{indent}  label=\"{}\";",
                esc(&prefix.replace(['/', '-', '.'], "_")),
                esc(name)
            );
            for &s in systems {
                let sys = model.system(s);
                let shape = if sys.location == SystemLocation::Device {
                    ", shape=component"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{indent}  \"{}\" [label=\"{}\\n({})\"{shape}];",
                    node(s),
                    esc(&sys.name),
                    esc(&sys.id)
                );
            }
            let _ = writeln!(out, "{indent}}}");
        }
        for &f in &self.flows {
            let flow = model.flow(f);
            let mut attrs = vec![format!("label=\"{}\"", esc(&self.fields_label(f)))];
            if self.ciphertext.contains(&f) {
                attrs.push("style=dashed".to_owned());
            }
            if self.possibly.contains(&f) {
                attrs.push("color=\"#b35c00\", fontcolor=\"#b35c00\", penwidth=2".to_owned());
            } else if self.breaking.contains(&f) {
                attrs.push("color=red, fontcolor=red, penwidth=2".to_owned());
            }
            let _ = writeln!(
                out,
                "{indent}\"{}\" -> \"{}\" [{}];",
                node(flow.from),
                node(flow.to),
                attrs.join(", ")
            );
        }
    }

    /// The Mermaid subgraphs and links of this graph, node ids prefixed by `p`, links labelled
    /// with their fields when `labelled`; `links` counts the links written so far, for
    /// `linkStyle`.
    fn mermaid_body(
        &self,
        p: &str,
        indent: &str,
        labelled: bool,
        out: &mut String,
        links: &mut usize,
        colours: &mut LinkColours,
    ) {
        let model = self.model;
        // Mermaid ids are kept to letters and digits; labels carry the real names.
        let node = |s: SystemId| format!("{p}s{}", s.0);
        let esc = mermaid_text;
        for (i, (name, systems)) in self.groups().values().enumerate() {
            let _ = writeln!(out, "{indent}subgraph {p}g{i}[\"{}\"]", esc(name));
            for &s in systems {
                let sys = model.system(s);
                let (open, close) = if sys.location == SystemLocation::Device {
                    ("([", "])")
                } else {
                    ("[", "]")
                };
                let _ = writeln!(
                    out,
                    "{indent}  {}{open}\"{}<br/>{}\"{close}",
                    node(s),
                    esc(&sys.name),
                    esc(&sys.id)
                );
            }
            let _ = writeln!(out, "{indent}end");
        }
        for &f in &self.flows {
            let flow = model.flow(f);
            let arrow = if self.ciphertext.contains(&f) {
                "-.->"
            } else {
                "-->"
            };
            let label = if labelled {
                format!("|\"{}\"|", esc(&self.fields_label(f)))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{indent}{} {arrow}{label} {}",
                node(flow.from),
                node(flow.to)
            );
            colours.add(
                *links,
                self.breaking.contains(&f) && !self.possibly.contains(&f),
                self.possibly.contains(&f),
            );
            *links += 1;
        }
    }

    /// The Mermaid nodes and links of this graph collapsed to company groups: a node per group
    /// (its name and how many systems it runs), a link per ordered pair of groups that flows
    /// connect, labelled with their number, red when one of them is on a violated path, amber
    /// when only on possible ones. With
    /// `BrokenCompanies`, only the groups and links on broken paths.
    fn mermaid_companies(
        &self,
        p: &str,
        indent: &str,
        detail: Detail,
        out: &mut String,
        links: &mut usize,
        colours: &mut LinkColours,
    ) {
        let model = self.model;
        let groups = self.groups();
        let mut group_of = BTreeMap::new();
        for (i, (_, systems)) in groups.values().enumerate() {
            for &s in systems {
                group_of.insert(s, i);
            }
        }
        let only_broken = detail == Detail::BrokenCompanies;
        // (from group, to group) → (flows, any on a violated path, any on a possible one, all
        // end-to-end encrypted).
        let mut pairs: BTreeMap<(usize, usize), (usize, bool, bool, bool)> = BTreeMap::new();
        for &f in &self.flows {
            let flow = model.flow(f);
            let (a, b) = (group_of[&flow.from], group_of[&flow.to]);
            let breaks = self.breaking.contains(&f);
            if a == b || (only_broken && !breaks) {
                continue;
            }
            let possibly = self.possibly.contains(&f);
            let pair = pairs.entry((a, b)).or_insert((0, false, false, true));
            pair.0 += 1;
            pair.1 |= breaks && !possibly;
            pair.2 |= possibly;
            pair.3 &= self.ciphertext.contains(&f);
        }
        let drawn: BTreeSet<usize> = pairs.keys().flat_map(|&(a, b)| [a, b]).collect();
        for (i, (name, systems)) in groups.values().enumerate() {
            if only_broken && !drawn.contains(&i) {
                continue;
            }
            let count = systems.len();
            let _ = writeln!(
                out,
                "{indent}{p}g{i}[\"{}<br/>{count} system{}\"]",
                mermaid_text(name),
                if count == 1 { "" } else { "s" }
            );
        }
        for (&(a, b), &(count, violated, possibly, e2ee)) in &pairs {
            let arrow = if e2ee { "-.->" } else { "-->" };
            let _ = writeln!(
                out,
                "{indent}{p}g{a} {arrow}|\"{count} flow{}\"| {p}g{b}",
                if count == 1 { "" } else { "s" }
            );
            colours.add(*links, violated, possibly && !violated);
            *links += 1;
        }
    }

    pub fn json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Node<'a> {
            id: &'a str,
            name: &'a str,
            operator: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            held_by: Option<&'a str>,
            group: &'a str,
            location: &'static str,
        }
        #[derive(Serialize)]
        struct Edge<'a> {
            id: &'a str,
            from: &'a str,
            to: &'a str,
            fields: Vec<&'a str>,
            protection: String,
            ciphertext: bool,
            breaks_a_promise: bool,
        }
        let model = self.model;
        let nodes: Vec<Node> = self
            .systems
            .iter()
            .map(|&s| {
                let sys = model.system(s);
                Node {
                    id: &sys.id,
                    name: &sys.name,
                    operator: &model.entity(sys.operator).id,
                    held_by: sys.held_by.map(|h| model.entity(h).id.as_str()),
                    group: &model.entity(model.ultimate_owner(model.party(s))).id,
                    location: if sys.location == SystemLocation::Device {
                        "device"
                    } else {
                        "server"
                    },
                }
            })
            .collect();
        let edges: Vec<Edge> = self
            .flows
            .iter()
            .map(|&f| {
                let flow = model.flow(f);
                Edge {
                    id: &flow.id,
                    from: &model.system(flow.from).id,
                    to: &model.system(flow.to).id,
                    fields: flow.fields.iter().map(|&k| model.fields.key(k)).collect(),
                    protection: format!("{:?}", flow.protection).to_lowercase(),
                    ciphertext: self.ciphertext.contains(&f),
                    breaks_a_promise: self.breaking.contains(&f),
                }
            })
            .collect();
        serde_json::json!({"policy": model.policy.id, "nodes": nodes, "edges": edges})
    }
}

/// Text inside a DOT double-quoted string: a newline is DOT's own `\n`, never a raw line break.
fn dot_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Text inside a quoted Mermaid label: entity codes for what Mermaid would parse, `<br/>` for a
/// newline.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>")
}

/// Several graphs as one DOT document: one graph alone as it is, several as one cluster each
/// with node ids prefixed by the policy.
pub fn dot(graphs: &[Subgraph]) -> String {
    let esc = dot_string;
    let name = match graphs {
        [one] => one.model.policy.id.clone(),
        _ => "privflow".to_owned(),
    };
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, style=rounded];\n",
        esc(&name)
    );
    match graphs {
        [one] => one.dot_body("", "  ", &mut out),
        _ => {
            for (i, g) in graphs.iter().enumerate() {
                let id = &g.model.policy.id;
                let _ = writeln!(
                    out,
                    "  subgraph cluster_policy{i} {{\n    label=\"{}\";",
                    esc(id)
                );
                g.dot_body(&format!("{id}/"), "    ", &mut out);
                out.push_str("  }\n");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// Mermaid's (and GitHub's) `maxTextSize` and `maxEdges`: a longer diagram, or one with as many
/// links, renders as an error message.
const MERMAID_LIMIT: usize = 50_000;
const MERMAID_EDGES: usize = 500;

/// How much of each graph a Mermaid flowchart draws.
#[derive(Clone, Copy, PartialEq)]
enum Detail {
    /// Every system and every flow, flows labelled with their fields.
    Systems,
    /// Every system and every flow, without the field labels.
    Unlabelled,
    /// A node per company group, one link per pair of groups that data passes between.
    Companies,
    /// Only the company groups on the path of a broken promise.
    BrokenCompanies,
}

/// Several graphs as one Mermaid flowchart: one graph alone as it is, several as one subgraph
/// each. Past Mermaid's size limit the arrows lose their field labels, then the systems collapse
/// to company groups, then to the groups on broken paths; the chart says so in a note node.
pub fn mermaid(graphs: &[Subgraph]) -> String {
    let fits =
        |(text, links): &(String, usize)| text.len() < MERMAID_LIMIT && *links < MERMAID_EDGES;
    let full = mermaid_at(graphs, Detail::Systems, "");
    if fits(&full) {
        return full.0;
    }
    let size = format!(
        "The full diagram is {} characters and {} links, over Mermaid's limits of {MERMAID_LIMIT} and {MERMAID_EDGES}",
        full.0.len(),
        full.1
    );
    for (detail, what) in [
        (
            Detail::Unlabelled,
            "the arrows are drawn without their field labels",
        ),
        (
            Detail::Companies,
            "the systems are collapsed to their company groups",
        ),
        (
            Detail::BrokenCompanies,
            "only the company groups on the path of a broken promise are shown",
        ),
    ] {
        let note = format!(
            "{size}: {what}. `privflow graph --format svg` or `--format json` shows every system and flow."
        );
        let collapsed = mermaid_at(graphs, detail, &note);
        if fits(&collapsed) {
            return collapsed.0;
        }
    }
    let note = format!(
        "{size}, even collapsed to company groups: `privflow graph --format svg` or `--format json` shows every system and flow."
    );
    format!("flowchart LR\n  note[\"{}\"]\n", mermaid_text(&note))
}

/// The flowchart of `graphs` at one level of detail, with `note` (if any) as a node of its own,
/// and the number of links it draws.
fn mermaid_at(graphs: &[Subgraph], detail: Detail, note: &str) -> (String, usize) {
    let mut out = String::from("flowchart LR\n");
    if !note.is_empty() {
        let _ = writeln!(out, "  note[\"{}\"]", mermaid_text(note));
    }
    let (mut links, mut colours) = (0, LinkColours::default());
    let mut body = |g: &Subgraph, p: &str, indent: &str, out: &mut String| {
        if matches!(detail, Detail::Systems | Detail::Unlabelled) {
            let labelled = detail == Detail::Systems;
            g.mermaid_body(p, indent, labelled, out, &mut links, &mut colours);
        } else {
            g.mermaid_companies(p, indent, detail, out, &mut links, &mut colours);
        }
    };
    match graphs {
        [one] => body(one, "", "  ", &mut out),
        _ => {
            for (i, g) in graphs.iter().enumerate() {
                let title = mermaid_text(&g.model.policy.id);
                let _ = writeln!(out, "  subgraph p{i}[\"{title}\"]");
                body(g, &format!("p{i}"), "    ", &mut out);
                out.push_str("  end\n");
            }
        }
    }
    colours.write(&mut out);
    (out, links)
}

/// The links a Mermaid chart colours, by index: red on a violated path, amber on a possible one.
#[derive(Default)]
struct LinkColours {
    red: Vec<String>,
    amber: Vec<String>,
}

impl LinkColours {
    fn add(&mut self, link: usize, violated: bool, possibly: bool) {
        if violated {
            self.red.push(link.to_string());
        } else if possibly {
            self.amber.push(link.to_string());
        }
    }

    fn write(&self, out: &mut String) {
        for (links, colour) in [(&self.red, "#d00"), (&self.amber, "#b35c00")] {
            if !links.is_empty() {
                let _ = writeln!(
                    out,
                    "  linkStyle {} stroke:{colour},stroke-width:2px",
                    links.join(",")
                );
            }
        }
    }
}

/// Several graphs as one JSON document: one graph alone as it is, several as `{"policies": […]}`.
pub fn json(graphs: &[Subgraph]) -> serde_json::Value {
    match graphs {
        [one] => one.json(),
        _ => serde_json::json!({"policies": graphs.iter().map(Subgraph::json).collect::<Vec<_>>()}),
    }
}
