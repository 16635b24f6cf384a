//! The composed behaviour of a UES peer and its settings.

use crate::codec::{SyncCodec, SYNC_PROTOCOL};
use crate::P2pError;
use libp2p::identity::Keypair;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{
    connection_limits, gossipsub, identify, kad, ping, relay, request_response, StreamProtocol,
};
use std::time::Duration;

/// The identify protocol version UES peers announce.
pub const ID_PROTOCOL: &str = "/ues/id/1";
/// The Kademlia protocol of the UES network (its own DHT).
pub const KAD_PROTOCOL: StreamProtocol = StreamProtocol::new("/ues/kad/1.0.0");
/// Prefix of the gossipsub topic announcing a repo's head.
pub const REPO_TOPIC_PREFIX: &str = "/ues/repo/";

/// Limits and timings of a peer. Every queue the swarm keeps is bounded
/// by one of these.
#[derive(Debug, Clone)]
pub struct P2pConfig {
    /// Established connections in all.
    pub max_connections: u32,
    /// Established connections per peer.
    pub max_per_peer: u32,
    /// Connections being set up (each direction).
    pub max_pending: u32,
    /// A sync request's deadline.
    pub request_timeout: Duration,
    /// Concurrent sync streams per connection.
    pub max_streams: usize,
    /// Largest gossipsub message (head announcements are ~150 bytes).
    pub max_gossip: usize,
    /// Serve Kademlia queries (native nodes) or only ask (browsers).
    pub kad_server: bool,
    /// Run a circuit relay v2 server.
    pub relay_server: bool,
    /// The agent string identify announces.
    pub agent: String,
    /// How long a relayed circuit may last.
    pub relay_circuit_duration: Duration,
    /// How many bytes a relayed circuit may carry.
    pub relay_circuit_bytes: u64,
}

impl Default for P2pConfig {
    fn default() -> Self {
        P2pConfig {
            max_connections: 256,
            max_per_peer: 4,
            max_pending: 64,
            request_timeout: Duration::from_secs(30),
            max_streams: 32,
            max_gossip: 64 * 1024,
            kad_server: true,
            relay_server: true,
            agent: concat!("ues/", env!("CARGO_PKG_VERSION")).to_string(),
            relay_circuit_duration: Duration::from_secs(30 * 60),
            relay_circuit_bytes: 64 << 20,
        }
    }
}

/// identify, ping, relay (server and client), Kademlia, gossipsub, the
/// sync protocol and connection limits, in one behaviour.
#[derive(NetworkBehaviour)]
pub struct UesBehaviour {
    pub limits: connection_limits::Behaviour,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub relay: libp2p::swarm::behaviour::toggle::Toggle<relay::Behaviour>,
    pub relay_client: relay::client::Behaviour,
    pub kad: kad::Behaviour<kad::store::MemoryStore>,
    pub gossipsub: gossipsub::Behaviour,
    pub sync: request_response::Behaviour<SyncCodec>,
}

/// The events of [`UesBehaviour`].
pub type UesEvent = UesBehaviourEvent;

impl UesBehaviour {
    /// The behaviour of the peer `key`; `relay_client` comes from the
    /// transport (the swarm builder makes both halves).
    pub fn new(
        key: &Keypair,
        relay_client: relay::client::Behaviour,
        cfg: &P2pConfig,
    ) -> Result<Self, P2pError> {
        let peer = key.public().to_peer_id();
        let limits = connection_limits::ConnectionLimits::default()
            .with_max_established(Some(cfg.max_connections))
            .with_max_established_per_peer(Some(cfg.max_per_peer))
            .with_max_pending_incoming(Some(cfg.max_pending))
            .with_max_pending_outgoing(Some(cfg.max_pending));
        let identify = identify::Behaviour::new(
            identify::Config::new(ID_PROTOCOL.to_string(), key.public())
                .with_agent_version(cfg.agent.clone()),
        );
        let mut kad = kad::Behaviour::with_config(
            peer,
            kad::store::MemoryStore::new(peer),
            kad::Config::new(KAD_PROTOCOL),
        );
        kad.set_mode(Some(if cfg.kad_server {
            kad::Mode::Server
        } else {
            kad::Mode::Client
        }));
        let gossip_cfg = gossipsub::ConfigBuilder::default()
            .heartbeat_interval(Duration::from_millis(500))
            .validation_mode(gossipsub::ValidationMode::Strict)
            .max_transmit_size(cfg.max_gossip)
            .build()
            .map_err(|e| P2pError::Behaviour(format!("gossipsub: {e}")))?;
        let gossipsub = gossipsub::Behaviour::new(
            gossipsub::MessageAuthenticity::Signed(key.clone()),
            gossip_cfg,
        )
        .map_err(|e| P2pError::Behaviour(format!("gossipsub: {e}")))?;
        let sync = request_response::Behaviour::with_codec(
            SyncCodec::default(),
            [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(cfg.request_timeout)
                .with_max_concurrent_streams(cfg.max_streams),
        );
        // Circuits carry repo sync between peers that cannot dial each
        // other (browsers): longer and larger than the 2 min / 128 KiB
        // defaults, still bounded.
        let relay_cfg = relay::Config {
            max_circuit_duration: cfg.relay_circuit_duration,
            max_circuit_bytes: cfg.relay_circuit_bytes,
            ..relay::Config::default()
        };
        let relay = cfg
            .relay_server
            .then(|| relay::Behaviour::new(peer, relay_cfg));
        Ok(UesBehaviour {
            limits: connection_limits::Behaviour::new(limits),
            identify,
            ping: ping::Behaviour::new(ping::Config::new()),
            relay: relay.into(),
            relay_client,
            kad,
            gossipsub,
            sync,
        })
    }
}

/// The gossipsub topic announcing the head of repo `did`.
pub fn repo_topic(did: &str) -> gossipsub::IdentTopic {
    gossipsub::IdentTopic::new(format!("{REPO_TOPIC_PREFIX}{did}"))
}

/// The repo DID a topic announces, if it is a repo topic.
pub fn topic_did(topic: &gossipsub::TopicHash) -> Option<&str> {
    topic.as_str().strip_prefix(REPO_TOPIC_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_roundtrip() {
        let t = repo_topic("did:key:zabc");
        assert_eq!(topic_did(&t.hash()), Some("did:key:zabc"));
        assert_eq!(topic_did(&gossipsub::IdentTopic::new("other").hash()), None);
    }
}
