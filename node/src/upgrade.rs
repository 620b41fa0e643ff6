//! Runtime upgrades scheduled on chain, as this node sees them (DESIGN.md, decision 1).
//!
//! Governance schedules the next runtime's height (`pallet-runtime-upgrade`), and
//! [`crate::chain::Chain::runtime_at`] switches to it there. A release that carries the new
//! runtime just follows; this module is for the release that does not. It warns from the
//! moment the schedule is in the best chain, naming the runtime to install and the height, and
//! stops the node when the chain reaches the block before that height, rather than sitting
//! there refusing every block after it. [`check`] refuses to start a release that cannot run
//! the chain where it is; [`watch`] (the essential task `upgrade`) does the rest.

use std::sync::Arc;

use ludus_primitives::{short, spec_version_of, BlockNumber, ScheduledUpgrade};
use sp_runtime::traits::Header as _;
use tokio::sync::broadcast::error::RecvError;

use crate::chain::{Chain, ChainError};

/// New best blocks between two warnings that the scheduled runtime is missing.
const WARN_EVERY: BlockNumber = 5;

/// Why the node must stop.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    /// The chain needs a runtime this release does not carry.
    #[error(
        "the chain runs runtime {spec_version} from block #{from} on, and this release carries only {carried}: \
         install a ludus-node release that carries runtime {spec_version} and start it on the same --base-path \
         (the database is kept). The node stopped at #{best} ({best_hash})"
    )]
    NotCarried {
        /// The runtime the chain needs next.
        spec_version: u32,
        /// The first block it executes.
        from: BlockNumber,
        /// The runtimes this release carries.
        carried: String,
        /// The best block, the last this release can have.
        best: BlockNumber,
        /// Its hash, short.
        best_hash: String,
    },
    /// Reading the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// Refuses a release that cannot execute the block after the best one, once the chain is
/// committed to that: the best block already names the runtime, or the finalized state holds
/// the upgrade that does (a schedule only in unfinalized blocks may still be forked away).
pub fn check(chain: &Chain) -> Result<(), UpgradeError> {
    let info = chain.info();
    let spec_version = chain.runtime_at(info.best_hash)?;
    let runtimes = chain.executor().runtimes();
    if runtimes.carries(spec_version) {
        return Ok(());
    }
    let settled = chain.runtime_at(info.finalized_hash)? == spec_version
        || chain.scheduled_upgrade(info.finalized_hash)?.is_some_and(|upgrade| upgrade.spec_version == spec_version);
    if !settled {
        return Ok(());
    }
    let from = match chain.scheduled_upgrade(info.best_hash)? {
        Some(upgrade) if upgrade.spec_version == spec_version => upgrade.at,
        // The best block is already the new runtime's (an old release restarted after the
        // switch): it ran from there at the latest.
        _ => info.best_number,
    };
    Err(UpgradeError::NotCarried {
        spec_version,
        from,
        carried: runtimes.describe(),
        best: info.best_number,
        best_hash: short(&info.best_hash),
    })
}

/// Follows the best and finalized chain: logs upgrades as they are scheduled and applied,
/// warns while a scheduled runtime is missing, and returns [`UpgradeError::NotCarried`] (which
/// stops the node) as soon as [`check`] does.
pub async fn watch(chain: Arc<Chain>) -> Result<(), UpgradeError> {
    let mut best = chain.subscribe_best();
    let mut finalized = chain.subscribe_finalized();
    let mut notes = Notes::default();
    loop {
        tokio::select! {
            header = best.recv() => match header {
                Ok(header) => notes.best(&chain, &header)?,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            header = finalized.recv() => match header {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
        }
        check(&chain)?;
    }
}

/// What [`watch`] has said, so that it says each thing once (or every [`WARN_EVERY`] blocks).
#[derive(Default)]
struct Notes {
    /// The schedule last noted, and the best block number of the last warning about it.
    schedule: Option<(ScheduledUpgrade, BlockNumber)>,
    /// The runtime of the last best block.
    running: Option<u32>,
}

impl Notes {
    fn best(&mut self, chain: &Chain, header: &ludus_primitives::Header) -> Result<(), ChainError> {
        let number = *header.number();
        let running = spec_version_of(header);
        if running.is_some() && self.running.is_some() && running != self.running {
            tracing::info!(target: "upgrade", "Runtime {} executes blocks from #{number} on", running.unwrap_or_default());
        }
        self.running = running;
        let Some(upgrade) = chain.scheduled_upgrade(header.hash())? else {
            if let Some((gone, _)) = self.schedule.take() {
                if running != Some(gone.spec_version) {
                    tracing::info!(
                        target: "upgrade",
                        "The upgrade to runtime {} at #{} is off: governance cancelled it, or too few validators \
                         announced that they carry it",
                        gone.spec_version,
                        gone.at,
                    );
                }
            }
            return Ok(());
        };
        let runtimes = chain.executor().runtimes();
        let left = upgrade.at.saturating_sub(number);
        match self.schedule {
            Some((noted, warned))
                if noted == upgrade && (runtimes.carries(upgrade.spec_version) || number < warned + WARN_EVERY) => {}
            _ if runtimes.carries(upgrade.spec_version) => {
                tracing::info!(
                    target: "upgrade",
                    "Runtime upgrade scheduled: runtime {} from block #{} ({left} blocks from now); this release carries it",
                    upgrade.spec_version,
                    upgrade.at,
                );
                self.schedule = Some((upgrade, number));
            }
            _ => {
                tracing::warn!(
                    target: "upgrade",
                    "Runtime upgrade scheduled: runtime {} from block #{} ({left} blocks from now), and this release \
                     carries only {}. Install a ludus-node release that carries runtime {} and restart on the same \
                     --base-path before then; if the upgrade goes ahead, this node stops at #{}",
                    upgrade.spec_version,
                    upgrade.at,
                    runtimes.describe(),
                    upgrade.spec_version,
                    upgrade.at.saturating_sub(1),
                );
                self.schedule = Some((upgrade, number));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use ludus_primitives::{now_ms, spec_version_digest, Block};
    use ludus_runtime::RuntimeCall;
    use sp_consensus_aura::sr25519::AuthorityId;
    use sp_core::Pair;
    use sp_keystore::KeystorePtr;
    use sp_runtime::traits::Header as _;

    use super::*;
    use crate::{
        consensus::{
            self,
            authoring::{build_block, seal_block, Candidate},
            import::{BlockImporter, ImportError},
        },
        executor::Runtimes,
        test_utils::{dev_chain_carrying, pair, sign},
    };

    const CURRENT: u32 = ludus_runtime::SPEC_VERSION;
    const NEXT: u32 = CURRENT + 1;
    /// The height the tests schedule the next runtime for (the runtime's notice is 10 blocks).
    const AT: u32 = 12;

    struct Node {
        _dir: tempfile::TempDir,
        chain: Arc<Chain>,
        keystore: KeystorePtr,
    }

    fn node(runtimes: Runtimes) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let spec = ludus_chain_spec::ChainSpec::dev().unwrap();
        let (chain, keystore) = dev_chain_carrying(dir.path(), &spec, runtimes);
        Node { _dir: dir, chain, keystore }
    }

    /// Builds and seals block `number` on `node`'s best in slot `first_slot + number`.
    fn author(node: &Node, first_slot: u64, txs: Vec<Vec<u8>>) -> Block {
        let parent = node.chain.expect_header(node.chain.info().best_hash).unwrap();
        let slot = (first_slot + u64::from(*parent.number()) + 1).into();
        let candidates =
            txs.into_iter().map(|bytes| Candidate { hash: ludus_txpool::tx_hash(&bytes), bytes: Arc::new(bytes) });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut built = build_block(&node.chain, &parent, slot, 1_000 * u64::from(slot), candidates, deadline).unwrap();
        seal_block(&node.keystore, &AuthorityId::from(pair("//Alice").public()), &mut built.block).unwrap();
        built.block
    }

    fn import(node: &Node, block: Block) -> Result<(), ImportError> {
        BlockImporter::new(node.chain.clone()).import(block, None, now_ms()).map(|_| ())
    }

    /// `block` announcing runtime `spec_version` instead, resealed by its author.
    fn announcing(node: &Node, mut block: Block, spec_version: u32) -> Block {
        block.header.digest_mut().pop();
        let logs = &mut block.header.digest_mut().logs;
        let at = logs
            .iter()
            .position(|item| item.pre_runtime_try_to::<u32>(&ludus_primitives::SPEC_VERSION_ENGINE_ID).is_some())
            .unwrap();
        logs[at] = spec_version_digest(spec_version);
        seal_block(&node.keystore, &AuthorityId::from(pair("//Alice").public()), &mut block).unwrap();
        block
    }

    #[test]
    fn the_runtime_switches_at_the_scheduled_height_and_a_release_without_it_stops_before() {
        let author_node = node(Runtimes::current_and_next());
        let follower = node(Runtimes::current_and_next());
        let old = node(Runtimes::default());
        let genesis = author_node.chain.genesis_hash();
        let first_slot = u64::from(consensus::slot_at(now_ms(), 1_000)) - 40;

        // Block 1: governance schedules the next runtime for block AT.
        let schedule =
            RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::schedule { spec_version: NEXT, at: AT });
        let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(schedule) });
        let mut blocks = Vec::new();
        for number in 1..=AT + 1 {
            let txs = if number == 1 { vec![sign(sudo.clone(), &pair("//Alice"), 0, genesis)] } else { Vec::new() };
            let block = author(&author_node, first_slot, txs);
            import(&author_node, block.clone()).unwrap();
            blocks.push(block);
        }
        let hash = |number: u32| blocks[number as usize - 1].header.hash();
        assert_eq!(
            author_node.chain.scheduled_upgrade(hash(1)).unwrap(),
            Some(ScheduledUpgrade { spec_version: NEXT, at: AT })
        );
        for block in &blocks {
            let expected = if *block.header.number() < AT { CURRENT } else { NEXT };
            assert_eq!(spec_version_of(&block.header), Some(expected), "block #{}", block.header.number());
        }
        assert_eq!(author_node.chain.runtime_at(hash(AT - 2)).unwrap(), CURRENT);
        assert_eq!(author_node.chain.runtime_at(hash(AT - 1)).unwrap(), NEXT, "the runtime at a block runs its child");
        assert_eq!(author_node.chain.runtime_version(hash(AT)).unwrap().spec_version, NEXT);
        assert_eq!(author_node.chain.scheduled_upgrade(hash(AT)).unwrap(), None, "applied and cleared");

        // A node carrying both follows across the switch; it refuses a block that announces
        // the old runtime at the height, or the new one before it.
        for block in &blocks[..AT as usize - 2] {
            import(&follower, block.clone()).unwrap();
        }
        let early = announcing(&author_node, blocks[AT as usize - 2].clone(), NEXT);
        let error = import(&follower, early).unwrap_err();
        assert!(matches!(error, ImportError::WrongSpecVersion { found: Some(NEXT), expected: CURRENT }), "{error}");
        import(&follower, blocks[AT as usize - 2].clone()).unwrap();
        let stale = announcing(&author_node, blocks[AT as usize - 1].clone(), CURRENT);
        let error = import(&follower, stale).unwrap_err();
        assert!(matches!(error, ImportError::WrongSpecVersion { found: Some(CURRENT), expected: NEXT }), "{error}");
        for block in &blocks[AT as usize - 1..] {
            import(&follower, block.clone()).unwrap();
        }
        assert_eq!(follower.chain.info().best_hash, hash(AT + 1));
        check(&follower.chain).unwrap();

        // A release without the next runtime imports up to the block before the height, and
        // no further.
        for block in &blocks[..AT as usize - 1] {
            import(&old, block.clone()).unwrap();
        }
        let error = import(&old, blocks[AT as usize - 1].clone()).unwrap_err();
        assert!(
            matches!(&error, ImportError::UnsupportedSpecVersion { number: AT, spec_version: NEXT, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("install a ludus-node release that carries runtime 101"), "{error}");
        // Nor can it author there: the runtime at its best is one it lacks.
        let parent = old.chain.expect_header(hash(AT - 1)).unwrap();
        let slot = (first_slot + u64::from(AT)).into();
        assert!(build_block(
            &old.chain,
            &parent,
            slot,
            1_000 * u64::from(slot),
            [],
            Instant::now() + Duration::from_secs(5)
        )
        .is_err());
        // While the schedule is only in unfinalized blocks, a fork may still drop it: the node
        // runs on. Once it is final, the node must stop, and says what to install.
        check(&old.chain).unwrap();
        old.chain.finalize(hash(1), None).unwrap();
        let error = check(&old.chain).unwrap_err();
        assert!(
            matches!(&error, UpgradeError::NotCarried { spec_version: NEXT, from: AT, best, .. } if *best == AT - 1),
            "{error}"
        );
        assert!(error.to_string().contains("install a ludus-node release that carries runtime 101"), "{error}");
    }

    #[test]
    fn an_upgrade_no_validator_carries_is_dropped_before_its_height_and_the_chain_runs_on() {
        // The only validator's release lacks the runtime governance scheduled.
        let old = node(Runtimes::default());
        let genesis = old.chain.genesis_hash();
        let first_slot = u64::from(consensus::slot_at(now_ms(), 1_000)) - 40;
        let schedule =
            RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::schedule { spec_version: NEXT, at: AT });
        let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(schedule) });
        for number in 1..=AT + 1 {
            let txs = if number == 1 { vec![sign(sudo.clone(), &pair("//Alice"), 0, genesis)] } else { Vec::new() };
            let block = author(&old, first_slot, txs);
            assert_eq!(spec_version_of(&block.header), Some(CURRENT), "block #{number}");
            import(&old, block).unwrap();
            old.chain.finalize(old.chain.info().best_hash, None).unwrap();
            check(&old.chain).unwrap();
        }
        let hash = |number| old.chain.hash(number).unwrap().unwrap();
        assert!(old.chain.scheduled_upgrade(hash(AT - 2)).unwrap().is_some());
        assert_eq!(old.chain.scheduled_upgrade(hash(AT - 1)).unwrap(), None, "the block before the height drops it");
    }

    #[test]
    fn a_cancelled_upgrade_keeps_the_current_runtime() {
        let author_node = node(Runtimes::current_and_next());
        let old = node(Runtimes::default());
        let genesis = author_node.chain.genesis_hash();
        let first_slot = u64::from(consensus::slot_at(now_ms(), 1_000)) - 40;
        let sudo = |call| RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) });
        let schedule =
            sudo(RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::schedule { spec_version: NEXT, at: AT }));
        let cancel = sudo(RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::cancel {}));
        for number in 1..=AT + 1 {
            let txs = match number {
                1 => vec![sign(schedule.clone(), &pair("//Alice"), 0, genesis)],
                // The last block before the height takes it back.
                n if n == AT - 1 => vec![sign(cancel.clone(), &pair("//Alice"), 1, genesis)],
                _ => Vec::new(),
            };
            let block = author(&author_node, first_slot, txs);
            assert_eq!(spec_version_of(&block.header), Some(CURRENT), "block #{number}");
            import(&author_node, block.clone()).unwrap();
            import(&old, block).unwrap();
            old.chain.finalize(old.chain.info().best_hash, None).unwrap();
            check(&old.chain).unwrap();
        }
    }
}
