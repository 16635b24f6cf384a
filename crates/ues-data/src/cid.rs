//! Content identifiers: the codecs and hashes UES uses, computing CIDs for
//! bytes, checking a block against its CID, and reading CIDs from text and
//! binary.
//!
//! The `cid` and `multihash` crates do the representation; this module fixes
//! the choices (CIDv1, dag-cbor/raw, sha2-256/BLAKE3) and reports typed errors.
//! The binary framing (varints, digest length) is read here rather than by
//! `Cid::read_bytes` so that errors say what is wrong and the reader knows
//! exactly how many bytes a CID took (the CAR reader and the DAG-CBOR
//! validator need both).

pub use ::cid::{Cid, Version};
use multihash::Multihash;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// Multicodec of DAG-CBOR blocks (records, MST nodes, commits, op-log entries).
pub const DAG_CBOR: u64 = 0x71;
/// Multicodec of raw blocks (blobs, blob chunks).
pub const RAW: u64 = 0x55;
/// Multihash code of sha2-256 (AT Protocol objects).
pub const SHA2_256: u64 = 0x12;
/// Multihash code of BLAKE3-256 (UES-native objects).
pub const BLAKE3: u64 = 0x1e;

/// Largest multihash digest a [`Cid`] here can hold, in bytes.
pub const MAX_DIGEST_LEN: usize = 64;

/// Errors about CIDs: parsing them and checking blocks against them.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CidError {
    /// Any other malformed CID (the message says what).
    #[error("invalid CID: {0}")]
    Invalid(String),
    /// The multihash function is not one this node can verify.
    #[error("unsupported multihash code 0x{0:x}")]
    UnsupportedHash(u64),
    /// The content codec is not one expected here.
    #[error("unsupported codec 0x{0:x}")]
    UnsupportedCodec(u64),
    /// The block's hash differs from the one in its CID.
    #[error("block does not match its CID {0}")]
    HashMismatch(Cid),
    /// The text or binary form is empty.
    #[error("empty CID")]
    Empty,
    /// The string starts with a multibase prefix this parser does not read.
    #[error(
        "unsupported multibase prefix {0:?} (expected base32 'b' CIDv1 or a base58 'Qm' CIDv0)"
    )]
    UnsupportedMultibase(char),
    /// A character outside the alphabet of the string's multibase.
    #[error("invalid character {ch:?} at index {index}")]
    InvalidChar {
        /// Byte index of the character in the string.
        index: usize,
        /// The character found.
        ch: char,
    },
    /// The string has the wrong length (CIDv0 is exactly 46 characters; the
    /// atproto syntax allows 8 to 256).
    #[error("invalid CID length {0}")]
    InvalidLength(usize),
    /// The string decodes, but is not the one canonical text form of its CID
    /// (non-zero trailing bits, a CIDv0 written in base32, ...).
    #[error("not the canonical text form of a CID")]
    NotCanonical,
    /// The binary form ends before the CID does.
    #[error("truncated CID at byte {0}")]
    Truncated(usize),
    /// A varint that is not minimally encoded or exceeds 63 bits.
    #[error("malformed varint at byte {0}")]
    BadVarint(usize),
    /// A CID version other than 1 (or the implicit CIDv0 form).
    #[error("unsupported CID version {0}")]
    UnsupportedVersion(u64),
    /// The multihash digest is longer than [`MAX_DIGEST_LEN`].
    #[error("multihash digest of {0} bytes is too long")]
    DigestTooLong(u64),
    /// Bytes left over after a complete binary CID.
    #[error("{0} trailing bytes after the CID")]
    TrailingBytes(usize),
    /// A CIDv0, which the AT Protocol does not allow where the caller asked
    /// for its rules.
    #[error("CIDv0 is not allowed here")]
    V0NotAllowed,
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

/// Parse the text form of a CID, strictly.
///
/// Reads a CIDv1 in multibase base32 lowercase (`b...`, what
/// [`Cid::to_string`] prints) and a CIDv0 in base58btc (`Qm...`, 46
/// characters). The string must be the canonical form of the CID it decodes
/// to; no whitespace, no other multibase, no `/ipfs/` prefix.
///
/// CIDv0 is read (for IPFS interop) although the AT Protocol's syntax rule,
/// [`check_syntax`], rejects it: where atproto rules apply, check
/// [`Cid::version`] too.
pub fn parse(s: &str) -> Result<Cid, CidError> {
    let first = s.chars().next().ok_or(CidError::Empty)?;
    let cid = if s.starts_with("Qm") {
        if s.len() != 46 {
            return Err(CidError::InvalidLength(s.len()));
        }
        check_alphabet(s, 0, |c| c.is_ascii_alphanumeric() && !"0OIl".contains(c))?;
        // The `cid` crate reads 46-character `Qm` strings as base58btc CIDv0.
        let cid = Cid::try_from(s).map_err(|e| CidError::Invalid(e.to_string()))?;
        if cid.version() != Version::V0 {
            return Err(CidError::NotCanonical);
        }
        cid
    } else if first == 'b' {
        check_alphabet(s, 1, |c| matches!(c, 'a'..='z' | '2'..='7'))?;
        let upper = s[1..].to_ascii_uppercase();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(upper.as_bytes())
            .map_err(|_| CidError::NotCanonical)?;
        let cid = from_bytes(&bytes)?;
        if cid.version() != Version::V1 {
            return Err(CidError::NotCanonical);
        }
        cid
    } else {
        return Err(CidError::UnsupportedMultibase(first));
    };
    // Belt and braces: only the canonical spelling of a CID is accepted.
    if cid.to_string() != s {
        return Err(CidError::NotCanonical);
    }
    Ok(cid)
}

/// Check a string against the AT Protocol's *syntax* rule for the lexicon
/// `cid` string format (what `atproto-interop-tests/syntax/cid_syntax_*.txt`
/// test): 8 to 256 characters of `[A-Za-z0-9+=]`, and not a CIDv0 (`Qm...`,
/// 46 characters). The rule is lexical, as in the reference implementations:
/// a string may pass it and still not decode (use [`parse`] for that).
pub fn check_syntax(s: &str) -> Result<(), CidError> {
    if s.is_empty() {
        return Err(CidError::Empty);
    }
    check_alphabet(s, 0, |c| c.is_ascii_alphanumeric() || c == '+' || c == '=')?;
    if !(8..=256).contains(&s.len()) {
        return Err(CidError::InvalidLength(s.len()));
    }
    if s.len() == 46 && s.starts_with("Qm") {
        return Err(CidError::V0NotAllowed);
    }
    Ok(())
}

/// Read a CIDv1 that another implementation wrote in any multibase the `cid`
/// crate decodes (base58btc `z...`, base64 `m...`, base16 `f...`, ...), once
/// the string passes [`check_syntax`]. CIDv0 is rejected, as in atproto.
/// Data written by this node always uses [`parse`]'s canonical form.
pub fn parse_lenient(s: &str) -> Result<Cid, CidError> {
    check_syntax(s)?;
    let cid = Cid::try_from(s).map_err(|e| CidError::Invalid(e.to_string()))?;
    if cid.version() != Version::V1 {
        return Err(CidError::V0NotAllowed);
    }
    Ok(cid)
}

fn check_alphabet(s: &str, skip: usize, ok: impl Fn(char) -> bool) -> Result<(), CidError> {
    match s.char_indices().skip(skip).find(|&(_, c)| !ok(c)) {
        Some((index, ch)) => Err(CidError::InvalidChar { index, ch }),
        None => Ok(()),
    }
}

/// Binary length of the CIDs of AT Protocol objects: CIDv1, a one-byte
/// codec, sha2-256 (`0x01 codec 0x12 0x20 <32-byte digest>`).
const ATPROTO_CID_LEN: usize = 36;

/// The common case of [`read_bytes`] without the general varint parsing:
/// a CIDv1 with a one-byte codec and a 32-byte sha2-256 digest (every
/// record, MST node and commit of a repo). One-byte varints are minimal, so
/// this reads exactly what the general path would, only faster.
pub(crate) fn read_atproto(b: &[u8]) -> Option<Cid> {
    match b.get(..ATPROTO_CID_LEN)? {
        [1, codec, 0x12, 0x20, digest @ ..] if *codec < 0x80 => {
            Some(Cid::new_v1(u64::from(*codec), wrap(SHA2_256, digest)))
        }
        _ => None,
    }
}

/// Append the binary form of `cid` to `out` (what [`Cid::to_bytes`] returns,
/// without its allocation and `io::Write` plumbing).
pub fn write_bytes(cid: &Cid, out: &mut Vec<u8>) {
    let mh = cid.hash();
    if cid.version() == Version::V1 {
        push_varint(out, 1);
        push_varint(out, cid.codec());
    }
    push_varint(out, mh.code());
    push_varint(out, u64::from(mh.size()));
    out.extend_from_slice(mh.digest());
}

/// Length of the binary form of `cid`.
pub fn encoded_len(cid: &Cid) -> usize {
    let mh = cid.hash();
    let prefix = match cid.version() {
        Version::V1 => 1 + varint_len(cid.codec()),
        Version::V0 => 0,
    };
    prefix + varint_len(mh.code()) + varint_len(u64::from(mh.size())) + mh.digest().len()
}

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn varint_len(n: u64) -> usize {
    (64 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

/// A [`Hasher`] for maps and sets keyed by [`Cid`] ([`CidMap`], [`CidSet`]).
///
/// Why not the default SipHash: a CID's identity is its digest, 32 bytes
/// that are already uniformly distributed for every block hashed by this
/// node, so a strong keyed PRF is wasted work on the hot paths (CAR import,
/// block stores, commit batches). But some CID keys come from peers without
/// being hashes of anything we checked (record CIDs in MST entries), so the
/// digest is not used raw: each 16 bytes go through a folded 64×64→128-bit
/// multiply keyed by a per-map random seed (the construction of foldhash),
/// which an attacker who does not know the seed cannot steer into one
/// bucket. The small integers a CID also hashes (version, codec, hash code,
/// length) are only xored in; `finish` mixes once more.
#[derive(Debug, Clone, Copy)]
pub struct CidHasher {
    state: u64,
    seed: u64,
}

/// A 64-bit odd constant with well-spread bits (the fractional part of pi).
const MIX: u64 = 0x243f_6a88_85a3_08d3;

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

#[inline]
fn le_u64(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    u64::from_le_bytes(w)
}

impl Hasher for CidHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(16);
        for c in &mut chunks {
            let (a, b) = c.split_at(8);
            self.state = fold_mul(le_u64(a) ^ self.state, le_u64(b) ^ self.seed);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let (a, b) = rest.split_at(rest.len().min(8));
            let tag = (rest.len() as u64) << 56;
            self.state = fold_mul(le_u64(a) ^ self.state, le_u64(b) ^ tag ^ self.seed);
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.state = (self.state ^ n).rotate_left(29);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.state, self.seed ^ MIX)
    }
}

/// Builds [`CidHasher`]s with a seed drawn once per map (from the standard
/// library's per-process random keys).
#[derive(Debug, Clone, Copy)]
pub struct BuildCidHasher {
    seed: u64,
}

impl Default for BuildCidHasher {
    fn default() -> Self {
        // `| 1`: an odd multiplier never collapses the state to zero.
        let seed = std::collections::hash_map::RandomState::new().hash_one(MIX) | 1;
        BuildCidHasher { seed }
    }
}

impl BuildHasher for BuildCidHasher {
    type Hasher = CidHasher;

    #[inline]
    fn build_hasher(&self) -> CidHasher {
        CidHasher {
            state: self.seed.rotate_left(32) ^ MIX,
            seed: self.seed,
        }
    }
}

/// A hash map keyed by CID with the cheaper [`CidHasher`].
pub type CidMap<V> = HashMap<Cid, V, BuildCidHasher>;

/// A hash set of CIDs with the cheaper [`CidHasher`].
pub type CidSet = HashSet<Cid, BuildCidHasher>;

/// Read the binary form of a CID that must fill `b` exactly.
pub fn from_bytes(b: &[u8]) -> Result<Cid, CidError> {
    let (cid, len) = read_bytes(b)?;
    if len != b.len() {
        return Err(CidError::TrailingBytes(b.len() - len));
    }
    Ok(cid)
}

/// Read the binary CID at the start of `b`; returns it and how many bytes it
/// took (the rest of `b` is left alone, as the CAR reader needs).
///
/// CIDv0 is the 34-byte `0x12 0x20 <sha2-256 digest>` form; CIDv1 is
/// `varint(1) varint(codec) varint(hash code) varint(digest len) digest`,
/// with minimal varints and a digest of at most [`MAX_DIGEST_LEN`] bytes.
pub fn read_bytes(b: &[u8]) -> Result<(Cid, usize), CidError> {
    if let Some(cid) = read_atproto(b) {
        return Ok((cid, ATPROTO_CID_LEN));
    }
    if b.is_empty() {
        return Err(CidError::Empty);
    }
    if b.len() >= 2 && b[0] == 0x12 && b[1] == 0x20 {
        let digest = b.get(2..34).ok_or(CidError::Truncated(b.len()))?;
        let cid =
            Cid::new_v0(wrap(SHA2_256, digest)).map_err(|e| CidError::Invalid(e.to_string()))?;
        return Ok((cid, 34));
    }
    let mut pos = 0;
    let version = varint(b, &mut pos)?;
    if version != 1 {
        return Err(CidError::UnsupportedVersion(version));
    }
    let codec = varint(b, &mut pos)?;
    let code = varint(b, &mut pos)?;
    let size = varint(b, &mut pos)?;
    if size > MAX_DIGEST_LEN as u64 {
        return Err(CidError::DigestTooLong(size));
    }
    let end = pos + size as usize;
    let digest = b.get(pos..end).ok_or(CidError::Truncated(b.len()))?;
    let mh = Multihash::wrap(code, digest).map_err(|e| CidError::Invalid(e.to_string()))?;
    Ok((Cid::new_v1(codec, mh), end))
}

/// One unsigned varint at `b[*pos..]` (minimal, at most 9 bytes), advancing `pos`.
fn varint(b: &[u8], pos: &mut usize) -> Result<u64, CidError> {
    use unsigned_varint::decode::{u64 as decode_u64, Error};
    let rest = b.get(*pos..).unwrap_or_default();
    match decode_u64(rest) {
        // The multiformats varint spec caps varints at 9 bytes (63 bits);
        // the decoder accepts a 10th byte and drops its high bits, which
        // would give two encodings of one CID.
        Ok((_, tail)) if rest.len() - tail.len() > 9 => Err(CidError::BadVarint(*pos)),
        Ok((v, tail)) => {
            *pos += rest.len() - tail.len();
            Ok(v)
        }
        Err(Error::Insufficient) => Err(CidError::Truncated(b.len())),
        Err(_) => Err(CidError::BadVarint(*pos)),
    }
}
