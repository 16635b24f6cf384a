//! The browser swarm: it can dial but not listen. WebSocket
//! (websocket-websys) and WebRTC-direct (webrtc-websys) to native nodes,
//! noise + yamux over the WebSocket, and the relay client so other peers
//! reach the tab through a native node's circuit relay.

use crate::behaviour::{P2pConfig, UesBehaviour};
use crate::P2pError;
use libp2p::core::upgrade::Version;
use libp2p::identity::Keypair;
use libp2p::{noise, webrtc_websys, websocket_websys, yamux, Swarm, SwarmBuilder, Transport};
use std::time::Duration;

/// How long an idle connection stays open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A browser swarm for `key`: Kademlia in client mode, no relay server.
pub fn build_swarm(key: Keypair, cfg: &P2pConfig) -> Result<Swarm<UesBehaviour>, P2pError> {
    let cfg = P2pConfig {
        kad_server: false,
        relay_server: false,
        ..cfg.clone()
    };
    let t = |e: &dyn std::fmt::Display| P2pError::Transport(e.to_string());
    let swarm = SwarmBuilder::with_existing_identity(key)
        .with_wasm_bindgen()
        .with_other_transport(
            |key| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                Ok(websocket_websys::Transport::default()
                    .upgrade(Version::V1Lazy)
                    .authenticate(noise::Config::new(key)?)
                    .multiplex(yamux::Config::default()))
            },
        )
        .map_err(|e| t(&e))?
        .with_other_transport(|key| webrtc_websys::Transport::new(webrtc_websys::Config::new(key)))
        .map_err(|e| t(&e))?
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| t(&e))?
        .with_behaviour(|key, relay_client| {
            UesBehaviour::new(key, relay_client, &cfg)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
        .map_err(|e| P2pError::Behaviour(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
        .build();
    Ok(swarm)
}
