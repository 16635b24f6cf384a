//! Repo sync: single-writer AT Protocol repos, by MST diff.
//!
//! A follower keeps a copy of another node's repo current:
//! - [`pull_since`] — `getRepo?since=`: the source exports the blocks of
//!   the commits after the follower's rev (a CAR slice), the follower
//!   verifies it (signature, DID, newer rev, every new MST node and record)
//!   and applies it in one storage batch.
//! - [`apply_event`] — a firehose `#commit` event: its proofs are checked
//!   without the repo (ues-repo's `check_commit`: blocks against CIDs, the
//!   ops against the partial MST, the signature, inversion to `prevData`);
//!   then, if `prevData` is the follower's current MST root (and `since`,
//!   when given, its rev), the event's blocks are applied like a slice.
//!   Otherwise events were missed: a [`EventOutcome::Gap`] tells the host
//!   to resync with [`pull_since`]; an event not newer than the follower's
//!   rev is [`EventOutcome::Stale`] and ignored.

use crate::error::SyncError;
use std::collections::BTreeMap;
use ues_data::cbor::Ipld;
use ues_data::cid::Cid;
use ues_repo::firehose::check_commit;
use ues_repo::{Repo, Tid, Verifier};
use ues_store::Store;

/// What [`apply_event`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Applied; the follower's head is now this commit.
    Applied(Cid),
    /// Not newer than the follower's rev: nothing to do.
    Stale,
    /// Events were missed between the follower's rev and this one: resync
    /// with [`pull_since`] from `since`.
    Gap { since: Option<Tid> },
}

fn bad(m: impl Into<String>) -> SyncError {
    SyncError::BadEvent(m.into())
}

fn field<'a>(m: &'a BTreeMap<String, Ipld>, k: &str) -> Option<&'a Ipld> {
    m.get(k).filter(|v| !matches!(v, Ipld::Null))
}

/// Checks a `#commit` event for `repo` and applies it, or says why not.
/// A rejected event (bad proof, signature, other repo) changes nothing.
pub async fn apply_event<S: Store>(
    repo: &mut Repo<S>,
    event: &Ipld,
    key: &dyn Verifier,
) -> Result<EventOutcome, SyncError> {
    let problems = check_commit(event, Some(key));
    if !problems.is_empty() {
        let msgs: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(bad(msgs.join("; ")));
    }
    let Ipld::Map(m) = event else {
        return Err(bad("not a map"));
    };
    match field(m, "repo") {
        Some(Ipld::String(d)) if d == repo.did() => {}
        _ => return Err(bad(format!("event is not for {}", repo.did()))),
    }
    let rev = match field(m, "rev") {
        Some(Ipld::String(s)) => Tid::parse(s).map_err(|e| bad(e.to_string()))?,
        _ => return Err(bad("rev must be a string")),
    };
    if repo.rev().is_some_and(|cur| rev <= cur) {
        return Ok(EventOutcome::Stale);
    }
    let prev_data = match field(m, "prevData") {
        Some(Ipld::Link(c)) => Some(*c),
        _ => None,
    };
    let since_ok = match field(m, "since") {
        Some(Ipld::String(s)) => repo.rev().map(|r| r.to_string()).as_deref() == Some(s),
        _ => true,
    };
    if prev_data.is_none() || prev_data != repo.data() || !since_ok {
        return Ok(EventOutcome::Gap { since: repo.rev() });
    }
    let Some(Ipld::Bytes(blocks)) = m.get("blocks") else {
        return Err(bad("blocks must be bytes"));
    };
    let head = repo.apply_car(blocks, key).await?.commit;
    Ok(EventOutcome::Applied(head))
}

/// Pulls what `follower` lacks from `source` (`getRepo?since=` the
/// follower's rev) and applies it; returns the bytes of the CAR slice.
/// Over a network the slice travels as bytes: this runs both ends.
pub async fn pull_since<S: Store, T: Store>(
    source: &mut Repo<S>,
    follower: &mut Repo<T>,
    key: &dyn Verifier,
) -> Result<usize, SyncError> {
    if source.head().is_some() && source.head() == follower.head() {
        return Ok(0);
    }
    let car = source.export_since(follower.rev()).await?;
    follower.apply_car(&car, key).await?;
    Ok(car.len())
}
