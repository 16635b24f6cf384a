//! Errors of the peer-to-peer layer.

/// What went wrong setting up or running the swarm.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    /// The identity key is unusable.
    #[error("peer key: {0}")]
    Key(String),
    /// A transport could not be built.
    #[error("transport: {0}")]
    Transport(String),
    /// A behaviour could not be built (bad configuration).
    #[error("behaviour: {0}")]
    Behaviour(String),
    /// A listen or dial address was rejected.
    #[error("address {addr}: {reason}")]
    Address { addr: String, reason: String },
}
