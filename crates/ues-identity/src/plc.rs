//! did:plc: build and sign operations, compute a DID from its genesis
//! operation, verify an operation log and turn its state into a DID
//! document.
//!
//! Operations are JSON objects (as the PLC directory serves them). They are
//! signed over the DAG-CBOR encoding of the operation without `sig`; `sig`
//! is base64url (no padding) of a 64-byte compact low-S ECDSA signature by
//! one of the rotation keys. The DID is `did:plc:` + the first 24 characters
//! of base32-lower(sha256(DAG-CBOR of the signed genesis operation)).

use crate::doc::{DidDocument, Service, VerificationMethod, CONTEXT};
use crate::error::IdentityError;
use crate::keys::{Keypair, PublicKey};
use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

fn err(index: usize, reason: impl Into<String>) -> IdentityError {
    IdentityError::Plc {
        index,
        reason: reason.into(),
    }
}

/// Canonical DAG-CBOR of an operation (JSON object).
pub fn encode(op: &Value) -> Result<Vec<u8>, IdentityError> {
    let ipld = ues_data::cbor::from_json(op).map_err(|e| err(0, e.to_string()))?;
    ues_data::cbor::encode(&ipld).map_err(|e| err(0, e.to_string()))
}

/// The CID (base32 CIDv1, dag-cbor, sha2-256) of a signed operation: what
/// the next operation's `prev` names.
pub fn op_cid(op: &Value) -> Result<String, IdentityError> {
    Ok(ues_data::cid::cbor_cid(&encode(op)?).to_string())
}

/// An unsigned `plc_operation`.
pub fn unsigned_op(
    rotation_keys: &[String],
    signing_key: &PublicKey,
    handle: Option<&str>,
    pds: Option<&str>,
    prev: Option<&str>,
) -> Value {
    let aka: Vec<String> = handle.map(|h| format!("at://{h}")).into_iter().collect();
    let mut services = Map::new();
    if let Some(url) = pds {
        services.insert(
            "atproto_pds".into(),
            json!({"type": "AtprotoPersonalDataServer", "endpoint": url}),
        );
    }
    json!({
        "type": "plc_operation",
        "rotationKeys": rotation_keys,
        "verificationMethods": {"atproto": signing_key.to_did_key()},
        "alsoKnownAs": aka,
        "services": services,
        "prev": prev,
    })
}

/// Signs an unsigned operation with a rotation key, adding `sig`.
pub fn sign_op(mut op: Value, rotation_key: &Keypair) -> Result<Value, IdentityError> {
    let obj = op
        .as_object_mut()
        .ok_or_else(|| err(0, "operation is not an object"))?;
    obj.remove("sig");
    let bytes = encode(&Value::Object(obj.clone()))?;
    let sig = rotation_key.sign(&bytes);
    obj.insert("sig".into(), Value::String(BASE64URL_NOPAD.encode(&sig)));
    Ok(op)
}

/// The DID of a signed genesis operation.
pub fn did_for_genesis(op: &Value) -> Result<String, IdentityError> {
    let hash = Sha256::digest(encode(op)?);
    let b32 = BASE32_NOPAD.encode(&hash).to_ascii_lowercase();
    Ok(format!("did:plc:{}", &b32[..24]))
}

/// Builds and signs a genesis operation whose only rotation key is
/// `rotation_key`; returns the DID and the signed operation.
pub fn create_genesis(
    rotation_key: &Keypair,
    signing_key: &PublicKey,
    handle: Option<&str>,
    pds: Option<&str>,
) -> Result<(String, Value), IdentityError> {
    let unsigned = unsigned_op(&[rotation_key.did_key()], signing_key, handle, pds, None);
    let op = sign_op(unsigned, rotation_key)?;
    Ok((did_for_genesis(&op)?, op))
}

/// The identity state after a verified log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlcState {
    /// Rotation keys (`did:key`), highest priority first.
    pub rotation_keys: Vec<String>,
    /// Verification methods by name (`atproto` → `did:key`).
    pub verification_methods: BTreeMap<String, String>,
    /// `alsoKnownAs` entries.
    pub also_known_as: Vec<String>,
    /// Services by name: (type, endpoint).
    pub services: BTreeMap<String, (String, String)>,
}

impl PlcState {
    /// The DID document for `did` in this state.
    pub fn to_document(&self, did: &str) -> Result<DidDocument, IdentityError> {
        let mut vms = Vec::new();
        for (name, key) in &self.verification_methods {
            let k = PublicKey::from_did_key(key)?;
            vms.push(VerificationMethod {
                id: format!("{did}#{name}"),
                kind: "Multikey".into(),
                controller: did.to_string(),
                public_key_multibase: Some(k.to_multikey()),
            });
        }
        Ok(DidDocument {
            context: CONTEXT.iter().map(|s| s.to_string()).collect(),
            id: did.to_string(),
            also_known_as: self.also_known_as.clone(),
            verification_method: vms,
            service: self
                .services
                .iter()
                .map(|(name, (kind, url))| Service {
                    id: format!("#{name}"),
                    kind: kind.clone(),
                    endpoint: Value::String(url.clone()),
                })
                .collect(),
        })
    }
}

fn strings(v: &Value, i: usize, field: &str) -> Result<Vec<String>, IdentityError> {
    v.get(field)
        .and_then(Value::as_array)
        .ok_or_else(|| err(i, format!("missing {field}")))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| err(i, format!("bad {field}")))
        })
        .collect()
}

fn str_field<'a>(v: &'a Value, i: usize, field: &str) -> Result<&'a str, IdentityError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| err(i, format!("missing {field}")))
}

/// The state an operation sets; `None` for a tombstone.
fn state_of(op: &Value, i: usize) -> Result<Option<PlcState>, IdentityError> {
    match str_field(op, i, "type")? {
        "plc_operation" => {
            let mut st = PlcState {
                rotation_keys: strings(op, i, "rotationKeys")?,
                also_known_as: strings(op, i, "alsoKnownAs")?,
                ..Default::default()
            };
            let vms = op.get("verificationMethods").and_then(Value::as_object);
            for (k, v) in vms.ok_or_else(|| err(i, "missing verificationMethods"))? {
                let key = v
                    .as_str()
                    .ok_or_else(|| err(i, "bad verification method"))?;
                st.verification_methods.insert(k.clone(), key.to_string());
            }
            let svcs = op.get("services").and_then(Value::as_object);
            for (k, v) in svcs.ok_or_else(|| err(i, "missing services"))? {
                let kind = str_field(v, i, "type")?.to_string();
                let url = str_field(v, i, "endpoint")?.to_string();
                st.services.insert(k.clone(), (kind, url));
            }
            Ok(Some(st))
        }
        "create" => {
            let signing = str_field(op, i, "signingKey")?.to_string();
            let recovery = str_field(op, i, "recoveryKey")?.to_string();
            let mut st = PlcState {
                rotation_keys: vec![recovery, signing.clone()],
                also_known_as: vec![format!("at://{}", str_field(op, i, "handle")?)],
                ..Default::default()
            };
            st.verification_methods.insert("atproto".into(), signing);
            let url = str_field(op, i, "service")?.to_string();
            st.services.insert(
                "atproto_pds".into(),
                ("AtprotoPersonalDataServer".into(), url),
            );
            Ok(Some(st))
        }
        "plc_tombstone" => Ok(None),
        other => Err(err(i, format!("unknown operation type {other}"))),
    }
}

fn verify_sig(op: &Value, keys: &[String], i: usize) -> Result<(), IdentityError> {
    let mut obj = op
        .as_object()
        .ok_or_else(|| err(i, "not an object"))?
        .clone();
    let sig = obj
        .remove("sig")
        .and_then(|s| s.as_str().map(str::to_string))
        .ok_or_else(|| err(i, "missing sig"))?;
    let sig = BASE64URL_NOPAD
        .decode(sig.trim_end_matches('=').as_bytes())
        .map_err(|_| err(i, "sig is not base64url"))?;
    let bytes = encode(&Value::Object(obj))?;
    for k in keys {
        let key = PublicKey::from_did_key(k).map_err(|e| err(i, e.to_string()))?;
        if key.verify(&bytes, &sig).is_ok() {
            return Ok(());
        }
    }
    Err(err(i, "no rotation key verifies the signature"))
}

/// Verifies a did:plc operation log (oldest first): the genesis operation
/// derives `did`, every `prev` names the operation before it, and each
/// operation is signed by a rotation key of the state before it (the
/// genesis by its own). Returns the final state, or
/// [`IdentityError::Tombstoned`].
pub fn verify_log(did: &str, ops: &[Value]) -> Result<PlcState, IdentityError> {
    let genesis = ops.first().ok_or_else(|| err(0, "empty log"))?;
    if did_for_genesis(genesis)? != did {
        return Err(err(0, "genesis operation does not derive the DID"));
    }
    let mut state: Option<PlcState> = None;
    for (i, op) in ops.iter().enumerate() {
        let prev = op.get("prev").ok_or_else(|| err(i, "missing prev"))?;
        let next = state_of(op, i)?;
        let keys = if i == 0 {
            if !prev.is_null() {
                return Err(err(i, "genesis prev must be null"));
            }
            next.as_ref()
                .ok_or_else(|| err(i, "genesis is a tombstone"))?
                .rotation_keys
                .clone()
        } else {
            let expected = op_cid(&ops[i - 1])?;
            if prev.as_str() != Some(expected.as_str()) {
                return Err(err(i, "prev does not name the previous operation"));
            }
            state
                .as_ref()
                .ok_or_else(|| err(i, "operation after a tombstone"))?
                .rotation_keys
                .clone()
        };
        verify_sig(op, &keys, i)?;
        state = next;
    }
    state.ok_or_else(|| IdentityError::Tombstoned(did.to_string()))
}
