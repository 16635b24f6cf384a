//! The repo DO's operations: init, writes, reads, exports and imports.

use super::{events, Loaded, RepoObject};
use crate::error::XrpcError;
use crate::http::{body_json, bytes, internal, ok, query, XResult};
use serde_json::{json, Value};
use ues_data::car::read_all;
use ues_data::cbor;
use ues_data::cid::Cid;
use ues_data::mst::{diff, Mst};
use ues_identity::{Keypair, PublicKey};
use ues_repo::{car_io, record_from_json, Repo, Tid, Write, WriteResult};
use worker::{Request, Response, SqlStorageValue as V};

const CAR: &str = "application/vnd.ipld.car";

fn str_of<'a>(v: &'a Value, k: &str) -> XResult<&'a str> {
    v[k].as_str()
        .ok_or_else(|| XrpcError::invalid_request(format!("missing {k}")))
}

fn need(req: &Request, k: &str) -> XResult<String> {
    query(req, k)?.ok_or_else(|| XrpcError::invalid_request(format!("missing {k}")))
}

fn parse_cid(s: &str) -> XResult<Cid> {
    ues_data::cid::parse(s).map_err(|e| XrpcError::invalid_request(format!("bad CID {s}: {e}")))
}

impl RepoObject {
    pub(super) async fn init(&self, slot: &mut Option<Loaded>, body: &Value) -> XResult<Response> {
        if slot.is_some() {
            return Err(XrpcError::bad("AlreadyExists", "repo already exists"));
        }
        let did = str_of(body, "did")?.to_string();
        let handle = body["handle"].as_str();
        let (signer, verifier) = match body["signingKey"].as_str() {
            Some(dk) => {
                let k = PublicKey::from_did_key(dk)
                    .map_err(|e| XrpcError::invalid_request(format!("signingKey: {e}")))?;
                self.set_meta("didKey", dk)?;
                (None, k)
            }
            None => {
                let k = Keypair::generate_k256().map_err(internal)?;
                let hex = data_encoding::HEXLOWER.encode(&k.to_bytes());
                self.set_meta("key", &hex)?;
                let p = k.public();
                (Some(k), p)
            }
        };
        self.set_meta("did", &did)?;
        let mut repo = Repo::open(self.store("r_")?, &did).await?;
        events::identity_and_account(&self.env, &did, handle).await?;
        if let Some(k) = &signer {
            let res = repo.apply_writes(&[], k).await?;
            events::commit(&self.env, &mut repo, &res, None, &[]).await?;
        }
        let key = verifier.to_did_key();
        *slot = Some(Loaded {
            repo,
            signer,
            verifier,
        });
        ok(&json!({ "did": did, "signingKey": key }))
    }

    pub(super) async fn run(
        &self,
        op: &str,
        req: &mut Request,
        l: &mut Loaded,
    ) -> XResult<Response> {
        match op {
            "write" => {
                let body = body_json(req).await?;
                self.write(l, &body).await
            }
            "get_record" => {
                let (c, k) = (need(req, "collection")?, need(req, "rkey")?);
                match l.repo.get_record(&c, &k).await? {
                    Some((cid, v)) => ok(&json!({
                        "uri": format!("at://{}/{c}/{k}", l.repo.did()),
                        "cid": cid.to_string(),
                        "value": cbor::to_json(&v),
                    })),
                    None => Err(XrpcError::bad(
                        "RecordNotFound",
                        format!("Could not locate record: at://{}/{c}/{k}", l.repo.did()),
                    )),
                }
            }
            "list_records" => {
                let c = need(req, "collection")?;
                let limit: usize = query(req, "limit")?
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(50);
                let reverse = query(req, "reverse")?.as_deref() == Some("true");
                let cursor = query(req, "cursor")?;
                let recs = l
                    .repo
                    .list_records(&c, cursor.as_deref(), limit, reverse)
                    .await?;
                let next = (recs.len() == limit)
                    .then(|| recs.last().map(|r| r.rkey.clone()))
                    .flatten();
                let did = l.repo.did().to_string();
                ok(&json!({
                    "records": recs.iter().map(|r| json!({
                        "uri": format!("at://{did}/{c}/{}", r.rkey),
                        "cid": r.cid.to_string(),
                        "value": cbor::to_json(&r.value),
                    })).collect::<Vec<_>>(),
                    "cursor": next,
                }))
            }
            "describe" => ok(&json!({
                "did": l.repo.did(),
                "collections": self.collections()?,
                "head": l.repo.head().map(|c| c.to_string()),
                "rev": l.repo.rev().map(|r| r.to_string()),
                "signingKey": l.verifier.to_did_key(),
                "custodial": l.signer.is_some(),
            })),
            "latest" => {
                let head = l
                    .repo
                    .head()
                    .ok_or_else(|| XrpcError::bad("RepoNotFound", "repo has no commit"))?;
                ok(&json!({ "cid": head.to_string(), "rev": l.repo.rev().map(|r| r.to_string()) }))
            }
            "export" => {
                let since = match query(req, "since")? {
                    Some(s) => Some(
                        Tid::parse(&s)
                            .map_err(|e| XrpcError::invalid_request(format!("since: {e}")))?,
                    ),
                    None => None,
                };
                bytes(l.repo.export_since(since).await?, CAR)
            }
            "blocks" => {
                let body = body_json(req).await?;
                let cids = body["cids"].as_array().cloned().unwrap_or_default();
                let mut blocks = Vec::new();
                for c in &cids {
                    let cid = parse_cid(c.as_str().unwrap_or(""))?;
                    let b = ues_store::BlockStore::get_block(l.repo.store(), &cid)
                        .await?
                        .ok_or_else(|| {
                            XrpcError::bad("BlockNotFound", format!("block {cid} not found"))
                        })?;
                    blocks.push((cid, b));
                }
                let car =
                    ues_data::car::write_car(&[], blocks.iter().map(|(c, b)| (c, b.as_slice())))
                        .map_err(internal)?;
                bytes(car, CAR)
            }
            "proof" => {
                let (c, k) = (need(req, "collection")?, need(req, "rkey")?);
                bytes(l.repo.record_proof(&c, &k).await?, CAR)
            }
            "list_blobs" => self.list_blobs(req),
            "import" => {
                let car = req.bytes().await.map_err(internal)?;
                self.import(l, &car).await
            }
            _ => Err(XrpcError::not_found(format!("repo: no op {op}"))),
        }
    }

    async fn write(&self, l: &mut Loaded, body: &Value) -> XResult<Response> {
        let signer = l.signer.as_ref().ok_or_else(|| {
            XrpcError::forbidden("a self-custodial repo is written by pushing signed commits")
        })?;
        if let Some(swap) = body["swapCommit"].as_str() {
            if l.repo.head().map(|c| c.to_string()).as_deref() != Some(swap) {
                return Err(XrpcError::bad(
                    "InvalidSwap",
                    "swapCommit does not match the head",
                ));
            }
        }
        let mut writes = Vec::new();
        let list = body["writes"].as_array().cloned().unwrap_or_default();
        for w in &list {
            let collection = str_of(w, "collection")?.to_string();
            let rkey = w["rkey"].as_str().map(str::to_string);
            if let Some(swap) = w.get("swapRecord") {
                let cur = match &rkey {
                    Some(k) => l
                        .repo
                        .get_record(&collection, k)
                        .await?
                        .map(|(c, _)| c.to_string()),
                    None => None,
                };
                if cur.as_deref() != swap.as_str() {
                    return Err(XrpcError::bad(
                        "InvalidSwap",
                        "swapRecord does not match the record",
                    ));
                }
            }
            let action = str_of(w, "action")?;
            let record = || record_from_json(&w["value"]).map_err(XrpcError::from);
            writes.push(match action {
                "create" => Write::Create {
                    collection: collection.clone(),
                    rkey: rkey.clone(),
                    record: record()?,
                },
                "update" => Write::Update {
                    collection: collection.clone(),
                    rkey: rkey
                        .clone()
                        .ok_or_else(|| XrpcError::invalid_request("update needs rkey"))?,
                    record: record()?,
                },
                "delete" => Write::Delete {
                    collection: collection.clone(),
                    rkey: rkey
                        .clone()
                        .ok_or_else(|| XrpcError::invalid_request("delete needs rkey"))?,
                },
                a => {
                    return Err(XrpcError::invalid_request(format!(
                        "unknown write action {a}"
                    )))
                }
            });
        }
        let since = l.repo.rev().map(|r| r.to_string());
        let res = l.repo.apply_writes(&writes, signer).await?;
        let did = l.repo.did().to_string();
        let mut results = Vec::new();
        for (op, w) in res.ops.iter().zip(&list) {
            let action = w["action"].as_str().unwrap_or("");
            let t = format!("com.atproto.repo.applyWrites#{action}Result");
            results.push(match op.new_value {
                Some(cid) => json!({ "$type": t, "uri": format!("at://{did}/{}", op.rpath), "cid": cid.to_string(), "validationStatus": w["validationStatus"] }),
                None => json!({ "$type": t }),
            });
        }
        for op in &res.ops {
            let coll = op.rpath.split('/').next().unwrap_or("");
            self.note_collection(&mut l.repo, coll).await?;
        }
        self.sequence(l, &res, since).await?;
        ok(
            &json!({ "commit": { "cid": res.commit.to_string(), "rev": res.rev.to_string() }, "results": results }),
        )
    }

    /// Keeps the `colls` table in step with the repo after a write to `coll`.
    async fn note_collection(
        &self,
        repo: &mut Repo<crate::store::DoStore>,
        coll: &str,
    ) -> XResult<()> {
        let _ = self.sql.exec(
            "CREATE TABLE IF NOT EXISTS colls(name TEXT PRIMARY KEY)",
            None,
        );
        let present = !repo.list_records(coll, None, 1, false).await?.is_empty();
        let q = if present {
            "INSERT OR IGNORE INTO colls(name) VALUES (?)"
        } else {
            "DELETE FROM colls WHERE name = ?"
        };
        self.sql.exec(q, vec![V::from(coll)]).map_err(internal)?;
        Ok(())
    }

    fn collections(&self) -> XResult<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Row {
            name: String,
        }
        let _ = self.sql.exec(
            "CREATE TABLE IF NOT EXISTS colls(name TEXT PRIMARY KEY)",
            None,
        );
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT name FROM colls ORDER BY name", None)
            .and_then(|c| c.to_array())
            .map_err(internal)?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    /// A pushed or imported CAR: a whole repo, or a slice on top of the head.
    /// Verified (signature by the repo's key, DID, newer rev, MST, records)
    /// before anything is stored; one batch. The firehose gets a `#commit`
    /// of the difference (ops, proofs, `prevData`), as for a relay-side
    /// write; `#sync` when it would be too large.
    pub(super) async fn import(&self, l: &mut Loaded, car: &[u8]) -> XResult<Response> {
        let did = l.repo.did().to_string();
        let since = l.repo.rev().map(|r| r.to_string());
        let mut res = if l.repo.head().is_none() {
            // A whole repo: every record is a create (the diff from the
            // empty tree, over the CAR's own blocks).
            let repo = car_io::import_car(self.store("r_")?, car, Some(&did), &l.verifier).await?;
            l.repo = repo;
            let blocks = read_all(car).map_err(internal)?.blocks;
            let (head, commit) = match (l.repo.head(), l.repo.commit()) {
                (Some(h), Some(c)) => (h, c.clone()),
                _ => return Err(XrpcError::internal("no head after import")),
            };
            let data = commit.unsigned.data;
            let d = diff(&mut Mst::empty(&blocks), &mut Mst::load(&blocks, data))
                .map_err(|e| XrpcError::from(ues_repo::RepoError::from(e)))?;
            WriteResult {
                commit: head,
                rev: commit.unsigned.rev,
                data,
                prev_data: None,
                ops: d.record_ops,
                blocks: Vec::new(),
            }
        } else {
            // A slice on top of the head: the repo returns what changed, so
            // a push costs the size of the slice, not of the repo.
            l.repo.apply_car(car, &l.verifier).await?
        };
        res.blocks.clear();
        let mut colls: Vec<&str> = res
            .ops
            .iter()
            .filter_map(|op| op.rpath.split_once('/').map(|(c, _)| c))
            .collect();
        colls.sort_unstable();
        colls.dedup();
        for coll in colls {
            self.note_collection(&mut l.repo, coll).await?;
        }
        self.sequence(l, &res, since).await?;
        ok(&json!({ "cid": res.commit.to_string(), "rev": res.rev.to_string() }))
    }
}
