//! The pulling side of repo sync: reassembling a peer's `repoCar` chunks
//! (bounded, through the sync layer's session) and importing the slice
//! with full verification; a slice that fails is counted against the peer.

use super::events::emit;
use super::sync::{session, SyncState, N, S};
use serde_json::json;
use ues_data::car::read_all;
use ues_p2p::libp2p::PeerId;
use ues_p2p::Frames;
use ues_repo::Commit;
use ues_sync::RepoAction;

impl SyncState {
    pub(super) async fn apply(
        &mut self,
        node: &mut N,
        swarm: &mut S,
        peer: PeerId,
        did: &str,
        res: Frames,
    ) {
        let local = self.heads.get(did).map(|h| h.rev.clone());
        let mut s = session(did);
        for f in &res.0 {
            let actions = match s.handle(f, local.as_deref()) {
                Ok(a) => a,
                Err(e) => return self.reject(swarm, peer, &format!("slice frame: {e}")),
            };
            for a in actions {
                if let RepoAction::Apply { car } = a {
                    self.import(node, swarm, peer, did, &car).await;
                }
            }
        }
    }

    async fn import(&mut self, node: &mut N, swarm: &mut S, peer: PeerId, did: &str, car: &[u8]) {
        let (blocks, car_did) = match read_all(car) {
            Ok(c) => {
                let did = c.roots.first().and_then(|r| c.blocks.get(r));
                let did = did
                    .and_then(|b| Commit::decode(b).ok())
                    .map(|c| c.unsigned.did);
                (c.blocks.len(), did)
            }
            Err(e) => return self.reject(swarm, peer, &format!("slice is not a CAR: {e}")),
        };
        if car_did.as_deref() != Some(did) {
            return self.reject(swarm, peer, "slice of another repo (or without its commit)");
        }
        match node.import_car(car, None, &mut |_| {}).await {
            Ok(sum) if sum.did == did => {
                self.set_head(swarm, did, &sum.rev, &sum.commit);
                tracing::info!(%did, rev = %sum.rev, blocks, bytes = car.len(), %peer, "synced");
                emit(json!({
                    "event": "synced", "did": did, "rev": sum.rev, "commit": sum.commit,
                    "blocks": blocks, "bytes": car.len(), "peer": peer.to_string(),
                }));
            }
            Ok(sum) => tracing::warn!(did = %sum.did, "imported another repo than asked"),
            Err(e) => {
                emit(
                    json!({"event": "sync_error", "did": did, "peer": peer.to_string(),
                    "code": e.code(), "error": e.to_string()}),
                );
                self.reject(swarm, peer, &format!("slice rejected: {e}"));
            }
        }
    }
}
