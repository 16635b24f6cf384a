//! The IndexedDB backend in headless Chromium: the conformance suite,
//! persistence across reopen, atomicity of failing batches, blocked upgrades
//! and closed connections, error mapping, a large batch. The ingest
//! benchmark against raw IndexedDB is in `idb_bench.rs`.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1
//! WASM_BINDGEN_TEST_TIMEOUT=300 cargo test --target wasm32-unknown-unknown
//! --test idb`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use ues_data::cid::{sha256_cid, DAG_CBOR};
use ues_store::conformance::{self, pattern, ManualClock};
use ues_store::idb::{error_from_js, Fault, IdbStore, SCHEMA_VERSION};
use ues_store::{Batch, BlockStore, Cid, KvStore, Scan, Store, StoreError, SystemClock};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A database name no other test (or earlier run) uses.
fn unique(tag: &str) -> String {
    let r = (js_sys::Math::random() * 1e9) as u64;
    format!("ues-test-{tag}-{}-{r}", js_sys::Date::now() as u64)
}

fn clock() -> Rc<SystemClock> {
    Rc::new(SystemClock)
}

/// `n` blocks of about `size` bytes with their dag-cbor/sha-256 CIDs.
fn blocks(n: usize, size: usize, seed: u64) -> Vec<(Cid, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let bytes = pattern(size + i % 16, seed + i as u64);
            (sha256_cid(DAG_CBOR, &bytes), bytes)
        })
        .collect()
}

async fn open(name: &str) -> IdbStore {
    match IdbStore::open(name, clock()).await {
        Ok(s) => s,
        Err(e) => panic!("open {name}: {e}"),
    }
}

async fn delete(name: &str) {
    if let Err(e) = IdbStore::delete_database(name).await {
        panic!("delete {name}: {e}");
    }
}

#[wasm_bindgen_test]
async fn idb_passes_conformance() {
    let name = unique("conformance");
    let clock = ManualClock::default();
    let store = IdbStore::open(&name, Rc::new(clock.clone()))
        .await
        .expect("open");
    assert_eq!(store.version(), SCHEMA_VERSION);
    let n = conformance::check_all(&store, &clock).await;
    assert!(n >= 16, "ran {n} checks");
    store.close();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn persists_across_close_and_reopen() {
    let name = unique("persist");
    let data = blocks(20, 100, 1);
    let store = open(&name).await;
    let mut batch = Batch::new();
    for (cid, bytes) in &data {
        batch.put_block(*cid, bytes.clone());
    }
    batch
        .put(&b"head"[..], &b"v1"[..])
        .put(&b"\xffkey"[..], &b""[..]);
    store.apply(batch).await.expect("apply");
    store.close();
    assert!(store.is_closed());
    drop(store);

    let store = open(&name).await;
    let cids: Vec<Cid> = data.iter().map(|(c, _)| *c).collect();
    let got = store.get_blocks(&cids).await.expect("get_blocks");
    for ((_, want), got) in data.iter().zip(&got) {
        assert_eq!(got.as_ref(), Some(want));
    }
    assert_eq!(store.get(b"head").await.expect("get"), Some(b"v1".to_vec()));
    let all = store.scan(&Scan::all()).await.expect("scan");
    let keys: Vec<&[u8]> = all.iter().map(|(k, _)| k.as_slice()).collect();
    assert_eq!(keys, vec![&b"head"[..], &b"\xffkey"[..]]);
    drop(store);
    delete(&name).await;
}

/// A batch whose transaction fails after some of its writes were issued
/// leaves nothing: neither its blocks nor its keys, and earlier data stays.
#[wasm_bindgen_test]
async fn failing_batch_writes_nothing() {
    let name = unique("atomic");
    let store = open(&name).await;
    let mut first = Batch::new();
    first.put(&b"k/keep"[..], &b"old"[..]);
    store.apply(first).await.expect("first batch");

    for fault in [Fault::FailingRequest(150), Fault::Abort(150)] {
        let data = blocks(100, 64, 7);
        let mut batch = Batch::new();
        for (i, (cid, bytes)) in data.iter().enumerate() {
            batch.put_block(*cid, bytes.clone());
            batch.put(format!("k/{i:03}"), bytes.clone());
        }
        batch.put(&b"k/keep"[..], &b"new"[..]);
        store.inject_fault(fault);
        let err = store
            .apply(batch)
            .await
            .expect_err("the faulty batch fails");
        console_log!("{fault:?} -> {err}");
        match (fault, &err) {
            (Fault::FailingRequest(_), StoreError::Backend(m)) => {
                assert!(m.starts_with("ConstraintError"), "{m}")
            }
            (Fault::Abort(_), StoreError::Backend(_)) => {}
            _ => panic!("{fault:?}: unexpected error {err:?}"),
        }
        let cids: Vec<Cid> = data.iter().map(|(c, _)| *c).collect();
        let got = store.get_blocks(&cids).await.expect("get_blocks");
        assert!(
            got.iter().all(Option::is_none),
            "{fault:?}: a block was written"
        );
        let keys = store.scan(&Scan::prefix(b"k/")).await.expect("scan");
        assert_eq!(
            keys,
            vec![(b"k/keep".to_vec(), b"old".to_vec())],
            "{fault:?}"
        );
    }
    // The store works on after a failed batch.
    let mut ok = Batch::new();
    ok.put(&b"k/after"[..], &b"1"[..]);
    store.apply(ok).await.expect("batch after the failures");
    assert_eq!(
        store.get(b"k/after").await.expect("get"),
        Some(b"1".to_vec())
    );
    drop(store);
    delete(&name).await;
}

#[wasm_bindgen(inline_js = r#"
export function open_plain(name, version) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, version);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
"#)]
extern "C" {
    /// A plain JS connection with no `versionchange` handler (an old tab).
    #[wasm_bindgen(catch)]
    async fn open_plain(name: &str, version: u32) -> Result<web_sys::IdbDatabase, JsValue>;
}

/// An upgrade while an old connection without a `versionchange` handler stays
/// open (an old tab) fails with `Blocked` (after `BLOCKED_GRACE_MS`, not a
/// hang), and succeeds once that connection closes.
#[wasm_bindgen_test]
async fn upgrade_blocked_by_old_connection() {
    let name = unique("blocked");
    drop(open(&name).await);
    // An "old tab": a plain connection at version 1 that ignores versionchange.
    let old = open_plain(&name, SCHEMA_VERSION).await.expect("plain open");
    let next = SCHEMA_VERSION + 1;
    match IdbStore::open_version(&name, clock(), next).await {
        Err(StoreError::Blocked(m)) => console_log!("blocked: {m}"),
        other => panic!("expected Blocked, got {other:?}"),
    }
    old.close();
    // The blocked request completes now and its connection closes itself, so
    // a new open at the next version goes through.
    let store = IdbStore::open_version(&name, clock(), next)
        .await
        .expect("reopen");
    assert_eq!(store.version(), next);
    drop(store);
    // An older build meets the newer database: a clear error, not a panic.
    match IdbStore::open(&name, clock()).await {
        Err(StoreError::Backend(m)) => assert!(m.starts_with("VersionError"), "{m}"),
        other => panic!("expected VersionError, got {other:?}"),
    }
    delete(&name).await;
}

/// An open `IdbStore` steps aside for another tab's upgrade (it closes on
/// `versionchange`) and then reports `Closed`, as after `close()`.
#[wasm_bindgen_test]
async fn closes_for_upgrade_and_after_close() {
    let name = unique("closed");
    let first = open(&name).await;
    let second = IdbStore::open_version(&name, clock(), SCHEMA_VERSION + 1)
        .await
        .expect("upgrade is not blocked by an IdbStore");
    assert!(first.is_closed());
    assert_eq!(first.get(b"k").await, Err(StoreError::Closed));
    second.close();
    assert_eq!(second.get(b"k").await, Err(StoreError::Closed));
    assert_eq!(second.scan(&Scan::all()).await, Err(StoreError::Closed));
    assert_eq!(second.sweep().await, Err(StoreError::Closed));
    let mut b = Batch::new();
    b.put(&b"k"[..], &b"v"[..]);
    assert_eq!(second.apply(b).await, Err(StoreError::Closed));
    assert_eq!(second.apply(Batch::new()).await, Err(StoreError::Closed));
    drop((first, second));
    delete(&name).await;
}

/// Browser exceptions map to the typed errors.
#[wasm_bindgen_test]
fn maps_dom_exceptions() {
    let dom = |name: &str| -> JsValue {
        web_sys::DomException::new_with_message_and_name("msg", name)
            .expect("DOMException")
            .into()
    };
    assert_eq!(
        error_from_js(&dom("QuotaExceededError")),
        StoreError::QuotaExceeded("msg".into())
    );
    assert_eq!(error_from_js(&dom("InvalidStateError")), StoreError::Closed);
    assert_eq!(
        error_from_js(&dom("DataError")),
        StoreError::Backend("DataError: msg".into())
    );
    let err: JsValue = js_sys::TypeError::new("bad").into();
    assert_eq!(
        error_from_js(&err),
        StoreError::Backend("TypeError: bad".into())
    );
}

#[wasm_bindgen_test]
async fn large_batch_in_one_transaction() {
    let name = unique("large");
    let store = open(&name).await;
    let data = blocks(10_000, 150, 3);
    let mut batch = Batch::new();
    for (cid, bytes) in &data {
        batch.put_block(*cid, bytes.clone());
    }
    batch.put(&b"head"[..], &b"10000"[..]);
    store.apply(batch).await.expect("apply 10,000 blocks");
    let cids: Vec<Cid> = data.iter().map(|(c, _)| *c).collect();
    let got = store.get_blocks(&cids).await.expect("get_blocks");
    assert_eq!(got.len(), data.len());
    for ((_, want), got) in data.iter().zip(&got) {
        assert_eq!(got.as_ref(), Some(want));
    }
    drop(store);
    delete(&name).await;
}
