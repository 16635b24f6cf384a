//! A misbehaving libp2p peer against `ues node`: garbage frames, an
//! oversized frame, a forged repo slice and a request flood are rejected
//! (and the peer disconnected), while the node keeps syncing with others.

mod p2p_support;

use p2p_support::{fresh_dir, NodeProc};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use ues_p2p::libp2p::futures::StreamExt;
use ues_p2p::libp2p::request_response::{self as rr, OutboundRequestId};
use ues_p2p::libp2p::swarm::{Swarm, SwarmEvent};
use ues_p2p::libp2p::{noise, tcp, yamux, Multiaddr, PeerId, SwarmBuilder};
use ues_p2p::{Frames, SyncCodec, SyncRequest, SYNC_PROTOCOL};
use ues_sync::{Msg, RepoSession, MAX_FRAME};

type Evil = Swarm<rr::Behaviour<SyncCodec>>;
type Ev = SwarmEvent<rr::Event<SyncRequest, Frames>>;

/// A peer whose codec lets it send what an honest peer would not.
fn evil_swarm() -> Evil {
    let lax = SyncCodec {
        max_frame: 8 << 20,
        max_request: 16 << 20,
        ..SyncCodec::default()
    };
    SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|_| {
            rr::Behaviour::with_codec(
                lax,
                [(SYNC_PROTOCOL, rr::ProtocolSupport::Full)],
                rr::Config::default().with_request_timeout(Duration::from_secs(10)),
            )
        })
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(30)))
        .build()
}

/// Drives the swarm until `done` says so (or 15 s pass), answering the
/// node's requests: a `repoWant` gets the forged slice.
async fn drive(sw: &mut Evil, forged: &[Vec<u8>], mut done: impl FnMut(&Ev) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(ev) = tokio::time::timeout(left, sw.select_next_some()).await else {
            return false;
        };
        if let SwarmEvent::Behaviour(rr::Event::Message {
            message: rr::Message::Request {
                request, channel, ..
            },
            ..
        }) = ev
        {
            let SyncRequest::Frames(request) = request else {
                continue;
            };
            let wants = request
                .0
                .iter()
                .any(|f| matches!(Msg::decode(f, MAX_FRAME), Ok(Msg::RepoWant { .. })));
            let res = Frames(if wants { forged.to_vec() } else { Vec::new() });
            let _ = sw.behaviour_mut().send_response(channel, res);
            continue;
        }
        if done(&ev) {
            return true;
        }
    }
}

fn finished(id: OutboundRequestId) -> impl FnMut(&Ev) -> bool {
    move |ev| match ev {
        SwarmEvent::Behaviour(rr::Event::Message {
            message: rr::Message::Response { request_id, .. },
            ..
        }) => *request_id == id,
        SwarmEvent::Behaviour(rr::Event::OutboundFailure { request_id, .. }) => *request_id == id,
        _ => false,
    }
}

fn is_failure(ev: &Ev) -> bool {
    matches!(ev, SwarmEvent::Behaviour(rr::Event::OutboundFailure { .. }))
}

/// What the evil peer saw.
#[derive(Debug, Default)]
struct Seen {
    oversized_failed: bool,
    disconnected_after_forgery: bool,
    flood_failures: usize,
}

async fn misbehave(a: Multiaddr, a_peer: PeerId, b_did: String, forged: Vec<u8>) -> Seen {
    let mut sw = evil_swarm();
    let mut seen = Seen::default();
    let forged = RepoSession::new(&b_did, MAX_FRAME, 1 << 30)
        .send_car(&forged)
        .unwrap();
    sw.dial(a.clone()).unwrap();
    let connected = |ev: &Ev| matches!(ev, SwarmEvent::ConnectionEstablished { .. });
    assert!(
        drive(&mut sw, &forged, connected).await,
        "evil peer connects"
    );
    // 1. A frame that is not DAG-CBOR.
    let id = sw
        .behaviour_mut()
        .send_request(&a_peer, SyncRequest::Frames(Frames(vec![b"junk".to_vec()])));
    assert!(drive(&mut sw, &forged, finished(id)).await);
    // 2. A 2 MiB frame (the limit is 1 MiB).
    let id = sw
        .behaviour_mut()
        .send_request(&a_peer, SyncRequest::Frames(Frames(vec![vec![0; 2 << 20]])));
    let mut failed = false;
    let mut f = finished(id);
    assert!(
        drive(&mut sw, &forged, |ev| {
            failed |= is_failure(ev);
            f(ev)
        })
        .await
    );
    seen.oversized_failed = failed;
    // 3. A head far in the future for b's repo: the node pulls from us and
    //    gets a slice signed by another key.
    let head = Msg::RepoHead {
        did: b_did.clone(),
        rev: "jzzzzzzzzzzzz".into(),
        commit: ues_data::cid::cbor_cid(b"forged"),
    };
    let _ = sw.behaviour_mut().send_request(
        &a_peer,
        SyncRequest::Frames(Frames(vec![head.encode().unwrap()])),
    );
    let closed = |ev: &Ev| {
        matches!(
            ev,
            SwarmEvent::ConnectionClosed {
                num_established: 0,
                ..
            }
        )
    };
    seen.disconnected_after_forgery = drive(&mut sw, &forged, closed).await;
    // 4. A flood of requests, one after the other.
    sw.dial(a).unwrap();
    assert!(
        drive(&mut sw, &forged, connected).await,
        "evil peer reconnects"
    );
    for _ in 0..100 {
        let id = sw
            .behaviour_mut()
            .send_request(&a_peer, SyncRequest::Frames(Frames(Vec::new())));
        let mut failed = false;
        let mut f = finished(id);
        drive(&mut sw, &forged, |ev| {
            failed |= is_failure(ev);
            f(ev)
        })
        .await;
        seen.flood_failures += usize::from(failed);
    }
    seen
}

fn rejected(n: &NodeProc, needle: &str) -> bool {
    n.seen.iter().any(|v: &Value| {
        v["event"] == "rejected" && v["reason"].as_str().unwrap_or("").contains(needle)
    })
}

#[test]
fn bad_peer_is_rejected_and_the_node_keeps_serving() {
    let (da, db, de) = (
        fresh_dir("bad_a"),
        fresh_dir("bad_b"),
        fresh_dir("bad_evil"),
    );
    let mut a = NodeProc::spawn("a", &da, &["/ip4/127.0.0.1/tcp/0"], &[]);
    let a_addr = a.addr(false);
    let mut b = NodeProc::spawn(
        "b",
        &db,
        &["/ip4/127.0.0.1/tcp/0"],
        std::slice::from_ref(&a_addr),
    );
    let (rev1, _) = b.post("honest");
    let b_did = b.did.clone();
    a.wait_synced(&b_did, &rev1);

    // A repo claiming b's DID, signed by another key.
    let ues = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ues"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        assert!(c.wait_with_output().unwrap().status.success(), "{args:?}");
    };
    let d = de.to_str().unwrap();
    ues(&["repo", "init", "--data", d, "--did", &b_did], None);
    let rec = json!({"$type": "app.bsky.feed.post", "text": "forged", "createdAt": "2026-11-25T00:00:00Z"});
    ues(
        &["repo", "put", "app.bsky.feed.post", "-", "--data", d],
        Some(&rec.to_string()),
    );
    let car_path = de.join("forged.car");
    ues(
        &["repo", "export", car_path.to_str().unwrap(), "--data", d],
        None,
    );
    let forged = std::fs::read(&car_path).unwrap();

    let a_ma: Multiaddr = a_addr.parse().unwrap();
    let a_peer: PeerId = a.peer.parse().unwrap();
    let seen = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(misbehave(a_ma, a_peer, b_did, forged))
    })
    .join()
    .unwrap();
    let b_did = b.did.clone();

    a.collect_for(Duration::from_millis(300), |_| true);
    assert!(
        rejected(&a, "bad request frame"),
        "junk frame: {:?}",
        a.seen
    );
    assert!(
        rejected(&a, "the limit is 1048576"),
        "oversized frame: {:?}",
        a.seen
    );
    assert!(seen.oversized_failed, "{seen:?}");
    assert!(rejected(&a, "slice rejected"), "forged slice: {:?}", a.seen);
    assert!(seen.disconnected_after_forgery, "{seen:?}");
    assert!(rejected(&a, "request rate limit"), "flood");
    assert!(seen.flood_failures > 0, "{seen:?}");

    // Nothing forged was stored, and a keeps serving b.
    let st = a.cmd(json!({"cmd": "status"}));
    assert_eq!(st["heads"][&b_did], rev1, "{st}");
    let (rev2, rkey2) = b.post("still here");
    a.wait_synced(&b_did, &rev2);
    let got = a.cmd(
        json!({"cmd": "get", "did": b_did, "collection": "app.bsky.feed.post", "rkey": rkey2}),
    );
    assert_eq!(got["record"]["value"]["text"], "still here", "{got}");
}
