//! Builders of the `app.bsky.*` records, in the atproto JSON form
//! ([`serde_json::Value`]) or the IPLD data model ([`to_ipld`]). Their output
//! validates against the official lexicons (tests/records.rs checks each one
//! with ues-lexicon). Times are RFC 3339 strings supplied by the caller, so
//! builders stay deterministic.

use super::facets::{Facet, FacetFeature, HandleResolver};
use super::FeedError;
use ipld_core::ipld::Ipld;
use serde_json::{json, Map, Value};

pub const PROFILE: &str = "app.bsky.actor.profile";
pub const POST: &str = "app.bsky.feed.post";
pub const LIKE: &str = "app.bsky.feed.like";
pub const REPOST: &str = "app.bsky.feed.repost";
pub const FOLLOW: &str = "app.bsky.graph.follow";
pub const BLOCK: &str = "app.bsky.graph.block";
pub const LIST: &str = "app.bsky.graph.list";
pub const LISTITEM: &str = "app.bsky.graph.listitem";

/// `com.atproto.repo.strongRef`: a record's URI and CID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

/// A blob reference (`{"$type": "blob", ...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub cid: String,
    pub mime_type: String,
    pub size: u64,
}

/// `app.bsky.embed.defs#aspectRatio`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AspectRatio {
    pub width: u64,
    pub height: u64,
}

/// `app.bsky.embed.images#image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub image: BlobRef,
    pub alt: String,
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.external#external`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    pub uri: String,
    pub title: String,
    pub description: String,
    pub thumb: Option<BlobRef>,
}

/// The media half of a record-with-media embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    Images(Vec<Image>),
    External(External),
}

/// A post embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Embed {
    Images(Vec<Image>),
    External(External),
    /// A quote post.
    Record(StrongRef),
    RecordWithMedia {
        record: StrongRef,
        media: Media,
    },
}

/// `app.bsky.graph.defs#listPurpose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPurpose {
    Curate,
    Moderate,
    Reference,
}

impl BlobRef {
    pub fn to_json(&self) -> Value {
        json!({"$type": "blob", "ref": {"$link": self.cid}, "mimeType": self.mime_type, "size": self.size})
    }
}

impl StrongRef {
    pub fn new(uri: impl Into<String>, cid: impl Into<String>) -> Self {
        StrongRef {
            uri: uri.into(),
            cid: cid.into(),
        }
    }
    pub fn to_json(&self) -> Value {
        json!({"uri": self.uri, "cid": self.cid})
    }
}

fn images_json(images: &[Image]) -> Value {
    let items: Vec<Value> = images
        .iter()
        .map(|i| {
            let mut m = Map::new();
            m.insert("image".into(), i.image.to_json());
            m.insert("alt".into(), Value::String(i.alt.clone()));
            if let Some(a) = i.aspect_ratio {
                m.insert(
                    "aspectRatio".into(),
                    json!({"width": a.width, "height": a.height}),
                );
            }
            Value::Object(m)
        })
        .collect();
    json!({"$type": "app.bsky.embed.images", "images": items})
}

fn external_json(e: &External) -> Value {
    let mut ext = json!({"uri": e.uri, "title": e.title, "description": e.description});
    if let (Some(thumb), Value::Object(m)) = (&e.thumb, &mut ext) {
        m.insert("thumb".into(), thumb.to_json());
    }
    json!({"$type": "app.bsky.embed.external", "external": ext})
}

impl Embed {
    pub fn to_json(&self) -> Value {
        match self {
            Embed::Images(images) => images_json(images),
            Embed::External(e) => external_json(e),
            Embed::Record(r) => json!({"$type": "app.bsky.embed.record", "record": r.to_json()}),
            Embed::RecordWithMedia { record, media } => json!({
                "$type": "app.bsky.embed.recordWithMedia",
                "record": {"$type": "app.bsky.embed.record", "record": record.to_json()},
                "media": match media {
                    Media::Images(images) => images_json(images),
                    Media::External(e) => external_json(e),
                },
            }),
        }
    }
}

/// An `app.bsky.feed.post` under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBuilder {
    text: String,
    created_at: String,
    facets: Vec<Facet>,
    reply: Option<(StrongRef, StrongRef)>,
    embed: Option<Embed>,
    langs: Vec<String>,
    tags: Vec<String>,
}

impl PostBuilder {
    pub fn new(text: impl Into<String>, created_at: impl Into<String>) -> Self {
        PostBuilder {
            text: text.into(),
            created_at: created_at.into(),
            facets: Vec::new(),
            reply: None,
            embed: None,
            langs: Vec::new(),
            tags: Vec::new(),
        }
    }
    /// Set the facets explicitly.
    pub fn facets(mut self, facets: Vec<Facet>) -> Self {
        self.facets = facets;
        self
    }
    /// Detect the facets of the text, resolving mentions with `resolver`.
    /// Links are made absolute: the reference detector leaves a bare domain
    /// that starts with "http" (`httpbin.org/x`) without a scheme, a `uri`
    /// its own lexicon validation then refuses.
    pub fn detect_facets(mut self, resolver: &dyn HandleResolver) -> Self {
        let mut facets = super::facets::detect_and_resolve(&self.text, resolver);
        for f in &mut facets {
            for feature in &mut f.features {
                if let FacetFeature::Link { uri } = feature {
                    if !uri.contains("://") {
                        *uri = format!("https://{uri}");
                    }
                }
            }
        }
        self.facets = facets;
        self
    }
    /// A reply: `root` is the thread's first post, `parent` the post
    /// replied to.
    pub fn reply(mut self, root: StrongRef, parent: StrongRef) -> Self {
        self.reply = Some((root, parent));
        self
    }
    pub fn embed(mut self, embed: Embed) -> Self {
        self.embed = Some(embed);
        self
    }
    pub fn langs(mut self, langs: Vec<String>) -> Self {
        self.langs = langs;
        self
    }
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.tags = tags;
        self
    }
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("$type".into(), POST.into());
        m.insert("text".into(), Value::String(self.text.clone()));
        m.insert("createdAt".into(), Value::String(self.created_at.clone()));
        if !self.facets.is_empty() {
            let facets = self.facets.iter().map(Facet::to_json).collect();
            m.insert("facets".into(), Value::Array(facets));
        }
        if let Some((root, parent)) = &self.reply {
            m.insert(
                "reply".into(),
                json!({"root": root.to_json(), "parent": parent.to_json()}),
            );
        }
        if let Some(e) = &self.embed {
            m.insert("embed".into(), e.to_json());
        }
        if !self.langs.is_empty() {
            m.insert("langs".into(), json!(self.langs));
        }
        if !self.tags.is_empty() {
            m.insert("tags".into(), json!(self.tags));
        }
        Value::Object(m)
    }
    pub fn build(&self) -> Result<Ipld, FeedError> {
        to_ipld(&self.to_json())
    }
}

/// `app.bsky.actor.profile` (record key `self`).
pub fn profile(
    display_name: Option<&str>,
    description: Option<&str>,
    avatar: Option<&BlobRef>,
    created_at: Option<&str>,
) -> Value {
    let mut m = Map::new();
    m.insert("$type".into(), PROFILE.into());
    if let Some(d) = display_name {
        m.insert("displayName".into(), d.into());
    }
    if let Some(d) = description {
        m.insert("description".into(), d.into());
    }
    if let Some(a) = avatar {
        m.insert("avatar".into(), a.to_json());
    }
    if let Some(c) = created_at {
        m.insert("createdAt".into(), c.into());
    }
    Value::Object(m)
}

/// `app.bsky.feed.like` of `subject`.
pub fn like(subject: &StrongRef, created_at: &str) -> Value {
    json!({"$type": LIKE, "subject": subject.to_json(), "createdAt": created_at})
}

/// `app.bsky.feed.repost` of `subject`.
pub fn repost(subject: &StrongRef, created_at: &str) -> Value {
    json!({"$type": REPOST, "subject": subject.to_json(), "createdAt": created_at})
}

/// `app.bsky.graph.follow` of the account `did`.
pub fn follow(did: &str, created_at: &str) -> Value {
    json!({"$type": FOLLOW, "subject": did, "createdAt": created_at})
}

/// `app.bsky.graph.block` of the account `did`.
pub fn block(did: &str, created_at: &str) -> Value {
    json!({"$type": BLOCK, "subject": did, "createdAt": created_at})
}

/// `app.bsky.graph.list`.
pub fn list(
    name: &str,
    purpose: ListPurpose,
    description: Option<&str>,
    created_at: &str,
) -> Value {
    let purpose = match purpose {
        ListPurpose::Curate => "app.bsky.graph.defs#curatelist",
        ListPurpose::Moderate => "app.bsky.graph.defs#modlist",
        ListPurpose::Reference => "app.bsky.graph.defs#referencelist",
    };
    let mut v = json!({"$type": LIST, "name": name, "purpose": purpose, "createdAt": created_at});
    if let (Some(d), Value::Object(m)) = (description, &mut v) {
        m.insert("description".into(), d.into());
    }
    v
}

/// `app.bsky.graph.listitem`: `subject` (a DID) in the list `list_uri`.
pub fn listitem(list_uri: &str, subject: &str, created_at: &str) -> Value {
    json!({"$type": LISTITEM, "list": list_uri, "subject": subject, "createdAt": created_at})
}

/// A record in the atproto JSON form to the IPLD data model.
pub fn to_ipld(v: &Value) -> Result<Ipld, FeedError> {
    ues_data::cbor::json::from_json(v).map_err(|e| FeedError::Encode(e.to_string()))
}
