//! Two `ues node`s that only listen through a third one's circuit relay
//! (no direct listener of their own) reach each other and sync.

mod p2p_support;

use p2p_support::{fresh_dir, NodeProc};

#[test]
fn nodes_behind_the_relay_sync_over_a_circuit() {
    let (da, dc, dd) = (
        fresh_dir("relay_a"),
        fresh_dir("relay_c"),
        fresh_dir("relay_d"),
    );
    let mut a = NodeProc::spawn("a", &da, &["/ip4/127.0.0.1/tcp/0"], &[]);
    let a_tcp = a.addr(false);
    let circuit = format!("{a_tcp}/p2p-circuit");
    let mut c = NodeProc::spawn("c", &dc, &[circuit.as_str()], &[]);
    let c_addr = c.wait_for("a circuit address", |v| {
        v["event"] == "listening" && v["addr"].as_str().unwrap_or("").contains("p2p-circuit")
    })["addr"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        c_addr.ends_with(&format!("/p2p-circuit/p2p/{}", c.peer)),
        "{c_addr}"
    );
    let mut d = NodeProc::spawn("d", &dd, &[circuit.as_str()], &[c_addr]);
    let c_peer = c.peer.clone();
    let ev = d.wait_for("connected to c", |v| {
        v["event"] == "peer" && v["peer"] == c_peer
    });
    // Neither c nor d listens directly: the connection is a circuit (its
    // remote address is the circuit's, or `/p2p/<peer>` on the side that
    // accepted it).
    assert!(
        !ev["addr"].as_str().unwrap().contains("/tcp/")
            || ev["addr"].as_str().unwrap().contains("p2p-circuit"),
        "{ev}"
    );
    for n in [&mut c, &mut d] {
        let st = n.cmd(serde_json::json!({"cmd": "status"}));
        let listen = st["listen"].as_array().unwrap();
        assert!(
            !listen.is_empty()
                && listen
                    .iter()
                    .all(|l| l.as_str().unwrap().contains("/p2p-circuit/")),
            "{st}"
        );
    }
    let (rev, _) = c.post("through the relay");
    let c_did = c.did.clone();
    let synced = d.wait_synced(&c_did, &rev);
    assert!(synced["blocks"].as_u64().unwrap() > 0, "{synced}");
    // d pulls from the announcement's author when connected to it: c,
    // through the circuit.
    assert_eq!(synced["peer"], c.peer, "{synced}");
    let (rev, _) = d.post("back through the relay");
    let d_did = d.did.clone();
    c.wait_synced(&d_did, &rev);
    drop(a);
}
