//! Keeping the `--peer`s connected: dial, and after a failure or a
//! disconnect dial again with exponential backoff (0.5 s doubling to 30 s).

use ues_p2p::libp2p::multiaddr::Protocol;
use ues_p2p::libp2p::swarm::Swarm;
use ues_p2p::libp2p::{Multiaddr, PeerId};
use ues_p2p::UesBehaviour;

const FIRST_BACKOFF_MS: u64 = 500;
const MAX_BACKOFF_MS: u64 = 30_000;

struct Target {
    addr: Multiaddr,
    peer: Option<PeerId>,
    next_ms: u64,
    backoff_ms: u64,
}

/// The peers to keep connected.
pub(crate) struct Dialer {
    targets: Vec<Target>,
}

fn without_p2p(a: &Multiaddr) -> Multiaddr {
    a.iter()
        .filter(|p| !matches!(p, Protocol::P2p(_)))
        .collect()
}

impl Dialer {
    pub fn new(addrs: &[Multiaddr]) -> Self {
        let targets = addrs
            .iter()
            .map(|a| Target {
                addr: a.clone(),
                // The last /p2p/ names the target (a circuit address
                // names the relay first).
                peer: a
                    .iter()
                    .filter_map(|p| match p {
                        Protocol::P2p(id) => Some(id),
                        _ => None,
                    })
                    .last(),
                next_ms: 0,
                backoff_ms: FIRST_BACKOFF_MS,
            })
            .collect();
        Dialer { targets }
    }

    /// A connection we dialed to `addr` reached `peer`.
    pub fn connected(&mut self, peer: PeerId, addr: &Multiaddr) {
        let bare = without_p2p(addr);
        for t in &mut self.targets {
            if t.peer == Some(peer) || (t.peer.is_none() && without_p2p(&t.addr) == bare) {
                t.peer = Some(peer);
                t.backoff_ms = FIRST_BACKOFF_MS;
            }
        }
    }

    /// Dials every target that is not connected and whose backoff ran out.
    pub fn tick(&mut self, swarm: &mut Swarm<UesBehaviour>, now_ms: u64) {
        for t in &mut self.targets {
            if t.peer.is_some_and(|p| swarm.is_connected(&p)) {
                t.backoff_ms = FIRST_BACKOFF_MS;
                t.next_ms = now_ms + FIRST_BACKOFF_MS;
                continue;
            }
            if now_ms < t.next_ms {
                continue;
            }
            tracing::debug!(addr = %t.addr, backoff_ms = t.backoff_ms, "dialing peer");
            if let Err(e) = swarm.dial(t.addr.clone()) {
                tracing::warn!(addr = %t.addr, error = %e, "dial failed");
            }
            t.next_ms = now_ms + t.backoff_ms;
            t.backoff_ms = (t.backoff_ms * 2).min(MAX_BACKOFF_MS);
        }
    }
}
