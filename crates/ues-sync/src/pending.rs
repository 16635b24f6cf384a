//! Ops waiting for their parents: bounded by count and bytes, indexed by
//! the parent each one waits for.

use crate::error::SyncError;
use crate::log::{Entry, LogLimits};
use std::collections::{BTreeMap, HashMap};
use ues_data::cid::Cid;

/// The pending buffer of an [`crate::OpLog`].
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    limits: LogLimits,
    held: HashMap<Cid, Entry>,
    /// Missing parent → the held ops waiting for it.
    waiting: BTreeMap<Cid, Vec<Cid>>,
    bytes: usize,
}

impl Pending {
    pub fn new(limits: LogLimits) -> Self {
        Pending {
            limits,
            held: HashMap::new(),
            waiting: BTreeMap::new(),
            bytes: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn contains(&self, cid: &Cid) -> bool {
        self.held.contains_key(cid)
    }

    /// Holds `e` until `missing` (its absent parents) arrive; waits on the
    /// first of them and is re-checked when it comes.
    pub fn hold(&mut self, cid: Cid, e: Entry, missing: &[Cid]) -> Result<(), SyncError> {
        if self.held.len() >= self.limits.max_pending
            || self.bytes + e.bytes.len() > self.limits.max_pending_bytes
        {
            return Err(SyncError::PendingFull(self.held.len()));
        }
        let Some(first) = missing.first() else {
            return Ok(());
        };
        self.bytes += e.bytes.len();
        self.held.insert(cid, e);
        self.waiting.entry(*first).or_default().push(cid);
        Ok(())
    }

    /// The held ops that waited for `parent` (now present).
    pub fn released(&mut self, parent: &Cid) -> Vec<Cid> {
        self.waiting.remove(parent).unwrap_or_default()
    }

    /// Takes a held op out.
    pub fn take(&mut self, cid: &Cid) -> Option<Entry> {
        let e = self.held.remove(cid)?;
        self.bytes -= e.bytes.len();
        Some(e)
    }

    /// Parents some held op waits for and that are not held themselves.
    pub fn missing(&self, max: usize) -> Vec<Cid> {
        self.waiting
            .keys()
            .filter(|c| !self.held.contains_key(c))
            .take(max)
            .copied()
            .collect()
    }
}
