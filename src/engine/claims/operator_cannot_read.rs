//! `operator_cannot_read`: no server system of an operator (default: the speaker's group) can
//! read the field, i.e. receives it over a hop that is not end-to-end encrypted.

use super::{Checker, Reads, speaker_selection};
use crate::engine::finding::{FindingHead, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;
use crate::model::{Scope, SystemLocation};

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let model = checker.model();
    let operators = speaker_selection(model, &claim.operators, claim, Scope::Group);
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    // Whatever entity sent it (SPEC §5): what an operator's server can read.
    checker.judge_arrivals(claim, &options, true, Reads::Plaintext, |model, arrival| {
        let target = model.system(arrival.target);
        (operators[target.operator.index()] && target.location == SystemLocation::Server)
            .then(|| (Verdict::of(arrival.certainty), Vec::new()))
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    const CLAIM: &str = "claims:\n  - {id: c, kind: operator_cannot_read, fields: [user.content.private.message]}\n";

    #[test]
    fn e2ee_relay_holds_and_tls_hosting_in_the_group_violates() {
        let m = model(&format!(
            "{WORLD}flows:\n  - {{from: app, to: server, fields: [user.content.private.message], protection: e2ee}}\n{CLAIM}"
        ));
        assert!(run(&m, "c").is_empty());
        let m = model(&format!(
            "{WORLD}flows:\n  - {{from: app, to: fb-ads, fields: [user.content.private.message]}}\n{CLAIM}"
        ));
        assert_eq!(
            run(&m, "c"),
            ["violated user.content.private.message@fb-ads: app>fb-ads"]
        );
    }

    #[test]
    fn other_operators_are_not_in_scope_unless_named() {
        let flows = "flows:\n  - {from: app, to: ads, fields: [user.content.private.message]}\n";
        let m = model(&format!("{WORLD}{flows}{CLAIM}"));
        assert!(run(&m, "c").is_empty());
        let m = model(&format!(
            "{WORLD}{flows}claims:\n  - {{id: c, kind: operator_cannot_read, fields: [user.content.private], operators: [adnet]}}\n"
        ));
        assert_eq!(
            run(&m, "c"),
            ["violated user.content.private.message@ads: app>ads"]
        );
    }
}
