//! Repo format v3 commits: `{did, version: 3, data, rev, prev}` signed with
//! a 64-byte compact signature over the DAG-CBOR of the unsigned commit; the
//! signed commit is the same map plus `sig`.

use crate::tid::Tid;
use crate::RepoError;
use std::collections::BTreeMap;
use ues_data::cbor::{self, Ipld};
use ues_data::cid::{cbor_cid, Cid};

/// The repository format version written and accepted.
pub const REPO_VERSION: i128 = 3;

/// Signs commits: a 64-byte compact low-S ECDSA signature over
/// sha256(`msg`) for AT Protocol repos (k256 or p256).
pub trait Signer {
    /// The signature of `msg`.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, RepoError>;
    /// The did:key of the public key that verifies these signatures.
    fn did_key(&self) -> String;
}

/// Verifies commit signatures.
pub trait Verifier {
    /// Whether `sig` is a valid signature of `msg` by this key.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// A commit before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedCommit {
    /// The repository's DID.
    pub did: String,
    /// The MST root.
    pub data: Cid,
    /// The revision: a TID greater than every earlier rev of the repo.
    pub rev: Tid,
    /// The previous commit (v3 writers usually leave it null).
    pub prev: Option<Cid>,
}

/// A signed commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The signed fields.
    pub unsigned: UnsignedCommit,
    /// The signature over the unsigned commit's DAG-CBOR.
    pub sig: Vec<u8>,
}

impl UnsignedCommit {
    fn fields(&self) -> BTreeMap<String, Ipld> {
        let mut m = BTreeMap::new();
        m.insert("did".into(), Ipld::String(self.did.clone()));
        m.insert("version".into(), Ipld::Integer(REPO_VERSION));
        m.insert("data".into(), Ipld::Link(self.data));
        m.insert("rev".into(), Ipld::String(self.rev.to_string()));
        m.insert("prev".into(), self.prev.map_or(Ipld::Null, Ipld::Link));
        m
    }

    /// The canonical DAG-CBOR bytes that are signed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RepoError> {
        Ok(cbor::encode(&Ipld::Map(self.fields()))?)
    }

    /// Signs the commit with `signer`.
    pub fn sign(self, signer: &dyn Signer) -> Result<Commit, RepoError> {
        let sig = signer.sign(&self.to_bytes()?)?;
        Ok(Commit {
            unsigned: self,
            sig,
        })
    }
}

impl Commit {
    /// The signed commit's DAG-CBOR bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RepoError> {
        let mut m = self.unsigned.fields();
        m.insert("sig".into(), Ipld::Bytes(self.sig.clone()));
        Ok(cbor::encode(&Ipld::Map(m))?)
    }

    /// The bytes and CID of the commit block.
    pub fn to_block(&self) -> Result<(Cid, Vec<u8>), RepoError> {
        let bytes = self.to_bytes()?;
        Ok((cbor_cid(&bytes), bytes))
    }

    /// Decodes a signed commit block (strict canonical DAG-CBOR), checking
    /// every field's type and the version.
    pub fn decode(bytes: &[u8]) -> Result<Self, RepoError> {
        let ipld = cbor::decode_ipld(bytes).map_err(RepoError::NonCanonical)?;
        let bad = |m: &str| RepoError::BadCommit(m.to_string());
        let Ipld::Map(m) = ipld else {
            return Err(bad("not a map"));
        };
        let allowed = ["did", "version", "data", "rev", "prev", "sig"];
        if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(RepoError::BadCommit(format!("unexpected field {k:?}")));
        }
        let did = match m.get("did") {
            Some(Ipld::String(s)) => s.clone(),
            _ => return Err(bad("did must be a string")),
        };
        match m.get("version") {
            Some(Ipld::Integer(REPO_VERSION)) => {}
            Some(Ipld::Integer(v)) => {
                return Err(RepoError::BadCommit(format!("unsupported version {v}")))
            }
            _ => return Err(bad("version must be an integer")),
        }
        let data = match m.get("data") {
            Some(Ipld::Link(c)) => *c,
            _ => return Err(bad("data must be a link")),
        };
        let rev = match m.get("rev") {
            Some(Ipld::String(s)) => Tid::parse(s)?,
            _ => return Err(bad("rev must be a string")),
        };
        let prev = match m.get("prev") {
            Some(Ipld::Link(c)) => Some(*c),
            Some(Ipld::Null) | None => None,
            _ => return Err(bad("prev must be a link or null")),
        };
        let sig = match m.get("sig") {
            Some(Ipld::Bytes(b)) => b.clone(),
            _ => return Err(bad("sig must be bytes")),
        };
        Ok(Commit {
            unsigned: UnsignedCommit {
                did,
                data,
                rev,
                prev,
            },
            sig,
        })
    }

    /// Checks the signature against `key`.
    pub fn verify(&self, key: &dyn Verifier) -> Result<(), RepoError> {
        if key.verify(&self.unsigned.to_bytes()?, &self.sig) {
            Ok(())
        } else {
            Err(RepoError::BadSignature)
        }
    }
}
