//! Benchmark (not a test): batched put and scan throughput of
//! [`NativeStore`] through the `ues-store` traits against redb used directly,
//! on the same data in the same run. Goal: ours ≥ 80 % of raw.
//!
//! Run: `cargo bench -p ues-store --bench native` (add `-- quick` for a
//! smaller run). Each figure is the best of several repetitions.
//!
//! The workload looks like repo commits: each batch is one transaction with
//! `KEYS` record keys (128-byte values) and `BLOCKS` blocks (512 bytes),
//! fsync'd on commit (both sides use redb's default `Durability::Immediate`).
//! Scans page through every key, forwards then backwards, `PAGE` entries at a
//! time, and copy keys and values out (as any caller returning them must).
//! Puts are timed by the wall clock (they wait on `fsync`), scans by this
//! thread's CPU time (they are CPU-bound; wall time on a shared machine
//! mostly measures the other processes).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::run();
}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::ops::Bound;
    use std::path::Path;
    use std::rc::Rc;
    use std::time::{Duration, Instant};

    use futures::executor::block_on;
    use redb::{AccessGuard, Database, ReadableDatabase, StorageError, TableDefinition};
    use ues_data::cid::{sha256_cid, Cid};
    use ues_store::native::NativeStore;
    use ues_store::{Batch, KvStore, Scan, Store, SystemClock};

    const KEYS: usize = 1_000;
    const BLOCKS: usize = 100;
    const PAGE: usize = 1_000;
    const SCAN_SAMPLES: usize = 10;
    const RAW_BLOCKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("blocks");
    const RAW_KV: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

    /// Key-value pairs, then blocks, of one batch.
    type BatchData = (Vec<(Vec<u8>, Vec<u8>)>, Vec<(Cid, Vec<u8>)>);
    /// One entry of a redb range.
    type RawEntry<'a> = Result<
        (
            AccessGuard<'a, &'static [u8]>,
            AccessGuard<'a, &'static [u8]>,
        ),
        StorageError,
    >;

    struct Data {
        batches: Vec<BatchData>,
    }

    fn bytes(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn data(batches: usize) -> Data {
        let batches = (0..batches)
            .map(|b| {
                // Keys spread over the key space, not appended in order.
                let kv = (0..KEYS)
                    .map(|i| {
                        let n = (b * KEYS + i) as u64;
                        let k = format!(
                            "app.bsky.feed.post/{:016x}",
                            n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        );
                        (k.into_bytes(), bytes(128, n))
                    })
                    .collect();
                let blocks = (0..BLOCKS)
                    .map(|i| {
                        let v = bytes(512, (b * BLOCKS + i) as u64 ^ 0xB10C);
                        (sha256_cid(0x71, &v), v)
                    })
                    .collect();
                (kv, blocks)
            })
            .collect();
        Data { batches }
    }

    fn ours_put(path: &Path, d: &Data) -> NativeStore {
        let store = NativeStore::open(path, Rc::new(SystemClock)).expect("open");
        for (kv, blocks) in &d.batches {
            let mut b = Batch::new();
            for (cid, v) in blocks {
                b.put_block(*cid, v.clone());
            }
            for (k, v) in kv {
                b.put(k.clone(), v.clone());
            }
            block_on(store.apply(b)).expect("apply");
        }
        store
    }

    fn raw_put(path: &Path, d: &Data) -> Database {
        let db = Database::create(path).expect("create");
        for (kv, blocks) in &d.batches {
            // Same owned inputs as a `Batch` gets, for a like-for-like copy.
            let (kv, blocks) = (kv.clone(), blocks.clone());
            let txn = db.begin_write().expect("begin");
            {
                let mut bt = txn.open_table(RAW_BLOCKS).expect("table");
                for (cid, v) in &blocks {
                    bt.insert(cid.to_bytes().as_slice(), v.as_slice())
                        .expect("insert");
                }
                let mut t = txn.open_table(RAW_KV).expect("table");
                for (k, v) in &kv {
                    t.insert(k.as_slice(), v.as_slice()).expect("insert");
                }
            }
            txn.commit().expect("commit");
        }
        db
    }

    /// Pages through every key in one direction; returns entries read.
    fn ours_scan(store: &NativeStore, reverse: bool) -> usize {
        let (mut total, mut after): (usize, Option<Vec<u8>>) = (0, None);
        loop {
            let edge = after.take().map_or(Bound::Unbounded, Bound::Excluded);
            let (start, end) = if reverse {
                (Bound::Unbounded, edge)
            } else {
                (edge, Bound::Unbounded)
            };
            let scan = Scan {
                start,
                end,
                reverse,
                limit: Some(PAGE),
            };
            let page = block_on(store.scan(&scan)).expect("scan");
            total += page.len();
            match page.last() {
                Some((k, _)) if page.len() == PAGE => after = Some(k.clone()),
                _ => return total,
            }
        }
    }

    fn raw_scan(db: &Database, reverse: bool) -> usize {
        let (mut total, mut after): (usize, Option<Vec<u8>>) = (0, None);
        loop {
            let txn = db.begin_read().expect("read");
            let t = txn.open_table(RAW_KV).expect("table");
            let edge = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let range = if reverse {
                (Bound::Unbounded, edge)
            } else {
                (edge, Bound::Unbounded)
            };
            let iter = t.range::<&[u8]>(range).expect("range");
            let copy = |r: RawEntry| {
                let (k, v) = r.expect("entry");
                (k.value().to_vec(), v.value().to_vec())
            };
            let page: Vec<(Vec<u8>, Vec<u8>)> = if reverse {
                iter.rev().take(PAGE).map(copy).collect()
            } else {
                iter.take(PAGE).map(copy).collect()
            };
            total += page.len();
            match page.last() {
                Some((k, _)) if page.len() == PAGE => after = Some(k.clone()),
                _ => return total,
            }
        }
    }

    fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
        let t = Instant::now();
        let v = f();
        (v, t.elapsed())
    }

    /// CPU time of this thread: scans are CPU-bound, and on a shared
    /// machine wall time mostly measures the other processes.
    fn thread_cpu() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    fn cpu_timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
        let t = thread_cpu();
        let v = f();
        (v, thread_cpu() - t)
    }

    fn report(what: &str, units: usize, ours: Duration, raw: Duration) {
        let rate = |d: Duration| units as f64 / d.as_secs_f64();
        println!(
            "{what:<22} ours {:>11.0}/s   redb direct {:>11.0}/s   ratio {:>5.1} %",
            rate(ours),
            rate(raw),
            100.0 * raw.as_secs_f64() / ours.as_secs_f64()
        );
    }

    pub fn run() {
        let quick = std::env::args().any(|a| a == "quick");
        let (batches, reps) = if quick { (20, 2) } else { (100, 5) };
        let d = data(batches);
        let keys = batches * KEYS;
        println!(
            "{batches} batches x ({KEYS} keys of 128 B + {BLOCKS} blocks of 512 B); \
             best of {reps} puts and of {} scans",
            reps * SCAN_SAMPLES
        );
        let mut best = [Duration::MAX; 6];
        for rep in 0..reps {
            let dir = tempfile::tempdir().expect("temporary directory");
            // Alternate which side goes first, against cache and disk warm-up bias.
            let order = if rep % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            };
            let (mut ours, mut raw) = (None, None);
            for is_ours in order {
                if is_ours {
                    let (s, t) = timed(|| ours_put(&dir.path().join("ours.redb"), &d));
                    best[0] = best[0].min(t);
                    ours = Some(s);
                } else {
                    let (db, t) = timed(|| raw_put(&dir.path().join("raw.redb"), &d));
                    best[1] = best[1].min(t);
                    raw = Some(db);
                }
            }
            let (ours, raw) = (ours.expect("ran"), raw.expect("ran"));
            // Scans are short: many alternating samples, so that the best of
            // each side is measured under the same (low) machine load.
            for _ in 0..SCAN_SAMPLES {
                for (slot, reverse) in [(2, false), (4, true)] {
                    let (n, t) = cpu_timed(|| ours_scan(&ours, reverse));
                    assert_eq!(n, keys);
                    best[slot] = best[slot].min(t);
                    let (n, t) = cpu_timed(|| raw_scan(&raw, reverse));
                    assert_eq!(n, keys);
                    best[slot + 1] = best[slot + 1].min(t);
                }
            }
        }
        report(
            "batched put (keys/s)",
            keys + batches * BLOCKS,
            best[0],
            best[1],
        );
        report("scan forward (keys/s)", keys, best[2], best[3]);
        report("scan reverse (keys/s)", keys, best[4], best[5]);
    }
}
