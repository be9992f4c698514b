//! privflow audits privacy promises against data flows: it loads a YAML model of who sends which
//! personal data where, follows every field across every hop, and reports each broken promise.
//!
//! The pipeline reads top to bottom: [`loader`] (files to spanned raw documents, then the
//! validation pass to a [`model::Model`]) → [`graph`] (per-field reach) → [`claims`] (one module
//! per claim kind) → [`receipts`] and [`verdict`] (what the policy discloses) → [`audit`]
//! (waivers, statuses) → [`report`] (table, JSON). The library never
//! prints; the `privflow` binary decides what goes to stdout and stderr.

pub mod baseline;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod model;
pub mod output;

pub use engine::audit::{AuditOptions, FailOn, audit};
pub use model::loader::{LoadFailure, Workspace, load};

/// Audits every policy of a loaded workspace into a run that any report can render.
pub fn audit_workspace(workspace: &Workspace, options: AuditOptions) -> output::AuditRun<'_> {
    let audits: Vec<_> = workspace
        .models
        .iter()
        .map(|m| engine::audit::audit(m, options))
        .collect();
    let mut diagnostics = workspace.warnings.clone();
    for a in &audits {
        diagnostics.extend(a.diagnostics.iter().cloned());
    }
    // Waivers from `--waivers` files are judged across every policy: expired once, and stale
    // only when no policy has a finding they match.
    for (origin, waiver) in workspace.external_waivers.iter().enumerate() {
        let subject = if waiver.claim == "*" {
            "every claim".to_owned()
        } else {
            format!("claim `{}`", waiver.claim)
        };
        match waiver.expires {
            Some(expires) if expires < options.today => {
                diagnostics.push(engine::audit::expired_diagnostic(
                    &subject,
                    expires,
                    waiver.span,
                ));
            }
            _ if !audits
                .iter()
                .any(|a| a.matched_external_waivers.contains(&origin)) =>
            {
                diagnostics.push(engine::audit::stale_diagnostic(
                    &subject,
                    waiver.span,
                    options.strict,
                ));
            }
            _ => {}
        }
    }
    diagnostics::sort(&mut diagnostics);
    output::AuditRun {
        sources: &workspace.sources,
        audits,
        diagnostics,
        baseline: None,
        strict: options.strict,
    }
}
