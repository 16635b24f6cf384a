//! UES identity: keys, signatures and decentralized identifiers.
//!
//! - [`keys`]: k256 and p256 ECDSA (SHA-256, RFC 6979, 64-byte compact
//!   low-S signatures) and ed25519; `did:key` and multikey encodings.
//! - [`keystore`]: private keys wrapped under a passphrase (scrypt →
//!   ChaCha20-Poly1305) in a versioned binary format.
//! - [`doc`]: DID documents: parsing the atproto signing key, handle and PDS,
//!   and generating `did:web` documents.
//! - [`plc`]: did:plc genesis operations, DID computation and log
//!   verification.
//! - [`resolve`]: DID and handle resolution through an injected
//!   [`resolve::HttpFetch`] (no HTTP client in this crate).
//!
//! Pure Rust, no threads and no async runtime: builds for wasm32 and native.

pub mod doc;
pub mod error;
pub mod keys;
pub mod keystore;
pub mod plc;
pub mod resolve;

pub use doc::DidDocument;
pub use error::IdentityError;
pub use keys::{Algorithm, Keypair, PublicKey};
