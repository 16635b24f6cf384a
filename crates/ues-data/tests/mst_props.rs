//! Property tests of the MST against a BTreeMap model: reads match, the root
//! depends only on the entries (not on insertion order or history), trees
//! reload from their blocks, and diff(A, B) applied to A yields B.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use ues_data::cid::{cbor_cid, Cid};
use ues_data::mst::{self, Mst};

fn value(n: u8) -> Cid {
    cbor_cid(&[n])
}

/// Keys from a small pool so puts collide and deletes hit.
fn key() -> impl Strategy<Value = String> {
    (0..3u8, 0..200u16).prop_map(|(c, r)| format!("app.coll{c}/{r:04}"))
}

#[derive(Debug, Clone)]
enum Op {
    Put(String, u8),
    Delete(String),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => (key(), any::<u8>()).prop_map(|(k, v)| Op::Put(k, v)),
            1 => key().prop_map(Op::Delete),
        ],
        0..300,
    )
}

fn build(entries: &BTreeMap<String, Cid>) -> Mst {
    let mut t = Mst::new();
    for (k, v) in entries {
        t.put(k, *v).unwrap();
    }
    t
}

/// A tree's blocks, all of them, as a commit would have stored them.
fn blocks_of(t: &mut Mst, into: &mut HashMap<Cid, Vec<u8>>) -> Cid {
    let root = t.root();
    into.extend(t.take_new_blocks());
    root
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn matches_model_and_root_is_history_independent(ops in ops()) {
        let mut t = Mst::new();
        let mut model = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Put(k, v) => prop_assert_eq!(t.put(k, value(*v)).unwrap(), model.insert(k.clone(), value(*v))),
                Op::Delete(k) => prop_assert_eq!(t.delete(k).unwrap(), model.remove(k)),
            }
        }
        let listed: BTreeMap<String, Cid> = t.list().unwrap().into_iter().collect();
        prop_assert_eq!(&listed, &model);
        for k in model.keys().take(20) {
            prop_assert_eq!(t.get(k).unwrap(), model.get(k).copied());
        }
        prop_assert_eq!(t.get("app.coll9/none").unwrap(), None);
        let (lo, hi) = ("app.coll1/0050", "app.coll2/0100");
        let want: Vec<(String, Cid)> = model.range(lo.to_string()..hi.to_string()).map(|(k, v)| (k.clone(), *v)).collect();
        prop_assert_eq!(t.range(Some(lo), Some(hi)).unwrap(), want);
        // Same entries, inserted in reverse order in one go: same root.
        let mut rev = Mst::new();
        for (k, v) in model.iter().rev() {
            rev.put(k, *v).unwrap();
        }
        prop_assert_eq!(t.root(), rev.root());
        // Built in one go from the entries (with duplicates: last wins): same root.
        let mut with_dups: Vec<(String, Cid)> = model.keys().map(|k| (k.clone(), value(0))).collect();
        with_dups.extend(model.iter().map(|(k, v)| (k.clone(), *v)));
        prop_assert_eq!(Mst::from_entries(with_dups).unwrap().root(), t.root());
    }

    #[test]
    fn reloads_from_blocks_and_keeps_writing(a in ops(), b in ops()) {
        let mut store = HashMap::new();
        let mut t = Mst::new();
        let mut model = BTreeMap::new();
        for op in &a {
            if let Op::Put(k, v) = op { t.put(k, value(*v)).unwrap(); model.insert(k.clone(), value(*v)); }
        }
        let root = blocks_of(&mut t, &mut store);
        let mut loaded = Mst::load(&store, root);
        for op in &b {
            match op {
                Op::Put(k, v) => { loaded.put(k, value(*v)).unwrap(); model.insert(k.clone(), value(*v)); }
                Op::Delete(k) => { loaded.delete(k).unwrap(); model.remove(k); }
            }
        }
        prop_assert_eq!(loaded.root(), build(&model).root());
    }

    #[test]
    fn diff_applied_to_a_yields_b(a in ops(), b in ops()) {
        let mut store = HashMap::new();
        let mut ta = Mst::new();
        for op in &a { if let Op::Put(k, v) = op { ta.put(k, value(*v)).unwrap(); } }
        let mut tb = ta.clone();
        for op in &b {
            match op { Op::Put(k, v) => { tb.put(k, value(*v)).unwrap(); } Op::Delete(k) => { tb.delete(k).unwrap(); } }
        }
        let (ra, rb) = (blocks_of(&mut ta, &mut store), blocks_of(&mut tb, &mut store));
        let d = mst::proven_diff(&store, ra, rb).unwrap();
        // Apply the record ops to A, loaded from its blocks.
        let mut t = Mst::load(&store, ra);
        for op in &d.diff.record_ops {
            match op.new_value { Some(v) => { t.put(&op.rpath, v).unwrap(); } None => { t.delete(&op.rpath).unwrap(); } }
        }
        prop_assert_eq!(t.root(), rb);
        // The created nodes are exactly the new tree's nodes that A lacks.
        let mut tb2 = Mst::load(&store, rb);
        let mut ta2 = Mst::load(&store, ra);
        prop_assert_eq!(&mst::diff(&mut ta2, &mut tb2).unwrap(), &d.diff);
        // The inductive proof alone undoes the ops.
        let proof: HashMap<Cid, Vec<u8>> = d.inductive_proof_nodes.iter().map(|c| (*c, store[c].clone())).collect();
        mst::verify_inversion(&proof, rb, ra, &d.diff.record_ops).unwrap();
        // In-memory trees diff the same as stored ones.
        prop_assert_eq!(&mst::diff(&mut ta, &mut tb).unwrap(), &d.diff);
    }
}

#[test]
fn invalid_keys_are_rejected_with_typed_errors() {
    let mut t = Mst::new();
    for k in [
        "",
        "nocollection",
        "a/b/c",
        "/rkey",
        "coll/",
        "coll/sp ace",
        &format!("c/{}", "x".repeat(1100)),
    ] {
        assert!(
            matches!(t.put(k, value(0)), Err(mst::MstError::InvalidKey { .. })),
            "{k:?}"
        );
    }
    assert_eq!(
        t.root().to_string(),
        "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
    );
}

#[test]
fn missing_and_corrupt_blocks_are_errors_not_panics() {
    let mut t = Mst::new();
    for i in 0..500 {
        t.put(&format!("app.bsky.feed.post/{i:05}"), value(1))
            .unwrap();
    }
    let mut store = HashMap::new();
    let root = blocks_of(&mut t, &mut store);
    // Drop a leaf-level block: reading everything fails with MissingBlock.
    let victim = *store.keys().find(|c| **c != root).unwrap();
    let bytes = store.remove(&victim).unwrap();
    let mut l = Mst::load(&store, root);
    assert!(matches!(l.list(), Err(mst::MstError::MissingBlock(c)) if c == victim));
    // Garbage under the right CID: a malformed-node error.
    let mut bad = store.clone();
    bad.insert(victim, bytes[..bytes.len() / 2].to_vec());
    assert!(matches!(
        Mst::load(&bad, root).list(),
        Err(mst::MstError::InvalidTree { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A page of a range, either way, is the model's range cut to the limit;
    /// also on a tree loaded from its blocks (nodes read as the walk needs).
    #[test]
    fn range_pages_match_the_model(
        entries in prop::collection::btree_map(key(), any::<u8>(), 0..300),
        a in key(), b in key(), bounded in any::<(bool, bool)>(),
        limit in 0..40usize, reverse in any::<bool>(),
    ) {
        let entries: BTreeMap<String, Cid> =
            entries.into_iter().map(|(k, v)| (k, value(v))).collect();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let start = bounded.0.then_some(lo.as_str());
        let end = bounded.1.then_some(hi.as_str());
        let mut want: Vec<(String, Cid)> = entries
            .iter()
            .filter(|(k, _)| start.is_none_or(|s| k.as_str() >= s) && end.is_none_or(|e| k.as_str() < e))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        if reverse {
            want.reverse();
        }
        want.truncate(limit);
        let mut t = build(&entries);
        prop_assert_eq!(&t.range_page(start, end, limit, reverse).unwrap(), &want);
        let mut blocks = HashMap::new();
        let root = blocks_of(&mut t, &mut blocks);
        let mut loaded = Mst::load(&blocks, root);
        prop_assert_eq!(&loaded.range_page(start, end, limit, reverse).unwrap(), &want);
    }
}
