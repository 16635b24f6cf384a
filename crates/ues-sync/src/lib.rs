//! UES sync layer (layer 4).
//!
//! - [`op`]: signed, content-addressed (BLAKE3) operations.
//! - [`clock`]: vector clocks and the hybrid logical clock.
//! - [`acl`]: per-log membership (who may write).
//! - [`OpLog`]: verification, causal structure, a bounded pending buffer,
//!   an MST index so two logs diff like two repos.
//! - [`merge`]: deterministic materialisation (LWW and multi-value
//!   registers, PN counters, OR-sets, append-only lists, in a map by target)
//!   with a state CID.
//! - [`proto`]: the sans-IO sync protocol (`handle(frame) -> frames` and
//!   `poll_transmit`), versioned DAG-CBOR frames of at most 1 MiB, credit
//!   based backpressure; the same code runs over any transport.
//! - [`persist`]: the op log in a `ues_store::Store` (one batch per save).
//! - [`repo_sync`]: pulling an AT Protocol repo since a rev and applying
//!   firehose `#commit` events, with gap detection and resync.
//!
//! Synchronous, no threads, no clock reads (time is a parameter): builds
//! for wasm32 and native.

pub mod acl;
pub mod clock;
mod error;
pub mod index;
pub mod log;
pub mod merge;
pub mod op;
mod pending;
pub mod persist;
pub mod proto;
pub mod repo_sync;

pub use acl::{Acl, OpSigner, OpVerifier};
pub use clock::{Causality, Hlc, HlcClock, TimeSource, VectorClock};
pub use error::SyncError;
pub use log::{BatchReport, LogLimits, OpLog, Received};
pub use merge::{State, Value};
pub use op::{Edit, EditKind, Op, UnsignedOp, MAX_OP_BYTES};
pub use proto::{Msg, RepoAction, RepoSession, Session, SessionConfig, MAX_FRAME};
