//! The state that must survive a restart, written durably before any vote leaves the node.
//!
//! One file, `grandpa-state.scale` in the state directory: a version byte, then the SCALE of
//! [`PersistedState`]. It is replaced atomically (temp file, fsync, rename, fsync directory), so
//! a crash leaves either the old or the new state, never a torn one.

use crate::{error::FinalityError, wire::SignedVote};
use codec::{Decode, Encode};
use ludus_primitives::{BlockNumber, Hash};
use sp_consensus_grandpa::{AuthorityList, RoundNumber, SetId};
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

const STATE_FILE: &str = "grandpa-state.scale";
const STATE_VERSION: u8 = 1;
/// A state file larger than this is not ours (it holds one round of votes and a few changes).
const MAX_STATE_FILE: u64 = 16 * 1024 * 1024;

type Propose = finality_grandpa::PrimaryPropose<Hash, BlockNumber>;
type Prevote = finality_grandpa::Prevote<Hash, BlockNumber>;
type Precommit = finality_grandpa::Precommit<Hash, BlockNumber>;

/// An authority-set change signalled in a finalized block and not enacted yet (delay > 0).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub(crate) struct PendingChange {
    /// The block carrying the `ScheduledChange` digest.
    pub signal: (Hash, BlockNumber),
    /// The number of the block that enacts it (signal number + delay).
    pub effective: BlockNumber,
    /// The next set.
    pub next_authorities: AuthorityList,
}

/// Our own votes in one round, so a restarted voter repeats them instead of signing new ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub(crate) struct OwnVotes {
    pub propose: Option<Propose>,
    pub prevote: Option<Prevote>,
    pub precommit: Option<Precommit>,
}

/// The last round the voter completed, from which a restart resumes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub(crate) struct CompletedRound {
    pub number: RoundNumber,
    pub base: (Hash, BlockNumber),
    pub votes: Vec<SignedVote>,
}

/// Everything GRANDPA persists.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub(crate) struct PersistedState {
    pub set_id: SetId,
    pub authorities: AuthorityList,
    /// The block that enacted this set (genesis for set 0): base of its first round.
    pub set_start: (Hash, BlockNumber),
    /// The finalized block up to which set-change signals have been accounted for.
    pub scanned_to: (Hash, BlockNumber),
    /// Changes signalled in finalized blocks, waiting for their enacting block to be finalized.
    pub pending: Vec<PendingChange>,
    /// `None` until the voter of this set completes a round.
    pub last_completed: Option<CompletedRound>,
    /// Our votes in rounds after `last_completed`, by round.
    pub own_votes: Vec<(RoundNumber, OwnVotes)>,
}

impl PersistedState {
    pub fn own_votes_mut(&mut self, round: RoundNumber) -> &mut OwnVotes {
        let index = match self.own_votes.iter().position(|(r, _)| *r == round) {
            Some(index) => index,
            None => {
                self.own_votes.push((round, OwnVotes::default()));
                self.own_votes.len() - 1
            }
        };
        &mut self.own_votes[index].1
    }
}

/// Where the state lives.
pub(crate) struct StateFile {
    dir: PathBuf,
}

impl StateFile {
    pub fn new(dir: &Path) -> Result<Self, FinalityError> {
        fs::create_dir_all(dir).map_err(|source| FinalityError::Io { path: dir.to_path_buf(), source })?;
        Ok(Self { dir: dir.to_path_buf() })
    }

    fn path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// The stored state, or `None` on first start.
    pub fn load(&self) -> Result<Option<PersistedState>, FinalityError> {
        let path = self.path();
        let io = |source| FinalityError::Io { path: path.clone(), source };
        let corrupt = |reason: String| FinalityError::CorruptState { path: path.clone(), reason };
        let len = match fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        if len > MAX_STATE_FILE {
            return Err(corrupt(format!("{len} bytes, more than the {MAX_STATE_FILE} this node writes")));
        }
        let bytes = fs::read(&path).map_err(io)?;
        match bytes.split_first() {
            Some((&STATE_VERSION, rest)) => {
                PersistedState::decode(&mut &rest[..]).map_err(|e| corrupt(e.to_string())).and_then(|state| {
                    if state.authorities.is_empty() {
                        Err(corrupt("empty authority set".into()))
                    } else {
                        Ok(Some(state))
                    }
                })
            }
            Some((version, _)) => Err(corrupt(format!("unknown version {version}"))),
            None => Err(corrupt("empty file".into())),
        }
    }

    /// Replaces the stored state durably.
    pub fn store(&self, state: &PersistedState) -> Result<(), FinalityError> {
        let path = self.path();
        let tmp = self.dir.join(format!("{STATE_FILE}.tmp"));
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| FinalityError::Io { path: p, source }
        };
        let mut bytes = Vec::with_capacity(1024);
        bytes.push(STATE_VERSION);
        state.encode_to(&mut bytes);
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(&bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        // The rename is only durable once the directory entry is.
        fs::File::open(&self.dir).and_then(|d| d.sync_all()).map_err(io(&self.dir))?;
        Ok(())
    }
}
