//! The sans-IO session: one per peer and log. Frames in through
//! [`Session::handle`] (which returns the control frames to send back),
//! data frames out through [`Session::poll_transmit`]. No I/O, no clock, no
//! tasks: the host moves bytes and calls these.

use super::{bytes_item_len, Msg, MAX_FRAME};
use crate::clock::VectorClock;
use crate::error::SyncError;
use crate::log::{BatchReport, OpLog};
use serde_bytes::ByteBuf;
use std::collections::VecDeque;
use ues_data::cid::Cid;

/// Bounds of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// Largest frame sent or accepted (≤ [`MAX_FRAME`]).
    pub max_frame: usize,
    /// Most op blocks per `ops` frame.
    pub max_ops_per_frame: usize,
    /// `ops` frames the peer may send before an `ack` (our receive window).
    pub window: u32,
    /// Most CIDs per `want` and queued from the peer's `want`s.
    pub max_want: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_frame: MAX_FRAME,
            max_ops_per_frame: 1024,
            window: 8,
            max_want: 256,
        }
    }
}

/// Traffic counters (frame bytes as sent or received).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub frames_out: u64,
    pub bytes_out: u64,
    pub ops_out: u64,
    /// Bytes of the op blocks sent (without framing).
    pub op_bytes_out: u64,
    pub frames_in: u64,
    pub bytes_in: u64,
}

/// What [`Session::handle`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handled {
    /// Frames to send back, in order.
    pub out: Vec<Vec<u8>>,
    /// What became of the ops the frame carried (empty for control frames).
    pub report: BatchReport,
}

/// One side of a sync session over one log.
#[derive(Debug, Clone)]
pub struct Session {
    cfg: SessionConfig,
    /// What the peer has, as far as we know (its clock, plus what we sent).
    peer: Option<VectorClock>,
    /// `ops` frames we may still send.
    credit: u32,
    hello_sent: bool,
    /// CIDs the peer asked for.
    wants: VecDeque<Cid>,
    stats: Stats,
}

impl Session {
    /// A session that has exchanged nothing.
    pub fn new(cfg: SessionConfig) -> Self {
        let cfg = SessionConfig {
            max_frame: cfg.max_frame.min(MAX_FRAME),
            ..cfg
        };
        Session {
            cfg,
            peer: None,
            credit: 0,
            hello_sent: false,
            wants: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    /// Traffic so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// What we believe the peer holds (after its `hello`).
    pub fn peer_clock(&self) -> Option<&VectorClock> {
        self.peer.as_ref()
    }

    fn out(&mut self, m: &Msg) -> Result<Vec<u8>, SyncError> {
        let b = m.encode()?;
        self.stats.frames_out += 1;
        self.stats.bytes_out += b.len() as u64;
        Ok(b)
    }

    fn hello(&mut self, log: &OpLog) -> Result<Vec<u8>, SyncError> {
        self.hello_sent = true;
        self.out(&Msg::Hello {
            log: log.id().to_string(),
            clock: log.clock().clone(),
            heads: log.heads(),
            window: self.cfg.window,
        })
    }

    /// The opening `hello`.
    pub fn open(&mut self, log: &OpLog) -> Result<Vec<u8>, SyncError> {
        self.hello(log)
    }

    /// A `hello` that makes the peer resend from our actual clock: after a
    /// reconnect, or periodically when frames may have been lost.
    pub fn resync(&mut self, log: &OpLog) -> Result<Vec<u8>, SyncError> {
        self.hello(log)
    }

    /// Handles one frame from the peer. A frame over the size limit or
    /// malformed is rejected whole (nothing applied); in an `ops` frame each
    /// op stands alone (see [`OpLog::receive_batch`]).
    pub fn handle(&mut self, log: &mut OpLog, frame: &[u8]) -> Result<Handled, SyncError> {
        let msg = Msg::decode(frame, self.cfg.max_frame)?;
        self.stats.frames_in += 1;
        self.stats.bytes_in += frame.len() as u64;
        let mut h = Handled::default();
        match msg {
            Msg::Hello {
                log: id,
                clock,
                heads: _,
                window,
            } => {
                if id != log.id() {
                    return Err(SyncError::Protocol(format!(
                        "hello for log {id:?}, this session syncs {:?}",
                        log.id()
                    )));
                }
                self.peer = Some(clock);
                self.credit = window.min(1024);
                if !self.hello_sent {
                    h.out.push(self.hello(log)?);
                }
            }
            Msg::Ops { ops } => {
                if ops.len() > self.cfg.max_ops_per_frame {
                    return Err(SyncError::Protocol(format!(
                        "{} ops in one frame (limit {})",
                        ops.len(),
                        self.cfg.max_ops_per_frame
                    )));
                }
                h.report = log.receive_batch(ops.into_iter().map(ByteBuf::into_vec).collect());
                let ack = Msg::Ack {
                    clock: log.clock().clone(),
                    credit: 1,
                };
                h.out.push(self.out(&ack)?);
                let missing = log.missing_parents(self.cfg.max_want);
                if !missing.is_empty() {
                    h.out.push(self.out(&Msg::Want { cids: missing })?);
                }
            }
            Msg::Ack { clock, credit } => {
                if let Some(p) = &mut self.peer {
                    p.merge(&clock);
                }
                self.credit = self
                    .credit
                    .saturating_add(credit)
                    .min(self.cfg.window.max(1) * 4);
            }
            Msg::Want { cids } => {
                for c in cids.into_iter().take(self.cfg.max_want) {
                    if self.wants.len() >= self.cfg.max_want {
                        break;
                    }
                    self.wants.push_back(c);
                }
            }
            Msg::RepoHead { .. } | Msg::RepoWant { .. } | Msg::RepoCar { .. } => {
                return Err(SyncError::Protocol(
                    "repo message on an op-log session".into(),
                ))
            }
        }
        Ok(h)
    }

    /// The next `ops` frame to send, if there is credit and the peer lacks
    /// ops (or asked for some). Call until `None` after every `handle` and
    /// after local changes.
    pub fn poll_transmit(&mut self, log: &OpLog) -> Result<Option<Vec<u8>>, SyncError> {
        let Some(peer) = &self.peer else {
            return Ok(None);
        };
        if self.credit == 0 || (log.clock().le(peer) && self.wants.is_empty()) {
            return Ok(None);
        }
        // Frame overhead: the map heads, keys, version, list head.
        let budget = self.cfg.max_frame.saturating_sub(32);
        let mut ops: Vec<ByteBuf> = Vec::new();
        let mut size = 0;
        let mut op_bytes = 0;
        while let Some(c) = self.wants.front().copied() {
            let Some(e) = log.get(&c) else {
                self.wants.pop_front();
                continue;
            };
            let n = bytes_item_len(e.bytes.len());
            if ops.len() >= self.cfg.max_ops_per_frame || size + n > budget {
                break;
            }
            self.wants.pop_front();
            size += n;
            op_bytes += e.bytes.len();
            ops.push(ByteBuf::from(e.bytes.clone()));
        }
        let peer = self.peer.clone().unwrap_or_default();
        let mut sent = peer.clone();
        for c in log.ops_since(&peer) {
            let Some(e) = log.get(&c) else { continue };
            let n = bytes_item_len(e.bytes.len());
            if ops.len() >= self.cfg.max_ops_per_frame || size + n > budget {
                break;
            }
            size += n;
            op_bytes += e.bytes.len();
            ops.push(ByteBuf::from(e.bytes.clone()));
            let seq = e.op.seq();
            if seq > sent.get(&e.op.author) {
                sent.set(&e.op.author, seq);
            }
        }
        if ops.is_empty() {
            return Ok(None);
        }
        self.peer = Some(sent);
        self.credit -= 1;
        self.stats.ops_out += ops.len() as u64;
        self.stats.op_bytes_out += op_bytes as u64;
        Ok(Some(self.out(&Msg::Ops { ops })?))
    }
}
