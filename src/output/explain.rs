//! `privflow explain`: why a claim, disclosure, system or field stands as it does — every path
//! and every deciding statement, as a tree that renders as text or serialises as JSON.

use serde::Serialize;

use crate::diagnostics::{Sources, Span};
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::verdict::{Judged, StatementRef};
use crate::engine::finding::Finding;
use crate::model::Scope;
use crate::model::taxonomy::TaxonId;
use crate::model::{EntityId, FlowId, Model, Selector, Statement, SystemId};
use crate::output::{describe_note, describe_purpose_gap};

/// One line of an explanation and what hangs below it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Node {
    pub label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    fn leaf(label: impl Into<String>) -> Node {
        Node {
            label: label.into(),
            children: Vec::new(),
        }
    }

    fn with(label: impl Into<String>, children: Vec<Node>) -> Node {
        Node {
            label: label.into(),
            children,
        }
    }
}

/// The explanation of one subject in one policy.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub policy: String,
    /// `claim`, `disclosure`, `system`, `entity` or `field`.
    pub subject: &'static str,
    pub id: String,
    pub tree: Node,
}

/// Every subject named `id` in the audited policy: a policy may have a claim and a system of the
/// same name, and each is explained.
pub fn explain(audit: &PolicyAudit, sources: &Sources, id: &str) -> Vec<Explanation> {
    let model = audit.model;
    let ctx = Context {
        audit,
        model,
        sources,
    };
    let mut out = Vec::new();
    let mut push = |subject: &'static str, tree: Node| {
        out.push(Explanation {
            policy: model.policy.id.clone(),
            subject,
            id: id.to_owned(),
            tree,
        });
    };
    if let Some(i) = model.claims.iter().position(|c| c.id == id) {
        push("claim", ctx.claim(i));
    }
    if let Some(i) = model.disclosures.iter().position(|d| d.id == id) {
        push("disclosure", ctx.disclosure(i));
    }
    if let Some(i) = model.systems.iter().position(|s| s.id == id) {
        push("system", ctx.system(SystemId(i as u32)));
    }
    if let Some(i) = model.entities.iter().position(|e| e.id == id) {
        push("entity", ctx.entity(EntityId(i as u32)));
    }
    if let Some(field) = model.fields.get(id) {
        push("field", ctx.field(field));
    }
    out
}

/// Every id `explain` accepts in a model, for did-you-mean suggestions.
pub fn subjects(model: &Model) -> Vec<&str> {
    let mut ids: Vec<&str> = model.claims.iter().map(|c| c.id.as_str()).collect();
    ids.extend(model.disclosures.iter().map(|d| d.id.as_str()));
    ids.extend(model.systems.iter().map(|s| s.id.as_str()));
    ids.extend(model.entities.iter().map(|e| e.id.as_str()));
    ids.extend(model.fields.keys());
    ids
}

struct Context<'a> {
    audit: &'a PolicyAudit<'a>,
    model: &'a Model,
    sources: &'a Sources,
}

impl Context<'_> {
    fn at(&self, span: Span) -> String {
        format!(
            "{}:{}:{}",
            self.sources.path(span.file),
            span.line,
            span.column
        )
    }

    fn keys(&self, fields: &[TaxonId]) -> String {
        fields
            .iter()
            .map(|&f| self.model.fields.key(f))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn selectors(&self, selectors: &[Selector], scope: Option<Scope>) -> String {
        let list: Vec<String> = selectors
            .iter()
            .map(|s| match s {
                Selector::Entity(e) => self.model.entity(*e).id.clone(),
                Selector::Category(c) => format!("category:{c}"),
                Selector::Kind(k) => format!("kind:{k:?}").to_lowercase(),
                Selector::All => "*".to_owned(),
            })
            .collect();
        let scope = scope
            .map(|s| format!(" (scope {})", format!("{s:?}").to_lowercase()))
            .unwrap_or_default();
        format!("{}{scope}", list.join(", "))
    }

    /// One hop of a path: the flow, its ends, what it carries and how.
    fn hop(&self, flow: FlowId) -> Node {
        let f = self.model.flow(flow);
        let mut details = vec![format!("carries {}", self.keys(&f.fields))];
        details.push(format!(
            "protection {}",
            format!("{:?}", f.protection).to_lowercase()
        ));
        if !f.purposes.is_empty() {
            let purposes: Vec<&str> = f
                .purposes
                .iter()
                .map(|&p| self.model.purposes.key(p))
                .collect();
            details.push(format!("for {}", purposes.join(", ")));
        }
        if let Some(r) = f.retention {
            details.push(format!("kept {r}"));
        }
        if let Some(c) = &f.condition {
            details.push(format!("when {c}"));
        }
        Node::leaf(format!(
            "{}: {} → {} ({}) at {}",
            f.id,
            self.model.system(f.from).id,
            self.model.system(f.to).id,
            details.join("; "),
            self.at(f.span)
        ))
    }

    fn path(&self, systems: &[SystemId], flows: &[FlowId]) -> Node {
        let names = self.model.system_ids(systems);
        let hops = if flows.len() == 1 {
            "1 hop".to_owned()
        } else {
            format!("{} hops", flows.len())
        };
        Node::with(
            format!("path {} ({hops})", names.join(" → ")),
            flows.iter().map(|&f| self.hop(f)).collect(),
        )
    }

    fn finding(&self, f: &Finding) -> Node {
        let recipient = self.model.system(f.recipient);
        let waived = if f.waiver.is_some() { " (waived)" } else { "" };
        let mut children = vec![self.path(&f.path, &f.flows)];
        if f.fields.len() > 1 {
            children.push(Node::leaf(format!(
                "with it: {}",
                self.keys(&f.fields[1..])
            )));
        }
        children.extend(
            f.notes
                .iter()
                .map(|n| Node::leaf(format!("note: {}", describe_note(self.model, n)))),
        );
        if let Some(i) = f.waiver {
            let w = &self.model.waivers[i];
            let owner = w
                .owner
                .as_deref()
                .map(|o| format!(", owner {o}"))
                .unwrap_or_default();
            let expires = w
                .expires
                .map(|d| format!(", expires {d}"))
                .unwrap_or_default();
            children.push(Node::leaf(format!("waived: {}{owner}{expires}", w.reason)));
        }
        Node::with(
            format!(
                "{}{waived}: {} reaches {} ({}), {} {}",
                f.verdict.as_str(),
                self.model.fields.key(f.field),
                recipient.id,
                self.model.entity(self.model.party(f.recipient)).name,
                f.certainty.as_str(),
                if f.direct { "direct" } else { "indirect" }
            ),
            children,
        )
    }

    fn receipt(&self, j: &Judged) -> Node {
        let r = &j.receipt;
        let by: Vec<String> = j.by.iter().map(|&s| self.statement(s)).collect();
        let mut children = vec![self.path(&r.path, &r.flows)];
        if let Some(gap) = &j.purpose_gap {
            children.push(Node::leaf(format!(
                "not disclosed for this use: {}",
                describe_purpose_gap(self.model, gap)
            )));
        }
        if by.is_empty() {
            children.push(Node::leaf("no disclosure or claim covers it"));
        } else {
            children.push(Node::with(
                "decided by",
                by.into_iter().map(Node::leaf).collect(),
            ));
        }
        Node::with(
            format!(
                "{}: {} {} {}",
                j.verdict.as_str(),
                self.model.entity_label(r.entity),
                r.kind.verb(),
                self.model.fields.key(r.field)
            ),
            children,
        )
    }

    fn statement(&self, s: StatementRef) -> String {
        match s {
            StatementRef::Disclosure(i) => {
                let d = &self.model.disclosures[i];
                let text = d
                    .text
                    .as_deref()
                    .map(|t| format!(" — \"{t}\""))
                    .unwrap_or_default();
                format!("disclosure {}{text} at {}", d.id, self.at(d.span))
            }
            StatementRef::Claim(i) => {
                let c = &self.model.claims[i];
                let text = c
                    .text
                    .as_deref()
                    .map(|t| format!(" — \"{t}\""))
                    .unwrap_or_default();
                format!(
                    "claim {} ({}){text} at {}",
                    c.id,
                    c.kind.as_str(),
                    self.at(c.span)
                )
            }
        }
    }

    fn claim(&self, i: usize) -> Node {
        let claim = &self.model.claims[i];
        let result = self
            .audit
            .claims
            .iter()
            .find(|r| r.claim == i)
            .expect("every claim has a result");
        let mut children = Vec::new();
        if let Some(text) = &claim.text {
            children.push(Node::leaf(format!("promise: \"{text}\"")));
        }
        if let Some(source) = &claim.source {
            children.push(Node::leaf(format!("source: {source}")));
        }
        children.push(Node::leaf(format!("defined at {}", self.at(claim.span))));
        let mut params = Vec::new();
        if !claim.fields.is_empty() {
            params.push(Node::leaf(format!("fields: {}", self.keys(&claim.fields))));
        }
        if !claim.with.is_empty() {
            params.push(Node::leaf(format!(
                "with: {}",
                self.selectors(&claim.with, claim.scope)
            )));
        }
        if !claim.purposes.is_empty() {
            let p: Vec<&str> = claim
                .purposes
                .iter()
                .map(|&p| self.model.purposes.key(p))
                .collect();
            params.push(Node::leaf(format!("purposes: {}", p.join(", "))));
        }
        if !claim.endpoints.is_empty() {
            let e: Vec<&str> = claim
                .endpoints
                .iter()
                .map(|&s| self.model.system(s).id.as_str())
                .collect();
            params.push(Node::leaf(format!("endpoints: {}", e.join(", "))));
        }
        for (name, list) in [
            ("operators", &claim.operators),
            ("at", &claim.at),
            ("exclude", &claim.exclude),
        ] {
            if !list.is_empty() {
                params.push(Node::leaf(format!(
                    "{name}: {}",
                    self.selectors(list, claim.scope)
                )));
            }
        }
        if let Some(max) = claim.max {
            params.push(Node::leaf(format!("max: {max}")));
        }
        if !claim.exempt_conditions.is_empty() {
            params.push(Node::leaf(format!(
                "exempt conditions: {}",
                claim.exempt_conditions.join(", ")
            )));
        }
        if claim.processors_exempt {
            params.push(Node::leaf("processors exempt"));
        }
        if claim.include_derived {
            params.push(Node::leaf("includes aggregated and anonymized data"));
        }
        children.push(Node::with("checks", params));
        // One claim is explained: it lists up to a claim's cap whatever the run listed.
        let per_claim = crate::engine::audit::Listing::default().per_claim;
        let (traced, more) = self.audit.traced(|f| f.claim == i, per_claim);
        let mut findings: Vec<Node> = traced.iter().map(|f| self.finding(f)).collect();
        if more > 0 {
            findings.push(Node::leaf(format!(
                "{more} more findings counted, not listed (`privflow audit --max-findings all \
                 --format json` lists them)"
            )));
        }
        match (result.status, findings.is_empty()) {
            (crate::engine::finding::Status::Skipped, _) => children.push(Node::leaf(
                "skipped: a no_expansion claim is evaluated against a base version of the model",
            )),
            (_, true) => children.push(Node::leaf(
                "no flow breaks it: no path from the speaker reaches a system where it would",
            )),
            (_, false) => children.push(Node::with("findings", findings)),
        }
        let covered: Vec<Node> = self
            .audit
            .disclosures
            .judged
            .iter()
            .filter(|j| j.by.contains(&StatementRef::Claim(i)))
            .map(|j| self.receipt(j))
            .collect();
        if !covered.is_empty() {
            children.push(Node::with("receipts this claim decides", covered));
        }
        Node::with(
            format!(
                "claim {} ({}): {}",
                claim.id,
                claim.kind.as_str(),
                result.status.as_str()
            ),
            children,
        )
    }

    fn disclosure(&self, i: usize) -> Node {
        let d = &self.model.disclosures[i];
        let mut children = Vec::new();
        if let Some(text) = &d.text {
            children.push(Node::leaf(format!("statement: \"{text}\"")));
        }
        children.push(Node::leaf(format!("defined at {}", self.at(d.span))));
        children.push(Node::leaf(match &d.statement {
            Statement::Share {
                fields,
                with,
                scope,
                ..
            } => {
                format!(
                    "shares {} with {}",
                    self.keys(fields),
                    self.selectors(with, Some(*scope))
                )
            }
            Statement::Collect { fields, .. } => format!("collects {}", self.keys(fields)),
        }));
        let decided: Vec<Node> = self
            .audit
            .disclosures
            .judged
            .iter()
            .filter(|j| j.by.contains(&StatementRef::Disclosure(i)))
            .map(|j| self.receipt(j))
            .collect();
        let over = self.audit.disclosures.over.contains(&i);
        let verdict = if over {
            "covers no receipt (over-disclosure)"
        } else {
            "covers receipts"
        };
        if decided.is_empty() && !over {
            children.push(Node::leaf(
                "covers receipts, but more specific statements decide all of them",
            ));
        } else if !decided.is_empty() {
            children.push(Node::with("receipts it decides", decided));
        }
        Node::with(format!("disclosure {}: {verdict}", d.id), children)
    }

    fn system(&self, id: SystemId) -> Node {
        let s = self.model.system(id);
        let mut facts = vec![
            format!("operated by {}", self.model.entity_label(s.operator)),
            format!("{:?} {:?}", s.location, s.kind).to_lowercase(),
        ];
        if let Some(holder) = s.held_by {
            facts.push(format!("held by {}", self.model.entity_label(holder)));
        }
        if s.ephemeral {
            facts.push("ephemeral".to_owned());
        }
        if let Some(r) = s.retention {
            facts.push(format!("keeps data {r}"));
        }
        let mut children = vec![
            Node::leaf(facts.join(", ")),
            Node::leaf(format!("defined at {}", self.at(s.span))),
        ];
        let flows = |incoming: bool| -> Vec<Node> {
            (0..self.model.flows.len() as u32)
                .map(FlowId)
                .filter(|&f| {
                    let flow = self.model.flow(f);
                    if incoming {
                        flow.to == id
                    } else {
                        flow.from == id
                    }
                })
                .map(|f| self.hop(f))
                .collect()
        };
        for (label, list) in [("flows in", flows(true)), ("flows out", flows(false))] {
            if !list.is_empty() {
                children.push(Node::with(label, list));
            }
        }
        let receipts: Vec<Node> = self
            .audit
            .disclosures
            .judged
            .iter()
            .filter(|j| j.receipt.system == id)
            .map(|j| self.receipt(j))
            .collect();
        if !receipts.is_empty() {
            children.push(Node::with("receipts witnessed here", receipts));
        }
        let (traced, _) = self.audit.traced(|f| f.recipient == id, None);
        let findings: Vec<Node> = traced
            .iter()
            .map(|f| {
                let claim = &self.model.claims[f.claim];
                Node::with(
                    format!("claim {} ({})", claim.id, claim.kind.as_str()),
                    vec![self.finding(f)],
                )
            })
            .collect();
        if !findings.is_empty() {
            children.push(Node::with("promises broken here", findings));
        }
        Node::with(format!("system {} ({})", s.id, s.name), children)
    }

    /// An entity: who owns it, its systems, what it receives by which paths, and the promises
    /// broken at its systems.
    fn entity(&self, id: EntityId) -> Node {
        let model = self.model;
        let e = model.entity(id);
        let mut facts = vec![format!("{:?}", e.kind).to_lowercase()];
        if let Some(owner) = e.owned_by {
            facts.push(format!("owned by {}", model.entity_label(owner)));
        }
        if !e.categories.is_empty() {
            facts.push(format!("categories {}", e.categories.join(", ")));
        }
        let mut children = vec![
            Node::leaf(facts.join(", ")),
            Node::leaf(format!("defined at {}", self.at(e.span))),
        ];
        let systems: Vec<Node> = (0..model.systems.len() as u32)
            .map(SystemId)
            .filter(|&s| model.party(s) == id || model.system(s).operator == id)
            .map(|s| {
                let sys = model.system(s);
                let held = match sys.held_by {
                    Some(h) if h != id => format!(", held by {}", model.entity_label(h)),
                    _ => String::new(),
                };
                Node::leaf(format!("{} ({}){held}", sys.id, sys.name))
            })
            .collect();
        if !systems.is_empty() {
            children.push(Node::with("systems", systems));
        }
        let receipts: Vec<Node> = self
            .audit
            .disclosures
            .judged
            .iter()
            .filter(|j| j.receipt.entity == id)
            .map(|j| self.receipt(j))
            .collect();
        children.push(if receipts.is_empty() {
            Node::leaf("receives nothing it can read")
        } else {
            Node::with("what reaches it", receipts)
        });
        let (traced, _) = self.audit.traced(|f| model.party(f.recipient) == id, None);
        let findings: Vec<Node> = traced
            .iter()
            .map(|f| {
                let claim = &model.claims[f.claim];
                Node::with(
                    format!("claim {} ({})", claim.id, claim.kind.as_str()),
                    vec![self.finding(f)],
                )
            })
            .collect();
        if !findings.is_empty() {
            children.push(Node::with("promises broken at its systems", findings));
        }
        Node::with(format!("entity {}", model.entity_label(id)), children)
    }

    fn field(&self, field: TaxonId) -> Node {
        let t = self.model.fields.taxon(field);
        let mut children = Vec::new();
        if let Some(d) = &t.description {
            children.push(Node::leaf(d.clone()));
        }
        if !t.parents.is_empty() {
            children.push(Node::leaf(format!("within {}", self.keys(&t.parents))));
        }
        let contained = self.model.fields.contained(field);
        if !contained.is_empty() {
            children.push(Node::leaf(format!("contains {}", self.keys(contained))));
        }
        let within = |x: TaxonId| self.model.fields.is_within(x, field);
        let flows: Vec<Node> = (0..self.model.flows.len() as u32)
            .map(FlowId)
            .filter(|&f| self.model.flow(f).fields.iter().any(|&x| within(x)))
            .map(|f| self.hop(f))
            .collect();
        children.push(if flows.is_empty() {
            Node::leaf("no flow carries it or anything within it")
        } else {
            Node::with("flows carrying it", flows)
        });
        let receipts: Vec<Node> = self
            .audit
            .disclosures
            .judged
            .iter()
            .filter(|j| within(j.receipt.field))
            .map(|j| self.receipt(j))
            .collect();
        if !receipts.is_empty() {
            children.push(Node::with("receipts", receipts));
        }
        let claims: Vec<Node> = self
            .audit
            .claims
            .iter()
            .filter(|r| {
                self.model.claims[r.claim]
                    .fields
                    .iter()
                    .any(|&y| within(y) || self.model.fields.is_within(field, y))
            })
            .map(|r| {
                let c = &self.model.claims[r.claim];
                Node::leaf(format!(
                    "claim {} ({}): {}",
                    c.id,
                    c.kind.as_str(),
                    r.status.as_str()
                ))
            })
            .collect();
        if !claims.is_empty() {
            children.push(Node::with("promises about it", claims));
        }
        Node::with(format!("field {} ({})", t.key, t.label), children)
    }
}

/// The tree as indented text with box-drawing guides.
pub fn render(node: &Node) -> String {
    let mut out = String::new();
    out.push_str(&node.label);
    out.push('\n');
    render_children(&node.children, "", &mut out);
    out
}

fn render_children(children: &[Node], prefix: &str, out: &mut String) {
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        out.push_str(prefix);
        out.push_str(if last { "└─ " } else { "├─ " });
        out.push_str(&child.label);
        out.push('\n');
        let deeper = format!("{prefix}{}", if last { "   " } else { "│  " });
        render_children(&child.children, &deeper, out);
    }
}
