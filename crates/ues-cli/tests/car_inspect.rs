//! `ues car inspect` over a fixture CAR, a corrupted copy, a truncated copy
//! and a missing file.

use std::path::PathBuf;
use std::process::{Command, Output};

const FIXTURE: &str = "mst-test-suite/cars/exhaustive/exhaustive_001.car";

fn ues(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ues"))
        .args(args)
        .output()
        .expect("run ues")
}

/// Write `bytes` to a fresh file in the target's temp dir.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("car_inspect");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Run on a bad file: non-zero exit, nothing on stdout, one line on stderr
/// containing `needle`, no panic.
fn assert_fails(path: &str, needle: &str) {
    let out = ues(&["car", "inspect", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn inspect_fixture() {
    let bytes = ues_fixtures::bytes(FIXTURE);
    let path = temp_file("good.car", bytes);
    let out = ues(&["car", "inspect", path.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    let car = ues_data::car::read_all(bytes).expect("fixture reads");
    let roots: Vec<String> = car.roots.iter().map(|c| c.to_string()).collect();
    assert_eq!(v["roots"], serde_json::json!(roots));
    assert_eq!(v["blocks"], serde_json::json!(car.blocks.len()));
    assert_eq!(v["bytes"], serde_json::json!(bytes.len()));
}

#[test]
fn inspect_corrupted_and_truncated() {
    let bytes = ues_fixtures::bytes(FIXTURE);
    let mut corrupted = bytes.to_vec();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0x01;
    let path = temp_file("corrupted.car", &corrupted);
    assert_fails(path.to_str().expect("utf-8 path"), "does not match its CID");
    let path = temp_file("truncated.car", &bytes[..bytes.len() - 3]);
    assert_fails(path.to_str().expect("utf-8 path"), "truncated");
    let path = temp_file("garbage.car", b"not a car file");
    assert_fails(path.to_str().expect("utf-8 path"), "error:");
}

#[test]
fn inspect_missing_file_and_usage() {
    assert_fails("/nonexistent/missing.car", "missing.car");
    let out = ues(&["car", "inspect"]);
    assert_eq!(out.status.code(), Some(2));
}
