//! The store a JS host picks by name: IndexedDB in a browser or a Web
//! Worker, memory anywhere (Node.js, workerd, tests).

use std::rc::Rc;
use ues_node::NodeError;
use ues_store::{Batch, BlockStore, Cid, KvStore, MemoryStore, Result, Scan, Store, SystemClock};

/// One of the stores a JS host can open.
pub enum HostStore {
    Memory(MemoryStore),
    #[cfg(target_arch = "wasm32")]
    IndexedDb(ues_store::idb::IdbStore),
}

impl HostStore {
    /// `storage`: `"memory"` or `"indexeddb"` (database `ues-<name>`).
    pub async fn open(name: &str, storage: &str) -> std::result::Result<Self, NodeError> {
        if name.is_empty() || name.len() > 100 {
            return Err(NodeError::InvalidArgument(
                "name must be 1..=100 characters".into(),
            ));
        }
        match storage {
            "memory" => Ok(HostStore::Memory(MemoryStore::new())),
            #[cfg(target_arch = "wasm32")]
            "indexeddb" => {
                let db = format!("ues-{name}");
                let store = ues_store::idb::IdbStore::open(&db, Rc::new(SystemClock)).await?;
                Ok(HostStore::IndexedDb(store))
            }
            other => {
                let _ = (Rc::new(SystemClock), other);
                Err(NodeError::InvalidArgument(format!(
                    "storage must be \"memory\" or \"indexeddb\" (browsers), not {other:?}"
                )))
            }
        }
    }
}

/// Every call goes to the chosen backend.
macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            HostStore::Memory($s) => $e,
            #[cfg(target_arch = "wasm32")]
            HostStore::IndexedDb($s) => $e,
        }
    };
}

impl BlockStore for HostStore {
    async fn get_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        each!(self, s => s.get_block(cid).await)
    }
    async fn has_block(&self, cid: &Cid) -> Result<bool> {
        each!(self, s => s.has_block(cid).await)
    }
    async fn get_blocks(&self, cids: &[Cid]) -> Result<Vec<Option<Vec<u8>>>> {
        each!(self, s => s.get_blocks(cids).await)
    }
}

impl KvStore for HostStore {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        each!(self, s => s.get(key).await)
    }
    async fn scan(&self, scan: &Scan) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        each!(self, s => s.scan(scan).await)
    }
    async fn sweep(&self) -> Result<usize> {
        each!(self, s => s.sweep().await)
    }
}

impl Store for HostStore {
    async fn apply(&self, batch: Batch) -> Result<()> {
        each!(self, s => s.apply(batch).await)
    }
}
