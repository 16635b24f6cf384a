//! The conformance suite every backend runs: one set of checks, generic
//! over [`Store`], so memory, native, IndexedDB (in Chromium) and Durable
//! Object storage (in workerd) are held to the same behaviour.
//!
//! Use: create an **empty** store whose clock is a clone of a
//! [`ManualClock`], then `conformance::check_all(&store, &clock).await`.
//! Every check panics with a message naming the check and what differed.
//! Each check also leaves the key space empty again, so the checks can run
//! one by one (each needs an empty key space to start; blocks need not be).
//!
//! Shared rules the suite pins down (see also [`crate::is_expired`] and
//! [`crate::Batch::validate`]):
//! - keys order byte-wise (`0x00` first, `0xff` last, UTF-8 by bytes);
//! - an empty key is an invalid operation: the batch fails with
//!   [`StoreError::InvalidArgument`] and writes nothing;
//! - an entry expires at `expires_at` (`now >= expires_at` reads absent);
//! - a scan with an empty or inverted range returns nothing, limit 0 returns
//!   nothing, and limits count only live (unexpired) entries.

mod batch;
mod blocks;
mod kv;
mod ttl;

pub use batch::{
    batch_atomic_on_invalid, batch_last_op_wins, concurrent_batches, large_and_empty_values,
    many_keys,
};
pub use blocks::{blocks_batched, blocks_empty_and_large, blocks_put_get_has_delete};
pub use kv::{kv_put_get_delete, scan_bounds, scan_byte_order, scan_limits, scan_prefixes};
pub use ttl::{ttl_expiry_on_read, ttl_reput_clears_expiry, ttl_sweep};

use crate::{Batch, Clock, Result, Scan, Store, StoreError};
use std::cell::Cell;
use std::rc::Rc;

/// A clock tests move by hand. Clones share the same time, so a store
/// created with `Rc::new(clock.clone())` sees every `set`/`advance`.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Rc<Cell<u64>>,
}

impl Default for ManualClock {
    /// Starts at 2023-11-14T22:13:20Z (1.7e12 ms), far from 0 and `u64::MAX`.
    fn default() -> Self {
        Self::new(1_700_000_000_000)
    }
}

impl ManualClock {
    /// A clock reading `now_ms`.
    pub fn new(now_ms: u64) -> Self {
        ManualClock {
            now: Rc::new(Cell::new(now_ms)),
        }
    }

    /// Sets the time.
    pub fn set(&self, now_ms: u64) {
        self.now.set(now_ms);
    }

    /// Moves the time forward by `ms`.
    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get().saturating_add(ms));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
}

/// Runs every check in order; returns how many ran. `store` must be empty
/// and use (a clone of) `clock`.
pub async fn check_all<S: Store>(store: &S, clock: &ManualClock) -> usize {
    assert_empty(store, "check_all (the store must start empty)").await;
    let mut n = 0;
    macro_rules! run {
        ($check:expr) => {{
            $check.await;
            n += 1;
        }};
    }
    run!(blocks_put_get_has_delete(store));
    run!(blocks_batched(store));
    run!(blocks_empty_and_large(store));
    run!(kv_put_get_delete(store));
    run!(scan_byte_order(store));
    run!(scan_prefixes(store));
    run!(scan_bounds(store));
    run!(scan_limits(store));
    run!(ttl_expiry_on_read(store, clock));
    run!(ttl_sweep(store, clock));
    run!(ttl_reput_clears_expiry(store, clock));
    run!(batch_atomic_on_invalid(store));
    run!(batch_last_op_wins(store));
    run!(large_and_empty_values(store));
    run!(many_keys(store));
    run!(concurrent_batches(store));
    n
}

/// Unwraps a store result or panics naming the check and the step.
pub(crate) fn ok<T>(check: &str, step: &str, r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("conformance[{check}]: {step} failed: {e}"),
    }
}

/// Applies `batch`, panicking with the check's name on error.
pub(crate) async fn apply<S: Store>(store: &S, check: &str, step: &str, batch: Batch) {
    ok(check, step, store.apply(batch).await);
}

/// Printable form of a key.
pub(crate) fn show(key: &[u8]) -> String {
    key.escape_ascii().to_string()
}

/// Printable form of scan results (keys only).
pub(crate) fn show_keys(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<String> {
    entries.iter().map(|(k, _)| show(k)).collect()
}

/// Asserts that the store's key space reads as empty.
pub(crate) async fn assert_empty<S: Store>(store: &S, check: &str) {
    let left = ok(check, "scan all", store.scan(&Scan::all().limit(5)).await);
    assert!(
        left.is_empty(),
        "conformance[{check}]: expected no keys, found {:?}",
        show_keys(&left)
    );
}

/// Deletes every live key and sweeps expired ones, so the next check starts
/// from an empty key space.
pub(crate) async fn clear<S: Store>(store: &S, check: &str) {
    let all = ok(check, "scan all (cleanup)", store.scan(&Scan::all()).await);
    let mut batch = Batch::new();
    for (k, _) in all {
        batch.delete(k);
    }
    apply(store, check, "delete all (cleanup)", batch).await;
    ok(check, "sweep (cleanup)", store.sweep().await);
    assert_empty(store, check).await;
}

/// Asserts an error is [`StoreError::InvalidArgument`].
pub(crate) fn expect_invalid(check: &str, step: &str, r: Result<()>) {
    match r {
        Err(StoreError::InvalidArgument(_)) => {}
        other => panic!("conformance[{check}]: {step}: expected InvalidArgument, got {other:?}"),
    }
}

/// Deterministic pseudo-random bytes (xorshift), so large values are not
/// trivially compressible and differ between seeds.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
