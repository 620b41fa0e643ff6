//! Errors of the finality gadget, worded for the operator or the caller who has to act on them.

use ludus_primitives::BlockNumber;
use sp_consensus_grandpa::SetId;
use std::{path::PathBuf, sync::Arc};

/// The chain, or GRANDPA's own state, failed while finality read or wrote it: never a peer's
/// fault. The node's own error stays reachable as the source.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChainAccessError {
    /// The node's chain failed (its database, or a runtime call).
    #[error(transparent)]
    Backend(Arc<dyn std::error::Error + Send + Sync>),
    /// A block finality relies on is not in the database.
    #[error("{0} is missing from the database")]
    Missing(String),
    /// The chain contradicts what finality was told about it.
    #[error("{0}")]
    Inconsistent(&'static str),
    /// GRANDPA's state could not be saved.
    #[error(transparent)]
    State(Arc<FinalityError>),
}

impl ChainAccessError {
    /// Wraps the chain's own error.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Arc::new(error))
    }
}

/// Errors compare by what they say: the chain's own errors need not be comparable.
impl PartialEq for ChainAccessError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for ChainAccessError {}

/// Why GRANDPA could not start.
#[derive(Debug, thiserror::Error)]
pub enum FinalityError {
    /// The state directory could not be created, read or written.
    #[error(
        "GRANDPA state in {path}: {source}; check that the directory exists, is writable and the disk is not full"
    )]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The persisted state is not something this version wrote.
    #[error("GRANDPA state file {path} is corrupt ({reason}); restore it from a backup, or delete it only if this node never voted (a validator that forgets its votes may equivocate)")]
    CorruptState {
        /// The file concerned.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The chain could not answer a question finality needs.
    #[error("chain database error: {0}")]
    Chain(#[from] ChainAccessError),
    /// The runtime reported no GRANDPA authorities at genesis.
    #[error("the genesis GRANDPA authority set is empty or invalid; check the chain spec's grandpa authorities")]
    NoAuthorities,
}

/// Why a justification was refused. Every variant except [`JustificationError::Chain`] and
/// [`JustificationError::UnknownBlock`] means the sender gave us something false or useless:
/// the node should ban it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationError {
    /// Bytes that do not decode as a `GrandpaJustification`, or too many of them.
    #[error("justification is not a valid SCALE GrandpaJustification: {0}")]
    Undecodable(String),
    /// The justification's commit names a different block than the one it came with.
    #[error("justification targets #{found_number} ({found_hash:?}) but was given for #{number}")]
    TargetMismatch {
        /// The block the justification came with.
        number: BlockNumber,
        /// The commit target's number.
        found_number: BlockNumber,
        /// The commit target's hash.
        found_hash: ludus_primitives::Hash,
    },
    /// The block is not in our database: import the block before its justification.
    #[error("block #{0} is not imported yet; import the block before its justification")]
    UnknownBlock(BlockNumber),
    /// The justification finalizes past a block that enacts an authority-set change whose own
    /// justification we have not seen: fetch and import that one first.
    #[error("justification for #{target} skips the authority set change enacted at #{change_at}; import the justification of #{change_at} first")]
    SkipsSetChange {
        /// The justification's target.
        target: BlockNumber,
        /// The block enacting the change.
        change_at: BlockNumber,
    },
    /// The precommits are signed for another authority set than the one for this block.
    #[error("justification is signed for authority set {signed_for}, but set {expected} finalizes this block")]
    WrongSetId {
        /// The set that must sign the block.
        expected: SetId,
        /// The set the signatures verify under.
        signed_for: SetId,
    },
    /// A precommit's signature does not verify.
    #[error("precommit by {0} has an invalid signature")]
    BadSignature(String),
    /// A precommit is signed by someone outside the authority set, or twice by the same voter.
    #[error("precommit by {0} who is not a voter of the set, or a duplicate")]
    NotAVoter(String),
    /// The precommits do not reach the 2/3 threshold for the commit target.
    #[error("precommits do not reach the finality threshold for the target")]
    BelowThreshold,
    /// The ancestry proof does not link every precommit target to the commit target.
    #[error("invalid precommit ancestry proof: {0}")]
    BadAncestry(&'static str),
    /// The chain database failed while finalizing (not the sender's fault).
    #[error("chain database error while finalizing: {0}")]
    Chain(ChainAccessError),
}

/// Failure inside a running voter; the worker logs it and restarts the voter from its persisted
/// state.
#[derive(Debug, thiserror::Error)]
pub(crate) enum VoterError {
    #[error("grandpa: {0}")]
    Grandpa(#[from] finality_grandpa::Error),
    #[error("{0}")]
    Finality(#[from] FinalityError),
    #[error("the authority set changed; the voter of the old set stops")]
    SetChanged,
}
