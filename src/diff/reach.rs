//! The diff of what the flows do: the reach closure (every entity and field received or collected,
//! by any path), the revision's `no_expansion` promises against it, and findings by fingerprint.

use std::collections::BTreeMap;

use super::changes::{About, Changes, path_of};
use super::{Check, Fact, Level, Side};
use crate::engine::claims::no_expansion;
use crate::engine::disclosures::receipts::{Receipt, ReceiptKind};
use crate::engine::disclosures::verdict::{DisclosureVerdict, Judged};
use crate::engine::finding::{Finding, FindingHead, Verdict};
use crate::model::ClaimKind;
use crate::model::{FlowId, Model};

/// A receipt keyed by what stays the same across versions: entity id, field key, kind.
type ReceiptKey = (String, String, ReceiptKind);

fn receipts<'a>(side: &Side<'a>) -> BTreeMap<ReceiptKey, &'a Judged> {
    let model = side.audit.model;
    side.audit
        .disclosures
        .judged
        .iter()
        .map(|j| {
            let r = &j.receipt;
            (
                (
                    model.entity(r.entity).id.clone(),
                    model.fields.key(r.field).to_owned(),
                    r.kind,
                ),
                j,
            )
        })
        .collect()
}

/// The id, message and subject of a receipt one version has and the other has not: one the
/// revision `gained`, or one it lost.
fn receipt_change(
    model: &Model,
    key: &ReceiptKey,
    receipt: &Receipt,
    gained: bool,
) -> (String, String, About) {
    let verb = match (receipt.kind, gained) {
        (ReceiptKind::Share, true) => "now reaches",
        (ReceiptKind::Collect, true) => "is now collected by",
        (ReceiptKind::Share, false) => "no longer reaches",
        (ReceiptKind::Collect, false) => "is no longer collected by",
    };
    let message = format!("{} {verb} {}", key.1, model.entity_label(receipt.entity));
    let about = About {
        entity: Some(key.0.clone()),
        field: Some(key.1.clone()),
        path: path_of(model, &receipt.path),
        ..About::default()
    };
    (
        format!("{}|{}|{}", key.0, key.1, key.2.as_str()),
        message,
        about,
    )
}

/// The receipt's last hop: where it is written.
fn last_hop(model: &Model, receipt: &Receipt) -> crate::diagnostics::Span {
    model
        .flow(*receipt.flows.last().expect("a receipt has a hop"))
        .span
}

/// `reach-expanded` and `reach-narrowed`, then the `no_expansion` promises the expansion breaks.
pub fn reach(changes: &mut Changes) {
    let (b, r) = changes.models();
    let (b_receipts, r_receipts) = (receipts(&changes.base), receipts(&changes.revision));
    let r_group = r.ultimate_owner(r.speaker());
    for (key, j) in &r_receipts {
        if b_receipts.contains_key(key) {
            continue;
        }
        let rc = &j.receipt;
        let outside = r.ultimate_owner(rc.entity) != r_group;
        let level = if outside || r.fields.is_sensitive(rc.field) {
            Level::Error
        } else {
            Level::Warning
        };
        let (id, message, about) = receipt_change(r, key, rc, true);
        let about = About {
            revision: changes.in_revision(last_hop(r, rc)),
            fact: Some(Fact::Reach(key.0.clone(), key.1.clone())),
            ..about
        };
        changes.push_at(Check::ReachExpanded, level, &id, message, about);
    }
    for (key, j) in &b_receipts {
        if r_receipts.contains_key(key) {
            continue;
        }
        let bc = &j.receipt;
        let (id, message, about) = receipt_change(b, key, bc, false);
        let about = About {
            base: changes.in_base(last_hop(b, bc)),
            ..about
        };
        changes.push(Check::ReachNarrowed, &id, message, about);
    }
    undisclosed(changes, &b_receipts, &r_receipts);
    no_expansion(changes);
}

/// `receipt-undisclosed`: a receipt both versions have that the revision no longer discloses
/// (`omitted`) or now denies (`incorrect`).
fn undisclosed(
    changes: &mut Changes,
    b_receipts: &BTreeMap<ReceiptKey, &Judged>,
    r_receipts: &BTreeMap<ReceiptKey, &Judged>,
) {
    let r = changes.revision.audit.model;
    let bad = |v: DisclosureVerdict| {
        matches!(v, DisclosureVerdict::Omitted | DisclosureVerdict::Incorrect)
    };
    for (key, now) in r_receipts {
        let Some(was) = b_receipts.get(key) else {
            continue;
        };
        if bad(was.verdict) || !bad(now.verdict) {
            continue;
        }
        let rc = &now.receipt;
        let how = match now.verdict {
            DisclosureVerdict::Incorrect => {
                let by: Vec<&str> = now.by.iter().map(|s| s.id(r)).collect();
                format!("is now denied by {}", by.join(", "))
            }
            _ => "is no longer disclosed".to_owned(),
        };
        let message = format!(
            "{} {} {} {how} (was {}, now {})",
            r.entity_label(rc.entity),
            rc.kind.verb(),
            key.1,
            was.verdict.as_str(),
            now.verdict.as_str()
        );
        let about = About {
            entity: Some(key.0.clone()),
            field: Some(key.1.clone()),
            path: path_of(r, &rc.path),
            revision: changes.in_revision(last_hop(r, rc)),
            ..About::default()
        };
        let id = format!("{}|{}|{}", key.0, key.1, key.2.as_str());
        changes.push(Check::ReceiptUndisclosed, &id, message, about);
    }
}

/// `no_expansion` promises of the revision, against the base's reach: the findings
/// `audit --baseline` gives them, one change each (a possible one is a warning).
fn no_expansion(changes: &mut Changes) {
    let (b, r) = changes.models();
    let (now, base) = (
        &changes.revision.audit.disclosures,
        &changes.base.audit.disclosures,
    );
    for (index, claim) in r.claims.iter().enumerate() {
        if claim.kind != ClaimKind::NoExpansion {
            continue;
        }
        for f in no_expansion::check(r, index, now, b, base)
            .into_iter()
            .map(|f| f.trace(r))
        {
            let entity = r.entity(r.party(f.recipient)).id.clone();
            let field = r.fields.key(f.field);
            // A new reach breaking the promise is one fact: its `reach-expanded` names the claim.
            let reach = Fact::Reach(entity.clone(), field.to_owned());
            if f.verdict == Verdict::Violated
                && let Some(level) = changes.level_of(Check::NoExpansionBroken, Level::Error)
                && changes.fold(&[reach], &claim.id, level)
            {
                continue;
            }
            let (verb, level) = match f.verdict {
                Verdict::Violated => ("now reaches", Level::Error),
                _ => ("may now reach", Level::Warning),
            };
            let message = format!(
                "claim {} is broken: {field} {verb} {}",
                claim.id,
                r.entity_label(r.party(f.recipient))
            );
            let last = r.flow(f.last_flow().expect("a finding has a hop"));
            let about = About {
                entity: Some(entity.clone()),
                field: Some(field.to_owned()),
                path: path_of(r, &f.path),
                base: None,
                revision: changes.in_revision(last.span),
                fact: None,
            };
            let id = format!("{}|{entity}|{field}", claim.id);
            changes.push_at(Check::NoExpansionBroken, level, &id, message, about);
        }
    }
}

/// `finding-new` and `finding-resolved`, by the findings' grouping key.
pub fn findings(changes: &mut Changes) {
    let (b, r) = changes.models();
    let (b_findings, r_findings) = (
        findings_by_key(changes.base),
        findings_by_key(changes.revision),
    );
    // `keys` lists the flows in model order.
    let flow_keys: BTreeMap<FlowId, String> = super::flows::keys(r)
        .into_iter()
        .enumerate()
        .map(|(i, (key, _))| (FlowId(i as u32), key))
        .collect();
    for (fp, &head) in &r_findings {
        if b_findings.contains_key(fp) {
            continue;
        }
        // Traced only now: most findings of two versions are the same and need no path.
        let f = &head.clone().trace(r);
        let recipient = r.system(f.recipient);
        let message = format!(
            "new finding: {} {} — {} reaches {} ({})",
            f.verdict.as_str(),
            r.claims[f.claim].id,
            r.fields.key(f.field),
            recipient.id,
            r.entity(r.party(f.recipient)).name
        );
        // One fact, one change: a finding made new by a new reach, purpose, protection or
        // retention is named by that change instead.
        let claim = &r.claims[f.claim].id;
        let entity = r.entity(r.party(f.recipient)).id.clone();
        let mut facts: Vec<Fact> = f
            .fields
            .iter()
            .map(|&k| Fact::Reach(entity.clone(), r.fields.key(k).to_owned()))
            .collect();
        facts.extend(
            f.flows
                .iter()
                .rev()
                .filter_map(|flow| flow_keys.get(flow).map(|k| Fact::Flow(k.clone()))),
        );
        if let Some(level) = changes.level_of(Check::FindingNew, Level::Error)
            && changes.fold(&facts, claim, level)
        {
            continue;
        }
        let last = r.flow(f.last_flow().expect("a finding has a hop"));
        let about = About {
            revision: changes.in_revision(last.span),
            ..finding_about(r, f)
        };
        changes.push(Check::FindingNew, fp, message, about);
    }
    for (fp, &head) in &b_findings {
        if r_findings.contains_key(fp) {
            continue;
        }
        let f = &head.clone().trace(b);
        let message = format!(
            "resolved finding: {} — {} no longer reaches {}",
            b.claims[f.claim].id,
            b.fields.key(f.field),
            b.system(f.recipient).id
        );
        let last = b.flow(f.last_flow().expect("a finding has a hop"));
        let about = About {
            base: changes.in_base(last.span),
            ..finding_about(b, f)
        };
        changes.push(Check::FindingResolved, fp, message, about);
    }
}

/// What a finding change is about: the recipient's operator, the field and the path.
fn finding_about(model: &Model, f: &Finding) -> About {
    About {
        entity: Some(model.entity(model.party(f.recipient)).id.clone()),
        field: Some(model.fields.key(f.field).to_owned()),
        path: path_of(model, &f.path),
        ..About::default()
    }
}

/// A side's findings that are not waived, listed or not, by what identifies them across versions.
fn findings_by_key<'a>(side: Side<'a>) -> BTreeMap<String, &'a FindingHead> {
    let model = side.audit.model;
    side.audit
        .heads()
        .filter(|f| f.waiver.is_none())
        .map(|f| (f.key(model), f))
        .collect()
}
