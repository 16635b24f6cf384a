//! Content identifiers: the codecs and hashes UES uses, computing CIDs for
//! bytes, and checking a block against its CID.
//!
//! The `cid` and `multihash` crates do the representation; this module fixes
//! the choices (CIDv1, dag-cbor/raw, sha2-256/BLAKE3) and reports typed errors.

pub use ::cid::Cid;
use multihash::Multihash;
use sha2::{Digest, Sha256};

/// Multicodec of DAG-CBOR blocks (records, MST nodes, commits, op-log entries).
pub const DAG_CBOR: u64 = 0x71;
/// Multicodec of raw blocks (blobs, blob chunks).
pub const RAW: u64 = 0x55;
/// Multihash code of sha2-256 (AT Protocol objects).
pub const SHA2_256: u64 = 0x12;
/// Multihash code of BLAKE3-256 (UES-native objects).
pub const BLAKE3: u64 = 0x1e;

/// Errors about CIDs: parsing them and checking blocks against them.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CidError {
    #[error("invalid CID: {0}")]
    Invalid(String),
    #[error("unsupported multihash code 0x{0:x}")]
    UnsupportedHash(u64),
    #[error("unsupported codec 0x{0:x}")]
    UnsupportedCodec(u64),
    #[error("block does not match its CID {0}")]
    HashMismatch(Cid),
}

fn wrap(code: u64, digest: &[u8]) -> Multihash<64> {
    // Digests here are 32 bytes, always within the 64-byte capacity.
    Multihash::wrap(code, digest).expect("32-byte digest fits a 64-byte multihash")
}

/// CIDv1 of `bytes` with `codec` and a sha2-256 multihash.
pub fn sha256_cid(codec: u64, bytes: &[u8]) -> Cid {
    Cid::new_v1(codec, wrap(SHA2_256, &Sha256::digest(bytes)))
}

/// CIDv1 of `bytes` with `codec` and a BLAKE3-256 multihash.
pub fn blake3_cid(codec: u64, bytes: &[u8]) -> Cid {
    Cid::new_v1(codec, wrap(BLAKE3, blake3::hash(bytes).as_bytes()))
}

/// CIDv1 dag-cbor sha2-256: the AT Protocol's CID for records, MST nodes, commits.
pub fn cbor_cid(bytes: &[u8]) -> Cid {
    sha256_cid(DAG_CBOR, bytes)
}

/// Hash `bytes` the way `cid` says and compare: every block read from the
/// network or from disk goes through here.
pub fn verify(cid: &Cid, bytes: &[u8]) -> Result<(), CidError> {
    let mh = cid.hash();
    let ok = match mh.code() {
        SHA2_256 => mh.digest() == Sha256::digest(bytes).as_slice(),
        BLAKE3 => mh.digest() == blake3::hash(bytes).as_bytes(),
        other => return Err(CidError::UnsupportedHash(other)),
    };
    if ok {
        Ok(())
    } else {
        Err(CidError::HashMismatch(*cid))
    }
}
