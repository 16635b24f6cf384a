//! Repos over a memory store: writes, reads, listing, proofs, reopening.
//! Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use ues_fixtures::async_test;

use common::{post, tids, TestKey, DID};
use ues_data::car::read_all;
use ues_data::mst::{proof_path, Mst};
use ues_repo::{Commit, Repo, RepoError, Write};
use ues_store::MemoryStore;

const COLL: &str = "app.bsky.feed.post";

async fn new_repo(store: MemoryStore) -> Repo<MemoryStore> {
    Repo::open(store, DID)
        .await
        .unwrap()
        .with_tids(tids(1_000_000))
}

async fn write_read_list_delete() {
    let store = MemoryStore::new();
    let mut repo = new_repo(store.clone()).await;
    assert!(repo.head().is_none());
    let key = TestKey(1);
    let (rkey, cid, res) = repo.create_record(COLL, None, post(0), &key).await.unwrap();
    assert_eq!(rkey.len(), 13);
    assert_eq!(repo.head(), Some(res.commit));
    assert_eq!(res.prev_data, None);
    let (got_cid, value) = repo.get_record(COLL, &rkey).await.unwrap().unwrap();
    assert_eq!((got_cid, value), (cid, post(0)));

    // A batch of writes is one commit.
    let writes: Vec<Write> = (1..=20)
        .map(|i| Write::Create {
            collection: COLL.into(),
            rkey: Some(format!("k{i:03}")),
            record: post(i),
        })
        .collect();
    let before = repo.rev().unwrap();
    let res = repo.apply_writes(&writes, &key).await.unwrap();
    assert!(res.rev > before);
    assert_eq!(res.ops.len(), 20);
    assert!(res.prev_data.is_some());

    // Creating an existing path fails and changes nothing.
    let head = repo.head();
    let dup = repo.create_record(COLL, Some("k001"), post(9), &key).await;
    assert!(matches!(dup, Err(RepoError::RecordExists(_))), "{dup:?}");
    assert_eq!(repo.head(), head);
    let (_, kept) = repo.get_record(COLL, "k001").await.unwrap().unwrap();
    assert_eq!(kept, post(1), "a failed batch leaves the tree as it was");

    // Listing: order, cursor, limit, reverse.
    let page = repo.list_records(COLL, None, 5, false).await.unwrap();
    let keys: Vec<_> = page.iter().map(|e| e.rkey.as_str()).collect();
    assert_eq!(keys, [rkey.as_str(), "k001", "k002", "k003", "k004"]);
    let page = repo
        .list_records(COLL, Some("k005"), 2, false)
        .await
        .unwrap();
    assert_eq!(page[0].rkey, "k006");
    let page = repo
        .list_records(COLL, Some("k005"), 2, true)
        .await
        .unwrap();
    let keys: Vec<_> = page.iter().map(|e| e.rkey.as_str()).collect();
    assert_eq!(keys, ["k004", "k003"]);
    assert!(repo
        .list_records("app.other", None, 10, false)
        .await
        .unwrap()
        .is_empty());

    // Update and delete.
    repo.put_record(COLL, "k002", post(99), &key).await.unwrap();
    assert_eq!(
        repo.get_record(COLL, "k002").await.unwrap().unwrap().1,
        post(99)
    );
    repo.delete_record(COLL, "k003", &key).await.unwrap();
    assert!(repo.get_record(COLL, "k003").await.unwrap().is_none());
    let gone = repo.delete_record(COLL, "k003", &key).await;
    assert!(
        matches!(gone, Err(RepoError::RecordNotFound(_))),
        "{gone:?}"
    );
    let bad = repo
        .create_record("bad coll", Some("x"), post(1), &key)
        .await;
    assert!(matches!(bad, Err(RepoError::InvalidPath(_))), "{bad:?}");

    // The commit verifies and reopening the store gives the same repo.
    let commit = repo.commit().unwrap().clone();
    commit.verify(&key).unwrap();
    assert!(matches!(
        commit.verify(&TestKey(2)),
        Err(RepoError::BadSignature)
    ));
    let mut again = Repo::open(store, DID).await.unwrap();
    assert_eq!(again.head(), repo.head());
    assert_eq!(
        again
            .list_records(COLL, None, 100, false)
            .await
            .unwrap()
            .len(),
        20
    ); // 21 written, 1 deleted
       // Writes after reopening get later revs.
    let r = again
        .create_record(COLL, None, post(5), &key)
        .await
        .unwrap()
        .2;
    assert!(r.rev > commit.unsigned.rev);
}
async_test!(repo_write_read_list_delete, write_read_list_delete());

async fn inclusion_proof() {
    let mut repo = new_repo(MemoryStore::new()).await;
    let key = TestKey(1);
    let writes: Vec<Write> = (0..200)
        .map(|i| Write::Create {
            collection: COLL.into(),
            rkey: Some(format!("r{i:04}")),
            record: post(i),
        })
        .collect();
    repo.apply_writes(&writes, &key).await.unwrap();
    let proof = repo.record_proof(COLL, "r0123").await.unwrap();
    let car = read_all(&proof).unwrap();
    assert_eq!(car.roots, [repo.head().unwrap()]);
    let commit = Commit::decode(&car.blocks[&car.roots[0]]).unwrap();
    commit.verify(&key).unwrap();
    let mut t = Mst::load(&car.blocks, commit.unsigned.data);
    let cid = t.get(&format!("{COLL}/r0123")).unwrap().unwrap();
    assert!(car.blocks.contains_key(&cid));
    assert!(!proof_path(&mut t, &format!("{COLL}/r0123"))
        .unwrap()
        .is_empty());
    let missing = repo.record_proof(COLL, "nope").await;
    assert!(matches!(missing, Err(RepoError::RecordNotFound(_))));
}
async_test!(repo_inclusion_proof, inclusion_proof());

async fn empty_commit_and_empty_tree() {
    let mut repo = new_repo(MemoryStore::new()).await;
    let res = repo.apply_writes(&[], &TestKey(1)).await.unwrap();
    assert_eq!(res.data, Mst::new().root());
    assert!(repo
        .list_records(COLL, None, 10, false)
        .await
        .unwrap()
        .is_empty());
    let car = repo.export_car().await.unwrap();
    let v = ues_repo::car_io::verify_car(&car, Some(DID), &TestKey(1)).unwrap();
    assert!(v.records.is_empty());
}
async_test!(repo_empty_commit, empty_commit_and_empty_tree());

async fn commit_events_check() {
    let mut repo = new_repo(MemoryStore::new()).await;
    let key = TestKey(1);
    let writes: Vec<Write> = (0..300)
        .map(|i| Write::Create {
            collection: COLL.into(),
            rkey: Some(format!("e{i:04}")),
            record: post(i),
        })
        .collect();
    let res = repo.apply_writes(&writes, &key).await.unwrap();
    let ev = repo.commit_event(&res).await.unwrap();
    assert!(ues_repo::firehose::check_commit(&ev, Some(&key)).is_empty());
    let mut writes: Vec<Write> = (0..300)
        .step_by(7)
        .map(|i| Write::Delete {
            collection: COLL.into(),
            rkey: format!("e{i:04}"),
        })
        .collect();
    writes.push(Write::Update {
        collection: COLL.into(),
        rkey: "e0001".into(),
        record: post(7),
    });
    writes.push(Write::Create {
        collection: COLL.into(),
        rkey: None,
        record: post(8),
    });
    let res = repo.apply_writes(&writes, &key).await.unwrap();
    let ev = repo.commit_event(&res).await.unwrap();
    let errs = ues_repo::firehose::check_commit(&ev, Some(&key));
    assert!(errs.is_empty(), "{errs:?}");
    // The event is much smaller than the repo.
    let ues_data::cbor::Ipld::Map(m) = &ev else {
        panic!()
    };
    let ues_data::cbor::Ipld::Bytes(b) = &m["blocks"] else {
        panic!()
    };
    assert!(b.len() < repo.export_car().await.unwrap().len() / 2);
}
async_test!(repo_commit_events_check, commit_events_check());
