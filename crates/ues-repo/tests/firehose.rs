//! `firehose::check_commit` over every case of the atproto-interop-tests
//! commit-proof fixtures: each case gives keys, adds, dels and the expected
//! roots and proof blocks; we build the trees, check the roots and the proof
//! set, wrap the proof in a signed `#commit` event and check it, then tamper
//! with it. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{TestKey, DID};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use ues_data::car::write_car;
use ues_data::cbor::Ipld;
use ues_data::cid::{parse, Cid};
use ues_data::mst::{covering_proof, invert, Mst, RecordOp};
use ues_repo::firehose::{check_commit, check_commit_json, CommitCheckError};
use ues_repo::{Tid, UnsignedCommit};

struct Case {
    comment: String,
    event: BTreeMap<String, Ipld>,
    /// The fixture's proof blocks.
    proof: HashMap<Cid, Vec<u8>>,
    /// The blocks our check needs (a subset of `proof`).
    needed: BTreeSet<Cid>,
    commit: (Cid, Vec<u8>),
}

fn cids(v: &Value) -> Vec<Cid> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| parse(c.as_str().unwrap()).unwrap())
        .collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn link(c: Cid) -> Ipld {
    Ipld::Link(c)
}

fn build(c: &Value) -> Case {
    let comment = c["comment"].as_str().unwrap().to_string();
    let leaf = parse(c["leafValue"].as_str().unwrap()).unwrap();
    let before = parse(c["rootBeforeCommit"].as_str().unwrap()).unwrap();
    let after = parse(c["rootAfterCommit"].as_str().unwrap()).unwrap();
    let mut t = Mst::new();
    for k in strs(&c["keys"]) {
        t.put(&k, leaf).unwrap();
    }
    assert_eq!(t.root(), before, "{comment}: root before");
    let mut all: HashMap<Cid, Vec<u8>> = t.take_new_blocks().into_iter().collect();
    let mut ops = BTreeMap::new();
    for k in strs(&c["dels"]) {
        ops.insert(
            k.clone(),
            RecordOp {
                rpath: k,
                old_value: Some(leaf),
                new_value: None,
            },
        );
    }
    for k in strs(&c["adds"]) {
        let old = ops.remove(&k).and_then(|o| o.old_value);
        ops.insert(
            k.clone(),
            RecordOp {
                rpath: k,
                old_value: old,
                new_value: Some(leaf),
            },
        );
    }
    let ops: Vec<RecordOp> = ops.into_values().collect();
    let mut t = Mst::load(&all, before);
    for op in &ops {
        match op.new_value {
            Some(v) => t.put(&op.rpath, v).unwrap(),
            None => t.delete(&op.rpath).unwrap(),
        };
    }
    assert_eq!(t.root(), after, "{comment}: root after");
    let fresh = t.take_new_blocks();
    all.extend(fresh);
    let mut t = Mst::load(&all, after);
    let mut proof_set: BTreeSet<Cid> = covering_proof(&mut t, &ops).unwrap();
    proof_set.extend(invert(&all, after, &ops).unwrap().1);
    let expected: BTreeSet<Cid> = cids(&c["blocksInProof"]).into_iter().collect();
    // Our proof is what our inversion reads; the reference's (the fixture)
    // may hold more (it loads neighbour subtrees when it deletes).
    assert!(proof_set.is_subset(&expected), "{comment}: proof blocks");
    let proof: HashMap<Cid, Vec<u8>> = expected.iter().map(|c| (*c, all[c].clone())).collect();

    let rev = Tid::new(1_732_000_000_000_000, 1);
    let commit = UnsignedCommit {
        did: DID.into(),
        data: after,
        rev,
        prev: None,
    }
    .sign(&TestKey(1))
    .unwrap();
    let commit = commit.to_block().unwrap();
    let mut ev = BTreeMap::new();
    ev.insert("repo".into(), Ipld::String(DID.into()));
    ev.insert("rev".into(), Ipld::String(rev.to_string()));
    ev.insert("commit".into(), link(commit.0));
    ev.insert("prevData".into(), link(before));
    let ops_ipld = ops
        .iter()
        .map(|op| {
            let action = match (op.old_value, op.new_value) {
                (None, _) => "create",
                (Some(_), Some(_)) => "update",
                (Some(_), None) => "delete",
            };
            let mut m = BTreeMap::new();
            m.insert("action".into(), Ipld::String(action.into()));
            m.insert("path".into(), Ipld::String(op.rpath.clone()));
            m.insert("cid".into(), op.new_value.map_or(Ipld::Null, link));
            if let Some(p) = op.old_value {
                m.insert("prev".into(), link(p));
            }
            Ipld::Map(m)
        })
        .collect();
    ev.insert("ops".into(), Ipld::List(ops_ipld));
    let mut case = Case {
        comment,
        event: ev,
        proof,
        needed: proof_set,
        commit,
    };
    set_blocks(&mut case, |_| {});
    case
}

/// Writes the event's `blocks`: the commit and the proof, edited by `f`.
fn set_blocks(case: &mut Case, f: impl FnOnce(&mut Vec<(Cid, Vec<u8>)>)) {
    let mut blocks = vec![case.commit.clone()];
    blocks.extend(case.proof.iter().map(|(c, b)| (*c, b.clone())));
    f(&mut blocks);
    let car = write_car(
        &[case.commit.0],
        blocks.iter().map(|(c, b)| (c, b.as_slice())),
    )
    .unwrap();
    case.event.insert("blocks".into(), Ipld::Bytes(car));
}

fn cases() -> Vec<Case> {
    let v: Value = serde_json::from_str(ues_fixtures::text(
        "atproto-interop-tests/firehose/commit-proof-fixtures.json",
    ))
    .unwrap();
    let v = v.as_array().unwrap();
    assert!(!v.is_empty());
    v.iter().map(build).collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_fixture_passes() {
    for case in cases() {
        let ev = Ipld::Map(case.event.clone());
        let errs = check_commit(&ev, Some(&TestKey(1)));
        assert!(errs.is_empty(), "{}: {errs:?}", case.comment);
        // The same event in the atproto JSON encoding.
        let json = ues_data::cbor::to_json(&ev);
        assert!(
            check_commit_json(&json, None).is_empty(),
            "{}",
            case.comment
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn tampered_events_fail() {
    for mut case in cases() {
        let name = case.comment.clone();
        let check = |c: &Case, key: Option<&TestKey>| {
            check_commit(&Ipld::Map(c.event.clone()), key.map(|k| k as _))
        };
        let errs = check(&case, Some(&TestKey(2)));
        assert!(
            matches!(errs[..], [CommitCheckError::BadSignature]),
            "{name}: {errs:?}"
        );

        // Every block our check reads is needed.
        for drop in case.needed.clone() {
            set_blocks(&mut case, |b| b.retain(|(c, _)| *c != drop));
            assert!(!check(&case, None).is_empty(), "{name}: without {drop}");
        }
        set_blocks(&mut case, |_| {});

        let orig = case.event.clone();
        case.event
            .insert("prevData".into(), Ipld::Link(case.commit.0));
        let errs = check(&case, None);
        assert!(
            matches!(errs[..], [CommitCheckError::Inversion(_)]),
            "{name}: {errs:?}"
        );

        case.event = orig.clone();
        case.event.insert(
            "commit".into(),
            Ipld::Link(*case.proof.keys().next().unwrap()),
        );
        assert!(
            !check(&case, None).is_empty(),
            "{name}: commit not the root"
        );

        case.event = orig.clone();
        case.event
            .insert("repo".into(), Ipld::String("did:example:bob".into()));
        let errs = check(&case, None);
        assert!(
            matches!(errs[..], [CommitCheckError::FieldMismatch { .. }]),
            "{name}: {errs:?}"
        );

        case.event = orig.clone();
        if let Some(Ipld::List(ops)) = case.event.get_mut("ops") {
            if let Some(Ipld::Map(op)) = ops.first_mut() {
                let path = op.get("path").cloned().unwrap();
                op.insert("path".into(), Ipld::String(format!("{}x", as_str(&path))));
            }
        }
        assert!(!check(&case, None).is_empty(), "{name}: wrong path");

        case.event = orig;
        case.event
            .insert("blocks".into(), Ipld::Bytes(vec![1, 2, 3]));
        let errs = check(&case, None);
        assert!(
            matches!(errs[..], [CommitCheckError::Car(_)]),
            "{name}: {errs:?}"
        );
    }
}

fn as_str(v: &Ipld) -> &str {
    match v {
        Ipld::String(s) => s,
        _ => panic!("not a string"),
    }
}
