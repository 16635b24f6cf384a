//! Following accounts and pulling their repos through a relay. The relay
//! here serves other nodes' repos as the real one does (getLatestCommit,
//! getRepo whole or `since` a rev) and can be told to lie; the real relay is
//! exercised end to end by tests/browser/follow.mjs.
#![cfg(not(target_arch = "wasm32"))]

use futures::executor::block_on;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use ues_node::{Http, Node, NodeOptions};
use ues_store::MemoryStore;

type TestNode = Node<MemoryStore>;

/// A relay over the nodes it mirrors (by DID), logging every URL asked.
#[derive(Default)]
struct Relay {
    nodes: RefCell<BTreeMap<String, TestNode>>,
    asked: RefCell<Vec<String>>,
    /// Serve this CAR for every getRepo instead of the real one.
    forged: RefCell<Option<Vec<u8>>>,
}

fn answer(status: u16, v: Value) -> Result<(u16, Vec<u8>), String> {
    Ok((status, v.to_string().into_bytes()))
}

fn param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .map(|v| v.replace("%3A", ":"))
}

impl Http for Relay {
    async fn send(
        &self,
        method: &str,
        url: &str,
        _ct: Option<&str>,
        _bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), String> {
        self.asked.borrow_mut().push(url.to_string());
        // Linking (createAccount) succeeds; importRepo is not needed here.
        if url.contains("com.atproto.server.createAccount") {
            let b: Value = serde_json::from_slice(&body.unwrap_or_default()).unwrap_or_default();
            return answer(
                200,
                json!({"did": b["did"], "accessJwt": "a", "refreshJwt": "r"}),
            );
        }
        if url.contains("com.atproto.repo.importRepo") {
            return answer(200, json!({}));
        }
        assert_eq!(method, "GET", "{url}");
        let did = param(url, "did").unwrap_or_default();
        // Out of the map while it is used (no RefCell borrow across await).
        let Some(mut node) = self.nodes.borrow_mut().remove(&did) else {
            return answer(400, json!({"error": "RepoNotFound", "message": did}));
        };
        let r = self.serve(&mut node, url).await;
        self.nodes.borrow_mut().insert(did, node);
        r
    }
}

impl Relay {
    async fn serve(&self, node: &mut TestNode, url: &str) -> Result<(u16, Vec<u8>), String> {
        if url.contains("getLatestCommit") {
            let st = node.relay_status().await.ok().flatten();
            let rev = st.and_then(|s| s.head_rev);
            return answer(200, json!({"cid": "x", "rev": rev}));
        }
        if let Some(f) = self.forged.borrow().clone() {
            return Ok((200, f));
        }
        let since = param(url, "since");
        let car = node
            .export_car(None, since.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        Ok((200, car))
    }

    /// Runs `f` on the node of `did` the relay serves.
    async fn with<T>(&self, did: &str, f: impl AsyncFnOnce(&mut TestNode) -> T) -> T {
        let mut node = self.nodes.borrow_mut().remove(did).unwrap();
        let r = f(&mut node).await;
        self.nodes.borrow_mut().insert(did.to_string(), node);
        r
    }
}

fn post(t: &str) -> Value {
    json!({"$type": "app.bsky.feed.post", "text": t, "createdAt": "2026-11-25T00:00:00.000Z"})
}

async fn account(relay: &Relay) -> (TestNode, String) {
    let mut n = Node::open(MemoryStore::new(), NodeOptions::default())
        .await
        .unwrap();
    let did = n.create_account(None, None).await.unwrap().did;
    n.relay_connect(relay, "http://relay.test", "x.test", "pw", true)
        .await
        .unwrap();
    (n, did)
}

async fn texts(n: &mut TestNode, did: &str) -> Vec<String> {
    let (list, _) = n
        .list_records(Some(did), "app.bsky.feed.post", None, 100, false)
        .await
        .unwrap();
    list.iter()
        .map(|r| r.value["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_follow_pulls_the_repo_whole_then_by_delta_and_not_again() {
    block_on(async {
        let relay = Relay::default();
        let (mut ann, _) = account(&relay).await;
        let (mut bob, bob_did) = account(&relay).await;
        bob.create_record("app.bsky.feed.post", None, &post("b1"))
            .await
            .unwrap();
        bob.create_record("app.bsky.feed.post", None, &post("b2"))
            .await
            .unwrap();
        relay.nodes.borrow_mut().insert(bob_did.clone(), bob);

        ann.follow(&bob_did, "2026-11-25T00:00:00.000Z")
            .await
            .unwrap();
        assert_eq!(ann.following().await.unwrap(), vec![bob_did.clone()]);
        let out = ann.relay_pull_following(&relay).await.unwrap();
        assert_eq!(out.len(), 1);
        assert!(out[0].updated && out[0].error.is_none(), "{out:?}");
        assert_eq!(texts(&mut ann, &bob_did).await, ["b1", "b2"]);
        let repo_calls = |r: &Relay| {
            r.asked
                .borrow()
                .iter()
                .filter(|u| u.contains("sync.getRepo"))
                .cloned()
                .collect::<Vec<_>>()
        };
        let first = repo_calls(&relay);
        assert_eq!(first.len(), 1);
        assert!(
            !first[0].contains("since="),
            "first pull is whole: {first:?}"
        );

        // One more post: only the commits since the rev held are asked for.
        let rev_before = out[0].rev.clone().unwrap();
        relay
            .with(&bob_did, async |b| {
                b.create_record("app.bsky.feed.post", None, &post("b3"))
                    .await
                    .unwrap()
            })
            .await;
        let out = ann.relay_pull(&relay, &bob_did).await.unwrap();
        assert!(out.updated);
        assert!(out.rev.clone().unwrap() > rev_before);
        assert_eq!(texts(&mut ann, &bob_did).await, ["b1", "b2", "b3"]);
        let calls = repo_calls(&relay);
        assert_eq!(calls.len(), 2);
        assert!(
            calls[1].contains(&format!("since={rev_before}")),
            "{calls:?}"
        );

        // Nothing new: the latest commit is asked, the repo is not.
        let out = ann.relay_pull(&relay, &bob_did).await.unwrap();
        assert!(!out.updated);
        assert_eq!(repo_calls(&relay).len(), 2);
    });
}

#[test]
fn a_repo_signed_by_another_key_is_refused_and_nothing_changes() {
    block_on(async {
        let relay = Relay::default();
        let (mut ann, _) = account(&relay).await;
        let (mut bob, bob_did) = account(&relay).await;
        let (mut eve, _) = account(&relay).await;
        bob.create_record("app.bsky.feed.post", None, &post("real"))
            .await
            .unwrap();
        eve.create_record("app.bsky.feed.post", None, &post("forged"))
            .await
            .unwrap();
        // Eve's repo, offered as Bob's.
        *relay.forged.borrow_mut() = Some(eve.export_car(None, None).await.unwrap());
        relay.nodes.borrow_mut().insert(bob_did.clone(), bob);
        let err = ann.relay_pull(&relay, &bob_did).await.unwrap_err();
        assert_eq!(err.code(), "RelayError", "{err}");
        assert!(err.to_string().contains("got the repo of"), "{err}");
        assert_eq!(ann.repo_dids().len(), 1, "nothing of it is kept");

        // Bob's own repo with a block flipped: refused by the CID checks.
        let mut car = relay
            .with(&bob_did, async |b| b.export_car(None, None).await.unwrap())
            .await;
        let at = car.len() - 3;
        car[at] ^= 1;
        *relay.forged.borrow_mut() = Some(car);
        let err = ann.relay_pull(&relay, &bob_did).await.unwrap_err();
        assert_ne!(err.code(), "RelayError", "{err}");
        assert_eq!(ann.repo_dids().len(), 1, "nothing of it is kept");
    });
}

#[test]
fn follow_rules_and_one_failing_pull_does_not_stop_the_others() {
    block_on(async {
        let relay = Relay::default();
        let (mut ann, ann_did) = account(&relay).await;
        let (mut bob, bob_did) = account(&relay).await;
        bob.create_record("app.bsky.feed.post", None, &post("hi"))
            .await
            .unwrap();
        relay.nodes.borrow_mut().insert(bob_did.clone(), bob);
        let at = "2026-11-25T00:00:00.000Z";
        let e = ann.follow(&ann_did, at).await.unwrap_err();
        assert_eq!(e.code(), "InvalidArgument");
        let e = ann.follow("not a did", at).await.unwrap_err();
        assert_eq!(e.code(), "InvalidArgument");

        let ghost = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
        ann.follow(ghost, at).await.unwrap();
        ann.follow(&bob_did, at).await.unwrap();
        assert_eq!(
            ann.follow(&bob_did, at).await.unwrap_err().code(),
            "InvalidArgument"
        );
        let out = ann.relay_pull_following(&relay).await.unwrap();
        assert_eq!(out.len(), 2);
        assert!(
            out[0].error.as_deref().unwrap().contains("RepoNotFound"),
            "{out:?}"
        );
        assert!(out[1].updated && out[1].error.is_none());
        assert_eq!(texts(&mut ann, &bob_did).await, ["hi"]);

        ann.unfollow(ghost).await.unwrap();
        assert_eq!(ann.following().await.unwrap(), vec![bob_did.clone()]);
        assert_eq!(
            ann.unfollow(ghost).await.unwrap_err().code(),
            "InvalidArgument"
        );
    });
}
