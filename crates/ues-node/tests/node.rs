//! The node's behaviour over a store, natively and as wasm in Chromium
//! (there also over IndexedDB, reopened as a reloaded tab would).

use serde_json::json;
use std::rc::Rc;
use ues_identity::keystore::KdfParams;
use ues_lexicon::Lexicons;
use ues_node::{Action, Node, NodeError, NodeEvent, NodeOptions, Progress};
use ues_store::{MemoryStore, Store};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn opts() -> NodeOptions {
    NodeOptions {
        kdf: KdfParams::insecure_fast(),
    }
}

fn post(text: &str) -> serde_json::Value {
    json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00.000Z"})
}

const POST: &str = "app.bsky.feed.post";

/// Writes, reads, events, and a reopen of the same store.
async fn writes_reads_and_reopen<S: Store + Clone>(store: S) {
    let mut node = Node::open(store.clone(), opts()).await.unwrap();
    assert!(node.account().is_none());
    let err = node
        .create_record(POST, None, &post("x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NoAccount");

    let acct = node.create_account(None, None).await.unwrap();
    assert!(acct.did.starts_with("did:key:z"));
    assert_eq!(acct.signing_key.as_deref(), Some(acct.did.as_str()));
    let a = node
        .create_record(POST, Some("3kaaaaaaaaaa2"), &post("hello world"))
        .await
        .unwrap();
    let b = node
        .create_record(POST, None, &post("second post"))
        .await
        .unwrap();
    assert_eq!(
        a.results[0].uri,
        format!("at://{}/{POST}/3kaaaaaaaaaa2", acct.did)
    );
    assert!(b.rev > a.rev, "revs increase");
    let events = node.drain_events();
    let records: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                NodeEvent::Record {
                    action: Action::Create,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(records.len(), 2);
    assert!(matches!(events.last(), Some(NodeEvent::Commit { rev, .. }) if *rev == b.rev));

    // Duplicate create: typed error, nothing written.
    let err = node
        .create_record(POST, Some("3kaaaaaaaaaa2"), &post("again"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "RecordExists");
    let got = node
        .get_record(None, POST, "3kaaaaaaaaaa2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.value["text"], "hello world");
    assert_eq!(got.cid, a.results[0].cid.clone().unwrap());

    let (page, next) = node.list_records(None, POST, None, 1, true).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].value["text"], "second post",
        "reverse = newest first"
    );
    let (rest, _) = node
        .list_records(None, POST, next.as_deref(), 10, true)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].value["text"], "hello world");

    let (hits, total) = node.search_posts("hel", 10).await.unwrap();
    assert_eq!((hits.len(), total), (1, 1));
    assert_eq!(hits[0], a.results[0].uri);

    node.delete_record(POST, "3kaaaaaaaaaa2").await.unwrap();
    assert!(node
        .get_record(None, POST, "3kaaaaaaaaaa2")
        .await
        .unwrap()
        .is_none());
    let err = node.delete_record(POST, "3kaaaaaaaaaa2").await.unwrap_err();
    assert_eq!(err.code(), "RecordNotFound");
    drop(node);

    // A reloaded node has its account (unsealed: ready to sign) and data.
    let mut node = Node::open(store, opts()).await.unwrap();
    let again = node.account().unwrap();
    assert_eq!(again.did, acct.did);
    assert!(!again.locked);
    let (all, _) = node
        .list_records(None, POST, None, 10, false)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    node.create_record(POST, None, &post("after reload"))
        .await
        .unwrap();
}

/// A sealed key: locked after reopen, unlocked only by its passphrase.
async fn sealed_accounts<S: Store + Clone>(store: S) {
    let mut node = Node::open(store.clone(), opts()).await.unwrap();
    let acct = node
        .create_account(None, Some("correct horse"))
        .await
        .unwrap();
    assert!(acct.sealed && !acct.locked);
    node.create_record(POST, None, &post("one")).await.unwrap();
    let backup = node.export_identity("backup pw").unwrap();
    drop(node);

    let mut node = Node::open(store, opts()).await.unwrap();
    assert!(node.account().unwrap().locked);
    let err = node
        .create_record(POST, None, &post("two"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "Locked");
    let err = node.unlock("wrong").unwrap_err();
    assert!(matches!(err, NodeError::WrongPassphrase));
    node.unlock("correct horse").unwrap();
    node.create_record(POST, None, &post("two")).await.unwrap();
    let err = node.create_account(None, None).await.unwrap_err();
    assert_eq!(err.code(), "AccountExists");

    // The backup moves the identity to another node; a wrong passphrase
    // leaves that node without an account.
    let mut other = Node::open(MemoryStore::new(), opts()).await.unwrap();
    let err = other
        .import_identity(&backup, "nope", None, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "WrongPassphrase");
    assert!(other.account().is_none());
    let moved = other
        .import_identity(&backup, "backup pw", None, false)
        .await
        .unwrap();
    assert_eq!(moved.did, acct.did);
    assert!(!moved.sealed);
}

/// CAR export and import between nodes, whole and since a rev; a tampered
/// CAR changes nothing.
async fn car_round_trips<S: Store + Clone>(a_store: S, b_store: S) {
    let mut a = Node::open(a_store, opts()).await.unwrap();
    let did = a.create_account(None, None).await.unwrap().did;
    for i in 0..30 {
        a.create_record(POST, None, &post(&format!("post {i} apple")))
            .await
            .unwrap();
    }
    let car = a.export_car(None, None).await.unwrap();

    let mut b = Node::open(b_store, opts()).await.unwrap();
    let mut seen: Vec<Progress> = Vec::new();
    let sum = b
        .import_car(&car, None, &mut |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!(sum.did, did);
    assert_eq!(sum.records, 30);
    let phases: Vec<_> = seen.iter().map(|p| p.phase).collect();
    assert_eq!(phases, ["read", "verify", "index", "done"]);
    assert_eq!(b.repo_dids(), vec![did.clone()]);
    let (recs, _) = b
        .list_records(Some(&did), POST, None, 100, false)
        .await
        .unwrap();
    assert_eq!(recs.len(), 30);

    // Since a rev: only the new commits' blocks travel, and b catches up.
    let rev = sum.rev.clone();
    let last = a
        .create_record(POST, None, &post("late news"))
        .await
        .unwrap();
    let slice = a.export_car(None, Some(&rev)).await.unwrap();
    // The commit, the record and the MST nodes on its path, against 30
    // records + every node + the commit.
    let slice_blocks = ues_data::car::read_all(&slice).unwrap().blocks.len();
    let all_blocks = ues_data::car::read_all(&car).unwrap().blocks.len();
    assert!(
        slice_blocks * 3 < all_blocks,
        "slice has {slice_blocks} blocks, the repo {all_blocks}"
    );
    let caught = b.import_car(&slice, None, &mut |_| {}).await.unwrap();
    assert_eq!(caught.rev, last.rev);
    assert_eq!(caught.commit, last.commit);

    // Replaying the slice is stale; a flipped byte is caught; nothing moves.
    let err = b.import_car(&slice, None, &mut |_| {}).await.unwrap_err();
    assert_eq!(err.code(), "StaleRev");
    let mut bad = a.export_car(None, None).await.unwrap();
    let n = bad.len();
    bad[n - 5] ^= 1;
    let mut c = Node::open(MemoryStore::new(), opts()).await.unwrap();
    let err = c.import_car(&bad, None, &mut |_| {}).await.unwrap_err();
    assert_eq!(err.code(), "BlockHashMismatch", "{err}");
    assert!(c.repo_dids().is_empty());
    let err = c
        .import_car(b"not a car", None, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "InvalidCar");
}

/// Records of collections with a loaded lexicon are validated.
async fn lexicon_validation<S: Store + Clone>(store: S) {
    let mut lex = Lexicons::new();
    lex.add_json(
        r#"{"lexicon":1,"id":"com.example.note","defs":{"main":{"type":"record","key":"tid",
        "record":{"type":"object","required":["text"],"properties":{"text":{"type":"string","maxLength":10}}}}}}"#,
    )
    .unwrap();
    let mut node = Node::open(store, opts()).await.unwrap();
    node.set_lexicons(Rc::new(lex));
    node.create_account(None, None).await.unwrap();
    node.create_record(
        "com.example.note",
        None,
        &json!({"$type": "com.example.note", "text": "short"}),
    )
    .await
    .unwrap();
    let err = node
        .create_record(
            "com.example.note",
            None,
            &json!({"$type": "com.example.note", "text": "far too long a note"}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "InvalidRecord", "{err}");
    let (all, _) = node
        .list_records(None, "com.example.note", None, 10, false)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "the invalid record was not written");
    let err = node
        .list_records(None, "com.example.note", None, 0, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn memory_writes_reads_and_reopen() {
        block_on(writes_reads_and_reopen(MemoryStore::new()));
    }

    #[test]
    fn memory_sealed_accounts() {
        block_on(sealed_accounts(MemoryStore::new()));
    }

    #[test]
    fn memory_car_round_trips() {
        block_on(car_round_trips(MemoryStore::new(), MemoryStore::new()));
    }

    #[test]
    fn memory_lexicon_validation() {
        block_on(lexicon_validation(MemoryStore::new()));
    }

    #[test]
    fn native_store_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.redb");
        let did = block_on(async {
            let store =
                ues_store::native::NativeStore::open(&path, Rc::new(ues_store::SystemClock))
                    .unwrap();
            let mut node = Node::open(store, opts()).await.unwrap();
            let did = node.create_account(None, None).await.unwrap().did;
            node.create_record(POST, Some("3kaaaaaaaaaa2"), &post("on disk"))
                .await
                .unwrap();
            did
        });
        block_on(async {
            let store =
                ues_store::native::NativeStore::open(&path, Rc::new(ues_store::SystemClock))
                    .unwrap();
            let mut node = Node::open(store, opts()).await.unwrap();
            assert_eq!(node.account().unwrap().did, did);
            let rec = node
                .get_record(None, POST, "3kaaaaaaaaaa2")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(rec.value["text"], "on disk");
        });
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use ues_store::idb::IdbStore;
    use ues_store::SystemClock;
    use wasm_bindgen_test::wasm_bindgen_test;

    async fn idb(name: &str) -> IdbStore {
        IdbStore::open(name, Rc::new(SystemClock)).await.unwrap()
    }

    #[wasm_bindgen_test]
    async fn memory_suite() {
        writes_reads_and_reopen(MemoryStore::new()).await;
        sealed_accounts(MemoryStore::new()).await;
        car_round_trips(MemoryStore::new(), MemoryStore::new()).await;
        lexicon_validation(MemoryStore::new()).await;
    }

    #[wasm_bindgen_test]
    async fn indexeddb_survives_a_reopen() {
        let name = format!("ues-node-test-{}", js_sys_now());
        let did = {
            let mut node = Node::open(idb(&name).await, opts()).await.unwrap();
            let did = node.create_account(None, None).await.unwrap().did;
            node.create_record(POST, Some("3kaaaaaaaaaa2"), &post("in idb"))
                .await
                .unwrap();
            did
        };
        let mut node = Node::open(idb(&name).await, opts()).await.unwrap();
        assert_eq!(node.account().unwrap().did, did);
        let rec = node
            .get_record(None, POST, "3kaaaaaaaaaa2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rec.value["text"], "in idb");
    }

    fn js_sys_now() -> u64 {
        web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    }
}
