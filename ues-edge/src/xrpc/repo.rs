//! `com.atproto.repo.*`: record writes (custodial repos), reads, describe,
//! and `importRepo` (a whole repo or a signed slice; the self-custodial push).

use super::{wrong_method, Ctx};
use crate::error::XrpcError;
use crate::http::{internal, ok, DoCall, XResult};
use crate::jwt::{SCOPE_ACCESS, SCOPE_APP_PASS};
use crate::lexicons;
use crate::repo_do;
use serde_json::{json, Value};
use worker::{Request, Response};

/// Most writes in one `applyWrites`.
const MAX_WRITES: usize = 200;
/// Largest record (its JSON form).
const MAX_RECORD: usize = 100_000;

pub async fn route(ctx: &Ctx<'_>, req: &mut Request, is_get: bool) -> Option<XResult<Response>> {
    let want_get = match ctx.nsid.as_str() {
        "com.atproto.repo.getRecord"
        | "com.atproto.repo.listRecords"
        | "com.atproto.repo.describeRepo" => true,
        "com.atproto.repo.createRecord"
        | "com.atproto.repo.putRecord"
        | "com.atproto.repo.deleteRecord"
        | "com.atproto.repo.applyWrites"
        | "com.atproto.repo.importRepo" => false,
        _ => return None,
    };
    if want_get != is_get {
        return Some(Err(wrong_method(ctx, want_get)));
    }
    Some(match ctx.nsid.as_str() {
        "com.atproto.repo.getRecord" => get_record(ctx, req).await,
        "com.atproto.repo.listRecords" => list_records(ctx, req).await,
        "com.atproto.repo.describeRepo" => describe(ctx, req).await,
        "com.atproto.repo.importRepo" => import(ctx, req).await,
        _ => write(ctx, req).await,
    })
}

/// Authenticates a write to `repo`: the caller must own it. The session
/// check and the caller's write rate limit are one accounts-DO call.
async fn owner(ctx: &Ctx<'_>, req: &Request, repo: &str) -> XResult<String> {
    let claims = ctx.auth_write(req, &[SCOPE_ACCESS, SCOPE_APP_PASS]).await?;
    let did = ctx.resolve_repo(repo).await?;
    if did != claims.sub {
        return Err(XrpcError::auth_required(
            "the repo does not belong to the authenticated account",
        ));
    }
    Ok(did)
}

/// Checks one record against its lexicon; returns the validation status.
fn check_record(
    collection: &str,
    rkey: Option<&str>,
    record: &Value,
    validate: Option<bool>,
) -> XResult<&'static str> {
    if record.to_string().len() > MAX_RECORD {
        return Err(XrpcError::invalid_request("record is too large"));
    }
    if !record.is_object() {
        return Err(XrpcError::invalid_request("record must be an object"));
    }
    ues_data::syntax::validate_nsid(collection)
        .map_err(|e| XrpcError::invalid_request(format!("collection: {e}")))?;
    if let Some(k) = rkey {
        ues_data::syntax::validate_record_key(k)
            .map_err(|e| XrpcError::invalid_request(format!("rkey: {e}")))?;
    }
    if validate == Some(false) {
        return Ok("unknown");
    }
    let lex = lexicons::registry();
    if lex.record_def(collection).is_err() {
        if validate == Some(true) {
            return Err(XrpcError::invalid_request(format!(
                "Lexicon not found: {collection}"
            )));
        }
        return Ok("unknown");
    }
    let mut record = record.clone();
    if record.get("$type").is_none() {
        record["$type"] = json!(collection);
    }
    lex.validate_record(collection, &record)
        .map_err(|e| XrpcError::invalid_request(format!("Invalid {collection} record: {e}")))?;
    if let Some(k) = rkey {
        lex.validate_record_key(collection, k)
            .map_err(|e| XrpcError::invalid_request(format!("Invalid rkey: {e}")))?;
    }
    Ok("valid")
}

/// One prepared write for the repo DO.
fn prep(action: &str, w: &Value, validate: Option<bool>) -> XResult<Value> {
    let collection = w["collection"].as_str().unwrap_or("");
    let rkey = w["rkey"].as_str();
    let mut out = json!({ "action": action, "collection": collection, "rkey": rkey });
    if action != "delete" {
        let mut record = w["record"].clone();
        if record.is_null() {
            record = w["value"].clone();
        }
        let status = check_record(collection, rkey, &record, validate)?;
        if record.is_object() && record.get("$type").is_none() {
            record["$type"] = json!(collection);
        }
        out["value"] = record;
        out["validationStatus"] = json!(status);
    } else {
        ues_data::syntax::validate_nsid(collection)
            .map_err(|e| XrpcError::invalid_request(format!("collection: {e}")))?;
    }
    if let Some(swap) = w.get("swapRecord") {
        out["swapRecord"] = swap.clone();
    }
    Ok(out)
}

async fn write(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let input = ctx.input(req).await?;
    let repo = input["repo"].as_str().unwrap_or("");
    let did = owner(ctx, req, repo).await?;
    let validate = input["validate"].as_bool();
    let writes: Vec<Value> = match ctx.nsid.as_str() {
        "com.atproto.repo.createRecord" => vec![prep("create", &input, validate)?],
        "com.atproto.repo.putRecord" => vec![prep("update", &input, validate)?],
        "com.atproto.repo.deleteRecord" => vec![prep("delete", &input, validate)?],
        _ => {
            let list = input["writes"].as_array().cloned().unwrap_or_default();
            if list.len() > MAX_WRITES {
                return Err(XrpcError::invalid_request(format!(
                    "too many writes (max {MAX_WRITES})"
                )));
            }
            let mut out = Vec::with_capacity(list.len());
            for w in &list {
                let action = match w["$type"].as_str().unwrap_or("") {
                    "com.atproto.repo.applyWrites#create" => "create",
                    "com.atproto.repo.applyWrites#update" => "update",
                    "com.atproto.repo.applyWrites#delete" => "delete",
                    t => {
                        return Err(XrpcError::invalid_request(format!(
                            "unknown write type {t:?}"
                        )))
                    }
                };
                out.push(prep(action, w, validate)?);
            }
            out
        }
    };
    let mut body = json!({ "writes": writes });
    if let Some(s) = input["swapCommit"].as_str() {
        body["swapCommit"] = json!(s);
    }
    let res = DoCall::new(repo_do::BINDING, &did, "write")
        .json(&body)
        .send_json(ctx.env)
        .await?;
    let commit = res["commit"].clone();
    let first = res["results"][0].clone();
    ok(&match ctx.nsid.as_str() {
        "com.atproto.repo.applyWrites" => res,
        "com.atproto.repo.deleteRecord" => json!({ "commit": commit }),
        _ => json!({
            "uri": first["uri"], "cid": first["cid"], "commit": commit,
            "validationStatus": first["validationStatus"],
        }),
    })
}

async fn get_record(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let did = ctx.resolve_repo(p["repo"].as_str().unwrap_or("")).await?;
    let v = DoCall::new(repo_do::BINDING, &did, "get_record")
        .q("collection", p["collection"].as_str().unwrap_or(""))
        .q("rkey", p["rkey"].as_str().unwrap_or(""))
        .send_json(ctx.env)
        .await?;
    if let Some(want) = p["cid"].as_str() {
        if v["cid"].as_str() != Some(want) {
            return Err(XrpcError::bad("RecordNotFound", "no record with that CID"));
        }
    }
    ok(&v)
}

async fn list_records(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let did = ctx.resolve_repo(p["repo"].as_str().unwrap_or("")).await?;
    let mut call = DoCall::new(repo_do::BINDING, &did, "list_records")
        .q("collection", p["collection"].as_str().unwrap_or(""))
        .q(
            "limit",
            p["limit"].as_i64().unwrap_or(50).clamp(1, 100).to_string(),
        );
    if let Some(c) = p["cursor"].as_str() {
        call = call.q("cursor", c);
    }
    if p["reverse"] == Value::Bool(true) {
        call = call.q("reverse", "true");
    }
    ok(&call.send_json(ctx.env).await?)
}

async fn describe(ctx: &Ctx<'_>, req: &Request) -> XResult<Response> {
    let p = ctx.params(req)?;
    let did = ctx.resolve_repo(p["repo"].as_str().unwrap_or("")).await?;
    let a = ctx.accounts("resolve", &json!({ "ident": did })).await?;
    let d = DoCall::new(repo_do::BINDING, &did, "describe")
        .send_json(ctx.env)
        .await?;
    let handle = a["handle"].as_str().unwrap_or("").to_string();
    ok(&json!({
        "handle": handle, "did": did,
        "didDoc": super::server::did_doc(&did, &d["signingKey"], &handle, ctx),
        "collections": d["collections"], "handleIsCorrect": true,
    }))
}

async fn import(ctx: &Ctx<'_>, req: &mut Request) -> XResult<Response> {
    let claims = ctx.auth(req, &[SCOPE_ACCESS]).await?;
    let car = req.bytes().await.map_err(internal)?;
    if car.is_empty() {
        return Err(XrpcError::invalid_request("empty CAR body"));
    }
    let v = DoCall::new(repo_do::BINDING, &claims.sub, "import")
        .body(car)
        .send_json(ctx.env)
        .await?;
    ok(&v)
}
