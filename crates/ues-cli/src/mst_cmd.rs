//! `ues mst root` and `ues mst diff A.car B.car`.

use crate::CliError;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use ues_data::car;
use ues_data::cid::{self, Cid};
use ues_data::mst::{self, Mst};

const USAGE: &str = "usage: ues mst root < entries.json | ues mst diff A.car B.car";

pub fn run(args: &[&str]) -> Result<Value, CliError> {
    match args {
        ["root"] => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|source| CliError::Io {
                    path: "stdin".into(),
                    source,
                })?;
            root(&input)
        }
        ["diff", a, b] => diff(a, b),
        _ => Err(CliError::Usage(USAGE.into())),
    }
}

/// The root CID of the tree holding exactly the entries of a JSON object
/// `{"collection/rkey": "cid", ...}`.
fn root(input: &str) -> Result<Value, CliError> {
    let bad = |m: String| CliError::Input(format!("stdin: {m}"));
    let v: Map<String, Value> =
        serde_json::from_str(input).map_err(|e| bad(format!("expected a JSON object: {e}")))?;
    let mut t = Mst::new();
    for (k, v) in &v {
        let s = v
            .as_str()
            .ok_or_else(|| bad(format!("value of {k:?} is not a CID string")))?;
        let c = cid::parse(s).map_err(|e| bad(format!("value of {k:?}: {e}")))?;
        t.put(k, c).map_err(|e| bad(e.to_string()))?;
    }
    Ok(Value::String(t.root().to_string()))
}

fn read_car(path: &str) -> Result<car::Car, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Io {
        path: path.into(),
        source,
    })?;
    let c = car::read_all(&bytes).map_err(|e| CliError::Input(format!("{path}: {e}")))?;
    if c.roots.len() != 1 {
        return Err(CliError::Input(format!(
            "{path}: expected one root (the MST root), found {}",
            c.roots.len()
        )));
    }
    Ok(c)
}

fn sorted(s: &BTreeSet<Cid>) -> Value {
    let mut v: Vec<String> = s.iter().map(Cid::to_string).collect();
    v.sort();
    json!(v)
}

/// The diff from the tree in `a` to the tree in `b`, in the mst-test-suite
/// `results` shape; lists sorted (CID strings ascending, ops by rpath).
fn diff(a: &str, b: &str) -> Result<Value, CliError> {
    let (ca, cb) = (read_car(a)?, read_car(b)?);
    let mut blocks: HashMap<Cid, Vec<u8>> = ca.blocks;
    blocks.extend(cb.blocks);
    let d = mst::proven_diff(&blocks, ca.roots[0], cb.roots[0])
        .map_err(|e| CliError::Input(e.to_string()))?;
    let ops: Vec<Value> = d
        .diff
        .record_ops
        .iter()
        .map(|o| {
            json!({
                "rpath": o.rpath,
                "old_value": o.old_value.map(|c| c.to_string()),
                "new_value": o.new_value.map(|c| c.to_string()),
            })
        })
        .collect();
    Ok(json!({
        "created_nodes": sorted(&d.diff.created_nodes),
        "deleted_nodes": sorted(&d.diff.deleted_nodes),
        "record_ops": ops,
        "proof_nodes": sorted(&d.proof_nodes),
        "inductive_proof_nodes": sorted(&d.inductive_proof_nodes),
    }))
}
