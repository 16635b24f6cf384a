//! The AppView Durable Object (one, named `appview`): an [`AppState`] in
//! memory, fed by the repo DOs with the ops of every commit (`apply`,
//! sent from `repo_do::events::commit`, the one place every commit —
//! relay-side write, `importRepo`, sync-socket push — goes through) and
//! with handles (`handle`, from `#identity`), answering the `app.bsky.*`
//! views (`query`).
//!
//! Cold start: the memory of a DO does not survive eviction or a restart,
//! so the first query rebuilds the state from the stored repos — every
//! account (accounts DO), then every record of the feed's collections of
//! each repo (`list_records` on its repo DO). That is O(all records) and
//! fine for a small relay; past `APPVIEW_MAX_RECORDS` the AppView refuses
//! (`AppViewOverCapacity`). Ops that arrive while it rebuilds are queued
//! and applied after the snapshot (applying an op twice is harmless: the
//! state is a function of the set of records); ops that arrive before a
//! rebuild started are already in the repos and are dropped.

use super::state::{AppState, OpJson, DEFAULT_MAX_RECORDS};
use crate::error::XrpcError;
use crate::http::{body_json, do_answer, internal, ok, op_of, DoCall, XResult};
use crate::{accounts, repo_do};
use futures::lock::Mutex;
use serde_json::{json, Value};
use std::cell::RefCell;
use worker::{durable_object, DurableObject, Env, Request, Response, State};

pub const BINDING: &str = "APPVIEW";
pub const NAME: &str = "appview";

/// The feed's collections, read on a rebuild.
const COLLECTIONS: &[&str] = &[
    "app.bsky.actor.profile",
    "app.bsky.graph.follow",
    "app.bsky.graph.block",
    "app.bsky.graph.list",
    "app.bsky.graph.listitem",
    "app.bsky.feed.post",
    "app.bsky.feed.like",
    "app.bsky.feed.repost",
];

/// Records per `list_records` page on a rebuild.
const PAGE: usize = 500;

enum Phase {
    /// Nothing in memory yet.
    Cold,
    /// A rebuild is reading the repos; live changes wait here.
    Rebuilding(Vec<Change>),
    Ready,
}

enum Change {
    Ops(String, Vec<OpJson>),
    Handle(String, String),
}

#[durable_object]
pub struct AppView {
    #[allow(dead_code)]
    state: State,
    env: Env,
    max: usize,
    st: RefCell<AppState>,
    phase: RefCell<Phase>,
    rebuild: Mutex<()>,
}

impl DurableObject for AppView {
    fn new(state: State, env: Env) -> Self {
        let max = env
            .var("APPVIEW_MAX_RECORDS")
            .ok()
            .and_then(|v| v.to_string().parse().ok())
            .unwrap_or(DEFAULT_MAX_RECORDS);
        AppView {
            state,
            env,
            max,
            st: RefCell::new(AppState::new(max)),
            phase: RefCell::new(Phase::Cold),
            rebuild: Mutex::new(()),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let op = op_of(&req);
        let r = match op.as_str() {
            "apply" | "handle" => match body_json(&mut req).await {
                Ok(b) => self.change(&op, &b),
                Err(e) => Err(e),
            },
            "query" => match body_json(&mut req).await {
                Ok(b) => self.query(&b).await,
                Err(e) => Err(e),
            },
            _ => Err(XrpcError::not_found(format!("appview: no op {op}"))),
        };
        do_answer(r)
    }
}

impl AppView {
    fn change(&self, op: &str, b: &Value) -> XResult<Response> {
        let did = b["did"].as_str().unwrap_or_default().to_string();
        let change = if op == "apply" {
            let ops: Vec<OpJson> = serde_json::from_value(b["ops"].clone())
                .map_err(|e| XrpcError::invalid_request(e.to_string()))?;
            Change::Ops(did, ops)
        } else {
            let h = b["handle"].as_str().unwrap_or_default().to_string();
            Change::Handle(did, h)
        };
        let mut phase = self.phase.borrow_mut();
        match &mut *phase {
            Phase::Cold => {}
            Phase::Rebuilding(q) => {
                if q.len() >= self.max {
                    // More live changes than records allowed: give up on
                    // this rebuild's queue; the next query starts over.
                    *phase = Phase::Cold;
                } else {
                    q.push(change);
                }
            }
            Phase::Ready => apply(&mut self.st.borrow_mut(), change),
        }
        ok(&json!({}))
    }

    async fn query(&self, b: &Value) -> XResult<Response> {
        self.ensure_ready().await?;
        let nsid = b["nsid"].as_str().unwrap_or_default();
        let viewer = b["viewer"].as_str();
        let base = b["base"].as_str().unwrap_or_default();
        let st = self.st.borrow();
        ok(&super::query::answer(
            &st,
            nsid,
            &b["params"],
            viewer,
            base,
        )?)
    }

    async fn ensure_ready(&self) -> XResult<()> {
        let _guard = self.rebuild.lock().await;
        if matches!(*self.phase.borrow(), Phase::Ready) {
            return Ok(());
        }
        *self.phase.borrow_mut() = Phase::Rebuilding(Vec::new());
        let fresh = match self.snapshot().await {
            Ok(s) => s,
            Err(e) => {
                *self.phase.borrow_mut() = Phase::Cold;
                return Err(e);
            }
        };
        let queued = std::mem::replace(&mut *self.phase.borrow_mut(), Phase::Ready);
        let Phase::Rebuilding(queued) = queued else {
            // The queue overflowed while reading: try again next time.
            *self.phase.borrow_mut() = Phase::Cold;
            return Err(XrpcError::new(
                503,
                "AppViewRebuilding",
                "too many changes during the rebuild; retry",
            ));
        };
        let mut st = self.st.borrow_mut();
        *st = fresh;
        for c in queued {
            apply(&mut st, c);
        }
        Ok(())
    }

    /// Reads every account's feed records from the repo DOs.
    async fn snapshot(&self) -> XResult<AppState> {
        let mut st = AppState::new(self.max);
        let mut cursor = Value::Null;
        loop {
            let page = DoCall::new(accounts::BINDING, accounts::NAME, "list")
                .json(&json!({ "limit": 500, "cursor": cursor }))
                .send_json(&self.env)
                .await?;
            for a in page["accounts"].as_array().cloned().unwrap_or_default() {
                let did = a["did"].as_str().unwrap_or_default();
                if let Some(h) = a["handle"].as_str() {
                    st.set_handle(did, h);
                }
                self.read_repo(&mut st, did).await?;
                if st.over {
                    return Ok(st);
                }
            }
            cursor = page["cursor"].clone();
            if !cursor.is_string() {
                return Ok(st);
            }
        }
    }

    async fn read_repo(&self, st: &mut AppState, did: &str) -> XResult<()> {
        for coll in COLLECTIONS {
            let mut cursor: Option<String> = None;
            loop {
                let mut call = DoCall::new(repo_do::BINDING, did, "list_records")
                    .q("collection", *coll)
                    .q("limit", PAGE.to_string());
                if let Some(c) = &cursor {
                    call = call.q("cursor", c.clone());
                }
                let v = match call.send_json(&self.env).await {
                    Ok(v) => v,
                    // An account whose repo is not there (yet): nothing to read.
                    Err(e) if e.error == "RepoNotFound" => return Ok(()),
                    Err(e) => return Err(e),
                };
                let ops: Vec<OpJson> = v["records"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| {
                        let uri = r["uri"].as_str()?;
                        Some(OpJson {
                            collection: coll.to_string(),
                            rkey: uri.rsplit('/').next()?.to_string(),
                            cid: r["cid"].as_str().map(str::to_string),
                            record: Some(r["value"].clone()),
                        })
                    })
                    .collect();
                st.apply(did, &ops);
                cursor = v["cursor"].as_str().map(str::to_string);
                if cursor.is_none() || st.over {
                    break;
                }
            }
        }
        Ok(())
    }
}

fn apply(st: &mut AppState, c: Change) {
    match c {
        Change::Ops(did, ops) => st.apply(&did, &ops),
        Change::Handle(did, h) => st.set_handle(&did, &h),
    }
}

/// Sends the ops of a commit of `did` to the AppView. Failures are the
/// caller's to ignore: the repos stay the truth, and a cold AppView rebuilds
/// from them.
pub async fn send_ops(env: &Env, did: &str, ops: &[OpJson]) -> XResult<()> {
    if ops.is_empty() {
        return Ok(());
    }
    DoCall::new(BINDING, NAME, "apply")
        .json(&json!({ "did": did, "ops": ops }))
        .send(env)
        .await
        .map_err(|e| internal(e.message))?;
    Ok(())
}

/// Tells the AppView the handle of `did`.
pub async fn send_handle(env: &Env, did: &str, handle: &str) -> XResult<()> {
    DoCall::new(BINDING, NAME, "handle")
        .json(&json!({ "did": did, "handle": handle }))
        .send(env)
        .await?;
    Ok(())
}
