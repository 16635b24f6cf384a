//! `com.atproto.server.*`: describeServer, accounts, sessions, app passwords.

use super::{client_ip, wrong_method, Ctx};
use crate::error::XrpcError;
use crate::http::{ok, DoCall, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS, SCOPE_REFRESH};
use crate::repo_do;
use serde_json::{json, Value};
use worker::{Request, Response};

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let want_get = match ctx.nsid.as_str() {
        "com.atproto.server.describeServer"
        | "com.atproto.server.getSession"
        | "com.atproto.server.listAppPasswords" => true,
        "com.atproto.server.createAccount"
        | "com.atproto.server.createSession"
        | "com.atproto.server.refreshSession"
        | "com.atproto.server.deleteSession"
        | "com.atproto.server.createAppPassword"
        | "com.atproto.server.revokeAppPassword" => false,
        _ => return None,
    };
    if want_get != is_get {
        return Some(Err(wrong_method(ctx, want_get)));
    }
    Some(match ctx.nsid.as_str() {
        "com.atproto.server.describeServer" => ok(&json!({
            "did": ctx.service_did(),
            "availableUserDomains": domains(ctx),
            "inviteCodeRequired": false,
            "phoneVerificationRequired": false,
            "links": {},
            "contact": {},
        })),
        "com.atproto.server.createAccount" => create_account(ctx, req).await,
        "com.atproto.server.createSession" => create_session(ctx, req).await,
        "com.atproto.server.refreshSession" => refresh(ctx, req).await,
        "com.atproto.server.getSession" => get_session(ctx, req).await,
        "com.atproto.server.deleteSession" => delete_session(ctx, req).await,
        _ => app_passwords(ctx, req).await,
    })
}

/// The handle suffixes accounts may take (`HANDLE_DOMAINS`, comma separated).
fn domains(ctx: &Ctx) -> Vec<String> {
    ctx.var("HANDLE_DOMAINS")
        .unwrap_or_else(|| ".test".into())
        .split(',')
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

async fn create_account(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    ctx.rate_limit(&format!("signup:{}", client_ip(req)), 100, 3_600_000)
        .await?;
    let input = ctx.input(req).await?;
    let handle = input["handle"].as_str().unwrap_or("").to_lowercase();
    if !domains(ctx).iter().any(|d| handle.ends_with(d.as_str())) {
        return Err(XrpcError::bad(
            "UnsupportedDomain",
            format!("handle must end with one of {:?}", domains(ctx)),
        ));
    }
    let password = input["password"]
        .as_str()
        .ok_or_else(|| XrpcError::invalid_request("password is required"))?;
    // Self-custodial: the browser's did:key is the account's DID and key.
    let (did, signing_key) = match input["did"].as_str() {
        Some(d) if d.starts_with("did:key:") => (d.to_string(), Some(d.to_string())),
        Some(d) => {
            return Err(XrpcError::invalid_request(format!(
                "self-custodial accounts register a did:key, got {d}"
            )))
        }
        None => (format!("did:web:{handle}"), None),
    };
    let created = ctx
        .accounts(
            "create",
            &json!({
                "did": did, "handle": handle, "email": input["email"], "password": password,
                "custodial": signing_key.is_none(),
            }),
        )
        .await?;
    let init = DoCall::new(repo_do::BINDING, &did, "init")
        .json(&json!({ "did": did, "handle": handle, "signingKey": signing_key }))
        .send_json(ctx.env)
        .await;
    let init = match init {
        Ok(v) => v,
        Err(e) => {
            let _ = ctx.accounts("remove", &json!({ "did": did })).await;
            return Err(e);
        }
    };
    let sid = created["sid"].as_str().unwrap_or("");
    let (access, refresh) = ctx.tokens(&did, sid)?;
    ok(&json!({
        "handle": handle, "did": did, "accessJwt": access, "refreshJwt": refresh,
        "didDoc": did_doc(&did, &init["signingKey"], &handle, ctx),
    }))
}

/// The DID document of a hosted account.
pub fn did_doc(did: &str, key: &Value, handle: &str, ctx: &Ctx) -> Value {
    let key = key
        .as_str()
        .and_then(|k| ues_identity::PublicKey::from_did_key(k).ok());
    let Some(key) = key else {
        return Value::Null;
    };
    let pds = ctx.var("PUBLIC_URL");
    let doc = ues_identity::DidDocument::new(did, &key, Some(handle), pds.as_deref());
    serde_json::from_str(&doc.to_json()).unwrap_or(Value::Null)
}

async fn create_session(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    ctx.rate_limit(&format!("login:{}", client_ip(req)), 300, 300_000)
        .await?;
    let input = ctx.input(req).await?;
    let a = ctx.accounts("login", &input).await?;
    let did = a["did"].as_str().unwrap_or("");
    let (access, refresh) = ctx.tokens(did, a["sid"].as_str().unwrap_or(""))?;
    ok(&json!({
        "accessJwt": access, "refreshJwt": refresh, "handle": a["handle"], "did": did,
        "email": a["email"], "emailConfirmed": false, "active": a["active"],
    }))
}

async fn refresh(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let claims = ctx.auth(req, &[SCOPE_REFRESH]).await?;
    let a = ctx
        .accounts("refresh", &json!({ "sid": claims.jti }))
        .await?;
    let (access, refresh) = ctx.tokens(&claims.sub, a["sid"].as_str().unwrap_or(""))?;
    ok(&json!({
        "accessJwt": access, "refreshJwt": refresh, "handle": a["handle"], "did": claims.sub,
        "active": a["active"],
    }))
}

async fn get_session(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let claims = ctx.auth(req, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?;
    let a = ctx
        .accounts("resolve", &json!({ "ident": claims.sub }))
        .await?;
    ok(&json!({
        "handle": a["handle"], "did": claims.sub, "email": a["email"],
        "emailConfirmed": false, "active": a["active"],
    }))
}

async fn delete_session(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let claims = ctx
        .auth(req, &[SCOPE_REFRESH, SCOPE_ACCESS, SCOPE_APP_PASS])
        .await?;
    ctx.accounts("revoke", &json!({ "sid": claims.jti }))
        .await?;
    ok(&json!({}))
}

async fn app_passwords(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let claims = ctx.auth(req, &[SCOPE_ACCESS]).await?;
    let v = match ctx.nsid.as_str() {
        "com.atproto.server.listAppPasswords" => {
            ctx.accounts("app_list", &json!({ "did": claims.sub }))
                .await?
        }
        "com.atproto.server.createAppPassword" => {
            let input = ctx.input(req).await?;
            ctx.accounts(
                "app_create",
                &json!({ "did": claims.sub, "name": input["name"] }),
            )
            .await?
        }
        _ => {
            let input = ctx.input(req).await?;
            ctx.accounts(
                "app_revoke",
                &json!({ "did": claims.sub, "name": input["name"] }),
            )
            .await?;
            json!({})
        }
    };
    ok(&v)
}
