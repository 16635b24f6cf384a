//! Full-text checks any backend can run, on the committed corpus of 3000
//! short posts (`tests/data/fts_corpus.tsv`, made by `gen_fts_corpus.py`):
//! [`check`] indexes it, compares every query with a brute-force BM25
//! computed from the texts ([`BruteForce`]) and with the committed golden
//! top results (`tests/data/fts_golden.tsv`), then updates and deletes
//! documents and checks that the stored index equals one built from scratch
//! (no stale postings). Panics naming what differed.
//!
//! The store's key space must be empty at the start; it is empty again at
//! the end.

pub use super::brute::BruteForce;
use super::{search, FtsIndex, FtsWriter, Hit, SearchOptions};
use crate::index::conformance::Rng;
use crate::{Batch, Scan, Store};
use std::collections::{BTreeMap, BTreeSet};

/// The corpus: `doc id <TAB> text` per line.
pub const CORPUS: &str = include_str!("../../tests/data/fts_corpus.tsv");
/// Golden results: `query <TAB> prefix <TAB> rank <TAB> doc id <TAB> score`.
pub const GOLDEN: &str = include_str!("../../tests/data/fts_golden.tsv");
/// The queries of [`GOLDEN`] (text, prefix on the last term), top 10 each.
pub const GOLDEN_QUERIES: &[(&str, bool)] = &[
    ("rust wasm", false),
    ("Café", false),
    ("hel", true),
    ("sync the browser", false),
    ("Zürich naïve", false),
];

/// Queries compared with the brute force (besides the golden ones).
const QUERIES: &[(&str, bool)] = &[
    ("rust", false),
    ("CAFE", false),
    ("cafe", false),
    ("ZURICH", false),
    ("hel", false),
    ("hell", false),
    ("hello wor", true),
    ("rust w", true),
    ("s", true),
    ("quixotic zephyr", false),
    ("東京", false),
    ("привет мир", false),
    ("e-mail", false),
    ("it's", false),
    ("example.com", false),
    ("the the the", false),
    ("nonexistentword", false),
    ("rust nonexistentword", false),
    ("", false),
    ("!!!", true),
];

/// The corpus as (doc id, text) pairs.
pub fn corpus() -> Vec<(String, String)> {
    CORPUS
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, text)| (id.to_owned(), text.to_owned()))
        .collect()
}

fn opts(prefix: bool, limit: usize) -> SearchOptions {
    SearchOptions {
        limit,
        prefix,
        ..SearchOptions::default()
    }
}

async fn run<S: Store>(
    store: &S,
    index: &FtsIndex,
    q: &str,
    o: &SearchOptions,
) -> super::SearchPage {
    match search(store, index, q, o).await {
        Ok(p) => p,
        Err(e) => panic!("fts conformance: search {q:?}: {e}"),
    }
}

fn show(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| format!("{}={:.12}", String::from_utf8_lossy(&h.doc_id), h.score))
        .collect()
}

/// Same documents in the same order, scores within 1e-9.
fn assert_same(got: &[Hit], want: &[Hit], what: &str) {
    let same = got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g.doc_id == w.doc_id && (g.score - w.score).abs() < 1e-9);
    assert!(
        same,
        "fts conformance: {what}:\n got  {:?}\n want {:?}",
        show(got),
        show(want)
    );
}

/// Every query against the brute force, whole and paged.
async fn compare_all<S: Store>(store: &S, index: &FtsIndex, docs: &BTreeMap<String, String>) {
    let brute = BruteForce::new(index, docs);
    for (q, prefix) in QUERIES.iter().chain(GOLDEN_QUERIES) {
        let want = brute.search(q, *prefix);
        let page = run(store, index, q, &opts(*prefix, usize::MAX)).await;
        assert_same(&page.hits, &want, &format!("query {q:?} (prefix {prefix})"));
        assert_eq!(page.total, want.len(), "fts conformance: total of {q:?}");
    }
    // Paging by cursor and by offset gives the same sequence.
    for (q, prefix, size) in [("rust", false, 20), ("wo", true, 60)] {
        let want = brute.search(q, prefix);
        let (mut by_cursor, mut by_offset) = (Vec::new(), Vec::new());
        let mut o = opts(prefix, size);
        loop {
            let p = run(store, index, q, &o).await;
            assert!(
                p.hits.len() <= size && p.total == want.len(),
                "fts conformance: page of {q:?}"
            );
            by_cursor.extend(p.hits);
            match p.next {
                Some(c) => o.cursor = Some(c),
                None => break,
            }
        }
        for offset in (0..want.len() + size).step_by(size) {
            let o = SearchOptions {
                offset,
                ..opts(prefix, size)
            };
            by_offset.extend(run(store, index, q, &o).await.hits);
        }
        assert_same(&by_cursor, &want, &format!("{q:?} paged by cursor"));
        assert_same(&by_offset, &want, &format!("{q:?} paged by offset"));
    }
}

/// The golden lines for this store's results (what `fts_golden.tsv` holds).
pub async fn golden_lines<S: Store>(store: &S, index: &FtsIndex) -> String {
    let mut out = String::new();
    for (q, prefix) in GOLDEN_QUERIES {
        let page = run(store, index, q, &opts(*prefix, 10)).await;
        for (rank, h) in page.hits.iter().enumerate() {
            let doc = String::from_utf8_lossy(&h.doc_id);
            out += &format!("{q}\t{prefix}\t{}\t{doc}\t{:.12}\n", rank + 1, h.score);
        }
    }
    out
}

/// Compares the store's top results with the committed [`GOLDEN`] ones.
async fn compare_golden<S: Store>(store: &S, index: &FtsIndex) {
    let got = golden_lines(store, index).await;
    let (got, want): (Vec<_>, Vec<_>) = (got.lines().collect(), GOLDEN.lines().collect());
    assert_eq!(got.len(), want.len(), "fts conformance: golden line count");
    for (g, w) in got.iter().zip(&want) {
        let (gs, ws) = (g.rsplit_once('\t'), w.rsplit_once('\t'));
        let close = match (gs, ws) {
            (Some((ga, gn)), Some((wa, wn))) => {
                let (gn, wn) = (gn.parse::<f64>(), wn.parse::<f64>());
                ga == wa && matches!((gn, wn), (Ok(a), Ok(b)) if (a - b).abs() < 1e-9)
            }
            _ => false,
        };
        assert!(
            close,
            "fts conformance: golden differs:\n got  {g}\n want {w}"
        );
    }
}

/// Indexes `changes` (doc id → text or deletion) in one batch that also
/// writes the documents under `doc/<id>`.
async fn write<S: Store>(store: &S, index: &FtsIndex, changes: &[(String, Option<String>)]) {
    let mut batch = Batch::new();
    let mut w = FtsWriter::new(index);
    for (id, text) in changes {
        let key = format!("doc/{}/{id}", index.name);
        match text {
            Some(t) => {
                batch.put(key, t.as_bytes().to_vec());
                w.put(id.as_bytes(), t);
            }
            None => {
                batch.delete(key);
                w.delete(id.as_bytes());
            }
        }
    }
    w.write(store, &mut batch)
        .await
        .expect("fts conformance: writer");
    store.apply(batch).await.expect("fts conformance: apply");
}

/// The index's keys and values with the `fts/<name>/` prefix removed.
async fn entries<S: Store>(store: &S, index: &FtsIndex) -> BTreeSet<(Vec<u8>, Vec<u8>)> {
    let prefix = index.prefix().expect("index name");
    let all = store
        .scan(&Scan::prefix(&prefix))
        .await
        .expect("scan index");
    all.into_iter()
        .map(|(k, v)| (k[prefix.len()..].to_vec(), v))
        .collect()
}

/// Fold checks on tiny documents: case and diacritics, AND, prefix.
async fn folding<S: Store>(store: &S) {
    let index = FtsIndex::new("fold");
    let docs = [
        ("1", "Un café à Zürich"),
        ("2", "CAFE naive"),
        ("3", "cafeteria hello"),
        ("4", "Hello wörld"),
    ];
    let changes: Vec<_> = docs
        .iter()
        .map(|(i, t)| (i.to_string(), Some(t.to_string())))
        .collect();
    write(store, &index, &changes).await;
    let ids = |p: super::SearchPage| {
        let mut v: Vec<String> = p
            .hits
            .iter()
            .map(|h| String::from_utf8_lossy(&h.doc_id).into())
            .collect();
        v.sort();
        v
    };
    for (q, prefix, want) in [
        ("Café", false, &["1", "2"][..]),
        ("cafe", false, &["1", "2"]),
        ("CAFÉ zurich", false, &["1"]),
        ("naïve café", false, &["2"]),
        ("caf", true, &["1", "2", "3"]),
        ("caf", false, &[]),
        ("hel", true, &["3", "4"]),
        ("world hel", true, &["4"]),
        ("WÖRLD", false, &["4"]),
    ] {
        assert_eq!(
            ids(run(store, &index, q, &opts(prefix, 10)).await),
            want,
            "fts conformance: {q:?}"
        );
    }
    let all: Vec<_> = docs.iter().map(|(i, _)| (i.to_string(), None)).collect();
    write(store, &index, &all).await;
}

/// The whole full-text check (see the module docs). `store` must start
/// empty.
pub async fn check<S: Store>(store: &S) {
    folding(store).await;
    let index = FtsIndex::new("posts");
    let mut docs: BTreeMap<String, String> = corpus().into_iter().collect();
    assert!(
        docs.len() >= 3000,
        "fts conformance: corpus has {} posts",
        docs.len()
    );
    let all: Vec<_> = docs
        .iter()
        .map(|(i, t)| (i.clone(), Some(t.clone())))
        .collect();
    for chunk in all.chunks(250) {
        write(store, &index, chunk).await;
    }
    compare_all(store, &index, &docs).await;
    compare_golden(store, &index).await;
    // Updates (some to texts without any word), deletes, new documents.
    let mut rng = Rng::new(0xF75);
    let texts: Vec<String> = docs.values().cloned().collect();
    let mut changes = Vec::new();
    for _ in 0..600 {
        let id = format!("post-{:05}", 1 + rng.below(3100));
        let text = match rng.below(6) {
            0 | 1 => None,
            2 => Some("... !!! ---".to_owned()),
            _ => Some(format!("{} Café hello", texts[rng.below(texts.len())])),
        };
        match &text {
            Some(t) => docs.insert(id.clone(), t.clone()),
            None => docs.remove(&id),
        };
        changes.push((id, text));
    }
    for chunk in changes.chunks(97) {
        write(store, &index, chunk).await;
    }
    compare_all(store, &index, &docs).await;
    // The updated index holds exactly what a fresh one over the same texts
    // holds (built in memory): no stale postings, term lists or statistics.
    let fresh = crate::MemoryStore::new();
    let now: Vec<_> = docs
        .iter()
        .map(|(i, t)| (i.clone(), Some(t.clone())))
        .collect();
    write(&fresh, &index, &now).await;
    assert!(
        entries(store, &index).await == entries(&fresh, &index).await,
        "fts conformance: stale entries"
    );
    let gone: Vec<_> = docs.keys().map(|i| (i.clone(), None)).collect();
    write(store, &index, &gone).await;
    stopwords(store).await;
    let left = store.scan(&Scan::all().limit(3)).await.expect("scan all");
    assert!(
        left.is_empty(),
        "fts conformance: keys left after deleting every document"
    );
}

/// An index that leaves out stopwords, against the brute force.
async fn stopwords<S: Store>(store: &S) {
    let index = FtsIndex::new("stop").with_stopwords(true);
    let docs: BTreeMap<String, String> = corpus().into_iter().take(500).collect();
    let all: Vec<_> = docs
        .iter()
        .map(|(i, t)| (i.clone(), Some(t.clone())))
        .collect();
    write(store, &index, &all).await;
    let brute = BruteForce::new(&index, &docs);
    for (q, prefix) in [
        ("the rust", false),
        ("rust the", false),
        ("rust th", true),
        ("the", true),
        ("the", false),
    ] {
        let want = brute.search(q, prefix);
        let got = run(store, &index, q, &opts(prefix, usize::MAX)).await;
        assert_same(&got.hits, &want, &format!("stopword query {q:?}"));
    }
    let gone: Vec<_> = docs.keys().map(|i| (i.clone(), None)).collect();
    write(store, &index, &gone).await;
}
