//! Building a whole tree from a set of entries at once.
//!
//! The shape of an MST depends only on its keys, so a batch can be built
//! bottom-up from the sorted entries: the keys of the top layer split the
//! run into the subtrees below, recursively. No search and no node is
//! visited twice, which makes this several times faster than inserting the
//! keys one by one (each insert walks the tree from the root through memory
//! that the previous inserts scattered).

use super::node::{Entry, Link, Node};
use super::tree::Mst;
use super::{key_height, validate_key, MstError};
use crate::cid::Cid;
use std::collections::HashMap;

/// A key with its value and layer, on its way into a node.
struct Item {
    key: Box<str>,
    value: Cid,
    height: u32,
}

/// Puts into an empty tree, kept aside until the tree is first needed and
/// then built in one pass ([`Pending::build`]): a tree filled from nothing
/// (a first commit, a bulk load) never pays for splitting nodes key by key.
/// Each put still looks its key up here, to return the value it replaces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending {
    /// Key → index into `values`.
    index: HashMap<Box<str>, usize>,
    /// Value and layer of each key.
    values: Vec<(Cid, u32)>,
}

impl Pending {
    /// Sets `key` (already validated, of layer `height`); returns its
    /// previous value.
    pub(crate) fn put(&mut self, key: &str, value: Cid, height: u32) -> Option<Cid> {
        if let Some(&i) = self.index.get(key) {
            return Some(std::mem::replace(&mut self.values[i].0, value));
        }
        self.index.insert(key.into(), self.values.len());
        self.values.push((value, height));
        None
    }

    /// The tree of the pending puts (and the root's layer), leaving this
    /// empty.
    pub(crate) fn build(&mut self) -> Option<(Link, u32)> {
        let values = std::mem::take(&mut self.values);
        let mut items: Vec<Item> = self
            .index
            .drain()
            .filter_map(|(key, i)| {
                let &(value, height) = values.get(i)?;
                Some(Item { key, value, height })
            })
            .collect();
        // Keys are unique here.
        items.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let top = items.iter().map(|i| i.height).max()?;
        Some((build(&mut items, top), top))
    }
}

impl Mst {
    /// The tree holding exactly `entries` (for a key given twice, the last
    /// value wins). Same root as putting them one by one, in any order.
    pub fn from_entries<K: Into<Box<str>>>(
        entries: impl IntoIterator<Item = (K, Cid)>,
    ) -> Result<Mst, MstError> {
        let mut items = Vec::new();
        for (key, value) in entries {
            let key: Box<str> = key.into();
            validate_key(&key)?;
            let height = key_height(key.as_bytes());
            items.push(Item { key, value, height });
        }
        // Stable sort, then keep the last of equal keys.
        items.sort_by(|a, b| a.key.cmp(&b.key));
        let mut dedup: Vec<Item> = Vec::with_capacity(items.len());
        for it in items {
            match dedup.last_mut() {
                Some(last) if last.key == it.key => *last = it,
                _ => dedup.push(it),
            }
        }
        let Some(top) = dedup.iter().map(|i| i.height).max() else {
            return Ok(Mst::new());
        };
        let mut t = Mst::new();
        t.set_root(build(&mut dedup, top), Some(top));
        Ok(t)
    }
}

/// The subtree of layer `layer` holding `items` (all of height <= layer).
fn build(items: &mut [Item], layer: u32) -> Link {
    if items.is_empty() {
        return Link::None;
    }
    let mut node = Node::default();
    let mut start = 0;
    for i in 0..items.len() {
        if items[i].height == layer {
            let below = build_below(&mut items[start..i], layer);
            *node.link_mut(node.entries.len()) = below;
            let it = &mut items[i];
            node.entries.push(Entry {
                key: std::mem::take(&mut it.key),
                value: it.value,
                right: Link::None,
            });
            start = i + 1;
        }
    }
    let below = build_below(&mut items[start..], layer);
    *node.link_mut(node.entries.len()) = below;
    Link::from_node(node)
}

fn build_below(items: &mut [Item], layer: u32) -> Link {
    match layer {
        // Nothing sits below layer 0: every item there has height 0.
        0 => Link::None,
        _ => build(items, layer - 1),
    }
}
