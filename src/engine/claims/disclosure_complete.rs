//! `disclosure_complete`: every receipt by another entity is disclosed. An `omitted` receipt
//! violates it, a `vague` one makes it possible; `exclude` leaves entities out.

use crate::engine::disclosures::Disclosures;
use crate::engine::disclosures::receipts::ReceiptKind;
use crate::engine::disclosures::verdict::DisclosureVerdict;
use crate::engine::finding::{FindingHead, Verdict};
use crate::model::Scope;
use crate::model::{Claim, Model};

pub fn check(model: &Model, claim: &Claim, disclosures: &Disclosures) -> Vec<FindingHead> {
    let excluded = model.select(&claim.exclude, claim.scope, Scope::Exact);
    disclosures
        .judged
        .iter()
        .filter(|j| j.receipt.kind == ReceiptKind::Share && !excluded[j.receipt.entity.index()])
        .filter_map(|j| {
            let verdict = match j.verdict {
                DisclosureVerdict::Omitted => Verdict::Violated,
                DisclosureVerdict::Vague => Verdict::Possible,
                _ => return None,
            };
            let r = &j.receipt;
            Some(r.finding(0, verdict))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(disclosures: &str, claim: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}flows:\n  - {{from: app, to: server, fields: [user.contact.phone_number]}}\n  - {{from: server, to: fb-ads, fields: [user.contact.phone_number]}}\n  - {{from: app, to: ads, fields: [user.device.ip_address]}}\ndisclosures:\n{disclosures}claims:\n  - {{id: c, kind: disclosure_complete{claim}}}\n"
        ));
        run(&m, "c")
    }

    #[test]
    fn omitted_receipts_violate_and_vague_ones_are_possible() {
        let found = audit(
            "  - {id: d, share: {fields: [user.device], with: ['*']}}\n",
            "",
        );
        assert_eq!(
            found,
            [
                "possible user.device.ip_address@ads: app>ads",
                "violated user.contact.phone_number@fb-ads: app>server>fb-ads"
            ]
        );
    }

    #[test]
    fn excluded_entities_and_clear_receipts_do_not_count() {
        let disclosures = "  - {id: d, share: {fields: [user.contact.phone_number], with: [meta], scope: group}}\n";
        assert_eq!(
            audit(disclosures, ", exclude: [adnet]"),
            Vec::<String>::new()
        );
    }
}
