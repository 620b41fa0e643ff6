//! Crafting recipes.

use frame_support::{
    pallet_prelude::*,
    traits::{fungible::Mutate, tokens::Preservation},
};
use sp_runtime::traits::{Saturating, Zero};

use crate::*;

impl<T: Config> Pallet<T> {
    /// Defines a recipe as the admin `who`, holding `RecipeDeposit`.
    pub(crate) fn do_create_recipe(
        who: T::AccountId,
        collection: CollectionId,
        inputs: BoundedVec<(TokenId, TokenAmount), T::MaxTradeItems>,
        outputs: BoundedVec<(TokenId, TokenAmount), T::MaxTradeItems>,
        fee: BalanceOf<T>,
    ) -> Result<RecipeId, DispatchError> {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ADMIN)?;
        ensure!(!outputs.is_empty(), Error::<T>::EmptyRecipe);
        for (token, amount) in inputs.iter().chain(outputs.iter()) {
            ensure!(*amount > 0, Error::<T>::ZeroAmount);
            Self::token(collection, *token)?;
        }
        let recipe = details.next_recipe_id;
        details.next_recipe_id = recipe.checked_add(1).ok_or(Error::<T>::Overflow)?;
        details.recipes.saturating_inc();
        let deposit = T::RecipeDeposit::get();
        Self::hold_deposit(&who, deposit)?;
        Recipes::<T>::insert(collection, recipe, Recipe { inputs, outputs, fee, depositor: who, deposit });
        Collections::<T>::insert(collection, details);
        Self::deposit_event(Event::RecipeCreated { collection, recipe });
        Ok(recipe)
    }

    /// Removes a recipe as the admin `who` and releases its deposit.
    pub(crate) fn do_retire_recipe(who: T::AccountId, collection: CollectionId, recipe: RecipeId) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ADMIN)?;
        let record = Recipes::<T>::take(collection, recipe).ok_or(Error::<T>::UnknownRecipe)?;
        Self::release_deposit(&record.depositor, record.deposit);
        details.recipes.saturating_dec();
        Collections::<T>::insert(collection, details);
        Self::deposit_event(Event::RecipeRetired { collection, recipe });
        Ok(())
    }

    /// Burns the recipe's inputs from `who`, mints its outputs to `who` and pays its fee.
    /// Returns the recipe's size as the `craft(n)` weight counts it: its longer side.
    ///
    /// Atomic because the call is: any failure part-way rolls back what came before.
    pub(crate) fn do_craft(
        who: T::AccountId,
        collection: CollectionId,
        recipe: RecipeId,
    ) -> Result<u32, DispatchError> {
        let details = Self::collection(collection)?;
        let record = Recipes::<T>::get(collection, recipe).ok_or(Error::<T>::UnknownRecipe)?;
        for (token, amount) in &record.inputs {
            Self::burn_from(&details, collection, *token, &who, *amount)?;
        }
        for (token, amount) in &record.outputs {
            Self::mint_into(collection, *token, &who, *amount)?;
        }
        if !record.fee.is_zero() && details.owner != who {
            T::Currency::transfer(&who, &details.owner, record.fee, Preservation::Preserve)?;
        }
        Self::deposit_event(Event::Crafted { collection, recipe, who });
        Ok(record.inputs.len().max(record.outputs.len()) as u32)
    }
}
