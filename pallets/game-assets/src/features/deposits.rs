//! Holding and releasing LUD deposits, and the role checks every feature shares.

use frame_support::{
    pallet_prelude::*,
    traits::{
        fungible::MutateHold,
        tokens::{Fortitude, Precision, Restriction},
        Defensive,
    },
};
use sp_runtime::traits::Zero;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Holds `amount` from `who` as a storage deposit; nothing for zero.
    pub(crate) fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
        if amount.is_zero() {
            return Ok(());
        }
        T::Currency::hold(&HoldReason::StorageDeposit.into(), who, amount)
    }

    /// Releases `amount` of `who`'s storage deposit.
    ///
    /// Every release matches an earlier hold recorded in state, so a shortfall is a bug: it is
    /// reported loudly in tests and logged in production, and the call goes on.
    pub(crate) fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) {
        if amount.is_zero() {
            return;
        }
        let released = T::Currency::release(&HoldReason::StorageDeposit.into(), who, amount, Precision::Exact);
        let _ = released.defensive_proof("each deposit released was held when its record was created; qed");
    }

    /// Moves `amount` of `who`'s trade escrow on hold to `to` as free balance.
    pub(crate) fn pay_from_escrow(who: &T::AccountId, to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
        if amount.is_zero() {
            return Ok(());
        }
        T::Currency::transfer_on_hold(
            &HoldReason::TradeEscrow.into(),
            who,
            to,
            amount,
            Precision::Exact,
            Restriction::Free,
            Fortitude::Polite,
        )
        .map(|_| ())
    }

    /// The collection, or `UnknownCollection`.
    pub(crate) fn collection(
        collection: CollectionId,
    ) -> Result<CollectionDetails<T::AccountId, BalanceOf<T>>, DispatchError> {
        Collections::<T>::get(collection).ok_or_else(|| Error::<T>::UnknownCollection.into())
    }

    /// The token, or `UnknownToken`.
    pub(crate) fn token(
        collection: CollectionId,
        token: TokenId,
    ) -> Result<TokenDetails<T::AccountId, BalanceOf<T>>, DispatchError> {
        Tokens::<T>::get(collection, token).ok_or_else(|| Error::<T>::UnknownToken.into())
    }

    /// Whether `who` holds `role` in the collection (the owner holds every role).
    pub fn has_role(
        details: &CollectionDetails<T::AccountId, BalanceOf<T>>,
        collection: CollectionId,
        who: &T::AccountId,
        role: Roles,
    ) -> bool {
        &details.owner == who || CollectionRoles::<T>::get(collection, who).is_some_and(|roles| roles.contains(role))
    }

    /// Fails with `NoPermission` unless `who` holds `role` in the collection.
    pub(crate) fn ensure_role(
        details: &CollectionDetails<T::AccountId, BalanceOf<T>>,
        collection: CollectionId,
        who: &T::AccountId,
        role: Roles,
    ) -> DispatchResult {
        ensure!(Self::has_role(details, collection, who, role), Error::<T>::NoPermission);
        Ok(())
    }

    /// Fails with `NoPermission` unless `who` owns the collection.
    pub(crate) fn ensure_owner(
        details: &CollectionDetails<T::AccountId, BalanceOf<T>>,
        who: &T::AccountId,
    ) -> DispatchResult {
        ensure!(&details.owner == who, Error::<T>::NoPermission);
        Ok(())
    }
}
