//! The checks `privflow diff` reports, each with a stable id and a default level, and the
//! `--levels` file that re-levels them (or silences them with `none`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::span::Spanned;
use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::model::files::Budget;
use crate::model::loader::LoadFailure;
use crate::model::raw::SpannedMap;
use crate::model::side_file::SideFile;

/// How serious a change is, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// Every check of `privflow diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    ReachExpanded,
    ReachNarrowed,
    FlowAdded,
    FlowRemoved,
    PurposeAdded,
    ProtectionWeakened,
    RetentionIncreased,
    ClaimRemoved,
    ClaimWeakened,
    ClaimAdded,
    ClaimStrengthened,
    FindingNew,
    FindingResolved,
    NoExpansionBroken,
    DisclosureAdded,
    DisclosureRemoved,
    EntityAdded,
    EntityRemoved,
    SystemAdded,
    SystemRemoved,
    SpeakerChanged,
    EntityChanged,
    SystemChanged,
    FlowChanged,
    DisclosureChanged,
    ReceiptUndisclosed,
    PolicyAdded,
    PolicyRemoved,
}

pub const ALL: [Check; 28] = [
    Check::ReachExpanded,
    Check::ReachNarrowed,
    Check::FlowAdded,
    Check::FlowRemoved,
    Check::PurposeAdded,
    Check::ProtectionWeakened,
    Check::RetentionIncreased,
    Check::ClaimRemoved,
    Check::ClaimWeakened,
    Check::ClaimAdded,
    Check::ClaimStrengthened,
    Check::FindingNew,
    Check::FindingResolved,
    Check::NoExpansionBroken,
    Check::DisclosureAdded,
    Check::DisclosureRemoved,
    Check::EntityAdded,
    Check::EntityRemoved,
    Check::SystemAdded,
    Check::SystemRemoved,
    Check::SpeakerChanged,
    Check::EntityChanged,
    Check::SystemChanged,
    Check::FlowChanged,
    Check::DisclosureChanged,
    Check::ReceiptUndisclosed,
    Check::PolicyAdded,
    Check::PolicyRemoved,
];

impl Check {
    pub fn id(self) -> &'static str {
        match self {
            Check::ReachExpanded => "reach-expanded",
            Check::ReachNarrowed => "reach-narrowed",
            Check::FlowAdded => "flow-added",
            Check::FlowRemoved => "flow-removed",
            Check::PurposeAdded => "purpose-added",
            Check::ProtectionWeakened => "protection-weakened",
            Check::RetentionIncreased => "retention-increased",
            Check::ClaimRemoved => "claim-removed",
            Check::ClaimWeakened => "claim-weakened",
            Check::ClaimAdded => "claim-added",
            Check::ClaimStrengthened => "claim-strengthened",
            Check::FindingNew => "finding-new",
            Check::FindingResolved => "finding-resolved",
            Check::NoExpansionBroken => "no-expansion-broken",
            Check::DisclosureAdded => "disclosure-added",
            Check::DisclosureRemoved => "disclosure-removed",
            Check::EntityAdded => "entity-added",
            Check::EntityRemoved => "entity-removed",
            Check::SystemAdded => "system-added",
            Check::SystemRemoved => "system-removed",
            Check::SpeakerChanged => "speaker-changed",
            Check::EntityChanged => "entity-changed",
            Check::SystemChanged => "system-changed",
            Check::FlowChanged => "flow-changed",
            Check::DisclosureChanged => "disclosure-changed",
            Check::ReceiptUndisclosed => "receipt-undisclosed",
            Check::PolicyAdded => "policy-added",
            Check::PolicyRemoved => "policy-removed",
        }
    }

    /// The level of SPEC §7 (`reach-expanded` is decided per change: see `diff`).
    pub fn default_level(self) -> Level {
        match self {
            Check::ReachExpanded
            | Check::FlowAdded
            | Check::RetentionIncreased
            | Check::DisclosureRemoved => Level::Warning,
            Check::SpeakerChanged => Level::Warning,
            Check::PurposeAdded
            | Check::ProtectionWeakened
            | Check::ClaimRemoved
            | Check::ReceiptUndisclosed
            | Check::PolicyRemoved
            | Check::ClaimWeakened
            | Check::FindingNew
            | Check::NoExpansionBroken => Level::Error,
            Check::ReachNarrowed
            | Check::FlowRemoved
            | Check::ClaimAdded
            | Check::ClaimStrengthened
            | Check::FindingResolved
            | Check::DisclosureAdded
            | Check::EntityAdded
            | Check::EntityRemoved
            | Check::SystemAdded
            | Check::SystemRemoved
            | Check::EntityChanged
            | Check::SystemChanged
            | Check::FlowChanged
            | Check::DisclosureChanged
            | Check::PolicyAdded => Level::Info,
        }
    }

    pub fn from_id(id: &str) -> Option<Check> {
        ALL.iter().copied().find(|c| c.id() == id)
    }
}

/// Levels chosen by the user: a check mapped to a level, or to `None` to silence it.
#[derive(Clone, Debug, Default)]
pub struct Levels(BTreeMap<Check, Option<Level>>);

impl Levels {
    /// Reads a `--levels` file: YAML, `check-id: error|warning|info|none` per line; an unknown
    /// check or level is an error located at it.
    pub fn read(path: &Path, budget: &mut Budget) -> Result<Levels, LoadFailure> {
        let side = SideFile::read(path, budget)?;
        let raw: SpannedMap<Spanned<String>> = side.yaml()?;
        let mut levels = BTreeMap::new();
        let mut problems = Vec::new();
        for (id, level) in raw.0 {
            let Some(check) = Check::from_id(&id.value) else {
                let ids: Vec<&str> = ALL.iter().map(|c| c.id()).collect();
                let hint = crate::diagnostics::did_you_mean(&id.value, ids.iter().copied())
                    .unwrap_or_else(|| format!("the checks are {}", ids.join(", ")));
                problems.push(
                    Diagnostic::error(
                        "privflow::levels::unknown-check",
                        format!("unknown diff check `{}`", id.value),
                    )
                    .at(side.span(&id.at), "not a diff check")
                    .with_help(hint),
                );
                continue;
            };
            let level = match level.value.as_str() {
                "error" => Some(Level::Error),
                "warning" => Some(Level::Warning),
                "info" => Some(Level::Info),
                "none" => None,
                other => {
                    problems.push(
                        Diagnostic::error(
                            "privflow::levels::unknown-level",
                            format!("`{other}` is not a level for `{}`", id.value),
                        )
                        .at(side.span(&level.at), "not a level")
                        .with_help("use error, warning, info or none"),
                    );
                    continue;
                }
            };
            levels.insert(check, level);
        }
        if problems.is_empty() {
            Ok(Levels(levels))
        } else {
            Err(side.failure(problems))
        }
    }

    /// The level of a change of `check` whose default is `default`; `None` silences it.
    pub fn level(&self, check: Check, default: Level) -> Option<Level> {
        self.0.get(&check).copied().unwrap_or(Some(default))
    }
}
