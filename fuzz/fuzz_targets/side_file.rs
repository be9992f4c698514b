//! libFuzzer target `side_file`: see `harness::side_file` for what it does with its bytes.
//! Run with `cargo +nightly fuzz run side_file` from the repository root.

#![no_main]

// Each target calls one entry point of the shared harness.
#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::side_file(data));
