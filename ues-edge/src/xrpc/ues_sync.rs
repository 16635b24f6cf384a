//! The UES sync WebSocket (`GET /ues/sync?did=<did>`, upgrade): the sync
//! layer's repo protocol (`ues_sync::RepoSession`: `repoHead` → `repoWant`
//! → `repoCar` chunks) with the repo's Durable Object, on a hibernating
//! WebSocket. Anyone may pull; the repo's owner, authenticated by a session
//! token (`Authorization: Bearer` or `?access_token=`, for browsers, whose
//! WebSocket cannot set headers), may also push signed commits.

use super::Ctx;
use crate::error::XrpcError;
use crate::http::{encode_component, internal, query, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS};
use crate::repo_do;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

/// Path of the endpoint.
pub const PATH: &str = "/ues/sync";

/// Checks the upgrade and the caller, then hands the socket to the repo DO.
pub async fn upgrade(req: &Request, env: &Env) -> XResult<Response> {
    let upgrade = req.headers().get("upgrade").map_err(internal)?;
    if !upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(XrpcError::invalid_request(
            "the UES sync endpoint needs a WebSocket upgrade",
        ));
    }
    let ctx = Ctx {
        env,
        nsid: "ues.sync.repo".to_string(),
    };
    let ident = query(req, "did")?.ok_or_else(|| XrpcError::invalid_request("missing did"))?;
    // An account of this relay (no Durable Object is made for unknown DIDs).
    let account = ctx
        .accounts("resolve", &serde_json::json!({ "ident": ident }))
        .await?;
    let did = account["did"]
        .as_str()
        .ok_or_else(|| XrpcError::bad("RepoNotFound", format!("no repo {ident}")))?
        .to_string();
    let header = req.headers().get("authorization").map_err(internal)?;
    let token = match header.as_deref().and_then(|h| h.strip_prefix("Bearer ")) {
        Some(t) => Some(t.trim().to_string()),
        None => query(req, "access_token")?,
    };
    let owner = match token {
        Some(t) => {
            let claims = ctx.auth_token(&t, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?;
            claims.sub == did
        }
        None => false,
    };
    let url = format!(
        "https://do/sync?owner={}&did={}",
        u8::from(owner),
        encode_component(&did)
    );
    let headers = Headers::new();
    headers.set("upgrade", "websocket").map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let inner = Request::new_with_init(&url, &init).map_err(internal)?;
    let stub = env
        .durable_object(repo_do::BINDING)
        .and_then(|ns| ns.get_by_name(&did))
        .map_err(internal)?;
    let mut resp = stub.fetch_with_request(inner).await.map_err(internal)?;
    if resp.status_code() == 101 {
        return Ok(resp);
    }
    let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
    Err(XrpcError::from_body(resp.status_code(), &body))
}
