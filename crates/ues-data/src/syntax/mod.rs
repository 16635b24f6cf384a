//! AT Protocol identifier syntax: DIDs, handles, NSIDs, AT-URIs, TIDs, record
//! keys, datetimes, language tags, generic URIs and at-identifiers.
//!
//! Each `validate_*` function checks the lexical rules of the atproto
//! specification (as exercised by `atproto-interop-tests/syntax/`) and reports
//! a typed [`SyntaxError`]. Validation never allocates on success except where
//! a parsed value is returned ([`parse_at_uri`], [`parse_datetime`],
//! [`parse_language`]).

mod datetime;
mod language;

pub use datetime::{parse_datetime, validate_datetime, Datetime};
pub use language::{parse_language, validate_language, LanguageTag};

use std::fmt;

/// Which kind of identifier a [`SyntaxError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A DID (`did:method:value`).
    Did,
    /// A handle (a DNS name).
    Handle,
    /// A Namespaced Identifier (`com.example.thing`).
    Nsid,
    /// An `at://` URI.
    AtUri,
    /// A timestamp identifier.
    Tid,
    /// A record key.
    RecordKey,
    /// An RFC 3339 / ISO 8601 datetime.
    Datetime,
    /// A BCP 47 language tag.
    Language,
    /// A generic URI.
    Uri,
    /// A handle or a DID.
    AtIdentifier,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Did => "DID",
            Kind::Handle => "handle",
            Kind::Nsid => "NSID",
            Kind::AtUri => "AT-URI",
            Kind::Tid => "TID",
            Kind::RecordKey => "record key",
            Kind::Datetime => "datetime",
            Kind::Language => "language tag",
            Kind::Uri => "URI",
            Kind::AtIdentifier => "at-identifier",
        })
    }
}

/// A string that is not a valid identifier of the expected [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// The string is empty.
    #[error("empty {0}")]
    Empty(Kind),
    /// The string is longer than the kind allows.
    #[error("{kind} too long: {len} > {max}")]
    TooLong {
        /// What was being validated.
        kind: Kind,
        /// Its length in bytes.
        len: usize,
        /// The maximum length in bytes.
        max: usize,
    },
    /// The string breaks a lexical rule.
    #[error("invalid {kind}: {reason}")]
    Invalid {
        /// What was being validated.
        kind: Kind,
        /// Which rule was broken.
        reason: &'static str,
    },
}

pub(crate) fn invalid(kind: Kind, reason: &'static str) -> SyntaxError {
    SyntaxError::Invalid { kind, reason }
}

fn check_len(kind: Kind, s: &str, max: usize) -> Result<(), SyntaxError> {
    if s.is_empty() {
        Err(SyntaxError::Empty(kind))
    } else if s.len() > max {
        Err(SyntaxError::TooLong {
            kind,
            len: s.len(),
            max,
        })
    } else {
        Ok(())
    }
}

/// Maximum length of a DID (bytes).
pub const DID_MAX: usize = 2048;
/// Maximum length of a handle (bytes).
pub const HANDLE_MAX: usize = 253;
/// Maximum length of an NSID (bytes).
pub const NSID_MAX: usize = 317;
/// Maximum length of an AT-URI or URI (bytes).
pub const URI_MAX: usize = 8192;
/// Maximum length of a record key (bytes).
pub const RECORD_KEY_MAX: usize = 512;

/// `did:<method>:<id>`: method is `[a-z]+`, the id is `[A-Za-z0-9._:%-]*`
/// and does not end with `:` or `%`.
pub fn validate_did(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::Did;
    check_len(K, s, DID_MAX)?;
    let rest = s
        .strip_prefix("did:")
        .ok_or(invalid(K, "must start with \"did:\""))?;
    let (method, id) = rest
        .split_once(':')
        .ok_or(invalid(K, "missing method separator"))?;
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(invalid(K, "method must be lowercase letters"));
    }
    if id.is_empty() {
        return Err(invalid(K, "empty method-specific identifier"));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._:%-".contains(&b))
    {
        return Err(invalid(K, "disallowed character"));
    }
    if id.ends_with(':') || id.ends_with('%') {
        return Err(invalid(K, "must not end with ':' or '%'"));
    }
    Ok(())
}

/// Checks one DNS label: 1..=63 of `[A-Za-z0-9-]`, no hyphen at either end.
fn dns_label(l: &str) -> bool {
    let b = l.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A handle: at least two DNS labels, the last one starting with a letter.
pub fn validate_handle(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::Handle;
    check_len(K, s, HANDLE_MAX)?;
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid(K, "needs at least two labels"));
    }
    if !labels.iter().all(|l| dns_label(l)) {
        return Err(invalid(K, "bad DNS label"));
    }
    let tld = labels[labels.len() - 1];
    if !tld.as_bytes()[0].is_ascii_alphabetic() {
        return Err(invalid(K, "top-level label must start with a letter"));
    }
    Ok(())
}

/// The canonical (lowercase) form of a valid handle.
pub fn normalize_handle(s: &str) -> Result<String, SyntaxError> {
    validate_handle(s)?;
    Ok(s.to_ascii_lowercase())
}

/// An NSID: a reversed domain authority (≥ 2 labels, the first starting with
/// a letter) and a name `[A-Za-z][A-Za-z0-9]{0,62}`.
pub fn validate_nsid(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::Nsid;
    check_len(K, s, NSID_MAX)?;
    let (authority, name) = s
        .rsplit_once('.')
        .ok_or(invalid(K, "needs at least three segments"))?;
    let labels: Vec<&str> = authority.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid(K, "needs at least three segments"));
    }
    if !labels.iter().all(|l| dns_label(l)) {
        return Err(invalid(K, "bad domain authority"));
    }
    if !labels[0].as_bytes()[0].is_ascii_alphabetic() {
        return Err(invalid(K, "first segment must start with a letter"));
    }
    let nb = name.as_bytes();
    if nb.is_empty()
        || nb.len() > 63
        || !nb[0].is_ascii_alphabetic()
        || !nb.iter().all(u8::is_ascii_alphanumeric)
    {
        return Err(invalid(K, "bad name segment"));
    }
    Ok(())
}

/// A TID: 13 characters of base32-sortable, the first in `[2-7a-j]`.
pub fn validate_tid(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::Tid;
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    if s.len() != 13 {
        return Err(invalid(K, "must be 13 characters"));
    }
    let b = s.as_bytes();
    if !b.iter().all(|c| ALPHABET.contains(c)) {
        return Err(invalid(K, "not base32-sortable"));
    }
    if !b"234567abcdefghij".contains(&b[0]) {
        return Err(invalid(K, "high bit must be zero"));
    }
    Ok(())
}

/// A record key: 1..=512 of `[A-Za-z0-9._:~-]`, not `.` or `..`.
pub fn validate_record_key(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::RecordKey;
    check_len(K, s, RECORD_KEY_MAX)?;
    if s == "." || s == ".." {
        return Err(invalid(K, "must not be '.' or '..'"));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._:~-".contains(&b))
    {
        return Err(invalid(K, "disallowed character"));
    }
    Ok(())
}

/// A handle or a DID.
pub fn validate_at_identifier(s: &str) -> Result<(), SyntaxError> {
    let r = if s.starts_with("did:") {
        validate_did(s)
    } else {
        validate_handle(s)
    };
    r.map_err(|e| match e {
        SyntaxError::Invalid { reason, .. } => invalid(Kind::AtIdentifier, reason),
        other => other,
    })
}

/// A generic URI: a scheme `[a-z][a-z0-9+.-]*`, `:`, then at least one
/// printable ASCII character and no whitespace; at most 8 KiB.
pub fn validate_uri(s: &str) -> Result<(), SyntaxError> {
    const K: Kind = Kind::Uri;
    check_len(K, s, URI_MAX)?;
    let (scheme, rest) = s.split_once(':').ok_or(invalid(K, "missing scheme"))?;
    let sb = scheme.as_bytes();
    if sb.is_empty()
        || sb.len() > 81
        || !sb[0].is_ascii_lowercase()
        || !sb
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"+.-".contains(c))
    {
        return Err(invalid(K, "bad scheme"));
    }
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(K, "empty or non-printable remainder"));
    }
    Ok(())
}

/// The parts of an `at://` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtUri<'a> {
    /// The DID or handle.
    pub authority: &'a str,
    /// The collection NSID, if present.
    pub collection: Option<&'a str>,
    /// The record key, if present (only with a collection).
    pub rkey: Option<&'a str>,
    /// The fragment after `#`, without the `#` (starts with `/`).
    pub fragment: Option<&'a str>,
}

/// Validates an AT-URI; see [`parse_at_uri`].
pub fn validate_at_uri(s: &str) -> Result<(), SyntaxError> {
    parse_at_uri(s).map(|_| ())
}

/// Parses `at://AUTHORITY[/COLLECTION[/RKEY]][#/FRAGMENT]` where the
/// authority is a DID or handle, the collection an NSID and the key a record
/// key. No trailing slash, no query; at most 8 KiB.
pub fn parse_at_uri(s: &str) -> Result<AtUri<'_>, SyntaxError> {
    const K: Kind = Kind::AtUri;
    check_len(K, s, URI_MAX)?;
    let rest = s
        .strip_prefix("at://")
        .ok_or(invalid(K, "must start with \"at://\""))?;
    let (path, fragment) = match rest.split_once('#') {
        Some((p, f)) => {
            let ok_frag = f.starts_with('/')
                && f.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._~:@!$&')(*+,;=%[]/-".contains(&b));
            if !ok_frag {
                return Err(invalid(K, "bad fragment"));
            }
            (p, Some(f))
        }
        None => (rest, None),
    };
    let mut parts = path.split('/');
    let authority = parts.next().unwrap_or_default();
    validate_at_identifier(authority).map_err(|_| invalid(K, "bad authority"))?;
    let collection = parts.next();
    if let Some(c) = collection {
        validate_nsid(c).map_err(|_| invalid(K, "collection is not an NSID"))?;
    }
    let rkey = parts.next();
    if let Some(r) = rkey {
        validate_record_key(r).map_err(|_| invalid(K, "bad record key"))?;
    }
    if parts.next().is_some() {
        return Err(invalid(K, "too many path segments"));
    }
    Ok(AtUri {
        authority,
        collection,
        rkey,
        fragment,
    })
}
