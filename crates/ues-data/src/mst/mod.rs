//! The AT Protocol Merkle Search Tree.
//!
//! A synchronous, in-memory tree loaded lazily from a [`BlockSource`]:
//! writes only change nodes in memory and mark them dirty; [`Mst::root`]
//! encodes and hashes each dirty node once. Async stops at the storage
//! boundary: a caller that gets [`MstError::MissingBlock`] fetches that block
//! into its source and retries.
//!
//! Structure (repository spec): a key's layer is the number of leading zero
//! bits of sha256(key) divided by two (fanout 4); a node holds the keys of one
//! layer, and the subtrees between them hold the layer below, with empty
//! intermediate nodes where a layer has no keys; the root is the highest
//! layer that has keys.

mod build;
mod diff;
mod node;
mod proof;
mod range;
mod tree;
mod verify;

pub use diff::{diff, Diff, RecordOp};
pub use node::common_prefix_len;
pub use proof::{covering_proof, invert, proof_path, proven_diff, verify_inversion, ProvenDiff};

pub use tree::Mst;
pub use verify::check_tree;

use crate::cid::Cid;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Errors of MST operations.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MstError {
    #[error("MST block {0} is not available")]
    MissingBlock(Cid),
    #[error("malformed MST node: {0}")]
    MalformedNode(String),
    #[error("MST node {cid} is invalid: {reason}")]
    InvalidTree { cid: Cid, reason: String },
    #[error("invalid MST key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error("proof does not hold: {0}")]
    InvalidProof(String),
}

/// Where the tree reads the nodes it has not loaded yet: synchronous, over
/// blocks already in memory (a CAR, a cache, a batch fetched from storage).
pub trait BlockSource {
    /// The bytes of block `cid`, already verified against it, if present.
    fn block(&self, cid: &Cid) -> Option<&[u8]>;
}

impl<H: BuildHasher> BlockSource for HashMap<Cid, Vec<u8>, H> {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        self.get(cid).map(Vec::as_slice)
    }
}

/// Blocks borrowed from elsewhere (e.g. from a CAR held in memory).
impl<H: BuildHasher> BlockSource for HashMap<Cid, &[u8], H> {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        self.get(cid).copied()
    }
}

impl<S: BlockSource + ?Sized> BlockSource for &S {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        (**self).block(cid)
    }
}

/// A source with no blocks: for trees built from scratch in memory.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoBlocks;

impl BlockSource for NoBlocks {
    fn block(&self, _: &Cid) -> Option<&[u8]> {
        None
    }
}

/// The layer of `key`: leading zero bits of sha256(key), divided by two.
pub fn key_height(key: &[u8]) -> u32 {
    let d = Sha256::digest(key);
    let mut zeros = 0;
    for b in d.iter() {
        zeros += b.leading_zeros();
        if *b != 0 {
            break;
        }
    }
    zeros / 2
}

/// Checks the repository spec's MST key syntax: `collection/rkey`, at most
/// 1024 bytes, both parts non-empty, characters `[a-zA-Z0-9_~\-:.]` only.
pub fn validate_key(key: &str) -> Result<(), MstError> {
    let bad = |reason| {
        Err(MstError::InvalidKey {
            key: key.chars().take(80).collect(),
            reason,
        })
    };
    if key.len() > 1024 {
        return bad("longer than 1024 bytes");
    }
    let Some((coll, rkey)) = key.split_once('/') else {
        return bad("expected collection/rkey");
    };
    if coll.is_empty() || rkey.is_empty() || rkey.contains('/') {
        return bad("expected collection/rkey");
    }
    let ok = |c: u8| c.is_ascii_alphanumeric() || b"_~-:.".contains(&c);
    if !coll.bytes().chain(rkey.bytes()).all(ok) {
        return bad("characters outside [a-zA-Z0-9_~-:.]");
    }
    Ok(())
}
