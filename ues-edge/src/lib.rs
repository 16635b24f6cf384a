//! `ues-edge`: the UES edge relay, a Cloudflare Worker built with
//! workers-rs. It serves AT Protocol XRPC for custodial and self-custodial
//! accounts, keeps one Durable Object per repo (blocks, MST, head, event log
//! in the DO's SQLite storage through [`store::DoStore`]), a sequencer DO for
//! the firehose (`subscribeRepos`), an accounts DO, and an AppView DO for
//! the `app.bsky.*` views ([`appview`]); blobs live in R2.
//!
//! The host-neutral parts (XRPC errors, JWTs, password hashes, firehose
//! frames) build everywhere and are unit-tested natively; everything that
//! touches the Workers runtime is wasm32-only.

pub mod appview;
pub mod blobs;
pub mod crawl;
pub mod error;
pub mod frame;
pub mod jwt;
pub mod password;

#[cfg(target_arch = "wasm32")]
mod accounts;
#[cfg(target_arch = "wasm32")]
mod conformance;
#[cfg(target_arch = "wasm32")]
mod entry;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod lexicons;
#[cfg(target_arch = "wasm32")]
mod repo_do;
#[cfg(target_arch = "wasm32")]
mod sequencer;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
mod xrpc;
