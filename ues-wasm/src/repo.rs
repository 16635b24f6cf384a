//! A signed AT Protocol repository over an in-memory store, for JS: the
//! engine of the Node differential test against `@atproto/repo` and of the
//! repo benchmark. Methods that reach the store return Promises; errors are
//! `Error`s with a stable `code` (see [`Code`] for [`RepoError`]).

use crate::{js_error, Code};
use std::cell::RefCell;
use std::rc::Rc;
use ues_identity::Keypair;
use ues_repo::car_io::{import_car, verify_car};
use ues_repo::{key_from_did_key, RepoError, Tid, TidGenerator, Write};
use ues_store::MemoryStore;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_futures::js_sys::{Promise, Uint8Array};

impl Code for RepoError {
    fn code(&self) -> &'static str {
        ues_node::repo_code(self)
    }
}

/// An error raised by the bindings themselves (bad arguments, misuse).
struct BindingError(&'static str, String);

impl Code for BindingError {
    fn code(&self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

fn invalid_writes(msg: impl Into<String>) -> JsValue {
    js_error(BindingError("InvalidWrites", msg.into()))
}

type Inner = ues_repo::Repo<MemoryStore>;

/// The repo is taken out of its slot for the length of each call, so a
/// second call while one is running fails with `Busy` instead of panicking.
struct State {
    repo: Option<Inner>,
    key: Option<Keypair>,
}

/// An AT Protocol repository (repo format v3) held in memory, signed with a
/// k256 key (or read-only after `importCar`).
#[wasm_bindgen]
pub struct Repo {
    state: Rc<RefCell<State>>,
}

fn parse_secret(hex: &str) -> Result<Keypair, JsValue> {
    let bad = || {
        js_error(RepoError::BadKey(
            "the secret must be 64 hex digits (32 bytes)".into(),
        ))
    };
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut secret = [0u8; 32];
    for (i, b) in secret.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Keypair::k256_from_bytes(&secret).map_err(|e| js_error(RepoError::BadKey(e.to_string())))
}

fn take(state: &Rc<RefCell<State>>) -> Result<Inner, JsValue> {
    state.borrow_mut().repo.take().ok_or_else(busy)
}

/// Parses the writes JSON: `[{action: "create"|"update"|"delete",
/// collection, rkey?, record?}]` (the node's parser; its argument errors
/// keep this class's `InvalidWrites` code).
fn parse_writes(json: &str) -> Result<Vec<Write>, JsValue> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| invalid_writes(format!("writes JSON: {e}")))?;
    ues_node::writes_from_json(&v).map_err(|e| match e {
        ues_node::NodeError::InvalidArgument(m) => invalid_writes(m),
        e => js_error(e),
    })
}

/// A generator whose next TID is `rev` (given `rev` is after `current`).
fn fixed_rev(rev: Tid) -> TidGenerator {
    let micros = rev.micros();
    TidGenerator::new(Box::new(move || micros), rev.clock_id())
}

/// One commit of `writes`, at `rev` when given; gives the repo back.
async fn apply(
    mut repo: Inner,
    mut writes: Vec<Write>,
    rev: Option<String>,
    key: &Keypair,
) -> (Inner, Result<ues_repo::WriteResult, RepoError>) {
    let Some(rev) = rev else {
        let res = repo.apply_writes(&writes, key).await;
        return (repo, res);
    };
    let rev = match Tid::parse(&rev) {
        Ok(r) => r,
        Err(e) => return (repo, Err(e.into())),
    };
    if let Some(cur) = repo.rev() {
        if rev.micros() <= cur.micros() {
            let e = RepoError::StaleRev {
                current: cur.to_string(),
                new: rev.to_string(),
            };
            return (repo, Err(e));
        }
    }
    // Record keys left to the repo come from its own clock, before the
    // commit's rev is pinned.
    for w in &mut writes {
        if let Write::Create { rkey: r @ None, .. } = w {
            *r = Some(repo.next_tid().to_string());
        }
    }
    let mut repo = repo.with_tids(fixed_rev(rev));
    let res = repo.apply_writes(&writes, key).await;
    (repo.with_tids(TidGenerator::system(0)), res)
}

fn bytes_out(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

#[wasm_bindgen]
impl Repo {
    /// An empty repo of `did` signed with the k256 key `secretHex` (64 hex
    /// digits). Throws `InvalidKey`.
    pub fn create(did: &str, secret_hex: &str) -> Result<Repo, JsValue> {
        let key = parse_secret(secret_hex)?;
        let store = MemoryStore::new();
        let repo = poll_ready(Inner::open(store, did))?.map_err(js_error)?;
        Ok(Repo {
            state: Rc::new(RefCell::new(State {
                repo: Some(repo),
                key: Some(key),
            })),
        })
    }

    /// The did:key of a k256 secret (64 hex digits).
    #[wasm_bindgen(js_name = didKeyOf)]
    pub fn did_key_of(secret_hex: &str) -> Result<String, JsValue> {
        Ok(parse_secret(secret_hex)?.did_key())
    }

    /// Verifies a whole-repo CAR (signature against the did:key `didKey`,
    /// the DID when given, every block, the MST, every record) and opens it
    /// as a read-only repo. Resolves to a `Repo`; rejects with the
    /// `code` of what failed (`BadSignature`, `BlockHashMismatch`,
    /// `MissingBlock`, `MissingRecord`, `NonCanonicalCbor`, `InvalidMst`, …).
    #[wasm_bindgen(js_name = importCar)]
    pub fn import_car(bytes: Vec<u8>, did: Option<String>, did_key: &str) -> Promise {
        let did_key = did_key.to_string();
        future_to_promise(async move {
            let public = key_from_did_key(&did_key).map_err(js_error)?;
            let repo = import_car(MemoryStore::new(), &bytes, did.as_deref(), &public)
                .await
                .map_err(js_error)?;
            Ok(Repo {
                state: Rc::new(RefCell::new(State {
                    repo: Some(repo),
                    key: None,
                })),
            }
            .into())
        })
    }

    /// Verifies a whole-repo CAR without keeping it (as `importCar`);
    /// returns `{commit, rev, records}` (the record count) as a JSON string.
    #[wasm_bindgen(js_name = verifyCar)]
    pub fn verify_car(bytes: &[u8], did: Option<String>, did_key: &str) -> Result<String, JsValue> {
        let public = key_from_did_key(did_key).map_err(js_error)?;
        let v = verify_car(bytes, did.as_deref(), &public).map_err(js_error)?;
        Ok(serde_json::json!({
            "commit": v.commit_cid.to_string(),
            "rev": v.commit.unsigned.rev.to_string(),
            "records": v.records.len(),
        })
        .to_string())
    }

    /// Makes one signed commit of `writesJson` (a JSON array of
    /// `{action: "create"|"update"|"delete", collection, rkey?, record?}`,
    /// records in the atproto JSON form). With `rev` (a TID after the current
    /// rev, with a later timestamp) the commit takes exactly that rev.
    /// Resolves to `{commit, rev, data}` as a JSON string.
    #[wasm_bindgen(js_name = applyWrites)]
    pub fn apply_writes(&self, writes_json: &str, rev: Option<String>) -> Promise {
        let state = self.state.clone();
        let parsed = parse_writes(writes_json);
        future_to_promise(async move {
            let writes = parsed?;
            let key = state.borrow().key.clone().ok_or_else(|| {
                js_error(BindingError(
                    "ReadOnly",
                    "this Repo has no signing key (it was imported)".into(),
                ))
            })?;
            let repo = take(&state)?;
            let (repo, result) = apply(repo, writes, rev, &key).await;
            state.borrow_mut().repo = Some(repo);
            let res = result.map_err(js_error)?;
            Ok(serde_json::json!({
                "commit": res.commit.to_string(),
                "rev": res.rev.to_string(),
                "data": res.data.to_string(),
            })
            .to_string()
            .into())
        })
    }

    /// The head commit's CID, or undefined for an empty repo.
    #[wasm_bindgen(js_name = commitCid)]
    pub fn commit_cid(&self) -> Result<Option<String>, JsValue> {
        let s = self.state.borrow();
        let repo = s.repo.as_ref().ok_or_else(busy)?;
        Ok(repo.head().map(|c| c.to_string()))
    }

    /// The current rev, or undefined for an empty repo.
    pub fn rev(&self) -> Result<Option<String>, JsValue> {
        let s = self.state.borrow();
        let repo = s.repo.as_ref().ok_or_else(busy)?;
        Ok(repo.rev().map(|r| r.to_string()))
    }

    /// The repo's DID.
    pub fn did(&self) -> Result<String, JsValue> {
        let s = self.state.borrow();
        let repo = s.repo.as_ref().ok_or_else(busy)?;
        Ok(repo.did().to_string())
    }

    /// The whole repo as a CAR v1 (commit, MST nodes, records). Resolves to
    /// a `Uint8Array`.
    #[wasm_bindgen(js_name = exportCar)]
    pub fn export_car(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut repo = take(&state)?;
            let car = repo.export_car().await;
            state.borrow_mut().repo = Some(repo);
            Ok(bytes_out(&car.map_err(js_error)?))
        })
    }

    /// Resolves to `{cid, value}` as a JSON string (value in the atproto
    /// JSON form), or undefined when absent.
    #[wasm_bindgen(js_name = getRecord)]
    pub fn get_record(&self, collection: String, rkey: String) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut repo = take(&state)?;
            let got = repo.get_record(&collection, &rkey).await;
            state.borrow_mut().repo = Some(repo);
            Ok(match got.map_err(js_error)? {
                None => JsValue::UNDEFINED,
                Some((cid, value)) => serde_json::json!({
                    "cid": cid.to_string(),
                    "value": ues_data::cbor::to_json(&value),
                })
                .to_string()
                .into(),
            })
        })
    }

    /// Records of `collection` in key order (or reversed) after `cursor` (an
    /// rkey, exclusive), at most `limit` (default 50). Resolves to a JSON
    /// string: `[{rkey, cid, value}]`.
    #[wasm_bindgen(js_name = listRecords)]
    pub fn list_records(
        &self,
        collection: String,
        cursor: Option<String>,
        limit: Option<u32>,
        reverse: Option<bool>,
    ) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut repo = take(&state)?;
            let got = repo
                .list_records(
                    &collection,
                    cursor.as_deref(),
                    limit.unwrap_or(50) as usize,
                    reverse.unwrap_or(false),
                )
                .await;
            state.borrow_mut().repo = Some(repo);
            let list: Vec<serde_json::Value> = got
                .map_err(js_error)?
                .into_iter()
                .map(|e| {
                    serde_json::json!({
                        "rkey": e.rkey,
                        "cid": e.cid.to_string(),
                        "value": ues_data::cbor::to_json(&e.value),
                    })
                })
                .collect();
            Ok(serde_json::Value::Array(list).to_string().into())
        })
    }
}

fn busy() -> JsValue {
    js_error(BindingError(
        "Busy",
        "another call on this Repo has not finished".into(),
    ))
}

/// Runs a future that completes without waiting (the memory store never
/// waits); `WouldBlock` if it would wait.
fn poll_ready<F: std::future::Future>(f: F) -> Result<F::Output, JsValue> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Ok(v),
        std::task::Poll::Pending => Err(js_error(BindingError(
            "WouldBlock",
            "the store did not answer at once".into(),
        ))),
    }
}
