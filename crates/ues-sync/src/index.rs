//! The MST index of an op log, so that two logs diff like two repos.
//!
//! ues-data's [`Mst`] accepts only AT Protocol record paths
//! (`collection/rkey`, characters `[a-zA-Z0-9_~-:.]`, at most 1024 bytes),
//! so the key is `ops/<timestamp, 20 zero-padded digits>-<op CID, base32>`:
//! a valid record path whose byte order is the clock order (HLC timestamp),
//! then the CID. The value is the op's CID. Entries are added in memory and
//! put into the tree on the next [`OpIndex::root`].

use crate::clock::Hlc;
use crate::error::SyncError;
use ues_data::cid::Cid;
use ues_data::mst::{diff, Mst};

/// The MST key of an op.
pub fn index_key(ts: Hlc, cid: &Cid) -> String {
    format!("ops/{:020}-{cid}", ts.0)
}

/// An in-memory MST over the ops of a log.
#[derive(Debug, Clone, Default)]
pub struct OpIndex {
    tree: Mst,
    queued: Vec<(String, Cid)>,
}

fn mst_err(e: ues_data::mst::MstError) -> SyncError {
    SyncError::Store(format!("op index: {e}"))
}

impl OpIndex {
    /// Queues an op for the tree.
    pub fn add(&mut self, ts: Hlc, cid: Cid) {
        self.queued.push((index_key(ts, &cid), cid));
    }

    fn flush(&mut self) -> Result<(), SyncError> {
        for (k, c) in std::mem::take(&mut self.queued) {
            self.tree.put(&k, c).map_err(mst_err)?;
        }
        Ok(())
    }

    /// The root CID of the index.
    pub fn root(&mut self) -> Result<Cid, SyncError> {
        self.flush()?;
        Ok(self.tree.root())
    }

    /// The op CIDs in `other` that are not in `self`.
    pub fn missing_from(&mut self, other: &mut OpIndex) -> Result<Vec<Cid>, SyncError> {
        self.flush()?;
        other.flush()?;
        let d = diff(&mut self.tree, &mut other.tree).map_err(mst_err)?;
        Ok(d.record_ops
            .into_iter()
            .filter(|o| o.old_value.is_none())
            .filter_map(|o| o.new_value)
            .collect())
    }
}
