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
            self.schedule = None;
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
                     --base-path before then; this node stops at #{}",
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
