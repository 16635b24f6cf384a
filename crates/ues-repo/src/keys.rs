//! The repo's keys in the key-value store, one namespace per DID:
//! `repo/<did>/head` → the head commit's CID bytes;
//! `repo/<did>/log/<rev>` → the CIDs (concatenated bytes) of the blocks that
//! commit added, so the slice since a rev is a range scan.

use crate::RepoError;
use ues_data::cid::{self, Cid};

pub fn head(did: &str) -> Vec<u8> {
    format!("repo/{did}/head").into_bytes()
}

pub fn log_prefix(did: &str) -> Vec<u8> {
    format!("repo/{did}/log/").into_bytes()
}

pub fn log(did: &str, rev: &str) -> Vec<u8> {
    let mut k = log_prefix(did);
    k.extend_from_slice(rev.as_bytes());
    k
}

pub fn encode_cids<C: std::borrow::Borrow<Cid>>(cids: impl IntoIterator<Item = C>) -> Vec<u8> {
    let mut out = Vec::new();
    for c in cids {
        cid::write_bytes(c.borrow(), &mut out);
    }
    out
}

pub fn decode_cids(mut b: &[u8]) -> Result<Vec<Cid>, RepoError> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (c, n) = cid::read_bytes(b)
            .map_err(|e| RepoError::Corrupt(format!("commit block list: {e}")))?;
        out.push(c);
        b = &b[n..];
    }
    Ok(out)
}

pub fn decode_cid(b: &[u8]) -> Result<Cid, RepoError> {
    cid::from_bytes(b).map_err(|e| RepoError::Corrupt(format!("head: {e}")))
}
