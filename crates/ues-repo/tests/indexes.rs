//! Collection indexes against a brute-force scan of the repo's records:
//! time, createdAt, subject, custom and full-text queries, both directions,
//! paged by cursor, across commits with updates and deletes, and a failed
//! batch that must leave no index entry. Runs natively and as wasm.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{tids, TestKey, DID};
use serde_json::json;
use std::collections::BTreeMap;
use std::ops::Bound;
use ues_data::cbor::Ipld;
use ues_data::syntax::parse_datetime;
use ues_fixtures::async_test;
use ues_repo::{IndexQuery, IndexSpec, Indexes, Repo, UriPage, Write};
use ues_store::fts::conformance::BruteForce;
use ues_store::fts::{FtsIndex, SearchOptions};
use ues_store::index::{Cursor, Value};
use ues_store::{KvStore, MemoryStore, Scan};

#[path = "indexes/failing.rs"]
mod failing;
#[path = "indexes/model.rs"]
mod model;
use failing::FailingStore;
use model::*;

/// Every current record: collection → (uri, value), in key order.
async fn scan(repo: &mut Repo<FailingStore>) -> BTreeMap<&'static str, Vec<(String, Ipld)>> {
    let mut out = BTreeMap::new();
    for c in COLLS {
        let all = repo.list_records(c, None, usize::MAX, false).await.unwrap();
        out.insert(
            c,
            all.into_iter()
                .map(|e| (uri(c, &e.rkey), e.value))
                .collect(),
        );
    }
    out
}

async fn run(repo: &Repo<FailingStore>, q: &Q, c: Option<&Cursor>, n: usize, rev: bool) -> UriPage {
    let res = match q {
        Q::Time(coll) => repo.list_by_time(coll, c, n, rev).await,
        Q::Created(coll, lo, hi) => {
            repo.records_by_created_at(coll, (*lo, *hi), c, n, rev)
                .await
        }
        Q::Subject(LIKE, s) => repo.likes_of(s, c, n, rev).await,
        Q::Subject(REPOST, s) => repo.reposts_of(s, c, n, rev).await,
        Q::Subject(_, s) => repo.followers_of(s, c, n, rev).await,
        Q::Thread(iq) => repo.query_index("thread", iq, c, n, rev).await,
    };
    res.unwrap()
}

async fn check_query(repo: &Repo<FailingStore>, q: &Q, want: &[String]) {
    for rev in [false, true] {
        let mut want = want.to_vec();
        if rev {
            want.reverse();
        }
        let whole = run(repo, q, None, usize::MAX, rev).await;
        assert_eq!(whole.uris, want, "{q:?} reverse={rev}");
        assert!(whole.next.is_none());
        let mut paged = Vec::new();
        let mut cursor = None;
        loop {
            let p = run(repo, q, cursor.as_ref(), 3, rev).await;
            assert!(p.uris.len() <= 3);
            paged.extend(p.uris);
            match p.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(paged, want, "{q:?} paged reverse={rev}");
    }
}

/// Checks every query; returns how many found more than one record.
async fn check_all(repo: &mut Repo<FailingStore>) -> usize {
    let all = scan(repo).await;
    let day = |d: i64| {
        parse_datetime(&format!("2026-11-{d:02}T00:00:00Z"))
            .unwrap()
            .unix_micros()
    };
    let mut qs: Vec<Q> = COLLS.iter().map(|c| Q::Time(c)).collect();
    for c in [POST, LIKE] {
        qs.push(Q::Created(c, Bound::Unbounded, Bound::Unbounded));
        qs.push(Q::Created(
            c,
            Bound::Included(day(2)),
            Bound::Excluded(day(4)),
        ));
        qs.push(Q::Created(c, Bound::Excluded(day(3)), Bound::Unbounded));
        qs.push(Q::Created(c, Bound::Unbounded, Bound::Included(day(2))));
    }
    for i in 0..7 {
        let p = uri(POST, &format!("p{i:02}"));
        qs.push(Q::Subject(LIKE, p.clone()));
        qs.push(Q::Subject(REPOST, p.clone()));
        qs.push(Q::Thread(IndexQuery::Eq(vec![Value::from(p)])));
        qs.push(Q::Subject(FOLLOW, format!("did:example:u{i}")));
    }
    let p = |i: usize| vec![Value::from(uri(POST, &format!("p{i:02}")))];
    qs.push(Q::Thread(IndexQuery::Range(
        Bound::Included(p(1)),
        Bound::Excluded(p(3)),
    )));
    qs.push(Q::Thread(IndexQuery::Range(
        Bound::Unbounded,
        Bound::Unbounded,
    )));
    let mut nonempty = 0;
    for q in &qs {
        let want = expect(&all, q);
        nonempty += usize::from(want.len() > 1);
        check_query(repo, q, &want).await;
    }
    // Full text against the brute force.
    let docs: BTreeMap<String, String> = all[POST]
        .iter()
        .filter_map(|(u, v)| Some((u.clone(), str_at(v, "text")?.to_string())))
        .collect();
    let brute = BruteForce::new(&FtsIndex::new("ues.posts"), &docs);
    for (q, prefix) in [
        ("hello", false),
        ("rust wasm", false),
        ("hel", true),
        ("world rust", true),
        ("help", false),
        ("zzz", false),
    ] {
        let want = brute.search(q, prefix);
        nonempty += usize::from(want.len() > 1);
        let opts = SearchOptions {
            limit: usize::MAX,
            prefix,
            ..SearchOptions::default()
        };
        let got = repo.search_posts(q, &opts).await.unwrap();
        let ids =
            |h: &[ues_store::fts::Hit]| h.iter().map(|h| h.doc_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got.hits), ids(&want), "search {q:?}");
        for (g, w) in got.hits.iter().zip(&want) {
            assert!((g.score - w.score).abs() < 1e-9, "score of {q:?}");
        }
        // Paged.
        let mut opts = SearchOptions {
            limit: 2,
            prefix,
            ..SearchOptions::default()
        };
        let mut paged = Vec::new();
        loop {
            let p = repo.search_posts(q, &opts).await.unwrap();
            paged.extend(ids(&p.hits));
            match p.next {
                Some(c) => opts.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(paged, ids(&want), "paged search {q:?}");
    }
    nonempty
}

/// Every index and full-text key in the store.
async fn index_keys(store: &MemoryStore) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = store.scan(&Scan::prefix(b"idx/")).await.unwrap();
    out.extend(store.scan(&Scan::prefix(b"fts/")).await.unwrap());
    out
}

async fn indexes_match_brute_force() {
    let mem = MemoryStore::new();
    let store = FailingStore::new(mem.clone());
    let thread = IndexSpec::new(POST, "thread", &["reply.root.uri"]);
    let mut repo = Repo::open(store.clone(), DID)
        .await
        .unwrap()
        .with_tids(tids(1_000_000))
        .with_indexes(Indexes::standard().with(thread).unwrap());
    let key = TestKey(1);
    let mut r = Lcg(42);
    // Commit 1: posts p00..p11.
    let writes: Vec<Write> = (0..12)
        .map(|i| Write::Create {
            collection: POST.into(),
            rkey: Some(format!("p{i:02}")),
            record: post(&mut r, i),
        })
        .collect();
    repo.apply_writes(&writes, &key).await.unwrap();
    check_all(&mut repo).await;
    // Commits 2-4: likes, reposts, follows (TID keys).
    for coll in [LIKE, REPOST, FOLLOW] {
        let writes: Vec<Write> = (0..10)
            .map(|i| Write::Create {
                collection: coll.into(),
                rkey: None,
                record: subject_rec(coll, &mut r, i),
            })
            .collect();
        repo.apply_writes(&writes, &key).await.unwrap();
    }
    check_all(&mut repo).await;
    // Commit 5: updates and deletes, a path written twice, a create+delete.
    let all = scan(&mut repo).await;
    let rkey = |u: &str| u.rsplit('/').next().unwrap().to_string();
    let mut writes = Vec::new();
    for (i, (u, _)) in all[LIKE].iter().enumerate().step_by(3) {
        writes.push(Write::Delete {
            collection: LIKE.into(),
            rkey: rkey(u),
        });
        let _ = i;
    }
    for (i, (u, _)) in all[FOLLOW].iter().enumerate().take(4) {
        writes.push(Write::Update {
            collection: FOLLOW.into(),
            rkey: rkey(u),
            record: subject_rec(FOLLOW, &mut r, i + 20),
        });
    }
    for i in [1, 4, 6] {
        writes.push(Write::Update {
            collection: POST.into(),
            rkey: format!("p{i:02}"),
            record: post(&mut r, i + 30),
        });
    }
    writes.push(Write::Update {
        collection: POST.into(),
        rkey: "p04".into(),
        record: post(&mut r, 40),
    });
    writes.push(Write::Update {
        collection: POST.into(),
        rkey: "p02".into(),
        record: rec(json!({"$type": POST, "createdAt": created(2)})),
    });
    writes.push(Write::Delete {
        collection: POST.into(),
        rkey: "p03".into(),
    });
    writes.push(Write::Create {
        collection: REPOST.into(),
        rkey: Some("tmp".into()),
        record: subject_rec(REPOST, &mut r, 1),
    });
    writes.push(Write::Delete {
        collection: REPOST.into(),
        rkey: "tmp".into(),
    });
    repo.apply_writes(&writes, &key).await.unwrap();
    check_all(&mut repo).await;

    // A batch the store rejects leaves no index entry behind.
    let before = index_keys(&mem).await;
    assert!(before.len() > 100);
    let head = repo.head();
    store.fail_next();
    let writes = vec![
        Write::Create {
            collection: POST.into(),
            rkey: Some("p50".into()),
            record: post(&mut r, 50),
        },
        Write::Delete {
            collection: POST.into(),
            rkey: "p05".into(),
        },
        Write::Create {
            collection: LIKE.into(),
            rkey: None,
            record: subject_rec(LIKE, &mut r, 3),
        },
    ];
    assert!(repo.apply_writes(&writes, &key).await.is_err());
    assert_eq!(repo.head(), head);
    assert_eq!(index_keys(&mem).await, before, "indexes rolled back");
    // So does one the repo rejects (a create over an existing record).
    let dup = vec![
        Write::Create {
            collection: LIKE.into(),
            rkey: None,
            record: subject_rec(LIKE, &mut r, 3),
        },
        Write::Create {
            collection: POST.into(),
            rkey: Some("p00".into()),
            record: post(&mut r, 0),
        },
    ];
    assert!(repo.apply_writes(&dup, &key).await.is_err());
    assert_eq!(index_keys(&mem).await, before);
    check_all(&mut repo).await;
    // And the same writes succeed afterwards.
    repo.apply_writes(&writes, &key).await.unwrap();
    assert!(check_all(&mut repo).await > 20, "queries find records");
    // Unknown custom index, bad spec.
    assert!(repo
        .query_index("nope", &IndexQuery::Eq(vec![]), None, 1, false)
        .await
        .is_err());
    assert!(Indexes::standard()
        .with(IndexSpec::new(POST, "a/b", &["x"]))
        .is_err());
    assert!(Indexes::standard()
        .with(IndexSpec::new(POST, "a", &[]))
        .is_err());
}
async_test!(repo_indexes_match_brute_force, indexes_match_brute_force());

/// Without [`Repo::with_indexes`] nothing is indexed; `index_all` then
/// indexes the records already there, idempotently.
async fn no_indexes_by_default_then_index_all() {
    let mem = MemoryStore::new();
    let mut repo = Repo::open(FailingStore::new(mem.clone()), DID)
        .await
        .unwrap()
        .with_tids(tids(1));
    let mut r = Lcg(1);
    let mut writes: Vec<Write> = (0..8)
        .map(|i| Write::Create {
            collection: POST.into(),
            rkey: Some(format!("p{i:02}")),
            record: post(&mut r, i),
        })
        .collect();
    for coll in [LIKE, REPOST, FOLLOW] {
        writes.extend((0..6).map(|i| Write::Create {
            collection: coll.into(),
            rkey: None,
            record: subject_rec(coll, &mut r, i),
        }));
    }
    repo.apply_writes(&writes, &TestKey(1)).await.unwrap();
    assert!(index_keys(&mem).await.is_empty());
    let thread = IndexSpec::new(POST, "thread", &["reply.root.uri"]);
    let mut repo = repo.with_indexes(Indexes::standard().with(thread).unwrap());
    assert_eq!(repo.index_all().await.unwrap(), writes.len());
    let keys = index_keys(&mem).await;
    assert!(check_all(&mut repo).await > 10);
    assert_eq!(repo.index_all().await.unwrap(), writes.len());
    assert_eq!(index_keys(&mem).await, keys, "index_all is idempotent");
}
async_test!(
    repo_no_indexes_by_default_then_index_all,
    no_indexes_by_default_then_index_all()
);

/// A copy that takes the source's commits as CAR slices (`apply_car`) and
/// indexes the ops they return (`index_ops`) ends with the same index
/// entries as the source, which indexed each commit as it wrote it —
/// updates and deletes included.
async fn slices_indexed_by_their_ops_match_the_source() {
    let src_mem = MemoryStore::new();
    let mut src = Repo::open(FailingStore::new(src_mem.clone()), DID)
        .await
        .unwrap()
        .with_tids(tids(1))
        .with_indexes(Indexes::standard());
    let copy_mem = MemoryStore::new();
    let mut copy: Option<Repo<FailingStore>> = None;
    let mut r = Lcg(7);
    for round in 0..4usize {
        let mut writes: Vec<Write> = (0..6)
            .map(|i| Write::Create {
                collection: POST.into(),
                rkey: Some(format!("p{round}{i}")),
                record: post(&mut r, round * 10 + i),
            })
            .collect();
        writes.push(Write::Create {
            collection: LIKE.into(),
            rkey: None,
            record: subject_rec(LIKE, &mut r, round),
        });
        if round > 0 {
            writes.push(Write::Update {
                collection: POST.into(),
                rkey: format!("p{}0", round - 1),
                record: post(&mut r, 99),
            });
            writes.push(Write::Delete {
                collection: POST.into(),
                rkey: format!("p{}1", round - 1),
            });
        }
        let since = src.rev();
        src.apply_writes(&writes, &TestKey(1)).await.unwrap();
        match copy.as_mut() {
            None => {
                let car = src.export_car().await.unwrap();
                let store = FailingStore::new(copy_mem.clone());
                let mut c = ues_repo::car_io::import_car(store, &car, Some(DID), &TestKey(1))
                    .await
                    .unwrap()
                    .with_indexes(Indexes::standard());
                assert_eq!(c.index_all().await.unwrap(), writes.len());
                copy = Some(c);
            }
            Some(c) => {
                let slice = src.export_since(since).await.unwrap();
                let res = c.apply_car(&slice, &TestKey(1)).await.unwrap();
                assert_eq!(res.ops.len(), writes.len(), "one op per write");
                assert!(res.prev_data.is_some());
                assert_eq!(c.index_ops(&res.ops).await.unwrap(), writes.len());
            }
        }
    }
    assert_eq!(index_keys(&copy_mem).await, index_keys(&src_mem).await);
}
async_test!(
    repo_slices_indexed_by_their_ops_match_the_source,
    slices_indexed_by_their_ops_match_the_source()
);
