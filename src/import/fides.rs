//! `privflow import fides`: fideslang manifests (organizations, systems with privacy declarations,
//! egress and ingress, datasets, custom taxonomy keys) to a privflow model, every guess commented.

use std::collections::{BTreeMap, BTreeSet};

pub use super::manifest::Manifest;
use super::manifest::{Dataset, DatasetNode, Declaration, Organization, System};
use crate::model::taxonomy::{Taxonomy, TaxonomyKind, builtin};

/// What the import needs beyond the manifests: ownership fideslang cannot express.
#[derive(Debug, Default)]
pub struct ImportOptions {
    /// (child, parent) organization keys: `--owned-by CHILD=PARENT`.
    pub owned_by: Vec<(String, String)>,
}

/// A line of the model and, when the import had to guess, why.
struct Line {
    text: String,
    guess: Option<String>,
}

impl Line {
    fn sure(text: String) -> Line {
        Line { text, guess: None }
    }

    fn guessed(text: String, why: impl Into<String>) -> Line {
        Line {
            text,
            guess: Some(why.into()),
        }
    }
}

/// The privflow model of the manifests, as YAML text with a comment on every guessed line;
/// `sources` names the manifests in the header.
pub fn import(manifests: &[Manifest], sources: &[String], options: &ImportOptions) -> String {
    Importer::new(manifests, options).model(sources)
}

struct Importer<'m> {
    manifests: &'m [Manifest],
    options: &'m ImportOptions,
    fields: Taxonomy,
    purposes: Taxonomy,
    /// Keys the manifests define or use that privflow lacks, with their lines.
    own_fields: BTreeMap<String, Line>,
    own_purposes: BTreeMap<String, Line>,
    entities: BTreeMap<String, Line>,
    systems: BTreeMap<String, Line>,
    /// The entity each manifest system is run by, as its line says.
    operators: BTreeMap<String, String>,
    /// Flows by (from, to): fields, purposes, and why they were guessed.
    flows: BTreeMap<(String, String), FlowFacts>,
    disclosures: Vec<Line>,
    notes: Vec<String>,
    speaker: String,
}

#[derive(Default)]
struct FlowFacts {
    fields: BTreeSet<String>,
    purposes: BTreeSet<String>,
    guesses: BTreeSet<String>,
    /// Whether the manifest said what this flow carries (categories on the egress or ingress, or
    /// declarations naming the counterpart) rather than leaving every declaration to guess from.
    specific: bool,
}

/// privflow's id for a fideslang key: the characters privflow ids take, others as `-`.
fn id(key: &str) -> String {
    let id: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() { "unnamed".into() } else { id }
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn list(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A fideslang retention period in words ("30 days", "2 years", "90d") as a privflow duration.
fn duration(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    if [
        "indefinite",
        "indefinitely",
        "forever",
        "no retention limit",
    ]
    .contains(&t.as_str())
    {
        return Some("indefinite".into());
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let n: u64 = digits.parse().ok()?;
    let unit = t[digits.len()..].trim();
    let suffix = match unit {
        "h" | "hour" | "hours" => "h",
        "d" | "day" | "days" => "d",
        "w" | "week" | "weeks" => "w",
        "mo" | "month" | "months" => "mo",
        "y" | "year" | "years" => "y",
        _ => return None,
    };
    Some(format!("{n}{suffix}"))
}

impl<'m> Importer<'m> {
    fn new(manifests: &'m [Manifest], options: &'m ImportOptions) -> Importer<'m> {
        let speaker = manifests
            .iter()
            .flat_map(|m| &m.organization)
            .map(|o| id(&o.fides_key))
            .next()
            .unwrap_or_else(|| "default_organization".into());
        Importer {
            manifests,
            options,
            fields: builtin(TaxonomyKind::Fields),
            purposes: builtin(TaxonomyKind::Purposes),
            own_fields: BTreeMap::new(),
            own_purposes: BTreeMap::new(),
            entities: BTreeMap::new(),
            systems: BTreeMap::new(),
            operators: BTreeMap::new(),
            flows: BTreeMap::new(),
            disclosures: Vec::new(),
            notes: Vec::new(),
            speaker,
        }
    }

    fn systems_of(&self) -> impl Iterator<Item = &'m System> {
        self.manifests.iter().flat_map(|m| &m.system)
    }

    fn model(mut self, sources: &[String]) -> String {
        self.custom_keys();
        self.organizations();
        for dataset in self.manifests.iter().flat_map(|m| &m.dataset) {
            self.dataset(dataset);
        }
        let manifests = self.manifests;
        for system in manifests.iter().flat_map(|m| &m.system) {
            self.system(system);
        }
        for system in manifests.iter().flat_map(|m| &m.system) {
            self.system_flows(system);
        }
        self.render(sources)
    }

    /// A category or use key as privflow reads it: a deprecated alias becomes its replacement,
    /// a key neither privflow nor the manifests define becomes a model key under its nearest
    /// known ancestor.
    fn key(&mut self, kind: TaxonomyKind, key: &str) -> String {
        let (taxonomy, own) = match kind {
            TaxonomyKind::Fields => (&self.fields, &mut self.own_fields),
            TaxonomyKind::Purposes => (&self.purposes, &mut self.own_purposes),
        };
        if let Some(new) = taxonomy.replacement(key) {
            return new.to_owned();
        }
        if taxonomy.get(key).is_some() || own.contains_key(key) {
            return key.to_owned();
        }
        let mut parent = key;
        let ancestor = loop {
            match parent.rsplit_once('.') {
                Some((prefix, _)) if taxonomy.get(prefix).is_some() || own.contains_key(prefix) => {
                    break Some(prefix.to_owned());
                }
                Some((prefix, _)) => parent = prefix,
                None => break None,
            }
        };
        let parents = ancestor.map_or_else(|| "parents: []".into(), |a| format!("parents: [{a}]"));
        own.insert(
            key.to_owned(),
            Line::guessed(
                format!("{key}: {{label: {}, {parents}}}", quoted(key)),
                format!(
                    "not a fideslang {} key nor defined in the manifests",
                    crate::model::taxonomy::FIDESLANG_VERSION
                ),
            ),
        );
        key.to_owned()
    }

    fn custom_keys(&mut self) {
        for m in self.manifests {
            for (entries, kind) in [
                (&m.data_category, TaxonomyKind::Fields),
                (&m.data_use, TaxonomyKind::Purposes),
            ] {
                for entry in entries {
                    let taxonomy = match kind {
                        TaxonomyKind::Fields => &self.fields,
                        TaxonomyKind::Purposes => &self.purposes,
                    };
                    if taxonomy.get(&entry.fides_key).is_some() {
                        continue;
                    }
                    let label = entry.name.as_deref().unwrap_or(&entry.fides_key);
                    let mut text = format!("{}: {{label: {}", entry.fides_key, quoted(label));
                    if let Some(d) = &entry.description {
                        text.push_str(&format!(", description: {}", quoted(d)));
                    }
                    if let Some(p) = &entry.parent_key {
                        text.push_str(&format!(", parents: [{p}]"));
                    }
                    text.push('}');
                    let own = match kind {
                        TaxonomyKind::Fields => &mut self.own_fields,
                        TaxonomyKind::Purposes => &mut self.own_purposes,
                    };
                    own.insert(entry.fides_key.clone(), Line::sure(text));
                }
            }
        }
        // Parents a custom key names must exist too.
        let parents: Vec<(TaxonomyKind, String)> = self
            .manifests
            .iter()
            .flat_map(|m| {
                let f = m.data_category.iter().map(|e| (TaxonomyKind::Fields, e));
                let p = m.data_use.iter().map(|e| (TaxonomyKind::Purposes, e));
                f.chain(p)
            })
            .filter_map(|(kind, e)| e.parent_key.clone().map(|p| (kind, p)))
            .collect();
        for (kind, parent) in parents {
            self.key(kind, &parent);
        }
    }

    fn organizations(&mut self) {
        let owners: BTreeMap<&str, &str> = self
            .options
            .owned_by
            .iter()
            .map(|(child, parent)| (child.as_str(), parent.as_str()))
            .collect();
        let organizations: Vec<&Organization> = self
            .manifests
            .iter()
            .flat_map(|m| &m.organization)
            .collect();
        if organizations.is_empty() {
            self.entities.insert(
                self.speaker.clone(),
                Line::guessed(
                    format!("{}: {{name: \"Default organization\"}}", self.speaker),
                    "the manifests name no organization: fideslang's default one",
                ),
            );
        }
        for o in organizations {
            let key = id(&o.fides_key);
            let name = o.name.as_deref().unwrap_or(&o.fides_key);
            let owner = owners.get(o.fides_key.as_str());
            let text = match owner {
                Some(parent) => format!(
                    "{key}: {{name: {}, owned_by: {}}}",
                    quoted(name),
                    id(parent)
                ),
                None => format!("{key}: {{name: {}}}", quoted(name)),
            };
            let line = if owner.is_some() || key == self.speaker {
                Line::sure(text)
            } else {
                Line::guessed(
                    text,
                    "fideslang has no ownership between organizations: add `owned_by` (or pass --owned-by) if it belongs to a group",
                )
            };
            self.entities.insert(key, line);
        }
    }

    /// The entity operating a system: its organization, or for a vendor's system (a
    /// `vendor_id`, a `legal_name`, or a system type naming a vendor or third party) the vendor.
    fn operator(&mut self, system: &System) -> String {
        let vendor = system.vendor_id.is_some()
            || system.legal_name.is_some()
            || system.system_type.as_deref().is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                t.contains("vendor") || t.contains("third")
            });
        if !vendor {
            let org = system
                .organization_fides_key
                .as_deref()
                .map_or_else(|| self.speaker.clone(), id);
            if !self.entities.contains_key(&org) {
                self.entities.insert(
                    org.clone(),
                    Line::guessed(
                        format!("{org}: {{name: {}}}", quoted(&org)),
                        "an organization the manifests name but do not define",
                    ),
                );
            }
            return org;
        }
        let key = format!("vendor-{}", id(&system.fides_key));
        let name = system
            .legal_name
            .as_deref()
            .or(system.name.as_deref())
            .unwrap_or(&system.fides_key);
        let why = match &system.vendor_id {
            Some(v) => format!(
                "the vendor of system `{}` (vendor_id {v})",
                system.fides_key
            ),
            None => format!("the vendor of system `{}`", system.fides_key),
        };
        self.entities.insert(
            key.clone(),
            Line::guessed(format!("{key}: {{name: {}}}", quoted(name)), why),
        );
        key
    }

    fn system(&mut self, system: &'m System) {
        let key = id(&system.fides_key);
        let operator = self.operator(system);
        let name = system.name.as_deref().unwrap_or(&system.fides_key);
        let mut text = format!("{key}: {{name: {}, operated_by: {operator}", quoted(name));
        let mut guess = None;
        let periods: BTreeSet<&str> = system
            .privacy_declarations
            .iter()
            .filter_map(|d| d.retention_period.as_deref())
            .collect();
        let parsed: Vec<String> = periods.iter().filter_map(|p| duration(p)).collect();
        if periods.len() == 1 && parsed.len() == 1 {
            text.push_str(&format!(", retention: {}", parsed[0]));
        } else if !periods.is_empty() {
            let words: Vec<String> = periods.iter().map(|p| quoted(p)).collect();
            guess = Some(format!(
                "retention left unspecified: the privacy declarations say {}",
                words.join(", ")
            ));
        }
        text.push('}');
        let line = match guess {
            Some(why) => Line::guessed(text, why),
            None => Line::sure(text),
        };
        self.operators.insert(key.clone(), operator);
        self.systems.insert(key, line);
    }

    fn dataset(&mut self, dataset: &Dataset) {
        let key = id(&dataset.fides_key);
        let org = dataset
            .organization_fides_key
            .as_deref()
            .map_or_else(|| self.speaker.clone(), id);
        let name = dataset.name.as_deref().unwrap_or(&dataset.fides_key);
        self.systems.insert(
            key,
            Line::sure(format!(
                "{}: {{name: {}, operated_by: {org}, kind: store}}",
                id(&dataset.fides_key),
                quoted(name)
            )),
        );
    }

    /// Every category a dataset holds: its own and its collections' and fields', at any depth.
    fn dataset_categories(&self, key: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for d in self
            .manifests
            .iter()
            .flat_map(|m| &m.dataset)
            .filter(|d| d.fides_key == key)
        {
            out.extend(d.data_categories.iter().cloned());
            let mut stack: Vec<&DatasetNode> = d.collections.iter().collect();
            while let Some(node) = stack.pop() {
                out.extend(node.data_categories.iter().flatten().cloned());
                stack.extend(node.fields.iter().flatten());
            }
        }
        out
    }

    /// A system's flows (egress, ingress from anyone, dataset references, third-party sharing)
    /// and the disclosures its privacy declarations make.
    fn system_flows(&mut self, system: &'m System) {
        let me = id(&system.fides_key);
        let declarations = &system.privacy_declarations;
        // Which declarations speak of a counterpart: those naming it, else all (a guess).
        let about = |named: fn(&Declaration) -> Option<&Vec<String>>,
                     other: &str|
         -> (Vec<&'m Declaration>, bool) {
            let naming: Vec<&Declaration> = declarations
                .iter()
                .filter(|d| named(d).is_some_and(|keys| keys.iter().any(|k| k == other)))
                .collect();
            if naming.is_empty() {
                (declarations.iter().collect(), true)
            } else {
                (naming, false)
            }
        };
        for flow in &system.egress {
            if flow.kind == "user" {
                self.notes.push(format!("`{}` egress to the user (data shown back to them) is not a flow privflow follows", system.fides_key));
                continue;
            }
            let (decls, all) = about(|d| d.egress.as_ref(), &flow.fides_key);
            self.counterpart(&flow.fides_key, &flow.kind);
            self.add_flow(
                me.clone(),
                id(&flow.fides_key),
                flow.data_categories.as_ref(),
                &decls,
                all,
                "egress",
            );
        }
        for flow in &system.ingress {
            let from = if flow.kind == "user" {
                self.user_device()
            } else {
                self.counterpart(&flow.fides_key, &flow.kind);
                id(&flow.fides_key)
            };
            let (decls, all) = about(|d| d.ingress.as_ref(), &flow.fides_key);
            self.add_flow(
                from,
                me.clone(),
                flow.data_categories.as_ref(),
                &decls,
                all,
                "ingress",
            );
        }
        let mut referenced: BTreeSet<String> = system.dataset_references.iter().cloned().collect();
        for d in declarations {
            referenced.extend(d.dataset_references.iter().flatten().cloned());
        }
        for dataset in referenced {
            if self.flows.contains_key(&(me.clone(), id(&dataset))) {
                continue;
            }
            self.counterpart(&dataset, "dataset");
            let held = self.dataset_categories(&dataset);
            let decls: Vec<&Declaration> = declarations
                .iter()
                .filter(|d| {
                    d.dataset_references
                        .as_ref()
                        .is_some_and(|r| r.contains(&dataset))
                })
                .collect();
            let (decls, all) = if decls.is_empty() {
                (declarations.iter().collect(), true)
            } else {
                (decls, false)
            };
            let categories = (!held.is_empty()).then(|| held.into_iter().collect::<Vec<_>>());
            let to = id(&dataset);
            self.add_flow(
                me.clone(),
                to,
                categories.as_ref(),
                &decls,
                all,
                "dataset reference",
            );
            if let Some(facts) = self.flows.get_mut(&(me.clone(), id(&dataset))) {
                facts
                    .guesses
                    .insert("a dataset reference read as the system writing to the dataset".into());
            }
        }
        for (n, d) in declarations.iter().enumerate() {
            self.declaration(system, n, d);
        }
    }

    /// The user's device, where fideslang's `user` ingress comes from.
    fn user_device(&mut self) -> String {
        let key = "user-device".to_owned();
        let speaker = self.speaker.clone();
        self.systems.entry(key.clone()).or_insert_with(|| {
            Line::guessed(
                format!("{key}: {{name: \"The user's device\", operated_by: {speaker}, location: device}}"),
                "fideslang's `user` endpoint: the organization's app or site on the user's device",
            )
        });
        key
    }

    /// A flow's far end the manifests do not define becomes a system of its own entity.
    fn counterpart(&mut self, key: &str, kind: &str) {
        let system = id(key);
        if self.systems.contains_key(&system)
            || self.systems_of().any(|s| s.fides_key == key)
            || self
                .manifests
                .iter()
                .flat_map(|m| &m.dataset)
                .any(|d| d.fides_key == key)
        {
            return;
        }
        let entity = format!("external-{system}");
        self.entities.insert(
            entity.clone(),
            Line::guessed(
                format!("{entity}: {{name: {}}}", quoted(key)),
                format!("the operator of `{key}`, which the manifests name but do not define"),
            ),
        );
        let store = if kind == "dataset" {
            ", kind: store"
        } else {
            ""
        };
        self.systems.insert(
            system.clone(),
            Line::guessed(
                format!("{system}: {{operated_by: {entity}{store}}}"),
                format!("a {kind} the manifests name but do not define"),
            ),
        );
    }

    /// Adds (or merges into) the flow `from → to`: the categories the manifest puts on it, or
    /// else those of the declarations `decls`; `all` when no declaration named this counterpart
    /// and every one of the system's was taken.
    fn add_flow(
        &mut self,
        from: String,
        to: String,
        categories: Option<&Vec<String>>,
        decls: &[&Declaration],
        all: bool,
        via: &str,
    ) {
        if from == to {
            return;
        }
        let mut facts = FlowFacts::default();
        let listed: Vec<&String> = match categories {
            Some(c) => c.iter().collect(),
            None => decls.iter().flat_map(|d| &d.data_categories).collect(),
        };
        for key in listed {
            let key = self.key(TaxonomyKind::Fields, key);
            facts.fields.insert(key);
        }
        for d in decls.iter().filter(|d| !d.data_use.is_empty()) {
            let key = self.key(TaxonomyKind::Purposes, &d.data_use);
            facts.purposes.insert(key);
        }
        let guess = match (categories.is_some(), all) {
            (true, false) => None,
            (true, true) => Some(format!(
                "purposes from every privacy declaration (none names this {via})"
            )),
            (false, false) => Some(format!(
                "fields from the privacy declarations naming this {via}"
            )),
            (false, true) => Some(format!(
                "fields and purposes from every privacy declaration (none names this {via})"
            )),
        };
        facts.guesses.extend(guess);
        facts.specific = categories.is_some() || !all;
        if facts.fields.is_empty() {
            self.notes.push(format!(
                "{via} {from} → {to} names no data category: no flow"
            ));
            return;
        }
        // Both ends may describe one flow (one's egress, the other's ingress): what one end says
        // specifically wins over what the other leaves to every declaration; equals are merged.
        let entry = self.flows.entry((from, to)).or_default();
        if entry.specific && !facts.specific {
            return;
        }
        if facts.specific && !entry.specific {
            *entry = facts;
            return;
        }
        entry.fields.extend(facts.fields);
        entry.purposes.extend(facts.purposes);
        entry.guesses.extend(facts.guesses);
    }

    /// A privacy declaration as disclosures: collection by the organization's own system, a
    /// share with a vendor whose system it is, and a share with the third parties it names.
    fn declaration(&mut self, system: &System, n: usize, d: &Declaration) {
        let me = id(&system.fides_key);
        let label = d
            .name
            .as_deref()
            .map_or_else(|| format!("declaration {}", n + 1), |s| format!("\"{s}\""));
        let fields: BTreeSet<String> = d
            .data_categories
            .iter()
            .map(|k| self.key(TaxonomyKind::Fields, k))
            .collect();
        if fields.is_empty() {
            return;
        }
        let purpose =
            (!d.data_use.is_empty()).then(|| self.key(TaxonomyKind::Purposes, &d.data_use));
        let purposes = purpose
            .as_ref()
            .map_or_else(String::new, |p| format!(", purposes: [{p}]"));
        let slug = format!("{me}-{}", n + 1);
        let operator = self
            .operators
            .get(&me)
            .cloned()
            .unwrap_or_else(|| self.speaker.clone());
        let source = format!("privacy declaration {label} of `{}`", system.fides_key);
        if operator == self.speaker {
            self.disclosures.push(Line::sure(format!(
                "- {{id: {slug}-collect, collect: {{fields: [{}]{purposes}}}}}  # {source}",
                list(&fields)
            )));
        } else {
            self.disclosures.push(Line::guessed(
                format!(
                    "- {{id: {slug}-share, share: {{fields: [{}], with: [{operator}]{purposes}}}}}",
                    list(&fields)
                ),
                format!("{source}, a system `{operator}` runs: read as sharing with `{operator}`"),
            ));
        }
        if d.processes_special_category_data {
            for key in &fields {
                if let Some(line) = self.own_fields.get_mut(key)
                    && !line.text.contains("sensitive")
                {
                    line.text = format!("{}, sensitive: true}}", line.text.trim_end_matches('}'));
                    line.guess = Some(format!(
                        "sensitive: {source} processes special-category data"
                    ));
                }
            }
        }
        if d.data_shared_with_third_parties {
            let who = d.third_parties.as_deref().unwrap_or("third parties");
            let entity = format!("third-parties-{slug}");
            let lower = who.to_ascii_lowercase();
            let category = if lower.contains("advertis") {
                ", categories: [advertiser]"
            } else if lower.contains("analytic") {
                ", categories: [analytics_provider]"
            } else {
                ""
            };
            self.entities.insert(
                entity.clone(),
                Line::guessed(
                    format!(
                        "{entity}: {{name: {}{category}}}",
                        quoted(&format!("Third parties: {who}"))
                    ),
                    format!("the third parties {source} shares with"),
                ),
            );
            let recipient = format!("{slug}-third-parties");
            self.systems.insert(
                recipient.clone(),
                Line::guessed(
                    format!(
                        "{recipient}: {{name: {}, operated_by: {entity}}}",
                        quoted(who)
                    ),
                    format!("where {source} shares data with third parties"),
                ),
            );
            let shared: Vec<String> = if d.shared_categories.is_empty() {
                d.data_categories.clone()
            } else {
                d.shared_categories.clone()
            };
            self.add_flow(
                me.clone(),
                recipient,
                Some(&shared),
                &[d],
                false,
                "third-party share",
            );
            let shared: BTreeSet<String> = shared
                .iter()
                .map(|k| self.key(TaxonomyKind::Fields, k))
                .collect();
            self.disclosures.push(Line::sure(format!(
                "- {{id: {slug}-third-parties, share: {{fields: [{}], with: [{entity}]{purposes}}}}}  # {source}: data_shared_with_third_parties",
                list(&shared)
            )));
        }
    }

    fn render(self, sources: &[String]) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "# Imported by `privflow import fides` from {}.\n# Review every line marked `# guessed`: fideslang does not say it. Fides has no protection,\n# so every flow is privflow's default, tls.\n",
            sources.join(", ")
        ));
        for note in &self.notes {
            out.push_str(&format!("# skipped: {note}\n"));
        }
        let speaker_name = self
            .manifests
            .iter()
            .flat_map(|m| &m.organization)
            .next()
            .and_then(|o| o.name.clone());
        out.push_str("privflow: 1\n");
        let title = speaker_name
            .map(|n| format!(", title: {}", quoted(&n)))
            .unwrap_or_default();
        out.push_str(&format!(
            "policy: {{id: {}{title}, speaker: {}}}\n",
            self.speaker, self.speaker
        ));
        let section = |out: &mut String, indent: &str, lines: &BTreeMap<String, Line>| {
            for line in lines.values() {
                out.push_str(indent);
                out.push_str(&line.text);
                if let Some(why) = &line.guess {
                    out.push_str(&format!("  # guessed: {why}"));
                }
                out.push('\n');
            }
        };
        if !self.own_fields.is_empty() || !self.own_purposes.is_empty() {
            out.push_str("taxonomy:\n");
            if !self.own_fields.is_empty() {
                out.push_str("  fields:\n");
                section(&mut out, "    ", &self.own_fields);
            }
            if !self.own_purposes.is_empty() {
                out.push_str("  purposes:\n");
                section(&mut out, "    ", &self.own_purposes);
            }
        }
        out.push_str("entities:\n");
        section(&mut out, "  ", &self.entities);
        out.push_str("systems:\n");
        section(&mut out, "  ", &self.systems);
        if self.flows.is_empty() {
            out.push_str("flows: []\n");
        } else {
            out.push_str("flows:\n");
        }
        for ((from, to), facts) in &self.flows {
            let purposes = if facts.purposes.is_empty() {
                String::new()
            } else {
                format!(", purposes: [{}]", list(&facts.purposes))
            };
            out.push_str(&format!(
                "  - {{id: {from}-to-{to}, from: {from}, to: {to}, fields: [{}]{purposes}}}",
                list(&facts.fields)
            ));
            if !facts.guesses.is_empty() {
                out.push_str(&format!(
                    "  # guessed: {}",
                    facts.guesses.iter().cloned().collect::<Vec<_>>().join("; ")
                ));
            }
            out.push('\n');
        }
        if !self.disclosures.is_empty() {
            out.push_str("disclosures:\n");
            for line in &self.disclosures {
                out.push_str("  ");
                out.push_str(&line.text);
                if let Some(why) = &line.guess {
                    out.push_str(&format!("  # guessed: {why}"));
                }
                out.push('\n');
            }
        }
        out
    }
}
