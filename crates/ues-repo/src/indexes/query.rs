//! Index queries: pages of record URIs in index order, with cursors.

use super::{bad, standard_def, BY_AUTHOR, CREATED, POSTS_FTS, SUBJECT};
use crate::repo::Repo;
use crate::RepoError;
use std::ops::{Bound, RangeBounds};
use ues_store::fts::{self, FtsIndex, SearchOptions, SearchPage};
use ues_store::index::{lookup_range, Cursor, Page, Value};
use ues_store::Store;

/// One page of record URIs (`at://did/collection/rkey`) in index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UriPage {
    pub uris: Vec<String>,
    /// Present when more entries follow: pass it back for the next page.
    pub next: Option<Cursor>,
}

impl TryFrom<Page> for UriPage {
    type Error = RepoError;

    fn try_from(p: Page) -> Result<Self, RepoError> {
        let uris = p
            .ids
            .into_iter()
            .map(|id| {
                String::from_utf8(id).map_err(|_| RepoError::Corrupt("index record id".into()))
            })
            .collect::<Result<_, _>>()?;
        Ok(UriPage { uris, next: p.next })
    }
}

/// A query on a custom index, over its spec's fields (a prefix of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexQuery {
    /// Leading fields equal to these values.
    Eq(Vec<Value>),
    /// Leading fields between these tuples (compared as tuples).
    Range(Bound<Vec<Value>>, Bound<Vec<Value>>),
}

fn as_slice(b: &Bound<Vec<Value>>) -> Bound<&[Value]> {
    match b {
        Bound::Included(v) => Bound::Included(v.as_slice()),
        Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// `prefix` followed by the bound's time; unbounded: `prefix` itself.
fn time_bound(prefix: &[Value], b: Bound<&i64>) -> Bound<Vec<Value>> {
    let with = |t: i64| [prefix, &[Value::Int(t)]].concat();
    match b {
        Bound::Included(t) => Bound::Included(with(*t)),
        Bound::Excluded(t) => Bound::Excluded(with(*t)),
        Bound::Unbounded => Bound::Included(prefix.to_vec()),
    }
}

impl<S: Store> Repo<S> {
    async fn page(
        &self,
        index: &str,
        lo: Bound<Vec<Value>>,
        hi: Bound<Vec<Value>>,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        let def = match index.strip_prefix("c.") {
            Some(name) => self
                .indexes
                .spec(name)
                .ok_or_else(|| bad(format!("no index named {name:?}")))?
                .def(),
            None => standard_def(index),
        };
        let (lo, hi) = (as_slice(&lo), as_slice(&hi));
        lookup_range(&self.store, &def, lo, hi, limit, reverse, cursor)
            .await?
            .try_into()
    }

    /// This repo's records of `collection` in rkey (TID) order, from the
    /// by-author index.
    pub async fn list_by_time(
        &self,
        collection: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        let key = vec![Value::from(self.did.as_str()), Value::from(collection)];
        let b = Bound::Included(key);
        self.page(BY_AUTHOR, b.clone(), b, cursor, limit, reverse)
            .await
    }

    /// This repo's records of `collection` whose `createdAt` (µs since the
    /// epoch) lies in `range`, oldest first (`reverse`: newest first); ties
    /// in URI order.
    pub async fn records_by_created_at(
        &self,
        collection: &str,
        range: impl RangeBounds<i64>,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        let key = [Value::from(self.did.as_str()), Value::from(collection)];
        let lo = time_bound(&key, range.start_bound());
        let hi = time_bound(&key, range.end_bound());
        self.page(CREATED, lo, hi, cursor, limit, reverse).await
    }

    /// Records of `collection` (like, repost, follow, block) whose subject
    /// is `subject`, from every repo indexed into this store, by author
    /// then URI.
    pub async fn records_by_subject(
        &self,
        collection: &str,
        subject: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        let b = Bound::Included(vec![Value::from(collection), Value::from(subject)]);
        self.page(SUBJECT, b.clone(), b, cursor, limit, reverse)
            .await
    }

    /// Likes of the post at `subject_uri`.
    pub async fn likes_of(
        &self,
        subject_uri: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        self.records_by_subject("app.bsky.feed.like", subject_uri, cursor, limit, reverse)
            .await
    }

    /// Reposts of the post at `subject_uri`.
    pub async fn reposts_of(
        &self,
        subject_uri: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        self.records_by_subject("app.bsky.feed.repost", subject_uri, cursor, limit, reverse)
            .await
    }

    /// Follow records whose subject is `did`.
    pub async fn followers_of(
        &self,
        did: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        self.records_by_subject("app.bsky.graph.follow", did, cursor, limit, reverse)
            .await
    }

    /// Block records whose subject is `did`.
    pub async fn blocks_of(
        &self,
        did: &str,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        self.records_by_subject("app.bsky.graph.block", did, cursor, limit, reverse)
            .await
    }

    /// Posts whose text holds every term of `query` (the last as a prefix
    /// when `opts.prefix`), ranked by BM25, from every repo indexed into
    /// this store; hits' doc ids are post URIs.
    pub async fn search_posts(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> Result<SearchPage, RepoError> {
        Ok(fts::search(&self.store, &FtsIndex::new(POSTS_FTS), query, opts).await?)
    }

    /// Records in the custom index `name` (registered with
    /// [`crate::Indexes::with`]) matching `query`, in index order (ties by
    /// author, then URI), from every repo indexed into this store.
    pub async fn query_index(
        &self,
        name: &str,
        query: &IndexQuery,
        cursor: Option<&Cursor>,
        limit: usize,
        reverse: bool,
    ) -> Result<UriPage, RepoError> {
        let spec = self
            .indexes
            .spec(name)
            .ok_or_else(|| bad(format!("no index named {name:?}")))?;
        let (lo, hi) = match query {
            IndexQuery::Eq(v) => (Bound::Included(v.clone()), Bound::Included(v.clone())),
            IndexQuery::Range(lo, hi) => (lo.clone(), hi.clone()),
        };
        for b in [&lo, &hi] {
            if let Bound::Included(v) | Bound::Excluded(v) = b {
                if v.len() > spec.fields.len() {
                    return Err(bad(format!(
                        "index {name:?} has {} fields",
                        spec.fields.len()
                    )));
                }
            }
        }
        self.page(&format!("c.{name}"), lo, hi, cursor, limit, reverse)
            .await
    }
}
