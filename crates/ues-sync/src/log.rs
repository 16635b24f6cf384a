//! The op log: verified ops by CID, their causal structure (heads, clocks),
//! the merge order, and a bounded buffer of ops waiting for their parents.
//!
//! Every op goes through [`OpLog::receive`], local ones included. Checks, in
//! order: size and canonical DAG-CBOR; duplicate (by CID); log id; parents
//! sorted; author is a member (for that sequence number); signature; then,
//! once every parent is present, the vector clock is exactly the parents'
//! clocks merged with the author's entry one past (so an author's clock
//! never goes backwards, repeats or forks) and the timestamp is after every
//! parent's. An op whose parents are missing is held (authenticated first,
//! so forgeries cannot fill the buffer) until they arrive, within
//! [`LogLimits`].

use crate::acl::{Acl, OpSigner};
use crate::clock::{Hlc, HlcClock, VectorClock};
use crate::error::SyncError;
use crate::index::OpIndex;
use crate::op::{op_cid, Edit, Op, UnsignedOp, OP_VERSION};
use crate::pending::Pending;
use std::collections::{BTreeSet, HashMap};
use ues_data::cid::Cid;

/// Bounds of the pending buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimits {
    /// Most ops held while their parents are missing.
    pub max_pending: usize,
    /// Most bytes of ops held.
    pub max_pending_bytes: usize,
}

impl Default for LogLimits {
    fn default() -> Self {
        LogLimits {
            max_pending: 4096,
            max_pending_bytes: 16 << 20,
        }
    }
}

/// Position of an op in the merge order: timestamp, then author, then CID.
/// A parent's timestamp is always lower than its child's, so this order is
/// a linear extension of the causal order.
pub type OrderKey = (Hlc, String, Cid);

/// A verified op with its block bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The decoded op.
    pub op: Op,
    /// Its block.
    pub bytes: Vec<u8>,
}

/// What became of one received op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Applied, with every held op it released (in application order).
    Applied(Vec<Cid>),
    /// Already known (applied or held).
    Duplicate(Cid),
    /// Authentic, held until its parents arrive.
    Held(Cid),
}

/// The outcome of a batch of ops (see [`OpLog::receive_batch`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Ops applied, in application order (released held ops included).
    pub applied: Vec<Cid>,
    /// Ops held for missing parents.
    pub held: Vec<Cid>,
    /// Ops already known.
    pub duplicates: usize,
    /// Ops rejected, each with its error; nothing of them was applied.
    pub rejected: Vec<SyncError>,
}

/// A multi-writer op log.
#[derive(Debug, Clone)]
pub struct OpLog {
    id: String,
    acl: Acl,
    ops: HashMap<Cid, Entry>,
    order: BTreeSet<OrderKey>,
    by_author: HashMap<String, Vec<Cid>>,
    clock: VectorClock,
    heads: BTreeSet<Cid>,
    hlc: HlcClock,
    pending: Pending,
    index: OpIndex,
    unsaved: Vec<Cid>,
    dropped: u64,
}

impl OpLog {
    /// An empty log `id` whose writers are `acl`.
    pub fn new(id: impl Into<String>, acl: Acl) -> Self {
        Self::with_limits(id, acl, LogLimits::default())
    }

    /// An empty log with explicit pending-buffer bounds.
    pub fn with_limits(id: impl Into<String>, acl: Acl, limits: LogLimits) -> Self {
        OpLog {
            id: id.into(),
            acl,
            ops: HashMap::new(),
            order: BTreeSet::new(),
            by_author: HashMap::new(),
            clock: VectorClock::new(),
            heads: BTreeSet::new(),
            hlc: HlcClock::new(),
            pending: Pending::new(limits),
            index: OpIndex::default(),
            unsaved: Vec::new(),
            dropped: 0,
        }
    }

    /// The log's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The membership.
    pub fn acl(&self) -> &Acl {
        &self.acl
    }

    /// The membership, to admit or retire members.
    pub fn acl_mut(&mut self) -> &mut Acl {
        &mut self.acl
    }

    /// The clock summary: every applied op's clock merged.
    pub fn clock(&self) -> &VectorClock {
        &self.clock
    }

    /// The heads: applied ops no other applied op names as a parent.
    pub fn heads(&self) -> Vec<Cid> {
        self.heads.iter().copied().collect()
    }

    /// Number of applied ops.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether no op is applied.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Number of ops held for missing parents.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Held ops dropped because their clock or timestamp did not fit their
    /// parents once those arrived (authentic but invalid).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Parents the held ops wait for (at most `max`).
    pub fn missing_parents(&self, max: usize) -> Vec<Cid> {
        self.pending.missing(max)
    }

    /// Whether `cid` is applied.
    pub fn contains(&self, cid: &Cid) -> bool {
        self.ops.contains_key(cid)
    }

    /// An applied op and its block.
    pub fn get(&self, cid: &Cid) -> Option<&Entry> {
        self.ops.get(cid)
    }

    /// The applied ops in merge order.
    pub fn ops_in_order(&self) -> impl Iterator<Item = (&Cid, &Op)> {
        self.order
            .iter()
            .filter_map(|(_, _, c)| self.ops.get(c).map(|e| (c, &e.op)))
    }

    /// The ops a peer whose clock summary is `peer` lacks, in merge order
    /// (so parents come first): O(difference), not O(log).
    pub fn ops_since(&self, peer: &VectorClock) -> Vec<Cid> {
        if self.clock.le(peer) {
            return Vec::new();
        }
        let mut keys: Vec<(Hlc, &str, Cid)> = Vec::new();
        for (author, cids) in &self.by_author {
            let from = usize::try_from(peer.get(author)).unwrap_or(usize::MAX);
            for c in cids.iter().skip(from) {
                if let Some(e) = self.ops.get(c) {
                    keys.push((e.op.ts, author.as_str(), *c));
                }
            }
        }
        keys.sort_unstable();
        keys.into_iter().map(|(_, _, c)| c).collect()
    }

    /// Creates, signs and applies a local op of `edits` by `key`'s author.
    pub fn create(
        &mut self,
        key: &dyn OpSigner,
        edits: Vec<Edit>,
        now_ms: u64,
    ) -> Result<Cid, SyncError> {
        let author = key.author();
        let mut clock = self.clock.clone();
        clock.increment(&author);
        let op = UnsignedOp {
            author,
            clock,
            edits,
            log: self.id.clone(),
            parents: self.heads(),
            ts: self.hlc.tick(now_ms),
            version: OP_VERSION,
        }
        .sign(key)?;
        let (cid, bytes) = op.to_block()?;
        match self.receive(bytes)? {
            Received::Applied(_) => Ok(cid),
            other => Err(SyncError::Protocol(format!(
                "local op not applied: {other:?}"
            ))),
        }
    }

    /// Receives every block of a batch. Policy: each op stands alone; the
    /// honest ops apply even when others in the batch are rejected, and a
    /// rejected op applies nothing. Every rejection is reported.
    pub fn receive_batch(&mut self, blocks: Vec<Vec<u8>>) -> BatchReport {
        let mut r = BatchReport::default();
        for b in blocks {
            match self.receive(b) {
                Ok(Received::Applied(c)) => r.applied.extend(c),
                Ok(Received::Duplicate(_)) => r.duplicates += 1,
                Ok(Received::Held(c)) => r.held.push(c),
                Err(e) => r.rejected.push(e),
            }
        }
        r
    }

    /// Receives one op block (see the module docs for the checks).
    pub fn receive(&mut self, bytes: Vec<u8>) -> Result<Received, SyncError> {
        // Hash first: a duplicate costs one BLAKE3 and no decoding.
        let cid = op_cid(&bytes);
        if self.ops.contains_key(&cid) || self.pending.contains(&cid) {
            return Ok(Received::Duplicate(cid));
        }
        let op = Op::decode(&bytes)?;
        self.receive_decoded(cid, op, bytes)
    }

    /// Receives a block that was asked for as `expected`: its bytes must
    /// hash to that CID.
    pub fn receive_expected(
        &mut self,
        expected: Cid,
        bytes: Vec<u8>,
    ) -> Result<Received, SyncError> {
        if op_cid(&bytes) != expected {
            return Err(SyncError::CidMismatch(expected));
        }
        self.receive(bytes)
    }

    fn receive_decoded(&mut self, cid: Cid, op: Op, bytes: Vec<u8>) -> Result<Received, SyncError> {
        if self.ops.contains_key(&cid) || self.pending.contains(&cid) {
            return Ok(Received::Duplicate(cid));
        }
        if op.log != self.id {
            return Err(SyncError::WrongLog {
                cid: Box::new(cid),
                expected: self.id.clone(),
                found: op.log,
            });
        }
        if !op.parents_canonical() {
            return Err(SyncError::NonCanonicalParents(cid));
        }
        let key = self
            .acl
            .key_for(&op.author, op.seq())
            .ok_or_else(|| SyncError::NotMember {
                cid,
                author: op.author.clone(),
            })?;
        op.verify(cid, key)?;
        let missing: Vec<Cid> = op
            .parents
            .iter()
            .filter(|p| !self.ops.contains_key(p))
            .copied()
            .collect();
        if !missing.is_empty() {
            self.pending.hold(cid, Entry { op, bytes }, &missing)?;
            return Ok(Received::Held(cid));
        }
        self.check_causal(cid, &op)?;
        let mut applied = vec![cid];
        self.apply(cid, Entry { op, bytes });
        // Release held ops whose parents are now all present (iteratively).
        let mut ready = self.pending.released(&cid);
        while let Some(c) = ready.pop() {
            let Some(e) = self.pending.take(&c) else {
                continue;
            };
            let missing: Vec<Cid> =
                e.op.parents
                    .iter()
                    .filter(|p| !self.ops.contains_key(p))
                    .copied()
                    .collect();
            if !missing.is_empty() {
                // Still waiting for another parent: hold it again (space was
                // just freed by `take`, so this cannot fail for size).
                let _ = self.pending.hold(c, e, &missing);
                continue;
            }
            if self.check_causal(c, &e.op).is_ok() {
                self.apply(c, e);
                applied.push(c);
                ready.extend(self.pending.released(&c));
            } else {
                self.dropped += 1;
            }
        }
        Ok(Received::Applied(applied))
    }

    /// The clock and timestamp checks, with every parent present.
    fn check_causal(&self, cid: Cid, op: &Op) -> Result<(), SyncError> {
        let mut merged = VectorClock::new();
        let mut max_ts = None;
        for p in &op.parents {
            let Some(Entry { op: parent, .. }) = self.ops.get(p) else {
                return Err(SyncError::BadClock {
                    cid,
                    reason: format!("parent {p} is not applied"),
                });
            };
            merged.merge(&parent.clock);
            max_ts = max_ts.max(Some(parent.ts));
        }
        let known = self.by_author.get(&op.author).map_or(0, Vec::len) as u64;
        let got = op.seq();
        if got != known + 1 {
            return Err(SyncError::ClockRegression {
                cid: Box::new(cid),
                author: op.author.clone(),
                got,
                expected: known + 1,
            });
        }
        if merged.get(&op.author) != known {
            return Err(SyncError::BadClock {
                cid,
                reason: "does not descend from its author's previous op".into(),
            });
        }
        merged.set(&op.author, got);
        if merged != op.clock {
            return Err(SyncError::BadClock {
                cid,
                reason: "entries differ from the parents' clocks merged".into(),
            });
        }
        if max_ts.is_some_and(|t| op.ts <= t) {
            return Err(SyncError::TimestampRegression(cid));
        }
        Ok(())
    }

    fn apply(&mut self, cid: Cid, e: Entry) {
        for p in &e.op.parents {
            self.heads.remove(p);
        }
        self.heads.insert(cid);
        self.clock.merge(&e.op.clock);
        self.hlc.observe(e.op.ts);
        self.by_author
            .entry(e.op.author.clone())
            .or_default()
            .push(cid);
        self.order.insert((e.op.ts, e.op.author.clone(), cid));
        self.index.add(e.op.ts, cid);
        self.unsaved.push(cid);
        self.ops.insert(cid, e);
    }

    /// The root of the MST index of the applied ops (see [`OpIndex`]).
    pub fn index_root(&mut self) -> Result<Cid, SyncError> {
        self.index.root()
    }

    /// The ops in `other`'s index that are not in this one's, found by an
    /// MST diff of the two indexes (shared subtrees are not visited).
    pub fn index_diff(&mut self, other: &mut OpLog) -> Result<Vec<Cid>, SyncError> {
        self.index.missing_from(&mut other.index)
    }

    /// The materialised state of the applied ops.
    pub fn state(&self) -> crate::merge::State {
        crate::merge::State::from_ordered(self.ops_in_order())
    }

    /// The CIDs applied since the last call (what a storage batch must write).
    pub fn take_unsaved(&mut self) -> Vec<Cid> {
        std::mem::take(&mut self.unsaved)
    }

    /// Puts back CIDs whose save failed.
    pub fn requeue_unsaved(&mut self, mut cids: Vec<Cid>) {
        cids.append(&mut self.unsaved);
        self.unsaved = cids;
    }
}
