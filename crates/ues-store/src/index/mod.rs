//! Secondary indexes over records kept in the key-value store, maintained in
//! the same [`Batch`] as the records they index, so every host (memory,
//! IndexedDB, native, Durable Objects) answers the same queries the same way.
//!
//! An index entry is one key with an empty value:
//!
//! ```text
//! idx/<index name>/<encoded field values>/<record id>
//! ```
//!
//! The field values use the order-preserving [`encoding`], so the byte order
//! of the keys is the order of `(field values…, record id)`: an equality
//! lookup is a prefix scan, a range lookup a bounded scan, and both come back
//! in index order (ties broken by record id) in either direction.
//!
//! Indexes are sparse: a record that lacks one of the indexed fields has no
//! entry. The caller extracts field values into a [`Record`] (from DAG-CBOR,
//! JSON or anything else) and calls [`index_ops`] with the record's old and
//! new view whenever it writes or deletes the record.

pub mod conformance;
pub mod encoding;

use crate::{prefix_end, Batch, KvStore, Result, Scan, StoreError};
use encoding::{decode_value, encode_tuple, malformed};
use std::collections::BTreeMap;
use std::ops::Bound;

/// A field value that can be indexed. Values of different types order by
/// variant (integers, then strings, then byte strings).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// A signed integer (e.g. a time in ms since the epoch).
    Int(i64),
    /// A string, ordered by its UTF-8 bytes.
    Str(String),
    /// A byte string, ordered byte-wise.
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

/// The indexable view of one record: its id and the values of its fields,
/// extracted by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The record's id (usually its key in the store or its path in a repo).
    pub id: Vec<u8>,
    /// Field name → value. A field that is absent is not indexed.
    pub fields: BTreeMap<String, Value>,
}

impl Record {
    /// A record with no fields.
    pub fn new(id: impl Into<Vec<u8>>) -> Self {
        Record {
            id: id.into(),
            fields: BTreeMap::new(),
        }
    }

    /// Sets a field (builder style).
    pub fn with(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.insert(field.into(), value.into());
        self
    }

    /// The value of `field`, if the record has it.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }
}

/// An index: its name (part of every key; no `/`, not empty) and the fields
/// it orders by, most significant first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub fields: Vec<String>,
}

impl IndexDef {
    /// An index named `name` over `fields`.
    pub fn new(name: impl Into<String>, fields: &[&str]) -> Self {
        IndexDef {
            name: name.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        }
    }

    /// `idx/<name>/`: the prefix of every entry of this index.
    pub fn prefix(&self) -> Result<Vec<u8>> {
        if self.name.is_empty() || self.name.contains('/') {
            return Err(StoreError::InvalidArgument(format!(
                "index name {:?} must be non-empty and contain no '/'",
                self.name
            )));
        }
        if self.fields.is_empty() {
            return Err(StoreError::InvalidArgument(format!(
                "index {:?} has no fields",
                self.name
            )));
        }
        Ok(format!("idx/{}/", self.name).into_bytes())
    }
}

/// Where a page of results stopped: the last entry's key. Pass it back to
/// get the next page; it is only meaningful for the same index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(pub Vec<u8>);

/// One page of record ids in index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub ids: Vec<Vec<u8>>,
    /// Present when more entries follow this page.
    pub next: Option<Cursor>,
}

/// The key of `record`'s entry in `def`, or `None` when the record lacks an
/// indexed field.
pub fn index_key(def: &IndexDef, record: &Record) -> Result<Option<Vec<u8>>> {
    let mut key = def.prefix()?;
    let mut values = Vec::with_capacity(def.fields.len());
    for field in &def.fields {
        match record.get(field) {
            Some(v) => values.push(v.clone()),
            None => return Ok(None),
        }
    }
    key.extend_from_slice(&encode_tuple(&values));
    key.push(b'/');
    key.extend_from_slice(&record.id);
    Ok(Some(key))
}

/// Splits an entry key of `def` into its field values and record id.
pub fn decode_key(def: &IndexDef, key: &[u8]) -> Result<(Vec<Value>, Vec<u8>)> {
    let prefix = def.prefix()?;
    let mut rest = key
        .strip_prefix(prefix.as_slice())
        .ok_or_else(|| malformed("wrong index"))?;
    let mut values = Vec::with_capacity(def.fields.len());
    for _ in &def.fields {
        let (v, r) = decode_value(rest)?;
        values.push(v);
        rest = r;
    }
    match rest.split_first() {
        Some((b'/', id)) => Ok((values, id.to_vec())),
        _ => Err(malformed("missing '/' before the record id")),
    }
}

/// Adds to `batch` the index writes for a record changing from `old` to
/// `new` (`None`: absent): deletes the stale entry and puts the new one.
/// Nothing is written when the entry does not change. Call it with the same
/// batch that writes the record, so record and index commit together.
pub fn index_ops(
    def: &IndexDef,
    old: Option<&Record>,
    new: Option<&Record>,
    batch: &mut Batch,
) -> Result<()> {
    let old_key = old.map(|r| index_key(def, r)).transpose()?.flatten();
    let new_key = new.map(|r| index_key(def, r)).transpose()?.flatten();
    if old_key == new_key {
        return Ok(());
    }
    if let Some(k) = old_key {
        batch.delete(k);
    }
    if let Some(k) = new_key {
        batch.put(k, Vec::new());
    }
    Ok(())
}

/// Record ids whose leading fields equal `values` (a prefix of the index's
/// fields), in index order (`reverse`: descending), at most `limit`, after
/// `cursor`.
pub async fn lookup_eq<S: KvStore>(
    store: &S,
    def: &IndexDef,
    values: &[Value],
    limit: usize,
    reverse: bool,
    cursor: Option<&Cursor>,
) -> Result<Page> {
    let b = Bound::Included(values);
    lookup_range(store, def, b, b, limit, reverse, cursor).await
}

/// Record ids whose leading fields lie between `lo` and `hi` (each a prefix
/// of the index's fields, compared as tuples: `Included(&[author])` takes
/// every entry of that author whatever its later fields), in index order
/// (`reverse`: descending), at most `limit`, after `cursor` (from the
/// previous page of the same query).
pub async fn lookup_range<S: KvStore>(
    store: &S,
    def: &IndexDef,
    lo: Bound<&[Value]>,
    hi: Bound<&[Value]>,
    limit: usize,
    reverse: bool,
    cursor: Option<&Cursor>,
) -> Result<Page> {
    let prefix = def.prefix()?;
    for b in [lo, hi] {
        if let Bound::Included(v) | Bound::Excluded(v) = b {
            if v.len() > def.fields.len() {
                return Err(StoreError::InvalidArgument(format!(
                    "{} bound values for index {:?} of {} fields",
                    v.len(),
                    def.name,
                    def.fields.len()
                )));
            }
        }
    }
    let at = |v: &[Value]| [prefix.as_slice(), &encode_tuple(v)].concat();
    // Every key with a given tuple prefix lies in [at(v), prefix_end(at(v))).
    let after = |k: Vec<u8>| prefix_end(&k).map_or(Bound::Unbounded, Bound::Excluded);
    let mut start = match lo {
        Bound::Unbounded => Bound::Included(prefix.clone()),
        Bound::Included(v) => Bound::Included(at(v)),
        Bound::Excluded(v) => match after(at(v)) {
            Bound::Excluded(k) => Bound::Included(k),
            _ => Bound::Unbounded,
        },
    };
    let mut end = match hi {
        Bound::Unbounded => after(prefix.clone()),
        Bound::Included(v) => after(at(v)),
        Bound::Excluded(v) => Bound::Excluded(at(v)),
    };
    if let Some(Cursor(c)) = cursor {
        if !c.starts_with(&prefix) {
            return Err(StoreError::InvalidArgument(format!(
                "cursor is not from index {:?}",
                def.name
            )));
        }
        if reverse {
            if !matches!(&end, Bound::Excluded(e) if e <= c) {
                end = Bound::Excluded(c.clone());
            }
        } else if !matches!(&start, Bound::Included(s) if s > c) {
            start = Bound::Excluded(c.clone());
        }
    }
    if limit == 0 {
        return Ok(Page::default());
    }
    let scan = Scan {
        start,
        end,
        reverse,
        limit: Some(limit.saturating_add(1)),
    };
    let mut entries = store.scan(&scan).await?;
    let next = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|(k, _)| Cursor(k.clone()))
    } else {
        None
    };
    let ids = entries
        .iter()
        .map(|(k, _)| decode_key(def, k).map(|(_, id)| id))
        .collect::<Result<_>>()?;
    Ok(Page { ids, next })
}
