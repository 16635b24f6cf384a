//! The storage traits on [`IdbStore`].

use ::idb::{
    Cursor, CursorDirection, KeyRange, ObjectStore, Query, Request, Transaction, TransactionMode,
};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;
use web_sys::IdbRequest;

use super::js::{bytes, call, entry, from_idb, key, key_range, outcome, read_entry};
use super::{Fault, IdbStore, BLOCKS, EXPIRY_INDEX, KV};
use crate::{is_expired, Batch, BatchOp, BlockStore, Cid, KvStore, Result, Scan, Store};

/// A read result: `None` when the request found nothing.
fn found(value: JsValue) -> Option<JsValue> {
    (!value.is_undefined()).then_some(value)
}

fn store(tx: &Transaction, name: &str) -> Result<ObjectStore> {
    tx.object_store(name).map_err(from_idb)
}

impl BlockStore for IdbStore {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let tx = self.read(BLOCKS)?;
        let value = call(store(&tx, BLOCKS)?.get(key(&cid.to_bytes()))).await?;
        found(value).map(|v| bytes(&v, "block")).transpose()
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        let tx = self.read(BLOCKS)?;
        let found_key = call(store(&tx, BLOCKS)?.get_key(key(&cid.to_bytes()))).await?;
        Ok(found(found_key).is_some())
    }

    /// All gets are issued in one `readonly` transaction; only its end is
    /// awaited, then each request's result is read.
    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        if cids.is_empty() {
            return Ok(Vec::new());
        }
        let (tx, finish) = self.begin(&[BLOCKS], TransactionMode::ReadOnly)?;
        let blocks = store(&tx, BLOCKS)?;
        let issued: std::result::Result<Vec<_>, _> = cids
            .iter()
            .map(|cid| blocks.get(key(&cid.to_bytes())))
            .collect();
        let requests = match issued {
            Ok(r) => r,
            Err(e) => {
                finish.abort();
                return Err(from_idb(e));
            }
        };
        finish.wait().await?;
        requests
            .iter()
            .map(|r| {
                let v = r.result().map_err(from_idb)?;
                found(v).map(|v| bytes(&v, "block")).transpose()
            })
            .collect()
    }
}

impl KvStore for IdbStore {
    async fn get(&self, k: &[u8]) -> Result<Option<Vec<u8>>> {
        let now = self.clock.now_ms();
        let tx = self.read(KV)?;
        let Some(v) = found(call(store(&tx, KV)?.get(key(k))).await?) else {
            return Ok(None);
        };
        let (value, expires_at) = read_entry(&v)?;
        Ok((!is_expired(expires_at, now)).then_some(value))
    }

    /// One cursor (`next` or `prev`) over the scan's `IDBKeyRange` in one
    /// `readonly` transaction, skipping expired entries, stopping at the
    /// limit.
    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let limit = scan.limit.unwrap_or(usize::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let Ok(range) = key_range(scan) else {
            return Ok(Vec::new());
        };
        let now = self.clock.now_ms();
        let tx = self.read(KV)?;
        let direction = if scan.reverse {
            CursorDirection::Prev
        } else {
            CursorDirection::Next
        };
        let request: IdbRequest = store(&tx, KV)?
            .open_cursor(range.map(Query::from), Some(direction))
            .map_err(from_idb)?
            .into();
        let mut out = Vec::new();
        loop {
            let next = outcome(&request).await?;
            if next.is_null() {
                break; // the cursor went past the range
            }
            let cursor = Cursor::try_from(next).map_err(from_idb)?;
            let v = cursor.value().map_err(from_idb)?;
            let (value, expires_at) = read_entry(&v)?;
            if !is_expired(expires_at, now) {
                let k = cursor.key().map_err(from_idb)?;
                out.push((bytes(&k, "kv key")?, value));
                if out.len() >= limit {
                    break;
                }
            }
            cursor.next(None).map_err(from_idb)?;
        }
        Ok(out)
    }

    /// Reads the keys of expired entries from the `expiry` index and
    /// deletes them, all in one `readwrite` transaction.
    async fn sweep(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let (tx, finish) = self.begin(&[KV], TransactionMode::ReadWrite)?;
        let swept = async {
            let kv = store(&tx, KV)?;
            let expired = KeyRange::upper_bound(&JsValue::from_f64(now as f64), Some(false))
                .map_err(from_idb)?;
            let keys = call(
                kv.index(EXPIRY_INDEX)
                    .and_then(|i| i.get_all_keys(Some(expired.into()), None)),
            )
            .await?;
            let keys = Array::from(&keys);
            for k in keys.iter() {
                kv.delete(k).map_err(from_idb)?;
            }
            Ok(keys.length() as usize)
        }
        .await;
        match swept {
            Ok(n) => finish.wait().await.map(|()| n),
            Err(e) => {
                finish.abort();
                Err(e)
            }
        }
    }
}

impl Store for IdbStore {
    /// One `readwrite` transaction over `blocks` and `kv`: every request is
    /// issued without awaiting it, then the transaction's end is awaited.
    /// Any failure aborts it, so nothing of the batch is written.
    async fn apply(&self, batch: Batch) -> Result<()> {
        batch.validate()?;
        let fault = self.fault.take();
        if batch.is_empty() && fault.is_none() {
            return if self.closed.get() {
                Err(crate::StoreError::Closed)
            } else {
                Ok(())
            };
        }
        let (tx, finish) = self.begin(&[BLOCKS, KV], TransactionMode::ReadWrite)?;
        match write(&tx, batch, fault) {
            Ok(()) => finish.wait().await,
            Err(e) => {
                finish.abort();
                let _ = finish.wait().await;
                Err(e)
            }
        }
    }
}

/// Issues every write of `batch` in `tx` (in order: later ones win).
fn write(tx: &Transaction, batch: Batch, fault: Option<Fault>) -> Result<()> {
    let (blocks, kv) = (store(tx, BLOCKS)?, store(tx, KV)?);
    let len = batch.len();
    let fault_at = match fault {
        Some(Fault::FailingRequest(n) | Fault::Abort(n)) => n.min(len),
        None => usize::MAX,
    };
    for (i, op) in batch.ops.into_iter().enumerate() {
        if i == fault_at {
            inject(&kv, fault)?;
        }
        match op {
            BatchOp::PutBlock { cid, bytes } => blocks
                .put(
                    &Uint8Array::from(bytes.as_slice()).into(),
                    Some(&key(&cid.to_bytes())),
                )
                .map(drop),
            BatchOp::DeleteBlock { cid } => blocks.delete(key(&cid.to_bytes())).map(drop),
            BatchOp::Put {
                key: k,
                value,
                expires_at,
            } => kv
                .put(&entry(&value, expires_at)?, Some(&key(&k)))
                .map(drop),
            BatchOp::Delete { key: k } => kv.delete(key(&k)).map(drop),
        }
        .map_err(from_idb)?;
    }
    if fault_at == len {
        inject(&kv, fault)?;
    }
    Ok(())
}

/// Makes `tx` fail as `fault` says.
fn inject(kv: &ObjectStore, fault: Option<Fault>) -> Result<()> {
    match fault {
        Some(Fault::FailingRequest(_)) => {
            // `put` then `add` of one key: the `add` fails (ConstraintError)
            // once it runs, after the writes issued before it.
            let k = key(b"\0ues-store-fault");
            let v = entry(b"fault", None)?;
            kv.put(&v, Some(&k)).map_err(from_idb)?;
            kv.add(&v, Some(&k)).map_err(from_idb)?;
            Ok(())
        }
        // As if issuing a request threw: `apply` aborts the transaction.
        Some(Fault::Abort(_)) => Err(crate::StoreError::Backend(
            "AbortError: fault injected".into(),
        )),
        None => Ok(()),
    }
}
