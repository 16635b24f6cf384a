//! CAR export and import: round trip, slices since a rev, and a typed error
//! for each kind of tampering. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use ues_fixtures::async_test;

use common::{post, tids, TestKey, DID};
use ues_data::car::{read_all, write_car};
use ues_data::cid::{cbor_cid, Cid};
use ues_repo::car_io::{import_car, verify_car};
use ues_repo::{Commit, Repo, RepoError, UnsignedCommit, Write};
use ues_store::MemoryStore;

const COLL: &str = "app.bsky.feed.post";

fn creates(from: usize, n: usize) -> Vec<Write> {
    (from..from + n)
        .map(|i| Write::Create {
            collection: COLL.into(),
            rkey: Some(format!("r{i:05}")),
            record: post(i),
        })
        .collect()
}

async fn sample_repo(n_commits: usize) -> Repo<MemoryStore> {
    let mut repo = Repo::open(MemoryStore::new(), DID)
        .await
        .unwrap()
        .with_tids(tids(1_000_000));
    for c in 0..n_commits {
        repo.apply_writes(&creates(c * 50, 50), &TestKey(1))
            .await
            .unwrap();
    }
    repo
}

/// Rewrites a CAR with `f` applied to its blocks (root unchanged).
fn rewrite(car: &[u8], f: impl FnOnce(&mut Vec<(Cid, Vec<u8>)>)) -> Vec<u8> {
    let c = read_all(car).unwrap();
    let mut blocks: Vec<_> = c.blocks.into_iter().collect();
    f(&mut blocks);
    write_car(&c.roots, blocks.iter().map(|(c, b)| (c, b.as_slice()))).unwrap()
}

async fn round_trip() {
    let mut repo = sample_repo(4).await;
    let car = repo.export_car().await.unwrap();
    let v = verify_car(&car, Some(DID), &TestKey(1)).unwrap();
    assert_eq!(v.records.len(), 200);
    assert_eq!(v.commit_cid, repo.head().unwrap());
    let mut copy = import_car(MemoryStore::new(), &car, Some(DID), &TestKey(1))
        .await
        .unwrap();
    assert_eq!(copy.head(), repo.head());
    assert_eq!(
        copy.get_record(COLL, "r00007").await.unwrap().unwrap().1,
        post(7)
    );
    // The copy exports the same blocks.
    let again = read_all(&copy.export_car().await.unwrap()).unwrap();
    assert_eq!(again.blocks, read_all(&car).unwrap().blocks);
    // And can keep writing.
    copy.apply_writes(&creates(900, 3), &TestKey(1))
        .await
        .unwrap();
}
async_test!(car_round_trip, round_trip());

async fn slices_since_rev() {
    let mut repo = sample_repo(2).await;
    let car = repo.export_car().await.unwrap();
    let mut copy = import_car(MemoryStore::new(), &car, Some(DID), &TestKey(1))
        .await
        .unwrap();
    let rev = repo.rev().unwrap();
    let mut writes = creates(500, 30);
    writes.push(Write::Delete {
        collection: COLL.into(),
        rkey: "r00003".into(),
    });
    writes.push(Write::Update {
        collection: COLL.into(),
        rkey: "r00004".into(),
        record: post(1),
    });
    repo.apply_writes(&writes, &TestKey(1)).await.unwrap();
    repo.apply_writes(&creates(600, 5), &TestKey(1))
        .await
        .unwrap();
    let slice = repo.export_since(Some(rev)).await.unwrap();
    assert!(slice.len() < repo.export_car().await.unwrap().len());
    copy.apply_car(&slice, &TestKey(1)).await.unwrap();
    assert_eq!(copy.data(), repo.data());
    assert_eq!(copy.head(), repo.head());
    assert!(copy.get_record(COLL, "r00003").await.unwrap().is_none());
    // Applying it twice is stale; a wrong key is rejected.
    assert!(matches!(
        copy.apply_car(&slice, &TestKey(1)).await,
        Err(RepoError::StaleRev { .. })
    ));
    repo.apply_writes(&creates(700, 1), &TestKey(1))
        .await
        .unwrap();
    let next = repo.export_since(copy.rev()).await.unwrap();
    assert!(matches!(
        copy.apply_car(&next, &TestKey(2)).await,
        Err(RepoError::BadSignature)
    ));
    copy.apply_car(&next, &TestKey(1)).await.unwrap();
    assert_eq!(copy.data(), repo.data());
}
async_test!(car_slices_since_rev, slices_since_rev());

async fn tampering_is_rejected() {
    let mut repo = sample_repo(2).await;
    let car = repo.export_car().await.unwrap();
    let head = repo.head().unwrap();
    let commit = repo.commit().unwrap().clone();
    let record = repo.get_record(COLL, "r00010").await.unwrap().unwrap().0;

    let e = verify_car(&car, Some(DID), &TestKey(2)).unwrap_err();
    assert!(matches!(e, RepoError::BadSignature), "{e}");
    let e = verify_car(&car, Some("did:example:bob"), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::WrongDid { .. }), "{e}");

    // A flipped byte: the block no longer matches its CID.
    let mut flipped = car.clone();
    let n = flipped.len();
    flipped[n - 3] ^= 1;
    let e = verify_car(&flipped, Some(DID), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::Car(_)), "{e}");

    let no_record = rewrite(&car, |b| b.retain(|(c, _)| *c != record));
    let e = verify_car(&no_record, Some(DID), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::MissingRecord { .. }), "{e}");

    let data = commit.unsigned.data;
    let no_root_node = rewrite(&car, |b| b.retain(|(c, _)| *c != data));
    let e = verify_car(&no_root_node, Some(DID), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::MissingBlock(c) if c == data), "{e}");

    let no_commit = rewrite(&car, |b| b.retain(|(c, _)| *c != head));
    let e = verify_car(&no_commit, Some(DID), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::MissingBlock(c) if c == head), "{e}");

    // A record replaced by non-canonical CBOR (map keys out of order) under
    // its own (correct) CID, with the MST re-pointed at it.
    let bad = vec![0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x02];
    let bad_cid = cbor_cid(&bad);
    let all = read_all(&car).unwrap().blocks;
    let mut t = ues_data::mst::Mst::load(&all, data);
    t.put(&format!("{COLL}/r00010"), bad_cid).unwrap();
    let new_data = t.root();
    let nodes = t.take_new_blocks();
    let c2 = UnsignedCommit {
        data: new_data,
        ..commit.unsigned.clone()
    }
    .sign(&TestKey(1))
    .unwrap();
    let (c2_cid, c2_bytes) = c2.to_block().unwrap();
    let mut blocks: Vec<(Cid, Vec<u8>)> = read_all(&car).unwrap().blocks.into_iter().collect();
    blocks.extend(nodes);
    blocks.push((bad_cid, bad));
    blocks.push((c2_cid, c2_bytes));
    let bad_car = write_car(&[c2_cid], blocks.iter().map(|(c, b)| (c, b.as_slice()))).unwrap();
    let e = verify_car(&bad_car, Some(DID), &TestKey(1)).unwrap_err();
    assert!(matches!(e, RepoError::NonCanonical(_)), "{e}");

    // A commit that is not a commit.
    let junk = Commit::decode(&[0xa0]).unwrap_err();
    assert!(matches!(junk, RepoError::BadCommit(_)), "{junk}");
    let e = Commit::decode(&[0xa1, 0x61, b'a']).unwrap_err();
    assert!(matches!(e, RepoError::NonCanonical(_)), "{e}");
}
async_test!(car_tampering_is_rejected, tampering_is_rejected());
