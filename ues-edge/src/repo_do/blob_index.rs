//! The repo's blob index (`record_blobs`: which record references which
//! blob, since which rev), kept with each commit, and the sequencing of a
//! commit: blobs noted, `#commit` (with `blobs`) sent, sync sockets told.

use super::{events, Loaded, RepoObject};
use crate::http::{internal, ok, query, XResult};
use serde_json::json;
use ues_repo::WriteResult;
use worker::{Request, Response, SqlStorageValue as V};

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS record_blobs(path TEXT NOT NULL, cid TEXT NOT NULL, rev TEXT NOT NULL, PRIMARY KEY (path, cid))";

impl RepoObject {
    /// After a commit: notes its blob references, puts its `#commit` on the
    /// firehose and announces the new head to sync sockets.
    pub(super) async fn sequence(
        &self,
        l: &mut Loaded,
        res: &WriteResult,
        since: Option<String>,
    ) -> XResult<()> {
        let refs = events::record_blobs(&l.repo, res).await?;
        let rev = res.rev.to_string();
        self.sql.exec(TABLE, None).map_err(internal)?;
        for op in &res.ops {
            self.sql
                .exec(
                    "DELETE FROM record_blobs WHERE path = ?",
                    vec![V::from(op.rpath.as_str())],
                )
                .map_err(internal)?;
        }
        let mut all = Vec::new();
        for (path, cids) in &refs {
            for c in cids {
                self.sql
                    .exec(
                        "INSERT OR IGNORE INTO record_blobs(path, cid, rev) VALUES (?, ?, ?)",
                        vec![
                            V::from(path.as_str()),
                            V::from(c.to_string()),
                            V::from(rev.as_str()),
                        ],
                    )
                    .map_err(internal)?;
                if !all.contains(c) {
                    all.push(*c);
                }
            }
        }
        events::commit(&self.env, &mut l.repo, res, since, &all).await?;
        self.announce_all(l);
        Ok(())
    }

    /// `listBlobs`: the blobs referenced by the repo's records, those noted
    /// after `since` when given; by CID, paged by `cursor` (the last CID).
    pub(super) fn list_blobs(&self, req: &Request) -> XResult<Response> {
        #[derive(serde::Deserialize)]
        struct Row {
            cid: String,
        }
        let since = query(req, "since")?.unwrap_or_default();
        let cursor = query(req, "cursor")?.unwrap_or_default();
        let limit: i64 = query(req, "limit")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(500)
            .clamp(1, 1000);
        self.sql.exec(TABLE, None).map_err(internal)?;
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT DISTINCT cid FROM record_blobs WHERE rev > ? AND cid > ? ORDER BY cid LIMIT ?",
                vec![V::from(since), V::from(cursor), V::from(limit)],
            )
            .and_then(|c| c.to_array())
            .map_err(internal)?;
        let full = i64::try_from(rows.len()).unwrap_or(0) == limit;
        let next = if full {
            rows.last().map(|r| r.cid.clone())
        } else {
            None
        };
        let cids: Vec<String> = rows.into_iter().map(|r| r.cid).collect();
        ok(&json!({ "cids": cids, "cursor": next }))
    }
}
