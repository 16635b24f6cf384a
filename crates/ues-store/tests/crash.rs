//! Crash test for the native backend: a child process applies numbered
//! batches in a loop and prints `ack n` after each `apply` returns; the
//! parent kills it with `SIGKILL` at random moments, 100 times, and after
//! each kill reopens the store and checks that
//! - every acknowledged batch is fully present,
//! - no batch is partially present (all of its keys and its block, or none),
//! - the batches present are a prefix `1..=last` (no gaps, nothing lost
//!   since the previous round).
//!
//! The child is this same test binary, re-executed with `UES_CRASH_CHILD`
//! set and filtered to the `child_mode` test. The seed can be set with
//! `UES_CRASH_SEED`; it is printed on failure.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures::executor::block_on;
use ues_data::cid::sha256_cid;
use ues_store::native::NativeStore;
use ues_store::{Batch, BlockStore, Cid, KvStore, Scan, Store, SystemClock};

const CHILD_ENV: &str = "UES_CRASH_CHILD";
const KILLS: usize = 100;
const KEYS_PER_BATCH: usize = 20;
/// A child left alone (the parent died) stops by itself after this long.
const CHILD_LIFETIME: Duration = Duration::from_secs(60);

fn key(n: u64, i: usize) -> Vec<u8> {
    format!("b{n:08}/k{i:02}").into_bytes()
}

fn value(n: u64, i: usize) -> Vec<u8> {
    format!("value {i} of batch {n}").into_bytes()
}

fn block(n: u64) -> Vec<u8> {
    format!("block of batch {n}").into_bytes()
}

fn block_cid(n: u64) -> Cid {
    sha256_cid(0x55, &block(n))
}

fn batch(n: u64) -> Batch {
    let mut b = Batch::new();
    for i in 0..KEYS_PER_BATCH {
        b.put(key(n, i), value(n, i));
    }
    b.put_block(block_cid(n), block(n));
    b.put("last", n.to_be_bytes().to_vec());
    b
}

fn read_last(store: &NativeStore) -> u64 {
    match block_on(store.get(b"last")).expect("read `last`") {
        None => 0,
        Some(v) => u64::from_be_bytes(v.as_slice().try_into().expect("`last` is 8 bytes")),
    }
}

/// Child side: does nothing unless started by the parent with `CHILD_ENV`.
#[test]
fn child_mode() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store =
        NativeStore::open(Path::new(&path), Rc::new(SystemClock)).expect("child: open store");
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    let mut n = read_last(&store);
    writeln!(out, "ready {n}")
        .and_then(|()| out.flush())
        .expect("child: write to parent");
    while started.elapsed() < CHILD_LIFETIME {
        n += 1;
        block_on(store.apply(batch(n))).expect("child: apply");
        writeln!(out, "ack {n}")
            .and_then(|()| out.flush())
            .expect("child: write to parent");
    }
}

/// What the child told the parent.
enum Msg {
    Ready,
    Ack(u64),
}

/// splitmix64: a small seeded generator, enough for random kill moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Runs one child, kills it after a random moment, returns the highest
/// acknowledged batch (if any).
fn run_and_kill(exe: &Path, path: &Path, rng: &mut Rng, ctx: &str) -> Option<u64> {
    let mut child = Command::new(exe)
        .args(["child_mode", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest may print `test child_mode ... ` before the first line.
            let msg = if line.contains("ready ") {
                Msg::Ready
            } else if let Some(n) = line.strip_prefix("ack ").and_then(|n| n.parse().ok()) {
                Msg::Ack(n)
            } else {
                continue; // libtest's own lines
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    let mut acked = None;
    // One round in eight kills during start-up (redb's recovery after the
    // previous kill); the others once the store is open, mid-stream.
    if rng.between(0, 7) == 0 {
        std::thread::sleep(Duration::from_millis(rng.between(0, 20)));
    } else {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Msg::Ready) => {}
            Ok(Msg::Ack(_)) => unreachable!("ack before ready"),
            Err(e) => panic!("{ctx}: the child never opened the store ({e}); see its stderr above"),
        }
        std::thread::sleep(Duration::from_millis(rng.between(1, 100)));
    }
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    reader.join().expect("reader thread");
    for msg in rx.try_iter() {
        if let Msg::Ack(n) = msg {
            acked = Some(n);
        }
    }
    acked
}

/// Reopens the store and checks it holds exactly batches `1..=last` for
/// some `last >= max(acked, previous)`; returns `last`.
fn verify(path: &Path, acked: Option<u64>, previous: u64, cids: &mut Vec<Cid>, ctx: &str) -> u64 {
    let store = NativeStore::open(path, Rc::new(SystemClock))
        .unwrap_or_else(|e| panic!("{ctx}: reopen: {e}"));
    let last = read_last(&store);
    assert!(
        last >= previous,
        "{ctx}: `last` went back from {previous} to {last}"
    );
    if let Some(a) = acked {
        assert!(
            a <= last,
            "{ctx}: batch {a} was acknowledged but the store ends at {last}"
        );
    }
    // Every key of every batch, grouped by batch number.
    let mut per_batch: BTreeMap<u64, usize> = BTreeMap::new();
    for (k, v) in block_on(store.scan(&Scan::prefix(b"b"))).expect("scan") {
        let text = String::from_utf8(k).expect("utf-8 key");
        let (n, i) = text[1..].split_once("/k").expect("key shape");
        let (n, i): (u64, usize) = (n.parse().expect("batch no"), i.parse().expect("key no"));
        assert_eq!(v, value(n, i), "{ctx}: wrong value under {text}");
        *per_batch.entry(n).or_default() += 1;
    }
    for n in 1..=last {
        let found = per_batch.remove(&n).unwrap_or(0);
        assert_eq!(
            found, KEYS_PER_BATCH,
            "{ctx}: batch {n} (<= last {last}) has {found} of {KEYS_PER_BATCH} keys"
        );
    }
    if let Some((n, count)) = per_batch.into_iter().next() {
        panic!("{ctx}: batch {n} is visible ({count} keys) past last = {last}");
    }
    while (cids.len() as u64) < last + 2 {
        cids.push(block_cid(cids.len() as u64 + 1));
    }
    let blocks = block_on(store.get_blocks(&cids[..last as usize + 1])).expect("get_blocks");
    for (i, b) in blocks.iter().enumerate() {
        let n = i as u64 + 1;
        if n <= last {
            assert_eq!(
                b.as_deref(),
                Some(block(n).as_slice()),
                "{ctx}: block of batch {n} missing"
            );
        } else {
            assert!(
                b.is_none(),
                "{ctx}: block of batch {n} visible past last = {last}"
            );
        }
    }
    last
}

#[test]
fn acknowledged_batches_survive_sigkill() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let seed = std::env::var("UES_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_u64);
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("crash.redb");
    let exe = std::env::current_exe().expect("path of this test binary");
    let started = Instant::now();
    let (mut last, mut cids, mut acked_rounds, mut unacked_commits) = (0, Vec::new(), 0, 0);
    for round in 1..=KILLS {
        let ctx = format!("seed {seed}, round {round}");
        let acked = run_and_kill(&exe, &path, &mut rng, &ctx);
        acked_rounds += usize::from(acked.is_some_and(|a| a > last));
        let before = acked.unwrap_or(0).max(last);
        last = verify(&path, acked, last, &mut cids, &ctx);
        // Killed after the commit, before the ack reached us: allowed.
        unacked_commits += usize::from(last > before);
    }
    eprintln!(
        "crash test (seed {seed}): {KILLS} kills, {last} batches committed, {acked_rounds} rounds acknowledged \
         new batches, {unacked_commits} ended with a committed but unacknowledged batch, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        acked_rounds >= KILLS / 2,
        "too few rounds got a batch acknowledged: {acked_rounds}"
    );
}
