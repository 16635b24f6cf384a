//! `com.atproto.identity.*`, `com.atproto.moderation.createReport`, and the
//! well-known documents: `/.well-known/atproto-did` (handle → DID) and
//! `/.well-known/did.json` (the did:web document of a hosted handle).

use super::{wrong_method, Ctx};
use crate::error::XrpcError;
use crate::http::{internal, ok, DoCall, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS};
use crate::repo_do;
use serde_json::json;
use worker::{Env, Headers, Request, Response};

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let want_get = match ctx.nsid.as_str() {
        "com.atproto.identity.resolveHandle" | "com.atproto.identity.resolveDid" => true,
        "com.atproto.identity.updateHandle" | "com.atproto.moderation.createReport" => false,
        _ => return None,
    };
    if want_get != is_get {
        return Some(Err(wrong_method(ctx, want_get)));
    }
    Some(match ctx.nsid.as_str() {
        "com.atproto.identity.resolveHandle" => resolve_handle(ctx, req).await,
        "com.atproto.identity.resolveDid" => resolve_did(ctx, req).await,
        "com.atproto.identity.updateHandle" => update_handle(ctx, req).await,
        _ => report(ctx, req).await,
    })
}

async fn resolve_handle(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let handle = p["handle"].as_str().unwrap_or("");
    let a = ctx
        .accounts("resolve", &json!({ "ident": handle }))
        .await
        .map_err(|_| XrpcError::bad("HandleNotFound", "Unable to resolve handle"))?;
    ok(&json!({ "did": a["did"] }))
}

async fn doc_of(ctx: &Ctx<'_>, did: &str) -> XResult<serde_json::Value> {
    let a = ctx
        .accounts("resolve", &json!({ "ident": did }))
        .await
        .map_err(|_| XrpcError::bad("DidNotFound", format!("no DID document for {did}")))?;
    let d = DoCall::new(repo_do::BINDING, did, "describe")
        .send_json(ctx.env)
        .await?;
    Ok(super::server::did_doc(
        did,
        &d["signingKey"],
        a["handle"].as_str().unwrap_or(""),
        ctx,
    ))
}

async fn resolve_did(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let doc = doc_of(ctx, p["did"].as_str().unwrap_or("")).await?;
    ok(&json!({ "didDoc": doc }))
}

async fn update_handle(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let input = ctx.input(req).await?;
    let claims = ctx.auth(req, &[SCOPE_ACCESS]).await?;
    let handle = input["handle"].as_str().unwrap_or("").to_lowercase();
    ctx.accounts(
        "update_handle",
        &json!({ "did": claims.sub, "handle": handle }),
    )
    .await?;
    let mut m = std::collections::BTreeMap::new();
    m.insert(
        "did".to_string(),
        ues_data::cbor::Ipld::String(claims.sub.clone()),
    );
    m.insert("handle".to_string(), ues_data::cbor::Ipld::String(handle));
    crate::repo_do::send_event(
        ctx.env,
        "#identity",
        &claims.sub,
        &ues_data::cbor::Ipld::Map(m),
    )
    .await?;
    ok(&json!({}))
}

async fn report(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let input = ctx.input(req).await?;
    let claims = ctx.auth(req, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?;
    let v = ctx
        .accounts(
            "report",
            &json!({
                "reasonType": input["reasonType"], "reason": input["reason"],
                "subject": input["subject"], "reportedBy": claims.sub,
            }),
        )
        .await?;
    ok(&v)
}

/// Serves `/.well-known/atproto-did` and `/.well-known/did.json` for the
/// handle named by the `Host` header.
pub async fn well_known(path: &str, req: &Request, env: &Env) -> XResult<Response> {
    let host = req
        .headers()
        .get("host")
        .map_err(internal)?
        .unwrap_or_default();
    let handle = host.split(':').next().unwrap_or("").to_lowercase();
    let ctx = Ctx {
        env,
        nsid: String::new(),
    };
    let a = ctx
        .accounts("resolve", &json!({ "ident": handle }))
        .await
        .map_err(|_| XrpcError::not_found(format!("no account for {handle}")))?;
    let did = a["did"].as_str().unwrap_or("").to_string();
    if path == "/.well-known/atproto-did" {
        let headers = Headers::new();
        headers
            .set("content-type", "text/plain")
            .map_err(internal)?;
        return Ok(Response::ok(did).map_err(internal)?.with_headers(headers));
    }
    if did != format!("did:web:{handle}") {
        return Err(XrpcError::not_found(
            "this handle's DID is not a did:web here",
        ));
    }
    ok(&doc_of(&ctx, &did).await?)
}
