//! Baselines: the findings and receipts a team has accepted for now, by fingerprint, so that
//! `audit --baseline-file` fails only on what is new and lists what has been resolved since.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Span};
use crate::engine::run::AuditRun;
use crate::model::files::Budget;
use crate::model::loader::LoadFailure;
use crate::model::side_file::SideFile;

/// The baseline file format version: 2 since fingerprints are SHA-256 and entries are keyed by
/// policy (SPEC §7, version 2).
const VERSION: u32 = 2;

/// One accepted result, with enough context for a reviewer reading the file.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Entry {
    pub id: String,
    pub policy: String,
    /// The claim id, or `disclosure` for a receipt.
    pub check: String,
    pub verdict: String,
    pub field: String,
    /// The system (findings) or entity (receipts) concerned.
    pub recipient: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub privflow_baseline: u32,
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// Every finding and every receipt that is not `clear`, as the run sees them now.
    pub fn of(run: &AuditRun) -> Baseline {
        Baseline {
            privflow_baseline: VERSION,
            entries: entries(run),
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a `--baseline-file` written by `baseline create`; a file that is not one, or of
    /// another format version, is an error located in it.
    pub fn read(path: &Path, budget: &mut Budget) -> Result<Baseline, LoadFailure> {
        let side = SideFile::read(path, budget)?;
        let baseline: Baseline = side.json("privflow::baseline::invalid", "a privflow baseline")?;
        if baseline.privflow_baseline != VERSION {
            let at = side.text.find("privflow_baseline").unwrap_or(0);
            return Err(side.failure(vec![
                Diagnostic::error(
                    "privflow::baseline::unsupported-version",
                    format!(
                        "baseline format {} is not supported",
                        baseline.privflow_baseline
                    ),
                )
                .at(
                    Span::at_offset(side.file, &side.text, at, "privflow_baseline".len()),
                    "format version",
                )
                .with_help(format!(
                    "this privflow reads and writes format {VERSION}: make it again with `privflow baseline create`"
                )),
            ]));
        }
        Ok(baseline)
    }

    /// (policy, fingerprint) of every entry.
    pub fn keys(&self) -> BTreeSet<(String, String)> {
        self.entries
            .iter()
            .map(|e| (e.policy.clone(), e.id.clone()))
            .collect()
    }
}

fn entries(run: &AuditRun) -> Vec<Entry> {
    let mut out = Vec::new();
    for audit in &run.audits {
        let model = audit.model;
        for f in audit.heads() {
            out.push(Entry {
                id: f.fingerprint(model),
                policy: model.policy.id.clone(),
                check: model.claims[f.claim].id.clone(),
                verdict: f.verdict.as_str().to_owned(),
                field: model.fields.key(f.field).to_owned(),
                recipient: model.system(f.recipient).id.clone(),
            });
        }
        for j in
            audit.disclosures.judged.iter().filter(|j| {
                j.verdict != crate::engine::disclosures::verdict::DisclosureVerdict::Clear
            })
        {
            out.push(Entry {
                id: j.fingerprint(model),
                policy: model.policy.id.clone(),
                check: "disclosure".to_owned(),
                verdict: j.verdict.as_str().to_owned(),
                field: model.fields.key(j.receipt.field).to_owned(),
                recipient: model.entity(j.receipt.entity).id.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How the current run compares with a baseline.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// (policy, fingerprint) the baseline accepts; results with them do not fail the audit.
    pub accepted: BTreeSet<(String, String)>,
    /// Baseline entries of the audited policies that no longer occur.
    pub resolved: Vec<Entry>,
    /// How many current results are not in the baseline.
    pub new: usize,
    /// How many current results the baseline accepts.
    pub matched: usize,
}

impl Comparison {
    /// Whether the baseline accepts the result with fingerprint `id` of policy `policy`.
    pub fn accepts(&self, policy: &str, id: &str) -> bool {
        self.accepted.contains(&(policy.to_owned(), id.to_owned()))
    }
}

/// Compares a run with a baseline, policy by policy: a baseline accepts only results of the
/// policies it was made from, and "resolved" counts only policies that were audited (SPEC §7).
pub fn compare(run: &AuditRun, baseline: &Baseline) -> Comparison {
    let accepted = baseline.keys();
    let now = entries(run);
    let audited: BTreeSet<&str> = run
        .audits
        .iter()
        .map(|a| a.model.policy.id.as_str())
        .collect();
    let current: BTreeSet<(&str, &str)> = now
        .iter()
        .map(|e| (e.policy.as_str(), e.id.as_str()))
        .collect();
    let resolved = baseline
        .entries
        .iter()
        .filter(|e| audited.contains(e.policy.as_str()))
        .filter(|e| !current.contains(&(e.policy.as_str(), e.id.as_str())))
        .cloned()
        .collect();
    let matched = now
        .iter()
        .filter(|e| accepted.contains(&(e.policy.clone(), e.id.clone())))
        .count();
    Comparison {
        new: now.len() - matched,
        matched,
        accepted,
        resolved,
    }
}
