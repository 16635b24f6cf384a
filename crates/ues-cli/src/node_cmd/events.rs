//! The node's event loop: swarm events, stdin commands, timers, signals.

use super::cmds;
use super::dial::Dialer;
use super::sync::{SyncState, N, S};
use super::{input, Options};
use crate::CliError;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::signal::unix::{signal, SignalKind};
use ues_p2p::libp2p::core::ConnectedPoint;
use ues_p2p::libp2p::futures::StreamExt;
use ues_p2p::libp2p::identity::Keypair;
use ues_p2p::libp2p::multiaddr::Protocol;
use ues_p2p::libp2p::swarm::SwarmEvent;
use ues_p2p::libp2p::{gossipsub, identify, request_response as rr, Multiaddr, PeerId};
use ues_p2p::{native::build_swarm, topic_did, P2pConfig, SyncRequest, UesEvent};

/// Prints one JSON line on stdout (the machine-readable channel).
pub(crate) fn emit(v: Value) {
    println!("{v}");
}

/// `addr` ending in `/p2p/<me>` (a circuit listen address already does).
pub(crate) fn with_peer(addr: Multiaddr, me: PeerId) -> Multiaddr {
    if matches!(addr.iter().last(), Some(Protocol::P2p(_))) {
        addr
    } else {
        addr.with(Protocol::P2p(me))
    }
}

fn ms_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Runs the node until SIGINT or SIGTERM.
pub(crate) async fn serve(mut node: N, key: Keypair, opts: &Options) -> Result<(), CliError> {
    let me = key.public().to_peer_id();
    let mut swarm = build_swarm(key, &P2pConfig::default()).map_err(input)?;
    for a in &opts.listen {
        swarm
            .listen_on(a.clone())
            .map_err(|e| input(format!("listen on {a}: {e}")))?;
    }
    let mut sync = SyncState::load(&mut node).await?;
    sync.subscribe_all(&mut swarm);
    let did = node.did().map_err(input)?.to_string();
    tracing::info!(peer = %me, %did, repos = sync.heads.len(), "node started");
    emit(json!({"event": "ready", "peer": me.to_string(), "did": did}));
    let mut dialer = Dialer::new(&opts.peers);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut term = signal(SignalKind::terminate()).map_err(input)?;
    let mut int = signal(SignalKind::interrupt()).map_err(input)?;
    let start = Instant::now();
    loop {
        tokio::select! {
            ev = swarm.select_next_some() => {
                on_swarm(ev, &mut node, &mut swarm, &mut sync, &mut dialer, ms_since(start)).await;
            }
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(l)) if l.trim().is_empty() => {}
                Ok(Some(l)) => emit(cmds::handle(&l, &mut node, &mut swarm, &mut sync).await),
                Ok(None) => stdin_open = false,
                Err(e) => {
                    tracing::warn!(error = %e, "stdin closed");
                    stdin_open = false;
                }
            },
            _ = tick.tick() => {
                let now = ms_since(start);
                dialer.tick(&mut swarm, now);
                sync.tick(&mut swarm, now);
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
        // The node's own event queue is bounded; the loop reports instead.
        node.drain_events();
    }
    tracing::info!("shutting down");
    Ok(())
}

async fn on_swarm(
    ev: SwarmEvent<UesEvent>,
    node: &mut N,
    swarm: &mut S,
    sync: &mut SyncState,
    dialer: &mut Dialer,
    now_ms: u64,
) {
    match ev {
        SwarmEvent::NewListenAddr { address, .. } => {
            // A relay/bootstrap node's listen addresses are meant to be
            // dialed: announce them (identify, Kademlia, relay reservations).
            if !address.iter().any(|p| matches!(p, Protocol::P2pCircuit)) {
                swarm.add_external_address(address.clone());
            }
            let full = with_peer(address, *swarm.local_peer_id());
            tracing::info!(addr = %full, "listening");
            emit(json!({"event": "listening", "addr": full.to_string()}));
        }
        SwarmEvent::ConnectionEstablished {
            peer_id,
            endpoint,
            num_established,
            ..
        } => {
            if let ConnectedPoint::Dialer { address, .. } = &endpoint {
                dialer.connected(peer_id, address);
                swarm
                    .behaviour_mut()
                    .kad
                    .add_address(&peer_id, address.clone());
            }
            if num_established.get() == 1 {
                tracing::info!(peer = %peer_id, addr = %endpoint.get_remote_address(), "connected");
                emit(
                    json!({"event": "peer", "peer": peer_id.to_string(), "connected": true,
                    "addr": endpoint.get_remote_address().to_string()}),
                );
                sync.exchange_heads(swarm, peer_id);
            }
        }
        SwarmEvent::ConnectionClosed {
            peer_id,
            num_established: 0,
            ..
        } => {
            tracing::info!(peer = %peer_id, "disconnected");
            emit(json!({"event": "peer", "peer": peer_id.to_string(), "connected": false}));
            sync.forget(&peer_id);
        }
        SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
            tracing::debug!(peer = ?peer_id, error = %error, "dial error");
        }
        SwarmEvent::Behaviour(UesEvent::Sync(ev)) => on_sync(ev, node, swarm, sync, now_ms).await,
        SwarmEvent::Behaviour(UesEvent::Gossipsub(gossipsub::Event::Message {
            propagation_source,
            message,
            ..
        })) => {
            let Some(did) = topic_did(&message.topic).map(str::to_string) else {
                return;
            };
            // Pull from the author when connected to it, else from whoever
            // forwarded the announcement (it re-announces once it has it).
            let from = message
                .source
                .filter(|p| swarm.is_connected(p))
                .unwrap_or(propagation_source);
            sync.on_head(swarm, from, &message.data, Some(&did));
        }
        SwarmEvent::Behaviour(UesEvent::Gossipsub(gossipsub::Event::Subscribed {
            peer_id,
            topic,
        })) => {
            if let Some(did) = topic_did(&topic).map(str::to_string) {
                sync.on_subscribed(swarm, peer_id, &did);
            }
        }
        SwarmEvent::Behaviour(UesEvent::Identify(identify::Event::Received {
            peer_id,
            info,
            ..
        })) => {
            let kad = &mut swarm.behaviour_mut().kad;
            for a in info.listen_addrs.into_iter().take(16) {
                kad.add_address(&peer_id, a);
            }
        }
        other => tracing::trace!(event = ?other, "swarm event"),
    }
}

async fn on_sync(
    ev: rr::Event<SyncRequest, ues_p2p::Frames>,
    node: &mut N,
    swarm: &mut S,
    sync: &mut SyncState,
    now_ms: u64,
) {
    match ev {
        rr::Event::Message { peer, message, .. } => match message {
            rr::Message::Request {
                request, channel, ..
            } => {
                if !sync.allow(&peer, now_ms) {
                    // Dropping the channel refuses the request.
                    sync.reject(swarm, peer, "request rate limit");
                    return;
                }
                let request = match request {
                    SyncRequest::Frames(f) => f,
                    SyncRequest::Refused(reason) => {
                        return sync.reject(swarm, peer, &format!("bad request: {reason}"));
                    }
                };
                let res = sync.answer(node, swarm, peer, request).await;
                if swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, res)
                    .is_err()
                {
                    tracing::debug!(%peer, "response not sent: the stream closed");
                }
            }
            rr::Message::Response {
                request_id,
                response,
            } => {
                sync.on_response(node, swarm, peer, request_id, response)
                    .await
            }
        },
        rr::Event::OutboundFailure {
            peer,
            request_id,
            error,
            ..
        } => sync.on_failure(swarm, peer, request_id, &error.to_string()),
        rr::Event::InboundFailure { peer, error, .. } => match error {
            rr::InboundFailure::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                sync.reject(swarm, peer, &format!("bad request: {e}"));
            }
            e => tracing::debug!(%peer, error = %e, "inbound request failed"),
        },
        rr::Event::ResponseSent { .. } => {}
    }
}
