//! The sync protocol: versioned DAG-CBOR frames and the sans-IO
//! [`Session`] state machine that speaks them.
//!
//! A frame is `{"m": <message>, "v": 1}`; a message is a one-key map
//! naming its kind. Frames are at most [`MAX_FRAME`] bytes (Cloudflare's
//! WebSocket message limit is 1 MiB), checked before decoding.
//!
//! Op-log sync, per direction:
//! 1. `hello` — log id, clock summary, heads, and the receive window (how
//!    many `ops` frames the peer may send before an `ack`).
//! 2. The side that sees the peer's clock lacks ops sends exactly those
//!    (per author, the ops past the peer's entry: O(difference)), in merge
//!    order so parents come first, packed into `ops` frames within the
//!    frame limit, while it has credit.
//! 3. The receiver verifies and applies each frame (one storage batch per
//!    frame) and answers `ack` (its new clock, one credit back) and, when
//!    held ops wait for parents it lacks, `want` with their CIDs.
//! 4. Any `hello` resets the sender's view of the peer to the clock it
//!    carries, so a reconnect (or a periodic [`Session::resync`]) resumes
//!    where the peer is, after lost or duplicated frames.
//!
//! Repo sync ([`RepoSession`]): `repoHead` (DID, rev, commit) → the side
//! that is behind sends `repoWant` with its rev → the other exports the
//! slice since that rev and sends it as `repoCar` chunks within the frame
//! limit → the receiver reassembles (bounded), verifies and applies it in
//! one batch ([`crate::repo_sync`]).

mod repo;
mod session;

pub use repo::{RepoAction, RepoSession};
pub use session::{Handled, Session, SessionConfig, Stats};

use crate::clock::VectorClock;
use crate::error::SyncError;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use ues_data::cbor;
use ues_data::cid::Cid;

/// Protocol version.
pub const PROTOCOL_VERSION: u64 = 1;
/// Largest frame, in bytes: 1 MiB.
pub const MAX_FRAME: usize = 1 << 20;

/// A protocol message. Struct fields are declared in canonical DAG-CBOR key
/// order (length first, then bytewise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Msg {
    /// Opens (or resyncs) a session.
    #[serde(rename = "hello")]
    Hello {
        /// The log id.
        log: String,
        /// The sender's clock summary.
        clock: VectorClock,
        /// The sender's heads.
        heads: Vec<Cid>,
        /// How many `ops` frames the peer may send before an `ack`.
        window: u32,
    },
    /// Op blocks.
    #[serde(rename = "ops")]
    Ops {
        /// The op blocks.
        ops: Vec<ByteBuf>,
    },
    /// A frame of ops was applied.
    #[serde(rename = "ack")]
    Ack {
        /// The receiver's clock summary after applying it.
        clock: VectorClock,
        /// Frames the sender may send more.
        credit: u32,
    },
    /// Ops asked for by CID (parents of held ops).
    #[serde(rename = "want")]
    Want {
        /// The CIDs.
        cids: Vec<Cid>,
    },
    /// Repo sync: the sender's head of repo `did`.
    #[serde(rename = "repoHead")]
    RepoHead {
        /// The repo's DID.
        did: String,
        /// The head commit's rev (a TID).
        rev: String,
        /// The head commit's CID.
        commit: Cid,
    },
    /// Repo sync: send the blocks of the commits after `since` (the whole
    /// repo when `None`), like `getRepo?since=`.
    #[serde(rename = "repoWant")]
    RepoWant {
        /// The repo's DID.
        did: String,
        /// The receiver's rev.
        since: Option<String>,
    },
    /// Repo sync: one chunk of a CAR slice; `more` is false on the last.
    #[serde(rename = "repoCar")]
    RepoCar {
        /// The chunk.
        car: ByteBuf,
        /// The repo's DID.
        did: String,
        /// Whether more chunks follow.
        more: bool,
    },
}

#[derive(Serialize, Deserialize)]
struct Frame {
    m: Msg,
    v: u64,
}

impl Msg {
    /// The frame bytes of this message.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        #[derive(Serialize)]
        struct FrameRef<'a> {
            m: &'a Msg,
            v: u64,
        }
        // serde_ipld_dagcbor writes canonical DAG-CBOR for these types (no
        // floats; fields declared in key order); the receiver validates.
        serde_ipld_dagcbor::to_vec(&FrameRef {
            m: self,
            v: PROTOCOL_VERSION,
        })
        .map_err(|e| SyncError::Encode(e.to_string()))
    }

    /// Reads a frame of at most `limit` bytes (checked before decoding).
    pub fn decode(bytes: &[u8], limit: usize) -> Result<Msg, SyncError> {
        if bytes.len() > limit {
            return Err(SyncError::FrameTooLarge {
                size: bytes.len(),
                limit,
            });
        }
        cbor::validate(bytes).map_err(|e| SyncError::MalformedFrame(e.to_string()))?;
        #[derive(Deserialize)]
        struct Version {
            v: u64,
        }
        let f: Frame = match serde_ipld_dagcbor::from_slice(bytes) {
            Ok(f) => f,
            Err(e) => {
                // A newer peer's frame: say so rather than "malformed".
                return Err(match serde_ipld_dagcbor::from_slice::<Version>(bytes) {
                    Ok(Version { v }) if v != PROTOCOL_VERSION => SyncError::UnsupportedVersion(v),
                    _ => SyncError::MalformedFrame(e.to_string()),
                });
            }
        };
        if f.v != PROTOCOL_VERSION {
            return Err(SyncError::UnsupportedVersion(f.v));
        }
        Ok(f.m)
    }
}

/// Encoded size of a byte string of `n` bytes inside a CBOR list (head + data).
pub(crate) fn bytes_item_len(n: usize) -> usize {
    n + match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}
