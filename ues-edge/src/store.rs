//! The Durable Object storage backend of `ues-store`: blocks and keys in the
//! DO's SQLite database (`ctx.storage.sql`).
//!
//! Tables (names prefixed, so one DO can hold several stores):
//! - `{p}blocks(cid BLOB PRIMARY KEY, v BLOB, n INTEGER)`
//! - `{p}kv(k BLOB PRIMARY KEY, v BLOB, n INTEGER, exp INTEGER)`
//! - `{p}chunks(t INTEGER, k BLOB, i INTEGER, v BLOB, PRIMARY KEY (t, k, i))`
//!
//! SQLite compares BLOBs with `memcmp`, so keys order byte-wise as the
//! traits require. A DO row or value holds at most 2 MB: values larger than
//! [`CHUNK`] go to `chunks` (`v` NULL, `n` = number of chunks).
//!
//! Atomicity: a batch is validated whole before anything is written, then
//! written by synchronous statements with no `await` between them, inside
//! `storage.transactionSync` when the runtime offers it, so workerd commits
//! them as one transaction and no other event of the DO sees half a batch.

use std::cell::RefCell;
use std::ops::Bound;
use std::rc::Rc;
use ues_store::{Batch, BatchOp, BlockStore, Cid, Clock, KvStore, Result, Scan, Store, StoreError};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use worker::{SqlStorage, SqlStorageValue as V};

/// Largest value stored inline in its row.
pub const CHUNK: usize = 512 * 1024;

/// Which table a chunk belongs to.
const T_BLOCK: i64 = 0;
const T_KV: i64 = 1;

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A [`Store`] in a Durable Object's SQLite storage.
#[derive(Clone)]
pub struct DoStore {
    sql: SqlStorage,
    /// The JS `DurableObjectStorage`, for `transactionSync`.
    storage: Option<js_sys::Object>,
    p: String,
    clock: Rc<dyn Clock>,
}

impl DoStore {
    /// Opens (creating its tables) the store named by `prefix` (ASCII
    /// letters, digits and `_` only) in `sql`.
    pub fn open(
        sql: SqlStorage,
        storage: Option<js_sys::Object>,
        prefix: &str,
        clock: Rc<dyn Clock>,
    ) -> Result<Self> {
        if !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(StoreError::InvalidArgument(format!(
                "table prefix {prefix:?}"
            )));
        }
        let p = prefix.to_string();
        let s = DoStore {
            sql,
            storage,
            p,
            clock,
        };
        let p = &s.p;
        s.exec(
            &format!("CREATE TABLE IF NOT EXISTS {p}blocks(cid BLOB PRIMARY KEY, v BLOB, n INTEGER NOT NULL DEFAULT 0)"),
            vec![],
        )?;
        s.exec(
            &format!("CREATE TABLE IF NOT EXISTS {p}kv(k BLOB PRIMARY KEY, v BLOB, n INTEGER NOT NULL DEFAULT 0, exp INTEGER)"),
            vec![],
        )?;
        s.exec(
            &format!("CREATE TABLE IF NOT EXISTS {p}chunks(t INTEGER NOT NULL, k BLOB NOT NULL, i INTEGER NOT NULL, v BLOB NOT NULL, PRIMARY KEY (t, k, i))"),
            vec![],
        )?;
        Ok(s)
    }

    fn exec(&self, q: &str, args: Vec<V>) -> Result<Vec<Vec<V>>> {
        let cursor = self.sql.exec(q, args).map_err(backend)?;
        cursor
            .raw()
            .collect::<worker::Result<Vec<_>>>()
            .map_err(backend)
    }

    fn now(&self) -> i64 {
        i64::try_from(self.clock.now_ms()).unwrap_or(i64::MAX)
    }

    /// The value of a row `(v, n)`: inline, or reassembled from chunks.
    fn value(&self, t: i64, key: &[u8], v: &V, n: &V) -> Result<Vec<u8>> {
        let chunks = match n {
            V::Integer(n) if *n > 0 => *n,
            _ => return Ok(blob(v)),
        };
        let q = format!(
            "SELECT v FROM {}chunks WHERE t = ? AND k = ? ORDER BY i",
            self.p
        );
        let rows = self.exec(&q, vec![V::Integer(t), V::Blob(key.to_vec())])?;
        if rows.len() as i64 != chunks {
            return Err(StoreError::Backend(format!(
                "value of {} bytes-key has {} of {chunks} chunks",
                key.len(),
                rows.len()
            )));
        }
        let mut out = Vec::with_capacity(rows.len() * CHUNK);
        for r in rows {
            out.extend(r.first().map(blob).unwrap_or_default());
        }
        Ok(out)
    }

    /// Writes `value` for `key` of table `t`: the `(v, n)` to store in the
    /// row, after writing any chunks.
    fn put_value(&self, t: i64, key: &[u8], value: &[u8]) -> Result<(V, V)> {
        self.delete_chunks(t, key)?;
        if value.len() <= CHUNK {
            return Ok((V::Blob(value.to_vec()), V::Integer(0)));
        }
        let q = format!(
            "INSERT INTO {}chunks(t, k, i, v) VALUES (?, ?, ?, ?)",
            self.p
        );
        let mut n = 0i64;
        for c in value.chunks(CHUNK) {
            self.exec(
                &q,
                vec![
                    V::Integer(t),
                    V::Blob(key.to_vec()),
                    V::Integer(n),
                    V::Blob(c.to_vec()),
                ],
            )?;
            n += 1;
        }
        Ok((V::Null, V::Integer(n)))
    }

    fn delete_chunks(&self, t: i64, key: &[u8]) -> Result<()> {
        let q = format!("DELETE FROM {}chunks WHERE t = ? AND k = ?", self.p);
        self.exec(&q, vec![V::Integer(t), V::Blob(key.to_vec())])?;
        Ok(())
    }

    fn write_op(&self, op: &BatchOp) -> Result<()> {
        let p = &self.p;
        match op {
            BatchOp::PutBlock { cid, bytes } => {
                let k = cid.to_bytes();
                let (v, n) = self.put_value(T_BLOCK, &k, bytes)?;
                self.exec(
                    &format!("INSERT OR REPLACE INTO {p}blocks(cid, v, n) VALUES (?, ?, ?)"),
                    vec![V::Blob(k), v, n],
                )?;
            }
            BatchOp::DeleteBlock { cid } => {
                let k = cid.to_bytes();
                self.delete_chunks(T_BLOCK, &k)?;
                self.exec(
                    &format!("DELETE FROM {p}blocks WHERE cid = ?"),
                    vec![V::Blob(k)],
                )?;
            }
            BatchOp::Put {
                key,
                value,
                expires_at,
            } => {
                let (v, n) = self.put_value(T_KV, key, value)?;
                let exp = expires_at.map_or(V::Null, |e| {
                    V::Integer(i64::try_from(e).unwrap_or(i64::MAX))
                });
                self.exec(
                    &format!("INSERT OR REPLACE INTO {p}kv(k, v, n, exp) VALUES (?, ?, ?, ?)"),
                    vec![V::Blob(key.clone()), v, n, exp],
                )?;
            }
            BatchOp::Delete { key } => {
                self.delete_chunks(T_KV, key)?;
                self.exec(
                    &format!("DELETE FROM {p}kv WHERE k = ?"),
                    vec![V::Blob(key.clone())],
                )?;
            }
        }
        Ok(())
    }

    fn write_all(&self, batch: &Batch) -> Result<()> {
        batch.ops.iter().try_for_each(|op| self.write_op(op))
    }

    /// Every key, expired ones included (tests, debugging).
    pub fn key_count(&self) -> Result<usize> {
        let rows = self.exec(&format!("SELECT COUNT(*) FROM {}kv", self.p), vec![])?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(V::Integer(n)) => usize::try_from(*n).unwrap_or(0),
            _ => 0,
        })
    }
}

fn blob(v: &V) -> Vec<u8> {
    match v {
        V::Blob(b) => b.clone(),
        V::String(s) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

/// Runs `f` inside `storage.transactionSync` (all or nothing: an error
/// thrown out of the callback rolls the transaction back), or directly when
/// the runtime has no such method.
fn transaction_sync(
    storage: Option<&js_sys::Object>,
    f: Box<dyn FnMut() -> Result<()>>,
) -> Result<()> {
    let method = storage.and_then(|s| {
        js_sys::Reflect::get(s, &"transactionSync".into())
            .ok()
            .and_then(|m| m.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(storage), Some(method)) = (storage, method) else {
        let mut f = f;
        return f();
    };
    let result: Rc<RefCell<Option<Result<()>>>> = Rc::default();
    let out = result.clone();
    let mut f = f;
    let body = move || -> std::result::Result<(), JsValue> {
        let r = f();
        let thrown = r.as_ref().err().map(|e| JsValue::from_str(&e.to_string()));
        *out.borrow_mut() = Some(r);
        thrown.map_or(Ok(()), Err)
    };
    let closure = Closure::<dyn FnMut() -> std::result::Result<(), JsValue>>::new(body);
    let called = method.call1(storage, closure.as_ref());
    drop(closure);
    let taken = result.borrow_mut().take();
    match (taken, called) {
        (Some(r), _) => r,
        (None, Err(e)) => Err(StoreError::Backend(format!("transactionSync: {e:?}"))),
        (None, Ok(_)) => Err(StoreError::Backend("transactionSync did not run".into())),
    }
}

impl BlockStore for DoStore {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        let k = cid.to_bytes();
        let q = format!("SELECT v, n FROM {}blocks WHERE cid = ?", self.p);
        let rows = self.exec(&q, vec![V::Blob(k.clone())])?;
        match rows.first() {
            Some(r) if r.len() == 2 => Ok(Some(self.value(T_BLOCK, &k, &r[0], &r[1])?)),
            _ => Ok(None),
        }
    }

    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        let q = format!("SELECT 1 FROM {}blocks WHERE cid = ?", self.p);
        Ok(!self.exec(&q, vec![V::Blob(cid.to_bytes())])?.is_empty())
    }

    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut out = Vec::with_capacity(cids.len());
        for c in cids {
            out.push(self.get_block(c).await?);
        }
        Ok(out)
    }
}

impl KvStore for DoStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let q = format!(
            "SELECT v, n FROM {}kv WHERE k = ? AND (exp IS NULL OR exp > ?)",
            self.p
        );
        let rows = self.exec(&q, vec![V::Blob(key.to_vec()), V::Integer(self.now())])?;
        match rows.first() {
            Some(r) if r.len() == 2 => Ok(Some(self.value(T_KV, key, &r[0], &r[1])?)),
            _ => Ok(None),
        }
    }

    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        if scan.limit == Some(0) {
            return Ok(Vec::new());
        }
        let mut q = format!(
            "SELECT k, v, n FROM {}kv WHERE (exp IS NULL OR exp > ?)",
            self.p
        );
        let mut args = vec![V::Integer(self.now())];
        for (bound, incl, excl) in [(&scan.start, ">=", ">"), (&scan.end, "<=", "<")] {
            match bound {
                Bound::Included(b) => {
                    q.push_str(&format!(" AND k {incl} ?"));
                    args.push(V::Blob(b.clone()));
                }
                Bound::Excluded(b) => {
                    q.push_str(&format!(" AND k {excl} ?"));
                    args.push(V::Blob(b.clone()));
                }
                Bound::Unbounded => {}
            }
        }
        q.push_str(if scan.reverse {
            " ORDER BY k DESC"
        } else {
            " ORDER BY k ASC"
        });
        if let Some(n) = scan.limit {
            q.push_str(" LIMIT ?");
            args.push(V::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        let rows = self.exec(&q, args)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let [k, v, n] = r.as_slice() else {
                return Err(StoreError::Backend("scan row shape".into()));
            };
            let k = blob(k);
            let v = self.value(T_KV, &k, v, n)?;
            out.push((k, v));
        }
        Ok(out)
    }

    async fn sweep(&self) -> Result<usize> {
        let now = V::Integer(self.now());
        let p = &self.p;
        let expired = self.exec(
            &format!("SELECT k FROM {p}kv WHERE exp IS NOT NULL AND exp <= ?"),
            vec![now.clone()],
        )?;
        let n = expired.len();
        let store = self.clone();
        let del = format!("DELETE FROM {p}kv WHERE exp IS NOT NULL AND exp <= ?");
        let run = move || -> Result<()> {
            for r in &expired {
                if let Some(k) = r.first() {
                    store.delete_chunks(T_KV, &blob(k))?;
                }
            }
            store.exec(&del, vec![now.clone()])?;
            Ok(())
        };
        transaction_sync(self.storage.as_ref(), Box::new(run))?;
        Ok(n)
    }
}

impl Store for DoStore {
    async fn apply(&self, batch: Batch) -> Result<()> {
        batch.validate()?;
        let store = self.clone();
        transaction_sync(
            self.storage.as_ref(),
            Box::new(move || store.write_all(&batch)),
        )
    }
}
