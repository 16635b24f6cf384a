//! UES peer-to-peer layer (layer 5): the libp2p side of a UES node.
//!
//! - [`behaviour`]: one [`UesBehaviour`] composed of identify, ping,
//!   circuit relay v2 (server and client), Kademlia, gossipsub (one topic
//!   per repo for head announcements), connection limits and the
//!   request-response protocol [`SYNC_PROTOCOL`] that carries the sync
//!   layer's frames (`ues_sync::proto::Msg`).
//! - [`codec`]: the length-prefixed frame codec of `/ues/sync/1`, with hard
//!   caps checked before anything is allocated.
//! - [`rate`]: a per-peer token bucket for inbound requests.
//! - `native` (not on wasm32): the tokio swarm over TCP and WebSocket, both
//!   with noise + yamux.
//! - `wasm` (wasm32): the browser swarm (websocket-websys, webrtc-websys to
//!   `/webrtc-direct`, relay client); it dials, it cannot listen.
//!
//! The crate knows nothing of stores or repos: the host (the `ues node`
//! binary, later the browser node) feeds the swarm's events to its
//! `Node` and the sync layer's sans-IO sessions.

pub mod behaviour;
pub mod codec;
mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod rate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use behaviour::{repo_topic, topic_did, P2pConfig, UesBehaviour, UesEvent};
pub use codec::{Frames, SyncCodec, SyncRequest, SYNC_PROTOCOL};
pub use error::P2pError;
pub use libp2p;
pub use rate::RateLimiter;

/// The libp2p identity of a node from a 32-byte ed25519 secret (the
/// identity layer generates and persists it).
pub fn keypair_from_seed(seed: [u8; 32]) -> Result<libp2p::identity::Keypair, P2pError> {
    let mut seed = seed;
    libp2p::identity::Keypair::ed25519_from_bytes(&mut seed)
        .map_err(|e| P2pError::Key(e.to_string()))
}
