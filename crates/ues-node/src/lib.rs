//! The UES node: the composition root every host drives (the npm package,
//! the web app in a tab, the native CLI, the edge relay's tests).
//!
//! One [`Node`] holds a store (IndexedDB in the browser, memory or the native
//! file store elsewhere), the account (a DID and its k256 signing key, sealed
//! under a passphrase when the user wants), the repos it owns and imported,
//! their collection indexes, and a bounded queue of [`NodeEvent`]s. Writes are
//! signed commits, each one storage batch; reads and queries go through the
//! indexes; CARs move repos in and out with full verification and progress.
//!
//! Like the crates below it, this one is target-neutral and single-threaded
//! (`!Send`): the host decides where it runs (a Web Worker is the
//! recommended home in a browser, so the page stays responsive).

mod account;
mod error;
pub mod events;
mod feed;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
mod follow;
mod node;
mod records;
pub mod relay;
mod transfer;

pub use error::{repo_code, NodeError};
pub use events::{Action, EventQueue, NodeEvent};
pub use follow::{PullOutcome, FOLLOW};
pub use node::{AccountInfo, Node, NodeOptions};
pub use records::{writes_from_json, CommitSummary, RecordView, WriteOutcome};
pub use relay::{Http, RelayStatus};
pub use transfer::{ImportSummary, Progress};
pub use ues_apps;
pub use ues_repo::Write;
