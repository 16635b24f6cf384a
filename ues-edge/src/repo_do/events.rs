//! The events a repo sends to the sequencer: `#commit` (with its CAR slice,
//! `prevData` and proof blocks), `#sync`, `#identity`, `#account`.

use crate::frame::MAX_FRAME;
use crate::http::{internal, DoCall, XResult};
use crate::sequencer;
use std::collections::BTreeMap;
use ues_data::cbor::{self, Ipld};
use ues_data::cid::Cid;
use ues_repo::{Repo, WriteResult};
use worker::Env;

fn text(s: &str) -> Ipld {
    Ipld::String(s.to_string())
}

/// Sends one event body of type `t` for `did`; returns its seq.
pub async fn send(env: &Env, t: &str, did: &str, body: &Ipld) -> XResult<i64> {
    if let (true, Ipld::Map(m)) = (t == "#identity", body) {
        if let Some(Ipld::String(h)) = m.get("handle") {
            // The AppView is told; its failure is not the writer's (a cold
            // AppView reads the handles from the accounts again).
            let _ = crate::appview::object::send_handle(env, did, h).await;
        }
    }
    let bytes = cbor::encode(body).map_err(internal)?;
    let v = DoCall::new(sequencer::BINDING, sequencer::NAME, "append")
        .q("t", t)
        .q("did", did)
        .body(bytes)
        .send_json(env)
        .await?;
    Ok(v["seq"].as_i64().unwrap_or(0))
}

/// The blobs referenced by each record `res` created or updated, by path.
pub async fn record_blobs<S: ues_store::Store>(
    repo: &Repo<S>,
    res: &WriteResult,
) -> XResult<Vec<(String, Vec<Cid>)>> {
    let mut out = Vec::new();
    for op in &res.ops {
        let Some(cid) = op.new_value else { continue };
        let Some(b) = ues_store::BlockStore::get_block(repo.store(), &cid).await? else {
            continue;
        };
        let v = cbor::decode_ipld(&b).map_err(internal)?;
        let refs = crate::blobs::blob_refs(&v);
        if !refs.is_empty() {
            out.push((op.rpath.clone(), refs));
        }
    }
    Ok(out)
}

/// The `#commit` of `res` (`since`: the rev before it; `blobs`: the blobs
/// its new records reference), or a `#sync` when the frame would be too
/// large.
pub async fn commit<S: ues_store::Store>(
    env: &Env,
    repo: &mut Repo<S>,
    res: &WriteResult,
    since: Option<String>,
    blobs: &[Cid],
) -> XResult<i64> {
    appview_ops(env, repo, res).await;
    let mut ev = repo.commit_event(res).await?;
    if let Ipld::Map(m) = &mut ev {
        m.insert("since".into(), since.map_or(Ipld::Null, Ipld::String));
        let links = blobs.iter().map(|c| Ipld::Link(*c)).collect();
        m.insert("blobs".into(), Ipld::List(links));
    }
    let size = cbor::encode(&ev).map_err(internal)?.len();
    if size + 512 > MAX_FRAME {
        return sync(env, repo).await;
    }
    send(env, "#commit", repo.did(), &ev).await
}

/// A `#sync` event: the current commit block (consumers resync from it).
pub async fn sync<S: ues_store::Store>(env: &Env, repo: &mut Repo<S>) -> XResult<i64> {
    let head = repo
        .head()
        .ok_or_else(|| crate::error::XrpcError::internal("sync of an empty repo"))?;
    let commit = repo.commit().ok_or_else(|| internal("no commit"))?;
    let block = commit.to_bytes()?;
    let car = ues_data::car::write_car(&[head], [(&head, block.as_slice())]).map_err(internal)?;
    let rev = commit.unsigned.rev.to_string();
    let mut m = BTreeMap::new();
    m.insert("did".to_string(), text(repo.did()));
    m.insert("blocks".to_string(), Ipld::Bytes(car));
    m.insert("rev".to_string(), Ipld::String(rev));
    send(env, "#sync", repo.did(), &Ipld::Map(m)).await
}

/// `#identity` (with the handle) and `#account` (active) for a new account.
pub async fn identity_and_account(env: &Env, did: &str, handle: Option<&str>) -> XResult<()> {
    let mut m = BTreeMap::new();
    m.insert("did".to_string(), text(did));
    if let Some(h) = handle {
        m.insert("handle".to_string(), text(h));
    }
    send(env, "#identity", did, &Ipld::Map(m)).await?;
    let mut m = BTreeMap::new();
    m.insert("did".to_string(), text(did));
    m.insert("active".to_string(), Ipld::Bool(true));
    send(env, "#account", did, &Ipld::Map(m)).await?;
    Ok(())
}

/// Sends the feed's record changes of `res` to the AppView (every commit
/// comes through [`commit`]). Best effort: a failure leaves the AppView
/// stale until its next cold start rebuilds it from the repos.
async fn appview_ops<S: ues_store::Store>(env: &Env, repo: &Repo<S>, res: &WriteResult) {
    use crate::appview::state::OpJson;
    let mut ops = Vec::new();
    for op in &res.ops {
        let Some((collection, rkey)) = op.rpath.split_once('/') else {
            continue;
        };
        if !ues_apps::feed::parse::is_feed_collection(collection) {
            continue;
        }
        let mut o = OpJson {
            collection: collection.to_string(),
            rkey: rkey.to_string(),
            cid: None,
            record: None,
        };
        if let Some(cid) = op.new_value {
            let Ok(Some(b)) = ues_store::BlockStore::get_block(repo.store(), &cid).await else {
                continue;
            };
            let Ok(v) = cbor::decode_ipld(&b) else {
                continue;
            };
            o.cid = Some(cid.to_string());
            o.record = Some(cbor::to_json(&v));
        }
        ops.push(o);
    }
    let _ = crate::appview::object::send_ops(env, repo.did(), &ops).await;
}
