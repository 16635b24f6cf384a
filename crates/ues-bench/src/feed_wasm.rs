//! The feed workload of `benches/feed.rs` in wasm, for the Chromium
//! benchmark (`bench/chromium/feed.js`, driven by `run-feed.mjs`): issue
//! 10's "time to first page in the tab". [`FeedWorkload::new`] builds the
//! state (not timed, but its time is reported); the page times each call
//! with `performance.now()`.

use crate::feed_plan::{build, did, rfc3339, CID, FOLLOWED, POSTS_EACH};
use ues_apps::feed::records::{self, PostBuilder, POST};
use ues_apps::feed::{AuthorFilter, FeedState};
use wasm_bindgen::prelude::*;

/// The state, its viewer and a counter for fresh rkeys.
#[wasm_bindgen]
pub struct FeedWorkload {
    state: FeedState,
    viewer: String,
    n: u64,
}

fn js(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

#[wasm_bindgen]
impl FeedWorkload {
    /// Builds the workload's state (1,000 follows, 100,000 posts, 100,000 likes).
    #[wasm_bindgen(constructor)]
    pub fn new() -> FeedWorkload {
        let (state, viewer) = build();
        FeedWorkload {
            state,
            viewer,
            n: 0,
        }
    }

    /// Records in the state.
    pub fn records(&self) -> usize {
        self.state.len()
    }

    /// The first timeline page (50 items): its item count.
    #[wasm_bindgen(js_name = timelineFirstPage)]
    pub fn timeline_first_page(&self) -> Result<usize, JsValue> {
        Ok(self
            .state
            .timeline(&self.viewer, 50, None)
            .map_err(js)?
            .items
            .len())
    }

    /// The first page of one author's feed: its item count.
    #[wasm_bindgen(js_name = authorFeedFirstPage)]
    pub fn author_feed_first_page(&self) -> Result<usize, JsValue> {
        let page = self
            .state
            .author_feed(
                &did(7),
                AuthorFilter::PostsWithReplies,
                Some(&self.viewer),
                50,
                None,
            )
            .map_err(js)?;
        Ok(page.items.len())
    }

    /// One incoming post (the incremental cost of keeping every view current).
    #[wasm_bindgen(js_name = incrementalPost)]
    pub fn incremental_post(&mut self) -> Result<(), JsValue> {
        self.n += 1;
        let minute = (FOLLOWED * POSTS_EACH) as i64 + 5;
        let post = records::to_ipld(&PostBuilder::new("a new post", rfc3339(minute)).to_json())
            .map_err(js)?;
        self.state
            .upsert(&did(5), POST, &format!("n{:08}", self.n), CID, &post)
            .map_err(js)?;
        Ok(())
    }
}

impl Default for FeedWorkload {
    fn default() -> Self {
        Self::new()
    }
}
