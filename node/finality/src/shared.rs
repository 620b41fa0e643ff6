//! The state every part of the gadget shares: the authority set, the votes routed to the running
//! voter's rounds, messages held until their blocks arrive, and finalization with set changes.
//!
//! Lock order: `finality_lock` (held across a whole finalization) before `state`. `state` is never
//! held while waiting on anything but the state file.

use ludus_primitives::{now_ms, short};

use crate::{
    authorities,
    error::{ChainAccessError, FinalityError, JustificationError, VoterError},
    justification,
    persist::{CompletedRound, PendingChange, PersistedState, StateFile},
    wire::{CatchUp, Commit, CompactCommit, GossipMessage, SignedVote, MAX_GOSSIP_MESSAGE},
    FinalityChain, GossipVerdict, GrandpaStatus,
};
use codec::{DecodeAll, Encode};
use finality_grandpa::{
    voter::{Callback, CommunicationIn},
    voter_set::VoterSet,
    Message, SignedPrecommit, SignedPrevote,
};
use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use ludus_primitives::{BlockNumber, Hash, Header};
use parking_lot::Mutex;
use schnellru::{ByLength, LruMap};
use sp_consensus_grandpa::{
    check_message_signature, AuthorityId, AuthorityList, AuthoritySignature, RoundNumber, SetId, SignatureResult,
};
use sp_core::crypto::key_types::GRANDPA;
use sp_keystore::KeystorePtr;
use std::{
    collections::{BTreeMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};
use tracing::{debug, info, warn};

/// Log target of every line this crate writes.
pub(crate) const LOG_TARGET: &str = "grandpa";
/// Messages waiting for blocks we have not imported.
const MAX_HELD: usize = 1_000;
/// How long a message may wait for its blocks.
const HELD_FOR: Duration = Duration::from_secs(60);
/// How long a message waits for its blocks to arrive the usual way (announced, or synced as a
/// peer's best) before sync is asked to fetch them: a vote often outruns the block it names by
/// the block's import time, and that block should not be downloaded twice.
const WANT_AFTER: Duration = Duration::from_secs(1);
/// How far our best block must be past the unfinalized block that enacts a set change before
/// sync is asked for that block's justification: the old set's last commit, which finalizes
/// exactly that block, usually arrives within a block or two.
const JUSTIFICATION_AFTER: BlockNumber = 4;
/// Minimum time between two catch-ups we send.
const CATCH_UP_INTERVAL: Duration = Duration::from_secs(3);
/// Commits and catch-ups remembered for de-duplication.
const MAX_SEEN: u32 = 1_024;
/// Votes one voter may have in one round: a proposal and two of each kind (an equivocation is
/// worth keeping as proof; more are noise).
const MAX_VOTES_PER_VOTER: usize = 5;
/// Rounds an observer keeps for de-duplication.
const OBSERVER_ROUNDS: usize = 8;

/// What the running voter's global input takes.
pub(crate) type GlobalIn = CommunicationIn<Hash, BlockNumber, AuthoritySignature, AuthorityId>;

/// The votes seen in one round, and the voter rounds listening to it.
#[derive(Default)]
pub(crate) struct RoundMessages {
    votes: Vec<SignedVote>,
    seen: HashSet<Vec<u8>>,
    senders: Vec<UnboundedSender<SignedVote>>,
}

enum HeldItem {
    Vote(RoundNumber, SignedVote),
    Commit(RoundNumber, CompactCommit),
    CatchUp(CatchUp),
}

/// A checked message waiting for the blocks it names (sc's `until_imported` pattern).
struct Held {
    at: Instant,
    set_id: SetId,
    /// The blocks it names that we lack, with the numbers it gives them.
    needs: Vec<(Hash, BlockNumber)>,
    key: Vec<u8>,
    item: HeldItem,
}

/// Message keys already handled, the least recently seen forgotten first once `bound` are
/// held: lookups cost the same however full it is, unlike a scanned queue.
struct SeenSet(LruMap<[u8; 32], (), ByLength>);

impl SeenSet {
    fn new(bound: u32) -> Self {
        SeenSet(LruMap::new(ByLength::new(bound)))
    }

    /// Remembers `key`; false if it is remembered already.
    fn note(&mut self, key: [u8; 32]) -> bool {
        // `get` also makes a repeated key the most recent: a message still circulating stays known.
        if self.0.get(&key).is_some() {
            return false;
        }
        self.0.insert(key, ());
        true
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// Mutable state behind `Shared::state`.
pub(crate) struct State {
    pub persisted: PersistedState,
    pub voters: Arc<VoterSet<AuthorityId>>,
    pub local_id: Option<AuthorityId>,
    /// The voter's best round (the highest it asked input for).
    pub current_round: RoundNumber,
    rounds: BTreeMap<RoundNumber, RoundMessages>,
    held: Vec<Held>,
    /// Set while a voter runs for the current set.
    pub global_tx: Option<UnboundedSender<GlobalIn>>,
    /// Set while an observer runs for the current set.
    pub commit_tx: Option<UnboundedSender<(RoundNumber, CompactCommit)>>,
    own_signed: BTreeMap<RoundNumber, Vec<SignedVote>>,
    seen_other: SeenSet,
    last_catch_up_sent: Option<Instant>,
    last_finalized: Option<(BlockNumber, Hash)>,
}

fn voter_set(authorities: &AuthorityList) -> Option<VoterSet<AuthorityId>> {
    VoterSet::new(authorities.iter().cloned())
}

fn local_id(keystore: Option<&KeystorePtr>, authorities: &AuthorityList) -> Option<AuthorityId> {
    let keys = keystore?.ed25519_public_keys(GRANDPA);
    authorities.iter().map(|(id, _)| id).find(|id| keys.iter().any(|k| AuthorityId::from(*k) == **id)).cloned()
}

impl State {
    fn is_duplicate(&self, round: RoundNumber, key: &[u8]) -> bool {
        self.rounds.get(&round).is_some_and(|r| r.seen.contains(key)) || self.held.iter().any(|h| h.key == key)
    }

    fn voter_mode(&self) -> bool {
        self.global_tx.is_some()
    }

    fn deliver_vote(&mut self, round: RoundNumber, vote: SignedVote, key: Vec<u8>) {
        let entry = self.rounds.entry(round).or_default();
        let from_voter = entry.votes.iter().filter(|v| v.id == vote.id).count();
        if from_voter >= MAX_VOTES_PER_VOTER {
            return;
        }
        entry.seen.insert(key);
        entry.votes.push(vote.clone());
        entry.senders.retain(|tx| tx.unbounded_send(vote.clone()).is_ok());
        self.prune_rounds();
    }

    fn prune_rounds(&mut self) {
        if self.voter_mode() {
            let keep_from = self.current_round.saturating_sub(3);
            self.rounds = self.rounds.split_off(&keep_from);
        } else {
            while self.rounds.len() > OBSERVER_ROUNDS {
                self.rounds.pop_first();
            }
        }
    }

    fn deliver_commit(&mut self, round: RoundNumber, commit: CompactCommit) {
        if let Some(tx) = &self.global_tx {
            let _ = tx.unbounded_send(CommunicationIn::Commit(round, commit, Callback::Blank));
        } else if let Some(tx) = &self.commit_tx {
            let _ = tx.unbounded_send((round, commit));
        }
    }

    fn deliver_catch_up(&mut self, catch_up: CatchUp) {
        if let Some(tx) = &self.global_tx {
            let _ = tx.unbounded_send(CommunicationIn::CatchUp(catch_up, Callback::Blank));
        }
    }

    fn deliver(&mut self, item: HeldItem, key: Vec<u8>) {
        match item {
            HeldItem::Vote(round, vote) => self.deliver_vote(round, vote, key),
            HeldItem::Commit(round, commit) => self.deliver_commit(round, commit),
            HeldItem::CatchUp(catch_up) => self.deliver_catch_up(catch_up),
        }
    }

    /// Delivers `item` now if no block it `needs` is missing, else holds it until they are
    /// imported.
    fn deliver_or_hold(&mut self, set_id: SetId, needs: Vec<(Hash, BlockNumber)>, key: Vec<u8>, item: HeldItem) {
        if needs.is_empty() {
            self.deliver(item, key);
        } else {
            self.hold(Held { at: Instant::now(), set_id, needs, key, item });
        }
    }

    fn hold(&mut self, held: Held) {
        let now = Instant::now();
        self.held.retain(|h| now.duration_since(h.at) < HELD_FOR);
        if self.held.len() >= MAX_HELD {
            self.held.remove(0);
        }
        self.held.push(held);
    }

    /// Remembers a commit or catch-up; false if it was seen before.
    fn note_seen(&mut self, key: [u8; 32]) -> bool {
        self.seen_other.note(key)
    }

    /// Forgets everything of the old set once a new one is enacted.
    fn reset_for_new_set(&mut self, keystore: Option<&KeystorePtr>, voters: VoterSet<AuthorityId>) {
        self.voters = Arc::new(voters);
        self.local_id = local_id(keystore, &self.persisted.authorities);
        self.persisted.last_completed = None;
        self.persisted.own_votes.clear();
        self.current_round = 0;
        self.rounds.clear();
        self.held.clear();
        self.global_tx = None;
        self.commit_tx = None;
        self.own_signed.clear();
        self.seen_other.clear();
    }
}

/// Everything the handle, the environment and the worker share.
pub(crate) struct Shared {
    pub chain: Arc<dyn FinalityChain>,
    pub keystore: Option<KeystorePtr>,
    pub name: String,
    pub gossip_duration: Duration,
    file: StateFile,
    gossip_out: UnboundedSender<Vec<u8>>,
    set_change_tx: UnboundedSender<()>,
    finality_lock: Mutex<()>,
    pub state: Mutex<State>,
    /// Equivocations (two votes of one kind in one round by one authority) seen so far.
    pub equivocations: std::sync::atomic::AtomicU64,
}

/// The pieces `start` hands to the node and the worker.
pub(crate) struct Started {
    pub shared: Arc<Shared>,
    pub gossip_rx: UnboundedReceiver<Vec<u8>>,
    pub set_change_rx: UnboundedReceiver<()>,
}

/// The content hash used to recognise a commit or catch-up seen before.
fn content_key<T: Encode>(value: &T) -> [u8; 32] {
    use sp_runtime::traits::Hash as _;
    sp_runtime::traits::BlakeTwo256::hash_of(value).0
}

fn check_vote_signature(
    message: &Message<Hash, BlockNumber>,
    id: &AuthorityId,
    signature: &AuthoritySignature,
    round: RoundNumber,
    set_id: SetId,
) -> bool {
    check_message_signature(message, id, signature, round, set_id) == SignatureResult::Valid
}

impl Shared {
    /// Loads (or creates) the persisted state and accounts for blocks finalized while we were
    /// not running (a crash between finalizing and persisting a set change).
    pub fn start(
        chain: Arc<dyn FinalityChain>,
        keystore: Option<KeystorePtr>,
        state_dir: &std::path::Path,
        gossip_duration: Duration,
        name: String,
    ) -> Result<Started, FinalityError> {
        let file = StateFile::new(state_dir)?;
        let persisted = match file.load()? {
            Some(state) => state,
            None => {
                let authorities = chain.genesis_authorities().map_err(FinalityError::Chain)?;
                let genesis = chain
                    .header(&chain.finalized().0)
                    .map_err(FinalityError::Chain)?
                    .ok_or_else(|| ChainAccessError::Missing("the finalized block's header".into()))?;
                let genesis = ancestor_or_self_at_zero(&*chain, genesis).map_err(FinalityError::Chain)?;
                let state = PersistedState {
                    set_id: 0,
                    authorities,
                    set_start: (genesis.hash(), 0),
                    scanned_to: (genesis.hash(), 0),
                    pending: Vec::new(),
                    last_completed: None,
                    own_votes: Vec::new(),
                };
                file.store(&state)?;
                state
            }
        };
        let voters = voter_set(&persisted.authorities).ok_or(FinalityError::NoAuthorities)?;
        let (gossip_out, gossip_rx) = mpsc::unbounded();
        let (set_change_tx, set_change_rx) = mpsc::unbounded();
        let state = State {
            local_id: local_id(keystore.as_ref(), &persisted.authorities),
            voters: Arc::new(voters),
            persisted,
            current_round: 0,
            rounds: BTreeMap::new(),
            held: Vec::new(),
            global_tx: None,
            commit_tx: None,
            own_signed: BTreeMap::new(),
            seen_other: SeenSet::new(MAX_SEEN),
            last_catch_up_sent: None,
            last_finalized: None,
        };
        let shared = Arc::new(Shared {
            chain,
            keystore,
            name,
            gossip_duration,
            file,
            gossip_out,
            set_change_tx,
            finality_lock: Mutex::new(()),
            state: Mutex::new(state),
            equivocations: std::sync::atomic::AtomicU64::new(0),
        });
        {
            let _guard = shared.finality_lock.lock();
            let (hash, number) = shared.chain.finalized();
            if number > shared.state.lock().persisted.scanned_to.1 {
                let header = shared
                    .chain
                    .header(&hash)
                    .map_err(FinalityError::Chain)?
                    .ok_or_else(|| ChainAccessError::Missing("the finalized block's header".into()))?;
                shared.account_finalized(&header).map_err(FinalityError::Chain)?;
            }
        }
        Ok(Started { shared, gossip_rx, set_change_rx })
    }

    pub fn set_snapshot(&self) -> (SetId, Arc<VoterSet<AuthorityId>>) {
        let state = self.state.lock();
        (state.persisted.set_id, state.voters.clone())
    }

    fn gossip(&self, message: &GossipMessage) {
        // A closed receiver means the node is shutting down; nothing to do about it.
        let _ = self.gossip_out.unbounded_send(message.encode());
    }

    // ---------------------------------------------------------------- incoming gossip

    pub fn on_gossip(&self, data: &[u8]) -> GossipVerdict {
        if data.len() > MAX_GOSSIP_MESSAGE {
            return GossipVerdict::Reject(format!("grandpa message of {} bytes", data.len()));
        }
        let message = match GossipMessage::decode_all(&mut &data[..]) {
            Ok(message) => message,
            Err(e) => return GossipVerdict::Reject(format!("undecodable grandpa message: {e}")),
        };
        match message {
            GossipMessage::Vote { round, set_id, message }
            | GossipMessage::Rebroadcast { round, set_id, message, .. } => self.on_vote(round, set_id, message),
            GossipMessage::Commit { round, set_id, commit } => self.on_commit(round, set_id, commit),
            GossipMessage::CatchUp { set_id, catch_up } => self.on_catch_up(set_id, catch_up),
        }
    }

    fn unknown_blocks(&self, blocks: impl IntoIterator<Item = (Hash, BlockNumber)>) -> Vec<(Hash, BlockNumber)> {
        let mut unknown: Vec<(Hash, BlockNumber)> = Vec::new();
        for (hash, number) in blocks {
            // A database error counts as unknown: the message waits and is retried on import.
            if !unknown.iter().any(|(h, _)| *h == hash) && !matches!(self.chain.header(&hash), Ok(Some(_))) {
                unknown.push((hash, number));
            }
        }
        unknown
    }

    fn on_vote(&self, round: RoundNumber, set_id: SetId, vote: SignedVote) -> GossipVerdict {
        let (our_set, voters) = self.set_snapshot();
        if set_id != our_set {
            return GossipVerdict::Ignore;
        }
        if !voters.contains(&vote.id) {
            return GossipVerdict::Reject(format!("grandpa vote by {} who is not a voter of set {set_id}", vote.id));
        }
        if !check_vote_signature(&vote.message, &vote.id, &vote.signature, round, set_id) {
            return GossipVerdict::Reject(format!("grandpa vote by {} with a bad signature", vote.id));
        }
        let (hash, number) = vote.target();
        let needs = self.unknown_blocks([(*hash, number)]);
        let key = vote.encode();
        let mut state = self.state.lock();
        if state.persisted.set_id != set_id {
            return GossipVerdict::Ignore;
        }
        if state.voter_mode() {
            let current = state.current_round;
            if round.saturating_add(1) < current {
                // The sender is rounds behind: it needs our last completed round to catch up.
                self.maybe_send_catch_up(&mut state);
                return GossipVerdict::Ignore;
            }
            if round > current.saturating_add(1) {
                return GossipVerdict::Ignore;
            }
        }
        if state.is_duplicate(round, &key) {
            return GossipVerdict::Ignore;
        }
        state.deliver_or_hold(set_id, needs, key, HeldItem::Vote(round, vote));
        GossipVerdict::Accept
    }

    fn on_commit(&self, round: RoundNumber, set_id: SetId, commit: CompactCommit) -> GossipVerdict {
        let (our_set, voters) = self.set_snapshot();
        if set_id != our_set {
            return GossipVerdict::Ignore;
        }
        if commit.precommits.is_empty() || commit.precommits.len() != commit.auth_data.len() {
            return GossipVerdict::Reject("grandpa commit without one signature per precommit".into());
        }
        if commit.precommits.len() > voters.len().get().saturating_mul(2) {
            return GossipVerdict::Reject("grandpa commit with more precommits than twice the voters".into());
        }
        for (precommit, (signature, id)) in commit.precommits.iter().zip(commit.auth_data.iter()) {
            if !voters.contains(id) {
                return GossipVerdict::Reject(format!(
                    "grandpa commit signed by {id} who is not a voter of set {set_id}"
                ));
            }
            if !check_vote_signature(&Message::Precommit(precommit.clone()), id, signature, round, set_id) {
                return GossipVerdict::Reject(format!("grandpa commit with a bad signature by {id}"));
            }
        }
        if commit.target_number <= self.chain.finalized().1 {
            return GossipVerdict::Ignore;
        }
        let needs = self.unknown_blocks(
            std::iter::once((commit.target_hash, commit.target_number))
                .chain(commit.precommits.iter().map(|p| (p.target_hash, p.target_number))),
        );
        let key = content_key(&(round, set_id, &commit));
        let mut state = self.state.lock();
        if state.persisted.set_id != set_id || !state.note_seen(key) {
            return GossipVerdict::Ignore;
        }
        state.deliver_or_hold(set_id, needs, key.to_vec(), HeldItem::Commit(round, commit));
        GossipVerdict::Accept
    }

    fn on_catch_up(&self, set_id: SetId, catch_up: CatchUp) -> GossipVerdict {
        let (our_set, voters) = self.set_snapshot();
        if set_id != our_set {
            return GossipVerdict::Ignore;
        }
        {
            let state = self.state.lock();
            if !state.voter_mode() || catch_up.round_number <= state.current_round {
                return GossipVerdict::Ignore;
            }
        }
        let limit = voters.len().get().saturating_mul(2);
        if catch_up.prevotes.len() > limit || catch_up.precommits.len() > limit {
            return GossipVerdict::Reject("grandpa catch-up with more votes than twice the voters".into());
        }
        let round = catch_up.round_number;
        let prevotes = catch_up.prevotes.iter().map(|v| (Message::Prevote(v.prevote.clone()), &v.id, &v.signature));
        let precommits =
            catch_up.precommits.iter().map(|v| (Message::Precommit(v.precommit.clone()), &v.id, &v.signature));
        for (message, id, signature) in prevotes.chain(precommits) {
            if !voters.contains(id) {
                return GossipVerdict::Reject(format!("grandpa catch-up with a vote by {id} who is not a voter"));
            }
            if !check_vote_signature(&message, id, signature, round, set_id) {
                return GossipVerdict::Reject(format!("grandpa catch-up with a bad signature by {id}"));
            }
        }
        let needs = self.unknown_blocks(
            std::iter::once((catch_up.base_hash, catch_up.base_number))
                .chain(catch_up.prevotes.iter().map(|v| (v.prevote.target_hash, v.prevote.target_number)))
                .chain(catch_up.precommits.iter().map(|v| (v.precommit.target_hash, v.precommit.target_number))),
        );
        let key = content_key(&(set_id, &catch_up));
        let mut state = self.state.lock();
        if state.persisted.set_id != set_id || !state.note_seen(key) {
            return GossipVerdict::Ignore;
        }
        debug!(target: LOG_TARGET, "{}: catch-up to round {round} received", self.name);
        state.deliver_or_hold(set_id, needs, key.to_vec(), HeldItem::CatchUp(catch_up));
        GossipVerdict::Accept
    }

    fn maybe_send_catch_up(&self, state: &mut State) {
        let Some(completed) = &state.persisted.last_completed else { return };
        if state.last_catch_up_sent.is_some_and(|at| at.elapsed() < CATCH_UP_INTERVAL) {
            return;
        }
        let mut prevotes = Vec::new();
        let mut precommits = Vec::new();
        for vote in &completed.votes {
            match &vote.message {
                Message::Prevote(prevote) => prevotes.push(SignedPrevote {
                    prevote: prevote.clone(),
                    signature: vote.signature.clone(),
                    id: vote.id.clone(),
                }),
                Message::Precommit(precommit) => precommits.push(SignedPrecommit {
                    precommit: precommit.clone(),
                    signature: vote.signature.clone(),
                    id: vote.id.clone(),
                }),
                Message::PrimaryPropose(_) => {}
            }
        }
        let catch_up = CatchUp {
            round_number: completed.number,
            prevotes,
            precommits,
            base_hash: completed.base.0,
            base_number: completed.base.1,
        };
        debug!(target: LOG_TARGET, "{}: sending catch-up for round {}", self.name, completed.number);
        state.last_catch_up_sent = Some(Instant::now());
        self.gossip(&GossipMessage::CatchUp { set_id: state.persisted.set_id, catch_up });
    }

    /// Delivers held messages whose blocks are now all imported.
    pub fn release_held(&self) {
        let held = std::mem::take(&mut self.state.lock().held);
        if held.is_empty() {
            return;
        }
        let (ready, waiting): (Vec<Held>, Vec<Held>) =
            held.into_iter().partition(|h| self.unknown_blocks(h.needs.iter().copied()).is_empty());
        let mut state = self.state.lock();
        let newer = std::mem::replace(&mut state.held, waiting);
        state.held.extend(newer);
        let set_id = state.persisted.set_id;
        for held in ready.into_iter().filter(|h| h.set_id == set_id) {
            let Held { key, item, .. } = held;
            if let HeldItem::Vote(round, _) = &item {
                if state.rounds.get(round).is_some_and(|r| r.seen.contains(&key)) {
                    continue;
                }
            }
            state.deliver(item, key);
        }
    }

    // ---------------------------------------------------------------- the voter's side

    /// A new input stream for `round`, pre-filled with the votes already seen.
    pub fn round_incoming(&self, set_id: SetId, round: RoundNumber) -> UnboundedReceiver<SignedVote> {
        let (tx, rx) = mpsc::unbounded();
        let mut state = self.state.lock();
        if state.persisted.set_id != set_id {
            return rx;
        }
        state.current_round = state.current_round.max(round);
        let entry = state.rounds.entry(round).or_default();
        for vote in &entry.votes {
            let _ = tx.unbounded_send(vote.clone());
        }
        entry.senders.push(tx);
        state.prune_rounds();
        rx
    }

    /// Notes our vote of one kind in `round` durably, unless one is already noted, and returns
    /// the vote to send: the one noted first; `None` (send nothing) in a round of another set
    /// or one already completed. This is what keeps a restarted voter from equivocating.
    pub fn note_own_vote(
        &self,
        set_id: SetId,
        round: RoundNumber,
        message: Message<Hash, BlockNumber>,
    ) -> Result<Option<Message<Hash, BlockNumber>>, FinalityError> {
        let mut state = self.state.lock();
        Self::note_own_vote_locked(&self.file, &mut state, set_id, round, message)
    }

    fn note_own_vote_locked(
        file: &StateFile,
        state: &mut State,
        set_id: SetId,
        round: RoundNumber,
        message: Message<Hash, BlockNumber>,
    ) -> Result<Option<Message<Hash, BlockNumber>>, FinalityError> {
        if state.persisted.set_id != set_id {
            return Ok(None);
        }
        // A completed round may run on in the background: the round a catch-up jumped over
        // keeps its timers, and may vote. Our votes of rounds up to the completed one were
        // forgotten when it completed, so such a vote could differ from one sent in that round
        // before a restart: an equivocation. Like Substrate's voter, vote only in rounds after
        // the last completed one (the voter itself completes a round only once it has cast
        // every vote there).
        if state.persisted.last_completed.as_ref().is_some_and(|completed| round <= completed.number) {
            return Ok(None);
        }
        let own = state.persisted.own_votes_mut(round);
        let (message, new) = match message {
            Message::PrimaryPropose(v) => match &own.propose {
                Some(old) => (Message::PrimaryPropose(old.clone()), false),
                None => {
                    own.propose = Some(v.clone());
                    (Message::PrimaryPropose(v), true)
                }
            },
            Message::Prevote(v) => match &own.prevote {
                Some(old) => (Message::Prevote(old.clone()), false),
                None => {
                    own.prevote = Some(v.clone());
                    (Message::Prevote(v), true)
                }
            },
            Message::Precommit(v) => match &own.precommit {
                Some(old) => (Message::Precommit(old.clone()), false),
                None => {
                    own.precommit = Some(v.clone());
                    (Message::Precommit(v), true)
                }
            },
        };
        if new {
            file.store(&state.persisted)?;
        }
        Ok(Some(message))
    }

    /// Signs our vote (the persisted one of its kind for the round), gossips it and feeds it to
    /// the local voter.
    pub fn send_own_vote(
        &self,
        set_id: SetId,
        round: RoundNumber,
        message: Message<Hash, BlockNumber>,
    ) -> Result<(), VoterError> {
        let mut state = self.state.lock();
        let (Some(local_id), Some(keystore)) = (state.local_id.clone(), self.keystore.clone()) else {
            return Ok(());
        };
        let Some(message) = Self::note_own_vote_locked(&self.file, &mut state, set_id, round, message)? else {
            return Ok(());
        };
        let Some(signed) = sp_consensus_grandpa::sign_message(keystore, message, local_id.clone(), round, set_id)
        else {
            warn!(target: LOG_TARGET, "{}: the keystore could not sign with grandpa key {local_id}; vote not sent", self.name);
            return Ok(());
        };
        self.gossip(&GossipMessage::Vote { round, set_id, message: signed.clone() });
        let own = state.own_signed.entry(round).or_default();
        if !own.contains(&signed) {
            own.push(signed.clone());
        }
        let key = signed.encode();
        if !state.is_duplicate(round, &key) {
            state.deliver_vote(round, signed, key);
        }
        Ok(())
    }

    /// Re-gossips our votes of the current and previous round, so peers that missed them
    /// (restarted, partitioned) still get them.
    pub fn rebroadcast(&self) {
        let mut state = self.state.lock();
        if !state.voter_mode() {
            return;
        }
        let from = state.current_round.saturating_sub(1);
        state.own_signed = state.own_signed.split_off(&from);
        let set_id = state.persisted.set_id;
        let at = now_ms();
        for (round, votes) in &state.own_signed {
            for vote in votes {
                self.gossip(&GossipMessage::Rebroadcast { at, round: *round, set_id, message: vote.clone() });
            }
        }
    }

    /// Records the last completed round durably.
    pub fn completed(
        &self,
        set_id: SetId,
        round: RoundNumber,
        base: (Hash, BlockNumber),
        votes: &[SignedVote],
    ) -> Result<(), FinalityError> {
        let mut state = self.state.lock();
        if state.persisted.set_id != set_id {
            return Ok(());
        }
        state.persisted.last_completed = Some(CompletedRound { number: round, base, votes: votes.to_vec() });
        state.persisted.own_votes.retain(|(r, _)| *r > round);
        self.file.store(&state.persisted)
    }

    /// Gossips a commit our voter produced.
    pub fn gossip_commit(&self, set_id: SetId, round: RoundNumber, commit: Commit) {
        if self.state.lock().persisted.set_id != set_id {
            return;
        }
        self.gossip(&GossipMessage::Commit { round, set_id, commit: commit.into() });
    }

    // ---------------------------------------------------------------- finality

    /// Finalizes `hash` with a justification built from `commit` (voter or observer path).
    pub fn finalize_commit(&self, round: RoundNumber, commit: Commit) -> Result<(), ChainAccessError> {
        let (hash, number) = (commit.target_hash, commit.target_number);
        let _guard = self.finality_lock.lock();
        if number <= self.chain.finalized().1 {
            return Ok(());
        }
        let justification = justification::from_commit(&*self.chain, round, commit)?;
        self.finalize_locked(hash, number, round, justification::encode(&justification))
    }

    fn finalize_locked(
        &self,
        hash: Hash,
        number: BlockNumber,
        round: RoundNumber,
        justification: Vec<u8>,
    ) -> Result<(), ChainAccessError> {
        if number <= self.chain.finalized().1 {
            return Ok(());
        }
        let header =
            self.chain.header(&hash)?.ok_or_else(|| ChainAccessError::Missing(format!("block #{number} ({hash:?})")))?;
        self.chain.finalize(hash, justification)?;
        let set_id = {
            let mut state = self.state.lock();
            state.last_finalized = Some((number, hash));
            state.persisted.set_id
        };
        info!(target: LOG_TARGET, "{}: Finalized #{number} ({}) in round {round}, set {set_id}", self.name, short(&hash));
        self.account_finalized(&header)
    }

    /// Notes the set changes signalled in newly finalized blocks and enacts those whose block is
    /// now final.
    fn account_finalized(&self, header: &Header) -> Result<(), ChainAccessError> {
        let (scanned, mut pending) = {
            let state = self.state.lock();
            (state.persisted.scanned_to.1, state.persisted.pending.clone())
        };
        pending.extend(authorities::signals_between(&*self.chain, header, scanned)?);
        pending.sort_by_key(|c| c.effective);
        let mut enacted: Vec<(PendingChange, Hash)> = Vec::new();
        while pending.first().is_some_and(|c| c.effective <= header.number) {
            let change = pending.remove(0);
            let block = authorities::ancestor_at(&*self.chain, header, change.effective)?
                .ok_or_else(|| {
                    ChainAccessError::Missing(format!("the block enacting a set change (#{})", change.effective))
                })?;
            enacted.push((change, block.hash()));
        }

        let mut state = self.state.lock();
        state.persisted.pending = pending;
        state.persisted.scanned_to = (header.hash(), header.number);
        let mut new_voters = None;
        for (change, block_hash) in enacted {
            let Some(voters) = voter_set(&change.next_authorities) else {
                warn!(target: LOG_TARGET, "{}: ignoring a scheduled change to an empty authority set at #{}", self.name, change.effective);
                continue;
            };
            state.persisted.set_id += 1;
            state.persisted.authorities = change.next_authorities;
            state.persisted.set_start = (block_hash, change.effective);
            info!(
                target: LOG_TARGET,
                "{}: Authority set {} enacted at #{}: {} authorities",
                self.name,
                state.persisted.set_id,
                change.effective,
                state.persisted.authorities.len()
            );
            new_voters = Some(voters);
        }
        let changed = new_voters.is_some();
        if let Some(voters) = new_voters {
            state.reset_for_new_set(self.keystore.as_ref(), voters);
        }
        self.file.store(&state.persisted).map_err(|e| ChainAccessError::State(std::sync::Arc::new(e)))?;
        drop(state);
        if changed {
            let _ = self.set_change_tx.unbounded_send(());
        }
        Ok(())
    }

    /// The sync path: verify a justification against the set for its block and finalize.
    pub fn import_justification(
        &self,
        hash: Hash,
        number: BlockNumber,
        bytes: &[u8],
    ) -> Result<(), JustificationError> {
        let justification = justification::decode(bytes)?;
        let commit = &justification.commit;
        if commit.target_hash != hash || commit.target_number != number {
            return Err(JustificationError::TargetMismatch {
                number,
                found_number: commit.target_number,
                found_hash: commit.target_hash,
            });
        }
        let _guard = self.finality_lock.lock();
        if number <= self.chain.finalized().1 {
            return Ok(());
        }
        let header = self
            .chain
            .header(&hash)
            .map_err(JustificationError::Chain)?
            .ok_or(JustificationError::UnknownBlock(number))?;
        if header.number != number {
            return Err(JustificationError::UnknownBlock(number));
        }
        let (set_id, voters, pending, scanned) = {
            let state = self.state.lock();
            (
                state.persisted.set_id,
                state.voters.clone(),
                state.persisted.pending.clone(),
                state.persisted.scanned_to.1,
            )
        };
        let change = authorities::earliest_enactment(&*self.chain, &pending, &header, scanned)
            .map_err(JustificationError::Chain)?;
        if let Some(change_at) = change.filter(|at| *at < number) {
            return Err(JustificationError::SkipsSetChange { target: number, change_at });
        }
        justification::verify(&justification, set_id, &voters)?;
        self.finalize_locked(hash, number, justification.round, bytes.to_vec()).map_err(JustificationError::Chain)
    }

    /// The limit our votes must respect: the block enacting the next set change on `head`'s
    /// chain (the old set finalizes exactly that block, never past it).
    pub fn enactment_limit(&self, head: &Header) -> Result<Option<BlockNumber>, ChainAccessError> {
        let (pending, scanned) = {
            let state = self.state.lock();
            (state.persisted.pending.clone(), state.persisted.scanned_to.1)
        };
        authorities::earliest_enactment(&*self.chain, &pending, head, scanned)
    }

    pub fn enacts_change(&self, header: &Header) -> bool {
        let (pending, scanned) = {
            let state = self.state.lock();
            (state.persisted.pending.clone(), state.persisted.scanned_to.1)
        };
        authorities::enacts_change(&*self.chain, &pending, header, scanned)
    }

    pub fn on_block_imported(&self, header: &Header) {
        if let Some(change) = authorities::scheduled_change(header) {
            info!(
                target: LOG_TARGET,
                "{}: Authority set change scheduled at #{} (delay {}): {} authorities",
                self.name,
                header.number,
                change.delay,
                change.next_authorities.len()
            );
        }
        if authorities::has_forced_change(header) {
            warn!(target: LOG_TARGET, "{}: block #{} forces an authority set change; forced changes are not supported and ignored", self.name, header.number);
        }
        self.release_held();
    }

    /// Blocks that messages held for [`WANT_AFTER`] or longer name and we still lack, above our
    /// finalized block: the highest first, each once, at most `limit`.
    pub fn wanted_blocks(&self, limit: usize) -> Vec<(Hash, BlockNumber)> {
        let finalized = self.chain.finalized().1;
        let mut wanted: Vec<(Hash, BlockNumber)> = {
            let state = self.state.lock();
            let set_id = state.persisted.set_id;
            state
                .held
                .iter()
                .filter(|held| held.set_id == set_id && held.at.elapsed() >= WANT_AFTER)
                .flat_map(|held| held.needs.iter().copied())
                .filter(|(_, number)| *number > finalized)
                .collect()
        };
        wanted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        wanted.dedup();
        let mut unknown = self.unknown_blocks(wanted);
        unknown.truncate(limit);
        unknown
    }

    /// The block on our best chain that enacts the next set change, if it is not final while
    /// our best is [`JUSTIFICATION_AFTER`] blocks past it.
    pub fn wanted_justification(&self) -> Option<(Hash, BlockNumber)> {
        let best = self.chain.best();
        let limit = self.enactment_limit(&best).ok().flatten()?;
        if best.number < limit.saturating_add(JUSTIFICATION_AFTER) || limit <= self.chain.finalized().1 {
            return None;
        }
        let block = authorities::ancestor_at(&*self.chain, &best, limit).ok().flatten()?;
        Some((block.hash(), limit))
    }

    pub fn status(&self) -> GrandpaStatus {
        let state = self.state.lock();
        GrandpaStatus {
            set_id: state.persisted.set_id,
            authorities: state.persisted.authorities.len(),
            round: state.current_round,
            last_finalized: state.last_finalized,
            voting: state.local_id.is_some(),
            held_messages: state.held.len(),
            equivocations: self.equivocations.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// Walks back to block #0 (the genesis) from `header`.
fn ancestor_or_self_at_zero(chain: &dyn FinalityChain, header: Header) -> Result<Header, ChainAccessError> {
    authorities::ancestor_at(chain, &header, 0)?.ok_or_else(|| ChainAccessError::Missing("the genesis header".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_keys_are_refused_and_the_oldest_forgotten_past_the_bound() {
        let key = |n: u32| {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&n.to_le_bytes());
            key
        };
        let mut seen = SeenSet::new(MAX_SEEN);
        for n in 0..MAX_SEEN {
            assert!(seen.note(key(n)), "key {n} is new");
        }
        assert!(!seen.note(key(0)), "a seen key was taken again");
        assert!(!seen.note(key(MAX_SEEN - 1)), "a seen key was taken again");

        // Key 0 was just looked up, so key 1 is now the least recently seen: it goes first.
        assert!(seen.note(key(MAX_SEEN)));
        assert!(seen.note(key(1)), "the oldest key is still remembered past the bound");
        assert!(!seen.note(key(0)), "a recently seen key was forgotten");
        assert!(!seen.note(key(MAX_SEEN)));

        seen.clear();
        assert!(seen.note(key(0)), "a cleared set still remembers");
    }
}
