//! Blobs in R2 (`BLOBS` bucket, key `<did>/<cid>`): `repo.uploadBlob` with
//! size and MIME limits, `sync.getBlob`, `sync.listBlobs` (from the repo DO's index of the blobs
//! its records reference).

use super::{wrong_method, Ctx};
use crate::error::XrpcError;
use crate::http::{bytes, internal, ok, DoCall, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS};
use serde_json::json;
use ues_data::cid::{sha256_cid, RAW};
use worker::{HttpMetadata, Request, Response};

const BUCKET: &str = "BLOBS";
const DEFAULT_MAX: usize = 5_000_000;
const DEFAULT_MIME: &str = "image/*,video/*,audio/*,text/plain,application/octet-stream";

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let want_get = match ctx.nsid.as_str() {
        "com.atproto.sync.getBlob" | "com.atproto.sync.listBlobs" => true,
        "com.atproto.repo.uploadBlob" => false,
        _ => return None,
    };
    if want_get != is_get {
        return Some(Err(wrong_method(ctx, want_get)));
    }
    Some(match ctx.nsid.as_str() {
        "com.atproto.repo.uploadBlob" => upload(ctx, req).await,
        "com.atproto.sync.getBlob" => get(ctx, req).await,
        _ => list(ctx, req).await,
    })
}

/// Whether `mime` is a well-formed `type/subtype` accepted by `patterns`.
fn mime_ok(mime: &str, patterns: &str) -> bool {
    let Some((t, s)) = mime.split_once('/') else {
        return false;
    };
    let token = |x: &str| {
        !x.is_empty()
            && x.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    token(t)
        && token(s)
        && patterns
            .split(',')
            .any(|p| ues_lexicon::mime_matches(p.trim(), mime))
}

async fn upload(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let claims = ctx.auth(req, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?;
    let max = ctx
        .var("MAX_BLOB_BYTES")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX);
    if let Some(len) = req.headers().get("content-length").ok().flatten() {
        if len.parse::<usize>().is_ok_and(|n| n > max) {
            return Err(too_large(max));
        }
    }
    let mime = req
        .headers()
        .get("content-type")
        .map_err(internal)?
        .map(|m| m.split(';').next().unwrap_or("").trim().to_lowercase())
        .unwrap_or_default();
    let accepted = ctx
        .var("ACCEPTED_BLOB_MIME")
        .unwrap_or_else(|| DEFAULT_MIME.to_string());
    if !mime_ok(&mime, &accepted) {
        return Err(XrpcError::bad(
            "InvalidMimeType",
            format!("blob type {mime:?} is not accepted ({accepted})"),
        ));
    }
    let data = req.bytes().await.map_err(internal)?;
    if data.len() > max {
        return Err(too_large(max));
    }
    let cid = sha256_cid(RAW, &data);
    let size = data.len();
    let bucket = ctx.env.bucket(BUCKET).map_err(internal)?;
    bucket
        .put(format!("{}/{cid}", claims.sub), data)
        .http_metadata(HttpMetadata {
            content_type: Some(mime.clone()),
            ..Default::default()
        })
        .execute()
        .await
        .map_err(internal)?;
    ok(&json!({ "blob": {
        "$type": "blob", "ref": { "$link": cid.to_string() }, "mimeType": mime, "size": size,
    }}))
}

fn too_large(max: usize) -> XrpcError {
    XrpcError::new(
        413,
        "BlobTooLarge",
        format!("blob is larger than {max} bytes"),
    )
}

async fn get(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let (did, cid) = (
        p["did"].as_str().unwrap_or(""),
        p["cid"].as_str().unwrap_or(""),
    );
    ues_data::cid::parse(cid).map_err(|e| XrpcError::invalid_request(format!("cid: {e}")))?;
    let bucket = ctx.env.bucket(BUCKET).map_err(internal)?;
    let obj = bucket
        .get(format!("{did}/{cid}"))
        .execute()
        .await
        .map_err(internal)?
        .ok_or_else(|| XrpcError::bad("BlobNotFound", "Blob not found"))?;
    let mime = obj
        .http_metadata()
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    let body = obj
        .body()
        .ok_or_else(|| XrpcError::bad("BlobNotFound", "Blob has no body"))?
        .bytes()
        .await
        .map_err(internal)?;
    bytes(body, &mime)
}

/// `listBlobs`: the blobs the repo's records reference (since a rev when
/// `since` is given), from the repo DO's blob index.
async fn list(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let did = p["did"].as_str().unwrap_or("");
    ctx.accounts("resolve", &json!({ "ident": did })).await?;
    let limit = p["limit"].as_i64().unwrap_or(500).clamp(1, 1000);
    let mut call =
        DoCall::new(crate::repo_do::BINDING, did, "list_blobs").q("limit", limit.to_string());
    for k in ["since", "cursor"] {
        if let Some(v) = p[k].as_str() {
            call = call.q(k, v);
        }
    }
    ok(&call.send_json(ctx.env).await?)
}
