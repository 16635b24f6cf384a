//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same target bodies the libFuzzer binaries run (`fuzz/src/targets.rs`):
//! the stable-toolchain harness for the fuzz targets. Native only (it reads
//! the corpus from disk).
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../../fuzz/src/targets.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Run `body` on every file of `fuzz/<set>/<target>/`; panics naming the
/// files that made it panic. Returns how many files were replayed.
fn replay(set: &str, target: &str, body: fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(set)
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut failed = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| body(&bytes))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: panicked on {failed:?}");
    files.len()
}

/// Replay the committed corpus of `target`, which must hold seeds.
fn corpus(target: &str, body: fn(&[u8])) {
    let n = replay("corpus", target, body);
    assert!(n >= 10, "{target}: corpus has only {n} files");
}

#[test]
fn car_read_corpus() {
    corpus("car_read", targets::car_read);
}

#[test]
fn cbor_decode_corpus() {
    corpus("cbor_decode", targets::cbor_decode);
}

#[test]
fn cid_parse_corpus() {
    corpus("cid_parse", targets::cid_parse);
}
