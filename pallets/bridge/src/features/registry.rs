//! The registry of bridged tokens: L1 token address ↔ sidechain asset.

use frame_support::{
    ensure,
    traits::fungibles::{Create, Inspect},
};
use sp_runtime::{traits::AccountIdConversion, DispatchResult};

use frame_support::traits::Get;

use crate::*;

impl<T: Config> Pallet<T> {
    /// The account that administers every bridged asset (and so is the only one that can
    /// mint it, through this pallet).
    pub fn account_id() -> T::AccountId {
        T::PalletId::get().into_account_truncating()
    }

    /// Creates `asset` and links it to `token`.
    ///
    /// The asset must not exist yet: an asset someone else could mint would break the
    /// guarantee that sidechain supply never exceeds what was deposited.
    pub(crate) fn do_register_token(token: L1Token, asset: AssetIdOf<T>, min_balance: u128) -> DispatchResult {
        ensure!(!Tokens::<T>::contains_key(token), Error::<T>::TokenAlreadyRegistered);
        ensure!(
            !AssetTokens::<T>::contains_key(&asset) && !T::Assets::asset_exists(asset.clone()),
            Error::<T>::AssetAlreadyExists
        );
        let count = TokenCount::<T>::get();
        ensure!(count < T::MaxTokens::get(), Error::<T>::TooManyTokens);
        // Sufficient, so a depositor needs no native balance to receive bridged tokens.
        T::Assets::create(asset.clone(), Self::account_id(), true, min_balance)?;
        // Nothing below what an account may hold; root raises it to the L1's dust level.
        let min_withdrawal = min_balance.max(1);
        Tokens::<T>::insert(token, TokenInfo { asset: asset.clone(), outstanding: 0, min_withdrawal });
        AssetTokens::<T>::insert(&asset, token);
        TokenCount::<T>::put(count.saturating_add(1));
        Self::deposit_event(Event::TokenRegistered { token, asset });
        Ok(())
    }

    /// Sets the smallest amount of `token` that `withdraw` takes (at least 1: zero moves
    /// nothing).
    pub(crate) fn do_set_min_withdrawal(token: L1Token, min_withdrawal: u128) -> DispatchResult {
        ensure!(min_withdrawal > 0, Error::<T>::ZeroAmount);
        Tokens::<T>::try_mutate(token, |info| -> DispatchResult {
            let info = info.as_mut().ok_or(Error::<T>::UnknownToken)?;
            info.min_withdrawal = min_withdrawal;
            Ok(())
        })?;
        Self::deposit_event(Event::MinWithdrawalSet { token, min_withdrawal });
        Ok(())
    }

    /// Unlinks `token`, once none of its asset is left on the sidechain.
    pub(crate) fn do_deregister_token(token: L1Token) -> DispatchResult {
        let info = Tokens::<T>::get(token).ok_or(Error::<T>::UnknownToken)?;
        ensure!(T::Assets::total_issuance(info.asset.clone()) == 0, Error::<T>::TokenInCirculation);
        Tokens::<T>::remove(token);
        AssetTokens::<T>::remove(&info.asset);
        TokenCount::<T>::mutate(|count| *count = count.saturating_sub(1));
        Self::deposit_event(Event::TokenDeregistered { token, asset: info.asset });
        Ok(())
    }
}
