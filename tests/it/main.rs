//! Integration tests of the `privflow` binary: one test binary, topical modules.
//! Each test runs the real command on files under `fixtures/` or `policies/`.

mod artifact;
mod bad_input;
mod bounded_io;
mod browser;
mod ci_formats;
mod claims;
mod commands;
mod diff;
mod disclosures;
mod editor;
mod explain;
mod fuzz_regressions;
#[path = "../../benches/generate.rs"]
mod generate;
mod geometry;
mod graph;
mod hostile;
mod import;
mod install;
mod large;
mod listing;
mod properties;
mod report;
mod scale;
mod semantics;
mod support;
mod taxonomy;
mod workflows;
