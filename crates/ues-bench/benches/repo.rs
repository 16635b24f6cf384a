//! The repo workload of PERFORMANCE.md, UES against shrike 0.8.2, side by
//! side: 10,000 `app.bsky.feed.post` records (`{$type, text: "post N hello
//! world", createdAt}`, the PERFORMANCE.md keys) written as 100 commits of
//! 100 creates with one k256 key into a memory store, the whole repo
//! exported as CAR v1, and that CAR imported with verification.
//!
//! - `create`: an empty repo, then 100 `apply_writes` of 100 creates, each a
//!   signed commit (`ues_repo::Repo` over `MemoryStore`; `shrike::repo::Repo`
//!   over `MemRepoStore`). UES takes records as values and encodes them
//!   inside `apply_writes`; shrike takes DRISL bytes, encoded once before
//!   timing (in shrike's favour).
//! - `export CAR`: the whole repo of `create` as CAR v1.
//! - `import + verify`: `ues_repo::car_io::import_car` (signature, every
//!   block's CID, the MST, every record, then the store); shrike's
//!   `Repo::import_car` (every block's CID, completeness, then the store)
//!   followed by `Commit::verify` of the head's signature, which its import
//!   leaves to the caller.
//!
//! shrike's "repo" feature cannot share this workspace's lockfile (it pins
//! js-sys =0.3.104 for wasm32, the workspace wasm-bindgen =0.2.108), so its
//! side runs in a child process, `shrike-repo/` (a workspace of its own),
//! built here with cargo into `$CARGO_TARGET_DIR/shrike-repo` and driven over
//! stdin/stdout; it times itself with the same clocks (wall, thread CPU), so
//! the pipe is outside both measurements.
//!
//! Before timing, both sides must agree: the same MST root (`data`) after
//! `create`, 10,000 records in each side's CAR, each side importing the
//! other's CAR, CAR sizes printed (the commits differ: rev and signature).
//! Then a table of medians, rounds alternating which side runs first.
//!
//! ```text
//! cargo bench -p ues-bench --bench repo
//! UES_BENCH_RUNS=21 cargo bench -p ues-bench --bench repo    rounds per task (default 11)
//! ```

use futures::executor::block_on;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use ues_bench::keys;
use ues_bench::native::{self, measure, Sample};
use ues_identity::{Keypair, PublicKey};
use ues_repo::car_io::{import_car, verify_car};
use ues_repo::{key_from_did_key, record_from_json, Repo, Signer, TidGenerator, Write};
use ues_store::MemoryStore;

const COLLECTION: &str = "app.bsky.feed.post";
const N: usize = 10_000;
const PER_COMMIT: usize = 100;
const SECRET: [u8; 32] = [42u8; 32];

// ------------------------------------------------------------------ ues

struct Ues {
    key: Keypair,
    did: String,
    public: PublicKey,
    writes: Vec<Write>,
}

impl Ues {
    fn create(&self) -> Repo<MemoryStore> {
        let mut repo = block_on(Repo::open(MemoryStore::new(), &self.did))
            .expect("open")
            .with_tids(TidGenerator::new(Box::new(|| 1_732_000_000_000_000u64), 0));
        for chunk in self.writes.chunks(PER_COMMIT) {
            block_on(repo.apply_writes(chunk, &self.key)).expect("commit");
        }
        repo
    }

    fn import(&self, car: &[u8]) -> Repo<MemoryStore> {
        block_on(import_car(
            MemoryStore::new(),
            car,
            Some(&self.did),
            &self.public,
        ))
        .expect("import")
    }
}

// ------------------------------------------------------------------ shrike

/// The shrike side: the `shrike-repo` child process.
struct Shrike {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Shrike {
    /// Builds the helper (cargo, release) and starts it on the workload
    /// written to `dir`.
    fn start(dir: &std::path::Path, did: &str, rkeys: &[String], records: &[Vec<u8>]) -> Self {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("shrike-repo/Cargo.toml");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .join("shrike-repo");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let ok = Command::new(cargo)
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .status()
            .expect("cargo build shrike-repo");
        assert!(ok.success(), "building {}", manifest.display());

        let mut w = Vec::new();
        w.extend((rkeys.len() as u32).to_le_bytes());
        for (k, r) in rkeys.iter().zip(records) {
            w.extend((k.len() as u32).to_le_bytes());
            w.extend(k.as_bytes());
            w.extend((r.len() as u32).to_le_bytes());
            w.extend(r);
        }
        let workload = dir.join("workload.bin");
        std::fs::write(&workload, w).expect("workload file");
        let mut child = Command::new(target.join("release/ues-shrike-repo"))
            .arg(&workload)
            .arg(did)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start ues-shrike-repo");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Shrike {
            child,
            stdin,
            stdout,
        }
    }

    fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("to ues-shrike-repo");
        self.stdin.flush().expect("to ues-shrike-repo");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("from ues-shrike-repo");
        assert!(!line.is_empty(), "ues-shrike-repo exited on {command:?}");
        line.trim_end().to_owned()
    }

    /// One timed run of `task` in the child.
    fn time(&mut self, task: &str) -> Sample {
        let reply = self.ask(task);
        let mut it = reply.split(' ').map(|x| x.parse::<f64>().expect("ms"));
        let (wall, cpu) = (it.next().expect("wall"), it.next().expect("cpu"));
        Sample { wall, cpu }
    }
}

impl Drop for Shrike {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ table

struct Row {
    task: &'static str,
    ues: Sample,
    shrike: Sample,
    goal: f64,
}

/// [`native::race`] of our closure (timed here) and shrike's task (timed by
/// the shrike process itself).
fn race(runs: usize, mut ues: impl FnMut(), shrike: &mut Shrike, task: &str) -> (Sample, Sample) {
    native::race(runs, || measure(&mut ues).0, || shrike.time(task))
}

fn main() {
    let runs = native::runs_from_env(11);

    // The workload: the same rkeys and records for both sides.
    let prefix = format!("{COLLECTION}/");
    let rkeys: Vec<String> = keys(N)
        .into_iter()
        .map(|k| {
            k.strip_prefix(&prefix)
                .expect("collection prefix")
                .to_owned()
        })
        .collect();
    let records: Vec<_> = (0..N)
        .map(|i| {
            record_from_json(&serde_json::json!({
                "$type": COLLECTION,
                "text": format!("post {i} hello world"),
                "createdAt": "2026-11-24T00:00:00.000Z",
            }))
            .expect("record")
        })
        .collect();

    let key = Keypair::k256_from_bytes(&SECRET).expect("key");
    let did = Signer::did_key(&key);
    let public = key_from_did_key(&did).expect("did:key");
    let ues = Ues {
        writes: rkeys
            .iter()
            .zip(&records)
            .map(|(k, r)| Write::Create {
                collection: COLLECTION.into(),
                rkey: Some(k.clone()),
                record: r.clone(),
            })
            .collect(),
        key,
        did: did.clone(),
        public,
    };
    let encoded: Vec<Vec<u8>> = records
        .iter()
        .map(|r| ues_data::cbor::encode(r).expect("DRISL"))
        .collect();
    let dir = std::env::temp_dir().join(format!("ues-bench-repo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut shrike = Shrike::start(&dir, &did, &rkeys, &encoded);

    // Both sides must agree before anything is timed.
    let mut urepo = ues.create();
    let udata = urepo.data().expect("ues data").to_string();
    let ucar = block_on(urepo.export_car()).expect("export");
    let uv = verify_car(&ucar, Some(&did), &ues.public).expect("ues CAR");
    assert_eq!(uv.records.len(), N, "ues: records in its CAR");
    let ucopy = ues.import(&ucar);
    assert_eq!(ucopy.head(), urepo.head(), "ues: imported head");
    let (ucar_path, scar_path) = (dir.join("ues.car"), dir.join("shrike.car"));
    std::fs::write(&ucar_path, &ucar).expect("write CAR");
    let reply = shrike.ask(&format!(
        "check {} {}",
        ucar_path.display(),
        scar_path.display()
    ));
    let words: Vec<&str> = reply.split(' ').collect();
    assert_eq!(words.first(), Some(&"ok"), "shrike check: {reply}");
    assert_eq!(words[1], udata, "MST roots differ");
    assert_eq!(words[2], N.to_string(), "shrike: records in its CAR");
    assert_eq!(words[3], N.to_string(), "shrike: records in ues's CAR");
    let scar = std::fs::read(&scar_path).expect("shrike CAR");
    let cross = verify_car(&scar, Some(&did), &ues.public).expect("ues reads shrike's CAR");
    assert_eq!(cross.records.len(), N, "ues: records in shrike's CAR");
    assert_eq!(cross.records, uv.records, "same records");
    let copy = ues.import(&scar);
    assert_eq!(copy.data().map(|c| c.to_string()), Some(udata.clone()));
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "repo workload: {N} records, {} commits of {PER_COMMIT} creates, k256",
        N / PER_COMMIT
    );
    println!("MST root (data) {udata} (ues = shrike); {N} records in each CAR");
    println!(
        "CAR v1: ues {} bytes ({} blocks), shrike {} bytes ({} blocks); each side imports the other's",
        ucar.len(),
        uv.blocks.len(),
        scar.len(),
        cross.blocks.len()
    );

    let mut rows = Vec::new();
    let (u, s) = race(
        runs,
        || {
            black_box(ues.create());
        },
        &mut shrike,
        "create",
    );
    rows.push(Row {
        task: "create (100 commits)",
        ues: u,
        shrike: s,
        goal: 2.0,
    });
    let (u, s) = race(
        runs,
        || {
            black_box(block_on(urepo.export_car()).expect("export"));
        },
        &mut shrike,
        "export",
    );
    rows.push(Row {
        task: "export CAR",
        ues: u,
        shrike: s,
        goal: f64::NAN,
    });
    let (u, s) = race(
        runs,
        || {
            black_box(ues.import(black_box(&ucar)));
        },
        &mut shrike,
        "import",
    );
    rows.push(Row {
        task: "import + verify CAR",
        ues: u,
        shrike: s,
        goal: 1.3,
    });

    println!(
        "\nmedians of {runs} rounds (ms; shrike timed in its child process, ues here); \
         ratio = shrike / ues; wall = wall clock, cpu = thread CPU time \
         (excludes waiting for a core)"
    );
    println!(
        "{:<20} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}  goal (on cpu)",
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
            "{:<20} {:>9.3} {:>9.3} {:>6.2}x {:>9.3} {:>9.3} {:>6.2}x  {goal}",
            r.task, r.ues.wall, r.shrike.wall, rw, r.ues.cpu, r.shrike.cpu, rc
        );
    }
}
