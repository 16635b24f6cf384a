//! The node: one store, one account (a DID and its signing key), the repos
//! it holds (its own and the ones it imported or follows), and the event
//! queue. Hosts (the npm package, the web app, the CLI) drive this type.

use crate::account::{AccountRecord, ACCOUNT_KEY};
use crate::events::{EventQueue, NodeEvent, EVENT_QUEUE_CAP};
use crate::NodeError;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use ues_identity::keystore::{self, KdfParams};
use ues_identity::Keypair;
use ues_lexicon::Lexicons;
use ues_repo::{Indexes, Repo};
use ues_store::{Batch, Scan, Store};

/// Store keys naming the repos this node holds: `node/repo/<did>`.
const REPO_PREFIX: &[u8] = b"node/repo/";

pub(crate) type NodeRepo<S> = Repo<Rc<S>>;

/// Settings of a node.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeOptions {
    /// scrypt cost for sealing keys under a passphrase.
    pub kdf: KdfParams,
}

/// The node's account as hosts see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub did: String,
    /// The signing key's did:key (the key commits verify against).
    pub signing_key: Option<String>,
    /// Sealed under a passphrase.
    pub sealed: bool,
    /// Sealed and not unlocked in this session: writes fail with `Locked`.
    pub locked: bool,
}

/// A full UES node over the store `S`.
pub struct Node<S: Store> {
    pub(crate) store: Rc<S>,
    account: Option<AccountRecord>,
    pub(crate) key: Option<Keypair>,
    known: BTreeSet<String>,
    pub(crate) repos: BTreeMap<String, NodeRepo<S>>,
    pub(crate) events: EventQueue,
    pub(crate) lexicons: Option<Rc<Lexicons>>,
    /// The social feed's state, built on first use.
    pub(crate) feed: Option<crate::feed::NodeFeed>,
    options: NodeOptions,
}

impl<S: Store> Node<S> {
    /// Opens the node kept in `store` (empty the first time). An account
    /// whose key is not sealed is ready to sign; repos open on first use.
    pub async fn open(store: S, options: NodeOptions) -> Result<Self, NodeError> {
        let store = Rc::new(store);
        let account = match store.get(ACCOUNT_KEY).await? {
            Some(b) => Some(AccountRecord::from_bytes(&b)?),
            None => None,
        };
        let key = match &account {
            Some(a) if !a.is_sealed() => Some(a.open_key(None)?),
            _ => None,
        };
        let mut known = BTreeSet::new();
        for (k, _) in store.scan(&Scan::prefix(REPO_PREFIX)).await? {
            let did = std::str::from_utf8(&k[REPO_PREFIX.len()..])
                .map_err(|_| NodeError::Corrupt("repo key is not UTF-8".into()))?;
            known.insert(did.to_string());
        }
        Ok(Node {
            store,
            account,
            key,
            known,
            repos: BTreeMap::new(),
            events: EventQueue::new(EVENT_QUEUE_CAP),
            lexicons: None,
            feed: None,
            options,
        })
    }

    /// Validates records of the collections `lexicons` defines before they
    /// are written (others are written as they are, as a PDS does).
    pub fn set_lexicons(&mut self, lexicons: Rc<Lexicons>) {
        self.lexicons = Some(lexicons);
    }

    /// The account, if the node has one.
    pub fn account(&self) -> Option<AccountInfo> {
        self.account.as_ref().map(|a| AccountInfo {
            did: a.did.clone(),
            signing_key: self.key.as_ref().map(Keypair::did_key),
            sealed: a.is_sealed(),
            locked: a.is_sealed() && self.key.is_none(),
        })
    }

    /// The account's DID, or `NoAccount`.
    pub fn did(&self) -> Result<&str, NodeError> {
        Ok(&self.account.as_ref().ok_or(NodeError::NoAccount)?.did)
    }

    /// The DIDs of every repo the node holds.
    pub fn repo_dids(&self) -> Vec<String> {
        self.known.iter().cloned().collect()
    }

    /// Creates the node's account with a fresh k256 key. Its DID is `did`
    /// (e.g. a did:plc registered through a relay) or the key's did:key.
    /// With a passphrase the key is stored sealed.
    pub async fn create_account(
        &mut self,
        did: Option<&str>,
        passphrase: Option<&str>,
    ) -> Result<AccountInfo, NodeError> {
        let key = Keypair::generate_k256()?;
        self.install_account(key, did, passphrase).await
    }

    /// Imports an account from [`Node::export_identity`]'s bytes, sealed
    /// again under `passphrase` when `keep_sealed`, else stored plain.
    pub async fn import_identity(
        &mut self,
        sealed: &[u8],
        passphrase: &str,
        did: Option<&str>,
        keep_sealed: bool,
    ) -> Result<AccountInfo, NodeError> {
        let key = keystore::unwrap(sealed, passphrase)?;
        self.install_account(key, did, keep_sealed.then_some(passphrase))
            .await
    }

    async fn install_account(
        &mut self,
        key: Keypair,
        did: Option<&str>,
        passphrase: Option<&str>,
    ) -> Result<AccountInfo, NodeError> {
        if let Some(a) = &self.account {
            return Err(NodeError::AccountExists(a.did.clone()));
        }
        let did = match did {
            Some(d) => {
                ues_data::syntax::validate_did(d)
                    .map_err(|e| NodeError::InvalidArgument(format!("did: {e}")))?;
                d.to_string()
            }
            None => key.did_key(),
        };
        let record = AccountRecord::new(did.clone(), &key, passphrase, self.options.kdf)?;
        let mut batch = Batch::new();
        batch.put(ACCOUNT_KEY.to_vec(), record.to_bytes());
        batch.put(repo_key(&did), Vec::new());
        self.store.apply(batch).await?;
        self.known.insert(did.clone());
        self.account = Some(record);
        self.key = Some(key);
        self.events.push(NodeEvent::Account { did, locked: false });
        self.account().ok_or(NodeError::NoAccount)
    }

    /// Opens a sealed key for this session.
    pub fn unlock(&mut self, passphrase: &str) -> Result<AccountInfo, NodeError> {
        let account = self.account.as_ref().ok_or(NodeError::NoAccount)?;
        self.key = Some(account.open_key(Some(passphrase))?);
        self.events.push(NodeEvent::Account {
            did: account.did.clone(),
            locked: false,
        });
        self.account().ok_or(NodeError::NoAccount)
    }

    /// Forgets a sealed key until the next [`Node::unlock`] (a plain key
    /// cannot be locked: seal it first with [`Node::set_passphrase`]).
    pub fn lock(&mut self) -> Result<AccountInfo, NodeError> {
        let account = self.account.as_ref().ok_or(NodeError::NoAccount)?;
        if !account.is_sealed() {
            return Err(NodeError::InvalidArgument(
                "the key has no passphrase: set one before locking".into(),
            ));
        }
        self.key = None;
        self.events.push(NodeEvent::Account {
            did: account.did.clone(),
            locked: true,
        });
        self.account().ok_or(NodeError::NoAccount)
    }

    /// Seals the stored key under `passphrase` (or stores it plain when
    /// `None`). The key must be unlocked.
    pub async fn set_passphrase(&mut self, passphrase: Option<&str>) -> Result<(), NodeError> {
        let key = self.signing_key()?;
        let did = self.did()?.to_string();
        let record = AccountRecord::new(did, key, passphrase, self.options.kdf)?;
        let mut batch = Batch::new();
        batch.put(ACCOUNT_KEY.to_vec(), record.to_bytes());
        self.store.apply(batch).await?;
        self.account = Some(record);
        Ok(())
    }

    /// The account's key sealed under `passphrase` (the keystore format), to
    /// back it up or move it to another node.
    pub fn export_identity(&self, passphrase: &str) -> Result<Vec<u8>, NodeError> {
        Ok(keystore::wrap(
            self.signing_key()?,
            passphrase,
            self.options.kdf,
        )?)
    }

    pub(crate) fn signing_key(&self) -> Result<&Keypair, NodeError> {
        match (&self.account, &self.key) {
            (None, _) => Err(NodeError::NoAccount),
            (Some(_), None) => Err(NodeError::Locked),
            (Some(_), Some(k)) => Ok(k),
        }
    }

    /// The repo of `did` (the account's when `None`), opened on first use.
    pub(crate) async fn repo(&mut self, did: Option<&str>) -> Result<&mut NodeRepo<S>, NodeError> {
        let did = match did {
            Some(d) => d.to_string(),
            None => self.did()?.to_string(),
        };
        if !self.known.contains(&did) {
            return Err(NodeError::UnknownRepo(did));
        }
        if !self.repos.contains_key(&did) {
            let repo = Repo::open(self.store.clone(), &did).await?;
            self.repos
                .insert(did.clone(), repo.with_indexes(Indexes::standard()));
        }
        self.repos.get_mut(&did).ok_or(NodeError::UnknownRepo(did))
    }

    /// Records that the node holds the repo of `did` (in `batch`).
    pub(crate) fn know(&mut self, did: &str, batch: &mut Batch) {
        if !self.known.contains(did) {
            batch.put(repo_key(did), Vec::new());
        }
    }

    pub(crate) fn known_now(&mut self, did: &str) {
        self.known.insert(did.to_string());
    }

    /// Every event since the last call, oldest first.
    pub fn drain_events(&mut self) -> Vec<NodeEvent> {
        self.events.drain()
    }
}

fn repo_key(did: &str) -> Vec<u8> {
    [REPO_PREFIX, did.as_bytes()].concat()
}
