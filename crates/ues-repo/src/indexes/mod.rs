//! Collection indexes, maintained as records are written and stored in the
//! same storage batch as the commit that writes them (so they roll back
//! with it), over the storage layer's [`ues_store::index`] and
//! [`ues_store::fts`] machinery.
//!
//! Every entry's record id is the record's URI, `at://<did>/<collection>/<rkey>`,
//! and every definition carries the author (the repo DID), so a store that
//! holds many repos (a relay) shares one set of indexes:
//!
//! | index          | fields                                    | records |
//! |----------------|-------------------------------------------|---------|
//! | [`BY_AUTHOR`]  | author, collection (then URI: rkey order) | all     |
//! | [`CREATED`]    | author, collection, `createdAt` (µs)      | with a valid `createdAt` |
//! | [`SUBJECT`]    | collection, subject, author               | likes/reposts (`subject.uri`), follows/blocks (`subject`) |
//! | `c.<name>`     | the [`IndexSpec`]'s fields…, author       | the spec's collection, with every field |
//! | [`POSTS_FTS`]  | full text of `app.bsky.feed.post` `text`  | posts   |
//!
//! Time indexes lead with the author, so their queries are per repo; subject
//! and custom indexes lead with their values, so their queries span every
//! repo written into the store with the same definitions.
//!
//! Indexing is off until [`Repo::with_indexes`] turns it on;
//! [`Repo::index_all`] then indexes the records already in the repo (e.g.
//! after a CAR import, which does not index). Full-text
//! writes read and rewrite the index statistics: commits that index into
//! one store must be applied one at a time.

mod query;

pub use query::{IndexQuery, UriPage};

use crate::repo::Repo;
use crate::{RepoError, Write};
use std::collections::{HashMap, HashSet};
use ues_data::cbor::{self, Ipld};
use ues_data::cid::Cid;
use ues_data::mst::RecordOp;
use ues_data::syntax::parse_datetime;
use ues_store::fts::{FtsIndex, FtsWriter};
use ues_store::index::{index_ops, IndexDef, Record, Value};
use ues_store::{verify_block, Batch, Store, StoreError};

/// Records by author and collection, in rkey (TID) order.
pub const BY_AUTHOR: &str = "ues.author";
/// Records by author, collection and `createdAt` (µs since the epoch).
pub const CREATED: &str = "ues.created";
/// Likes, reposts, follows and blocks by collection and subject.
pub const SUBJECT: &str = "ues.subject";
/// Full text of posts.
pub const POSTS_FTS: &str = "ues.posts";
/// The post collection indexed in full text.
pub const POST: &str = "app.bsky.feed.post";

/// Collections with a subject, and the path of the subject in the record.
pub const SUBJECTS: [(&str, &str); 4] = [
    ("app.bsky.feed.like", "subject.uri"),
    ("app.bsky.feed.repost", "subject.uri"),
    ("app.bsky.graph.follow", "subject"),
    ("app.bsky.graph.block", "subject"),
];

/// A custom index over the records of one collection: `fields` are dotted
/// paths into the record (`"reply.root.uri"`); a record lacking one of them
/// (or holding a value that is not a string, integer, bytes or link there)
/// is not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    pub collection: String,
    pub name: String,
    pub fields: Vec<String>,
}

impl IndexSpec {
    /// A spec named `name` over `fields` of `collection`'s records.
    pub fn new(collection: &str, name: &str, fields: &[&str]) -> Self {
        IndexSpec {
            collection: collection.into(),
            name: name.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        }
    }

    /// The storage definition: `c.<name>`, fields `f0…fn-1` then `author`.
    pub fn def(&self) -> IndexDef {
        let mut fields: Vec<String> = (0..self.fields.len()).map(|i| format!("f{i}")).collect();
        fields.push("author".into());
        IndexDef {
            name: format!("c.{}", self.name),
            fields,
        }
    }
}

/// Which indexes a repo maintains: the standard ones and custom specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indexes {
    enabled: bool,
    custom: Vec<IndexSpec>,
}

impl Indexes {
    /// No indexes (the default).
    pub fn none() -> Self {
        Self::default()
    }

    /// The standard indexes (time, author, subject, post text).
    pub fn standard() -> Self {
        Indexes {
            enabled: true,
            custom: Vec::new(),
        }
    }

    /// Adds a custom index. Fails on a name that is empty, has a `/`, or is
    /// taken, and on a spec without fields.
    pub fn with(mut self, spec: IndexSpec) -> Result<Self, RepoError> {
        spec.def().prefix()?;
        if spec.fields.is_empty() || spec.fields.iter().any(String::is_empty) {
            return Err(bad(format!("index {:?} needs non-empty fields", spec.name)));
        }
        if self.custom.iter().any(|s| s.name == spec.name) {
            return Err(bad(format!("index {:?} is declared twice", spec.name)));
        }
        self.custom.push(spec);
        Ok(self)
    }

    /// Whether any index is maintained.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The custom spec named `name`.
    pub fn spec(&self, name: &str) -> Option<&IndexSpec> {
        self.custom.iter().find(|s| s.name == name)
    }
}

pub(crate) fn bad(msg: String) -> RepoError {
    RepoError::Store(StoreError::InvalidArgument(msg))
}

/// A standard index definition by name.
pub(crate) fn standard_def(name: &str) -> IndexDef {
    match name {
        CREATED => IndexDef::new(CREATED, &["author", "collection", "created"]),
        SUBJECT => IndexDef::new(SUBJECT, &["collection", "subject", "author"]),
        _ => IndexDef::new(BY_AUTHOR, &["author", "collection"]),
    }
}

/// The value at a dotted `path` in a record, if indexable.
pub fn field_value(record: &Ipld, path: &str) -> Option<Value> {
    let v = path.split('.').try_fold(record, |v, k| match v {
        Ipld::Map(m) => m.get(k),
        _ => None,
    })?;
    match v {
        Ipld::String(s) => Some(Value::Str(s.clone())),
        Ipld::Integer(i) => i64::try_from(*i).ok().map(Value::Int),
        Ipld::Bytes(b) => Some(Value::Bytes(b.clone())),
        Ipld::Link(c) => Some(Value::Str(c.to_string())),
        _ => None,
    }
}

/// A record's `createdAt` in µs since the epoch, if it is a valid datetime.
pub fn created_at(record: &Ipld) -> Option<i64> {
    match field_value(record, "createdAt")? {
        Value::Str(s) => parse_datetime(&s).ok().map(|d| d.unix_micros()),
        _ => None,
    }
}

/// The subject of a like, repost, follow or block.
pub fn subject_of(collection: &str, record: &Ipld) -> Option<Value> {
    let (_, path) = SUBJECTS.iter().find(|(c, _)| *c == collection)?;
    field_value(record, path)
}

/// The text indexed in full text for a record, if any.
fn post_text(collection: &str, record: &Ipld) -> Option<String> {
    match (collection == POST, field_value(record, "text")) {
        (true, Some(Value::Str(s))) => Some(s),
        _ => None,
    }
}

impl Indexes {
    /// Each definition and the view of `record` it indexes.
    fn views(&self, author: &str, collection: &str, uri: &str, rec: &Ipld) -> Vec<Record> {
        let base = Record::new(uri.as_bytes()).with("author", author);
        let mut out = vec![base.clone().with("collection", collection)];
        let mut created = out[0].clone();
        if let Some(t) = created_at(rec) {
            created = created.with("created", t);
        }
        out.push(created);
        let mut subj = out[0].clone();
        if let Some(s) = subject_of(collection, rec) {
            subj = subj.with("subject", s);
        }
        out.push(subj);
        for spec in self.custom.iter().filter(|s| s.collection == collection) {
            let mut r = base.clone();
            for (i, f) in spec.fields.iter().enumerate() {
                if let Some(v) = field_value(rec, f) {
                    r = r.with(format!("f{i}"), v);
                }
            }
            out.push(r);
        }
        out
    }

    /// The definitions matching [`Indexes::views`], in the same order.
    fn defs(&self, collection: &str) -> Vec<IndexDef> {
        let mut out: Vec<IndexDef> = [BY_AUTHOR, CREATED, SUBJECT]
            .iter()
            .map(|n| standard_def(n))
            .collect();
        out.extend(
            self.custom
                .iter()
                .filter(|s| s.collection == collection)
                .map(IndexSpec::def),
        );
        out
    }
}

impl<S: Store> Repo<S> {
    /// Maintains `indexes` from the next commit on (records already in the
    /// repo are not indexed retroactively).
    pub fn with_indexes(mut self, indexes: Indexes) -> Self {
        self.indexes = indexes;
        self
    }

    /// The indexes this repo maintains.
    pub fn indexes(&self) -> &Indexes {
        &self.indexes
    }

    /// The index writes for a commit's `ops` (one per write of `writes`, in
    /// order), to go in the commit's batch. Old values are read from the
    /// store, or from earlier writes of the same commit.
    pub(crate) async fn index_writes(
        &self,
        writes: &[Write],
        ops: &[RecordOp],
    ) -> Result<Batch, RepoError> {
        let mut batch = Batch::new();
        if !self.indexes.enabled {
            return Ok(batch);
        }
        if writes.len() != ops.len() {
            return Err(RepoError::Corrupt("one record op per write".into()));
        }
        let mut seen = HashSet::new();
        let want: Vec<Cid> = ops
            .iter()
            .filter(|op| seen.insert(op.rpath.as_str()))
            .filter_map(|op| op.old_value)
            .collect();
        let stored = self.read_records(&want).await?;
        let mut current: HashMap<&str, Option<&Ipld>> = HashMap::new();
        let mut changes = Vec::with_capacity(ops.len());
        for (w, op) in writes.iter().zip(ops) {
            let new = match w {
                Write::Create { record, .. } | Write::Update { record, .. } => Some(record),
                Write::Delete { .. } => None,
            };
            let old: Option<&Ipld> = match current.get(op.rpath.as_str()) {
                Some(prev) => *prev,
                None => op.old_value.and_then(|c| stored.get(&c)),
            };
            current.insert(op.rpath.as_str(), new);
            changes.push((op.rpath.as_str(), old, new));
        }
        self.index_changes(&changes, &mut batch).await?;
        Ok(batch)
    }

    /// Indexes every record of the repo as it stands (e.g. after an import,
    /// or when indexes are turned on for a repo that has records), in one
    /// batch; returns how many records were indexed. Running it again
    /// changes nothing; entries of records deleted while indexing was off
    /// are not removed.
    pub async fn index_all(&mut self) -> Result<usize, RepoError> {
        if !self.indexes.enabled {
            return Ok(0);
        }
        let entries = self.with_tree(|t| Ok(t.list()?)).await?;
        let cids: Vec<Cid> = entries.iter().map(|(_, c)| *c).collect();
        let stored = self.read_records(&cids).await?;
        let mut changes = Vec::with_capacity(entries.len());
        for (path, cid) in &entries {
            let rec = stored.get(cid).ok_or(RepoError::MissingBlock(*cid))?;
            changes.push((path.as_str(), None, Some(rec)));
        }
        let mut batch = Batch::new();
        self.index_changes(&changes, &mut batch).await?;
        self.store.apply(batch).await?;
        Ok(entries.len())
    }

    /// Updates the indexes for record ops already committed (e.g. the ops
    /// [`Repo::apply_car`] returns): old values are read from the store
    /// (blocks are never deleted), so updates and deletes remove their old
    /// entries. One batch; returns how many ops were indexed.
    pub async fn index_ops(&mut self, ops: &[RecordOp]) -> Result<usize, RepoError> {
        if !self.indexes.enabled || ops.is_empty() {
            return Ok(0);
        }
        let cids: Vec<Cid> = ops
            .iter()
            .flat_map(|op| [op.old_value, op.new_value])
            .flatten()
            .collect();
        let stored = self.read_records(&cids).await?;
        let get = |c: Option<Cid>| c.and_then(|c| stored.get(&c));
        let changes: Vec<_> = ops
            .iter()
            .map(|op| (op.rpath.as_str(), get(op.old_value), get(op.new_value)))
            .collect();
        let mut batch = Batch::new();
        self.index_changes(&changes, &mut batch).await?;
        self.store.apply(batch).await?;
        Ok(ops.len())
    }

    /// Reads and decodes record blocks, verified against their CIDs.
    async fn read_records(&self, cids: &[Cid]) -> Result<HashMap<Cid, Ipld>, RepoError> {
        let got = self.store.get_blocks(cids).await?;
        let mut out = HashMap::with_capacity(cids.len());
        for (cid, bytes) in cids.iter().zip(got) {
            let bytes = bytes.ok_or(RepoError::MissingBlock(*cid))?;
            verify_block(cid, &bytes)?;
            out.insert(*cid, cbor::decode_ipld(&bytes)?);
        }
        Ok(out)
    }

    /// Adds to `batch` the index writes of `changes`: (record path, old
    /// value, new value), in order.
    async fn index_changes(
        &self,
        changes: &[(&str, Option<&Ipld>, Option<&Ipld>)],
        batch: &mut Batch,
    ) -> Result<(), RepoError> {
        let fts = FtsIndex::new(POSTS_FTS);
        let mut text = FtsWriter::new(&fts);
        let mut texts = false;
        for &(path, old, new) in changes {
            let (collection, _) = path
                .split_once('/')
                .ok_or_else(|| RepoError::InvalidPath(path.to_string()))?;
            let uri = format!("at://{}/{}", self.did, path);
            let view = |r: &Ipld| self.indexes.views(&self.did, collection, &uri, r);
            let (old_v, new_v) = (old.map(view), new.map(view));
            for (i, def) in self.indexes.defs(collection).iter().enumerate() {
                let o = old_v.as_ref().and_then(|v| v.get(i));
                let n = new_v.as_ref().and_then(|v| v.get(i));
                index_ops(def, o, n, batch)?;
            }
            if collection == POST {
                texts = true;
                match new.and_then(|r| post_text(collection, r)) {
                    Some(t) => text.put(uri.as_bytes(), &t),
                    None => text.delete(uri.as_bytes()),
                };
            }
        }
        if texts {
            text.write(&self.store, batch).await?;
        }
        Ok(())
    }
}
