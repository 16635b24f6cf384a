//! `app.bsky.*` views: the caller's session (optional, required for the
//! timeline) is checked here, the view is computed by the AppView DO.
//! With `UES_EDGE_TEST_ROUTES` on, every answer is also validated against
//! the method's output lexicon (a mismatch is a 500).

use super::{wrong_method, Ctx};
use crate::appview::{object, query::METHODS};
use crate::error::XrpcError;
use crate::http::{ok, DoCall, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS};
use crate::lexicons;
use serde_json::json;
use worker::{Request, Response};

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let (_, auth_needed) = METHODS.iter().find(|(n, _)| *n == ctx.nsid)?;
    if !is_get {
        return Some(Err(wrong_method(ctx, true)));
    }
    Some(view(ctx, req, *auth_needed).await)
}

async fn view(ctx: &Ctx<'_>, req: &Request, auth_needed: bool) -> XResult<Response> {
    let has_auth = req.headers().get("authorization").ok().flatten().is_some();
    let viewer = if has_auth || auth_needed {
        Some(ctx.auth(req, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?.sub)
    } else {
        None
    };
    let params = ctx.params(req)?;
    let base = ctx.var("PUBLIC_URL").unwrap_or_default();
    let out = DoCall::new(object::BINDING, object::NAME, "query")
        .json(&json!({ "nsid": ctx.nsid, "params": params, "viewer": viewer, "base": base }))
        .send_json(ctx.env)
        .await?;
    if ctx.var("UES_EDGE_TEST_ROUTES").as_deref() == Some("1") {
        lexicons::registry()
            .validate_output(&ctx.nsid, &out)
            .map_err(|e| XrpcError::internal(format!("output of {}: {e}", ctx.nsid)))?;
    }
    ok(&out)
}
