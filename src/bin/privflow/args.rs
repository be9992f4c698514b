//! The command line as clap defines it: the commands (each command's own flags sit in its file)
//! and the values several commands share. Help, man page and completions come from these types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use privflow::AuditOptions;
use privflow::engine::disclosures::verdict::ConflictMode;
use privflow::model::duration::Date;

use super::{
    artifact, audit, baseline, check, completions, diff, explain, graph, import, report, schema,
    taxonomy,
};

#[derive(Parser)]
#[command(
    name = "privflow",
    version,
    about = "Audit privacy promises against data flows."
)]
#[command(
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, \
2 usage or model error (nothing audited), 3 internal error."
)]
pub(crate) struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Load, validate and check every claim: the main job.
    Audit(audit::Args),
    /// Record the current findings and receipts as accepted, for `audit --baseline-file`.
    Baseline {
        #[command(subcommand)]
        action: baseline::Action,
    },
    /// Compare two versions of a policy: what changes about who receives what.
    ///
    /// Each side is a file, a directory or `git:REV:PATH`; or give `--base REV PATH…` for the
    /// same paths at a git revision.
    Diff(diff::Args),
    /// An audit report for a privacy review, as Markdown (with a Mermaid diagram), one
    /// self-contained HTML page (with an SVG diagram) or JSON: summary, promises and findings, a
    /// record of processing and a reach matrix.
    Report(report::Args),
    /// The flow graph as Graphviz DOT, Mermaid, JSON or SVG, one document for all policies:
    /// systems boxed by company group, flows labelled with their fields, ciphertext dashed, flows
    /// that break a promise in red.
    Graph(graph::Args),
    /// Load and validate only.
    Check(check::Args),
    /// Compile a document a privacy review hands in from the flows: `privflow artifact ropa
    /// policies/` writes the GDPR Article 30 record of processing.
    Artifact {
        #[command(subcommand)]
        kind: artifact::Kind,
    },
    /// Translate another tool's manifests into a privflow model: `privflow import fides
    /// fides.yml -o model.yaml`, then `privflow check model.yaml`.
    Import {
        #[command(subcommand)]
        source: import::Source,
    },
    /// Explain why a claim, disclosure, system, entity or field stands as it does: every path and
    /// every deciding statement.
    Explain(explain::Args),
    /// Print the JSON Schema (draft-07) of the policy format, for editors; `--output` prints the
    /// schema of `audit --format json` instead.
    Schema(schema::Args),
    /// Print a shell completion script: `privflow completions bash > /etc/bash_completion.d/privflow`.
    Completions(completions::Args),
    /// Print the man page (roff): `privflow man > privflow.1`; `--out-dir DIR` writes one page
    /// per command (`privflow-audit.1`, …).
    Man(completions::ManArgs),
    /// Print the built-in field and purpose taxonomies as trees.
    Taxonomy(taxonomy::Args),
}

/// The models a command reads: paths, and which of their policies.
#[derive(clap::Args)]
pub(crate) struct Inputs {
    /// Model files or directories of them.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) select: Select,
}

/// Which policy of the loaded ones, and whether to say what a walk skipped.
#[derive(clap::Args)]
pub(crate) struct Select {
    /// Only the policy with this `policy.id` among those the paths hold.
    #[arg(long, value_name = "ID")]
    pub(crate) policy: Option<String>,
    /// Name the YAML files a directory walk skips as not privflow's.
    #[arg(long, short)]
    pub(crate) verbose: bool,
}

/// How many findings a command lists; the rest are counted, with a note.
#[derive(clap::Args, Clone, Copy)]
pub(crate) struct Caps {
    /// Findings listed per claim, or `all`; the rest are counted, not listed.
    #[arg(long, value_name = "N", value_parser = parse_cap, default_value = "1000")]
    pub(crate) max_findings: Cap,
    /// Findings listed per run across every policy, or `all`.
    #[arg(long, value_name = "N", value_parser = parse_cap, default_value = "10000")]
    pub(crate) max_findings_total: Cap,
}

/// A cap on listed findings (`None`: every one).
#[derive(Clone, Copy)]
pub(crate) struct Cap(Option<usize>);

fn parse_cap(s: &str) -> Result<Cap, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(Cap(None));
    }
    s.parse()
        .map(|n| Cap(Some(n)))
        .map_err(|_| format!("`{s}` is not a number of findings (or `all`)"))
}

impl Caps {
    pub(crate) fn listing(self) -> privflow::Listing {
        privflow::Listing {
            per_claim: self.max_findings.0,
            per_run: self.max_findings_total.0,
        }
    }
}

/// Output format of commands that print either text for people or JSON.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
}

/// The `--fail-on` ladder, most severe first: a level fails on itself and everything above.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOnArg {
    /// A claim is violated.
    Violated,
    /// A receipt contradicts a negative claim.
    Incorrect,
    /// A receipt is not disclosed at all.
    Omitted,
    /// A claim is possibly violated.
    Possible,
    /// A receipt is covered by conflicting statements.
    Ambiguous,
    /// A receipt is disclosed only in broad terms.
    Vague,
    /// A claim cannot be decided from the model.
    Undetermined,
    /// Never fail (exit 0 unless the model is broken).
    Never,
}

impl FailOnArg {
    pub(crate) fn threshold(self) -> privflow::FailOn {
        use privflow::FailOn;
        match self {
            FailOnArg::Violated => FailOn::Violated,
            FailOnArg::Incorrect => FailOn::Incorrect,
            FailOnArg::Omitted => FailOn::Omitted,
            FailOnArg::Possible => FailOn::Possible,
            FailOnArg::Ambiguous => FailOn::Ambiguous,
            FailOnArg::Vague => FailOn::Vague,
            FailOnArg::Undetermined => FailOn::Undetermined,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ConflictArg {
    /// The most specific statement wins (narrower field, then fewer entities).
    Specific,
    /// Every overlap of a disclosure and a negative claim is ambiguous.
    Strict,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub(crate) fn audit_options(conflict: ConflictArg, today: Option<Date>) -> AuditOptions {
    AuditOptions {
        strict: false,
        today: today.unwrap_or_else(Date::today),
        listing: privflow::Listing::default(),
        conflict: match conflict {
            ConflictArg::Specific => ConflictMode::Specific,
            ConflictArg::Strict => ConflictMode::Strict,
        },
    }
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}
