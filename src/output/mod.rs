//! The output stage: every rendering of an audit — the `audit` formats behind one `Report` trait
//! (table, JSON, SARIF, JUnit, GitHub, Markdown: adding a format is adding one file), the review
//! document and HTML page, `explain`, graph exports, diff outputs and schemas. Renderers read
//! audit data and return text; they never decide verdicts.

pub mod diagram;
mod diff;
pub mod document;
pub mod explain;
pub mod export;
pub mod github;
pub mod html;
mod json;
mod junit;
mod layout;
pub mod markdown;
mod markup;
pub mod record;
mod sarif;
pub mod schema;
mod table;
pub mod taxonomy;

pub use github::Github;
pub(crate) use json::Document as JsonDocument;
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::{MAX_RESULTS as SARIF_MAX_RESULTS, Sarif, result_count as sarif_result_count};
pub use table::Table;

use crate::baseline::Comparison;
use crate::engine::audit::{ClaimResult, PolicyAudit};
use crate::engine::disclosures::verdict::PurposeGap;
use crate::engine::finding::{Finding, Note, Status};
use crate::engine::run::AuditRun;
use crate::model::Model;

/// A format of `privflow audit`.
pub trait Report {
    /// Renders a run; `baseline` is its comparison with `--baseline-file`, when one was given.
    fn render_against(&self, run: &AuditRun, baseline: Option<&Comparison>) -> String;

    /// Writes a run to `out`; formats that stream (SARIF) write as they go.
    fn write(
        &self,
        run: &AuditRun,
        baseline: Option<&Comparison>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(self.render_against(run, baseline).as_bytes())
    }

    /// Renders a run audited without a baseline.
    fn render(&self, run: &AuditRun) -> String {
        self.render_against(run, None)
    }
}

/// The text of a report that writes as it goes (`Report::write`), held whole.
fn rendered_by_writing(
    report: &dyn Report,
    run: &AuditRun,
    baseline: Option<&Comparison>,
) -> String {
    let mut buffer = Vec::new();
    let _ = report.write(run, baseline, &mut buffer);
    String::from_utf8(buffer).unwrap_or_default()
}

/// Findings of a policy in reading order: worst verdict first, then claim order, then recipient.
pub fn ordered<'a>(audit: &'a PolicyAudit) -> Vec<&'a Finding> {
    let mut findings: Vec<&Finding> = audit.findings.iter().collect();
    findings.sort_by_key(|f| f.reading_order());
    findings
}

/// What every report says of a claim's findings past a cap (`None`: every one is listed).
pub fn unlisted_note(result: &ClaimResult) -> Option<String> {
    let n = result.unlisted();
    let findings = if n == 1 { "finding" } else { "findings" };
    (n > 0).then(|| {
        format!(
            "{n} more {findings} counted, not listed (raise --max-findings per claim or \
             --max-findings-total per run, or give `all`)"
        )
    })
}

/// What every report says of a skipped claim: the one kind skipped, `no_expansion`, compares
/// two versions and needs the base one (SPEC §5).
pub fn skipped_note(result: &ClaimResult) -> Option<&'static str> {
    (result.status == Status::Skipped).then_some(
        "Skipped: this promise compares two versions of the policy. Pass the earlier version with \
         `--baseline BASE` (or run `privflow diff BASE HEAD`) to check it.",
    )
}

/// Why a disclosed receipt is `omitted` (SPEC §6), in words.
pub fn describe_purpose_gap(model: &Model, gap: &PurposeGap) -> String {
    let keys = |list: &[crate::model::taxonomy::TaxonId]| {
        list.iter()
            .map(|&p| model.purposes.key(p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "disclosed for {}, used for {}",
        keys(&gap.disclosed),
        keys(&gap.used_for)
    )
}

/// A note in words, for people.
pub fn describe_note(model: &Model, note: &Note) -> String {
    match note {
        Note::SelfExcluded => {
            "self_excluded: the speaker is inside the claim's scope and is not its own recipient"
                .into()
        }
        Note::Retention(Some(r)) => format!("retention: {r}"),
        Note::Retention(None) => "retention: unspecified".into(),
        Note::Country(Some(c)) => format!("country: {c}"),
        Note::Country(None) => "country: unknown".into(),
        Note::DisallowedPurposes(p) => {
            let keys: Vec<&str> = p.iter().map(|&p| model.purposes.key(p)).collect();
            format!("purposes outside the promise: {}", keys.join(", "))
        }
        Note::NoPurpose => "the flow declares no purpose".into(),
    }
}
