//! Errors of the feed.

/// What can go wrong in the feed: a record that does not have the shape of
/// its collection, a cursor that was not made here, a bad AT URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// A record of a known collection lacks a required field or has the
    /// wrong type for one.
    #[error("invalid {collection} record: {message}")]
    InvalidRecord { collection: String, message: String },
    /// A builder's JSON could not become an IPLD value.
    #[error("record encoding: {0}")]
    Encode(String),
    /// A cursor that no view of this crate produced.
    #[error("invalid cursor: {0:?}")]
    InvalidCursor(String),
    /// A string that is not an `at://did/collection/rkey` URI.
    #[error("invalid AT URI: {0:?}")]
    InvalidUri(String),
}
