//! The relay's AppView subset: `app.bsky.*` views (profiles, timelines,
//! threads, likes, reposts, follows, search) over the repos the relay hosts
//! or mirrors, computed by `ues_apps::feed::FeedState` — the same Rust code
//! the browser tab runs.
//!
//! [`state`], [`views`] and [`query`] are host-neutral (unit-tested
//! natively); `object` is the Durable Object that holds the state.

pub mod query;
pub mod state;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub(crate) mod object;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
