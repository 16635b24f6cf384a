//! Checking a whole tree straight from its blocks, without building it in
//! memory: what a CAR import needs (every node read once, every check of a
//! loaded tree, and the global key order), at a fraction of the cost of
//! loading and listing the tree.

use super::node::decode_with;
use super::{key_height, BlockSource, MstError};
use crate::cid::Cid;
use std::ops::Range;

/// A node still to check: where it sits (`layer`, `None` for the root) and
/// the keys its entries must lie strictly between (ranges in the key arena).
struct Pending {
    cid: Cid,
    layer: Option<u32>,
    lo: Option<Range<usize>>,
    hi: Option<Range<usize>>,
}

/// Reads and checks every node of the tree at `root`: canonical node bytes,
/// every key at its own layer, no subtree below layer 0, no empty inner
/// node, no entry-less root with a subtree, and every key strictly between
/// the keys around its subtree (so the whole tree is in key order). Calls
/// `node(cid)` for every node (root first) and `entry(key, value)` for every
/// entry, in no particular order.
pub fn check_tree<S: BlockSource + ?Sized, E: From<MstError>>(
    source: &S,
    root: Cid,
    mut node: impl FnMut(&Cid),
    mut entry: impl FnMut(&str, &Cid) -> Result<(), E>,
) -> Result<(), E> {
    // Every key read, back to back: subtrees refer to their bounds here.
    let mut arena = String::new();
    let mut stack = vec![Pending {
        cid: root,
        layer: None,
        lo: None,
        hi: None,
    }];
    // Per node: each entry's key range, right subtree and value.
    let mut entries: Vec<(Range<usize>, Option<Cid>, Cid)> = Vec::new();
    while let Some(p) = stack.pop() {
        let cid = p.cid;
        let invalid = |reason: String| MstError::InvalidTree { cid, reason };
        let bytes = source.block(&cid).ok_or(MstError::MissingBlock(cid))?;
        entries.clear();
        let mut layer = p.layer;
        let left = decode_with(bytes, |_, key, value, right| {
            let h = key_height(key.as_bytes());
            let want = *layer.get_or_insert(h);
            if h != want {
                return Err(invalid(format!(
                    "key {key:?} of height {h} on layer {want}"
                )));
            }
            let start = arena.len();
            arena.push_str(key);
            entries.push((start..arena.len(), right, value));
            Ok(())
        })
        .map_err(|e| match e {
            MstError::MalformedNode(m) => invalid(m),
            e => e,
        })?;
        node(&cid);
        let Some(layer) = layer else {
            // No entries: the empty tree, or a node of empty layers.
            match (p.layer, left) {
                (None, None) => return Ok(()),
                (None, Some(_)) => {
                    return Err(invalid("the root node has no entries but a subtree".into()).into())
                }
                (Some(_), None) => {
                    return Err(
                        invalid("an inner node has neither entries nor subtrees".into()).into(),
                    )
                }
                (Some(l), Some(c)) => {
                    check_subtree(l, c, p.lo, p.hi, &mut stack).map_err(invalid)?;
                    continue;
                }
            }
        };
        // Keys ascend within the node (the decoder checks), so the first
        // and last keys bound them all.
        let key = |r: &Range<usize>| &arena[r.clone()];
        if let (Some(lo), Some((first, ..))) = (&p.lo, entries.first()) {
            if key(first) <= key(lo) {
                return Err(invalid("keys out of order across nodes".into()).into());
            }
        }
        if let (Some(hi), Some((last, ..))) = (&p.hi, entries.last()) {
            if key(last) >= key(hi) {
                return Err(invalid("keys out of order across nodes".into()).into());
            }
        }
        // The entries, once the node is known to be sound.
        for (r, _, value) in &entries {
            entry(key(r), value)?;
        }
        let mut lo = p.lo;
        let mut link = left;
        for (r, right, _) in entries.iter() {
            if let Some(c) = link {
                check_subtree(layer, c, lo.clone(), Some(r.clone()), &mut stack)
                    .map_err(invalid)?;
            }
            lo = Some(r.clone());
            link = *right;
        }
        if let Some(c) = link {
            check_subtree(layer, c, lo, p.hi, &mut stack).map_err(invalid)?;
        }
    }
    Ok(())
}

/// Queues subtree `cid` of a node on `layer`.
fn check_subtree(
    layer: u32,
    cid: Cid,
    lo: Option<Range<usize>>,
    hi: Option<Range<usize>>,
    stack: &mut Vec<Pending>,
) -> Result<(), String> {
    let Some(below) = layer.checked_sub(1) else {
        return Err("a node of layer 0 has subtrees".into());
    };
    stack.push(Pending {
        cid,
        layer: Some(below),
        lo,
        hi,
    });
    Ok(())
}
