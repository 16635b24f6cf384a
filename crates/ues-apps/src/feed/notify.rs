//! Notifications (`app.bsky.notification.listNotifications`): what others
//! did to the viewer — likes and reposts of its posts, replies to them,
//! quotes of them, mentions of its handle, follows of it — newest first,
//! with a cursor. Accounts a block separates from the viewer are left out.
//!
//! Likes and follows carry no sort time in the state: their record key (a
//! TID, as every builder's record is written) gives it; a key that is not a
//! TID sorts as the epoch.

use super::parse::{uri_did, Parsed};
use super::state::{FeedState, SortKey};
use super::views::{decode_opt, encode_cursor, Page};
use super::FeedError;

/// Why the viewer is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationReason {
    Like,
    Repost,
    Reply,
    Quote,
    Mention,
    Follow,
}

impl NotificationReason {
    /// The reference's name of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationReason::Like => "like",
            NotificationReason::Repost => "repost",
            NotificationReason::Reply => "reply",
            NotificationReason::Quote => "quote",
            NotificationReason::Mention => "mention",
            NotificationReason::Follow => "follow",
        }
    }
}

/// One notification: the record that caused it and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The like / repost / post / follow record.
    pub uri: String,
    pub cid: String,
    pub author: String,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub reason: NotificationReason,
    /// The viewer's post it is about (liked, reposted, replied to, quoted).
    pub subject: Option<String>,
    /// The text of a reply, quote or mention.
    pub text: Option<String>,
    /// Microseconds since the epoch.
    pub sort_at: i64,
}

const TID_CHARS: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The microseconds of a TID record key (`None` if `rkey` is not a TID).
pub fn tid_micros(rkey: &str) -> Option<i64> {
    if rkey.len() != 13 {
        return None;
    }
    let mut v: u64 = 0;
    for b in rkey.bytes() {
        let d = TID_CHARS.iter().position(|c| *c == b)?;
        v = (v << 5) | d as u64;
    }
    // 1 zero bit, 53 bits of microseconds, 10 bits of clock id.
    i64::try_from((v >> 10) & ((1 << 53) - 1)).ok()
}

impl FeedState {
    /// The notifications of `viewer`, newest first, strictly after `cursor`.
    pub fn notifications(
        &self,
        viewer: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Notification>, FeedError> {
        let before = decode_opt(cursor)?;
        let mention = self
            .handles
            .get(viewer)
            .map(|h| format!("@{}", h.to_ascii_lowercase()));
        let mine = |uri: &str| uri_did(uri) == Some(viewer);
        let mut all = Vec::new();
        for (uri, rec) in &self.records {
            if rec.did == viewer || self.hidden(Some(viewer), &rec.did) {
                continue;
            }
            let tid_at = || tid_micros(&rec.rkey).unwrap_or(0);
            let (reason, subject, text, at) = match &rec.parsed {
                Parsed::Like { subject } if mine(subject) => {
                    (NotificationReason::Like, Some(subject), None, tid_at())
                }
                Parsed::Repost { subject, sort_at } if mine(subject) => {
                    (NotificationReason::Repost, Some(subject), None, *sort_at)
                }
                Parsed::Follow { subject } if subject == viewer => {
                    (NotificationReason::Follow, None, None, tid_at())
                }
                Parsed::Post(p) => {
                    let text = Some(p.text.clone());
                    let parent = p.reply.as_ref().map(|(_, parent)| parent);
                    if let Some(parent) = parent.filter(|u| mine(u)) {
                        (NotificationReason::Reply, Some(parent), text, p.sort_at)
                    } else if let Some(q) = p.quote.as_ref().filter(|u| mine(u)) {
                        (NotificationReason::Quote, Some(q), text, p.sort_at)
                    } else if mention
                        .as_ref()
                        .is_some_and(|m| mentions(&p.text.to_ascii_lowercase(), m))
                    {
                        (NotificationReason::Mention, None, text, p.sort_at)
                    } else {
                        continue;
                    }
                }
                _ => continue,
            };
            let key = SortKey {
                at,
                uri: uri.clone(),
            };
            if before.as_ref().is_some_and(|b| key >= *b) {
                continue;
            }
            let profile = self.profiles.get(&rec.did);
            all.push((
                key,
                Notification {
                    uri: uri.clone(),
                    cid: rec.cid.clone(),
                    author: rec.did.clone(),
                    handle: self.handles.get(&rec.did).cloned(),
                    display_name: profile.and_then(|p| p.display_name.clone()),
                    reason,
                    subject: subject.cloned(),
                    text,
                    sort_at: at,
                },
            ));
        }
        all.sort_by(|a, b| b.0.cmp(&a.0));
        let more = all.len() > limit;
        all.truncate(limit);
        let cursor = if more {
            all.last().map(|(k, _)| encode_cursor(k))
        } else {
            None
        };
        Ok(Page {
            items: all.into_iter().map(|(_, n)| n).collect(),
            cursor,
        })
    }
}

/// Does `text` hold the mention `m` (`@handle`) as a whole word?
fn mentions(text: &str, m: &str) -> bool {
    text.match_indices(m).any(|(i, _)| {
        let before_ok = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '@');
        let mut after = text[i + m.len()..].chars();
        let after_ok = match after.next() {
            None => true,
            Some('.') => !after.next().is_some_and(char::is_alphanumeric),
            Some(c) => !c.is_alphanumeric() && c != '-',
        };
        before_ok && after_ok
    })
}
