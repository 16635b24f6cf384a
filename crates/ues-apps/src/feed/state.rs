//! [`FeedState`]: the in-memory graph, counts and indexes of the feed,
//! maintained incrementally from record events.
//!
//! Every index is a function of the *set* of records held, never of their
//! arrival order: a like is counted under its subject's URI whether or not
//! the post has arrived, a reply is filed under its parent's URI, and so on.
//! An upsert first removes what the previous version of the record put in
//! (by the same code path that adds it, so both stay symmetric) and empty
//! entries are dropped, so two states holding the same records are equal
//! (`==`), whatever the order of the events that built them.

use super::multimap::{Edges, Multi};
use super::parse::{self, is_feed_collection, record_uri, Parsed, PostRecord, ProfileRecord};
use super::search::{name_keys, tokenize};
use super::FeedError;
use ipld_core::ipld::Ipld;
use std::collections::{BTreeMap, BTreeSet};

/// The order of feed items: time (`createdAt`, microseconds) then URI.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey {
    pub at: i64,
    pub uri: String,
}

/// An entry of an author's feed: a post, or a repost of `repost_of`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Item {
    pub key: SortKey,
    pub repost_of: Option<String>,
}

/// A record held by the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub did: String,
    pub collection: String,
    pub rkey: String,
    pub cid: String,
    pub parsed: Parsed,
}

/// A change to one record of one repo.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordEvent {
    pub did: String,
    pub collection: String,
    pub rkey: String,
    pub op: RecordOp,
}

/// Create or update (same thing here), or delete.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOp {
    Upsert { cid: String, record: Ipld },
    Delete,
}

/// The feed's state: records, graph, counts, timelines and search indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    pub(crate) records: BTreeMap<String, StoredRecord>,
    pub(crate) follows: Edges,
    pub(crate) blocks: Edges,
    /// Author DID → posts and reposts.
    pub(crate) items: Multi<String, Item>,
    /// Every post, by time.
    pub(crate) posts: BTreeSet<SortKey>,
    pub(crate) post_counts: BTreeMap<String, usize>,
    /// Subject URI → like / repost / quoting post URIs.
    pub(crate) likes: Multi<String, String>,
    pub(crate) reposts: Multi<String, String>,
    pub(crate) quotes: Multi<String, String>,
    /// Parent URI → replies.
    pub(crate) replies: Multi<String, SortKey>,
    /// (actor DID, subject URI) → like / repost URIs: viewer state.
    pub(crate) actor_likes: Multi<(String, String), String>,
    pub(crate) actor_reposts: Multi<(String, String), String>,
    pub(crate) profiles: BTreeMap<String, ProfileRecord>,
    pub(crate) lists: BTreeMap<String, (String, String)>,
    /// List URI → (member DID, listitem URI).
    pub(crate) list_items: Multi<String, (String, String)>,
    /// Search: term → posts; (name key, DID) of actors.
    pub(crate) terms: Multi<String, SortKey>,
    pub(crate) names: BTreeSet<(String, String)>,
    pub(crate) handles: BTreeMap<String, String>,
}

impl FeedState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply one event. Records of other collections are ignored
    /// (`Ok(false)`); an invalid record is refused with an error and leaves
    /// its URI empty (its previous version, if any, is gone from the repo).
    pub fn apply(&mut self, ev: &RecordEvent) -> Result<bool, FeedError> {
        match &ev.op {
            RecordOp::Upsert { cid, record } => {
                self.upsert(&ev.did, &ev.collection, &ev.rkey, cid, record)
            }
            RecordOp::Delete => Ok(self.delete(&ev.did, &ev.collection, &ev.rkey)),
        }
    }

    /// Create or replace the record `at://did/collection/rkey`.
    pub fn upsert(
        &mut self,
        did: &str,
        collection: &str,
        rkey: &str,
        cid: &str,
        record: &Ipld,
    ) -> Result<bool, FeedError> {
        if !is_feed_collection(collection) {
            return Ok(false);
        }
        let uri = record_uri(did, collection, rkey);
        self.remove_uri(&uri);
        let Some(parsed) = parse::parse(collection, record)? else {
            return Ok(false);
        };
        if matches!(parsed, Parsed::Profile(_)) && rkey != "self" {
            return Ok(false);
        }
        let rec = StoredRecord {
            did: did.to_string(),
            collection: collection.to_string(),
            rkey: rkey.to_string(),
            cid: cid.to_string(),
            parsed,
        };
        self.index(&uri, &rec, true);
        self.records.insert(uri, rec);
        Ok(true)
    }

    /// Delete the record `at://did/collection/rkey`; `false` if it was not held.
    pub fn delete(&mut self, did: &str, collection: &str, rkey: &str) -> bool {
        self.remove_uri(&record_uri(did, collection, rkey))
    }

    /// Set (or with `None` forget) the handle of an account: handles come
    /// from identity resolution, not from records.
    pub fn set_handle(&mut self, did: &str, handle: Option<&str>) {
        self.index_names(did, false);
        match handle {
            Some(h) => self.handles.insert(did.to_string(), h.to_ascii_lowercase()),
            None => self.handles.remove(did),
        };
        self.index_names(did, true);
    }

    /// The record at `uri`, if held.
    pub fn record(&self, uri: &str) -> Option<&StoredRecord> {
        self.records.get(uri)
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub(crate) fn post(&self, uri: &str) -> Option<(&StoredRecord, &PostRecord)> {
        let rec = self.records.get(uri)?;
        match &rec.parsed {
            Parsed::Post(p) => Some((rec, p)),
            _ => None,
        }
    }

    fn remove_uri(&mut self, uri: &str) -> bool {
        match self.records.remove(uri) {
            Some(old) => {
                self.index(uri, &old, false);
                true
            }
            None => false,
        }
    }

    fn index_names(&mut self, did: &str, add: bool) {
        let handle = self.handles.get(did).map(String::as_str);
        let display = self
            .profiles
            .get(did)
            .and_then(|p| p.display_name.as_deref());
        for key in name_keys(handle, display) {
            let entry = (key, did.to_string());
            if add {
                self.names.insert(entry);
            } else {
                self.names.remove(&entry);
            }
        }
    }

    /// Add (`add`) or remove everything `rec` contributes to the indexes.
    fn index(&mut self, uri: &str, rec: &StoredRecord, add: bool) {
        let did = &rec.did;
        let uri_s = uri.to_string();
        match &rec.parsed {
            Parsed::Post(p) => {
                let key = SortKey {
                    at: p.sort_at,
                    uri: uri_s.clone(),
                };
                let item = Item {
                    key: key.clone(),
                    repost_of: None,
                };
                self.items.set(did.clone(), item, add);
                if add {
                    self.posts.insert(key.clone());
                    *self.post_counts.entry(did.clone()).or_default() += 1;
                } else {
                    self.posts.remove(&key);
                    if let Some(n) = self.post_counts.get_mut(did) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            self.post_counts.remove(did);
                        }
                    }
                }
                if let Some((_, parent)) = &p.reply {
                    self.replies.set(parent.clone(), key.clone(), add);
                }
                if let Some(q) = &p.quote {
                    self.quotes.set(q.clone(), uri_s.clone(), add);
                }
                for term in tokenize(&p.text) {
                    self.terms.set(term, key.clone(), add);
                }
            }
            Parsed::Like { subject } => {
                self.likes.set(subject.clone(), uri_s.clone(), add);
                self.actor_likes
                    .set((did.clone(), subject.clone()), uri_s, add);
            }
            Parsed::Repost { subject, sort_at } => {
                self.reposts.set(subject.clone(), uri_s.clone(), add);
                self.actor_reposts
                    .set((did.clone(), subject.clone()), uri_s.clone(), add);
                let item = Item {
                    key: SortKey {
                        at: *sort_at,
                        uri: uri_s,
                    },
                    repost_of: Some(subject.clone()),
                };
                self.items.set(did.clone(), item, add);
            }
            Parsed::Follow { subject } => self.follows.set(did, subject, uri, add),
            Parsed::Block { subject } => self.blocks.set(did, subject, uri, add),
            Parsed::Profile(p) => {
                self.index_names(did, false);
                if add {
                    self.profiles.insert(did.clone(), p.clone());
                } else {
                    self.profiles.remove(did);
                }
                self.index_names(did, true);
            }
            Parsed::List { name, purpose } => {
                if add {
                    self.lists.insert(uri_s, (name.clone(), purpose.clone()));
                } else {
                    self.lists.remove(uri);
                }
            }
            Parsed::ListItem { list, subject } => {
                self.list_items
                    .set(list.clone(), (subject.clone(), uri_s), add);
            }
        }
    }
}
