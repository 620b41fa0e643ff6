//! Tokens and holdings: creating, destroying, minting, burning and transferring.

use frame_support::pallet_prelude::*;
use sp_runtime::traits::Saturating;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Creates the collection's next token, holding `TokenDeposit` from the issuer `who`.
    pub(crate) fn do_create_token(
        who: T::AccountId,
        collection: CollectionId,
        max_supply: TokenAmount,
    ) -> Result<TokenId, DispatchError> {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ISSUER)?;
        ensure!(max_supply > 0, Error::<T>::ZeroMaxSupply);
        let token = details.next_token_id;
        details.next_token_id = token.checked_add(1).ok_or(Error::<T>::Overflow)?;
        details.tokens.saturating_inc();
        let deposit = T::TokenDeposit::get();
        Self::hold_deposit(&who, deposit)?;
        Tokens::<T>::insert(
            collection,
            token,
            TokenDetails { max_supply, supply: 0, frozen: false, attributes: 0, depositor: who.clone(), deposit },
        );
        Collections::<T>::insert(collection, details);
        Self::deposit_event(Event::TokenCreated { collection, token, max_supply, creator: who });
        Ok(token)
    }

    /// Destroys a token with no supply, with its attributes.
    pub(crate) fn do_destroy_token(who: T::AccountId, collection: CollectionId, token: TokenId) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ADMIN)?;
        let token_details = Self::token(collection, token)?;
        ensure!(token_details.supply == 0, Error::<T>::TokenInUse);
        // Bounded by `MaxAttributes`, which the call's weight assumes.
        for (_, record) in Attributes::<T>::drain_prefix((collection, Some(token))) {
            Self::release_deposit(&record.depositor, record.deposit);
        }
        Self::release_deposit(&token_details.depositor, token_details.deposit);
        Tokens::<T>::remove(collection, token);
        details.tokens.saturating_dec();
        Collections::<T>::insert(collection, details);
        Self::deposit_event(Event::TokenDestroyed { collection, token });
        Ok(())
    }

    /// Mints each `(token, to, amount)` as the issuer `who`.
    pub(crate) fn do_issue(
        who: &T::AccountId,
        collection: CollectionId,
        mints: impl Iterator<Item = (TokenId, T::AccountId, TokenAmount)>,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, who, Roles::ISSUER)?;
        for (token, to, amount) in mints {
            Self::mint_into(collection, token, &to, amount)?;
            Self::deposit_event(Event::Minted { collection, token, to, amount });
        }
        Ok(())
    }

    /// Adds `amount` to the token's supply and to `to`'s holding, within the cap.
    pub(crate) fn mint_into(
        collection: CollectionId,
        token: TokenId,
        to: &T::AccountId,
        amount: TokenAmount,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        let mut token_details = Self::token(collection, token)?;
        let supply = token_details.supply.checked_add(amount).ok_or(Error::<T>::MaxSupplyExceeded)?;
        ensure!(supply <= token_details.max_supply, Error::<T>::MaxSupplyExceeded);
        token_details.supply = supply;
        Tokens::<T>::insert(collection, token, token_details);
        Self::credit_holding(collection, token, to, amount)
    }

    /// Burns `amount` of `who`'s units, as the holder.
    pub(crate) fn do_burn(
        who: T::AccountId,
        collection: CollectionId,
        token: TokenId,
        amount: TokenAmount,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        ensure!(details.policy.burnable_by_holder, Error::<T>::NotBurnable);
        Self::burn_from(&details, collection, token, &who, amount)?;
        Self::deposit_event(Event::Burned { collection, token, from: who, amount });
        Ok(())
    }

    /// Takes `amount` of `who`'s units out of existence, if nothing is frozen.
    pub(crate) fn burn_from(
        details: &CollectionDetails<T::AccountId, BalanceOf<T>>,
        collection: CollectionId,
        token: TokenId,
        who: &T::AccountId,
        amount: TokenAmount,
    ) -> DispatchResult {
        let mut token_details = Self::token(collection, token)?;
        ensure!(!details.frozen && !token_details.frozen, Error::<T>::Frozen);
        Self::debit_holding(collection, token, who, amount)?;
        token_details.supply = token_details.supply.saturating_sub(amount);
        Tokens::<T>::insert(collection, token, token_details);
        Ok(())
    }

    /// Moves `amount` units from `from` to `to`, if the token is transferable and unfrozen.
    pub(crate) fn do_transfer(
        collection: CollectionId,
        token: TokenId,
        from: &T::AccountId,
        to: &T::AccountId,
        amount: TokenAmount,
    ) -> DispatchResult {
        Self::ensure_movable(collection, token)?;
        Self::debit_holding(collection, token, from, amount)?;
        Self::credit_holding(collection, token, to, amount)?;
        Self::deposit_event(Event::Transferred { collection, token, from: from.clone(), to: to.clone(), amount });
        Ok(())
    }

    /// Fails unless units of the token may change hands: the collection exists and is
    /// transferable, and neither it nor the token is frozen.
    pub(crate) fn ensure_movable(collection: CollectionId, token: TokenId) -> DispatchResult {
        let details = Self::collection(collection)?;
        ensure!(details.policy.transferable, Error::<T>::NotTransferable);
        let token_details = Self::token(collection, token)?;
        ensure!(!details.frozen && !token_details.frozen, Error::<T>::Frozen);
        Ok(())
    }

    /// Takes `amount` out of `who`'s holding (not out of the supply), if it is not frozen.
    pub(crate) fn debit_holding(
        collection: CollectionId,
        token: TokenId,
        who: &T::AccountId,
        amount: TokenAmount,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        Holdings::<T>::try_mutate_exists((collection, who, token), |maybe| {
            let holding = maybe.as_mut().ok_or(Error::<T>::InsufficientBalance)?;
            ensure!(!holding.frozen, Error::<T>::Frozen);
            holding.amount = holding.amount.checked_sub(amount).ok_or(Error::<T>::InsufficientBalance)?;
            if holding.amount == 0 {
                *maybe = None;
            }
            Ok(())
        })
    }

    /// Adds `amount` to `who`'s holding (not to the supply).
    pub(crate) fn credit_holding(
        collection: CollectionId,
        token: TokenId,
        who: &T::AccountId,
        amount: TokenAmount,
    ) -> DispatchResult {
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        Holdings::<T>::try_mutate((collection, who, token), |maybe| {
            let holding = maybe.get_or_insert_with(Holding::default);
            holding.amount = holding.amount.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            Ok(())
        })
    }

    /// `who`'s units of a token (zero if none).
    pub fn balance_of(collection: CollectionId, token: TokenId, who: &T::AccountId) -> TokenAmount {
        Holdings::<T>::get((collection, who, token)).map(|h| h.amount).unwrap_or(0)
    }
}
