//! `ues mst root` and `ues mst diff` as a user runs them.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn ues(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ues"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn suite() -> PathBuf {
    let fixtures = std::env::var("UES_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        });
    fixtures.join("mst-test-suite")
}

#[test]
fn root_of_empty_and_small_sets() {
    let out = ues(&["mst", "root"], "{}");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "\"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm\""
    );
    let cid = "bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454";
    let out = ues(
        &["mst", "root"],
        &format!("{{\"app.bsky.feed.post/a\": \"{cid}\", \"app.bsky.feed.post/b\": \"{cid}\"}}"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_str().unwrap().starts_with("bafyrei"));
}

#[test]
fn bad_input_is_one_line_error() {
    for (stdin, needle) in [
        ("[1]", "expected a JSON object"),
        ("{\"a/b\": 5}", "not a CID string"),
        ("{\"a/b\": \"notacid\"}", "a/b"),
        (
            "{\"nocollection\": \"bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454\"}",
            "invalid MST key",
        ),
    ] {
        let out = ues(&["mst", "root"], stdin);
        assert_eq!(out.status.code(), Some(1), "{stdin}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err} lacks {needle}");
    }
    let out = ues(
        &["mst", "diff", "/nonexistent/a.car", "/nonexistent/b.car"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("/nonexistent/a.car"));
}

/// The CLI prints the suite's `results` (less `firehose_cids`), lists sorted.
#[test]
fn diff_matches_suite_results() {
    let dir = suite().join("tests/diff/exhaustive");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    // Every 37th case: a spread over the suite without spawning 2048 processes
    // (the library test runs them all).
    for path in names.iter().step_by(37) {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let car = |k: &str| {
            suite()
                .join(case["inputs"][k].as_str().unwrap())
                .to_string_lossy()
                .into_owned()
        };
        let out = ues(&["mst", "diff", &car("mst_a"), &car("mst_b")], "");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut want = case["results"].clone();
        want.as_object_mut().unwrap().remove("firehose_cids");
        assert_eq!(got, want, "{}", path.display());
    }
}
