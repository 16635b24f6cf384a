//! The feed workload (issue 10's speed goal), shared by the native bench
//! (`benches/feed.rs`) and the Chromium one (`feed_wasm.rs`,
//! `bench/chromium/run-feed.mjs`): an account following 1,000 accounts,
//! 100,000 posts (100 per followed account, one a minute per account over
//! ~70 days) and 100,000 likes spread over them, in a `FeedState`.

use ues_apps::feed::records::{self, PostBuilder, StrongRef, FOLLOW, LIKE, POST};
use ues_apps::feed::FeedState;

pub const FOLLOWED: usize = 1_000;
pub const POSTS_EACH: usize = 100;
pub const CID: &str = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
/// 2026-01-01T00:00:00Z.
pub const EPOCH_SECS: i64 = 1_767_225_600;

pub fn did(i: usize) -> String {
    format!("did:plc:acct{i:05}")
}

pub fn rfc3339(minute: i64) -> String {
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

/// The state and the viewer (the account following the others).
pub fn build() -> (FeedState, String) {
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
