//! Repo sync: pulling since a rev, applying firehose `#commit` events with
//! their proofs, detecting a gap and repairing it with a resync.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use ues_data::cbor::Ipld;
use ues_identity::Keypair;
use ues_repo::car_io::import_car;
use ues_repo::Tid;
use ues_repo::{record_from_json, Repo, Write};
use ues_store::MemoryStore;
use ues_sync::repo_sync::{apply_event, pull_since, EventOutcome};
use ues_sync::{RepoAction, RepoSession};

const DID: &str = "did:example:alice";

fn post(i: usize) -> Write {
    Write::Create {
        collection: "app.bsky.feed.post".into(),
        rkey: Some(format!("r{i:05}")),
        record: record_from_json(
            &serde_json::json!({"$type": "app.bsky.feed.post", "text": format!("post {i}")}),
        )
        .unwrap(),
    }
}

async fn source(key: &Keypair, commits: usize) -> (Repo<MemoryStore>, Vec<Ipld>) {
    let mut repo = Repo::open(MemoryStore::new(), DID).await.unwrap();
    let mut events = Vec::new();
    for c in 0..commits {
        let res = repo
            .apply_writes(&[post(2 * c), post(2 * c + 1)], key)
            .await
            .unwrap();
        events.push(repo.commit_event(&res).await.unwrap());
    }
    (repo, events)
}

async_both! {
    async fn events_apply_gaps_resync_and_stale() {
        let key = Keypair::k256_from_bytes(&[7; 32]).unwrap();
        let pubkey = key.public();
        let (mut src, _) = source(&key, 20).await;
        let car = src.export_car().await.unwrap();
        let mut dst = import_car(MemoryStore::new(), &car, Some(DID), &pubkey).await.unwrap();
        let mut events = Vec::new();
        for c in 20..24 {
            let res = src.apply_writes(&[post(2 * c), post(2 * c + 1)], &key).await.unwrap();
            events.push((res.commit, src.commit_event(&res).await.unwrap()));
        }
        // In order: applied with proof verification.
        let out = apply_event(&mut dst, &events[0].1, &pubkey).await.unwrap();
        assert_eq!(out, EventOutcome::Applied(events[0].0));
        // Event 2 lost: event 3 shows a gap.
        let rev = dst.rev();
        let out = apply_event(&mut dst, &events[2].1, &pubkey).await.unwrap();
        assert_eq!(out, EventOutcome::Gap { since: rev });
        assert_eq!(dst.head(), Some(events[0].0));
        // Resync since our rev repairs it.
        let full = src.export_car().await.unwrap().len();
        let bytes = pull_since(&mut src, &mut dst, &pubkey).await.unwrap();
        assert!(bytes > 0 && bytes < full, "a slice ({bytes} B), not the whole repo ({full} B)");
        assert_eq!(dst.head(), src.head());
        // The late events are stale now.
        let out = apply_event(&mut dst, &events[1].1, &pubkey).await.unwrap();
        assert_eq!(out, EventOutcome::Stale);
        assert_eq!(pull_since(&mut src, &mut dst, &pubkey).await.unwrap(), 0);
        // The copy exports the same repo.
        assert_eq!(dst.export_car().await.unwrap(), src.export_car().await.unwrap());
    }
}

async_both! {
    async fn tampered_or_foreign_events_are_rejected() {
        let key = Keypair::k256_from_bytes(&[7; 32]).unwrap();
        let other = Keypair::k256_from_bytes(&[8; 32]).unwrap();
        let (mut src, _) = source(&key, 1).await;
        let car = src.export_since(None).await.unwrap();
        let mut dst = import_car(MemoryStore::new(), &car, Some(DID), &key.public()).await.unwrap();
        let res = src.apply_writes(&[post(10)], &key).await.unwrap();
        let events = [Ipld::Null, src.commit_event(&res).await.unwrap()];
        let head = dst.head();
        // Signed by another key.
        let e = apply_event(&mut dst, &events[1], &other.public()).await.unwrap_err();
        assert_eq!(e.code(), "BadEvent");
        // An op whose CID was changed: the proof no longer holds.
        let mut bad = events[1].clone();
        if let Ipld::Map(m) = &mut bad {
            if let Some(Ipld::List(ops)) = m.get_mut("ops") {
                if let Some(Ipld::Map(op)) = ops.get_mut(0) {
                    op.insert("cid".into(), Ipld::Link(ues_data::cid::cbor_cid(b"other")));
                }
            }
        }
        let e = apply_event(&mut dst, &bad, &key.public()).await.unwrap_err();
        assert_eq!(e.code(), "BadEvent");
        assert_eq!(dst.head(), head);
        // The genuine event applies.
        let out = apply_event(&mut dst, &events[1], &key.public()).await.unwrap();
        assert!(matches!(out, EventOutcome::Applied(_)));
    }
}

async_both! {
    /// The repo session over an in-memory pipe, frames limited to 2 KiB so
    /// the slice travels in several chunks: head → want since our rev →
    /// CAR chunks → verify and apply.
    async fn repo_session_pulls_a_chunked_slice() {
        let key = Keypair::k256_from_bytes(&[7; 32]).unwrap();
        let (mut src, _) = source(&key, 4).await;
        let car = src.export_car().await.unwrap();
        let mut dst = import_car(MemoryStore::new(), &car, Some(DID), &key.public()).await.unwrap();
        for c in 4..12 {
            src.apply_writes(&[post(2 * c), post(2 * c + 1)], &key).await.unwrap();
        }
        let mut s_src = RepoSession::new(DID, 2048, 1 << 20);
        let mut s_dst = RepoSession::new(DID, 2048, 1 << 20);
        let rev = src.rev().unwrap().to_string();
        let mut to_dst = vec![s_src.announce(src.head().unwrap(), &rev).unwrap()];
        let mut to_src: Vec<Vec<u8>> = Vec::new();
        let mut car_frames = 0;
        while !to_dst.is_empty() || !to_src.is_empty() {
            for f in std::mem::take(&mut to_dst) {
                let local = dst.rev().map(|r| r.to_string());
                for a in s_dst.handle(&f, local.as_deref()).unwrap() {
                    match a {
                        RepoAction::Send(b) => to_src.push(b),
                        RepoAction::Apply { car } => {
                            dst.apply_car(&car, &key.public()).await.unwrap();
                        }
                        RepoAction::Export { .. } => panic!("dst exports nothing"),
                    }
                }
            }
            for f in std::mem::take(&mut to_src) {
                for a in s_src.handle(&f, Some(&rev)).unwrap() {
                    match a {
                        RepoAction::Export { since } => {
                            let since = since.map(|s| Tid::parse(&s).unwrap());
                            let car = src.export_since(since).await.unwrap();
                            let frames = s_src.send_car(&car).unwrap();
                            assert!(frames.iter().all(|f| f.len() <= 2048));
                            car_frames += frames.len();
                            to_dst.extend(frames);
                        }
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
        }
        assert!(car_frames > 1, "the slice was chunked");
        assert_eq!(dst.head(), src.head());
        // Up to date: a new announcement asks for nothing.
        let again = s_src.announce(src.head().unwrap(), &rev).unwrap();
        let local = dst.rev().map(|r| r.to_string());
        assert!(s_dst.handle(&again, local.as_deref()).unwrap().is_empty());
        // A slice over the reassembly bound is refused.
        let mut small = RepoSession::new(DID, 2048, 1000);
        let frames = s_src.send_car(&vec![0u8; 3000]).unwrap();
        let errs: Vec<_> = frames.iter().filter_map(|f| small.handle(f, None).err()).collect();
        assert!(errs.iter().any(|e| e.code() == "FrameTooLarge"));
    }
}
