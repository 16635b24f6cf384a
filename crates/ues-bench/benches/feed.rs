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
use ues_apps::feed::records::{self, PostBuilder, StrongRef, FOLLOW, LIKE, POST};
use ues_apps::feed::{FeedState, RankParams};

const FOLLOWED: usize = 1_000;
const POSTS_EACH: usize = 100;
const CID: &str = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
/// 2026-01-01T00:00:00Z.
const EPOCH_SECS: i64 = 1_767_225_600;

fn did(i: usize) -> String {
    format!("did:plc:acct{i:05}")
}

fn rfc3339(minute: i64) -> String {
    let secs = EPOCH_SECS + minute * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn build() -> (FeedState, String) {
    let mut s = FeedState::new();
    let viewer = did(FOLLOWED);
    let ipld = |v: &serde_json::Value| records::to_ipld(v).expect("ipld");
    for i in 0..FOLLOWED {
        let f = ipld(&records::follow(&did(i), &rfc3339(0)));
        s.upsert(&viewer, FOLLOW, &format!("f{i:05}"), CID, &f)
            .expect("follow");
    }
    for i in 0..FOLLOWED {
        for k in 0..POSTS_EACH {
            let minute = (k * FOLLOWED + i) as i64;
            let text = format!("post {k} of account {i}: words about topic{}", k % 17);
            let p = ipld(&PostBuilder::new(text, rfc3339(minute)).to_json());
            s.upsert(&did(i), POST, &format!("p{k:05}"), CID, &p)
                .expect("post");
            // One like of this post by the next account.
            let subject = StrongRef::new(format!("at://{}/{POST}/p{k:05}", did(i)), CID);
            let l = ipld(&records::like(&subject, &rfc3339(minute + 1)));
            s.upsert(
                &did((i + 1) % FOLLOWED),
                LIKE,
                &format!("l{i:05}x{k:05}"),
                CID,
                &l,
            )
            .expect("like");
        }
    }
    (s, viewer)
}

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
