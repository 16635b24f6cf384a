//! Reading a lexicon document and checking the structural rules of the
//! lexicon language that its JSON shape alone does not express.

use crate::error::LexiconError;
use crate::schema::{BodyDef, LexiconDoc, RecordKeyType, Schema};
use serde_json::Value;
use ues_data::syntax::validate_nsid;

impl LexiconDoc {
    /// Parse and check a lexicon document from JSON text.
    pub fn from_json(text: &str) -> Result<LexiconDoc, LexiconError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| LexiconError::Malformed(e.to_string()))?;
        LexiconDoc::from_value(&v)
    }

    /// Parse and check a lexicon document from a JSON value.
    pub fn from_value(v: &Value) -> Result<LexiconDoc, LexiconError> {
        // Version and id first, so that their errors are specific.
        match v.get("lexicon") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(1) => {}
                Some(other) => {
                    return Err(LexiconError::UnsupportedVersion(
                        u32::try_from(other).unwrap_or(u32::MAX),
                    ))
                }
                None => return Err(malformed("`lexicon` must be the integer 1")),
            },
            _ => return Err(malformed("`lexicon` must be the integer 1")),
        }
        match v.get("id") {
            Some(Value::String(_)) => {}
            _ => return Err(malformed("`id` must be a string (an NSID)")),
        }
        let doc: LexiconDoc = serde_json::from_value(v.clone())
            .map_err(|e| LexiconError::Malformed(e.to_string()))?;
        doc.check()?;
        Ok(doc)
    }

    /// Check the structural rules: version 1, a valid NSID id, primary types
    /// only as `main`, no bare `ref`/`union`/`unknown`/`params` as named
    /// definitions, record bodies are objects, method parameters are
    /// `params` of primitives, bodies are objects, refs or unions, refs are
    /// well formed, and ranges are not empty.
    pub fn check(&self) -> Result<(), LexiconError> {
        if self.lexicon != 1 {
            return Err(LexiconError::UnsupportedVersion(self.lexicon));
        }
        validate_nsid(&self.id).map_err(|e| LexiconError::InvalidId {
            id: self.id.clone(),
            reason: e.to_string(),
        })?;
        for (name, def) in &self.defs {
            let path = format!("{}#{name}", self.id);
            if name.is_empty() {
                return Err(invalid(&path, "empty definition name"));
            }
            if def.is_primary() && name != "main" {
                return Err(invalid(
                    &path,
                    format!("a {} must be the `main` definition", def.type_name()),
                ));
            }
            if matches!(
                def,
                Schema::Ref(_) | Schema::Union(_) | Schema::Unknown(_) | Schema::Params(_)
            ) {
                return Err(invalid(
                    &path,
                    format!("type {} cannot be a named definition", def.type_name()),
                ));
            }
            check_def(def, &path)?;
        }
        Ok(())
    }
}

fn malformed(message: &str) -> LexiconError {
    LexiconError::Malformed(message.to_string())
}

fn invalid(path: &str, message: impl Into<String>) -> LexiconError {
    LexiconError::InvalidDef {
        path: path.to_string(),
        message: message.into(),
    }
}

/// A top-level definition.
fn check_def(def: &Schema, path: &str) -> Result<(), LexiconError> {
    match def {
        Schema::Record(r) => {
            if RecordKeyType::parse(&r.key).is_none() {
                return Err(invalid(
                    path,
                    format!(
                        "record key {:?} is not tid, nsid, any or literal:<value>",
                        r.key
                    ),
                ));
            }
            match r.record.as_ref() {
                Schema::Object(_) => check_field(&r.record, &format!("{path}.record")),
                other => Err(invalid(
                    path,
                    format!("record body must be an object, not a {}", other.type_name()),
                )),
            }
        }
        Schema::Query(q) => {
            check_params(q.parameters.as_deref(), path)?;
            check_body(q.output.as_ref(), &format!("{path}.output"))
        }
        Schema::Procedure(p) => {
            check_params(p.parameters.as_deref(), path)?;
            check_body(p.input.as_ref(), &format!("{path}.input"))?;
            check_body(p.output.as_ref(), &format!("{path}.output"))
        }
        Schema::Subscription(s) => {
            check_params(s.parameters.as_deref(), path)?;
            match s.message.as_ref().map(|m| m.schema.as_ref()) {
                None => Ok(()),
                Some(u @ Schema::Union(_)) => check_field(u, &format!("{path}.message")),
                Some(other) => Err(invalid(
                    path,
                    format!(
                        "message schema must be a union, not a {}",
                        other.type_name()
                    ),
                )),
            }
        }
        Schema::PermissionSet(p) => {
            for (i, perm) in p.permissions.iter().enumerate() {
                if perm.get("type").and_then(Value::as_str) != Some("permission") {
                    return Err(invalid(
                        &format!("{path}.permissions[{i}]"),
                        "a permission must have type `permission`",
                    ));
                }
                if perm.get("resource").and_then(Value::as_str).is_none() {
                    return Err(invalid(
                        &format!("{path}.permissions[{i}]"),
                        "a permission needs a `resource` string",
                    ));
                }
            }
            Ok(())
        }
        Schema::Token(_) => Ok(()),
        other => check_field(other, path),
    }
}

fn check_params(params: Option<&Schema>, path: &str) -> Result<(), LexiconError> {
    let path = format!("{path}.parameters");
    let p = match params {
        None => return Ok(()),
        Some(Schema::Params(p)) => p,
        Some(other) => {
            return Err(invalid(
                &path,
                format!("parameters must be params, not a {}", other.type_name()),
            ))
        }
    };
    declared(&p.required, &p.properties, &path)?;
    for (name, s) in &p.properties {
        let at = format!("{path}.{name}");
        let ok = match s {
            Schema::Array(a) => is_param_primitive(&a.items),
            other => is_param_primitive(other),
        };
        if !ok {
            return Err(invalid(
                &at,
                format!("type {} cannot be a parameter", s.type_name()),
            ));
        }
        check_field(s, &at)?;
    }
    Ok(())
}

fn is_param_primitive(s: &Schema) -> bool {
    matches!(
        s,
        Schema::Boolean(_) | Schema::Integer(_) | Schema::String(_) | Schema::Unknown(_)
    )
}

fn check_body(body: Option<&BodyDef>, path: &str) -> Result<(), LexiconError> {
    let Some(schema) = body.and_then(|b| b.schema.as_deref()) else {
        return Ok(());
    };
    match schema {
        Schema::Object(_) | Schema::Ref(_) | Schema::Union(_) => check_field(schema, path),
        other => Err(invalid(
            path,
            format!(
                "body schema must be an object, ref or union, not a {}",
                other.type_name()
            ),
        )),
    }
}

/// A schema in a nested position (a property, an array item, a body).
fn check_field(s: &Schema, path: &str) -> Result<(), LexiconError> {
    if s.is_primary() || matches!(s, Schema::Token(_) | Schema::Params(_)) {
        return Err(invalid(
            path,
            format!("type {} cannot be nested in another type", s.type_name()),
        ));
    }
    match s {
        Schema::Object(o) => {
            declared(&o.required, &o.properties, path)?;
            for (name, p) in &o.properties {
                check_field(p, &format!("{path}.{name}"))?;
            }
            Ok(())
        }
        Schema::Array(a) => {
            range(a.min_length, a.max_length, path, "length")?;
            check_field(&a.items, &format!("{path}[]"))
        }
        Schema::Ref(r) => check_ref(&r.reference, path),
        Schema::Union(u) => u.refs.iter().try_for_each(|r| check_ref(r, path)),
        Schema::String(st) => {
            range(st.min_length, st.max_length, path, "length")?;
            range(st.min_graphemes, st.max_graphemes, path, "graphemes")
        }
        Schema::Integer(i) => match (i.minimum, i.maximum) {
            (Some(lo), Some(hi)) if lo > hi => Err(invalid(path, "minimum > maximum")),
            _ => Ok(()),
        },
        Schema::Bytes(b) => range(b.min_length, b.max_length, path, "length"),
        _ => Ok(()),
    }
}

/// Every required name must be a declared property.
fn declared(
    required: &[String],
    properties: &std::collections::BTreeMap<String, Schema>,
    path: &str,
) -> Result<(), LexiconError> {
    match required.iter().find(|r| !properties.contains_key(*r)) {
        Some(r) => Err(invalid(
            path,
            format!("required field {r:?} is not defined"),
        )),
        None => Ok(()),
    }
}

fn range(min: Option<u64>, max: Option<u64>, path: &str, what: &str) -> Result<(), LexiconError> {
    match (min, max) {
        (Some(lo), Some(hi)) if lo > hi => {
            Err(invalid(path, format!("minimum {what} {lo} > maximum {hi}")))
        }
        _ => Ok(()),
    }
}

/// `#def`, `nsid` or `nsid#def`.
pub(crate) fn check_ref(r: &str, path: &str) -> Result<(), LexiconError> {
    let (nsid, frag) = match r.split_once('#') {
        Some((n, f)) => (n, Some(f)),
        None => (r, None),
    };
    if frag == Some("") || (nsid.is_empty() && frag.is_none()) {
        return Err(invalid(path, format!("malformed ref {r:?}")));
    }
    if !nsid.is_empty() {
        validate_nsid(nsid).map_err(|e| invalid(path, format!("ref {r:?}: invalid NSID: {e}")))?;
    }
    Ok(())
}
