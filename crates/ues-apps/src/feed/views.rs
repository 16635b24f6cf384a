//! Hydrated views (posts with counts and viewer state, profiles), the
//! reverse-chronological timelines, and cursors.
//!
//! Blocks are honoured everywhere: content whose author blocks the viewer
//! or is blocked by the viewer is left out (or shown as a `Blocked`
//! placeholder in threads and quotes).

use super::parse::uri_did;
use super::state::{FeedState, Item, SortKey};
use super::FeedError;
use std::collections::BinaryHeap;

/// What a quote embed points at, as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteView {
    Post(String),
    NotFound(String),
    Blocked(String),
}

/// A post with its counts and the viewer's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostView {
    pub uri: String,
    pub cid: String,
    pub author: String,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub text: String,
    pub created_at: String,
    pub sort_at: i64,
    /// `(root, parent)` URIs of a reply.
    pub reply: Option<(String, String)>,
    pub quote: Option<QuoteView>,
    pub has_images: bool,
    pub has_external: bool,
    pub like_count: usize,
    pub repost_count: usize,
    pub reply_count: usize,
    pub quote_count: usize,
    /// The viewer's like / repost of this post (record URIs).
    pub viewer_like: Option<String>,
    pub viewer_repost: Option<String>,
}

/// Why an item is in a feed (the reference's `reasonRepost`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepostReason {
    pub by: String,
    pub uri: String,
    pub sort_at: i64,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub post: PostView,
    pub reason: Option<RepostReason>,
}

/// A page of results and the cursor of the next page (`None`: no more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub cursor: Option<String>,
}

/// Author feed filters (`app.bsky.feed.getAuthorFeed#filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorFilter {
    PostsWithReplies,
    PostsNoReplies,
    PostsWithMedia,
}

/// An account with its counts and the viewer's relations to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileView {
    pub did: String,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub followers_count: usize,
    pub follows_count: usize,
    pub posts_count: usize,
    /// Follow / block record URIs relating the viewer and this account.
    pub viewer_following: Option<String>,
    pub viewer_followed_by: Option<String>,
    pub viewer_blocking: Option<String>,
    pub viewer_blocked_by: bool,
}

/// `{at}::{uri}`: the position after which the next page starts.
pub fn encode_cursor(key: &SortKey) -> String {
    format!("{}::{}", key.at, key.uri)
}

pub fn decode_cursor(cursor: &str) -> Result<SortKey, FeedError> {
    let bad = || FeedError::InvalidCursor(cursor.to_string());
    let (at, uri) = cursor.split_once("::").ok_or_else(bad)?;
    let at = at.parse::<i64>().map_err(|_| bad())?;
    Ok(SortKey {
        at,
        uri: uri.to_string(),
    })
}

pub(crate) fn decode_opt(cursor: Option<&str>) -> Result<Option<SortKey>, FeedError> {
    cursor.map(decode_cursor).transpose()
}

impl FeedState {
    /// Does either account block the other? (Never for oneself.)
    pub fn blocked_between(&self, a: &str, b: &str) -> bool {
        a != b && (self.blocks.has(a, b) || self.blocks.has(b, a))
    }

    pub(crate) fn hidden(&self, viewer: Option<&str>, author: &str) -> bool {
        viewer.is_some_and(|v| self.blocked_between(v, author))
    }

    /// The post at `uri` as `viewer` sees it; `None` if it is not held or
    /// a block stands between them.
    pub fn post_view(&self, uri: &str, viewer: Option<&str>) -> Option<PostView> {
        let (rec, p) = self.post(uri)?;
        if self.hidden(viewer, &rec.did) {
            return None;
        }
        let quote = p.quote.as_ref().map(|q| {
            let author = uri_did(q).unwrap_or_default();
            if self.hidden(viewer, author) {
                QuoteView::Blocked(q.clone())
            } else if self.records.contains_key(q) {
                QuoteView::Post(q.clone())
            } else {
                QuoteView::NotFound(q.clone())
            }
        });
        let mine = |m: &super::multimap::Multi<(String, String), String>| {
            let v = viewer?;
            m.get(&(v.to_string(), uri.to_string()))?
                .iter()
                .next()
                .cloned()
        };
        let profile = self.profiles.get(&rec.did);
        Some(PostView {
            uri: uri.to_string(),
            cid: rec.cid.clone(),
            author: rec.did.clone(),
            handle: self.handles.get(&rec.did).cloned(),
            display_name: profile.and_then(|p| p.display_name.clone()),
            text: p.text.clone(),
            created_at: p.created_at.clone(),
            sort_at: p.sort_at,
            reply: p.reply.clone(),
            quote,
            has_images: p.has_images,
            has_external: p.has_external,
            like_count: self.likes.count(uri),
            repost_count: self.reposts.count(uri),
            reply_count: self.replies.count(uri),
            quote_count: self.quotes.count(uri),
            viewer_like: mine(&self.actor_likes),
            viewer_repost: mine(&self.actor_reposts),
        })
    }

    /// An item of an author's feed as `viewer` sees it.
    fn feed_item(&self, author: &str, item: &Item, viewer: Option<&str>) -> Option<FeedItem> {
        if self.hidden(viewer, author) {
            return None;
        }
        match &item.repost_of {
            None => Some(FeedItem {
                post: self.post_view(&item.key.uri, viewer)?,
                reason: None,
            }),
            Some(subject) => Some(FeedItem {
                post: self.post_view(subject, viewer)?,
                reason: Some(RepostReason {
                    by: author.to_string(),
                    uri: item.key.uri.clone(),
                    sort_at: item.key.at,
                }),
            }),
        }
    }

    /// Are the thread's parent and root authors hidden from the viewer?
    fn reply_hidden(&self, post: &PostView, viewer: Option<&str>) -> bool {
        post.reply.as_ref().is_some_and(|(root, parent)| {
            [root, parent]
                .iter()
                .any(|u| uri_did(u).is_some_and(|d| self.hidden(viewer, d)))
        })
    }

    /// The following timeline of `viewer`: posts and reposts of the accounts
    /// it follows and its own, newest first (sort key: `createdAt`, then
    /// URI). Replies appear when their parent is by the viewer or by someone
    /// the viewer follows (reposted replies always do); posts in a thread
    /// whose root or parent author a block separates from the viewer do not.
    pub fn timeline(
        &self,
        viewer: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FeedItem>, FeedError> {
        let before = decode_opt(cursor)?;
        // (An account may follow itself: list it once.)
        let mut authors: Vec<&str> = self.follows.out(viewer).filter(|a| *a != viewer).collect();
        authors.push(viewer);
        let keep = |author: &str, item: &Item| -> Option<FeedItem> {
            let fi = self.feed_item(author, item, Some(viewer))?;
            if self.reply_hidden(&fi.post, Some(viewer)) {
                return None;
            }
            if let (Some((_, parent)), None) = (&fi.post.reply, &fi.reason) {
                let pa = uri_did(parent)?;
                if pa != viewer && !self.follows.has(viewer, pa) {
                    return None;
                }
            }
            Some(fi)
        };
        Ok(self.merge(&authors, before.as_ref(), limit, keep))
    }

    /// The feed of `actor` (posts and reposts), newest first. Empty for a
    /// viewer that `actor` blocks or that blocks `actor`.
    pub fn author_feed(
        &self,
        actor: &str,
        filter: AuthorFilter,
        viewer: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FeedItem>, FeedError> {
        let before = decode_opt(cursor)?;
        let keep = |author: &str, item: &Item| -> Option<FeedItem> {
            let fi = self.feed_item(author, item, viewer)?;
            let ok = match filter {
                AuthorFilter::PostsWithReplies => !self.reply_hidden(&fi.post, viewer),
                AuthorFilter::PostsNoReplies => fi.post.reply.is_none(),
                AuthorFilter::PostsWithMedia => fi.reason.is_none() && fi.post.has_images,
            };
            ok.then_some(fi)
        };
        Ok(self.merge(&[actor], before.as_ref(), limit, keep))
    }

    /// Merge the item lists of `authors`, newest first, strictly before
    /// `before`, keeping what `keep` accepts, up to `limit` items.
    fn merge<F>(
        &self,
        authors: &[&str],
        before: Option<&SortKey>,
        limit: usize,
        keep: F,
    ) -> Page<FeedItem>
    where
        F: Fn(&str, &Item) -> Option<FeedItem>,
    {
        let mut iters = Vec::with_capacity(authors.len());
        let mut heap = BinaryHeap::with_capacity(authors.len());
        for &a in authors {
            let Some(set) = self.items.get(a) else {
                continue;
            };
            let mut it: Box<dyn Iterator<Item = &Item>> = match before {
                Some(b) => {
                    let b = Item {
                        key: b.clone(),
                        repost_of: None,
                    };
                    Box::new(set.range(..b).rev())
                }
                None => Box::new(set.iter().rev()),
            };
            if let Some(first) = it.next() {
                heap.push((first, iters.len()));
                iters.push((a, it));
            }
        }
        let mut items = Vec::new();
        let mut last = None;
        let mut more = false;
        while let Some((item, i)) = heap.pop() {
            if items.len() >= limit {
                more = true;
                break;
            }
            let (author, it) = &mut iters[i];
            if let Some(fi) = keep(author, item) {
                items.push(fi);
                last = Some(item.key.clone());
            }
            if let Some(next) = it.next() {
                heap.push((next, i));
            }
        }
        // The heap pops the greatest (newest) item first. A next page may
        // exist when the page filled up before the items ran out.
        let cursor = if more {
            last.as_ref().map(encode_cursor)
        } else {
            None
        };
        Page { items, cursor }
    }

    /// The profile of `did` as `viewer` sees it (`None` for an account the
    /// state knows nothing about).
    pub fn profile_view(&self, did: &str, viewer: Option<&str>) -> Option<ProfileView> {
        let known = self.profiles.contains_key(did)
            || self.handles.contains_key(did)
            || self.post_counts.contains_key(did)
            || self.follows.out_count(did) > 0
            || self.follows.inc_count(did) > 0;
        if !known {
            return None;
        }
        let profile = self.profiles.get(did);
        let rel = |e: &super::multimap::Edges, a: Option<&str>, b: Option<&str>| {
            e.edge(a?, b?).map(str::to_string)
        };
        Some(ProfileView {
            did: did.to_string(),
            handle: self.handles.get(did).cloned(),
            display_name: profile.and_then(|p| p.display_name.clone()),
            description: profile.and_then(|p| p.description.clone()),
            followers_count: self.follows.inc_count(did),
            follows_count: self.follows.out_count(did),
            posts_count: self.post_counts.get(did).copied().unwrap_or(0),
            viewer_following: rel(&self.follows, viewer, Some(did)),
            viewer_followed_by: rel(&self.follows, Some(did), viewer),
            viewer_blocking: rel(&self.blocks, viewer, Some(did)),
            viewer_blocked_by: viewer.is_some_and(|v| self.blocks.has(did, v)),
        })
    }
}
