//! Generates large, deterministic policy models for the benchmark and the large-model test:
//! a realistic mix of companies, device and server systems, multi-field flows and claims.

use std::fmt::Write;

pub struct Size {
    pub systems: usize,
    pub flows: usize,
    pub keys: usize,
    pub claims: usize,
}

/// A small linear congruential generator: the same model on every machine and run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

pub fn model(size: &Size) -> String {
    let mut rng = Lcg(42);
    let entities = (size.systems / 100).clamp(2, 1_000);
    let mut out = String::with_capacity(size.flows * 120);
    out.push_str("privflow: 1\npolicy: {id: generated, title: Generated model, version: \"1\", speaker: e0}\n");
    out.push_str("taxonomy:\n  fields:\n    user.generated: {label: Generated fields}\n");
    for k in 0..size.keys {
        // Every tenth key is a composite of the two keys before it.
        if k % 10 == 9 {
            let _ = writeln!(
                out,
                "    user.generated.k{k}: {{parts: [user.generated.k{}, user.generated.k{}]}}",
                k - 1,
                k - 2
            );
        } else {
            let _ = writeln!(out, "    user.generated.k{k}: {{}}");
        }
    }
    out.push_str("entities:\n");
    for e in 0..entities {
        // Ten ownership groups; every fifth entity an advertiser.
        let owner = if e >= 10 {
            format!(", owned_by: e{}", e % 10)
        } else {
            String::new()
        };
        let category = if e % 5 == 4 {
            ", categories: [advertiser]"
        } else {
            ""
        };
        let _ = writeln!(out, "  e{e}: {{name: Entity {e}{owner}{category}}}");
    }
    out.push_str("systems:\n");
    for s in 0..size.systems {
        let entity = if s < 20 { 0 } else { rng.next(entities) };
        let location = if s % 10 == 0 {
            ", location: device"
        } else {
            ""
        };
        let retention = match s % 7 {
            0 => ", retention: 30d",
            1 => ", ephemeral: true",
            2 => ", kind: store, retention: 2y",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  s{s}: {{operated_by: e{entity}{location}{retention}}}"
        );
    }
    out.push_str("flows:\n");
    let protections = [
        "tls",
        "tls",
        "tls",
        "e2ee",
        "hashed",
        "aggregated",
        "plaintext",
    ];
    let purposes = [
        "essential.service",
        "analytics",
        "marketing.advertising",
        "functional.service.improve",
    ];
    for f in 0..size.flows {
        // Most flows leave the speaker's first systems or their neighbours, so reach is deep.
        let from = if f % 4 == 0 {
            rng.next(size.systems.min(20))
        } else {
            rng.next(size.systems)
        };
        let to = rng.next(size.systems);
        let fields: Vec<String> = (0..1 + rng.next(3))
            .map(|_| format!("user.generated.k{}", rng.next(size.keys)))
            .collect();
        let purpose = purposes[rng.next(purposes.len())];
        let protection = protections[rng.next(protections.len())];
        let _ = writeln!(
            out,
            "  - {{id: f{f}, from: s{from}, to: s{to}, fields: [{}], purposes: [{purpose}], protection: {protection}}}",
            fields.join(", ")
        );
    }
    out.push_str("claims:\n");
    for c in 0..size.claims {
        let field = format!("user.generated.k{}", rng.next(size.keys));
        let entity = rng.next(entities);
        let claim = match c % 7 {
            0 => format!("kind: no_share, fields: [{field}], with: [e{entity}]"),
            1 => format!(
                "kind: no_share, fields: [{field}], with: [category:advertiser], scope: exact"
            ),
            2 => format!("kind: only_for_purposes, fields: [{field}], purposes: [essential]"),
            3 => format!("kind: retention_max, fields: [{field}], max: 90d"),
            4 => format!("kind: no_logs, fields: [{field}]"),
            5 => format!("kind: operator_cannot_read, fields: [{field}]"),
            _ => format!(
                "kind: e2ee, fields: [{field}], endpoints: [s0, s{}]",
                size.systems.saturating_sub(1).min(10)
            ),
        };
        let _ = writeln!(out, "  - {{id: c{c}, {claim}}}");
    }
    out
}

/// A revision of `model`: `extra` new flows from the speaker's first systems, so reach changes.
pub fn revision(model: &str, size: &Size, extra: usize) -> String {
    let mut rng = Lcg(7);
    let mut flows = String::new();
    for f in 0..extra {
        let _ = writeln!(
            flows,
            "  - {{id: r{f}, from: s{}, to: s{}, fields: [user.generated.k{}], purposes: [marketing.advertising]}}",
            rng.next(20),
            rng.next(size.systems),
            rng.next(size.keys)
        );
    }
    model.replacen("claims:\n", &format!("{flows}claims:\n"), 1)
}

/// A chain of `systems` systems, each of its own company, passing an email address down the
/// line, and `claims` identical promises not to share `user` data with anyone: findings grow as
/// claims × systems, their paths as systems (issue 13's output-volume case).
pub fn chain(systems: usize, claims: usize) -> String {
    let mut model = String::from("privflow: 1\npolicy: {id: p, speaker: e0}\nentities:\n");
    for i in 0..systems {
        let _ = writeln!(model, "  e{i}: {{}}");
    }
    model.push_str("systems:\n");
    for i in 0..systems {
        let _ = writeln!(model, "  s{i}: {{operated_by: e{i}}}");
    }
    model.push_str("flows:\n");
    for i in 1..systems {
        let _ = writeln!(
            model,
            "  - {{from: s{}, to: s{i}, fields: [user.contact.email]}}",
            i - 1
        );
    }
    model.push_str("claims:\n");
    for c in 0..claims {
        let _ = writeln!(
            model,
            "  - {{id: c{c}, kind: no_share, fields: [user], with: ['*']}}"
        );
    }
    model
}
