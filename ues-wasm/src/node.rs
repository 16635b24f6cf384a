//! The UES node for JS: `ues_node::Node` over IndexedDB (browsers, Web
//! Workers) or memory (Node.js, workerd, tests). The package's `index.js`
//! wraps this class: it queues calls (one at a time, in order), parses the
//! JSON strings this side returns, and dispatches events to listeners.

use crate::host_store::HostStore;
use crate::{js_error, Code};
use std::cell::RefCell;
use std::rc::Rc;
#[cfg(target_arch = "wasm32")]
use ues_node::fetch::FetchHttp;
use ues_node::{writes_from_json, Node, NodeError, NodeOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_futures::js_sys::{Function, Promise, Uint8Array};

impl Code for NodeError {
    fn code(&self) -> &'static str {
        NodeError::code(self)
    }
}

type Inner = Node<HostStore>;

struct State {
    node: Option<Inner>,
    closed: bool,
    sink: Option<Function>,
}

/// A full UES node. Methods that reach the store return Promises resolving
/// to JSON strings (or bytes); failures reject with an `Error` whose `code`
/// is stable (`NoAccount`, `Locked`, `WrongPassphrase`, `InvalidRecord`,
/// `RecordExists`, `BadSignature`, `BlockHashMismatch`, …).
#[wasm_bindgen(js_name = NodeCore)]
pub struct NodeCore {
    state: Rc<RefCell<State>>,
}

fn take(state: &Rc<RefCell<State>>) -> Result<Inner, JsValue> {
    let mut s = state.borrow_mut();
    if s.closed {
        return Err(js_error(NodeError::Closed));
    }
    s.node.take().ok_or_else(|| js_error(NodeError::Busy))
}

/// Puts the node back and hands its new events to the sink.
fn put(state: &Rc<RefCell<State>>, mut node: Inner) {
    let events = node.drain_events();
    let sink = {
        let mut s = state.borrow_mut();
        s.node = Some(node);
        s.sink.clone()
    };
    if let Some(sink) = sink {
        for e in events {
            // A throwing listener must not break the node.
            let _ = sink.call1(&JsValue::NULL, &JsValue::from(e.to_json().to_string()));
        }
    }
}

fn out(v: serde_json::Value) -> JsValue {
    JsValue::from(v.to_string())
}

/// Runs `$body` (an async block using `$n: &mut Inner`) with the node taken
/// out of its slot, then puts it back, whatever happened.
macro_rules! with_node {
    ($self:ident, |$n:ident| $body:expr) => {{
        let state = $self.state.clone();
        future_to_promise(async move {
            let mut node = take(&state)?;
            let $n = &mut node;
            let r: Result<JsValue, NodeError> = $body.await;
            put(&state, node);
            r.map_err(js_error)
        })
    }};
}

#[wasm_bindgen(js_class = NodeCore)]
impl NodeCore {
    /// Opens the node `name` in `storage` (`"indexeddb"`, browsers only, or
    /// `"memory"`). `kdfLogN` lowers the passphrase KDF cost (tests only).
    pub fn open(name: String, storage: String, kdf_log_n: Option<u8>) -> Promise {
        future_to_promise(async move {
            let store = HostStore::open(&name, &storage).await.map_err(js_error)?;
            let mut options = NodeOptions::default();
            if let Some(n) = kdf_log_n {
                options.kdf.log_n = n;
            }
            let node = Node::open(store, options).await.map_err(js_error)?;
            Ok(NodeCore {
                state: Rc::new(RefCell::new(State {
                    node: Some(node),
                    closed: false,
                    sink: None,
                })),
            }
            .into())
        })
    }

    /// Where events go: `sink(json)` is called with each event as JSON.
    #[wasm_bindgen(js_name = setEventSink)]
    pub fn set_event_sink(&self, sink: Option<Function>) {
        self.state.borrow_mut().sink = sink;
    }

    /// `{did, signingKey, sealed, locked}` as JSON, or `"null"`.
    pub fn account(&self) -> Result<String, JsValue> {
        let s = self.state.borrow();
        let node = s.node.as_ref().ok_or_else(|| js_error(NodeError::Busy))?;
        Ok(account_json(node).to_string())
    }

    /// The DIDs of the repos the node holds, as a JSON array.
    #[wasm_bindgen(js_name = repoDids)]
    pub fn repo_dids(&self) -> Result<String, JsValue> {
        let s = self.state.borrow();
        let node = s.node.as_ref().ok_or_else(|| js_error(NodeError::Busy))?;
        Ok(serde_json::json!(node.repo_dids()).to_string())
    }

    #[wasm_bindgen(js_name = createAccount)]
    pub fn create_account(&self, did: Option<String>, passphrase: Option<String>) -> Promise {
        with_node!(self, |n| async move {
            n.create_account(did.as_deref(), passphrase.as_deref())
                .await?;
            Ok(out(account_json(n)))
        })
    }

    pub fn unlock(&self, passphrase: String) -> Promise {
        with_node!(self, |n| async move {
            n.unlock(&passphrase)?;
            Ok(out(account_json(n)))
        })
    }

    pub fn lock(&self) -> Promise {
        with_node!(self, |n| async move {
            n.lock()?;
            Ok(out(account_json(n)))
        })
    }

    #[wasm_bindgen(js_name = setPassphrase)]
    pub fn set_passphrase(&self, passphrase: Option<String>) -> Promise {
        with_node!(self, |n| async move {
            n.set_passphrase(passphrase.as_deref()).await?;
            Ok(out(account_json(n)))
        })
    }

    /// The account's key sealed under `passphrase` (bytes).
    #[wasm_bindgen(js_name = exportIdentity)]
    pub fn export_identity(&self, passphrase: String) -> Promise {
        with_node!(self, |n| async move {
            Ok(Uint8Array::from(&n.export_identity(&passphrase)?[..]).into())
        })
    }

    #[wasm_bindgen(js_name = importIdentity)]
    pub fn import_identity(
        &self,
        sealed: Vec<u8>,
        passphrase: String,
        did: Option<String>,
        keep_sealed: bool,
    ) -> Promise {
        with_node!(self, |n| async move {
            n.import_identity(&sealed, &passphrase, did.as_deref(), keep_sealed)
                .await?;
            Ok(out(account_json(n)))
        })
    }

    /// One signed commit of `writesJson`; resolves to `{commit, rev,
    /// results: [{uri, cid, action}]}` as JSON.
    #[wasm_bindgen(js_name = applyWrites)]
    pub fn apply_writes(&self, writes_json: String) -> Promise {
        with_node!(self, |n| async move {
            let writes = writes_from_json(&json_value(&writes_json)?)?;
            Ok(out(n.apply_writes(&writes).await?.to_json()))
        })
    }

    /// `{uri, cid, value}` as JSON, or `"null"`.
    #[wasm_bindgen(js_name = getRecord)]
    pub fn get_record(&self, did: Option<String>, collection: String, rkey: String) -> Promise {
        with_node!(self, |n| async move {
            let r = n.get_record(did.as_deref(), &collection, &rkey).await?;
            Ok(out(r.map_or(serde_json::Value::Null, |r| r.to_json())))
        })
    }

    /// `{records: [{uri, cid, value}], cursor?}` as JSON.
    #[wasm_bindgen(js_name = listRecords)]
    pub fn list_records(
        &self,
        did: Option<String>,
        collection: String,
        cursor: Option<String>,
        limit: u32,
        reverse: bool,
    ) -> Promise {
        with_node!(self, |n| async move {
            let (records, next) = n
                .list_records(
                    did.as_deref(),
                    &collection,
                    cursor.as_deref(),
                    limit as usize,
                    reverse,
                )
                .await?;
            let records: Vec<_> = records.iter().map(|r| r.to_json()).collect();
            Ok(out(serde_json::json!({"records": records, "cursor": next})))
        })
    }

    /// `{uris, total}` as JSON: posts matching `query`, best first.
    #[wasm_bindgen(js_name = searchPosts)]
    pub fn search_posts(&self, query: String, limit: u32) -> Promise {
        with_node!(self, |n| async move {
            let (uris, total) = n.search_posts(&query, limit as usize).await?;
            Ok(out(serde_json::json!({"uris": uris, "total": total})))
        })
    }

    /// The repo as a CAR v1 (bytes): whole, or the commits after `since`.
    /// Follows `did` (an `app.bsky.graph.follow` record dated `created_at`);
    /// resolves to the record's at-URI.
    pub fn follow(&self, did: String, created_at: String) -> Promise {
        with_node!(self, |n| async move {
            Ok(out(n.follow(&did, &created_at).await?.into()))
        })
    }

    pub fn unfollow(&self, did: String) -> Promise {
        with_node!(self, |n| async move {
            n.unfollow(&did).await?;
            Ok(out(serde_json::Value::Null))
        })
    }

    /// The DIDs the account follows, as JSON.
    pub fn following(&self) -> Promise {
        with_node!(
            self,
            |n| async move { Ok(out(n.following().await?.into())) }
        )
    }

    #[wasm_bindgen(js_name = exportCar)]
    pub fn export_car(&self, did: Option<String>, since: Option<String>) -> Promise {
        with_node!(self, |n| async move {
            let car = n.export_car(did.as_deref(), since.as_deref()).await?;
            Ok(Uint8Array::from(&car[..]).into())
        })
    }

    /// Imports a CAR with full verification; `onProgress(json)` is called at
    /// each phase. Resolves to `{did, rev, commit, records}` as JSON.
    #[wasm_bindgen(js_name = importCar)]
    pub fn import_car(
        &self,
        bytes: Vec<u8>,
        key: Option<String>,
        on_progress: Option<Function>,
    ) -> Promise {
        with_node!(self, |n| async move {
            let mut report = |p: ues_node::Progress| {
                if let Some(f) = &on_progress {
                    let v = serde_json::json!({"phase": p.phase, "done": p.done, "total": p.total});
                    let _ = f.call1(&JsValue::NULL, &JsValue::from(v.to_string()));
                }
            };
            let s = n.import_car(&bytes, key.as_deref(), &mut report).await?;
            Ok(out(serde_json::json!({
                "did": s.did, "rev": s.rev, "commit": s.commit, "records": s.records,
            })))
        })
    }

    /// Closes the node: later calls fail with `Closed`; the store's
    /// connection is released.
    pub fn close(&self) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        if s.node.is_none() && !s.closed {
            return Err(js_error(NodeError::Busy));
        }
        s.closed = true;
        s.node = None;
        s.sink = None;
        Ok(())
    }
}

/// The relay link: only where the global `fetch` is (every JS host; the
/// native build of this crate exists for its lints and tests).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_class = NodeCore)]
impl NodeCore {
    /// Links the account to the relay at `url` (registers the DID there
    /// under `handle` when `create`, else logs in) and pushes the repo.
    /// Resolves to the relay status as JSON.
    #[wasm_bindgen(js_name = relayConnect)]
    pub fn relay_connect(
        &self,
        url: String,
        handle: String,
        password: String,
        create: bool,
    ) -> Promise {
        with_node!(self, |n| async move {
            let s = n
                .relay_connect(&FetchHttp, &url, &handle, &password, create)
                .await?;
            Ok(out(s.to_json()))
        })
    }

    /// Pushes commits the relay has not seen; rejects with `Offline` when it
    /// is unreachable (they stay pending).
    #[wasm_bindgen(js_name = relayPush)]
    pub fn relay_push(&self) -> Promise {
        with_node!(self, |n| async move {
            Ok(out(n.relay_push(&FetchHttp).await?.to_json()))
        })
    }

    /// The relay status as JSON, or `"null"` when not linked.
    #[wasm_bindgen(js_name = relayStatus)]
    pub fn relay_status(&self) -> Promise {
        with_node!(self, |n| async move {
            let s = n.relay_status().await?;
            Ok(out(s.map_or(serde_json::Value::Null, |s| s.to_json())))
        })
    }

    /// Pulls the repo of `did` (every followed repo when `None`) from the
    /// linked relay, verified and indexed. Resolves to the outcomes as JSON.
    #[wasm_bindgen(js_name = relayPull)]
    pub fn relay_pull(&self, did: Option<String>) -> Promise {
        with_node!(self, |n| async move {
            let outcomes = match did {
                Some(d) => vec![n.relay_pull(&FetchHttp, &d).await?],
                None => n.relay_pull_following(&FetchHttp).await?,
            };
            Ok(out(outcomes.iter().map(|o| o.to_json()).collect()))
        })
    }

    #[wasm_bindgen(js_name = relayDisconnect)]
    pub fn relay_disconnect(&self) -> Promise {
        with_node!(self, |n| async move {
            n.relay_disconnect().await?;
            Ok(out(serde_json::Value::Null))
        })
    }
}

fn json_value(s: &str) -> Result<serde_json::Value, NodeError> {
    serde_json::from_str(s).map_err(|e| NodeError::InvalidArgument(format!("JSON: {e}")))
}

fn account_json(n: &Inner) -> serde_json::Value {
    match n.account() {
        None => serde_json::Value::Null,
        Some(a) => serde_json::json!({
            "did": a.did, "signingKey": a.signing_key, "sealed": a.sealed, "locked": a.locked,
        }),
    }
}
