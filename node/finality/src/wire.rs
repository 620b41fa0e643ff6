//! The GRANDPA gossip messages as they travel on the wire (SCALE, one variant per kind; a new
//! kind gets a new index, an old index is never reused).

use codec::{Decode, Encode};
use ludus_primitives::{BlockNumber, Hash};
use sp_consensus_grandpa::{AuthorityId, AuthoritySignature, RoundNumber, SetId};

/// A signed vote (prevote, precommit or primary proposal).
pub type SignedVote = finality_grandpa::SignedMessage<Hash, BlockNumber, AuthoritySignature, AuthorityId>;
/// A commit with its signatures kept apart from the precommits.
pub type CompactCommit = finality_grandpa::CompactCommit<Hash, BlockNumber, AuthoritySignature, AuthorityId>;
/// A commit (precommits with their signatures).
pub type Commit = finality_grandpa::Commit<Hash, BlockNumber, AuthoritySignature, AuthorityId>;
/// The votes that complete a round, for a voter that fell behind.
pub type CatchUp = finality_grandpa::CatchUp<Hash, BlockNumber, AuthoritySignature, AuthorityId>;

/// Largest gossip message we decode; a catch-up for 100 voters is about 40 KiB.
pub const MAX_GOSSIP_MESSAGE: usize = 512 * 1024;

/// A message on the GRANDPA gossip topic.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum GossipMessage {
    /// A vote of `round` in authority set `set_id`.
    #[codec(index = 0)]
    Vote {
        /// Round number.
        round: RoundNumber,
        /// Authority set id.
        set_id: SetId,
        /// The signed vote.
        message: SignedVote,
    },
    /// A commit finalizing a block in `round`.
    #[codec(index = 1)]
    Commit {
        /// Round number.
        round: RoundNumber,
        /// Authority set id.
        set_id: SetId,
        /// The commit.
        commit: CompactCommit,
    },
    /// The votes of a completed round, for voters left behind.
    #[codec(index = 2)]
    CatchUp {
        /// Authority set id.
        set_id: SetId,
        /// The catch-up.
        catch_up: CatchUp,
    },
    /// A vote sent again; `at` (ms since the Unix epoch) only makes the bytes differ so the
    /// network's duplicate filter lets it through.
    #[codec(index = 3)]
    Rebroadcast {
        /// When it was re-sent.
        at: u64,
        /// Round number.
        round: RoundNumber,
        /// Authority set id.
        set_id: SetId,
        /// The signed vote.
        message: SignedVote,
    },
}
