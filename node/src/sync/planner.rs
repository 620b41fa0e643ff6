//! The download planner: which blocks to ask which peer for, and what a response means.
//!
//! A pure state machine. A snapshot of our chain ([`ChainView`]) and the peer table go in;
//! a decision comes out: the next [`BlockRequest`] and its peer, or an [`Action`] for a
//! response. It does no I/O and reads no clock (`now` is passed in), so tests drive it with
//! hand-made chains and peers.
//!
//! # Strategy
//!
//! One request at a time, none while downloaded blocks are still importing: sync stays
//! ordered and simple. The target is the available peer with the highest claim that is
//! not a block we have.
//!
//! - Far behind (more than [`ASCEND_DISTANCE`]): ask by number upwards from our best,
//!   which is almost always on the peer's chain.
//! - Otherwise: walk back from the peer's head (collecting blocks in `fork_search`) until a
//!   block whose parent we have, which also finds forks, then import the collected chain.
//! - An ascending answer that does not connect to our best means our best is on a fork the
//!   peer lacks: ascend again from our finalized block; if even that does not connect, the
//!   peer's chain does not contain our finalized block.
//! - With no claim to follow, **wanted blocks** ([`Planner::want`]: blocks GRANDPA votes name
//!   that we lack) are fetched by hash, walking back as for a fork, from one peer after another
//!   until one has them. They may sit on a fork no peer claims any more: after a partition heals,
//!   the side on the longer fork never hears of the shorter one again, yet finality needs the
//!   votes the other side cast for it (Substrate's `set_sync_fork_request`). A peer that answers
//!   without the block is asked again only after [`WANTED_RETRY`], and not blamed: honest peers
//!   lack blocks, and the one who named the block was a voter, not the peer.
//! - Before those, a **wanted justification** (GRANDPA's: the block enacting a set change,
//!   unfinalized though our chain is past it) is asked for as that one block, from one peer
//!   after another until one sends it with its justification; the import thread imports the
//!   justification of a block we have.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use codec::DecodeAll;
use ludus_network::PeerId;
use ludus_primitives::{short, BlockNumber, Hash};
use sp_runtime::traits::Header as HeaderT;

use super::{
    messages::{self, BlockData, BlockRequest, BlockResponse, Direction},
    peers::PeerTable,
    serve::check_response,
};
use crate::chain::Chain;

/// Behind the best peer by more than this, download by number from our best upwards (our
/// best is almost always on the peer's chain); closer to the tip, walk back from the peer's
/// head, which also finds short forks.
pub const ASCEND_DISTANCE: BlockNumber = 8;
/// Most blocks kept while walking back from a peer's head to a known block.
pub const MAX_FORK_SEARCH: usize = 1024;
/// A peer that answered without a wanted block is not asked for it again before this.
pub const WANTED_RETRY: Duration = Duration::from_secs(10);

/// Our chain as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Our best block number.
    pub best_number: BlockNumber,
    /// Our best block hash.
    pub best_hash: Hash,
    /// Our finalized block number.
    pub finalized_number: BlockNumber,
}

/// What the planner may ask of our chain.
pub trait ChainView {
    /// Best and finalized blocks, read together.
    fn head(&self) -> ChainHead;
    /// Whether we have the block (its header) stored.
    fn has_block(&self, hash: &Hash) -> bool;
}

impl ChainView for Chain {
    fn head(&self) -> ChainHead {
        let info = self.info();
        ChainHead { best_number: info.best_number, best_hash: info.best_hash, finalized_number: info.finalized_number }
    }

    fn has_block(&self, hash: &Hash) -> bool {
        matches!(self.header(*hash), Ok(Some(_)))
    }
}

/// What to do about a block response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Import these consecutive blocks, lowest first, in order; they came from `peer`.
    Import {
        /// The sender, to credit or blame.
        peer: PeerId,
        /// The blocks.
        blocks: Vec<BlockData>,
    },
    /// The peer sent what an honest node never sends: ban it.
    Ban {
        /// The peer.
        peer: PeerId,
        /// Why, for the log.
        reason: String,
    },
    /// The peer does not have what it claimed (a reorg, or a lie): its claim falls back to
    /// our best (until it announces a block again) and it is left alone a while.
    DropClaim {
        /// The peer.
        peer: PeerId,
        /// Our best block number, its new claim.
        best_number: BlockNumber,
        /// Our best block hash, its new claim.
        best_hash: Hash,
    },
    /// The request failed (a timeout, a disconnection): leave the peer alone a while.
    BackOff {
        /// The peer.
        peer: PeerId,
    },
    /// Nothing to do now; the next plan continues (a fork search goes on, an ascent restarts).
    Nothing,
}

/// The blocks from `hash` (numbered `number`) down to just above our finalized block, as one
/// request can carry them: the walk back from a peer's head or a wanted block.
fn descending_from(hash: Hash, number: BlockNumber, finalized: BlockNumber) -> BlockRequest {
    BlockRequest {
        from: messages::From::Hash(hash),
        direction: Direction::Descending,
        max: number.saturating_sub(finalized).clamp(1, messages::MAX_BLOCKS),
    }
}

/// The next request of a walk back whose lowest block so far is `lowest`: from its parent.
fn walk_on(lowest: &BlockData, finalized: BlockNumber) -> BlockRequest {
    descending_from(*lowest.header.parent_hash(), lowest.header.number().saturating_sub(1), finalized)
}

/// A request for a block GRANDPA wants.
#[derive(Debug, Clone, Copy)]
struct Fetching {
    peer: PeerId,
    hash: Hash,
    asked_at: Instant,
    /// For the block's justification (we have the block).
    justification: bool,
}

/// The download state; see the module docs.
#[derive(Debug, Default)]
pub struct Planner {
    /// The peer whose block request is in flight, if any.
    in_flight: Option<PeerId>,
    /// Imports of downloaded blocks not yet reported back.
    imports_pending: usize,
    /// Blocks found walking back from a peer's head (highest first), waiting for a known parent.
    fork_search: Vec<BlockData>,
    /// Set when an ascending download did not connect to our best: restart from finality.
    ascend_from_finalized: bool,
    /// Blocks wanted by hash, highest first, with the numbers they were named with.
    wanted: Vec<(Hash, BlockNumber)>,
    /// The block whose justification we want.
    wanted_justification: Option<(Hash, BlockNumber)>,
    /// The request in flight (and the walk in `fork_search`) when it is for a wanted block
    /// or justification.
    fetching: Option<Fetching>,
    /// The peers that answered without a wanted block, and when.
    misses: HashMap<Hash, Vec<(PeerId, Instant)>>,
}

impl Planner {
    /// Downloaded batches handed to import and not yet reported back.
    #[cfg(test)]
    pub fn imports_pending(&self) -> usize {
        self.imports_pending
    }

    /// Blocks to fetch by hash when no peer's claim needs following (highest first, as named:
    /// hash and number), and a block of ours whose justification to fetch; replaces the last.
    pub fn want(&mut self, blocks: Vec<(Hash, BlockNumber)>, justification: Option<(Hash, BlockNumber)>) {
        self.wanted = blocks;
        self.wanted_justification = justification;
    }

    /// The next request to send, if one is due; the caller must send it and report the
    /// outcome through [`Planner::on_response`].
    pub fn next_request(
        &mut self,
        chain: &impl ChainView,
        peers: &PeerTable,
        now: Instant,
    ) -> Option<(PeerId, BlockRequest)> {
        if self.in_flight.is_some() || self.imports_pending > 0 {
            return None;
        }
        let head = chain.head();
        let target = peers
            .iter()
            .filter(|(_, p)| p.is_available(now))
            .filter(|(_, p)| p.best_number >= head.best_number && p.best_hash != head.best_hash)
            .filter(|(_, p)| !chain.has_block(&p.best_hash))
            .max_by_key(|(_, p)| p.best_number)
            .map(|(id, p)| (*id, p.best_number, p.best_hash));
        let Some((peer, best_number, best_hash)) = target else {
            return self.next_wanted(chain, peers, now);
        };
        if self.fetching.take().is_some() {
            // A claim to follow comes first; the wanted block's walk starts over later.
            self.fork_search.clear();
        }
        let request = if let Some(lowest) = self.fork_search.last() {
            walk_on(lowest, head.finalized_number)
        } else if self.ascend_from_finalized {
            BlockRequest {
                from: messages::From::Number(head.finalized_number + 1),
                direction: Direction::Ascending,
                max: messages::MAX_BLOCKS,
            }
        } else if best_number - head.best_number > ASCEND_DISTANCE {
            BlockRequest {
                from: messages::From::Number(head.best_number + 1),
                direction: Direction::Ascending,
                max: messages::MAX_BLOCKS,
            }
        } else {
            descending_from(best_hash, best_number, head.finalized_number)
        };
        self.in_flight = Some(peer);
        Some((peer, request))
    }

    /// The request for a wanted block, if one is due: the walk in progress goes on with its
    /// peer; otherwise the highest wanted block we lack that some peer has not failed to serve.
    fn next_wanted(
        &mut self,
        chain: &impl ChainView,
        peers: &PeerTable,
        now: Instant,
    ) -> Option<(PeerId, BlockRequest)> {
        let head = chain.head();
        if let (Some(lowest), Some(Fetching { peer, .. })) = (self.fork_search.last(), self.fetching) {
            if peers.iter().any(|(id, p)| *id == peer && p.is_available(now)) {
                let request = walk_on(lowest, head.finalized_number);
                self.in_flight = Some(peer);
                return Some((peer, request));
            }
        }
        self.fork_search.clear();
        self.fetching = None;
        self.misses.retain(|_, tried| {
            tried.retain(|(_, at)| now.saturating_duration_since(*at) < WANTED_RETRY);
            !tried.is_empty()
        });
        let justification = self
            .wanted_justification
            .filter(|(hash, number)| *number > head.finalized_number && chain.has_block(hash))
            .map(|block| (block, true));
        let blocks = self
            .wanted
            .iter()
            .filter(|(hash, number)| *number > head.finalized_number && !chain.has_block(hash))
            .map(|block| (*block, false));
        let mut asks = justification.into_iter().chain(blocks);
        let (peer, (hash, number), justification) = asks.find_map(|(block, justification)| {
            let tried = self.misses.get(&block.0);
            let untried = |id: &PeerId| tried.is_none_or(|tried| tried.iter().all(|(peer, _)| peer != id));
            // The lowest id first: a node asks its peers in a fixed order (repeatable tests).
            let peer = peers.iter().filter(|(id, p)| p.is_available(now) && untried(id)).map(|(id, _)| *id).min()?;
            Some((peer, block, justification))
        })?;
        let what = if justification { "the justification of " } else { "" };
        tracing::debug!(target: "sync", "asking {peer} for {what}block #{number} ({}), which GRANDPA waits for", short(&hash));
        self.fetching = Some(Fetching { peer, hash, asked_at: now, justification });
        self.in_flight = Some(peer);
        let request = if justification {
            BlockRequest { from: messages::From::Hash(hash), direction: Direction::Descending, max: 1 }
        } else {
            descending_from(hash, number, head.finalized_number)
        };
        Some((peer, request))
    }

    /// A wanted block's walk that cannot go on with this peer: it is asked for that block
    /// again only after [`WANTED_RETRY`].
    fn wanted_missed(&mut self, Fetching { peer, hash, asked_at, .. }: Fetching) -> Action {
        self.fork_search.clear();
        self.fetching = None;
        self.misses.entry(hash).or_default().push((peer, asked_at));
        Action::Nothing
    }

    /// The outcome of the request in flight: the response bytes, or why there are none.
    pub fn on_response(
        &mut self,
        chain: &impl ChainView,
        peer: PeerId,
        request: &BlockRequest,
        response: Result<&[u8], String>,
    ) -> Action {
        self.in_flight = None;
        let wanted = self.fetching.filter(|fetching| fetching.peer == peer);
        let bytes = match response {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::debug!(target: "sync", "block request to {peer} failed: {error}");
                if let Some(wanted) = wanted {
                    self.wanted_missed(wanted);
                }
                return Action::BackOff { peer };
            }
        };
        let response = match BlockResponse::decode_all(&mut &bytes[..]) {
            Ok(response) => response,
            Err(error) => return Action::Ban { peer, reason: format!("undecodable block response: {error}") },
        };
        if let Err(reason) = check_response(request, &response) {
            return Action::Ban { peer, reason: format!("block response does not answer the request: {reason}") };
        }
        let head = chain.head();
        let mut blocks = response.blocks;
        if let Some(wanted) = wanted {
            if blocks.is_empty() || (wanted.justification && blocks[0].justification.is_none()) {
                return self.wanted_missed(wanted);
            }
            if wanted.justification {
                self.fetching = None;
                blocks.truncate(1);
                return self.import(peer, blocks);
            }
        }
        if blocks.is_empty() {
            return Action::DropClaim { peer, best_number: head.best_number, best_hash: head.best_hash };
        }
        if request.direction == Direction::Descending {
            self.fork_search.append(&mut blocks);
            let Some(lowest) = self.fork_search.last() else { return Action::Nothing };
            if chain.has_block(lowest.header.parent_hash()) {
                self.fetching = None;
                let mut chunk = std::mem::take(&mut self.fork_search);
                chunk.reverse();
                return self.import(peer, chunk);
            }
            if let Some(wanted) = wanted {
                // A wanted block off our finalized chain is of no use, and the peer only
                // served what we asked for; a walk too long is given up.
                if *lowest.header.number() <= head.finalized_number + 1 || self.fork_search.len() >= MAX_FORK_SEARCH {
                    return self.wanted_missed(wanted);
                }
                return Action::Nothing;
            }
            if *lowest.header.number() <= head.finalized_number + 1 {
                self.fork_search.clear();
                return Action::Ban { peer, reason: "its chain does not contain our finalized block".into() };
            }
            if self.fork_search.len() >= MAX_FORK_SEARCH {
                self.fork_search.clear();
                self.ascend_from_finalized = true;
            }
            return Action::Nothing;
        }
        if chain.has_block(blocks[0].header.parent_hash()) {
            self.ascend_from_finalized = false;
            self.import(peer, blocks)
        } else if self.ascend_from_finalized {
            self.ascend_from_finalized = false;
            Action::Ban { peer, reason: "its chain does not contain our finalized block".into() }
        } else {
            // Our best is on a fork the peer does not have: restart from what is final.
            self.ascend_from_finalized = true;
            Action::Nothing
        }
    }

    /// A downloaded batch is done importing (well or not).
    pub fn on_imported(&mut self) {
        self.imports_pending = self.imports_pending.saturating_sub(1);
    }

    /// A peer went away; its request, if in flight, will not be answered.
    pub fn on_peer_disconnected(&mut self, peer: &PeerId) {
        if self.in_flight == Some(*peer) {
            self.in_flight = None;
        }
    }

    fn import(&mut self, peer: PeerId, blocks: Vec<BlockData>) -> Action {
        self.imports_pending += 1;
        Action::Import { peer, blocks }
    }
}

#[cfg(test)]
mod tests;
