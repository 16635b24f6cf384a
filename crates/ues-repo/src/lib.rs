//! UES repository layer (layer 3): AT Protocol repositories owned by a DID.
//!
//! - [`tid`]: timestamp identifiers and a monotonic generator.
//! - [`commit`]: repo format v3 commits, signing and verification.
//! - [`Repo`]: records in an MST over a [`ues_store::Store`]; each commit is
//!   one storage batch. The tree is synchronous and in memory; async stops at
//!   the storage boundary (missing nodes are fetched, then the work retried).
//! - [`car_io`]: export the repo (or the slice since a rev) as CAR v1, import
//!   a CAR with full verification.
//! - [`firehose`]: check a `#commit` event without the repo.
//! - [`indexes`]: collection indexes (time, author, subject, full text,
//!   custom) written in each commit's batch, queryable with cursors.

pub mod car_io;
pub mod commit;
mod error;
pub mod firehose;
mod identity;
pub mod indexes;
mod keys;
mod records;
mod repo;
mod source;
pub mod tid;

pub use commit::{Commit, Signer, UnsignedCommit, Verifier};
pub use error::RepoError;
pub use identity::key_from_did_key;
pub use indexes::{IndexQuery, IndexSpec, Indexes, UriPage};
pub use records::RecordEntry;
pub use repo::{Repo, WriteResult};
pub use source::{record_from_json, Write};
pub use tid::{Tid, TidGenerator};
