//! DID documents: the parts atproto uses (the `#atproto` signing key, the
//! `at://` handle in `alsoKnownAs`, the `#atproto_pds` service) and the
//! generation of documents for `did:web` and `did:key`.

use crate::error::IdentityError;
use crate::keys::{decode_base58btc, Algorithm, PublicKey};
use serde::{Deserialize, Serialize};
use ues_data::syntax;

/// A verification method entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationMethod {
    /// `did#fragment` or `#fragment`.
    pub id: String,
    /// `Multikey`, or a legacy suite such as
    /// `EcdsaSecp256k1VerificationKey2019`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The controlling DID.
    pub controller: String,
    /// The key, multibase-encoded.
    #[serde(rename = "publicKeyMultibase", skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
}

impl VerificationMethod {
    /// The public key: multicodec-tagged for `Multikey`, raw SEC1 bytes for
    /// the legacy `EcdsaSecp256{k1,r1}VerificationKey2019` suites.
    pub fn public_key(&self) -> Result<PublicKey, IdentityError> {
        let mb = self
            .public_key_multibase
            .as_deref()
            .ok_or_else(|| IdentityError::DidDocument("no publicKeyMultibase".into()))?;
        match self.kind.as_str() {
            "Multikey" => PublicKey::from_multikey(mb),
            "EcdsaSecp256k1VerificationKey2019" => {
                PublicKey::from_bytes(Algorithm::K256, &decode_base58btc(mb)?)
            }
            "EcdsaSecp256r1VerificationKey2019" => {
                PublicKey::from_bytes(Algorithm::P256, &decode_base58btc(mb)?)
            }
            other => Err(IdentityError::DidDocument(format!(
                "unsupported verification method type {other}"
            ))),
        }
    }
}

/// A service entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// `did#fragment` or `#fragment`.
    pub id: String,
    /// The service type, e.g. `AtprotoPersonalDataServer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The endpoint (a URL string; other forms are kept as JSON).
    #[serde(rename = "serviceEndpoint")]
    pub endpoint: serde_json::Value,
}

/// A DID document (the fields atproto reads; others are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DidDocument {
    /// JSON-LD contexts.
    #[serde(rename = "@context", default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// The DID.
    pub id: String,
    /// Other identifiers, e.g. `at://handle`.
    #[serde(rename = "alsoKnownAs", default)]
    pub also_known_as: Vec<String>,
    /// Keys.
    #[serde(rename = "verificationMethod", default)]
    pub verification_method: Vec<VerificationMethod>,
    /// Services.
    #[serde(default)]
    pub service: Vec<Service>,
}

/// The contexts of a document with a `Multikey` verification method.
pub const CONTEXT: [&str; 2] = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
];

impl DidDocument {
    /// Parses a JSON document and checks that its `id` is a DID.
    pub fn from_json(bytes: &[u8]) -> Result<Self, IdentityError> {
        let doc: DidDocument =
            serde_json::from_slice(bytes).map_err(|e| IdentityError::DidDocument(e.to_string()))?;
        syntax::validate_did(&doc.id)?;
        Ok(doc)
    }

    /// The document as JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, vectors and JSON values cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A document for `did` with one atproto signing key, an optional
    /// handle and an optional PDS endpoint.
    pub fn new(did: &str, key: &PublicKey, handle: Option<&str>, pds: Option<&str>) -> Self {
        DidDocument {
            context: CONTEXT.iter().map(|s| s.to_string()).collect(),
            id: did.to_string(),
            also_known_as: handle.map(|h| format!("at://{h}")).into_iter().collect(),
            verification_method: vec![VerificationMethod {
                id: format!("{did}#atproto"),
                kind: "Multikey".into(),
                controller: did.to_string(),
                public_key_multibase: Some(key.to_multikey()),
            }],
            service: pds
                .map(|url| Service {
                    id: "#atproto_pds".into(),
                    kind: "AtprotoPersonalDataServer".into(),
                    endpoint: serde_json::Value::String(url.to_string()),
                })
                .into_iter()
                .collect(),
        }
    }

    /// The `did:web` document of `host` (e.g. `example.com` or
    /// `localhost:2583`), served at [`did_web_url`].
    pub fn did_web(
        host: &str,
        key: &PublicKey,
        handle: Option<&str>,
        pds: Option<&str>,
    ) -> Result<Self, IdentityError> {
        if let Some(h) = handle {
            syntax::validate_handle(h)?;
        }
        Ok(Self::new(&did_web_for_host(host)?, key, handle, pds))
    }

    /// The synthetic document of a `did:key` (its key is the signing key).
    pub fn for_did_key(did: &str) -> Result<Self, IdentityError> {
        let key = PublicKey::from_did_key(did)?;
        Ok(Self::new(did, &key, None, None))
    }

    fn matches(&self, id: &str, fragment: &str) -> bool {
        id.strip_prefix(self.id.as_str()).unwrap_or(id) == fragment
    }

    /// The `#atproto` signing key.
    pub fn signing_key(&self) -> Result<PublicKey, IdentityError> {
        self.verification_method
            .iter()
            .find(|m| self.matches(&m.id, "#atproto"))
            .ok_or_else(|| IdentityError::DidDocument("no #atproto verification method".into()))?
            .public_key()
    }

    /// The handle claimed in `alsoKnownAs` (the first valid `at://` entry),
    /// lowercased.
    pub fn handle(&self) -> Option<String> {
        self.also_known_as
            .iter()
            .filter_map(|a| a.strip_prefix("at://"))
            .find_map(|h| syntax::normalize_handle(h).ok())
    }

    /// The `#atproto_pds` service endpoint.
    pub fn pds_endpoint(&self) -> Option<&str> {
        self.service
            .iter()
            .find(|s| self.matches(&s.id, "#atproto_pds") && s.kind == "AtprotoPersonalDataServer")
            .and_then(|s| s.endpoint.as_str())
    }
}

/// The `did:web` of a host name (a port is percent-encoded as `%3A`).
pub fn did_web_for_host(host: &str) -> Result<String, IdentityError> {
    let did = format!("did:web:{}", host.replace(':', "%3A"));
    syntax::validate_did(&did)?;
    Ok(did)
}

/// The URL of a `did:web`'s document: `https://HOST/.well-known/did.json`
/// (`http` for `localhost`). atproto allows no path component.
pub fn did_web_url(did: &str) -> Result<String, IdentityError> {
    syntax::validate_did(did)?;
    let host = did
        .strip_prefix("did:web:")
        .ok_or_else(|| IdentityError::UnsupportedDidMethod(did.to_string()))?;
    if host.contains(':') {
        return Err(IdentityError::DidDocument(
            "did:web with a path is not supported by atproto".into(),
        ));
    }
    let host = host.replace("%3A", ":").replace("%3a", ":");
    let scheme = if host == "localhost" || host.starts_with("localhost:") {
        "http"
    } else {
        "https"
    };
    Ok(format!("{scheme}://{host}/.well-known/did.json"))
}
