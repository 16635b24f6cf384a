//! Ordered multimaps that drop empty entries, so that equal contents mean
//! equal values whatever the history of inserts and removals.

use std::collections::{BTreeMap, BTreeSet};

/// Key → ordered set of values; a key without values is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multi<K: Ord, V: Ord>(BTreeMap<K, BTreeSet<V>>);

impl<K: Ord, V: Ord> Default for Multi<K, V> {
    fn default() -> Self {
        Multi(BTreeMap::new())
    }
}

impl<K: Ord, V: Ord> Multi<K, V> {
    /// Insert (`add`) or remove `v` under `k`.
    pub fn set(&mut self, k: K, v: V, add: bool) {
        if add {
            self.0.entry(k).or_default().insert(v);
        } else if let Some(set) = self.0.get_mut(&k) {
            set.remove(&v);
            if set.is_empty() {
                self.0.remove(&k);
            }
        }
    }

    pub fn get<Q>(&self, k: &Q) -> Option<&BTreeSet<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.get(k)
    }

    /// How many values under `k`.
    pub fn count<Q>(&self, k: &Q) -> usize
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.get(k).map_or(0, BTreeSet::len)
    }
}

/// A directed graph whose edges may be backed by several records (two
/// follow records of the same account count once): from → to → record URIs,
/// and the reverse index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edges {
    out: BTreeMap<String, Multi<String, String>>,
    inc: BTreeMap<String, Multi<String, String>>,
}

fn set_in(
    map: &mut BTreeMap<String, Multi<String, String>>,
    a: &str,
    b: &str,
    uri: &str,
    add: bool,
) {
    if add {
        map.entry(a.to_string())
            .or_default()
            .set(b.to_string(), uri.to_string(), true);
    } else if let Some(m) = map.get_mut(a) {
        m.set(b.to_string(), uri.to_string(), false);
        if m.0.is_empty() {
            map.remove(a);
        }
    }
}

impl Edges {
    pub fn set(&mut self, from: &str, to: &str, uri: &str, add: bool) {
        set_in(&mut self.out, from, to, uri, add);
        set_in(&mut self.inc, to, from, uri, add);
    }

    /// The targets of `from`'s edges.
    pub fn out(&self, from: &str) -> impl Iterator<Item = &str> {
        self.out
            .get(from)
            .into_iter()
            .flat_map(|m| m.0.keys().map(String::as_str))
    }

    /// The sources of edges to `to`.
    pub fn inc(&self, to: &str) -> impl Iterator<Item = &str> {
        self.inc
            .get(to)
            .into_iter()
            .flat_map(|m| m.0.keys().map(String::as_str))
    }

    pub fn out_count(&self, from: &str) -> usize {
        self.out.get(from).map_or(0, |m| m.0.len())
    }

    pub fn inc_count(&self, to: &str) -> usize {
        self.inc.get(to).map_or(0, |m| m.0.len())
    }

    /// The first record URI of the edge `from → to`, if there is one.
    pub fn edge(&self, from: &str, to: &str) -> Option<&str> {
        self.out
            .get(from)?
            .get(to)?
            .iter()
            .next()
            .map(String::as_str)
    }

    pub fn has(&self, from: &str, to: &str) -> bool {
        self.edge(from, to).is_some()
    }
}
