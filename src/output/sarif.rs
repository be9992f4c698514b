//! `--format sarif`: SARIF 2.1.0 for code scanning. One run per policy, one rule per claim (fired
//! or not) plus one per disclosure verdict, results at the YAML of the flow that breaks the promise.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif as SarifLog, Suppression, ThreadFlow, ThreadFlowLocation, Tool,
    ToolComponent,
};

use super::{AuditRun, Report, ordered};
use crate::baseline::Comparison;
use crate::diagnostics::{Sources, Span};
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::{Finding, Verdict};
use crate::model::Model;

pub struct Sarif;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SOURCE_ROOT: &str = "%SRCROOT%";

/// The disclosure verdicts that become results, with their rule ids and levels.
const DISCLOSURE_RULES: [(DisclosureVerdict, &str, &str); 4] = [
    (
        DisclosureVerdict::Incorrect,
        "disclosure-incorrect",
        "A receipt the policy denies: only a promise not to share or collect covers it.",
    ),
    (
        DisclosureVerdict::Omitted,
        "disclosure-omitted",
        "A receipt the policy never mentions.",
    ),
    (
        DisclosureVerdict::Ambiguous,
        "disclosure-ambiguous",
        "A receipt the policy both admits and denies.",
    ),
    (
        DisclosureVerdict::Vague,
        "disclosure-vague",
        "A receipt the policy mentions only in general terms.",
    ),
];

fn level_of_verdict(verdict: Verdict) -> ResultLevel {
    match verdict {
        Verdict::Violated => ResultLevel::Error,
        Verdict::Possible => ResultLevel::Warning,
        Verdict::Undetermined => ResultLevel::Note,
    }
}

fn level_of_disclosure(verdict: DisclosureVerdict) -> ResultLevel {
    match verdict {
        DisclosureVerdict::Incorrect => ResultLevel::Error,
        DisclosureVerdict::Omitted | DisclosureVerdict::Ambiguous => ResultLevel::Warning,
        DisclosureVerdict::Vague | DisclosureVerdict::Clear => ResultLevel::Note,
    }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn message(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

/// A location at a span, relative to the source root, with an optional message and id.
fn location(sources: &Sources, span: Span, note: Option<String>, id: Option<i64>) -> Location {
    let path = sources.path(span.file);
    let uri = path.strip_prefix("./").unwrap_or(path).to_owned();
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri)
                .uri_base_id(SOURCE_ROOT.to_owned())
                .build(),
        )
        .region(
            Region::builder()
                .start_line(i64::from(span.line))
                .start_column(i64::from(span.column))
                .build(),
        )
        .build();
    match (note, id) {
        (Some(note), Some(id)) => Location::builder()
            .physical_location(physical)
            .message(message(note))
            .id(id)
            .build(),
        (Some(note), None) => Location::builder()
            .physical_location(physical)
            .message(message(note))
            .build(),
        (None, _) => Location::builder().physical_location(physical).build(),
    }
}

fn rules(model: &Model) -> Vec<ReportingDescriptor> {
    let mut rules: Vec<ReportingDescriptor> = model
        .claims
        .iter()
        .map(|claim| {
            let promise = claim.text.clone().unwrap_or_else(|| claim.id.clone());
            let source = claim.source.as_deref().map(|s| format!(" (source: {s})")).unwrap_or_default();
            ReportingDescriptor::builder()
                .id(claim.id.clone())
                .name(claim.kind.as_str().to_owned())
                .short_description(text(promise.clone()))
                .full_description(text(format!("{} claim: {promise}{source}", claim.kind.as_str())))
                .help(text(format!(
                    "The policy promises: \"{promise}\"{source}. Run `privflow explain {}` for every path that breaks it.",
                    claim.id
                )))
                .default_configuration(ReportingConfiguration::builder().level(serde_json::json!("error")).build())
                .build()
        })
        .collect();
    for (verdict, id, description) in DISCLOSURE_RULES {
        let level = serde_json::to_value(level_of_disclosure(verdict)).unwrap_or_default();
        rules.push(
            ReportingDescriptor::builder()
                .id(id.to_owned())
                .name(format!("disclosure_{}", verdict.as_str()))
                .short_description(text(description))
                .help(text(format!(
                    "{description} Add or correct a disclosure in the model, or fix the flow."
                )))
                .default_configuration(ReportingConfiguration::builder().level(level).build())
                .build(),
        );
    }
    rules
}

fn path_text(model: &Model, systems: &[crate::model::SystemId]) -> String {
    model.system_ids(systems).join(" → ")
}

fn code_flow(sources: &Sources, model: &Model, flows: &[crate::model::FlowId]) -> CodeFlow {
    let locations: Vec<ThreadFlowLocation> = flows
        .iter()
        .map(|&id| {
            let f = model.flow(id);
            let note = format!(
                "{}: {} → {}",
                f.id,
                model.system(f.from).id,
                model.system(f.to).id
            );
            ThreadFlowLocation::builder()
                .location(location(sources, f.span, Some(note), None))
                .build()
        })
        .collect();
    CodeFlow::builder()
        .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
        .build()
}

fn finding_result(sources: &Sources, model: &Model, f: &Finding) -> SarifResult {
    let claim = &model.claims[f.claim];
    let recipient = model.system(f.recipient);
    let promise = claim
        .text
        .as_deref()
        .map(|t| format!(": \"{t}\""))
        .unwrap_or_default();
    let keys: Vec<&str> = f.fields.iter().map(|&k| model.fields.key(k)).collect();
    let also = match keys.len() {
        1 => String::new(),
        _ => format!("; with it {}", keys[1..].join(", ")),
    };
    let msg = format!(
        "{} breaks `{}`{promise} — {} reaches {} ({}) via {}{also}",
        f.verdict.as_str(),
        claim.id,
        keys[0],
        recipient.id,
        model.entity(model.party(f.recipient)).name,
        path_text(model, &f.path)
    );
    let mut properties = BTreeMap::new();
    properties.insert("fields".to_owned(), serde_json::json!(keys));
    properties.insert(
        "claimField".to_owned(),
        serde_json::json!(model.fields.key(f.claim_field)),
    );
    let last = model.flow(f.last_flow().expect("a finding has a hop"));
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("privflowFinding/v1".to_owned(), f.fingerprint(model));
    let related = location(
        sources,
        claim.span,
        Some(format!("the promise `{}`", claim.id)),
        Some(1),
    );
    let rule_index = model
        .claims
        .iter()
        .position(|c| c.id == claim.id)
        .unwrap_or(0) as i64;
    let result = SarifResult::builder()
        .rule_id(claim.id.clone())
        .rule_index(rule_index)
        .level(level_of_verdict(f.verdict))
        .message(message(msg))
        .locations(vec![location(sources, last.span, None, None)])
        .related_locations(vec![related])
        .code_flows(vec![code_flow(sources, model, &f.flows)])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    match f.waiver {
        Some(i) => {
            let w = &model.waivers[i];
            let owner = w
                .owner
                .as_deref()
                .map(|o| format!(" (owner: {o})"))
                .unwrap_or_default();
            let suppression = Suppression::builder()
                .kind(serde_json::json!("inSource"))
                .status(serde_json::json!("accepted"))
                .justification(format!("{}{owner}", w.reason))
                .location(location(sources, w.span, Some("waiver".to_owned()), None))
                .build();
            result.suppressions(vec![suppression]).build()
        }
        None => result.build(),
    }
}

fn run(sources: &Sources, audit: &PolicyAudit) -> Run {
    let model = audit.model;
    let mut results: Vec<SarifResult> = ordered(audit)
        .into_iter()
        .map(|f| finding_result(sources, model, f))
        .collect();
    for j in &audit.disclosures.judged {
        let Some(index) = DISCLOSURE_RULES
            .iter()
            .position(|(v, _, _)| *v == j.verdict)
        else {
            continue;
        };
        let r = &j.receipt;
        let verb = r.kind.verb();
        let by: Vec<&str> = j.by.iter().map(|s| s.id(model)).collect();
        let decided = if by.is_empty() {
            String::new()
        } else {
            format!(" (decided by {})", by.join(", "))
        };
        let msg = format!(
            "{} {verb} {} via {}: {}{decided}",
            model.entity_label(r.entity),
            model.fields.key(r.field),
            path_text(model, &r.path),
            j.verdict.as_str()
        );
        let last = model.flow(*r.flows.last().expect("a receipt has a hop"));
        let mut fingerprints = BTreeMap::new();
        let key = format!(
            "{}|{}|{}|{}",
            DISCLOSURE_RULES[index].1,
            model.entity(r.entity).id,
            model.fields.key(r.field),
            r.kind.as_str()
        );
        fingerprints.insert("privflowReceipt/v1".to_owned(), key);
        results.push(
            SarifResult::builder()
                .rule_id(DISCLOSURE_RULES[index].1.to_owned())
                .rule_index((model.claims.len() + index) as i64)
                .level(level_of_disclosure(j.verdict))
                .message(message(msg))
                .locations(vec![location(sources, last.span, None, None)])
                .code_flows(vec![code_flow(sources, model, &r.flows)])
                .partial_fingerprints(fingerprints)
                .build(),
        );
    }
    let driver = ToolComponent::builder()
        .name("privflow".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri("https://github.com/privflow/privflow".to_owned())
        .rules(rules(model))
        .build();
    Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build()
}

impl Report for Sarif {
    fn render_against(&self, audit_run: &AuditRun, _: Option<&Comparison>) -> String {
        let log = SarifLog::builder()
            .schema(SCHEMA.to_owned())
            .version(serde_json::json!("2.1.0"))
            .runs(
                audit_run
                    .audits
                    .iter()
                    .map(|a| run(audit_run.sources, a))
                    .collect::<Vec<Run>>(),
            )
            .build();
        let mut out = serde_json::to_string_pretty(&log)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        out.push('\n');
        out
    }
}
