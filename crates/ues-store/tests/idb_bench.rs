//! BENCHMARK, not a test (it asserts only correctness): ingesting the blocks
//! of a ~10,000-record repo through `IdbStore` vs raw IndexedDB puts of the
//! same bytes from plain JS in the same page, in headless Chromium.
//!
//! Run (release, to see the figures): `CHROMEDRIVER=/usr/bin/chromedriver
//! WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_TIMEOUT=300 cargo test
//! --release --target wasm32-unknown-unknown --test idb_bench -- --include-ignored
//! --nocapture` (it is `#[ignore]`d so that the test suites skip it).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use ues_data::cid::{sha256_cid, DAG_CBOR};
use ues_store::conformance::pattern;
use ues_store::idb::IdbStore;
use ues_store::{Batch, BlockStore, Cid, Store, SystemClock};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A database name no other run uses.
fn unique(tag: &str) -> String {
    let r = (js_sys::Math::random() * 1e9) as u64;
    format!("ues-bench-{tag}-{}-{r}", js_sys::Date::now() as u64)
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
    match IdbStore::open(name, Rc::new(SystemClock)).await {
        Ok(s) => s,
        Err(e) => panic!("open {name}: {e}"),
    }
}

async fn delete(name: &str) {
    if let Err(e) = IdbStore::delete_database(name).await {
        panic!("delete {name}: {e}");
    }
}

#[wasm_bindgen(inline_js = r#"
export async function raw_put(name, keys, values, sameLayout) {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore("blocks");
      if (sameLayout) r.result.createObjectStore("kv").createIndex("expiry", "x");
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const t0 = performance.now();
  const tx = db.transaction(sameLayout ? ["blocks", "kv"] : ["blocks"], "readwrite");
  const store = tx.objectStore("blocks");
  for (let i = 0; i < keys.length; i++) store.put(values[i], keys[i]);
  const issued = performance.now() - t0;
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
  const ms = performance.now() - t0;
  db.close();
  return [issued, ms];
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn raw_put(
        name: &str,
        keys: js_sys::Array,
        values: js_sys::Array,
        same_layout: bool,
    ) -> Result<JsValue, JsValue>;
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Milliseconds spent issuing the puts (the synchronous part, where our
/// code runs) and in all (until the transaction's `complete`).
type Timing = (f64, f64);

/// Raw puts of `data` from plain JS into a fresh database (the keys and
/// values are made into JS arrays before the clock starts).
async fn time_raw(data: &[(Cid, Vec<u8>)], same_layout: bool) -> Timing {
    let name = unique("bench-raw");
    let keys = js_sys::Array::new();
    let values = js_sys::Array::new();
    for (cid, bytes) in data {
        keys.push(&js_sys::Uint8Array::from(cid.to_bytes().as_slice()));
        values.push(&js_sys::Uint8Array::from(bytes.as_slice()));
    }
    let out = raw_put(&name, keys, values, same_layout)
        .await
        .expect("raw puts");
    delete(&name).await;
    let out = js_sys::Array::from(&out);
    let ms = |i| out.get(i).as_f64().unwrap_or(f64::NAN);
    (ms(0), ms(1))
}

/// One `IdbStore::apply` of `data` into a fresh database (the batch is built
/// before the clock starts). Checks what was written when `check` is set,
/// printing the time of `get_blocks`.
async fn time_ours(data: &[(Cid, Vec<u8>)], check: bool) -> Timing {
    let name = unique("bench-ues");
    let store = open(&name).await;
    let mut batch = Batch::new();
    for (cid, bytes) in data {
        batch.put_block(*cid, bytes.clone());
    }
    let t0 = now_ms();
    let issued = {
        let mut apply = std::pin::pin!(store.apply(batch));
        // The first poll issues every request, then waits for `complete`.
        let first = futures::poll!(apply.as_mut());
        let issued = now_ms() - t0;
        match first {
            std::task::Poll::Ready(r) => r.expect("apply"),
            std::task::Poll::Pending => apply.await.expect("apply"),
        }
        issued
    };
    let total = now_ms() - t0;
    if check {
        let cids: Vec<Cid> = data.iter().map(|(c, _)| *c).collect();
        let t0 = now_ms();
        let got = store.get_blocks(&cids).await.expect("get_blocks");
        let read = now_ms() - t0;
        assert!(got
            .iter()
            .zip(data)
            .all(|(g, (_, b))| g.as_ref() == Some(b)));
        console_log!(
            "bench: IdbStore get_blocks of {} blocks: {read:.0} ms",
            data.len()
        );
    }
    drop(store);
    delete(&name).await;
    (issued, total)
}

/// Medians of the issue and total times.
fn medians(v: &[Timing]) -> Timing {
    let median = |mut x: Vec<f64>| {
        x.sort_by(|a, b| a.total_cmp(b));
        x[x.len() / 2]
    };
    (
        median(v.iter().map(|t| t.0).collect()),
        median(v.iter().map(|t| t.1).collect()),
    )
}

/// BENCHMARK (asserts only correctness): ingesting the blocks of a
/// ~10,000-record repo (14,000 blocks of ~150 bytes) through `IdbStore` in
/// one batch vs raw IndexedDB puts of the same bytes in one transaction from
/// plain JS in the same page (into a lone `blocks` store, and into the same
/// layout as ours). Five rounds in alternating order; prints the medians and
/// the ratio of throughputs (raw time / our time).
#[wasm_bindgen_test]
#[ignore = "benchmark: run with `-- --include-ignored --nocapture`"]
async fn bench_ingest_vs_raw_indexeddb() {
    const N: usize = 14_000;
    let data = blocks(N, 150, 11);
    let (mut ours, mut raw, mut same) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..5 {
        if round % 2 == 0 {
            raw.push(time_raw(&data, false).await);
            same.push(time_raw(&data, true).await);
            ours.push(time_ours(&data, round == 0).await);
        } else {
            ours.push(time_ours(&data, false).await);
            same.push(time_raw(&data, true).await);
            raw.push(time_raw(&data, false).await);
        }
    }
    let totals = |v: &[Timing]| v.iter().map(|t| t.1.round()).collect::<Vec<_>>();
    let rounds = format!(
        "totals per round: ours {:?}, raw {:?}, raw same layout {:?}",
        totals(&ours),
        totals(&raw),
        totals(&same)
    );
    let ((oi, o), (ri, r), (si, s)) = (medians(&ours), medians(&raw), medians(&same));
    let rate = |ms: f64| N as f64 / ms * 1e3;
    console_log!(
        "bench: ingest {N} blocks (~150 B) in one transaction, medians of 5 \
         (issuing the puts / until complete): IdbStore {oi:.0} / {o:.0} ms ({:.0} blocks/s); \
         raw JS {ri:.0} / {r:.0} ms ({:.0} blocks/s); raw JS, same layout {si:.0} / {s:.0} ms. \
         IdbStore = {:.0}% of raw ({:.0}% of raw same layout); {rounds}",
        rate(o),
        rate(r),
        r / o * 100.0,
        s / o * 100.0,
    );
}
