//! The in-memory backend: two `BTreeMap`s behind a `RefCell`.
//!
//! Used by every other crate's tests and as the reference the conformance
//! suite is checked against. Batches are validated whole before anything is
//! written, so a rejected batch leaves the store as it was. Clones share the
//! same data (like two handles on one database).

use crate::{
    is_expired, Batch, BatchOp, BlockStore, Cid, Clock, KvStore, Result, Scan, Store, SystemClock,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::rc::Rc;
use ues_data::cid::CidMap;

/// One key-value entry: the value and its expiry (ms since the epoch).
#[derive(Debug, Clone)]
struct Entry {
    value: Vec<u8>,
    expires_at: Option<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Blocks by CID: a hash map with the cheap CID hasher (nothing needs
    /// blocks in CID order; comparing 96-byte CIDs down a B-tree cost more
    /// than the rest of a commit's storage).
    blocks: CidMap<Vec<u8>>,
    kv: BTreeMap<Vec<u8>, Entry>,
}

/// A [`Store`] held in memory. Not `Send` (like the browser backends).
#[derive(Clone)]
pub struct MemoryStore {
    inner: Rc<RefCell<Inner>>,
    clock: Rc<dyn Clock>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("MemoryStore")
            .field("blocks", &inner.blocks.len())
            .field("keys", &inner.kv.len())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store whose TTLs follow the host's wall clock.
    pub fn new() -> Self {
        Self::with_clock(Rc::new(SystemClock))
    }

    /// An empty store whose TTLs follow `clock` (tests move time with
    /// [`crate::conformance::ManualClock`]).
    pub fn with_clock(clock: Rc<dyn Clock>) -> Self {
        MemoryStore {
            inner: Rc::new(RefCell::new(Inner::default())),
            clock,
        }
    }

    /// Number of stored blocks.
    pub fn block_count(&self) -> usize {
        self.inner.borrow().blocks.len()
    }

    /// Number of stored keys, expired ones not yet swept included.
    pub fn key_count(&self) -> usize {
        self.inner.borrow().kv.len()
    }

    /// Total bytes of all stored blocks.
    pub fn block_bytes(&self) -> usize {
        self.inner.borrow().blocks.values().map(Vec::len).sum()
    }
}

/// Start and end bounds on key bytes.
type KeyBounds<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>);

/// Bounds as `BTreeMap::range` accepts them, or `None` when the range is
/// empty (`range` panics on start > end, or start == end with an excluded
/// side).
fn checked_bounds(scan: &Scan) -> Option<KeyBounds<'_>> {
    let start = scan.start.as_ref().map(Vec::as_slice);
    let end = scan.end.as_ref().map(Vec::as_slice);
    let (s, s_incl) = match start {
        Bound::Included(s) => (s, true),
        Bound::Excluded(s) => (s, false),
        Bound::Unbounded => return Some((start, end)),
    };
    let (e, e_incl) = match end {
        Bound::Included(e) => (e, true),
        Bound::Excluded(e) => (e, false),
        Bound::Unbounded => return Some((start, end)),
    };
    if s > e || (s == e && !(s_incl && e_incl)) {
        None
    } else {
        Some((start, end))
    }
}

impl BlockStore for MemoryStore {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        Ok(self.inner.borrow().blocks.get(cid).cloned())
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        Ok(self.inner.borrow().blocks.contains_key(cid))
    }

    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        let inner = self.inner.borrow();
        Ok(cids.iter().map(|c| inner.blocks.get(c).cloned()).collect())
    }
}

impl KvStore for MemoryStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let now = self.clock.now_ms();
        let inner = self.inner.borrow();
        Ok(inner
            .kv
            .get(key)
            .filter(|e| !is_expired(e.expires_at, now))
            .map(|e| e.value.clone()))
    }

    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let limit = scan.limit.unwrap_or(usize::MAX);
        let Some(bounds) = checked_bounds(scan) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now_ms();
        let inner = self.inner.borrow();
        let range = inner.kv.range::<[u8], _>(bounds);
        let live = |(k, e): (&Vec<u8>, &Entry)| {
            (!is_expired(e.expires_at, now)).then(|| (k.clone(), e.value.clone()))
        };
        Ok(if scan.reverse {
            range.rev().filter_map(live).take(limit).collect()
        } else {
            range.filter_map(live).take(limit).collect()
        })
    }

    async fn sweep(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let mut inner = self.inner.borrow_mut();
        let before = inner.kv.len();
        inner.kv.retain(|_, e| !is_expired(e.expires_at, now));
        Ok(before - inner.kv.len())
    }
}

impl Store for MemoryStore {
    async fn apply(&self, batch: Batch) -> Result<()> {
        batch.validate()?;
        let mut inner = self.inner.borrow_mut();
        inner.blocks.reserve(batch.ops.len());
        for op in batch.ops {
            match op {
                BatchOp::PutBlock { cid, bytes } => {
                    inner.blocks.insert(cid, bytes);
                }
                BatchOp::DeleteBlock { cid } => {
                    inner.blocks.remove(&cid);
                }
                BatchOp::Put {
                    key,
                    value,
                    expires_at,
                } => {
                    inner.kv.insert(key, Entry { value, expires_at });
                }
                BatchOp::Delete { key } => {
                    inner.kv.remove(&key);
                }
            }
        }
        Ok(())
    }
}
