//! Vector clocks and the hybrid logical clock (HLC) that timestamps ops.
//!
//! A [`VectorClock`] maps each author (a DID) to the number of that author's
//! ops seen; absent entries are zero and never stored, so equal clocks have
//! equal encodings. [`Hlc`] packs wall-clock milliseconds and a counter into
//! one `u64`; [`HlcClock`] never goes backwards and always moves past every
//! timestamp it observes, so an op's timestamp is after its parents'.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How two vector clocks relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Causality {
    /// Every entry of `self` ≤ the other's, and they differ.
    Before,
    /// Every entry of `self` ≥ the other's, and they differ.
    After,
    /// Identical.
    Equal,
    /// Neither is before the other.
    Concurrent,
}

/// Author DID → count of that author's ops seen. Zero entries are not stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VectorClock(BTreeMap<String, u64>);

impl VectorClock {
    /// The empty clock (all zero).
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry of `author` (zero when absent).
    pub fn get(&self, author: &str) -> u64 {
        self.0.get(author).copied().unwrap_or(0)
    }

    /// Sets the entry of `author` (a zero removes it).
    pub fn set(&mut self, author: &str, n: u64) {
        if n == 0 {
            self.0.remove(author);
        } else if let Some(v) = self.0.get_mut(author) {
            *v = n;
        } else {
            self.0.insert(author.to_string(), n);
        }
    }

    /// Adds one to `author`'s entry; returns the new value.
    pub fn increment(&mut self, author: &str) -> u64 {
        let n = self.get(author).saturating_add(1);
        self.set(author, n);
        n
    }

    /// The non-zero entries, by author.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Number of non-zero entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether every entry is zero.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sum of all entries: the number of ops in the causal past (inclusive).
    pub fn total(&self) -> u64 {
        self.0.values().fold(0u64, |a, v| a.saturating_add(*v))
    }

    /// Entry-wise maximum, in place.
    pub fn merge(&mut self, other: &VectorClock) {
        for (k, v) in &other.0 {
            match self.0.get_mut(k) {
                Some(mine) => *mine = (*mine).max(*v),
                None => {
                    self.0.insert(k.clone(), *v);
                }
            }
        }
    }

    /// Whether every entry of `self` is ≤ the other's (`self` happened
    /// before or equals `other`).
    pub fn le(&self, other: &VectorClock) -> bool {
        self.0.iter().all(|(k, v)| *v <= other.get(k))
    }

    /// How `self` relates to `other`.
    pub fn compare(&self, other: &VectorClock) -> Causality {
        match (self.le(other), other.le(self)) {
            (true, true) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (false, false) => Causality::Concurrent,
        }
    }

    /// Drops the entries of `retired` members. Only sound once every replica
    /// holds all of their ops (e.g. after a checkpoint): from then on their
    /// entries are equal everywhere and carry no information.
    pub fn prune(&mut self, retired: &BTreeSet<String>) {
        self.0.retain(|k, _| !retired.contains(k));
    }

    /// Compact form against a member list both sides know: one counter per
    /// member, in the list's order, trailing zeros trimmed. Entries of
    /// authors not in `members` are left out.
    pub fn to_compact(&self, members: &[String]) -> Vec<u64> {
        let mut v: Vec<u64> = members.iter().map(|m| self.get(m)).collect();
        while v.last() == Some(&0) {
            v.pop();
        }
        v
    }

    /// Reads [`VectorClock::to_compact`]; counters beyond the list are ignored.
    pub fn from_compact(members: &[String], counters: &[u64]) -> Self {
        let mut c = VectorClock::new();
        for (m, n) in members.iter().zip(counters) {
            c.set(m, *n);
        }
        c
    }
}

/// A hybrid logical clock timestamp: `wall_ms << 16 | counter`. Ordered as
/// a number; [`Hlc::wall_ms`] is close to real time.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Hlc(pub u64);

impl Hlc {
    /// Milliseconds since the Unix epoch.
    pub fn wall_ms(self) -> u64 {
        self.0 >> 16
    }

    /// The logical counter within the millisecond.
    pub fn counter(self) -> u16 {
        (self.0 & 0xffff) as u16
    }
}

/// Where wall-clock time comes from (the host's clock, or a test's).
pub trait TimeSource {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

impl<F: Fn() -> u64> TimeSource for F {
    fn now_ms(&self) -> u64 {
        self()
    }
}

/// Issues [`Hlc`] timestamps that never go backwards, even when the wall
/// clock does, and that move past every observed remote timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that has issued nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last timestamp issued or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new timestamp after everything issued or observed so far.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let wall = now_ms.min((1 << 48) - 1) << 16;
        self.last = Hlc(if wall > self.last.0 {
            wall
        } else {
            self.last.0.saturating_add(1)
        });
        self.last
    }

    /// Notes a remote timestamp: the next tick comes after it.
    pub fn observe(&mut self, remote: Hlc) {
        self.last = self.last.max(remote);
    }
}
