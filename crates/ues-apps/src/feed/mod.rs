//! The social feed (`app.bsky.*` records): builders ([`records`]), the
//! facet detector ([`facets`]), and [`FeedState`], which indexes records
//! as they arrive and answers timelines, threads, the ranked feed and
//! search.

mod error;
pub mod facets;
mod graph;
mod multimap;
mod notify;
pub mod parse;
mod rank;
pub mod records;
mod search;
mod state;
mod thread;
mod views;

pub use error::FeedError;
pub use facets::{
    detect_and_resolve, detect_facets, facets_to_json, resolve_mentions, ByteSlice, Facet,
    FacetFeature, HandleResolver,
};
pub use graph::ActorRef;
pub use notify::{tid_micros, Notification, NotificationReason};
pub use parse::{Parsed, PostRecord, ProfileRecord};
pub use rank::{RankParams, RankedItem, ScoreBreakdown};
pub use search::{name_keys, tokenize};
pub use state::{FeedState, RecordEvent, RecordOp, SortKey, StoredRecord};
pub use thread::{ThreadNode, MAX_THREAD_DEPTH};
pub use views::{
    decode_cursor, encode_cursor, AuthorFilter, FeedItem, Page, PostView, ProfileView, QuoteView,
    RepostReason,
};
