//! The crate's typed errors: one variant per thing a caller (or a peer) can
//! act on. [`SyncError::code`] gives a stable short code for logs and the
//! wasm/XRPC layers.

use ues_data::cbor::CborError;
use ues_data::cid::Cid;

/// Everything the op log, the merge and the sync protocol can reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The op's signature does not verify under its author's key.
    #[error("op {0}: signature does not verify")]
    BadSignature(Cid),
    /// The author is not a (current) member of the log: not allowed to write.
    #[error("op {cid}: author {author} is not a member of this log")]
    NotMember { cid: Cid, author: String },
    /// An author's clock entry is not exactly one past what its parents show
    /// (goes backwards, repeats a sequence number, or skips one).
    #[error("op {cid}: clock of {author} is {got}, expected {expected}")]
    ClockRegression {
        cid: Box<Cid>,
        author: String,
        got: u64,
        expected: u64,
    },
    /// The op's vector clock disagrees with its parents' clocks.
    #[error("op {cid}: vector clock does not match its parents ({reason})")]
    BadClock { cid: Cid, reason: String },
    /// The op's timestamp is not after its parents' (hybrid logical clock).
    #[error("op {0}: timestamp is not after its parents'")]
    TimestampRegression(Cid),
    /// Parents must be sorted by CID bytes without duplicates.
    #[error("op {0}: parents are not in canonical order or repeat")]
    NonCanonicalParents(Cid),
    /// The op belongs to another log.
    #[error("op {cid}: belongs to log {found:?}, not {expected:?}")]
    WrongLog {
        cid: Box<Cid>,
        expected: String,
        found: String,
    },
    /// A block whose bytes do not hash to the CID it was sent or asked for.
    #[error("block does not match its CID {0}")]
    CidMismatch(Cid),
    /// A block that is not a valid op (not canonical DAG-CBOR, wrong shape).
    #[error("malformed op: {0}")]
    MalformedOp(String),
    /// An op larger than [`crate::MAX_OP_BYTES`].
    #[error("op of {0} bytes exceeds the limit")]
    OpTooLarge(usize),
    /// Ops waiting for their parents already fill the pending buffer.
    #[error("pending buffer full ({0} ops waiting for parents)")]
    PendingFull(usize),
    /// A frame larger than the session's limit (at most 1 MiB).
    #[error("frame of {size} bytes exceeds the limit of {limit}")]
    FrameTooLarge { size: usize, limit: usize },
    /// A frame that is not a valid protocol message.
    #[error("malformed frame: {0}")]
    MalformedFrame(String),
    /// A protocol version this node does not speak.
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u64),
    /// The peer broke the protocol (e.g. sent without credit, wrong log).
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// Encoding a value failed (a float, a too-deep value).
    #[error("cannot encode: {0}")]
    Encode(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The key of a member cannot be used (not ed25519, malformed did:key).
    #[error("invalid member key for {did}: {reason}")]
    BadKey { did: String, reason: String },
    /// Storage failed.
    #[error("storage: {0}")]
    Store(String),
    /// A firehose `#commit` event that does not verify (proofs, signature,
    /// shape); nothing of it was applied.
    #[error("bad #commit event: {0}")]
    BadEvent(String),
    /// Repo sync failed (verification, storage, a missing block).
    #[error("repo sync: {0}")]
    Repo(String),
}

impl SyncError {
    /// A stable short code for the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::BadSignature(_) => "BadSignature",
            SyncError::NotMember { .. } => "NotMember",
            SyncError::ClockRegression { .. } => "ClockRegression",
            SyncError::BadClock { .. } => "BadClock",
            SyncError::TimestampRegression(_) => "TimestampRegression",
            SyncError::NonCanonicalParents(_) => "NonCanonicalParents",
            SyncError::WrongLog { .. } => "WrongLog",
            SyncError::CidMismatch(_) => "CidMismatch",
            SyncError::MalformedOp(_) => "MalformedOp",
            SyncError::OpTooLarge(_) => "OpTooLarge",
            SyncError::PendingFull(_) => "PendingFull",
            SyncError::FrameTooLarge { .. } => "FrameTooLarge",
            SyncError::MalformedFrame(_) => "MalformedFrame",
            SyncError::UnsupportedVersion(_) => "UnsupportedVersion",
            SyncError::Protocol(_) => "Protocol",
            SyncError::Encode(_) => "Encode",
            SyncError::Signing(_) => "Signing",
            SyncError::BadKey { .. } => "BadKey",
            SyncError::Store(_) => "Store",
            SyncError::BadEvent(_) => "BadEvent",
            SyncError::Repo(_) => "Repo",
        }
    }
}

impl From<CborError> for SyncError {
    fn from(e: CborError) -> Self {
        SyncError::MalformedOp(e.to_string())
    }
}

impl From<ues_store::StoreError> for SyncError {
    fn from(e: ues_store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

impl From<ues_repo::RepoError> for SyncError {
    fn from(e: ues_repo::RepoError) -> Self {
        SyncError::Repo(e.to_string())
    }
}
