//! The relay link against an in-memory stand-in for the relay that checks
//! what it gets like the real one (each pushed CAR verified against the
//! account's key, revs only forward), and can go offline or expire tokens.
//! The real relay is exercised end to end by tests/browser/web.mjs.
#![cfg(not(target_arch = "wasm32"))]

use futures::executor::block_on;
use serde_json::{json, Value};
use std::cell::RefCell;
use ues_node::{Http, Node, NodeOptions};
use ues_repo::car_io::import_car;
use ues_repo::key_from_did_key;
use ues_repo::Repo;
use ues_store::MemoryStore;

#[derive(Default)]
struct FakeRelay {
    offline: bool,
    did: Option<String>,
    password: String,
    access: u32,
    expire_next: bool,
    rev: Option<String>,
    pushes: u32,
    /// Pushes that were slices on top of the relay's copy.
    slices: u32,
    copy: Option<Repo<MemoryStore>>,
}

struct Fake(RefCell<FakeRelay>);

fn answer(status: u16, v: Value) -> Result<(u16, Vec<u8>), String> {
    Ok((status, v.to_string().into_bytes()))
}

impl Http for Fake {
    async fn send(
        &self,
        _m: &str,
        url: &str,
        _ct: Option<&str>,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), String> {
        if self.0.borrow().offline {
            return Err("connection refused".into());
        }
        let method = url.rsplit('/').next().unwrap_or_default();
        let body = body.unwrap_or_default();
        if method == "com.atproto.repo.importRepo" {
            return self.import(bearer, &body).await;
        }
        let mut r = self.0.borrow_mut();
        let json = || serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
        let session = |r: &mut FakeRelay| {
            r.access += 1;
            json!({"did": r.did, "accessJwt": format!("a{}", r.access), "refreshJwt": "r"})
        };
        match method {
            "com.atproto.server.createAccount" => {
                let b = json();
                r.did = b["did"].as_str().map(str::to_string);
                r.password = b["password"].as_str().unwrap_or_default().to_string();
                answer(200, session(&mut r))
            }
            "com.atproto.server.createSession" => {
                if json()["password"].as_str() != Some(r.password.as_str()) {
                    return answer(
                        401,
                        json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
                    );
                }
                answer(200, session(&mut r))
            }
            "com.atproto.server.refreshSession" => answer(200, session(&mut r)),
            _ => answer(501, json!({"error": "MethodNotImplemented"})),
        }
    }
}

impl Fake {
    /// Like the real relay: a whole repo the first time, then slices on top
    /// of its copy (verified, revs only forward).
    async fn import(&self, bearer: Option<&str>, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
        let (did, copy) = {
            let mut r = self.0.borrow_mut();
            if r.expire_next || bearer != Some(format!("a{}", r.access).as_str()) {
                r.expire_next = false;
                return answer(400, json!({"error": "ExpiredToken", "message": "expired"}));
            }
            (r.did.clone().unwrap_or_default(), r.copy.take())
        };
        let key = key_from_did_key(&did).map_err(|e| e.to_string())?;
        let applied = match copy {
            None => import_car(MemoryStore::new(), body, Some(&did), &key)
                .await
                .map(|repo| (repo, false)),
            Some(mut repo) => {
                let res = repo.apply_car(body, &key).await;
                res.map(|_| (repo, true))
            }
        };
        let mut r = self.0.borrow_mut();
        match applied {
            Ok((repo, slice)) => {
                r.rev = repo.rev().map(|t| t.to_string());
                let cid = repo.head().map(|c| c.to_string());
                r.copy = Some(repo);
                r.pushes += 1;
                r.slices += u32::from(slice);
                answer(200, json!({ "cid": cid }))
            }
            Err(e) => answer(
                400,
                json!({"error": "InvalidCar", "message": e.to_string()}),
            ),
        }
    }
}

fn post(t: &str) -> Value {
    json!({"$type": "app.bsky.feed.post", "text": t, "createdAt": "2026-11-25T00:00:00.000Z"})
}

#[test]
fn writes_reach_the_relay_and_offline_writes_wait_for_it() {
    block_on(async {
        let relay = Fake(RefCell::new(FakeRelay::default()));
        let mut node = Node::open(MemoryStore::new(), NodeOptions::default())
            .await
            .unwrap();
        node.create_account(None, None).await.unwrap();
        let first = node
            .create_record("app.bsky.feed.post", None, &post("one"))
            .await
            .unwrap();
        let st = node
            .relay_connect(&relay, "http://relay.test/", "ann.test", "pw", true)
            .await
            .unwrap();
        assert_eq!(st.pushed_rev.as_deref(), Some(first.rev.as_str()));
        assert!(!st.pending);
        assert_eq!(relay.0.borrow().rev.as_deref(), Some(first.rev.as_str()));

        // Offline: the write lands locally and waits.
        relay.0.borrow_mut().offline = true;
        let second = node
            .create_record("app.bsky.feed.post", None, &post("two"))
            .await
            .unwrap();
        let err = node.relay_push(&relay).await.unwrap_err();
        assert_eq!(err.code(), "Offline");
        let st = node.relay_status().await.unwrap().unwrap();
        assert!(st.pending);
        assert_eq!(st.head_rev.as_deref(), Some(second.rev.as_str()));
        assert_eq!(st.pushed_rev.as_deref(), Some(first.rev.as_str()));

        // Back online, with an expired token: refreshed, pushed.
        relay.0.borrow_mut().offline = false;
        relay.0.borrow_mut().expire_next = true;
        let st = node.relay_push(&relay).await.unwrap();
        assert!(!st.pending);
        assert_eq!(relay.0.borrow().rev.as_deref(), Some(second.rev.as_str()));
        assert_eq!(
            relay.0.borrow().slices,
            1,
            "the second push is the slice since the first"
        );
        // Nothing new: no push.
        let pushes = relay.0.borrow().pushes;
        node.relay_push(&relay).await.unwrap();
        assert_eq!(relay.0.borrow().pushes, pushes);

        // Logging in again with a wrong password is refused and changes nothing.
        let err = node
            .relay_connect(&relay, "http://relay.test", "ann.test", "nope", false)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "RelayError", "{err}");
        assert_eq!(
            node.relay_status()
                .await
                .unwrap()
                .unwrap()
                .pushed_rev
                .as_deref(),
            Some(second.rev.as_str())
        );
        let err = node
            .relay_connect(&relay, "ftp://x", "ann.test", "pw", false)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "InvalidArgument");
        let sync_events = node
            .drain_events()
            .into_iter()
            .filter(|e| e.name() == "sync")
            .count();
        assert!(sync_events >= 3, "sync events: {sync_events}");
    });
}
