//! privflow audits privacy promises against data flows: it loads a YAML model of who sends which
//! personal data where, follows every field across every hop, and reports each broken promise.
//!
//! The pipeline is the folder layout, read top to bottom; each stage uses only those above it:
//!
//! - [`inert`] and [`diagnostics`]: text made safe to show, located problems and their
//!   rendering, at the ground;
//! - [`model`]: files → spanned raw documents → the validated [`model::Model`] of each policy;
//! - [`engine`]: per-key reach → receipts and their disclosure verdicts → claims → the audit of
//!   each policy ([`engine::audit`]) and of the workspace ([`engine::run`]);
//! - [`baseline`] and [`diff`]: comparisons of runs — with accepted results, with a base version;
//! - [`import`]: other tools' manifests (Fides) → privflow model text, beside the pipeline;
//! - [`output`]: every rendering — table, JSON, SARIF, JUnit, GitHub, Markdown, the report
//!   document and HTML page, `explain`, graph exports, diff outputs, schemas.
//!
//! The library never prints; the `privflow` binary decides what goes to stdout and stderr.

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod baseline;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod import;
pub mod inert;
pub mod model;
pub mod output;

pub use engine::audit::{AuditOptions, FailOn, Listing, audit};
pub use engine::run::{AuditRun, audit_workspace};
pub use model::loader::{LoadFailure, Workspace, load};
