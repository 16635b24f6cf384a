//! MST benchmarks, UES against shrike 0.8.2 (the fastest peer of
//! PERFORMANCE.md), side by side in one process:
//!
//! - `build 10k`, `build 100k`: one put per key into an empty tree, then the
//!   root (every node encoded and hashed once). Both sides also hand back the
//!   node blocks (`Mst::root` keeps them for `take_new_blocks`; shrike's
//!   `DetachedTree::flush` returns them).
//! - `diff 10k 1%`: the blocks of two 10,000-key trees differing in 100 keys
//!   (34 changed, 33 deleted, 33 added) in one map; timed: loading both trees
//!   from their root CIDs and diffing them (`ues_data::mst::diff`,
//!   `shrike::mst::diff`).
//!
//! Before timing, both sides must agree: identical root CIDs, identical
//! record changes. Then a table of medians (rounds alternate which side runs
//! first), then criterion's own measurements of the same closures.
//!
//! ```text
//! cargo bench -p ues-bench --bench mst                 table, then criterion
//! UES_BENCH_CRITERION=0 cargo bench -p ues-bench --bench mst    table only
//! UES_BENCH_RUNS=21 ...                                 rounds per task (default 11)
//! ```

use criterion::Criterion;
use shrike::cbor::Cid as SCid;
use shrike::mst as smst;
use std::collections::HashMap;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;
use ues_bench::native::{self, cid, measure, DiffFixture, Sample};
use ues_bench::{keys, CHANGED_CID, VALUE_CID};
use ues_data::cid::Cid;
use ues_data::mst::RecordOp;

// ------------------------------------------------------------------ shrike

fn scid(s: &str) -> SCid {
    s.parse().expect("workload CIDs are valid")
}

/// shrike's build: `DetachedTree` (its sans-IO core, no store writes), one
/// insert per key, one flush.
fn shrike_build(keys: &[String], value: SCid) -> SCid {
    let mut t = smst::DetachedTree::new();
    for k in keys {
        t.insert(&smst::NoBlocks, k.clone(), value)
            .expect("benchmark keys are valid");
    }
    t.flush().expect("flush").root
}

/// A read-only shrike `BlockStore` over the diff task's block map (shrike's
/// `diff` takes two `Tree`s, which own a boxed store).
#[derive(Clone)]
struct SharedBlocks(Rc<HashMap<SCid, Vec<u8>>>);

impl smst::BlockStore for SharedBlocks {
    fn get_block(&self, cid: &SCid) -> Result<Vec<u8>, smst::MstError> {
        self.0
            .get(cid)
            .cloned()
            .ok_or_else(|| smst::MstError::BlockNotFound(cid.to_string()))
    }
    fn put_block(&self, _: SCid, _: Vec<u8>) -> Result<(), smst::MstError> {
        Err(smst::MstError::Internal("read-only store".into()))
    }
    fn has_block(&self, cid: &SCid) -> Result<bool, smst::MstError> {
        Ok(self.0.contains_key(cid))
    }
}

struct ShrikeDiff {
    blocks: SharedBlocks,
    a: SCid,
    b: SCid,
}

impl ShrikeDiff {
    /// The same blocks as the UES fixture (identical roots mean identical
    /// node bytes), keyed by shrike's CID type.
    fn from(fx: &DiffFixture) -> Self {
        let to_s = |c: &Cid| scid(&c.to_string());
        let blocks = fx.blocks.iter().map(|(c, b)| (to_s(c), b.clone()));
        ShrikeDiff {
            blocks: SharedBlocks(Rc::new(blocks.collect())),
            a: to_s(&fx.a),
            b: to_s(&fx.b),
        }
    }

    fn run(&self) -> smst::Diff {
        let mut a = smst::Tree::load(Box::new(self.blocks.clone()), self.a);
        let mut b = smst::Tree::load(Box::new(self.blocks.clone()), self.b);
        smst::diff(&mut a, &mut b).expect("both trees are in the block map")
    }
}

/// shrike's diff as UES record ops, to compare the two answers.
fn shrike_ops(d: &smst::Diff) -> Vec<RecordOp> {
    let c = |s: &SCid| cid(&s.to_string());
    let mut ops: Vec<RecordOp> = d
        .added
        .iter()
        .map(|(k, v)| RecordOp {
            rpath: k.clone(),
            old_value: None,
            new_value: Some(c(v)),
        })
        .chain(d.updated.iter().map(|(k, o, n)| RecordOp {
            rpath: k.clone(),
            old_value: Some(c(o)),
            new_value: Some(c(n)),
        }))
        .chain(d.removed.iter().map(|(k, v)| RecordOp {
            rpath: k.clone(),
            old_value: Some(c(v)),
            new_value: None,
        }))
        .collect();
    ops.sort();
    ops
}

// ------------------------------------------------------------------ table

struct Row {
    task: &'static str,
    ues: Sample,
    shrike: Sample,
    goal: f64,
}

/// [`native::race`] of two closures, each timed with [`measure`].
fn race(runs: usize, mut ues: impl FnMut(), mut shrike: impl FnMut()) -> (Sample, Sample) {
    native::race(runs, || measure(&mut ues).0, || measure(&mut shrike).0)
}

fn main() {
    let runs = native::runs_from_env(11);
    let value = cid(VALUE_CID);
    let svalue = scid(VALUE_CID);
    let k10 = keys(10_000);
    let k100 = keys(100_000);

    // Both sides must give the same answers before anything is timed.
    for ks in [&k10, &k100] {
        let (u, s) = (native::build(ks, value), shrike_build(ks, svalue));
        assert_eq!(
            u.to_string(),
            s.to_string(),
            "roots differ ({} keys)",
            ks.len()
        );
        println!("root of {:>6} keys: {u} (ues = shrike)", ks.len());
    }
    let fx = DiffFixture::new(10_000, 100);
    let sfx = ShrikeDiff::from(&fx);
    let (ud, sd) = (fx.run(), sfx.run());
    assert_eq!(ud.record_ops, shrike_ops(&sd), "diffs differ");
    assert_eq!(ud.record_ops.len(), 100);
    assert_eq!(
        ud.record_ops
            .iter()
            .filter(|o| o.new_value == Some(cid(CHANGED_CID)))
            .count(),
        34
    );
    println!(
        "diff 10k 1%: {} record ops (ues = shrike: {} added, {} updated, {} removed); {} nodes created, {} deleted",
        ud.record_ops.len(),
        sd.added.len(),
        sd.updated.len(),
        sd.removed.len(),
        ud.created_nodes.len(),
        ud.deleted_nodes.len()
    );

    let mut rows = Vec::new();
    for (task, ks, goal) in [("mst build 10k", &k10, 1.5), ("mst build 100k", &k100, 2.0)] {
        let (u, s) = race(
            runs,
            || {
                black_box(native::build(black_box(ks), value));
            },
            || {
                black_box(shrike_build(black_box(ks), svalue));
            },
        );
        rows.push(Row {
            task,
            ues: u,
            shrike: s,
            goal,
        });
    }
    // The same key sets as one batch (`Mst::from_entries`), against shrike's
    // insert loop: what a commit of that many writes costs each of them.
    for (task, ks, goal) in [
        ("mst build 10k, one batch", &k10, 1.5),
        ("mst build 100k, one batch", &k100, 2.0),
    ] {
        assert_eq!(
            native::build_bulk(ks, value),
            native::build(ks, value),
            "bulk build root"
        );
        let (u, s) = race(
            runs,
            || {
                black_box(native::build_bulk(black_box(ks), value));
            },
            || {
                black_box(shrike_build(black_box(ks), svalue));
            },
        );
        rows.push(Row {
            task,
            ues: u,
            shrike: s,
            goal,
        });
    }
    let (u, s) = race(
        runs,
        || {
            black_box(fx.run());
        },
        || {
            black_box(sfx.run());
        },
    );
    rows.push(Row {
        task: "mst diff 10k 1%",
        ues: u,
        shrike: s,
        goal: f64::NAN,
    });

    println!(
        "\nmedians of {runs} rounds, same process (ms); ratio = shrike / ues; \
         wall = wall clock, cpu = thread CPU time (excludes waiting for a core)"
    );
    println!(
        "{:<16} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}  goal (on cpu)",
        "task", "ues wall", "shr wall", "ratio", "ues cpu", "shr cpu", "ratio"
    );
    for r in &rows {
        let rw = r.shrike.wall / r.ues.wall;
        let rc = r.shrike.cpu / r.ues.cpu;
        let goal = if r.goal.is_nan() {
            "-".to_string()
        } else {
            let verdict = if rc >= r.goal { "met" } else { "NOT met" };
            format!(">= {}x ({verdict})", r.goal)
        };
        println!(
            "{:<16} {:>9.3} {:>9.3} {:>6.2}x {:>9.3} {:>9.3} {:>6.2}x  {goal}",
            r.task, r.ues.wall, r.shrike.wall, rw, r.ues.cpu, r.shrike.cpu, rc
        );
    }

    if std::env::var("UES_BENCH_CRITERION").as_deref() == Ok("0") {
        return;
    }
    println!();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (name, ks) in [("mst_build_10k", &k10), ("mst_build_100k", &k100)] {
        let mut g = c.benchmark_group(name);
        g.bench_function("ues", |b| b.iter(|| native::build(black_box(ks), value)));
        g.bench_function("shrike", |b| b.iter(|| shrike_build(black_box(ks), svalue)));
        g.finish();
    }
    let mut g = c.benchmark_group("mst_diff_10k_1pct");
    g.bench_function("ues", |b| b.iter(|| fx.run()));
    g.bench_function("shrike", |b| b.iter(|| sfx.run()));
    g.finish();
    c.final_summary();
}
