//! `--format sarif`: SARIF 2.1.0 for code scanning. One run per invocation, whatever the number
//! of policies (GitHub refuses several runs of one tool): a rule per policy and claim plus one per
//! disclosure verdict, results at the YAML of the flow that breaks the promise, written as they are
//! made, at most GitHub's 25 000 of them.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Suppression, ThreadFlow, ThreadFlowLocation, Tool, ToolComponent,
};

use super::{AuditRun, Report, ordered};
use crate::baseline::Comparison;
use crate::diagnostics::{Sources, Span};
use crate::engine::audit::PolicyAudit;
use crate::engine::disclosures::verdict::{DisclosureVerdict, Judged};
use crate::engine::finding::{Finding, Verdict};
use crate::model::Model;

/// Where the files of the run are: paths become URIs relative to `root` (`%SRCROOT%`, the
/// repository root) after joining them to `cwd`.
#[derive(Clone, Debug, Default)]
pub struct Sarif {
    pub cwd: PathBuf,
    pub root: PathBuf,
}

/// GitHub code scanning keeps at most this many results of a run.
pub const MAX_RESULTS: usize = 25_000;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SOURCE_ROOT: &str = "%SRCROOT%";

/// The disclosure verdicts that become results, with their rule ids and descriptions.
const DISCLOSURE_RULES: [(DisclosureVerdict, &str, &str, &str); 4] = [
    (
        DisclosureVerdict::Incorrect,
        "disclosure-incorrect",
        "A receipt the policy denies: only a promise not to share or collect covers it.",
        "An entity receives (or the speaker collects) a field although the only statements of the policy that cover it promise the opposite. The policy says something untrue about this data.",
    ),
    (
        DisclosureVerdict::Omitted,
        "disclosure-omitted",
        "A receipt the policy never mentions.",
        "An entity receives (or the speaker collects) a field, by the path shown, and no disclosure of the policy covers it, or none covers the purpose it is used for.",
    ),
    (
        DisclosureVerdict::Ambiguous,
        "disclosure-ambiguous",
        "A receipt the policy both admits and denies.",
        "Both a disclosure and a promise not to share cover this receipt, and neither is more specific than the other.",
    ),
    (
        DisclosureVerdict::Vague,
        "disclosure-vague",
        "A receipt the policy mentions only in general terms.",
        "Only disclosures through a broader kind of data, a category of companies or everyone cover this receipt.",
    ),
];

/// The rule id of a claim: its policy and id, which cannot collide across policies.
fn claim_rule(model: &Model, claim: usize) -> String {
    format!("{}/{}", model.policy.id, model.claims[claim].id)
}

/// How many results a run has before the cap: every finding, and every receipt that is not clear.
pub fn result_count(run: &AuditRun) -> usize {
    run.audits
        .iter()
        .map(|a| {
            a.findings.len()
                + a.disclosures
                    .judged
                    .iter()
                    .filter(|j| rule_of(j).is_some())
                    .count()
        })
        .sum()
}

fn rule_of(j: &Judged) -> Option<usize> {
    DISCLOSURE_RULES.iter().position(|(v, ..)| *v == j.verdict)
}

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

/// The location of a file: a percent-encoded URI reference relative to the repository root, or
/// a `file:` URI when the file lies outside it.
fn artifact(at: &Sarif, path: &str) -> ArtifactLocation {
    let absolute = normalize(&at.cwd.join(path));
    match absolute.strip_prefix(normalize(&at.root)) {
        Ok(relative) => ArtifactLocation::builder()
            .uri(encode(relative))
            .uri_base_id(SOURCE_ROOT.to_owned())
            .build(),
        Err(_) => ArtifactLocation::builder()
            .uri(format!("file://{}", encode(&absolute)))
            .build(),
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as a URI path: `/`-separated, every byte but the unreserved ones percent-encoded.
fn encode(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A location at a span, relative to the source root, with an optional message and id.
fn location(
    at: &Sarif,
    sources: &Sources,
    span: Span,
    note: Option<String>,
    id: Option<i64>,
) -> Location {
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(at, sources.path(span.file)))
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

fn rules(run: &AuditRun) -> Vec<ReportingDescriptor> {
    let mut rules: Vec<ReportingDescriptor> = Vec::new();
    for audit in &run.audits {
        let model = audit.model;
        for (i, claim) in model.claims.iter().enumerate() {
            let promise = claim.text.clone().unwrap_or_else(|| claim.id.clone());
            let source = claim
                .source
                .as_deref()
                .map(|s| format!(" (source: {s})"))
                .unwrap_or_default();
            rules.push(
                ReportingDescriptor::builder()
                    .id(claim_rule(model, i))
                    .name(claim.kind.as_str().to_owned())
                    .short_description(text(promise.clone()))
                    .full_description(text(format!(
                        "A {} promise of policy {}: {promise}{source}",
                        claim.kind.as_str(),
                        model.policy.id
                    )))
                    .help(text(format!(
                        "The policy promises: \"{promise}\"{source}. Run `privflow explain {}` for every path that breaks it.",
                        claim.id
                    )))
                    .default_configuration(
                        ReportingConfiguration::builder()
                            .level(serde_json::json!("error"))
                            .build(),
                    )
                    .build(),
            );
        }
    }
    for (verdict, id, description, full) in DISCLOSURE_RULES {
        let level = serde_json::to_value(level_of_disclosure(verdict)).unwrap_or_default();
        rules.push(
            ReportingDescriptor::builder()
                .id(id.to_owned())
                .name(format!("disclosure_{}", verdict.as_str()))
                .short_description(text(description))
                .full_description(text(full))
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

fn code_flow(
    at: &Sarif,
    sources: &Sources,
    model: &Model,
    flows: &[crate::model::FlowId],
) -> CodeFlow {
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
                .location(location(at, sources, f.span, Some(note), None))
                .build()
        })
        .collect();
    CodeFlow::builder()
        .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
        .build()
}

fn finding_result(
    at: &Sarif,
    sources: &Sources,
    model: &Model,
    f: &Finding,
    rule_index: usize,
) -> SarifResult {
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
        at,
        sources,
        claim.span,
        Some(format!("the promise `{}`", claim.id)),
        Some(1),
    );
    let result = SarifResult::builder()
        .rule_id(claim_rule(model, f.claim))
        .rule_index(rule_index as i64)
        .level(level_of_verdict(f.verdict))
        .message(message(msg))
        .locations(vec![location(at, sources, last.span, None, None)])
        .related_locations(vec![related])
        .code_flows(vec![code_flow(at, sources, model, &f.flows)])
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
                .location(location(
                    at,
                    sources,
                    w.span,
                    Some("waiver".to_owned()),
                    None,
                ))
                .build();
            result.suppressions(vec![suppression]).build()
        }
        None => result.build(),
    }
}

fn receipt_result(
    at: &Sarif,
    sources: &Sources,
    model: &Model,
    j: &Judged,
    rule: usize,
    rule_index: usize,
) -> SarifResult {
    let r = &j.receipt;
    let verb = r.kind.verb();
    let by: Vec<&str> = j.by.iter().map(|s| s.id(model)).collect();
    let decided = if by.is_empty() {
        String::new()
    } else {
        format!(" (decided by {})", by.join(", "))
    };
    let msg = format!(
        "{} {verb} {} via {}: {}{decided} [policy {}]",
        model.entity_label(r.entity),
        model.fields.key(r.field),
        path_text(model, &r.path),
        j.verdict.as_str(),
        model.policy.id
    );
    let last = model.flow(*r.flows.last().expect("a receipt has a hop"));
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("privflowReceipt/v2".to_owned(), j.fingerprint(model));
    SarifResult::builder()
        .rule_id(DISCLOSURE_RULES[rule].1.to_owned())
        .rule_index(rule_index as i64)
        .level(level_of_disclosure(j.verdict))
        .message(message(msg))
        .locations(vec![location(at, sources, last.span, None, None)])
        .code_flows(vec![code_flow(at, sources, model, &r.flows)])
        .partial_fingerprints(fingerprints)
        .build()
}

/// Writes results one by one as they are made, keeping at most `MAX_RESULTS` and counting the
/// rest.
struct Results<'o> {
    out: &'o mut dyn Write,
    written: usize,
    left_out: usize,
}

impl Results<'_> {
    fn emit(&mut self, result: impl FnOnce() -> SarifResult) -> io::Result<()> {
        if self.written >= MAX_RESULTS {
            self.left_out += 1;
            return Ok(());
        }
        let separator: &[u8] = if self.written == 0 {
            b"\n        "
        } else {
            b",\n        "
        };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut *self.out, &result())?;
        self.written += 1;
        Ok(())
    }

    /// The results of one policy: its findings, worst first, then its receipts that are not
    /// clear. `first_rule` is the index of its first claim's rule, `disclosure_rules` that of the
    /// first disclosure rule.
    fn policy(
        &mut self,
        at: &Sarif,
        sources: &Sources,
        audit: &PolicyAudit,
        (first_rule, disclosure_rules): (usize, usize),
    ) -> io::Result<()> {
        let model = audit.model;
        for f in ordered(audit) {
            self.emit(|| finding_result(at, sources, model, f, first_rule + f.claim))?;
        }
        for j in &audit.disclosures.judged {
            if let Some(rule) = rule_of(j) {
                self.emit(|| receipt_result(at, sources, model, j, rule, disclosure_rules + rule))?;
            }
        }
        Ok(())
    }
}

impl Report for Sarif {
    /// One log, one run: the tool with every rule, then the results as they are made.
    fn write(&self, run: &AuditRun, _: Option<&Comparison>, out: &mut dyn Write) -> io::Result<()> {
        let driver = ToolComponent::builder()
            .name("privflow".to_owned())
            .version(env!("CARGO_PKG_VERSION").to_owned())
            .information_uri("https://github.com/privflow/privflow".to_owned())
            .rules(rules(run))
            .build();
        let tool = Tool::builder().driver(driver).build();
        write!(
            out,
            "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": "
        )?;
        serde_json::to_writer(&mut *out, &tool)?;
        out.write_all(b",\n      \"results\": [")?;
        let disclosure_rules: usize = run.audits.iter().map(|a| a.model.claims.len()).sum();
        let mut results = Results {
            out: &mut *out,
            written: 0,
            left_out: 0,
        };
        let mut first_rule = 0;
        for audit in &run.audits {
            results.policy(self, run.sources, audit, (first_rule, disclosure_rules))?;
            first_rule += audit.model.claims.len();
        }
        let left_out = results.left_out;
        let policies: Vec<&str> = run
            .audits
            .iter()
            .map(|a| a.model.policy.id.as_str())
            .collect();
        let mut properties = serde_json::json!({"policies": policies, "resultsLeftOut": left_out});
        // Findings past `--max-findings`, by claim rule: counted, never results.
        let unlisted: serde_json::Map<String, serde_json::Value> = run
            .audits
            .iter()
            .flat_map(|a| a.claims.iter().map(move |r| (a.model, r)))
            .filter(|(_, r)| r.unlisted() > 0)
            .map(|(model, r)| (claim_rule(model, r.claim), r.unlisted().into()))
            .collect();
        if !unlisted.is_empty() {
            properties["findingsUnlisted"] = unlisted.into();
        }
        out.write_all(b"\n      ],\n      \"properties\": ")?;
        serde_json::to_writer(&mut *out, &properties)?;
        out.write_all(b"\n    }\n  ]\n}\n")
    }

    fn render_against(&self, run: &AuditRun, baseline: Option<&Comparison>) -> String {
        super::rendered_by_writing(self, run, baseline)
    }
}
