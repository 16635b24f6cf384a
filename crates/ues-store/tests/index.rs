//! Secondary indexes on the memory backend: the generic checks of
//! `ues_store::index::conformance` (equality and range lookups on a time and
//! an author field, reverse, limits, cursors, updates and deletes against a
//! brute-force model). Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use ues_store::index::conformance;
use ues_store::MemoryStore;

use ues_fixtures::async_test;

async fn index_memory() {
    let store = MemoryStore::new();
    conformance::check(&store).await;
    assert_eq!(store.key_count(), 0);
}
async_test!(index_matches_brute_force_on_memory, index_memory());

async fn index_errors_memory() {
    conformance::check_errors(&MemoryStore::new()).await;
}
async_test!(index_rejects_bad_arguments, index_errors_memory());

/// The same checks on the native (redb) backend: same results as memory.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn index_matches_brute_force_on_native() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = std::rc::Rc::new(ues_store::SystemClock);
    let store = ues_store::native::NativeStore::open(dir.path().join("store.redb"), clock)
        .expect("open native store");
    futures::executor::block_on(conformance::check(&store));
}

/// The same checks on IndexedDB in the browser: same results as memory.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn index_matches_brute_force_on_indexeddb() {
    use ues_store::{idb::IdbStore, Clock, SystemClock};
    let name = format!("ues-test-index-{}", SystemClock.now_ms());
    let store = IdbStore::open(&name, std::rc::Rc::new(SystemClock))
        .await
        .expect("open IndexedDB");
    conformance::check(&store).await;
    drop(store);
    IdbStore::delete_database(&name)
        .await
        .expect("delete database");
}
