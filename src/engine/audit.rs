//! The audit of one policy: reach, then receipts and their verdicts, then every claim; waivers
//! applied and statuses rolled up. Produces data only; `output` renders it.

use super::claims::{Checker, check_on_receipts, no_expansion};
use super::disclosures::verdict::{ConflictMode, DisclosureVerdict};
use super::disclosures::{self, Disclosures};
use super::finding::{Finding, FindingHead, Status, Verdict};
use super::reach::Tracer;
use super::waivers;
use crate::diagnostics::Diagnostic;
use crate::model::ClaimKind;
use crate::model::Model;
use crate::model::duration::Date;

/// Settings of an audit run.
#[derive(Clone, Copy, Debug)]
pub struct AuditOptions {
    /// The date waivers expire against.
    pub today: Date,
    pub conflict: ConflictMode,
    /// Waivers that match nothing are errors, and waiver errors fail the audit.
    pub strict: bool,
    /// How many findings are listed; the rest are counted.
    pub listing: Listing,
}

/// How many findings a run lists (`--max-findings`, `--max-findings-total`): beyond either cap
/// a finding still counts — for the status, the gate, waivers and baselines — but its witness
/// path is never traced and no output lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    /// Findings listed per claim (`None`: every one).
    pub per_claim: Option<usize>,
    /// Findings listed per run, across policies (`None`: every one).
    pub per_run: Option<usize>,
}

impl Listing {
    /// Every finding listed.
    pub const ALL: Listing = Listing {
        per_claim: None,
        per_run: None,
    };
}

impl Default for Listing {
    /// A thousand per claim, ten thousand per run (SARIF uploads to GitHub take 25 000).
    fn default() -> Listing {
        Listing {
            per_claim: Some(1_000),
            per_run: Some(10_000),
        }
    }
}

/// The result of one claim.
#[derive(Clone, Debug)]
pub struct ClaimResult {
    pub claim: usize,
    pub status: Status,
    /// Every finding of the claim, listed or not.
    pub findings: usize,
    /// The findings listed; `findings - listed` are counted only.
    pub listed: usize,
}

impl ClaimResult {
    /// The findings counted but not listed (past a `--max-findings` cap).
    pub fn unlisted(&self) -> usize {
        self.findings - self.listed
    }
}

/// The audit of one policy.
#[derive(Clone, Debug)]
pub struct PolicyAudit<'m> {
    pub model: &'m Model,
    pub claims: Vec<ClaimResult>,
    /// The listed findings, in claim order, with their witness paths.
    pub findings: Vec<Finding>,
    /// The findings past a cap: counted for statuses, the gate and baselines, never listed.
    pub unlisted: Vec<FindingHead>,
    /// Every receipt with its disclosure verdict, and the disclosures no receipt needs.
    pub disclosures: Disclosures,
    /// Waiver problems found while applying them: expired (error) and stale (warning).
    pub diagnostics: Vec<Diagnostic>,
    /// `--waivers` entries (by origin) that matched a finding of this policy.
    pub matched_external_waivers: Vec<usize>,
    /// The date waivers expired against.
    pub today: Date,
    /// Findings listed per claim, for claims evaluated after the audit (`no_expansion`).
    per_claim: Option<usize>,
}

/// When the audit fails the build (SPEC §7 `--fail-on`): one ladder for claim statuses and
/// disclosure verdicts, most severe first; a threshold fails on itself and everything above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    Never,
    Undetermined,
    Vague,
    Ambiguous,
    Possible,
    Omitted,
    Incorrect,
    Violated,
}

impl FailOn {
    /// Where a claim status sits on the ladder (`None`: never fails).
    fn of_status(status: Status) -> Option<FailOn> {
        match status {
            Status::Violated => Some(FailOn::Violated),
            Status::Possible => Some(FailOn::Possible),
            Status::Undetermined => Some(FailOn::Undetermined),
            Status::Holds | Status::Waived | Status::Skipped => None,
        }
    }

    /// Where a disclosure verdict sits on the ladder (`None`: never fails).
    fn of_verdict(verdict: DisclosureVerdict) -> Option<FailOn> {
        match verdict {
            DisclosureVerdict::Incorrect => Some(FailOn::Incorrect),
            DisclosureVerdict::Omitted => Some(FailOn::Omitted),
            DisclosureVerdict::Ambiguous => Some(FailOn::Ambiguous),
            DisclosureVerdict::Vague => Some(FailOn::Vague),
            DisclosureVerdict::Clear => None,
        }
    }

    /// Whether one claim status reaches this threshold.
    pub fn fails_status(self, status: Status) -> bool {
        self != FailOn::Never && FailOn::of_status(status).is_some_and(|level| level >= self)
    }

    /// Whether one disclosure verdict reaches this threshold.
    pub fn fails_verdict(self, verdict: DisclosureVerdict) -> bool {
        self != FailOn::Never && FailOn::of_verdict(verdict).is_some_and(|level| level >= self)
    }
}

/// Audits one model. `today` decides which waivers have expired.
pub fn audit(model: &Model, options: AuditOptions) -> PolicyAudit<'_> {
    let mut run_budget = options.listing.per_run;
    audit_within(model, options, &mut run_budget)
}

/// Audits one model, listing at most `run_budget` more findings (`None`: no run cap); the
/// budget left is for the policies after it.
pub fn audit_within<'m>(
    model: &'m Model,
    options: AuditOptions,
    run_budget: &mut Option<usize>,
) -> PolicyAudit<'m> {
    let tracer = Tracer::new(model);
    // Receipts and their verdicts on one core, the claims on the flows on another: both ask
    // the tracer, which computes each key's reach once for whichever asks first.
    let (disclosures, on_flows) = std::thread::scope(|scope| {
        let judging = scope.spawn(|| disclosures::judge(&tracer, options.conflict));
        let checker = Checker::new(&tracer);
        let on_flows: Vec<_> = (0..model.claims.len()).map(|i| checker.check(i)).collect();
        let disclosures = judging
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (disclosures, on_flows)
    });
    let mut claims = Vec::new();
    let mut heads = Vec::new();
    for (index, on_flows) in on_flows.into_iter().enumerate() {
        match on_flows.or_else(|| check_on_receipts(model, index, &disclosures)) {
            None => claims.push(ClaimResult {
                claim: index,
                status: Status::Skipped,
                findings: 0,
                listed: 0,
            }),
            Some(found) => {
                claims.push(ClaimResult {
                    claim: index,
                    status: Status::Holds,
                    findings: found.len(),
                    listed: 0,
                });
                heads.extend(found);
            }
        }
    }
    let (diagnostics, matched_external_waivers) =
        waivers::apply(model, &mut heads, options.today, options.strict);
    let mut of_claim: Vec<Vec<&FindingHead>> = vec![Vec::new(); model.claims.len()];
    for head in &heads {
        of_claim[head.claim].push(head);
    }
    for result in &mut claims {
        if result.status != Status::Skipped {
            result.status = status(of_claim[result.claim].iter().copied());
        }
    }
    let (findings, unlisted) = list(
        model,
        heads,
        &mut claims,
        options.listing.per_claim,
        run_budget,
    );
    PolicyAudit {
        model,
        claims,
        findings,
        unlisted,
        disclosures,
        diagnostics,
        matched_external_waivers,
        today: options.today,
        per_claim: options.listing.per_claim,
    }
}

/// Splits a policy's findings into the listed (traced, in claim order) and the rest. Which are
/// listed follows the reading order of every report, so a cap keeps the worst of each claim
/// and, across the run, the first findings a reader would see.
fn list(
    model: &Model,
    heads: Vec<FindingHead>,
    claims: &mut [ClaimResult],
    per_claim: Option<usize>,
    run_budget: &mut Option<usize>,
) -> (Vec<Finding>, Vec<FindingHead>) {
    let mut order: Vec<usize> = (0..heads.len()).collect();
    order.sort_by_key(|&i| heads[i].reading_order());
    let mut listed = vec![false; heads.len()];
    let mut per_result = vec![0usize; claims.len()];
    let result_of: std::collections::HashMap<usize, usize> = claims
        .iter()
        .enumerate()
        .map(|(at, r)| (r.claim, at))
        .collect();
    for i in order {
        let Some(&result) = result_of.get(&heads[i].claim) else {
            continue;
        };
        if per_claim.is_some_and(|cap| per_result[result] >= cap) || *run_budget == Some(0) {
            continue;
        }
        per_result[result] += 1;
        listed[i] = true;
        if let Some(left) = run_budget {
            *left -= 1;
        }
    }
    for (result, count) in claims.iter_mut().zip(per_result) {
        result.listed += count;
    }
    let (mut findings, mut unlisted) = (Vec::new(), Vec::new());
    for (head, listed) in heads.into_iter().zip(listed) {
        if listed {
            findings.push(head.trace(model));
        } else {
            unlisted.push(head);
        }
    }
    (findings, unlisted)
}

/// A claim's status from its findings: the worst verdict not waived; `waived` when every finding
/// is; `holds` when there are none.
fn status<'f>(findings: impl Iterator<Item = &'f FindingHead>) -> Status {
    let (mut worst, mut any_waived) = (None::<Verdict>, false);
    for f in findings {
        if f.waiver.is_some() {
            any_waived = true;
        } else {
            worst = worst.max(Some(f.verdict));
        }
    }
    match (worst, any_waived) {
        (Some(v), _) => v.into(),
        (None, true) => Status::Waived,
        (None, false) => Status::Holds,
    }
}

impl PolicyAudit<'_> {
    /// Every finding, listed or not.
    pub fn heads(&self) -> impl Iterator<Item = &FindingHead> {
        self.findings.iter().map(|f| &f.head).chain(&self.unlisted)
    }

    /// The findings `keep` selects, listed or not, in reading order and traced: at most `cap`
    /// (`None`: all), with how many more there are.
    pub fn traced(
        &self,
        keep: impl Fn(&FindingHead) -> bool,
        cap: Option<usize>,
    ) -> (Vec<Finding>, usize) {
        let mut heads: Vec<&FindingHead> = self.heads().filter(|f| keep(f)).collect();
        heads.sort_by_key(|f| f.reading_order());
        let shown = cap.map_or(heads.len(), |cap| cap.min(heads.len()));
        let more = heads.len() - shown;
        let traced = heads[..shown]
            .iter()
            .map(|&f| f.clone().trace(self.model))
            .collect();
        (traced, more)
    }

    pub fn count(&self, status: Status) -> usize {
        self.claims.iter().filter(|c| c.status == status).count()
    }

    /// Evaluates the `no_expansion` claims against the receipts of a base version
    /// (`audit --baseline BASE`), which were skipped without one.
    pub fn apply_no_expansion(&mut self, base: &PolicyAudit) {
        let model = self.model;
        for (index, claim) in model.claims.iter().enumerate() {
            if claim.kind != ClaimKind::NoExpansion {
                continue;
            }
            let mut found = no_expansion::check(
                model,
                index,
                &self.disclosures,
                base.model,
                &base.disclosures,
            );
            for finding in &mut found {
                finding.waiver = waivers::first_match(model, finding, self.today);
            }
            let Some(result) = self.claims.iter_mut().find(|r| r.claim == index) else {
                continue;
            };
            result.findings = found.len();
            result.status = status(found.iter());
            let (listed, unlisted) = list(
                model,
                found,
                std::slice::from_mut(result),
                self.per_claim,
                &mut None,
            );
            self.findings.extend(listed);
            self.unlisted.extend(unlisted);
        }
    }
}
