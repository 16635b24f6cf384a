//! DID and handle resolution through an injected [`HttpFetch`]: `did:key`
//! (local), `did:web` (`/.well-known/did.json`), `did:plc` (the operation
//! log from a configurable directory, verified) and handles
//! (`https://HANDLE/.well-known/atproto-did`, no DNS).

use crate::doc::{did_web_url, DidDocument};
use crate::error::IdentityError;
use crate::keys::PublicKey;
use crate::plc;
use ues_data::syntax;

/// Largest response body accepted (1 MiB).
pub const MAX_BODY: usize = 1 << 20;

/// A response to a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP GET provided by the host (browser `fetch`, a Worker's `fetch`, a
/// native client, or an in-memory fake in tests). Futures need not be
/// `Send`.
#[allow(async_fn_in_trait)]
pub trait HttpFetch {
    /// Fetches `url`; an `Err` is a transport failure, described as text.
    async fn get(&self, url: &str) -> Result<HttpResponse, String>;
}

/// The default did:plc directory.
pub const PLC_DIRECTORY: &str = "https://plc.directory";

/// An identity whose DID document was resolved (and whose handle, if any,
/// was checked in both directions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The DID.
    pub did: String,
    /// The handle, only when it resolves back to the DID.
    pub handle: Option<String>,
    /// The `#atproto` signing key.
    pub signing_key: PublicKey,
    /// The PDS endpoint.
    pub pds: Option<String>,
    /// The whole document.
    pub document: DidDocument,
}

/// Resolves DIDs and handles.
#[derive(Debug, Clone)]
pub struct Resolver<F> {
    fetch: F,
    plc_directory: String,
}

impl<F: HttpFetch> Resolver<F> {
    /// A resolver using `fetch` and the default PLC directory.
    pub fn new(fetch: F) -> Self {
        Resolver {
            fetch,
            plc_directory: PLC_DIRECTORY.to_string(),
        }
    }

    /// Uses another did:plc directory (e.g. a local mirror).
    pub fn with_plc_directory(mut self, url: &str) -> Self {
        self.plc_directory = url.trim_end_matches('/').to_string();
        self
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, IdentityError> {
        let r = self
            .fetch
            .get(url)
            .await
            .map_err(|message| IdentityError::Fetch {
                url: url.to_string(),
                message,
            })?;
        if r.status != 200 {
            return Err(IdentityError::HttpStatus {
                url: url.to_string(),
                status: r.status,
            });
        }
        if r.body.len() > MAX_BODY {
            return Err(IdentityError::BadResponse {
                url: url.to_string(),
                message: "body too large".into(),
            });
        }
        Ok(r.body)
    }

    async fn plc_ops(&self, did: &str) -> Result<Vec<serde_json::Value>, IdentityError> {
        syntax::validate_did(did)?;
        let url = format!("{}/{did}/log", self.plc_directory);
        let body = self.get(&url).await?;
        serde_json::from_slice(&body).map_err(|e| IdentityError::BadResponse {
            url,
            message: e.to_string(),
        })
    }

    /// The verified operation log of a did:plc (`GET {directory}/{did}/log`).
    pub async fn plc_log(&self, did: &str) -> Result<Vec<serde_json::Value>, IdentityError> {
        let ops = self.plc_ops(did).await?;
        plc::verify_log(did, &ops)?;
        Ok(ops)
    }

    /// Resolves a DID to its document. did:plc documents are rebuilt from
    /// the verified operation log rather than trusted from the directory.
    pub async fn resolve_did(&self, did: &str) -> Result<DidDocument, IdentityError> {
        syntax::validate_did(did)?;
        let doc = if did.starts_with("did:key:") {
            DidDocument::for_did_key(did)?
        } else if did.starts_with("did:web:") {
            let url = did_web_url(did)?;
            DidDocument::from_json(&self.get(&url).await?)?
        } else if did.starts_with("did:plc:") {
            let ops = self.plc_ops(did).await?;
            plc::verify_log(did, &ops)?.to_document(did)?
        } else {
            return Err(IdentityError::UnsupportedDidMethod(did.to_string()));
        };
        if doc.id != did {
            return Err(IdentityError::DidDocument(format!(
                "document id {} is not {did}",
                doc.id
            )));
        }
        Ok(doc)
    }

    /// Resolves a handle to a DID through
    /// `https://HANDLE/.well-known/atproto-did`.
    pub async fn resolve_handle(&self, handle: &str) -> Result<String, IdentityError> {
        let handle = syntax::normalize_handle(handle)?;
        let url = format!("https://{handle}/.well-known/atproto-did");
        let body = self.get(&url).await?;
        let did = std::str::from_utf8(&body)
            .map_err(|_| IdentityError::BadResponse {
                url: url.clone(),
                message: "not UTF-8".into(),
            })?
            .trim();
        syntax::validate_did(did).map_err(|e| IdentityError::BadResponse {
            url,
            message: e.to_string(),
        })?;
        Ok(did.to_string())
    }

    /// Resolves a DID or a handle to an [`Identity`]. A handle must be
    /// claimed by the DID document it resolves to; a DID's claimed handle is
    /// kept only if it resolves back to the DID.
    pub async fn resolve_identity(&self, id: &str) -> Result<Identity, IdentityError> {
        syntax::validate_at_identifier(id)?;
        let (did, asked_handle) = if id.starts_with("did:") {
            (id.to_string(), None)
        } else {
            let h = syntax::normalize_handle(id)?;
            (self.resolve_handle(&h).await?, Some(h))
        };
        let document = self.resolve_did(&did).await?;
        let claimed = document.handle();
        let handle = match asked_handle {
            Some(h) => {
                if claimed.as_deref() != Some(h.as_str()) {
                    return Err(IdentityError::HandleMismatch { handle: h, did });
                }
                Some(h)
            }
            None => match claimed {
                Some(h) if self.resolve_handle(&h).await.ok().as_deref() == Some(&did) => Some(h),
                _ => None,
            },
        };
        Ok(Identity {
            signing_key: document.signing_key()?,
            pds: document.pds_endpoint().map(str::to_string),
            did,
            handle,
            document,
        })
    }
}
