//! The serving side of repo sync: answering a peer's heads exchange with
//! our heads and its `repoWant` with the slice since its rev, in `repoCar`
//! chunks within the frame limit.

use super::sync::{session, SyncState, MAX_CAR, N, S};
use ues_p2p::libp2p::PeerId;
use ues_p2p::Frames;
use ues_sync::{Msg, MAX_FRAME};

impl SyncState {
    /// Answers a request of `peer`: heads for heads, slices for wants.
    pub async fn answer(
        &mut self,
        node: &mut N,
        swarm: &mut S,
        peer: PeerId,
        req: Frames,
    ) -> Frames {
        let mut out = Vec::new();
        let mut heads = req.0.is_empty();
        for f in &req.0 {
            match Msg::decode(f, MAX_FRAME) {
                Ok(Msg::RepoHead { .. }) => {
                    heads = true;
                    self.on_head(swarm, peer, f, None);
                }
                Ok(Msg::RepoWant { did, since }) => {
                    out.extend(self.export(node, &did, since).await)
                }
                Ok(_) => tracing::debug!(%peer, "op-log frames are not served yet"),
                Err(e) => self.reject(swarm, peer, &format!("bad request frame: {e}")),
            }
        }
        if heads {
            out.extend(self.heads_frames());
        }
        Frames(out)
    }

    async fn export(&self, node: &mut N, did: &str, since: Option<String>) -> Vec<Vec<u8>> {
        let Some(h) = self.heads.get(did) else {
            return Vec::new();
        };
        if since.as_ref().is_some_and(|s| s.as_str() >= h.rev.as_str()) {
            return Vec::new();
        }
        let car = match node.export_car(Some(did), since.as_deref()).await {
            Ok(c) if c.len() <= MAX_CAR => c,
            Ok(c) => {
                tracing::warn!(%did, bytes = c.len(), "slice too large to serve");
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!(%did, error = %e, "export failed");
                return Vec::new();
            }
        };
        session(did).send_car(&car).unwrap_or_default()
    }
}
