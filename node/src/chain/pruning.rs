//! Fork pruning: blocks of abandoned forks are deleted once finality has moved far
//! enough past them.

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;

use crate::chain::Chain;

/// How far behind finality abandoned forks are deleted: far enough that no import that
/// began before finality moved can still be executing on one of their states.
pub const PRUNE_FORKS_BEHIND: u32 = 32;

/// Deletes blocks of abandoned forks after each finality step; returns only when the
/// chain's finality channel closes. A failed pass is logged and retried after the next
/// finality step (each pruned block is its own commit, so nothing is half done).
pub async fn run(chain: Arc<Chain>) {
    let mut finalized = chain.subscribe_finalized();
    loop {
        match finalized.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
        let up_to = chain.info().finalized_number.saturating_sub(PRUNE_FORKS_BEHIND);
        let pruning = chain.clone();
        match tokio::task::spawn_blocking(move || pruning.database().prune_forks(up_to)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(target: "storage", "pruning abandoned forks failed: {error}"),
            Err(error) => tracing::warn!(target: "storage", "pruning abandoned forks did not finish: {error}"),
        }
    }
}
