//! `--format json`: the SPEC §7 document — policies, summary, claims, findings, receipts and
//! diagnostics. Fields may be added, never renamed.

use schemars::JsonSchema;
use serde::Serialize;

use super::{AuditRun, Report, describe_purpose_gap, ordered};
use crate::baseline::Comparison;
use crate::diagnostics::Sources;
use crate::engine::disclosures::verdict::{DisclosureVerdict, Judged};
use crate::engine::finding::{Finding, Note, Status};
use crate::model::Model;

pub struct Json;

#[derive(Serialize, JsonSchema)]
pub(crate) struct Document<'a> {
    privflow: &'static str,
    policies: Vec<PolicyJson<'a>>,
    summary: Summary,
    claims: Vec<ClaimJson<'a>>,
    /// Written one by one as they are made, never held together.
    #[schemars(with = "Vec<FindingJson<'static>>")]
    findings: Findings<'a>,
    disclosures: Vec<ReceiptJson<'a>>,
    over_disclosures: Vec<OverDisclosure<'a>>,
    diagnostics: Vec<crate::diagnostics::JsonDiagnostic<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineJson<'a>>,
}

/// The listed findings of every policy, in reading order, serialized as they are made.
struct Findings<'a>(&'a AuditRun<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let run = self.0;
        serializer.collect_seq(run.audits.iter().flat_map(|audit| {
            ordered(audit)
                .into_iter()
                .map(|f| finding_json(run.sources, audit.model, f))
        }))
    }
}

/// How the run compares with `--baseline-file`.
#[derive(Serialize, JsonSchema)]
struct BaselineJson<'a> {
    accepted: usize,
    new: usize,
    resolved: &'a [crate::baseline::Entry],
}

#[derive(Serialize, JsonSchema)]
struct PolicyJson<'a> {
    id: &'a str,
    version: Option<&'a str>,
    title: Option<&'a str>,
    speaker: &'a str,
    files: Vec<&'a str>,
}

#[derive(Serialize, JsonSchema)]
struct Summary {
    claims: usize,
    violated: usize,
    possible: usize,
    undetermined: usize,
    holds: usize,
    waived: usize,
    skipped: usize,
    /// Findings counted but not listed, past `--max-findings` or `--max-findings-total`.
    #[serde(skip_serializing_if = "is_zero", default)]
    unlisted_findings: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize, JsonSchema)]
struct ClaimJson<'a> {
    id: &'a str,
    policy: &'a str,
    kind: &'static str,
    status: Status,
    /// Every finding of the claim, listed or not.
    findings: usize,
    /// Findings counted but not listed (past a cap): `findings` less those in `findings[]`.
    #[serde(skip_serializing_if = "is_zero", default)]
    unlisted: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    location: Location<'a>,
}

#[derive(Serialize, JsonSchema)]
struct Recipient<'a> {
    system: &'a str,
    entity: &'a str,
}

#[derive(Serialize, JsonSchema)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize, JsonSchema)]
struct Waiver<'a> {
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

#[derive(Serialize, JsonSchema)]
struct FindingJson<'a> {
    id: String,
    policy: &'a str,
    check: &'a str,
    kind: &'static str,
    verdict: &'static str,
    certainty: &'static str,
    field: &'a str,
    /// Every key reaching the recipient for the claim field, worst first; `field` is the first.
    fields: Vec<&'a str>,
    claim_field: &'a str,
    recipient: Recipient<'a>,
    path: Vec<&'a str>,
    flows: Vec<&'a str>,
    hops: usize,
    direct: bool,
    purposes: Vec<&'a str>,
    waived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<Waiver<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[serde(default)]
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retention: Option<String>,
    location: Option<Location<'a>>,
}

/// A receipt with its disclosure verdict (SPEC §7 `disclosures`).
#[derive(Serialize, JsonSchema)]
struct ReceiptJson<'a> {
    policy: &'a str,
    entity: &'a str,
    field: &'a str,
    verdict: DisclosureVerdict,
    by: Vec<&'a str>,
    kind: &'static str,
    /// What the entity uses the field for: the purposes its last hops declare.
    purposes: Vec<&'a str>,
    /// Why a disclosed receipt is `omitted`: a purpose no covering disclosure names.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    system: &'a str,
    path: Vec<&'a str>,
    flows: Vec<&'a str>,
    hops: usize,
    direct: bool,
    location: Location<'a>,
}

/// A disclosure no receipt needs.
#[derive(Serialize, JsonSchema)]
struct OverDisclosure<'a> {
    id: &'a str,
    policy: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    location: Location<'a>,
}

fn receipt_json<'a>(sources: &'a Sources, model: &'a Model, j: &'a Judged) -> ReceiptJson<'a> {
    let r = &j.receipt;
    let last = model.flow(*r.flows.last().expect("a receipt has a hop"));
    ReceiptJson {
        policy: &model.policy.id,
        entity: &model.entity(r.entity).id,
        field: model.fields.key(r.field),
        verdict: j.verdict,
        by: j.by.iter().map(|s| s.id(model)).collect(),
        kind: r.kind.as_str(),
        purposes: r
            .purposes(model)
            .into_iter()
            .map(|p| model.purposes.key(p))
            .collect(),
        note: j
            .purpose_gap
            .as_ref()
            .map(|gap| describe_purpose_gap(model, gap)),
        system: &model.system(r.system).id,
        path: model.system_ids(&r.path),
        flows: r.flows.iter().map(|f| model.flow(*f).id.as_str()).collect(),
        hops: r.flows.len(),
        direct: r.direct,
        location: location(sources, last.span),
    }
}

fn location<'a>(sources: &'a Sources, span: crate::diagnostics::Span) -> Location<'a> {
    Location {
        file: sources.path(span.file),
        line: span.line,
        column: span.column,
    }
}

fn finding_json<'a>(sources: &'a Sources, model: &'a Model, f: &'a Finding) -> FindingJson<'a> {
    let claim = &model.claims[f.claim];
    let recipient = model.system(f.recipient);
    let last = f.last_flow().map(|id| model.flow(id));
    let mut notes = Vec::new();
    let mut retention = None;
    for note in &f.notes {
        match note {
            Note::SelfExcluded => notes.push("self_excluded".to_owned()),
            Note::NoPurpose => notes.push("no_purpose".to_owned()),
            Note::DisallowedPurposes(_) => notes.push("purpose_outside_promise".to_owned()),
            Note::Country(c) => notes.push(
                c.as_ref()
                    .map_or_else(|| "country_unknown".to_owned(), |c| format!("country:{c}")),
            ),
            Note::Retention(r) => {
                retention = Some(r.map_or_else(|| "unspecified".to_owned(), |r| r.to_string()))
            }
        }
    }
    let waiver = f.waiver.map(|i| {
        let w = &model.waivers[i];
        Waiver {
            reason: &w.reason,
            owner: w.owner.as_deref(),
            ticket: w.ticket.as_deref(),
            expires: w.expires.map(|d| d.to_string()),
        }
    });
    FindingJson {
        id: f.fingerprint(model),
        policy: &model.policy.id,
        check: &claim.id,
        kind: claim.kind.as_str(),
        verdict: f.verdict.as_str(),
        certainty: f.certainty.as_str(),
        field: model.fields.key(f.field),
        fields: f.fields.iter().map(|&k| model.fields.key(k)).collect(),
        claim_field: model.fields.key(f.claim_field),
        recipient: Recipient {
            system: &recipient.id,
            entity: &model.entity(model.party(f.recipient)).id,
        },
        path: model.system_ids(&f.path),
        flows: f
            .flows
            .iter()
            .map(|id| model.flow(*id).id.as_str())
            .collect(),
        hops: f.hops(),
        direct: f.direct,
        purposes: last.map_or_else(Vec::new, |l| {
            l.purposes.iter().map(|p| model.purposes.key(*p)).collect()
        }),
        waived: f.waiver.is_some(),
        waiver,
        notes,
        retention,
        location: last.map(|l| location(sources, l.span)),
    }
}

/// The document of a run; its findings are made while it is written.
fn document<'a>(run: &'a AuditRun<'a>, baseline: Option<&'a Comparison>) -> Document<'a> {
    let mut doc = Document {
        privflow: env!("CARGO_PKG_VERSION"),
        policies: Vec::new(),
        summary: Summary {
            claims: run.claims(),
            violated: run.count(Status::Violated),
            possible: run.count(Status::Possible),
            undetermined: run.count(Status::Undetermined),
            holds: run.count(Status::Holds),
            waived: run.count(Status::Waived),
            skipped: run.count(Status::Skipped),
            unlisted_findings: run.unlisted(),
        },
        claims: Vec::new(),
        findings: Findings(run),
        disclosures: Vec::new(),
        over_disclosures: Vec::new(),
        diagnostics: crate::diagnostics::to_json(&run.diagnostics, run.sources),
        baseline: baseline.map(|b| BaselineJson {
            accepted: b.matched,
            new: b.new,
            resolved: &b.resolved,
        }),
    };
    for audit in &run.audits {
        let model = audit.model;
        doc.policies.push(PolicyJson {
            id: &model.policy.id,
            version: model.policy.version.as_deref(),
            title: model.policy.title.as_deref(),
            speaker: &model.entity(model.speaker()).id,
            files: model
                .policy
                .files
                .iter()
                .map(|f| run.sources.path(*f))
                .collect(),
        });
        for result in &audit.claims {
            let claim = &model.claims[result.claim];
            doc.claims.push(ClaimJson {
                id: &claim.id,
                policy: &model.policy.id,
                kind: claim.kind.as_str(),
                status: result.status,
                findings: result.findings,
                unlisted: result.unlisted(),
                text: claim.text.as_deref(),
                location: location(run.sources, claim.span),
            });
        }
        for j in &audit.disclosures.judged {
            doc.disclosures.push(receipt_json(run.sources, model, j));
        }
        for &i in &audit.disclosures.over {
            let d = &model.disclosures[i];
            doc.over_disclosures.push(OverDisclosure {
                id: &d.id,
                policy: &model.policy.id,
                text: d.text.as_deref(),
                location: location(run.sources, d.span),
            });
        }
    }
    doc
}

impl Report for Json {
    /// Writes the document as it is made: no finding is held longer than its own serialization.
    fn write(
        &self,
        run: &AuditRun,
        baseline: Option<&Comparison>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, &document(run, baseline))?;
        out.write_all(b"\n")?;
        out.flush()
    }

    fn render_against(&self, run: &AuditRun, baseline: Option<&Comparison>) -> String {
        super::rendered_by_writing(self, run, baseline)
    }
}
