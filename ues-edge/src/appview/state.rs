//! The AppView's memory: a [`FeedState`] (the same code the tab runs) plus
//! what the reference views need and `FeedState` does not keep — each
//! record's JSON (for `record`/`value`, embeds, `createdAt` of likes) and a
//! handle → DID map (actors named by handle). Host-neutral: the Durable
//! Object feeds it, the XRPC views read it, native tests drive it.

use crate::error::XrpcError;
use serde_json::Value;
use std::collections::BTreeMap;
use ues_apps::feed::parse::{is_feed_collection, record_uri};
use ues_apps::feed::{FeedState, RecordEvent, RecordOp};

/// The most records the AppView holds by default (`APPVIEW_MAX_RECORDS`).
pub const DEFAULT_MAX_RECORDS: usize = 200_000;

/// One record change as the repo DO sends it: `record` is the record's
/// JSON (AT Protocol data model), `None` for a delete.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OpJson {
    pub collection: String,
    pub rkey: String,
    #[serde(default)]
    pub cid: Option<String>,
    #[serde(default)]
    pub record: Option<Value>,
}

/// The records, graph and indexes of the AppView.
#[derive(Debug, Clone)]
pub struct AppState {
    pub feed: FeedState,
    /// Record URI → its JSON.
    pub raw: BTreeMap<String, Value>,
    /// Handle (lowercase) → DID.
    pub dids: BTreeMap<String, String>,
    /// DID → handle.
    pub handles: BTreeMap<String, String>,
    pub max_records: usize,
    /// Set once more than `max_records` were offered: the state is then
    /// emptied and every query answers `AppViewOverCapacity`.
    pub over: bool,
}

impl AppState {
    pub fn new(max_records: usize) -> Self {
        AppState {
            feed: FeedState::new(),
            raw: BTreeMap::new(),
            dids: BTreeMap::new(),
            handles: BTreeMap::new(),
            max_records,
            over: false,
        }
    }

    /// The error every query gets once the bound was passed.
    pub fn check(&self) -> Result<(), XrpcError> {
        if self.over {
            return Err(XrpcError::new(
                503,
                "AppViewOverCapacity",
                format!(
                    "this relay's AppView holds at most {} records",
                    self.max_records
                ),
            ));
        }
        Ok(())
    }

    /// Sets the handle of `did` (from the accounts, `#identity`).
    pub fn set_handle(&mut self, did: &str, handle: &str) {
        let handle = handle.to_ascii_lowercase();
        if let Some(old) = self.handles.insert(did.to_string(), handle.clone()) {
            self.dids.remove(&old);
        }
        self.dids.insert(handle.clone(), did.to_string());
        self.feed.set_handle(did, Some(&handle));
    }

    /// Applies the ops of one commit of `did`. Records that the feed
    /// refuses (a bad shape) are skipped: the repo holds them, the views
    /// do not show them.
    pub fn apply(&mut self, did: &str, ops: &[OpJson]) {
        if self.over {
            return;
        }
        for op in ops {
            if !is_feed_collection(&op.collection) {
                continue;
            }
            let uri = record_uri(did, &op.collection, &op.rkey);
            let ev_op = match (&op.record, &op.cid) {
                (Some(rec), Some(cid)) => match ues_data::cbor::from_json(rec) {
                    Ok(ipld) => RecordOp::Upsert {
                        cid: cid.clone(),
                        record: ipld,
                    },
                    Err(_) => RecordOp::Delete,
                },
                _ => RecordOp::Delete,
            };
            if matches!(ev_op, RecordOp::Upsert { .. })
                && self.feed.record(&uri).is_none()
                && self.feed.len() >= self.max_records
            {
                self.overflow();
                return;
            }
            let ev = RecordEvent {
                did: did.to_string(),
                collection: op.collection.clone(),
                rkey: op.rkey.clone(),
                op: ev_op,
            };
            let held = self.feed.apply(&ev).unwrap_or(false);
            match (&op.record, held) {
                (Some(rec), true) => {
                    self.raw.insert(uri, rec.clone());
                }
                _ => {
                    // A delete, or a record the feed refused (its previous
                    // version is gone from the feed too).
                    if !held {
                        self.feed.delete(did, &op.collection, &op.rkey);
                    }
                    self.raw.remove(&uri);
                }
            }
        }
    }

    fn overflow(&mut self) {
        self.feed = FeedState::new();
        self.raw.clear();
        self.over = true;
    }

    /// The DID of `actor` (a DID, or a handle known here).
    pub fn resolve(&self, actor: &str) -> Option<String> {
        if actor.starts_with("did:") {
            return Some(actor.to_string());
        }
        let h = actor.trim_start_matches('@').to_ascii_lowercase();
        self.dids.get(&h).cloned()
    }

    /// `at://<handle>/...` → `at://<did>/...` (the URI unchanged otherwise).
    pub fn resolve_uri(&self, uri: &str) -> String {
        let Some(rest) = uri.strip_prefix("at://") else {
            return uri.to_string();
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        match self.resolve(authority) {
            Some(did) if !path.is_empty() => format!("at://{did}/{path}"),
            Some(did) => format!("at://{did}"),
            None => uri.to_string(),
        }
    }

    /// The handle shown for `did` (`handle.invalid` when none is known, as
    /// the reference does).
    pub fn handle_of(&self, did: &str) -> String {
        self.handles
            .get(did)
            .cloned()
            .unwrap_or_else(|| "handle.invalid".to_string())
    }
}
