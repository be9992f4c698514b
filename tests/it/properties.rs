//! Properties over generated models: reach and verdicts are monotone, and output never depends
//! on the order of flows, map keys or files.

use std::collections::BTreeSet;

use privflow::engine::disclosures::verdict::{ConflictMode, DisclosureVerdict};
use privflow::model::loader::{InputFile, load_inputs};
use privflow::output::{Json, Report};
use privflow::{AuditOptions, model::duration::Date};
use proptest::prelude::*;

const FIELDS: [&str; 5] = [
    "user.contact.phone_number",
    "user.contact.email",
    "user.contact",
    "user.social.address_book",
    "user.device.ip_address",
];
const PROTECTIONS: [&str; 3] = ["tls", "e2ee", "aggregated"];

#[derive(Clone, Debug)]
struct Flow {
    from: usize,
    to: usize,
    fields: Vec<usize>,
    protection: usize,
}

#[derive(Clone, Debug)]
struct Spec {
    /// Owner of each entity (by index), entity 0 is the speaker.
    owners: Vec<Option<usize>>,
    /// (operator, on a device) of each system.
    systems: Vec<(usize, bool)>,
    flows: Vec<Flow>,
    /// (field, entity) of each `no_share` claim.
    claims: Vec<(usize, usize)>,
    /// (field, entity, group scope) of each share disclosure.
    disclosures: Vec<(usize, usize, bool)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..5, 2usize..7).prop_flat_map(|(entities, systems)| {
        let owners = proptest::collection::vec(proptest::option::of(0..entities), entities);
        let systems_s = proptest::collection::vec((0..entities, any::<bool>()), systems);
        let flow = (
            0..systems,
            0..systems,
            proptest::collection::vec(0..FIELDS.len(), 1..3),
            0..PROTECTIONS.len(),
        )
            .prop_map(|(from, to, fields, protection)| Flow {
                from,
                to,
                fields,
                protection,
            });
        let flows = proptest::collection::vec(flow, 0..10);
        let claims = proptest::collection::vec((0..FIELDS.len(), 0..entities), 0..4);
        let disclosures =
            proptest::collection::vec((0..FIELDS.len(), 0..entities, any::<bool>()), 0..4);
        (owners, systems_s, flows, claims, disclosures).prop_map(
            |(owners, systems, flows, claims, disclosures)| {
                // Ownership only points to lower indices, so it is a forest.
                let owners = owners
                    .into_iter()
                    .enumerate()
                    .map(|(i, o)| o.filter(|&o| o < i))
                    .collect();
                Spec {
                    owners,
                    systems,
                    flows,
                    claims,
                    disclosures,
                }
            },
        )
    })
}

/// The model as YAML files: `order` permutes flows, entities and systems; `split` moves the
/// systems and flows into a second file.
fn render(spec: &Spec, order: &[usize], split: bool) -> Vec<InputFile> {
    let permute = |n: usize| -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        if order.is_empty() {
            return idx;
        }
        idx.sort_by_key(|&i| {
            order
                .get(i)
                .copied()
                .unwrap_or(i)
                .wrapping_mul(31)
                .wrapping_add(i)
                % (n + 7)
        });
        idx
    };
    let mut head = String::from("privflow: 1\npolicy: {id: generated, speaker: e0}\nentities:\n");
    for i in permute(spec.owners.len()) {
        let owner = spec.owners[i]
            .map(|o| format!(", owned_by: e{o}"))
            .unwrap_or_default();
        head.push_str(&format!("  e{i}: {{name: Entity {i}{owner}}}\n"));
    }
    let mut body = String::from("systems:\n");
    for i in permute(spec.systems.len()) {
        let (operator, device) = spec.systems[i];
        let location = if device { ", location: device" } else { "" };
        body.push_str(&format!("  s{i}: {{operated_by: e{operator}{location}}}\n"));
    }
    body.push_str("flows:\n");
    for i in permute(spec.flows.len()) {
        let f = &spec.flows[i];
        let fields: Vec<&str> = f.fields.iter().map(|&k| FIELDS[k]).collect();
        body.push_str(&format!(
            "  - {{id: f{i}, from: s{}, to: s{}, fields: [{}], protection: {}}}\n",
            f.from,
            f.to,
            fields.join(", "),
            PROTECTIONS[f.protection]
        ));
    }
    let mut tail = String::from("claims:\n");
    for (i, &(field, entity)) in spec.claims.iter().enumerate() {
        tail.push_str(&format!(
            "  - {{id: c{i}, kind: no_share, fields: [{}], with: [e{entity}]}}\n",
            FIELDS[field]
        ));
    }
    // One claim of each other path-based kind, so monotonicity is checked for them too.
    tail.push_str("  - {id: complete, kind: disclosure_complete}\n");
    tail.push_str("  - {id: k-collect, kind: no_collect, fields: [user.contact]}\n");
    tail.push_str("  - {id: k-e2ee, kind: e2ee, fields: [user.contact], endpoints: [s0]}\n");
    tail.push_str(
        "  - {id: k-read, kind: operator_cannot_read, fields: [user.contact.phone_number]}\n",
    );
    tail.push_str("disclosures:\n");
    for (i, &(field, entity, group)) in spec.disclosures.iter().enumerate() {
        let scope = if group { "group" } else { "exact" };
        tail.push_str(&format!(
            "  - {{id: d{i}, share: {{fields: [{}], with: [e{entity}], scope: {scope}}}}}\n",
            FIELDS[field]
        ));
    }
    if split {
        vec![
            InputFile {
                path: "m/a.yaml".into(),
                bytes: format!("{head}{tail}").into_bytes(),
            },
            InputFile {
                path: "m/b.yaml".into(),
                bytes: format!("privflow: 1\n{body}").into_bytes(),
            },
        ]
    } else {
        vec![InputFile {
            path: "m/a.yaml".into(),
            bytes: format!("{head}{body}{tail}").into_bytes(),
        }]
    }
}

fn options() -> AuditOptions {
    AuditOptions {
        today: Date::parse("2026-11-22").unwrap(),
        conflict: ConflictMode::Specific,
        strict: false,
        listing: privflow::Listing::default(),
    }
}

/// The audit's JSON without source locations (which move when lines move) and file lists.
fn audit_json(files: Vec<InputFile>) -> serde_json::Value {
    let ws =
        load_inputs(files).unwrap_or_else(|f| panic!("generated model loads: {:?}", f.diagnostics));
    let run = privflow::audit_workspace(&ws, options());
    let mut json: serde_json::Value = serde_json::from_str(&Json.render(&run)).unwrap();
    strip(&mut json);
    // Lints (a flow to itself) are located too: keep what they say, not where, nor in which
    // order of lines they come.
    if let Some(diagnostics) = json["diagnostics"].as_array_mut() {
        for d in diagnostics.iter_mut() {
            for key in ["file", "line", "column"] {
                d.as_object_mut().map(|o| o.remove(key));
            }
        }
        diagnostics.sort_by_key(|d| d.to_string());
    }
    json
}

fn strip(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("location");
            map.remove("files");
            map.values_mut().for_each(strip);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// (entity, field, kind) of every receipt, and (claim, field, system) of every violation.
fn receipts_and_violations(json: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let receipts = json["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {}", d["entity"], d["field"], d["kind"]))
        .collect();
    let violations = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "violated" && f["check"] != "complete")
        .map(|f| {
            format!(
                "{} {} {}",
                f["check"], f["claim_field"], f["recipient"]["system"]
            )
        })
        .collect();
    (receipts, violations)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_flow_never_removes_a_receipt_or_a_violation(
        spec in spec(),
        from in 0usize..7, to in 0usize..7, field in 0..FIELDS.len(), protection in 0..PROTECTIONS.len(),
    ) {
        let n = spec.systems.len();
        // A flow into a speaker system can move where a key enters the speaker's systems, and a
        // flow into any system can make what it holds ciphertext (SPEC §4.2, version 2): reach
        // grows with flows into other systems, in models without end-to-end encryption.
        let targets: Vec<usize> = (0..n).filter(|&i| spec.systems[i].0 != 0).collect();
        if targets.is_empty() {
            return Ok(());
        }
        let to = targets[to % targets.len()];
        let e2ee = PROTECTIONS.iter().position(|&p| p == "e2ee");
        let protection = if Some(protection) == e2ee { 0 } else { protection };
        let mut spec = spec;
        for f in &mut spec.flows {
            if Some(f.protection) == e2ee {
                f.protection = 0;
            }
        }
        let before = receipts_and_violations(&audit_json(render(&spec, &[], false)));
        let mut more = spec.clone();
        more.flows.push(Flow { from: from % n, to, fields: vec![field], protection });
        let after = receipts_and_violations(&audit_json(render(&more, &[], false)));
        prop_assert!(before.0.is_subset(&after.0), "receipts lost: {:?}", before.0.difference(&after.0).collect::<Vec<_>>());
        prop_assert!(before.1.is_subset(&after.1), "violations lost: {:?}", before.1.difference(&after.1).collect::<Vec<_>>());
    }

    #[test]
    fn adding_a_disclosure_never_makes_a_receipt_omitted_or_incorrect(
        spec in spec(), field in 0..FIELDS.len(), entity in 0usize..5, group in any::<bool>(),
    ) {
        let verdicts = |s: &Spec| -> Vec<(String, String)> {
            audit_json(render(s, &[], false))["disclosures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| (format!("{} {} {}", d["entity"], d["field"], d["kind"]), d["verdict"].as_str().unwrap().to_owned()))
                .collect()
        };
        let before = verdicts(&spec);
        let mut more = spec.clone();
        more.disclosures.push((field, entity % spec.owners.len(), group));
        let after = verdicts(&more);
        prop_assert_eq!(before.len(), after.len());
        for ((receipt, was), (_, now)) in before.iter().zip(&after) {
            let bad = [DisclosureVerdict::Omitted.as_str(), DisclosureVerdict::Incorrect.as_str()];
            if bad.contains(&now.as_str()) {
                prop_assert_eq!(was, now, "{} became {}", receipt, now);
            }
        }
    }

    #[test]
    fn explain_never_contradicts_the_audit(spec in spec()) {
        let ws = load_inputs(render(&spec, &[], false)).unwrap();
        let run = privflow::audit_workspace(&ws, options());
        let agreed = crate::support::explain_agrees_with_audit(&run);
        prop_assert!(agreed.is_ok(), "{:?}", agreed);
    }

    #[test]
    fn order_of_flows_maps_and_files_never_changes_the_output(
        spec in spec(), order in proptest::collection::vec(0usize..100, 0..20), split in any::<bool>(),
    ) {
        let plain = audit_json(render(&spec, &[], false));
        let shuffled = audit_json(render(&spec, &order, split));
        prop_assert_eq!(plain, shuffled);
    }
}

/// `check entity field` of a diff's reach changes.
fn reach_changes(base: &Spec, revision: &Spec, check: &str) -> BTreeSet<String> {
    let (b, r) = (
        load_inputs(render(base, &[], false)).unwrap(),
        load_inputs(render(revision, &[], false)).unwrap(),
    );
    let (b_run, r_run) = (
        privflow::audit_workspace(&b, options()),
        privflow::audit_workspace(&r, options()),
    );
    let changes = privflow::diff::diff(
        privflow::diff::Side {
            audit: &b_run.audits[0],
            sources: &b.sources,
        },
        privflow::diff::Side {
            audit: &r_run.audits[0],
            sources: &r.sources,
        },
        &privflow::diff::Levels::default(),
    );
    changes
        .iter()
        .filter(|c| c.check.id() == check)
        .map(|c| {
            format!(
                "{:?} {:?} {}",
                c.entity,
                c.field,
                c.message.contains("collected")
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_model_diffed_with_itself_has_no_changes(spec in spec()) {
        let (a, b) = (load_inputs(render(&spec, &[], false)).unwrap(), load_inputs(render(&spec, &[1, 2, 3], true)).unwrap());
        let (a_run, b_run) = (privflow::audit_workspace(&a, options()), privflow::audit_workspace(&b, options()));
        let changes = privflow::diff::diff(
            privflow::diff::Side { audit: &a_run.audits[0], sources: &a.sources },
            privflow::diff::Side { audit: &b_run.audits[0], sources: &b.sources },
            &privflow::diff::Levels::default(),
        );
        let described: Vec<String> = changes.iter().map(|c| c.message.clone()).collect();
        prop_assert!(changes.is_empty(), "{:?}", described);
    }

    #[test]
    fn reach_expanded_one_way_is_reach_narrowed_the_other(
        spec in spec(), extra in proptest::collection::vec((0usize..7, 0usize..7, 0..FIELDS.len()), 0..4), drop in 0usize..10,
    ) {
        let n = spec.systems.len();
        let mut other = spec.clone();
        if !other.flows.is_empty() {
            let i = drop % other.flows.len();
            other.flows.remove(i);
        }
        for (from, to, field) in extra {
            other.flows.push(Flow { from: from % n, to: to % n, fields: vec![field], protection: 0 });
        }
        prop_assert_eq!(reach_changes(&spec, &other, "reach-expanded"), reach_changes(&other, &spec, "reach-narrowed"));
    }
}
