//! FeedState scenarios, continued: threads with placeholders, quote
//! views, the ranked feed, search.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use ues_apps::feed::records::{self, PostBuilder};
use ues_apps::feed::{FeedState, QuoteView, RankParams, ThreadNode};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn threads_with_parents_replies_and_placeholders() {
    let root = post_uri("alice", "t0");
    let r1 = post_uri("bob", "t1");
    let r2 = post_uri("carol", "t2");
    let mut s = FeedState::new();
    apply_all(
        &mut s,
        &[
            post("alice", "t0", "root", 1),
            reply("bob", "t1", "first", 2, &root, &root),
            reply("carol", "t2", "second", 3, &root, &r1),
            reply("dan", "t3", "third", 4, &root, &r2),
            reply("eve", "t4", "sibling", 5, &root, &root),
            reply(
                "frank",
                "t5",
                "to a deleted post",
                6,
                &root,
                &post_uri("gone", "x"),
            ),
        ],
    );
    let th = s.thread(&root, None, 10, 10);
    let ThreadNode::Post {
        replies, parent, ..
    } = &th
    else {
        panic!()
    };
    assert!(parent.is_none());
    assert_eq!(replies.len(), 2);
    let names: Vec<&str> = replies
        .iter()
        .filter_map(|r| r.post())
        .map(|p| p.uri.as_str())
        .collect();
    assert_eq!(names, vec![r1.as_str(), post_uri("eve", "t4").as_str()]);
    // Depth limit: 1 level only.
    let ThreadNode::Post { replies, .. } = s.thread(&root, None, 1, 0) else {
        panic!()
    };
    assert!(replies
        .iter()
        .all(|r| matches!(r, ThreadNode::Post { replies, .. } if replies.is_empty())));
    // Parents up the chain from the third reply.
    let ThreadNode::Post { parent, .. } = s.thread(&post_uri("dan", "t3"), None, 0, 10) else {
        panic!()
    };
    let p1 = parent.unwrap();
    assert_eq!(p1.post().unwrap().uri, r2);
    let ThreadNode::Post { parent: p2, .. } = *p1 else {
        panic!()
    };
    let p2 = p2.unwrap();
    assert_eq!(p2.post().unwrap().uri, r1);
    // The parent height limit.
    let ThreadNode::Post { parent, .. } = s.thread(&post_uri("dan", "t3"), None, 0, 1) else {
        panic!()
    };
    assert!(matches!(
        parent.as_deref(),
        Some(ThreadNode::Post { parent: None, .. })
    ));
    // Missing parent and missing post.
    let ThreadNode::Post { parent, .. } = s.thread(&post_uri("frank", "t5"), None, 0, 5) else {
        panic!()
    };
    assert!(matches!(
        parent.as_deref(),
        Some(ThreadNode::NotFound { .. })
    ));
    s.apply(&del("bob", records::POST, "t1")).unwrap();
    assert!(matches!(
        s.thread(&r1, None, 5, 5),
        ThreadNode::NotFound { .. }
    ));
    let ThreadNode::Post { parent, .. } = s.thread(&r2, None, 0, 5) else {
        panic!()
    };
    assert!(matches!(
        parent.as_deref(),
        Some(ThreadNode::NotFound { .. })
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn quotes_show_blocked_and_missing() {
    let mut s = FeedState::new();
    let q = post_uri("bob", "q");
    apply_all(
        &mut s,
        &[
            quote("bob", "q", "quoting", 2, &post_uri("carol", "c")),
            block("alice", "b", "carol"),
        ],
    );
    assert_eq!(
        s.post_view(&q, None).unwrap().quote,
        Some(QuoteView::NotFound(post_uri("carol", "c")))
    );
    s.apply(&post("carol", "c", "quoted", 1)).unwrap();
    assert_eq!(
        s.post_view(&q, None).unwrap().quote,
        Some(QuoteView::Post(post_uri("carol", "c")))
    );
    assert_eq!(
        s.post_view(&q, Some(&did("alice"))).unwrap().quote,
        Some(QuoteView::Blocked(post_uri("carol", "c")))
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn for_you_is_ranked_explained_and_paged() {
    let mut s = timeline_state();
    // Engagement on Dan's post (Dan is followed by nobody Alice follows).
    for (i, who) in ["x1", "x2", "x3", "x4"].iter().enumerate() {
        s.apply(&like(who, &format!("l{i}"), &post_uri("dan", "d1"), 40))
            .unwrap();
    }
    s.apply(&follow("bob", "f9", "eve")).unwrap();
    let now = micros(60);
    let params = RankParams::default();
    let a = did("alice");
    let page = s.for_you(&a, now, &params, 100, None).unwrap();
    assert!(!page.items.is_empty());
    for w in page.items.windows(2) {
        assert!(w[0].score.total >= w[1].score.total);
    }
    for it in &page.items {
        let sc = it.score;
        assert_eq!(sc.total, sc.engagement + sc.recency + sc.graph);
        assert!(it.item.post.reply.is_none());
    }
    let d1 = s.score(&post_uri("dan", "d1"), &a, now, &params).unwrap();
    // 4 likes + 1 repost (×2) + 1 reply (×3) = 9: isqrt(9 × 10 000) = 300.
    assert_eq!((d1.engagement, d1.distance, d1.graph), (300, 3, 0));
    let e1 = s.score(&post_uri("eve", "e1"), &a, now, &params).unwrap();
    assert_eq!(e1.distance, 2);
    assert_eq!(
        s.score(&post_uri("alice", "a1"), &a, now, &params)
            .unwrap()
            .distance,
        0
    );
    // Deterministic and pageable.
    assert_eq!(page, s.for_you(&a, now, &params, 100, None).unwrap());
    let first = s.for_you(&a, now, &params, 2, None).unwrap();
    let second = s
        .for_you(&a, now, &params, 100, first.cursor.as_deref())
        .unwrap();
    let joined: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|i| i.item.post.uri.clone())
        .collect();
    let whole: Vec<_> = page.items.iter().map(|i| i.item.post.uri.clone()).collect();
    assert_eq!(joined, whole);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn search_posts_and_actors() {
    let mut s = timeline_state();
    s.apply(&ev(
        "bob",
        records::POST,
        "s1",
        &PostBuilder::new("Rust and WebAssembly 🦀", time(50)).to_json(),
    ))
    .unwrap();
    s.apply(&ev(
        "carol",
        records::POST,
        "s2",
        &PostBuilder::new("rust everywhere, 日本語も", time(51)).to_json(),
    ))
    .unwrap();
    let hits = |q: &str| -> Vec<String> {
        s.search_posts(q, None, 10, None)
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.uri)
            .collect()
    };
    assert_eq!(
        hits("RUST"),
        vec![post_uri("carol", "s2"), post_uri("bob", "s1")]
    );
    assert_eq!(hits("rust webassembly"), vec![post_uri("bob", "s1")]);
    assert_eq!(hits("日本"), vec![post_uri("carol", "s2")]);
    assert!(hits("nothing").is_empty());
    let p1 = s.search_posts("rust", None, 1, None).unwrap();
    let p2 = s
        .search_posts("rust", None, 1, p1.cursor.as_deref())
        .unwrap();
    assert_eq!(p2.items[0].uri, post_uri("bob", "s1"));
    assert_eq!(p2.cursor, None);

    s.set_handle(&did("bob"), Some("bob.example.com"));
    s.set_handle(&did("carol"), Some("carol.test"));
    s.apply(&ev(
        "carol",
        records::PROFILE,
        "self",
        &records::profile(Some("Carol Bobbins"), None, None, None),
    ))
    .unwrap();
    let actors = |s: &FeedState, q: &str| -> Vec<String> {
        s.search_actors(q, None, 10, None)
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.did)
            .collect()
    };
    assert_eq!(actors(&s, "bob"), vec![did("bob"), did("carol")]);
    assert_eq!(actors(&s, "@CAR"), vec![did("carol")]);
    assert_eq!(actors(&s, "carol bob"), vec![did("carol")]);
    s.apply(&del("carol", records::PROFILE, "self")).unwrap();
    assert_eq!(actors(&s, "bob"), vec![did("bob")]);
}
