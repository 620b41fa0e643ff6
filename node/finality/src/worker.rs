//! The future that drives finality: one voter (or observer) per authority set, replaced when a
//! set change is enacted, plus the periodic re-broadcast of our votes.

use crate::{
    environment::{ChainRef, Env, OutgoingCommits},
    error::VoterError,
    shared::{GlobalIn, Shared, LOG_TARGET},
    wire::{Commit, CompactCommit},
};
use finality_grandpa::{voter::Voter, voter_set::VoterSet};
use futures::{channel::mpsc::UnboundedReceiver, future::poll_fn, prelude::*};
use sp_consensus_grandpa::{AuthorityId, RoundNumber, SetId};
use std::{pin::Pin, sync::Arc, task::Poll, time::Duration};
use tracing::{debug, info, warn};

/// How long a failed voter waits before it restarts from its persisted state.
const RESTART_DELAY: Duration = Duration::from_secs(1);

type Work = Pin<Box<dyn Future<Output = Result<(), VoterError>> + Send>>;

fn short_key(id: &AuthorityId) -> String {
    let s = id.to_string();
    s.chars().take(8).collect::<String>() + "…"
}

/// Runs forever (until the node drops it).
pub(crate) async fn run(shared: Arc<Shared>, mut set_change_rx: UnboundedReceiver<()>) {
    // Votes are re-sent about every 2 s with the default 333 ms gossip duration.
    let rebroadcast_every = (shared.gossip_duration * 6).clamp(Duration::from_millis(300), Duration::from_secs(2));
    loop {
        // Signals of changes already applied to the state we are about to read.
        while set_change_rx.try_recv().is_ok() {}
        let mut work = start_set(&shared);
        let mut tick = futures_timer::Delay::new(rebroadcast_every);
        let outcome = poll_fn(|cx| {
            if let Poll::Ready(result) = work.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            if let Poll::Ready(signal) = set_change_rx.poll_next_unpin(cx) {
                // `None` cannot happen while `shared` (holding the sender) lives.
                let _ = signal;
                return Poll::Ready(Err(VoterError::SetChanged));
            }
            while tick.poll_unpin(cx).is_ready() {
                shared.rebroadcast();
                tick.reset(rebroadcast_every);
            }
            Poll::Pending
        })
        .await;
        match outcome {
            Err(VoterError::SetChanged) => continue,
            Err(e) => {
                warn!(target: LOG_TARGET, "{}: GRANDPA voter stopped: {e}; restarting it from its saved state", shared.name)
            }
            Ok(()) => debug!(target: LOG_TARGET, "{}: GRANDPA voter ended; restarting it", shared.name),
        }
        futures_timer::Delay::new(RESTART_DELAY).await;
    }
}

/// Builds the voter (or observer) of the current set and wires it to the shared state.
fn start_set(shared: &Arc<Shared>) -> Work {
    let mut state = shared.state.lock();
    let set_id = state.persisted.set_id;
    let voters = state.voters.clone();
    match state.local_id.clone() {
        Some(local_id) => {
            info!(target: LOG_TARGET, "{}: Voting as {} in set {set_id}", shared.name, short_key(&local_id));
            let (global_tx, global_rx) = futures::channel::mpsc::unbounded();
            state.global_tx = Some(global_tx);
            state.commit_tx = None;
            let (number, votes, base) = match state.persisted.last_completed.clone() {
                Some(completed) => (completed.number, completed.votes, completed.base),
                None => (0, Vec::new(), state.persisted.set_start),
            };
            drop(state);
            let env = Arc::new(Env { shared: shared.clone(), set_id, local_id: Some(local_id) });
            let global_in = global_rx.map(Ok as fn(GlobalIn) -> Result<GlobalIn, VoterError>);
            let global_out = OutgoingCommits { shared: shared.clone(), set_id };
            let last_finalized = shared.chain.finalized();
            let voter =
                Voter::new(env, (*voters).clone(), (global_in, global_out), number, votes, base, last_finalized);
            Box::pin(voter)
        }
        None => {
            info!(target: LOG_TARGET, "{}: Observing set {set_id} (not a voter)", shared.name);
            let (commit_tx, commit_rx) = futures::channel::mpsc::unbounded();
            state.commit_tx = Some(commit_tx);
            state.global_tx = None;
            drop(state);
            Box::pin(observe(shared.clone(), set_id, voters, commit_rx))
        }
    }
}

/// Follows the set's commits without voting: validates each and finalizes its target.
async fn observe(
    shared: Arc<Shared>,
    set_id: SetId,
    voters: Arc<VoterSet<AuthorityId>>,
    mut commits: UnboundedReceiver<(RoundNumber, CompactCommit)>,
) -> Result<(), VoterError> {
    while let Some((round, commit)) = commits.next().await {
        let commit: Commit = commit.into();
        if commit.target_number <= shared.chain.finalized().1 {
            continue;
        }
        // The old set may not finalize past the block enacting the next one.
        if let Ok(Some(header)) = shared.chain.header(&commit.target_hash) {
            if let Ok(Some(limit)) = shared.enactment_limit(&header) {
                if limit < commit.target_number {
                    debug!(target: LOG_TARGET, "{}: commit of set {set_id} past its last block #{limit} ignored", shared.name);
                    continue;
                }
            }
        }
        match finality_grandpa::validate_commit(&commit, &voters, &ChainRef(&*shared.chain)) {
            Ok(result) if result.is_valid() => shared
                .finalize_commit(round, commit)
                .map_err(|e| VoterError::Finality(crate::error::FinalityError::Chain(e)))?,
            _ => {
                debug!(target: LOG_TARGET, "{}: invalid commit for round {round} of set {set_id} ignored", shared.name)
            }
        }
    }
    Ok(())
}
