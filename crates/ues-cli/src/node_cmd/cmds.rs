//! JSON-line commands on stdin, one answer line each on stdout:
//!
//! - `{"cmd": "status"}` → peer id, DID, listen addresses, connected
//!   peers, the head rev of every repo held;
//! - `{"cmd": "put", "collection": C, "rkey"?: K, "record": {...}}` → a
//!   signed commit of the account's repo (announced to peers);
//! - `{"cmd": "get", "did"?: D, "collection": C, "rkey": K}` → the record
//!   or `null`;
//! - `{"cmd": "car", "did"?: D, "since"?: REV}` → the block and byte count
//!   of the repo (or the slice since REV) as CAR.
//!
//! An `"id"` in a command is echoed in its answer. Errors answer
//! `{"ok": false, "code", "error"}`; the node keeps running.

use super::events::with_peer;
use super::sync::{SyncState, N, S};
use serde_json::{json, Map, Value};
use ues_data::car::read_all;
use ues_node::NodeError;

struct CmdError {
    code: &'static str,
    message: String,
}

impl From<NodeError> for CmdError {
    fn from(e: NodeError) -> Self {
        CmdError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

fn bad(message: impl Into<String>) -> CmdError {
    CmdError {
        code: "InvalidArgument",
        message: message.into(),
    }
}

fn str_field<'a>(v: &'a Value, k: &str) -> Result<Option<&'a str>, CmdError> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("{k} must be a string"))),
    }
}

fn need<'a>(v: &'a Value, k: &str) -> Result<&'a str, CmdError> {
    str_field(v, k)?.ok_or_else(|| bad(format!("{k} is required")))
}

/// Runs one command line and returns its answer.
pub(crate) async fn handle(line: &str, node: &mut N, swarm: &mut S, sync: &mut SyncState) -> Value {
    let v: Value = match serde_json::from_str(line) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return json!({"ok": false, "code": "InvalidArgument", "error": "a command is a JSON object"})
        }
        Err(e) => {
            return json!({"ok": false, "code": "InvalidArgument", "error": format!("not JSON: {e}")})
        }
    };
    let cmd = v
        .get("cmd")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let res = match cmd.as_str() {
        "status" => Ok(status(node, swarm, sync)),
        "put" => put(&v, node, swarm, sync).await,
        "get" => get(&v, node).await,
        "car" => car(&v, node).await,
        other => Err(bad(format!(
            "unknown command {other:?} (status, put, get, car)"
        ))),
    };
    let mut out = Map::new();
    out.insert("answer".into(), Value::String(cmd));
    if let Some(id) = v.get("id") {
        out.insert("id".into(), id.clone());
    }
    match res {
        Ok(Value::Object(m)) => {
            out.insert("ok".into(), Value::Bool(true));
            out.extend(m);
        }
        Ok(other) => {
            out.insert("ok".into(), Value::Bool(true));
            out.insert("value".into(), other);
        }
        Err(e) => {
            tracing::info!(code = e.code, error = %e.message, "command failed");
            out.insert("ok".into(), Value::Bool(false));
            out.insert("code".into(), Value::String(e.code.into()));
            out.insert("error".into(), Value::String(e.message));
        }
    }
    Value::Object(out)
}

fn status(node: &N, swarm: &S, sync: &SyncState) -> Value {
    let heads: Map<String, Value> = sync
        .heads
        .iter()
        .map(|(d, h)| (d.clone(), Value::String(h.rev.clone())))
        .collect();
    let me = *swarm.local_peer_id();
    json!({
        "peer": me.to_string(),
        "did": node.did().ok(),
        "listen": swarm
            .listeners()
            .map(|a| with_peer(a.clone(), me).to_string())
            .collect::<Vec<_>>(),
        "connected": swarm.connected_peers().map(ToString::to_string).collect::<Vec<_>>(),
        "heads": heads,
    })
}

async fn put(
    v: &Value,
    node: &mut N,
    swarm: &mut S,
    sync: &mut SyncState,
) -> Result<Value, CmdError> {
    let collection = need(v, "collection")?;
    let record = v.get("record").ok_or_else(|| bad("record is required"))?;
    let sum = match str_field(v, "rkey")? {
        Some(rkey) => node.put_record(collection, rkey, record).await?,
        None => node.create_record(collection, None, record).await?,
    };
    let did = node.did()?.to_string();
    sync.set_head(swarm, &did, &sum.rev, &sum.commit);
    Ok(sum.to_json())
}

async fn get(v: &Value, node: &mut N) -> Result<Value, CmdError> {
    let did = str_field(v, "did")?;
    let rec = node
        .get_record(did, need(v, "collection")?, need(v, "rkey")?)
        .await?;
    Ok(json!({"record": rec.map(|r| r.to_json())}))
}

async fn car(v: &Value, node: &mut N) -> Result<Value, CmdError> {
    let bytes = node
        .export_car(str_field(v, "did")?, str_field(v, "since")?)
        .await?;
    let blocks = read_all(&bytes)
        .map_err(|e| bad(e.to_string()))?
        .blocks
        .len();
    Ok(json!({"blocks": blocks, "bytes": bytes.len()}))
}
