//! `privflow taxonomy` renderings: a taxonomy as an indented tree or as JSON, with each key's
//! sensitivity, parts and extra parents, and the deprecated keys that stand for moved ones.

use serde_json::{Value, json};

use crate::model::taxonomy::Taxonomy;

/// The taxonomy as an indented tree. A key with several parents appears under each of them;
/// parts follow the label, `[sensitive]` marks special-category data (inherited included), and
/// the deprecated keys close the tree.
pub fn tree(t: &Taxonomy) -> String {
    let mut out = String::new();
    let mut stack: Vec<(_, usize)> = t.roots().into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let taxon = t.taxon(id);
        let name = taxon.key.rsplit('.').next().unwrap_or(&taxon.key);
        let indent = "  ".repeat(depth);
        let shown = if depth == 0 { taxon.key.as_str() } else { name };
        out.push_str(&format!("{indent}{shown}  — {}", taxon.label));
        if t.is_sensitive(id) {
            out.push_str(" [sensitive]");
        }
        if !taxon.parts.is_empty() {
            let parts: Vec<&str> = taxon.parts.iter().map(|&p| t.key(p)).collect();
            out.push_str(&format!(" (contains {})", parts.join(", ")));
        }
        if taxon.parents.len() > 1 {
            let parents: Vec<&str> = taxon.parents.iter().map(|&p| t.key(p)).collect();
            out.push_str(&format!(" [parents: {}]", parents.join(", ")));
        }
        out.push('\n');
        for child in t.children(id).into_iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    let aliases = t.aliases();
    if !aliases.is_empty() {
        out.push_str("deprecated (still read, with a warning):\n");
        for (alias, key) in aliases {
            out.push_str(&format!("  {alias} → {key}\n"));
        }
    }
    out
}

/// The taxonomy as JSON: every key sorted, with its label, description, parents, parts and
/// whether it is sensitive (marked or inherited), then the deprecated keys.
pub fn json(t: &Taxonomy) -> Value {
    let mut ids: Vec<_> = t.ids().collect();
    ids.sort_by_key(|&id| t.key(id));
    let keys: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            let taxon = t.taxon(id);
            let names = |list: &[_]| list.iter().map(|&k| t.key(k)).collect::<Vec<_>>();
            json!({
                "key": taxon.key,
                "label": taxon.label,
                "description": taxon.description,
                "parents": names(&taxon.parents),
                "parts": names(&taxon.parts),
                "sensitive": t.is_sensitive(id),
                "marked_sensitive": taxon.marked_sensitive,
            })
        })
        .collect();
    let deprecated: Vec<Value> = t
        .aliases()
        .into_iter()
        .map(|(key, replaced_by)| json!({"key": key, "replaced_by": replaced_by}))
        .collect();
    json!({"keys": keys, "deprecated": deprecated})
}
