//! The native swarm: tokio, TCP and WebSocket (over TCP), both secured
//! with noise and multiplexed with yamux, plus the relay client transport
//! so a native node can also be reached through another relay.

use crate::behaviour::{P2pConfig, UesBehaviour};
use crate::P2pError;
use libp2p::core::upgrade::Version;
use libp2p::identity::Keypair;
use libp2p::{noise, tcp, websocket, yamux, Swarm, SwarmBuilder, Transport};
use std::time::Duration;

/// How long an idle connection (no stream, no keep-alive) stays open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A tokio swarm for `key` with the UES behaviour. Must be called inside a
/// tokio runtime (connections run as tokio tasks).
pub fn build_swarm(key: Keypair, cfg: &P2pConfig) -> Result<Swarm<UesBehaviour>, P2pError> {
    let t = |e: &dyn std::fmt::Display| P2pError::Transport(e.to_string());
    let swarm = SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| t(&e))?
        .with_other_transport(
            |key| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                let inner = tcp::tokio::Transport::new(tcp::Config::default().nodelay(true));
                Ok(websocket::Config::new(inner)
                    .upgrade(Version::V1Lazy)
                    .authenticate(noise::Config::new(key)?)
                    .multiplex(yamux::Config::default()))
            },
        )
        .map_err(|e| t(&e))?
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| t(&e))?
        .with_behaviour(|key, relay_client| {
            UesBehaviour::new(key, relay_client, cfg)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
        .map_err(|e| P2pError::Behaviour(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
        .build();
    Ok(swarm)
}
