//! `ues repo ...` and `ues firehose check` as a user runs them, over a data
//! directory in the target's temp dir.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn ues(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ues"))
        .args(args)
        .output()
        .expect("run ues")
}

/// Runs `ues`, expects success, parses stdout.
fn ok(args: &[&str]) -> Value {
    let out = ues(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Runs `ues`, expects exit code 1 and `needle` on stderr.
fn fails(args: &[&str], needle: &str) {
    let out = ues(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("repo_cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn repo_commands() {
    let root = fresh_dir("commands");
    let data = root.join("data");
    let d = data.to_str().unwrap();
    let init = ok(&["repo", "init", "--data", d]);
    let did = init["did"].as_str().unwrap().to_string();
    assert!(did.starts_with("did:key:z"), "{init}");
    assert!(init["rev"].is_string());

    let rec = root.join("post.json");
    std::fs::write(
        &rec,
        r#"{"$type":"app.bsky.feed.post","text":"hello","createdAt":"2026-11-24T00:00:00Z"}"#,
    )
    .unwrap();
    let r = rec.to_str().unwrap();
    let p1 = ok(&["repo", "put", "app.bsky.feed.post", r, "--data", d]);
    assert!(p1["uri"]
        .as_str()
        .unwrap()
        .starts_with(&format!("at://{did}/app.bsky.feed.post/")));
    let rev1 = p1["rev"].as_str().unwrap().to_string();
    ok(&["repo", "put", "app.bsky.feed.post", "b", r, "--data", d]);
    ok(&["repo", "put", "app.bsky.feed.post", "c", r, "--data", d]);
    let got = ok(&["repo", "get", "app.bsky.feed.post", "b", "--data", d]);
    assert_eq!(got["value"]["text"], "hello");
    assert_eq!(got["cid"], p1["cid"]);
    let list = ok(&[
        "repo",
        "list",
        "app.bsky.feed.post",
        "--limit",
        "2",
        "--data",
        d,
    ]);
    assert_eq!(list["records"].as_array().unwrap().len(), 2);
    assert!(list["cursor"].is_string());
    let rev = ok(&[
        "repo",
        "list",
        "app.bsky.feed.post",
        "--reverse",
        "--data",
        d,
    ]);
    assert_eq!(
        rev["records"][0]["uri"],
        format!("at://{did}/app.bsky.feed.post/c")
    );
    ok(&["repo", "delete", "app.bsky.feed.post", "c", "--data", d]);
    fails(
        &["repo", "get", "app.bsky.feed.post", "c", "--data", d],
        "not found",
    );
    fails(
        &["repo", "delete", "app.bsky.feed.post", "c", "--data", d],
        "not found",
    );

    // Export, verify, import elsewhere; the slice since a rev is smaller.
    let car = root.join("repo.car");
    let c = car.to_str().unwrap();
    let exp = ok(&["repo", "export", c, "--data", d]);
    let v = ok(&["repo", "verify", c, "--data", d]);
    assert_eq!(v["records"], 2);
    assert_eq!(v["commit"], exp["head"]);
    let other = root.join("other");
    let o = other.to_str().unwrap();
    let imp = ok(&["repo", "import", c, "--data", o]);
    assert_eq!(imp["head"], exp["head"]);
    let got = ok(&["repo", "get", "app.bsky.feed.post", "b", "--data", o]);
    assert_eq!(got["value"]["text"], "hello");
    let slice = root.join("slice.car");
    let s = slice.to_str().unwrap();
    ok(&["repo", "export", s, "--since", &rev1, "--data", d]);
    let inspected = ok(&["car", "inspect", s]);
    assert_eq!(inspected["roots"][0], exp["head"]);

    // Tampering and wrong keys are reported.
    let other_key = ok(&["repo", "init", "--data", root.join("k2").to_str().unwrap()]);
    let k2 = other_key["didKey"].as_str().unwrap();
    fails(
        &["repo", "verify", c, "--key", k2, "--data", d],
        "signature",
    );
    let mut bytes = std::fs::read(&car).unwrap();
    let n = bytes.len();
    bytes[n - 2] ^= 1;
    let bad = root.join("bad.car");
    std::fs::write(&bad, bytes).unwrap();
    fails(
        &["repo", "verify", bad.to_str().unwrap(), "--data", d],
        "does not match its CID",
    );
    fails(
        &[
            "repo",
            "get",
            "x",
            "y",
            "--data",
            root.join("none").to_str().unwrap(),
        ],
        "repo.json",
    );
    assert_eq!(ues(&["repo", "init"]).status.code(), Some(2));
}

#[test]
fn firehose_check() {
    use futures::executor::block_on;
    use ues_identity::Keypair;
    use ues_repo::{record_from_json, Repo, Signer, Write};
    let root = fresh_dir("firehose");
    let key = Keypair::k256_from_bytes(&[3u8; 32]).unwrap();
    let did = Signer::did_key(&key);
    let mut repo = block_on(Repo::open(ues_store::MemoryStore::new(), &did)).unwrap();
    let rec = record_from_json(&serde_json::json!({"text": "hi"})).unwrap();
    let writes: Vec<Write> = (0..50)
        .map(|i| Write::Create {
            collection: "app.bsky.feed.post".into(),
            rkey: Some(format!("p{i}")),
            record: rec.clone(),
        })
        .collect();
    block_on(repo.apply_writes(&writes, &key)).unwrap();
    let del = Write::Delete {
        collection: "app.bsky.feed.post".into(),
        rkey: "p7".into(),
    };
    let res = block_on(repo.apply_writes(&[del], &key)).unwrap();
    let ev = ues_data::cbor::to_json(&block_on(repo.commit_event(&res)).unwrap());
    let path = root.join("event.json");
    std::fs::write(&path, ev.to_string()).unwrap();
    let p = path.to_str().unwrap();
    let v = ok(&["firehose", "check", p, "--key", &did]);
    assert_eq!(v, serde_json::json!({"ok": true, "errors": []}));
    ok(&["firehose", "check", p]);

    let other = Signer::did_key(&Keypair::k256_from_bytes(&[4u8; 32]).unwrap());
    let out = ues(&["firehose", "check", p, "--key", &other]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["errors"][0].as_str().unwrap().contains("signature"),
        "{v}"
    );

    let mut bad = ev.clone();
    bad["prevData"] = bad["commit"].clone();
    std::fs::write(&path, bad.to_string()).unwrap();
    let out = ues(&["firehose", "check", p]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["errors"][0].as_str().unwrap().contains("inversion"),
        "{v}"
    );
    std::fs::write(&path, "{").unwrap();
    fails(&["firehose", "check", p], "event.json");
}
