//! Storage errors: each one a caller can show to a person.

use crate::Cid;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A stored block does not hash to its CID (disk corruption, a bad backend).
    #[error("stored block {0} does not match its CID")]
    Corrupt(Cid),
    /// A block that should be stored is not (e.g. a blob chunk named by a
    /// manifest).
    #[error("block {0} is not in the store")]
    NotFound(Cid),
    /// The browser refused to store more (IndexedDB `QuotaExceededError`).
    #[error("storage quota exceeded: {0}")]
    QuotaExceeded(String),
    /// The database upgrade waits for another tab holding an older version open.
    #[error("database upgrade blocked by another open connection (close other tabs): {0}")]
    Blocked(String),
    /// The database was closed (by `close`, the browser, or a version change).
    #[error("database is closed")]
    Closed,
    /// A value the store cannot accept (e.g. larger than the backend allows).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Any other backend failure, with its message.
    #[error("storage backend error: {0}")]
    Backend(String),
}
