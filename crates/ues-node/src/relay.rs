//! The node's link to an edge relay (ues-edge, or any PDS that accepts
//! `com.atproto.repo.importRepo` pushes from self-custodial accounts): the
//! account registers (or logs in) with its own DID, and every commit is
//! pushed as a signed CAR; the relay verifies and mirrors it. The key never
//! leaves the node. Writes made offline wait: [`Node::relay_push`] sends the
//! repo as it stands whenever the relay answers again.
//!
//! HTTP comes in through [`Http`] (the browser's `fetch` in
//! [`crate::fetch`], anything else elsewhere), so this stays target-neutral.

use crate::events::NodeEvent;
use crate::{Node, NodeError};
use serde_json::{json, Value};
use ues_store::{Batch, Store};

/// The store key of the relay link.
const RELAY_KEY: &[u8] = b"node/relay";
/// Largest relay answer read (the relay's JSON answers are small).
pub const MAX_ANSWER: usize = 1 << 20;

/// One HTTP exchange: `(status, body)`; `Err` is a transport failure (the
/// relay is unreachable), described as text.
#[allow(async_fn_in_trait)]
pub trait Http {
    async fn send(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), String>;
}

/// Where the node's repo is mirrored, and how far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayStatus {
    pub url: String,
    pub handle: String,
    /// The last rev the relay accepted.
    pub pushed_rev: Option<String>,
    /// The repo's rev now.
    pub head_rev: Option<String>,
    /// Commits the relay has not seen yet.
    pub pending: bool,
}

impl RelayStatus {
    pub fn to_json(&self) -> Value {
        json!({"url": self.url, "handle": self.handle, "pushedRev": self.pushed_rev,
               "headRev": self.head_rev, "pending": self.pending})
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelayLink {
    url: String,
    handle: String,
    access: String,
    refresh: String,
    pushed_rev: Option<String>,
}

impl RelayLink {
    fn to_bytes(&self) -> Vec<u8> {
        json!({"v": 1, "url": self.url, "handle": self.handle, "access": self.access,
               "refresh": self.refresh, "pushedRev": self.pushed_rev})
        .to_string()
        .into_bytes()
    }

    fn from_bytes(b: &[u8]) -> Result<Self, NodeError> {
        let bad = || NodeError::Corrupt("relay link".into());
        let v: Value = serde_json::from_slice(b).map_err(|_| bad())?;
        let s = |k: &str| v[k].as_str().map(str::to_string).ok_or_else(bad);
        Ok(RelayLink {
            url: s("url")?,
            handle: s("handle")?,
            access: s("access")?,
            refresh: s("refresh")?,
            pushed_rev: v["pushedRev"].as_str().map(str::to_string),
        })
    }
}

/// An error answer of the relay: `{error, message}` and the status.
pub(crate) fn relay_error(status: u16, body: &[u8]) -> NodeError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let name = v["error"].as_str().unwrap_or("Error");
    let msg = v["message"].as_str().unwrap_or("");
    NodeError::Relay(format!("{status} {name}: {msg}"))
}

async fn call<H: Http>(
    http: &H,
    url: &str,
    method: &str,
    bearer: Option<&str>,
    body: Value,
) -> Result<Value, NodeError> {
    let (status, got) = http
        .send(
            "POST",
            &format!("{url}/xrpc/{method}"),
            Some("application/json"),
            bearer,
            Some(body.to_string().into_bytes()),
        )
        .await
        .map_err(NodeError::Offline)?;
    if status != 200 || got.len() > MAX_ANSWER {
        return Err(relay_error(status, &got));
    }
    serde_json::from_slice(&got)
        .map_err(|e| NodeError::Relay(format!("bad answer from {method}: {e}")))
}

impl<S: Store> Node<S> {
    /// Links the account to the relay at `url`: registers it there under
    /// `handle` with its own DID when `create`, else logs in; then pushes
    /// the repo. The password only guards the relay account; the signing
    /// key stays here.
    pub async fn relay_connect<H: Http>(
        &mut self,
        http: &H,
        url: &str,
        handle: &str,
        password: &str,
        create: bool,
    ) -> Result<RelayStatus, NodeError> {
        let url = url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(NodeError::InvalidArgument(
                "the relay URL must be http(s)://".into(),
            ));
        }
        let did = self.did()?.to_string();
        let session = if create {
            let body = json!({"handle": handle, "password": password, "did": did});
            call(http, &url, "com.atproto.server.createAccount", None, body).await?
        } else {
            let body = json!({"identifier": handle, "password": password});
            call(http, &url, "com.atproto.server.createSession", None, body).await?
        };
        if session["did"].as_str() != Some(did.as_str()) {
            return Err(NodeError::Relay(format!(
                "the relay account is {}, not {did}",
                session["did"]
            )));
        }
        let token = |k: &str| {
            session[k]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| NodeError::Relay(format!("no {k} in the session")))
        };
        let link = RelayLink {
            url,
            handle: handle.to_string(),
            access: token("accessJwt")?,
            refresh: token("refreshJwt")?,
            pushed_rev: None,
        };
        self.save_link(&link).await?;
        self.relay_push(http).await
    }

    /// Sends the relay the commits it has not seen: the signed CAR slice
    /// since the rev it took (the whole repo the first time, or when it
    /// refuses the slice). Offline, the error is [`NodeError::Offline`] and
    /// the commits stay pending.
    pub async fn relay_push<H: Http>(&mut self, http: &H) -> Result<RelayStatus, NodeError> {
        let mut link = self
            .link()
            .await?
            .ok_or_else(|| NodeError::InvalidArgument("no relay: connect first".into()))?;
        let head = self.repo(None).await?.rev().map(|r| r.to_string());
        if head.is_some() && head != link.pushed_rev {
            // The commits since the rev the relay took (the size of what
            // changed); the whole repo the first time, or when the relay
            // refuses the slice (e.g. it lost its copy).
            let mut result = Err(NodeError::Relay("nothing pushed".into()));
            if let Some(since) = link.pushed_rev.clone() {
                let slice = self.export_car(None, Some(&since)).await?;
                result = self.push_car(http, &mut link, slice).await;
            }
            if matches!(result, Err(NodeError::Relay(_))) {
                let car = self.export_car(None, None).await?;
                result = self.push_car(http, &mut link, car).await;
            }
            if let Err(e) = result {
                self.sync_event(&link, head.clone(), Some(format!("{}: {e}", e.code())));
                return Err(e);
            }
            link.pushed_rev = head.clone();
            self.save_link(&link).await?;
        }
        self.sync_event(&link, head.clone(), None);
        Ok(status(&link, head))
    }

    async fn push_car<H: Http>(
        &mut self,
        http: &H,
        link: &mut RelayLink,
        car: Vec<u8>,
    ) -> Result<(), NodeError> {
        let url = format!("{}/xrpc/com.atproto.repo.importRepo", link.url);
        for attempt in 0..2 {
            let (status, body) = http
                .send(
                    "POST",
                    &url,
                    Some("application/vnd.ipld.car"),
                    Some(&link.access),
                    Some(car.clone()),
                )
                .await
                .map_err(NodeError::Offline)?;
            let expired =
                status == 401 || (status == 400 && body.windows(12).any(|w| w == b"ExpiredToken"));
            if status == 200 {
                return Ok(());
            }
            if !expired || attempt == 1 {
                return Err(relay_error(status, &body));
            }
            let s = call(
                http,
                &link.url,
                "com.atproto.server.refreshSession",
                Some(&link.refresh),
                json!({}),
            )
            .await?;
            link.access = s["accessJwt"].as_str().unwrap_or_default().to_string();
            link.refresh = s["refreshJwt"].as_str().unwrap_or_default().to_string();
            self.save_link(link).await?;
        }
        Ok(())
    }

    /// The relay link's state, if the node has one.
    pub async fn relay_status(&mut self) -> Result<Option<RelayStatus>, NodeError> {
        let Some(link) = self.link().await? else {
            return Ok(None);
        };
        let head = match self.did() {
            Ok(_) => self.repo(None).await?.rev().map(|r| r.to_string()),
            Err(_) => None,
        };
        Ok(Some(status(&link, head)))
    }

    /// Forgets the relay (the relay keeps its mirror).
    pub async fn relay_disconnect(&mut self) -> Result<(), NodeError> {
        let mut batch = Batch::new();
        batch.delete(RELAY_KEY.to_vec());
        Ok(self.store.apply(batch).await?)
    }

    /// The URL of the linked relay, if any.
    pub async fn relay_url(&self) -> Result<Option<String>, NodeError> {
        Ok(self.link().await?.map(|l| l.url))
    }

    async fn link(&self) -> Result<Option<RelayLink>, NodeError> {
        match self.store.get(RELAY_KEY).await? {
            Some(b) => Ok(Some(RelayLink::from_bytes(&b)?)),
            None => Ok(None),
        }
    }

    async fn save_link(&self, link: &RelayLink) -> Result<(), NodeError> {
        let mut batch = Batch::new();
        batch.put(RELAY_KEY.to_vec(), link.to_bytes());
        Ok(self.store.apply(batch).await?)
    }

    fn sync_event(&mut self, link: &RelayLink, head: Option<String>, error: Option<String>) {
        self.events.push(NodeEvent::Sync {
            relay: link.url.clone(),
            pushed_rev: link.pushed_rev.clone(),
            pending: head.is_some() && head != link.pushed_rev,
            error,
        });
    }
}

fn status(link: &RelayLink, head: Option<String>) -> RelayStatus {
    RelayStatus {
        url: link.url.clone(),
        handle: link.handle.clone(),
        pending: head.is_some() && head != link.pushed_rev,
        pushed_rev: link.pushed_rev.clone(),
        head_rev: head,
    }
}
