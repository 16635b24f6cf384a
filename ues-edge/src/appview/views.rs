//! The reference view shapes (`app.bsky.actor.defs#profileView*`,
//! `app.bsky.feed.defs#postView`, `#feedViewPost`, `#threadViewPost`, the
//! embed views) built from the feed's views and the records' JSON.

use super::state::AppState;
use serde_json::{json, Map, Value};
use ues_apps::feed::parse::uri_did;
use ues_apps::feed::{FeedItem, PostView, ProfileView, QuoteView, ThreadNode};

const PROFILE: &str = "app.bsky.actor.profile";

/// Builds views for one viewer.
pub struct Views<'a> {
    pub st: &'a AppState,
    pub viewer: Option<&'a str>,
    /// The relay's public URL (blob links).
    pub base: &'a str,
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v.into());
    }
}

impl Views<'_> {
    fn blob_url(&self, did: &str, blob: &Value) -> Option<String> {
        let cid = blob["ref"]["$link"].as_str()?;
        Some(format!(
            "{}/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}",
            self.base.trim_end_matches('/')
        ))
    }

    fn profile_raw(&self, did: &str) -> Option<&Value> {
        self.st.raw.get(&format!("at://{did}/{PROFILE}/self"))
    }

    /// `viewerState` of the viewer towards `p`.
    fn actor_viewer(&self, p: &ProfileView) -> Option<Value> {
        self.viewer?;
        let mut m = Map::new();
        m.insert("muted".into(), json!(false));
        m.insert("blockedBy".into(), json!(p.viewer_blocked_by));
        put(&mut m, "blocking", p.viewer_blocking.clone());
        put(&mut m, "following", p.viewer_following.clone());
        put(&mut m, "followedBy", p.viewer_followed_by.clone());
        Some(Value::Object(m))
    }

    /// `profileViewBasic` (`level` 0), `profileView` (1) or
    /// `profileViewDetailed` (2) of `did`; a bare one for an account the
    /// feed knows nothing about.
    pub fn profile(&self, did: &str, level: u8) -> Value {
        let p = self
            .st
            .feed
            .profile_view(did, self.viewer)
            .unwrap_or_else(|| ProfileView {
                did: did.to_string(),
                handle: None,
                display_name: None,
                description: None,
                followers_count: 0,
                follows_count: 0,
                posts_count: 0,
                viewer_following: None,
                viewer_followed_by: None,
                viewer_blocking: None,
                viewer_blocked_by: false,
            });
        let mut m = Map::new();
        m.insert("did".into(), json!(did));
        m.insert("handle".into(), json!(self.st.handle_of(did)));
        put(&mut m, "displayName", p.display_name.clone());
        let raw = self.profile_raw(did);
        put(
            &mut m,
            "avatar",
            raw.and_then(|r| self.blob_url(did, &r["avatar"])),
        );
        if let Some(v) = self.actor_viewer(&p) {
            m.insert("viewer".into(), v);
        }
        m.insert("labels".into(), json!([]));
        if let Some(c) = raw.and_then(|r| r["createdAt"].as_str()) {
            m.insert("createdAt".into(), json!(c));
        }
        if level >= 1 {
            put(&mut m, "description", p.description.clone());
        }
        if level >= 2 {
            put(
                &mut m,
                "banner",
                raw.and_then(|r| self.blob_url(did, &r["banner"])),
            );
            m.insert("followersCount".into(), json!(p.followers_count));
            m.insert("followsCount".into(), json!(p.follows_count));
            m.insert("postsCount".into(), json!(p.posts_count));
        }
        Value::Object(m)
    }

    fn media_view(&self, did: &str, e: &Value) -> Option<Value> {
        match e["$type"].as_str()? {
            "app.bsky.embed.images" => {
                let imgs: Vec<Value> = e["images"]
                    .as_array()?
                    .iter()
                    .map(|i| {
                        let url = self.blob_url(did, &i["image"]);
                        let mut m = Map::new();
                        put(&mut m, "thumb", url.clone());
                        put(&mut m, "fullsize", url);
                        m.insert("alt".into(), json!(i["alt"].as_str().unwrap_or("")));
                        if i["aspectRatio"].is_object() {
                            m.insert("aspectRatio".into(), i["aspectRatio"].clone());
                        }
                        Value::Object(m)
                    })
                    .collect();
                Some(json!({ "$type": "app.bsky.embed.images#view", "images": imgs }))
            }
            "app.bsky.embed.external" => {
                let x = &e["external"];
                let mut m = Map::new();
                for k in ["uri", "title", "description"] {
                    m.insert(k.into(), json!(x[k].as_str().unwrap_or("")));
                }
                put(&mut m, "thumb", self.blob_url(did, &x["thumb"]));
                Some(json!({ "$type": "app.bsky.embed.external#view", "external": m }))
            }
            _ => None,
        }
    }

    /// The `app.bsky.embed.record#view` of a quoted post.
    fn quote_view(&self, q: &QuoteView) -> Value {
        let record = match q {
            QuoteView::Blocked(uri) => json!({
                "$type": "app.bsky.embed.record#viewBlocked", "uri": uri, "blocked": true,
                "author": { "did": uri_did(uri).unwrap_or_default() },
            }),
            QuoteView::NotFound(uri) => json!({
                "$type": "app.bsky.embed.record#viewNotFound", "uri": uri, "notFound": true,
            }),
            QuoteView::Post(uri) => match self.st.feed.post_view(uri, self.viewer) {
                Some(p) => {
                    let mut m = Map::new();
                    m.insert("$type".into(), json!("app.bsky.embed.record#viewRecord"));
                    m.insert("uri".into(), json!(p.uri));
                    m.insert("cid".into(), json!(p.cid));
                    m.insert("author".into(), self.profile(&p.author, 0));
                    m.insert("value".into(), self.raw_of(&p.uri));
                    m.insert("labels".into(), json!([]));
                    m.insert("likeCount".into(), json!(p.like_count));
                    m.insert("repostCount".into(), json!(p.repost_count));
                    m.insert("replyCount".into(), json!(p.reply_count));
                    m.insert("quoteCount".into(), json!(p.quote_count));
                    let raw = self.raw_of(&p.uri);
                    if let Some(e) = self.media_view(&p.author, &raw["embed"]) {
                        m.insert("embeds".into(), json!([e]));
                    }
                    m.insert("indexedAt".into(), json!(p.created_at));
                    Value::Object(m)
                }
                None => json!({
                    "$type": "app.bsky.embed.record#viewNotFound", "uri": uri, "notFound": true,
                }),
            },
        };
        json!({ "$type": "app.bsky.embed.record#view", "record": record })
    }

    fn raw_of(&self, uri: &str) -> Value {
        self.st.raw.get(uri).cloned().unwrap_or(Value::Null)
    }

    fn embed_view(&self, p: &PostView, raw: &Value) -> Option<Value> {
        let e = &raw["embed"];
        match e["$type"].as_str()? {
            "app.bsky.embed.record" => Some(self.quote_view(p.quote.as_ref()?)),
            "app.bsky.embed.recordWithMedia" => {
                let rec = p.quote.as_ref().map(|q| self.quote_view(q))?;
                let media = self.media_view(&p.author, &e["media"])?;
                Some(json!({
                    "$type": "app.bsky.embed.recordWithMedia#view",
                    "record": rec, "media": media,
                }))
            }
            _ => self.media_view(&p.author, e),
        }
    }

    /// `app.bsky.feed.defs#postView`.
    pub fn post(&self, p: &PostView) -> Value {
        let raw = self.raw_of(&p.uri);
        let mut m = Map::new();
        m.insert("$type".into(), json!("app.bsky.feed.defs#postView"));
        m.insert("uri".into(), json!(p.uri));
        m.insert("cid".into(), json!(p.cid));
        m.insert("author".into(), self.profile(&p.author, 0));
        if let Some(e) = self.embed_view(p, &raw) {
            m.insert("embed".into(), e);
        }
        m.insert("record".into(), raw);
        m.insert("replyCount".into(), json!(p.reply_count));
        m.insert("repostCount".into(), json!(p.repost_count));
        m.insert("likeCount".into(), json!(p.like_count));
        m.insert("quoteCount".into(), json!(p.quote_count));
        m.insert("indexedAt".into(), json!(p.created_at));
        if self.viewer.is_some() {
            let mut v = Map::new();
            put(&mut v, "like", p.viewer_like.clone());
            put(&mut v, "repost", p.viewer_repost.clone());
            v.insert("threadMuted".into(), json!(false));
            m.insert("viewer".into(), Value::Object(v));
        }
        m.insert("labels".into(), json!([]));
        Value::Object(m)
    }

    /// A post of a reply ref: its view, or the `notFoundPost` /
    /// `blockedPost` placeholder.
    fn reply_ref(&self, uri: &str) -> Value {
        let author = uri_did(uri).unwrap_or_default();
        if self
            .viewer
            .is_some_and(|v| self.st.feed.blocked_between(v, author))
        {
            return self.blocked(uri, author);
        }
        match self.st.feed.post_view(uri, self.viewer) {
            Some(p) => self.post(&p),
            None => not_found(uri),
        }
    }

    fn blocked(&self, uri: &str, author: &str) -> Value {
        let p = self.st.feed.profile_view(author, self.viewer);
        let mut a = Map::new();
        a.insert("did".into(), json!(author));
        if let Some(v) = p.as_ref().and_then(|p| self.actor_viewer(p)) {
            a.insert("viewer".into(), v);
        }
        json!({ "$type": "app.bsky.feed.defs#blockedPost", "uri": uri, "blocked": true, "author": a })
    }

    /// `app.bsky.feed.defs#feedViewPost`.
    pub fn feed_item(&self, fi: &FeedItem) -> Value {
        let mut m = Map::new();
        m.insert("post".into(), self.post(&fi.post));
        if let Some((root, parent)) = &fi.post.reply {
            m.insert(
                "reply".into(),
                json!({ "root": self.reply_ref(root), "parent": self.reply_ref(parent) }),
            );
        }
        if let Some(r) = &fi.reason {
            let cid = self.st.feed.record(&r.uri).map(|s| s.cid.clone());
            let at = self.raw_of(&r.uri)["createdAt"].clone();
            let mut reason = Map::new();
            reason.insert("$type".into(), json!("app.bsky.feed.defs#reasonRepost"));
            reason.insert("by".into(), self.profile(&r.by, 0));
            reason.insert("uri".into(), json!(r.uri));
            put(&mut reason, "cid", cid);
            reason.insert("indexedAt".into(), at);
            m.insert("reason".into(), Value::Object(reason));
        }
        Value::Object(m)
    }

    /// A thread node (`#threadViewPost`, `#notFoundPost`, `#blockedPost`);
    /// `replies` listed below the anchor, not on its parents.
    pub fn thread(&self, node: &ThreadNode, below: bool) -> Value {
        match node {
            ThreadNode::NotFound { uri } => not_found(uri),
            ThreadNode::Blocked { uri, author } => self.blocked(uri, author),
            ThreadNode::Post {
                post,
                parent,
                replies,
            } => {
                let mut m = Map::new();
                m.insert("$type".into(), json!("app.bsky.feed.defs#threadViewPost"));
                m.insert("post".into(), self.post(post));
                if let Some(p) = parent {
                    m.insert("parent".into(), self.thread(p, false));
                }
                if below {
                    let r: Vec<Value> = replies.iter().map(|n| self.thread(n, true)).collect();
                    m.insert("replies".into(), json!(r));
                }
                Value::Object(m)
            }
        }
    }
}

fn not_found(uri: &str) -> Value {
    json!({ "$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": true })
}
