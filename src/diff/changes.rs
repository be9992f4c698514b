//! What every check of the diff shares: both sides, the collector that levels and fingerprints each
//! change, where a change is written on either side, and items of both versions paired by id.

use std::collections::BTreeMap;

use super::{Change, Check, Fact, Level, Levels, Location, Side};
use crate::diagnostics::Span;
use crate::engine::finding::fingerprint_of;
use crate::model::taxonomy::TaxonId;
use crate::model::{Model, SystemId};

/// Both versions and the changes found so far, leveled as they are pushed.
pub struct Changes<'a> {
    pub base: Side<'a>,
    pub revision: Side<'a>,
    levels: &'a Levels,
    out: Vec<Change>,
}

/// What a change is about, besides its check and message.
#[derive(Default)]
pub struct About {
    pub entity: Option<String>,
    pub field: Option<String>,
    pub path: Vec<String>,
    pub base: Option<Location>,
    pub revision: Option<Location>,
    pub fact: Option<Fact>,
}

impl<'a> Changes<'a> {
    pub fn new(base: Side<'a>, revision: Side<'a>, levels: &'a Levels) -> Changes<'a> {
        Changes {
            base,
            revision,
            levels,
            out: Vec::new(),
        }
    }

    /// The base model and the revision's.
    pub fn models(&self) -> (&'a Model, &'a Model) {
        (self.base.audit.model, self.revision.audit.model)
    }

    /// Records a change at its check's default level. `key` names what changed, so that the
    /// change keeps its id whatever else moves.
    pub fn push(&mut self, check: Check, key: &str, message: String, about: About) {
        self.push_at(check, check.default_level(), key, message, about);
    }

    /// Records a change at `level` unless `--levels` re-levels or silences its check.
    pub fn push_at(
        &mut self,
        check: Check,
        level: Level,
        key: &str,
        message: String,
        about: About,
    ) {
        let Some(level) = self.levels.level(check, level) else {
            return;
        };
        self.out.push(Change {
            id: fingerprint_of(&format!("{}|{key}", check.id())),
            check,
            level,
            message,
            entity: about.entity,
            field: about.field,
            path: about.path,
            base_location: about.base,
            revision_location: about.revision,
            breaks: Vec::new(),
            fact: about.fact,
        });
    }

    /// Folds a claim's new finding into the change that causes it, if one was recorded: the
    /// change then names the claim in `breaks` and takes the finding's level when that is higher
    /// (SPEC §7: one fact, one change). Returns whether it found one.
    pub fn fold(&mut self, facts: &[Fact], claim: &str, level: Level) -> bool {
        let found = facts
            .iter()
            .find_map(|fact| self.out.iter().position(|c| c.fact.as_ref() == Some(fact)));
        let Some(index) = found else {
            return false;
        };
        let cause = &mut self.out[index];
        if !cause.breaks.iter().any(|b| b == claim) {
            cause.breaks.push(claim.to_owned());
            cause.breaks.sort();
        }
        cause.level = cause.level.max(level);
        true
    }

    /// The level a change of `check` would have, unless silenced.
    pub fn level_of(&self, check: Check, default: Level) -> Option<Level> {
        self.levels.level(check, default)
    }

    /// Where `span` of the base is written.
    pub fn in_base(&self, span: Span) -> Option<Location> {
        Some(location(self.base, span))
    }

    /// Where `span` of the revision is written.
    pub fn in_revision(&self, span: Span) -> Option<Location> {
        Some(location(self.revision, span))
    }

    /// A change about something only the base has.
    pub fn removed(&self, span: Span) -> About {
        About {
            base: self.in_base(span),
            ..About::default()
        }
    }

    /// A change about something only the revision has.
    pub fn added(&self, span: Span) -> About {
        About {
            revision: self.in_revision(span),
            ..About::default()
        }
    }

    /// A change about something both versions have.
    pub fn changed(&self, base: Span, revision: Span) -> About {
        About {
            base: self.in_base(base),
            revision: self.in_revision(revision),
            ..About::default()
        }
    }

    /// Every change, most severe first, then by check and message.
    pub fn finish(self) -> Vec<Change> {
        let mut out = self.out;
        out.sort_by(|x, y| {
            (std::cmp::Reverse(x.level), x.check, &x.message).cmp(&(
                std::cmp::Reverse(y.level),
                y.check,
                &y.message,
            ))
        });
        out
    }
}

fn location(side: Side, span: Span) -> Location {
    Location {
        file: side.sources.path(span.file).to_owned(),
        line: span.line,
        column: span.column,
    }
}

/// One item as the two versions have it.
pub enum Pair<'a, T> {
    Added(&'a T),
    Removed(&'a T),
    Both(&'a T, &'a T),
}

/// The items of both versions paired by id, in id order.
pub fn pair_by_id<'a, T>(
    base: &'a [T],
    revision: &'a [T],
    id: impl Fn(&'a T) -> &'a str,
) -> Vec<(&'a str, Pair<'a, T>)> {
    let keyed = |items: &'a [T]| items.iter().map(|x| (id(x), x)).collect::<Vec<_>>();
    pair_by_key(keyed(base), keyed(revision))
}

/// Items of both versions paired by a key that is the same across versions, in key order.
pub fn pair_by_key<'a, K: Ord, T>(
    base: Vec<(K, &'a T)>,
    revision: Vec<(K, &'a T)>,
) -> Vec<(K, Pair<'a, T>)> {
    let mut pairs: BTreeMap<K, (Option<&'a T>, Option<&'a T>)> = BTreeMap::new();
    for (k, b) in base {
        pairs.entry(k).or_default().0 = Some(b);
    }
    for (k, r) in revision {
        pairs.entry(k).or_default().1 = Some(r);
    }
    pairs
        .into_iter()
        .filter_map(|(k, pair)| {
            let pair = match pair {
                (Some(b), Some(r)) => Pair::Both(b, r),
                (Some(b), None) => Pair::Removed(b),
                (None, Some(r)) => Pair::Added(r),
                (None, None) => return None,
            };
            Some((k, pair))
        })
        .collect()
}

/// Systems as ids, a witness path as people read it.
pub fn path_of(model: &Model, systems: &[SystemId]) -> Vec<String> {
    model
        .system_ids(systems)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Field keys, in list order.
pub fn field_keys(model: &Model, list: &[TaxonId]) -> Vec<String> {
    list.iter()
        .map(|&k| model.fields.key(k).to_owned())
        .collect()
}

/// Purpose keys, in list order.
pub fn purpose_keys(model: &Model, list: &[TaxonId]) -> Vec<String> {
    list.iter()
        .map(|&k| model.purposes.key(k).to_owned())
        .collect()
}
