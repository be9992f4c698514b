//! `e2ee`: a field that leaves an endpoint stays ciphertext to every system that is not an
//! endpoint. Relays may carry the ciphertext; the first non-endpoint that can read it violates.

use std::collections::{BTreeMap, VecDeque};

use super::Checker;
use crate::engine::finding::{Finding, Verdict};
use crate::engine::graph::{Certainty, Pass};
use crate::model::{Claim, FlowId, Model, SystemId};
use crate::model::{Protection, SystemLocation};

/// Where a BFS state came from: the flow and the previous state (system, holds plaintext).
type Predecessor = Option<(FlowId, usize)>;

pub fn check(checker: &mut Checker, claim: &Claim) -> Vec<Finding> {
    let model = checker.model();
    let n = model.systems.len();
    let mut endpoint = vec![false; n];
    for e in &claim.endpoints {
        endpoint[e.index()] = true;
    }
    let mut findings = Vec::new();
    for &y in &claim.fields {
        let mut best: BTreeMap<SystemId, (Verdict, Certainty, usize, Finding)> = BTreeMap::new();
        for k in checker.keys(y) {
            let passes: Vec<Pass> = checker
                .tracer
                .graph
                .passes(k)
                .into_iter()
                .filter(|p| {
                    !matches!(
                        model.flow(p.flow).protection,
                        Protection::Aggregated | Protection::Anonymized
                    )
                })
                .collect();
            for certainty in [Certainty::Definite, Certainty::Possible] {
                for finding in breaches(model, &endpoint, &passes, certainty, y) {
                    let key = (finding.verdict, finding.certainty, finding.hops());
                    let better = match best.get(&finding.recipient) {
                        None => true,
                        Some((v, c, h, _)) => {
                            (std::cmp::Reverse(key.0), key.1, key.2)
                                < (std::cmp::Reverse(*v), *c, *h)
                        }
                    };
                    if better {
                        best.insert(finding.recipient, (key.0, key.1, key.2, finding));
                    }
                }
            }
        }
        findings.extend(best.into_values().map(|(_, _, _, f)| f));
    }
    findings
}

/// BFS over (system, holds plaintext) states from the endpoints, using passes of at most
/// `certainty`; a non-endpoint receiving plaintext over a hop that is not e2ee is a breach.
fn breaches(
    model: &Model,
    endpoint: &[bool],
    passes: &[Pass],
    certainty: Certainty,
    y: crate::model::taxonomy::TaxonId,
) -> Vec<Finding> {
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
    let mut found: Vec<(usize, FlowId, usize)> = Vec::new();
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
                let target_plain = if flow.protection == Protection::E2ee {
                    endpoint[t] || model.system(flow.to).location == SystemLocation::Device
                } else {
                    if plain && !endpoint[t] {
                        found.push((t, pass.flow, state(s, plain)));
                    }
                    plain
                };
                let next = state(t, target_plain);
                if seen[next].is_none() {
                    seen[next] = Some(Some((pass.flow, state(s, plain))));
                    queue.push_back((t, target_plain));
                }
            }
        }
    }
    let listed_of = |flow: FlowId| passes.iter().find(|p| p.flow == flow).map(|p| p.listed);
    found
        .into_iter()
        .map(|(t, last, from_state)| {
            let mut flows = vec![last];
            let mut at = from_state;
            while let Some(Some((flow, prev))) = seen[at] {
                flows.push(flow);
                at = prev;
                if flows.len() > 2 * n {
                    break;
                }
            }
            flows.reverse();
            let mut path = vec![model.flow(flows[0]).from];
            path.extend(flows.iter().map(|f| model.flow(*f).to));
            Finding {
                claim: 0,
                verdict: Verdict::of(certainty),
                certainty,
                field: listed_of(last).unwrap_or(y),
                claim_field: y,
                recipient: SystemId(t as u32),
                path,
                direct: endpoint[model.flow(last).from.index()],
                flows,
                notes: Vec::new(),
                waiver: None,
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
    fn a_device_at_the_other_end_that_copies_plaintext_out_violates() {
        assert_eq!(
            audit(
                "  - {from: app, to: biz, fields: [user.content.private.message], protection: e2ee}\n  - {from: biz, to: crm, fields: [user.content.private.message]}\n"
            ),
            ["violated user.content.private.message@crm: app>biz>crm"]
        );
    }
}
