//! The merge workload of `benches/merge.rs` in wasm, for the Chromium
//! benchmark (`bench/chromium/merge.js`, driven by `run-merge.mjs`) against
//! `@automerge/automerge` (its wasm build) in the same page.
//!
//! Workload (identical to `benches/merge.rs`, same generator and seed):
//! 100,000 edits by 3 writers in 1,000 changes of 100 edits each (writers
//! take turns); half set a map key (one of 1,000) to an integer, half
//! increment a counter (one of 100, created by a first shared change); 10 %
//! of the changes are made without merging the others' latest first.
//!
//! [`MergeWorkload::new`] plans the edits and makes the 1,001 signed
//! (ed25519) op blocks, outside any timing; [`MergeWorkload::plan`] hands the
//! same edits to the page, which makes automerge's changes from them. Timed
//! by the page: [`MergeWorkload::merge`], which is what the native bench
//! times: a fresh `OpLog` receives every op block (decode, BLAKE3 CID,
//! ed25519 verification, clock, parents and timestamp checks), then the
//! deterministic merge (`OpLog::state`), its state CID, and the values read
//! back.

use crate::merge_plan::{generate, plan, CHANGES, COUNTERS, E, KEYS, PER_CHANGE, WRITERS};
use std::collections::BTreeMap;
use ues_data::cbor::Ipld;
use ues_sync::{Acl, OpLog, Value};
use wasm_bindgen::prelude::*;

/// The workload: the plan, the signed op blocks, and the last merge's values.
#[wasm_bindgen]
pub struct MergeWorkload {
    changes: Vec<Vec<E>>,
    skip: Vec<bool>,
    acl: Acl,
    blocks: Vec<Vec<u8>>,
    values: BTreeMap<String, i128>,
}

#[wasm_bindgen]
impl MergeWorkload {
    /// Plans the workload and makes (signs) every op block. Not timed.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<MergeWorkload, JsValue> {
        let (changes, skip) = plan();
        let (acl, blocks) = generate(&changes, &skip).map_err(|e| JsValue::from_str(&e))?;
        Ok(MergeWorkload {
            changes,
            skip,
            acl,
            blocks,
            values: BTreeMap::new(),
        })
    }

    /// The edits, flat: per change, per edit, `[kind, index, value]` with
    /// kind 0 = set map key `k<index>` to `value`, 1 = increment counter
    /// `c<index>` by `value`.
    pub fn plan(&self) -> Vec<i32> {
        let mut out = Vec::with_capacity(CHANGES * PER_CHANGE * 3);
        for es in &self.changes {
            for e in es {
                let (kind, i, v) = match *e {
                    E::Put(k, v) => (0, k, v),
                    E::Inc(c, d) => (1, c, d),
                };
                out.extend([kind, i as i32, v as i32]);
            }
        }
        out
    }

    /// Per change, 1 if it is made without merging the others' first.
    pub fn skips(&self) -> Vec<u8> {
        self.skip.iter().map(|s| u8::from(*s)).collect()
    }

    /// Shape of the workload: `[writers, changes, edits per change, map
    /// keys, counters]`.
    pub fn shape() -> Vec<u32> {
        [
            WRITERS,
            CHANGES,
            PER_CHANGE,
            KEYS as usize,
            COUNTERS as usize,
        ]
        .iter()
        .map(|n| *n as u32)
        .collect()
    }

    /// Every signed op block (copies, for the page to hold and pass to
    /// [`MergeWorkload::merge`]), in the merged log's order.
    pub fn blocks(&self) -> js_sys::Array {
        self.blocks
            .iter()
            .map(|b| JsValue::from(js_sys::Uint8Array::from(b.as_slice())))
            .collect()
    }

    /// Total bytes of the op blocks.
    #[wasm_bindgen(getter, js_name = blockBytes)]
    pub fn block_bytes(&self) -> u32 {
        self.blocks.iter().map(Vec::len).sum::<usize>() as u32
    }

    /// The timed part: a fresh `OpLog` receives every block of `blocks` (an
    /// array of `Uint8Array`, copied into wasm memory), then the merged state,
    /// its CID (returned) and the values read back (kept for
    /// [`MergeWorkload::values`]). Errors if any op is not applied.
    pub fn merge(&mut self, blocks: &js_sys::Array) -> Result<String, JsValue> {
        let input: Vec<Vec<u8>> = blocks
            .iter()
            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
            .collect();
        let n = input.len();
        let mut log = OpLog::new("bench", self.acl.clone());
        let rep = log.receive_batch(input);
        if rep.applied.len() != n {
            return Err(JsValue::from_str(&format!(
                "{} of {n} ops applied ({} rejected, {} held)",
                rep.applied.len(),
                rep.rejected.len(),
                rep.held.len()
            )));
        }
        let state = log.state();
        let cid = state.cid().map_err(|e| JsValue::from_str(&e.to_string()))?;
        let mut out = BTreeMap::new();
        for (k, v) in state.iter() {
            let n = match v {
                Value::Counter { .. } => v.counter().unwrap_or(0),
                Value::Register(Ipld::Integer(n)) => *n,
                _ => continue,
            };
            out.insert(k.replace("map/k", "k").replace("ctr/c", "c"), n);
        }
        self.values = out;
        Ok(cid.to_string())
    }

    /// The values of the last merge as JSON, `{"c0": total, …, "k0": value,
    /// …}` (counters `c<i>`, map keys `k<i>`). Not timed.
    pub fn values(&self) -> String {
        let mut s = String::from("{");
        for (i, (k, v)) in self.values.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&format!("\"{k}\":{v}"));
        }
        s.push('}');
        s
    }
}
