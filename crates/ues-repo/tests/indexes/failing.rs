//! A memory store whose next batch can be made to fail.

use std::cell::Cell;
use std::rc::Rc;
use ues_store::{Batch, BlockStore, Cid, KvStore, MemoryStore, Scan, Store, StoreError};

/// A [`MemoryStore`] that rejects the next batch after [`FailingStore::fail_next`].
#[derive(Clone)]
pub struct FailingStore {
    inner: MemoryStore,
    fail: Rc<Cell<bool>>,
}

impl FailingStore {
    pub fn new(inner: MemoryStore) -> Self {
        FailingStore {
            inner,
            fail: Rc::default(),
        }
    }

    /// Makes the next `apply` fail without writing anything.
    pub fn fail_next(&self) {
        self.fail.set(true);
    }
}

impl BlockStore for FailingStore {
    async fn get_block(&self, cid: &Cid) -> ues_store::Result<Option<Vec<u8>>> {
        self.inner.get_block(cid).await
    }
    async fn has_block(&self, cid: &Cid) -> ues_store::Result<bool> {
        self.inner.has_block(cid).await
    }
    async fn get_blocks(&self, cids: &[Cid]) -> ues_store::Result<Vec<Option<Vec<u8>>>> {
        self.inner.get_blocks(cids).await
    }
}

impl KvStore for FailingStore {
    async fn get(&self, key: &[u8]) -> ues_store::Result<Option<Vec<u8>>> {
        self.inner.get(key).await
    }
    async fn scan(&self, scan: &Scan) -> ues_store::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.scan(scan).await
    }
    async fn sweep(&self) -> ues_store::Result<usize> {
        self.inner.sweep().await
    }
}

impl Store for FailingStore {
    async fn apply(&self, batch: Batch) -> ues_store::Result<()> {
        if self.fail.replace(false) {
            return Err(StoreError::Backend("injected failure".into()));
        }
        self.inner.apply(batch).await
    }
}
