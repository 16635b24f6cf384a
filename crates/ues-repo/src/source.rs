//! Record writes, record encoding, and block helpers shared by the repo,
//! the CAR import and the firehose check.

use crate::RepoError;
use ues_data::cbor::{self, Ipld};
use ues_data::cid::{cbor_cid, Cid};
use ues_data::mst::BlockSource;

/// One record write of an `applyWrites` batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Creates a record; fails if the path holds one. `rkey: None` takes a
    /// fresh TID.
    Create {
        collection: String,
        rkey: Option<String>,
        record: Ipld,
    },
    /// Creates or replaces a record.
    Update {
        collection: String,
        rkey: String,
        record: Ipld,
    },
    /// Deletes a record; fails if the path holds none.
    Delete { collection: String, rkey: String },
}

/// A record from its atproto JSON form (`{"$link"}`, `{"$bytes"}`).
pub fn record_from_json(v: &serde_json::Value) -> Result<Ipld, RepoError> {
    cbor::from_json(v).map_err(RepoError::InvalidRecord)
}

/// Encodes a record as canonical DAG-CBOR: its CID and bytes.
pub fn encode_record(record: &Ipld) -> Result<(Cid, Vec<u8>), RepoError> {
    if !matches!(record, Ipld::Map(_)) {
        return Err(RepoError::InvalidRecord(ues_data::cbor::CborError::Encode(
            "a record must be a map".into(),
        )));
    }
    let bytes = cbor::encode_ipld(record).map_err(RepoError::InvalidRecord)?;
    Ok((cbor_cid(&bytes), bytes))
}

/// Two block sources read as one (e.g. a CAR slice over the cached tree).
pub struct Overlay<'a> {
    pub top: &'a dyn BlockSource,
    pub base: &'a dyn BlockSource,
}

impl BlockSource for Overlay<'_> {
    fn block(&self, cid: &Cid) -> Option<&[u8]> {
        self.top.block(cid).or_else(|| self.base.block(cid))
    }
}

/// The subtree links of an MST node block (`l` and each entry's `t`);
/// empty when the block is not a node.
pub fn node_links(bytes: &[u8]) -> Vec<Cid> {
    let mut out = Vec::new();
    let Ok(Ipld::Map(m)) = cbor::decode_ipld(bytes) else {
        return out;
    };
    if let Some(Ipld::Link(c)) = m.get("l") {
        out.push(*c);
    }
    if let Some(Ipld::List(es)) = m.get("e") {
        for e in es {
            if let Ipld::Map(e) = e {
                if let Some(Ipld::Link(c)) = e.get("t") {
                    out.push(*c);
                }
            }
        }
    }
    out
}
