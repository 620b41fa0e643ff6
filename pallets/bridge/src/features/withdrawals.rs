//! Withdrawals: burn on the sidechain, a leaf in the open checkpoint period, or in the queue
//! behind it when the period is full. The leaf names the fee the Vault pays whoever claims
//! the withdrawal on the L1; refunds of failed deposits name none.

use frame_support::{
    ensure,
    traits::{
        fungibles::Mutate,
        tokens::{Fortitude, Precision, Preservation},
        Get,
    },
    weights::Weight,
};
use ludus_primitives::bridge::Withdrawal;
use sp_runtime::DispatchResult;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Burns `amount` of `asset` from `who` and records the withdrawal to `l1_recipient`,
    /// `fee` of it for whoever claims it on the L1.
    pub(crate) fn do_withdraw(
        who: T::AccountId,
        asset: AssetIdOf<T>,
        amount: u128,
        l1_recipient: L1Address,
        fee: u128,
    ) -> DispatchResult {
        ensure!(!Paused::<T>::get().withdrawals, Error::<T>::WithdrawalsPaused);
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        // The Vault pays the fee out of the amount; it refuses a larger one, which would
        // leave the withdrawal burnt here and unpayable there.
        ensure!(fee <= amount, Error::<T>::FeeAboveAmount);
        // The L1 would pay the zero address, i.e. burn the tokens for good.
        ensure!(l1_recipient != [0u8; 20], Error::<T>::ZeroRecipient);
        let token = AssetTokens::<T>::get(&asset).ok_or(Error::<T>::UnknownAsset)?;
        let mut info = Tokens::<T>::get(token).ok_or(Error::<T>::UnknownToken)?;
        // Every withdrawal is a leaf and a claim on the L1: dust would fill periods for the
        // price of a sidechain fee and cost the L1 more to claim than it pays.
        ensure!(amount >= info.min_withdrawal, Error::<T>::BelowMinimumWithdrawal);
        // The burn below needs `amount` on the sidechain, and the supply never exceeds what is
        // outstanding (`do_try_state`), so this refuses nothing an honest ledger allows.
        info.outstanding = info.outstanding.checked_sub(amount).ok_or(Error::<T>::LedgerOverflow)?;
        // Exact and expendable: the user gets what they asked for or nothing, and may empty
        // their account.
        T::Assets::burn_from(
            asset.clone(),
            &who,
            amount,
            Preservation::Expendable,
            Precision::Exact,
            Fortitude::Polite,
        )?;
        let id = Self::enqueue_withdrawal_with_fee(token, l1_recipient, amount, fee)?;
        Tokens::<T>::insert(token, info);
        Self::deposit_event(Event::Withdrawn { id, who, asset, token, amount, l1_recipient, fee });
        Ok(())
    }

    /// [`Self::enqueue_withdrawal_with_fee`] with no fee: the withdrawal the pallet itself
    /// makes to refund a deposit it cannot mint. Its depositor claims it (or anyone does, for
    /// nothing) and is paid the whole amount.
    pub(crate) fn enqueue_withdrawal(
        token: L1Token,
        recipient: L1Address,
        amount: u128,
    ) -> Result<WithdrawalId, Error<T>> {
        Self::enqueue_withdrawal_with_fee(token, recipient, amount, 0)
    }

    /// Gives the withdrawal of `amount` `token` to `recipient`, `fee` of it to whoever claims
    /// it, the next id and puts it in the open period, or, when that holds
    /// `MaxWithdrawalsPerCheckpoint`, at the end of [`QueuedWithdrawals`], from which later
    /// checkpoints take it in id order. Fails only when the ids are exhausted (after 2^64
    /// withdrawals).
    pub(crate) fn enqueue_withdrawal_with_fee(
        token: L1Token,
        recipient: L1Address,
        amount: u128,
        fee: u128,
    ) -> Result<WithdrawalId, Error<T>> {
        let id = NextWithdrawalId::<T>::get();
        let next_id = id.checked_add(1).ok_or(Error::<T>::WithdrawalIdsExhausted)?;
        let withdrawal = Withdrawal { id, token, recipient, amount, fee };
        let queued = QueuedWithdrawalCount::<T>::get();
        // Ids stay in order: once anything is queued, later withdrawals queue behind it.
        let in_period =
            queued == 0 && PendingWithdrawals::<T>::try_mutate(|pending| pending.try_push(withdrawal)).is_ok();
        if !in_period {
            QueuedWithdrawals::<T>::insert(id, withdrawal);
            QueuedWithdrawalCount::<T>::put(queued.saturating_add(1));
        }
        NextWithdrawalId::<T>::put(next_id);
        Ok(id)
    }

    /// Moves the oldest queued withdrawals into the open period, up to its capacity; called
    /// once a checkpoint took the period's withdrawals. Returns the weight used.
    pub(crate) fn promote_queued_withdrawals() -> Weight {
        let queued = QueuedWithdrawalCount::<T>::get();
        if queued == 0 {
            return T::DbWeight::get().reads(1);
        }
        let mut pending = PendingWithdrawals::<T>::get();
        let room = u64::from(T::MaxWithdrawalsPerCheckpoint::get()).saturating_sub(pending.len() as u64);
        let moved = room.min(queued);
        // The queue holds exactly the ids just below `NextWithdrawalId`.
        let head = NextWithdrawalId::<T>::get().saturating_sub(queued);
        let mut promoted = 0u64;
        for id in head..head.saturating_add(moved) {
            let Some(withdrawal) = QueuedWithdrawals::<T>::take(id) else {
                frame_support::defensive!("the queue holds the ids below NextWithdrawalId; qed");
                break;
            };
            if pending.try_push(withdrawal).is_err() {
                frame_support::defensive!("no more than the period's room is moved; qed");
                break;
            }
            promoted = promoted.saturating_add(1);
        }
        PendingWithdrawals::<T>::put(pending);
        QueuedWithdrawalCount::<T>::put(queued.saturating_sub(promoted));
        T::DbWeight::get().reads_writes(moved.saturating_add(3), moved.saturating_add(2))
    }
}
