//! Full-text search on the memory backend: the generic checks of
//! `ues_store::fts::conformance` over the committed corpus (brute-force
//! BM25, golden top results, folding, prefixes, updates and deletes). Runs
//! natively and as wasm in headless Chromium.
//!
//! `UES_BLESS_FTS=1 cargo test -p ues-store --test fts` rewrites
//! `tests/data/fts_golden.tsv` from the current results (natively only;
//! check the diff: every backend is compared with that file).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use ues_store::fts::conformance;
use ues_store::MemoryStore;

use ues_fixtures::async_test;

#[cfg(not(target_arch = "wasm32"))]
async fn bless() {
    use ues_store::fts::{FtsIndex, FtsWriter};
    use ues_store::{Batch, Store};
    let store = MemoryStore::new();
    let index = FtsIndex::new("posts");
    let mut batch = Batch::new();
    let mut w = FtsWriter::new(&index);
    for (id, text) in conformance::corpus() {
        w.put(id, &text);
    }
    w.write(&store, &mut batch).await.expect("index corpus");
    store.apply(batch).await.expect("apply");
    let lines = conformance::golden_lines(&store, &index).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fts_golden.tsv");
    std::fs::write(path, lines).expect("write golden file");
}

async fn fts_memory() {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UES_BLESS_FTS").is_some() {
        bless().await;
        return;
    }
    let store = MemoryStore::new();
    conformance::check(&store).await;
    assert_eq!(store.key_count(), 0);
}
async_test!(fts_matches_brute_force_and_golden_on_memory, fts_memory());

/// The same checks on the native (redb) backend: same results as memory.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn fts_matches_brute_force_and_golden_on_native() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = std::rc::Rc::new(ues_store::SystemClock);
    let store = ues_store::native::NativeStore::open(dir.path().join("store.redb"), clock)
        .expect("open native store");
    futures::executor::block_on(conformance::check(&store));
}

/// The same checks on IndexedDB in the browser: same results as memory.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn fts_matches_brute_force_and_golden_on_indexeddb() {
    use ues_store::{idb::IdbStore, Clock, SystemClock};
    let name = format!("ues-test-fts-{}", SystemClock.now_ms());
    let store = IdbStore::open(&name, std::rc::Rc::new(SystemClock))
        .await
        .expect("open IndexedDB");
    conformance::check(&store).await;
    drop(store);
    IdbStore::delete_database(&name)
        .await
        .expect("delete database");
}
