//! Creating and destroying collections, roles and metadata.

use frame_support::{
    pallet_prelude::*,
    traits::{
        fungible::{Inspect, Mutate},
        tokens::{Fortitude, Preservation},
    },
};
use sp_runtime::traits::{Saturating, Zero};

use crate::*;

impl<T: Config> Pallet<T> {
    /// Creates a collection owned by `owner` and holds `CollectionDeposit` from it.
    pub(crate) fn do_create_collection(
        owner: T::AccountId,
        policy: CollectionPolicy,
        royalty: Option<Royalty<T::AccountId>>,
    ) -> Result<CollectionId, DispatchError> {
        if let Some(royalty) = &royalty {
            ensure!(royalty.bps <= MAX_ROYALTY_BPS, Error::<T>::RoyaltyTooHigh);
        }
        let collection = NextCollectionId::<T>::get();
        let next = collection.checked_add(1).ok_or(Error::<T>::Overflow)?;
        let deposit = T::CollectionDeposit::get();
        Self::hold_deposit(&owner, deposit)?;
        Collections::<T>::insert(
            collection,
            CollectionDetails {
                owner: owner.clone(),
                deposit,
                policy,
                royalty,
                frozen: false,
                next_token_id: 0,
                tokens: 0,
                attributes: 0,
                role_holders: 0,
                next_recipe_id: 0,
                recipes: 0,
            },
        );
        NextCollectionId::<T>::put(next);
        Self::deposit_event(Event::CollectionCreated { collection, owner });
        Ok(collection)
    }

    /// Destroys an empty collection and everything that hangs off it.
    pub(crate) fn do_destroy_collection(who: T::AccountId, collection: CollectionId) -> DispatchResult {
        let details = Self::collection(collection)?;
        Self::ensure_owner(&details, &who)?;
        ensure!(details.tokens == 0 && details.recipes == 0, Error::<T>::CollectionNotEmpty);

        // Bounded by `MaxAttributes` and `MaxRoleHolders`, which the call's weight assumes.
        for (_, record) in Attributes::<T>::drain_prefix((collection, None::<TokenId>)) {
            Self::release_deposit(&record.depositor, record.deposit);
        }
        let _ = CollectionRoles::<T>::clear_prefix(collection, details.role_holders, None);
        if let Some(metadata) = CollectionMetadataOf::<T>::take(collection) {
            Self::release_deposit(&details.owner, metadata.deposit);
        }
        if FuelTanks::<T>::take(collection).is_some() {
            let tank = Self::fuel_tank_account(collection);
            let left = T::Currency::reducible_balance(&tank, Preservation::Expendable, Fortitude::Polite);
            if !left.is_zero() {
                T::Currency::transfer(&tank, &details.owner, left, Preservation::Expendable)?;
            }
        }
        // Player budgets are not cleared: there may be more than a block can remove, and with
        // collection ids never reused they are unreachable (see the crate's notes).
        Self::release_deposit(&details.owner, details.deposit);
        Collections::<T>::remove(collection);
        Self::deposit_event(Event::CollectionDestroyed { collection });
        Ok(())
    }

    /// Replaces the roles `who` holds in the collection.
    pub(crate) fn do_set_roles(
        caller: T::AccountId,
        collection: CollectionId,
        who: T::AccountId,
        roles: Roles,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_owner(&details, &caller)?;
        ensure!(roles.is_valid() && who != details.owner, Error::<T>::InvalidRoles);
        let had = CollectionRoles::<T>::get(collection, &who);
        match (had.is_some(), roles.is_empty()) {
            (false, false) => {
                ensure!(details.role_holders < T::MaxRoleHolders::get(), Error::<T>::TooManyRoleHolders);
                details.role_holders.saturating_inc();
                CollectionRoles::<T>::insert(collection, &who, roles);
            }
            (true, false) => CollectionRoles::<T>::insert(collection, &who, roles),
            (true, true) => {
                details.role_holders.saturating_dec();
                CollectionRoles::<T>::remove(collection, &who);
            }
            (false, true) => {}
        }
        Collections::<T>::insert(collection, details);
        Self::deposit_event(Event::RolesSet { collection, who, roles });
        Ok(())
    }

    /// Sets name and URI, settling the per-byte deposit with the owner.
    pub(crate) fn do_set_collection_metadata(
        who: T::AccountId,
        collection: CollectionId,
        name: BoundedVec<u8, T::StringLimit>,
        uri: BoundedVec<u8, T::StringLimit>,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        Self::ensure_owner(&details, &who)?;
        let bytes = BalanceOf::<T>::from((name.len() + uri.len()) as u32);
        let deposit = T::DepositPerByte::get().saturating_mul(bytes);
        let old = CollectionMetadataOf::<T>::get(collection).map(|m| m.deposit).unwrap_or_default();
        Self::settle_deposit(&who, old, deposit)?;
        CollectionMetadataOf::<T>::insert(
            collection,
            CollectionMetadata { name: name.clone(), uri: uri.clone(), deposit },
        );
        Self::deposit_event(Event::CollectionMetadataSet { collection, name, uri });
        Ok(())
    }

    /// Moves `who`'s held deposit from `old` to `new`.
    pub(crate) fn settle_deposit(who: &T::AccountId, old: BalanceOf<T>, new: BalanceOf<T>) -> DispatchResult {
        if new > old {
            Self::hold_deposit(who, new.saturating_sub(old))
        } else {
            Self::release_deposit(who, old.saturating_sub(new));
            Ok(())
        }
    }
}
