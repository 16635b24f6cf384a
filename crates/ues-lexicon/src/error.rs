//! Typed errors: [`LexiconError`] for documents and the registry,
//! [`ValidationError`] for data checked against a schema.

use thiserror::Error;

/// A lexicon document is malformed, or a registry lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LexiconError {
    /// The text is not JSON, or the JSON does not have the lexicon shape
    /// (a missing field, a field of the wrong type, an unknown `type`).
    #[error("malformed lexicon document: {0}")]
    Malformed(String),
    /// `lexicon` is not `1`.
    #[error("unsupported lexicon version {0} (only 1 is defined)")]
    UnsupportedVersion(u32),
    /// `id` is not a valid NSID.
    #[error("lexicon id {id:?} is not a valid NSID: {reason}")]
    InvalidId {
        /// The id as written.
        id: String,
        /// Why the NSID syntax rejects it.
        reason: String,
    },
    /// A definition breaks a structural rule of the lexicon language.
    #[error("{path}: {message}")]
    InvalidDef {
        /// Where: `nsid#def.properties.field...`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Two documents with the same id were loaded.
    #[error("lexicon {0} is already loaded")]
    Duplicate(String),
    /// No loaded document or definition answers to this reference.
    #[error("lexicon definition {0} not found")]
    NotFound(String),
    /// The definition exists but has another type than the operation needs.
    #[error("lexicon definition {uri} is a {found}, expected {expected}")]
    WrongType {
        /// The definition.
        uri: String,
        /// Its type.
        found: &'static str,
        /// What the caller needed.
        expected: &'static str,
    },
    /// Reading a lexicon directory failed (native only).
    #[error("reading {path}: {message}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        message: String,
    },
}

/// A value does not match its schema.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    /// The value breaks the schema at `path` (`$` is the value itself,
    /// e.g. `$.embed.images[0].alt`).
    #[error("{path}: {message}")]
    Invalid {
        /// Where in the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The schema the value must follow could not be found or used.
    #[error("schema: {0}")]
    Schema(#[from] LexiconError),
}

impl ValidationError {
    /// An [`ValidationError::Invalid`] at `path`.
    pub fn invalid(path: &str, message: impl Into<String>) -> Self {
        ValidationError::Invalid {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The path of an [`ValidationError::Invalid`] error, `None` otherwise.
    pub fn path(&self) -> Option<&str> {
        match self {
            ValidationError::Invalid { path, .. } => Some(path),
            ValidationError::Schema(_) => None,
        }
    }
}
