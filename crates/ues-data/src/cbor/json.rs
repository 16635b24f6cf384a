//! The AT Protocol JSON form of the data model.
//!
//! - `{"$link": "<cid>"}` (exactly that one key) is a CID link,
//! - `{"$bytes": "<base64>"}` (exactly that one key; standard alphabet,
//!   written without padding, padded input also read) is a byte string,
//! - numbers must be integers: `123.0` reads as 123, `123.456` is rejected,
//! - an object with `$type` keeps it as a map entry; `$type` must be a
//!   non-empty string, and `"$type": "blob"` requires a `ref` link, a
//!   `mimeType` string and an integer `size`,
//! - a top-level value (a record) must be an object ([`from_json`]).

use super::{CborError, Ipld, MAX_DEPTH};
use crate::cid;
use data_encoding::{BASE64, BASE64_NOPAD};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// Largest integer magnitude a JSON number may carry as a float (2^53):
/// beyond it a float no longer stands for one integer.
const MAX_SAFE_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

/// Convert a top-level atproto JSON value (an object: a record or a
/// document) to the IPLD data model.
pub fn from_json(v: &Value) -> Result<Ipld, CborError> {
    if !v.is_object() {
        return Err(err("$", "top-level value must be an object"));
    }
    from_json_value(v)
}

/// Convert any atproto JSON value (not only an object) to the IPLD data model.
pub fn from_json_value(v: &Value) -> Result<Ipld, CborError> {
    convert(v, 0).map_err(|e| match e {
        CborError::Json { path, message } => CborError::Json {
            path: format!("${path}"),
            message,
        },
        other => other,
    })
}

/// Convert an IPLD value to the atproto JSON form: the inverse of
/// [`from_json_value`] for values without floats.
///
/// Integers outside the i64/u64 range (possible in DAG-CBOR down to -2^64)
/// and floats (which [`super::encode`] refuses) become the nearest JSON
/// float; non-finite floats become `null`.
pub fn to_json(v: &Ipld) -> Value {
    match v {
        Ipld::Null => Value::Null,
        Ipld::Bool(b) => Value::Bool(*b),
        Ipld::Integer(i) => {
            if let Ok(n) = i64::try_from(*i) {
                Value::from(n)
            } else if let Ok(n) = u64::try_from(*i) {
                Value::from(n)
            } else {
                float_json(*i as f64)
            }
        }
        Ipld::Float(f) => float_json(*f),
        Ipld::String(s) => Value::String(s.clone()),
        Ipld::Bytes(b) => single("$bytes", Value::String(BASE64_NOPAD.encode(b))),
        Ipld::List(items) => Value::Array(items.iter().map(to_json).collect()),
        Ipld::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Ipld::Link(c) => single("$link", Value::String(c.to_string())),
    }
}

fn float_json(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn single(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

/// An error at a path relative to the value being converted ("" = here).
fn err(path: &str, message: impl Into<String>) -> CborError {
    CborError::Json {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Prefix the path of a JSON error with `segment` while unwinding.
fn at(segment: String) -> impl FnOnce(CborError) -> CborError {
    move |e| match e {
        CborError::Json { path, message } => CborError::Json {
            path: format!("{segment}{path}"),
            message,
        },
        other => other,
    }
}

fn convert(v: &Value, depth: usize) -> Result<Ipld, CborError> {
    if depth > MAX_DEPTH {
        return Err(err("", format!("nesting deeper than {MAX_DEPTH}")));
    }
    Ok(match v {
        Value::Null => Ipld::Null,
        Value::Bool(b) => Ipld::Bool(*b),
        Value::Number(n) => Ipld::Integer(integer(n)?),
        Value::String(s) => Ipld::String(s.clone()),
        Value::Array(items) => Ipld::List(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| convert(x, depth + 1).map_err(at(format!("[{i}]"))))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => object(m, depth)?,
    })
}

fn integer(n: &Number) -> Result<i128, CborError> {
    if let Some(i) = n.as_i64() {
        return Ok(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Ok(u.into());
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_FLOAT_INT => Ok(f as i128),
        _ => Err(err(
            "",
            format!("{n} is not an integer (atproto data has no floats)"),
        )),
    }
}

fn object(m: &Map<String, Value>, depth: usize) -> Result<Ipld, CborError> {
    if let Some(link) = m.get("$link") {
        return special(m, "$link").and_then(|()| {
            let s = link
                .as_str()
                .ok_or_else(|| err(".$link", "must be a string"))?;
            cid::parse(s)
                .map(Ipld::Link)
                .map_err(|e| err(".$link", e.to_string()))
        });
    }
    if let Some(bytes) = m.get("$bytes") {
        return special(m, "$bytes").and_then(|()| {
            let s = bytes
                .as_str()
                .ok_or_else(|| err(".$bytes", "must be a string"))?;
            let codec = if s.ends_with('=') {
                &BASE64
            } else {
                &BASE64_NOPAD
            };
            codec
                .decode(s.as_bytes())
                .map(Ipld::Bytes)
                .map_err(|e| err(".$bytes", format!("invalid base64: {e}")))
        });
    }
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let x = convert(v, depth + 1).map_err(at(format!(".{k}")))?;
        out.insert(k.clone(), x);
    }
    if let Some(t) = out.get("$type") {
        match t {
            Ipld::String(s) if !s.is_empty() => {
                if s == "blob" {
                    check_blob(&out)?;
                }
            }
            _ => return Err(err(".$type", "must be a non-empty string")),
        }
    }
    Ok(Ipld::Map(out))
}

/// `$link` and `$bytes` objects have exactly one key.
fn special(m: &Map<String, Value>, key: &str) -> Result<(), CborError> {
    if m.len() != 1 {
        return Err(err(
            "",
            format!("an object with {key} must have no other keys"),
        ));
    }
    Ok(())
}

fn check_blob(m: &BTreeMap<String, Ipld>) -> Result<(), CborError> {
    if !matches!(m.get("ref"), Some(Ipld::Link(_))) {
        return Err(err(".ref", "a blob needs a `ref` link"));
    }
    if !matches!(m.get("mimeType"), Some(Ipld::String(_))) {
        return Err(err(".mimeType", "a blob needs a `mimeType` string"));
    }
    if !matches!(m.get("size"), Some(Ipld::Integer(n)) if *n >= 0) {
        return Err(err(".size", "a blob needs a non-negative integer `size`"));
    }
    Ok(())
}
