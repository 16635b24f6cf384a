//! One-record writes (each one commit), and record reads: one record, and
//! a collection's records by key range.

use crate::repo::{Repo, WriteResult};
use crate::RepoError;
use crate::{Signer, Write};
use ues_data::cbor::{self, Ipld};
use ues_data::cid::Cid;
use ues_store::{verify_block, Store};

/// One record read by [`Repo::list_records`].
#[derive(Debug, Clone, PartialEq)]
pub struct RecordEntry {
    pub rkey: String,
    pub cid: Cid,
    pub value: Ipld,
}

impl<S: Store> Repo<S> {
    /// Creates one record (`rkey: None` takes a fresh TID); returns its key,
    /// its CID and the commit.
    pub async fn create_record(
        &mut self,
        collection: &str,
        rkey: Option<&str>,
        record: Ipld,
        signer: &dyn Signer,
    ) -> Result<(String, Cid, WriteResult), RepoError> {
        let rkey = rkey.map_or_else(|| self.next_tid().to_string(), str::to_string);
        let w = Write::Create {
            collection: collection.into(),
            rkey: Some(rkey.clone()),
            record,
        };
        let res = self.apply_writes(&[w], signer).await?;
        let cid = res.ops[0].new_value.ok_or(RepoError::Empty)?;
        Ok((rkey, cid, res))
    }

    /// Creates or replaces one record.
    pub async fn put_record(
        &mut self,
        collection: &str,
        rkey: &str,
        record: Ipld,
        signer: &dyn Signer,
    ) -> Result<WriteResult, RepoError> {
        let w = Write::Update {
            collection: collection.into(),
            rkey: rkey.into(),
            record,
        };
        self.apply_writes(&[w], signer).await
    }

    /// Deletes one record.
    pub async fn delete_record(
        &mut self,
        collection: &str,
        rkey: &str,
        signer: &dyn Signer,
    ) -> Result<WriteResult, RepoError> {
        let w = Write::Delete {
            collection: collection.into(),
            rkey: rkey.into(),
        };
        self.apply_writes(&[w], signer).await
    }

    /// The CID and value of a record, if present.
    pub async fn get_record(
        &mut self,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<(Cid, Ipld)>, RepoError> {
        let path = format!("{collection}/{rkey}");
        let Some(cid) = self.with_tree(|t| Ok(t.get(&path)?)).await? else {
            return Ok(None);
        };
        let bytes = self.fetch_block(cid).await?;
        Ok(Some((cid, cbor::decode_ipld(&bytes)?)))
    }

    /// Records of `collection` in key order (or reversed), after `cursor`
    /// (an rkey, exclusive), at most `limit`.
    pub async fn list_records(
        &mut self,
        collection: &str,
        cursor: Option<&str>,
        limit: usize,
        reverse: bool,
    ) -> Result<Vec<RecordEntry>, RepoError> {
        let mut lo = format!("{collection}/");
        let mut hi = format!("{collection}0");
        if let Some(c) = cursor {
            if reverse {
                hi = format!("{collection}/{c}");
            } else {
                lo = format!("{collection}/{c}\u{0}");
            }
        }
        let entries = self
            .with_tree(|t| Ok(t.range_page(Some(&lo), Some(&hi), limit, reverse)?))
            .await?;
        let cids: Vec<Cid> = entries.iter().map(|e| e.1).collect();
        let got = self.store.get_blocks(&cids).await?;
        let mut out = Vec::with_capacity(entries.len());
        for ((path, cid), bytes) in entries.into_iter().zip(got) {
            let bytes = bytes.ok_or(RepoError::MissingRecord {
                path: path.clone(),
                cid,
            })?;
            verify_block(&cid, &bytes)?;
            let rkey = path[collection.len() + 1..].to_string();
            let value = cbor::decode_ipld(&bytes)?;
            out.push(RecordEntry { rkey, cid, value });
        }
        Ok(out)
    }
}
