//! FeedState scenarios: counts under deletes, updates and out-of-order
//! arrival; blocks; timelines with reposts and cursors; author feed
//! filters; threads with placeholders; the ranked feed; search.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use ues_apps::feed::records;
use ues_apps::feed::{AuthorFilter, FeedState, ThreadNode};

fn uris(page: &ues_apps::feed::Page<ues_apps::feed::FeedItem>) -> Vec<String> {
    page.items
        .iter()
        .map(|i| match &i.reason {
            Some(r) => format!("repost:{}", r.uri),
            None => i.post.uri.clone(),
        })
        .collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn counts_under_any_order_deletes_and_updates() {
    let p = post_uri("alice", "p1");
    let mut s = FeedState::new();
    // Likes and a reply arrive before the post.
    apply_all(
        &mut s,
        &[
            like("bob", "l1", &p, 2),
            like("carol", "l2", &p, 3),
            reply("bob", "r1", "re", 4, &p, &p),
            repost("carol", "rp1", &p, 5),
            quote("dan", "q1", "look", 6, &p),
        ],
    );
    assert!(s.post_view(&p, None).is_none());
    s.apply(&post("alice", "p1", "hello world", 1)).unwrap();
    let v = s.post_view(&p, Some(&did("bob"))).unwrap();
    assert_eq!(
        (v.like_count, v.repost_count, v.reply_count, v.quote_count),
        (2, 1, 1, 1)
    );
    assert_eq!(v.viewer_like, Some(uri("bob", records::LIKE, "l1")));
    // Delete a like, the reply; update the repost to another subject.
    s.apply(&del("bob", records::LIKE, "l1")).unwrap();
    s.apply(&del("bob", records::POST, "r1")).unwrap();
    s.apply(&repost("carol", "rp1", &post_uri("dan", "q1"), 5))
        .unwrap();
    let v = s.post_view(&p, Some(&did("bob"))).unwrap();
    assert_eq!(
        (v.like_count, v.repost_count, v.reply_count, v.quote_count),
        (1, 0, 0, 1)
    );
    assert_eq!(v.viewer_like, None);
    // Deleting a record that is not there is a no-op.
    assert!(!s.delete(&did("bob"), records::LIKE, "l1"));
    // A record of another collection is ignored; a bad one is refused.
    let other = ev(
        "bob",
        "com.example.thing",
        "x",
        &serde_json::json!({"$type": "com.example.thing"}),
    );
    assert_eq!(s.apply(&other), Ok(false));
    let bad = ev(
        "bob",
        records::POST,
        "bad",
        &serde_json::json!({"$type": records::POST, "text": 5}),
    );
    assert!(s.apply(&bad).is_err());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn graph_follows_mutuals_blocks() {
    let mut s = FeedState::new();
    apply_all(
        &mut s,
        &[
            follow("alice", "f1", "bob"),
            follow("alice", "f2", "bob"), // a duplicate follow counts once
            follow("bob", "f1", "alice"),
            follow("alice", "f3", "carol"),
            block("carol", "b1", "alice"),
        ],
    );
    assert_eq!(
        s.following(&did("alice"), None),
        vec![did("bob"), did("carol")]
    );
    assert_eq!(s.mutuals(&did("alice")), vec![did("bob")]);
    assert_eq!(s.followers(&did("bob"), None), vec![did("alice")]);
    // Carol blocks Alice: Alice does not see her among her follows.
    assert_eq!(
        s.following(&did("alice"), Some(&did("alice"))),
        vec![did("bob")]
    );
    let pv = s.profile_view(&did("bob"), Some(&did("alice"))).unwrap();
    assert_eq!((pv.followers_count, pv.follows_count), (1, 1));
    assert!(pv.viewer_following.is_some() && pv.viewer_followed_by.is_some());
    s.apply(&del("alice", records::FOLLOW, "f1")).unwrap();
    assert!(s.follows(&did("alice"), &did("bob")));
    s.apply(&del("alice", records::FOLLOW, "f2")).unwrap();
    assert!(!s.follows(&did("alice"), &did("bob")));
    assert!(s.mutuals(&did("alice")).is_empty());
    assert!(
        s.profile_view(&did("carol"), Some(&did("alice")))
            .unwrap()
            .viewer_blocked_by
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn following_timeline_with_reposts_and_cursors() {
    let s = timeline_state();
    let a = did("alice");
    let page = s.timeline(&a, 100, None).unwrap();
    assert_eq!(
        uris(&page),
        vec![
            format!("repost:{}", uri("bob", records::REPOST, "rp2")),
            post_uri("alice", "a1"),
            post_uri("carol", "c2"),
            format!("repost:{}", uri("carol", records::REPOST, "rp1")),
            post_uri("bob", "b2"),
            post_uri("carol", "c1"),
            post_uri("bob", "b1"),
        ]
    );
    assert_eq!(page.cursor, None);
    // Pages of 3 concatenate to the same list.
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let p = s.timeline(&a, 3, cursor.as_deref()).unwrap();
        all.extend(uris(&p));
        match p.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(all, uris(&page));
    assert!(s.timeline(&a, 3, Some("garbage")).is_err());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn blocks_hide_content_in_every_view() {
    let mut s = timeline_state();
    let a = did("alice");
    // Alice blocks Eve (whose post Bob reposted) and Dan blocks Alice.
    s.apply(&block("alice", "bk1", "eve")).unwrap();
    s.apply(&block("dan", "bk2", "alice")).unwrap();
    let t = uris(&s.timeline(&a, 100, None).unwrap());
    assert!(
        !t.iter().any(|u| u.contains("rp2") || u.contains("rp1")),
        "{t:?}"
    );
    assert!(s.post_view(&post_uri("eve", "e1"), Some(&a)).is_none());
    let feed = s
        .author_feed(
            &did("eve"),
            AuthorFilter::PostsWithReplies,
            Some(&a),
            10,
            None,
        )
        .unwrap();
    assert!(feed.items.is_empty());
    let th = s.thread(&post_uri("dan", "d1"), Some(&a), 5, 5);
    assert!(matches!(th, ThreadNode::Blocked { .. }));
    // Bob's reply to Dan: Dan's post is a blocked parent.
    let th = s.thread(&post_uri("bob", "b3"), Some(&a), 5, 5);
    let ThreadNode::Post { parent, .. } = th else {
        panic!("post")
    };
    assert!(matches!(
        parent.as_deref(),
        Some(ThreadNode::Blocked { .. })
    ));
    assert!(s
        .search_posts("eve", Some(&a), 10, None)
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        s.search_posts("eve", None, 10, None).unwrap().items.len(),
        1
    );
    // Unblocking restores the views.
    s.apply(&del("alice", records::BLOCK, "bk1")).unwrap();
    assert!(s.post_view(&post_uri("eve", "e1"), Some(&a)).is_some());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn author_feed_filters() {
    let mut s = timeline_state();
    s.apply(&image_post("bob", "b4", "a picture", 40)).unwrap();
    let b = did("bob");
    let f = |filter| uris(&s.author_feed(&b, filter, None, 100, None).unwrap());
    let rp2 = format!("repost:{}", uri("bob", records::REPOST, "rp2"));
    assert_eq!(
        f(AuthorFilter::PostsWithReplies),
        vec![
            post_uri("bob", "b4"),
            rp2.clone(),
            post_uri("bob", "b3"),
            post_uri("bob", "b2"),
            post_uri("bob", "b1")
        ]
    );
    assert_eq!(
        f(AuthorFilter::PostsNoReplies),
        vec![
            post_uri("bob", "b4"),
            rp2,
            post_uri("bob", "b2"),
            post_uri("bob", "b1")
        ]
    );
    assert_eq!(f(AuthorFilter::PostsWithMedia), vec![post_uri("bob", "b4")]);
}
