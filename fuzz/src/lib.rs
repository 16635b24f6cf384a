//! The fuzz target bodies, kept in one file that both the libFuzzer
//! binaries (`fuzz_targets/*.rs`) and the stable replay test
//! (`crates/ues-data/tests/fuzz_corpus.rs`, through `#[path]`) compile, so
//! the committed corpus exercises exactly what the fuzzer does.

#[path = "targets.rs"]
mod targets;

pub use targets::{car_read, cbor_decode, cid_parse};
