//! Queries: AND of all query terms, optional prefix match of the last term,
//! BM25 ranking, deterministic order and paging.
//!
//! Score of a document `d` for a query = Σ over query terms `q` of
//! `idf(q) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))` with
//! `idf(q) = ln(1 + (N − df + 0.5)/(df + 0.5))` (never negative),
//! `k1` = 1.2, `b` = 0.75, `N` and `avgdl` over the indexed documents.
//! Repeated query terms count once. A prefix term is the OR of the terms it
//! expands to: a document matches it through any of them, and its score
//! adds the BM25 of every expansion it contains. Terms are summed in byte
//! order (exact terms first, then the expansions), so scores are the same
//! bits on every host.
//!
//! Results order by score, highest first, then doc id ascending.

use super::{decode_posting, split_posting, stats, term_prefix, tokenize, FtsIndex};
use crate::{KvStore, Result, Scan, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;

/// The BM25 score of one term in one document: term frequency `tf`,
/// document length `dl`, `df` documents containing the term out of `n`,
/// average document length `avgdl`.
pub fn bm25(tf: u32, dl: u32, df: u64, n: u64, avgdl: f64) -> f64 {
    let (tf, dl, df, n) = (f64::from(tf), f64::from(dl), df as f64, n as f64);
    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * dl / avgdl))
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc_id: Vec<u8>,
    pub score: f64,
}

/// Where a page of results stopped (the last hit's score and doc id):
/// the next page starts after it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchCursor {
    pub score: f64,
    pub doc_id: Vec<u8>,
}

impl SearchCursor {
    /// Bytes for a caller to hand out (score bits ‖ doc id).
    pub fn to_bytes(&self) -> Vec<u8> {
        [&self.score.to_bits().to_be_bytes()[..], &self.doc_id].concat()
    }

    /// Reads [`SearchCursor::to_bytes`] back.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        match b.split_first_chunk::<8>() {
            Some((s, id)) => Ok(SearchCursor {
                score: f64::from_bits(u64::from_be_bytes(*s)),
                doc_id: id.to_vec(),
            }),
            None => Err(StoreError::InvalidArgument(
                "search cursor shorter than 8 bytes".into(),
            )),
        }
    }
}

/// How to run a query.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// Hits per page.
    pub limit: usize,
    /// Hits to skip (after `cursor`, if any).
    pub offset: usize,
    /// Start after this hit (from the previous page's `next`).
    pub cursor: Option<SearchCursor>,
    /// Match the last query term as a prefix (`"hel"` finds `hello`).
    pub prefix: bool,
}

impl Default for SearchOptions {
    /// 20 hits, no offset, exact terms.
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            offset: 0,
            cursor: None,
            prefix: false,
        }
    }
}

/// One page of hits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// How many documents match in all.
    pub total: usize,
    /// Present when more hits follow this page.
    pub next: Option<SearchCursor>,
}

/// The query's exact terms (unique, byte order) and its prefix term.
pub(crate) fn query_terms(
    index: &FtsIndex,
    query: &str,
    prefix: bool,
) -> (Vec<String>, Option<String>) {
    let mut tokens = tokenize(query, false);
    let last = if prefix { tokens.pop() } else { None };
    let exact: BTreeSet<String> = tokens
        .into_iter()
        .filter(|t| !(index.stopwords && super::tokenize::is_stopword(t)))
        .collect();
    (exact.into_iter().collect(), last)
}

/// Searches `index` for documents containing every term of `query` (the
/// last one as a prefix when `opts.prefix`), ranked by BM25.
pub async fn search<S: KvStore>(
    store: &S,
    index: &FtsIndex,
    query: &str,
    opts: &SearchOptions,
) -> Result<SearchPage> {
    let base = index.prefix()?;
    let (exact, prefix) = query_terms(index, query, opts.prefix);
    let st = stats(store, index).await?;
    if (exact.is_empty() && prefix.is_none()) || st.docs == 0 {
        return Ok(SearchPage::default());
    }
    let avgdl = st.total_len as f64 / st.docs as f64;
    let tail = base.len() + 2; // after `fts/<index>/t/`
                               // doc id → (score so far, how many query terms it matched)
    let mut scores: BTreeMap<Vec<u8>, (f64, usize)> = BTreeMap::new();
    let mut wanted = 0;
    for term in &exact {
        let postings = store
            .scan(&Scan::prefix(&term_prefix(&base, term.as_bytes(), true)))
            .await?;
        if postings.is_empty() {
            return Ok(SearchPage::default());
        }
        let df = postings.len() as u64;
        for (k, v) in &postings {
            let (_, doc) = split_posting(&k[tail..])?;
            let (tf, dl) = decode_posting(v)?;
            // Only docs that matched every earlier term can still match all.
            if wanted == 0 || scores.get(doc).is_some_and(|s| s.1 == wanted) {
                let s = scores.entry(doc.to_vec()).or_insert((0.0, 0));
                s.0 += bm25(tf, dl, df, st.docs, avgdl);
                s.1 += 1;
            }
        }
        wanted += 1;
    }
    if let Some(p) = &prefix {
        let postings = store
            .scan(&Scan::prefix(&term_prefix(&base, p.as_bytes(), false)))
            .await?;
        // Postings come grouped by term: find each term's df first.
        let mut parsed = Vec::with_capacity(postings.len());
        let mut df: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (k, v) in &postings {
            let (term, doc) = split_posting(&k[tail..])?;
            *df.entry(term.clone()).or_insert(0) += 1;
            parsed.push((term, doc, decode_posting(v)?));
        }
        let mut prefix_scores: BTreeMap<&[u8], f64> = BTreeMap::new();
        for (term, doc, (tf, dl)) in &parsed {
            if wanted == 0 || scores.get(*doc).is_some_and(|s| s.1 == wanted) {
                *prefix_scores.entry(doc).or_insert(0.0) +=
                    bm25(*tf, *dl, df[term], st.docs, avgdl);
            }
        }
        for (doc, ps) in prefix_scores {
            let s = scores.entry(doc.to_vec()).or_insert((0.0, 0));
            s.0 += ps;
            s.1 += 1;
        }
        wanted += 1;
    }
    let mut hits: Vec<Hit> = scores
        .into_iter()
        .filter(|(_, (_, n))| *n == wanted)
        .map(|(doc_id, (score, _))| Hit { doc_id, score })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.doc_id.cmp(&b.doc_id))
    });
    Ok(page(hits, opts))
}

/// Cuts one page out of the ranked hits.
fn page(hits: Vec<Hit>, opts: &SearchOptions) -> SearchPage {
    let total = hits.len();
    let start = match &opts.cursor {
        // The first hit ranked after the cursor.
        Some(c) => hits.partition_point(|h| {
            h.score
                .total_cmp(&c.score)
                .reverse()
                .then_with(|| h.doc_id.cmp(&c.doc_id))
                .is_le()
        }),
        None => 0,
    };
    let start = start.saturating_add(opts.offset).min(total);
    let end = start.saturating_add(opts.limit).min(total);
    let mut hits = hits;
    hits.truncate(end);
    let page: Vec<Hit> = hits.drain(start..).collect();
    let next = (end < total)
        .then(|| {
            page.last().map(|h| SearchCursor {
                score: h.score,
                doc_id: h.doc_id.clone(),
            })
        })
        .flatten();
    SearchPage {
        hits: page,
        total,
        next,
    }
}
