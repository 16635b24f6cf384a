//! `com.atproto.sync.*`: repo export (whole or since a rev), latest commit,
//! record proofs, blocks, repo listing and status, and `subscribeRepos`
//! (the WebSocket is handed to the sequencer DO).

use super::{wrong_method, Ctx};
use crate::error::XrpcError;
use crate::http::{bytes, encode_component, internal, ok, DoCall, XResult};
use crate::{repo_do, sequencer};
use serde_json::{json, Value};
use worker::{Headers, Method, Request, RequestInit, Response};

const CAR: &str = "application/vnd.ipld.car";

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let want_get = match ctx.nsid.as_str() {
        "com.atproto.sync.getRepo"
        | "com.atproto.sync.getLatestCommit"
        | "com.atproto.sync.getRecord"
        | "com.atproto.sync.getBlocks"
        | "com.atproto.sync.listRepos"
        | "com.atproto.sync.getRepoStatus"
        | "com.atproto.sync.subscribeRepos" => true,
        "com.atproto.sync.requestCrawl" => false,
        _ => return None,
    };
    if want_get != is_get {
        return Some(Err(wrong_method(ctx, want_get)));
    }
    Some(match ctx.nsid.as_str() {
        "com.atproto.sync.subscribeRepos" => subscribe(ctx, req).await,
        "com.atproto.sync.requestCrawl" => ok(&json!({})),
        "com.atproto.sync.listRepos" => list_repos(ctx, req).await,
        _ => per_repo(ctx, req).await,
    })
}

async fn per_repo(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let did = p["did"].as_str().unwrap_or("").to_string();
    let account = ctx.accounts("resolve", &json!({ "ident": did })).await?;
    let call = |op| DoCall::new(repo_do::BINDING, &did, op);
    match ctx.nsid.as_str() {
        "com.atproto.sync.getRepo" => {
            let mut c = call("export");
            if let Some(s) = p["since"].as_str() {
                c = c.q("since", s);
            }
            bytes(c.send_bytes(ctx.env).await?, CAR)
        }
        "com.atproto.sync.getLatestCommit" => ok(&call("latest").send_json(ctx.env).await?),
        "com.atproto.sync.getRecord" => {
            let c = call("proof")
                .q("collection", p["collection"].as_str().unwrap_or(""))
                .q("rkey", p["rkey"].as_str().unwrap_or(""));
            bytes(c.send_bytes(ctx.env).await?, CAR)
        }
        "com.atproto.sync.getBlocks" => {
            let cids = match &p["cids"] {
                Value::Array(a) => a.clone(),
                Value::String(s) => vec![json!(s)],
                _ => Vec::new(),
            };
            let c = call("blocks").json(&json!({ "cids": cids }));
            bytes(c.send_bytes(ctx.env).await?, CAR)
        }
        _ => {
            let latest = call("latest").send_json(ctx.env).await.ok();
            ok(&json!({
                "did": did, "active": account["active"],
                "rev": latest.as_ref().map(|l| l["rev"].clone()),
            }))
        }
    }
}

async fn list_repos(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let limit = p["limit"].as_i64().unwrap_or(500).clamp(1, 1000);
    let page = ctx
        .accounts("list", &json!({ "limit": limit, "cursor": p["cursor"] }))
        .await?;
    let mut repos = Vec::new();
    for a in page["accounts"].as_array().cloned().unwrap_or_default() {
        let did = a["did"].as_str().unwrap_or("");
        let Ok(l) = DoCall::new(repo_do::BINDING, did, "latest")
            .send_json(ctx.env)
            .await
        else {
            continue;
        };
        repos.push(json!({ "did": did, "head": l["cid"], "rev": l["rev"], "active": a["active"] }));
    }
    ok(&json!({ "repos": repos, "cursor": page["cursor"] }))
}

async fn subscribe(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let upgrade = req.headers().get("upgrade").map_err(internal)?;
    if !upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(XrpcError::invalid_request(
            "subscribeRepos needs a WebSocket upgrade",
        ));
    }
    let p = ctx.params(req)?;
    let mut url = "https://do/subscribe".to_string();
    if let Some(c) = p["cursor"].as_i64() {
        url.push_str(&format!("?cursor={}", encode_component(&c.to_string())));
    }
    let headers = Headers::new();
    headers.set("upgrade", "websocket").map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let inner = Request::new_with_init(&url, &init).map_err(internal)?;
    let stub = ctx
        .env
        .durable_object(sequencer::BINDING)
        .and_then(|ns| ns.get_by_name(sequencer::NAME))
        .map_err(internal)?;
    let resp = stub.fetch_with_request(inner).await.map_err(internal)?;
    Ok(resp)
}
