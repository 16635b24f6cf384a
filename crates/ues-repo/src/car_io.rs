//! CAR v1 export and import with full verification: every block against its
//! CID (the CAR reader), the commit's DID and signature, the MST structure
//! (every node loaded with its layer checks), every record block present and
//! canonical DAG-CBOR.

use crate::commit::{Commit, Verifier};
use crate::repo::{Repo, WriteResult};
use crate::source::Overlay;
use crate::tid::Tid;
use crate::{keys, RepoError};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use ues_data::car::{read_all, write_car, CarLimits, CarSlice};
use ues_data::cbor;
use ues_data::cid::{Cid, CidMap};
use ues_data::mst::{check_tree, diff, proof_path, BlockSource, Mst, MstError};
use ues_store::{prefix_end, verify_block, Batch, Scan, Store};

/// A repository CAR that passed [`verify_car`].
#[derive(Debug, Clone)]
pub struct VerifiedCar {
    /// The commit's CID (the CAR's root).
    pub commit_cid: Cid,
    /// The verified commit.
    pub commit: Commit,
    /// Every record: path and CID, in key order.
    pub records: Vec<(String, Cid)>,
    /// Every MST node.
    pub nodes: Vec<Cid>,
    /// The blocks the repo consists of (commit, MST nodes, records); extra
    /// blocks of the CAR are left out.
    pub blocks: HashMap<Cid, Vec<u8>>,
}

/// Reads the commit at the CAR root out of `blocks` and checks DID and key.
fn checked_commit(
    roots: &[Cid],
    blocks: &dyn BlockSource,
    did: Option<&str>,
    key: &dyn Verifier,
) -> Result<(Cid, Commit), RepoError> {
    let [root] = roots else {
        return Err(RepoError::CarRoots(roots.len()));
    };
    let bytes = blocks.block(root).ok_or(RepoError::MissingBlock(*root))?;
    let commit = Commit::decode(bytes)?;
    if let Some(expected) = did {
        if commit.unsigned.did != expected {
            return Err(RepoError::WrongDid {
                expected: expected.to_string(),
                found: commit.unsigned.did.clone(),
            });
        }
    }
    commit.verify(key)?;
    Ok((*root, commit))
}

/// Checks that a record block is present and canonical.
fn check_record<S: BlockSource + ?Sized>(src: &S, path: &str, cid: &Cid) -> Result<(), RepoError> {
    let bytes = src.block(cid).ok_or_else(|| RepoError::MissingRecord {
        path: path.to_string(),
        cid: *cid,
    })?;
    cbor::validate(bytes).map_err(RepoError::NonCanonical)
}

/// What a block of a CAR being imported is to the repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Not reached from the commit: left out.
    Extra,
    /// The commit or a record.
    Kept,
    /// An MST node.
    Node,
}

/// A block of a CAR being checked: borrowed from the input, with its role
/// (a `Cell`, set while the tree walk reads the same map).
struct CarBlock<'a> {
    bytes: &'a [u8],
    role: Cell<Role>,
}

/// Every block of a CAR being checked.
struct CarBlocks<'a>(CidMap<CarBlock<'a>>);

impl BlockSource for CarBlocks<'_> {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        self.0.get(cid).map(|b| b.bytes)
    }
}

impl<'a> CarBlocks<'a> {
    fn mark(&self, cid: &Cid, role: Role) {
        if let Some(b) = self.0.get(cid) {
            if b.role.get() != Role::Node {
                b.role.set(role);
            }
        }
    }

    /// The blocks with one of `roles`.
    fn with_role<'s>(&'s self, roles: &'s [Role]) -> impl Iterator<Item = (Cid, &'a [u8])> + 's {
        self.0
            .iter()
            .filter(|(_, b)| roles.contains(&b.role.get()))
            .map(|(c, b)| (*c, b.bytes))
    }
}

/// A whole-repo CAR that passed every check, its blocks still borrowed from
/// the input and marked with their role.
struct CheckedCar<'a> {
    commit_cid: Cid,
    commit: Commit,
    blocks: CarBlocks<'a>,
}

/// The repo's blocks: the commit, the MST nodes, the records.
const REPO_BLOCKS: &[Role] = &[Role::Kept, Role::Node];

/// The checks of [`verify_car`] in one pass over the CAR, without copying
/// it: every block hashed once as it is read, the commit, then every MST
/// node read once straight from its bytes ([`check_tree`]) with every record
/// checked as its entry is met. `record` sees every entry (in no order).
fn check_car<'a>(
    bytes: &'a [u8],
    did: Option<&str>,
    key: &dyn Verifier,
    mut record: impl FnMut(&str, &Cid),
) -> Result<CheckedCar<'a>, RepoError> {
    let mut reader = CarSlice::new(bytes, CarLimits::default())?;
    let mut map = CidMap::default();
    // Repo blocks average ~170 bytes with their framing: sized once, so
    // the table is not rebuilt while it fills.
    map.reserve(bytes.len() / 160);
    while let Some((cid, bytes)) = reader.next_block()? {
        let role = Cell::new(Role::Extra);
        map.insert(cid, CarBlock { bytes, role });
    }
    let blocks = CarBlocks(map);
    let (commit_cid, commit) = checked_commit(reader.roots(), &blocks, did, key)?;
    blocks.mark(&commit_cid, Role::Kept);
    check_tree(
        &blocks,
        commit.unsigned.data,
        |node| blocks.mark(node, Role::Node),
        |path, cid| {
            let block = blocks.0.get(cid).ok_or_else(|| RepoError::MissingRecord {
                path: path.to_string(),
                cid: *cid,
            })?;
            // A block already marked was checked: the commit and the nodes
            // by their strict decoders, a record here (several keys may
            // share one record).
            if block.role.get() == Role::Extra {
                cbor::validate(block.bytes).map_err(RepoError::NonCanonical)?;
                block.role.set(Role::Kept);
            }
            record(path, cid);
            Ok::<(), RepoError>(())
        },
    )?;
    Ok(CheckedCar {
        commit_cid,
        commit,
        blocks,
    })
}

/// Verifies a whole-repo CAR: the signature against `key`, the DID when
/// given, every block against its CID, the MST and every record.
pub fn verify_car(
    bytes: &[u8],
    did: Option<&str>,
    key: &dyn Verifier,
) -> Result<VerifiedCar, RepoError> {
    let mut records = Vec::new();
    let car = check_car(bytes, did, key, |path, cid| {
        records.push((path.to_string(), *cid))
    })?;
    // Keys are unique in a checked tree.
    records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let nodes = car
        .blocks
        .with_role(&[Role::Node])
        .map(|(c, _)| c)
        .collect();
    let blocks = car
        .blocks
        .with_role(REPO_BLOCKS)
        .map(|(c, b)| (c, b.to_vec()))
        .collect();
    Ok(VerifiedCar {
        commit_cid: car.commit_cid,
        commit: car.commit,
        records,
        nodes,
        blocks,
    })
}

/// Verifies a whole-repo CAR and stores it as the repo of its DID in
/// `store` (one batch), then opens that repo.
pub async fn import_car<S: Store>(
    store: S,
    bytes: &[u8],
    did: Option<&str>,
    key: &dyn Verifier,
) -> Result<Repo<S>, RepoError> {
    let car = check_car(bytes, did, key, |_, _| {})?;
    let did = car.commit.unsigned.did.clone();
    let mut nodes = CidMap::default();
    for (c, b) in car.blocks.with_role(&[Role::Node]) {
        nodes.insert(c, b.to_vec());
    }
    let mut batch = Batch::new();
    batch.ops.reserve(car.blocks.0.len() + 2);
    batch.put(keys::head(&did), car.commit_cid.to_bytes());
    batch.put(
        keys::log(&did, &car.commit.unsigned.rev.to_string()),
        keys::encode_cids(car.blocks.with_role(REPO_BLOCKS).map(|(c, _)| c)),
    );
    for (c, b) in car.blocks.with_role(REPO_BLOCKS) {
        batch.put_block(c, b.to_vec());
    }
    store.apply(batch).await?;
    Ok(Repo::from_parts(store, (car.commit_cid, car.commit), nodes))
}

impl<S: Store> Repo<S> {
    /// The whole repo as a CAR v1 rooted at the head commit: the commit,
    /// every MST node, every record.
    pub async fn export_car(&mut self) -> Result<Vec<u8>, RepoError> {
        let (head, _) = self.head.clone().ok_or(RepoError::Empty)?;
        // A tree fresh from the blocks lists every node it reads.
        self.reset_tree();
        let (nodes, records) = self
            .with_tree(|t| {
                let records = t.list()?;
                Ok((t.loaded().to_vec(), records))
            })
            .await?;
        let mut blocks = vec![(head, self.fetch_block(head).await?)];
        for n in nodes {
            let b = self.node_or_fetch(n).await?;
            blocks.push((n, b));
        }
        let mut seen = HashSet::new();
        let cids: Vec<Cid> = records
            .iter()
            .map(|r| r.1)
            .filter(|c| seen.insert(*c))
            .collect();
        let got = self.store.get_blocks(&cids).await?;
        for (cid, b) in cids.into_iter().zip(got) {
            let b = b.ok_or(RepoError::MissingBlock(cid))?;
            verify_block(&cid, &b)?;
            blocks.push((cid, b));
        }
        Ok(write_car(
            &[head],
            blocks.iter().map(|(c, b)| (c, b.as_slice())),
        )?)
    }

    /// The blocks added by the commits after `since` (all of them when
    /// `None`), as a CAR v1 rooted at the head commit.
    pub async fn export_since(&mut self, since: Option<Tid>) -> Result<Vec<u8>, RepoError> {
        let Some(since) = since else {
            return self.export_car().await;
        };
        let head = self.head().ok_or(RepoError::Empty)?;
        let prefix = keys::log_prefix(&self.did);
        let scan = Scan {
            start: Bound::Excluded(keys::log(&self.did, &since.to_string())),
            end: prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
            reverse: false,
            limit: None,
        };
        let mut seen = HashSet::new();
        let mut cids = Vec::new();
        for (_, v) in self.store.scan(&scan).await? {
            cids.extend(
                keys::decode_cids(&v)?
                    .into_iter()
                    .filter(|c| seen.insert(*c)),
            );
        }
        let got = self.store.get_blocks(&cids).await?;
        let mut blocks = Vec::with_capacity(cids.len());
        for (cid, b) in cids.into_iter().zip(got) {
            let b = b.ok_or(RepoError::MissingBlock(cid))?;
            blocks.push((cid, b));
        }
        Ok(write_car(
            &[head],
            blocks.iter().map(|(c, b)| (c, b.as_slice())),
        )?)
    }

    /// Applies a CAR slice (e.g. from [`Repo::export_since`] of another copy)
    /// on top of this repo: checks DID, signature, that the rev is newer, the
    /// new MST and its new records; stores the new blocks in one batch.
    /// Returns what changed: the record ops from the old tree to the new one
    /// and the blocks added (what a firehose event or an index update needs).
    pub async fn apply_car(
        &mut self,
        bytes: &[u8],
        key: &dyn Verifier,
    ) -> Result<WriteResult, RepoError> {
        let car = read_all(bytes)?;
        let (commit_cid, commit) = checked_commit(&car.roots, &car.blocks, Some(&self.did), key)?;
        if let Some(cur) = self.rev() {
            if commit.unsigned.rev <= cur {
                return Err(RepoError::StaleRev {
                    current: cur.to_string(),
                    new: commit.unsigned.rev.to_string(),
                });
            }
        }
        let old = self.data();
        let new = commit.unsigned.data;
        self.reset_tree();
        let mut misses = 0;
        let d = loop {
            let src = Overlay {
                top: &car.blocks,
                base: &*self.base,
            };
            let mut ta = match old {
                Some(r) => Mst::load(&src, r),
                None => Mst::empty(&src),
            };
            let mut tb = Mst::load(&src, new);
            // Loading the whole new tree checks every node's place in it.
            let r = tb.list().and_then(|_| diff(&mut ta, &mut tb));
            let missing = match r {
                Ok(d) => break d,
                Err(MstError::MissingBlock(c)) if self.node_bytes(&c).is_none() => c,
                Err(e) => return Err(e.into()),
            };
            misses += 1;
            match old {
                // A big change: the old tree in one read per level.
                Some(r) if misses > crate::repo::LAZY_MISSES => self.preload(r).await?,
                _ => {
                    let b = self.fetch_block(missing).await?;
                    self.fresh.insert(missing, b);
                }
            }
            self.reset_tree();
        };
        let mut batch = Batch::new();
        let mut added = vec![commit_cid];
        for op in &d.record_ops {
            if let Some(cid) = op.new_value {
                match car.blocks.get(&cid) {
                    Some(b) => {
                        cbor::validate(b).map_err(RepoError::NonCanonical)?;
                        added.push(cid);
                    }
                    None if self.store.has_block(&cid).await? => {}
                    None => check_record(&car.blocks, &op.rpath, &cid)?,
                }
            }
        }
        for n in d.created_nodes.iter().chain([&new]) {
            if let Some(b) = car.blocks.get(n) {
                self.fresh.insert(*n, b.clone());
                added.push(*n);
            }
        }
        let mut seen = HashSet::new();
        added.retain(|c| seen.insert(*c));
        for c in &added {
            if let Some(b) = car.blocks.get(c) {
                batch.put_block(*c, b.clone());
            }
        }
        batch.put(keys::head(&self.did), commit_cid.to_bytes());
        batch.put(
            keys::log(&self.did, &commit.unsigned.rev.to_string()),
            keys::encode_cids(added.iter()),
        );
        self.store.apply(batch).await?;
        let rev = commit.unsigned.rev;
        self.head = Some((commit_cid, commit));
        self.reset_tree();
        Ok(WriteResult {
            commit: commit_cid,
            rev,
            data: new,
            prev_data: old,
            ops: d.record_ops,
            blocks: added,
        })
    }

    /// A record's inclusion proof as a CAR rooted at the head commit: the
    /// commit, the MST nodes on the record's path, and the record block.
    pub async fn record_proof(
        &mut self,
        collection: &str,
        rkey: &str,
    ) -> Result<Vec<u8>, RepoError> {
        let head = self.head().ok_or(RepoError::Empty)?;
        let path = format!("{collection}/{rkey}");
        let (nodes, value) = self
            .with_tree(|t| Ok((proof_path(t, &path)?, t.get(&path)?)))
            .await?;
        let value = value.ok_or_else(|| RepoError::RecordNotFound(path.clone()))?;
        let mut blocks = vec![(head, self.fetch_block(head).await?)];
        for n in nodes {
            blocks.push((n, self.node_or_fetch(n).await?));
        }
        blocks.push((value, self.fetch_block(value).await?));
        Ok(write_car(
            &[head],
            blocks.iter().map(|(c, b)| (c, b.as_slice())),
        )?)
    }
}
