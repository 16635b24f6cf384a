//! The native (redb) backend: the shared conformance suite, persistence
//! across reopen, TTL sweep through the expiry index, corrupt blocks under
//! [`Verified`], errors on a locked or foreign file.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::rc::Rc;

use futures::executor::block_on;
use ues_data::cid::sha256_cid;
use ues_store::conformance::{check_all, ManualClock};
use ues_store::native::NativeStore;
use ues_store::{Batch, BlockStore, Cid, KvStore, Scan, Store, StoreError, Verified};

const RAW: u64 = 0x55;

fn open(path: &Path, clock: &ManualClock) -> NativeStore {
    match NativeStore::open(path, Rc::new(clock.clone())) {
        Ok(s) => s,
        Err(e) => panic!("open {}: {e}", path.display()),
    }
}

fn store_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("store.redb")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("create a temporary directory")
}

#[test]
fn conformance() {
    let dir = tmp();
    let clock = ManualClock::default();
    let store = open(&store_path(&dir), &clock);
    let n = block_on(check_all(&store, &clock));
    assert!(n > 0, "the conformance suite ran no check");
}

#[test]
fn data_survives_reopen() {
    let dir = tmp();
    let path = store_path(&dir);
    let clock = ManualClock::default();
    let now = 1_700_000_000_000;
    let block = b"a block that outlives its process".to_vec();
    let cid = sha256_cid(RAW, &block);
    {
        let store = open(&path, &clock);
        let mut batch = Batch::new();
        batch.put_block(cid, block.clone());
        for i in 0..100u32 {
            batch.put(format!("k/{i:03}"), i.to_be_bytes().to_vec());
        }
        batch.put_with_expiry("ttl/soon", "x", now + 10);
        batch.put_with_expiry("ttl/late", "y", now + 1_000);
        block_on(store.apply(batch)).expect("apply");
        let mut del = Batch::new();
        del.delete("k/050");
        block_on(store.apply(del)).expect("apply delete");
    }
    let store = open(&path, &clock);
    assert_eq!(
        block_on(store.get_block(&cid)).expect("get_block"),
        Some(block)
    );
    let keys = block_on(store.scan(&Scan::prefix(b"k/"))).expect("scan");
    assert_eq!(keys.len(), 99);
    assert_eq!(keys[0], (b"k/000".to_vec(), 0u32.to_be_bytes().to_vec()));
    assert!(block_on(store.get(b"k/050")).expect("get").is_none());
    let last = block_on(store.scan(&Scan::prefix(b"k/").reverse().limit(1))).expect("scan");
    assert_eq!(last[0].0, b"k/099".to_vec());

    // Expiries persist too, and the sweep finds them through the index.
    clock.advance(10);
    assert!(block_on(store.get(b"ttl/soon")).expect("get").is_none());
    assert_eq!(
        block_on(store.get(b"ttl/late")).expect("get"),
        Some(b"y".to_vec())
    );
    assert_eq!(block_on(store.sweep()).expect("sweep"), 1);
    assert_eq!(block_on(store.sweep()).expect("sweep"), 0);
    drop(store);
    let store = open(&path, &clock);
    clock.advance(1_000);
    assert_eq!(block_on(store.sweep()).expect("sweep"), 1);
    assert!(block_on(store.scan(&Scan::prefix(b"ttl/")))
        .expect("scan")
        .is_empty());
}

#[test]
fn rewriting_an_expiry_moves_its_index_row() {
    let dir = tmp();
    let clock = ManualClock::new(1_000);
    let store = open(&store_path(&dir), &clock);
    let mut b = Batch::new();
    b.put_with_expiry("a", "1", 1_010)
        .put_with_expiry("b", "2", 1_010);
    block_on(store.apply(b)).expect("apply");
    // `a` gets a later expiry, `b` none: neither may be swept at 1_010.
    let mut b = Batch::new();
    b.put_with_expiry("a", "1'", 2_000).put("b", "2'");
    block_on(store.apply(b)).expect("apply");
    clock.set(1_010);
    assert_eq!(block_on(store.sweep()).expect("sweep"), 0);
    assert_eq!(
        block_on(store.get(b"a")).expect("get"),
        Some(b"1'".to_vec())
    );
    clock.set(2_000);
    assert!(block_on(store.get(b"a")).expect("get").is_none());
    assert_eq!(block_on(store.sweep()).expect("sweep"), 1);
    assert_eq!(
        block_on(store.scan(&Scan::all())).expect("scan"),
        vec![(b"b".to_vec(), b"2'".to_vec())]
    );
}

#[test]
fn verified_native_store_reports_corrupt_blocks() {
    let dir = tmp();
    let clock = ManualClock::default();
    let store = Verified::new(open(&store_path(&dir), &clock));
    let good = b"good".to_vec();
    let good_cid = sha256_cid(RAW, &good);
    let bad_cid: Cid = sha256_cid(RAW, b"what the CID promises");
    let mut b = Batch::new();
    b.put_block(good_cid, good.clone())
        .put_block(bad_cid, b"something else".to_vec());
    block_on(store.apply(b)).expect("apply");
    assert_eq!(
        block_on(store.get_block(&good_cid)).expect("good block"),
        Some(good)
    );
    assert_eq!(
        block_on(store.get_block(&bad_cid)),
        Err(StoreError::Corrupt(bad_cid))
    );
    assert_eq!(
        block_on(store.get_blocks(&[good_cid, bad_cid])),
        Err(StoreError::Corrupt(bad_cid))
    );
    assert!(block_on(store.has_block(&bad_cid)).expect("has"));
}

#[test]
fn second_open_of_the_same_file_is_an_error() {
    let dir = tmp();
    let clock = ManualClock::default();
    let _first = open(&store_path(&dir), &clock);
    match NativeStore::open(store_path(&dir), Rc::new(clock.clone())) {
        Err(StoreError::Backend(_)) => {}
        other => panic!("expected a Backend error, got {other:?}"),
    }
}

#[test]
fn a_file_that_is_not_a_store_is_an_error() {
    let dir = tmp();
    let path = store_path(&dir);
    std::fs::write(&path, b"not a redb file, just some bytes").expect("write");
    let clock = ManualClock::default();
    assert!(matches!(
        NativeStore::open(&path, Rc::new(clock)),
        Err(StoreError::Backend(_))
    ));
}
