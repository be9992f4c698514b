//! libFuzzer target `model`: see `harness::model` for what it does with its bytes.
//! Run with `cargo +nightly fuzz run model` from the repository root.

#![no_main]

// Each target calls one entry point of the shared harness.
#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::model(data));
