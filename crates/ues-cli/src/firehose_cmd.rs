//! `ues firehose check EVENT.json [--key did:key:...]`: checks a `#commit`
//! event in the atproto JSON encoding and prints `{"ok": bool, "errors":
//! [...]}`; the exit code is 0 only when the event is valid.

use crate::CliError;
use serde_json::{json, Value};
use ues_repo::firehose::check_commit_json;
use ues_repo::key_from_did_key;

const USAGE: &str = "usage: ues firehose check EVENT.json [--key did:key:...]";

/// Dispatch `ues firehose <args>`.
pub fn run(args: &[&str]) -> Result<Value, CliError> {
    let (path, key) = match args {
        ["check", path] => (*path, None),
        ["check", path, "--key", k] | ["check", "--key", k, path] => (*path, Some(*k)),
        _ => return Err(CliError::Usage(USAGE.to_string())),
    };
    let bytes = std::fs::read(path).map_err(|source| CliError::Io {
        path: path.to_string(),
        source,
    })?;
    let event: Value =
        serde_json::from_slice(&bytes).map_err(|e| CliError::Input(format!("{path}: {e}")))?;
    let key = key
        .map(key_from_did_key)
        .transpose()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let errors: Vec<String> = check_commit_json(&event, key.as_ref().map(|k| k as _))
        .iter()
        .map(ToString::to_string)
        .collect();
    let out = json!({ "ok": errors.is_empty(), "errors": errors });
    if errors.is_empty() {
        Ok(out)
    } else {
        // An invalid event is a result, not a usage error: print it, exit 1.
        println!("{out}");
        std::process::exit(1);
    }
}
