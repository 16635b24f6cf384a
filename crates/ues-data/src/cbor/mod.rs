//! Strict canonical DAG-CBOR for AT Protocol and UES data.
//!
//! Encoding goes through `serde_ipld_dagcbor` (length-first key order,
//! minimal integers, tag 42 links) and the output is then checked by
//! [`validate`], which rejects floats and anything else atproto forbids.
//! Decoding runs [`validate`] first, so non-canonical input never reaches
//! the deserializer: a value's bytes, and so its CID, are unique.
//!
//! - [`json`]: the atproto JSON form (`$link`, `$bytes`, blobs).
//! - [`CborSeqReader`]: one value at a time from a CBOR sequence.

mod ipld;
pub mod json;
mod seq;
mod validate;

pub use ipld::encode_ipld;
pub use ipld_core::ipld::Ipld;
pub use json::{from_json, from_json_value, to_json};
pub use seq::{CborSeqReader, DEFAULT_MAX_ITEM_SIZE};
pub use validate::{validate, validate_prefix, MAX_DEPTH, TAG_CID};

use crate::cid::CidError;
use serde::{de::DeserializeOwned, Serialize};

/// Everything that can be wrong with DAG-CBOR bytes or the values they
/// carry. Offsets are byte positions in the input being checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    /// The input ends inside an item.
    #[error("truncated CBOR: input ends at byte {offset} inside an item")]
    Truncated {
        /// Where the input ended.
        offset: usize,
    },
    /// An integer, length or tag number not in its shortest encoding.
    #[error("non-minimal integer or length encoding at byte {offset}")]
    NonMinimal {
        /// Start of the item head.
        offset: usize,
    },
    /// An indefinite-length string, list or map.
    #[error("indefinite-length item at byte {offset}")]
    Indefinite {
        /// Start of the item head.
        offset: usize,
    },
    /// A reserved additional-info value or a stray `break`.
    #[error("malformed CBOR item head 0x{byte:02x} at byte {offset}")]
    Malformed {
        /// Start of the item head.
        offset: usize,
        /// The initial byte.
        byte: u8,
    },
    /// A floating-point number: atproto data has none.
    #[error("floating-point number at byte {offset} (not allowed in atproto data)")]
    Float {
        /// Start of the item head.
        offset: usize,
    },
    /// `undefined` or a simple value other than false, true and null.
    #[error("simple value {value} at byte {offset} (only false, true and null are allowed)")]
    Simple {
        /// Start of the item head.
        offset: usize,
        /// The simple value (23 is `undefined`).
        value: u8,
    },
    /// A tag other than 42.
    #[error("CBOR tag {tag} at byte {offset} (only tag 42, a CID link, is allowed)")]
    Tag {
        /// Start of the tag head.
        offset: usize,
        /// The tag number.
        tag: u64,
    },
    /// Tag 42 whose content is not a byte string.
    #[error("CID link at byte {offset} is not a byte string")]
    LinkNotBytes {
        /// Start of the tag content.
        offset: usize,
    },
    /// Tag 42 whose byte string does not start with the 0x00 multibase prefix.
    #[error("CID link at byte {offset} lacks the 0x00 prefix")]
    LinkPrefix {
        /// Start of the byte string.
        offset: usize,
    },
    /// Tag 42 whose bytes are not one valid binary CID.
    #[error("invalid CID link at byte {offset}: {source}")]
    Link {
        /// Start of the tag.
        offset: usize,
        /// What is wrong with the CID.
        source: CidError,
    },
    /// A map key that is not a text string.
    #[error("map key at byte {offset} is not a text string")]
    KeyNotString {
        /// Start of the key.
        offset: usize,
    },
    /// Map keys not sorted by length, then bytewise.
    #[error("map key at byte {offset} is out of canonical order (length first, then bytes)")]
    KeyOrder {
        /// Start of the key that should have come earlier.
        offset: usize,
    },
    /// The same key twice in one map.
    #[error("duplicate map key at byte {offset}")]
    DuplicateKey {
        /// Start of the second occurrence.
        offset: usize,
    },
    /// A text string (or map key) that is not valid UTF-8.
    #[error("invalid UTF-8 in text string at byte {offset}")]
    Utf8 {
        /// Start of the string's head.
        offset: usize,
    },
    /// Bytes after the one top-level value.
    #[error("{extra} trailing bytes after the value at byte {offset}")]
    TrailingBytes {
        /// Where the value ended.
        offset: usize,
        /// How many bytes follow it.
        extra: usize,
    },
    /// Lists and maps nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {limit} at byte {offset}")]
    TooDeep {
        /// Start of the item that is too deep.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A sequence item larger than the reader's limit.
    #[error("item larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// An item of a CBOR sequence is bad; `offset` is where it starts in the stream.
    #[error("sequence item {index} at byte {offset}: {source}")]
    InSequence {
        /// Zero-based index of the item.
        index: u64,
        /// Offset of the item's first byte in the stream.
        offset: u64,
        /// The problem, with offsets relative to the item.
        source: Box<CborError>,
    },
    /// Reading the underlying stream failed.
    #[error("read error ({kind:?}): {message}")]
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
        /// Its message.
        message: String,
    },
    /// The value cannot be encoded (e.g. a map with non-string keys).
    #[error("cannot encode as DAG-CBOR: {0}")]
    Encode(String),
    /// Valid DAG-CBOR that does not fit the requested type.
    #[error("cannot decode DAG-CBOR into the requested type: {0}")]
    Decode(String),
    /// The atproto JSON form is invalid at `path` (e.g. `$.rcrd.$type`).
    #[error("invalid atproto JSON at {path}: {message}")]
    Json {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl From<std::io::Error> for CborError {
    fn from(e: std::io::Error) -> Self {
        CborError::Io {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// Encode `v` as canonical DAG-CBOR. Fails on floats and on anything else
/// [`validate`] rejects (serde_ipld_dagcbor would encode floats).
pub fn encode<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>, CborError> {
    let bytes = serde_ipld_dagcbor::to_vec(v).map_err(|e| CborError::Encode(e.to_string()))?;
    validate(&bytes)?;
    Ok(bytes)
}

/// Decode one strictly canonical DAG-CBOR value: [`validate`], then
/// deserialize with serde_ipld_dagcbor.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CborError> {
    validate(bytes)?;
    serde_ipld_dagcbor::from_slice(bytes).map_err(|e| CborError::Decode(e.to_string()))
}

/// Decode one strictly canonical DAG-CBOR value into the IPLD data model.
pub fn decode_ipld(bytes: &[u8]) -> Result<Ipld, CborError> {
    decode(bytes)
}
