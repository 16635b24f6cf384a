//! Full-text search over the key-value store: tokenizer, inverted index and
//! BM25 ranking, all in Rust over [`KvStore`], so the browser, the edge and
//! the native node return the same ranked results for the same documents.
//!
//! # Layout (`fts/<index>/…`)
//!
//! ```text
//! fts/<index>/n                        → doc count (u64 BE) ‖ total length (u64 BE)
//! fts/<index>/d/<doc id>               → the doc's terms: (len u32 BE, term, tf u32 BE)*
//! fts/<index>/t/<term>\0\x01/<doc id>  → tf (u32 BE) ‖ doc length (u32 BE)
//! ```
//!
//! Terms are escaped like index strings ([`crate::index::encoding`]): a term
//! is self-delimiting and a prefix of a term is a byte prefix of its
//! postings' keys, so a prefix query is one range scan.
//!
//! One key per posting rather than packed posting lists: every write is a
//! blind put or delete of the document's own keys, so indexing a document
//! costs O(its terms) whatever the corpus size, never a read-modify-write of
//! a shared list that grows with the corpus (and that two writers would
//! race on); the store's ordered scan returns a term's postings sorted by
//! doc id for free. The document length rides in each posting so a query
//! reads postings and the stats key only. The per-document term list makes
//! updates and deletes exact without the caller keeping the old text.
//!
//! The stats key is read, changed and written by [`FtsWriter::write`]:
//! writes to one index must be serialised (one writer per index per batch,
//! batches applied in order), as commits to one repo are.

mod brute;
pub mod conformance;
mod search;
pub mod tokenize;

pub use search::{bm25, search, Hit, SearchCursor, SearchOptions, SearchPage, B, K1};
pub use tokenize::{normalize, tokenize};

use crate::index::encoding::{decode_bytes, encode_bytes_into};
use crate::{Batch, KvStore, Result, Scan, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// A full-text index: its name (part of every key; no `/`, not empty) and
/// whether it leaves out the [`tokenize::STOPWORDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtsIndex {
    pub name: String,
    pub stopwords: bool,
}

impl FtsIndex {
    /// An index named `name` that keeps every word.
    pub fn new(name: impl Into<String>) -> Self {
        FtsIndex {
            name: name.into(),
            stopwords: false,
        }
    }

    /// Sets whether stopwords are left out (of documents and queries).
    pub fn with_stopwords(mut self, stopwords: bool) -> Self {
        self.stopwords = stopwords;
        self
    }

    /// `fts/<name>/`: the prefix of every key of this index.
    pub fn prefix(&self) -> Result<Vec<u8>> {
        if self.name.is_empty() || self.name.contains('/') {
            return Err(StoreError::InvalidArgument(format!(
                "full-text index name {:?} must be non-empty and contain no '/'",
                self.name
            )));
        }
        Ok(format!("fts/{}/", self.name).into_bytes())
    }
}

/// Corpus statistics for BM25.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Indexed documents (those with at least one term).
    pub docs: u64,
    /// Sum of their lengths in terms.
    pub total_len: u64,
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("malformed full-text index entry: {what}"))
}

fn stats_key(base: &[u8]) -> Vec<u8> {
    [base, b"n"].concat()
}

fn doc_key(base: &[u8], doc: &[u8]) -> Vec<u8> {
    [base, b"d/", doc].concat()
}

/// `fts/<index>/t/<escaped term>` (no terminator: also a prefix query).
pub(crate) fn term_prefix(base: &[u8], term: &[u8], exact: bool) -> Vec<u8> {
    let mut k = [base, b"t/"].concat();
    if exact {
        encode_bytes_into(term, &mut k);
        k.push(b'/');
    } else {
        crate::index::encoding::escape_into(term, &mut k);
    }
    k
}

fn posting_key(base: &[u8], term: &str, doc: &[u8]) -> Vec<u8> {
    [term_prefix(base, term.as_bytes(), true).as_slice(), doc].concat()
}

/// Splits a posting key (after `fts/<index>/t/`) into term and doc id.
pub(crate) fn split_posting(rest: &[u8]) -> Result<(Vec<u8>, &[u8])> {
    let (term, rest) = decode_bytes(rest).map_err(|_| corrupt("posting key"))?;
    match rest.split_first() {
        Some((b'/', doc)) => Ok((term, doc)),
        _ => Err(corrupt("posting key without '/'")),
    }
}

/// Decodes a posting value: (term frequency, document length).
pub(crate) fn decode_posting(v: &[u8]) -> Result<(u32, u32)> {
    match (v.get(..4), v.get(4..8), v.len()) {
        (Some(a), Some(b), 8) => Ok((be32(a), be32(b))),
        _ => Err(corrupt("posting value")),
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads the index's corpus statistics.
pub async fn stats<S: KvStore>(store: &S, index: &FtsIndex) -> Result<Stats> {
    match store.get(&stats_key(&index.prefix()?)).await? {
        None => Ok(Stats::default()),
        Some(v) if v.len() == 16 => {
            let (d, t) = v.split_at(8);
            let n = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or([0; 8]));
            Ok(Stats {
                docs: n(d),
                total_len: n(t),
            })
        }
        Some(_) => Err(corrupt("stats value")),
    }
}

fn encode_doc(terms: &BTreeMap<String, u32>) -> Vec<u8> {
    let mut v = Vec::new();
    for (t, tf) in terms {
        v.extend_from_slice(&(t.len() as u32).to_be_bytes());
        v.extend_from_slice(t.as_bytes());
        v.extend_from_slice(&tf.to_be_bytes());
    }
    v
}

fn decode_doc(mut v: &[u8]) -> Result<BTreeMap<String, u32>> {
    let mut out = BTreeMap::new();
    while !v.is_empty() {
        let len = v.get(..4).map(be32).ok_or_else(|| corrupt("doc entry"))? as usize;
        let term = v.get(4..4 + len).ok_or_else(|| corrupt("doc entry"))?;
        let tf = v
            .get(4 + len..8 + len)
            .map(be32)
            .ok_or_else(|| corrupt("doc entry"))?;
        let term = String::from_utf8(term.to_vec()).map_err(|_| corrupt("doc term"))?;
        out.insert(term, tf);
        v = &v[8 + len..];
    }
    Ok(out)
}

/// Term frequencies of a token list.
fn frequencies(tokens: &[String]) -> BTreeMap<String, u32> {
    let mut tf = BTreeMap::new();
    for t in tokens {
        *tf.entry(t.clone()).or_insert(0u32) += 1;
    }
    tf
}

/// The stored term lists (by key) of the documents in `changes`. Few
/// documents: one `get` each. Many: one bounded range scan over their keys
/// first (one request instead of one per document, which is what matters
/// on IndexedDB), reading at most a few times as many entries as asked
/// for; the documents past where it stopped are read one by one.
async fn load_docs<S: KvStore, T>(
    store: &S,
    base: &[u8],
    changes: &BTreeMap<Vec<u8>, T>,
) -> Result<BTreeMap<Vec<u8>, Vec<u8>>> {
    let keys: Vec<Vec<u8>> = changes.keys().map(|d| doc_key(base, d)).collect();
    let mut found = BTreeMap::new();
    let mut rest: &[Vec<u8>] = &keys;
    if let (true, Some(first), Some(last)) = (keys.len() >= 8, keys.first(), keys.last()) {
        let limit = keys.len().saturating_mul(4);
        let scan = Scan {
            start: Bound::Included(first.clone()),
            end: Bound::Included(last.clone()),
            reverse: false,
            limit: Some(limit),
        };
        let entries = store.scan(&scan).await?;
        let covered = match entries.last() {
            Some((k, _)) if entries.len() >= limit => k.clone(),
            _ => last.clone(),
        };
        let wanted: BTreeSet<&Vec<u8>> = keys.iter().collect();
        found.extend(entries.into_iter().filter(|(k, _)| wanted.contains(k)));
        rest = &keys[keys.partition_point(|k| *k <= covered)..];
    }
    for k in rest {
        if let Some(v) = store.get(k).await? {
            found.insert(k.clone(), v);
        }
    }
    Ok(found)
}

/// Collects document changes for one index and writes them, with the
/// updated statistics, into the caller's batch (the one that writes the
/// documents themselves). The latest change to a doc id wins.
#[derive(Debug)]
pub struct FtsWriter<'a> {
    index: &'a FtsIndex,
    /// doc id → its new terms (`None`: delete).
    changes: BTreeMap<Vec<u8>, Option<Vec<String>>>,
}

impl<'a> FtsWriter<'a> {
    /// A writer with no changes.
    pub fn new(index: &'a FtsIndex) -> Self {
        FtsWriter {
            index,
            changes: BTreeMap::new(),
        }
    }

    /// Indexes `text` as the content of `doc_id` (replacing what it had).
    pub fn put(&mut self, doc_id: impl Into<Vec<u8>>, text: &str) -> &mut Self {
        let terms = tokenize(text, self.index.stopwords);
        self.changes.insert(doc_id.into(), Some(terms));
        self
    }

    /// Removes `doc_id` from the index (nothing if it is not indexed).
    pub fn delete(&mut self, doc_id: impl Into<Vec<u8>>) -> &mut Self {
        self.changes.insert(doc_id.into(), None);
        self
    }

    /// Adds the index writes to `batch`: reads each changed document's
    /// stored term list (to delete its stale postings) and the statistics,
    /// and writes postings, term lists and statistics. A document without
    /// any term is not indexed.
    pub async fn write<S: KvStore>(self, store: &S, batch: &mut Batch) -> Result<()> {
        let base = self.index.prefix()?;
        let mut st = stats(store, self.index).await?;
        let mut stored = load_docs(store, &base, &self.changes).await?;
        let inconsistent = || corrupt("statistics lower than a document's length");
        for (doc, terms) in self.changes {
            let dk = doc_key(&base, &doc);
            let old = match stored.remove(&dk) {
                Some(v) => Some(decode_doc(&v)?),
                None => None,
            };
            let new = terms.map(|t| frequencies(&t)).filter(|f| !f.is_empty());
            if let Some(old) = &old {
                let len: u64 = old.values().map(|&n| u64::from(n)).sum();
                st.docs = st.docs.checked_sub(1).ok_or_else(inconsistent)?;
                st.total_len = st.total_len.checked_sub(len).ok_or_else(inconsistent)?;
                for term in old
                    .keys()
                    .filter(|t| !new.as_ref().is_some_and(|n| n.contains_key(*t)))
                {
                    batch.delete(posting_key(&base, term, &doc));
                }
            }
            match new {
                Some(new) => {
                    let len: u32 = new.values().sum();
                    for (term, tf) in &new {
                        let mut v = tf.to_be_bytes().to_vec();
                        v.extend_from_slice(&len.to_be_bytes());
                        batch.put(posting_key(&base, term, &doc), v);
                    }
                    batch.put(dk, encode_doc(&new));
                    st.docs += 1;
                    st.total_len += u64::from(len);
                }
                None if old.is_some() => {
                    batch.delete(dk);
                }
                None => {}
            }
        }
        let sk = stats_key(&base);
        if st.docs == 0 {
            batch.delete(sk);
        } else {
            let mut v = st.docs.to_be_bytes().to_vec();
            v.extend_from_slice(&st.total_len.to_be_bytes());
            batch.put(sk, v);
        }
        Ok(())
    }
}

/// Indexes one document change into `batch`: `new_text` is the document's
/// new content, `None` to remove it. The old postings are found from the
/// stored term list, so the old text is not needed. For many documents in
/// one batch use one [`FtsWriter`] (one statistics update).
pub async fn fts_ops<S: KvStore>(
    store: &S,
    index: &FtsIndex,
    doc_id: &[u8],
    new_text: Option<&str>,
    batch: &mut Batch,
) -> Result<()> {
    let mut w = FtsWriter::new(index);
    match new_text {
        Some(t) => w.put(doc_id, t),
        None => w.delete(doc_id),
    };
    w.write(store, batch).await
}
