//! UES native MST timings for the JS harness (`bench/mst.mjs`), which runs
//! this binary between its own measurements so that native, wasm and
//! `@atproto/repo` figures come from the same session.
//!
//! ```text
//! ues-mst-native [--runs N] [--only TASK]
//! ```
//!
//! `--runs`: timed runs per task (default 5), after one untimed run that also
//! gives the roots. `--only build_10k|build_100k|diff_10k_1pct`: just that task
//! (for profilers: `valgrind --tool=callgrind ues-mst-native --runs 1 --only build_100k`).
//!
//! Prints one JSON object: for each task, the median wall-clock milliseconds
//! of N runs (`ms`), the median thread CPU milliseconds (`cpu_ms`), the runs,
//! and the root CID(s) (or record-op count) to check against the other
//! implementations.

use std::hint::black_box;
use ues_bench::native::{build, cid, measure, DiffFixture, Sample};
use ues_bench::{keys, median, VALUE_CID};

fn main() {
    let mut runs = 5usize;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| die("--runs needs a positive integer"));
            }
            "--only" => {
                only = Some(
                    args.next()
                        .unwrap_or_else(|| die("--only needs a task name")),
                );
            }
            "-h" | "--help" => {
                println!(
                    "usage: ues-mst-native [--runs N] [--only build_10k|build_100k|diff_10k_1pct]"
                );
                return;
            }
            other => die(&format!("unknown argument {other:?}")),
        }
    }

    let value = cid(VALUE_CID);
    let mut tasks = Vec::new();
    let want = |t: &str| only.as_deref().is_none_or(|o| o == t);
    if let Some(o) = &only {
        if !["build_10k", "build_100k", "diff_10k_1pct"].contains(&o.as_str()) {
            die(&format!("unknown task {o:?}"));
        }
    }
    for n in [10_000usize, 100_000] {
        if !want(&format!("build_{}k", n / 1000)) {
            continue;
        }
        let ks = keys(n);
        let root = build(&ks, value);
        let samples: Vec<Sample> = (0..runs)
            .map(|_| measure(|| build(black_box(&ks), value)).0)
            .collect();
        tasks.push(format!(
            "\"build_{}k\":{{{},\"root\":\"{root}\"}}",
            n / 1000,
            timings(&samples)
        ));
    }

    if !want("diff_10k_1pct") {
        println!("{{\"runs\":{runs},\"tasks\":{{{}}}}}", tasks.join(","));
        return;
    }
    let fx = DiffFixture::new(10_000, 100);
    let ops = fx.run().record_ops.len();
    let samples: Vec<Sample> = (0..runs).map(|_| measure(|| fx.run()).0).collect();
    tasks.push(format!(
        "\"diff_10k_1pct\":{{{},\"root_a\":\"{}\",\"root_b\":\"{}\",\"record_ops\":{ops}}}",
        timings(&samples),
        fx.a,
        fx.b
    ));
    println!("{{\"runs\":{runs},\"tasks\":{{{}}}}}", tasks.join(","));
}

/// `"ms":…,"cpu_ms":…,"runs":[…],"cpu_runs":[…]` of some samples.
fn timings(samples: &[Sample]) -> String {
    let list = |xs: &[f64]| {
        let xs: Vec<String> = xs.iter().map(|x| format!("{x:.3}")).collect();
        format!("[{}]", xs.join(","))
    };
    let mut wall: Vec<f64> = samples.iter().map(|s| s.wall).collect();
    let mut cpu: Vec<f64> = samples.iter().map(|s| s.cpu).collect();
    let (rw, rc) = (list(&wall), list(&cpu));
    format!(
        "\"ms\":{:.3},\"cpu_ms\":{:.3},\"runs\":{rw},\"cpu_runs\":{rc}",
        median(&mut wall),
        median(&mut cpu)
    )
}

fn die(msg: &str) -> ! {
    eprintln!("ues-mst-native: {msg}");
    std::process::exit(2)
}
