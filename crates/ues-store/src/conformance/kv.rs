//! Key-value checks: get/put/delete and scans (byte order, prefixes,
//! bounds, reverse, limits).

use super::{apply, clear, ok, show, show_keys};
use crate::{Batch, Scan, Store};
use std::ops::Bound;

/// Keys chosen to catch ordering mistakes: 0x00 and 0xff bytes, prefixes of
/// each other, multi-byte UTF-8 (which orders by bytes, not by code point
/// or locale), upper before lower case.
pub(crate) fn tricky_keys() -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = [
        &b"a"[..],
        b"a\x00",
        b"a\x00\x00",
        b"a\x01",
        b"a\xff",
        b"a\xff\xff",
        b"ab",
        b"abc",
        b"a/",
        b"a/b",
        b"b",
        b"\x00",
        b"\x00\x00",
        b"\x01",
        b"\x7f",
        b"\x80",
        b"\xff",
        b"\xff\x00",
        b"\xff\xff",
        b"A",
        b"Z",
        b"z",
    ]
    .iter()
    .map(|k| k.to_vec())
    .collect();
    for s in ["é", "e\u{301}", "日本", "日本語", "😀", "\u{ffff}", "ü"] {
        keys.push(s.as_bytes().to_vec());
    }
    keys
}

/// Writes `keys` (each key's value is its index, so values can be checked),
/// in one batch, in a scrambled order.
async fn put_keys<S: Store>(store: &S, check: &str, keys: &[Vec<u8>]) {
    let mut b = Batch::new();
    let n = keys.len();
    for i in 0..n {
        let j = (i * 7 + 3) % n; // a permutation when gcd(7, n) == 1; else some repeat
        b.put(keys[j].clone(), value_of(&keys[j]));
    }
    for k in keys {
        b.put(k.clone(), value_of(k));
    }
    apply(store, check, "put keys", b).await;
}

/// The value stored under `key` by these checks.
fn value_of(key: &[u8]) -> Vec<u8> {
    let mut v = b"v:".to_vec();
    v.extend_from_slice(key);
    v
}

/// What `scan` must return over `sorted` (ascending, all live).
fn model(sorted: &[Vec<u8>], scan: &Scan) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = sorted
        .iter()
        .filter(|k| scan.contains(k))
        .cloned()
        .collect();
    if scan.reverse {
        out.reverse();
    }
    out.truncate(scan.limit.unwrap_or(usize::MAX));
    out
}

/// Runs `scan` and compares keys and values with the model.
async fn expect_scan<S: Store>(store: &S, check: &str, sorted: &[Vec<u8>], scan: &Scan) {
    let got = ok(check, "scan", store.scan(scan).await);
    let want = model(sorted, scan);
    let got_keys: Vec<&Vec<u8>> = got.iter().map(|(k, _)| k).collect();
    let want_keys: Vec<&Vec<u8>> = want.iter().collect();
    assert!(
        got_keys == want_keys,
        "conformance[{check}]: {scan:?}\n  got  {:?}\n  want {:?}",
        show_keys(&got),
        want.iter().map(|k| show(k)).collect::<Vec<_>>()
    );
    for (k, v) in &got {
        assert_eq!(
            v,
            &value_of(k),
            "conformance[{check}]: value of {} in {scan:?}",
            show(k)
        );
    }
}

/// get/put/overwrite/delete of single keys; empty values are values.
pub async fn kv_put_get_delete<S: Store>(store: &S) {
    const C: &str = "kv_put_get_delete";
    assert_eq!(
        ok(C, "get absent", store.get(b"k").await),
        None,
        "conformance[{C}]: key present before put"
    );
    let mut b = Batch::new();
    b.put(&b"k"[..], &b"one"[..]).put(&b"empty"[..], Vec::new());
    apply(store, C, "put", b).await;
    assert_eq!(
        ok(C, "get", store.get(b"k").await),
        Some(b"one".to_vec()),
        "conformance[{C}]: get after put"
    );
    assert_eq!(
        ok(C, "get empty value", store.get(b"empty").await),
        Some(Vec::new()),
        "conformance[{C}]: an empty value must read as Some(empty), not absent"
    );
    assert_eq!(
        ok(C, "get prefix of key", store.get(b"").await.or(Ok(None))),
        None,
        "conformance[{C}]: get of the empty key"
    );
    assert_eq!(
        ok(C, "get longer key", store.get(b"k\x00").await),
        None,
        "conformance[{C}]: get(\"k\\0\") found \"k\""
    );

    let mut b = Batch::new();
    b.put(&b"k"[..], &b"two"[..]);
    apply(store, C, "overwrite", b).await;
    assert_eq!(
        ok(C, "get overwritten", store.get(b"k").await),
        Some(b"two".to_vec()),
        "conformance[{C}]: get after overwrite"
    );

    let mut b = Batch::new();
    b.delete(&b"k"[..]).delete(&b"never-written"[..]);
    apply(store, C, "delete (and delete an absent key)", b).await;
    assert_eq!(
        ok(C, "get deleted", store.get(b"k").await),
        None,
        "conformance[{C}]: key present after delete"
    );
    let all = ok(C, "scan all", store.scan(&Scan::all()).await);
    assert_eq!(
        all,
        vec![(b"empty".to_vec(), Vec::new())],
        "conformance[{C}]: scan after delete"
    );
    clear(store, C).await;
}

/// Full scans order keys byte-wise, both directions.
pub async fn scan_byte_order<S: Store>(store: &S) {
    const C: &str = "scan_byte_order";
    let mut keys = tricky_keys();
    put_keys(store, C, &keys).await;
    keys.sort();
    expect_scan(store, C, &keys, &Scan::all()).await;
    expect_scan(store, C, &keys, &Scan::all().reverse()).await;
    for k in &keys {
        assert_eq!(
            ok(C, "get", store.get(k).await),
            Some(value_of(k)),
            "conformance[{C}]: get {}",
            show(k)
        );
    }
    clear(store, C).await;
}

/// Prefix scans, including prefixes that are prefixes of each other, a
/// prefix ending in 0xff, the all-0xff prefix (no upper bound) and the empty
/// prefix (everything).
pub async fn scan_prefixes<S: Store>(store: &S) {
    const C: &str = "scan_prefixes";
    let mut keys = tricky_keys();
    put_keys(store, C, &keys).await;
    keys.sort();
    let prefixes: [&[u8]; 11] = [
        b"",
        b"a",
        b"a\x00",
        b"a\xff",
        b"ab",
        b"abc",
        b"abcd",
        b"\xff",
        b"\xff\xff",
        b"\x00",
        "日本".as_bytes(),
    ];
    for p in prefixes {
        let scan = Scan::prefix(p);
        let want = model(&keys, &scan);
        assert!(
            want.iter().all(|k| k.starts_with(p)),
            "conformance[{C}]: Scan::prefix model"
        );
        assert_eq!(
            want.len(),
            keys.iter().filter(|k| k.starts_with(p)).count(),
            "conformance[{C}]: Scan::prefix({}) bounds",
            show(p)
        );
        for s in [
            scan.clone(),
            scan.clone().reverse(),
            scan.clone().limit(1),
            scan.clone().reverse().limit(2),
        ] {
            expect_scan(store, C, &keys, &s).await;
        }
    }
    clear(store, C).await;
}

/// Every combination of Included/Excluded/Unbounded start and end over
/// existing and absent keys (inverted and empty ranges included), both
/// directions, limits 0, 1, 2 and more than present.
pub async fn scan_bounds<S: Store>(store: &S) {
    const C: &str = "scan_bounds";
    let mut keys: Vec<Vec<u8>> = [&b"b"[..], b"b\x00", b"ba", b"c", b"d\xff", b"e"]
        .iter()
        .map(|k| k.to_vec())
        .collect();
    put_keys(store, C, &keys).await;
    keys.sort();
    let points: [&[u8]; 6] = [b"a", b"b", b"b\x00", b"bz", b"d\xff", b"e"];
    let mut bounds = vec![Bound::Unbounded];
    for p in points {
        bounds.push(Bound::Included(p.to_vec()));
        bounds.push(Bound::Excluded(p.to_vec()));
    }
    for start in &bounds {
        for end in &bounds {
            for reverse in [false, true] {
                for limit in [None, Some(0), Some(1), Some(2), Some(100)] {
                    let scan = Scan {
                        start: start.clone(),
                        end: end.clone(),
                        reverse,
                        limit,
                    };
                    expect_scan(store, C, &keys, &scan).await;
                }
            }
        }
    }
    clear(store, C).await;
}

/// Limits: 0 returns nothing, 1 the first (or, reversed, the last) entry, a
/// limit above the count returns everything; `Scan::range` is half-open.
pub async fn scan_limits<S: Store>(store: &S) {
    const C: &str = "scan_limits";
    let keys: Vec<Vec<u8>> = (0..20u8).map(|i| vec![b'k', i * 10]).collect();
    put_keys(store, C, &keys).await;
    for reverse in [false, true] {
        for limit in [0, 1, 5, 19, 20, 21, 1000] {
            let mut s = Scan::prefix(b"k").limit(limit);
            s.reverse = reverse;
            expect_scan(store, C, &keys, &s).await;
            let mut s = Scan::all().limit(limit);
            s.reverse = reverse;
            expect_scan(store, C, &keys, &s).await;
        }
    }
    let first = ok(C, "limit 1", store.scan(&Scan::all().limit(1)).await);
    assert_eq!(
        show_keys(&first),
        vec![show(&keys[0])],
        "conformance[{C}]: first key"
    );
    let last = ok(
        C,
        "reverse limit 1",
        store.scan(&Scan::all().reverse().limit(1)).await,
    );
    assert_eq!(
        show_keys(&last),
        vec![show(&keys[19])],
        "conformance[{C}]: last key"
    );
    let range = ok(
        C,
        "range",
        store.scan(&Scan::range(&[b'k', 30], &[b'k', 60])).await,
    );
    assert_eq!(
        show_keys(&range),
        [30u8, 40, 50]
            .iter()
            .map(|i| show(&[b'k', *i]))
            .collect::<Vec<_>>(),
        "conformance[{C}]: Scan::range is [start, end)"
    );
    let range = ok(
        C,
        "range reverse",
        store
            .scan(&Scan::range(&[b'k', 30], &[b'k', 60]).reverse().limit(2))
            .await,
    );
    assert_eq!(
        show_keys(&range),
        [50u8, 40]
            .iter()
            .map(|i| show(&[b'k', *i]))
            .collect::<Vec<_>>(),
        "conformance[{C}]: reversed range with limit"
    );
    clear(store, C).await;
}
