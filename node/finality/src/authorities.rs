//! Authority-set changes, read from the `ScheduledChange` digests of headers.
//!
//! Which changes are pending is derived from the headers themselves (between the finalized block
//! and the block in question) plus the persisted list of changes signalled in already-finalized
//! blocks; nothing depends on having seen every `on_block_imported` call.

use crate::{error::ChainAccessError, persist::PendingChange, FinalityChain};
use codec::Decode;
use ludus_primitives::{BlockNumber, Header};
use sp_consensus_grandpa::{ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID};
use sp_runtime::{traits::Header as _, DigestItem};

/// How far back `enacts_change` looks for a signal whose delay ends at the given block.
const MAX_CHANGE_DELAY: BlockNumber = 4096;

/// The GRANDPA consensus logs of a header that decode.
fn grandpa_logs(header: &Header) -> impl Iterator<Item = ConsensusLog<BlockNumber>> + '_ {
    header.digest().logs().iter().filter_map(|item| match item {
        DigestItem::Consensus(id, data) if *id == GRANDPA_ENGINE_ID => {
            ConsensusLog::<BlockNumber>::decode(&mut &data[..]).ok()
        }
        _ => None,
    })
}

/// The standard change a header schedules (the first one counts, as in pallet-grandpa).
pub(crate) fn scheduled_change(header: &Header) -> Option<ScheduledChange<BlockNumber>> {
    grandpa_logs(header).find_map(ConsensusLog::try_into_change)
}

/// Whether the header carries a forced change (which we do not support: logged, ignored).
pub(crate) fn has_forced_change(header: &Header) -> bool {
    grandpa_logs(header).any(|log| matches!(log, ConsensusLog::ForcedChange(..)))
}

/// The ancestor of `header` (or `header` itself) at `number`.
pub(crate) fn ancestor_at(
    chain: &dyn FinalityChain,
    header: &Header,
    number: BlockNumber,
) -> Result<Option<Header>, ChainAccessError> {
    let mut current = header.clone();
    while current.number > number {
        match chain.header(&current.parent_hash)? {
            Some(parent) => current = parent,
            None => return Ok(None),
        }
    }
    Ok((current.number == number).then_some(current))
}

/// Changes signalled in blocks after `after` up to and including `to`, lowest first.
pub(crate) fn signals_between(
    chain: &dyn FinalityChain,
    to: &Header,
    after: BlockNumber,
) -> Result<Vec<PendingChange>, ChainAccessError> {
    let mut signals = Vec::new();
    let mut current = to.clone();
    while current.number > after {
        if let Some(change) = scheduled_change(&current) {
            signals.push(PendingChange {
                signal: (current.hash(), current.number),
                effective: current.number.saturating_add(change.delay),
                next_authorities: change.next_authorities,
            });
        }
        if current.number == after + 1 {
            break;
        }
        match chain.header(&current.parent_hash)? {
            Some(parent) => current = parent,
            None => {
                return Err(ChainAccessError::Missing(format!(
                    "header {:?} (parent of #{})",
                    current.parent_hash, current.number
                )))
            }
        }
    }
    signals.reverse();
    Ok(signals)
}

/// The number of the earliest block on `head`'s chain (after `finalized`) that enacts a change,
/// counting changes already signalled in finalized blocks (`pending`).
pub(crate) fn earliest_enactment(
    chain: &dyn FinalityChain,
    pending: &[PendingChange],
    head: &Header,
    finalized: BlockNumber,
) -> Result<Option<BlockNumber>, ChainAccessError> {
    let unfinalized = signals_between(chain, head, finalized)?;
    Ok(pending.iter().chain(unfinalized.iter()).map(|c| c.effective).filter(|e| *e > finalized).min())
}

/// Whether `header` is the block that enacts a standard change (the change block itself when the
/// delay is 0, or the block `delay` after the signal).
pub(crate) fn enacts_change(
    chain: &dyn FinalityChain,
    pending: &[PendingChange],
    header: &Header,
    finalized: BlockNumber,
) -> bool {
    if scheduled_change(header).is_some_and(|c| c.delay == 0) {
        return true;
    }
    if pending.iter().any(|c| c.effective == header.number) {
        return true;
    }
    // Signals in finalized blocks are in `pending`; only unfinalized ancestors need reading.
    let floor = header.number.saturating_sub(MAX_CHANGE_DELAY).max(finalized);
    let mut current = header.clone();
    while current.number > floor {
        let Ok(Some(parent)) = chain.header(&current.parent_hash) else { return false };
        current = parent;
        if scheduled_change(&current).is_some_and(|c| current.number.saturating_add(c.delay) == header.number) {
            return true;
        }
    }
    false
}

