//! Rich-text facets of `app.bsky.feed.post`: mentions, links and tags found
//! in the text, with UTF-8 byte offsets.
//!
//! [`detect_facets`] follows the rules of `@atproto/api`'s
//! `RichText.detectFacets` (version 0.21) so that both produce the same
//! facets for the same text: the same matches, the same trailing-punctuation
//! trimming, the same top-level-domain check, the same order. The reference
//! works on UTF-16 code units; here the text is a sequence of code points and
//! every offset is converted to UTF-8 bytes at the end.

mod detect;
mod tables;

use serde_json::{json, Value};

pub use detect::detect_facets;

/// A UTF-8 byte range of the post text (`byteStart` inclusive, `byteEnd`
/// exclusive), as in `app.bsky.richtext.facet#byteSlice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

/// One feature of a facet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FacetFeature {
    /// `#mention`: before resolution `did` holds the handle (without `@`),
    /// as the reference leaves it; [`resolve_mentions`] replaces it.
    Mention { did: String },
    /// `#link`: an absolute URI (bare domains get `https://`).
    Link { uri: String },
    /// `#tag`: the tag without `#` (cashtags keep their `$`).
    Tag { tag: String },
}

/// A facet: a byte range and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Facet {
    pub index: ByteSlice,
    pub features: Vec<FacetFeature>,
}

impl FacetFeature {
    /// The atproto JSON form, with its union `$type`.
    pub fn to_json(&self) -> Value {
        match self {
            FacetFeature::Mention { did } => {
                json!({"$type": "app.bsky.richtext.facet#mention", "did": did})
            }
            FacetFeature::Link { uri } => {
                json!({"$type": "app.bsky.richtext.facet#link", "uri": uri})
            }
            FacetFeature::Tag { tag } => {
                json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag})
            }
        }
    }
}

impl Facet {
    /// The atproto JSON form (`app.bsky.richtext.facet`).
    pub fn to_json(&self) -> Value {
        json!({
            "index": {"byteStart": self.index.byte_start, "byteEnd": self.index.byte_end},
            "features": self.features.iter().map(FacetFeature::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Facets as a JSON array (what the wasm binding returns).
pub fn facets_to_json(facets: &[Facet]) -> Value {
    Value::Array(facets.iter().map(Facet::to_json).collect())
}

/// Turns handles into DIDs. `None` means "could not resolve".
pub trait HandleResolver {
    fn resolve_handle(&self, handle: &str) -> Option<String>;
}

impl<F> HandleResolver for F
where
    F: Fn(&str) -> Option<String>,
{
    fn resolve_handle(&self, handle: &str) -> Option<String> {
        self(handle)
    }
}

/// Resolve the handles of mention facets to DIDs. A mention that does not
/// resolve is dropped (the reference sets an empty DID, which no record
/// may carry: dropping keeps the record valid); other facets are kept.
pub fn resolve_mentions(facets: Vec<Facet>, resolver: &dyn HandleResolver) -> Vec<Facet> {
    facets
        .into_iter()
        .filter_map(|mut f| {
            for feat in &mut f.features {
                if let FacetFeature::Mention { did } = feat {
                    match resolver.resolve_handle(did) {
                        Some(resolved) if !resolved.is_empty() => *did = resolved,
                        _ => return None,
                    }
                }
            }
            Some(f)
        })
        .collect()
}

/// [`detect_facets`] followed by [`resolve_mentions`].
pub fn detect_and_resolve(text: &str, resolver: &dyn HandleResolver) -> Vec<Facet> {
    resolve_mentions(detect_facets(text), resolver)
}
