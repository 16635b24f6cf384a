//! The UES side of each task, natively (and in the wasm module): what the
//! benches time.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;
use ues_data::cid::{self, Cid};
use ues_data::mst::{self, Mst};

use crate::workload::diff_entries;

/// Parses one of the workload's CID constants.
pub fn cid(s: &str) -> Cid {
    cid::parse(s).expect("workload CIDs are valid")
}

/// The root of the tree holding every key of `keys` with value `value`,
/// built by one put per key and one hashing pass (= one commit).
pub fn build(keys: &[String], value: Cid) -> Cid {
    let mut t = Mst::new();
    for k in keys {
        t.put(k, value).expect("benchmark keys are valid");
    }
    t.root()
}

/// Builds the tree of `keys` in one batch ([`Mst::from_entries`]: sorted,
/// bottom-up) and returns its root.
pub fn build_bulk(keys: &[String], value: Cid) -> Cid {
    Mst::from_entries(keys.iter().map(|k| (k.as_str(), value)))
        .expect("benchmark keys are valid")
        .root()
}

/// Builds the tree of `entries` and returns its root and its node blocks.
pub fn build_blocks(entries: &[(String, Cid)]) -> (Cid, Vec<(Cid, Vec<u8>)>) {
    let mut t = Mst::new();
    for (k, v) in entries {
        t.put(k, *v).expect("benchmark keys are valid");
    }
    let root = t.root();
    (root, t.take_new_blocks())
}

/// The diff task's input: the blocks of both trees in one map, and their
/// roots. Timed: loading both trees from the map and diffing them.
pub struct DiffFixture {
    pub blocks: HashMap<Cid, Vec<u8>>,
    pub a: Cid,
    pub b: Cid,
}

impl DiffFixture {
    /// The two trees of `workload::diff_entries(n, m)`.
    pub fn new(n: usize, m: usize) -> Self {
        let (a, b) = diff_entries(n, m);
        let parse = |xs: Vec<(String, &str)>| -> Vec<(String, Cid)> {
            xs.into_iter().map(|(k, v)| (k, cid(v))).collect()
        };
        let (ra, ba) = build_blocks(&parse(a));
        let (rb, bb) = build_blocks(&parse(b));
        let blocks = ba.into_iter().chain(bb).collect();
        DiffFixture {
            blocks,
            a: ra,
            b: rb,
        }
    }

    /// Loads both trees lazily from the block map and diffs them.
    pub fn run(&self) -> mst::Diff {
        let mut a = Mst::load(&self.blocks, self.a);
        let mut b = Mst::load(&self.blocks, self.b);
        mst::diff(&mut a, &mut b).expect("both trees are in the block map")
    }
}

/// Milliseconds taken by `f` (wall clock), and its result.
pub fn time_ms<T>(f: impl FnMut() -> T) -> (f64, T) {
    let (s, r) = measure(f);
    (s.wall, r)
}

/// One timing: wall-clock and CPU milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// Wall-clock time.
    pub wall: f64,
    /// CPU time of the calling thread (= `wall` where unavailable). On a
    /// shared, oversubscribed machine this excludes the time the thread
    /// waited for a core, so it drifts much less than `wall`.
    pub cpu: f64,
}

/// Runs `f` once and returns its [`Sample`] and result.
pub fn measure<T>(mut f: impl FnMut() -> T) -> (Sample, T) {
    let c = thread_cpu_ms();
    let t = Instant::now();
    let r = black_box(f());
    let wall = t.elapsed().as_secs_f64() * 1e3;
    let cpu = match (c, thread_cpu_ms()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    (Sample { wall, cpu }, r)
}

/// Medians (wall and CPU, separately) of `runs` rounds of two sides, after
/// one warm-up of each; the side that runs first alternates between rounds,
/// so neither always inherits the other's cache or allocator state.
pub fn race(
    runs: usize,
    mut a: impl FnMut() -> Sample,
    mut b: impl FnMut() -> Sample,
) -> (Sample, Sample) {
    a();
    b();
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    for r in 0..runs {
        if r % 2 == 0 {
            sa.push(a());
            sb.push(b());
        } else {
            sb.push(b());
            sa.push(a());
        }
    }
    (medians(&sa), medians(&sb))
}

/// The medians of wall and CPU times, taken separately.
pub fn medians(xs: &[Sample]) -> Sample {
    let mut w: Vec<f64> = xs.iter().map(|x| x.wall).collect();
    let mut c: Vec<f64> = xs.iter().map(|x| x.cpu).collect();
    Sample {
        wall: crate::median(&mut w),
        cpu: crate::median(&mut c),
    }
}

/// Rounds per task: `UES_BENCH_RUNS` or `default`.
pub fn runs_from_env(default: usize) -> usize {
    std::env::var("UES_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// CPU time consumed by the calling thread so far, in milliseconds.
#[cfg(unix)]
pub fn thread_cpu_ms() -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6)
}

/// CPU time consumed by the calling thread so far (not available here).
#[cfg(not(unix))]
pub fn thread_cpu_ms() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::keys;
    use crate::workload::VALUE_CID;

    #[test]
    fn diff_fixture_finds_the_edits() {
        let f = DiffFixture::new(1_000, 30);
        let d = f.run();
        assert_eq!(d.record_ops.len(), 30);
        // Diff of a tree with itself is empty.
        let mut a = Mst::load(&f.blocks, f.a);
        let mut a2 = Mst::load(&f.blocks, f.a);
        assert!(mst::diff(&mut a, &mut a2).unwrap().record_ops.is_empty());
    }

    #[test]
    fn build_is_deterministic() {
        let ks = keys(500);
        let v = cid(VALUE_CID);
        let mut rev = ks.clone();
        rev.reverse();
        assert_eq!(build(&ks, v), build(&rev, v));
    }
}
