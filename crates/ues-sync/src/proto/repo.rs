//! The sans-IO repo-sync session: decides what to send and what the host
//! must do (export a slice, apply a slice); the host does the async storage
//! work with ues-repo and feeds the results back.

use super::{Msg, MAX_FRAME};
use crate::error::SyncError;
use serde_bytes::ByteBuf;
use ues_data::cid::Cid;

/// What the host must do after [`RepoSession::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoAction {
    /// Send this frame to the peer.
    Send(Vec<u8>),
    /// Export the commits after `since` (`Repo::export_since`) and pass the
    /// CAR to [`RepoSession::send_car`].
    Export { since: Option<String> },
    /// A whole CAR slice arrived: verify and apply it (`Repo::apply_car`,
    /// or `import_car` into an empty store).
    Apply { car: Vec<u8> },
}

/// One side of a repo-sync session for one repo.
#[derive(Debug, Clone)]
pub struct RepoSession {
    did: String,
    max_frame: usize,
    max_car: usize,
    incoming: Vec<u8>,
}

impl RepoSession {
    /// A session for repo `did`: frames of at most `max_frame` bytes
    /// (≤ 1 MiB), reassembled slices of at most `max_car` bytes.
    pub fn new(did: impl Into<String>, max_frame: usize, max_car: usize) -> Self {
        RepoSession {
            did: did.into(),
            max_frame: max_frame.min(MAX_FRAME),
            max_car,
            incoming: Vec::new(),
        }
    }

    /// The `repoHead` frame announcing our head.
    pub fn announce(&self, commit: Cid, rev: &str) -> Result<Vec<u8>, SyncError> {
        Msg::RepoHead {
            did: self.did.clone(),
            rev: rev.to_string(),
            commit,
        }
        .encode()
    }

    fn check_did(&self, did: &str) -> Result<(), SyncError> {
        if did == self.did {
            Ok(())
        } else {
            Err(SyncError::Protocol(format!(
                "repo message for {did}, this session syncs {}",
                self.did
            )))
        }
    }

    /// Handles one frame; `local_rev` is our repo's rev (`None`: empty).
    pub fn handle(
        &mut self,
        frame: &[u8],
        local_rev: Option<&str>,
    ) -> Result<Vec<RepoAction>, SyncError> {
        match Msg::decode(frame, self.max_frame)? {
            Msg::RepoHead { did, rev, .. } => {
                self.check_did(&did)?;
                if local_rev.is_some_and(|l| l >= rev.as_str()) {
                    return Ok(Vec::new());
                }
                let want = Msg::RepoWant {
                    did,
                    since: local_rev.map(str::to_string),
                };
                Ok(vec![RepoAction::Send(want.encode()?)])
            }
            Msg::RepoWant { did, since } => {
                self.check_did(&did)?;
                Ok(vec![RepoAction::Export { since }])
            }
            Msg::RepoCar { car, did, more } => {
                self.check_did(&did)?;
                if self.incoming.len() + car.len() > self.max_car {
                    self.incoming.clear();
                    return Err(SyncError::FrameTooLarge {
                        size: self.incoming.len() + car.len(),
                        limit: self.max_car,
                    });
                }
                self.incoming.extend_from_slice(&car);
                if more {
                    Ok(Vec::new())
                } else {
                    let car = std::mem::take(&mut self.incoming);
                    Ok(vec![RepoAction::Apply { car }])
                }
            }
            _ => Err(SyncError::Protocol(
                "op-log message on a repo session".into(),
            )),
        }
    }

    /// The `repoCar` frames carrying `car`, each within the frame limit.
    pub fn send_car(&self, car: &[u8]) -> Result<Vec<Vec<u8>>, SyncError> {
        // Map heads, keys, the DID, the bool and the byte-string head.
        let chunk = self.max_frame.saturating_sub(self.did.len() + 48).max(1);
        let mut out = Vec::new();
        let mut parts = car.chunks(chunk).peekable();
        if parts.peek().is_none() {
            return Ok(out);
        }
        while let Some(p) = parts.next() {
            let m = Msg::RepoCar {
                car: ByteBuf::from(p.to_vec()),
                did: self.did.clone(),
                more: parts.peek().is_some(),
            };
            out.push(m.encode()?);
        }
        Ok(out)
    }
}
