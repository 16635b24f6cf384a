//! Property test: the same records applied in any order (with stale
//! versions replaced and deleted records created then deleted, interleaved
//! at random) give the same state, counts and timelines, equal to a
//! from-scratch recomputation over the final set of records.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use ues_apps::feed::records;
use ues_apps::feed::{AuthorFilter, FeedState, RankParams, RecordEvent};

const ACCOUNTS: [&str; 5] = ["a", "b", "c", "d", "e"];

#[derive(Debug, Clone)]
struct PostSpec {
    author: usize,
    time: u32,
    reply_to: Option<usize>,
    quote: Option<usize>,
}

#[derive(Debug, Clone)]
struct Scenario {
    posts: Vec<PostSpec>,
    /// (kind: 0 like, 1 repost, 2 follow, 3 block; actor; target; time)
    acts: Vec<(u8, usize, usize, u32)>,
    /// Per record: 0 keep, 1 delete after creating, 2 stale version first.
    fate: Vec<u8>,
    shuffle_seed: Vec<u32>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let post = (
        0..5usize,
        0..40u32,
        proptest::option::of(0..12usize),
        proptest::option::weighted(0.2, 0..12usize),
    )
        .prop_map(|(author, time, reply_to, quote)| PostSpec {
            author,
            time,
            reply_to,
            quote,
        });
    (
        proptest::collection::vec(post, 1..12),
        proptest::collection::vec((0..4u8, 0..5usize, 0..12usize, 0..60u32), 0..30),
    )
        .prop_flat_map(|(posts, acts)| {
            let n = posts.len() + acts.len();
            (
                Just(posts),
                Just(acts),
                proptest::collection::vec(
                    prop_oneof![6 => Just(0u8), 2 => Just(1u8), 2 => Just(2u8)],
                    n,
                ),
                proptest::collection::vec(any::<u32>(), 2 * n + 2),
            )
        })
        .prop_map(|(posts, acts, fate, shuffle_seed)| Scenario {
            posts,
            acts,
            fate,
            shuffle_seed,
        })
}

fn puri(s: &Scenario, k: usize) -> String {
    let k = k % s.posts.len();
    post_uri(ACCOUNTS[s.posts[k].author], &format!("p{k}"))
}

/// Every record of the scenario, final version: (event, stale version).
fn records_of(s: &Scenario) -> Vec<(RecordEvent, RecordEvent)> {
    let mut out = Vec::new();
    for (k, p) in s.posts.iter().enumerate() {
        let who = ACCOUNTS[p.author];
        let rkey = format!("p{k}");
        let text = format!("post {k} by {who} word{}", k % 3);
        let e = match (p.reply_to, p.quote) {
            (Some(r), _) => {
                let parent = puri(s, r);
                let root = puri(s, r / 2);
                reply(who, &rkey, &text, p.time, &root, &parent)
            }
            (None, Some(q)) => quote(who, &rkey, &text, p.time, &puri(s, q)),
            (None, None) => post(who, &rkey, &text, p.time),
        };
        let stale = post(who, &rkey, "stale version", p.time + 7);
        out.push((e, stale));
    }
    for (i, &(kind, actor, target, t)) in s.acts.iter().enumerate() {
        let who = ACCOUNTS[actor];
        let rkey = format!("x{i}");
        let whom = ACCOUNTS[target % ACCOUNTS.len()];
        let e = match kind {
            0 => like(who, &rkey, &puri(s, target), t),
            1 => repost(who, &rkey, &puri(s, target), t),
            2 => follow(who, &rkey, whom),
            _ => block(who, &rkey, whom),
        };
        // A stale version points elsewhere.
        let stale = like(who, &rkey, &puri(s, target + 1), t);
        let stale = RecordEvent {
            collection: e.collection.clone(),
            ..stale
        };
        let stale = if kind == 0 || kind == 1 {
            stale
        } else {
            e.clone()
        };
        out.push((e, stale));
    }
    out
}

/// The event sequence: a random interleaving in which each record's own
/// events keep their order.
fn sequence(s: &Scenario, recs: &[(RecordEvent, RecordEvent)]) -> Vec<RecordEvent> {
    let mut slots: Vec<usize> = Vec::new();
    for (i, f) in s.fate.iter().enumerate() {
        slots.push(i);
        if *f != 0 {
            slots.push(i);
        }
    }
    // Fisher-Yates with the generated numbers.
    for i in (1..slots.len()).rev() {
        let j = s.shuffle_seed[i % s.shuffle_seed.len()] as usize % (i + 1);
        slots.swap(i, j);
    }
    let mut seen = vec![0u8; recs.len()];
    slots
        .into_iter()
        .map(|i| {
            let (e, stale) = &recs[i];
            let nth = seen[i];
            seen[i] += 1;
            match (s.fate[i], nth) {
                (1, 1) => del_of(e),
                (2, 0) => stale.clone(),
                _ => e.clone(),
            }
        })
        .collect()
}

fn del_of(e: &RecordEvent) -> RecordEvent {
    RecordEvent {
        op: ues_apps::feed::RecordOp::Delete,
        ..e.clone()
    }
}

/// Counts and timelines computed naively from the final records.
fn expected_timeline(
    s: &Scenario,
    recs: &[(RecordEvent, RecordEvent)],
    viewer: &str,
) -> Vec<String> {
    let st = canonical(s, recs); // only for parsed fields, not for indexes
    let finals: Vec<&RecordEvent> = recs
        .iter()
        .zip(&s.fate)
        .filter(|(_, f)| **f != 1)
        .map(|((e, _), _)| e)
        .collect();
    let uri_of = |e: &RecordEvent| format!("at://{}/{}/{}", e.did, e.collection, e.rkey);
    let mut follows = BTreeSet::new();
    let mut blocks = BTreeSet::new();
    for e in &finals {
        let rec = st.record(&uri_of(e)).map(|r| r.parsed.clone());
        match rec {
            Some(ues_apps::feed::Parsed::Follow { subject }) => {
                follows.insert((e.did.clone(), subject));
            }
            Some(ues_apps::feed::Parsed::Block { subject }) => {
                blocks.insert((e.did.clone(), subject));
            }
            _ => {}
        }
    }
    let blocked = |a: &str, b: &str| {
        a != b
            && (blocks.contains(&(a.to_string(), b.to_string()))
                || blocks.contains(&(b.to_string(), a.to_string())))
    };
    let shown = |a: &str| a == viewer || follows.contains(&(viewer.to_string(), a.to_string()));
    let author = |u: &str| u.split('/').nth(2).unwrap_or_default().to_string();
    let mut items: Vec<((i64, String), String)> = Vec::new();
    for e in &finals {
        let u = uri_of(e);
        let Some(rec) = st.record(&u) else { continue };
        if !shown(&e.did) || blocked(viewer, &e.did) {
            continue;
        }
        match &rec.parsed {
            ues_apps::feed::Parsed::Post(p) => {
                if let Some((root, parent)) = &p.reply {
                    if !shown(&author(parent))
                        || blocked(viewer, &author(parent))
                        || blocked(viewer, &author(root))
                    {
                        continue;
                    }
                }
                items.push(((p.sort_at, u.clone()), u));
            }
            ues_apps::feed::Parsed::Repost { subject, sort_at } => {
                let Some(ues_apps::feed::Parsed::Post(sp)) = st.record(subject).map(|r| &r.parsed)
                else {
                    continue;
                };
                if blocked(viewer, &author(subject)) {
                    continue;
                }
                if let Some((root, parent)) = &sp.reply {
                    if blocked(viewer, &author(parent)) || blocked(viewer, &author(root)) {
                        continue;
                    }
                }
                items.push(((*sort_at, u.clone()), format!("repost:{u}")));
            }
            _ => {}
        }
    }
    items.sort();
    items.into_iter().rev().map(|(_, s)| s).collect()
}

fn canonical(s: &Scenario, recs: &[(RecordEvent, RecordEvent)]) -> FeedState {
    let mut st = FeedState::new();
    for ((e, _), f) in recs.iter().zip(&s.fate) {
        if *f != 1 {
            st.apply(e).expect("apply");
        }
    }
    st
}

fn timeline(st: &FeedState, viewer: &str) -> Vec<String> {
    st.timeline(viewer, 10_000, None)
        .expect("timeline")
        .items
        .iter()
        .map(|i| match &i.reason {
            Some(r) => format!("repost:{}", r.uri),
            None => i.post.uri.clone(),
        })
        .collect()
}

fn paged(st: &FeedState, viewer: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = st.timeline(viewer, 2, cursor.as_deref()).expect("page");
        out.extend(p.items.iter().map(|i| match &i.reason {
            Some(r) => format!("repost:{}", r.uri),
            None => i.post.uri.clone(),
        }));
        match p.cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// Everything observable: per-post counts, per-account views.
fn observe(st: &FeedState, s: &Scenario) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for k in 0..s.posts.len() {
        let u = puri(s, k);
        out.insert(format!("post {u}"), format!("{:?}", st.post_view(&u, None)));
        out.insert(
            format!("thread {u}"),
            format!("{:?}", st.thread(&u, Some(&did("a")), 10, 10)),
        );
    }
    for a in ACCOUNTS {
        let d = did(a);
        out.insert(
            format!("timeline {a}"),
            format!("{:?}", st.timeline(&d, 10_000, None)),
        );
        out.insert(
            format!("author {a}"),
            format!(
                "{:?}",
                st.author_feed(
                    &d,
                    AuthorFilter::PostsWithReplies,
                    Some(&did("b")),
                    10_000,
                    None
                )
            ),
        );
        out.insert(
            format!("profile {a}"),
            format!("{:?}", st.profile_view(&d, Some(&did("c")))),
        );
        out.insert(
            format!("foryou {a}"),
            format!(
                "{:?}",
                st.for_you(&d, micros(90), &RankParams::default(), 10_000, None)
            ),
        );
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_order_same_state(s in scenario()) {
        let recs = records_of(&s);
        let reference = canonical(&s, &recs);
        let mut st = FeedState::new();
        for e in sequence(&s, &recs) {
            st.apply(&e).expect("apply");
        }
        prop_assert!(st == reference, "states differ");
        prop_assert_eq!(observe(&st, &s), observe(&reference, &s));
        // Counts from scratch.
        let finals: Vec<&RecordEvent> = recs.iter().zip(&s.fate).filter(|(_, f)| **f != 1).map(|((e, _), _)| e).collect();
        for k in 0..s.posts.len() {
            let u = puri(&s, k);
            let Some(v) = st.post_view(&u, None) else { continue };
            let count = |collection: &str| finals.iter().filter(|e| e.collection == collection).filter(|e| {
                let r = reference.record(&format!("at://{}/{}/{}", e.did, e.collection, e.rkey));
                match r.map(|r| &r.parsed) {
                    Some(ues_apps::feed::Parsed::Like { subject }) | Some(ues_apps::feed::Parsed::Repost { subject, .. }) => subject == &u,
                    _ => false,
                }
            }).count();
            prop_assert_eq!(v.like_count, count(records::LIKE));
            prop_assert_eq!(v.repost_count, count(records::REPOST));
            let replies = s.posts.iter().enumerate().filter(|(j, p)| s.fate[*j] != 1 && p.reply_to.is_some_and(|r| puri(&s, r) == u)).count();
            prop_assert_eq!(v.reply_count, replies);
            let quotes = s.posts.iter().enumerate().filter(|(j, p)| s.fate[*j] != 1 && p.reply_to.is_none() && p.quote.is_some_and(|q| puri(&s, q) == u)).count();
            prop_assert_eq!(v.quote_count, quotes);
        }
        for a in ACCOUNTS {
            let full = timeline(&st, &did(a));
            prop_assert_eq!(&full, &expected_timeline(&s, &recs, &did(a)));
            // Pages of 2 through the cursors add up to the whole timeline.
            prop_assert_eq!(paged(&st, &did(a)), full);
            let now = micros(90);
            let params = RankParams::default();
            let all = st.for_you(&did(a), now, &params, 10_000, None).expect("for you");
            let mut joined = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let p = st.for_you(&did(a), now, &params, 2, cursor.as_deref()).expect("page");
                joined.extend(p.items);
                match p.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            prop_assert_eq!(joined, all.items);
        }
    }
}
