//! Validation of data values against the loaded lexicons: records, XRPC
//! parameters, request and response bodies, subscription messages.
//!
//! Values are in the atproto JSON form (`{"$link": cid}` for links,
//! `{"$bytes": base64}` for bytes); IPLD values are converted to it first.
//! The first violation is reported, with a path such as
//! `$.embed.images[0].alt`. Unknown object fields are allowed, as are unknown
//! `$type`s in open unions.

use crate::error::{LexiconError, ValidationError};
use crate::primitive::{self, kind};
use crate::registry::{normalize_ref, Lexicons};
use crate::schema::{BodyDef, ObjectDef, ParamsDef, RecordDef, RecordKeyType, Schema, UnionDef};
use ipld_core::ipld::Ipld;
use serde_json::{Map, Value};
use ues_data::syntax;

type R = Result<(), ValidationError>;

/// How deep schemas may nest through refs before validation gives up
/// (a guard against reference cycles in schemas).
const MAX_DEPTH: usize = 128;

fn bad(path: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::invalid(path, message)
}

impl Lexicons {
    /// Validate a record of collection `nsid`: its `$type` must be `nsid`
    /// and its body must match the record definition.
    pub fn validate_record(&self, nsid: &str, value: &Value) -> R {
        let rec = self.record_def(nsid)?;
        let Value::Object(m) = value else {
            return Err(bad(
                "$",
                format!("a record must be an object, got {}", kind(value)),
            ));
        };
        match m.get("$type").and_then(Value::as_str) {
            Some(t) if normalize_ref("", t) == normalize_ref("", nsid) => {}
            Some(t) => return Err(bad("$.$type", format!("must be {nsid:?}, got {t:?}"))),
            None => return Err(bad("$.$type", "a record needs a `$type` string")),
        }
        self.check(nsid, &rec.record, value, "$", 0)
    }

    /// [`Lexicons::validate_record`] for a record in the IPLD data model.
    pub fn validate_record_ipld(&self, nsid: &str, value: &Ipld) -> R {
        self.validate_record(nsid, &ues_data::cbor::json::to_json(value))
    }

    /// Check a record key against the key type of collection `nsid`.
    pub fn validate_record_key(&self, nsid: &str, rkey: &str) -> R {
        let rec = self.record_def(nsid)?;
        syntax::validate_record_key(rkey).map_err(|e| bad("rkey", e.to_string()))?;
        let r = match RecordKeyType::parse(&rec.key) {
            Some(RecordKeyType::Tid) => syntax::validate_tid(rkey).map_err(|e| e.to_string()),
            Some(RecordKeyType::Nsid) => syntax::validate_nsid(rkey).map_err(|e| e.to_string()),
            Some(RecordKeyType::Any) => Ok(()),
            Some(RecordKeyType::Literal(l)) if l == rkey => Ok(()),
            Some(RecordKeyType::Literal(l)) => Err(format!("must be {l:?}")),
            None => Err(format!("unknown key type {:?}", rec.key)),
        };
        r.map_err(|m| bad("rkey", m))
    }

    /// Validate the request body of procedure `nsid`.
    pub fn validate_input(&self, nsid: &str, value: &Value) -> R {
        match self.def(nsid)? {
            Schema::Procedure(p) => self.body(nsid, p.input.as_ref(), value),
            other => Err(wrong(nsid, "procedure", other).into()),
        }
    }

    /// Validate the response body of query or procedure `nsid`.
    pub fn validate_output(&self, nsid: &str, value: &Value) -> R {
        match self.def(nsid)? {
            Schema::Query(q) => self.body(nsid, q.output.as_ref(), value),
            Schema::Procedure(p) => self.body(nsid, p.output.as_ref(), value),
            other => Err(wrong(nsid, "query or procedure", other).into()),
        }
    }

    /// Validate the parameters of query, procedure or subscription `nsid`,
    /// given as a JSON object of typed values (`{"limit": 50}`).
    pub fn validate_params(&self, nsid: &str, value: &Value) -> R {
        let empty = ParamsDef::default();
        let p = self.params_def(nsid)?.unwrap_or(&empty);
        let Value::Object(m) = value else {
            return Err(bad(
                "$",
                format!("parameters must be an object, got {}", kind(value)),
            ));
        };
        for name in &p.required {
            if m.get(name).is_none_or(Value::is_null) {
                return Err(bad(&format!("$.{name}"), "required parameter missing"));
            }
        }
        for (name, s) in &p.properties {
            match m.get(name) {
                None | Some(Value::Null) => {}
                Some(v) => self.check(nsid, s, v, &format!("$.{name}"), 0)?,
            }
        }
        Ok(())
    }

    /// The `params` definition of query, procedure or subscription `nsid`
    /// (`None`: it takes no parameters).
    pub fn params_def(&self, nsid: &str) -> Result<Option<&ParamsDef>, LexiconError> {
        let params = match self.def(nsid)? {
            Schema::Query(q) => q.parameters.as_deref(),
            Schema::Procedure(p) => p.parameters.as_deref(),
            Schema::Subscription(s) => s.parameters.as_deref(),
            other => return Err(wrong(nsid, "query, procedure or subscription", other)),
        };
        Ok(match params {
            Some(Schema::Params(p)) => Some(p),
            _ => None,
        })
    }

    /// Validate one message of subscription `nsid`.
    pub fn validate_message(&self, nsid: &str, value: &Value) -> R {
        match self.def(nsid)? {
            Schema::Subscription(s) => match &s.message {
                Some(m) => self.check(nsid, &m.schema, value, "$", 0),
                None => Ok(()),
            },
            other => Err(wrong(nsid, "subscription", other).into()),
        }
    }

    /// Validate `value` against any definition `uri` (`nsid` or `nsid#def`).
    pub fn validate(&self, uri: &str, value: &Value) -> R {
        let (full, s) = self.resolve("", uri)?;
        let base = full.split_once('#').map_or(full.as_str(), |(n, _)| n);
        match s {
            Schema::Record(r) => self.check(base, &r.record, value, "$", 0),
            other => self.check(base, other, value, "$", 0),
        }
    }

    /// The record definition of collection `nsid`.
    pub fn record_def(&self, nsid: &str) -> Result<&RecordDef, LexiconError> {
        match self.def(nsid)? {
            Schema::Record(r) => Ok(r),
            other => Err(wrong(nsid, "record", other)),
        }
    }

    fn body(&self, nsid: &str, body: Option<&BodyDef>, value: &Value) -> R {
        match body.and_then(|b| b.schema.as_deref()) {
            Some(s) => self.check(nsid, s, value, "$", 0),
            None => Ok(()),
        }
    }

    /// Validate `v` against `s`, a schema written in document `base`.
    fn check(&self, base: &str, s: &Schema, v: &Value, path: &str, depth: usize) -> R {
        if depth > MAX_DEPTH {
            return Err(bad(path, "schema references nest too deeply"));
        }
        match s {
            Schema::Object(o) => self.object(base, o, v, path, depth),
            Schema::Array(a) => {
                let Value::Array(items) = v else {
                    return Err(bad(path, format!("expected an array, got {}", kind(v))));
                };
                let n = items.len() as u64;
                if let Some(min) = a.min_length {
                    if n < min {
                        return Err(bad(path, format!("fewer than {min} items ({n})")));
                    }
                }
                if let Some(max) = a.max_length {
                    if n > max {
                        return Err(bad(path, format!("more than {max} items ({n})")));
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(base, &a.items, item, &format!("{path}[{i}]"), depth + 1)?;
                }
                Ok(())
            }
            Schema::Ref(r) => {
                let (full, target) = self.resolve(base, &r.reference)?;
                let tbase = full.split_once('#').map_or(full.as_str(), |(n, _)| n);
                match target {
                    Schema::Token(_) => Err(bad(path, format!("{full} is a token, not a type"))),
                    Schema::Record(rec) => self.check(tbase, &rec.record, v, path, depth + 1),
                    t => self.check(tbase, t, v, path, depth + 1),
                }
            }
            Schema::Union(u) => self.union(base, u, v, path, depth),
            Schema::String(st) => primitive::string(st, v, path),
            Schema::Integer(i) => primitive::integer(i, v, path),
            Schema::Boolean(b) => primitive::boolean(b, v, path),
            Schema::Bytes(b) => primitive::bytes(b, v, path),
            Schema::CidLink(_) => primitive::cid_link(v, path),
            Schema::Blob(b) => primitive::blob(b, v, path),
            Schema::Unknown(_) => primitive::unknown(v, path),
            Schema::Params(p) => {
                let o = ObjectDef {
                    required: p.required.clone(),
                    properties: p.properties.clone(),
                    ..ObjectDef::default()
                };
                self.object(base, &o, v, path, depth)
            }
            other => Err(bad(
                path,
                format!("a {} cannot describe a value", other.type_name()),
            )),
        }
    }

    fn object(&self, base: &str, o: &ObjectDef, v: &Value, path: &str, depth: usize) -> R {
        let m = plain_object(v, path)?;
        for name in &o.required {
            match m.get(name) {
                None => return Err(bad(&field(path, name), "required field missing")),
                Some(Value::Null) if !o.nullable.contains(name) => {
                    return Err(bad(&field(path, name), "required field is null"))
                }
                _ => {}
            }
        }
        for (name, s) in &o.properties {
            match m.get(name) {
                None => {}
                Some(Value::Null) if !o.nullable.contains(name) => {
                    return Err(bad(&field(path, name), "must not be null"));
                }
                Some(Value::Null) => {}
                Some(x) => self.check(base, s, x, &field(path, name), depth + 1)?,
            }
        }
        Ok(())
    }

    fn union(&self, base: &str, u: &UnionDef, v: &Value, path: &str, depth: usize) -> R {
        let m = plain_object(v, path)?;
        let t = match m.get("$type") {
            Some(Value::String(t)) if !t.is_empty() => t,
            _ => return Err(bad(path, "a union member needs a `$type` string")),
        };
        let want = normalize_ref(base, t);
        let hit = u.refs.iter().find(|r| normalize_ref(base, r) == want);
        match hit {
            Some(r) => {
                let (full, target) = self.resolve(base, r)?;
                let tbase = full.split_once('#').map_or(full.as_str(), |(n, _)| n);
                match target {
                    Schema::Record(rec) => self.check(tbase, &rec.record, v, path, depth + 1),
                    t => self.check(tbase, t, v, path, depth + 1),
                }
            }
            None if u.closed => Err(bad(
                path,
                format!("$type {t:?} is not one of {:?} (closed union)", u.refs),
            )),
            None => Ok(()),
        }
    }
}

fn field(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

/// A JSON object that is not a `$bytes` or `$link` value.
fn plain_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ValidationError> {
    match v {
        Value::Object(m) if !m.contains_key("$bytes") && !m.contains_key("$link") => Ok(m),
        other => Err(bad(
            path,
            format!("expected an object, got {}", kind(other)),
        )),
    }
}

fn wrong(uri: &str, expected: &'static str, found: &Schema) -> LexiconError {
    LexiconError::WrongType {
        uri: uri.to_string(),
        found: found.type_name(),
        expected,
    }
}
