//! The XRPC surface: `/xrpc/<nsid>` dispatch, authentication, parameter and
//! body validation by the lexicon engine, and the handlers by namespace.

mod appview;
mod blob;
mod identity;
mod repo;
mod server;
mod sync;
pub mod ues_sync;

use crate::accounts;
use crate::error::XrpcError;
use crate::http::{internal, query_pairs, DoCall, XResult};
use crate::jwt::{self, Claims};
use crate::lexicons;
use serde_json::Value;
use worker::{Env, Method, Request, Response};

pub use identity::well_known;

/// What every handler gets.
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub nsid: String,
}

impl Ctx<'_> {
    /// A `[vars]` value.
    pub fn var(&self, name: &str) -> Option<String> {
        var(self.env, name)
    }

    /// The DID of this service (the `aud` of its tokens).
    pub fn service_did(&self) -> String {
        self.var("SERVICE_DID")
            .unwrap_or_else(|| "did:web:localhost".to_string())
    }

    fn secret(&self) -> XResult<Vec<u8>> {
        let s = self
            .env
            .secret("JWT_SECRET")
            .map(|s| s.to_string())
            .ok()
            .or_else(|| self.var("JWT_SECRET"))
            .unwrap_or_default();
        if s.len() < 16 {
            return Err(XrpcError::internal(
                "JWT_SECRET is not set (or shorter than 16 bytes)",
            ));
        }
        Ok(s.into_bytes())
    }

    /// Query parameters, typed and validated by the method's lexicon.
    pub fn params(&self, req: &Request) -> XResult<Value> {
        let pairs = query_pairs(req)?;
        Ok(lexicons::registry().parse_params(&self.nsid, pairs)?)
    }

    /// The JSON body, validated by the method's lexicon.
    pub async fn input(&self, req: &mut Request) -> XResult<Value> {
        let b = req.bytes().await.map_err(internal)?;
        let v: Value = serde_json::from_slice(&b)
            .map_err(|e| XrpcError::invalid_request(format!("invalid JSON body: {e}")))?;
        lexicons::registry().validate_input(&self.nsid, &v)?;
        Ok(v)
    }

    /// Signs the access and refresh tokens of session `sid`.
    pub fn tokens(&self, did: &str, sid: &str) -> XResult<(String, String)> {
        let now = crate::http::now_ms() / 1000;
        let secret = self.secret()?;
        let mk = |scope: &str, ttl: u64| {
            jwt::sign(
                &Claims {
                    scope: scope.to_string(),
                    sub: did.to_string(),
                    aud: self.service_did(),
                    iat: now,
                    exp: now + ttl,
                    jti: sid.to_string(),
                },
                &secret,
            )
            .map_err(internal)
        };
        Ok((
            mk(jwt::SCOPE_ACCESS, jwt::ACCESS_TTL_S)?,
            mk(jwt::SCOPE_REFRESH, jwt::REFRESH_TTL_S)?,
        ))
    }

    /// The caller's verified session: a Bearer token with one of `scopes`,
    /// signed by this relay, unexpired, and not revoked.
    pub async fn auth(&self, req: &Request, scopes: &[&str]) -> XResult<Claims> {
        let header = req.headers().get("authorization").map_err(internal)?;
        let Some(token) = header.as_deref().and_then(|h| h.strip_prefix("Bearer ")) else {
            return Err(XrpcError::auth_required("Authentication Required"));
        };
        self.auth_token(token, scopes).await
    }

    /// Verifies a session token (as [`Ctx::auth`] does for the header).
    pub async fn auth_token(&self, token: &str, scopes: &[&str]) -> XResult<Claims> {
        let claims = self.verify_jwt(token, scopes)?;
        self.accounts("session", &serde_json::json!({ "sid": claims.jti }))
            .await?;
        Ok(claims)
    }

    /// [`Ctx::auth`] and a write rate limit on the caller's account
    /// (`write:<did>`, `RATE_WRITE` per hour) in one call to the accounts DO.
    pub async fn auth_write(&self, req: &Request, scopes: &[&str]) -> XResult<Claims> {
        let header = req.headers().get("authorization").map_err(internal)?;
        let Some(token) = header.as_deref().and_then(|h| h.strip_prefix("Bearer ")) else {
            return Err(XrpcError::auth_required("Authentication Required"));
        };
        let claims = self.verify_jwt(token, scopes)?;
        let key = format!("write:{}", claims.sub);
        let rate = self.rate_body(&key, 5000, 3_600_000);
        let v = self
            .accounts(
                "session_rate",
                &serde_json::json!({ "sid": claims.jti, "rate": rate }),
            )
            .await?;
        if v["rate"]["ok"] != Value::Bool(true) {
            return Err(XrpcError::rate_limited(format!(
                "rate limit exceeded ({key})"
            )));
        }
        Ok(claims)
    }

    /// The signature, expiry, scope and audience of a session token (no
    /// revocation check: that needs the accounts DO).
    fn verify_jwt(&self, token: &str, scopes: &[&str]) -> XResult<Claims> {
        let now = crate::http::now_ms() / 1000;
        let claims = jwt::verify(token.trim(), &self.secret()?, now).map_err(|e| match e {
            jwt::JwtError::Expired => XrpcError::expired_token("Token has expired"),
            jwt::JwtError::NoSecret => XrpcError::internal(e.to_string()),
            _ => XrpcError::invalid_token("Token could not be verified"),
        })?;
        if !scopes.contains(&claims.scope.as_str()) {
            return Err(XrpcError::invalid_token("Bad token scope"));
        }
        if claims.aud != self.service_did() {
            return Err(XrpcError::invalid_token("Bad token audience"));
        }
        Ok(claims)
    }

    /// A call to the accounts DO.
    pub async fn accounts(&self, op: &str, body: &Value) -> XResult<Value> {
        DoCall::new(accounts::BINDING, accounts::NAME, op)
            .json(body)
            .send_json(self.env)
            .await
    }

    /// The DID of `repo` (a DID or a handle).
    pub async fn resolve_repo(&self, repo: &str) -> XResult<String> {
        if repo.starts_with("did:") {
            return Ok(repo.to_string());
        }
        let v = self
            .accounts("resolve", &serde_json::json!({ "ident": repo }))
            .await?;
        v["did"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| XrpcError::bad("RepoNotFound", format!("no repo {repo}")))
    }

    /// The accounts DO's `rate` request for `key` (the limit from
    /// `RATE_<PREFIX>`, else `default`).
    fn rate_body(&self, key: &str, default: i64, window_ms: i64) -> Value {
        let name = format!(
            "RATE_{}",
            key.split(':').next().unwrap_or("").to_uppercase()
        );
        let limit = self
            .var(&name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default);
        serde_json::json!({ "key": key, "limit": limit, "windowMs": window_ms })
    }

    /// A fixed-window rate limit on `key`; `RateLimitExceeded` past `limit`.
    pub async fn rate_limit(&self, key: &str, default: i64, window_ms: i64) -> XResult<()> {
        let v = self
            .accounts("rate", &self.rate_body(key, default, window_ms))
            .await?;
        if v["ok"] == Value::Bool(true) {
            Ok(())
        } else {
            Err(XrpcError::rate_limited(format!(
                "rate limit exceeded ({key})"
            )))
        }
    }
}

/// A `[vars]` value of `env`.
pub fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string())
}

/// The client's address (for per-IP limits).
pub fn client_ip(req: &Request) -> String {
    let h = req.headers();
    h.get("cf-connecting-ip")
        .ok()
        .flatten()
        .or_else(|| h.get("x-real-ip").ok().flatten())
        .unwrap_or_else(|| "local".to_string())
}

/// Dispatches `/xrpc/<nsid>`.
pub async fn dispatch(nsid: &str, req: &mut Request, env: &Env) -> XResult<Response> {
    let ctx = Ctx {
        env,
        nsid: nsid.to_string(),
    };
    let is_get = req.method() == Method::Get;
    if let Some(r) = server::route(&ctx, req, is_get).await {
        return r;
    }
    if let Some(r) = repo::route(&ctx, req, is_get).await {
        return r;
    }
    if let Some(r) = blob::route(&ctx, req, is_get).await {
        return r;
    }
    if let Some(r) = sync::route(&ctx, req, is_get).await {
        return r;
    }
    if let Some(r) = identity::route(&ctx, req, is_get).await {
        return r;
    }
    if let Some(r) = appview::route(&ctx, req, is_get).await {
        return r;
    }
    Err(XrpcError::method_not_implemented(nsid))
}

/// `InvalidRequest` for a method called with the wrong HTTP verb.
pub fn wrong_method(ctx: &Ctx, want_get: bool) -> XrpcError {
    XrpcError::invalid_request(format!(
        "{} must be called with {}",
        ctx.nsid,
        if want_get { "GET" } else { "POST" }
    ))
}
