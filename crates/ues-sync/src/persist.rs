//! The op log in a [`Store`]: op blocks in the block store, the heads under
//! `oplog/<id>/heads`; one atomic batch per save (per applied frame).

use crate::error::SyncError;
use crate::log::OpLog;
use crate::op::Op;
use crate::Acl;
use std::collections::HashSet;
use ues_data::cid::{self, Cid};
use ues_store::{verify_block, Batch, Store};

/// The key of a log's heads.
pub fn heads_key(id: &str) -> Vec<u8> {
    format!("oplog/{id}/heads").into_bytes()
}

/// Writes the ops applied since the last save and the heads, in one batch.
/// Returns how many op blocks were written.
pub async fn save<S: Store>(log: &mut OpLog, store: &S) -> Result<usize, SyncError> {
    let cids = log.take_unsaved();
    let mut batch = Batch::new();
    for c in &cids {
        if let Some(e) = log.get(c) {
            batch.put_block(*c, e.bytes.clone());
        }
    }
    let heads: Vec<u8> = log.heads().iter().flat_map(|c| c.to_bytes()).collect();
    batch.put(heads_key(log.id()), heads);
    if let Err(e) = store.apply(batch).await {
        // Nothing was written: keep the ops for the next save.
        log.requeue_unsaved(cids);
        return Err(e.into());
    }
    Ok(cids.len())
}

/// Loads log `id` from `store`: reads the heads, walks the parents one
/// storage read per generation, verifies every block against its CID, and
/// replays the ops (signatures and clocks checked again) in causal order.
pub async fn load<S: Store>(store: &S, id: &str, acl: Acl) -> Result<OpLog, SyncError> {
    let mut log = OpLog::new(id, acl);
    let Some(raw) = store.get(&heads_key(id)).await? else {
        return Ok(log);
    };
    let mut next = Vec::new();
    let mut rest = raw.as_slice();
    while !rest.is_empty() {
        let (c, n) = cid::read_bytes(rest).map_err(|e| SyncError::Store(e.to_string()))?;
        next.push(c);
        rest = &rest[n..];
    }
    let mut seen: HashSet<Cid> = next.iter().copied().collect();
    let mut ops: Vec<(Op, Vec<u8>)> = Vec::new();
    while !next.is_empty() {
        let blocks = store.get_blocks(&next).await?;
        let mut parents = Vec::new();
        for (c, b) in next.iter().zip(blocks) {
            let b = b.ok_or_else(|| SyncError::Store(format!("op block {c} is missing")))?;
            verify_block(c, &b)?;
            let op = Op::decode(&b)?;
            parents.extend(op.parents.iter().filter(|p| seen.insert(**p)).copied());
            ops.push((op, b));
        }
        next = parents;
    }
    ops.sort_by(|a, b| (a.0.ts, &a.0.author).cmp(&(b.0.ts, &b.0.author)));
    for (_, b) in ops {
        log.receive(b)?;
    }
    log.take_unsaved();
    Ok(log)
}
