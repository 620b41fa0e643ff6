//! GRANDPA finality for the Ludus node, built on the `finality-grandpa` crate with the message,
//! signature and justification types of `sp-consensus-grandpa`.
//!
//! # What it owns
//!
//! - The **authority set** (set id, authorities, pending changes) and the **voter state** (last
//!   completed round, our own votes of the rounds after it), persisted durably in
//!   `GrandpaConfig::state_dir` before any vote leaves the node. A restarted voter repeats the
//!   vote it already cast in a round instead of signing a different one.
//! - **Gossip validation**: [`Grandpa::on_gossip`] decodes, checks signatures against the current
//!   set and routes votes, commits and catch-ups to the running voter. Messages naming blocks we
//!   have not imported are held (at most 1,000, for 60 s) and released by
//!   [`Grandpa::on_block_imported`]; [`Grandpa::wanted_blocks`] names the blocks they wait
//!   for, which sync fetches.
//! - **Finalization**: through [`FinalityChain::finalize`], with a SCALE `GrandpaJustification`
//!   stored for the block; [`Grandpa::import_justification`] is the sync path.
//!
//! # Tasks and data flow
//!
//! [`Grandpa::start`] returns one future for the node to spawn. It runs a
//! `finality_grandpa::voter::Voter` for the current set when the keystore holds one of the set's
//! ed25519 keys, an observer (commit follower) otherwise, and replaces it when a set change is
//! enacted. Every ~2 s it re-gossips our votes of the current round.
//!
//! ```text
//! network ──on_gossip──▶ checks ──▶ round streams / voter commits ──▶ Voter
//! Voter ──votes──▶ persist ▶ sign ▶ gossip channel (to the network) + back to the Voter
//! Voter/observer ──finalize──▶ FinalityChain::finalize(hash, justification) ▶ set changes
//! ```
//!
//! Peers to ban: [`GossipVerdict::Reject`] (bad signature, not a voter, undecodable) and every
//! [`JustificationError`] except `UnknownBlock` and `Chain`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod authorities;
mod environment;
mod error;
mod justification;
mod persist;
mod shared;
mod wire;
mod worker;

#[cfg(test)]
mod tests;

pub use error::{ChainAccessError, FinalityError, JustificationError};
pub use futures::channel::mpsc;
pub use justification::{GrandpaJustification, MAX_JUSTIFICATION};
pub use wire::{GossipMessage, MAX_GOSSIP_MESSAGE};

use futures::Future;
use ludus_primitives::{BlockNumber, Hash, Header};
use shared::Shared;
use sp_consensus_grandpa::SetId;
use sp_keystore::KeystorePtr;
use std::{marker::PhantomData, path::PathBuf, sync::Arc, time::Duration};

/// What finality needs from the chain; the node implements it over its database.
///
/// Implementations must not call back into [`Grandpa`] from these methods, and should not hold
/// their own locks while calling [`Grandpa`] methods (GRANDPA calls these under its locks).
pub trait FinalityChain: Send + Sync + 'static {
    /// The header of `hash`, if imported.
    fn header(&self, hash: &Hash) -> Result<Option<Header>, ChainAccessError>;
    /// Finalized (hash, number).
    fn finalized(&self) -> (Hash, BlockNumber);
    /// The best block (fork choice = longest chain containing the finalized block).
    fn best(&self) -> Header;
    /// The best block that descends from (or is) `base`; None if base is unknown / not on a
    /// live fork.
    fn best_descendant_of(&self, base: &Hash) -> Result<Option<Header>, ChainAccessError>;
    /// Mark `hash` (and ancestors) final, storing `justification` (SCALE of
    /// [`GrandpaJustification`]) under `GRANDPA_ENGINE_ID`.
    fn finalize(&self, hash: Hash, justification: Vec<u8>) -> Result<(), ChainAccessError>;
    /// `GrandpaApi_grandpa_authorities` at genesis, used for the first authority set.
    fn genesis_authorities(&self) -> Result<sp_consensus_grandpa::AuthorityList, ChainAccessError>;
}

/// Opaque peer identity (the node uses libp2p's PeerId).
pub trait Peer: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static {}

// Any such type is a peer identity (the orphan rule forbids the node to say so for libp2p's).
impl<T: Clone + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static> Peer for T {}

/// How GRANDPA runs.
pub struct GrandpaConfig {
    /// `None` = observer (full node): follows commits, never votes.
    pub keystore: Option<KeystorePtr>,
    /// Voter and authority-set state, written durably.
    pub state_dir: PathBuf,
    /// Estimated gossip latency; prevotes wait 2×, precommits 4× this from the round start.
    pub gossip_duration: Duration,
    /// Name for log lines.
    pub name: String,
}

/// What the node does with a gossip message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GossipVerdict {
    /// Valid and new: forward it.
    Accept,
    /// Stale, duplicate or for another set: drop it, no penalty.
    Ignore,
    /// Forged or malformed: drop it and ban the sender (the reason is for the log).
    Reject(String),
}

/// A snapshot of the gadget for RPC, metrics and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrandpaStatus {
    /// Current authority set id.
    pub set_id: SetId,
    /// Number of authorities in the set.
    pub authorities: usize,
    /// The voter's current round (0 before the first round or when observing).
    pub round: u64,
    /// The last block this gadget finalized since start, (number, hash).
    pub last_finalized: Option<(BlockNumber, Hash)>,
    /// Whether we hold a key of the current set.
    pub voting: bool,
    /// Messages waiting for blocks we have not imported.
    pub held_messages: usize,
    /// Equivocations seen since start: an authority's two different prevotes (or precommits) in
    /// one round, each logged with both signed votes as proof.
    pub equivocations: u64,
}

/// The handle to the finality gadget; cheap to clone.
pub struct Grandpa<P: Peer> {
    shared: Arc<Shared>,
    _peer: PhantomData<fn() -> P>,
}

impl<P: Peer> Clone for Grandpa<P> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone(), _peer: PhantomData }
    }
}

impl<P: Peer> Grandpa<P> {
    /// Loads persisted state (or starts from genesis authorities with set id 0), returns the
    /// handle, the receiver of messages to gossip on the grandpa topic (already SCALE-encoded),
    /// and the future that drives voters; the node spawns it.
    #[allow(clippy::type_complexity)]
    pub fn start<C: FinalityChain>(
        chain: Arc<C>,
        config: GrandpaConfig,
    ) -> Result<(Self, mpsc::UnboundedReceiver<Vec<u8>>, impl Future<Output = ()> + Send + 'static), FinalityError>
    {
        let started = Shared::start(chain, config.keystore, &config.state_dir, config.gossip_duration, config.name)?;
        let worker = worker::run(started.shared.clone(), started.set_change_rx);
        Ok((Self { shared: started.shared, _peer: PhantomData }, started.gossip_rx, worker))
    }

    /// A gossip message from `from`: Accept (forward it), Ignore (stale/duplicate/not for us, do
    /// not forward, no penalty) or Reject (bad signature, not a voter of the set, undecodable:
    /// ban the peer and log the reason).
    pub fn on_gossip(&self, from: &P, data: &[u8]) -> GossipVerdict {
        let verdict = self.shared.on_gossip(data);
        if let GossipVerdict::Reject(reason) = &verdict {
            tracing::debug!(target: shared::LOG_TARGET, "{}: rejected grandpa message from {from:?}: {reason}", self.shared.name);
        }
        verdict
    }

    /// The node imported a block (any fork): note set-change digests and release held votes and
    /// commits that waited for it.
    pub fn on_block_imported(&self, header: &Header) {
        self.shared.on_block_imported(header)
    }

    /// Sync path: a block arrived with a GRANDPA justification. Verifies it against the authority
    /// set for that block, finalizes the block through the chain and applies enacted set changes.
    /// A justification for an already finalized block is accepted without checks (it is not
    /// used). On `Err`, ban the sender unless the error is `UnknownBlock` or `Chain`.
    pub fn import_justification(
        &self,
        hash: Hash,
        number: BlockNumber,
        justification: &[u8],
    ) -> Result<(), JustificationError> {
        self.shared.import_justification(hash, number, justification)
    }

    /// Whether importing/finalizing past `header` requires a justification for it (it enacts an
    /// authority-set change): sync must fetch it with the block.
    pub fn enacts_change(&self, header: &Header) -> bool {
        self.shared.enacts_change(header)
    }

    /// Blocks that checked messages name and we lack, the highest first, at most `limit`; only
    /// once a message has waited a second for them to arrive as blocks usually do.
    ///
    /// The messages wait for these blocks, and a vote may name a block on a fork that no peer
    /// announces any more: after a partition heals, each side's votes name its own side's
    /// blocks, and the side on the longer fork never downloads the other side's shorter one.
    /// Without those votes no side has a supermajority, and finality stalls for good. Sync
    /// must fetch these blocks by hash (Substrate's `set_sync_fork_request`).
    pub fn wanted_blocks(&self, limit: usize) -> Vec<(Hash, BlockNumber)> {
        self.shared.wanted_blocks(limit)
    }

    /// The block enacting the next authority-set change, when our best chain is a few blocks
    /// past it and it is still not final: sync must fetch its justification.
    ///
    /// Only the old set's last commit can finalize that block, and the new set's messages are
    /// of no use before it is final; a node that missed that one commit (it was offline, or
    /// joined just then) would otherwise never cross to the new set, and with it voting, the
    /// new set could lack its supermajority. Substrate's `request_justification`.
    pub fn wanted_justification(&self) -> Option<(Hash, BlockNumber)> {
        self.shared.wanted_justification()
    }

    /// Set id, authority count, current round, last finalized, whether we vote.
    pub fn status(&self) -> GrandpaStatus {
        self.shared.status()
    }
}
