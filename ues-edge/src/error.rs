//! XRPC errors: `{error, message}` bodies with the reference PDS's HTTP
//! statuses, and the conversions from the core crates' errors.

use ues_repo::RepoError;

/// One XRPC error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error} ({status}): {message}")]
pub struct XrpcError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl XrpcError {
    pub fn new(status: u16, error: &str, message: impl Into<String>) -> Self {
        XrpcError {
            status,
            error: error.to_string(),
            message: message.into(),
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidRequest", message)
    }

    /// 400 with a specific error name (e.g. `RecordNotFound`).
    pub fn bad(error: &str, message: impl Into<String>) -> Self {
        Self::new(400, error, message)
    }

    pub fn auth_required(message: impl Into<String>) -> Self {
        Self::new(401, "AuthenticationRequired", message)
    }

    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidToken", message)
    }

    pub fn expired_token(message: impl Into<String>) -> Self {
        Self::new(400, "ExpiredToken", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }

    pub fn method_not_implemented(nsid: &str) -> Self {
        Self::new(
            501,
            "MethodNotImplemented",
            format!("method not implemented: {nsid}"),
        )
    }

    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(429, "RateLimitExceeded", message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(413, "PayloadTooLarge", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerError", message)
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.error, "message": self.message })
    }

    /// Parses an error body returned by a Durable Object.
    pub fn from_body(status: u16, body: &serde_json::Value) -> Self {
        let error = body["error"].as_str().unwrap_or("InternalServerError");
        let message = body["message"].as_str().unwrap_or("");
        Self::new(status, error, message)
    }
}

impl From<RepoError> for XrpcError {
    fn from(e: RepoError) -> Self {
        let msg = e.to_string();
        match e {
            RepoError::RecordNotFound(_) => Self::bad("RecordNotFound", msg),
            RepoError::RecordExists(_) => Self::invalid_request(msg),
            RepoError::InvalidPath(_) | RepoError::InvalidRecord(_) => Self::invalid_request(msg),
            RepoError::StaleRev { .. } => Self::bad("StaleRev", msg),
            RepoError::BadSignature => Self::bad("InvalidSignature", msg),
            RepoError::WrongDid { .. } => Self::bad("WrongDid", msg),
            RepoError::Car(_)
            | RepoError::CarRoots(_)
            | RepoError::NonCanonical(_)
            | RepoError::BadCommit(_)
            | RepoError::BadMst(_)
            | RepoError::MissingBlock(_)
            | RepoError::MissingRecord { .. }
            | RepoError::Tid(_)
            | RepoError::BadKey(_) => Self::bad("InvalidCar", msg),
            RepoError::Empty => Self::bad("RepoNotFound", msg),
            RepoError::Signing(_) | RepoError::Store(_) | RepoError::Corrupt(_) => {
                Self::internal(msg)
            }
        }
    }
}

impl From<ues_lexicon::ValidationError> for XrpcError {
    fn from(e: ues_lexicon::ValidationError) -> Self {
        Self::invalid_request(e.to_string())
    }
}

impl From<ues_store::StoreError> for XrpcError {
    fn from(e: ues_store::StoreError) -> Self {
        Self::internal(e.to_string())
    }
}

impl From<serde_json::Error> for XrpcError {
    fn from(e: serde_json::Error) -> Self {
        Self::invalid_request(format!("invalid JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_errors_map_to_reference_names() {
        let e: XrpcError = RepoError::RecordNotFound("a/b".into()).into();
        assert_eq!((e.status, e.error.as_str()), (400, "RecordNotFound"));
        let e: XrpcError = RepoError::StaleRev {
            current: "b".into(),
            new: "a".into(),
        }
        .into();
        assert_eq!(e.error, "StaleRev");
        assert_eq!(
            XrpcError::from_body(401, &XrpcError::auth_required("x").body()),
            XrpcError::auth_required("x")
        );
    }
}
