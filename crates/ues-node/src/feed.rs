//! The social feed over every repo the node holds: a [`FeedState`] built
//! on first use from each repo's `app.bsky.*` records, then kept up to date
//! by the node's own commits and by imports (a pulled or imported repo's
//! records are re-read whole, so deletes in a delta are honoured). Reads
//! are the account's views (timeline, author feed, thread, profile,
//! notifications); writes are records built by `ues_apps::feed::records`.
//!
//! If keeping the state up to date fails (a store error after a commit),
//! the state is dropped and rebuilt on the next read: never stale.

use crate::{CommitSummary, Node, NodeError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use ues_apps::feed::records::{self, PostBuilder, StrongRef};
use ues_apps::feed::{
    AuthorFilter, FeedError, FeedItem, FeedState, Notification, Page, ProfileView, ThreadNode,
};
use ues_store::Store;

/// The collections the feed reads.
const COLLECTIONS: [&str; 8] = [
    records::POST,
    records::LIKE,
    records::REPOST,
    records::FOLLOW,
    records::BLOCK,
    records::PROFILE,
    records::LIST,
    records::LISTITEM,
];
const PAGE: usize = 1000;
/// How many parents a thread view shows above its post.
const PARENT_HEIGHT: usize = 80;

/// The feed state and, per repo, the records it holds of it (to drop them
/// when the repo is re-read).
#[derive(Debug, Default)]
pub(crate) struct NodeFeed {
    state: FeedState,
    held: BTreeMap<String, BTreeSet<(String, String)>>,
}

fn feed_err(e: FeedError) -> NodeError {
    NodeError::InvalidArgument(e.to_string())
}

/// `(did, collection, rkey)` of an `at://` URI.
fn split_uri(uri: &str) -> Result<(&str, &str, &str), NodeError> {
    let bad = || NodeError::InvalidArgument(format!("not a record URI: {uri:?}"));
    let mut parts = uri.strip_prefix("at://").ok_or_else(bad)?.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(c), Some(r)) if !d.is_empty() && !c.is_empty() && !r.is_empty() => {
            Ok((d, c, r))
        }
        _ => Err(bad()),
    }
}

fn first_uri(done: &CommitSummary) -> String {
    done.results
        .first()
        .map(|r| r.uri.clone())
        .unwrap_or_default()
}

impl<S: Store> Node<S> {
    /// The feed state (built from every held repo on first use).
    pub async fn feed_state(&mut self) -> Result<&FeedState, NodeError> {
        Ok(&self.feed_mut().await?.state)
    }

    async fn feed_mut(&mut self) -> Result<&mut NodeFeed, NodeError> {
        if self.feed.is_none() {
            let mut feed = NodeFeed::default();
            for did in self.repo_dids() {
                self.load_repo_feed(&mut feed, &did).await?;
            }
            let status = self.relay_status().await.ok().flatten();
            if let (Ok(did), Some(status)) = (self.did(), status) {
                feed.state.set_handle(did, Some(&status.handle));
            }
            self.feed = Some(feed);
        }
        self.feed
            .as_mut()
            .ok_or_else(|| NodeError::Corrupt("feed state missing".into()))
    }

    /// Drops what `feed` holds of the repo of `did` and reads its records
    /// again. Records the feed cannot read (invalid) are left out.
    async fn load_repo_feed(&mut self, feed: &mut NodeFeed, did: &str) -> Result<(), NodeError> {
        for (collection, rkey) in feed.held.remove(did).unwrap_or_default() {
            feed.state.delete(did, &collection, &rkey);
        }
        let repo = self.repo(Some(did)).await?;
        if repo.head().is_none() {
            return Ok(());
        }
        let mut held = BTreeSet::new();
        for collection in COLLECTIONS {
            let mut cursor: Option<String> = None;
            loop {
                let page = repo
                    .list_records(collection, cursor.as_deref(), PAGE, false)
                    .await?;
                let full = page.len() == PAGE;
                cursor = page.last().map(|e| e.rkey.clone());
                for e in page {
                    let cid = e.cid.to_string();
                    if let Ok(true) = feed.state.upsert(did, collection, &e.rkey, &cid, &e.value) {
                        held.insert((collection.to_string(), e.rkey));
                    }
                }
                if !full {
                    break;
                }
            }
        }
        feed.held.insert(did.to_string(), held);
        Ok(())
    }

    /// After an import of the repo of `did`: re-read its records (when the
    /// state is built; on failure it is dropped, to be rebuilt).
    pub(crate) async fn feed_reload(&mut self, did: &str) {
        let Some(mut feed) = self.feed.take() else {
            return;
        };
        if self.load_repo_feed(&mut feed, did).await.is_ok() {
            self.feed = Some(feed);
        }
    }

    /// After a commit of the account's repo: apply its record operations.
    pub(crate) async fn feed_commit(&mut self, done: &CommitSummary) {
        let Some(mut feed) = self.feed.take() else {
            return;
        };
        if self.apply_commit(&mut feed, done).await.is_ok() {
            self.feed = Some(feed);
        }
    }

    async fn apply_commit(
        &mut self,
        feed: &mut NodeFeed,
        done: &CommitSummary,
    ) -> Result<(), NodeError> {
        for r in &done.results {
            let (did, collection, rkey) = split_uri(&r.uri)?;
            if !COLLECTIONS.contains(&collection) {
                continue;
            }
            let key = (collection.to_string(), rkey.to_string());
            let held = feed.held.entry(did.to_string()).or_default();
            held.remove(&key);
            feed.state.delete(did, collection, rkey);
            if r.cid.is_none() {
                continue;
            }
            let repo = self.repo(Some(did)).await?;
            if let Some((cid, value)) = repo.get_record(collection, rkey).await? {
                let cid = cid.to_string();
                if let Ok(true) = feed.state.upsert(did, collection, rkey, &cid, &value) {
                    held.insert(key);
                }
            }
        }
        Ok(())
    }

    /// Sets the handle the feed shows (and resolves mentions to) for `did`.
    pub async fn set_handle(&mut self, did: &str, handle: Option<&str>) -> Result<(), NodeError> {
        self.feed_mut().await?.state.set_handle(did, handle);
        Ok(())
    }

    /// The account's following timeline, newest first.
    pub async fn timeline(
        &mut self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FeedItem>, NodeError> {
        let me = self.did()?.to_string();
        let s = self.feed_state().await?;
        s.timeline(&me, limit, cursor).map_err(feed_err)
    }

    /// The posts and reposts of `did`, as the account sees them.
    pub async fn author_feed(
        &mut self,
        did: &str,
        filter: AuthorFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FeedItem>, NodeError> {
        let me = self.did().ok().map(str::to_string);
        let s = self.feed_state().await?;
        s.author_feed(did, filter, me.as_deref(), limit, cursor)
            .map_err(feed_err)
    }

    /// The thread around `uri`: its parents and replies `depth` levels down.
    pub async fn thread(&mut self, uri: &str, depth: usize) -> Result<ThreadNode, NodeError> {
        let me = self.did().ok().map(str::to_string);
        let s = self.feed_state().await?;
        Ok(s.thread(uri, me.as_deref(), depth, PARENT_HEIGHT))
    }

    /// The profile of `did` with counts and the account's relations to it.
    pub async fn profile(&mut self, did: &str) -> Result<Option<ProfileView>, NodeError> {
        let me = self.did().ok().map(str::to_string);
        Ok(self.feed_state().await?.profile_view(did, me.as_deref()))
    }

    /// Likes, reposts, replies, quotes, mentions and follows of the account.
    pub async fn notifications(
        &mut self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Notification>, NodeError> {
        let me = self.did()?.to_string();
        let s = self.feed_state().await?;
        s.notifications(&me, limit, cursor).map_err(feed_err)
    }

    /// Posts `text` (facets detected; mentions of handles the feed does not
    /// know are dropped). Returns the post's URI.
    pub async fn post(&mut self, text: &str, created_at: &str) -> Result<String, NodeError> {
        self.write_post(PostBuilder::new(text, created_at)).await
    }

    /// Replies `text` to the post at `parent_uri` (which the node must hold):
    /// the root is the parent's root, or the parent itself.
    pub async fn reply(
        &mut self,
        parent_uri: &str,
        text: &str,
        created_at: &str,
    ) -> Result<String, NodeError> {
        let (did, collection, rkey) = split_uri(parent_uri)?;
        let parent = self
            .get_record(Some(did), collection, rkey)
            .await?
            .ok_or_else(|| NodeError::InvalidArgument(format!("no post {parent_uri}")))?;
        let pref = StrongRef::new(parent.uri.clone(), parent.cid.clone());
        let root = &parent.value["reply"]["root"];
        let root = match (root["uri"].as_str(), root["cid"].as_str()) {
            (Some(u), Some(c)) => StrongRef::new(u, c),
            _ => pref.clone(),
        };
        self.write_post(PostBuilder::new(text, created_at).reply(root, pref))
            .await
    }

    async fn write_post(&mut self, builder: PostBuilder) -> Result<String, NodeError> {
        let dids = self.repo_dids();
        let state = self.feed_state().await?;
        let handles: BTreeMap<String, String> = dids
            .iter()
            .filter_map(|d| Some((state.profile_view(d, None)?.handle?, d.clone())))
            .collect();
        let resolve = |h: &str| handles.get(&h.to_ascii_lowercase()).cloned();
        let record = builder.detect_facets(&resolve).to_json();
        let done = self.create_record(records::POST, None, &record).await?;
        Ok(first_uri(&done))
    }

    /// Likes the post `uri` (of CID `cid`); returns the like's URI.
    pub async fn like(&mut self, uri: &str, cid: &str, at: &str) -> Result<String, NodeError> {
        let rec = records::like(&StrongRef::new(uri, cid), at);
        Ok(first_uri(
            &self.create_record(records::LIKE, None, &rec).await?,
        ))
    }

    /// Reposts the post `uri` (of CID `cid`); returns the repost's URI.
    pub async fn repost(&mut self, uri: &str, cid: &str, at: &str) -> Result<String, NodeError> {
        let rec = records::repost(&StrongRef::new(uri, cid), at);
        Ok(first_uri(
            &self.create_record(records::REPOST, None, &rec).await?,
        ))
    }

    /// Deletes one of the account's records by URI (a like, a repost, a
    /// post…).
    pub async fn delete_uri(&mut self, uri: &str) -> Result<(), NodeError> {
        let (did, collection, rkey) = split_uri(uri)?;
        if did != self.did()? {
            return Err(NodeError::InvalidArgument(format!(
                "{uri} is not the account's record"
            )));
        }
        let (collection, rkey) = (collection.to_string(), rkey.to_string());
        self.delete_record(&collection, &rkey).await.map(|_| ())
    }

    /// Sets the account's profile's display name and description (other
    /// fields of the profile are kept; `None` removes a field).
    pub async fn set_profile(
        &mut self,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<(), NodeError> {
        let old = self.get_record(None, records::PROFILE, "self").await;
        let mut rec = match old {
            Ok(Some(r)) => r.value,
            _ => records::profile(None, None, None, None),
        };
        if let Value::Object(m) = &mut rec {
            for (k, v) in [("displayName", display_name), ("description", description)] {
                match v.filter(|s| !s.trim().is_empty()) {
                    Some(s) => m.insert(k.into(), s.into()),
                    None => m.remove(k),
                };
            }
        }
        self.put_record(records::PROFILE, "self", &rec)
            .await
            .map(|_| ())
    }
}
