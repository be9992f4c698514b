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
pub use engine::run::{AuditRun, audit_workspace};
pub use model::loader::{LoadFailure, Workspace, load};
