//! Native tests of the AppView views: every method's output validates
//! against its lexicon, blocks and deletes are honoured, the bound holds,
//! and the order records arrive in does not change the answers.

use super::query::{answer, METHODS};
use super::state::{AppState, OpJson};
use serde_json::{json, Value};
use ues_lexicon::Lexicons;

include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));

fn registry() -> Lexicons {
    let mut lex = Lexicons::new();
    for d in DOCS {
        let _ = lex.add_json(d);
    }
    lex
}

const AT: &str = "2026-11-25T00:00:0";

fn op(coll: &str, rkey: &str, record: Value) -> OpJson {
    OpJson {
        collection: format!("app.bsky.{coll}"),
        rkey: rkey.to_string(),
        cid: Some("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm".into()),
        record: Some(record),
    }
}

fn post(n: u32, text: &str, extra: Value) -> Value {
    let mut v = json!({ "$type": "app.bsky.feed.post", "text": text, "createdAt": format!("{AT}{n}.000Z") });
    if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

fn sref(uri: &str) -> Value {
    json!({ "uri": uri, "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" })
}

/// (did, ops) of the scenario: a follows b and c; b replies to, likes and
/// reposts a's post; c quotes it; then a blocks c.
fn commits() -> Vec<(&'static str, Vec<OpJson>)> {
    let a1 = "at://did:web:a.test/app.bsky.feed.post/a1";
    let when = |n: u32| format!("{AT}{n}.000Z");
    vec![
        (
            "did:web:a.test",
            vec![
                op(
                    "actor.profile",
                    "self",
                    json!({ "$type": "app.bsky.actor.profile", "displayName": "Ann A" }),
                ),
                op(
                    "graph.follow",
                    "f1",
                    json!({ "$type": "app.bsky.graph.follow", "subject": "did:web:b.test", "createdAt": when(1) }),
                ),
                op(
                    "graph.follow",
                    "f2",
                    json!({ "$type": "app.bsky.graph.follow", "subject": "did:web:c.test", "createdAt": when(1) }),
                ),
                op("feed.post", "a1", post(2, "hello world", json!({}))),
            ],
        ),
        (
            "did:web:b.test",
            vec![
                op(
                    "feed.post",
                    "b1",
                    post(
                        3,
                        "a reply",
                        json!({ "reply": { "root": sref(a1), "parent": sref(a1) } }),
                    ),
                ),
                op(
                    "feed.like",
                    "l1",
                    json!({ "$type": "app.bsky.feed.like", "subject": sref(a1), "createdAt": when(4) }),
                ),
                op(
                    "feed.repost",
                    "r1",
                    json!({ "$type": "app.bsky.feed.repost", "subject": sref(a1), "createdAt": when(5) }),
                ),
            ],
        ),
        (
            "did:web:c.test",
            vec![
                op(
                    "feed.post",
                    "c1",
                    post(
                        6,
                        "quoting",
                        json!({ "embed": { "$type": "app.bsky.embed.record", "record": sref(a1) } }),
                    ),
                ),
                op("feed.post", "c2", post(7, "hidden world", json!({}))),
            ],
        ),
        (
            "did:web:a.test",
            vec![op(
                "graph.block",
                "k1",
                json!({ "$type": "app.bsky.graph.block", "subject": "did:web:c.test", "createdAt": when(8) }),
            )],
        ),
    ]
}

fn state(order: &[usize]) -> AppState {
    let mut st = AppState::new(1000);
    for (d, h) in [
        ("did:web:a.test", "a.test"),
        ("did:web:b.test", "b.test"),
        ("did:web:c.test", "c.test"),
    ] {
        st.set_handle(d, h);
    }
    let all = commits();
    for &i in order {
        st.apply(all[i].0, &all[i].1);
    }
    st
}

fn calls() -> Vec<(&'static str, Value, Option<&'static str>)> {
    let a1 = "at://did:web:a.test/app.bsky.feed.post/a1";
    vec![
        (
            "app.bsky.actor.getProfile",
            json!({ "actor": "a.test" }),
            Some("did:web:b.test"),
        ),
        (
            "app.bsky.actor.getProfiles",
            json!({ "actors": ["a.test", "b.test"] }),
            None,
        ),
        ("app.bsky.actor.searchActors", json!({ "q": "ann" }), None),
        (
            "app.bsky.feed.getTimeline",
            json!({}),
            Some("did:web:a.test"),
        ),
        (
            "app.bsky.feed.getAuthorFeed",
            json!({ "actor": "b.test" }),
            Some("did:web:a.test"),
        ),
        (
            "app.bsky.feed.getPostThread",
            json!({ "uri": a1 }),
            Some("did:web:a.test"),
        ),
        (
            "app.bsky.feed.getPostThread",
            json!({ "uri": "at://c.test/app.bsky.feed.post/c1" }),
            Some("did:web:a.test"),
        ),
        ("app.bsky.feed.getLikes", json!({ "uri": a1 }), None),
        ("app.bsky.feed.getRepostedBy", json!({ "uri": a1 }), None),
        (
            "app.bsky.feed.searchPosts",
            json!({ "q": "world" }),
            Some("did:web:b.test"),
        ),
        (
            "app.bsky.graph.getFollows",
            json!({ "actor": "a.test" }),
            None,
        ),
        (
            "app.bsky.graph.getFollowers",
            json!({ "actor": "b.test" }),
            None,
        ),
    ]
}

/// As the relay's `ok()` does: null fields left out (records kept whole).
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let keep = k == "record" || k == "value";
                    (k, if keep { v } else { without_nulls(v) })
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        v => v,
    }
}

#[test]
fn every_output_validates_against_its_lexicon() {
    let lex = registry();
    let st = state(&[0, 1, 2, 3]);
    for (nsid, p, viewer) in calls() {
        let out = answer(&st, nsid, &p, viewer, "http://relay")
            .unwrap_or_else(|e| panic!("{nsid}: {e:?}"));
        let out = without_nulls(out);
        lex.validate_output(nsid, &out)
            .unwrap_or_else(|e| panic!("{nsid}: {e}\n{out:#}"));
    }
    assert_eq!(METHODS.len(), 11);
    // A view missing a required field does not validate: the check bites.
    let mut bad = answer(
        &st,
        "app.bsky.actor.getProfile",
        &json!({ "actor": "a.test" }),
        None,
        "",
    )
    .unwrap_or_default();
    if let Some(m) = bad.as_object_mut() {
        m.remove("handle");
    }
    assert!(lex
        .validate_output("app.bsky.actor.getProfile", &bad)
        .is_err());
}

#[test]
fn views_honour_blocks_counts_and_viewer_state() {
    let st = state(&[0, 1, 2, 3]);
    let q =
        |nsid: &str, p: Value, v: Option<&str>| answer(&st, nsid, &p, v, "").unwrap_or_default();
    let tl = q(
        "app.bsky.feed.getTimeline",
        json!({}),
        Some("did:web:a.test"),
    );
    let uris: Vec<&str> = tl["feed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["post"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter().all(|u| !u.contains("c.test")),
        "blocked author hidden: {uris:?}"
    );
    assert!(uris.contains(&"at://did:web:b.test/app.bsky.feed.post/b1"));
    let a1 = q(
        "app.bsky.feed.getPostThread",
        json!({ "uri": "at://a.test/app.bsky.feed.post/a1" }),
        Some("did:web:b.test"),
    );
    let p = &a1["thread"]["post"];
    assert_eq!(
        (
            p["likeCount"].as_u64(),
            p["repostCount"].as_u64(),
            p["replyCount"].as_u64(),
            p["quoteCount"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(
        p["viewer"]["like"],
        "at://did:web:b.test/app.bsky.feed.like/l1"
    );
    let blocked = q(
        "app.bsky.feed.getPostThread",
        json!({ "uri": "at://c.test/app.bsky.feed.post/c1" }),
        Some("did:web:a.test"),
    );
    assert_eq!(blocked["thread"]["$type"], "app.bsky.feed.defs#blockedPost");
    let e = answer(
        &st,
        "app.bsky.actor.getProfile",
        &json!({ "actor": "nobody.test" }),
        None,
        "",
    );
    assert!(matches!(e, Err(x) if x.status == 400 && x.error == "InvalidRequest"));
    let e = answer(&st, "app.bsky.feed.getTimeline", &json!({}), None, "");
    assert!(matches!(e, Err(x) if x.status == 401));
}

#[test]
fn arrival_order_and_replays_do_not_change_answers() {
    let a = state(&[0, 1, 2, 3]);
    let b = state(&[3, 2, 1, 0, 1, 3]);
    for (nsid, p, viewer) in calls() {
        assert_eq!(
            answer(&a, nsid, &p, viewer, "").ok(),
            answer(&b, nsid, &p, viewer, "").ok(),
            "{nsid}"
        );
    }
    // A delete removes what the record contributed.
    let mut c = state(&[0, 1, 2, 3]);
    c.apply(
        "did:web:b.test",
        &[OpJson {
            collection: "app.bsky.feed.like".into(),
            rkey: "l1".into(),
            cid: None,
            record: None,
        }],
    );
    let t = answer(
        &c,
        "app.bsky.feed.getLikes",
        &json!({ "uri": "at://a.test/app.bsky.feed.post/a1" }),
        None,
        "",
    )
    .unwrap_or_default();
    assert_eq!(t["likes"], json!([]));
}

#[test]
fn the_bound_refuses_with_an_error() {
    let mut st = AppState::new(3);
    st.apply("did:web:a.test", &commits()[0].1);
    assert!(st.over && st.feed.is_empty() && st.raw.is_empty());
    let e = answer(
        &st,
        "app.bsky.actor.getProfile",
        &json!({ "actor": "did:web:a.test" }),
        None,
        "",
    );
    assert!(matches!(e, Err(x) if x.status == 503 && x.error == "AppViewOverCapacity"));
}
