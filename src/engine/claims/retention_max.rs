//! `retention_max`: no server system in scope (default: the speaker's) keeps the field longer
//! than `max`; a flow's `retention` overrides its recipient's, and unspecified is undetermined.

use super::{Checker, Reads, speaker_selection};
use crate::engine::finding::{FindingHead, Note, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::Claim;
use crate::model::duration::Duration;
use crate::model::{Scope, SystemLocation};

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let model = checker.model();
    let in_scope = speaker_selection(model, &claim.at, claim, Scope::Exact);
    let max = claim.max.unwrap_or(Duration::Indefinite);
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
        let verdict = match retention {
            None => Verdict::Undetermined,
            Some(kept) if kept > max => Verdict::of(arrival.certainty),
            Some(_) => return None,
        };
        Some((verdict, vec![Note::Retention(retention)]))
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(systems: &str, flows: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}{systems}flows:\n{flows}claims:\n  - {{id: c, kind: retention_max, fields: [user.device.ip_address], max: 30d}}\n"
        ));
        run(&m, "c")
    }

    #[test]
    fn longer_than_max_violates_and_equal_holds() {
        let flow = |r: &str| {
            format!(
                "  - {{from: app, to: server, fields: [user.device.ip_address], retention: {r}}}\n"
            )
        };
        assert_eq!(
            audit("", &flow("31d")),
            ["violated user.device.ip_address@server: app>server"]
        );
        assert!(audit("", &flow("30d")).is_empty());
        assert_eq!(audit("", &flow("indefinite")).len(), 1);
    }

    #[test]
    fn unspecified_retention_is_undetermined_and_system_retention_applies() {
        let flow = "  - {from: app, to: server, fields: [user.device.ip_address]}\n";
        assert_eq!(
            audit("", flow),
            ["undetermined user.device.ip_address@server: app>server"]
        );
        let flow_to_logs = "  - {from: app, to: logs, fields: [user.device.ip_address]}\n";
        assert_eq!(
            audit(
                "  logs: {operated_by: app-co, kind: store, retention: 1y}\n",
                flow_to_logs
            )
            .len(),
            1
        );
        assert!(
            audit(
                "  logs: {operated_by: app-co, ephemeral: true}\n",
                flow_to_logs
            )
            .is_empty()
        );
    }

    #[test]
    fn only_systems_in_scope_count() {
        let flow = "  - {from: app, to: fb-ads, fields: [user.device.ip_address], retention: 2y}\n";
        assert!(audit("", flow).is_empty());
    }
}
