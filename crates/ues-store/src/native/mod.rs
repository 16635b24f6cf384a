//! Native backend: [`NativeStore`] on [redb](https://www.redb.org).
//!
//! Why redb rather than an LSM such as fjall: it is pure Rust, keeps the
//! whole store in one file, and gives serializable ACID write transactions
//! with MVCC readers. That maps one-to-one onto our model — one
//! [`Store::apply`] is one redb write transaction — and our workload (a few
//! large group-committed batches, many point reads and ordered scans) suits a
//! copy-on-write B-tree better than write-amplification-tuned LSM levels
//! with background compaction threads (which would also go against "no
//! threads" for a backend that should stay simple to reason about).
//!
//! Durability: every commit uses redb's default `Durability::Immediate`:
//! the new root is written to a checksummed commit slot and `fsync`ed before
//! [`Store::apply`] returns, so an acknowledged batch survives a crash or
//! power loss (as far as the disk honours `fsync`), and a batch interrupted
//! mid-write is invisible after reopening (redb falls back to the previous
//! valid commit slot). `tests/crash.rs` checks this with 100 `SIGKILL`s.
//!
//! Layout (schema version 1, in table `meta`):
//! - `blocks`: binary CID → block bytes;
//! - `kv`: key → 8-byte big-endian expiry (ms since epoch, `u64::MAX` for
//!   none) followed by the value;
//! - `kv_expiry`: 8-byte big-endian expiry ‖ key → `()`, one row per entry
//!   that has an expiry, so [`KvStore::sweep`] reads only what expired.
//!
//! Expiry follows [`crate::is_expired`]. The async trait methods do their
//! (blocking) work synchronously: no threads, no runtime.

use std::path::Path;
use std::rc::Rc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use crate::{Batch, BatchOp, BlockStore, Cid, Clock, KvStore, Result, Scan, Store, StoreError};

mod kv;
use kv::{expired, live_entries, range_is_empty, split, KvWriter};

const BLOCKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("blocks");
const KV: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");
const EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("kv_expiry");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The on-disk layout this code reads and writes.
pub const SCHEMA_VERSION: u64 = 1;
const SCHEMA_KEY: &str = "schema_version";

/// A [`Store`] in one redb file. Not `Send` (its clock is an `Rc`); share it
/// by reference between tasks of one thread. Wrap it in
/// [`crate::Verified`] to check blocks against their CIDs on read.
pub struct NativeStore {
    db: Database,
    clock: Rc<dyn Clock>,
}

impl std::fmt::Debug for NativeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeStore").finish_non_exhaustive()
    }
}

/// Maps any redb error to a [`StoreError`]: an oversized key or value is the
/// caller's [`StoreError::InvalidArgument`], the rest [`StoreError::Backend`].
fn backend(e: impl Into<redb::Error>) -> StoreError {
    match e.into() {
        redb::Error::ValueTooLarge(n) => {
            StoreError::InvalidArgument(format!("key or value of {n} bytes is too large"))
        }
        e => StoreError::Backend(e.to_string()),
    }
}

impl NativeStore {
    /// Opens the store in the file at `path`, creating it (and its tables)
    /// if missing. After a crash redb recovers to the last durable commit.
    /// Fails with [`StoreError::Backend`] if the file is not a redb database,
    /// is open elsewhere, or has a newer schema version.
    pub fn open(path: impl AsRef<Path>, clock: Rc<dyn Clock>) -> Result<Self> {
        let db = Database::create(path.as_ref()).map_err(backend)?;
        let txn = db.begin_write().map_err(backend)?;
        let init = (|| {
            txn.open_table(BLOCKS).map_err(backend)?;
            txn.open_table(KV).map_err(backend)?;
            txn.open_table(EXPIRY).map_err(backend)?;
            let mut meta = txn.open_table(META).map_err(backend)?;
            let version = meta.get(SCHEMA_KEY).map_err(backend)?.map(|g| g.value());
            match version {
                None => {
                    meta.insert(SCHEMA_KEY, SCHEMA_VERSION).map_err(backend)?;
                }
                Some(v) if v > SCHEMA_VERSION => {
                    return Err(StoreError::Backend(format!(
                        "store schema version {v} is newer than this build supports ({SCHEMA_VERSION})"
                    )));
                }
                // Older versions get their upgrade steps here when there are any.
                Some(_) => {}
            }
            Ok(())
        })();
        finish(txn, init)?;
        Ok(NativeStore { db, clock })
    }
}

/// Commits `txn` if `result` is `Ok`, aborts it otherwise.
fn finish<T>(txn: WriteTransaction, result: Result<T>) -> Result<T> {
    match result {
        Ok(v) => {
            txn.commit().map_err(backend)?;
            Ok(v)
        }
        Err(e) => {
            // The abort error, if any, matters less than the cause.
            let _ = txn.abort();
            Err(e)
        }
    }
}

fn write_ops(txn: &WriteTransaction, batch: Batch) -> Result<()> {
    let mut blocks = txn.open_table(BLOCKS).map_err(backend)?;
    let mut kv = KvWriter::open(txn)?;
    for op in batch.ops {
        match op {
            BatchOp::PutBlock { cid, bytes } => {
                blocks
                    .insert(cid.to_bytes().as_slice(), bytes.as_slice())
                    .map_err(backend)?;
            }
            BatchOp::DeleteBlock { cid } => {
                blocks.remove(cid.to_bytes().as_slice()).map_err(backend)?;
            }
            BatchOp::Put {
                key,
                value,
                expires_at,
            } => kv.put(&key, &value, expires_at)?,
            BatchOp::Delete { key } => kv.delete(&key)?,
        }
    }
    Ok(())
}

impl BlockStore for NativeStore {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(BLOCKS).map_err(backend)?;
        let bytes = table.get(cid.to_bytes().as_slice()).map_err(backend)?;
        Ok(bytes.map(|g| g.value().to_vec()))
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(BLOCKS).map_err(backend)?;
        Ok(table
            .get(cid.to_bytes().as_slice())
            .map_err(backend)?
            .is_some())
    }

    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(BLOCKS).map_err(backend)?;
        cids.iter()
            .map(|cid| {
                let bytes = table.get(cid.to_bytes().as_slice()).map_err(backend)?;
                Ok(bytes.map(|g| g.value().to_vec()))
            })
            .collect()
    }
}

impl KvStore for NativeStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(KV).map_err(backend)?;
        let Some(guard) = table.get(key).map_err(backend)? else {
            return Ok(None);
        };
        let (expires_at, value) = split(guard.value())?;
        if expired(expires_at, self.clock.now_ms()) {
            return Ok(None);
        }
        Ok(Some(value.to_vec()))
    }

    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let limit = scan.limit.unwrap_or(usize::MAX);
        if limit == 0 || range_is_empty(scan) {
            return Ok(Vec::new());
        }
        let now = self.clock.now_ms();
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(KV).map_err(backend)?;
        let range = table
            .range::<&[u8]>((
                scan.start.as_ref().map(Vec::as_slice),
                scan.end.as_ref().map(Vec::as_slice),
            ))
            .map_err(backend)?;
        if scan.reverse {
            live_entries(range.rev(), now, limit)
        } else {
            live_entries(range, now, limit)
        }
    }

    async fn sweep(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let txn = self.db.begin_write().map_err(backend)?;
        let swept = KvWriter::open(&txn).and_then(|mut kv| kv.sweep(now));
        match swept {
            // Nothing to delete: skip the commit and its fsync.
            Ok(0) => {
                txn.abort().map_err(backend)?;
                Ok(0)
            }
            other => finish(txn, other),
        }
    }
}

impl Store for NativeStore {
    async fn apply(&self, batch: Batch) -> Result<()> {
        batch.validate()?;
        if batch.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().map_err(backend)?;
        let result = write_ops(&txn, batch);
        finish(txn, result)
    }
}
