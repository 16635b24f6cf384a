//! Validation of primitive and IPLD values in the atproto JSON form:
//! strings (length in UTF-8 bytes, graphemes, enum, const, format),
//! integers, booleans, `{"$bytes"}`, `{"$link"}`, blobs and `unknown`.

use crate::error::ValidationError;
use crate::schema::{BlobDef, BooleanDef, BytesDef, IntegerDef, StringDef, StringFormat};
use serde_json::{Map, Value};
use ues_data::{cid, syntax};
use unicode_segmentation::UnicodeSegmentation;

type R = Result<(), ValidationError>;

fn bad(path: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::invalid(path, message)
}

/// The JSON type name of a value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(m) if m.contains_key("$bytes") => "bytes",
        Value::Object(m) if m.contains_key("$link") => "cid-link",
        Value::Object(_) => "object",
    }
}

pub(crate) fn string(s: &StringDef, v: &Value, path: &str) -> R {
    let Value::String(text) = v else {
        return Err(bad(path, format!("expected a string, got {}", kind(v))));
    };
    if let Some(c) = &s.const_value {
        if c != text {
            return Err(bad(path, format!("must be {c:?}")));
        }
    }
    if let Some(values) = &s.enum_values {
        if !values.iter().any(|e| e == text) {
            return Err(bad(path, format!("must be one of {values:?}")));
        }
    }
    let bytes = text.len() as u64;
    if let Some(min) = s.min_length {
        if bytes < min {
            return Err(bad(path, format!("shorter than {min} bytes ({bytes})")));
        }
    }
    if let Some(max) = s.max_length {
        if bytes > max {
            return Err(bad(path, format!("longer than {max} bytes ({bytes})")));
        }
    }
    if s.min_graphemes.is_some() || s.max_graphemes.is_some() {
        let n = text.graphemes(true).count() as u64;
        if let Some(min) = s.min_graphemes {
            if n < min {
                return Err(bad(path, format!("fewer than {min} graphemes ({n})")));
            }
        }
        if let Some(max) = s.max_graphemes {
            if n > max {
                return Err(bad(path, format!("more than {max} graphemes ({n})")));
            }
        }
    }
    if let Some(f) = s.format {
        format(f, text).map_err(|e| bad(path, e))?;
    }
    Ok(())
}

/// Check `text` against a lexicon string format.
pub fn format(f: StringFormat, text: &str) -> Result<(), String> {
    let r = match f {
        StringFormat::AtIdentifier => syntax::validate_at_identifier(text),
        StringFormat::AtUri => syntax::validate_at_uri(text),
        StringFormat::Cid => {
            return cid::check_syntax(text).map_err(|e| format!("invalid CID: {e}"))
        }
        StringFormat::Datetime => syntax::validate_datetime(text),
        StringFormat::Did => syntax::validate_did(text),
        StringFormat::Handle => syntax::validate_handle(text),
        StringFormat::Nsid => syntax::validate_nsid(text),
        StringFormat::Tid => syntax::validate_tid(text),
        StringFormat::RecordKey => syntax::validate_record_key(text),
        StringFormat::Uri => syntax::validate_uri(text),
        StringFormat::Language => syntax::validate_language(text),
    };
    r.map_err(|e| e.to_string())
}

pub(crate) fn integer(s: &IntegerDef, v: &Value, path: &str) -> R {
    let n = match v {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
            _ => return Err(bad(path, format!("{n} is not a 64-bit integer"))),
        },
        other => {
            return Err(bad(
                path,
                format!("expected an integer, got {}", kind(other)),
            ))
        }
    };
    if let Some(c) = s.const_value {
        if n != c {
            return Err(bad(path, format!("must be {c}")));
        }
    }
    if let Some(values) = &s.enum_values {
        if !values.contains(&n) {
            return Err(bad(path, format!("must be one of {values:?}")));
        }
    }
    if let Some(min) = s.minimum {
        if n < min {
            return Err(bad(path, format!("{n} is less than the minimum {min}")));
        }
    }
    if let Some(max) = s.maximum {
        if n > max {
            return Err(bad(path, format!("{n} is more than the maximum {max}")));
        }
    }
    Ok(())
}

pub(crate) fn boolean(s: &BooleanDef, v: &Value, path: &str) -> R {
    let Value::Bool(b) = v else {
        return Err(bad(path, format!("expected a boolean, got {}", kind(v))));
    };
    match s.const_value {
        Some(c) if c != *b => Err(bad(path, format!("must be {c}"))),
        _ => Ok(()),
    }
}

/// The single-key special object `{key: "..."}`, or `None`.
fn special<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get(key).and_then(Value::as_str),
        _ => None,
    }
}

/// Decoded length of base64 text (standard or URL alphabet, padding
/// optional), or `None` when it is not base64.
fn base64_len(s: &str) -> Option<u64> {
    let body = s.trim_end_matches('=');
    if s.len() - body.len() > 2 {
        return None;
    }
    let ok = body
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_'));
    if !ok || body.len() % 4 == 1 {
        return None;
    }
    Some((body.len() as u64 * 6) / 8)
}

pub(crate) fn bytes(s: &BytesDef, v: &Value, path: &str) -> R {
    let n = special(v, "$bytes").and_then(base64_len).ok_or_else(|| {
        bad(
            path,
            format!("expected {{\"$bytes\": base64}}, got {}", kind(v)),
        )
    })?;
    if let Some(min) = s.min_length {
        if n < min {
            return Err(bad(path, format!("shorter than {min} bytes ({n})")));
        }
    }
    if let Some(max) = s.max_length {
        if n > max {
            return Err(bad(path, format!("longer than {max} bytes ({n})")));
        }
    }
    Ok(())
}

pub(crate) fn cid_link(v: &Value, path: &str) -> R {
    let s = special(v, "$link").ok_or_else(|| {
        bad(
            path,
            format!("expected {{\"$link\": cid}}, got {}", kind(v)),
        )
    })?;
    cid::parse_lenient(s)
        .map(|_| ())
        .map_err(|e| bad(path, format!("invalid CID link: {e}")))
}

/// Whether `mime` matches one `accept` pattern (`*/*`, `image/*`, exact).
pub fn mime_matches(pattern: &str, mime: &str) -> bool {
    if pattern == "*/*" || pattern == mime {
        return true;
    }
    match pattern.strip_suffix("/*") {
        Some(prefix) => mime
            .split_once('/')
            .is_some_and(|(top, sub)| top == prefix && !sub.is_empty()),
        None => false,
    }
}

/// A blob ref: `{"$type": "blob", "ref": {"$link"}, "mimeType", "size"}`,
/// or the legacy `{"cid": string, "mimeType": string}` (size unknown).
pub(crate) fn blob(s: &BlobDef, v: &Value, path: &str) -> R {
    let Value::Object(m) = v else {
        return Err(bad(path, format!("expected a blob, got {}", kind(v))));
    };
    let (mime, size) = match m.get("$type").and_then(Value::as_str) {
        Some("blob") => typed_blob(m, path)?,
        Some(other) => return Err(bad(path, format!("expected a blob, got $type {other:?}"))),
        None => legacy_blob(m, path)?,
    };
    if let Some(accept) = &s.accept {
        if !accept.iter().any(|p| mime_matches(p, mime)) {
            return Err(bad(
                path,
                format!("blob MIME type {mime:?} is not one of {accept:?}"),
            ));
        }
    }
    if let (Some(max), Some(size)) = (s.max_size, size) {
        if size > max {
            return Err(bad(path, format!("blob of {size} bytes is over {max}")));
        }
    }
    Ok(())
}

fn typed_blob<'a>(
    m: &'a Map<String, Value>,
    path: &str,
) -> Result<(&'a str, Option<u64>), ValidationError> {
    let r = m
        .get("ref")
        .ok_or_else(|| bad(path, "blob needs a `ref` link"))?;
    cid_link(r, &format!("{path}.ref"))?;
    let mime = m
        .get("mimeType")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "blob needs a `mimeType` string"))?;
    let size = m
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad(path, "blob needs a non-negative integer `size`"))?;
    Ok((mime, Some(size)))
}

fn legacy_blob<'a>(
    m: &'a Map<String, Value>,
    path: &str,
) -> Result<(&'a str, Option<u64>), ValidationError> {
    match (
        m.get("cid").and_then(Value::as_str),
        m.get("mimeType").and_then(Value::as_str),
    ) {
        (Some(c), Some(mime)) => {
            cid::parse_lenient(c).map_err(|e| bad(path, format!("invalid blob cid: {e}")))?;
            Ok((mime, None))
        }
        _ => Err(bad(path, "expected a blob ({\"$type\": \"blob\", ...})")),
    }
}

/// `unknown`: any object that is not bytes, a link or a blob.
pub(crate) fn unknown(v: &Value, path: &str) -> R {
    match v {
        Value::Object(m)
            if !m.contains_key("$bytes")
                && !m.contains_key("$link")
                && m.get("$type").and_then(Value::as_str) != Some("blob") =>
        {
            Ok(())
        }
        other => Err(bad(
            path,
            format!("expected an object (unknown), got {}", kind(other)),
        )),
    }
}
