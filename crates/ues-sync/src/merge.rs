//! Deterministic merge: the state of a set of ops.
//!
//! Ops apply in the merge order: causal order first, then timestamp, then
//! author DID, then CID ([`crate::log::OrderKey`]; a child's timestamp is
//! always after its parents', so sorting by timestamp respects causality).
//! Each target holds one value whose type the first edit of the target
//! fixes; an edit of another type on it is ignored (the same everywhere).
//!
//! - `set` — last-writer-wins register: the last `set` in merge order wins;
//!   `null` removes the target.
//! - `mv` — multi-value register: a write replaces the values its op had
//!   seen (causally before it) and keeps concurrent ones: the conflicts.
//! - `inc` — PN counter: positive and negative parts summed separately.
//! - `add` / `rm` — observed-remove set: a remove drops the adds its op had
//!   seen; a concurrent add survives.
//! - `app` — append-only sequence (chat): payloads in merge order.
//!
//! Every replica with the same op set computes byte-identical state, so the
//! same [`State::cid`].

use crate::clock::VectorClock;
use crate::error::SyncError;
use crate::op::{EditKind, Op};
use std::collections::{BTreeMap, HashMap};
use ues_data::cbor::{self, Ipld};
use ues_data::cid::{blake3_cid, Cid, DAG_CBOR};

/// The value of one target.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Last-writer-wins register.
    Register(Ipld),
    /// Multi-value register: the concurrent values, each with its op, in
    /// merge order. More than one means a conflict.
    Multi(Vec<(Cid, Ipld)>),
    /// PN counter (value = `inc - dec`).
    Counter { inc: u64, dec: u64 },
    /// Observed-remove set: element (canonical DAG-CBOR bytes) → the element
    /// and the ops whose adds are live.
    Set(BTreeMap<Vec<u8>, (Ipld, Vec<usize>)>),
    /// Append-only sequence.
    List(Vec<Ipld>),
}

impl Value {
    /// The counter's value, if this is a counter.
    pub fn counter(&self) -> Option<i128> {
        match self {
            Value::Counter { inc, dec } => Some(i128::from(*inc) - i128::from(*dec)),
            _ => None,
        }
    }

    /// The set's elements in byte order, if this is a set.
    pub fn elements(&self) -> Option<Vec<&Ipld>> {
        match self {
            Value::Set(m) => Some(m.values().map(|(v, _)| v).collect()),
            _ => None,
        }
    }

    fn to_ipld(&self) -> Ipld {
        let mut m = BTreeMap::new();
        let (t, v) = match self {
            Value::Register(v) => ("reg", v.clone()),
            Value::Multi(vs) => (
                "mv",
                Ipld::List(
                    vs.iter()
                        .map(|(c, v)| Ipld::List(vec![Ipld::Link(*c), v.clone()]))
                        .collect(),
                ),
            ),
            Value::Counter { inc, dec } => {
                m.insert("n".into(), Ipld::Integer(i128::from(*dec)));
                ("ctr", Ipld::Integer(i128::from(*inc)))
            }
            Value::Set(s) => (
                "set",
                Ipld::List(s.values().map(|(v, _)| v.clone()).collect()),
            ),
            Value::List(l) => ("list", Ipld::List(l.clone())),
        };
        m.insert("t".into(), Ipld::String(t.into()));
        m.insert("v".into(), v);
        Ipld::Map(m)
    }
}

/// Materialised state: target → value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    values: BTreeMap<String, Value>,
}

/// Builds a [`State`] by applying ops in merge order.
#[derive(Default)]
pub struct Materializer<'a> {
    state: State,
    /// Clock and CID of each applied op, by position.
    seen: Vec<&'a VectorClock>,
    /// Position of each applied op.
    pos: HashMap<Cid, usize>,
}

impl<'a> Materializer<'a> {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the next op in merge order (the caller keeps the order).
    pub fn apply(&mut self, cid: Cid, op: &'a Op) {
        let me = self.seen.len();
        self.seen.push(&op.clock);
        self.pos.insert(cid, me);
        let (seen, pos) = (&self.seen, &self.pos);
        let before = |j: usize| seen[j].le(&op.clock);
        for e in &op.edits {
            let vals = &mut self.state.values;
            let slot = vals.get_mut(e.target.as_str());
            match (e.kind, slot) {
                (EditKind::Set, _) if e.value == Ipld::Null => {
                    if matches!(vals.get(e.target.as_str()), Some(Value::Register(_))) {
                        vals.remove(e.target.as_str());
                    }
                }
                (EditKind::Set, Some(Value::Register(v))) => *v = e.value.clone(),
                (EditKind::MvSet, Some(Value::Multi(vs))) => {
                    vs.retain(|(c, _)| !before(pos.get(c).copied().unwrap_or(me)));
                    vs.push((cid, e.value.clone()));
                }
                (EditKind::Inc, Some(Value::Counter { inc, dec })) => {
                    add_counter(inc, dec, &e.value);
                }
                (EditKind::Add, Some(Value::Set(s))) => add_element(s, &e.value, me),
                (EditKind::Remove, Some(Value::Set(s))) => {
                    if let Ok(k) = cbor::encode(&e.value) {
                        if let Some((_, tags)) = s.get_mut(&k) {
                            tags.retain(|j| !before(*j));
                            if tags.is_empty() {
                                s.remove(&k);
                            }
                        }
                    }
                }
                (EditKind::Append, Some(Value::List(l))) => l.push(e.value.clone()),
                (kind, None) => {
                    let v = match kind {
                        EditKind::Set => Value::Register(e.value.clone()),
                        EditKind::MvSet => Value::Multi(vec![(cid, e.value.clone())]),
                        EditKind::Inc => {
                            let (mut inc, mut dec) = (0, 0);
                            add_counter(&mut inc, &mut dec, &e.value);
                            Value::Counter { inc, dec }
                        }
                        EditKind::Add => {
                            let mut s = BTreeMap::new();
                            add_element(&mut s, &e.value, me);
                            Value::Set(s)
                        }
                        // Removing from a set nobody created: nothing to do.
                        EditKind::Remove => continue,
                        EditKind::Append => Value::List(vec![e.value.clone()]),
                    };
                    vals.insert(e.target.clone(), v);
                }
                // An edit of another type than the target's: ignored.
                _ => {}
            }
        }
    }

    /// The state reached.
    pub fn finish(self) -> State {
        self.state
    }
}

fn add_counter(inc: &mut u64, dec: &mut u64, v: &Ipld) {
    if let Ipld::Integer(n) = v {
        let m = u64::try_from(n.unsigned_abs()).unwrap_or(u64::MAX);
        if *n >= 0 {
            *inc = inc.saturating_add(m);
        } else {
            *dec = dec.saturating_add(m);
        }
    }
}

fn add_element(s: &mut BTreeMap<Vec<u8>, (Ipld, Vec<usize>)>, v: &Ipld, me: usize) {
    if let Ok(k) = cbor::encode(v) {
        let (_, tags) = s.entry(k).or_insert_with(|| (v.clone(), Vec::new()));
        if tags.last() != Some(&me) {
            tags.push(me);
        }
    }
}

impl State {
    /// The state of `ops`, given in merge order.
    pub fn from_ordered<'a>(ops: impl IntoIterator<Item = (&'a Cid, &'a Op)>) -> State {
        let mut m = Materializer::new();
        for (c, op) in ops {
            m.apply(*c, op);
        }
        m.finish()
    }

    /// The value of `target`.
    pub fn get(&self, target: &str) -> Option<&Value> {
        self.values.get(target)
    }

    /// Every target and value, by target.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of targets with a value.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no target has a value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The canonical DAG-CBOR of the state.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SyncError> {
        let m = self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_ipld()))
            .collect();
        cbor::encode(&Ipld::Map(m)).map_err(|e| SyncError::Encode(e.to_string()))
    }

    /// The state CID: CIDv1 dag-cbor BLAKE3 of [`State::to_bytes`].
    pub fn cid(&self) -> Result<Cid, SyncError> {
        Ok(blake3_cid(DAG_CBOR, &self.to_bytes()?))
    }
}
