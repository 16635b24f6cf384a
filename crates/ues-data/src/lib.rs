//! UES data-structure layer (layer 2): CIDs, canonical DAG-CBOR, CAR v1 and the
//! AT Protocol Merkle Search Tree. Synchronous code over in-memory values: no
//! async, no threads, no host APIs, so it builds unchanged for wasm32.

pub mod car;
pub mod cbor;
pub mod cid;
pub mod mst;
pub mod syntax;
