//! Following other accounts and pulling their repos through the relay.
//!
//! A follow is an `app.bsky.graph.follow` record in the account's own repo
//! (so it syncs like any record, and the relay and any AT Protocol client see
//! it). Pulling asks the relay the account is linked to for the followed
//! repo: `com.atproto.sync.getLatestCommit` first (nothing more is fetched
//! when the node already has that rev), then `com.atproto.sync.getRepo`,
//! whole or `since` the rev the node holds. The CAR goes through
//! [`Node::import_car`]: every block against its CID, the MST, and the commit
//! signature against the DID's key, so the relay is trusted with nothing.

use crate::relay::{relay_error, Http, MAX_ANSWER};
use crate::{Node, NodeError, Progress};
use serde_json::{json, Value};
use ues_repo::Write;
use ues_store::Store;

/// The collection of follow records.
pub const FOLLOW: &str = "app.bsky.graph.follow";
/// Largest repo CAR a pull reads (a whole repo on first pull).
pub const MAX_PULL: usize = 64 << 20;
/// Most follow records read when listing the accounts followed.
const MAX_FOLLOWS: usize = 10_000;

/// What one pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOutcome {
    pub did: String,
    /// The rev the node holds now.
    pub rev: Option<String>,
    /// Whether anything new came in.
    pub updated: bool,
    /// Why the pull failed (the others went on), as `code: message`.
    pub error: Option<String>,
}

impl PullOutcome {
    pub fn to_json(&self) -> Value {
        json!({"did": self.did, "rev": self.rev, "updated": self.updated, "error": self.error})
    }
}

/// A DID as the follow record's subject must be.
fn check_did(did: &str) -> Result<(), NodeError> {
    ues_lexicon::check_format(ues_lexicon::StringFormat::Did, did)
        .map_err(|e| NodeError::InvalidArgument(format!("not a DID: {did:?} ({e})")))
}

/// `s` with every byte but unreserved ones percent-encoded (for a query).
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl<S: Store> Node<S> {
    /// Follows `did`: an `app.bsky.graph.follow` record dated `created_at`
    /// (ISO 8601). Following an account already followed, or oneself, is an
    /// `InvalidArgument`.
    pub async fn follow(&mut self, did: &str, created_at: &str) -> Result<String, NodeError> {
        check_did(did)?;
        if self.did()? == did {
            return Err(NodeError::InvalidArgument(
                "an account cannot follow itself".into(),
            ));
        }
        if self.follow_rkeys(did).await?.next().is_some() {
            return Err(NodeError::InvalidArgument(format!(
                "already following {did}"
            )));
        }
        let record = json!({"$type": FOLLOW, "subject": did, "createdAt": created_at});
        let done = self.create_record(FOLLOW, None, &record).await?;
        Ok(done
            .results
            .into_iter()
            .next()
            .map(|r| r.uri)
            .unwrap_or_default())
    }

    /// Stops following `did` (every follow record of it); `InvalidArgument`
    /// when it was not followed.
    pub async fn unfollow(&mut self, did: &str) -> Result<(), NodeError> {
        let rkeys: Vec<String> = self.follow_rkeys(did).await?.collect();
        if rkeys.is_empty() {
            return Err(NodeError::InvalidArgument(format!("not following {did}")));
        }
        let writes: Vec<Write> = rkeys
            .into_iter()
            .map(|rkey| Write::Delete {
                collection: FOLLOW.into(),
                rkey,
            })
            .collect();
        self.apply_writes(&writes).await.map(|_| ())
    }

    /// The DIDs the account follows, in the order it followed them.
    pub async fn following(&mut self) -> Result<Vec<String>, NodeError> {
        let mut out: Vec<String> = Vec::new();
        for (_, did) in self.follows().await? {
            if !out.contains(&did) {
                out.push(did);
            }
        }
        Ok(out)
    }

    async fn follows(&mut self) -> Result<Vec<(String, String)>, NodeError> {
        if self.repo(None).await?.head().is_none() {
            return Ok(Vec::new());
        }
        let (list, _) = self.list_records(None, FOLLOW, None, 1000, false).await?;
        let mut out = Vec::new();
        let mut page = list;
        loop {
            let full = page.len() == 1000;
            let last = page.last().map(|r| r.uri.clone());
            for r in page {
                let rkey = r.uri.rsplit('/').next().unwrap_or_default().to_string();
                if let Some(s) = r.value["subject"].as_str() {
                    out.push((rkey, s.to_string()));
                }
            }
            if !full || out.len() >= MAX_FOLLOWS {
                break;
            }
            let cursor = last.and_then(|u| u.rsplit('/').next().map(str::to_string));
            page = self
                .list_records(None, FOLLOW, cursor.as_deref(), 1000, false)
                .await?
                .0;
        }
        Ok(out)
    }

    async fn follow_rkeys(&mut self, did: &str) -> Result<impl Iterator<Item = String>, NodeError> {
        let did = did.to_string();
        Ok(self
            .follows()
            .await?
            .into_iter()
            .filter(move |(_, s)| *s == did)
            .map(|(rkey, _)| rkey))
    }

    /// Pulls the repo of `did` from the linked relay: nothing when the node
    /// has the relay's rev, else the commits since the node's rev (the whole
    /// repo the first time), verified and indexed.
    pub async fn relay_pull<H: Http>(
        &mut self,
        http: &H,
        did: &str,
    ) -> Result<PullOutcome, NodeError> {
        check_did(did)?;
        let url = self
            .relay_url()
            .await?
            .ok_or_else(|| NodeError::InvalidArgument("no relay: connect first".into()))?;
        let ours = self.held_rev(did).await?;
        let q = query_escape(did);
        let latest = get(
            http,
            &format!("{url}/xrpc/com.atproto.sync.getLatestCommit?did={q}"),
            MAX_ANSWER,
        )
        .await?;
        let latest: Value = serde_json::from_slice(&latest)
            .map_err(|e| NodeError::Relay(format!("bad answer from getLatestCommit: {e}")))?;
        let theirs = latest["rev"].as_str().map(str::to_string);
        // TIDs sort by time as text; `None` (no commit there) sorts first.
        if theirs.is_none() || theirs <= ours {
            return Ok(PullOutcome {
                did: did.to_string(),
                rev: ours,
                updated: false,
                error: None,
            });
        }
        let mut repo_url = format!("{url}/xrpc/com.atproto.sync.getRepo?did={q}");
        if let Some(r) = &ours {
            repo_url.push_str(&format!("&since={}", query_escape(r)));
        }
        let car = get(http, &repo_url, MAX_PULL).await?;
        let found = crate::transfer::peek_commit(&car)?.unsigned.did;
        if found != did {
            return Err(NodeError::Relay(format!(
                "asked for the repo of {did}, got the repo of {found}"
            )));
        }
        let done = self.import_car(&car, None, &mut |_: Progress| {}).await?;
        Ok(PullOutcome {
            did: did.to_string(),
            rev: Some(done.rev),
            updated: true,
            error: None,
        })
    }

    /// Pulls every account the account follows; one failing pull does not
    /// stop the others (its outcome carries the error).
    pub async fn relay_pull_following<H: Http>(
        &mut self,
        http: &H,
    ) -> Result<Vec<PullOutcome>, NodeError> {
        let mut out = Vec::new();
        for did in self.following().await? {
            out.push(match self.relay_pull(http, &did).await {
                Ok(o) => o,
                // Offline: the rest would fail the same way.
                Err(e @ NodeError::Offline(_)) => return Err(e),
                Err(e) => PullOutcome {
                    rev: self.held_rev(&did).await.ok().flatten(),
                    did,
                    updated: false,
                    error: Some(format!("{}: {e}", e.code())),
                },
            });
        }
        Ok(out)
    }

    /// The rev of the repo of `did` the node holds, if any.
    async fn held_rev(&mut self, did: &str) -> Result<Option<String>, NodeError> {
        if !self.repo_dids().iter().any(|d| d == did) {
            return Ok(None);
        }
        Ok(self.repo(Some(did)).await?.rev().map(|r| r.to_string()))
    }
}

/// A GET of at most `limit` bytes; errors as the relay's `{error, message}`.
async fn get<H: Http>(http: &H, url: &str, limit: usize) -> Result<Vec<u8>, NodeError> {
    let (status, body) = http
        .send("GET", url, None, None, None)
        .await
        .map_err(NodeError::Offline)?;
    if status != 200 {
        return Err(relay_error(status, &body));
    }
    if body.len() > limit {
        return Err(NodeError::Relay(format!(
            "answer of {} bytes is over the {limit}-byte limit",
            body.len()
        )));
    }
    Ok(body)
}
