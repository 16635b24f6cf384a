//! Per-log membership: who may write, and with which key.
//!
//! Members are DIDs with an ed25519 key. A retired member keeps the ops it
//! wrote up to a final sequence number; any later op of theirs is rejected,
//! so every replica with the same membership accepts the same ops whatever
//! order they arrive in.

use crate::error::SyncError;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use ues_identity::{Algorithm, Keypair, PublicKey};

/// Verifies op signatures of one author.
pub trait OpVerifier {
    /// Whether `sig` signs `msg`.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// Signs ops as one author.
pub trait OpSigner {
    /// The author's DID.
    fn author(&self) -> String;
    /// The 64-byte signature of `msg`.
    fn sign(&self, msg: &[u8]) -> Vec<u8>;
}

/// Ed25519 (strict verification), the scheme of UES ops.
impl OpVerifier for PublicKey {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.algorithm() == Algorithm::Ed25519 && PublicKey::verify(self, msg, sig).is_ok()
    }
}

/// An ed25519 key signs as its did:key.
impl OpSigner for Keypair {
    fn author(&self) -> String {
        self.did_key()
    }
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        Keypair::sign(self, msg).to_vec()
    }
}

/// One member's key and, once retired, its last accepted sequence number.
#[derive(Clone)]
struct Member {
    key: Rc<dyn OpVerifier>,
    final_seq: Option<u64>,
}

/// The membership (write ACL) of one op log.
#[derive(Clone, Default)]
pub struct Acl {
    members: BTreeMap<String, Member>,
}

impl Acl {
    /// No members: nobody may write.
    pub fn new() -> Self {
        Self::default()
    }

    /// Admits `did` with `key` (ed25519 only).
    pub fn add(&mut self, did: &str, key: PublicKey) -> Result<(), SyncError> {
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(SyncError::BadKey {
                did: did.to_string(),
                reason: "op-log authors sign with ed25519".into(),
            });
        }
        self.add_verifier(did, Rc::new(key));
        Ok(())
    }

    /// Admits `did` with any signature scheme (tests use a cheap keyed hash;
    /// UES ops use ed25519 through [`Acl::add`]).
    pub fn add_verifier(&mut self, did: &str, key: Rc<dyn OpVerifier>) {
        self.members.insert(
            did.to_string(),
            Member {
                key,
                final_seq: None,
            },
        );
    }

    /// Admits the `did:key` of an ed25519 key; returns the DID.
    pub fn add_key(&mut self, key: PublicKey) -> Result<String, SyncError> {
        let did = key.to_did_key();
        self.add(&did, key)?;
        Ok(did)
    }

    /// Admits the did:key `did` (its key is in the DID).
    pub fn add_did_key(&mut self, did: &str) -> Result<(), SyncError> {
        let key = PublicKey::from_did_key(did).map_err(|e| SyncError::BadKey {
            did: did.to_string(),
            reason: e.to_string(),
        })?;
        self.add(did, key)
    }

    /// An ACL of the did:keys of `keys`.
    pub fn of_keys<'a>(keys: impl IntoIterator<Item = &'a Keypair>) -> Result<Self, SyncError> {
        let mut acl = Acl::new();
        for k in keys {
            acl.add_key(k.public())?;
        }
        Ok(acl)
    }

    /// Retires `did`: its ops up to `final_seq` stay valid, later ones are
    /// rejected. Returns whether `did` was a member.
    pub fn retire(&mut self, did: &str, final_seq: u64) -> bool {
        match self.members.get_mut(did) {
            Some(m) => {
                m.final_seq = Some(final_seq);
                true
            }
            None => false,
        }
    }

    /// DIDs of the retired members.
    pub fn retired(&self) -> BTreeSet<String> {
        self.members
            .iter()
            .filter(|(_, m)| m.final_seq.is_some())
            .map(|(d, _)| d.clone())
            .collect()
    }

    /// Every member DID (retired ones included), sorted.
    pub fn members(&self) -> Vec<String> {
        self.members.keys().cloned().collect()
    }

    /// The key that verifies `did`'s op number `seq`, if `did` may write it.
    pub fn key_for(&self, did: &str, seq: u64) -> Option<&dyn OpVerifier> {
        let m = self.members.get(did)?;
        match m.final_seq {
            Some(f) if seq > f => None,
            _ => Some(m.key.as_ref()),
        }
    }
}

impl std::fmt::Debug for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.members.iter().map(|(d, m)| (d, m.final_seq)))
            .finish()
    }
}
