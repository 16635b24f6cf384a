//! The social feed (crates/ues-apps, `FeedState`), issue 10's speed goal:
//! an account following 1,000 accounts, 100,000 posts in the state
//! (100 per followed account, one a minute per account over ~70 days),
//! plus 100,000 likes spread over them.
//!
//! Timed:
//! - `timeline_first_page`: the first page (50 items) of the following
//!   timeline (goal ≤ 50 ms), and a page further down through a cursor;
//! - `author_feed_first_page`, `for_you_first_page` (72 h window);
//! - `incremental_post` / `incremental_like`: one `FeedState::upsert` of a
//!   new post / like (the per-record cost of keeping graph, counts,
//!   timelines and search indexes current).
//!
//! ```text
//! cargo bench -p ues-bench --bench feed
//! cargo bench -p ues-bench --bench feed -- --quick
//! ```

use criterion::Criterion;
use std::hint::black_box;
use std::time::{Duration, Instant};
use ues_apps::feed::records::{self, PostBuilder, StrongRef, LIKE, POST};
use ues_apps::feed::RankParams;
use ues_bench::feed_plan::{build, did, rfc3339, CID, EPOCH_SECS, FOLLOWED, POSTS_EACH};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let t = Instant::now();
    let (mut s, viewer) = build();
    let setup = t.elapsed();
    let last_minute = (FOLLOWED * POSTS_EACH) as i64;
    let now = (EPOCH_SECS + last_minute * 60) * 1_000_000;
    let params = RankParams::default();
    let first = s.timeline(&viewer, 50, None).expect("timeline");
    assert_eq!(first.items.len(), 50);
    let deep = {
        let mut c = first.cursor.clone();
        for _ in 0..20 {
            c = s.timeline(&viewer, 50, c.as_deref()).expect("page").cursor;
        }
        c
    };
    println!(
        "feed: {} records ({} posts) indexed in {:.2} s ({:.1} µs/record)",
        s.len(),
        FOLLOWED * POSTS_EACH,
        setup.as_secs_f64(),
        setup.as_secs_f64() * 1e6 / s.len() as f64
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("median of 21 runs:");
    let tl = time(21, || s.timeline(&viewer, 50, None));
    println!(
        "  timeline_first_page (50)   {:>9.3} ms  (goal ≤ 50 ms)",
        ms(tl)
    );
    let tl2 = time(21, || s.timeline(&viewer, 50, deep.as_deref()));
    println!("  timeline_page_21 (cursor)  {:>9.3} ms", ms(tl2));
    let af = time(21, || {
        s.author_feed(
            &did(7),
            ues_apps::feed::AuthorFilter::PostsWithReplies,
            Some(&viewer),
            50,
            None,
        )
    });
    println!("  author_feed_first_page     {:>9.3} ms", ms(af));
    let fy = time(5, || s.for_you(&viewer, now, &params, 50, None));
    println!("  for_you_first_page (72 h)  {:>9.3} ms", ms(fy));
    let post = records::to_ipld(
        &PostBuilder::new("a new post about topic3", rfc3339(last_minute + 5)).to_json(),
    )
    .expect("ipld");
    let subject = StrongRef::new(format!("at://{}/{POST}/p00042", did(3)), CID);
    let like = records::to_ipld(&records::like(&subject, &rfc3339(last_minute + 5))).expect("ipld");
    let mut n = 0u64;
    let ip = time(2001, || {
        n += 1;
        s.upsert(&did(5), POST, &format!("n{n:08}"), CID, &post)
    });
    let il = time(2001, || {
        n += 1;
        s.upsert(&did(6), LIKE, &format!("n{n:08}"), CID, &like)
    });
    println!(
        "  incremental_post (upsert)  {:>9.3} µs",
        ip.as_secs_f64() * 1e6
    );
    println!(
        "  incremental_like (upsert)  {:>9.3} µs",
        il.as_secs_f64() * 1e6
    );

    if std::env::var("UES_BENCH_CRITERION").as_deref() == Ok("0") {
        return;
    }
    println!();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    c.bench_function("timeline_first_page", |b| {
        b.iter(|| s.timeline(black_box(&viewer), 50, None))
    });
    c.bench_function("for_you_first_page", |b| {
        b.iter(|| s.for_you(black_box(&viewer), now, &params, 50, None))
    });
    c.bench_function("incremental_post", |b| {
        b.iter(|| {
            n += 1;
            s.upsert(&did(5), POST, &format!("n{n:08}"), CID, &post)
        })
    });
    c.bench_function("incremental_like", |b| {
        b.iter(|| {
            n += 1;
            s.upsert(&did(6), LIKE, &format!("n{n:08}"), CID, &like)
        })
    });
    c.final_summary();
}
