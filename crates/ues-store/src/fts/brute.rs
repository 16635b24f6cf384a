//! The reference ranking for the conformance checks: BM25 computed
//! straight from the documents' texts, with none of the index's storage,
//! so a backend (or an index bug) that loses, duplicates or keeps stale
//! postings gives different results from it.

use super::search::query_terms;
use super::{tokenize, FtsIndex, Hit};
use std::collections::BTreeMap;

/// BM25 computed directly from the texts, as the index should compute it:
/// the reference every backend's results are compared with.
#[derive(Debug)]
pub struct BruteForce {
    stopwords: bool,
    /// doc id → term → frequency (documents with at least one term).
    tf: BTreeMap<String, BTreeMap<String, u32>>,
    df: BTreeMap<String, f64>,
    avgdl: f64,
}

impl BruteForce {
    /// The reference over `docs` (doc id → text) as `index` tokenizes them.
    pub fn new(index: &FtsIndex, docs: &BTreeMap<String, String>) -> Self {
        let mut tf = BTreeMap::new();
        let mut df = BTreeMap::new();
        let mut total = 0u64;
        for (id, text) in docs {
            let mut m = BTreeMap::new();
            for t in tokenize(text, index.stopwords) {
                *m.entry(t).or_insert(0) += 1;
                total += 1;
            }
            for t in m.keys() {
                *df.entry(t.clone()).or_insert(0.0) += 1.0;
            }
            if !m.is_empty() {
                tf.insert(id.clone(), m);
            }
        }
        let avgdl = total as f64 / tf.len() as f64;
        BruteForce {
            stopwords: index.stopwords,
            tf,
            df,
            avgdl,
        }
    }

    fn score(&self, term: &str, f: u32, dl: u32) -> f64 {
        let (n, df) = (self.tf.len() as f64, self.df[term]);
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let (f, dl) = (f64::from(f), f64::from(dl));
        idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * dl / self.avgdl))
    }

    /// Every document containing all exact query terms and, when `prefix`,
    /// some term starting with the last query term, ranked.
    pub fn search(&self, query: &str, prefix: bool) -> Vec<Hit> {
        let index = FtsIndex::new("brute").with_stopwords(self.stopwords);
        let (exact, last) = query_terms(&index, query, prefix);
        if exact.is_empty() && last.is_none() {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for (id, m) in &self.tf {
            let dl: u32 = m.values().sum();
            if !exact.iter().all(|t| m.contains_key(t)) {
                continue;
            }
            let mut s: f64 = exact.iter().map(|t| self.score(t, m[t], dl)).sum();
            if let Some(p) = &last {
                let exp: Vec<_> = m
                    .iter()
                    .filter(|(t, _)| t.starts_with(p.as_str()))
                    .collect();
                if exp.is_empty() {
                    continue;
                }
                s += exp.iter().map(|(t, f)| self.score(t, **f, dl)).sum::<f64>();
            }
            hits.push(Hit {
                doc_id: id.as_bytes().to_vec(),
                score: s,
            });
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.doc_id.cmp(&b.doc_id))
        });
        hits
    }
}
