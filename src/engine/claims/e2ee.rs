//! `e2ee`: a field that leaves an endpoint stays ciphertext to every system that is not an
//! endpoint (SPEC §5). Relays may carry the ciphertext; a non-endpoint that holds plaintext violates.

use std::collections::VecDeque;

use super::{Candidate, Checker, group};
use crate::engine::finding::{FindingHead, Route, Verdict};
use crate::engine::graph::{Certainty, Pass, ReachOptions};
use crate::model::{Claim, FlowId, Model, Protection, SystemId, SystemLocation};

/// Where a BFS state came from: the flow and the previous state (system, holds plaintext).
type Predecessor = Option<(FlowId, usize)>;

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let model = checker.model();
    let n = model.systems.len();
    let mut endpoint = vec![false; n];
    for e in &claim.endpoints {
        endpoint[e.index()] = true;
    }
    let mut findings = Vec::new();
    for (y, keys) in checker.keys_by_claim_field(claim) {
        let mut candidates = Vec::new();
        for k in keys {
            // Every hop counts, readable or not; derived data only where it identifies someone.
            let passes: Vec<Pass> = checker
                .tracer
                .passes(k)
                .iter()
                .filter(|p| {
                    checker
                        .tracer
                        .graph
                        .flow_counts(p.flow, &ReachOptions::default())
                })
                .copied()
                .collect();
            for certainty in [Certainty::Definite, Certainty::Possible] {
                candidates.extend(breaches(model, &endpoint, &passes, certainty));
            }
        }
        findings.extend(group(model, y, candidates));
    }
    findings
}

/// BFS over (system, holds plaintext) states from the endpoints, using passes of at most
/// `certainty`; a non-endpoint that comes to hold plaintext is a breach. Plaintext leaves only a
/// plaintext holder over a hop that is not `e2ee`; an endpoint or a device decrypts.
fn breaches(
    model: &Model,
    endpoint: &[bool],
    passes: &[Pass],
    certainty: Certainty,
) -> Vec<Candidate> {
    let n = model.systems.len();
    let mut out_edges: Vec<Vec<&Pass>> = vec![Vec::new(); n];
    for p in passes.iter().filter(|p| p.certainty <= certainty) {
        out_edges[model.flow(p.flow).from.index()].push(p);
    }
    let state = |s: usize, plain: bool| s * 2 + usize::from(plain);
    let mut seen: Vec<Option<Predecessor>> = vec![None; 2 * n];
    // Endpoints fed by another endpoint are not where the field enters: starting from the
    // others shows the whole journey (app → business app → archive). Endpoints that only feed
    // each other in a cycle start a second wave.
    let mut fed_by_endpoint = vec![false; n];
    for p in passes.iter().filter(|p| p.certainty <= certainty) {
        let f = model.flow(p.flow);
        if f.from != f.to && endpoint[f.from.index()] {
            fed_by_endpoint[f.to.index()] = true;
        }
    }
    // A breach: the recipient, the pass into it, and the state it was reached from.
    let mut found: Vec<(usize, &Pass, usize)> = Vec::new();
    let mut queue = VecDeque::new();
    for wave in [false, true] {
        for (s, &is_endpoint) in endpoint.iter().enumerate() {
            let start =
                is_endpoint && (wave || !fed_by_endpoint[s]) && seen[state(s, true)].is_none();
            if start {
                seen[state(s, true)] = Some(None);
                queue.push_back((s, true));
            }
        }
        while let Some((s, plain)) = queue.pop_front() {
            for pass in &out_edges[s] {
                let flow = model.flow(pass.flow);
                let t = flow.to.index();
                let decrypts =
                    endpoint[t] || model.system(flow.to).location == SystemLocation::Device;
                let target_plain = decrypts || (plain && flow.protection != Protection::E2ee);
                if target_plain && !endpoint[t] {
                    found.push((t, pass, state(s, plain)));
                }
                let next = state(t, target_plain);
                if seen[next].is_none() {
                    seen[next] = Some(Some((pass.flow, state(s, plain))));
                    queue.push_back((t, target_plain));
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(t, last, from_state)| {
            let mut flows = vec![last.flow];
            let mut at = from_state;
            while let Some(Some((flow, prev))) = seen[at] {
                flows.push(flow);
                at = prev;
                if flows.len() > 2 * n {
                    break;
                }
            }
            flows.reverse();
            Candidate {
                recipient: SystemId(t as u32),
                verdict: Verdict::of(certainty),
                certainty,
                listed: last.listed,
                hops: flows.len() as u32,
                last: last.flow,
                notes: Vec::new(),
                witness: Route::Flows(flows),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    fn audit(flows: &str) -> Vec<String> {
        let m = model(&format!(
            "{WORLD}  peer: {{operated_by: app-co, location: device}}\n  crm: {{operated_by: adnet}}\n  biz: {{operated_by: adnet, location: device}}\nflows:\n{flows}claims:\n  - {{id: c, kind: e2ee, fields: [user.content.private.message], endpoints: [app, peer]}}\n"
        ));
        run(&m, "c")
    }

    #[test]
    fn relayed_ciphertext_holds() {
        assert!(audit("  - {from: app, to: server, fields: [user.content.private.message], protection: e2ee}\n  - {from: server, to: peer, fields: [user.content.private.message], protection: e2ee}\n").is_empty());
        // A relay forwarding ciphertext over TLS still forwards ciphertext.
        assert!(audit("  - {from: app, to: server, fields: [user.content.private.message], protection: e2ee}\n  - {from: server, to: fb-ads, fields: [user.content.private.message]}\n").is_empty());
    }

    #[test]
    fn a_readable_hop_to_a_non_endpoint_violates() {
        assert_eq!(
            audit(
                "  - {from: app, to: fb-ads, fields: [user.content.private.message], protection: tls}\n"
            ),
            ["violated user.content.private.message@fb-ads: app>fb-ads"]
        );
    }

    #[test]
    fn a_device_that_is_not_an_endpoint_holds_plaintext_and_violates() {
        // SPEC §4.2 (version 2): a device is the end of a session; not listed as an endpoint, it
        // breaks the promise itself, and so does the server it copies the plaintext to.
        assert_eq!(
            audit(
                "  - {from: app, to: biz, fields: [user.content.private.message], protection: e2ee}\n  - {from: biz, to: crm, fields: [user.content.private.message]}\n"
            ),
            [
                "violated user.content.private.message@biz: app>biz",
                "violated user.content.private.message@crm: app>biz>crm"
            ]
        );
    }
}
