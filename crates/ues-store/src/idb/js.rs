//! Glue between IndexedDB's JavaScript values and the store's types: error
//! mapping, key and entry encoding, key ranges, and awaiting a transaction's
//! end.

use std::ops::Bound;

use js_sys::{ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbRequest, IdbTransaction};

use crate::{Result, Scan, StoreError};

/// Field of a `kv` entry holding the value bytes (`Uint8Array`).
const VALUE: &str = "v";
/// Field of a `kv` entry holding its expiry (ms since the epoch, a number);
/// absent when the entry never expires. The `expiry` index is on this path.
pub(super) const EXPIRY_PATH: &str = "x";

/// Maps a DOM exception's name and message to a [`StoreError`]:
/// `QuotaExceededError` → [`StoreError::QuotaExceeded`],
/// `InvalidStateError` (the connection is closed or closing) →
/// [`StoreError::Closed`], anything else → [`StoreError::Backend`] with
/// `name: message`.
pub fn error_from_dom(name: &str, message: &str) -> StoreError {
    match name {
        "QuotaExceededError" => StoreError::QuotaExceeded(message.to_string()),
        "InvalidStateError" => StoreError::Closed,
        _ => StoreError::Backend(format!("{name}: {message}")),
    }
}

/// Maps any JavaScript exception or error value (a `DOMException`, an
/// `Error`, or anything else) to a [`StoreError`] as [`error_from_dom`] does.
pub fn error_from_js(value: &JsValue) -> StoreError {
    if let Some(e) = value.dyn_ref::<DomException>() {
        return error_from_dom(&e.name(), &e.message());
    }
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        let name: String = e.name().into();
        let message: String = e.message().into();
        return error_from_dom(&name, &message);
    }
    StoreError::Backend(format!("IndexedDB: {value:?}"))
}

/// Maps an error of the `idb` crate, looking inside for the JavaScript
/// exception where there is one.
pub(super) fn from_idb(e: ::idb::Error) -> StoreError {
    use ::idb::Error as E;
    match e {
        E::DomException(d) => error_from_dom(&d.name(), &d.message()),
        E::AddFailed(v)
        | E::CountFailed(v)
        | E::CursorAdvanceFailed(v)
        | E::CursorContinueFailed(v)
        | E::CursorKeyNotFound(v)
        | E::CursorPrimaryKeyNotFound(v)
        | E::CursorValueNotFound(v)
        | E::DeleteFailed(v)
        | E::GetAllFailed(v)
        | E::GetAllKeysFailed(v)
        | E::GetFailed(v)
        | E::GetKeyFailed(v)
        | E::IndexCreateFailed(v)
        | E::IndexNotFound(v)
        | E::IndexedDbDeleteFailed(v)
        | E::IndexedDbNotFound(v)
        | E::IndexedDbOpenFailed(v)
        | E::KeyRangeCreateFailed(v)
        | E::ObjectStoreCreateFailed(v)
        | E::ObjectStoreNotFound(v)
        | E::OpenCursorFailed(v)
        | E::OpenKeyCursorFailed(v)
        | E::RequestResultNotFound(v)
        | E::TransactionOpenFailed(v)
        | E::UpdateFailed(v) => error_from_js(&v),
        other => StoreError::Backend(other.to_string()),
    }
}

/// A key (CID bytes or KV key) as the `Uint8Array` IndexedDB orders
/// byte-wise.
pub(super) fn key(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// Bytes of a binary key or value read back (an `ArrayBuffer` for keys,
/// a `Uint8Array` for values).
pub(super) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>> {
    if let Some(a) = value.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else if value.is_instance_of::<ArrayBuffer>() {
        Ok(Uint8Array::new(value).to_vec())
    } else {
        Err(StoreError::Backend(format!(
            "IndexedDB: {what} is not binary: {value:?}"
        )))
    }
}

/// A `kv` entry: `{v: Uint8Array, x?: number}`.
pub(super) fn entry(value: &[u8], expires_at: Option<u64>) -> Result<JsValue> {
    let obj = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&obj, &JsValue::from_str(k), v).map_err(|e| error_from_js(&e))
    };
    set(VALUE, &Uint8Array::from(value).into())?;
    if let Some(t) = expires_at {
        // Exact up to 2^53 ms (285,000 years); larger values round, which
        // only moves an expiry that far away by less than its own size.
        set(EXPIRY_PATH, &JsValue::from_f64(t as f64))?;
    }
    Ok(obj.into())
}

/// Decodes a `kv` entry into its value and expiry.
pub(super) fn read_entry(value: &JsValue) -> Result<(Vec<u8>, Option<u64>)> {
    let field = |k: &str| Reflect::get(value, &JsValue::from_str(k)).map_err(|e| error_from_js(&e));
    if !value.is_object() {
        return Err(StoreError::Backend(format!(
            "IndexedDB: malformed kv entry: {value:?}"
        )));
    }
    let bytes = bytes(&field(VALUE)?, "kv value")?;
    let expiry = field(EXPIRY_PATH)?.as_f64().map(|t| t as u64);
    Ok((bytes, expiry))
}

/// The `IDBKeyRange` of a scan: `Ok(None)` for the whole store,
/// [`EmptyRange`] when the range is empty (IndexedDB throws on an inverted
/// range, while the traits return nothing).
pub(super) fn key_range(scan: &Scan) -> std::result::Result<Option<::idb::KeyRange>, EmptyRange> {
    use ::idb::KeyRange;
    let split = |b: &Bound<Vec<u8>>| match b {
        Bound::Included(k) => Some((k.clone(), false)),
        Bound::Excluded(k) => Some((k.clone(), true)),
        Bound::Unbounded => None,
    };
    let range = match (split(&scan.start), split(&scan.end)) {
        (None, None) => return Ok(None),
        (Some((s, open)), None) => KeyRange::lower_bound(&key(&s), Some(open)),
        (None, Some((e, open))) => KeyRange::upper_bound(&key(&e), Some(open)),
        (Some((s, s_open)), Some((e, e_open))) => {
            if s > e || (s == e && (s_open || e_open)) {
                return Err(EmptyRange);
            }
            KeyRange::bound(&key(&s), &key(&e), Some(s_open), Some(e_open))
        }
    };
    // Only inverted ranges make IndexedDB throw, and those are handled
    // above; report anything else as an empty range rather than panic.
    range.map(Some).map_err(|_| EmptyRange)
}

/// Awaits the next `success` of `request` (then its `result`) or its
/// `error`. For a cursor, each `continue()` is followed by another call.
pub(super) async fn outcome(request: &IdbRequest) -> Result<JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => request.result().map_err(|e| error_from_js(&e)),
        Err(_) => Err(match request.error() {
            Ok(Some(e)) => error_from_dom(&e.name(), &e.message()),
            Ok(None) => StoreError::Backend("IndexedDB: request failed".into()),
            Err(e) => error_from_js(&e),
        }),
    }
}

/// Issues a request of the `idb` crate and awaits its result.
pub(super) async fn call<R: Into<IdbRequest>>(
    request: std::result::Result<R, ::idb::Error>,
) -> Result<JsValue> {
    outcome(&request.map_err(from_idb)?.into()).await
}

/// A scan range that holds no key.
#[derive(Debug)]
pub(super) struct EmptyRange;

/// The end of a transaction, to await: registered before the first `await`
/// (a transaction cannot finish before control returns to the event loop).
pub(super) struct Finish {
    tx: IdbTransaction,
    done: JsFuture,
}

impl Finish {
    /// Listens for `complete` and `abort` on `tx`.
    pub(super) fn new(tx: IdbTransaction) -> Self {
        let promise = Promise::new(&mut |resolve, reject| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
        });
        Finish {
            tx,
            done: JsFuture::from(promise),
        }
    }

    /// Aborts the transaction (nothing it wrote is kept), ignoring the
    /// error IndexedDB throws when it already finished.
    pub(super) fn abort(&self) {
        let _ = self.tx.abort();
    }

    /// Resolves when the transaction committed; on abort, the error that
    /// aborted it (`QuotaExceededError`, a failed request's error, …).
    pub(super) async fn wait(self) -> Result<()> {
        match self.done.await {
            Ok(_) => Ok(()),
            Err(_) => Err(match self.tx.error() {
                Some(e) => error_from_dom(&e.name(), &e.message()),
                None => StoreError::Backend("AbortError: transaction aborted".into()),
            }),
        }
    }
}

/// Resolves after `ms` milliseconds (`setTimeout` of the global scope: a
/// window or a worker); at once where there is no `setTimeout`.
pub(super) async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let set_timeout = Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let scheduled = set_timeout
            .map(|f| {
                f.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
                    .is_ok()
            })
            .unwrap_or(false);
        if !scheduled {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}
