//! Field and purpose taxonomies: multi-parent DAGs of dotted keys with `parts` composition.
//! The built-in keys (fideslang-compatible, CC BY 4.0) are embedded; a model may extend them.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::model::raw::{RawTaxon, SpannedMap};

pub const BUILTIN_FIELDS: &str = include_str!("../../data/fields.yaml");
/// The fideslang release the built-in keys were generated from (scripts/fideslang-taxonomy.py).
pub const FIDESLANG_VERSION: &str = "3.1.4";
pub const BUILTIN_PURPOSES: &str = include_str!("../../data/purposes.yaml");

/// Index of a key in its taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaxonId(pub u32);

impl TaxonId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Which taxonomy a diagnostic talks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxonomyKind {
    Fields,
    Purposes,
}

impl TaxonomyKind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            TaxonomyKind::Fields => "field",
            TaxonomyKind::Purposes => "purpose",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Taxon {
    pub key: String,
    pub label: String,
    pub description: Option<String>,
    pub parents: Vec<TaxonId>,
    pub parts: Vec<TaxonId>,
    /// Marked sensitive itself; descendants inherit it (see [`Taxonomy::is_sensitive`]).
    pub marked_sensitive: bool,
    pub builtin: bool,
    pub span: Option<Span>,
}

/// A finished taxonomy with its closures computed: strict ancestors (stored while they fit,
/// see [`STORED_ANCESTORS`]) and contained parts per key, sensitivity and identification.
#[derive(Clone, Debug)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    taxa: Vec<Taxon>,
    index: HashMap<String, TaxonId>,
    /// Deprecated keys (`replaced_by`) and the keys they stand for.
    aliases: HashMap<String, TaxonId>,
    /// Sorted strict ancestors per key; `None` when they would not fit, and are walked instead.
    ancestors: Option<Vec<Vec<TaxonId>>>,
    contained: Vec<Vec<TaxonId>>,
    sensitive: Vec<bool>,
    /// Within a key that identifies a person by itself (SPEC §8); fields only.
    identifying: Vec<bool>,
}

/// The most ancestors stored in all: past it (a 100 000-key parent chain has 5·10⁹), ancestors
/// are walked up the parents on demand, so memory stays linear in the taxonomy.
const STORED_ANCESTORS: usize = 1 << 22;

/// Keys that identify a person by themselves: data carrying one of them, or a key within one, is
/// not anonymous whatever its flow says (SPEC §8).
const DIRECT_IDENTIFIERS: [&str; 9] = [
    "user.name",
    "user.contact.email",
    "user.contact.phone_number",
    "user.contact.address",
    "user.unique_id",
    "user.account",
    "user.device.device_id",
    "user.device.ip_address",
    "user.device.cookie_id",
];

/// Keys within a direct identifier that do not identify by themselves: the coarse parts of a
/// postal address (fideslang 2.0 split the address into street, city, state, postal code and
/// country; only the whole address or its street singles a person out).
const COARSE_PARTS: [&str; 4] = [
    "user.contact.address.city",
    "user.contact.address.country",
    "user.contact.address.postal_code",
    "user.contact.address.state",
];

/// A reference to another key inside a definition, kept until every key is known.
struct PendingRef {
    key: String,
    span: Option<Span>,
}

struct Pending {
    parents: Option<Vec<PendingRef>>,
    parts: Vec<PendingRef>,
}

/// A deprecated key and the key that replaces it, until every key is known.
struct PendingAlias {
    key: String,
    replaced_by: PendingRef,
}

/// Collects built-in and model definitions, then resolves references and checks for cycles.
pub struct TaxonomyBuilder {
    kind: TaxonomyKind,
    taxa: Vec<Taxon>,
    index: HashMap<String, TaxonId>,
    pending: Vec<Pending>,
    aliases: Vec<PendingAlias>,
    /// Each deprecated key and the key it stands for, once resolved.
    alias_index: HashMap<String, TaxonId>,
    diagnostics: Vec<Diagnostic>,
    /// Did-you-mean per unknown key, as `resolve` has worked it out.
    suggestions: HashMap<String, Option<String>>,
}

impl TaxonomyBuilder {
    pub fn new(kind: TaxonomyKind) -> TaxonomyBuilder {
        let mut builder = TaxonomyBuilder {
            kind,
            taxa: Vec::new(),
            index: HashMap::new(),
            pending: Vec::new(),
            aliases: Vec::new(),
            alias_index: HashMap::new(),
            diagnostics: Vec::new(),
            suggestions: HashMap::new(),
        };
        let text = match kind {
            TaxonomyKind::Fields => BUILTIN_FIELDS,
            TaxonomyKind::Purposes => BUILTIN_PURPOSES,
        };
        let builtin: SpannedMap<Option<RawTaxon>> =
            serde_saphyr::from_str(text).expect("the embedded taxonomy is valid YAML");
        for (key, taxon) in builtin.0 {
            builder.define(&key.value, taxon.unwrap_or_default(), None, |_| None, true);
        }
        builder
    }

    /// Adds or extends a key. A model may extend a built-in key (new parents, parts or label);
    /// defining the same key twice in the model is an error.
    pub fn define(
        &mut self,
        key: &str,
        raw: RawTaxon,
        span: Option<Span>,
        span_of: impl Fn(&crate::model::span::Loc) -> Option<Span>,
        builtin: bool,
    ) {
        let refs = |r: Option<crate::model::raw::Refs>| -> Option<Vec<PendingRef>> {
            r.map(|refs| {
                refs.items
                    .iter()
                    .map(|item| PendingRef {
                        key: item.value.clone(),
                        span: span_of(&item.at),
                    })
                    .collect()
            })
        };
        if let Some(target) = raw.replaced_by {
            let alone = raw.label.is_none()
                && raw.description.is_none()
                && raw.parents.is_none()
                && raw.parts.is_none()
                && raw.sensitive.is_none();
            if !alone {
                let mut d = Diagnostic::error(
                    "privflow::model::alias-with-attributes",
                    format!("{} `{key}` is an alias and a definition", self.kind.noun()),
                );
                if let Some(span) = span {
                    d = d.at(span, "`replaced_by` beside other attributes");
                }
                self.diagnostics.push(d.with_help(format!(
                    "an alias has `replaced_by` alone: move the other attributes to `{}`",
                    target.value
                )));
            }
            self.aliases.push(PendingAlias {
                key: key.to_owned(),
                replaced_by: PendingRef {
                    span: span_of(&target.at),
                    key: target.value,
                },
            });
            return;
        }
        let parents = refs(raw.parents);
        let parts = refs(raw.parts).unwrap_or_default();
        if let Some(&id) = self.index.get(key) {
            let existing = &mut self.taxa[id.index()];
            if !existing.builtin {
                let mut d = Diagnostic::error(
                    "privflow::model::duplicate-taxon",
                    format!("{} `{key}` is defined twice", self.kind.noun()),
                );
                if let Some(span) = span {
                    d = d.at(span, "second definition");
                }
                if let Some(first) = existing.span {
                    d = d.with_help(format!("first defined at line {}", first.line));
                }
                self.diagnostics.push(d);
                return;
            }
            existing.builtin = builtin;
            existing.span = span;
            if let Some(label) = raw.label {
                existing.label = label;
            }
            if raw.description.is_some() {
                existing.description = raw.description;
            }
            if let Some(sensitive) = raw.sensitive {
                existing.marked_sensitive = sensitive;
            }
            let pending = &mut self.pending[id.index()];
            if let Some(parents) = parents {
                pending.parents.get_or_insert_with(Vec::new).extend(parents);
            }
            pending.parts.extend(parts);
            return;
        }
        let id = TaxonId(self.taxa.len() as u32);
        self.index.insert(key.to_owned(), id);
        self.taxa.push(Taxon {
            key: key.to_owned(),
            label: raw.label.unwrap_or_else(|| key.to_owned()),
            description: raw.description,
            parents: Vec::new(),
            parts: Vec::new(),
            marked_sensitive: raw.sensitive.unwrap_or(false),
            builtin,
            span,
        });
        self.pending.push(Pending { parents, parts });
    }

    /// Resolves aliases, parents (default: the dotted prefix) and parts, then checks the DAG
    /// for cycles.
    pub fn finish(mut self) -> (Taxonomy, Vec<Diagnostic>) {
        let mut aliases = HashMap::new();
        for alias in std::mem::take(&mut self.aliases) {
            // A key defined for real (a model's own) hides the alias of the same name.
            if self.index.contains_key(&alias.key) {
                continue;
            }
            let target = self.resolve(&alias.key, vec![alias.replaced_by], "replacement");
            if let Some(&id) = target.first() {
                aliases.insert(alias.key, id);
            }
        }
        self.alias_index = aliases;
        let pending = std::mem::take(&mut self.pending);
        for (i, p) in pending.into_iter().enumerate() {
            let key = self.taxa[i].key.clone();
            let span = self.taxa[i].span;
            let parents = match p.parents {
                Some(list) => list,
                None => match key.rsplit_once('.') {
                    Some((prefix, _)) => vec![PendingRef {
                        key: prefix.to_owned(),
                        span,
                    }],
                    None => Vec::new(),
                },
            };
            let parents = self.resolve(&key, parents, "parent");
            let parts = self.resolve(&key, p.parts, "part");
            self.taxa[i].parents = parents;
            self.taxa[i].parts = parts;
        }
        let diagnostics = &mut self.diagnostics;
        let mut taxonomy = Taxonomy {
            kind: self.kind,
            taxa: self.taxa,
            index: self.index,
            aliases: std::mem::take(&mut self.alias_index),
            ancestors: None,
            contained: Vec::new(),
            sensitive: Vec::new(),
            identifying: Vec::new(),
        };
        let parent_cycle = taxonomy.find_cycle(|t| &t.parents);
        let part_cycle = taxonomy.find_cycle(|t| &t.parts);
        for (cycle, relation) in [(parent_cycle, "parents"), (part_cycle, "parts")] {
            if let Some(cycle) = cycle {
                diagnostics.push(taxonomy.cycle_diagnostic(&cycle, relation));
                // Break the cycle so the closures below terminate; the model is rejected anyway.
                for t in &mut taxonomy.taxa {
                    if relation == "parents" {
                        t.parents.clear()
                    } else {
                        t.parts.clear()
                    }
                }
            }
        }
        taxonomy.compute_closures(STORED_ANCESTORS);
        (taxonomy, std::mem::take(diagnostics))
    }

    fn resolve(&mut self, owner: &str, refs: Vec<PendingRef>, relation: &str) -> Vec<TaxonId> {
        let mut out = Vec::new();
        for r in refs {
            match self
                .index
                .get(&r.key)
                .or_else(|| self.alias_index.get(&r.key))
            {
                Some(&id) => out.push(id),
                None => {
                    let noun = self.kind.noun();
                    let mut d = Diagnostic::error(
                        "privflow::model::unknown-taxon",
                        format!("{noun} `{owner}` names unknown {relation} `{}`", r.key),
                    );
                    if let Some(span) = r.span {
                        d = d.at(span, format!("no {noun} `{}`", r.key));
                    }
                    // The same unknown key named by many definitions is measured once.
                    let index = &self.index;
                    let suggestion = self
                        .suggestions
                        .entry(r.key.clone())
                        .or_insert_with(|| did_you_mean(&r.key, index.keys().map(String::as_str)))
                        .clone();
                    let help = suggestion.unwrap_or_else(|| {
                        format!("define `{}` under `taxonomy: {}s:` or name its parents with `parents:`", r.key, noun)
                    });
                    self.diagnostics.push(d.with_help(help));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

impl Taxonomy {
    /// Shows the control characters of model-defined keys, labels and descriptions as symbols
    /// (crate::inert); returns the (key, span) of each taxon it changed.
    pub fn make_visible(&mut self) -> Vec<(String, Option<Span>)> {
        use crate::inert::make_visible;
        let mut changed = Vec::new();
        for t in self.taxa.iter_mut().filter(|t| !t.builtin) {
            let description = t.description.as_mut().is_some_and(make_visible);
            if make_visible(&mut t.key) | make_visible(&mut t.label) | description {
                changed.push((t.key.clone(), t.span));
            }
        }
        if !changed.is_empty() {
            self.index = (0_u32..)
                .zip(&self.taxa)
                .map(|(i, t)| (t.key.clone(), TaxonId(i)))
                .collect();
        }
        changed
    }

    /// The key named `key`, or the one a deprecated alias of that name stands for.
    pub fn get(&self, key: &str) -> Option<TaxonId> {
        self.index
            .get(key)
            .or_else(|| self.aliases.get(key))
            .copied()
    }

    /// The key that replaces `key` when `key` is a deprecated alias.
    pub fn replacement(&self, key: &str) -> Option<&str> {
        if self.index.contains_key(key) {
            return None;
        }
        self.aliases.get(key).map(|&id| self.key(id))
    }

    /// Every deprecated alias and the key it stands for, sorted by alias.
    pub fn aliases(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .aliases
            .iter()
            .map(|(alias, &id)| (alias.as_str(), self.key(id)))
            .collect();
        out.sort();
        out
    }

    pub fn taxon(&self, id: TaxonId) -> &Taxon {
        &self.taxa[id.index()]
    }

    pub fn key(&self, id: TaxonId) -> &str {
        &self.taxa[id.index()].key
    }

    pub fn ids(&self) -> impl Iterator<Item = TaxonId> + '_ {
        (0..self.taxa.len() as u32).map(TaxonId)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.taxa.iter().map(|t| t.key.as_str())
    }

    /// `x ⊑ y`: the same key, or a descendant through any chain of parents.
    pub fn is_within(&self, x: TaxonId, y: TaxonId) -> bool {
        if x == y {
            return true;
        }
        match &self.ancestors {
            Some(stored) => stored[x.index()].binary_search(&y).is_ok(),
            None => {
                let mut found = false;
                self.walk_up(x, |a| {
                    found |= a == y;
                    !found
                });
                found
            }
        }
    }

    /// Strict ancestors of `x`, sorted.
    pub fn ancestors(&self, x: TaxonId) -> Cow<'_, [TaxonId]> {
        match &self.ancestors {
            Some(stored) => Cow::Borrowed(&stored[x.index()]),
            None => {
                let mut all = Vec::new();
                self.walk_up(x, |a| {
                    all.push(a);
                    true
                });
                all.sort();
                Cow::Owned(all)
            }
        }
    }

    /// Visits each strict ancestor of `x` once, while `visit` returns true.
    fn walk_up(&self, x: TaxonId, mut visit: impl FnMut(TaxonId) -> bool) {
        let mut seen = HashSet::new();
        let mut stack: Vec<TaxonId> = self.taxa[x.index()].parents.clone();
        while let Some(a) = stack.pop() {
            if !seen.insert(a) {
                continue;
            }
            if !visit(a) {
                return;
            }
            stack.extend_from_slice(&self.taxa[a.index()].parents);
        }
    }

    /// Everything `x` contains through `parts`, transitively, including parts of what `x` is a
    /// kind of (an address book of a special kind is still an address book).
    pub fn contained(&self, x: TaxonId) -> &[TaxonId] {
        &self.contained[x.index()]
    }

    /// Sensitive data (SPEC §7): `x` or one of its ancestors is marked `sensitive`.
    pub fn is_sensitive(&self, x: TaxonId) -> bool {
        self.sensitive[x.index()]
    }

    /// `x` identifies a person by itself: it is within a direct identifier (SPEC §8).
    pub fn is_direct_identifier(&self, x: TaxonId) -> bool {
        self.identifying.get(x.index()).copied().unwrap_or(false)
    }

    /// `x` contains `y` or something within `y` through parts.
    pub fn is_composite_of(&self, x: TaxonId, y: TaxonId) -> bool {
        self.contained(x).iter().any(|&c| self.is_within(c, y))
    }

    /// Roots (no parents), sorted by key.
    pub fn roots(&self) -> Vec<TaxonId> {
        let mut roots: Vec<_> = self
            .ids()
            .filter(|&id| self.taxon(id).parents.is_empty())
            .collect();
        roots.sort_by(|a, b| self.key(*a).cmp(self.key(*b)));
        roots
    }

    /// Direct children of `x`, sorted by key.
    pub fn children(&self, x: TaxonId) -> Vec<TaxonId> {
        let mut children: Vec<_> = self
            .ids()
            .filter(|&id| self.taxon(id).parents.contains(&x))
            .collect();
        children.sort_by(|a, b| self.key(*a).cmp(self.key(*b)));
        children
    }

    /// A did-you-mean for an unknown key.
    pub fn suggest(&self, key: &str) -> Option<String> {
        did_you_mean(key, self.keys())
    }

    fn find_cycle(&self, edges: impl Fn(&Taxon) -> &Vec<TaxonId>) -> Option<Vec<TaxonId>> {
        // Iterative three-colour DFS: deep chains must not overflow the stack.
        let n = self.taxa.len();
        let mut colour = vec![0u8; n];
        for start in 0..n {
            if colour[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            colour[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let out = edges(&self.taxa[node]);
                if *next < out.len() {
                    let child = out[*next].index();
                    *next += 1;
                    match colour[child] {
                        0 => {
                            colour[child] = 1;
                            stack.push((child, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|&(n, _)| n == child).unwrap_or(0);
                            let mut cycle: Vec<TaxonId> = stack[pos..]
                                .iter()
                                .map(|&(n, _)| TaxonId(n as u32))
                                .collect();
                            cycle.push(TaxonId(child as u32));
                            return Some(cycle);
                        }
                        _ => {}
                    }
                } else {
                    colour[node] = 2;
                    stack.pop();
                }
            }
        }
        None
    }

    fn cycle_diagnostic(&self, cycle: &[TaxonId], relation: &str) -> Diagnostic {
        // `cycle` ends where it starts; a long one is named by its first keys and its length.
        const SHOWN: usize = 6;
        let keys = cycle.len().saturating_sub(1);
        let mut chain = cycle
            .iter()
            .take(if keys > SHOWN + 2 { SHOWN } else { cycle.len() })
            .map(|&id| self.key(id))
            .collect::<Vec<_>>()
            .join(" → ");
        if keys > SHOWN + 2 {
            chain.push_str(&format!(
                " → … → {} ({keys} keys in all)",
                self.key(cycle[0])
            ));
        }
        let noun = self.kind.noun();
        // Point at a key the model defined, since built-in keys have no span.
        let anchor = cycle.iter().find_map(|&id| self.taxon(id).span);
        let mut d = Diagnostic::error(
            "privflow::model::taxonomy-cycle",
            format!("the {noun} taxonomy has a cycle through `{relation}`: {chain}"),
        )
        .with_help(format!(
            "a {noun} cannot be its own ancestor or part; remove one link of the cycle"
        ));
        if let Some(span) = anchor {
            d = d.at(span, "part of the cycle");
        }
        d
    }

    /// Every closure in time linear in the taxonomy (plus what `contained` holds): flags are
    /// propagated parents before children; ancestors are stored while they total at most `limit`.
    fn compute_closures(&mut self, limit: usize) {
        let n = self.taxa.len();
        let order = self.topological_order();
        let keys = |list: &[&str]| -> Vec<TaxonId> {
            match self.kind {
                TaxonomyKind::Fields => list.iter().filter_map(|k| self.get(k)).collect(),
                TaxonomyKind::Purposes => Vec::new(),
            }
        };
        let (identifiers, coarse) = (keys(&DIRECT_IDENTIFIERS), keys(&COARSE_PARTS));
        let mut sensitive = vec![false; n];
        let mut identifying = vec![false; n];
        // Whether the key or one of its ancestors has parts: only those contain anything.
        let mut with_parts = vec![false; n];
        for &id in &order {
            let t = &self.taxa[id.index()];
            let inherits = |flags: &[bool]| t.parents.iter().any(|p| flags[p.index()]);
            sensitive[id.index()] = t.marked_sensitive || inherits(&sensitive);
            identifying[id.index()] =
                !coarse.contains(&id) && (identifiers.contains(&id) || inherits(&identifying));
            with_parts[id.index()] = !t.parts.is_empty() || inherits(&with_parts);
        }
        self.sensitive = sensitive;
        self.identifying = identifying;
        self.ancestors = self.stored_ancestors(&order, limit);
        let mut contained: Vec<Vec<TaxonId>> = vec![Vec::new(); n];
        let mut seen = vec![false; n];
        let mut touched: Vec<TaxonId> = Vec::new();
        let parts_of = |x: TaxonId, stack: &mut Vec<TaxonId>| {
            stack.extend_from_slice(&self.taxa[x.index()].parts);
            for a in self.ancestors(x).iter() {
                stack.extend_from_slice(&self.taxa[a.index()].parts);
            }
        };
        for id in self.ids().filter(|id| with_parts[id.index()]) {
            let mut stack: Vec<TaxonId> = Vec::new();
            parts_of(id, &mut stack);
            while let Some(part) = stack.pop() {
                if std::mem::replace(&mut seen[part.index()], true) {
                    continue;
                }
                touched.push(part);
                if with_parts[part.index()] {
                    parts_of(part, &mut stack);
                }
            }
            touched.sort();
            for t in &touched {
                seen[t.index()] = false;
            }
            contained[id.index()] = std::mem::take(&mut touched);
        }
        self.contained = contained;
    }

    /// Sorted strict ancestors per key, parents before children, or `None` past `limit` in all.
    fn stored_ancestors(&self, order: &[TaxonId], limit: usize) -> Option<Vec<Vec<TaxonId>>> {
        let mut ancestors: Vec<Vec<TaxonId>> = vec![Vec::new(); self.taxa.len()];
        let mut total = 0usize;
        for &id in order {
            let mut acc = Vec::new();
            for &p in &self.taxa[id.index()].parents {
                acc.push(p);
                acc.extend_from_slice(&ancestors[p.index()]);
            }
            acc.sort();
            acc.dedup();
            acc.shrink_to_fit();
            total = total.saturating_add(acc.len());
            if total > limit {
                return None;
            }
            ancestors[id.index()] = acc;
        }
        Some(ancestors)
    }

    /// Parents before children (the parent graph is acyclic here).
    fn topological_order(&self) -> Vec<TaxonId> {
        let n = self.taxa.len();
        let mut pending_parents: Vec<usize> = self.taxa.iter().map(|t| t.parents.len()).collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, t) in self.taxa.iter().enumerate() {
            for p in &t.parents {
                children[p.index()].push(i);
            }
        }
        let mut queue: std::collections::VecDeque<usize> =
            (0..n).filter(|&i| pending_parents[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = queue.pop_front() {
            order.push(TaxonId(i as u32));
            for &c in &children[i] {
                pending_parents[c] -= 1;
                if pending_parents[c] == 0 {
                    queue.push_back(c);
                }
            }
        }
        order
    }
}

/// The built-in taxonomies alone, for `privflow taxonomy`.
pub fn builtin(kind: TaxonomyKind) -> Taxonomy {
    TaxonomyBuilder::new(kind).finish().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomies_are_acyclic_and_resolve() {
        for kind in [TaxonomyKind::Fields, TaxonomyKind::Purposes] {
            let (_, diagnostics) = TaxonomyBuilder::new(kind).finish();
            assert!(diagnostics.is_empty(), "{diagnostics:?}");
        }
    }

    #[test]
    fn the_data_files_name_the_fideslang_release_they_came_from() {
        for text in [BUILTIN_FIELDS, BUILTIN_PURPOSES] {
            let first = text.lines().next().unwrap();
            assert!(
                first.ends_with(&format!("from fideslang {FIDESLANG_VERSION}.")),
                "{first}"
            );
        }
    }

    #[test]
    fn a_street_identifies_a_person_a_country_does_not() {
        let t = builtin(TaxonomyKind::Fields);
        let id = |k: &str| t.get(k).unwrap();
        assert!(t.is_direct_identifier(id("user.contact.address")));
        assert!(t.is_direct_identifier(id("user.contact.address.street")));
        assert!(!t.is_direct_identifier(id("user.contact.address.country")));
        assert!(!t.is_direct_identifier(id("user.contact.address.postal_code")));
        assert!(t.is_direct_identifier(id("user.name.first")));
    }

    #[test]
    fn a_deprecated_key_stands_for_its_replacement() {
        let t = builtin(TaxonomyKind::Fields);
        let new = t.get("user.demographic.sexual_orientation").unwrap();
        assert_eq!(t.get("user.sexual_orientation"), Some(new));
        assert_eq!(
            t.replacement("user.sexual_orientation"),
            Some("user.demographic.sexual_orientation")
        );
        assert_eq!(t.replacement("user.demographic.sexual_orientation"), None);
        assert!(t.is_sensitive(new));
        assert!(!t.keys().any(|k| k == "user.sexual_orientation"));
    }

    /// A model taxonomy of `n` keys below `user.t`, each with up to three earlier keys as
    /// parents and every seventh with parts, from a fixed generator.
    fn generated(n: usize) -> TaxonomyBuilder {
        let mut state = 7u64;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % bound.max(1)
        };
        let mut text = String::new();
        for i in 0..n {
            let parents: Vec<String> = (0..next(4))
                .filter(|_| i > 0)
                .map(|_| format!("user.t.k{}", next(i)))
                .collect();
            let parents = if parents.is_empty() {
                "user.contact".to_owned()
            } else {
                parents.join(", ")
            };
            let parts = if i % 7 == 6 {
                format!(", parts: [user.t.k{}, user.device.ip_address]", next(i))
            } else {
                String::new()
            };
            text.push_str(&format!("user.t.k{i}: {{parents: [{parents}]{parts}}}\n"));
        }
        let raw: SpannedMap<Option<RawTaxon>> = serde_saphyr::from_str(&text).unwrap();
        let mut builder = TaxonomyBuilder::new(TaxonomyKind::Fields);
        for (key, taxon) in raw.0 {
            builder.define(&key.value, taxon.unwrap_or_default(), None, |_| None, false);
        }
        builder
    }

    #[test]
    fn walked_ancestors_answer_as_stored_ones_do() {
        let (stored, diagnostics) = generated(300).finish();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(stored.ancestors.is_some());
        let mut walked = stored.clone();
        walked.compute_closures(0);
        assert!(walked.ancestors.is_none(), "a limit of 0 walks");
        let ids: Vec<TaxonId> = stored.ids().collect();
        let mut within = 0;
        for &x in &ids {
            assert_eq!(
                stored.ancestors(x),
                walked.ancestors(x),
                "{}",
                stored.key(x)
            );
            assert_eq!(
                stored.contained(x),
                walked.contained(x),
                "{}",
                stored.key(x)
            );
            assert_eq!(stored.is_sensitive(x), walked.is_sensitive(x));
            assert_eq!(
                stored.is_direct_identifier(x),
                walked.is_direct_identifier(x)
            );
            for &y in &ids {
                let answer = stored.is_within(x, y);
                assert_eq!(answer, walked.is_within(x, y));
                within += usize::from(answer);
            }
        }
        assert!(within > 2 * ids.len(), "a deep taxonomy: {within}");
        assert!(
            ids.iter().any(|&x| stored.contained(x).len() > 2),
            "parts of parts"
        );
        let k = stored.get("user.t.k299").unwrap();
        assert!(stored.is_within(k, stored.get("user").unwrap()));
        assert!(!stored.is_direct_identifier(stored.get("user.t.k0").unwrap()));
    }

    #[test]
    fn address_book_contains_phone_numbers_and_is_social() {
        let t = builtin(TaxonomyKind::Fields);
        let book = t.get("user.social.address_book").unwrap();
        let phone = t.get("user.contact.phone_number").unwrap();
        let contact = t.get("user.contact").unwrap();
        assert!(t.is_composite_of(book, phone));
        assert!(t.is_composite_of(book, contact));
        assert!(!t.is_composite_of(phone, book));
        assert!(t.is_within(book, t.get("user.social").unwrap()));
        assert!(t.is_within(phone, t.get("user").unwrap()));
        assert!(!t.is_within(contact, phone));
    }
}
