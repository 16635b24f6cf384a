//! HTTP plumbing shared by the worker and the Durable Objects: JSON and
//! error responses, CORS, and the internal request protocol between the
//! worker and its DOs (`POST https://do/<op>?<query>` with a JSON or binary
//! body; a non-2xx answer carries an XRPC `{error, message}` body).

use crate::error::XrpcError;
use serde_json::Value;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

/// The result type of handlers.
pub type XResult<T> = std::result::Result<T, XrpcError>;

pub fn internal(e: impl std::fmt::Display) -> XrpcError {
    XrpcError::internal(e.to_string())
}

/// A JSON response with `status`.
pub fn json(status: u16, v: &Value) -> XResult<Response> {
    Response::from_json(v)
        .map(|r| r.with_status(status))
        .map_err(internal)
}

/// A 200 JSON response. Null fields are left out (lexicons type optional
/// fields as absent, never null; clients validate responses), except inside
/// record values and DID documents, which are passed as they are.
pub fn ok(v: &Value) -> XResult<Response> {
    json(200, &without_nulls(v.clone()))
}

/// `v` without null-valued object fields (recursively; record values and
/// DID documents are kept whole).
pub fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| {
                    if matches!(k.as_str(), "value" | "record" | "didDoc") {
                        (k, x)
                    } else {
                        (k, without_nulls(x))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// A binary response with a content type.
pub fn bytes(body: Vec<u8>, content_type: &str) -> XResult<Response> {
    let headers = Headers::new();
    headers
        .set("content-type", content_type)
        .map_err(internal)?;
    Ok(Response::from_bytes(body)
        .map_err(internal)?
        .with_headers(headers))
}

/// The response of an error.
pub fn error_response(e: &XrpcError) -> worker::Result<Response> {
    Ok(Response::from_json(&e.body())?.with_status(e.status))
}

/// CORS headers for every answer (XRPC is called from browsers).
pub fn with_cors(resp: Response) -> Response {
    if resp.status_code() == 101 {
        return resp;
    }
    let h = resp.headers().clone();
    let _ = h.set("access-control-allow-origin", "*");
    let _ = h.set(
        "access-control-allow-headers",
        "authorization, content-type, atproto-accept-labelers, atproto-proxy",
    );
    let _ = h.set("access-control-allow-methods", "GET, POST, OPTIONS");
    let _ = h.set("access-control-max-age", "86400");
    resp.with_headers(h)
}

/// The value of a query parameter.
pub fn query(req: &Request, name: &str) -> XResult<Option<String>> {
    let url = req.url().map_err(internal)?;
    Ok(url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned()))
}

/// Every query parameter, in order.
pub fn query_pairs(req: &Request) -> XResult<Vec<(String, String)>> {
    let url = req.url().map_err(internal)?;
    Ok(url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// A request to a Durable Object.
pub struct DoCall<'a> {
    pub binding: &'a str,
    pub name: &'a str,
    pub op: &'a str,
    pub query: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
}

impl<'a> DoCall<'a> {
    pub fn new(binding: &'a str, name: &'a str, op: &'a str) -> Self {
        DoCall {
            binding,
            name,
            op,
            query: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(mut self, v: &Value) -> Self {
        self.body = v.to_string().into_bytes();
        self
    }

    pub fn body(mut self, b: Vec<u8>) -> Self {
        self.body = b;
        self
    }

    pub fn q(mut self, k: &'a str, v: impl Into<String>) -> Self {
        self.query.push((k, v.into()));
        self
    }

    /// Sends the call; a non-2xx answer becomes its `XrpcError`.
    pub async fn send(self, env: &Env) -> XResult<Response> {
        let ns = env.durable_object(self.binding).map_err(internal)?;
        let stub = ns.get_by_name(self.name).map_err(internal)?;
        let mut url = format!("https://do/{}", self.op);
        if !self.query.is_empty() {
            let qs: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| format!("{k}={}", encode_component(v)))
                .collect();
            url.push('?');
            url.push_str(&qs.join("&"));
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post);
        let arr = js_sys::Uint8Array::from(self.body.as_slice());
        init.with_body(Some(arr.into()));
        let req = Request::new_with_init(&url, &init).map_err(internal)?;
        let mut resp = stub.fetch_with_request(req).await.map_err(internal)?;
        let status = resp.status_code();
        if (200..300).contains(&status) {
            return Ok(resp);
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        Err(XrpcError::from_body(status, &body))
    }

    /// Sends the call and reads a JSON answer.
    pub async fn send_json(self, env: &Env) -> XResult<Value> {
        let mut resp = self.send(env).await?;
        resp.json().await.map_err(internal)
    }

    /// Sends the call and reads a binary answer.
    pub async fn send_bytes(self, env: &Env) -> XResult<Vec<u8>> {
        let mut resp = self.send(env).await?;
        resp.bytes().await.map_err(internal)
    }
}

/// Percent-encodes a query component.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The answer of a DO's handler: the value, or the error as a response.
pub fn do_answer(r: XResult<Response>) -> worker::Result<Response> {
    match r {
        Ok(resp) => Ok(resp),
        Err(e) => error_response(&e),
    }
}

/// Reads a DO request's JSON body.
pub async fn body_json(req: &mut Request) -> XResult<Value> {
    let b = req.bytes().await.map_err(internal)?;
    if b.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&b).map_err(XrpcError::from)
}

/// The op of a DO request (`/op` → `op`).
pub fn op_of(req: &Request) -> String {
    req.path().trim_start_matches('/').to_string()
}

/// Current time in ms and an ISO 8601 string for it.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub fn iso_now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
