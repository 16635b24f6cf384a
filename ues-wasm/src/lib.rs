//! wasm-bindgen bindings of the UES core: the engine of the npm package.
//!
//! - [`node::NodeCore`]: the full node (`ues_node::Node`) over IndexedDB or
//!   memory, wrapped by the package's `index.js` as `Node`.
//! - [`Mst`], `mstRootOf` and [`repo::Repo`]: the data and repository layers
//!   alone, used by the Node differential tests (`tests/interop/`) and the
//!   benchmarks.
//!
//! Errors reach JS as `Error` objects with a stable `code` property (see
//! [`Code`]).

use ues_data::cid::{self, Cid, CidError};
use ues_data::mst::{self, MstError};
use wasm_bindgen::prelude::*;

mod feed;
mod host_store;
mod node;
mod repo;

#[wasm_bindgen]
extern "C" {
    /// The JS `Error` class, to throw errors that carry a `code`.
    #[wasm_bindgen(js_name = Error)]
    type JsErrorObject;
    #[wasm_bindgen(constructor, js_class = "Error")]
    fn new(message: &str) -> JsErrorObject;
    #[wasm_bindgen(method, setter, js_class = "Error", js_name = code)]
    fn set_code(this: &JsErrorObject, code: &str);
}

/// The stable `code` of an error thrown to JS.
pub trait Code {
    fn code(&self) -> &'static str;
}

impl Code for CidError {
    fn code(&self) -> &'static str {
        "InvalidCid"
    }
}

impl Code for MstError {
    fn code(&self) -> &'static str {
        match self {
            MstError::InvalidKey { .. } => "InvalidMstKey",
            MstError::MissingBlock(_) => "MissingBlock",
            MstError::MalformedNode(_) => "MalformedMstNode",
            MstError::InvalidTree { .. } => "InvalidMst",
            MstError::InvalidProof(_) => "InvalidProof",
            #[allow(unreachable_patterns)]
            _ => "MstError",
        }
    }
}

/// A JS `Error` with `message` = the error's text and `code` = its [`Code`].
fn js_error<E: Code + std::fmt::Display>(e: E) -> JsValue {
    let err = JsErrorObject::new(&e.to_string());
    err.set_code(e.code());
    err.into()
}

fn parse_cid(s: &str) -> Result<Cid, JsValue> {
    cid::parse(s).map_err(js_error)
}

/// An AT Protocol Merkle Search Tree held in memory.
#[wasm_bindgen]
pub struct Mst {
    tree: mst::Mst,
}

#[wasm_bindgen]
impl Mst {
    /// An empty tree.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Mst {
        Mst {
            tree: mst::Mst::new(),
        }
    }

    /// Sets `key` (`collection/rkey`) to the record CID `cid`. Throws
    /// `InvalidMstKey` or `InvalidCid`.
    pub fn put(&mut self, key: &str, cid: &str) -> Result<(), JsValue> {
        let value = parse_cid(cid)?;
        self.tree.put(key, value).map_err(js_error)?;
        Ok(())
    }

    /// Removes `key`; true if it was present.
    pub fn delete(&mut self, key: &str) -> Result<bool, JsValue> {
        Ok(self.tree.delete(key).map_err(js_error)?.is_some())
    }

    /// The CID stored at `key`, or undefined.
    pub fn get(&mut self, key: &str) -> Result<Option<String>, JsValue> {
        Ok(self.tree.get(key).map_err(js_error)?.map(|c| c.to_string()))
    }

    /// The root CID (base32). Hashes the nodes changed since the last call.
    pub fn root(&mut self) -> String {
        self.tree.root().to_string()
    }
}

/// The root CID of the tree holding every key of `keys` with the value `cid`
/// (duplicates count once): one call for a whole tree, for benchmarks.
#[wasm_bindgen(js_name = mstRootOf)]
pub fn mst_root_of(keys: Vec<String>, cid: &str) -> Result<String, JsValue> {
    let value = parse_cid(cid)?;
    let mut tree = mst::Mst::new();
    for key in &keys {
        tree.put(key, value).map_err(js_error)?;
    }
    Ok(tree.root().to_string())
}
