//! `no_share`: no selected recipient's system receives the field by any path from the speaker.
//! The speaker is never its own recipient; when its scope covers the speaker, findings say so.

use super::{Checker, Reads, exempts, recipients};
use crate::engine::finding::{FindingHead, Note, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let (recipients, self_excluded) = recipients(checker.model(), claim);
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    checker.judge_arrivals(
        claim,
        &options,
        false,
        Reads::Plaintext,
        |model, arrival| {
            let holder = model.holder(arrival.target)?;
            if !recipients[holder.index()] || exempts(claim, model.flow(arrival.flow)) {
                return None;
            }
            let notes = if self_excluded {
                vec![Note::SelfExcluded]
            } else {
                Vec::new()
            };
            Some((Verdict::of(arrival.certainty), notes))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(flows: &str, claim: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}flows:\n{flows}claims:\n  - {{id: c, kind: no_share, {claim}}}\n"
        ));
        run(&m, "c")
    }

    const TWO_HOPS: &str = "  - {from: app, to: server, fields: [user.contact.phone_number]}\n  - {from: server, to: fb-ads, fields: [user.contact.phone_number]}\n";

    #[test]
    fn multi_hop_share_violates_with_the_witness_path() {
        assert_eq!(
            audit(
                TWO_HOPS,
                "fields: [user.contact.phone_number], with: [meta]"
            ),
            ["violated user.contact.phone_number@fb-ads: app>server>fb-ads"]
        );
    }

    #[test]
    fn a_field_does_not_hop_onto_a_flow_that_does_not_carry_it() {
        let flows = "  - {from: app, to: server, fields: [user.contact.phone_number]}\n  - {from: server, to: fb-ads, fields: [user.contact.email]}\n";
        assert!(audit(flows, "fields: [user.contact.phone_number], with: [meta]").is_empty());
        // A claim about contact data as a whole: phone on hop 1 and email on hop 2 make no path,
        // but the email itself leaving the server is not from the speaker's entry point either.
        assert_eq!(
            audit(flows, "fields: [user.contact], with: [meta]"),
            ["violated user.contact.email@fb-ads: server>fb-ads"]
        );
    }

    #[test]
    fn composite_fields_carry_their_parts_definitely() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.social.address_book]}\n";
        assert_eq!(
            audit(flows, "fields: [user.contact.phone_number], with: [meta]"),
            ["violated user.social.address_book@fb-ads: app>fb-ads"]
        );
    }

    #[test]
    fn generic_fields_make_a_finding_only_possible() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.contact]}\n";
        assert_eq!(
            audit(flows, "fields: [user.contact.phone_number], with: [meta]"),
            ["possible user.contact@fb-ads: app>fb-ads"]
        );
    }

    #[test]
    fn scope_exact_subsidiaries_and_group() {
        assert!(
            audit(
                TWO_HOPS,
                "fields: [user.contact.phone_number], with: [meta], scope: exact"
            )
            .is_empty()
        );
        assert_eq!(
            audit(
                TWO_HOPS,
                "fields: [user.contact.phone_number], with: [meta], scope: subsidiaries"
            )
            .len(),
            1
        );
        assert_eq!(
            audit(
                TWO_HOPS,
                "fields: [user.contact.phone_number], with: [fb], scope: exact"
            )
            .len(),
            1
        );
        // `app-co`'s group is Meta's: a claim naming the sibling reaches fb-ads under group scope.
        assert_eq!(
            audit(
                TWO_HOPS,
                "fields: [user.contact.phone_number], with: [app-co]"
            )
            .len(),
            1
        );
    }

    #[test]
    fn the_speaker_is_never_its_own_recipient() {
        let m = model(&format!(
            "{WORLD}flows:\n{TWO_HOPS}claims:\n  - {{id: c, kind: no_share, fields: [user.contact.phone_number], with: [meta]}}\n"
        ));
        let findings = crate::engine::test_support::findings(&m, "c");
        assert_eq!(
            findings.len(),
            1,
            "server (the speaker's) is not a recipient"
        );
        assert!(
            findings[0]
                .notes
                .contains(&crate::engine::finding::Note::SelfExcluded)
        );
    }

    #[test]
    fn exempt_conditions_and_processors() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.contact.phone_number], condition: user_initiated, role: processor}\n";
        let claim = "fields: [user.contact.phone_number], with: [meta]";
        assert_eq!(audit(flows, claim).len(), 1);
        assert!(
            audit(
                flows,
                &format!("{claim}, exempt_conditions: [user_initiated]")
            )
            .is_empty()
        );
        assert!(audit(flows, &format!("{claim}, processors_exempt: true")).is_empty());
    }

    #[test]
    fn categories_and_wildcards_select_recipients() {
        let flows = "  - {from: app, to: ads, fields: [user.device.ip_address]}\n";
        assert_eq!(
            audit(
                flows,
                "fields: [user.device.ip_address], with: [category:advertiser]"
            )
            .len(),
            1
        );
        assert_eq!(
            audit(flows, "fields: [user.device.ip_address], with: ['*']").len(),
            1
        );
        assert!(audit(flows, "fields: [user.device.ip_address], with: [meta]").is_empty());
    }

    #[test]
    fn ciphertext_relayed_through_a_server_is_not_shared() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.content.private.message], protection: e2ee}\n";
        assert!(
            audit(
                flows,
                "fields: [user.content.private.message], with: [meta]"
            )
            .is_empty()
        );
    }

    #[test]
    fn derived_data_counts_only_when_the_claim_includes_it() {
        let flows = "  - {from: app, to: fb-ads, fields: [user.location.precise], protection: aggregated}\n  - {from: app, to: ads, fields: [user.location.precise], protection: hashed}\n";
        assert_eq!(
            audit(flows, "fields: [user.location.precise], with: ['*']"),
            ["violated user.location.precise@ads: app>ads"]
        );
        assert_eq!(
            audit(
                flows,
                "fields: [user.location.precise], with: ['*'], include_derived: true"
            )
            .len(),
            2
        );
    }
}
