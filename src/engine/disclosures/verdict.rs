//! Disclosure verdicts (SPEC §6, PoliCheck's classes): for each receipt, which positive
//! disclosures and negative claims cover it, and what the policy therefore says about it.

use serde::Serialize;

use crate::engine::disclosures::receipts::{Receipt, ReceiptKind};
use crate::engine::scope::{exempts, recipients};
use crate::model::taxonomy::TaxonId;
use crate::model::{ClaimKind, Scope};
use crate::model::{Model, Selector, Statement};

/// What the policy says about a receipt, least severe first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureVerdict {
    /// A disclosure names this entity (or its group, with group scope) and this field.
    Clear,
    /// Only disclosures of broader fields, categories or `*` cover it.
    Vague,
    /// Disclosures and negative claims cover it and specificity does not decide.
    Ambiguous,
    /// Nothing covers it.
    Omitted,
    /// Only negative claims cover it: the policy says the opposite of what happens.
    Incorrect,
}

impl DisclosureVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureVerdict::Clear => "clear",
            DisclosureVerdict::Vague => "vague",
            DisclosureVerdict::Ambiguous => "ambiguous",
            DisclosureVerdict::Omitted => "omitted",
            DisclosureVerdict::Incorrect => "incorrect",
        }
    }
}

/// How overlapping positive and negative statements are resolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConflictMode {
    /// The most specific statement wins (narrower field first, then fewer entities).
    #[default]
    Specific,
    /// Every overlap is ambiguous (PoliCheck's published mode).
    Strict,
}

/// A statement of the policy: a disclosure or a claim, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatementRef {
    Disclosure(usize),
    Claim(usize),
}

impl StatementRef {
    pub fn id(self, model: &Model) -> &str {
        match self {
            StatementRef::Disclosure(i) => &model.disclosures[i].id,
            StatementRef::Claim(i) => &model.claims[i].id,
        }
    }
}

/// A receipt with its verdict and the statements that decided it.
#[derive(Clone, Debug)]
pub struct Judged {
    pub receipt: Receipt,
    pub verdict: DisclosureVerdict,
    pub by: Vec<StatementRef>,
    /// When the disclosures that cover the receipt leave out a purpose it is used for (SPEC §6):
    /// the receipt is `omitted`, and this says why.
    pub purpose_gap: Option<PurposeGap>,
}

/// Purposes a receipt is used for that no covering disclosure names, and those they do name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurposeGap {
    pub used_for: Vec<TaxonId>,
    pub disclosed: Vec<TaxonId>,
}

impl Judged {
    /// What identifies the receipt within its policy, across versions: entity, field and kind.
    pub fn key(&self, model: &Model) -> String {
        let r = &self.receipt;
        format!(
            "receipt|{}|{}|{}",
            model.entity(r.entity).id,
            model.fields.key(r.field),
            r.kind.as_str()
        )
    }

    /// A stable fingerprint of (policy, key), for baselines.
    pub fn fingerprint(&self, model: &Model) -> String {
        crate::engine::finding::fingerprint_of(&format!("{}|{}", model.policy.id, self.key(model)))
    }
}

/// One statement covering one receipt.
#[derive(Clone, Copy, Debug)]
struct Cover {
    statement: StatementRef,
    positive: bool,
    field: TaxonId,
    /// How many entities the statement selects: fewer is more specific.
    selected: usize,
    /// Names this very entity (or its group) and this very field, not a root or a wildcard.
    names_exactly: bool,
}

impl Cover {
    fn more_specific_than(&self, other: &Cover, model: &Model) -> bool {
        let narrower = self.field != other.field && model.fields.is_within(self.field, other.field);
        narrower || (self.field == other.field && self.selected < other.selected)
    }
}

/// The most specific of `fields` that `x` is within, if any.
fn covering_field(model: &Model, x: TaxonId, fields: &[TaxonId]) -> Option<TaxonId> {
    let covering: Vec<TaxonId> = fields
        .iter()
        .copied()
        .filter(|&f| model.fields.is_within(x, f))
        .collect();
    covering.iter().copied().find(|&f| {
        !covering
            .iter()
            .any(|&g| g != f && model.fields.is_within(g, f))
    })
}

/// A statement prepared once per model: its fields and whom it selects.
struct Prepared {
    statement: StatementRef,
    positive: bool,
    kind: ReceiptKind,
    fields: Vec<TaxonId>,
    /// The purposes a disclosure names (none: any purpose).
    purposes: Vec<TaxonId>,
    /// Entities selected (shares and `no_share`); collection concerns the speaker only.
    selection: Option<Vec<bool>>,
    selected: usize,
    /// Entities named by an entity selector (not a category, kind or `*`).
    named: Vec<bool>,
}

fn prepare(model: &Model) -> Vec<Prepared> {
    let n = model.entities.len();
    let named_by = |with: &[Selector], scope: Scope| -> Vec<bool> {
        let entities: Vec<Selector> = with
            .iter()
            .filter(|s| matches!(s, Selector::Entity(_)))
            .cloned()
            .collect();
        model.select(&entities, Some(scope), scope)
    };
    let mut out = Vec::new();
    for (i, d) in model.disclosures.iter().enumerate() {
        let statement = StatementRef::Disclosure(i);
        out.push(match &d.statement {
            Statement::Share {
                fields,
                with,
                scope,
                purposes,
            } => {
                let selection = model.select(with, Some(*scope), *scope);
                Prepared {
                    statement,
                    positive: true,
                    kind: ReceiptKind::Share,
                    fields: fields.clone(),
                    purposes: purposes.clone(),
                    selected: selection.iter().filter(|&&b| b).count(),
                    selection: Some(selection),
                    named: named_by(with, *scope),
                }
            }
            Statement::Collect { fields, purposes } => Prepared {
                statement,
                positive: true,
                kind: ReceiptKind::Collect,
                fields: fields.clone(),
                purposes: purposes.clone(),
                selection: None,
                selected: 1,
                named: vec![true; n],
            },
        });
    }
    for (i, c) in model.claims.iter().enumerate() {
        let statement = StatementRef::Claim(i);
        match c.kind {
            ClaimKind::NoShare => {
                let (selection, _) = recipients(model, c);
                out.push(Prepared {
                    statement,
                    positive: false,
                    kind: ReceiptKind::Share,
                    fields: c.fields.clone(),
                    purposes: Vec::new(),
                    selected: selection.iter().filter(|&&b| b).count(),
                    selection: Some(selection),
                    named: vec![false; n],
                });
            }
            ClaimKind::NoCollect => out.push(Prepared {
                statement,
                positive: false,
                kind: ReceiptKind::Collect,
                fields: c.fields.clone(),
                purposes: Vec::new(),
                selection: None,
                selected: 1,
                named: vec![false; n],
            }),
            _ => {}
        }
    }
    out
}

/// Whether a negative claim judges `receipt`: on some last hop the claim does not exempt
/// (SPEC §5). Positive statements have no exemptions.
fn judges(model: &Model, statement: StatementRef, receipt: &Receipt) -> bool {
    match statement {
        StatementRef::Disclosure(_) => true,
        StatementRef::Claim(i) => {
            let claim = &model.claims[i];
            receipt
                .last_hops
                .iter()
                .any(|&f| !exempts(claim, model.flow(f)))
        }
    }
}

fn covers(model: &Model, prepared: &[Prepared], receipt: &Receipt) -> Vec<Cover> {
    let x = receipt.field;
    let e = receipt.entity.index();
    let is_root = |f: TaxonId| model.fields.taxon(f).parents.is_empty();
    prepared
        .iter()
        .filter(|p| p.kind == receipt.kind && p.selection.as_ref().is_none_or(|s| s[e]))
        .filter(|p| judges(model, p.statement, receipt))
        .filter_map(|p| {
            let field = covering_field(model, x, &p.fields)?;
            Some(Cover {
                statement: p.statement,
                positive: p.positive,
                field,
                selected: p.selected,
                names_exactly: p.positive && field == x && !is_root(field) && p.named[e],
            })
        })
        .collect()
}

/// The purposes of `receipt` that none of the covering disclosures `positive` names, if any
/// (SPEC §6): a disclosure without purposes covers every purpose; hops without one change nothing.
fn purpose_gap(
    model: &Model,
    prepared: &[Prepared],
    positive: &[Cover],
    receipt: &Receipt,
) -> Option<PurposeGap> {
    let statements: Vec<&Prepared> = positive
        .iter()
        .filter_map(|c| prepared.iter().find(|p| p.statement == c.statement))
        .collect();
    if statements.iter().any(|p| p.purposes.is_empty()) {
        return None;
    }
    let used_for: Vec<TaxonId> = receipt
        .purposes(model)
        .into_iter()
        .filter(|&p| {
            !statements
                .iter()
                .any(|s| s.purposes.iter().any(|&q| model.purposes.is_within(p, q)))
        })
        .collect();
    if used_for.is_empty() {
        return None;
    }
    let mut disclosed: Vec<TaxonId> = statements
        .iter()
        .flat_map(|s| s.purposes.iter().copied())
        .collect();
    disclosed.sort();
    disclosed.dedup();
    Some(PurposeGap {
        used_for,
        disclosed,
    })
}

/// Classifies one receipt from the statements that cover it.
fn judge(
    model: &Model,
    prepared: &[Prepared],
    covering: Vec<Cover>,
    receipt: Receipt,
    mode: ConflictMode,
) -> Judged {
    let (positive, negative): (Vec<Cover>, Vec<Cover>) =
        covering.into_iter().partition(|c| c.positive);
    let refs = |covers: &[Cover]| -> Vec<StatementRef> {
        let mut r: Vec<StatementRef> = covers.iter().map(|c| c.statement).collect();
        r.sort();
        r.dedup();
        r
    };
    let from_positive = |positive: &[Cover]| {
        let exact: Vec<Cover> = positive
            .iter()
            .copied()
            .filter(|c| c.names_exactly)
            .collect();
        if exact.is_empty() {
            (DisclosureVerdict::Vague, refs(positive))
        } else {
            (DisclosureVerdict::Clear, refs(&exact))
        }
    };
    let (verdict, by) = match (positive.is_empty(), negative.is_empty()) {
        (true, true) => (DisclosureVerdict::Omitted, Vec::new()),
        (false, true) => from_positive(&positive),
        (true, false) => (DisclosureVerdict::Incorrect, refs(&negative)),
        (false, false) => {
            let beats = |winners: &[Cover], losers: &[Cover]| -> Vec<Cover> {
                winners
                    .iter()
                    .copied()
                    .filter(|w| losers.iter().all(|l| w.more_specific_than(l, model)))
                    .collect()
            };
            let positive_winners = beats(&positive, &negative);
            let negative_winners = beats(&negative, &positive);
            match mode {
                ConflictMode::Specific if !positive_winners.is_empty() => {
                    from_positive(&positive_winners)
                }
                ConflictMode::Specific if !negative_winners.is_empty() => {
                    (DisclosureVerdict::Incorrect, refs(&negative_winners))
                }
                _ => {
                    let mut both = refs(&positive);
                    both.extend(refs(&negative));
                    (DisclosureVerdict::Ambiguous, both)
                }
            }
        }
    };
    // Disclosed, but not for what the data is used for: the use is not disclosed.
    let purpose_gap = matches!(verdict, DisclosureVerdict::Clear | DisclosureVerdict::Vague)
        .then(|| purpose_gap(model, prepared, &positive, &receipt))
        .flatten();
    let verdict = if purpose_gap.is_some() {
        DisclosureVerdict::Omitted
    } else {
        verdict
    };
    Judged {
        receipt,
        verdict,
        by,
        purpose_gap,
    }
}

/// The verdicts of every receipt, and the disclosures that cover no receipt at all (the policy
/// admits to more than the flows do: informational).
pub fn judge_all(
    model: &Model,
    receipts: Vec<Receipt>,
    mode: ConflictMode,
) -> (Vec<Judged>, Vec<usize>) {
    let prepared = prepare(model);
    let mut used = vec![false; model.disclosures.len()];
    let mut judged = Vec::with_capacity(receipts.len());
    for receipt in receipts {
        let covering = covers(model, &prepared, &receipt);
        for c in &covering {
            if let StatementRef::Disclosure(i) = c.statement {
                used[i] = true;
            }
        }
        judged.push(judge(model, &prepared, covering, receipt, mode));
    }
    let over = (0..used.len()).filter(|&i| !used[i]).collect();
    (judged, over)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::{WORLD, judged as judge_receipts, model};

    /// `verdict entity field [by…]` for every receipt of a model built from `flows` and
    /// `statements` (disclosures and claims sections).
    fn judged(flows: &str, statements: &str, mode: ConflictMode) -> Vec<String> {
        let m = model(&format!("{WORLD}flows:\n{flows}{statements}"));
        judge_receipts(&m, mode)
            .judged
            .iter()
            .map(|j| {
                let by: Vec<&str> = j.by.iter().map(|s| s.id(&m)).collect();
                format!(
                    "{} {} {} [{}]",
                    j.verdict.as_str(),
                    m.entity(j.receipt.entity).id,
                    m.fields.key(j.receipt.field),
                    by.join(" ")
                )
            })
            .collect()
    }

    /// The one receipt of `entity` in a list from `judged`.
    fn of(entity: &str, list: Vec<String>) -> String {
        let wanted = format!(" {entity} ");
        list.into_iter()
            .find(|l| l.contains(&wanted))
            .unwrap_or_else(|| format!("no receipt of {entity}"))
    }

    const PHONE_TO_FB: &str = "  - {from: app, to: server, fields: [user.contact.phone_number]}\n  - {from: server, to: fb-ads, fields: [user.contact.phone_number]}\n";

    #[test]
    fn clear_names_the_entity_and_the_field() {
        let d =
            "disclosures:\n  - {id: d, share: {fields: [user.contact.phone_number], with: [fb]}}\n";
        assert_eq!(
            judged(PHONE_TO_FB, d, ConflictMode::Specific),
            [
                "omitted app-co user.contact.phone_number []",
                "clear fb user.contact.phone_number [d]"
            ]
        );
    }

    #[test]
    fn broader_fields_categories_and_wildcards_are_vague() {
        for with in ["[fb]", "['*']", "[kind:company]"] {
            let field = if with == "[fb]" {
                "user.contact"
            } else {
                "user.contact.phone_number"
            };
            let d = format!(
                "disclosures:\n  - {{id: d, share: {{fields: [{field}], with: {with}}}}}\n"
            );
            assert_eq!(
                of("fb", judged(PHONE_TO_FB, &d, ConflictMode::Specific)),
                "vague fb user.contact.phone_number [d]",
                "{with}"
            );
        }
        // The root of the taxonomy never makes a receipt clear, even for the root key itself.
        let flows = "  - {from: app, to: fb-ads, fields: [user]}\n";
        let d = "disclosures:\n  - {id: d, share: {fields: [user], with: [fb]}}\n";
        assert_eq!(
            judged(flows, d, ConflictMode::Specific),
            ["vague fb user [d]"]
        );
    }

    #[test]
    fn group_scope_makes_a_subsidiary_receipt_clear_exact_scope_leaves_it_omitted() {
        let group = "disclosures:\n  - {id: d, share: {fields: [user.contact.phone_number], with: [meta], scope: group}}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, group, ConflictMode::Specific)),
            "clear fb user.contact.phone_number [d]"
        );
        let exact = "disclosures:\n  - {id: d, share: {fields: [user.contact.phone_number], with: [meta]}}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, exact, ConflictMode::Specific)),
            "omitted fb user.contact.phone_number []"
        );
    }

    #[test]
    fn a_receipt_two_hops_away_with_no_statement_is_omitted() {
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, "", ConflictMode::Specific)),
            "omitted fb user.contact.phone_number []"
        );
        let m = model(&format!("{WORLD}flows:\n{PHONE_TO_FB}"));
        let disclosures = judge_receipts(&m, ConflictMode::Specific);
        let receipt = &disclosures
            .judged
            .iter()
            .find(|j| m.entity(j.receipt.entity).id == "fb")
            .unwrap()
            .receipt;
        assert_eq!(receipt.flows.len(), 2);
        assert!(receipt.direct, "the last hop leaves the speaker's server");
    }

    #[test]
    fn only_a_negative_claim_is_incorrect() {
        let c = "claims:\n  - {id: c, kind: no_share, fields: [user.contact.phone_number], with: [meta]}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, c, ConflictMode::Specific)),
            "incorrect fb user.contact.phone_number [c]"
        );
    }

    #[test]
    fn a_specific_negative_claim_beats_a_broad_disclosure_unless_strict() {
        let both = "disclosures:\n  - {id: broad, share: {fields: [user.contact], with: [meta], scope: group}}\nclaims:\n  - {id: narrow, kind: no_share, fields: [user.contact.phone_number], with: [meta]}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, both, ConflictMode::Specific)),
            "incorrect fb user.contact.phone_number [narrow]"
        );
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, both, ConflictMode::Strict)),
            "ambiguous fb user.contact.phone_number [broad narrow]"
        );
    }

    #[test]
    fn a_specific_disclosure_beats_a_broad_claim_and_equals_are_ambiguous() {
        let specific = "disclosures:\n  - {id: d, share: {fields: [user.contact.phone_number], with: [fb]}}\nclaims:\n  - {id: c, kind: no_share, fields: [user.contact], with: [meta]}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, specific, ConflictMode::Specific)),
            "clear fb user.contact.phone_number [d]"
        );
        // Same field, same selection (Meta's group less the speaker: meta and fb): nothing decides.
        let equal = "disclosures:\n  - {id: d, share: {fields: [user.contact.phone_number], with: [fb, meta]}}\nclaims:\n  - {id: c, kind: no_share, fields: [user.contact.phone_number], with: [meta]}\n";
        assert_eq!(
            of("fb", judged(PHONE_TO_FB, equal, ConflictMode::Specific)),
            "ambiguous fb user.contact.phone_number [d c]"
        );
    }

    #[test]
    fn collection_is_judged_against_collect_and_no_collect() {
        let s = "disclosures:\n  - {id: d, collect: {fields: [user.contact.phone_number]}}\n";
        assert_eq!(
            of("app-co", judged(PHONE_TO_FB, s, ConflictMode::Specific)),
            "clear app-co user.contact.phone_number [d]"
        );
        let c = "claims:\n  - {id: c, kind: no_collect, fields: [user.contact]}\n";
        assert_eq!(
            of("app-co", judged(PHONE_TO_FB, c, ConflictMode::Specific)),
            "incorrect app-co user.contact.phone_number [c]"
        );
    }

    #[test]
    fn a_receipt_only_through_an_e2ee_hop_does_not_exist() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.content.private.message], protection: e2ee}\n";
        assert!(judged(flows, "", ConflictMode::Specific).is_empty());
    }

    #[test]
    fn disclosures_no_receipt_needs_are_over_disclosures() {
        let m = model(&format!(
            "{WORLD}flows:\n{PHONE_TO_FB}disclosures:\n  - {{id: used, share: {{fields: [user.contact], with: [fb]}}}}\n  - {{id: unused, share: {{fields: [user.location], with: [adnet]}}}}\n"
        ));
        let over: Vec<&str> = judge_receipts(&m, ConflictMode::Specific)
            .over
            .iter()
            .map(|&i| m.disclosures[i].id.as_str())
            .collect();
        assert_eq!(over, ["unused"]);
    }
}
