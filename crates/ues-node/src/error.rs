//! The node's errors: each has a stable [`NodeError::code`] that the hosts
//! pass on (a JS `Error.code`, an XRPC error name).

use ues_identity::IdentityError;
use ues_repo::RepoError;
use ues_store::StoreError;

/// What went wrong in a [`crate::Node`] call. Nothing is written when a call
/// fails.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The call needs an account and the node has none yet.
    #[error("this node has no account yet: create or import one first")]
    NoAccount,
    /// The node already has an account.
    #[error("this node already has an account ({0})")]
    AccountExists(String),
    /// The account's key is sealed under a passphrase: unlock it first.
    #[error("the account is locked: unlock it with its passphrase")]
    Locked,
    /// A wrong passphrase (or a sealed key that was tampered with).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// No repo of that DID on this node.
    #[error("no repo for {0} on this node")]
    UnknownRepo(String),
    /// An argument the caller got wrong (type, shape, range).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A record that breaks its collection's lexicon.
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// The relay is unreachable (the write stays pending).
    #[error("the relay is unreachable: {0}")]
    Offline(String),
    /// The relay refused a request.
    #[error("the relay refused: {0}")]
    Relay(String),
    /// Another call on the same node is still running.
    #[error("the node is busy with another call")]
    Busy,
    /// The node was closed.
    #[error("the node is closed")]
    Closed,
    /// Bytes under a node key that this crate did not write.
    #[error("corrupt node metadata: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Repo(Box<RepoError>),
    #[error(transparent)]
    Identity(IdentityError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl From<RepoError> for NodeError {
    fn from(e: RepoError) -> Self {
        NodeError::Repo(Box::new(e))
    }
}

impl From<IdentityError> for NodeError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::WrongPassphrase => NodeError::WrongPassphrase,
            e => NodeError::Identity(e),
        }
    }
}

impl NodeError {
    /// A stable name for the error, for programs to match on.
    pub fn code(&self) -> &'static str {
        match self {
            NodeError::NoAccount => "NoAccount",
            NodeError::AccountExists(_) => "AccountExists",
            NodeError::Locked => "Locked",
            NodeError::WrongPassphrase => "WrongPassphrase",
            NodeError::UnknownRepo(_) => "UnknownRepo",
            NodeError::InvalidArgument(_) => "InvalidArgument",
            NodeError::InvalidRecord(_) => "InvalidRecord",
            NodeError::Offline(_) => "Offline",
            NodeError::Relay(_) => "RelayError",
            NodeError::Busy => "Busy",
            NodeError::Closed => "Closed",
            NodeError::Corrupt(_) => "CorruptNode",
            NodeError::Repo(e) => repo_code(e),
            NodeError::Identity(_) => "InvalidKey",
            NodeError::Store(_) => "StoreError",
        }
    }
}

/// The stable code of a repository error.
pub fn repo_code(e: &RepoError) -> &'static str {
    use ues_data::car::CarError;
    match e {
        RepoError::BadSignature => "BadSignature",
        RepoError::MissingBlock(_) => "MissingBlock",
        RepoError::MissingRecord { .. } => "MissingRecord",
        RepoError::BadMst(_) => "InvalidMst",
        RepoError::WrongDid { .. } => "WrongDid",
        RepoError::NonCanonical(_) => "NonCanonicalCbor",
        RepoError::BadCommit(_) => "InvalidCommit",
        RepoError::Car(CarError::HashMismatch { .. }) => "BlockHashMismatch",
        RepoError::Car(_) => "InvalidCar",
        RepoError::CarRoots(_) => "InvalidCarRoots",
        RepoError::Tid(_) => "InvalidTid",
        RepoError::StaleRev { .. } => "StaleRev",
        RepoError::InvalidPath(_) => "InvalidRecordPath",
        RepoError::RecordExists(_) => "RecordExists",
        RepoError::RecordNotFound(_) => "RecordNotFound",
        RepoError::InvalidRecord(_) => "InvalidRecord",
        RepoError::Empty => "EmptyRepo",
        RepoError::BadKey(_) => "InvalidKey",
        RepoError::Signing(_) => "SigningFailed",
        RepoError::Store(_) => "StoreError",
        RepoError::Corrupt(_) => "CorruptRepo",
        #[allow(unreachable_patterns)]
        _ => "RepoError",
    }
}
