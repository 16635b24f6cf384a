//! The crate's error type.

use ues_data::syntax::SyntaxError;

/// Everything that can go wrong with keys, signatures, DIDs and resolution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A signature that is not 64 bytes (compact `r||s`); DER is rejected.
    #[error("signature must be 64 bytes (compact r||s), got {0}")]
    SignatureLength(usize),
    /// An ECDSA signature whose `s` is in the upper half of the order.
    #[error("high-S signature (not allowed in atproto)")]
    HighS,
    /// The signature does not verify under the key.
    #[error("signature does not verify")]
    BadSignature,
    /// Key bytes that do not form a valid key.
    #[error("invalid {alg} key: {reason}")]
    InvalidKey {
        /// The key algorithm.
        alg: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A multicodec key type this crate does not know.
    #[error("unsupported key type (multicodec 0x{0:x})")]
    UnsupportedKeyType(u64),
    /// A malformed `did:key`, multikey or multibase string.
    #[error("invalid key encoding: {0}")]
    KeyEncoding(&'static str),
    /// The system random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// The passphrase does not open the wrapped key (or the data was altered).
    #[error("wrong passphrase or corrupted key file")]
    WrongPassphrase,
    /// A wrapped key that is not in a format this version reads.
    #[error("invalid wrapped key: {0}")]
    KeyStore(&'static str),
    /// Key derivation parameters out of range.
    #[error("invalid key derivation parameters: {0}")]
    Kdf(String),
    /// An identifier with bad syntax.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// A DID method this crate cannot resolve.
    #[error("unsupported DID method in {0}")]
    UnsupportedDidMethod(String),
    /// A DID document that lacks something or is malformed.
    #[error("invalid DID document: {0}")]
    DidDocument(String),
    /// A did:plc operation or log that does not verify.
    #[error("invalid PLC operation {index}: {reason}")]
    Plc {
        /// Position of the operation in the log (0 = genesis).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The DID was deactivated (a PLC tombstone).
    #[error("DID {0} is tombstoned")]
    Tombstoned(String),
    /// The injected fetcher failed.
    #[error("fetching {url} failed: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// The fetcher's message.
        message: String,
    },
    /// An HTTP status other than 200.
    #[error("GET {url} returned HTTP {status}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A response body that is not what was expected.
    #[error("bad response from {url}: {message}")]
    BadResponse {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A handle and a DID that do not point at each other.
    #[error("handle {handle} does not match DID {did}")]
    HandleMismatch {
        /// The handle.
        handle: String,
        /// The DID.
        did: String,
    },
}
