//! Record writes and reads in the atproto JSON form, as hosts pass them.
//! Each write call is one signed commit in one storage batch.

use crate::events::{Action, NodeEvent};
use crate::{Node, NodeError};
use serde_json::{json, Value};
use ues_data::cbor;
use ues_repo::{record_from_json, Write, WriteResult};
use ues_store::Store;

/// A record read from a repo.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView {
    pub uri: String,
    pub cid: String,
    /// The record in the atproto JSON form.
    pub value: Value,
}

impl RecordView {
    pub fn to_json(&self) -> Value {
        json!({"uri": self.uri, "cid": self.cid, "value": self.value})
    }
}

/// What one write of a commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    pub uri: String,
    /// The record's new CID (none for a delete).
    pub cid: Option<String>,
    pub action: Action,
}

/// The commit a write call made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    pub commit: String,
    pub rev: String,
    pub results: Vec<WriteOutcome>,
}

impl CommitSummary {
    pub fn to_json(&self) -> Value {
        let results: Vec<Value> = self
            .results
            .iter()
            .map(|r| json!({"uri": r.uri, "cid": r.cid, "action": r.action.as_str()}))
            .collect();
        json!({"commit": self.commit, "rev": self.rev, "results": results})
    }
}

/// Writes from their JSON form: `[{action: "create"|"update"|"delete",
/// collection, rkey?, record?}]` (`rkey` may be left out of a create).
pub fn writes_from_json(v: &Value) -> Result<Vec<Write>, NodeError> {
    let bad = |m: String| NodeError::InvalidArgument(m);
    let list = v
        .as_array()
        .ok_or_else(|| bad("writes must be an array".into()))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, w) in list.iter().enumerate() {
        let field = |name: &str| w.get(name).and_then(Value::as_str).map(str::to_string);
        let action = field("action").ok_or_else(|| bad(format!("write {i}: no action")))?;
        let collection =
            field("collection").ok_or_else(|| bad(format!("write {i}: no collection")))?;
        let rkey = field("rkey");
        let record = || match w.get("record") {
            Some(r) => Ok(record_from_json(r)?),
            None => Err(bad(format!("write {i}: no record"))),
        };
        let need_rkey = || {
            rkey.clone()
                .ok_or_else(|| bad(format!("write {i}: no rkey")))
        };
        out.push(match action.as_str() {
            "create" => Write::Create {
                collection,
                rkey: rkey.clone(),
                record: record()?,
            },
            "update" => Write::Update {
                collection,
                rkey: need_rkey()?,
                record: record()?,
            },
            "delete" => Write::Delete {
                collection,
                rkey: need_rkey()?,
            },
            other => return Err(bad(format!("write {i}: unknown action {other:?}"))),
        });
    }
    Ok(out)
}

impl<S: Store> Node<S> {
    /// Applies `writes` to the account's repo as one signed commit. Records
    /// of collections with a loaded lexicon are validated first; nothing is
    /// written when any write is invalid.
    pub async fn apply_writes(&mut self, writes: &[Write]) -> Result<CommitSummary, NodeError> {
        if writes.is_empty() {
            return Err(NodeError::InvalidArgument("no writes".into()));
        }
        self.validate(writes)?;
        let key = self.signing_key()?.clone();
        let did = self.did()?.to_string();
        let res = self.repo(None).await?.apply_writes(writes, &key).await?;
        let done = self.committed(&did, &res);
        self.feed_commit(&done).await;
        Ok(done)
    }

    /// Creates a record (`rkey: None` takes a fresh TID).
    pub async fn create_record(
        &mut self,
        collection: &str,
        rkey: Option<&str>,
        record: &Value,
    ) -> Result<CommitSummary, NodeError> {
        let w = Write::Create {
            collection: collection.into(),
            rkey: rkey.map(str::to_string),
            record: record_from_json(record)?,
        };
        self.apply_writes(&[w]).await
    }

    /// Creates or replaces a record.
    pub async fn put_record(
        &mut self,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<CommitSummary, NodeError> {
        let w = Write::Update {
            collection: collection.into(),
            rkey: rkey.into(),
            record: record_from_json(record)?,
        };
        self.apply_writes(&[w]).await
    }

    /// Deletes a record (`RecordNotFound` if there is none).
    pub async fn delete_record(
        &mut self,
        collection: &str,
        rkey: &str,
    ) -> Result<CommitSummary, NodeError> {
        let w = Write::Delete {
            collection: collection.into(),
            rkey: rkey.into(),
        };
        self.apply_writes(&[w]).await
    }

    /// A record of the repo of `did` (the account's when `None`).
    pub async fn get_record(
        &mut self,
        did: Option<&str>,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordView>, NodeError> {
        let repo = self.repo(did).await?;
        let uri = format!("at://{}/{collection}/{rkey}", repo.did());
        Ok(repo
            .get_record(collection, rkey)
            .await?
            .map(|(cid, v)| RecordView {
                uri,
                cid: cid.to_string(),
                value: cbor::to_json(&v),
            }))
    }

    /// Records of `collection` in rkey order (newest first when `reverse`:
    /// TIDs sort by time), after the rkey `cursor`; the next page's cursor
    /// is the last rkey when the page is full.
    pub async fn list_records(
        &mut self,
        did: Option<&str>,
        collection: &str,
        cursor: Option<&str>,
        limit: usize,
        reverse: bool,
    ) -> Result<(Vec<RecordView>, Option<String>), NodeError> {
        if limit == 0 || limit > 1000 {
            return Err(NodeError::InvalidArgument("limit must be 1..=1000".into()));
        }
        let repo = self.repo(did).await?;
        let did = repo.did().to_string();
        let entries = repo
            .list_records(collection, cursor, limit, reverse)
            .await?;
        let next = (entries.len() == limit).then(|| entries[limit - 1].rkey.clone());
        let records = entries
            .into_iter()
            .map(|e| RecordView {
                uri: format!("at://{did}/{collection}/{}", e.rkey),
                cid: e.cid.to_string(),
                value: cbor::to_json(&e.value),
            })
            .collect();
        Ok((records, next))
    }

    fn validate(&self, writes: &[Write]) -> Result<(), NodeError> {
        let Some(lex) = &self.lexicons else {
            return Ok(());
        };
        for w in writes {
            let (collection, record) = match w {
                Write::Create {
                    collection, record, ..
                }
                | Write::Update {
                    collection, record, ..
                } => (collection, record),
                Write::Delete { .. } => continue,
            };
            if lex.get(collection).is_some() {
                lex.validate_record_ipld(collection, record)
                    .map_err(|e| NodeError::InvalidRecord(format!("{collection}: {e}")))?;
            }
        }
        Ok(())
    }

    /// Events for a commit of the repo of `did`, and its summary.
    pub(crate) fn committed(&mut self, did: &str, res: &WriteResult) -> CommitSummary {
        let rev = res.rev.to_string();
        let mut results = Vec::with_capacity(res.ops.len());
        for op in &res.ops {
            let action = match (op.old_value, op.new_value) {
                (None, Some(_)) => Action::Create,
                (Some(_), Some(_)) => Action::Update,
                _ => Action::Delete,
            };
            let out = WriteOutcome {
                uri: format!("at://{did}/{}", op.rpath),
                cid: op.new_value.map(|c| c.to_string()),
                action,
            };
            self.events.push(NodeEvent::Record {
                uri: out.uri.clone(),
                cid: out.cid.clone(),
                action,
                rev: rev.clone(),
            });
            results.push(out);
        }
        let commit = res.commit.to_string();
        self.events.push(NodeEvent::Commit {
            did: did.to_string(),
            rev: rev.clone(),
            cid: commit.clone(),
        });
        CommitSummary {
            commit,
            rev,
            results,
        }
    }
}
