//! Verify-on-read: a wrapper that checks every block it returns against its
//! CID, so a corrupted disk or a faulty backend surfaces as
//! [`StoreError::Corrupt`] instead of wrong data.
//!
//! Stack it under a cache (`CachedStore<Verified<S>>`) to verify each block
//! once, when it is loaded from the backend.

use crate::{Batch, BlockStore, Cid, KvStore, Result, Scan, Store, StoreError};
use ues_data::cid::CidError;

/// A store whose block reads are verified against their CIDs; key-value
/// reads and batches pass through unchanged.
#[derive(Debug, Clone, Default)]
pub struct Verified<S> {
    inner: S,
}

impl<S> Verified<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Verified { inner }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Unwraps the store.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// Checks `bytes` against `cid`: [`StoreError::Corrupt`] when they differ,
/// [`StoreError::InvalidArgument`] when the CID's hash cannot be verified
/// here (neither sha2-256 nor BLAKE3).
pub fn verify_block(cid: &Cid, bytes: &[u8]) -> Result<()> {
    match ues_data::cid::verify(cid, bytes) {
        Ok(()) => Ok(()),
        Err(CidError::HashMismatch(_)) => Err(StoreError::Corrupt(*cid)),
        Err(e) => Err(StoreError::InvalidArgument(format!(
            "cannot verify block {cid}: {e}"
        ))),
    }
}

impl<S: BlockStore> BlockStore for Verified<S> {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let bytes = self.inner.get_block(cid).await?;
        if let Some(b) = &bytes {
            verify_block(cid, b)?;
        }
        Ok(bytes)
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        self.inner.has_block(cid).await
    }

    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        let blocks = self.inner.get_blocks(cids).await?;
        for (cid, bytes) in cids.iter().zip(&blocks) {
            if let Some(b) = bytes {
                verify_block(cid, b)?;
            }
        }
        Ok(blocks)
    }
}

impl<S: KvStore> KvStore for Verified<S> {
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

impl<S: Store> Store for Verified<S> {
    async fn apply(&self, batch: Batch) -> Result<()> {
        self.inner.apply(batch).await
    }
}
