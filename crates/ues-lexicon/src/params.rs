//! XRPC query-string parameters: typing `name=value` pairs by the method's
//! `params` definition, then validating them.

use crate::error::ValidationError;
use crate::registry::Lexicons;
use crate::schema::Schema;
use serde_json::{Map, Value};

impl Lexicons {
    /// Turn decoded query-string pairs into the typed JSON object of
    /// method `nsid`'s parameters and validate it: integers and booleans
    /// are parsed, a repeated name makes an array (and is an error for a
    /// non-array parameter), names the schema does not list are kept as
    /// strings.
    pub fn parse_params<I, K, V>(&self, nsid: &str, pairs: I) -> Result<Value, ValidationError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let def = self.params_def(nsid)?;
        let mut out = Map::new();
        for (k, v) in pairs {
            let (name, raw) = (k.as_ref(), v.as_ref());
            let path = format!("$.{name}");
            let schema = def.and_then(|d| d.properties.get(name));
            match schema {
                Some(Schema::Array(a)) => {
                    let item = scalar(&a.items, raw, &path)?;
                    match out
                        .entry(name.to_string())
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        Value::Array(items) => items.push(item),
                        _ => return Err(ValidationError::invalid(&path, "mixed parameter")),
                    }
                }
                other => {
                    let value = match other {
                        Some(s) => scalar(s, raw, &path)?,
                        None => Value::String(raw.to_string()),
                    };
                    if out.insert(name.to_string(), value).is_some() {
                        return Err(ValidationError::invalid(&path, "given more than once"));
                    }
                }
            }
        }
        let value = Value::Object(out);
        self.validate_params(nsid, &value)?;
        Ok(value)
    }
}

/// One query-string value typed by a primitive schema.
fn scalar(s: &Schema, raw: &str, path: &str) -> Result<Value, ValidationError> {
    match s {
        Schema::Integer(_) => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| ValidationError::invalid(path, format!("{raw:?} is not an integer"))),
        Schema::Boolean(_) => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ValidationError::invalid(
                path,
                format!("{raw:?} is not true or false"),
            )),
        },
        _ => Ok(Value::String(raw.to_string())),
    }
}
