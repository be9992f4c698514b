//! `no_collect`: no server system of the speaker receives the field, from anywhere.
//! Collection is receipt by the speaker's servers; the device app holding data is not collection.

use super::{Checker, Reads, exempts};
use crate::engine::finding::{FindingHead, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;
use crate::model::SystemLocation;

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let speaker = checker.model().speaker();
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    checker.judge_arrivals(claim, &options, true, Reads::Plaintext, |model, arrival| {
        let target = model.system(arrival.target);
        (target.operator == speaker
            && target.location == SystemLocation::Server
            && !exempts(claim, model.flow(arrival.flow)))
        .then(|| (Verdict::of(arrival.certainty), Vec::new()))
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    #[test]
    fn a_speaker_server_receiving_the_field_violates() {
        let m = model(&format!(
            "{WORLD}flows:\n  - {{from: app, to: server, fields: [user.location.precise]}}\n  - {{from: app, to: fb-ads, fields: [user.location]}}\nclaims:\n  - {{id: c, kind: no_collect, fields: [user.location.precise]}}\n  - {{id: d, kind: no_collect, fields: [user.contact]}}\n"
        ));
        assert_eq!(
            run(&m, "c"),
            ["violated user.location.precise@server: app>server"]
        );
        assert!(run(&m, "d").is_empty());
    }

    #[test]
    fn data_from_other_companies_counts_and_broader_fields_are_possible() {
        let m = model(&format!(
            "{WORLD}flows:\n  - {{from: fb-ads, to: server, fields: [user.location]}}\nclaims:\n  - {{id: c, kind: no_collect, fields: [user.location.precise]}}\n"
        ));
        assert_eq!(
            run(&m, "c"),
            ["possible user.location@server: fb-ads>server"]
        );
    }
}
