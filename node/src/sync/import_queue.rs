//! The import queue: one thread that imports batches of blocks from peers in order, so
//! the engine keeps answering peers while a batch executes.
//!
//! Jobs come in on a channel; each is reported back when done (how many blocks were new,
//! and why it stopped early, with whether that is the sender's fault).

use std::sync::Arc;

use codec::Encode;
use ludus_finality::Grandpa;
use ludus_network::PeerId;
use ludus_primitives::{now_ms, short, Block, Hash};
use sp_runtime::traits::Header as HeaderT;
use tokio::sync::mpsc;

use super::{messages::BlockData, shared::SyncShared};
use crate::{
    adapters::txpool::NodePool,
    chain::Chain,
    consensus::import::{BlockImporter, ImportError, ImportOutcome},
};

/// Where a batch of blocks came from, so the outcome can be credited or blamed.
#[derive(Debug, Clone)]
pub struct Origin<Id> {
    /// The peer that sent the blocks.
    pub peer: PeerId,
    /// The gossip message to accept or reject once imported, and the block it announced
    /// (announcements).
    pub gossip: Option<(Id, Hash)>,
}

/// A batch of consecutive blocks to import in order.
#[derive(Debug)]
pub struct ImportJob<Id> {
    /// The blocks, lowest first.
    pub blocks: Vec<BlockData>,
    /// Who sent them.
    pub origin: Origin<Id>,
}

/// What the import thread did with a batch.
#[derive(Debug)]
pub struct ImportReport<Id> {
    /// Who sent the batch.
    pub origin: Origin<Id>,
    /// Blocks that were new to us.
    pub imported: usize,
    /// Why the batch stopped early, and whether it is the sender's fault.
    pub failure: Option<(String, bool)>,
}

/// The import thread's work. Its owner runs [`ImportWorker::run`] on a thread of its own
/// with [`crate::executor::RUNTIME_THREAD_STACK_BYTES`] of stack (the node, as an essential
/// thread: a dead import thread would leave sync waiting forever).
pub struct ImportWorker<Id> {
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    jobs: mpsc::UnboundedReceiver<ImportJob<Id>>,
    report: Box<dyn FnMut(ImportReport<Id>) -> bool + Send>,
}

impl<Id> ImportWorker<Id> {
    /// Imports jobs until the sender is dropped or the report callback returns false.
    pub fn run(self) {
        import_worker(self.chain, self.pool, self.grandpa, self.shared, self.jobs, self.report)
    }
}

/// The import queue over `chain`: the sender of jobs, and the worker that imports them and
/// reports each through `report`.
pub fn new<Id>(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    report: impl FnMut(ImportReport<Id>) -> bool + Send + 'static,
) -> (mpsc::UnboundedSender<ImportJob<Id>>, ImportWorker<Id>) {
    let (jobs_tx, jobs) = mpsc::unbounded_channel();
    (jobs_tx, ImportWorker { chain, pool, grandpa, shared, jobs, report: Box::new(report) })
}

/// Verifies in one batch the signatures of `block`'s extrinsics that this node's pool does
/// not hold (those it holds were verified when they entered it), so executing the block
/// finds them verified.
fn preverify(chain: &Chain, pool: &NodePool, block: &Block) {
    let unpooled: Vec<Vec<u8>> =
        block.extrinsics.iter().map(Encode::encode).filter(|xt| !pool.contains(&ludus_txpool::tx_hash(xt))).collect();
    // One signature gains nothing from a batch; the inherents are unsigned.
    if unpooled.len() < 3 {
        return;
    }
    if let Err(error) = chain.preverify_signatures(*block.header.parent_hash(), unpooled.iter().map(Vec::as_slice)) {
        tracing::debug!(target: "sync", "batch signature check skipped: {error}");
    }
}

/// Whether an import error proves the sender wrong (an honest node never sends such a
/// block), as opposed to a race or a difference of clocks or versions.
pub fn is_peer_fault(error: &ImportError) -> bool {
    match error {
        ImportError::Seal(_)
        | ImportError::BadNumber { .. }
        | ImportError::SlotNotIncreasing { .. }
        | ImportError::ExtrinsicsRoot { .. }
        | ImportError::Inherents(_)
        | ImportError::StateRoot { .. }
        | ImportError::MalformedExtrinsic { .. }
        | ImportError::WrongSpecVersion { .. }
        | ImportError::Execution(_) => true,
        // An honest author may have built on a fork that lost the finality race meanwhile.
        ImportError::NotOnFinalizedChain { .. }
        | ImportError::UnknownParent(_)
        | ImportError::BelowFinalized { .. }
        | ImportError::UnsupportedSpecVersion { .. }
        | ImportError::SlotInFuture { .. }
        | ImportError::NoAuthorities
        | ImportError::Chain(_) => false,
    }
}

/// Imports batches in order on a thread of its own; reports each batch back.
fn import_worker<Id>(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    mut jobs: mpsc::UnboundedReceiver<ImportJob<Id>>,
    mut report: impl FnMut(ImportReport<Id>) -> bool,
) {
    let importer = BlockImporter::new(chain.clone());
    while let Some(ImportJob { blocks, origin }) = jobs.blocking_recv() {
        let mut imported = 0;
        let mut failure = None;
        for data in blocks {
            let (hash, number) = (data.header.hash(), *data.header.number());
            let block = Block { header: data.header, extrinsics: data.body };
            if chain.header(*block.header.parent_hash()).ok().flatten().is_some() {
                preverify(&chain, &pool, &block);
            }
            match importer.import(block, None, now_ms()) {
                Ok(ImportOutcome::Imported { .. }) => imported += 1,
                Ok(ImportOutcome::AlreadyInChain(_)) => {}
                Err(error) => {
                    failure = Some((
                        format!("sent block #{number} ({}) that failed import: {error}", short(&hash)),
                        is_peer_fault(&error),
                    ));
                    break;
                }
            }
            if let (Some(grandpa), Some(justification)) = (&grandpa, data.justification) {
                if number > chain.info().finalized_number {
                    if let Err(error) = grandpa.import_justification(hash, number, &justification) {
                        // Our own database failing, a block we lack, or a justification we
                        // cannot check yet (it is past a set change we have not crossed) is
                        // not the sender's fault.
                        // The block itself is fine: keep importing, finality comes later.
                        let fault = !matches!(
                            error,
                            ludus_finality::JustificationError::UnknownBlock(_)
                                | ludus_finality::JustificationError::Chain(_)
                                | ludus_finality::JustificationError::SkipsSetChange { .. }
                        );
                        if fault {
                            failure = Some((format!("sent a bad justification for #{number}: {error}"), true));
                            break;
                        }
                        tracing::debug!(target: "sync", "justification for #{number} not used yet: {error}");
                    }
                }
            }
        }
        shared.import_done();
        if !report(ImportReport { origin, imported, failure }) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use ludus_primitives::Hash;

    use super::*;

    #[test]
    fn import_errors_blame_the_sender_only_for_what_an_honest_node_never_sends() {
        assert!(is_peer_fault(&ImportError::StateRoot { header: Hash::zero(), computed: Hash::repeat_byte(1) }));
        assert!(is_peer_fault(&ImportError::Seal(crate::consensus::SealError::MissingSeal)));
        assert!(!is_peer_fault(&ImportError::UnknownParent(Hash::zero())));
        assert!(!is_peer_fault(&ImportError::SlotInFuture { slot: 10, now: 1 }));
        assert!(!is_peer_fault(&ImportError::UnsupportedSpecVersion {
            number: 7,
            spec_version: 2,
            carried: "1".into()
        }));
        assert!(is_peer_fault(&ImportError::WrongSpecVersion { found: Some(2), expected: 1 }));
    }
}
