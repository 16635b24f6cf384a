//! CAR v1 (Content Addressable aRchive): the AT Protocol's repo export format.
//!
//! A CAR v1 file is `varint(len) header` followed by any number of block
//! sections `varint(len) cid bytes`, where the header is the DAG-CBOR map
//! `{roots: [cid, ...], version: 1}` and `len` counts the CID plus the bytes.
//!
//! This is written over `std::io::Read`/`Write` (and a push decoder fed byte
//! chunks) rather than on `iroh-car`: iroh-car is built on tokio's
//! `AsyncRead`, and the core crates must not pull tokio (they build unchanged
//! for wasm32). The framing is only a varint, a CID and bytes, so a
//! synchronous reader is small and keeps memory bounded by [`CarLimits`].
//!
//! Readers accept any block order, duplicate blocks and blocks no root
//! reaches, and verify every block against its CID before returning it.

mod decoder;
mod reader;
mod slice;
mod writer;

pub use decoder::CarDecoder;
pub use reader::CarReader;
pub use slice::{CarSection, CarSlice};
pub use writer::{write_car, CarWriter};

use crate::cid::{Cid, CidError};
use std::collections::HashMap;

/// Longest varint accepted: 9 bytes carry 63 bits (multiformats unsigned-varint).
const MAX_VARINT_BYTES: usize = 9;
/// Upper bound on the binary size of a CID (version, codec, hash code,
/// digest length and a digest of at most 64 bytes), used to bound a section
/// before its CID is parsed.
const MAX_CID_BYTES: usize = 4 * MAX_VARINT_BYTES + crate::cid::MAX_DIGEST_LEN;

/// Size limits applied while reading, checked on the declared lengths before
/// any buffer is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarLimits {
    /// Largest accepted header (the DAG-CBOR bytes after the first varint).
    pub max_header: usize,
    /// Largest accepted block (the bytes after the CID in one section).
    pub max_block: usize,
}

impl Default for CarLimits {
    /// 1 MiB of header, 2 MiB per block (the AT Protocol's block ceiling).
    fn default() -> Self {
        CarLimits {
            max_header: 1 << 20,
            max_block: 2 << 20,
        }
    }
}

/// Why a CAR could not be read or written. Offsets count bytes from the
/// start of the CAR.
#[derive(Debug, thiserror::Error)]
pub enum CarError {
    /// A length prefix is not a valid unsigned varint (too long or not minimal).
    #[error("bad varint at byte {offset}")]
    BadVarint {
        /// Where the varint starts.
        offset: u64,
    },
    /// The header is not a DAG-CBOR `{version, roots}` map.
    #[error("bad CAR header: {0}")]
    BadHeader(String),
    /// The header declares a version other than 1 (CAR v2 starts with `{version: 2}`).
    #[error("unsupported CAR version {0} (only CAR v1 is read)")]
    UnsupportedVersion(u64),
    /// The header length is above [`CarLimits::max_header`].
    #[error("CAR header of {len} bytes is larger than the limit of {max}")]
    HeaderTooLarge {
        /// Declared length.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// A block section declares more bytes than [`CarLimits::max_block`] allows.
    #[error("block at byte {offset} declares {len} bytes, more than the limit of {max}")]
    BlockTooLarge {
        /// Where the section starts.
        offset: u64,
        /// Declared length (CID and block for a section, block alone after parsing the CID).
        len: u64,
        /// The limit.
        max: usize,
    },
    /// A block section does not start with a valid binary CID, or the CID
    /// uses a hash this node cannot verify.
    #[error("bad CID in block at byte {offset}: {reason}")]
    BadCid {
        /// Where the section starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The block bytes do not hash to their CID.
    #[error("block at byte {offset} does not match its CID {cid}")]
    HashMismatch {
        /// Where the section starts.
        offset: u64,
        /// The CID the block claimed.
        cid: Cid,
    },
    /// The input ends inside the header or a block section.
    #[error("CAR truncated at byte {offset}: {what} incomplete")]
    Truncated {
        /// Bytes available in total.
        offset: u64,
        /// Which part was cut: "header length", "header", "section length", "section".
        what: &'static str,
    },
    /// The underlying reader or writer failed.
    #[error("CAR I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// A whole CAR in memory: its roots and its blocks by CID (duplicates
/// collapse into one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Car {
    /// The header's roots, in order.
    pub roots: Vec<Cid>,
    /// Every block, verified against its CID.
    pub blocks: HashMap<Cid, Vec<u8>>,
}

/// Read and verify a whole CAR held in memory, with the default [`CarLimits`].
pub fn read_all(bytes: &[u8]) -> Result<Car, CarError> {
    let mut reader = CarSlice::new(bytes, CarLimits::default())?;
    let roots = reader.roots().to_vec();
    let mut blocks = HashMap::new();
    while let Some((cid, data)) = reader.next_block()? {
        blocks.insert(cid, data.to_vec());
    }
    Ok(Car { roots, blocks })
}

/// The CAR v1 header as DAG-CBOR, read with the strict canonical decoder.
/// `roots` is optional only so that a `{version: 2}` pragma reports the
/// version rather than a missing field; other keys are ignored.
#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    roots: Option<Vec<Cid>>,
    version: u64,
}

/// Decode and check the header bytes (after its length varint).
fn parse_header(bytes: &[u8]) -> Result<Vec<Cid>, CarError> {
    let header: Header =
        crate::cbor::decode(bytes).map_err(|e| CarError::BadHeader(e.to_string()))?;
    if header.version != 1 {
        return Err(CarError::UnsupportedVersion(header.version));
    }
    header
        .roots
        .ok_or_else(|| CarError::BadHeader("missing roots".into()))
}

/// Split one section (after its length varint) into a verified CID and its
/// block (and the CID's bytes). `offset` is where the section's varint
/// starts, for errors.
fn parse_section<'a>(
    section: &'a [u8],
    offset: u64,
    limits: &CarLimits,
) -> Result<(Cid, &'a [u8], &'a [u8]), CarError> {
    let bad_cid = |reason: String| CarError::BadCid { offset, reason };
    let (cid, cid_len) = crate::cid::read_bytes(section).map_err(|e| bad_cid(e.to_string()))?;
    let Some((cid_bytes, rest)) = section.split_at_checked(cid_len) else {
        return Err(bad_cid("CID longer than its section".into()));
    };
    // One CID, one encoding: reject bytes that decode to a CID whose
    // canonical form differs (e.g. a 10-byte varint with dropped bits).
    // The 36-byte atproto form is canonical by construction (one-byte
    // varints), which spares the common case a re-encoding.
    let canonical = crate::cid::read_atproto(cid_bytes).is_some() || {
        let mut again = Vec::with_capacity(cid_len);
        crate::cid::write_bytes(&cid, &mut again);
        again == cid_bytes
    };
    if !canonical {
        return Err(bad_cid(
            "not the canonical binary encoding of its CID".into(),
        ));
    }
    if rest.len() > limits.max_block {
        return Err(CarError::BlockTooLarge {
            offset,
            len: rest.len() as u64,
            max: limits.max_block,
        });
    }
    crate::cid::verify(&cid, rest).map_err(|e| match e {
        CidError::HashMismatch(cid) => CarError::HashMismatch { offset, cid },
        other => bad_cid(other.to_string()),
    })?;
    Ok((cid, cid_bytes, rest))
}

/// Largest section length accepted before the CID is parsed.
fn max_section(limits: &CarLimits) -> u64 {
    limits.max_block as u64 + MAX_CID_BYTES as u64
}

/// Outcome of decoding a varint at the start of a buffer.
enum Varint {
    /// The value and how many bytes it took.
    Done(u64, usize),
    /// The buffer ends inside the varint.
    Incomplete,
    /// Too long, or not minimally encoded.
    Bad,
}

/// Decode an unsigned LEB128 varint (multiformats rules: at most 9 bytes,
/// minimal encoding) at the start of `buf`.
fn decode_varint(buf: &[u8]) -> Varint {
    let mut value: u64 = 0;
    for (i, &b) in buf.iter().enumerate() {
        if i >= MAX_VARINT_BYTES {
            return Varint::Bad;
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Varint::Bad;
            }
            return Varint::Done(value, i + 1);
        }
    }
    if buf.len() >= MAX_VARINT_BYTES {
        Varint::Bad
    } else {
        Varint::Incomplete
    }
}

/// Append the varint encoding of `n` to `out`.
fn encode_varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}
