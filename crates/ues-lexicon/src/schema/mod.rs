//! The lexicon v1 document model: what `serde_json` reads a lexicon JSON
//! document into. Structural rules that JSON shape alone cannot express
//! (primary types only in `main`, record bodies are objects, ...) are checked
//! afterwards by [`LexiconDoc::check`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

mod primitive;
pub use primitive::*;

/// One lexicon document: `{"lexicon": 1, "id": NSID, "defs": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LexiconDoc {
    /// The lexicon language version; only `1` exists.
    pub lexicon: u32,
    /// The NSID this document defines.
    pub id: String,
    /// Optional revision number of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Named definitions; `main` is the one the bare NSID refers to.
    pub defs: BTreeMap<String, Schema>,
}

/// Any lexicon type, tagged by its `type` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Schema {
    /// A repository record type (primary; `main` only).
    Record(RecordDef),
    /// An XRPC query (HTTP GET; primary).
    Query(QueryDef),
    /// An XRPC procedure (HTTP POST; primary).
    Procedure(ProcedureDef),
    /// An XRPC event stream (primary).
    Subscription(SubscriptionDef),
    /// A bundle of OAuth permissions (primary).
    PermissionSet(PermissionSetDef),
    /// Query-string parameters of an XRPC method.
    Params(ParamsDef),
    /// A map with named, typed properties.
    Object(ObjectDef),
    /// A list of items of one schema.
    Array(ArrayDef),
    /// A named symbol with no data (used in `knownValues`).
    Token(TokenDef),
    /// A reference to another definition.
    Ref(RefDef),
    /// One of several referenced object types, told apart by `$type`.
    Union(UnionDef),
    /// A UTF-8 string.
    String(StringDef),
    /// A signed integer.
    Integer(IntegerDef),
    /// A boolean.
    Boolean(BooleanDef),
    /// A byte string (`{"$bytes": base64}` in JSON).
    Bytes(BytesDef),
    /// A CID link (`{"$link": cid}` in JSON).
    CidLink(CidLinkDef),
    /// A reference to a blob (`{"$type": "blob", ...}`).
    Blob(BlobDef),
    /// Any object.
    Unknown(UnknownDef),
}

impl Schema {
    /// The lexicon `type` name of this schema.
    pub fn type_name(&self) -> &'static str {
        match self {
            Schema::Record(_) => "record",
            Schema::Query(_) => "query",
            Schema::Procedure(_) => "procedure",
            Schema::Subscription(_) => "subscription",
            Schema::PermissionSet(_) => "permission-set",
            Schema::Params(_) => "params",
            Schema::Object(_) => "object",
            Schema::Array(_) => "array",
            Schema::Token(_) => "token",
            Schema::Ref(_) => "ref",
            Schema::Union(_) => "union",
            Schema::String(_) => "string",
            Schema::Integer(_) => "integer",
            Schema::Boolean(_) => "boolean",
            Schema::Bytes(_) => "bytes",
            Schema::CidLink(_) => "cid-link",
            Schema::Blob(_) => "blob",
            Schema::Unknown(_) => "unknown",
        }
    }

    /// Whether this is a primary type (allowed only as the `main` def).
    pub fn is_primary(&self) -> bool {
        matches!(
            self,
            Schema::Record(_)
                | Schema::Query(_)
                | Schema::Procedure(_)
                | Schema::Subscription(_)
                | Schema::PermissionSet(_)
        )
    }
}

/// `record`: `key` is `tid`, `nsid`, `any` or `literal:<value>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordDef {
    /// The record key type.
    pub key: String,
    /// The record body; must be an `object`.
    pub record: Box<Schema>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The record key type of a record definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKeyType {
    /// A TID.
    Tid,
    /// An NSID.
    Nsid,
    /// Any valid record key.
    Any,
    /// Exactly this value (e.g. `self`).
    Literal(String),
}

impl RecordKeyType {
    /// Parse the `key` field of a record definition.
    pub fn parse(key: &str) -> Option<RecordKeyType> {
        match key {
            "tid" => Some(RecordKeyType::Tid),
            "nsid" => Some(RecordKeyType::Nsid),
            "any" => Some(RecordKeyType::Any),
            _ => key
                .strip_prefix("literal:")
                .filter(|v| !v.is_empty())
                .map(|v| RecordKeyType::Literal(v.to_string())),
        }
    }
}

/// An XRPC error a method may return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDef {
    /// The error name (the `error` field of the response).
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An XRPC request or response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyDef {
    /// The MIME type, e.g. `application/json`.
    pub encoding: String,
    /// The schema of a JSON body: an object, a ref or a union.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Box<Schema>>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryDef {
    /// Query-string parameters; must be `params`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Box<Schema>>,
    /// The response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<BodyDef>,
    /// Named errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDef>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `procedure`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureDef {
    /// Query-string parameters; must be `params`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Box<Schema>>,
    /// The request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<BodyDef>,
    /// The response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<BodyDef>,
    /// Named errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDef>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A subscription's message schema (a union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDef {
    /// The schema of each message; must be a `union`.
    pub schema: Box<Schema>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `subscription`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionDef {
    /// Query-string parameters; must be `params`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Box<Schema>>,
    /// The messages of the stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageDef>,
    /// Named errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDef>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `permission-set`: permissions are kept as raw JSON objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionSetDef {
    /// The permissions (`{"type": "permission", "resource": ..., ...}`).
    pub permissions: Vec<Value>,
    /// Every other field (`title`, `detail`, `title:lang`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `params`: like an object, with only primitive (or array of primitive)
/// properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParamsDef {
    /// Names of properties that must be present.
    #[serde(default)]
    pub required: Vec<String>,
    /// The parameters.
    #[serde(default)]
    pub properties: BTreeMap<String, Schema>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `object`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ObjectDef {
    /// Names of properties that must be present.
    #[serde(default)]
    pub required: Vec<String>,
    /// Names of properties whose value may be `null`.
    #[serde(default)]
    pub nullable: Vec<String>,
    /// The properties.
    #[serde(default)]
    pub properties: BTreeMap<String, Schema>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `array`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArrayDef {
    /// The schema of each element.
    pub items: Box<Schema>,
    /// Fewest elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Most elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `token`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TokenDef {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `ref`: `#local`, `nsid` (its `main`) or `nsid#def`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefDef {
    /// The reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `union`: open (any `$type` accepted) unless `closed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnionDef {
    /// The known member types.
    #[serde(default)]
    pub refs: Vec<String>,
    /// Whether only the listed refs are allowed.
    #[serde(default)]
    pub closed: bool,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
