//! Search: full-text post search (tokenised, case-folded, every term must
//! match) and actor search by handle or display-name prefix.

use super::state::{FeedState, SortKey};
use super::views::{decode_opt, encode_cursor, Page, PostView, ProfileView};
use super::FeedError;
use std::collections::BTreeSet;

/// Han, kana and hangul: each character is a term of its own (these
/// scripts do not separate words with spaces).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The terms of a text: runs of letters and digits, lower-cased; CJK
/// characters one by one.
pub fn tokenize(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            if !cur.is_empty() {
                out.insert(std::mem::take(&mut cur));
            }
            out.insert(c.to_string());
        } else if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.insert(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.insert(cur);
    }
    out
}

/// The keys an actor is found under: the handle, the display name, and
/// each word of the display name, lower-cased.
pub fn name_keys(handle: Option<&str>, display_name: Option<&str>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    if let Some(h) = handle {
        keys.insert(h.to_lowercase());
    }
    if let Some(d) = display_name {
        let d = d.trim().to_lowercase();
        for w in d.split_whitespace() {
            keys.insert(w.to_string());
        }
        if !d.is_empty() {
            keys.insert(d);
        }
    }
    keys
}

impl FeedState {
    /// Posts containing every term of `query`, newest first
    /// (`app.bsky.feed.searchPosts`). Cursor as in the timelines.
    pub fn search_posts(
        &self,
        query: &str,
        viewer: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<PostView>, FeedError> {
        let before = decode_opt(cursor)?;
        let terms = tokenize(query);
        let mut sets = Vec::with_capacity(terms.len());
        for t in &terms {
            match self.terms.get(t.as_str()) {
                Some(s) => sets.push(s),
                None => {
                    return Ok(Page {
                        items: Vec::new(),
                        cursor: None,
                    })
                }
            }
        }
        sets.sort_by_key(|s| s.len());
        let Some((first, rest)) = sets.split_first() else {
            return Ok(Page {
                items: Vec::new(),
                cursor: None,
            });
        };
        let candidates: Box<dyn Iterator<Item = &SortKey>> = match &before {
            Some(b) => Box::new(first.range(..b.clone()).rev()),
            None => Box::new(first.iter().rev()),
        };
        let mut items = Vec::new();
        let mut more = false;
        for key in candidates {
            if !rest.iter().all(|s| s.contains(key)) {
                continue;
            }
            if items.len() >= limit {
                more = true;
                break;
            }
            if let Some(v) = self.post_view(&key.uri, viewer) {
                items.push(v);
            }
        }
        let cursor = if more {
            items.last().map(|p: &PostView| {
                encode_cursor(&SortKey {
                    at: p.sort_at,
                    uri: p.uri.clone(),
                })
            })
        } else {
            None
        };
        Ok(Page { items, cursor })
    }

    /// Actors whose handle, display name or a word of it starts with
    /// `prefix` (case-insensitive, a leading `@` ignored), ordered by the
    /// matching key then DID (`app.bsky.actor.searchActors`). The cursor is
    /// the number of actors already returned.
    pub fn search_actors(
        &self,
        prefix: &str,
        viewer: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<ProfileView>, FeedError> {
        let skip = match cursor {
            Some(c) => c
                .parse::<usize>()
                .map_err(|_| FeedError::InvalidCursor(c.to_string()))?,
            None => 0,
        };
        let q = prefix.trim().trim_start_matches('@').to_lowercase();
        if q.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                cursor: None,
            });
        }
        let mut seen = BTreeSet::new();
        let mut matches = Vec::new();
        for (key, did) in self.names.range((q.clone(), String::new())..) {
            if !key.starts_with(&q) {
                break;
            }
            if self.hidden(viewer, did) || !seen.insert(did.as_str()) {
                continue;
            }
            matches.push(did.as_str());
        }
        let items: Vec<ProfileView> = matches
            .iter()
            .skip(skip)
            .take(limit)
            .filter_map(|d| self.profile_view(d, viewer))
            .collect();
        let next = skip + limit;
        let cursor = (matches.len() > next).then(|| next.to_string());
        Ok(Page { items, cursor })
    }
}
