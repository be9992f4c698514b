//! `no_logs`: no server system in scope (default: the speaker's) keeps the field at all: a store,
//! or any retention above zero, violates; a process that may keep it is undetermined.

use super::{Checker, Reads, speaker_selection};
use crate::engine::finding::{FindingHead, Note, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;
use crate::model::{Scope, SystemKind, SystemLocation};

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let model = checker.model();
    let in_scope = speaker_selection(model, &claim.at, claim, Scope::Exact);
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    // Whatever entity sent it, read or not (SPEC §5): a store that holds only ciphertext keeps it.
    checker.judge_arrivals(claim, &options, true, Reads::Anything, |model, arrival| {
        let target = model.system(arrival.target);
        if !in_scope[target.operator.index()] || target.location != SystemLocation::Server {
            return None;
        }
        let retention = model.retention_of(arrival.flow);
        let keeps = target.kind == SystemKind::Store || retention.is_some_and(|r| !r.is_zero());
        let verdict = if keeps {
            Verdict::of(arrival.certainty)
        } else if retention.is_none() {
            Verdict::Undetermined
        } else {
            return None;
        };
        Some((verdict, vec![Note::Retention(retention)]))
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(systems: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}{systems}flows:\n  - {{from: app, to: server, fields: [user.behavior.communication_metadata]}}\n  - {{from: server, to: logs, fields: [user.behavior.communication_metadata]}}\nclaims:\n  - {{id: c, kind: no_logs, fields: [user.behavior.communication_metadata]}}\n"
        ));
        run(&m, "c")
    }

    #[test]
    fn a_store_violates_an_ephemeral_process_holds_an_unspecified_one_is_undetermined() {
        let found = audit("  logs: {operated_by: app-co, kind: store}\n");
        assert_eq!(
            found,
            [
                "violated user.behavior.communication_metadata@logs: app>server>logs",
                "undetermined user.behavior.communication_metadata@server: app>server"
            ]
        );
        let found = audit("  logs: {operated_by: app-co, ephemeral: true, retention: 0}\n");
        assert_eq!(
            found,
            ["undetermined user.behavior.communication_metadata@server: app>server"]
        );
    }
}
