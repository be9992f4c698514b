//! The editor schema as editors use it: every property described, a claim's parameters those of
//! its kind, the built-in keys offered; and yaml-language-server (the server behind VS Code's
//! YAML extension, pinned 1.x, installed by `.ci/run`) driven over LSP on a broken model.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::ci_tool;

fn schema() -> Value {
    serde_json::from_str(&privflow::output::schema::policy()).unwrap()
}

/// Every property of every object in the schema has a description (the `if` of a claim kind
/// only tests `kind`, and is not one).
#[test]
fn every_property_is_described() {
    fn walk(value: &Value, path: &str, missing: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties")
                    && !path.ends_with("/if")
                {
                    for (name, property) in properties {
                        if property.get("description").is_none() {
                            missing.push(format!("{path}.{name}"));
                        }
                    }
                }
                for (key, child) in map {
                    walk(child, &format!("{path}/{key}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    walk(&schema(), "", &mut missing);
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn a_claim_takes_the_parameters_of_its_kind_and_keys_are_offered() {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let model = |claim: &str| -> Value {
        serde_saphyr::from_str(&format!(
            "privflow: 1\npolicy: {{id: p, speaker: a}}\nclaims:\n  - {claim}\n"
        ))
        .unwrap()
    };
    assert!(validator.is_valid(&model(
        "{id: c, kind: no_share, fields: [user.name], with: [a]}"
    )));
    assert!(validator.is_valid(&model(
        "{id: c, kind: retention_max, fields: user.name, max: 30d}"
    )));
    // `max` belongs to retention_max; `with` is required of no_share.
    assert!(!validator.is_valid(&model(
        "{id: c, kind: no_share, fields: [user.name], with: [a], max: 30d}"
    )));
    assert!(!validator.is_valid(&model("{id: c, kind: no_share, fields: [user.name]}")));
    // A model's own key has the shape of a key; a sentence does not.
    assert!(validator.is_valid(&model(
        "{id: c, kind: no_collect, fields: [user.cycle_log]}"
    )));
    assert!(!validator.is_valid(&model(
        "{id: c, kind: no_collect, fields: [my phone number]}"
    )));
    let examples = schema["definitions"]["FieldKey"]["examples"]
        .as_array()
        .unwrap();
    assert!(examples.contains(&json!("user.contact.phone_number")));
    assert!(examples.contains(&json!("user.demographic.religious_belief")));
    let purposes = schema["definitions"]["PurposeKey"]["examples"]
        .as_array()
        .unwrap();
    assert!(purposes.contains(&json!("marketing.advertising.third_party.targeted")));
}

/// An LSP session with yaml-language-server over stdio.
struct Server {
    child: std::process::Child,
    input: std::process::ChildStdin,
    messages: mpsc::Receiver<Value>,
}

impl Server {
    fn start(program: &std::path::Path) -> Server {
        let mut child = Command::new(program)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if output.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length:") {
                        length = n.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if output.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(message) = serde_json::from_slice(&body) else {
                    return;
                };
                if send.send(message).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            input,
            messages,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    /// The next message that is not a request from the server (those are answered: no
    /// settings beyond the defaults); `None` if the server says nothing for a minute.
    fn next(&mut self) -> Option<Value> {
        loop {
            let message = self.messages.recv_timeout(Duration::from_secs(60)).ok()?;
            match (message.get("id"), message.get("method")) {
                (Some(id), Some(_)) => {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    let result = if items > 0 {
                        json!(vec![Value::Null; items])
                    } else {
                        Value::Null
                    };
                    self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                }
                _ => return Some(message),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn yaml_language_server_reports_an_unknown_key_a_wrong_value_and_a_parameter_of_another_kind() {
    let Some(program) = ci_tool("yaml-language-server") else {
        return;
    };
    let schema = std::fs::canonicalize(privflow::output::schema::POLICY_SCHEMA_PATH).unwrap();
    let text = format!(
        "# yaml-language-server: $schema=file://{}\nprivflow: 1\npolicy: {{id: p, speaker: a}}\nentities:\n  a: {{name: A, colour: red}}\nsystems:\n  app: {{operated_by: a, location: phone}}\nflows: []\nclaims:\n  - {{id: c, kind: no_share, fields: [user.name], with: [a], max: 30d}}\n",
        schema.display()
    );
    let mut server = Server::start(&program);
    server.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    while server
        .next()
        .is_some_and(|m| m.get("id") != Some(&json!(1)))
    {}
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    server.send(
        json!({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
        "params": {"settings": {"yaml": {"validate": true, "schemaStore": {"enable": false}}}}}),
    );
    server.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": "file:///broken/model.yaml", "languageId": "yaml", "version": 1, "text": text}}}),
    );
    let diagnostics = loop {
        let message = server
            .next()
            .expect("yaml-language-server publishes diagnostics");
        if message["method"] == "textDocument/publishDiagnostics" {
            let list = message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !list.is_empty() {
                break list;
            }
        }
    };
    let mut seen: Vec<(u64, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (4, "Property colour is not allowed.".to_owned()),
            (
                6,
                "Value is not accepted. Valid values: \"server\", \"device\".".to_owned()
            ),
            (9, "Property max is not allowed.".to_owned()),
        ]
    );
}
