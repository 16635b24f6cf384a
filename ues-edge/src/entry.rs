//! The worker's fetch handler: CORS, the well-known documents, the test
//! routes (only when `UES_EDGE_TEST_ROUTES` is `"1"`), and XRPC.

use crate::error::XrpcError;
use crate::http::{error_response, json, with_cors, DoCall, XResult};
use crate::{repo_do, xrpc};
use serde_json::json as j;
use worker::{event, Context, Env, Method, Request, Response};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    if req.method() == Method::Options {
        return Ok(with_cors(Response::empty()?.with_status(204)));
    }
    let resp = match route(&mut req, &env).await {
        Ok(r) => r,
        Err(e) => error_response(&e)?,
    };
    Ok(with_cors(resp))
}

async fn route(req: &mut Request, env: &Env) -> XResult<Response> {
    let path = req.path();
    if let Some(nsid) = path.strip_prefix("/xrpc/") {
        let nsid = nsid.to_string();
        if ues_data::syntax::validate_nsid(&nsid).is_err() {
            return Err(XrpcError::invalid_request(format!(
                "bad method name {nsid:?}"
            )));
        }
        return xrpc::dispatch(&nsid, req, env).await;
    }
    match path.as_str() {
        "/" => json(200, &j!({ "name": "ues-edge", "xrpc": "/xrpc/{nsid}" })),
        "/xrpc/_health" | "/_health" => json(200, &j!({ "version": env!("CARGO_PKG_VERSION") })),
        xrpc::ues_sync::PATH => xrpc::ues_sync::upgrade(req, env).await,
        "/.well-known/atproto-did" | "/.well-known/did.json" => {
            xrpc::well_known(&path, req, env).await
        }
        "/_test/conformance" if test_routes(env) => {
            let v = DoCall::new(repo_do::BINDING, "_conformance", "conformance")
                .send_json(env)
                .await?;
            json(200, &v)
        }
        _ => Err(XrpcError::not_found(format!("no route {path}"))),
    }
}

/// Whether the test-only routes are on (the tests' wrangler config sets
/// `UES_EDGE_TEST_ROUTES = "1"`; `wrangler.toml` never does).
fn test_routes(env: &Env) -> bool {
    xrpc::var(env, "UES_EDGE_TEST_ROUTES").as_deref() == Some("1")
}
