//! The validation pass: raw documents of one policy in, a `Model` out, and every problem found
//! on the way collected as a located diagnostic with a did-you-mean (nothing fails fast).

use std::collections::HashMap;

use serde_saphyr::{Location, Spanned};

use crate::diagnostics::{Diagnostic, FileId, Sources, Span, did_you_mean};
use crate::model::duration::{Date, Duration};
use crate::model::loader::span_of;
use crate::model::raw::*;
use crate::model::taxonomy::{TaxonId, Taxonomy, TaxonomyBuilder, TaxonomyKind};
use crate::model::*;

/// Validates the documents of one policy. Returns the model when no error was found, and every
/// diagnostic (errors and warnings) either way.
pub fn validate(
    documents: Vec<(FileId, RawDocument)>,
    sources: &Sources,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut v = Validator {
        sources,
        diagnostics: Vec::new(),
        file: FileId(0),
    };
    let model = v.run(documents);
    let failed = v.diagnostics.iter().any(Diagnostic::is_error);
    (if failed { None } else { model }, v.diagnostics)
}

struct Validator<'a> {
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
    /// The file whose document is being read; raw locations are relative to it.
    file: FileId,
}

/// An id defined in some file, for duplicate and did-you-mean checks.
struct Defined {
    span: Span,
}

struct Names {
    index: HashMap<String, u32>,
    defined: Vec<Defined>,
}

/// What a waiver may refer to.
struct WaiverScope<'n> {
    claims: &'n Names,
    flows: &'n Names,
    entities: &'n Names,
    categories: &'n [String],
}

impl Names {
    fn new() -> Names {
        Names {
            index: HashMap::new(),
            defined: Vec::new(),
        }
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The names of a validated model's items, in index order.
    fn of<'a>(items: impl Iterator<Item = (&'a str, Span)>) -> Names {
        let mut names = Names::new();
        for (i, (id, span)) in items.enumerate() {
            names.index.insert(id.to_owned(), i as u32);
            names.defined.push(Defined { span });
        }
        names
    }
}

impl Validator<'_> {
    fn span(&self, loc: &Location) -> Span {
        span_of(self.file, &self.sources.get(self.file).text, loc)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Registers `id`; a second definition is reported against the first.
    fn define(
        &mut self,
        names: &mut Names,
        id: &Spanned<String>,
        what: &str,
        code: &'static str,
    ) -> bool {
        let span = self.span(&id.referenced);
        if id.value.is_empty() {
            self.error(
                Diagnostic::error(code, format!("empty {what} id")).at(span, "give it a name"),
            );
            return false;
        }
        if let Some(&first) = names.index.get(&id.value) {
            let first = names.defined[first as usize].span;
            let help = format!(
                "first defined at {}:{}:{}",
                self.sources.path(first.file),
                first.line,
                first.column
            );
            self.error(
                Diagnostic::error(code, format!("{what} `{}` is defined twice", id.value))
                    .at(span, "second definition")
                    .with_help(help),
            );
            return false;
        }
        names
            .index
            .insert(id.value.clone(), names.defined.len() as u32);
        names.defined.push(Defined { span });
        true
    }

    /// Resolves a reference to a defined id, or reports it with a suggestion.
    fn resolve(
        &mut self,
        names: &Names,
        r: &Spanned<String>,
        what: &str,
        code: &'static str,
    ) -> Option<u32> {
        if let Some(&i) = names.index.get(&r.value) {
            return Some(i);
        }
        let span = self.span(&r.referenced);
        let help = did_you_mean(&r.value, names.names()).unwrap_or_else(|| {
            format!(
                "define `{}` under `{}:` or fix the reference",
                r.value,
                section_of(what)
            )
        });
        self.error(
            Diagnostic::error(code, format!("unknown {what} `{}`", r.value))
                .at(span, format!("no {what} named `{}`", r.value))
                .with_help(help),
        );
        None
    }

    fn taxon(&mut self, taxonomy: &Taxonomy, r: &Spanned<String>) -> Option<TaxonId> {
        if let Some(id) = taxonomy.get(&r.value) {
            return Some(id);
        }
        let (noun, code) = match taxonomy.kind {
            TaxonomyKind::Fields => ("field", "privflow::model::unknown-field"),
            TaxonomyKind::Purposes => ("purpose", "privflow::model::unknown-purpose"),
        };
        let span = self.span(&r.referenced);
        let help = taxonomy.suggest(&r.value).unwrap_or_else(|| {
            format!("`privflow taxonomy` lists the known {noun}s; new ones go under `taxonomy: {noun}s:`")
        });
        self.error(
            Diagnostic::error(code, format!("unknown {noun} `{}`", r.value))
                .at(span, format!("not a {noun} key"))
                .with_help(help),
        );
        None
    }

    fn taxa(&mut self, taxonomy: &Taxonomy, refs: Option<&Refs>) -> Vec<TaxonId> {
        let mut out: Vec<TaxonId> = refs
            .map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| self.taxon(taxonomy, r))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn duration(&mut self, text: &Spanned<Text>) -> Option<Duration> {
        let parsed = Duration::parse(&text.value.0);
        if parsed.is_none() {
            let span = self.span(&text.referenced);
            self.error(
                Diagnostic::error(
                    "privflow::model::bad-duration",
                    format!("`{}` is not a duration", text.value.0),
                )
                .at(span, "not a duration")
                .with_help("write `0`, `12h`, `30d`, `2w`, `2y` or `indefinite`"),
            );
        }
        parsed
    }

    fn selector(
        &mut self,
        entities: &Names,
        known_categories: &[String],
        r: &Spanned<String>,
    ) -> Option<Selector> {
        let text = r.value.as_str();
        let span = self.span(&r.referenced);
        if text == "*" {
            return Some(Selector::All);
        }
        if let Some(category) = text.strip_prefix("category:") {
            if category.is_empty() {
                self.error(
                    Diagnostic::error("privflow::model::bad-selector", "empty category selector")
                        .at(span, "category name missing")
                        .with_help("write `category:<name>`, e.g. `category:advertiser`"),
                );
                return None;
            }
            if !known_categories.iter().any(|c| c == category) {
                let help = did_you_mean(category, known_categories.iter().map(String::as_str))
                    .unwrap_or_else(|| {
                        "a selector of an unused category selects nothing".to_owned()
                    });
                self.diagnostics.push(
                    Diagnostic::warning(
                        "privflow::model::unused-category",
                        format!("no entity has category `{category}`"),
                    )
                    .at(span, "selects no entity")
                    .with_help(help),
                );
            }
            return Some(Selector::Category(category.to_owned()));
        }
        if let Some(kind) = text.strip_prefix("kind:") {
            return match kind {
                "company" => Some(Selector::Kind(EntityKind::Company)),
                "data_subject" => Some(Selector::Kind(EntityKind::DataSubject)),
                "authority" => Some(Selector::Kind(EntityKind::Authority)),
                _ => {
                    let help = did_you_mean(kind, ["company", "data_subject", "authority"])
                        .unwrap_or_else(|| {
                            "the kinds are `company`, `data_subject` and `authority`".to_owned()
                        });
                    self.error(
                        Diagnostic::error(
                            "privflow::model::bad-selector",
                            format!("unknown entity kind `{kind}`"),
                        )
                        .at(span, "not an entity kind")
                        .with_help(help),
                    );
                    None
                }
            };
        }
        if let Some((prefix, _)) = text.split_once(':') {
            self.error(
                Diagnostic::error(
                    "privflow::model::bad-selector",
                    format!("unknown selector prefix `{prefix}:`"),
                )
                .at(span, "not a selector")
                .with_help("a selector is an entity id, `category:<name>`, `kind:<kind>` or `*`"),
            );
            return None;
        }
        self.resolve(entities, r, "entity", "privflow::model::unknown-entity")
            .map(|i| Selector::Entity(EntityId(i)))
    }

    fn selectors(
        &mut self,
        entities: &Names,
        categories: &[String],
        refs: Option<&Refs>,
    ) -> Vec<Selector> {
        refs.map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| self.selector(entities, categories, r))
            .collect()
    }

    fn run(&mut self, documents: Vec<(FileId, RawDocument)>) -> Option<Model> {
        // Taxonomies first: every other section refers to their keys.
        let mut field_builder = TaxonomyBuilder::new(TaxonomyKind::Fields);
        let mut purpose_builder = TaxonomyBuilder::new(TaxonomyKind::Purposes);
        let mut documents = documents;
        for (file, doc) in &mut documents {
            self.file = *file;
            let Some(taxonomy) = doc.taxonomy.take() else {
                continue;
            };
            let text = self.sources.get(*file).text.clone();
            let file = *file;
            let span_of_loc = |loc: &Location| Some(span_of(file, &text, loc));
            for (builder, map) in [
                (&mut field_builder, taxonomy.fields),
                (&mut purpose_builder, taxonomy.purposes),
            ] {
                for (key, raw) in map.unwrap_or_default().0 {
                    let span = span_of(file, &text, &key.referenced);
                    builder.define(
                        &key.value,
                        raw.unwrap_or_default(),
                        Some(span),
                        span_of_loc,
                        false,
                    );
                }
            }
        }
        let (fields, d1) = field_builder.finish();
        let (purposes, d2) = purpose_builder.finish();
        self.diagnostics.extend(d1);
        self.diagnostics.extend(d2);

        // Entities, then ownership.
        let mut entity_names = Names::new();
        let mut entities: Vec<Entity> = Vec::new();
        let mut owners: Vec<Option<Spanned<String>>> = Vec::new();
        let mut categories: Vec<String> = Vec::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for (id, raw) in doc.entities.take().unwrap_or_default().0 {
                if !self.define(
                    &mut entity_names,
                    &id,
                    "entity",
                    "privflow::model::duplicate-entity",
                ) {
                    continue;
                }
                let raw_entity = raw.value;
                let cats: Vec<String> = raw_entity
                    .categories
                    .map(|r| r.items.into_iter().map(|c| c.value).collect())
                    .unwrap_or_default();
                categories.extend(cats.iter().cloned());
                entities.push(Entity {
                    name: raw_entity.name.unwrap_or_else(|| id.value.clone()),
                    id: id.value.clone(),
                    kind: raw_entity.kind.unwrap_or_default(),
                    owned_by: None,
                    categories: cats,
                    country: raw_entity.country,
                    span: self.span(&id.referenced),
                });
                owners.push(raw_entity.owned_by);
            }
        }
        categories.sort();
        categories.dedup();
        // Owner references are resolved against the file that made them: remember it per entity.
        let entity_files: Vec<FileId> = entities.iter().map(|e| e.span.file).collect();
        for (i, owner) in owners.iter().enumerate() {
            if let Some(owner) = owner {
                self.file = entity_files[i];
                entities[i].owned_by = self
                    .resolve(
                        &entity_names,
                        owner,
                        "entity",
                        "privflow::model::unknown-entity",
                    )
                    .map(EntityId);
            }
        }
        self.check_ownership_cycles(&mut entities);

        // Systems.
        let mut system_names = Names::new();
        let mut systems: Vec<System> = Vec::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for (id, raw) in doc.systems.take().unwrap_or_default().0 {
                if !self.define(
                    &mut system_names,
                    &id,
                    "system",
                    "privflow::model::duplicate-system",
                ) {
                    continue;
                }
                let raw = raw.value;
                let operator = self.resolve(
                    &entity_names,
                    &raw.operated_by,
                    "entity",
                    "privflow::model::unknown-entity",
                );
                let retention = raw.retention.as_ref().and_then(|r| self.duration(r));
                systems.push(System {
                    name: raw.name.unwrap_or_else(|| id.value.clone()),
                    id: id.value.clone(),
                    operator: EntityId(operator.unwrap_or(0)),
                    location: raw.location.unwrap_or_default(),
                    kind: raw.kind.unwrap_or_default(),
                    ephemeral: raw.ephemeral.unwrap_or(false),
                    retention,
                    country: raw.country,
                    span: self.span(&id.referenced),
                });
            }
        }

        // Flows.
        let mut flow_names = Names::new();
        let mut flows: Vec<Flow> = Vec::new();
        let mut pair_counts: HashMap<(u32, u32), u32> = HashMap::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for raw in doc.flows.take().unwrap_or_default() {
                let span = self.span(&raw.referenced);
                let raw = raw.value;
                let from = self.resolve(
                    &system_names,
                    &raw.from,
                    "system",
                    "privflow::model::unknown-system",
                );
                let to = self.resolve(
                    &system_names,
                    &raw.to,
                    "system",
                    "privflow::model::unknown-system",
                );
                let fields_of_flow = self.taxa(&fields, Some(&raw.fields));
                if raw.fields.items.is_empty() {
                    let at = raw.fields.location.map_or(span, |l| self.span(&l));
                    self.error(
                        Diagnostic::error("privflow::model::empty-fields", "a flow must carry at least one field")
                            .at(at, "no fields")
                            .with_help("list the personal-data fields this flow moves, e.g. `[user.contact.phone_number]`"),
                    );
                }
                let purposes_of_flow = self.taxa(&purposes, raw.purposes.as_ref());
                let retention = raw.retention.as_ref().and_then(|r| self.duration(r));
                let (Some(from), Some(to)) = (from, to) else {
                    continue;
                };
                let n = pair_counts.entry((from, to)).or_insert(0);
                *n += 1;
                let id = match &raw.id {
                    Some(id) => {
                        if !self.define(
                            &mut flow_names,
                            id,
                            "flow",
                            "privflow::model::duplicate-flow",
                        ) {
                            continue;
                        }
                        id.value.clone()
                    }
                    None => {
                        let generated = format!("{}->{}#{}", raw.from.value, raw.to.value, n);
                        let as_spanned =
                            Spanned::new(generated.clone(), raw.from.referenced, raw.from.defined);
                        if !self.define(
                            &mut flow_names,
                            &as_spanned,
                            "flow",
                            "privflow::model::duplicate-flow",
                        ) {
                            continue;
                        }
                        generated
                    }
                };
                flows.push(Flow {
                    id,
                    from: SystemId(from),
                    to: SystemId(to),
                    fields: fields_of_flow,
                    purposes: purposes_of_flow,
                    protection: raw.protection.unwrap_or_default(),
                    retention,
                    condition: raw.condition,
                    role: raw.role.unwrap_or_default(),
                    note: raw.note,
                    span,
                });
            }
        }

        // Disclosures.
        let mut disclosure_names = Names::new();
        let mut disclosures = Vec::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for raw in doc.disclosures.take().unwrap_or_default() {
                let span = self.span(&raw.referenced);
                let raw = raw.value;
                if !self.define(
                    &mut disclosure_names,
                    &raw.id,
                    "disclosure",
                    "privflow::model::duplicate-disclosure",
                ) {
                    continue;
                }
                let statement = match (raw.share, raw.collect) {
                    (Some(share), None) => {
                        let s = share.value;
                        Statement::Share {
                            fields: self.taxa(&fields, Some(&s.fields)),
                            with: self.selectors(&entity_names, &categories, Some(&s.with)),
                            scope: s.scope.unwrap_or(Scope::Exact),
                            purposes: self.taxa(&purposes, s.purposes.as_ref()),
                        }
                    }
                    (None, Some(collect)) => {
                        let c = collect.value;
                        Statement::Collect {
                            fields: self.taxa(&fields, Some(&c.fields)),
                            purposes: self.taxa(&purposes, c.purposes.as_ref()),
                        }
                    }
                    (share, _) => {
                        let (message, label, help) = if share.is_some() {
                            (
                                "a disclosure has either `share` or `collect`, not both",
                                "both given",
                                "split it into two disclosures, one per statement",
                            )
                        } else {
                            (
                                "a disclosure needs `share` or `collect`",
                                "neither given",
                                "add `share: {fields: […], with: […]}` or `collect: {fields: […]}`",
                            )
                        };
                        self.error(
                            Diagnostic::error("privflow::model::bad-disclosure", message)
                                .at(self.span(&raw.id.referenced), label)
                                .with_help(help),
                        );
                        continue;
                    }
                };
                disclosures.push(Disclosure {
                    id: raw.id.value,
                    text: raw.text,
                    source: raw.source,
                    statement,
                    span,
                });
            }
        }

        // Claims.
        let mut claim_names = Names::new();
        let mut claims = Vec::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for raw in doc.claims.take().unwrap_or_default() {
                let span = self.span(&raw.referenced);
                let raw = raw.value;
                if !self.define(
                    &mut claim_names,
                    &raw.id,
                    "claim",
                    "privflow::model::duplicate-claim",
                ) {
                    continue;
                }
                if let Some(claim) = self.claim(
                    raw,
                    span,
                    &fields,
                    &purposes,
                    &entity_names,
                    &categories,
                    &system_names,
                ) {
                    claims.push(claim);
                }
            }
        }

        // Waivers.
        let scope = WaiverScope {
            claims: &claim_names,
            flows: &flow_names,
            entities: &entity_names,
            categories: &categories,
        };
        let mut waivers = Vec::new();
        for (file, doc) in &mut documents {
            self.file = *file;
            for raw in doc.waivers.take().unwrap_or_default() {
                waivers.extend(self.waiver(&raw.value, &scope, &fields, None));
            }
        }

        // The policy itself.
        let mut policy = None;
        let files: Vec<FileId> = documents.iter().map(|(f, _)| *f).collect();
        for (file, doc) in &mut documents {
            self.file = *file;
            if let Some(raw) = doc.policy.take() {
                let raw = raw.value;
                let speaker = self.resolve(
                    &entity_names,
                    &raw.speaker,
                    "entity",
                    "privflow::model::unknown-entity",
                );
                policy = Some(Policy {
                    id: raw.id.value,
                    title: raw.title,
                    version: raw.version.map(|v| v.0),
                    speaker: EntityId(speaker.unwrap_or(0)),
                    source: raw.source,
                    files: files.clone(),
                });
            }
        }
        let policy = policy?;
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        Some(canonical(Model {
            policy,
            fields,
            purposes,
            entities,
            systems,
            flows,
            claims,
            disclosures,
            waivers,
        }))
    }

    /// Resolves one waiver. A model's own waiver must name things that exist; a waiver from a
    /// `--waivers` file (`origin`) applies to the policies that have what it names and is skipped
    /// silently by the others (the file as a whole is checked against every policy).
    fn waiver(
        &mut self,
        raw: &RawWaiver,
        scope: &WaiverScope,
        fields: &Taxonomy,
        origin: Option<usize>,
    ) -> Option<Waiver> {
        // Waiver diagnostics point at the claim the waiver is for.
        let span = self.span(&raw.claim.referenced);
        let lookup = |this: &mut Self,
                      names: &Names,
                      r: &Spanned<String>,
                      what: &str,
                      code|
         -> Option<Option<u32>> {
            if r.value == "*" {
                return Some(None);
            }
            match origin {
                Some(_) => names.index.get(&r.value).map(|&i| Some(i)),
                None => this.resolve(names, r, what, code).map(Some),
            }
        };
        let claim = lookup(
            self,
            scope.claims,
            &raw.claim,
            "claim",
            "privflow::model::unknown-claim",
        );
        let flow = match &raw.flow {
            Some(f) => lookup(
                self,
                scope.flows,
                f,
                "flow",
                "privflow::model::unknown-flow",
            ),
            None => Some(None),
        };
        let field = match &raw.field {
            Some(f) if f.value == "*" => Some(None),
            Some(f) => self.taxon(fields, f).map(Some),
            None => Some(None),
        };
        let recipient = match &raw.recipient {
            Some(r) => self.selector(scope.entities, scope.categories, r).map(Some),
            None => Some(None),
        };
        let expires = raw.expires.as_ref().and_then(|e| {
            let date = Date::parse(&e.value.0);
            if date.is_none() {
                let at = self.span(&e.referenced);
                self.error(
                    Diagnostic::error(
                        "privflow::model::bad-date",
                        format!("`{}` is not a date", e.value.0),
                    )
                    .at(at, "not a date")
                    .with_help("write the date as YYYY-MM-DD, e.g. `2027-06-30`"),
                );
            }
            date
        });
        if raw.reason.trim().is_empty() {
            self.error(
                Diagnostic::error(
                    "privflow::model::waiver-without-reason",
                    "a waiver needs a reason",
                )
                .at(span, "empty `reason`")
                .with_help("say why the finding is accepted, so the next reviewer can judge it"),
            );
        }
        Some(Waiver {
            claim: claim?.map(|c| c as usize),
            flow: flow?.map(FlowId),
            field: field?,
            recipient: recipient?,
            reason: raw.reason.clone(),
            owner: raw.owner.clone(),
            ticket: raw.ticket.clone(),
            expires,
            span,
            origin,
        })
    }

    fn check_ownership_cycles(&mut self, entities: &mut [Entity]) {
        let n = entities.len();
        let mut state = vec![0u8; n]; // 0 unvisited, 1 on the current chain, 2 done
        for start in 0..n {
            let mut chain = Vec::new();
            let mut e = Some(start);
            while let Some(i) = e {
                match state[i] {
                    2 => break,
                    1 => {
                        let pos = chain.iter().position(|&c| c == i).unwrap_or(0);
                        let names: Vec<&str> = chain[pos..]
                            .iter()
                            .chain(std::iter::once(&i))
                            .map(|&c| entities[c].id.as_str())
                            .collect();
                        let span = entities[i].span;
                        self.error(
                            Diagnostic::error(
                                "privflow::model::ownership-cycle",
                                format!("entities own each other in a cycle: {}", names.join(" → ")),
                            )
                            .at(span, "part of the cycle")
                            .with_help("ownership is a tree: remove `owned_by` from one entity of the cycle"),
                        );
                        // Cut the cycle so later passes terminate.
                        entities[i].owned_by = None;
                        break;
                    }
                    _ => {
                        state[i] = 1;
                        chain.push(i);
                        e = entities[i].owned_by.map(|o| o.index());
                    }
                }
            }
            for c in chain {
                state[c] = 2;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn claim(
        &mut self,
        raw: RawClaim,
        span: Span,
        fields: &Taxonomy,
        purposes: &Taxonomy,
        entities: &Names,
        categories: &[String],
        systems: &Names,
    ) -> Option<Claim> {
        let kind = raw.kind.value;
        use ClaimKind::*;
        // Which parameters each kind takes, and which it requires.
        let given: [(&str, Option<Location>); 11] = [
            ("fields", raw.fields.as_ref().and_then(|r| r.location)),
            ("with", raw.with.as_ref().and_then(|r| r.location)),
            ("scope", raw.scope.as_ref().map(|s| s.referenced)),
            (
                "exempt_conditions",
                raw.exempt_conditions.as_ref().and_then(|r| r.location),
            ),
            (
                "processors_exempt",
                raw.processors_exempt.as_ref().map(|s| s.referenced),
            ),
            (
                "include_derived",
                raw.include_derived.as_ref().map(|s| s.referenced),
            ),
            ("purposes", raw.purposes.as_ref().and_then(|r| r.location)),
            ("endpoints", raw.endpoints.as_ref().and_then(|r| r.location)),
            ("operators", raw.operators.as_ref().and_then(|r| r.location)),
            ("max", raw.max.as_ref().map(|s| s.referenced)),
            ("at", raw.at.as_ref().and_then(|r| r.location)),
        ];
        let exclude_given = raw.exclude.as_ref().and_then(|r| r.location);
        let (allowed, required): (&[&str], &[&str]) = match kind {
            NoShare => (
                &[
                    "fields",
                    "with",
                    "scope",
                    "exempt_conditions",
                    "processors_exempt",
                    "include_derived",
                ],
                &["fields", "with"],
            ),
            NoCollect => (
                &["fields", "exempt_conditions", "include_derived"],
                &["fields"],
            ),
            OnlyForPurposes => (
                &["fields", "purposes", "exempt_conditions", "include_derived"],
                &["fields", "purposes"],
            ),
            E2ee => (&["fields", "endpoints"], &["fields", "endpoints"]),
            OperatorCannotRead => (
                &["fields", "operators", "scope", "include_derived"],
                &["fields"],
            ),
            RetentionMax => (
                &["fields", "max", "at", "scope", "include_derived"],
                &["fields", "max"],
            ),
            NoLogs => (&["fields", "at", "scope", "include_derived"], &["fields"]),
            NoExpansion => (&["fields", "with", "scope", "include_derived"], &["with"]),
            DisclosureComplete => (&["scope"], &[]),
        };
        let mut ok = true;
        let mut params: Vec<(&str, Option<Location>)> = given.to_vec();
        params.push(("exclude", exclude_given));
        let allowed_with_exclude =
            |p: &str| allowed.contains(&p) || (p == "exclude" && kind == DisclosureComplete);
        for (name, loc) in &params {
            if let Some(loc) = loc
                && !allowed_with_exclude(name)
            {
                let at = self.span(loc);
                let mut list: Vec<&str> = allowed.to_vec();
                if kind == DisclosureComplete {
                    list.push("exclude");
                }
                self.error(
                    Diagnostic::error(
                        "privflow::model::parameter-not-for-kind",
                        format!("`{name}` does not apply to a `{}` claim", kind.as_str()),
                    )
                    .at(at, "not a parameter of this kind")
                    .with_help(format!(
                        "a `{}` claim takes {}",
                        kind.as_str(),
                        list.iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                ok = false;
            }
        }
        for name in required {
            if params.iter().any(|(p, loc)| p == name && loc.is_none()) {
                self.error(
                    Diagnostic::error(
                        "privflow::model::missing-parameter",
                        format!("a `{}` claim needs `{name}`", kind.as_str()),
                    )
                    .at(self.span(&raw.id.referenced), format!("`{name}` missing"))
                    .with_help(format!("add `{name}:` to claim `{}`", raw.id.value)),
                );
                ok = false;
            }
        }
        let claim_fields = self.taxa(fields, raw.fields.as_ref());
        let claim_purposes = self.taxa(purposes, raw.purposes.as_ref());
        let with = self.selectors(entities, categories, raw.with.as_ref());
        let operators = self.selectors(entities, categories, raw.operators.as_ref());
        let at = self.selectors(entities, categories, raw.at.as_ref());
        let exclude = self.selectors(entities, categories, raw.exclude.as_ref());
        let endpoints: Vec<SystemId> = raw
            .endpoints
            .as_ref()
            .map_or(&[][..], |r| &r.items)
            .iter()
            .filter_map(|r| {
                self.resolve(systems, r, "system", "privflow::model::unknown-system")
                    .map(SystemId)
            })
            .collect();
        let max = raw.max.as_ref().and_then(|m| self.duration(m));
        if !ok {
            return None;
        }
        Some(Claim {
            id: raw.id.value,
            kind,
            text: raw.text,
            source: raw.source,
            span,
            fields: claim_fields,
            with,
            scope: raw.scope.map(|s| s.value),
            exempt_conditions: raw
                .exempt_conditions
                .map(|r| r.items.into_iter().map(|c| c.value).collect())
                .unwrap_or_default(),
            processors_exempt: raw.processors_exempt.is_some_and(|b| b.value),
            include_derived: raw.include_derived.is_some_and(|b| b.value),
            purposes: claim_purposes,
            endpoints,
            operators,
            max,
            at,
            exclude,
        })
    }
}

/// The model section that defines things of kind `what`.
fn section_of(what: &str) -> &'static str {
    match what {
        "entity" => "entities",
        "system" => "systems",
        "flow" => "flows",
        "claim" => "claims",
        _ => "disclosures",
    }
}

/// Orders entities, systems and flows by id and rewrites every reference to them, so that
/// indices — and with them tie-breaks between equally short paths and the order of output — never
/// depend on the order of files, map keys or list items.
fn canonical(mut model: Model) -> Model {
    fn order<T>(items: &mut Vec<T>, id: impl Fn(&T) -> &str) -> Vec<u32> {
        let mut perm: Vec<usize> = (0..items.len()).collect();
        perm.sort_by(|&a, &b| id(&items[a]).cmp(id(&items[b])));
        let mut new_index = vec![0u32; items.len()];
        for (new, &old) in perm.iter().enumerate() {
            new_index[old] = new as u32;
        }
        let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
        items.extend(perm.iter().filter_map(|&old| slots[old].take()));
        new_index
    }
    let entity = order(&mut model.entities, |e| &e.id);
    let system = order(&mut model.systems, |s| &s.id);
    let flow = order(&mut model.flows, |f| &f.id);
    let e = |id: EntityId| EntityId(entity[id.index()]);
    let selectors = |list: &mut Vec<Selector>| {
        for s in list {
            if let Selector::Entity(id) = s {
                *id = e(*id);
            }
        }
    };
    model.policy.speaker = e(model.policy.speaker);
    for x in &mut model.entities {
        x.owned_by = x.owned_by.map(e);
    }
    for s in &mut model.systems {
        s.operator = e(s.operator);
    }
    for f in &mut model.flows {
        f.from = SystemId(system[f.from.index()]);
        f.to = SystemId(system[f.to.index()]);
    }
    for c in &mut model.claims {
        selectors(&mut c.with);
        selectors(&mut c.operators);
        selectors(&mut c.at);
        selectors(&mut c.exclude);
        for s in &mut c.endpoints {
            *s = SystemId(system[s.index()]);
        }
    }
    for d in &mut model.disclosures {
        if let Statement::Share { with, .. } = &mut d.statement {
            selectors(with);
        }
    }
    for w in &mut model.waivers {
        w.flow = w.flow.map(|f| FlowId(flow[f.index()]));
        if let Some(Selector::Entity(id)) = &mut w.recipient {
            *id = e(*id);
        }
    }
    model
}

/// Resolves the waivers of a `--waivers` file against one validated model: the ones whose claim
/// and flow exist in it (or are `*`) are returned; `first_origin` numbers them across files.
pub fn external_waivers(
    model: &Model,
    sources: &Sources,
    file: FileId,
    raws: &[Spanned<RawWaiver>],
    first_origin: usize,
) -> (Vec<Waiver>, Vec<Diagnostic>) {
    let mut v = Validator {
        sources,
        diagnostics: Vec::new(),
        file,
    };
    let claims = Names::of(model.claims.iter().map(|c| (c.id.as_str(), c.span)));
    let flows = Names::of(model.flows.iter().map(|f| (f.id.as_str(), f.span)));
    let entities = Names::of(model.entities.iter().map(|e| (e.id.as_str(), e.span)));
    let mut categories: Vec<String> = model
        .entities
        .iter()
        .flat_map(|e| e.categories.iter().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    let scope = WaiverScope {
        claims: &claims,
        flows: &flows,
        entities: &entities,
        categories: &categories,
    };
    let waivers = raws
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| v.waiver(&raw.value, &scope, &model.fields, Some(first_origin + i)))
        .collect();
    (waivers, v.diagnostics)
}
