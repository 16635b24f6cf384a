//! A repository over a [`Store`]: an MST held in memory (nodes loaded from the
//! store, level by level, when the repo opens, and on demand after), records
//! read from the store, and one atomic storage batch per commit.

use crate::commit::{Commit, Signer, UnsignedCommit};
use crate::source::{encode_record, node_links, Write};
use crate::tid::{Tid, TidGenerator};
use crate::{keys, RepoError};
use std::rc::Rc;
use ues_data::cid::{Cid, CidMap, CidSet};
use ues_data::mst::{BlockSource, Mst, RecordOp};
use ues_store::{verify_block, Batch, Store};

/// The blocks the tree reads from: shared with the repo, never mutated
/// while the tree holds them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shared(pub Rc<CidMap<Vec<u8>>>);

impl BlockSource for Shared {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        self.0.get(cid).map(Vec::as_slice)
    }
}

/// The in-memory tree type: kept across commits, so only the nodes a commit
/// changes are encoded and hashed, and nothing is decoded twice.
pub(crate) type CachedMst = Mst<Shared>;

/// Nodes [`Repo::with_tree`] reads one by one, re-running its call after
/// each, before it reads the rest of the tree level by level.
pub(crate) const LAZY_MISSES: usize = 48;

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteResult {
    /// The new commit's CID.
    pub commit: Cid,
    /// The new commit's rev.
    pub rev: Tid,
    /// The new MST root.
    pub data: Cid,
    /// The MST root before the commit (`prevData` of the firehose event).
    pub prev_data: Option<Cid>,
    /// The record operations, in write order, with old and new values.
    pub ops: Vec<RecordOp>,
    /// The CIDs of every block the commit added (records, MST nodes, the
    /// commit).
    pub blocks: Vec<Cid>,
}

/// An AT Protocol repository owned by `did`, stored in `S`.
pub struct Repo<S: Store> {
    pub(crate) store: S,
    pub(crate) did: String,
    pub(crate) head: Option<(Cid, Commit)>,
    /// MST node blocks the tree reads from.
    pub(crate) base: Rc<CidMap<Vec<u8>>>,
    /// MST node blocks written or fetched since `base` was built.
    pub(crate) fresh: CidMap<Vec<u8>>,
    /// The tree at the head, kept in memory.
    pub(crate) tree: CachedMst,
    tids: TidGenerator,
    /// The collection indexes written with each commit.
    pub(crate) indexes: crate::Indexes,
}

impl<S: Store> Repo<S> {
    /// Opens the repo of `did` in `store` (empty if it has no head yet) and
    /// loads its MST nodes, one storage read per tree level.
    pub async fn open(store: S, did: &str) -> Result<Self, RepoError> {
        let mut repo = Repo {
            store,
            did: did.to_string(),
            head: None,
            base: Rc::default(),
            fresh: CidMap::default(),
            tree: Mst::empty(Shared::default()),
            tids: TidGenerator::system(TidGenerator::random_clock_id()),
            indexes: crate::Indexes::none(),
        };
        if let Some(h) = repo.store.get(&keys::head(did)).await? {
            let cid = keys::decode_cid(&h)?;
            let bytes = repo.fetch_block(cid).await?;
            let commit = Commit::decode(&bytes)?;
            repo.tids.advance_past(commit.unsigned.rev);
            let root = commit.unsigned.data;
            repo.head = Some((cid, commit));
            // Only the root: the nodes a call needs are read when it needs
            // them ([`Repo::with_tree`]), so opening a big repo is one read.
            let bytes = repo.fetch_block(root).await?;
            repo.fresh.insert(root, bytes);
        }
        repo.reset_tree();
        Ok(repo)
    }

    /// A repo whose head and MST node blocks are already in memory (and in
    /// `store`), e.g. right after a verified import.
    pub(crate) fn from_parts(store: S, head: (Cid, Commit), nodes: CidMap<Vec<u8>>) -> Self {
        let mut tids = TidGenerator::system(TidGenerator::random_clock_id());
        tids.advance_past(head.1.unsigned.rev);
        let mut repo = Repo {
            store,
            did: head.1.unsigned.did.clone(),
            head: Some(head),
            base: Rc::new(nodes),
            fresh: CidMap::default(),
            tree: Mst::empty(Shared::default()),
            tids,
            indexes: crate::Indexes::none(),
        };
        repo.reset_tree();
        repo
    }

    /// Uses `tids` for the revs and record keys of later commits.
    pub fn with_tids(mut self, mut tids: TidGenerator) -> Self {
        if let Some(rev) = self.rev() {
            tids.advance_past(rev);
        }
        self.tids = tids;
        self
    }

    /// The repository's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The head commit's CID, if any.
    pub fn head(&self) -> Option<Cid> {
        self.head.as_ref().map(|(c, _)| *c)
    }

    /// The head commit, if any.
    pub fn commit(&self) -> Option<&Commit> {
        self.head.as_ref().map(|(_, c)| c)
    }

    /// The current rev, if any.
    pub fn rev(&self) -> Option<Tid> {
        self.commit().map(|c| c.unsigned.rev)
    }

    /// The current MST root, if any.
    pub fn data(&self) -> Option<Cid> {
        self.commit().map(|c| c.unsigned.data)
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// A fresh TID from the repo's generator (e.g. for a record key).
    pub fn next_tid(&mut self) -> Tid {
        self.tids.next_tid()
    }

    /// Reads a block from the store, verified against its CID.
    pub(crate) async fn fetch_block(&self, cid: Cid) -> Result<Vec<u8>, RepoError> {
        let bytes = self
            .store
            .get_block(&cid)
            .await?
            .ok_or(RepoError::MissingBlock(cid))?;
        verify_block(&cid, &bytes)?;
        Ok(bytes)
    }

    /// Loads every MST node under `root` into the cache, level by level.
    pub(crate) async fn preload(&mut self, root: Cid) -> Result<(), RepoError> {
        let mut level = vec![root];
        while !level.is_empty() {
            let want: Vec<Cid> = level
                .iter()
                .filter(|c| self.node_bytes(c).is_none())
                .copied()
                .collect();
            let got = self.store.get_blocks(&want).await?;
            for (cid, bytes) in want.iter().zip(got) {
                let bytes = bytes.ok_or(RepoError::MissingBlock(*cid))?;
                verify_block(cid, &bytes)?;
                self.fresh.insert(*cid, bytes);
            }
            let mut next = Vec::new();
            for c in &level {
                if let Some(b) = self.node_bytes(c) {
                    next.extend(node_links(b));
                }
            }
            level = next;
        }
        Ok(())
    }

    /// The bytes of an MST node block held in memory.
    pub(crate) fn node_bytes(&self, cid: &Cid) -> Option<&Vec<u8>> {
        self.fresh.get(cid).or_else(|| self.base.get(cid))
    }

    /// An MST node block, from memory or else from the store.
    pub(crate) async fn node_or_fetch(&self, cid: Cid) -> Result<Vec<u8>, RepoError> {
        match self.node_bytes(&cid) {
            Some(b) => Ok(b.clone()),
            None => self.fetch_block(cid).await,
        }
    }

    /// Rebuilds the tree at the head over every node block held (discarding
    /// uncommitted changes); `fresh` is merged into `base`.
    pub(crate) fn reset_tree(&mut self) {
        self.tree = Mst::empty(Shared::default());
        let mut m =
            Rc::try_unwrap(std::mem::take(&mut self.base)).unwrap_or_else(|rc| (*rc).clone());
        m.extend(self.fresh.drain());
        self.base = Rc::new(m);
        let src = Shared(self.base.clone());
        self.tree = match self.data() {
            Some(root) => Mst::load(src, root),
            None => Mst::empty(src),
        };
    }

    /// Runs `f` over the tree at the head. On an error the tree is rebuilt
    /// at the head (undoing what `f` did); when `f` needed a node that is not
    /// held, it is fetched from the store and `f` runs again.
    pub(crate) async fn with_tree<T>(
        &mut self,
        mut f: impl FnMut(&mut CachedMst) -> Result<T, RepoError>,
    ) -> Result<T, RepoError> {
        let mut misses = 0;
        loop {
            match f(&mut self.tree) {
                Ok(v) => return Ok(v),
                Err(RepoError::MissingBlock(c)) if self.node_bytes(&c).is_none() => {
                    misses += 1;
                    let fetched = match self.data() {
                        // A call that walks much of the tree (list, export,
                        // a big batch) gets the whole tree in one read per
                        // level instead of a retry per node.
                        Some(root) if misses > LAZY_MISSES => self.preload(root).await,
                        _ => self.fetch_block(c).await.map(|b| {
                            self.fresh.insert(c, b);
                        }),
                    };
                    self.reset_tree();
                    fetched?;
                }
                Err(RepoError::MissingBlock(c)) if !self.base.contains_key(&c) => self.reset_tree(),
                Err(e) => {
                    self.reset_tree();
                    return Err(e);
                }
            }
        }
    }

    /// Applies `writes` as one signed commit stored in one batch.
    pub async fn apply_writes(
        &mut self,
        writes: &[Write],
        signer: &dyn Signer,
    ) -> Result<WriteResult, RepoError> {
        let mut records = Vec::new();
        let mut puts: Vec<(String, Option<Cid>, bool)> = Vec::new();
        for w in writes {
            match w {
                Write::Create {
                    collection,
                    rkey,
                    record,
                } => {
                    let rkey = match rkey {
                        Some(k) => k.clone(),
                        None => self.tids.next_tid().to_string(),
                    };
                    let (cid, bytes) = encode_record(record)?;
                    records.push((cid, bytes));
                    puts.push((format!("{collection}/{rkey}"), Some(cid), true));
                }
                Write::Update {
                    collection,
                    rkey,
                    record,
                } => {
                    let (cid, bytes) = encode_record(record)?;
                    records.push((cid, bytes));
                    puts.push((format!("{collection}/{rkey}"), Some(cid), false));
                }
                Write::Delete { collection, rkey } => {
                    puts.push((format!("{collection}/{rkey}"), None, false));
                }
            }
        }
        let prev_data = self.data();
        let (data, ops, nodes) = self
            .with_tree(|t| {
                let mut ops = Vec::with_capacity(puts.len());
                for (path, value, create) in &puts {
                    let old = match value {
                        Some(v) => t.put(path, *v)?,
                        None => t.delete(path)?,
                    };
                    if *create && old.is_some() {
                        return Err(RepoError::RecordExists(path.clone()));
                    }
                    if value.is_none() && old.is_none() {
                        return Err(RepoError::RecordNotFound(path.clone()));
                    }
                    ops.push(RecordOp {
                        rpath: path.clone(),
                        old_value: old,
                        new_value: *value,
                    });
                }
                let root = t.root();
                Ok((root, ops, t.take_new_blocks()))
            })
            .await?;
        let committed = match self.index_writes(writes, &ops).await {
            Ok(extra) => self.commit_tree(records, data, nodes, extra, signer).await,
            Err(e) => Err(e),
        };
        if committed.is_err() {
            self.reset_tree();
        }
        let (commit, rev, cids) = committed?;
        Ok(WriteResult {
            commit,
            rev,
            data,
            prev_data,
            ops,
            blocks: cids,
        })
    }

    /// Signs a commit of `data` and stores it with its records, nodes and
    /// the `extra` (index) writes in one batch; returns the commit's CID,
    /// its rev and every block's CID.
    async fn commit_tree(
        &mut self,
        records: Vec<(Cid, Vec<u8>)>,
        data: Cid,
        nodes: Vec<(Cid, Vec<u8>)>,
        extra: Batch,
        signer: &dyn Signer,
    ) -> Result<(Cid, Tid, Vec<Cid>), RepoError> {
        let rev = self.tids.next_tid();
        let commit = UnsignedCommit {
            did: self.did.clone(),
            data,
            rev,
            prev: None,
        }
        .sign(signer)?;
        let (commit_cid, commit_bytes) = commit.to_block()?;
        for (cid, bytes) in &nodes {
            self.fresh.insert(*cid, bytes.clone());
        }
        let mut blocks = records;
        blocks.extend(nodes);
        blocks.push((commit_cid, commit_bytes));
        let mut seen = CidSet::default();
        blocks.retain(|(c, _)| seen.insert(*c));
        let cids: Vec<Cid> = blocks.iter().map(|(c, _)| *c).collect();
        let mut batch = Batch::new();
        batch.ops.reserve(blocks.len() + 2);
        for (cid, bytes) in blocks {
            batch.put_block(cid, bytes);
        }
        batch.ops.extend(extra.ops);
        batch.put(keys::head(&self.did), commit_cid.to_bytes());
        batch.put(
            keys::log(&self.did, &rev.to_string()),
            keys::encode_cids(&cids),
        );
        self.store.apply(batch).await?;
        self.head = Some((commit_cid, commit));
        Ok((commit_cid, rev, cids))
    }
}
