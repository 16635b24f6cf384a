//! MST against the shared vectors: atproto-interop-tests/mst (key heights,
//! common prefixes) and every diff case of the mst-test-suite. Runs natively
//! and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use ues_data::car;
use ues_data::cid::Cid;
use ues_data::mst::{self, common_prefix_len, key_height, Mst};

fn json(path: &str) -> Value {
    serde_json::from_str(ues_fixtures::text(path)).unwrap()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_heights() {
    let cases = json("atproto-interop-tests/mst/key_heights.json");
    let cases = cases.as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let key = c["key"].as_str().unwrap();
        assert_eq!(
            key_height(key.as_bytes()) as u64,
            c["height"].as_u64().unwrap(),
            "{key:?}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn common_prefix() {
    let cases = json("atproto-interop-tests/mst/common_prefix.json");
    for c in cases.as_array().unwrap() {
        let (l, r) = (c["left"].as_str().unwrap(), c["right"].as_str().unwrap());
        assert_eq!(
            common_prefix_len(l.as_bytes(), r.as_bytes()) as u64,
            c["len"].as_u64().unwrap(),
            "{l:?} {r:?}"
        );
    }
}

/// All the mst-test-suite CARs, by their path in the test cases.
fn cars() -> HashMap<String, car::Car> {
    ues_fixtures::list("mst-test-suite/cars/", ".car")
        .into_iter()
        .map(|(p, b)| {
            let rel = p.trim_start_matches("mst-test-suite/");
            (
                format!("./{rel}"),
                car::read_all(b).unwrap_or_else(|e| panic!("{p}: {e}")),
            )
        })
        .collect()
}

fn cid_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn strings(s: &BTreeSet<Cid>) -> BTreeSet<String> {
    s.iter().map(Cid::to_string).collect()
}

/// Rebuilding each CAR's tree from its entries, in two insertion orders,
/// gives the CAR's root: the encoding and layout match the reference.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rebuilt_roots_match_cars() {
    for (path, car) in cars() {
        let root = car.roots[0];
        let mut loaded = Mst::load(&car.blocks, root);
        let entries = loaded.list().unwrap_or_else(|e| panic!("{path}: {e}"));
        for order in [false, true] {
            let mut t = Mst::new();
            let mut es = entries.clone();
            if order {
                es.reverse();
            }
            for (k, v) in &es {
                t.put(k, *v).unwrap();
            }
            assert_eq!(t.root(), root, "{path} rebuilt (reversed: {order})");
        }
        let mut bulk = Mst::from_entries(entries.iter().map(|(k, v)| (k.as_str(), *v))).unwrap();
        assert_eq!(bulk.root(), root, "{path} built in one go");
    }
}

/// Every diff case: created/deleted nodes, record ops, proof nodes and
/// inductive proof nodes equal the suite's results.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn mst_test_suite_diffs() {
    let cars = cars();
    let cases = ues_fixtures::list("mst-test-suite/tests/", ".json");
    let mut n = 0;
    for (path, bytes) in cases {
        let case: Value = serde_json::from_slice(bytes).unwrap();
        if case["$type"] != "mst-diff" {
            continue;
        }
        let (a, b) = (
            &cars[case["inputs"]["mst_a"].as_str().unwrap()],
            &cars[case["inputs"]["mst_b"].as_str().unwrap()],
        );
        let mut blocks = a.blocks.clone();
        blocks.extend(b.blocks.iter().map(|(k, v)| (*k, v.clone())));
        let got = mst::proven_diff(&blocks, a.roots[0], b.roots[0])
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let want = &case["results"];
        assert_eq!(
            strings(&got.diff.created_nodes),
            cid_set(&want["created_nodes"]),
            "{path} created_nodes"
        );
        assert_eq!(
            strings(&got.diff.deleted_nodes),
            cid_set(&want["deleted_nodes"]),
            "{path} deleted_nodes"
        );
        let ops: Vec<Value> = got
            .diff
            .record_ops
            .iter()
            .map(|o| {
                serde_json::json!({
                    "rpath": o.rpath,
                    "old_value": o.old_value.map(|c| c.to_string()),
                    "new_value": o.new_value.map(|c| c.to_string()),
                })
            })
            .collect();
        assert_eq!(&Value::Array(ops), &want["record_ops"], "{path} record_ops");
        assert_eq!(
            strings(&got.proof_nodes),
            cid_set(&want["proof_nodes"]),
            "{path} proof_nodes"
        );
        assert_eq!(
            strings(&got.inductive_proof_nodes),
            cid_set(&want["inductive_proof_nodes"]),
            "{path} inductive_proof_nodes"
        );
        // The proofs alone are enough to check the operations.
        let proof: HashMap<Cid, Vec<u8>> = got
            .inductive_proof_nodes
            .iter()
            .map(|c| (*c, blocks[c].clone()))
            .collect();
        mst::verify_inversion(&proof, b.roots[0], a.roots[0], &got.diff.record_ops)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        n += 1;
    }
    assert!(n >= 2048, "only {n} diff cases ran");
}
