//! The test model: deterministic records and the brute-force answer to
//! each query, computed from the records alone.

use serde_json::json;
use std::collections::BTreeMap;
use std::ops::Bound;
use ues_data::cbor::Ipld;
use ues_data::syntax::parse_datetime;
use ues_repo::{record_from_json, IndexQuery};
use ues_store::index::Value;

use super::common::DID;

pub const POST: &str = "app.bsky.feed.post";
pub const LIKE: &str = "app.bsky.feed.like";
pub const REPOST: &str = "app.bsky.feed.repost";
pub const FOLLOW: &str = "app.bsky.graph.follow";
pub const COLLS: [&str; 4] = [POST, LIKE, REPOST, FOLLOW];
pub const WORDS: [&str; 8] = [
    "hello",
    "world",
    "rust",
    "wasm",
    "help",
    "atproto",
    "index",
    "rustacean",
];

pub fn rec(v: serde_json::Value) -> Ipld {
    record_from_json(&v).expect("valid record")
}

pub fn uri(coll: &str, rkey: &str) -> String {
    format!("at://{DID}/{coll}/{rkey}")
}

/// A deterministic pseudo-random sequence.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

pub fn created(i: usize) -> serde_json::Value {
    match i % 7 {
        5 => json!("not a date"),
        6 => json!(null),
        _ => json!(format!("2026-11-{:02}T{:02}:00:00.000Z", 1 + i % 5, i % 24)),
    }
}

pub fn post(r: &mut Lcg, i: usize) -> Ipld {
    let text: Vec<&str> = (0..1 + r.next(5))
        .map(|_| WORDS[r.next(WORDS.len())])
        .collect();
    let mut v = json!({"$type": POST, "text": text.join(" "), "createdAt": created(i)});
    if i.is_multiple_of(3) {
        let root = uri(POST, &format!("p{:02}", i % 4));
        v["reply"] =
            json!({"root": {"uri": root, "cid": "x"}, "parent": {"uri": root, "cid": "x"}});
    }
    rec(v)
}

pub fn subject_rec(coll: &str, r: &mut Lcg, i: usize) -> Ipld {
    if coll == FOLLOW {
        let did = format!("did:example:u{}", r.next(4));
        return rec(json!({"$type": coll, "subject": did, "createdAt": created(i)}));
    }
    let s = uri(POST, &format!("p{:02}", r.next(6)));
    rec(json!({"$type": coll, "subject": {"uri": s, "cid": "x"}, "createdAt": created(i)}))
}

pub fn str_at<'a>(v: &'a Ipld, path: &str) -> Option<&'a str> {
    let v = path.split('.').try_fold(v, |v, k| match v {
        Ipld::Map(m) => m.get(k),
        _ => None,
    })?;
    match v {
        Ipld::String(s) => Some(s),
        _ => None,
    }
}

/// The queries compared.
#[derive(Debug, Clone)]
pub enum Q {
    Time(&'static str),
    Created(&'static str, Bound<i64>, Bound<i64>),
    Subject(&'static str, String),
    Thread(IndexQuery),
}

pub fn in_bounds<T: Ord>(v: &T, lo: &Bound<T>, hi: &Bound<T>) -> bool {
    (match lo {
        Bound::Included(l) => v >= l,
        Bound::Excluded(l) => v > l,
        Bound::Unbounded => true,
    }) && (match hi {
        Bound::Included(h) => v <= h,
        Bound::Excluded(h) => v < h,
        Bound::Unbounded => true,
    })
}

/// The brute-force answer, ascending.
pub fn expect(all: &BTreeMap<&'static str, Vec<(String, Ipld)>>, q: &Q) -> Vec<String> {
    let mut keyed: Vec<(String, String)> = Vec::new();
    let mut created_keyed: Vec<(i64, String)> = Vec::new();
    match q {
        Q::Time(c) => keyed = all[c].iter().map(|(u, _)| (u.clone(), u.clone())).collect(),
        Q::Created(c, lo, hi) => {
            for (u, v) in &all[c] {
                let t = str_at(v, "createdAt").and_then(|s| parse_datetime(s).ok());
                if let Some(t) = t.map(|d| d.unix_micros()).filter(|t| in_bounds(t, lo, hi)) {
                    created_keyed.push((t, u.clone()));
                }
            }
        }
        Q::Subject(c, s) => {
            let path = if *c == FOLLOW {
                "subject"
            } else {
                "subject.uri"
            };
            for (u, v) in &all[c] {
                if str_at(v, path) == Some(s.as_str()) {
                    keyed.push((u.clone(), u.clone()));
                }
            }
        }
        Q::Thread(iq) => {
            let (lo, hi) = match iq {
                IndexQuery::Eq(v) => (Bound::Included(v.clone()), Bound::Included(v.clone())),
                IndexQuery::Range(lo, hi) => (lo.clone(), hi.clone()),
            };
            for (u, v) in &all[POST] {
                if let Some(root) = str_at(v, "reply.root.uri") {
                    let key = vec![Value::from(root)];
                    if in_bounds(&key, &lo, &hi) {
                        keyed.push((root.to_string(), u.clone()));
                    }
                }
            }
        }
    }
    keyed.sort();
    created_keyed.sort();
    let mut out: Vec<String> = keyed.into_iter().map(|(_, u)| u).collect();
    out.extend(created_keyed.into_iter().map(|(_, u)| u));
    out
}
