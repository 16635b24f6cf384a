//! The op-log merge workload shared by the native benchmark
//! (`benches/merge.rs`, against automerge Rust) and the Chromium one
//! (`src/merge_wasm.rs`, against automerge-wasm): 100,000 edits by 3 writers
//! in 1,000 changes of 100 edits (writers take turns); half set a map key
//! (one of 1,000) to an integer, half increment a counter (one of 100,
//! created by a first shared change); 10 % of the changes are made without
//! merging the others' latest first.

use ues_data::cbor::Ipld;
use ues_identity::Keypair;
use ues_sync::{Acl, Edit, EditKind, OpLog};

pub const WRITERS: usize = 3;
pub const CHANGES: usize = 1_000;
pub const PER_CHANGE: usize = 100;
pub const KEYS: u64 = 1_000;
pub const COUNTERS: u64 = 100;
pub const CONCURRENT_PCT: u64 = 10;

/// The pseudo-random choices (seed 7 in [`plan`]).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[derive(Clone, Copy)]
pub enum E {
    /// Set map key `k<index>` to the value.
    Put(u64, i64),
    /// Add the value to counter `c<index>`.
    Inc(u64, i64),
}

/// The edits of every change, and which changes skip the merge.
pub fn plan() -> (Vec<Vec<E>>, Vec<bool>) {
    let mut r = Rng(7);
    let mut changes = Vec::with_capacity(CHANGES);
    let mut skip = Vec::with_capacity(CHANGES);
    for _ in 0..CHANGES {
        let edits = (0..PER_CHANGE)
            .map(|_| {
                if r.next().is_multiple_of(2) {
                    E::Put(r.next() % KEYS, (r.next() % 1000) as i64)
                } else {
                    E::Inc(r.next() % COUNTERS, (r.next() % 9) as i64 - 4)
                }
            })
            .collect();
        changes.push(edits);
        skip.push(r.next() % 100 < CONCURRENT_PCT);
    }
    (changes, skip)
}

pub fn ues_edits(es: &[E]) -> Vec<Edit> {
    es.iter()
        .map(|e| match *e {
            E::Put(k, v) => Edit::new(EditKind::Set, format!("map/k{k}"), Ipld::Integer(v.into())),
            E::Inc(c, d) => Edit::new(EditKind::Inc, format!("ctr/c{c}"), Ipld::Integer(d.into())),
        })
        .collect()
}

/// The blocks `b` has and `a` lacks, in `b`'s order.
fn missing(a: &OpLog, b: &OpLog) -> Vec<Vec<u8>> {
    b.ops_since(a.clock())
        .iter()
        .filter_map(|c| b.get(c).map(|e| e.bytes.clone()))
        .collect()
}

/// The three writers' logs, each change made after merging the others'
/// latest (except the planned skips); returns the ACL and every op block of
/// the merged log, in its order. Not timed by either bench.
pub fn generate(changes: &[Vec<E>], skip: &[bool]) -> Result<(Acl, Vec<Vec<u8>>), String> {
    let keys: Vec<Keypair> = (0..WRITERS as u8)
        .map(|i| Keypair::ed25519_from_bytes(&[i + 1; 32]))
        .collect();
    let acl = Acl::of_keys(&keys).map_err(|e| e.to_string())?;
    let mut logs: Vec<OpLog> = (0..WRITERS)
        .map(|_| OpLog::new("bench", acl.clone()))
        .collect();
    let init: Vec<Edit> = (0..COUNTERS)
        .map(|c| Edit::new(EditKind::Inc, format!("ctr/c{c}"), Ipld::Integer(0)))
        .collect();
    logs[0]
        .create(&keys[0], init, 1)
        .map_err(|e| e.to_string())?;
    let mut now = 2;
    for (i, es) in changes.iter().enumerate() {
        let w = i % WRITERS;
        if !skip[i] || i < WRITERS {
            for o in 0..WRITERS {
                if o != w {
                    let blocks = missing(&logs[w], &logs[o]);
                    let rep = logs[w].receive_batch(blocks);
                    if let Some(e) = rep.rejected.first() {
                        return Err(format!("generation: op rejected: {e}"));
                    }
                }
            }
        }
        now += 1;
        logs[w]
            .create(&keys[w], ues_edits(es), now)
            .map_err(|e| e.to_string())?;
    }
    let mut all = logs[0].clone();
    for l in &logs[1..] {
        let blocks = missing(&all, l);
        all.receive_batch(blocks);
    }
    let blocks = all
        .ops_since(&Default::default())
        .iter()
        .filter_map(|c| all.get(c).map(|e| e.bytes.clone()))
        .collect();
    Ok((acl, blocks))
}
