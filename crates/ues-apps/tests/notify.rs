//! Notifications of the viewer: likes, reposts, replies, quotes, mentions
//! and follows by others, newest first, paged, gone after deletes, hidden
//! across blocks.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use ues_apps::feed::records;
use ues_apps::feed::{tid_micros, FeedState};

/// A TID record key for `minutes` after [`time`]'s origin.
fn tid(minutes: u32) -> String {
    const CHARS: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    let v = (micros(minutes) as u64) << 10;
    (0..13)
        .map(|i| CHARS[((v >> (60 - 5 * i)) & 31) as usize] as char)
        .collect()
}

fn reasons(s: &FeedState, viewer: &str) -> Vec<&'static str> {
    let page = s.notifications(viewer, 50, None).expect("page");
    page.items.iter().map(|n| n.reason.as_str()).collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn notifications_of_the_viewer() {
    assert_eq!(tid_micros(&tid(7)), Some(micros(7)));
    assert_eq!(tid_micros("self"), None);
    let ann = did("ann");
    let p = post_uri("ann", "p1");
    let mut s = FeedState::new();
    s.set_handle(&ann, Some("ann.test"));
    let (l, f) = (tid(3), tid(1));
    apply_all(
        &mut s,
        &[
            post("ann", "p1", "first", 0),
            follow("bob", &f, "ann"),
            post("bob", "b1", "hey @ann.test!", 2),
            post("bob", "b2", "not @ann.testing", 2),
            like("bob", &l, &p, 3),
            repost("carol", "rp1", &p, 4),
            reply("carol", "c1", "agreed", 5, &p, &p),
            quote("dan", "d1", "look", 6, &p),
            // Ann's own like of her post is no notification.
            like("ann", &tid(7), &p, 7),
        ],
    );
    assert_eq!(
        reasons(&s, &ann),
        ["quote", "reply", "repost", "like", "mention", "follow"]
    );
    let page = s.notifications(&ann, 50, None).expect("page");
    assert_eq!(page.items[1].text.as_deref(), Some("agreed"));
    assert_eq!(page.items[1].subject.as_deref(), Some(p.as_str()));
    assert_eq!(page.items[3].sort_at, micros(3));
    assert_eq!(page.cursor, None);

    // Pages of two.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.notifications(&ann, 2, cursor.as_deref()).expect("page");
        seen.extend(page.items.iter().map(|n| n.reason.as_str()));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, reasons(&s, &ann));
    assert!(s.notifications(&ann, 2, Some("nope")).is_err());

    // Deletes take them away; a block hides the blocked account's.
    apply_all(
        &mut s,
        &[
            del("bob", records::LIKE, &l),
            del("carol", records::POST, "c1"),
            ev(
                "ann",
                records::BLOCK,
                "k1",
                &records::block(&did("dan"), &time(9)),
            ),
        ],
    );
    assert_eq!(reasons(&s, &ann), ["repost", "mention", "follow"]);
    // Nothing for someone nobody interacted with.
    assert!(reasons(&s, &did("erin")).is_empty());
}
