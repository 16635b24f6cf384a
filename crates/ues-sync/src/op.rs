//! Operations: the signed, content-addressed entries of an op log.
//!
//! An op is one signed change by one author: a batch of [`Edit`]s (each a
//! type, a target path and a DAG-CBOR payload), the author's DID, the
//! author's vector clock, a hybrid-logical-clock timestamp and the CIDs of
//! the heads the author saw (its parents). Its id is its CID: CIDv1,
//! dag-cbor, BLAKE3. The ed25519 signature covers the canonical DAG-CBOR of
//! every field but `s` (the signature itself).
//!
//! Batching edits into one signed op is what keeps signatures cheap: one
//! signature per change, as automerge has one hash per change.
//!
//! Field names are one letter, declared in canonical DAG-CBOR key order
//! (length first, then bytewise), so serde writes them canonically.

use crate::acl::{OpSigner, OpVerifier};
use crate::clock::{Hlc, VectorClock};
use crate::error::SyncError;
use serde::{Deserialize, Serialize};
use ues_data::cbor::{self, Ipld};
use ues_data::cid::{blake3_cid, Cid, DAG_CBOR};

/// Version of the op format.
pub const OP_VERSION: u64 = 1;
/// Largest encoded op accepted (so that any op fits a 1 MiB frame).
pub const MAX_OP_BYTES: usize = 512 * 1024;

/// What an edit does to its target. Merge semantics: see [`crate::merge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EditKind {
    /// Last-writer-wins register: set the value (`null` clears it).
    #[serde(rename = "set")]
    Set,
    /// Multi-value register: write a value, superseding what this op saw.
    #[serde(rename = "mv")]
    MvSet,
    /// PN counter: add the (signed integer) payload.
    #[serde(rename = "inc")]
    Inc,
    /// Observed-remove set: add the payload element.
    #[serde(rename = "add")]
    Add,
    /// Observed-remove set: remove the element as far as this op saw it.
    #[serde(rename = "rm")]
    Remove,
    /// Append-only sequence (chat messages): append the payload.
    #[serde(rename = "app")]
    Append,
}

/// One change to one target: a type, a target path and a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    /// The type of the edit.
    #[serde(rename = "k")]
    pub kind: EditKind,
    /// The target (entity/path), e.g. `profile/name` or `room/messages`.
    #[serde(rename = "t")]
    pub target: String,
    /// The payload.
    #[serde(rename = "v")]
    pub value: Ipld,
}

impl Edit {
    /// An edit of `kind` on `target` with payload `value`.
    pub fn new(kind: EditKind, target: impl Into<String>, value: Ipld) -> Self {
        Edit {
            kind,
            target: target.into(),
            value,
        }
    }
}

/// Longest target path, in bytes.
pub const MAX_TARGET_LEN: usize = 1024;

impl Edit {
    /// Checks the target and, for counters, that the payload is an integer
    /// that fits 64 bits.
    pub fn check(&self) -> Result<(), SyncError> {
        if self.target.is_empty() || self.target.len() > MAX_TARGET_LEN {
            return Err(SyncError::MalformedOp(format!(
                "target must be 1 to {MAX_TARGET_LEN} bytes"
            )));
        }
        if self.kind == EditKind::Inc {
            match &self.value {
                Ipld::Integer(n) if i64::try_from(*n).is_ok() => {}
                _ => {
                    return Err(SyncError::MalformedOp(
                        "an inc payload must be a 64-bit integer".into(),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// The fields of an op before signing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnsignedOp {
    /// The author's DID.
    #[serde(rename = "a")]
    pub author: String,
    /// The author's vector clock: its parents' clocks merged, its own entry
    /// one more.
    #[serde(rename = "c")]
    pub clock: VectorClock,
    /// The edits, applied in order.
    #[serde(rename = "e")]
    pub edits: Vec<Edit>,
    /// The id of the log the op belongs to.
    #[serde(rename = "l")]
    pub log: String,
    /// The heads the author saw, sorted by CID bytes.
    #[serde(rename = "p")]
    pub parents: Vec<Cid>,
    /// Hybrid logical clock timestamp, after every parent's.
    #[serde(rename = "t")]
    pub ts: Hlc,
    /// [`OP_VERSION`].
    #[serde(rename = "v")]
    pub version: u64,
}

/// A signed op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    #[serde(rename = "a")]
    pub author: String,
    #[serde(rename = "c")]
    pub clock: VectorClock,
    #[serde(rename = "e")]
    pub edits: Vec<Edit>,
    #[serde(rename = "l")]
    pub log: String,
    #[serde(rename = "p")]
    pub parents: Vec<Cid>,
    /// The 64-byte ed25519 signature.
    #[serde(rename = "s", with = "serde_bytes")]
    pub sig: Vec<u8>,
    #[serde(rename = "t")]
    pub ts: Hlc,
    #[serde(rename = "v")]
    pub version: u64,
}

/// The unsigned view of a signed op, borrowed: what the signature covers.
#[derive(Serialize)]
struct UnsignedRef<'a> {
    #[serde(rename = "a")]
    author: &'a str,
    #[serde(rename = "c")]
    clock: &'a VectorClock,
    #[serde(rename = "e")]
    edits: &'a [Edit],
    #[serde(rename = "l")]
    log: &'a str,
    #[serde(rename = "p")]
    parents: &'a [Cid],
    #[serde(rename = "t")]
    ts: Hlc,
    #[serde(rename = "v")]
    version: u64,
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, SyncError> {
    cbor::encode(v).map_err(|e| SyncError::Encode(e.to_string()))
}

impl UnsignedOp {
    /// Sorts and deduplicates the parents (the canonical form), then signs.
    pub fn sign(mut self, key: &dyn OpSigner) -> Result<Op, SyncError> {
        for e in &self.edits {
            e.check()?;
        }
        self.parents.sort_by_key(|c| c.to_bytes());
        self.parents.dedup();
        let msg = encode(&self)?;
        let sig = key.sign(&msg);
        if sig.len() != 64 {
            return Err(SyncError::Signing(format!("{}-byte signature", sig.len())));
        }
        let UnsignedOp {
            author,
            clock,
            edits,
            log,
            parents,
            ts,
            version,
        } = self;
        Ok(Op {
            author,
            clock,
            edits,
            log,
            parents,
            sig,
            ts,
            version,
        })
    }
}

impl Op {
    /// The bytes the signature covers.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, SyncError> {
        // Not re-validated: these fields came from a validated block or are
        // validated when the op is encoded, and a different encoding would
        // only fail the signature check.
        serde_ipld_dagcbor::to_vec(&UnsignedRef {
            author: &self.author,
            clock: &self.clock,
            edits: &self.edits,
            log: &self.log,
            parents: &self.parents,
            ts: self.ts,
            version: self.version,
        })
        .map_err(|e| SyncError::Encode(e.to_string()))
    }

    /// The op block: its CID (dag-cbor, BLAKE3) and bytes.
    pub fn to_block(&self) -> Result<(Cid, Vec<u8>), SyncError> {
        let bytes = encode(self)?;
        if bytes.len() > MAX_OP_BYTES {
            return Err(SyncError::OpTooLarge(bytes.len()));
        }
        Ok((op_cid(&bytes), bytes))
    }

    /// Decodes an op block (strict canonical DAG-CBOR) and checks its shape;
    /// the signature is checked by [`Op::verify`].
    pub fn decode(bytes: &[u8]) -> Result<Op, SyncError> {
        if bytes.len() > MAX_OP_BYTES {
            return Err(SyncError::OpTooLarge(bytes.len()));
        }
        let op: Op = cbor::decode(bytes)?;
        if op.version != OP_VERSION {
            return Err(SyncError::MalformedOp(format!(
                "unsupported op version {}",
                op.version
            )));
        }
        if op.sig.len() != 64 {
            return Err(SyncError::MalformedOp("signature must be 64 bytes".into()));
        }
        for e in &op.edits {
            e.check()?;
        }
        Ok(op)
    }

    /// Whether the parents are sorted by CID bytes without repeats.
    pub fn parents_canonical(&self) -> bool {
        self.parents
            .windows(2)
            .all(|w| w[0].to_bytes() < w[1].to_bytes())
    }

    /// Checks the signature against `key`.
    pub fn verify(&self, cid: Cid, key: &dyn OpVerifier) -> Result<(), SyncError> {
        let msg = self.signing_bytes()?;
        if key.verify(&msg, &self.sig) {
            Ok(())
        } else {
            Err(SyncError::BadSignature(cid))
        }
    }

    /// The author's own sequence number (its clock entry).
    pub fn seq(&self) -> u64 {
        self.clock.get(&self.author)
    }
}

/// The CID of an op block: CIDv1, dag-cbor, BLAKE3.
pub fn op_cid(bytes: &[u8]) -> Cid {
    blake3_cid(DAG_CBOR, bytes)
}
