//! The slot worker: the validator's authoring task.
//!
//! It wakes at every slot boundary; when the node is not catching up with its peers and
//! one of our Aura keys is the slot's author, it builds, seals and writes a block on the
//! best block ([`authoring::author_slot`]) on a thread of its own, then hands the block to
//! block propagation. It knows propagation only through [`BlockPropagation`], so authoring
//! does not depend on how sync or the network work.

use std::{future::Future, sync::Arc, time::Duration};

use ludus_primitives::{now_ms, short, Block};
use sp_consensus_aura::Slot;
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Header as HeaderT;

use crate::{
    adapters::txpool::NodePool,
    chain::{Chain, ChainError},
    consensus,
    consensus::authoring::{self, Candidate},
    metrics::Metrics,
};

/// What the slot worker needs from block propagation.
pub trait BlockPropagation: Send + Sync + 'static {
    /// Whether the node is far enough behind its peers that a block built now would only
    /// fork the chain.
    fn is_major_syncing(&self) -> bool;

    /// Resolves once no received block is being imported, or after `timeout`: building
    /// while the previous slot's block still imports would fork off its parent.
    fn imports_settled(&self, timeout: Duration) -> impl Future<Output = ()> + Send;

    /// Publishes a block we authored, and the GRANDPA commit that finalized it when we
    /// are the sole finality authority.
    fn announce(&self, block: &Block, finality_gossip: Option<Vec<u8>>);
}

/// Wakes at each slot boundary and authors a block when the slot is ours. Returns only if
/// the slot duration cannot be read (the service then stops the node: a validator that
/// cannot author must not run on silently).
pub async fn run<P: BlockPropagation>(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    keystore: KeystorePtr,
    metrics: Option<Arc<Metrics>>,
    propagation: Arc<P>,
) -> Result<(), ChainError> {
    let slot_duration = Duration::from_millis(chain.slot_duration(chain.info().best_hash)?.as_millis());
    tracing::info!(target: "authoring", "Authoring in {}ms slots", slot_duration.as_millis());
    let duration_ms = slot_duration.as_millis() as u64;
    loop {
        let now = now_ms();
        let next = (now / duration_ms + 1) * duration_ms;
        tokio::time::sleep(Duration::from_millis(next - now)).await;
        let slot: Slot = consensus::slot_at(now_ms(), duration_ms);
        if propagation.is_major_syncing() {
            tracing::debug!(target: "authoring", "slot {}: syncing, not authoring", *slot);
            continue;
        }
        // A big block on a busy machine may still be importing: give it up to a third of the slot.
        propagation.imports_settled(slot_duration / 3).await;
        author(&chain, &pool, &keystore, metrics.as_ref(), &*propagation, slot, slot_duration).await;
    }
}

/// Why the authoring thread gave no result.
#[derive(Debug, thiserror::Error)]
pub enum AuthorThreadError {
    /// The thread could not start.
    #[error("cannot start the authoring thread: {0}")]
    Spawn(std::io::Error),
    /// The work panicked.
    #[error("the authoring thread panicked")]
    Panicked,
}

/// Runs `work` on a thread of its own and awaits its result, so a slot's block is never
/// queued behind other blocking work: RPC calls share tokio's blocking pool and a flood of
/// them could fill it.
pub async fn on_author_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AuthorThreadError> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("ludus-author".into())
        .stack_size(crate::executor::RUNTIME_THREAD_STACK_BYTES)
        .spawn(move || {
            let _ = done.send(work());
        })
        .map_err(AuthorThreadError::Spawn)?;
    result.await.map_err(|_| AuthorThreadError::Panicked)
}

/// Authors in `slot` if it is ours, and logs the outcome.
async fn author<P: BlockPropagation>(
    chain: &Arc<Chain>,
    pool: &Arc<NodePool>,
    keystore: &KeystorePtr,
    metrics: Option<&Arc<Metrics>>,
    propagation: &P,
    slot: Slot,
    slot_duration: Duration,
) {
    let (chain, pool, keystore, metrics) = (chain.clone(), pool.clone(), keystore.clone(), metrics.cloned());
    let outcome = on_author_thread(move || {
        let candidates = pool.ready().into_iter().map(|tx| Candidate { hash: tx.hash, bytes: tx.data });
        let started = std::time::Instant::now();
        let result = authoring::author_slot(&chain, &keystore, slot, slot_duration, candidates);
        if let Ok(Some((_, built, _))) = &result {
            // Only slots where we built a block count; skipped slots would drag the histogram to zero.
            if let Some(metrics) = &metrics {
                metrics.block_authored(started.elapsed());
            }
            pool.report_invalid(&built.invalid);
        }
        result
    })
    .await;
    match outcome {
        Ok(Ok(Some((block, built, finality)))) => {
            propagation.announce(&block, finality.map(|finality| finality.gossip));
            tracing::info!(
                target: "authoring",
                "Authored #{} ({}) in slot {} with {} txs",
                block.header.number(),
                short(&block.header.hash()),
                *slot,
                built.included.len(),
            )
        }
        Ok(Ok(None)) => {}
        Ok(Err(error)) => tracing::warn!(target: "authoring", "slot {}: authoring failed: {error}", *slot),
        Err(error) => tracing::error!(target: "authoring", "slot {}: authoring task failed: {error}", *slot),
    }
}
