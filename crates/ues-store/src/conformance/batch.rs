//! Batch checks: atomicity, last-op-wins, large and empty values, many keys
//! in one batch, concurrent batches.

use super::{apply, clear, expect_invalid, ok, pattern, show_keys};
use crate::{Batch, Scan, Store};
use futures::future::join_all;
use ues_data::cid::{blake3_cid, RAW};

/// A batch with one invalid operation (an empty key), wherever it sits,
/// fails with `InvalidArgument` and writes nothing: no block, no key, no
/// delete.
pub async fn batch_atomic_on_invalid<S: Store>(store: &S) {
    const C: &str = "batch_atomic_on_invalid";
    let mut b = Batch::new();
    b.put(&b"keep"[..], &b"1"[..]);
    apply(store, C, "put keep", b).await;
    let bytes = pattern(500, 400);
    let cid = blake3_cid(RAW, &bytes);
    for position in 0..4 {
        let mut ops = Batch::new();
        ops.put_block(cid, bytes.clone())
            .put(&b"new"[..], &b"x"[..])
            .delete(&b"keep"[..])
            .put(&b"keep2"[..], &b"y"[..]);
        let mut bad = Batch::new();
        if position == 3 {
            bad.delete(Vec::new());
        } else {
            bad.put(Vec::new(), &b"v"[..]);
        }
        ops.ops.insert(position, bad.ops.remove(0));
        expect_invalid(
            C,
            &format!("batch with an empty key at op {position}"),
            store.apply(ops).await,
        );
        assert!(
            !ok(C, "has", store.has_block(&cid).await),
            "conformance[{C}]: failed batch (bad op {position}) wrote its block"
        );
        assert_eq!(
            ok(C, "get", store.get(b"new").await),
            None,
            "conformance[{C}]: failed batch (bad op {position}) wrote a key"
        );
        assert_eq!(
            ok(C, "get", store.get(b"keep").await),
            Some(b"1".to_vec()),
            "conformance[{C}]: failed batch (bad op {position}) applied a delete"
        );
        let all = ok(C, "scan", store.scan(&Scan::all()).await);
        assert_eq!(
            show_keys(&all),
            ["keep"],
            "conformance[{C}]: keys after failed batch (bad op {position})"
        );
    }
    ok(C, "empty batch", store.apply(Batch::new()).await);
    clear(store, C).await;
}

/// Within one batch the later operation on a key or block wins.
pub async fn batch_last_op_wins<S: Store>(store: &S) {
    const C: &str = "batch_last_op_wins";
    let mut b = Batch::new();
    b.put(&b"pre"[..], &b"0"[..]);
    apply(store, C, "put pre", b).await;
    let (x, y) = (pattern(100, 500), pattern(100, 501));
    let (cx, cy) = (blake3_cid(RAW, &x), blake3_cid(RAW, &y));
    let mut b = Batch::new();
    b.put(&b"a"[..], &b"1"[..])
        .put(&b"a"[..], &b"2"[..])
        .put(&b"b"[..], &b"1"[..])
        .delete(&b"b"[..])
        .delete(&b"pre"[..])
        .put(&b"pre"[..], &b"3"[..])
        .delete(&b"c"[..])
        .put(&b"c"[..], &b"4"[..])
        .put_block(cx, x.clone())
        .delete_block(cx)
        .delete_block(cy)
        .put_block(cy, y.clone());
    apply(store, C, "batch", b).await;
    let get = |k: &'static [u8]| async move { ok(C, "get", store.get(k).await) };
    assert_eq!(
        get(b"a").await,
        Some(b"2".to_vec()),
        "conformance[{C}]: put, put"
    );
    assert_eq!(get(b"b").await, None, "conformance[{C}]: put, delete");
    assert_eq!(
        get(b"pre").await,
        Some(b"3".to_vec()),
        "conformance[{C}]: delete, put of an existing key"
    );
    assert_eq!(
        get(b"c").await,
        Some(b"4".to_vec()),
        "conformance[{C}]: delete, put of a new key"
    );
    assert!(
        !ok(C, "has", store.has_block(&cx).await),
        "conformance[{C}]: put_block, delete_block"
    );
    assert_eq!(
        ok(C, "get", store.get_block(&cy).await),
        Some(y),
        "conformance[{C}]: delete_block, put_block"
    );
    let mut b = Batch::new();
    b.delete_block(cy);
    apply(store, C, "cleanup", b).await;
    clear(store, C).await;
}

/// A 4 MiB value and an empty value, in `get` and in scans; overwriting the
/// large value with a small one.
pub async fn large_and_empty_values<S: Store>(store: &S) {
    const C: &str = "large_and_empty_values";
    let big = pattern(4 << 20, 600);
    let mut b = Batch::new();
    b.put(&b"big"[..], big.clone())
        .put(&b"empty"[..], Vec::new());
    apply(store, C, "put 4 MiB and empty values", b).await;
    let got = ok(C, "get big", store.get(b"big").await);
    assert!(
        got.as_deref() == Some(&big[..]),
        "conformance[{C}]: 4 MiB value read back with {:?} bytes",
        got.map(|g| g.len())
    );
    assert_eq!(
        ok(C, "get empty", store.get(b"empty").await),
        Some(Vec::new()),
        "conformance[{C}]: empty value"
    );
    let all = ok(C, "scan", store.scan(&Scan::all()).await);
    assert_eq!(
        show_keys(&all),
        ["big", "empty"],
        "conformance[{C}]: scan keys"
    );
    assert!(
        all[0].1 == big && all[1].1.is_empty(),
        "conformance[{C}]: scan values"
    );
    let mut b = Batch::new();
    b.put(&b"big"[..], &b"small"[..]);
    apply(store, C, "overwrite big", b).await;
    assert_eq!(
        ok(C, "get", store.get(b"big").await),
        Some(b"small".to_vec()),
        "conformance[{C}]: overwrite of a large value"
    );
    clear(store, C).await;
}

/// 5,000 keys in one batch: all present, in order; limited scans from both
/// ends; one batch deletes them all.
pub async fn many_keys<S: Store>(store: &S) {
    const C: &str = "many_keys";
    const N: u32 = 5000;
    let key = |i: u32| {
        let mut k = b"m/".to_vec();
        k.extend_from_slice(&i.to_be_bytes());
        k
    };
    let mut b = Batch::new();
    for i in (0..N).rev() {
        b.put(key(i), i.to_le_bytes().to_vec());
    }
    apply(store, C, "put 5,000 keys", b).await;
    let all = ok(C, "scan", store.scan(&Scan::prefix(b"m/")).await);
    assert_eq!(
        all.len(),
        N as usize,
        "conformance[{C}]: number of keys scanned"
    );
    for (i, (k, v)) in all.iter().enumerate() {
        let i = i as u32;
        assert!(
            k == &key(i) && v == &i.to_le_bytes(),
            "conformance[{C}]: entry {i} of the scan out of order or wrong"
        );
    }
    let head = ok(
        C,
        "scan limit",
        store.scan(&Scan::prefix(b"m/").limit(100)).await,
    );
    assert!(
        head.len() == 100 && head[99].0 == key(99),
        "conformance[{C}]: first 100"
    );
    let tail = ok(
        C,
        "reverse scan limit",
        store.scan(&Scan::prefix(b"m/").reverse().limit(100)).await,
    );
    assert!(
        tail.len() == 100 && tail[0].0 == key(N - 1) && tail[99].0 == key(N - 100),
        "conformance[{C}]: last 100, descending"
    );
    let mid = ok(
        C,
        "range",
        store.scan(&Scan::range(&key(1234), &key(1244))).await,
    );
    assert_eq!(mid.len(), 10, "conformance[{C}]: range of 10");
    assert_eq!(
        ok(C, "get", store.get(&key(4321)).await),
        Some(4321u32.to_le_bytes().to_vec()),
        "conformance[{C}]: get"
    );
    let mut b = Batch::new();
    for i in 0..N {
        b.delete(key(i));
    }
    apply(store, C, "delete 5,000 keys", b).await;
    let left = ok(C, "scan", store.scan(&Scan::all().limit(1)).await);
    assert!(
        left.is_empty(),
        "conformance[{C}]: keys left after deleting all: {:?}",
        show_keys(&left)
    );
}

/// Several batches started together (futures joined, so a backend with real
/// asynchrony interleaves them) all apply whole: every key and block lands,
/// and two keys every batch writes end with values from the same batch. A
/// failing batch among them writes nothing and disturbs no other.
pub async fn concurrent_batches<S: Store>(store: &S) {
    const C: &str = "concurrent_batches";
    const N: usize = 8;
    let blocks: Vec<Vec<u8>> = (0..N).map(|i| pattern(1000 + i, 700 + i as u64)).collect();
    let mut batches = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let mut b = Batch::new();
        for j in 0..100 {
            b.put(
                format!("c/{i}/{j:03}").into_bytes(),
                format!("{i}:{j}").into_bytes(),
            );
        }
        b.put(&b"c/shared/a"[..], i.to_string().into_bytes());
        b.put_block(blake3_cid(RAW, block), block.clone());
        b.put(&b"c/shared/b"[..], i.to_string().into_bytes());
        if i == 5 {
            b.put(Vec::new(), &b"invalid"[..]); // this batch must fail whole
        }
        batches.push(b);
    }
    let results = join_all(batches.into_iter().map(|b| store.apply(b))).await;
    for (i, r) in results.into_iter().enumerate() {
        if i == 5 {
            expect_invalid(C, "concurrent batch with an empty key", r);
        } else {
            ok(C, &format!("concurrent batch {i}"), r);
        }
    }
    for (i, block) in blocks.iter().enumerate() {
        let prefix = format!("c/{i}/");
        let keys = ok(
            C,
            "scan",
            store.scan(&Scan::prefix(prefix.as_bytes())).await,
        );
        let want = if i == 5 { 0 } else { 100 };
        assert_eq!(keys.len(), want, "conformance[{C}]: keys of batch {i}");
        for (j, (_, v)) in keys.iter().enumerate() {
            assert_eq!(
                v,
                &format!("{i}:{j}").into_bytes(),
                "conformance[{C}]: value {j} of batch {i}"
            );
        }
        let has = ok(C, "has", store.has_block(&blake3_cid(RAW, block)).await);
        assert_eq!(has, i != 5, "conformance[{C}]: block of batch {i}");
    }
    let a = ok(C, "get a", store.get(b"c/shared/a").await);
    let b = ok(C, "get b", store.get(b"c/shared/b").await);
    assert!(
        a.is_some() && a == b && a != Some(b"5".to_vec()),
        "conformance[{C}]: shared keys interleaved: a={a:?} b={b:?}"
    );

    // Reads joined with writes see each batch whole or not at all.
    let mut w = Batch::new();
    w.put(&b"c/shared/a"[..], &b"w"[..])
        .put(&b"c/shared/b"[..], &b"w"[..]);
    let shared = Scan::prefix(b"c/shared/");
    let (r, seen) = futures::join!(store.apply(w), store.scan(&shared));
    ok(C, "write joined with a read", r);
    let seen = ok(C, "read joined with a write", seen);
    assert!(
        seen.len() == 2 && seen[0].1 == seen[1].1,
        "conformance[{C}]: a read saw half a batch: {seen:?}"
    );
    let mut b = Batch::new();
    for block in &blocks {
        b.delete_block(blake3_cid(RAW, block));
    }
    apply(store, C, "cleanup blocks", b).await;
    clear(store, C).await;
}
