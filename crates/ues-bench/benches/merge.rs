//! Op-log merge against automerge (Rust, crates.io `automerge` 0.12), side by
//! side (PERFORMANCE.md: "op-log merge, each change signed (ed25519) and
//! verified ≥ automerge Rust natively").
//!
//! Workload, the same for both: 100,000 edits by 3 writers in 1,000 changes
//! of 100 edits each (writers take turns); half the edits set a map key (one
//! of 1,000) to an integer, half increment a counter (one of 100, created
//! by a first shared change). Before each change the writer merges what the
//! others wrote, except for 10 % of changes, which are made without that
//! merge and so are concurrent with the others' latest changes.
//!
//! Timed ("merge"): a fresh replica takes every change as bytes and reaches
//! the merged state.
//! - UES: `OpLog::receive_batch` of the 1,001 op blocks (each decoded from
//!   canonical DAG-CBOR, its BLAKE3 CID computed, its ed25519 signature
//!   verified, its vector clock, parents and timestamp checked), then
//!   `OpLog::state()` (the deterministic merge) and its state CID.
//! - automerge: `Change::from_bytes` of each change (decode, checksum) and
//!   `AutoCommit::apply_changes` (the faster of it and `apply_changes_batch`
//!   is reported), then the counter and map values are read back.
//!
//! Both sides must agree before timing: the same counter totals and map
//! values. Medians of alternating rounds; ops/s = 100,000 / median.
//!
//! ```text
//! cargo bench -p ues-bench --bench merge
//! UES_BENCH_RUNS=21 cargo bench -p ues-bench --bench merge
//! ```

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change, ReadDoc, ScalarValue, Value, ROOT};
use std::collections::{BTreeMap, VecDeque};
use std::hint::black_box;
use ues_bench::merge_plan::{generate, plan, CHANGES, COUNTERS, E, PER_CHANGE, WRITERS};
use ues_bench::native::{measure, race, runs_from_env, Sample};
use ues_data::cbor::Ipld;
use ues_sync::{Acl, OpLog, Session, SessionConfig};

// ------------------------------------------------------------------ ues

fn ues_generate(changes: &[Vec<E>], skip: &[bool]) -> (Acl, Vec<Vec<u8>>) {
    generate(changes, skip).expect("the workload's ops")
}

fn ues_merge(acl: &Acl, blocks: &[Vec<u8>]) -> (Sample, BTreeMap<String, i128>) {
    let input = blocks.to_vec();
    measure(|| {
        let mut log = OpLog::new("bench", acl.clone());
        let rep = log.receive_batch(input.clone());
        assert_eq!(rep.applied.len(), CHANGES + 1);
        let state = log.state();
        black_box(state.cid().expect("state cid"));
        let mut out = BTreeMap::new();
        for (k, v) in state.iter() {
            let n = match v {
                ues_sync::Value::Counter { .. } => v.counter().unwrap_or(0),
                ues_sync::Value::Register(Ipld::Integer(n)) => *n,
                _ => continue,
            };
            out.insert(k.replace("map/k", "k").replace("ctr/c", "c"), n);
        }
        out
    })
}

// ------------------------------------------------------------ automerge

fn am_apply(doc: &mut AutoCommit, es: &[E]) {
    for e in es {
        match *e {
            E::Put(k, v) => doc.put(ROOT, format!("k{k}"), v).expect("put"),
            E::Inc(c, d) => doc.increment(ROOT, format!("c{c}"), d).expect("inc"),
        }
    }
}

fn am_generate(changes: &[Vec<E>], skip: &[bool]) -> Vec<Vec<u8>> {
    let mut base = AutoCommit::new().with_actor(ActorId::from(vec![9u8; 16]));
    for c in 0..COUNTERS {
        base.put(ROOT, format!("c{c}"), ScalarValue::counter(0))
            .expect("put");
    }
    base.commit();
    let mut docs: Vec<AutoCommit> = (0..WRITERS)
        .map(|w| base.fork().with_actor(ActorId::from(vec![w as u8 + 1; 16])))
        .collect();
    for (i, es) in changes.iter().enumerate() {
        let w = i % WRITERS;
        if !skip[i] || i < WRITERS {
            for o in 0..WRITERS {
                if o != w {
                    let mut other = docs[o].fork();
                    docs[w].merge(&mut other).expect("merge");
                }
            }
        }
        am_apply(&mut docs[w], es);
        docs[w].commit();
    }
    let mut all = docs[0].fork();
    for d in docs.iter_mut().skip(1) {
        all.merge(d).expect("merge");
    }
    all.get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}

fn am_merge(bytes: &[Vec<u8>], batch: bool) -> (Sample, BTreeMap<String, i128>) {
    let input = bytes.to_vec();
    measure(|| {
        let changes: Vec<Change> = input
            .iter()
            .map(|b| Change::from_bytes(b.clone()).expect("change"))
            .collect();
        let mut doc = AutoCommit::new();
        if batch {
            doc.apply_changes_batch(changes).expect("apply");
        } else {
            doc.apply_changes(changes).expect("apply");
        }
        let mut out = BTreeMap::new();
        for k in doc.keys(ROOT).collect::<Vec<_>>() {
            if let Ok(Some((Value::Scalar(s), _))) = doc.get(ROOT, k.as_str()) {
                let n = match s.as_ref() {
                    ScalarValue::Int(n) => i128::from(*n),
                    ScalarValue::Counter(c) => i128::from(i64::from(c)),
                    _ => continue,
                };
                out.insert(k.clone(), n);
            }
        }
        out
    })
}

/// Delta sync on the wire: a replica missing the last `k` ops syncs with
/// one that has them; every frame both ways (hello, ops, acks) counted
/// against the bytes of the missing op blocks.
fn wire_ratio(acl: &Acl, blocks: &[Vec<u8>], k: usize) -> (u64, u64) {
    let mut a = OpLog::new("bench", acl.clone());
    a.receive_batch(blocks.to_vec());
    let mut b = OpLog::new("bench", acl.clone());
    b.receive_batch(blocks[..blocks.len() - k].to_vec());
    let cfg = SessionConfig::default();
    let (mut sa, mut sb) = (Session::new(cfg), Session::new(cfg));
    let mut to_b: VecDeque<Vec<u8>> = VecDeque::new();
    let mut to_a = VecDeque::from([sb.open(&b).expect("hello")]);
    loop {
        while let Some(f) = sa.poll_transmit(&a).expect("poll") {
            to_b.push_back(f);
        }
        while let Some(f) = sb.poll_transmit(&b).expect("poll") {
            to_a.push_back(f);
        }
        if let Some(f) = to_a.pop_front() {
            to_b.extend(sa.handle(&mut a, &f).expect("frame").out);
        } else if let Some(f) = to_b.pop_front() {
            to_a.extend(sb.handle(&mut b, &f).expect("frame").out);
        } else {
            break;
        }
    }
    assert_eq!(b.len(), a.len());
    let wire = sa.stats().bytes_out + sb.stats().bytes_out;
    (wire, sa.stats().op_bytes_out + sb.stats().op_bytes_out)
}

fn main() {
    let runs = runs_from_env(7);
    let (changes, skip) = plan();
    let concurrent = skip.iter().filter(|s| **s).count();
    let (acl, blocks) = ues_generate(&changes, &skip);
    let am = am_generate(&changes, &skip);
    let ues_bytes: usize = blocks.iter().map(Vec::len).sum();
    let am_bytes: usize = am.iter().map(Vec::len).sum();
    println!(
        "workload: {} edits, {WRITERS} writers, {CHANGES} changes of {PER_CHANGE} ({concurrent} made without merging first)",
        CHANGES * PER_CHANGE
    );
    println!(
        "ues: {} signed op blocks, {ues_bytes} bytes; automerge: {} changes, {am_bytes} bytes",
        blocks.len(),
        am.len()
    );
    // Both sides must reach the same values.
    let (_, ues_vals) = ues_merge(&acl, &blocks);
    let (_, am_vals) = am_merge(&am, false);
    let counters = |m: &BTreeMap<String, i128>| {
        m.iter()
            .filter(|(k, _)| k.starts_with('c'))
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counters(&ues_vals),
        counters(&am_vals),
        "counter totals differ"
    );
    assert_eq!(ues_vals.len(), am_vals.len(), "key sets differ");
    let (u, a) = race(
        runs,
        || ues_merge(&acl, &blocks).0,
        || am_merge(&am, false).0,
    );
    let (_, ab) = race(
        runs,
        || ues_merge(&acl, &blocks).0,
        || am_merge(&am, true).0,
    );
    let a = if ab.cpu < a.cpu { ab } else { a };
    let n = (CHANGES * PER_CHANGE) as f64;
    println!(
        "{:<34} {:>10} {:>10} {:>12}",
        "merge (median of rounds)", "wall ms", "cpu ms", "ops/s (cpu)"
    );
    println!(
        "{:<34} {:>10.1} {:>10.1} {:>12.0}",
        "ues op log (ed25519 verified)",
        u.wall,
        u.cpu,
        n / u.cpu * 1e3
    );
    println!(
        "{:<34} {:>10.1} {:>10.1} {:>12.0}",
        "automerge 0.12",
        a.wall,
        a.cpu,
        n / a.cpu * 1e3
    );
    for k in [10, 100] {
        let (wire, missing) = wire_ratio(&acl, &blocks, k);
        println!(
            "delta sync of the last {k} ops: {wire} bytes on the wire, {missing} bytes of missing blocks: {:.3}x",
            wire as f64 / missing as f64
        );
    }
    println!(
        "ratio ues/automerge throughput: {:.2}x (cpu), {:.2}x (wall)",
        a.cpu / u.cpu,
        a.wall / u.wall
    );
}
