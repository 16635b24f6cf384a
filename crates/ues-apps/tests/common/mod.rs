//! Shared helpers of the feed tests: events from the record builders.
#![allow(dead_code)]

use serde_json::Value;
use ues_apps::feed::records::{self, BlobRef, Embed, Image, PostBuilder, StrongRef};
use ues_apps::feed::{FeedState, RecordEvent, RecordOp};

pub const CID: &str = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";

/// `2026-01-01T00:00:00Z` plus `minutes`.
pub fn time(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let (d, h) = (1 + h / 24, h % 24);
    format!("2026-01-{d:02}T{h:02}:{m:02}:00.000Z")
}

/// Microseconds since the epoch of [`time`].
pub fn micros(minutes: u32) -> i64 {
    1_767_225_600_000_000 + i64::from(minutes) * 60_000_000
}

pub fn did(n: &str) -> String {
    format!("did:plc:{n}")
}

pub fn uri(who: &str, collection: &str, rkey: &str) -> String {
    format!("at://{}/{collection}/{rkey}", did(who))
}

pub fn post_uri(who: &str, rkey: &str) -> String {
    uri(who, records::POST, rkey)
}

pub fn sref(u: &str) -> StrongRef {
    StrongRef::new(u, CID)
}

pub fn ev(who: &str, collection: &str, rkey: &str, v: &Value) -> RecordEvent {
    RecordEvent {
        did: did(who),
        collection: collection.into(),
        rkey: rkey.into(),
        op: RecordOp::Upsert {
            cid: CID.into(),
            record: records::to_ipld(v).expect("ipld"),
        },
    }
}

pub fn del(who: &str, collection: &str, rkey: &str) -> RecordEvent {
    RecordEvent {
        did: did(who),
        collection: collection.into(),
        rkey: rkey.into(),
        op: RecordOp::Delete,
    }
}

pub fn post(who: &str, rkey: &str, text: &str, t: u32) -> RecordEvent {
    ev(
        who,
        records::POST,
        rkey,
        &PostBuilder::new(text, time(t)).to_json(),
    )
}

pub fn reply(who: &str, rkey: &str, text: &str, t: u32, root: &str, parent: &str) -> RecordEvent {
    let v = PostBuilder::new(text, time(t))
        .reply(sref(root), sref(parent))
        .to_json();
    ev(who, records::POST, rkey, &v)
}

pub fn quote(who: &str, rkey: &str, text: &str, t: u32, quoted: &str) -> RecordEvent {
    let v = PostBuilder::new(text, time(t))
        .embed(Embed::Record(sref(quoted)))
        .to_json();
    ev(who, records::POST, rkey, &v)
}

pub fn image_post(who: &str, rkey: &str, text: &str, t: u32) -> RecordEvent {
    let img = Image {
        image: BlobRef {
            cid: "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy".into(),
            mime_type: "image/png".into(),
            size: 1,
        },
        alt: "pic".into(),
        aspect_ratio: None,
    };
    let v = PostBuilder::new(text, time(t))
        .embed(Embed::Images(vec![img]))
        .to_json();
    ev(who, records::POST, rkey, &v)
}

pub fn like(who: &str, rkey: &str, subject: &str, t: u32) -> RecordEvent {
    ev(
        who,
        records::LIKE,
        rkey,
        &records::like(&sref(subject), &time(t)),
    )
}

pub fn repost(who: &str, rkey: &str, subject: &str, t: u32) -> RecordEvent {
    ev(
        who,
        records::REPOST,
        rkey,
        &records::repost(&sref(subject), &time(t)),
    )
}

pub fn follow(who: &str, rkey: &str, whom: &str) -> RecordEvent {
    ev(
        who,
        records::FOLLOW,
        rkey,
        &records::follow(&did(whom), &time(0)),
    )
}

pub fn block(who: &str, rkey: &str, whom: &str) -> RecordEvent {
    ev(
        who,
        records::BLOCK,
        rkey,
        &records::block(&did(whom), &time(0)),
    )
}

pub fn apply_all(state: &mut FeedState, events: &[RecordEvent]) {
    for e in events {
        state.apply(e).expect("apply");
    }
}

/// Alice follows Bob and Carol; posts, reposts and replies around them.
pub fn timeline_state() -> FeedState {
    let mut s = FeedState::new();
    apply_all(
        &mut s,
        &[
            follow("alice", "f1", "bob"),
            follow("alice", "f2", "carol"),
            post("bob", "b1", "bob one", 10),
            post("bob", "b2", "bob two", 20),
            post("carol", "c1", "carol one", 15),
            post("dan", "d1", "dan one", 12),
            post("alice", "a1", "alice one", 30),
            repost("carol", "rp1", &post_uri("dan", "d1"), 25),
            reply(
                "bob",
                "b3",
                "bob replies to dan",
                27,
                &post_uri("dan", "d1"),
                &post_uri("dan", "d1"),
            ),
            reply(
                "carol",
                "c2",
                "carol replies to bob",
                28,
                &post_uri("bob", "b1"),
                &post_uri("bob", "b1"),
            ),
            post("eve", "e1", "eve one", 29),
            repost("bob", "rp2", &post_uri("eve", "e1"), 31),
        ],
    );
    s
}
