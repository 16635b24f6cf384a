//! UES applications (layer 6).
//!
//! - [`feed`]: the social feed over Bluesky-compatible AT Protocol records:
//!   record builders, the rich-text facet detector, the in-memory graph and
//!   counts ([`feed::FeedState`]), timelines, threads, a ranked feed and
//!   search. Target-neutral (native and `wasm32-unknown-unknown`), no I/O.

pub mod feed;
