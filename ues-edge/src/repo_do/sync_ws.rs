//! The repo DO's side of the UES sync WebSocket: the sync layer's sans-IO
//! [`RepoSession`] over hibernating WebSockets.
//!
//! - On connect the DO sends `repoHead` (when the repo has a commit), and
//!   again to every sync socket after each new commit (relay-side write,
//!   push or import), so a follower learns of new commits live.
//! - `repoWant {since}` → the slice since that rev (`export_since`) as
//!   `repoCar` chunks, each frame ≤ 1 MiB.
//! - The owner (authenticated by the worker) may push: `repoHead` with a
//!   newer rev → `repoWant {since: our rev}` → `repoCar` chunks → the slice
//!   is verified and applied exactly like `importRepo` (signature by the
//!   repo's key, DID, newer rev, MST, records) and goes on the firehose.
//!
//! Errors are JSON text messages `{"error", "message"}` (binary messages are
//! protocol frames); a malformed or oversize frame also closes the socket
//! (1008). A refused push changes nothing.

use super::RepoObject;
use crate::error::XrpcError;
use crate::http::{internal, query, XResult};
use serde::{Deserialize, Serialize};
use ues_repo::Tid;
use ues_sync::{Msg, RepoAction, RepoSession, SyncError, MAX_FRAME};
use worker::{Request, Response, WebSocket, WebSocketPair};

/// The tag of sync sockets (the DO has no other kind today).
pub const TAG: &str = "ues-sync";
/// Largest pushed slice reassembled from `repoCar` chunks.
const MAX_PUSH: usize = 32 << 20;
/// Most sockets with a push in progress at once.
const MAX_PUSHING: usize = 16;

/// What a socket remembers across hibernation.
#[derive(Serialize, Deserialize, Clone)]
struct Peer {
    id: String,
    did: String,
    owner: bool,
}

fn peer(ws: &WebSocket) -> XResult<Peer> {
    ws.deserialize_attachment::<Peer>()
        .map_err(internal)?
        .ok_or_else(|| XrpcError::internal("sync socket without its attachment"))
}

fn sync_err(e: SyncError) -> XrpcError {
    XrpcError::bad(e.code(), e.to_string())
}

/// Sends an error message (text) to `ws`.
fn send_error(ws: &WebSocket, e: &XrpcError) {
    let _ = ws.send_with_str(e.body().to_string());
}

impl RepoObject {
    /// Accepts a sync socket (`?owner=1` when the worker authenticated the
    /// repo's owner) and announces the head.
    pub(super) fn sync_accept(&self, req: &Request, head: Option<Vec<u8>>) -> XResult<Response> {
        let did = query(req, "did")?.unwrap_or_default();
        let owner = query(req, "owner")?.as_deref() == Some("1");
        let pair = WebSocketPair::new().map_err(internal)?;
        self.state.accept_websocket_with_tags(&pair.server, &[TAG]);
        let id = format!("{:x}", js_sys::Math::random().to_bits());
        pair.server
            .serialize_attachment(Peer { id, did, owner })
            .map_err(internal)?;
        if let Some(f) = head {
            pair.server.send_with_bytes(&f).map_err(internal)?;
        }
        Response::from_websocket(pair.client).map_err(internal)
    }

    /// The `repoHead` frame of the repo as it is now (`None`: no commit).
    pub(super) fn head_frame(&self, l: &super::Loaded) -> Option<Vec<u8>> {
        let (head, rev) = (l.repo.head()?, l.repo.rev()?);
        RepoSession::new(l.repo.did(), MAX_FRAME, 0)
            .announce(head, &rev.to_string())
            .ok()
    }

    /// Sends the current head to every sync socket (after a new commit).
    pub(super) fn announce_all(&self, l: &super::Loaded) {
        if let Some(f) = self.head_frame(l) {
            for ws in self.state.get_websockets_with_tag(TAG) {
                let _ = ws.send_with_bytes(&f);
            }
        }
    }

    /// One binary message from a sync socket.
    pub(super) async fn sync_message(&self, ws: &WebSocket, frame: &[u8]) {
        if let Err(e) = self.sync_frame(ws, frame).await {
            send_error(ws, &e);
            if matches!(
                e.error.as_str(),
                "MalformedFrame" | "FrameTooLarge" | "UnsupportedVersion" | "Protocol"
            ) {
                self.drop_session(ws);
                let _ = ws.close(Some(1008), Some(e.error.as_str()));
            }
        }
    }

    async fn sync_frame(&self, ws: &WebSocket, frame: &[u8]) -> XResult<()> {
        let p = peer(ws)?;
        let msg = Msg::decode(frame, MAX_FRAME).map_err(sync_err)?;
        let mut guard = self.loaded.lock().await;
        if guard.is_none() {
            *guard = self.load().await?;
        }
        let Some(l) = guard.as_mut() else {
            return Err(XrpcError::bad("RepoNotFound", "repo not found"));
        };
        let local = l.repo.rev().map(|r| r.to_string());
        let actions = match msg {
            Msg::RepoCar { .. } | Msg::RepoHead { .. } if !p.owner => {
                if matches!(msg, Msg::RepoCar { .. }) {
                    return Err(XrpcError::forbidden(
                        "only the repo's owner may push (authenticate with an access token)",
                    ));
                }
                // A reader's head: nothing to pull from it; say where we are.
                self.head_frame(l)
                    .map(RepoAction::Send)
                    .into_iter()
                    .collect()
            }
            Msg::RepoCar { .. } => {
                let mut sessions = self.sessions.borrow_mut();
                if !sessions.contains_key(&p.id) && sessions.len() >= MAX_PUSHING {
                    return Err(XrpcError::rate_limited("too many pushes in progress"));
                }
                let s = sessions
                    .entry(p.id.clone())
                    .or_insert_with(|| RepoSession::new(p.did.clone(), MAX_FRAME, MAX_PUSH));
                let r = s.handle(frame, local.as_deref());
                if matches!(r.as_deref(), Ok([RepoAction::Apply { .. }]) | Err(_)) {
                    sessions.remove(&p.id);
                }
                r.map_err(sync_err)?
            }
            _ => RepoSession::new(p.did.clone(), MAX_FRAME, 0)
                .handle(frame, local.as_deref())
                .map_err(sync_err)?,
        };
        for a in actions {
            match a {
                RepoAction::Send(f) => ws.send_with_bytes(&f).map_err(internal)?,
                RepoAction::Export { since } => {
                    let since = match since {
                        Some(s) => Some(Tid::parse(&s).map_err(|e| {
                            XrpcError::invalid_request(format!("repoWant since: {e}"))
                        })?),
                        None => None,
                    };
                    let car = l.repo.export_since(since).await?;
                    let s = RepoSession::new(p.did.clone(), MAX_FRAME, 0);
                    for f in s.send_car(&car).map_err(sync_err)? {
                        ws.send_with_bytes(&f).map_err(internal)?;
                    }
                }
                RepoAction::Apply { car } => {
                    let r = self.import(l, &car).await;
                    if r.is_err() {
                        // Reopen from storage: nothing half-done stays in memory.
                        *guard = None;
                    }
                    r?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Forgets the push in progress on `ws`.
    pub(super) fn drop_session(&self, ws: &WebSocket) {
        if let Ok(p) = peer(ws) {
            self.sessions.borrow_mut().remove(&p.id);
        }
    }
}
