//! The wasm module of the JS harness (`bench/mst.mjs`): what the diff task
//! needs and the npm package (`ues-wasm`) does not export, a block map and
//! `mst::diff` over it. The build tasks use `ues-wasm` itself.

use std::collections::HashMap;
use ues_data::cid::{self, Cid};
use ues_data::mst::{self, Mst};
use wasm_bindgen::prelude::*;

fn parse(s: &str) -> Result<Cid, JsValue> {
    cid::parse(s).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// MST node blocks held in wasm memory, keyed by CID.
#[wasm_bindgen]
#[derive(Default)]
pub struct MstBlocks {
    blocks: HashMap<Cid, Vec<u8>>,
}

#[wasm_bindgen]
impl MstBlocks {
    #[wasm_bindgen(constructor)]
    pub fn new() -> MstBlocks {
        MstBlocks::default()
    }

    /// Builds the tree holding `keys[i]` → `values[i]`, stores its node
    /// blocks, and returns its root CID.
    #[wasm_bindgen(js_name = putTree)]
    pub fn put_tree(&mut self, keys: Vec<String>, values: Vec<String>) -> Result<String, JsValue> {
        if keys.len() != values.len() {
            return Err(JsValue::from_str("keys and values differ in length"));
        }
        let mut t = Mst::new();
        for (k, v) in keys.iter().zip(&values) {
            t.put(k, parse(v)?)
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
        }
        let root = t.root();
        self.blocks.extend(t.take_new_blocks());
        Ok(root.to_string())
    }

    /// Loads trees `a` and `b` from the stored blocks and diffs them; returns
    /// the number of record operations (the timed part of the diff task).
    pub fn diff(&self, a: &str, b: &str) -> Result<u32, JsValue> {
        let mut ta = Mst::load(&self.blocks, parse(a)?);
        let mut tb = Mst::load(&self.blocks, parse(b)?);
        let d = mst::diff(&mut ta, &mut tb).map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(d.record_ops.len() as u32)
    }

    /// Number of blocks stored.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.blocks.len() as u32
    }
}
