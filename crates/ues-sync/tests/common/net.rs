//! The in-memory network harness: N replicas, a full mesh of sessions, and
//! a network that reorders, duplicates, loses and partitions frames, all
//! driven by one seed.
#![allow(dead_code)]

use super::{random_edit, Rng};
use ues_sync::{OpLog, OpSigner, Session, SessionConfig};

/// A frame in flight.
struct Frame {
    from: usize,
    to: usize,
    bytes: Vec<u8>,
}

/// Fault rates, in percent.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub loss: u64,
    pub dup: u64,
    pub partition: u64,
}

pub struct Net<'k> {
    pub logs: Vec<OpLog>,
    signers: Vec<&'k dyn OpSigner>,
    /// sessions[i][j]: replica i's session with replica j.
    sessions: Vec<Vec<Session>>,
    queue: Vec<Frame>,
    /// Partition group of each replica (frames between groups are lost).
    group: Vec<u64>,
    pub rng: Rng,
    pub now: u64,
    pub created: usize,
    pub delivered: u64,
}

impl<'k> Net<'k> {
    /// `logs[i]` is driven by `signers[i]`; sessions between every pair.
    pub fn new(
        logs: Vec<OpLog>,
        signers: Vec<&'k dyn OpSigner>,
        seed: u64,
        cfg: SessionConfig,
    ) -> Self {
        let n = logs.len();
        let sessions = (0..n)
            .map(|_| (0..n).map(|_| Session::new(cfg)).collect())
            .collect();
        let mut net = Net {
            logs,
            signers,
            sessions,
            queue: Vec::new(),
            group: vec![0; n],
            rng: Rng::new(seed),
            now: 1_000,
            created: 0,
            delivered: 0,
        };
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let b = net.sessions[i][j].open(&net.logs[i]).expect("hello");
                    net.queue.push(Frame {
                        from: i,
                        to: j,
                        bytes: b,
                    });
                }
            }
        }
        net
    }

    fn n(&self) -> usize {
        self.logs.len()
    }

    /// Replica `i` writes one op of 1–3 random edits.
    pub fn write(&mut self, i: usize) {
        let k = 1 + self.rng.below(3);
        let edits = (0..k).map(|_| random_edit(&mut self.rng)).collect();
        // Wall clocks differ per replica and sometimes go backwards.
        let skew = self.rng.below(50);
        let now = self.now + skew * 3 - 60;
        self.logs[i]
            .create(self.signers[i], edits, now)
            .expect("local op");
        self.created += 1;
    }

    /// Queues every data frame replica `i`'s sessions have to send.
    fn pump(&mut self, i: usize) {
        for j in 0..self.n() {
            if i == j {
                continue;
            }
            while let Some(b) = self.sessions[i][j]
                .poll_transmit(&self.logs[i])
                .expect("poll")
            {
                self.queue.push(Frame {
                    from: i,
                    to: j,
                    bytes: b,
                });
            }
        }
    }

    /// Delivers one random frame (or drops it, per `faults`).
    pub fn deliver_one(&mut self, faults: Faults) -> bool {
        if self.queue.is_empty() {
            return false;
        }
        let idx = self.rng.below(self.queue.len() as u64) as usize;
        let f = self.queue.swap_remove(idx);
        if self.group[f.from] != self.group[f.to] || self.rng.chance(faults.loss) {
            return true;
        }
        if self.rng.chance(faults.dup) {
            self.queue.push(Frame {
                from: f.from,
                to: f.to,
                bytes: f.bytes.clone(),
            });
        }
        self.delivered += 1;
        let h = self.sessions[f.to][f.from]
            .handle(&mut self.logs[f.to], &f.bytes)
            .expect("honest frames are accepted");
        assert!(
            h.report.rejected.is_empty(),
            "honest op rejected: {:?}",
            h.report.rejected
        );
        for b in h.out {
            self.queue.push(Frame {
                from: f.to,
                to: f.from,
                bytes: b,
            });
        }
        self.pump(f.to);
        true
    }

    /// Every session says hello again (a periodic resync, or a reconnect).
    pub fn resync_all(&mut self) {
        for i in 0..self.n() {
            for j in 0..self.n() {
                if i != j {
                    let b = self.sessions[i][j].resync(&self.logs[i]).expect("hello");
                    self.queue.push(Frame {
                        from: i,
                        to: j,
                        bytes: b,
                    });
                }
            }
        }
    }

    /// Random activity for `steps` steps: writes, deliveries, faults,
    /// partitions and heals, periodic resyncs.
    pub fn run(&mut self, steps: u64, write_pct: u64, faults: Faults) {
        for step in 0..steps {
            self.now += 1 + self.rng.below(5);
            if self.rng.chance(write_pct) {
                let i = self.rng.below(self.n() as u64) as usize;
                self.write(i);
                self.pump(i);
            }
            if self.rng.chance(faults.partition) {
                let heal = self.rng.chance(50);
                for g in 0..self.n() {
                    self.group[g] = if heal { 0 } else { self.rng.below(2) };
                }
            }
            if step % 25 == 24 {
                self.resync_all();
            }
            for _ in 0..1 + self.rng.below(3) {
                self.deliver_one(faults);
            }
            // Bound what is in flight.
            while self.queue.len() > 400 {
                self.deliver_one(faults);
            }
        }
    }

    /// Heals everything and runs, without faults, until every replica has
    /// every op; returns the rounds it took.
    pub fn quiesce(&mut self) -> usize {
        self.group.iter_mut().for_each(|g| *g = 0);
        let none = Faults {
            loss: 0,
            dup: 0,
            partition: 0,
        };
        for round in 0..20 {
            self.resync_all();
            while self.deliver_one(none) {}
            let all = self
                .logs
                .iter()
                .all(|l| l.len() == self.created && l.pending_len() == 0);
            if all {
                return round + 1;
            }
        }
        panic!(
            "no quiescence: created {}, replicas have {:?}",
            self.created,
            self.logs
                .iter()
                .map(|l| (l.len(), l.pending_len()))
                .collect::<Vec<_>>()
        );
    }
}
