//! The AppView methods: `(nsid, params, viewer)` → the reference output,
//! over an [`AppState`]. Host-neutral.

use super::state::AppState;
use super::views::Views;
use crate::error::XrpcError;
use serde_json::{json, Value};
use ues_apps::feed::{AuthorFilter, FeedError};

/// The methods served here, and whether they need a signed-in viewer.
pub const METHODS: &[(&str, bool)] = &[
    ("app.bsky.actor.getProfile", false),
    ("app.bsky.actor.getProfiles", false),
    ("app.bsky.actor.searchActors", false),
    ("app.bsky.feed.getTimeline", true),
    ("app.bsky.feed.getAuthorFeed", false),
    ("app.bsky.feed.getPostThread", false),
    ("app.bsky.feed.getLikes", false),
    ("app.bsky.feed.getRepostedBy", false),
    ("app.bsky.feed.searchPosts", false),
    ("app.bsky.graph.getFollows", false),
    ("app.bsky.graph.getFollowers", false),
];

type R = Result<Value, XrpcError>;

fn feed_err(e: FeedError) -> XrpcError {
    XrpcError::invalid_request(e.to_string())
}

fn limit(p: &Value, default: u64) -> usize {
    usize::try_from(p["limit"].as_u64().unwrap_or(default).clamp(1, 100)).unwrap_or(50)
}

fn str_param<'a>(p: &'a Value, k: &str) -> Result<&'a str, XrpcError> {
    p[k].as_str().ok_or_else(|| {
        XrpcError::invalid_request(format!("Error: Params must have the property \"{k}\""))
    })
}

fn profile_not_found() -> XrpcError {
    XrpcError::invalid_request("Profile not found")
}

/// Offset paging of a list (cursor: the offset of the next page).
fn page<T>(all: Vec<T>, p: &Value, default: u64) -> Result<(Vec<T>, Option<String>), XrpcError> {
    let skip = match p["cursor"].as_str() {
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| XrpcError::invalid_request("Malformed cursor"))?,
        None => 0,
    };
    let n = limit(p, default);
    let more = all.len() > skip.saturating_add(n);
    let items = all.into_iter().skip(skip).take(n).collect();
    Ok((items, more.then(|| (skip + n).to_string())))
}

fn with_cursor(mut v: Value, cursor: Option<String>) -> Value {
    if let (Some(c), Some(m)) = (cursor, v.as_object_mut()) {
        m.insert("cursor".into(), json!(c));
    }
    v
}

/// Answers `nsid` for `viewer` (the session's DID, if any).
pub fn answer(st: &AppState, nsid: &str, p: &Value, viewer: Option<&str>, base: &str) -> R {
    st.check()?;
    let v = Views { st, viewer, base };
    let actor = |k: &str| -> Result<String, XrpcError> {
        let a = str_param(p, k)?;
        let did = st.resolve(a).ok_or_else(profile_not_found)?;
        if st.feed.profile_view(&did, None).is_none() && !st.handles.contains_key(&did) {
            return Err(profile_not_found());
        }
        Ok(did)
    };
    match nsid {
        "app.bsky.actor.getProfile" => Ok(v.profile(&actor("actor")?, 2)),
        "app.bsky.actor.getProfiles" => {
            let list: Vec<Value> = match &p["actors"] {
                Value::Array(a) => a.clone(),
                Value::String(s) => vec![json!(s)],
                _ => Vec::new(),
            };
            let profiles: Vec<Value> = list
                .iter()
                .take(25)
                .filter_map(|a| st.resolve(a.as_str()?))
                .filter(|d| st.feed.profile_view(d, None).is_some() || st.handles.contains_key(d))
                .map(|d| v.profile(&d, 2))
                .collect();
            Ok(json!({ "profiles": profiles }))
        }
        "app.bsky.actor.searchActors" => {
            let q = p["q"].as_str().or(p["term"].as_str()).unwrap_or("");
            let pg = st
                .feed
                .search_actors(q, viewer, limit(p, 25), p["cursor"].as_str())
                .map_err(feed_err)?;
            let actors: Vec<Value> = pg.items.iter().map(|a| v.profile(&a.did, 1)).collect();
            Ok(with_cursor(json!({ "actors": actors }), pg.cursor))
        }
        "app.bsky.feed.getTimeline" => {
            let me = viewer.ok_or_else(|| XrpcError::auth_required("Authentication Required"))?;
            let pg = st
                .feed
                .timeline(me, limit(p, 50), p["cursor"].as_str())
                .map_err(feed_err)?;
            let feed: Vec<Value> = pg.items.iter().map(|i| v.feed_item(i)).collect();
            Ok(with_cursor(json!({ "feed": feed }), pg.cursor))
        }
        "app.bsky.feed.getAuthorFeed" => {
            let did = actor("actor")?;
            if let Some(me) = viewer {
                if st.feed.blocking(me).contains(&did) {
                    return Err(XrpcError::bad(
                        "BlockedActor",
                        "Requester has blocked actor",
                    ));
                }
                if st.feed.blocking(&did).iter().any(|d| d == me) {
                    return Err(XrpcError::bad(
                        "BlockedByActor",
                        "Requester is blocked by actor",
                    ));
                }
            }
            let filter = match p["filter"].as_str().unwrap_or("posts_with_replies") {
                "posts_no_replies" | "posts_and_author_threads" => AuthorFilter::PostsNoReplies,
                "posts_with_media" | "posts_with_video" => AuthorFilter::PostsWithMedia,
                _ => AuthorFilter::PostsWithReplies,
            };
            let pg = st
                .feed
                .author_feed(&did, filter, viewer, limit(p, 50), p["cursor"].as_str())
                .map_err(feed_err)?;
            let feed: Vec<Value> = pg.items.iter().map(|i| v.feed_item(i)).collect();
            Ok(with_cursor(json!({ "feed": feed }), pg.cursor))
        }
        "app.bsky.feed.getPostThread" => {
            let uri = st.resolve_uri(str_param(p, "uri")?);
            let depth = usize::try_from(p["depth"].as_u64().unwrap_or(6)).unwrap_or(6);
            let height = usize::try_from(p["parentHeight"].as_u64().unwrap_or(80)).unwrap_or(80);
            let node = st.feed.thread(&uri, viewer, depth, height);
            if let ues_apps::feed::ThreadNode::NotFound { .. } = node {
                return Err(XrpcError::bad("NotFound", format!("Post not found: {uri}")));
            }
            Ok(json!({ "thread": v.thread(&node, true) }))
        }
        "app.bsky.feed.getLikes" | "app.bsky.feed.getRepostedBy" => {
            let uri = st.resolve_uri(str_param(p, "uri")?);
            let likes = nsid.ends_with("getLikes");
            let all = if likes {
                st.feed.likes_of(&uri, viewer)
            } else {
                st.feed.reposted_by(&uri, viewer)
            };
            let (items, cursor) = page(all, p, 50)?;
            let mut out = json!({ "uri": uri });
            if let Some(c) = p["cid"].as_str() {
                out["cid"] = json!(c);
            }
            if likes {
                let l: Vec<Value> = items
                    .iter()
                    .map(|a| {
                        let at = st.raw.get(&a.record).map(|r| r["createdAt"].clone());
                        let at = at.unwrap_or(Value::Null);
                        json!({ "actor": v.profile(&a.did, 1), "createdAt": at, "indexedAt": at })
                    })
                    .collect();
                out["likes"] = json!(l);
            } else {
                let l: Vec<Value> = items.iter().map(|a| v.profile(&a.did, 1)).collect();
                out["repostedBy"] = json!(l);
            }
            Ok(with_cursor(out, cursor))
        }
        "app.bsky.feed.searchPosts" => {
            let q = str_param(p, "q")?;
            let pg = st
                .feed
                .search_posts(q, viewer, limit(p, 25), p["cursor"].as_str())
                .map_err(feed_err)?;
            let posts: Vec<Value> = pg.items.iter().map(|x| v.post(x)).collect();
            Ok(with_cursor(json!({ "posts": posts }), pg.cursor))
        }
        "app.bsky.graph.getFollows" | "app.bsky.graph.getFollowers" => {
            let did = actor("actor")?;
            let follows = nsid.ends_with("getFollows");
            let all = if follows {
                st.feed.following(&did, viewer)
            } else {
                st.feed.followers(&did, viewer)
            };
            let (items, cursor) = page(all, p, 50)?;
            let list: Vec<Value> = items.iter().map(|d| v.profile(d, 1)).collect();
            let key = if follows { "follows" } else { "followers" };
            let out = json!({ "subject": v.profile(&did, 1), key: list });
            Ok(with_cursor(out, cursor))
        }
        _ => Err(XrpcError::method_not_implemented(nsid)),
    }
}
