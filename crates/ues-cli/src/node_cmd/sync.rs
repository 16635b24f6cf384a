//! Repo sync over `/ues/sync/1` and gossipsub, driven by the sync layer's
//! sans-IO [`RepoSession`]:
//!
//! - a node announces each new head of a repo it holds as a `repoHead`
//!   frame on the repo's gossipsub topic, and answers a heads exchange
//!   (a request carrying `repoHead` frames, or none) with its own heads;
//! - a `repoHead` newer than what it holds (or of a did:key repo it does
//!   not hold yet: it follows it) makes the session say `repoWant` since
//!   its rev; that frame goes to the peer as a request;
//! - the peer exports the slice since that rev and answers with `repoCar`
//!   chunks; the session reassembles them (bounded) and the node imports
//!   the slice (`Node::import_car`: every block, the MST and the commit
//!   signature are checked; nothing is written when a check fails).
//!
//! One pull per repo at a time; later announcements wait (bounded).

use super::events::emit;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use ues_data::car::read_all;
use ues_data::cid::Cid;
use ues_node::Node;
use ues_p2p::libp2p::request_response::OutboundRequestId;
use ues_p2p::libp2p::swarm::Swarm;
use ues_p2p::libp2p::{kad, PeerId};
use ues_p2p::{repo_topic, Frames, RateLimiter, SyncRequest, UesBehaviour};
use ues_repo::{Commit, Tid};
use ues_store::native::NativeStore;
use ues_sync::{Msg, RepoAction, RepoSession, MAX_FRAME};

pub(crate) type N = Node<NativeStore>;
pub(crate) type S = Swarm<UesBehaviour>;

/// Largest repo slice a pull reassembles.
pub const MAX_CAR: usize = 48 << 20;
/// Most announcements waiting for a pull in flight.
const MAX_WANTED: usize = 1024;
/// Most sync requests of ours in flight.
const MAX_PENDING: usize = 256;
/// Most repos followed.
const MAX_REPOS: usize = 10_000;
/// Heads are exchanged with every connected peer this often.
const HEADS_EVERY_MS: u64 = 10_000;
/// Bad frames or slices before a peer is disconnected.
const MAX_STRIKES: u32 = 3;

#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub rev: String,
    pub commit: Cid,
}

enum Pending {
    Heads,
    Pull { did: String },
}

/// What the node follows and what it is asking for.
pub(crate) struct SyncState {
    pub heads: BTreeMap<String, Head>,
    own: String,
    pending: HashMap<OutboundRequestId, Pending>,
    pulling: BTreeSet<String>,
    wanted: BTreeMap<String, (PeerId, Vec<u8>)>,
    limiter: RateLimiter<PeerId>,
    strikes: HashMap<PeerId, u32>,
    last_heads_ms: u64,
}

fn head_of(car: &[u8]) -> Option<Head> {
    let car = read_all(car).ok()?;
    let root = *car.roots.first()?;
    let commit = Commit::decode(car.blocks.get(&root)?).ok()?;
    Some(Head {
        rev: commit.unsigned.rev.to_string(),
        commit: root,
    })
}

pub(super) fn session(did: &str) -> RepoSession {
    RepoSession::new(did, MAX_FRAME, MAX_CAR)
}

impl SyncState {
    /// The heads of every repo the node holds.
    pub async fn load(node: &mut N) -> Result<Self, crate::CliError> {
        let own = node.did().map_err(super::input)?.to_string();
        let mut heads = BTreeMap::new();
        for did in node.repo_dids() {
            // An empty repo (a fresh account) has no head yet.
            if let Ok(car) = node.export_car(Some(&did), None).await {
                if let Some(h) = head_of(&car) {
                    heads.insert(did, h);
                }
            }
        }
        Ok(SyncState {
            heads,
            own,
            pending: HashMap::new(),
            pulling: BTreeSet::new(),
            wanted: BTreeMap::new(),
            limiter: RateLimiter::new(40, 20, 1024),
            strikes: HashMap::new(),
            last_heads_ms: 0,
        })
    }

    /// Subscribes to the topics of the account's repo and every followed one.
    pub fn subscribe_all(&self, swarm: &mut S) {
        let dids = std::iter::once(&self.own).chain(self.heads.keys());
        for did in dids {
            if let Err(e) = swarm.behaviour_mut().gossipsub.subscribe(&repo_topic(did)) {
                tracing::warn!(%did, error = %e, "subscribe failed");
            }
        }
    }

    fn announce_frame(did: &str, h: &Head) -> Option<Vec<u8>> {
        session(did).announce(h.commit, &h.rev).ok()
    }

    pub(super) fn heads_frames(&self) -> Vec<Vec<u8>> {
        self.heads
            .iter()
            .filter_map(|(d, h)| Self::announce_frame(d, h))
            .collect()
    }

    /// Publishes our head of `did` on its topic.
    pub fn announce(&mut self, swarm: &mut S, did: &str) {
        let Some(frame) = self
            .heads
            .get(did)
            .and_then(|h| Self::announce_frame(did, h))
        else {
            return;
        };
        if let Err(e) = swarm
            .behaviour_mut()
            .gossipsub
            .publish(repo_topic(did), frame.clone())
        {
            // No subscriber known yet (a fresh connection): tell every
            // connected peer directly.
            tracing::debug!(%did, error = %e, "announcement not published: sending it directly");
            let peers: Vec<PeerId> = swarm.connected_peers().copied().collect();
            for p in peers {
                self.send_heads(swarm, p, vec![frame.clone()]);
            }
        }
    }

    /// A commit of ours (or one we imported): remember and announce it.
    pub fn set_head(&mut self, swarm: &mut S, did: &str, rev: &str, commit: &str) {
        let Ok(commit) = ues_data::cid::parse(commit) else {
            return;
        };
        let new = !self.heads.contains_key(did);
        self.heads.insert(
            did.to_string(),
            Head {
                rev: rev.to_string(),
                commit,
            },
        );
        if new && did != self.own {
            let b = swarm.behaviour_mut();
            if let Err(e) = b.gossipsub.subscribe(&repo_topic(did)) {
                tracing::warn!(%did, error = %e, "subscribe failed");
            }
            let _ = b.kad.start_providing(kad::RecordKey::new(&did));
        }
        self.announce(swarm, did);
    }

    /// Sends our heads to `peer`; its answer carries its heads.
    pub fn exchange_heads(&mut self, swarm: &mut S, peer: PeerId) {
        let frames = self.heads_frames();
        self.send_heads(swarm, peer, frames);
    }

    /// `peer` subscribed to the topic of `did`: send it our head of it.
    pub fn on_subscribed(&mut self, swarm: &mut S, peer: PeerId, did: &str) {
        if let Some(f) = self
            .heads
            .get(did)
            .and_then(|h| Self::announce_frame(did, h))
        {
            self.send_heads(swarm, peer, vec![f]);
        }
    }

    fn send_heads(&mut self, swarm: &mut S, peer: PeerId, frames: Vec<Vec<u8>>) {
        if self.pending.len() >= MAX_PENDING {
            return;
        }
        let id = swarm
            .behaviour_mut()
            .sync
            .send_request(&peer, SyncRequest::Frames(Frames(frames)));
        self.pending.insert(id, Pending::Heads);
    }

    /// Periodic work: a heads exchange with every connected peer.
    pub fn tick(&mut self, swarm: &mut S, now_ms: u64) {
        if now_ms.saturating_sub(self.last_heads_ms) < HEADS_EVERY_MS {
            return;
        }
        self.last_heads_ms = now_ms;
        let peers: Vec<PeerId> = swarm.connected_peers().copied().collect();
        for p in peers {
            self.exchange_heads(swarm, p);
        }
    }

    /// A peer misbehaved: say so, and disconnect it after a few times.
    pub fn reject(&mut self, swarm: &mut S, peer: PeerId, reason: &str) {
        if self.strikes.len() >= MAX_PENDING && !self.strikes.contains_key(&peer) {
            self.strikes.clear();
        }
        let n = self.strikes.entry(peer).or_insert(0);
        *n += 1;
        tracing::warn!(%peer, reason, strikes = *n, "peer rejected");
        emit(json!({"event": "rejected", "peer": peer.to_string(), "reason": reason}));
        if *n >= MAX_STRIKES {
            let _ = swarm.disconnect_peer_id(peer);
            self.strikes.remove(&peer);
        }
    }

    /// The peer left: forget its rate-limit bucket.
    pub fn forget(&mut self, peer: &PeerId) {
        self.limiter.forget(peer);
    }

    /// Takes a request token of `peer`.
    pub fn allow(&mut self, peer: &PeerId, now_ms: u64) -> bool {
        self.limiter.allow(peer, now_ms)
    }

    /// A `repoHead` frame from `peer` (gossip, a heads exchange): pull when
    /// it is newer than ours. `topic_did` is the repo its topic names.
    pub fn on_head(&mut self, swarm: &mut S, peer: PeerId, frame: &[u8], topic_did: Option<&str>) {
        let (did, rev) = match Msg::decode(frame, MAX_FRAME) {
            Ok(Msg::RepoHead { did, rev, .. }) => (did, rev),
            Ok(_) => return self.reject(swarm, peer, "expected a repoHead frame"),
            Err(e) => return self.reject(swarm, peer, &format!("bad head frame: {e}")),
        };
        if topic_did.is_some_and(|t| t != did) {
            return self.reject(swarm, peer, "head announced on another repo's topic");
        }
        if Tid::parse(&rev).is_err() || ues_data::syntax::validate_did(&did).is_err() {
            return self.reject(swarm, peer, "head with a bad DID or rev");
        }
        // Only repos whose DID is their key can be verified without a resolver.
        let known = self.heads.contains_key(&did) || did == self.own;
        if !known && (!did.starts_with("did:key:") || self.heads.len() >= MAX_REPOS) {
            return;
        }
        let local = self.heads.get(&did).map(|h| h.rev.clone());
        match session(&did).handle(frame, local.as_deref()) {
            Ok(actions) => {
                for a in actions {
                    if let RepoAction::Send(want) = a {
                        self.pull(swarm, &did, peer, want, frame);
                    }
                }
            }
            Err(e) => self.reject(swarm, peer, &format!("head: {e}")),
        }
    }

    fn pull(&mut self, swarm: &mut S, did: &str, peer: PeerId, want: Vec<u8>, head: &[u8]) {
        if self.pulling.contains(did) {
            if self.wanted.len() < MAX_WANTED || self.wanted.contains_key(did) {
                self.wanted.insert(did.to_string(), (peer, head.to_vec()));
            }
            return;
        }
        if self.pending.len() >= MAX_PENDING {
            return;
        }
        tracing::debug!(%did, %peer, "pulling");
        let id = swarm
            .behaviour_mut()
            .sync
            .send_request(&peer, SyncRequest::Frames(Frames(vec![want])));
        self.pending.insert(id, Pending::Pull { did: did.into() });
        self.pulling.insert(did.to_string());
    }

    /// The answer to one of our requests.
    pub async fn on_response(
        &mut self,
        node: &mut N,
        swarm: &mut S,
        peer: PeerId,
        id: OutboundRequestId,
        res: Frames,
    ) {
        match self.pending.remove(&id) {
            Some(Pending::Heads) => {
                for f in &res.0 {
                    self.on_head(swarm, peer, f, None);
                }
            }
            Some(Pending::Pull { did }) => {
                self.apply(node, swarm, peer, &did, res).await;
                self.pull_done(swarm, &did);
            }
            None => {}
        }
    }

    /// One of our requests failed (timeout, closed, refused).
    pub fn on_failure(&mut self, swarm: &mut S, peer: PeerId, id: OutboundRequestId, error: &str) {
        if let Some(Pending::Pull { did }) = self.pending.remove(&id) {
            emit(
                json!({"event": "sync_error", "did": did, "peer": peer.to_string(), "error": error}),
            );
            self.pull_done(swarm, &did);
        }
    }

    fn pull_done(&mut self, swarm: &mut S, did: &str) {
        self.pulling.remove(did);
        if let Some((peer, head)) = self.wanted.remove(did) {
            self.on_head(swarm, peer, &head, None);
        }
    }
}
