//! Proofs: the nodes that show a key is in a tree (inclusion) or is not
//! (exclusion), the covering proof of a set of record operations, and the
//! inductive proof that inverting those operations on the new tree gives
//! the old root (as a firehose consumer checks a `#commit` without the repo).

use super::diff::RecordOp;
use super::tree::Mst;
use super::{key_height, BlockSource, MstError};
use crate::cid::Cid;
use std::collections::BTreeSet;

/// The nodes on the search path of `key`, root first: with the key found it
/// is an inclusion proof, without it an exclusion proof. The walk stops at
/// the node holding the key, at a missing subtree, or one node below the
/// key's own layer (that node shows the key is absent there).
pub fn proof_path<S: BlockSource>(tree: &mut Mst<S>, key: &str) -> Result<Vec<Cid>, MstError> {
    let h = key_height(key.as_bytes());
    let root = tree.root();
    let Some(mut layer) = tree.root_layer()? else {
        return Ok(vec![root]);
    };
    let (mut link, mut ld) = tree.parts();
    let mut path = Vec::new();
    while let Some(n) = ld.load(link, layer)? {
        path.push(n.cid.expect("hashed above"));
        if h > layer {
            break;
        }
        match n.gte_index(key) {
            Err(i) if layer > 0 => {
                link = n.link_mut(i);
                layer -= 1;
            }
            _ => break,
        }
    }
    Ok(path)
}

/// The nodes of `tree` (the new tree) that prove each operation: inclusion
/// of every created or updated key, exclusion of every deleted key.
pub fn covering_proof<S: BlockSource>(
    tree: &mut Mst<S>,
    ops: &[RecordOp],
) -> Result<BTreeSet<Cid>, MstError> {
    let mut out = BTreeSet::new();
    for op in ops {
        out.extend(proof_path(tree, &op.rpath)?);
    }
    Ok(out)
}

/// Applies the inverse of `ops` (sorted by key, undone last to first) to the
/// tree at `new_root`; returns the resulting root and the nodes that had to
/// be read from `source` — the inductive proof of the operations.
pub fn invert<S: BlockSource>(
    source: S,
    new_root: Cid,
    ops: &[RecordOp],
) -> Result<(Cid, BTreeSet<Cid>), MstError> {
    let mut t = Mst::load(source, new_root);
    for op in ops.iter().rev() {
        match op.old_value {
            None => t.delete(&op.rpath)?,
            Some(v) => t.put(&op.rpath, v)?,
        };
    }
    let root = t.root();
    Ok((root, t.loaded().iter().copied().collect()))
}

/// Checks that `proof` (blocks of the new tree) is enough to undo `ops` on
/// `new_root` and that doing so gives `old_root`.
pub fn verify_inversion<S: BlockSource>(
    proof: S,
    new_root: Cid,
    old_root: Cid,
    ops: &[RecordOp],
) -> Result<(), MstError> {
    let (root, _) = invert(proof, new_root, ops).map_err(|e| match e {
        MstError::MissingBlock(c) => {
            MstError::InvalidProof(format!("node {c} is missing from the proof"))
        }
        e => e,
    })?;
    if root == old_root {
        Ok(())
    } else {
        Err(MstError::InvalidProof(format!(
            "inverted operations give {root}, expected {old_root}"
        )))
    }
}

/// A diff with everything a consumer needs to check it without the old tree:
/// the shape of the mst-test-suite `results`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenDiff {
    pub diff: super::Diff,
    /// Inclusion/exclusion proofs of the operations in the new tree.
    pub proof_nodes: BTreeSet<Cid>,
    /// Nodes of the new tree needed to undo the operations.
    pub inductive_proof_nodes: BTreeSet<Cid>,
}

/// Diffs the trees at `a` and `b` (both readable from `source`) and builds
/// both proofs; checks that undoing the operations on `b` gives `a`.
pub fn proven_diff<S: BlockSource>(source: &S, a: Cid, b: Cid) -> Result<ProvenDiff, MstError> {
    let mut ta = Mst::load(source, a);
    let mut tb = Mst::load(source, b);
    let diff = super::diff(&mut ta, &mut tb)?;
    let proof_nodes = covering_proof(&mut tb, &diff.record_ops)?;
    let (root, inductive_proof_nodes) = invert(source, b, &diff.record_ops)?;
    if root != a {
        return Err(MstError::InvalidProof(format!(
            "inverting the diff gives {root}, expected {a}"
        )));
    }
    Ok(ProvenDiff {
        diff,
        proof_nodes,
        inductive_proof_nodes,
    })
}
