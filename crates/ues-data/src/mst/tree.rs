//! The tree: lazy loading, put/delete by split and merge, reads, hashing.

use super::build::Pending;
use super::node::{self, Entry, Link, Node};
use super::{key_height, validate_key, BlockSource, MstError, NoBlocks};
use crate::cid::{cbor_cid, Cid};
use std::mem::take;

/// A Merkle Search Tree over a block source `S`.
#[derive(Debug, Clone)]
pub struct Mst<S = NoBlocks> {
    root: Link,
    source: S,
    /// CIDs of the nodes read from `source`, in load order.
    loaded: Vec<Cid>,
    /// Nodes encoded by the last [`Mst::root`] calls, not yet taken.
    fresh: Vec<(Cid, Vec<u8>)>,
    /// The root's layer while the root is loaded and has entries (saves a
    /// sha256 of its first key on every write).
    layer: Option<u32>,
    /// Puts made while the tree was empty, not built yet ([`Pending`]).
    pending: Pending,
}

impl Mst<NoBlocks> {
    /// An empty tree held only in memory.
    pub fn new() -> Self {
        Self::empty(NoBlocks)
    }
}

impl Default for Mst<NoBlocks> {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads nodes from the source, checks their place in the tree, and logs
/// which CIDs were read.
pub(crate) struct Loader<'a, S> {
    pub source: &'a S,
    pub loaded: &'a mut Vec<Cid>,
}

impl<S: BlockSource> Loader<'_, S> {
    /// Makes `link` a loaded node (reading it if it is a stub) and returns it;
    /// `None` when the link is empty. `layer` is where the node must sit.
    pub fn load<'n>(
        &mut self,
        link: &'n mut Link,
        layer: u32,
    ) -> Result<Option<&'n mut Node>, MstError> {
        if let Link::Stub(cid) = link {
            let node = self.read(cid, Some(layer))?;
            *link = Link::Loaded(Box::new(node));
        }
        Ok(match link {
            Link::Loaded(n) => Some(n),
            _ => None,
        })
    }

    /// Takes a non-empty link's node out, by value.
    fn take_node(&mut self, mut link: Link, layer: u32) -> Result<Option<Node>, MstError> {
        self.load(&mut link, layer)?;
        Ok(match link {
            Link::Loaded(n) => Some(*n),
            _ => None,
        })
    }

    /// Decodes node `cid`, checking every key sits at `layer` when known.
    pub fn read(&mut self, cid: &Cid, layer: Option<u32>) -> Result<Node, MstError> {
        let bytes = self.source.block(cid).ok_or(MstError::MissingBlock(*cid))?;
        let mut n = node::decode(bytes).map_err(|e| match e {
            MstError::MalformedNode(m) => MstError::InvalidTree {
                cid: *cid,
                reason: m,
            },
            e => e,
        })?;
        let invalid = |reason: String| MstError::InvalidTree { cid: *cid, reason };
        if let Some(layer) = layer {
            for e in &n.entries {
                let h = key_height(e.key.as_bytes());
                if h != layer {
                    return Err(invalid(format!(
                        "key {:?} of height {h} on layer {layer}",
                        e.key
                    )));
                }
            }
            if layer == 0 && (!n.left.is_none() || n.entries.iter().any(|e| !e.right.is_none())) {
                return Err(invalid("a node of layer 0 has subtrees".into()));
            }
            if n.is_empty() {
                return Err(invalid(
                    "an inner node has neither entries nor subtrees".into(),
                ));
            }
        }
        n.cid = Some(*cid);
        self.loaded.push(*cid);
        Ok(n)
    }
}

#[derive(PartialEq, Eq)]
enum Put {
    Unchanged(Cid),
    Replaced(Cid),
    Inserted,
}

impl<S: BlockSource> Mst<S> {
    /// An empty tree that will read from `source` (nothing to read yet).
    pub fn empty(source: S) -> Self {
        Mst {
            root: Link::None,
            source,
            loaded: Vec::new(),
            fresh: Vec::new(),
            layer: None,
            pending: Pending::default(),
        }
    }

    /// The tree whose root node is `root`, read lazily from `source`. The
    /// source must hold blocks verified against their CIDs.
    pub fn load(source: S, root: Cid) -> Self {
        Mst {
            root: Link::Stub(Box::new(root)),
            source,
            loaded: Vec::new(),
            fresh: Vec::new(),
            layer: None,
            pending: Pending::default(),
        }
    }

    /// The block source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// CIDs of the nodes read from the source so far, in order.
    pub fn loaded(&self) -> &[Cid] {
        &self.loaded
    }

    /// Replaces the whole tree (`layer`: the new root's layer, if known).
    pub(crate) fn set_root(&mut self, root: Link, layer: Option<u32>) {
        self.pending = Pending::default();
        self.root = root;
        self.layer = layer;
    }

    /// Builds the pending puts into the (empty) tree.
    fn build_pending(&mut self) {
        if let Some((root, layer)) = self.pending.build() {
            self.root = root;
            self.layer = Some(layer);
        }
    }

    /// The tree and its loader; the pending puts must have been built
    /// ([`Mst::root_layer`] and [`Mst::root`] do it).
    pub(crate) fn parts(&mut self) -> (&mut Link, Loader<'_, S>) {
        let Mst {
            root,
            source,
            loaded,
            ..
        } = self;
        (root, Loader { source, loaded })
    }

    /// The layer of the root, loading what that needs; `None` for an empty
    /// tree. A root without entries is trimmed (or emptied) on the way.
    pub(crate) fn root_layer(&mut self) -> Result<Option<u32>, MstError> {
        self.build_pending();
        if let (Some(l), Link::Loaded(_)) = (self.layer, &self.root) {
            return Ok(Some(l));
        }
        let found = self.find_root_layer()?;
        self.layer = found;
        Ok(found)
    }

    fn find_root_layer(&mut self) -> Result<Option<u32>, MstError> {
        let (root, mut ld) = self.parts();
        if let Link::Stub(cid) = root {
            let n = ld.read(cid, None)?;
            *root = Link::Loaded(Box::new(n));
        }
        let Link::Loaded(n) = root else {
            return Ok(None);
        };
        if let Some(e) = n.entries.first() {
            return Ok(Some(key_height(e.key.as_bytes())));
        }
        if n.left.is_none() {
            *root = Link::None;
            return Ok(None);
        }
        // A writer trims entry-less nodes off the top, so the same keys always
        // give the same root; a root like this one is not canonical.
        Err(MstError::InvalidTree {
            cid: n.cid.unwrap_or_default(),
            reason: "the root node has no entries but a subtree".into(),
        })
    }

    /// Sets `key` to `value`; returns the previous value.
    pub fn put(&mut self, key: &str, value: Cid) -> Result<Option<Cid>, MstError> {
        validate_key(key)?;
        let h = key_height(key.as_bytes());
        // An empty tree collects its puts and builds them in one pass.
        if self.root.is_none() {
            return Ok(self.pending.put(key, value, h));
        }
        let Some(mut layer) = self.root_layer()? else {
            return Ok(self.pending.put(key, value, h));
        };
        while h > layer {
            let old = take(&mut self.root);
            self.root = Link::Loaded(Box::new(Node {
                left: old,
                entries: Vec::new(),
                cid: None,
            }));
            layer += 1;
        }
        self.layer = Some(layer);
        let (root, mut ld) = self.parts();
        let Link::Loaded(node) = root else {
            unreachable!("root_layer loads the root")
        };
        Ok(match insert(&mut ld, node, layer, key, h, value)? {
            Put::Replaced(old) | Put::Unchanged(old) => Some(old),
            _ => None,
        })
    }

    /// Removes `key`; returns its value if it was present.
    pub fn delete(&mut self, key: &str) -> Result<Option<Cid>, MstError> {
        let h = key_height(key.as_bytes());
        let Some(layer) = self.root_layer()? else {
            return Ok(None);
        };
        if h > layer {
            return Ok(None);
        }
        let (root, mut ld) = self.parts();
        let Link::Loaded(node) = root else {
            unreachable!("root_layer loads the root")
        };
        let old = remove(&mut ld, node, layer, key, h)?;
        if old.is_some() {
            self.layer = None;
            let (root, mut ld) = self.parts();
            // Trim entry-less nodes off the top.
            let mut layer = layer;
            while let Some(n) = ld.load(root, layer)? {
                if !n.entries.is_empty() {
                    break;
                }
                *root = take(&mut n.left);
                layer = layer.saturating_sub(1);
            }
        }
        Ok(old)
    }

    /// The value of `key`, if present.
    pub fn get(&mut self, key: &str) -> Result<Option<Cid>, MstError> {
        let h = key_height(key.as_bytes());
        let Some(mut layer) = self.root_layer()? else {
            return Ok(None);
        };
        let (mut link, mut ld) = self.parts();
        while h <= layer {
            let Some(n) = ld.load(link, layer)? else {
                return Ok(None);
            };
            match n.gte_index(key) {
                Ok(i) => return Ok(Some(n.entries[i].value)),
                Err(i) if h < layer && layer > 0 => {
                    link = n.link_mut(i);
                    layer -= 1;
                }
                Err(_) => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Every entry, in key order.
    pub fn list(&mut self) -> Result<Vec<(String, Cid)>, MstError> {
        self.range(None, None)
    }

    /// The root CID: encodes and hashes every changed node once (children
    /// before parents). The empty tree has the CID of the entry-less node.
    pub fn root(&mut self) -> Cid {
        self.build_pending();
        let mut buf = Vec::with_capacity(1024);
        match &mut self.root {
            Link::None => {
                // The empty tree is one entry-less node, stored like any other.
                node::encode(&Node::default(), &mut buf);
                let cid = cbor_cid(&buf);
                self.fresh.push((cid, buf));
                cid
            }
            Link::Stub(c) => **c,
            Link::Loaded(n) => hash(n, &mut buf, &mut self.fresh),
        }
    }

    /// The nodes encoded by [`Mst::root`] since the last call: the blocks a
    /// commit must store.
    pub fn take_new_blocks(&mut self) -> Vec<(Cid, Vec<u8>)> {
        take(&mut self.fresh)
    }
}

fn hash(n: &mut Node, buf: &mut Vec<u8>, fresh: &mut Vec<(Cid, Vec<u8>)>) -> Cid {
    if let Some(c) = n.cid {
        return c;
    }
    if let Link::Loaded(c) = &mut n.left {
        hash(c, buf, fresh);
    }
    for e in &mut n.entries {
        if let Link::Loaded(c) = &mut e.right {
            hash(c, buf, fresh);
        }
    }
    node::encode(n, buf);
    let cid = cbor_cid(buf);
    fresh.push((cid, buf.clone()));
    n.cid = Some(cid);
    cid
}

fn misplaced(n: &Node, key: &str, layer: u32) -> MstError {
    MstError::InvalidTree {
        cid: n.cid.unwrap_or_default(),
        reason: format!("key {key:?} found on layer {layer}, not its own"),
    }
}

fn insert<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    node: &mut Node,
    layer: u32,
    key: &str,
    h: u32,
    value: Cid,
) -> Result<Put, MstError> {
    let found = node.gte_index(key);
    if h == layer {
        return Ok(match found {
            Ok(i) => {
                let e = &mut node.entries[i];
                if e.value == value {
                    return Ok(Put::Unchanged(value));
                }
                let old = std::mem::replace(&mut e.value, value);
                node.cid = None;
                Put::Replaced(old)
            }
            Err(i) => {
                let mid = take(node.link_mut(i));
                let (lo, hi) = split(ld, mid, layer.saturating_sub(1), key)?;
                *node.link_mut(i) = lo;
                node.entries.insert(
                    i,
                    Entry {
                        key: key.into(),
                        value,
                        right: hi,
                    },
                );
                node.cid = None;
                Put::Inserted
            }
        });
    }
    let Err(i) = found else {
        return Err(misplaced(node, key, layer));
    };
    let link = node.link_mut(i);
    if link.is_none() {
        *link = Link::Loaded(Box::default());
    }
    let child = ld.load(link, layer - 1)?.expect("link was just filled");
    let r = insert(ld, child, layer - 1, key, h, value)?;
    if !matches!(r, Put::Unchanged(_)) {
        node.cid = None;
    }
    Ok(r)
}

/// Splits the subtree at `link` (on `layer`) into the keys below and above `key`.
fn split<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    link: Link,
    layer: u32,
    key: &str,
) -> Result<(Link, Link), MstError> {
    let Some(mut n) = ld.take_node(link, layer)? else {
        return Ok((Link::None, Link::None));
    };
    let Err(i) = n.gte_index(key) else {
        return Err(misplaced(&n, key, layer));
    };
    let mid = take(n.link_mut(i));
    let (clo, chi) = split(ld, mid, layer.saturating_sub(1), key)?;
    let hi_entries = n.entries.split_off(i);
    *n.link_mut(i) = clo;
    n.cid = None;
    let hi = Node {
        left: chi,
        entries: hi_entries,
        cid: None,
    };
    Ok((Link::from_node(n), Link::from_node(hi)))
}

fn remove<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    node: &mut Node,
    layer: u32,
    key: &str,
    h: u32,
) -> Result<Option<Cid>, MstError> {
    match node.gte_index(key) {
        Ok(i) if h == layer => {
            let e = node.entries.remove(i);
            let left = take(node.link_mut(i));
            *node.link_mut(i) = merge(ld, left, e.right, layer.saturating_sub(1))?;
            node.cid = None;
            Ok(Some(e.value))
        }
        Ok(_) => Err(misplaced(node, key, layer)),
        Err(_) if h == layer || layer == 0 => Ok(None),
        Err(i) => {
            let link = node.link_mut(i);
            let Some(child) = ld.load(link, layer - 1)? else {
                return Ok(None);
            };
            let r = remove(ld, child, layer - 1, key, h)?;
            if r.is_some() {
                if child.is_empty() {
                    *link = Link::None;
                }
                node.cid = None;
            }
            Ok(r)
        }
    }
}

/// Joins two adjacent subtrees of the same layer (all keys of `a` < all of `b`).
fn merge<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    a: Link,
    b: Link,
    layer: u32,
) -> Result<Link, MstError> {
    if a.is_none() {
        return Ok(b);
    }
    if b.is_none() {
        return Ok(a);
    }
    let (Some(mut a), Some(mut b)) = (ld.take_node(a, layer)?, ld.take_node(b, layer)?) else {
        unreachable!("both links are non-empty")
    };
    let n = a.entries.len();
    let a_last = take(a.link_mut(n));
    let b_first = take(&mut b.left);
    *a.link_mut(n) = merge(ld, a_last, b_first, layer.saturating_sub(1))?;
    a.entries.append(&mut b.entries);
    a.cid = None;
    Ok(Link::from_node(a))
}
