//! The `finality_grandpa::voter::Environment` of one authority set: chain queries, round timers,
//! the persisted voter state, and the sinks that sign, gossip and feed back our votes.

use crate::{
    authorities::ancestor_at,
    error::{ChainAccessError, FinalityError, VoterError},
    shared::{Shared, LOG_TARGET},
    wire::{Commit, SignedVote},
    FinalityChain,
};
use codec::Encode;
use finality_grandpa::{
    round::State as RoundState,
    voter::{CommunicationOut, Environment, RoundData},
    Chain, Equivocation, HistoricalVotes, Message, Precommit, Prevote, PrimaryPropose,
};
use futures::{future, prelude::*};
use ludus_primitives::{BlockNumber, Hash};
use sp_consensus_grandpa::{AuthorityId, AuthoritySignature, SetId};
use sp_core::hexdisplay::HexDisplay;
use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::warn;

/// `finality_grandpa::Chain::ancestry` over our database: the blocks strictly between `base`
/// and `block`, from `block`'s parent down.
pub(crate) fn ancestry(
    chain: &dyn FinalityChain,
    base: Hash,
    block: Hash,
) -> Result<Vec<Hash>, finality_grandpa::Error> {
    let not_descendent = finality_grandpa::Error::NotDescendent;
    if base == block {
        return Err(not_descendent);
    }
    let base_number = match chain.header(&base) {
        Ok(Some(header)) => header.number,
        _ => return Err(not_descendent),
    };
    let mut current = match chain.header(&block) {
        Ok(Some(header)) => header,
        _ => return Err(not_descendent),
    };
    let mut route = Vec::new();
    loop {
        if current.number <= base_number {
            return Err(not_descendent);
        }
        if current.parent_hash == base {
            return Ok(route);
        }
        route.push(current.parent_hash);
        current = match chain.header(&current.parent_hash) {
            Ok(Some(header)) => header,
            _ => return Err(not_descendent),
        };
    }
}

/// Our database as a `finality_grandpa::Chain`, for commit validation.
pub(crate) struct ChainRef<'a>(pub &'a dyn FinalityChain);

impl Chain<Hash, BlockNumber> for ChainRef<'_> {
    fn ancestry(&self, base: Hash, block: Hash) -> Result<Vec<Hash>, finality_grandpa::Error> {
        ancestry(self.0, base, block)
    }
}

type Timer = Pin<Box<dyn Future<Output = Result<(), VoterError>> + Send>>;

fn timer(after: Duration) -> Timer {
    Box::pin(futures_timer::Delay::new(after).map(Ok))
}

/// The environment of the voter of one set.
pub(crate) struct Env {
    pub shared: Arc<Shared>,
    pub set_id: SetId,
    pub local_id: Option<AuthorityId>,
}

impl Env {
    fn chain_error(e: ChainAccessError) -> VoterError {
        VoterError::Finality(FinalityError::Chain(e))
    }

    /// The best block containing `base`, cut back to the block enacting a pending set change
    /// so that the old set finalizes exactly that block.
    fn best_chain(&self, base: Hash) -> Result<Option<(Hash, BlockNumber)>, VoterError> {
        let chain = &*self.shared.chain;
        let Some(base_header) = chain.header(&base).map_err(Self::chain_error)? else { return Ok(None) };
        let Some(best) = chain.best_descendant_of(&base).map_err(Self::chain_error)? else { return Ok(None) };
        let mut target = best;
        if let Some(limit) = self.shared.enactment_limit(&target).map_err(Self::chain_error)? {
            if limit < target.number {
                let to = limit.max(base_header.number);
                match ancestor_at(chain, &target, to).map_err(Self::chain_error)? {
                    Some(header) => target = header,
                    None => return Ok(None),
                }
            }
        }
        Ok(Some((target.hash(), target.number)))
    }

    fn note(&self, round: u64, message: Message<Hash, BlockNumber>) -> Result<(), VoterError> {
        if self.local_id.is_some() {
            self.shared.note_own_vote(self.set_id, round, message)?;
        }
        Ok(())
    }

    /// Logs two different votes of one kind by `offender` in `round`, with the proof: both
    /// targets and both signatures, each over the vote's localized payload (round and set id
    /// included), so anyone can check them against the offender's key.
    fn equivocation(
        &self,
        round: u64,
        kind: &str,
        offender: &AuthorityId,
        first: (Hash, BlockNumber, &AuthoritySignature),
        second: (Hash, BlockNumber, &AuthoritySignature),
    ) {
        self.shared.equivocations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let vote = |(hash, number, signature): (Hash, BlockNumber, &AuthoritySignature)| {
            format!("#{number} {hash:?} signed 0x{}", HexDisplay::from(&signature.encode()))
        };
        warn!(
            target: LOG_TARGET,
            "{}: Equivocation by {offender} in round {round}, set {}: two {kind}s, for {} and for {}",
            self.shared.name,
            self.set_id,
            vote(first),
            vote(second),
        );
    }
}

impl Chain<Hash, BlockNumber> for Env {
    fn ancestry(&self, base: Hash, block: Hash) -> Result<Vec<Hash>, finality_grandpa::Error> {
        ancestry(&*self.shared.chain, base, block)
    }
}

impl Environment<Hash, BlockNumber> for Env {
    type Timer = Timer;
    type BestChain = future::Ready<Result<Option<(Hash, BlockNumber)>, VoterError>>;
    type Id = AuthorityId;
    type Signature = AuthoritySignature;
    type In = Pin<Box<dyn Stream<Item = Result<SignedVote, VoterError>> + Send>>;
    type Out = OutgoingVotes;
    type Error = VoterError;

    fn best_chain_containing(&self, base: Hash) -> Self::BestChain {
        future::ready(self.best_chain(base))
    }

    fn round_data(&self, round: u64) -> RoundData<Self::Id, Self::Timer, Self::In, Self::Out> {
        let incoming = self.shared.round_incoming(self.set_id, round).map(Ok);
        let gossip = self.shared.gossip_duration;
        RoundData {
            voter_id: self.local_id.clone(),
            prevote_timer: timer(gossip * 2),
            precommit_timer: timer(gossip * 4),
            incoming: Box::pin(incoming),
            outgoing: OutgoingVotes { shared: self.shared.clone(), set_id: self.set_id, round },
        }
    }

    fn round_commit_timer(&self) -> Self::Timer {
        // Spread commits out so that usually one voter sends it and the others see it first.
        let spread = (self.shared.gossip_duration * 4).as_millis().max(1) as u64;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos() as u64).unwrap_or(0);
        timer(Duration::from_millis(nanos % spread))
    }

    fn proposed(&self, round: u64, propose: PrimaryPropose<Hash, BlockNumber>) -> Result<(), Self::Error> {
        self.note(round, Message::PrimaryPropose(propose))
    }

    fn prevoted(&self, round: u64, prevote: Prevote<Hash, BlockNumber>) -> Result<(), Self::Error> {
        self.note(round, Message::Prevote(prevote))
    }

    fn precommitted(&self, round: u64, precommit: Precommit<Hash, BlockNumber>) -> Result<(), Self::Error> {
        self.note(round, Message::Precommit(precommit))
    }

    fn completed(
        &self,
        round: u64,
        _state: RoundState<Hash, BlockNumber>,
        base: (Hash, BlockNumber),
        votes: &HistoricalVotes<Hash, BlockNumber, Self::Signature, Self::Id>,
    ) -> Result<(), Self::Error> {
        Ok(self.shared.completed(self.set_id, round, base, votes.seen())?)
    }

    fn concluded(
        &self,
        _round: u64,
        _state: RoundState<Hash, BlockNumber>,
        _base: (Hash, BlockNumber),
        _votes: &HistoricalVotes<Hash, BlockNumber, Self::Signature, Self::Id>,
    ) -> Result<(), Self::Error> {
        Ok(())
    }

    fn finalize_block(&self, _hash: Hash, _number: BlockNumber, round: u64, commit: Commit) -> Result<(), Self::Error> {
        self.shared.finalize_commit(round, commit).map_err(Self::chain_error)
    }

    fn prevote_equivocation(
        &self,
        round: u64,
        equivocation: Equivocation<Self::Id, Prevote<Hash, BlockNumber>, Self::Signature>,
    ) {
        let Equivocation { identity, first: (a, a_sig), second: (b, b_sig), .. } = &equivocation;
        self.equivocation(
            round,
            "prevote",
            identity,
            (a.target_hash, a.target_number, a_sig),
            (b.target_hash, b.target_number, b_sig),
        );
    }

    fn precommit_equivocation(
        &self,
        round: u64,
        equivocation: Equivocation<Self::Id, Precommit<Hash, BlockNumber>, Self::Signature>,
    ) {
        let Equivocation { identity, first: (a, a_sig), second: (b, b_sig), .. } = &equivocation;
        self.equivocation(
            round,
            "precommit",
            identity,
            (a.target_hash, a.target_number, a_sig),
            (b.target_hash, b.target_number, b_sig),
        );
    }
}

/// The sink of a round's votes: persists (or substitutes the persisted vote), signs, gossips and
/// feeds the vote back to the round.
pub(crate) struct OutgoingVotes {
    shared: Arc<Shared>,
    set_id: SetId,
    round: u64,
}

impl Sink<Message<Hash, BlockNumber>> for OutgoingVotes {
    type Error = VoterError;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: Message<Hash, BlockNumber>) -> Result<(), Self::Error> {
        self.shared.send_own_vote(self.set_id, self.round, message)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

/// The sink of the voter's commits: gossips them.
pub(crate) struct OutgoingCommits {
    pub shared: Arc<Shared>,
    pub set_id: SetId,
}

type Out = CommunicationOut<Hash, BlockNumber, AuthoritySignature, AuthorityId>;

impl Sink<Out> for OutgoingCommits {
    type Error = VoterError;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: Out) -> Result<(), Self::Error> {
        let CommunicationOut::Commit(round, commit) = item;
        self.shared.gossip_commit(self.set_id, round, commit);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}
