//! The repo Durable Object: one per DID (named by the DID). It holds the
//! repo's blocks, MST, head and per-repo commit log in its SQLite storage
//! (through [`DoStore`]), the signing key of a custodial account (or the
//! did:key of a self-custodial one), and sends each commit's event to the
//! sequencer. Requests are serialized by a lock held across the commit and
//! its sequencing, so the firehose sees a repo's commits in rev order.

mod blob_index;
mod events;
mod ops;
mod sync_ws;

use crate::error::XrpcError;
use crate::http::{body_json, do_answer, internal, op_of, XResult};
use crate::store::DoStore;
use futures::lock::Mutex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use ues_identity::{Keypair, PublicKey};
use ues_repo::Repo;
use ues_store::SystemClock;
use ues_sync::RepoSession;
use wasm_bindgen::JsCast;
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, SqlStorageValue as V, State,
    WebSocket, WebSocketIncomingMessage,
};

pub use events::send as send_event;

pub const BINDING: &str = "REPOS";

/// A repo that is open, with its keys.
pub(crate) struct Loaded {
    pub repo: Repo<DoStore>,
    /// The relay-held key of a custodial account.
    pub signer: Option<Keypair>,
    /// The key commits are verified with.
    pub verifier: PublicKey,
}

#[durable_object]
pub struct RepoObject {
    state: State,
    sql: SqlStorage,
    storage: Option<js_sys::Object>,
    env: Env,
    loaded: Mutex<Option<Loaded>>,
    /// Pushes in progress on sync sockets (`repoCar` reassembly), by socket id.
    sessions: RefCell<HashMap<String, RepoSession>>,
}

impl DurableObject for RepoObject {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        let raw = state._inner();
        let dup: wasm_bindgen::JsValue = (*raw).clone().into();
        let state = State::from(dup.unchecked_into::<worker::worker_sys::DurableObjectState>());
        let storage = raw.storage().ok().map(|s| {
            let v: wasm_bindgen::JsValue = s.into();
            v.unchecked_into::<js_sys::Object>()
        });
        let _ = sql.exec(
            "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL)",
            None,
        );
        RepoObject {
            state,
            sql,
            storage,
            env,
            loaded: Mutex::new(None),
            sessions: RefCell::new(HashMap::new()),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let op = op_of(&req);
        let r = self.dispatch(&op, &mut req).await;
        do_answer(r)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        m: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        match m {
            WebSocketIncomingMessage::Binary(b) => self.sync_message(&ws, &b).await,
            WebSocketIncomingMessage::String(_) => {
                let e = XrpcError::invalid_request("sync frames are binary DAG-CBOR");
                let _ = ws.send_with_str(e.body().to_string());
            }
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        reason: String,
        _clean: bool,
    ) -> worker::Result<()> {
        self.drop_session(&ws);
        crate::frame::close_echo(&ws, code, reason);
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _e: worker::Error) -> worker::Result<()> {
        self.drop_session(&ws);
        Ok(())
    }
}

impl RepoObject {
    pub(crate) fn store(&self, prefix: &str) -> XResult<DoStore> {
        DoStore::open(
            self.sql.clone(),
            self.storage.clone(),
            prefix,
            Rc::new(SystemClock),
        )
        .map_err(XrpcError::from)
    }

    /// A store with another clock (the conformance suite's manual one).
    pub(crate) fn store_with_clock(
        &self,
        prefix: &str,
        clock: Rc<dyn ues_store::Clock>,
    ) -> XResult<DoStore> {
        DoStore::open(self.sql.clone(), self.storage.clone(), prefix, clock)
            .map_err(XrpcError::from)
    }

    /// Drops the tables of the store named by `prefix`.
    pub(crate) fn drop_tables(&self, prefix: &str) -> XResult<()> {
        for t in ["blocks", "kv", "chunks"] {
            self.sql
                .exec(&format!("DROP TABLE IF EXISTS {prefix}{t}"), None)
                .map_err(internal)?;
        }
        Ok(())
    }

    pub(crate) fn meta(&self, k: &str) -> XResult<Option<String>> {
        #[derive(serde::Deserialize)]
        struct Row {
            v: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT v FROM meta WHERE k = ?", vec![V::from(k)])
            .and_then(|c| c.to_array())
            .map_err(internal)?;
        Ok(rows.into_iter().next().map(|r| r.v))
    }

    pub(crate) fn set_meta(&self, k: &str, v: &str) -> XResult<()> {
        self.sql
            .exec(
                "INSERT OR REPLACE INTO meta(k, v) VALUES (?, ?)",
                vec![V::from(k), V::from(v)],
            )
            .map_err(internal)?;
        Ok(())
    }

    /// Opens the repo from storage (`None` before `init`).
    async fn load(&self) -> XResult<Option<Loaded>> {
        let Some(did) = self.meta("did")? else {
            return Ok(None);
        };
        let signer = match self.meta("key")? {
            Some(hex) => {
                let b = data_encoding::HEXLOWER
                    .decode(hex.as_bytes())
                    .map_err(internal)?;
                Some(Keypair::from_bytes(&b).map_err(internal)?)
            }
            None => None,
        };
        let verifier = match (&signer, self.meta("didKey")?) {
            (Some(k), _) => k.public(),
            (None, Some(dk)) => PublicKey::from_did_key(&dk).map_err(internal)?,
            (None, None) => return Err(XrpcError::internal("repo has no key")),
        };
        let repo = Repo::open(self.store("r_")?, &did).await?;
        Ok(Some(Loaded {
            repo,
            signer,
            verifier,
        }))
    }

    async fn dispatch(&self, op: &str, req: &mut Request) -> XResult<Response> {
        if op == "conformance" {
            return crate::conformance::run(self).await;
        }
        let mut guard = self.loaded.lock().await;
        if guard.is_none() {
            *guard = self.load().await?;
        }
        if op == "init" {
            let body = body_json(req).await?;
            return self.init(&mut guard, &body).await;
        }
        let Some(l) = guard.as_mut() else {
            return Err(XrpcError::bad("RepoNotFound", "repo not found"));
        };
        if op == "sync" {
            return self.sync_accept(req, self.head_frame(l));
        }
        let r = self.run(op, req, l).await;
        if matches!(&r, Err(e) if e.status >= 500) || op == "import" {
            // Reopen from storage next time: nothing half-done stays in memory.
            *guard = None;
        }
        r
    }
}
