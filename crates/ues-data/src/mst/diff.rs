//! The difference between two trees: nodes created and deleted, and the
//! record operations that turn one into the other.
//!
//! Identical subtrees have identical CIDs, and a node appears at most once
//! in a tree (its keys are unique), so the node sets can be compared layer by
//! layer from the top: at each layer, CIDs found on both sides are shared
//! subtrees and are not entered; the rest are created (in `b`) or deleted
//! (from `a`), and only their children are visited next. Unchanged parts of
//! the trees are never read.

use super::node::{Link, Node};
use super::tree::{Loader, Mst};
use super::{BlockSource, MstError};
use crate::cid::Cid;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One record-level change, as in the mst-test-suite `record_ops`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecordOp {
    /// The key (`collection/rkey`).
    pub rpath: String,
    /// Value in the old tree; `None` for a create.
    pub old_value: Option<Cid>,
    /// Value in the new tree; `None` for a delete.
    pub new_value: Option<Cid>,
}

/// What changed from tree `a` to tree `b`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Nodes of `b` that are not in `a`.
    pub created_nodes: BTreeSet<Cid>,
    /// Nodes of `a` that are not in `b`.
    pub deleted_nodes: BTreeSet<Cid>,
    /// Record changes, sorted by key.
    pub record_ops: Vec<RecordOp>,
}

/// A subtree still to compare, known by CID without reading it.
#[derive(Clone, Copy)]
enum Item<'t> {
    /// A node held in memory (hashed).
    Mem(&'t Node),
    /// A node to read from the tree's source.
    Stub(Cid),
    /// The entry-less root of an empty tree.
    Empty(Cid),
}

impl Item<'_> {
    fn cid(&self) -> Cid {
        match self {
            Item::Mem(n) => n.cid.expect("trees are hashed before a diff"),
            Item::Stub(c) | Item::Empty(c) => *c,
        }
    }
}

/// One side of the walk: the frontier of unshared subtrees with their layers.
struct Side<'t, 'l, S> {
    ld: Loader<'l, S>,
    frontier: Vec<(Item<'t>, u32)>,
    nodes: BTreeSet<Cid>,
    entries: BTreeMap<Box<str>, Cid>,
}

impl<'t, S: BlockSource> Side<'t, '_, S> {
    /// Enters every frontier node of `layer`: records it and its entries,
    /// and puts its children on the frontier.
    fn expand(&mut self, layer: u32) -> Result<(), MstError> {
        let mut next = Vec::with_capacity(self.frontier.len());
        for (item, l) in std::mem::take(&mut self.frontier) {
            if l != layer {
                next.push((item, l));
                continue;
            }
            self.nodes.insert(item.cid());
            let sub = layer.wrapping_sub(1);
            match item {
                Item::Empty(_) => {}
                Item::Mem(n) => {
                    for (link, e) in links(n) {
                        match link {
                            Link::None => {}
                            Link::Stub(c) => next.push((Item::Stub(**c), sub)),
                            Link::Loaded(m) => next.push((Item::Mem(m), sub)),
                        }
                        if let Some(e) = e {
                            self.entries.insert(e.key.clone(), e.value);
                        }
                    }
                }
                Item::Stub(cid) => {
                    let n = self.ld.read(&cid, Some(layer))?;
                    for (link, e) in links(&n) {
                        if let Link::Stub(c) = link {
                            next.push((Item::Stub(**c), sub));
                        }
                        if let Some(e) = e {
                            self.entries.insert(e.key.clone(), e.value);
                        }
                    }
                }
            }
        }
        self.frontier = next;
        Ok(())
    }

    fn top(&self) -> Option<u32> {
        self.frontier.iter().map(|(_, l)| *l).max()
    }
}

/// Each subtree link of `n`, paired with the entry that follows it.
fn links(n: &Node) -> impl Iterator<Item = (&Link, Option<&super::node::Entry>)> {
    let rights = n.entries.iter().map(|e| &e.right);
    std::iter::once(&n.left)
        .chain(rights)
        .zip(n.entries.iter().map(Some).chain(std::iter::once(None)))
}

fn start<'t, S: BlockSource>(tree: &'t mut Mst<S>) -> Result<Side<'t, 't, S>, MstError> {
    let layer = tree.root_layer()?;
    let root = tree.root();
    let (link, ld) = tree.parts();
    let item = match (&*link, layer) {
        (Link::Loaded(n), Some(_)) => Item::Mem(n),
        _ => Item::Empty(root),
    };
    Ok(Side {
        ld,
        frontier: vec![(item, layer.unwrap_or(0))],
        nodes: BTreeSet::new(),
        entries: BTreeMap::new(),
    })
}

/// The difference from tree `a` to tree `b`. Hashes both trees first, and
/// reads from their sources only the nodes that differ.
pub fn diff<SA: BlockSource, SB: BlockSource>(
    a: &mut Mst<SA>,
    b: &mut Mst<SB>,
) -> Result<Diff, MstError> {
    let mut a = start(a)?;
    let mut b = start(b)?;
    loop {
        let in_b: HashSet<Cid> = b.frontier.iter().map(|(i, _)| i.cid()).collect();
        let in_a: HashSet<Cid> = a.frontier.iter().map(|(i, _)| i.cid()).collect();
        a.frontier.retain(|(i, _)| !in_b.contains(&i.cid()));
        b.frontier.retain(|(i, _)| !in_a.contains(&i.cid()));
        let Some(top) = a.top().max(b.top()) else {
            break;
        };
        a.expand(top)?;
        b.expand(top)?;
    }
    let mut record_ops = Vec::new();
    for (k, v) in &a.entries {
        match b.entries.get(k) {
            Some(nv) if nv == v => {}
            nv => record_ops.push(RecordOp {
                rpath: k.to_string(),
                old_value: Some(*v),
                new_value: nv.copied(),
            }),
        }
    }
    for (k, v) in &b.entries {
        if !a.entries.contains_key(k) {
            record_ops.push(RecordOp {
                rpath: k.to_string(),
                old_value: None,
                new_value: Some(*v),
            });
        }
    }
    record_ops.sort();
    Ok(Diff {
        created_nodes: b.nodes,
        deleted_nodes: a.nodes,
        record_ops,
    })
}
