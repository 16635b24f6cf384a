//! The node's social feed: two nodes post, follow, like, reply and repost;
//! their repos move between them as CARs (export_car → import_car, as a
//! relay pull does). Timelines, counts, threads, profiles and notifications
//! follow, also when likes and replies are deleted again.
#![cfg(not(target_arch = "wasm32"))]

use futures::executor::block_on;
use ues_node::ues_apps::feed::{AuthorFilter, NotificationReason, ThreadNode};
use ues_node::{Node, NodeOptions, Progress};
use ues_store::MemoryStore;

type TestNode = Node<MemoryStore>;

/// An hour ago plus `minutes` (RFC 3339). Likes and follows sort by their
/// TID keys, which the node takes from the clock: they are newer.
fn t(minutes: u32) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
        - 3600
        + 60 * i64::from(minutes);
    let (days, secs) = (now.div_euclid(86_400), now.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, se) = (secs / 3600, secs % 3600 / 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{se:02}.000Z")
}

async fn node() -> (TestNode, String) {
    let mut n = Node::open(MemoryStore::new(), NodeOptions::default())
        .await
        .expect("open");
    let did = n.create_account(None, None).await.expect("account").did;
    (n, did)
}

/// `to` gets the current state of `from`'s repo.
async fn carry(from: &mut TestNode, to: &mut TestNode) {
    let car = from.export_car(None, None).await.expect("export");
    to.import_car(&car, None, &mut |_: Progress| {})
        .await
        .expect("import");
}

fn reasons(
    n: &ues_node::ues_apps::feed::Page<ues_node::ues_apps::feed::Notification>,
) -> Vec<&'static str> {
    n.items.iter().map(|i| i.reason.as_str()).collect()
}

#[test]
fn two_nodes_post_follow_like_reply_and_undo() {
    block_on(async {
        let (mut ann, ann_did) = node().await;
        let (mut bob, bob_did) = node().await;
        // Ann's state is built now (empty) and kept up incrementally; Bob's
        // is built on first read, after the imports.
        assert!(ann.timeline(10, None).await.expect("tl").items.is_empty());
        ann.set_handle(&ann_did, Some("ann.test"))
            .await
            .expect("handle");

        ann.set_profile(Some("Ann"), Some("I write things"))
            .await
            .expect("profile");
        let hello = ann.post("hello world", &t(1)).await.expect("post");
        ann.follow(&bob_did, &t(2)).await.expect("follow");
        bob.follow(&ann_did, &t(3)).await.expect("follow");
        let bob_post = bob
            .post("bob here, hi @ann.test", &t(4))
            .await
            .expect("post");
        carry(&mut ann, &mut bob).await;
        bob.set_handle(&ann_did, Some("ann.test"))
            .await
            .expect("handle");

        // Bob sees Ann's post and likes, reposts and replies to it.
        let tl = bob.timeline(10, None).await.expect("tl");
        let texts: Vec<&str> = tl.items.iter().map(|i| i.post.text.as_str()).collect();
        assert_eq!(texts, ["bob here, hi @ann.test", "hello world"]);
        let p = &tl.items[1].post;
        assert_eq!(p.display_name.as_deref(), Some("Ann"));
        let like = bob.like(&p.uri, &p.cid, &t(5)).await.expect("like");
        let (puri, pcid) = (p.uri.clone(), p.cid.clone());
        let repost = bob.repost(&puri, &pcid, &t(6)).await.expect("repost");
        let reply = bob.reply(&hello, "nice one", &t(7)).await.expect("reply");
        let pv = bob.thread(&hello, 5).await.expect("thread");
        let post = pv.post().expect("post");
        assert_eq!(
            (post.like_count, post.repost_count, post.reply_count),
            (1, 1, 1)
        );
        assert_eq!(post.viewer_like.as_deref(), Some(like.as_str()));

        // Ann pulls Bob's repo: counts, thread, notifications.
        carry(&mut bob, &mut ann).await;
        let tl = ann.timeline(10, None).await.expect("tl");
        let texts: Vec<&str> = tl.items.iter().map(|i| i.post.text.as_str()).collect();
        // Bob's reply, his repost of Ann's post, his post, Ann's post.
        assert_eq!(
            texts,
            [
                "nice one",
                "hello world",
                "bob here, hi @ann.test",
                "hello world"
            ]
        );
        assert_eq!(
            tl.items[1].reason.as_ref().map(|r| r.by.as_str()),
            Some(bob_did.as_str())
        );
        let mine = ann.thread(&hello, 5).await.expect("thread");
        let ThreadNode::Post { post, replies, .. } = &mine else {
            panic!("thread {mine:?}");
        };
        assert_eq!(
            (post.like_count, post.repost_count, post.reply_count),
            (1, 1, 1)
        );
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].post().map(|p| p.text.as_str()), Some("nice one"));
        let reply_view = replies[0].post().expect("reply");
        assert_eq!(
            reply_view.reply.as_ref().map(|r| r.0.as_str()),
            Some(hello.as_str())
        );

        let notes = ann.notifications(10, None).await.expect("notes");
        assert_eq!(
            reasons(&notes),
            ["like", "follow", "reply", "repost", "mention"]
        );
        assert!(notes.items.iter().all(|n| n.author == bob_did));
        assert_eq!(notes.items[2].subject.as_deref(), Some(hello.as_str()));
        // Paged: two, then the rest.
        let first = ann.notifications(2, None).await.expect("page");
        assert_eq!(reasons(&first), ["like", "follow"]);
        let rest = ann
            .notifications(10, first.cursor.as_deref())
            .await
            .expect("page 2");
        assert_eq!(reasons(&rest), ["reply", "repost", "mention"]);

        let bob_seen = ann.profile(&bob_did).await.expect("p").expect("known");
        assert_eq!(
            (
                bob_seen.followers_count,
                bob_seen.follows_count,
                bob_seen.posts_count
            ),
            (1, 1, 2)
        );
        assert!(bob_seen.viewer_following.is_some() && bob_seen.viewer_followed_by.is_some());
        let me = ann.profile(&ann_did).await.expect("p").expect("known");
        assert_eq!(me.description.as_deref(), Some("I write things"));
        assert_eq!(me.followers_count, 1);
        let feed = ann
            .author_feed(&bob_did, AuthorFilter::PostsNoReplies, 10, None)
            .await
            .expect("author feed");
        assert_eq!(feed.items.len(), 2, "his post and his repost");

        // Ann answers in the thread: root stays Ann's post.
        let r2 = ann.reply(&reply, "thanks", &t(8)).await.expect("reply");
        let th = ann.thread(&r2, 0).await.expect("thread");
        let r2v = th.post().expect("post");
        assert_eq!(r2v.reply, Some((hello.clone(), reply.clone())));
        carry(&mut ann, &mut bob).await;
        let bnotes = bob.notifications(10, None).await.expect("notes");
        assert_eq!(reasons(&bnotes), ["follow", "reply"]);
        assert_eq!(bnotes.items[1].text.as_deref(), Some("thanks"));

        // Bob takes back the like, the repost and the reply.
        bob.delete_uri(&like).await.expect("unlike");
        bob.delete_uri(&repost).await.expect("unrepost");
        bob.delete_uri(&reply).await.expect("delete reply");
        let b = bob.thread(&hello, 5).await.expect("thread");
        let bp = b.post().expect("post");
        assert_eq!((bp.like_count, bp.repost_count, bp.reply_count), (0, 0, 0));
        carry(&mut bob, &mut ann).await;
        let a = ann.thread(&hello, 5).await.expect("thread");
        let ap = a.post().expect("post");
        assert_eq!((ap.like_count, ap.repost_count, ap.reply_count), (0, 0, 0));
        let notes = ann.notifications(10, None).await.expect("notes");
        assert_eq!(reasons(&notes), ["follow", "mention"]);
        assert_eq!(notes.items[1].reason, NotificationReason::Mention);
        let tl = ann.timeline(10, None).await.expect("tl");
        assert!(tl
            .items
            .iter()
            .all(|i| i.reason.is_none() && i.post.text != "nice one"));
        assert!(bob.delete_uri(&hello).await.is_err(), "not Bob's record");
        assert!(bob.reply("at://nobody", "x", &t(9)).await.is_err());
        // Ann's state, kept up commit by commit and import by import, is
        // the state a fresh node builds from the same repos.
        let (mut carol, _) = node().await;
        carry(&mut ann, &mut carol).await;
        carry(&mut bob, &mut carol).await;
        carol
            .set_handle(&ann_did, Some("ann.test"))
            .await
            .expect("handle");
        let fresh = carol.feed_state().await.expect("state").clone();
        assert_eq!(*ann.feed_state().await.expect("state"), fresh);
        // The bob_post URI is Bob's.
        assert!(bob_post.starts_with(&format!("at://{bob_did}/")));
    });
}
