//! `PeerGate`: the behaviour that decides which connections may exist.
//!
//! It enforces, at connection establishment (both directions): bans,
//! `reserved_only`, and the inbound/outbound peer slots. Slots count peers,
//! not connections; the direction of a peer is that of its first connection,
//! and reserved peers take no slot. A peer may hold a few connections at once
//! (two nodes dialling each other simultaneously must not both be refused).

use std::{
    collections::{HashMap, HashSet},
    task::{Context, Poll},
    time::Instant,
};

use libp2p::{
    core::{transport::PortUse, Endpoint},
    swarm::{
        dummy, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
        THandlerOutEvent, ToSwarm,
    },
    Multiaddr, PeerId,
};

/// Connections one peer may hold at once.
const MAX_CONNECTIONS_PER_PEER: usize = 2;

/// Why a connection was refused (shows up in libp2p's dial/listen errors).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    #[error("peer is banned")]
    Banned,
    #[error("peer is not reserved and the node accepts reserved peers only")]
    NotReserved,
    #[error("all {0} inbound slots are taken")]
    InboundFull(u32),
    #[error("all {0} outbound slots are taken")]
    OutboundFull(u32),
    #[error("peer already has {MAX_CONNECTIONS_PER_PEER} connections")]
    TooManyConnections,
}

#[derive(Debug)]
struct Slot {
    inbound: bool,
    connections: usize,
}

/// Connection admission policy; see the module docs.
pub(crate) struct PeerGate {
    reserved: HashSet<PeerId>,
    reserved_only: bool,
    max_inbound: u32,
    max_outbound: u32,
    banned: HashMap<PeerId, Instant>,
    peers: HashMap<PeerId, Slot>,
}

impl PeerGate {
    pub(crate) fn new(reserved: HashSet<PeerId>, reserved_only: bool, max_inbound: u32, max_outbound: u32) -> Self {
        Self { reserved, reserved_only, max_inbound, max_outbound, banned: HashMap::new(), peers: HashMap::new() }
    }

    pub(crate) fn ban(&mut self, peer: PeerId, until: Instant) {
        self.banned.insert(peer, until);
    }

    pub(crate) fn is_banned(&self, peer: &PeerId) -> bool {
        self.banned.contains_key(peer)
    }

    /// Lifts bans that expired by `now`, returning the peers concerned.
    pub(crate) fn expire_bans(&mut self, now: Instant) -> Vec<PeerId> {
        let expired: Vec<PeerId> = self.banned.iter().filter(|(_, until)| **until <= now).map(|(p, _)| *p).collect();
        for peer in &expired {
            self.banned.remove(peer);
        }
        expired
    }

    pub(crate) fn is_connected(&self, peer: &PeerId) -> bool {
        self.peers.contains_key(peer)
    }

    /// Whether we would dial `peer` to fill an outbound slot.
    pub(crate) fn wants_outbound(&self, peer: &PeerId) -> bool {
        !self.is_connected(peer) && self.check(peer, false).is_ok()
    }

    fn count(&self, inbound: bool) -> u32 {
        let n =
            self.peers.iter().filter(|(peer, slot)| slot.inbound == inbound && !self.reserved.contains(*peer)).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn check(&self, peer: &PeerId, inbound: bool) -> Result<(), Refused> {
        if self.is_banned(peer) {
            return Err(Refused::Banned);
        }
        let reserved = self.reserved.contains(peer);
        if self.reserved_only && !reserved {
            return Err(Refused::NotReserved);
        }
        if let Some(slot) = self.peers.get(peer) {
            if slot.connections >= MAX_CONNECTIONS_PER_PEER {
                return Err(Refused::TooManyConnections);
            }
            return Ok(());
        }
        if reserved {
            return Ok(());
        }
        if inbound && self.count(true) >= self.max_inbound {
            return Err(Refused::InboundFull(self.max_inbound));
        }
        if !inbound && self.count(false) >= self.max_outbound {
            return Err(Refused::OutboundFull(self.max_outbound));
        }
        Ok(())
    }
}

impl NetworkBehaviour for PeerGate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = std::convert::Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer, true).map_err(ConnectionDenied::new)?;
        Ok(dummy::ConnectionHandler)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: Option<PeerId>,
        _: &[Multiaddr],
        _: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        // Only the cheap, certain refusals here; slots are checked once established.
        if let Some(peer) = peer {
            if self.is_banned(&peer) {
                return Err(ConnectionDenied::new(Refused::Banned));
            }
            if self.reserved_only && !self.reserved.contains(&peer) {
                return Err(ConnectionDenied::new(Refused::NotReserved));
            }
        }
        Ok(Vec::new())
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer, false).map_err(ConnectionDenied::new)?;
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                let slot =
                    self.peers.entry(e.peer_id).or_insert(Slot { inbound: e.endpoint.is_listener(), connections: 0 });
                slot.connections += 1;
            }
            FromSwarm::ConnectionClosed(e) => {
                if e.remaining_established == 0 {
                    self.peers.remove(&e.peer_id);
                } else if let Some(slot) = self.peers.get_mut(&e.peer_id) {
                    slot.connections = e.remaining_established;
                }
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(&mut self, _: PeerId, _: ConnectionId, event: THandlerOutEvent<Self>) {
        libp2p::core::util::unreachable(event)
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}
