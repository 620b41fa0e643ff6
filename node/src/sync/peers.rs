//! The peer table: what the engine knows of each connected peer of our chain.
//!
//! A peer's best block is a claim, not a fact: it comes from its status answer and its
//! announcements, and is dropped back to our own best when the peer fails to serve it.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use ludus_network::PeerId;
use ludus_primitives::{BlockNumber, Hash};

use super::messages::Role;

/// How long a peer that failed a request is left alone.
pub const PEER_BACKOFF: Duration = Duration::from_secs(5);

/// What the engine knows of one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSync {
    /// The best block number it claims.
    pub best_number: BlockNumber,
    /// The best block hash it claims.
    pub best_hash: Hash,
    /// Its role, from its status.
    pub role: Role,
    /// Not asked again before this instant (after a failed request).
    pub backoff_until: Option<Instant>,
}

impl PeerSync {
    /// Whether the peer may be asked for blocks at `now`.
    pub fn is_available(&self, now: Instant) -> bool {
        self.backoff_until.is_none_or(|until| until <= now)
    }
}

/// Every peer the engine has heard from, by id.
#[derive(Debug, Default, Clone)]
pub struct PeerTable {
    peers: HashMap<PeerId, PeerSync>,
}

impl PeerTable {
    /// The peer's entry, if known.
    #[cfg(test)]
    pub fn get(&self, peer: &PeerId) -> Option<&PeerSync> {
        self.peers.get(peer)
    }

    /// Every known peer.
    pub fn iter(&self) -> impl Iterator<Item = (&PeerId, &PeerSync)> {
        self.peers.iter()
    }

    /// How many peers are known.
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// The highest best block any peer claims.
    pub fn highest_claim(&self) -> Option<BlockNumber> {
        self.peers.values().map(|p| p.best_number).max()
    }

    /// Notes a block the peer has (status or announcement); an unknown peer is added as a
    /// full node. A lower number than its claim is ignored: announcements can arrive out
    /// of order, and a peer's best does not go back except by our own verdict.
    pub fn note_best(&mut self, peer: PeerId, number: BlockNumber, hash: Hash) {
        let entry = self.peers.entry(peer).or_insert(PeerSync {
            best_number: 0,
            best_hash: Hash::zero(),
            role: Role::Full,
            backoff_until: None,
        });
        if number >= entry.best_number {
            entry.best_number = number;
            entry.best_hash = hash;
        }
    }

    /// Records the role the peer's status gave.
    pub fn set_role(&mut self, peer: &PeerId, role: Role) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.role = role;
        }
    }

    /// Replaces the peer's claim with `(number, hash)` (our own best): it did not have
    /// what it claimed, so its claim must not keep us syncing instead of authoring.
    pub fn drop_claim(&mut self, peer: &PeerId, number: BlockNumber, hash: Hash) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.best_number = number;
            entry.best_hash = hash;
        }
    }

    /// Leaves the peer alone for [`PEER_BACKOFF`] from `now`.
    pub fn back_off(&mut self, peer: &PeerId, now: Instant) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.backoff_until = Some(now + PEER_BACKOFF);
        }
    }

    /// Forgets a disconnected peer.
    pub fn remove(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
    }
}
