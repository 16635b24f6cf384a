//! shrike 0.8.2's side of the repo workload (`ues-bench`'s `benches/repo.rs`),
//! driven over stdin/stdout, one command a line:
//!
//! - `check UES_CAR OUT_CAR`: create the repo once (kept for `export` and
//!   `import`), write its CAR to OUT_CAR, import it and UES's CAR (each
//!   with the signature check); prints `ok DATA_CID OWN_RECORDS UES_RECORDS`.
//! - `create`, `export`, `import`: one timed run; prints `WALL_MS CPU_MS`
//!   (thread CPU time, as `ues_bench::native::measure`).
//!
//! Usage: `ues-shrike-repo WORKLOAD DID`, WORKLOAD being the rkeys and DRISL
//! records the bench wrote (u32 LE length-prefixed: count, then rkey,
//! record pairs). The key is the bench's fixed k256 secret.

use shrike::crypto::{K256SigningKey, SigningKey as _};
use shrike::repo::{MemRepoStore, Repo, WriteOp};
use shrike::syntax::{Did, Nsid, RecordKey, TidClock};
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::time::Instant;

const COLLECTION: &str = "app.bsky.feed.post";
const PER_COMMIT: usize = 100;
const SECRET: [u8; 32] = [42u8; 32];

struct Side {
    key: K256SigningKey,
    did: Did,
    nsid: Nsid,
    writes: Vec<WriteOp>,
}

impl Side {
    fn create(&self) -> Repo {
        let mut repo = Repo::new(self.did.clone(), TidClock::new(0).expect("clock"));
        for chunk in self.writes.chunks(PER_COMMIT) {
            repo.apply_writes(chunk, &self.key).expect("commit");
        }
        repo
    }

    /// Import, then the signature check shrike's import leaves to the caller.
    fn import(&self, car: &[u8]) -> Repo {
        let repo = Repo::import_car(MemRepoStore::new(), car).expect("import");
        repo.head()
            .expect("head")
            .verify(self.key.public_key())
            .expect("signature");
        repo
    }
}

fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

fn measure<T>(f: impl FnOnce() -> T) -> (f64, f64) {
    let c = thread_cpu_ms();
    let t = Instant::now();
    black_box(f());
    let wall = t.elapsed().as_secs_f64() * 1e3;
    (wall, thread_cpu_ms() - c)
}

fn read_workload(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut at = 0;
    let mut field = |len: Option<usize>| -> &[u8] {
        let n = len.unwrap_or_else(|| {
            let n = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            at += 4;
            n as usize
        });
        at += n;
        &bytes[at - n..at]
    };
    let count = u32::from_le_bytes(field(Some(4)).try_into().expect("4 bytes"));
    (0..count)
        .map(|_| {
            let rkey = String::from_utf8(field(None).to_vec()).expect("rkey");
            (rkey, field(None).to_vec())
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, workload, did] = &args[..] else {
        panic!("usage: ues-shrike-repo WORKLOAD DID");
    };
    let nsid = Nsid::try_from(COLLECTION).expect("nsid");
    let side = Side {
        key: K256SigningKey::from_bytes(&SECRET).expect("key"),
        did: Did::try_from(did.as_str()).expect("did"),
        writes: read_workload(&std::fs::read(workload).expect("workload"))
            .into_iter()
            .map(|(rkey, record)| WriteOp::Create {
                collection: nsid.clone(),
                rkey: RecordKey::try_from(rkey.as_str()).expect("rkey"),
                record,
            })
            .collect(),
        nsid,
    };
    assert_eq!(
        side.key.public_key().to_bytes(),
        shrike::crypto::parse_did_key(did)
            .expect("did:key")
            .to_bytes(),
        "DID is the bench key's did:key"
    );

    let mut repo: Option<Repo> = None;
    let mut car: Vec<u8> = Vec::new();
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words[..] {
            ["check", ues_car, out_car] => {
                let r = side.create();
                car = r.export_car().expect("export");
                std::fs::write(out_car, &car).expect("write CAR");
                let mut own = side.import(&car);
                assert_eq!(own.head_cid(), r.head_cid(), "imported head");
                let mut theirs = side.import(&std::fs::read(ues_car).expect("UES CAR"));
                let reply = format!(
                    "ok {} {} {}",
                    r.head().expect("head").data,
                    own.list(&side.nsid).expect("list").len(),
                    theirs.list(&side.nsid).expect("list").len()
                );
                repo = Some(r);
                reply
            }
            ["create"] => {
                let (w, c) = measure(|| side.create());
                format!("{w} {c}")
            }
            ["export"] => {
                let r = repo.as_ref().expect("check first");
                let (w, c) = measure(|| r.export_car().expect("export"));
                format!("{w} {c}")
            }
            ["import"] => {
                let (w, c) = measure(|| side.import(&car));
                format!("{w} {c}")
            }
            ["quit"] => break,
            _ => panic!("unknown command {line:?}"),
        };
        let mut out = stdout.lock();
        writeln!(out, "{reply}").expect("stdout");
        out.flush().expect("stdout");
    }
}
