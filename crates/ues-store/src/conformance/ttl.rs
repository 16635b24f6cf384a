//! TTL checks: expiry on read, scans skip expired entries, sweep, and a
//! re-put without TTL clearing the expiry.

use super::{apply, clear, ok, show_keys, ManualClock};
use crate::{Batch, Clock, Scan, Store};

fn keys(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<String> {
    show_keys(entries)
}

/// An entry reads as present before its expiry and absent from the expiry
/// instant on, in `get` and in scans (both directions; limits count only
/// live entries).
pub async fn ttl_expiry_on_read<S: Store>(store: &S, clock: &ManualClock) {
    const C: &str = "ttl_expiry_on_read";
    let t0 = clock.now_ms();
    let mut b = Batch::new();
    b.put_with_expiry(&b"t/a"[..], &b"1"[..], t0 + 1000)
        .put(&b"t/b"[..], &b"2"[..])
        .put_with_expiry(&b"t/c"[..], &b"3"[..], t0 + 2000);
    apply(store, C, "put with TTL", b).await;
    assert_eq!(
        ok(C, "get", store.get(b"t/a").await),
        Some(b"1".to_vec()),
        "conformance[{C}]: entry absent before its expiry"
    );

    clock.set(t0 + 999);
    assert_eq!(
        ok(C, "get", store.get(b"t/a").await),
        Some(b"1".to_vec()),
        "conformance[{C}]: entry absent 1 ms before its expiry"
    );
    let all = ok(C, "scan", store.scan(&Scan::prefix(b"t/")).await);
    assert_eq!(
        keys(&all),
        ["t/a", "t/b", "t/c"],
        "conformance[{C}]: scan before expiry"
    );

    clock.set(t0 + 1000);
    assert_eq!(
        ok(C, "get", store.get(b"t/a").await),
        None,
        "conformance[{C}]: entry present at its expiry instant (now >= expires_at reads absent)"
    );
    assert_eq!(
        ok(C, "get", store.get(b"t/b").await),
        Some(b"2".to_vec()),
        "conformance[{C}]: entry without TTL"
    );
    let all = ok(C, "scan", store.scan(&Scan::prefix(b"t/")).await);
    assert_eq!(
        keys(&all),
        ["t/b", "t/c"],
        "conformance[{C}]: scan must skip expired entries"
    );
    let first = ok(C, "scan limit 1", store.scan(&Scan::all().limit(1)).await);
    assert_eq!(
        keys(&first),
        ["t/b"],
        "conformance[{C}]: limit must count live entries only"
    );
    let rev = ok(C, "reverse scan", store.scan(&Scan::all().reverse()).await);
    assert_eq!(
        keys(&rev),
        ["t/c", "t/b"],
        "conformance[{C}]: reverse scan must skip expired entries"
    );

    clock.set(t0 + 5000);
    let rev = ok(
        C,
        "reverse scan limit 1",
        store.scan(&Scan::all().reverse().limit(1)).await,
    );
    assert_eq!(
        keys(&rev),
        ["t/b"],
        "conformance[{C}]: reverse limit must count live entries only"
    );
    assert_eq!(
        ok(C, "get", store.get(b"t/c").await),
        None,
        "conformance[{C}]: second entry after its expiry"
    );
    clear(store, C).await;
    clock.set(t0);
}

/// `sweep` removes exactly the expired entries and returns their count; a
/// second sweep finds nothing; an entry put already expired is swept too.
pub async fn ttl_sweep<S: Store>(store: &S, clock: &ManualClock) {
    const C: &str = "ttl_sweep";
    let t0 = clock.now_ms();
    assert_eq!(
        ok(C, "sweep empty", store.sweep().await),
        0,
        "conformance[{C}]: sweep of an empty store"
    );
    let mut b = Batch::new();
    for i in 0..10u64 {
        b.put_with_expiry(format!("s/{i}").into_bytes(), &b"x"[..], t0 + 100 * (i + 1));
    }
    b.put(&b"s/keep"[..], &b"k"[..]);
    apply(store, C, "put", b).await;
    assert_eq!(
        ok(C, "sweep before expiry", store.sweep().await),
        0,
        "conformance[{C}]: sweep before any expiry"
    );

    clock.set(t0 + 350); // s/0, s/1, s/2 expired (at 100, 200, 300)
    assert_eq!(
        ok(C, "sweep", store.sweep().await),
        3,
        "conformance[{C}]: sweep count after 3 expiries"
    );
    assert_eq!(
        ok(C, "sweep again", store.sweep().await),
        0,
        "conformance[{C}]: second sweep"
    );
    let live = ok(C, "scan", store.scan(&Scan::prefix(b"s/")).await);
    assert_eq!(
        live.len(),
        8,
        "conformance[{C}]: live entries after sweep: {:?}",
        keys(&live)
    );

    // Already expired when written: never visible, swept.
    let mut b = Batch::new();
    b.put_with_expiry(&b"s/past"[..], &b"p"[..], t0);
    apply(store, C, "put expired", b).await;
    assert_eq!(
        ok(C, "get expired", store.get(b"s/past").await),
        None,
        "conformance[{C}]: entry written already expired"
    );

    clock.set(t0 + 10_000);
    assert_eq!(
        ok(C, "sweep all", store.sweep().await),
        8,
        "conformance[{C}]: sweep count (7 TTL entries + the already-expired one)"
    );
    let live = ok(C, "scan", store.scan(&Scan::all()).await);
    assert_eq!(
        keys(&live),
        ["s/keep"],
        "conformance[{C}]: only the entry without TTL survives"
    );
    clear(store, C).await;
    clock.set(t0);
}

/// A re-put without TTL clears the expiry; a re-put with a TTL sets one; a
/// re-put of an expired (unswept) key makes it live again.
pub async fn ttl_reput_clears_expiry<S: Store>(store: &S, clock: &ManualClock) {
    const C: &str = "ttl_reput_clears_expiry";
    let t0 = clock.now_ms();
    let mut b = Batch::new();
    b.put_with_expiry(&b"r/a"[..], &b"1"[..], t0 + 100)
        .put(&b"r/b"[..], &b"1"[..])
        .put_with_expiry(&b"r/c"[..], &b"1"[..], t0 + 100);
    apply(store, C, "put", b).await;
    let mut b = Batch::new();
    b.put(&b"r/a"[..], &b"2"[..])
        .put_with_expiry(&b"r/b"[..], &b"2"[..], t0 + 100);
    apply(store, C, "re-put", b).await;

    clock.set(t0 + 100);
    assert_eq!(
        ok(C, "get", store.get(b"r/a").await),
        Some(b"2".to_vec()),
        "conformance[{C}]: re-put without TTL must clear the expiry"
    );
    assert_eq!(
        ok(C, "get", store.get(b"r/b").await),
        None,
        "conformance[{C}]: re-put with TTL must set the expiry"
    );
    assert_eq!(
        ok(C, "get", store.get(b"r/c").await),
        None,
        "conformance[{C}]: expired entry"
    );

    let mut b = Batch::new();
    b.put(&b"r/c"[..], &b"3"[..]);
    apply(store, C, "re-put expired key", b).await;
    assert_eq!(
        ok(C, "get", store.get(b"r/c").await),
        Some(b"3".to_vec()),
        "conformance[{C}]: re-put of an expired key"
    );
    assert_eq!(
        ok(C, "sweep", store.sweep().await),
        1,
        "conformance[{C}]: sweep after re-puts (only r/b is expired)"
    );
    let live = ok(C, "scan", store.scan(&Scan::all()).await);
    assert_eq!(
        keys(&live),
        ["r/a", "r/c"],
        "conformance[{C}]: entries after sweep"
    );
    clear(store, C).await;
    clock.set(t0);
}
