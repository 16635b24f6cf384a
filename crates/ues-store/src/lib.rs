//! UES storage layer (layer 1): one block store + ordered key-value store
//! abstraction that every host implements (memory everywhere, IndexedDB in
//! the browser, an embedded engine natively, Durable Objects on the edge).
//!
//! The traits are async because the browser and edge backends are, and need
//! not be `Send` (IndexedDB and Durable Object handles are not). Writes go
//! through one atomic [`Batch`] per commit: blocks and keys together, all or
//! nothing, so a repo commit is one storage transaction.

mod batch;
pub mod blob;
mod cache;
pub mod conformance;
mod error;
pub mod fts;
#[cfg(target_arch = "wasm32")]
pub mod idb;
pub mod index;
mod memory;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
mod verify;

pub use batch::{Batch, BatchOp};
pub use cache::{CacheStats, CachedStore, ENTRY_OVERHEAD};
pub use error::StoreError;
pub use memory::MemoryStore;
pub use ues_data::cid::Cid;
pub use verify::{verify_block, Verified};

use std::ops::Bound;

/// Result of storage operations.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Milliseconds since the Unix epoch, from the host's clock. Injected so tests
/// can move time (TTL) and core code never reads a clock directly.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// Whether an entry with expiry `expires_at` (ms since the epoch) reads as
/// absent at `now_ms`: it expires at that instant (`now_ms >= expires_at`).
/// Every backend uses this rule, so TTL behaves the same on every host.
pub fn is_expired(expires_at: Option<u64>, now_ms: u64) -> bool {
    matches!(expires_at, Some(t) if now_ms >= t)
}

/// The host's wall clock (`web-time`: `Date.now()` in a browser).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A key range to scan: bounds on the raw key bytes (ordered byte-wise),
/// direction, and an optional limit on the number of entries returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub start: Bound<Vec<u8>>,
    pub end: Bound<Vec<u8>>,
    pub reverse: bool,
    pub limit: Option<usize>,
}

impl Scan {
    /// Every key, ascending.
    pub fn all() -> Self {
        Scan {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
            reverse: false,
            limit: None,
        }
    }

    /// Every key that starts with `prefix`, ascending.
    pub fn prefix(prefix: &[u8]) -> Self {
        let end = prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded);
        Scan {
            start: Bound::Included(prefix.to_vec()),
            end,
            reverse: false,
            limit: None,
        }
    }

    /// Keys in `[start, end)`, ascending.
    pub fn range(start: &[u8], end: &[u8]) -> Self {
        Scan {
            start: Bound::Included(start.to_vec()),
            end: Bound::Excluded(end.to_vec()),
            reverse: false,
            limit: None,
        }
    }

    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Whether `key` lies within the bounds.
    pub fn contains(&self, key: &[u8]) -> bool {
        let after_start = match &self.start {
            Bound::Included(s) => key >= s.as_slice(),
            Bound::Excluded(s) => key > s.as_slice(),
            Bound::Unbounded => true,
        };
        let before_end = match &self.end {
            Bound::Included(e) => key <= e.as_slice(),
            Bound::Excluded(e) => key < e.as_slice(),
            Bound::Unbounded => true,
        };
        after_start && before_end
    }
}

/// The smallest key greater than every key with `prefix`, or `None` when
/// there is none (the prefix is empty or all 0xff).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Content-addressed blocks: CID → bytes.
#[allow(async_fn_in_trait)]
pub trait BlockStore {
    /// The bytes of `cid`, if stored.
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>>;
    /// Whether `cid` is stored.
    async fn has_block(&self, cid: &Cid) -> Result<bool>;
    /// Many blocks at once (one transaction where the backend has them), in
    /// the order asked.
    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>>;
}

/// An ordered key-value store with TTL. Keys order byte-wise. Entries whose
/// expiry has passed read as absent and are removed by [`KvStore::sweep`].
#[allow(async_fn_in_trait)]
pub trait KvStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Entries in `scan`'s range and direction, at most `scan.limit`.
    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Deletes every expired entry; returns how many.
    async fn sweep(&self) -> Result<usize>;
}

/// Blocks and keys together, written by atomic batches.
#[allow(async_fn_in_trait)]
pub trait Store: BlockStore + KvStore {
    /// Applies every operation of `batch` or none of them. When this returns
    /// `Ok`, the batch is durable as far as the backend can promise.
    async fn apply(&self, batch: Batch) -> Result<()>;
}

/// A store shared by several owners (a node's repos, its identity records)
/// is the same store: `Rc<S>` delegates every call.
impl<S: BlockStore + ?Sized> BlockStore for std::rc::Rc<S> {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        (**self).get_block(cid).await
    }
    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        (**self).has_block(cid).await
    }
    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        (**self).get_blocks(cids).await
    }
}

impl<S: KvStore + ?Sized> KvStore for std::rc::Rc<S> {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        (**self).get(key).await
    }
    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        (**self).scan(scan).await
    }
    async fn sweep(&self) -> Result<usize> {
        (**self).sweep().await
    }
}

impl<S: Store + ?Sized> Store for std::rc::Rc<S> {
    async fn apply(&self, batch: Batch) -> Result<()> {
        (**self).apply(batch).await
    }
}
