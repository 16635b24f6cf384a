//! Index checks any backend can run: [`check`] writes a few hundred random
//! records with their index entries (same batch), updates and deletes them,
//! and after every round compares each kind of lookup with a brute-force
//! scan of an in-memory model of the records. Panics naming what differed.
//!
//! The store's key space must be empty at the start; it is empty again at
//! the end.

use super::{index_ops, lookup_eq, lookup_range, IndexDef, Page, Record, Value};
use crate::{Batch, Scan, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// A deterministic pseudo-random generator (SplitMix64), so every backend
/// sees the same records in the same order.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Authors chosen to catch encoding mistakes: empty, embedded NUL, prefixes
/// of each other, multi-byte UTF-8.
const AUTHORS: &[&str] = &[
    "", "\0", "a", "a\0", "a\0b", "ab", "alice", "bob", "é", "日本", "zoë",
];
/// Times with extremes, signs and duplicates.
const EDGE_TIMES: &[i64] = &[i64::MIN, -1_000, -1, 0, 1, 1_000, i64::MAX];

fn by_time() -> IndexDef {
    IndexDef::new("by_time", &["time"])
}

fn by_author_time() -> IndexDef {
    IndexDef::new("by_author_time", &["author", "time"])
}

fn random_record(rng: &mut Rng, id: &[u8]) -> Record {
    let mut r = Record::new(id.to_vec());
    if rng.below(10) > 0 {
        let t = match rng.below(4) {
            0 => EDGE_TIMES[rng.below(EDGE_TIMES.len())],
            _ => rng.below(50) as i64 * 1_000 - 20_000,
        };
        r = r.with("time", t);
    }
    if rng.below(12) > 0 {
        r = r.with("author", AUTHORS[rng.below(AUTHORS.len())]);
    }
    r
}

/// Brute force: the ids of the model's records in `def` order whose
/// leading fields lie within `(lo, hi)`.
fn expected(
    model: &BTreeMap<Vec<u8>, Record>,
    def: &IndexDef,
    lo: Bound<&[Value]>,
    hi: Bound<&[Value]>,
    reverse: bool,
) -> Vec<Vec<u8>> {
    let mut rows: Vec<(Vec<Value>, Vec<u8>)> = model
        .values()
        .filter_map(|r| {
            let vals: Option<Vec<Value>> = def.fields.iter().map(|f| r.get(f).cloned()).collect();
            vals.map(|v| (v, r.id.clone()))
        })
        .filter(|(v, _)| {
            let ok_lo = match lo {
                Bound::Unbounded => true,
                Bound::Included(b) => &v[..b.len()] >= b,
                Bound::Excluded(b) => &v[..b.len()] > b,
            };
            let ok_hi = match hi {
                Bound::Unbounded => true,
                Bound::Included(b) => &v[..b.len()] <= b,
                Bound::Excluded(b) => &v[..b.len()] < b,
            };
            ok_lo && ok_hi
        })
        .collect();
    rows.sort();
    if reverse {
        rows.reverse();
    }
    rows.into_iter().map(|(_, id)| id).collect()
}

/// Reads every page of a range lookup with page size `page`.
async fn paged<S: Store>(
    store: &S,
    def: &IndexDef,
    lo: Bound<&[Value]>,
    hi: Bound<&[Value]>,
    reverse: bool,
    page: usize,
) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let p: Page = match lookup_range(store, def, lo, hi, page, reverse, cursor.as_ref()).await {
            Ok(p) => p,
            Err(e) => panic!("index conformance: lookup {}: {e}", def.name),
        };
        assert!(
            p.ids.len() <= page,
            "index conformance: page over its limit"
        );
        out.extend(p.ids);
        match p.next {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn show(ids: &[Vec<u8>]) -> Vec<String> {
    ids.iter().map(|i| i.escape_ascii().to_string()).collect()
}

/// Compares one lookup, whole and paged, in both directions.
async fn compare<S: Store>(
    store: &S,
    model: &BTreeMap<Vec<u8>, Record>,
    def: &IndexDef,
    lo: Bound<&[Value]>,
    hi: Bound<&[Value]>,
    what: &str,
) {
    for reverse in [false, true] {
        let want = expected(model, def, lo, hi, reverse);
        // Page size 1 on short lists only: one scan per entry is slow on
        // IndexedDB.
        let sizes = if want.len() <= 12 {
            [usize::MAX, 1, 5]
        } else {
            [usize::MAX, 4, 32]
        };
        for page in sizes {
            let got = paged(store, def, lo, hi, reverse, page).await;
            assert_eq!(
                show(&got),
                show(&want),
                "index conformance: {what} on {} (reverse {reverse}, page {page})",
                def.name
            );
        }
    }
}

/// Every kind of lookup against the model.
async fn verify<S: Store>(store: &S, model: &BTreeMap<Vec<u8>, Record>, rng: &mut Rng) {
    let u = Bound::Unbounded;
    let (bt, bat) = (by_time(), by_author_time());
    compare(store, model, &bt, u, u, "full scan").await;
    compare(store, model, &bat, u, u, "full scan").await;
    for a in AUTHORS {
        let v = [Value::from(*a)];
        compare(
            store,
            model,
            &bat,
            Bound::Included(&v),
            Bound::Included(&v),
            "author eq",
        )
        .await;
        let want = expected(model, &bat, Bound::Included(&v), Bound::Included(&v), true);
        let got = lookup_eq(store, &bat, &v, 3, true, None)
            .await
            .expect("lookup_eq");
        let n = want.len().min(3);
        assert_eq!(
            show(&got.ids),
            show(&want[..n]),
            "index conformance: newest 3 of {a:?}"
        );
        assert_eq!(
            got.next.is_some(),
            want.len() > 3,
            "index conformance: cursor of {a:?}"
        );
    }
    for _ in 0..6 {
        let t = |rng: &mut Rng| [Value::Int(rng.below(60) as i64 * 1_000 - 25_000)];
        let (x, y) = (t(rng), t(rng));
        let kinds = [
            Bound::Included(&x[..]),
            Bound::Excluded(&x[..]),
            Bound::Unbounded,
        ];
        let his = [
            Bound::Included(&y[..]),
            Bound::Excluded(&y[..]),
            Bound::Unbounded,
        ];
        let (lo, hi) = (kinds[rng.below(3)], his[rng.below(3)]);
        compare(store, model, &bt, lo, hi, "time range").await;
        compare(
            store,
            model,
            &bt,
            Bound::Included(&x),
            Bound::Included(&x),
            "time eq",
        )
        .await;
        // An author's records within a time window (a two-field range).
        let a = Value::from(AUTHORS[rng.below(AUTHORS.len())]);
        let (ax, ay) = ([a.clone(), x[0].clone()], [a, y[0].clone()]);
        compare(
            store,
            model,
            &bat,
            Bound::Included(&ax),
            Bound::Excluded(&ay),
            "author window",
        )
        .await;
    }
    // The raw entries are exactly the live records' entries: nothing stale.
    let mut want = BTreeSet::new();
    for def in [&bt, &bat] {
        for r in model.values() {
            if let Some(k) = super::index_key(def, r).expect("index key") {
                want.insert(k);
            }
        }
    }
    let got: BTreeSet<Vec<u8>> = store
        .scan(&Scan::prefix(b"idx/"))
        .await
        .expect("scan idx/")
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(
        got == want,
        "index conformance: stored entries differ from the live records'"
    );
}

/// Writes `changes` (id → new record or deletion) as one batch: each
/// record's data key and its index entries together.
async fn write<S: Store>(
    store: &S,
    model: &mut BTreeMap<Vec<u8>, Record>,
    changes: Vec<(Vec<u8>, Option<Record>)>,
) {
    let mut batch = Batch::new();
    for (id, new) in changes {
        let old = model.get(&id).cloned();
        let key = [&b"rec/"[..], &id].concat();
        match &new {
            Some(r) => batch.put(key, format!("{:?}", r.fields).into_bytes()),
            None => batch.delete(key),
        };
        for def in [by_time(), by_author_time()] {
            index_ops(&def, old.as_ref(), new.as_ref(), &mut batch).expect("index_ops");
        }
        match new {
            Some(r) => model.insert(id, r),
            None => model.remove(&id),
        };
    }
    store.apply(batch).await.expect("index conformance: apply");
}

/// The whole index check (see the module docs). `store` must start empty.
pub async fn check<S: Store>(store: &S) {
    let mut rng = Rng::new(0x1DE7);
    let mut model = BTreeMap::new();
    let id = |n: usize| format!("r{n:04}").into_bytes();
    for chunk in 0..15 {
        let changes = (0..20)
            .map(|i| {
                (
                    id(chunk * 20 + i),
                    Some(random_record(&mut rng, &id(chunk * 20 + i))),
                )
            })
            .collect();
        write(store, &mut model, changes).await;
    }
    verify(store, &model, &mut rng).await;
    for _round in 0..3 {
        let mut changes = Vec::new();
        for _ in 0..40 {
            let target = id(rng.below(330)); // some new ids, some existing
            let new = match rng.below(4) {
                0 => None,
                1 => model.get(&target).cloned(), // unchanged
                _ => Some(random_record(&mut rng, &target)),
            };
            changes.push((target, new));
        }
        write(store, &mut model, changes).await;
        verify(store, &model, &mut rng).await;
    }
    let all: Vec<_> = model.keys().map(|k| (k.clone(), None)).collect();
    write(store, &mut model, all).await;
    verify(store, &model, &mut rng).await;
    let left = store.scan(&Scan::all().limit(3)).await.expect("scan all");
    assert!(
        left.is_empty(),
        "index conformance: keys left after deleting every record"
    );
}

/// Argument checks: bad names, too many bound values, foreign cursors.
pub async fn check_errors<S: Store>(store: &S) {
    use crate::StoreError::InvalidArgument;
    let r = Record::new("x").with("f", 1);
    for bad in [
        IndexDef::new("", &["f"]),
        IndexDef::new("a/b", &["f"]),
        IndexDef::new("n", &[]),
    ] {
        let e = index_ops(&bad, None, Some(&r), &mut Batch::new());
        assert!(
            matches!(e, Err(InvalidArgument(_))),
            "index conformance: {bad:?} accepted"
        );
    }
    let def = IndexDef::new("n", &["f"]);
    let two = [Value::Int(1), Value::Int(2)];
    let e = lookup_eq(store, &def, &two, 5, false, None).await;
    assert!(
        matches!(e, Err(InvalidArgument(_))),
        "index conformance: 2 values on 1 field"
    );
    let foreign = super::Cursor(b"idx/other/x".to_vec());
    let e = lookup_eq(store, &def, &[], 5, false, Some(&foreign)).await;
    assert!(
        matches!(e, Err(InvalidArgument(_))),
        "index conformance: foreign cursor"
    );
}
