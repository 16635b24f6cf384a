//! Opening a repo reads its head and root node only; the nodes a call needs
//! are read when it needs them, and a call that walks much of the tree reads
//! it level by level. Every operation gives the same answers as on a repo
//! that holds every node. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{post, tids, TestKey, DID};
use std::cell::Cell;
use std::rc::Rc;
use ues_data::cid::Cid;
use ues_fixtures::async_test;
use ues_repo::{Repo, Write};
use ues_store::{Batch, BlockStore, KvStore, MemoryStore, Result, Scan, Store};

const COLL: &str = "app.bsky.feed.post";

/// A memory store that counts the blocks read from it.
#[derive(Clone, Default)]
struct Counting {
    inner: MemoryStore,
    reads: Rc<Cell<usize>>,
}

impl BlockStore for Counting {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        self.reads.set(self.reads.get() + 1);
        self.inner.get_block(cid).await
    }
    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        self.inner.has_block(cid).await
    }
    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        self.reads.set(self.reads.get() + cids.len());
        self.inner.get_blocks(cids).await
    }
}

impl KvStore for Counting {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner.get(key).await
    }
    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.scan(scan).await
    }
    async fn sweep(&self) -> Result<usize> {
        self.inner.sweep().await
    }
}

impl Store for Counting {
    async fn apply(&self, batch: Batch) -> Result<()> {
        self.inner.apply(batch).await
    }
}

const N: usize = 2_000;

async fn filled() -> (Counting, Repo<Counting>) {
    let store = Counting::default();
    let mut repo = Repo::open(store.clone(), DID)
        .await
        .unwrap()
        .with_tids(tids(1_000_000));
    let writes: Vec<Write> = (0..N)
        .map(|i| Write::Create {
            collection: COLL.into(),
            rkey: Some(format!("3k{i:011}")),
            record: post(i),
        })
        .collect();
    for chunk in writes.chunks(500) {
        repo.apply_writes(chunk, &TestKey(1)).await.unwrap();
    }
    (store, repo)
}

async fn reopen(store: &Counting) -> (Repo<Counting>, usize) {
    store.reads.set(0);
    let repo = Repo::open(store.clone(), DID)
        .await
        .unwrap()
        .with_tids(tids(9_000_000));
    (repo, store.reads.get())
}

async fn open_reads_the_head_only_and_calls_read_what_they_need() {
    let (store, mut full) = filled().await;
    let all = full.list_records(COLL, None, 1000, true).await.unwrap();

    let (mut lazy, at_open) = reopen(&store).await;
    assert_eq!(at_open, 2, "the commit and the root node");
    let newest = lazy.list_records(COLL, None, 50, true).await.unwrap();
    assert_eq!(newest, all[..50], "same first page");
    let page = store.reads.get();
    assert!(page < 120, "a page read {page} blocks");
    eprintln!("a page of 50 read {page} blocks (50 records)");

    let got = lazy.get_record(COLL, "3k00000000007").await.unwrap();
    assert_eq!(got, full.get_record(COLL, "3k00000000007").await.unwrap());

    // One write: the nodes on its path, then a commit like the full repo's.
    let w = [Write::Update {
        collection: COLL.into(),
        rkey: "3k00000000100".into(),
        record: post(7),
    }];
    let a = lazy.apply_writes(&w, &TestKey(1)).await.unwrap();
    let b = full.apply_writes(&w, &TestKey(1)).await.unwrap();
    assert_eq!(a.data, b.data, "same tree after the same write");
}
async_test!(
    lazy_open_and_reads,
    open_reads_the_head_only_and_calls_read_what_they_need()
);

async fn walks_of_the_whole_tree_read_it_level_by_level() {
    let (store, mut full) = filled().await;
    let car = full.export_car().await.unwrap();
    let (mut lazy, _) = reopen(&store).await;
    assert_eq!(lazy.export_car().await.unwrap(), car, "same CAR");
    let nodes = store.reads.get();
    let (mut lazy, _) = reopen(&store).await;
    let listed = lazy.list_records(COLL, None, 1000, false).await.unwrap();
    assert_eq!(listed.len(), 1000);
    // Each node is read about once (the misses before the level-by-level
    // read may be read again), not once per retry.
    assert!(
        store.reads.get() <= nodes + 60,
        "{} reads",
        store.reads.get()
    );

    // A big batch on a cold repo equals the same batch on the warm one.
    let (mut lazy, _) = reopen(&store).await;
    let w: Vec<Write> = (0..300)
        .map(|i| Write::Delete {
            collection: COLL.into(),
            rkey: format!("3k{:011}", i * 6),
        })
        .collect();
    let a = lazy.apply_writes(&w, &TestKey(1)).await.unwrap();
    let b = full.apply_writes(&w, &TestKey(1)).await.unwrap();
    assert_eq!(a.data, b.data);
}
async_test!(
    lazy_whole_tree_walks,
    walks_of_the_whole_tree_read_it_level_by_level()
);
