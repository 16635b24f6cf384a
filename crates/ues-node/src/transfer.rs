//! Moving repos in and out of the node as CAR v1 files, and searching what
//! the node holds. Import reports its progress: long work must show it.

use crate::events::{EventQueue, NodeEvent};
use crate::{Node, NodeError};
use ues_data::car::{CarLimits, CarReader};
use ues_identity::PublicKey;
use ues_repo::car_io::import_car;
use ues_repo::{key_from_did_key, Commit, Indexes, RepoError, Tid};
use ues_store::fts::SearchOptions;
use ues_store::{Batch, Store};

/// Where an import stands: `phase` is one of `read`, `verify`, `index`,
/// `done`; `done`/`total` count phases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub did: String,
    pub rev: String,
    pub commit: String,
    /// Records indexed (all the repo's records after a whole-repo import).
    pub records: usize,
}

const PHASES: [&str; 4] = ["read", "verify", "index", "done"];

impl<S: Store> Node<S> {
    /// The repo of `did` (the account's when `None`) as a CAR v1: the whole
    /// repo, or the blocks of the commits after the rev `since`.
    pub async fn export_car(
        &mut self,
        did: Option<&str>,
        since: Option<&str>,
    ) -> Result<Vec<u8>, NodeError> {
        let since = since.map(Tid::parse).transpose().map_err(RepoError::from)?;
        Ok(self.repo(did).await?.export_since(since).await?)
    }

    /// Imports a CAR: a whole repo (a new one, or a newer state of one the
    /// node holds) or the slice since the rev the node has. Every block is
    /// checked against its CID, the MST and the commit signature against
    /// `key` (a did:key), or the DID itself when it is a did:key, or the
    /// account's key for its own repo. Nothing is written when a check fails.
    pub async fn import_car(
        &mut self,
        bytes: &[u8],
        key: Option<&str>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary, NodeError> {
        report(&mut self.events, progress, 0);
        let commit = peek_commit(bytes)?;
        let did = commit.unsigned.did.clone();
        let verifier = self.verifier_for(&did, key)?;
        report(&mut self.events, progress, 1);
        let has_head = self.repo_known(&did) && self.repo(Some(&did)).await?.head().is_some();
        if has_head {
            let repo = self.repo(Some(&did)).await?;
            repo.apply_car(bytes, &verifier).await?;
        } else {
            let repo = import_car(self.store.clone(), bytes, Some(&did), &verifier).await?;
            let mut batch = Batch::new();
            self.know(&did, &mut batch);
            self.store.apply(batch).await?;
            self.known_now(&did);
            self.repos
                .insert(did.clone(), repo.with_indexes(Indexes::standard()));
        }
        report(&mut self.events, progress, 2);
        let repo = self.repo(Some(&did)).await?;
        let records = repo.index_all().await?;
        let (rev, commit) = match (repo.rev(), repo.head()) {
            (Some(r), Some(c)) => (r.to_string(), c.to_string()),
            _ => return Err(RepoError::Empty.into()),
        };
        self.feed_reload(&did).await;
        self.events.push(NodeEvent::Commit {
            did: did.clone(),
            rev: rev.clone(),
            cid: commit.clone(),
        });
        report(&mut self.events, progress, 3);
        Ok(ImportSummary {
            did,
            rev,
            commit,
            records,
        })
    }

    fn repo_known(&self, did: &str) -> bool {
        self.repo_dids().iter().any(|d| d == did)
    }

    fn verifier_for(&self, did: &str, key: Option<&str>) -> Result<PublicKey, NodeError> {
        if let Some(k) = key {
            return Ok(key_from_did_key(k)?);
        }
        if did.starts_with("did:key:") {
            return Ok(key_from_did_key(did)?);
        }
        match (self.did(), self.signing_key()) {
            (Ok(own), Ok(k)) if own == did => Ok(k.public()),
            _ => Err(NodeError::InvalidArgument(format!(
                "importing the repo of {did} needs its signing key (a did:key)"
            ))),
        }
    }

    /// Posts (from every repo the node has indexed) whose text holds every
    /// word of `query` (the last one as a prefix), best first: their
    /// at-URIs, and how many match in all.
    pub async fn search_posts(
        &mut self,
        query: &str,
        limit: usize,
    ) -> Result<(Vec<String>, usize), NodeError> {
        if limit == 0 || limit > 100 {
            return Err(NodeError::InvalidArgument("limit must be 1..=100".into()));
        }
        let opts = SearchOptions {
            limit,
            prefix: true,
            ..SearchOptions::default()
        };
        let page = self.repo(None).await?.search_posts(query, &opts).await?;
        let uris = page
            .hits
            .into_iter()
            .map(|h| String::from_utf8_lossy(&h.doc_id).into_owned())
            .collect();
        Ok((uris, page.total))
    }
}

/// Phase `i` of an import reached: to the caller's callback and the events.
fn report(events: &mut EventQueue, progress: &mut dyn FnMut(Progress), i: usize) {
    let p = Progress {
        phase: PHASES[i],
        done: i as u64,
        total: (PHASES.len() - 1) as u64,
    };
    events.push(NodeEvent::Progress {
        task: "import".into(),
        phase: p.phase.into(),
        done: p.done,
        total: p.total,
    });
    progress(p);
}

/// The root commit of a CAR, read without loading the rest: commits come
/// first in the CARs repos export, so this is cheap.
pub(crate) fn peek_commit(bytes: &[u8]) -> Result<Commit, NodeError> {
    let mut reader = CarReader::new(bytes, CarLimits::default()).map_err(RepoError::from)?;
    let roots = reader.roots().to_vec();
    let [root] = roots[..] else {
        return Err(RepoError::CarRoots(roots.len()).into());
    };
    while let Some((cid, block)) = reader.next_block().map_err(RepoError::from)? {
        if cid == root {
            return Ok(Commit::decode(&block)?);
        }
    }
    Err(RepoError::MissingBlock(root).into())
}
