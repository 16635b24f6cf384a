//! Atomic write batches.

use crate::Cid;

/// One write of a [`Batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOp {
    PutBlock {
        cid: Cid,
        bytes: Vec<u8>,
    },
    DeleteBlock {
        cid: Cid,
    },
    /// `expires_at`: milliseconds since the epoch after which the entry reads as absent.
    Put {
        key: Vec<u8>,
        value: Vec<u8>,
        expires_at: Option<u64>,
    },
    Delete {
        key: Vec<u8>,
    },
}

/// Writes applied together or not at all; later operations on the same key
/// or block win.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub ops: Vec<BatchOp>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put_block(&mut self, cid: Cid, bytes: Vec<u8>) -> &mut Self {
        self.ops.push(BatchOp::PutBlock { cid, bytes });
        self
    }

    pub fn delete_block(&mut self, cid: Cid) -> &mut Self {
        self.ops.push(BatchOp::DeleteBlock { cid });
        self
    }

    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> &mut Self {
        self.ops.push(BatchOp::Put {
            key: key.into(),
            value: value.into(),
            expires_at: None,
        });
        self
    }

    pub fn put_with_expiry(
        &mut self,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
        expires_at: u64,
    ) -> &mut Self {
        self.ops.push(BatchOp::Put {
            key: key.into(),
            value: value.into(),
            expires_at: Some(expires_at),
        });
        self
    }

    pub fn delete(&mut self, key: impl Into<Vec<u8>>) -> &mut Self {
        self.ops.push(BatchOp::Delete { key: key.into() });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Checks every operation before anything is written, so that every
    /// backend rejects the same batches: a key must not be empty. Backends
    /// call this first and apply nothing when it fails.
    pub fn validate(&self) -> crate::Result<()> {
        for (i, op) in self.ops.iter().enumerate() {
            if let BatchOp::Put { key, .. } | BatchOp::Delete { key } = op {
                if key.is_empty() {
                    return Err(crate::StoreError::InvalidArgument(format!(
                        "batch operation {i}: empty key"
                    )));
                }
            }
        }
        Ok(())
    }
}
