//! Withdrawals: burn on the sidechain, a leaf in the open checkpoint period.

use frame_support::{
    ensure,
    traits::{
        fungibles::Mutate,
        tokens::{Fortitude, Precision, Preservation},
    },
};
use ludus_primitives::bridge::Withdrawal;
use sp_runtime::DispatchResult;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Burns `amount` of `asset` from `who` and records the withdrawal to `l1_recipient`.
    pub(crate) fn do_withdraw(
        who: T::AccountId,
        asset: AssetIdOf<T>,
        amount: u128,
        l1_recipient: L1Address,
    ) -> DispatchResult {
        ensure!(!Paused::<T>::get().withdrawals, Error::<T>::WithdrawalsPaused);
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        // The L1 would pay the zero address, i.e. burn the tokens for good.
        ensure!(l1_recipient != [0u8; 20], Error::<T>::ZeroRecipient);
        let token = AssetTokens::<T>::get(&asset).ok_or(Error::<T>::UnknownAsset)?;
        let mut info = Tokens::<T>::get(token).ok_or(Error::<T>::UnknownToken)?;
        info.withdrawn = info.withdrawn.checked_add(amount).ok_or(Error::<T>::LedgerOverflow)?;
        let id = NextWithdrawalId::<T>::get();
        let next_id = id.checked_add(1).ok_or(Error::<T>::WithdrawalIdsExhausted)?;
        let withdrawal = Withdrawal { id, token, recipient: l1_recipient, amount };
        PendingWithdrawals::<T>::try_mutate(|pending| pending.try_push(withdrawal))
            .map_err(|_| Error::<T>::PeriodFull)?;
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
        Tokens::<T>::insert(token, info);
        NextWithdrawalId::<T>::put(next_id);
        Self::deposit_event(Event::Withdrawn { id, who, asset, token, amount, l1_recipient });
        Ok(())
    }
}
