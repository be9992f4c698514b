//! `privflow report`: the audit as a review document — summary, data-flow diagram, promises and
//! findings, a record of processing (who receives what, why, for how long) and a reach matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;

use crate::diagnostics::Sources;
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::Status;
use crate::engine::record::{Record, record};
use crate::model::FlowId;
use crate::output::markdown::escape;

/// One line of the record of processing: what one recipient receives.
#[derive(Clone, Debug, Serialize)]
pub struct InventoryRow {
    pub recipient: String,
    pub name: String,
    /// `receives` (another company) or `collects` (the speaker itself).
    pub role: &'static str,
    pub country: Option<String>,
    pub fields: Vec<String>,
    pub purposes: Vec<String>,
    /// The longest retention of the flows into the recipient's systems; `unspecified` if unknown.
    pub retention: String,
    pub disclosed_by: Vec<String>,
    pub verdicts: Vec<String>,
}

/// The report of one policy as data; Markdown and HTML render it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    pub policy: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub speaker: String,
    pub files: Vec<String>,
    /// Claims per status and receipts per verdict; rendered worst first (`.iter().rev()`).
    #[serde(serialize_with = "worst_first")]
    pub claims_by_status: BTreeMap<Status, usize>,
    #[serde(serialize_with = "worst_first")]
    pub receipts_by_verdict: BTreeMap<DisclosureVerdict, usize>,
    pub inventory: Vec<InventoryRow>,
    /// field key → recipient ids that receive it.
    pub reach: BTreeMap<String, Vec<String>>,
    pub mermaid: String,
    /// The speaker's Art. 30 record of processing activities.
    pub record: Record,
}

/// A count per status or verdict as a JSON object, the worst first, as the documents show it.
fn worst_first<K: Serialize, S: serde::Serializer>(
    counts: &BTreeMap<K, usize>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().rev())
}

pub fn build(audit: &PolicyAudit, sources: &Sources) -> PolicyReport {
    let model = audit.model;
    let mut claims_by_status = BTreeMap::new();
    for r in &audit.claims {
        *claims_by_status.entry(r.status).or_insert(0) += 1;
    }
    let mut receipts_by_verdict = BTreeMap::new();
    for j in &audit.disclosures.judged {
        *receipts_by_verdict.entry(j.verdict).or_insert(0) += 1;
    }
    // Group receipts per recipient (and role); purposes and retention come from the flows into
    // the recipient's systems that carry a received field.
    let mut rows: BTreeMap<(String, &'static str), InventoryRow> = BTreeMap::new();
    let mut last_hops: BTreeMap<(String, &'static str), BTreeSet<FlowId>> = BTreeMap::new();
    let mut reach: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for j in &audit.disclosures.judged {
        let r = &j.receipt;
        let entity = model.entity(r.entity);
        let field = model.fields.key(r.field).to_owned();
        let role = r.kind.verb();
        let row = rows
            .entry((entity.id.clone(), role))
            .or_insert_with(|| InventoryRow {
                recipient: entity.id.clone(),
                name: entity.name.clone(),
                role,
                country: entity.country.clone(),
                fields: Vec::new(),
                purposes: Vec::new(),
                retention: String::new(),
                disclosed_by: Vec::new(),
                verdicts: Vec::new(),
            });
        row.fields.push(field.clone());
        row.verdicts
            .push(format!("{field}: {}", j.verdict.as_str()));
        if j.verdict == DisclosureVerdict::Clear || j.verdict == DisclosureVerdict::Vague {
            row.disclosed_by
                .extend(j.by.iter().map(|s| s.id(model).to_owned()));
        }
        reach.entry(field).or_default().insert(entity.id.clone());
        last_hops
            .entry((entity.id.clone(), role))
            .or_default()
            .extend(r.last_hops.iter().copied());
    }
    for (key, row) in rows.iter_mut() {
        // What the recipient uses the data for and keeps it for: the hops that bring it the
        // fields it receives, as the receipts found them.
        let mut purposes = BTreeSet::new();
        let (mut known, mut unknown) = (Vec::new(), false);
        for &flow in last_hops.get(key).into_iter().flatten() {
            let f = model.flow(flow);
            purposes.extend(f.purposes.iter().map(|&p| model.purposes.key(p).to_owned()));
            match model.retention_of(flow) {
                Some(kept) => known.push(kept),
                None => unknown = true,
            }
        }
        row.purposes = purposes.into_iter().collect();
        row.retention = match (known.into_iter().max(), unknown) {
            (Some(d), false) => d.to_string(),
            (Some(d), true) => format!("{d} (some flows unspecified)"),
            (None, _) => "unspecified".to_owned(),
        };
        row.disclosed_by.sort();
        row.disclosed_by.dedup();
    }
    let policy = &model.policy;
    PolicyReport {
        policy: policy.id.clone(),
        title: policy.title.clone(),
        version: policy.version.clone(),
        speaker: model.entity_label(model.speaker()),
        files: policy
            .files
            .iter()
            .map(|f| sources.path(*f).to_owned())
            .collect(),
        claims_by_status,
        receipts_by_verdict,
        inventory: rows.into_values().collect(),
        reach: reach
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
        mermaid: crate::output::export::subgraph(audit, &crate::output::export::Focus::default())
            .mermaid(),
        record: record(audit, sources),
    }
}

/// The report as Markdown (GitHub renders the Mermaid diagram).
pub fn markdown(audit: &PolicyAudit, report: &PolicyReport, sources: &Sources) -> String {
    let model = audit.model;
    let mut out = String::new();
    let title = report.title.as_deref().unwrap_or(&report.policy);
    let version = report
        .version
        .as_deref()
        .map(|v| format!(" ({v})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# Privacy audit: {}{}\n",
        escape(title),
        escape(&version)
    );
    let _ = writeln!(
        out,
        "Policy `{}`, speaker {}, from {}.\n",
        report.policy,
        escape(&report.speaker),
        report.files.join(", ")
    );
    out.push_str("## Summary\n\n");
    if report.claims_by_status.is_empty() {
        out.push_str("No claims to check.\n");
    } else {
        out.push_str("| claims | count |\n|---|---:|\n");
    }
    for (status, n) in report.claims_by_status.iter().rev() {
        let _ = writeln!(out, "| {} | {n} |", status.as_str());
    }
    if report.receipts_by_verdict.is_empty() {
        out.push_str("\nNo receipts to judge against the disclosures.\n");
    } else {
        out.push_str("\n| receipts | count |\n|---|---:|\n");
    }
    for (verdict, n) in report.receipts_by_verdict.iter().rev() {
        let _ = writeln!(out, "| {} | {n} |", verdict.as_str());
    }
    let _ = writeln!(
        out,
        "\n## Data flow\n\nSystems are grouped by the company group that runs them; dotted arrows are end-to-end encrypted; red arrows lie on the path of a violated promise, amber arrows only on the path of a possible breach.\n\n```mermaid\n{}```\n",
        report.mermaid
    );
    out.push_str("## Promises\n\n");
    if audit.claims.is_empty() {
        out.push_str("The model states no promise to check.\n\n");
    }
    let findings = crate::output::ordered(audit);
    for r in &audit.claims {
        let claim = &model.claims[r.claim];
        let _ = writeln!(
            out,
            "### `{}` ({}) — {}\n",
            claim.id,
            claim.kind.as_str(),
            r.status.as_str()
        );
        if let Some(text) = &claim.text {
            let _ = writeln!(out, "> {}\n", escape(text));
        }
        for f in findings.iter().filter(|f| f.claim == r.claim) {
            let waived = if f.waiver.is_some() { " (waived)" } else { "" };
            let last = model.flow(f.last_flow().expect("a finding has a hop")).span;
            let with: Vec<String> = f.fields[1..]
                .iter()
                .map(|&k| format!("`{}`", model.fields.key(k)))
                .collect();
            let with = if with.is_empty() {
                String::new()
            } else {
                format!(" with {}", with.join(", "))
            };
            let _ = writeln!(
                out,
                "- **{}**{waived}: `{}`{with} reaches `{}` via `{}` — `{}:{}`",
                f.verdict.as_str(),
                model.fields.key(f.field),
                model.system(f.recipient).id,
                model.system_ids(&f.path).join(" → "),
                sources.path(last.file),
                last.line
            );
        }
        if let Some(note) = crate::output::unlisted_note(r) {
            let _ = writeln!(out, "- … {}", escape(&note));
        }
        if r.status == Status::Holds {
            out.push_str("No flow breaks it.\n");
        }
        if let Some(note) = crate::output::skipped_note(r) {
            let _ = writeln!(out, "{}", escape(note));
        }
        out.push('\n');
    }
    out.push_str("## Recipients\n\nWho receives which personal data, for which purpose, for how long, under which disclosure.\n\n");
    if report.inventory.is_empty() {
        out.push_str("No system receives personal data.\n");
    } else {
        out.push_str("| recipient | role | country | data | purposes | retention | disclosed by |\n|---|---|---|---|---|---|---|\n");
    }
    for row in &report.inventory {
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            escape(&row.name),
            row.recipient,
            row.role,
            row.country.as_deref().unwrap_or("—"),
            row.verdicts
                .iter()
                .map(|v| escape(v))
                .collect::<Vec<_>>()
                .join("<br>"),
            if row.purposes.is_empty() {
                "unspecified".to_owned()
            } else {
                row.purposes.join(", ")
            },
            row.retention,
            if row.disclosed_by.is_empty() {
                "—".to_owned()
            } else {
                row.disclosed_by.join(", ")
            }
        );
    }
    let _ = write!(
        out,
        "\n## Record of processing activities (GDPR Article 30)\n\nOne activity per purpose of the speaker's; each cell says whether it is derived from the flows, declared in the model, or missing.\n\n{}",
        crate::output::record::markdown_table(&report.record)
    );
    let recipients: BTreeSet<&str> = report
        .reach
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    out.push_str("\n## Who receives what\n\n");
    if report.reach.is_empty() {
        out.push_str("No field reaches a recipient.\n");
    } else {
        out.push_str("| field |");
    }
    for r in &recipients {
        let _ = write!(out, " {r} |");
    }
    if !report.reach.is_empty() {
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(recipients.len()));
        out.push('\n');
    }
    for (field, who) in &report.reach {
        let _ = write!(out, "| `{field}` |");
        for r in &recipients {
            out.push_str(if who.iter().any(|w| w == r) {
                " ● |"
            } else {
                " |"
            });
        }
        out.push('\n');
    }
    if !model.waivers.is_empty() {
        out.push_str("\n## Waivers\n\n| claim | flow | reason | owner | ticket | expires |\n|---|---|---|---|---|---|\n");
        for w in &model.waivers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                w.claim
                    .map_or("*".to_owned(), |c| format!("`{}`", model.claims[c].id)),
                w.flow
                    .map_or("—".to_owned(), |f| format!("`{}`", model.flow(f).id)),
                escape(&w.reason),
                w.owner.as_deref().map_or("—".to_owned(), escape),
                w.ticket.as_deref().map_or("—".to_owned(), escape),
                w.expires.map_or("—".to_owned(), |d| d.to_string())
            );
        }
    }
    out
}
