//! `privflow artifact ropa`: the Art. 30 record compiled from the flows — one activity per
//! purpose, every cell derived (with its flows), declared (with its line) or missing (a warning,
//! and exit 1 under `--fail-on missing`).

use crate::support::privflow;

const MODEL: &str = "fixtures/valid/processing-facts.yaml";

/// The CSV as rows of fields (RFC 4180 quoting).
fn rows(csv: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in csv.split("\r\n").filter(|l| !l.is_empty()) {
        let (mut fields, mut field, mut quoted, mut chars) =
            (Vec::new(), String::new(), false, line.chars().peekable());
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

#[test]
fn the_record_has_a_row_per_purpose_and_says_where_each_cell_comes_from() {
    let out = privflow(&["artifact", "ropa", MODEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = rows(&out.stdout);
    let header = &rows[0];
    assert_eq!(header.len(), 22);
    assert_eq!(header[2], "controller");
    assert_eq!(header[3], "controller source");
    let column = |row: &[String], name: &str| {
        let at = header.iter().position(|h| h == name).unwrap();
        row[at].clone()
    };
    let activities: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        activities,
        [
            "essential.service",
            "marketing.advertising.third_party.targeted"
        ]
    );
    let (service, ads) = (&rows[1], &rows[2]);
    assert_eq!(column(service, "controller"), "Stride Health Ltd");
    assert_eq!(
        column(service, "controller source"),
        format!("declared: {MODEL}:8")
    );
    assert_eq!(column(service, "data subjects"), "children; users");
    assert_eq!(
        column(service, "data subjects source"),
        format!("declared: {MODEL}:6")
    );
    assert_eq!(column(service, "processors"), "CloudCo Inc. (cloudco, US)");
    assert_eq!(column(service, "processors source"), "derived: backup");
    assert_eq!(
        column(service, "third-country transfers"),
        "US (scc, backup)"
    );
    assert_eq!(
        column(ads, "recipients (external)"),
        "AdNet Exchange (adnet, US); Data Broker LLC (broker, US)"
    );
    assert_eq!(
        column(ads, "third-country transfers"),
        "US (derogation, audience-sale); US (scc, ad-measurement)"
    );
    // The broker keeps the device ids for no stated time: missing, and a warning at that flow.
    assert!(
        column(ads, "retention source")
            .starts_with("missing: no retention where audience-sale delivers")
    );
    assert!(
        out.stderr.contains("privflow::record::missing")
            && out.stderr.contains("processing-facts.yaml:44:5"),
        "{}",
        out.stderr
    );
    // Every cell of every row is derived, declared or missing.
    for row in &rows[1..] {
        for (name, value) in header.iter().zip(row) {
            if name.ends_with(" source") {
                assert!(
                    ["derived", "declared: ", "missing: "]
                        .iter()
                        .any(|p| value.starts_with(p)),
                    "{name}: {value}"
                );
            }
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&privflow(&["artifact", "ropa", MODEL, "--format", "json"]).stdout)
            .unwrap();
    let activity = &json["records"][0]["activities"][1];
    assert_eq!(activity["retention"]["source"], "missing");
    assert_eq!(activity["external"]["source"], "derived");
    assert_eq!(
        activity["external"]["flows"],
        serde_json::json!(["ad-measurement", "audience-sale"])
    );
}

#[test]
fn a_missing_cell_fails_the_record_under_fail_on_missing_and_is_fixed_in_the_model() {
    let gated = privflow(&["artifact", "ropa", MODEL, "--fail-on", "missing"]);
    assert_eq!(gated.code, 1, "{}", gated.stderr);
    assert_eq!(privflow(&["artifact", "ropa", MODEL, "--strict"]).code, 1);
    // Say how long the broker keeps what it buys, and the record is complete.
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("m.yaml");
    let text = std::fs::read_to_string(MODEL).unwrap().replace(
        "  broker-api: {operated_by: broker, country: US}",
        "  broker-api: {operated_by: broker, country: US, retention: 5y}",
    );
    std::fs::write(&fixed, text).unwrap();
    let out = privflow(&[
        "artifact",
        "ropa",
        fixed.to_str().unwrap(),
        "--strict",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("record::missing"), "{}", out.stderr);
    insta::assert_snapshot!(out.stdout.replace(fixed.to_str().unwrap(), "m.yaml"));
}

#[test]
fn the_record_is_in_the_report_too() {
    let out = privflow(&["report", MODEL, "--format", "html"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("<h2>Record of processing activities (GDPR Article 30)</h2>")
    );
    assert!(
        out.stdout.contains(
            "<small class=\"missing\">missing: no retention where audience-sale delivers"
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&privflow(&["report", MODEL, "--format", "json"]).stdout).unwrap();
    assert_eq!(
        json[0]["record"]["activities"].as_array().unwrap().len(),
        2,
        "{json:#}"
    );
}
