//! The UES benchmark workload, shared by the native benches (`benches/mst.rs`,
//! the `ues-mst-native` binary) and, through the wasm module, the JS harness
//! in `bench/`.
//!
//! Everything here follows `PERFORMANCE.md`: the keys come from the LCG
//! computed in IEEE doubles exactly as JavaScript computes it, and every value
//! is the same CID, so that every implementation (ours native and wasm,
//! shrike, `@atproto/repo`) builds the same tree and must print the same root.

pub mod feed_plan;
pub mod keys;
pub mod merge_plan;
pub mod native;
pub mod workload;

#[cfg(target_arch = "wasm32")]
mod feed_wasm;
#[cfg(target_arch = "wasm32")]
mod merge_wasm;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use keys::{key, keys, Lcg};
pub use workload::{diff_entries, Edit, CHANGED_CID, VALUE_CID};

/// Median of `xs` (sorted in place); the mean of the two middle values for
/// an even count. `NaN` for an empty slice.
pub fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_odd_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
