//! After validation, every string of a model has its control characters shown as symbols
//! (crate::inert), so that no output can carry them; each item changed is a located warning.

use super::{Model, Selector, Statement};
use crate::diagnostics::{Diagnostic, Span};
use crate::inert::make_visible as shown;

/// Makes `model`'s text inert; warns once per entity, system, flow, claim, disclosure, waiver or
/// taxon that held a control character.
pub fn make_visible(model: &mut Model) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let mut warn = |what: &str, id: &str, span: Span| {
        warnings.push(
            Diagnostic::warning(
                "privflow::lint::control-character",
                format!(
                    "{what} `{id}` holds control characters; every output shows them as symbols"
                ),
            )
            .at(span, "control characters in here")
            .with_help("write the text without escapes such as `\\e`, `\\a` or `\\r`"),
        );
    };
    let policy = &mut model.policy;
    let optional = |s: &mut Option<String>| s.as_mut().is_some_and(shown);
    let changed = shown(&mut policy.id)
        | optional(&mut policy.title)
        | optional(&mut policy.version)
        | optional(&mut policy.source);
    if let (true, Some(&file)) = (changed, policy.files.first()) {
        warn("policy", &policy.id, Span::file_start(file));
    }
    for e in &mut model.entities {
        if shown(&mut e.id) | shown(&mut e.name) | all(&mut e.categories) | optional(&mut e.country)
        {
            warn("entity", &e.id, e.span);
        }
    }
    for s in &mut model.systems {
        if shown(&mut s.id) | shown(&mut s.name) | optional(&mut s.country) {
            warn("system", &s.id, s.span);
        }
    }
    for f in &mut model.flows {
        if shown(&mut f.id) | optional(&mut f.condition) | optional(&mut f.note) {
            warn("flow", &f.id, f.span);
        }
    }
    for c in &mut model.claims {
        let selectors = [&mut c.with, &mut c.operators, &mut c.at, &mut c.exclude]
            .into_iter()
            .fold(false, |changed, list| selectors(list) | changed);
        if shown(&mut c.id)
            | optional(&mut c.text)
            | optional(&mut c.source)
            | all(&mut c.exempt_conditions)
            | selectors
        {
            warn("claim", &c.id, c.span);
        }
    }
    for d in &mut model.disclosures {
        let with = match &mut d.statement {
            Statement::Share { with, .. } => selectors(with),
            Statement::Collect { .. } => false,
        };
        if shown(&mut d.id) | optional(&mut d.text) | optional(&mut d.source) | with {
            warn("disclosure", &d.id, d.span);
        }
    }
    for w in &mut model.waivers {
        let recipient = w.recipient.as_mut().is_some_and(selector);
        if shown(&mut w.reason) | optional(&mut w.owner) | optional(&mut w.ticket) | recipient {
            warn("waiver", &w.reason, w.span);
        }
    }
    for taxonomy in [&mut model.fields, &mut model.purposes] {
        let noun = taxonomy.kind.noun();
        for (key, span) in taxonomy.make_visible() {
            if let Some(span) = span {
                warn(noun, &key, span);
            }
        }
    }
    warnings
}

fn all(list: &mut [String]) -> bool {
    list.iter_mut().fold(false, |changed, s| shown(s) | changed)
}

fn selectors(list: &mut [Selector]) -> bool {
    list.iter_mut()
        .fold(false, |changed, s| selector(s) | changed)
}

fn selector(s: &mut Selector) -> bool {
    match s {
        Selector::Category(name) => shown(name),
        _ => false,
    }
}
