//! The ranked "for you" feed: engagement + recency + graph distance, in
//! integer arithmetic (the same result on every host), with each post's
//! score broken down so it can be explained.

use super::parse::uri_did;
use super::state::{FeedState, SortKey};
use super::views::{FeedItem, Page};
use super::FeedError;
use std::collections::BTreeSet;

/// One microsecond-based hour.
const HOUR: i64 = 3_600_000_000;

/// The knobs of the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankParams {
    /// Only posts this recent are candidates (microseconds).
    pub window: i64,
    /// The age at which the recency score halves (microseconds).
    pub half_life: i64,
    /// Graph points for the viewer's own posts / followed authors /
    /// authors followed by followed authors / anyone else.
    pub graph_points: [u64; 4],
    /// Weights of likes, reposts, replies and quotes in engagement.
    pub weights: [u64; 4],
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            window: 72 * HOUR,
            half_life: 6 * HOUR,
            graph_points: [300, 500, 250, 0],
            weights: [1, 2, 3, 3],
        }
    }
}

/// Why a post ranks where it does. `total = engagement + recency + graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreBreakdown {
    /// `isqrt(10_000 × weighted interactions)`: 1 like → 100, 100 → 1000.
    pub engagement: u64,
    /// `1000 × half_life / (half_life + age)`: 1000 now, 500 at one half-life.
    pub recency: u64,
    /// 0 own post, 1 followed, 2 followed by a followed account, 3 other.
    pub distance: u8,
    pub graph: u64,
    pub total: u64,
}

/// A ranked item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedItem {
    pub item: FeedItem,
    pub score: ScoreBreakdown,
}

impl FeedState {
    /// The score of the post at `uri` for `viewer` at time `now`
    /// (microseconds since the epoch), whether or not it would be shown.
    pub fn score(
        &self,
        uri: &str,
        viewer: &str,
        now: i64,
        params: &RankParams,
    ) -> Option<ScoreBreakdown> {
        let (rec, p) = self.post(uri)?;
        let seconds = self.second_degree(viewer);
        Some(self.score_with(uri, &rec.did, p.sort_at, viewer, now, params, &seconds))
    }

    #[allow(clippy::too_many_arguments)]
    fn score_with(
        &self,
        uri: &str,
        author: &str,
        at: i64,
        viewer: &str,
        now: i64,
        params: &RankParams,
        seconds: &BTreeSet<&str>,
    ) -> ScoreBreakdown {
        let counts = [
            self.likes.count(uri),
            self.reposts.count(uri),
            self.replies.count(uri),
            self.quotes.count(uri),
        ];
        let weighted = params.weights.iter().zip(counts).fold(0u64, |acc, (w, n)| {
            acc.saturating_add(w.saturating_mul(n as u64))
        });
        let engagement = weighted.saturating_mul(10_000).isqrt();
        let age = now.saturating_sub(at).max(0) as u128;
        let half = params.half_life.max(1) as u128;
        let recency = (1000 * half / (half + age)) as u64;
        let distance: u8 = if author == viewer {
            0
        } else if self.follows.has(viewer, author) {
            1
        } else if seconds.contains(author) {
            2
        } else {
            3
        };
        let graph = params.graph_points[distance as usize];
        ScoreBreakdown {
            engagement,
            recency,
            distance,
            graph,
            total: engagement.saturating_add(recency).saturating_add(graph),
        }
    }

    /// Accounts followed by the accounts `viewer` follows.
    fn second_degree(&self, viewer: &str) -> BTreeSet<&str> {
        self.follows
            .out(viewer)
            .flat_map(|f| self.follows.out(f))
            .collect()
    }

    /// The "for you" feed of `viewer` at `now`: top-level posts of the last
    /// `params.window`, hidden ones left out, by score (highest first), then
    /// newer first, then URI. Deterministic for a given state and `now`.
    /// The cursor is `{total}::{at}::{uri}` of the last item.
    pub fn for_you(
        &self,
        viewer: &str,
        now: i64,
        params: &RankParams,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RankedItem>, FeedError> {
        type Rank = (std::cmp::Reverse<u64>, std::cmp::Reverse<SortKey>);
        let after: Option<Rank> = match cursor {
            None => None,
            Some(c) => {
                let bad = || FeedError::InvalidCursor(c.to_string());
                let (total, rest) = c.split_once("::").ok_or_else(bad)?;
                let key = super::views::decode_cursor(rest)?;
                let total = total.parse::<u64>().map_err(|_| bad())?;
                Some((std::cmp::Reverse(total), std::cmp::Reverse(key)))
            }
        };
        let seconds = self.second_degree(viewer);
        let from = SortKey {
            at: now.saturating_sub(params.window),
            uri: String::new(),
        };
        let mut ranked: Vec<(Rank, ScoreBreakdown)> = Vec::new();
        for key in self.posts.range(from..) {
            if key.at > now {
                break;
            }
            let Some((rec, p)) = self.post(&key.uri) else {
                continue;
            };
            if p.reply.is_some() || self.hidden(Some(viewer), &rec.did) {
                continue;
            }
            if p.quote
                .as_deref()
                .and_then(uri_did)
                .is_some_and(|d| self.hidden(Some(viewer), d))
            {
                continue;
            }
            let s = self.score_with(&key.uri, &rec.did, key.at, viewer, now, params, &seconds);
            let rank = (std::cmp::Reverse(s.total), std::cmp::Reverse(key.clone()));
            if after.as_ref().is_some_and(|a| &rank <= a) {
                continue;
            }
            ranked.push((rank, s));
        }
        ranked.sort_by(|a, b| a.0.cmp(&b.0));
        let more = ranked.len() > limit;
        ranked.truncate(limit);
        let cursor = if more {
            ranked
                .last()
                .map(|((t, k), _)| format!("{}::{}", t.0, super::views::encode_cursor(&k.0)))
        } else {
            None
        };
        let items = ranked
            .into_iter()
            .filter_map(|((_, k), score)| {
                let post = self.post_view(&k.0.uri, Some(viewer))?;
                Some(RankedItem {
                    item: FeedItem { post, reason: None },
                    score,
                })
            })
            .collect();
        Ok(Page { items, cursor })
    }
}
