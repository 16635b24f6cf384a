//! The memory backend against the conformance suite, plus the wrappers
//! built on it (verify-on-read, cache) and TTL sweeping. Runs natively and as
//! wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::rc::Rc;
use ues_data::cid::{blake3_cid, sha256_cid, RAW};
use ues_store::conformance::{self, ManualClock};
use ues_store::{
    Batch, BlockStore, CachedStore, Cid, Clock, KvStore, MemoryStore, Scan, Store, StoreError,
    Verified, ENTRY_OVERHEAD,
};

use ues_fixtures::async_test;

fn memory() -> (MemoryStore, ManualClock) {
    let clock = ManualClock::default();
    (MemoryStore::with_clock(Rc::new(clock.clone())), clock)
}

async fn conformance_memory() {
    let (store, clock) = memory();
    let n = conformance::check_all(&store, &clock).await;
    assert!(n >= 16, "ran {n} checks");
    assert_eq!(store.key_count(), 0);
    assert_eq!(store.block_count(), 0);
}
async_test!(memory_passes_conformance, conformance_memory());

fn raw_block(seed: u64, len: usize) -> (Cid, Vec<u8>) {
    let bytes = conformance::pattern(len, seed);
    (blake3_cid(RAW, &bytes), bytes)
}

async fn put_blocks<S: Store>(store: &S, blocks: &[(Cid, Vec<u8>)]) {
    let mut b = Batch::new();
    for (cid, bytes) in blocks {
        b.put_block(*cid, bytes.clone());
    }
    store.apply(b).await.expect("put blocks");
}

async fn ttl_sweep_removes_expired() {
    let (store, clock) = memory();
    let t0 = clock.now_ms();
    let mut b = Batch::new();
    for i in 0..100u64 {
        b.put_with_expiry(format!("s/{i:03}"), "x", t0 + 10 * i);
    }
    b.put("keep", "k");
    store.apply(b).await.unwrap();
    clock.set(t0 + 500); // entries 0..=50 expired
    assert_eq!(store.key_count(), 101, "expired entries stay until swept");
    assert_eq!(store.scan(&Scan::prefix(b"s/")).await.unwrap().len(), 49);
    assert_eq!(store.sweep().await.unwrap(), 51);
    assert_eq!(store.key_count(), 50);
    assert_eq!(store.sweep().await.unwrap(), 0);
}
async_test!(memory_ttl_sweep, ttl_sweep_removes_expired());

async fn verified_detects_corruption() {
    let store = Verified::new(MemoryStore::new());
    let (good, bytes) = raw_block(1, 300);
    let (bad, _) = raw_block(2, 300);
    let sha = sha256_cid(RAW, b"sha block");
    let mut b = Batch::new();
    b.put_block(good, bytes.clone())
        .put_block(bad, b"not the bytes of this CID".to_vec())
        .put_block(sha, b"sha block".to_vec());
    store.apply(b).await.unwrap();
    assert_eq!(store.get_block(&good).await.unwrap(), Some(bytes));
    assert_eq!(
        store.get_block(&sha).await.unwrap().as_deref(),
        Some(&b"sha block"[..])
    );
    assert_eq!(store.get_block(&bad).await, Err(StoreError::Corrupt(bad)));
    assert_eq!(
        store.get_blocks(&[good, bad]).await,
        Err(StoreError::Corrupt(bad))
    );
    let (absent, _) = raw_block(3, 10);
    assert_eq!(store.get_blocks(&[good, absent]).await.unwrap()[1], None);
    // Unwrapped, the corrupt bytes are returned as stored.
    assert!(store.inner().get_block(&bad).await.unwrap().is_some());
}
async_test!(verify_on_read, verified_detects_corruption());

async fn verified_passes_conformance() {
    let clock = ManualClock::default();
    let store = Verified::new(MemoryStore::with_clock(Rc::new(clock.clone())));
    conformance::check_all(&store, &clock).await;
}
async_test!(
    verified_memory_passes_conformance,
    verified_passes_conformance()
);

async fn cached_passes_conformance() {
    let clock = ManualClock::default();
    let memory = MemoryStore::with_clock(Rc::new(clock.clone()));
    let store = CachedStore::new(memory, 1 << 20);
    conformance::check_all(&store, &clock).await;
    let stats = store.stats();
    assert!(stats.bytes <= stats.capacity, "{stats:?}");
}
async_test!(
    cached_memory_passes_conformance,
    cached_passes_conformance()
);

async fn cache_byte_bound_and_counters() {
    let memory = MemoryStore::new();
    let blocks: Vec<_> = (0..20).map(|i| raw_block(100 + i, 1000)).collect();
    put_blocks(&memory, &blocks).await;
    let capacity = 5 * (1000 + ENTRY_OVERHEAD);
    let store = CachedStore::new(memory.clone(), capacity);

    for (cid, bytes) in &blocks {
        assert_eq!(store.get_block(cid).await.unwrap().as_ref(), Some(bytes));
        let s = store.stats();
        assert!(s.bytes <= capacity, "over budget: {s:?}");
    }
    let s = store.stats();
    assert_eq!(
        (s.hits, s.misses, s.entries, s.evictions),
        (0, 20, 5, 15),
        "{s:?}"
    );
    // The last five are cached; the first is not.
    for (cid, _) in &blocks[15..] {
        store.get_block(cid).await.unwrap();
    }
    assert_eq!(store.stats().hits, 5);
    store.get_block(&blocks[0].0).await.unwrap();
    assert_eq!(store.stats().misses, 21);
    // Recency: touching block 16 keeps it while block 17 is evicted.
    store.get_block(&blocks[16].0).await.unwrap();
    store.get_block(&blocks[1].0).await.unwrap();
    let hits = store.stats().hits;
    store.get_block(&blocks[16].0).await.unwrap();
    assert_eq!(
        store.stats().hits,
        hits + 1,
        "recently used block was evicted"
    );
    store.get_block(&blocks[17].0).await.unwrap();
    assert_eq!(
        store.stats().hits,
        hits + 1,
        "least recently used block was kept"
    );

    // get_blocks: hits and misses per block, absent blocks not cached.
    store.clear();
    let (absent, _) = raw_block(999, 10);
    let before = store.stats();
    let got = store
        .get_blocks(&[blocks[2].0, absent, blocks[3].0])
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![Some(blocks[2].1.clone()), None, Some(blocks[3].1.clone())]
    );
    let got = store
        .get_blocks(&[blocks[2].0, absent, blocks[3].0])
        .await
        .unwrap();
    assert_eq!(got[1], None);
    let s = store.stats();
    assert_eq!(
        (s.hits - before.hits, s.misses - before.misses),
        (2, 4),
        "{s:?}"
    );

    // A block larger than the whole budget is never cached.
    let (huge, huge_bytes) = raw_block(7, capacity + 1);
    put_blocks(&store, &[(huge, huge_bytes.clone())]).await;
    assert_eq!(store.get_block(&huge).await.unwrap(), Some(huge_bytes));
    assert!(store.stats().bytes <= capacity);
}
async_test!(cache_bounded_by_bytes, cache_byte_bound_and_counters());

async fn cache_filled_by_batches_and_invalidated() {
    let store = CachedStore::new(MemoryStore::new(), 1 << 20);
    let (a, a_bytes) = raw_block(1, 100);
    let (b, b_bytes) = raw_block(2, 100);
    let mut batch = Batch::new();
    batch
        .put_block(a, a_bytes.clone())
        .put_block(b, b_bytes)
        .delete_block(b);
    store.apply(batch).await.unwrap();
    assert_eq!(
        store.stats().entries,
        1,
        "only the block the batch left present is cached"
    );
    assert_eq!(store.get_block(&a).await.unwrap(), Some(a_bytes.clone()));
    assert_eq!(store.get_block(&b).await.unwrap(), None);
    let s = store.stats();
    assert_eq!((s.hits, s.misses), (1, 1));

    let mut batch = Batch::new();
    batch.delete_block(a);
    store.apply(batch).await.unwrap();
    assert_eq!(
        store.get_block(&a).await.unwrap(),
        None,
        "deleted block served from cache"
    );
    assert!(!store.has_block(&a).await.unwrap());

    // A failed batch changes nothing, cache included.
    let mut batch = Batch::new();
    batch.put_block(a, a_bytes).put(Vec::new(), "bad");
    assert!(matches!(
        store.apply(batch).await,
        Err(StoreError::InvalidArgument(_))
    ));
    assert_eq!(store.stats().entries, 0);
    assert!(!store.inner().has_block(&a).await.unwrap());
}
async_test!(cache_batches, cache_filled_by_batches_and_invalidated());

/// Returns `Pending` once (waking itself), so joined futures interleave.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

/// A block store that reads, then yields before answering: a slow backend.
struct SlowReads(MemoryStore);

impl BlockStore for SlowReads {
    async fn get_block(&self, cid: &Cid) -> ues_store::Result<Option<Vec<u8>>> {
        let got = self.0.get_block(cid).await;
        YieldOnce(false).await;
        got
    }
    async fn has_block(&self, cid: &Cid) -> ues_store::Result<bool> {
        self.0.has_block(cid).await
    }
    async fn get_blocks(&self, cids: &[Cid]) -> ues_store::Result<Vec<Option<Vec<u8>>>> {
        let got = self.0.get_blocks(cids).await;
        YieldOnce(false).await;
        got
    }
}

impl KvStore for SlowReads {
    async fn get(&self, key: &[u8]) -> ues_store::Result<Option<Vec<u8>>> {
        self.0.get(key).await
    }
    async fn scan(&self, scan: &Scan) -> ues_store::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.0.scan(scan).await
    }
    async fn sweep(&self) -> ues_store::Result<usize> {
        self.0.sweep().await
    }
}

impl Store for SlowReads {
    async fn apply(&self, batch: Batch) -> ues_store::Result<()> {
        self.0.apply(batch).await
    }
}

async fn cache_read_racing_delete() {
    let store = CachedStore::new(SlowReads(MemoryStore::new()), 1 << 20);
    let (a, a_bytes) = raw_block(5, 100);
    put_blocks(store.inner(), &[(a, a_bytes.clone())]).await;
    let mut delete = Batch::new();
    delete.delete_block(a);
    // The read fetches the block, the delete lands while it is in flight.
    let (read, applied) = futures::join!(store.get_block(&a), store.apply(delete));
    applied.unwrap();
    assert_eq!(
        read.unwrap(),
        Some(a_bytes),
        "the read began before the delete"
    );
    assert_eq!(
        store.stats().entries,
        0,
        "a read that raced a delete filled the cache"
    );
    assert!(!store.has_block(&a).await.unwrap());
    assert_eq!(store.get_block(&a).await.unwrap(), None);
}
async_test!(cache_race_with_delete, cache_read_racing_delete());
