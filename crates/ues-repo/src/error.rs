//! Repository errors: one variant per thing a caller can act on.

use ues_data::car::CarError;
use ues_data::cbor::CborError;
use ues_data::cid::Cid;
use ues_data::mst::MstError;
use ues_store::StoreError;

/// Everything a repository operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The commit signature does not verify against the key.
    #[error("commit signature does not verify against the repo's key")]
    BadSignature,
    /// A block the repository needs is neither in the CAR nor in the store.
    #[error("block {0} is missing")]
    MissingBlock(Cid),
    /// A record's block is missing (the MST names it but nobody has it).
    #[error("record {path} (block {cid}) is missing")]
    MissingRecord { path: String, cid: Cid },
    /// The MST is malformed (layers, order, encoding).
    #[error("invalid MST: {0}")]
    BadMst(MstError),
    /// The commit names another DID than the one expected.
    #[error("commit is for {found}, expected {expected}")]
    WrongDid { expected: String, found: String },
    /// A block is not canonical DAG-CBOR.
    #[error("non-canonical or malformed DAG-CBOR: {0}")]
    NonCanonical(CborError),
    /// The commit block decodes but is not a valid v3 commit.
    #[error("invalid commit: {0}")]
    BadCommit(String),
    /// A CAR that cannot be read, or a block that does not match its CID.
    #[error("CAR: {0}")]
    Car(#[from] CarError),
    /// The CAR has no root, or several.
    #[error("CAR must have exactly one root (the commit), found {0}")]
    CarRoots(usize),
    /// A rev that is not a TID.
    #[error(transparent)]
    Tid(#[from] crate::tid::TidError),
    /// A commit whose rev is not after the repo's current rev.
    #[error("rev {new} is not after the current rev {current}")]
    StaleRev { current: String, new: String },
    /// A record key or collection the MST rejects.
    #[error("invalid record path: {0}")]
    InvalidPath(String),
    /// A create on a path that already holds a record.
    #[error("record {0} already exists")]
    RecordExists(String),
    /// An update or delete of a path without a record.
    #[error("record {0} not found")]
    RecordNotFound(String),
    /// A record value that cannot be encoded (e.g. a float, bad `$link`).
    #[error("invalid record: {0}")]
    InvalidRecord(CborError),
    /// The repository has no commit yet.
    #[error("the repository is empty (no commit)")]
    Empty,
    /// A key (e.g. a did:key) that cannot be used.
    #[error("invalid key: {0}")]
    BadKey(String),
    /// The signer failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The storage backend failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// Bytes stored under a repo key are not what this crate wrote.
    #[error("corrupt repo metadata: {0}")]
    Corrupt(String),
}

impl From<CborError> for RepoError {
    fn from(e: CborError) -> Self {
        RepoError::NonCanonical(e)
    }
}

impl From<MstError> for RepoError {
    fn from(e: MstError) -> Self {
        match e {
            MstError::MissingBlock(c) => RepoError::MissingBlock(c),
            MstError::InvalidKey { key, reason } => {
                RepoError::InvalidPath(format!("{key}: {reason}"))
            }
            e => RepoError::BadMst(e),
        }
    }
}
