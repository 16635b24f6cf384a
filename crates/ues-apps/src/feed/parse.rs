//! Reading the `app.bsky.*` records that the feed indexes out of the IPLD
//! data model: only the fields the views need.

use super::records::{BLOCK, FOLLOW, LIKE, LIST, LISTITEM, POST, PROFILE, REPOST};
use super::FeedError;
use ipld_core::ipld::Ipld;
use std::collections::BTreeMap;

/// The fields of a post that the feed uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    pub text: String,
    pub created_at: String,
    /// `createdAt` in microseconds since the Unix epoch: the sort time.
    pub sort_at: i64,
    /// `(root, parent)` URIs of a reply.
    pub reply: Option<(String, String)>,
    /// The URI of a quoted record (`embed.record` or `recordWithMedia`).
    pub quote: Option<String>,
    /// Images (directly or in a record-with-media).
    pub has_images: bool,
    /// An external link card.
    pub has_external: bool,
}

/// The fields of a profile that the feed uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileRecord {
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// A record of one of the feed's collections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Post(PostRecord),
    Like { subject: String },
    Repost { subject: String, sort_at: i64 },
    Follow { subject: String },
    Block { subject: String },
    Profile(ProfileRecord),
    List { name: String, purpose: String },
    ListItem { list: String, subject: String },
}

type Map = BTreeMap<String, Ipld>;

struct Reader<'a> {
    collection: &'a str,
    map: &'a Map,
}

impl<'a> Reader<'a> {
    fn bad(&self, message: impl Into<String>) -> FeedError {
        FeedError::InvalidRecord {
            collection: self.collection.to_string(),
            message: message.into(),
        }
    }
    fn opt_str(&self, key: &str) -> Result<Option<&'a str>, FeedError> {
        match self.map.get(key) {
            None | Some(Ipld::Null) => Ok(None),
            Some(Ipld::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.bad(format!("{key} must be a string"))),
        }
    }
    fn str(&self, key: &str) -> Result<&'a str, FeedError> {
        self.opt_str(key)?
            .ok_or_else(|| self.bad(format!("{key} is required")))
    }
    fn map(&self, key: &str) -> Result<Option<&'a Map>, FeedError> {
        match self.map.get(key) {
            None | Some(Ipld::Null) => Ok(None),
            Some(Ipld::Map(m)) => Ok(Some(m)),
            Some(_) => Err(self.bad(format!("{key} must be an object"))),
        }
    }
    fn sub(&self, map: &'a Map) -> Reader<'a> {
        Reader {
            collection: self.collection,
            map,
        }
    }
    /// A strong ref's URI.
    fn ref_uri(&self, key: &str) -> Result<String, FeedError> {
        let m = self
            .map(key)?
            .ok_or_else(|| self.bad(format!("{key} is required")))?;
        let uri = self.sub(m).str("uri")?;
        if !uri.starts_with("at://") {
            return Err(self.bad(format!("{key}.uri must be an at:// URI")));
        }
        Ok(uri.to_string())
    }
    fn time(&self, key: &str) -> Result<i64, FeedError> {
        let s = self.str(key)?;
        ues_data::syntax::parse_datetime(s)
            .map(|d| d.unix_micros())
            .map_err(|e| self.bad(format!("{key}: {e}")))
    }
}

/// Does the collection hold records the feed indexes?
pub fn is_feed_collection(collection: &str) -> bool {
    matches!(
        collection,
        POST | LIKE | REPOST | FOLLOW | BLOCK | PROFILE | LIST | LISTITEM
    )
}

/// Read a record of `collection`; `Ok(None)` for other collections.
pub fn parse(collection: &str, record: &Ipld) -> Result<Option<Parsed>, FeedError> {
    if !is_feed_collection(collection) {
        return Ok(None);
    }
    let Ipld::Map(map) = record else {
        return Err(FeedError::InvalidRecord {
            collection: collection.to_string(),
            message: "a record must be a map".into(),
        });
    };
    let r = Reader { collection, map };
    let parsed = match collection {
        POST => Parsed::Post(post(&r)?),
        LIKE => Parsed::Like {
            subject: r.ref_uri("subject")?,
        },
        REPOST => Parsed::Repost {
            subject: r.ref_uri("subject")?,
            sort_at: r.time("createdAt")?,
        },
        FOLLOW => Parsed::Follow {
            subject: did(&r, "subject")?,
        },
        BLOCK => Parsed::Block {
            subject: did(&r, "subject")?,
        },
        PROFILE => Parsed::Profile(ProfileRecord {
            display_name: r.opt_str("displayName")?.map(str::to_string),
            description: r.opt_str("description")?.map(str::to_string),
        }),
        LIST => Parsed::List {
            name: r.str("name")?.to_string(),
            purpose: r.str("purpose")?.to_string(),
        },
        _ => Parsed::ListItem {
            list: r.str("list")?.to_string(),
            subject: did(&r, "subject")?,
        },
    };
    Ok(Some(parsed))
}

fn did(r: &Reader<'_>, key: &str) -> Result<String, FeedError> {
    let s = r.str(key)?;
    if !s.starts_with("did:") {
        return Err(r.bad(format!("{key} must be a DID")));
    }
    Ok(s.to_string())
}

fn post(r: &Reader<'_>) -> Result<PostRecord, FeedError> {
    let text = r.str("text")?.to_string();
    let created_at = r.str("createdAt")?.to_string();
    let sort_at = r.time("createdAt")?;
    let reply = match r.map("reply")? {
        Some(m) => {
            let rr = r.sub(m);
            Some((rr.ref_uri("root")?, rr.ref_uri("parent")?))
        }
        None => None,
    };
    let (mut quote, mut has_images, mut has_external) = (None, false, false);
    if let Some(embed) = r.map("embed")? {
        let e = r.sub(embed);
        let media = |m: &Reader<'_>| -> Result<(bool, bool), FeedError> {
            Ok(match m.opt_str("$type")? {
                Some("app.bsky.embed.images") => (true, false),
                Some("app.bsky.embed.external") => (false, true),
                _ => (false, false),
            })
        };
        match e.opt_str("$type")? {
            Some("app.bsky.embed.record") => quote = Some(e.ref_uri("record")?),
            Some("app.bsky.embed.recordWithMedia") => {
                let rec = e
                    .map("record")?
                    .ok_or_else(|| r.bad("embed.record is required"))?;
                quote = Some(e.sub(rec).ref_uri("record")?);
                if let Some(m) = e.map("media")? {
                    (has_images, has_external) = media(&e.sub(m))?;
                }
            }
            _ => (has_images, has_external) = media(&e)?,
        }
    }
    Ok(PostRecord {
        text,
        created_at,
        sort_at,
        reply,
        quote,
        has_images,
        has_external,
    })
}

/// The DID (authority) of an `at://` URI, if it has one.
pub fn uri_did(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("at://")?;
    let did = rest.split('/').next()?;
    did.starts_with("did:").then_some(did)
}

/// `at://did/collection/rkey`.
pub fn record_uri(did: &str, collection: &str, rkey: &str) -> String {
    format!("at://{did}/{collection}/{rkey}")
}
