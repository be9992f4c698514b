//! Documents to policies: files are grouped by their `policy:` block, and a file without one
//! joins the policy whose file sits in the same directory (SPEC §2).

use std::collections::BTreeMap;

use super::raw::RawDocument;
use super::span::span_of;
use crate::diagnostics::{Diagnostic, FileId, Sources, Span};

/// Groups documents into policies by their `policy:` block (see docs/format.md, "Files").
pub fn group_by_policy(
    documents: Vec<(FileId, RawDocument)>,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Vec<(FileId, RawDocument)>> {
    let mut declared: Vec<(String, FileId)> = Vec::new();
    // A second declaration is one error: its file is left out, so its content does not repeat
    // as a duplicate of every entity and system of the first.
    let mut rejected: Vec<FileId> = Vec::new();
    for (file, doc) in &documents {
        if let Some(policy) = &doc.policy {
            let id = policy.value.id.value.clone();
            if let Some((_, first)) = declared.iter().find(|(p, _)| *p == id) {
                let text = &sources.get(*file).text;
                rejected.push(*file);
                diagnostics.push(
                    Diagnostic::error(
                        "privflow::load::duplicate-policy",
                        format!(
                            "policy `{id}` is declared in both `{}` and `{}`",
                            sources.path(*first),
                            sources.path(*file)
                        ),
                    )
                        .at(span_of(*file, text, &policy.value.id.at), "second declaration")
                        .with_help(format!(
                            "first declared in `{}`; declare a policy once and split the rest across files without a `policy:` block",
                            sources.path(*first)
                        )),
                );
            } else {
                declared.push((id, *file));
            }
        }
    }
    if declared.is_empty() {
        if let Some((file, _)) = documents.first() {
            diagnostics.push(
                Diagnostic::error("privflow::load::no-policy", "no file declares a `policy:`")
                    .at(Span::file_start(*file), "no `policy:` block in this model")
                    .with_help("add `policy: {id: my-policy, speaker: <entity id>}` to one file"),
            );
        }
        return Vec::new();
    }
    let dir_of = |f: FileId| -> String {
        let p = sources.path(f);
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned())
    };
    let mut groups: BTreeMap<usize, Vec<(FileId, RawDocument)>> = BTreeMap::new();
    for (file, doc) in documents {
        if rejected.contains(&file) {
            continue;
        }
        let target = match &doc.policy {
            Some(p) => declared.iter().position(|(id, _)| *id == p.value.id.value),
            None => {
                let dir = dir_of(file);
                let here: Vec<usize> = (0..declared.len())
                    .filter(|&i| dir_of(declared[i].1) == dir)
                    .collect();
                match (here.as_slice(), declared.len()) {
                    ([one], _) => Some(*one),
                    (_, 1) => Some(0),
                    _ => {
                        diagnostics.push(
                            Diagnostic::error(
                                "privflow::load::orphan-file",
                                "this file has no `policy:` block and belongs to no single policy",
                            )
                            .at(Span::file_start(file), "which policy is this part of?")
                            .with_help(
                                "put the file in the directory of exactly one policy file, or add a `policy:` block",
                            ),
                        );
                        None
                    }
                }
            }
        };
        if let Some(i) = target {
            groups.entry(i).or_default().push((file, doc));
        }
    }
    groups.into_values().collect()
}
