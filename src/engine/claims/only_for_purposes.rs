//! `only_for_purposes`: every flow in the speaker's reach that carries the field declares only
//! purposes within the allowed ones; a flow that declares none leaves the claim undetermined.

use super::{Checker, Reads, exempts};
use crate::engine::finding::{FindingHead, Note, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    checker.judge_arrivals(
        claim,
        &options,
        false,
        Reads::Plaintext,
        |model, arrival| {
            let flow = model.flow(arrival.flow);
            if exempts(claim, flow) {
                return None;
            }
            if flow.purposes.is_empty() {
                return Some((Verdict::Undetermined, vec![Note::NoPurpose]));
            }
            let outside: Vec<_> = flow
                .purposes
                .iter()
                .copied()
                .filter(|&p| {
                    !claim
                        .purposes
                        .iter()
                        .any(|&allowed| model.purposes.is_within(p, allowed))
                })
                .collect();
            (!outside.is_empty()).then(|| {
                (
                    Verdict::of(arrival.certainty),
                    vec![Note::DisallowedPurposes(outside)],
                )
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(flows: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}flows:\n{flows}claims:\n  - {{id: c, kind: only_for_purposes, fields: [user.contact.phone_number], purposes: [essential.service]}}\n"
        ));
        run(&m, "c")
    }

    #[test]
    fn narrower_purposes_are_allowed_and_others_violate() {
        assert!(audit("  - {from: app, to: server, fields: [user.contact.phone_number], purposes: [essential.service.authentication]}\n").is_empty());
        assert_eq!(
            audit(
                "  - {from: app, to: server, fields: [user.contact.phone_number], purposes: [essential.service]}\n  - {from: server, to: fb-ads, fields: [user.contact.phone_number], purposes: [marketing.advertising]}\n"
            ),
            ["violated user.contact.phone_number@fb-ads: app>server>fb-ads"]
        );
    }

    #[test]
    fn a_flow_without_purpose_is_undetermined_and_broader_fields_possible() {
        assert_eq!(
            audit("  - {from: app, to: server, fields: [user.contact.phone_number]}\n"),
            ["undetermined user.contact.phone_number@server: app>server"]
        );
        assert_eq!(
            audit("  - {from: app, to: server, fields: [user.contact], purposes: [analytics]}\n"),
            ["possible user.contact@server: app>server"]
        );
    }
}
