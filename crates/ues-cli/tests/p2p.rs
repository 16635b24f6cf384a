//! `ues node` processes on loopback syncing repos over libp2p: one relay /
//! bootstrap node, two nodes dialing it (over TCP and over WebSocket).

mod p2p_support;

use p2p_support::{fresh_dir, NodeProc};
use serde_json::json;

#[test]
fn three_nodes_sync_and_a_restarted_node_catches_up_by_delta() {
    let (da, db, dc) = (fresh_dir("a"), fresh_dir("b"), fresh_dir("c"));
    let mut a = NodeProc::spawn(
        "a",
        &da,
        &["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0/ws"],
        &[],
    );
    let (a_tcp, a_ws) = (a.addr(false), a.addr(true));
    assert!(a_tcp.contains(&format!("/p2p/{}", a.peer)), "{a_tcp}");
    let mut b = NodeProc::spawn(
        "b",
        &db,
        &["/ip4/127.0.0.1/tcp/0"],
        std::slice::from_ref(&a_tcp),
    );
    let mut c = NodeProc::spawn(
        "c",
        &dc,
        &["/ip4/127.0.0.1/tcp/0"],
        std::slice::from_ref(&a_ws),
    );
    for n in [&mut b, &mut c] {
        let peer = a.peer.clone();
        n.wait_for("connected to a", |v| {
            v["event"] == "peer" && v["peer"] == peer
        });
    }

    // Writes on b reach a and c (a repo of 20 posts: the delta later is
    // a small part of it).
    for i in 0..19 {
        b.post(&format!("early {i}"));
    }
    let (rev1, rkey1) = b.post("first");
    let (b_did, a_did, c_did) = (b.did.clone(), a.did.clone(), c.did.clone());
    a.wait_synced(&b_did, &rev1);
    c.wait_synced(&b_did, &rev1);
    let got = c.cmd(
        json!({"cmd": "get", "did": b_did, "collection": "app.bsky.feed.post", "rkey": rkey1}),
    );
    assert_eq!(got["record"]["value"]["text"], "first", "{got}");

    // A write on c reaches a and b; one on a reaches b and c.
    let (crev, _) = c.post("from c");
    a.wait_synced(&c_did, &crev);
    b.wait_synced(&c_did, &crev);
    let (arev, _) = a.post("from a");
    b.wait_synced(&a_did, &arev);
    c.wait_synced(&a_did, &arev);

    // c stops cleanly; b writes three more; a follows.
    let (status, rest) = c.terminate();
    assert!(status.success(), "c exit: {status:?}");
    assert!(rest.iter().any(|v| v["event"] == "stopped"), "{rest:?}");
    let mut last = (String::new(), String::new());
    for i in 0..3 {
        last = b.post(&format!("while c was away {i}"));
    }
    a.wait_synced(&b_did, &last.0);

    // What c lacks: the slice of b's repo since the rev c had.
    let delta = a.cmd(json!({"cmd": "car", "did": b_did, "since": rev1}));
    let delta_b = b.cmd(json!({"cmd": "car", "did": b_did, "since": rev1}));
    let full = a.cmd(json!({"cmd": "car", "did": b_did}));
    // b's slice has every intermediate commit; a applied b's commits in
    // fewer slices and serves only what leads to the head.
    let delta_blocks = delta["blocks"].as_u64().unwrap();
    assert!(delta_blocks > 0 && delta_blocks <= delta_b["blocks"].as_u64().unwrap());
    let full_blocks = full["blocks"].as_u64().unwrap();
    assert!(
        delta_blocks < full_blocks,
        "delta {delta_blocks} vs full {full_blocks}"
    );

    // c restarts and catches up by delta.
    let mut c = NodeProc::spawn(
        "c2",
        &dc,
        &["/ip4/127.0.0.1/tcp/0"],
        std::slice::from_ref(&a_tcp),
    );
    let st = c.cmd(json!({"cmd": "status"}));
    assert_eq!(st["heads"][&b_did], rev1, "c kept b's repo at rev1: {st}");
    let ev = c.wait_synced(&b_did, &last.0);
    assert_eq!(ev["blocks"].as_u64(), Some(delta_blocks), "{ev}");
    assert_eq!(ev["peer"], a.peer, "pulled from the bootstrap node");
    let syncs = c.collect_for(std::time::Duration::from_millis(500), |v| {
        v["event"] == "synced" && v["did"] == b_did
    });
    assert_eq!(syncs.len(), 1, "one pull of the delta: {syncs:?}");
    let got = c.cmd(
        json!({"cmd": "get", "did": b_did, "collection": "app.bsky.feed.post", "rkey": last.1}),
    );
    assert_eq!(
        got["record"]["value"]["text"], "while c was away 2",
        "{got}"
    );

    // And c's own writes still flow after the restart.
    let (crev2, _) = c.post("back");
    b.wait_synced(&c_did, &crev2);
}

#[test]
fn node_needs_a_data_dir_and_valid_addresses() {
    let ues = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ues"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = ues(&["node"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data DIR is required"));
    let dir = fresh_dir("bad_args");
    let d = dir.to_str().unwrap();
    let out = ues(&["node", "--data", d, "--listen", "not-a-multiaddr"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-a-multiaddr"));
    let cfg = dir.join("node.json");
    std::fs::write(&cfg, r#"{"peers": [42]}"#).unwrap();
    let out = ues(&["node", "--data", d, "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("peers"));
}
