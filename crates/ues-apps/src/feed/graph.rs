//! Graph queries: follows, followers, mutuals, blocks, likes, reposts,
//! lists. Lists of accounts leave out those a block separates from the
//! viewer.

use super::parse::uri_did;
use super::state::FeedState;

/// An account and the record that links it to the subject of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRef {
    pub did: String,
    pub record: String,
}

impl FeedState {
    fn visible<'a>(
        &'a self,
        dids: impl Iterator<Item = &'a str> + 'a,
        viewer: Option<&'a str>,
    ) -> impl Iterator<Item = String> + 'a {
        dids.filter(move |d| !self.hidden(viewer, d))
            .map(str::to_string)
    }

    /// The accounts `did` follows (ordered by DID).
    pub fn following(&self, did: &str, viewer: Option<&str>) -> Vec<String> {
        self.visible(self.follows.out(did), viewer).collect()
    }

    /// The accounts that follow `did` (ordered by DID).
    pub fn followers(&self, did: &str, viewer: Option<&str>) -> Vec<String> {
        self.visible(self.follows.inc(did), viewer).collect()
    }

    /// Accounts that `did` follows and that follow `did`.
    pub fn mutuals(&self, did: &str) -> Vec<String> {
        self.follows
            .out(did)
            .filter(|o| self.follows.has(o, did))
            .map(str::to_string)
            .collect()
    }

    pub fn follows(&self, a: &str, b: &str) -> bool {
        self.follows.has(a, b)
    }

    /// The accounts `did` blocks.
    pub fn blocking(&self, did: &str) -> Vec<String> {
        self.blocks.out(did).map(str::to_string).collect()
    }

    /// The accounts that block `did`.
    pub fn blocked_by(&self, did: &str) -> Vec<String> {
        self.blocks.inc(did).map(str::to_string).collect()
    }

    fn by_record(
        &self,
        uris: Option<&std::collections::BTreeSet<String>>,
        viewer: Option<&str>,
    ) -> Vec<ActorRef> {
        uris.into_iter()
            .flatten()
            .filter_map(|u| {
                let did = uri_did(u)?;
                (!self.hidden(viewer, did)).then(|| ActorRef {
                    did: did.to_string(),
                    record: u.clone(),
                })
            })
            .collect()
    }

    /// Who liked the record at `uri` (`app.bsky.feed.getLikes`).
    pub fn likes_of(&self, uri: &str, viewer: Option<&str>) -> Vec<ActorRef> {
        self.by_record(self.likes.get(uri), viewer)
    }

    /// Who reposted the record at `uri` (`app.bsky.feed.getRepostedBy`).
    pub fn reposted_by(&self, uri: &str, viewer: Option<&str>) -> Vec<ActorRef> {
        self.by_record(self.reposts.get(uri), viewer)
    }

    /// The posts quoting the record at `uri`.
    pub fn quotes_of(&self, uri: &str) -> Vec<String> {
        self.quotes
            .get(uri)
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// `(name, purpose)` of the list at `uri`.
    pub fn list(&self, uri: &str) -> Option<(&str, &str)> {
        self.lists.get(uri).map(|(n, p)| (n.as_str(), p.as_str()))
    }

    /// The members of the list at `uri`: list items from the list owner's
    /// repo only (an item elsewhere does not add to someone else's list).
    pub fn list_members(&self, uri: &str) -> Vec<String> {
        let owner = uri_did(uri);
        let mut out: Vec<String> = self
            .list_items
            .get(uri)
            .into_iter()
            .flatten()
            .filter(|(_, item)| uri_did(item) == owner)
            .map(|(did, _)| did.clone())
            .collect();
        out.dedup();
        out
    }

    /// Every account with a record, profile or handle here, in DID order.
    pub fn accounts(&self) -> Vec<String> {
        let mut all: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        all.extend(self.records.values().map(|r| r.did.as_str()));
        all.extend(self.handles.keys().map(String::as_str));
        all.into_iter().map(str::to_string).collect()
    }
}
