//! An LRU block cache in front of any store, bounded by bytes.
//!
//! The `lru` crate keeps the recency order; it bounds entries, not bytes, so
//! the cache is created unbounded and this module evicts least-recently-used
//! blocks itself until the byte total fits the budget.
//!
//! Filled on reads (`get_block`, `get_blocks`) and on applied batches
//! (`PutBlock`), invalidated on `DeleteBlock`. Blocks are content-addressed,
//! so a cached block is never stale in its bytes; the only hazard is a block
//! deleted while a read of it is in flight, which an epoch counter guards
//! (a read that overlapped a deleting batch does not fill the cache).

use crate::{Batch, BatchOp, BlockStore, Cid, KvStore, Result, Scan, Store};
use lru::LruCache;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

/// Bytes each cached block is charged beyond its length (CID, links,
/// allocation), so that even empty blocks count against the budget.
pub const ENTRY_OVERHEAD: usize = 64;

/// Counters and sizes of a [`CachedStore`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Blocks served from the cache.
    pub hits: u64,
    /// Blocks asked for that were not cached (found in the store or not).
    pub misses: u64,
    /// Blocks evicted to keep within the byte budget.
    pub evictions: u64,
    /// Blocks cached now.
    pub entries: usize,
    /// Bytes charged now (block lengths + [`ENTRY_OVERHEAD`] each).
    pub bytes: usize,
    /// The byte budget.
    pub capacity: usize,
}

struct Lru {
    map: LruCache<Cid, Vec<u8>>,
    stats: CacheStats,
}

impl Lru {
    fn insert(&mut self, cid: Cid, bytes: Vec<u8>) {
        self.remove(&cid);
        let cost = bytes.len() + ENTRY_OVERHEAD;
        if cost > self.stats.capacity {
            return; // larger than the whole budget: never cached
        }
        while self.stats.bytes + cost > self.stats.capacity {
            match self.map.pop_lru() {
                Some((_, old)) => {
                    self.stats.bytes -= old.len() + ENTRY_OVERHEAD;
                    self.stats.evictions += 1;
                }
                None => break,
            }
        }
        self.stats.bytes += cost;
        self.map.put(cid, bytes);
    }

    fn remove(&mut self, cid: &Cid) {
        if let Some(old) = self.map.pop(cid) {
            self.stats.bytes -= old.len() + ENTRY_OVERHEAD;
        }
    }
}

/// A store with an LRU cache of blocks bounded by `capacity` bytes.
/// Key-value reads pass through uncached.
pub struct CachedStore<S> {
    inner: S,
    lru: RefCell<Lru>,
    /// Bumped whenever a batch deleting blocks starts or ends.
    epoch: Cell<u64>,
}

impl<S> std::fmt::Debug for CachedStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore")
            .field("stats", &self.stats())
            .finish()
    }
}

impl<S> CachedStore<S> {
    /// Wraps `inner` with a cache of at most `capacity` bytes.
    pub fn new(inner: S, capacity: usize) -> Self {
        let stats = CacheStats {
            capacity,
            ..CacheStats::default()
        };
        CachedStore {
            inner,
            lru: RefCell::new(Lru {
                map: LruCache::unbounded(),
                stats,
            }),
            epoch: Cell::new(0),
        }
    }

    /// Hit/miss counters and current size.
    pub fn stats(&self) -> CacheStats {
        let lru = self.lru.borrow();
        CacheStats {
            entries: lru.map.len(),
            ..lru.stats
        }
    }

    /// Drops every cached block (the counters stay).
    pub fn clear(&self) {
        let mut lru = self.lru.borrow_mut();
        lru.map.clear();
        lru.stats.bytes = 0;
    }

    /// The wrapped store (reads through it bypass the cache).
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Unwraps the store.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn lookup(&self, cid: &Cid) -> Option<Vec<u8>> {
        let mut lru = self.lru.borrow_mut();
        let found = lru.map.get(cid).cloned();
        match found {
            Some(_) => lru.stats.hits += 1,
            None => lru.stats.misses += 1,
        }
        found
    }

    fn fill(&self, epoch: u64, cid: Cid, bytes: &[u8]) {
        if self.epoch.get() == epoch {
            self.lru.borrow_mut().insert(cid, bytes.to_vec());
        }
    }
}

impl<S: BlockStore> BlockStore for CachedStore<S> {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        if let Some(bytes) = self.lookup(cid) {
            return Ok(Some(bytes));
        }
        let epoch = self.epoch.get();
        let bytes = self.inner.get_block(cid).await?;
        if let Some(b) = &bytes {
            self.fill(epoch, *cid, b);
        }
        Ok(bytes)
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        if self.lru.borrow().map.contains(cid) {
            return Ok(true);
        }
        self.inner.has_block(cid).await
    }

    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut out: Vec<Option<Vec<u8>>> = cids.iter().map(|c| self.lookup(c)).collect();
        let missing: Vec<usize> = (0..cids.len()).filter(|&i| out[i].is_none()).collect();
        if missing.is_empty() {
            return Ok(out);
        }
        let epoch = self.epoch.get();
        let ask: Vec<Cid> = missing.iter().map(|&i| cids[i]).collect();
        let got = self.inner.get_blocks(&ask).await?;
        for (&i, bytes) in missing.iter().zip(got) {
            if let Some(b) = &bytes {
                self.fill(epoch, cids[i], b);
            }
            out[i] = bytes;
        }
        Ok(out)
    }
}

impl<S: KvStore> KvStore for CachedStore<S> {
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

impl<S: Store> Store for CachedStore<S> {
    async fn apply(&self, batch: Batch) -> Result<()> {
        let deletes = batch
            .ops
            .iter()
            .any(|op| matches!(op, BatchOp::DeleteBlock { .. }));
        if deletes {
            // Drop the blocks now (a miss is always safe) and stop reads in
            // flight from filling the cache with them.
            self.epoch.set(self.epoch.get() + 1);
            let mut lru = self.lru.borrow_mut();
            for op in &batch.ops {
                if let BatchOp::DeleteBlock { cid } = op {
                    lru.remove(cid);
                }
            }
        }
        // Blocks the batch leaves present, latest first, as many as can stay
        // cached (earlier ones would be evicted by later ones anyway).
        let mut keep: Vec<(Cid, Vec<u8>)> = Vec::new();
        let mut decided = HashSet::new();
        let mut budget = self.lru.borrow().stats.capacity;
        for op in batch.ops.iter().rev() {
            match op {
                BatchOp::PutBlock { cid, bytes } if decided.insert(*cid) => {
                    let cost = bytes.len() + ENTRY_OVERHEAD;
                    if cost <= budget {
                        budget -= cost;
                        keep.push((*cid, bytes.clone()));
                    }
                }
                BatchOp::DeleteBlock { cid } => {
                    decided.insert(*cid);
                }
                _ => {}
            }
        }
        let result = self.inner.apply(batch).await;
        if deletes {
            self.epoch.set(self.epoch.get() + 1);
        }
        result?;
        let mut lru = self.lru.borrow_mut();
        for (cid, bytes) in keep.into_iter().rev() {
            lru.insert(cid, bytes);
        }
        Ok(())
    }
}
