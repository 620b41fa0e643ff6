//! Recovery from a lost validator set (issue 9, item 9): root abandons the checkpoints the
//! lost set will never sign, and their withdrawals are committed again by the new set.

use alloc::vec::Vec;
use frame_support::{ensure, traits::Get, weights::Weight, BoundedVec};
use ludus_primitives::bridge::Withdrawal;
use sp_runtime::DispatchResult;

use crate::*;

impl<T: Config> Pallet<T> {
    /// The weight of `abandon_checkpoints` at its bounds: per checkpoint, its header, tally,
    /// withdrawals and (on the last) the next tallies read and its mark written; per
    /// withdrawal moved (at most one period's), the re-commit record read and written and a
    /// queue entry written.
    pub fn abandon_checkpoints_weight() -> Weight {
        let checkpoints = MAX_ABANDONED_CHECKPOINTS;
        let withdrawals = u64::from(T::MaxWithdrawalsPerCheckpoint::get());
        T::DbWeight::get().reads_writes(
            checkpoints.saturating_mul(4).saturating_add(withdrawals.saturating_mul(2)).saturating_add(6),
            checkpoints.saturating_add(withdrawals.saturating_mul(3)).saturating_add(4),
        )
    }

    /// Abandons checkpoints `LowestUnsignedCheckpoint..=up_to` and puts their withdrawals
    /// back into the open period (see `abandon_checkpoints`).
    pub(crate) fn do_abandon_checkpoints(up_to: CheckpointNumber) -> DispatchResult {
        let from = LowestUnsignedCheckpoint::<T>::get();
        let latest = LatestCheckpoint::<T>::get();
        ensure!(up_to >= from && up_to <= latest, Error::<T>::UnknownCheckpoint);
        ensure!(up_to.saturating_sub(from) < MAX_ABANDONED_CHECKPOINTS, Error::<T>::TooManyCheckpointsAbandoned);
        let current = CurrentSetId::<T>::get();
        let mut requeued: Vec<Withdrawal> = Vec::new();
        for number in from..=up_to {
            let checkpoint = Checkpoints::<T>::get(number).ok_or(Error::<T>::UnknownCheckpoint)?;
            ensure!(!CheckpointTallies::<T>::get(number).signed, Error::<T>::CheckpointAlreadySigned);
            ensure!(checkpoint.validator_set_id != current, Error::<T>::CheckpointOfCurrentSet);
            if let Some(period) = CheckpointWithdrawals::<T>::get(number) {
                requeued.extend(period.withdrawals);
            }
        }
        let pending = PendingWithdrawals::<T>::get();
        // Withdrawals already put back wait at the front of the open period.
        let waiting =
            pending.iter().take_while(|withdrawal| RecommittedWithdrawals::<T>::get(withdrawal.id) == Some(0)).count();
        let capacity = T::MaxWithdrawalsPerCheckpoint::get() as usize;
        ensure!(requeued.len().saturating_add(waiting) <= capacity, Error::<T>::TooManyRequeuedWithdrawals);
        for withdrawal in &requeued {
            RecommittedWithdrawals::<T>::insert(withdrawal.id, 0);
        }
        let count = requeued.len() as u32;
        // Older than everything new in the period, so they go first; the period stays in id
        // order and the newest withdrawals it cannot hold spill into the front of the queue,
        // whose ids they precede.
        let mut merged = requeued;
        merged.extend(pending);
        merged.sort_by_key(|withdrawal| withdrawal.id);
        let spilled = merged.split_off(capacity.min(merged.len()));
        if !spilled.is_empty() {
            for withdrawal in &spilled {
                QueuedWithdrawals::<T>::insert(withdrawal.id, *withdrawal);
            }
            QueuedWithdrawalCount::<T>::mutate(|queued| *queued = queued.saturating_add(spilled.len() as u64));
        }
        let period: BoundedVec<Withdrawal, T::MaxWithdrawalsPerCheckpoint> =
            merged.try_into().map_err(|_| Error::<T>::TooManyRequeuedWithdrawals)?;
        PendingWithdrawals::<T>::put(period);
        for number in from..=up_to {
            AbandonedCheckpoints::<T>::insert(number, ());
        }
        // Past the abandoned ones and any the new set already signed above them.
        let mut lowest = up_to.saturating_add(1);
        while lowest <= latest && CheckpointTallies::<T>::get(lowest).signed {
            lowest = lowest.saturating_add(1);
        }
        LowestUnsignedCheckpoint::<T>::put(lowest);
        Self::deposit_event(Event::CheckpointsAbandoned { from, to: up_to, requeued: count });
        Ok(())
    }

    /// Whether checkpoint `number` was abandoned.
    pub fn is_abandoned(number: CheckpointNumber) -> bool {
        AbandonedCheckpoints::<T>::contains_key(number)
    }
}
