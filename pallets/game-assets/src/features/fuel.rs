//! Fuel tanks: the LUD a studio sets aside to pay its players' fees, and the budgets that
//! decide who may use it. The fee path itself is in `crate::sponsored`.

use frame_support::{
    pallet_prelude::*,
    traits::{
        fungible::{Inspect, Mutate},
        tokens::{Fortitude, Preservation},
    },
};
use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

use crate::*;

impl<T: Config> Pallet<T> {
    /// The account holding a collection's fuel; no one has its key.
    pub fn fuel_tank_account(collection: CollectionId) -> T::AccountId {
        T::PalletId::get().into_sub_account_truncating(collection)
    }

    /// Moves `amount` from `who` into the collection's tank.
    pub(crate) fn do_fund_fuel_tank(
        who: T::AccountId,
        collection: CollectionId,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        Self::collection(collection)?;
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let tank = Self::fuel_tank_account(collection);
        T::Currency::transfer(&who, &tank, amount, Preservation::Preserve)?;
        if !FuelTanks::<T>::contains_key(collection) {
            FuelTanks::<T>::insert(collection, FuelTank { default_player_limit: Zero::zero() });
        }
        Self::deposit_event(Event::FuelTankFunded { collection, from: who, amount });
        Ok(())
    }

    /// Moves `amount` from the collection's tank to its owner `who`.
    pub(crate) fn do_withdraw_fuel(
        who: T::AccountId,
        collection: CollectionId,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        Self::ensure_owner(&details, &who)?;
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let tank = Self::fuel_tank_account(collection);
        let available = T::Currency::reducible_balance(&tank, Preservation::Expendable, Fortitude::Polite);
        ensure!(amount <= available, Error::<T>::InsufficientFuel);
        T::Currency::transfer(&tank, &who, amount, Preservation::Expendable)?;
        Self::deposit_event(Event::FuelWithdrawn { collection, to: who, amount });
        Ok(())
    }

    /// Sets the default or one player's budget, as the owner `who`.
    pub(crate) fn do_set_player_fuel_limit(
        who: T::AccountId,
        collection: CollectionId,
        player: Option<T::AccountId>,
        limit: BalanceOf<T>,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        Self::ensure_owner(&details, &who)?;
        let mut tank = FuelTanks::<T>::get(collection).unwrap_or(FuelTank { default_player_limit: Zero::zero() });
        match &player {
            None => tank.default_player_limit = limit,
            Some(player) => PlayerFuelOf::<T>::mutate(collection, player, |fuel| fuel.limit = Some(limit)),
        }
        FuelTanks::<T>::insert(collection, tank);
        Self::deposit_event(Event::PlayerFuelLimitSet { collection, player, limit });
        Ok(())
    }

    /// Who pays `who`'s fee for `call`: the collection's tank account and the most it will pay
    /// (the player's unused budget, capped by what the tank can spend and keep existing), or
    /// `None` when the call is not sponsored, the tank is missing or empty, or the budget is
    /// spent.
    pub fn sponsor_for(who: &T::AccountId, call: &Call<T>) -> Option<(T::AccountId, BalanceOf<T>)> {
        let collection = call.sponsored_collection()?;
        let tank = FuelTanks::<T>::get(collection)?;
        let fuel = PlayerFuelOf::<T>::get(collection, who);
        let budget = fuel.limit.unwrap_or(tank.default_player_limit).saturating_sub(fuel.used);
        let account = Self::fuel_tank_account(collection);
        let spendable = T::Currency::reducible_balance(&account, Preservation::Preserve, Fortitude::Polite);
        let remaining = budget.min(spendable);
        (!remaining.is_zero()).then_some((account, remaining))
    }

    /// Counts `fee`, paid by the tank before dispatch, against `player`'s budget.
    pub(crate) fn charge_player_fuel(collection: CollectionId, player: &T::AccountId, fee: BalanceOf<T>) {
        PlayerFuelOf::<T>::mutate(collection, player, |fuel| fuel.used = fuel.used.saturating_add(fee));
    }

    /// Gives back to `player`'s budget the part of the fee refunded after dispatch.
    pub(crate) fn refund_player_fuel(collection: CollectionId, player: &T::AccountId, refund: BalanceOf<T>) {
        if refund.is_zero() {
            return;
        }
        PlayerFuelOf::<T>::mutate(collection, player, |fuel| fuel.used = fuel.used.saturating_sub(refund));
    }

    /// Says that the tank paid `fee` for `player`.
    pub(crate) fn note_sponsored_fee(collection: CollectionId, player: &T::AccountId, fee: BalanceOf<T>) {
        Self::deposit_event(Event::FeeSponsored { collection, player: player.clone(), fee });
    }
}

impl<T: Config> Call<T> {
    /// The collection this call acts on, if it names exactly one.
    ///
    /// Trades may span collections and name none; `create_collection` has none yet.
    pub fn collection_of(&self) -> Option<CollectionId> {
        match self {
            Call::destroy_collection { collection }
            | Call::set_roles { collection, .. }
            | Call::set_collection_metadata { collection, .. }
            | Call::create_token { collection, .. }
            | Call::destroy_token { collection, .. }
            | Call::mint { collection, .. }
            | Call::batch_mint { collection, .. }
            | Call::burn { collection, .. }
            | Call::transfer { collection, .. }
            | Call::batch_transfer { collection, .. }
            | Call::transfer_from { collection, .. }
            | Call::set_attribute { collection, .. }
            | Call::clear_attribute { collection, .. }
            | Call::approve { collection, .. }
            | Call::cancel_approval { collection, .. }
            | Call::set_frozen { collection, .. }
            | Call::list { collection, .. }
            | Call::buy { collection, .. }
            | Call::cancel_listing { collection, .. }
            | Call::create_recipe { collection, .. }
            | Call::retire_recipe { collection, .. }
            | Call::craft { collection, .. }
            | Call::fund_fuel_tank { collection, .. }
            | Call::withdraw_fuel { collection, .. }
            | Call::set_player_fuel_limit { collection, .. } => Some(*collection),
            _ => None,
        }
    }

    /// The collection whose tank may pay for this call: the one it names, except for the
    /// calls that manage the tank or end the collection, which their callers pay themselves.
    pub fn sponsored_collection(&self) -> Option<CollectionId> {
        match self {
            Call::fund_fuel_tank { .. }
            | Call::withdraw_fuel { .. }
            | Call::set_player_fuel_limit { .. }
            | Call::destroy_collection { .. } => None,
            _ => self.collection_of(),
        }
    }
}
