//! The pallet's invariants, checked by `try-runtime` and after every test and fuzzer step.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{
    ensure,
    traits::{fungible::InspectHold, Get},
};
use sp_runtime::{
    traits::{Saturating, Zero},
    DispatchError,
};

use crate::*;

impl<T: Config> Pallet<T> {
    /// Checks every invariant of the pallet's storage.
    ///
    /// # Invariants
    ///
    /// - Collections have ids below `NextCollectionId`, and their counters (`tokens`,
    ///   `attributes`, `role_holders`, `recipes`) equal the records that exist; token and recipe
    ///   ids are below the collection's next ids.
    /// - Roles are never empty, never the owner's, and only in existing collections.
    /// - No holding, attribute, listing or recipe refers to a token that does not exist, and no
    ///   holding or listing is empty.
    /// - For every token, `supply <= max_supply` and `supply` equals the units held, plus the
    ///   units escrowed in listings, plus the units escrowed in open trades.
    /// - Every account's `StorageDeposit` hold equals the deposits recorded for it (collections,
    ///   metadata, tokens, attributes, approvals, listings, trades, recipes), and its
    ///   `TradeEscrow` hold equals the LUD it offers in open trades.
    /// - Trades are between two accounts and have ids below `NextTradeId`; listings have ids below
    ///   `NextListingId`; fuel tanks belong to existing collections.
    pub fn do_try_state() -> Result<(), DispatchError> {
        Self::try_state_with(&[])
    }

    /// [`Self::do_try_state`], and also that each of `accounts` without recorded deposits or
    /// escrow holds nothing under this pallet's reasons (try-runtime cannot list accounts, but
    /// tests know theirs).
    pub fn try_state_with(accounts: &[T::AccountId]) -> Result<(), DispatchError> {
        let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let add = |map: &mut BTreeMap<T::AccountId, BalanceOf<T>>, who: &T::AccountId, x| {
            let entry = map.entry(who.clone()).or_insert_with(Zero::zero);
            *entry = entry.saturating_add(x);
        };
        // Units per (collection, token) found in holdings, listings and trades.
        let mut units: BTreeMap<(CollectionId, TokenId), TokenAmount> = BTreeMap::new();
        let mut add_units = |key: (CollectionId, TokenId), amount: TokenAmount| {
            let entry = units.entry(key).or_default();
            *entry = entry.saturating_add(amount);
        };

        let next_collection = NextCollectionId::<T>::get();
        for (collection, details) in Collections::<T>::iter() {
            ensure!(collection < next_collection, "collection id not below NextCollectionId");
            add(&mut deposits, &details.owner, details.deposit);
            let tokens: alloc::vec::Vec<_> = Tokens::<T>::iter_prefix(collection).collect();
            ensure!(tokens.len() as u32 == details.tokens, "collection token count is wrong");
            ensure!(
                tokens.iter().all(|(id, _)| *id < details.next_token_id),
                "token id not below the collection's next token id"
            );
            let attributes = Attributes::<T>::iter_prefix((collection, None::<TokenId>)).count();
            ensure!(attributes as u32 == details.attributes, "collection attribute count is wrong");
            ensure!(attributes as u32 <= T::MaxAttributes::get(), "too many collection attributes");
            let roles: alloc::vec::Vec<_> = CollectionRoles::<T>::iter_prefix(collection).collect();
            ensure!(roles.len() as u32 == details.role_holders, "role holder count is wrong");
            ensure!(
                roles.iter().all(|(who, r)| !r.is_empty() && r.is_valid() && *who != details.owner),
                "empty, invalid or owner role entry"
            );
            let recipes: alloc::vec::Vec<_> = Recipes::<T>::iter_prefix(collection).collect();
            ensure!(recipes.len() as u32 == details.recipes, "recipe count is wrong");
            ensure!(
                recipes.iter().all(|(id, _)| *id < details.next_recipe_id),
                "recipe id not below the collection's next recipe id"
            );
        }
        for (collection, metadata) in CollectionMetadataOf::<T>::iter() {
            let details = Collections::<T>::get(collection).ok_or("metadata of no collection")?;
            add(&mut deposits, &details.owner, metadata.deposit);
        }
        for (collection, _) in CollectionRoles::<T>::iter_keys() {
            ensure!(Collections::<T>::contains_key(collection), "role in no collection");
        }
        for (collection, token, details) in Tokens::<T>::iter() {
            ensure!(Collections::<T>::contains_key(collection), "token of no collection");
            ensure!(details.max_supply > 0, "token with a zero cap");
            ensure!(details.supply <= details.max_supply, "supply above the cap");
            add(&mut deposits, &details.depositor, details.deposit);
            let attributes = Attributes::<T>::iter_prefix((collection, Some(token))).count();
            ensure!(attributes as u32 == details.attributes, "token attribute count is wrong");
            ensure!(attributes as u32 <= T::MaxAttributes::get(), "too many token attributes");
        }
        for ((collection, _who, token), holding) in Holdings::<T>::iter() {
            ensure!(holding.amount > 0, "empty holding stored");
            ensure!(Tokens::<T>::contains_key(collection, token), "holding of no token");
            add_units((collection, token), holding.amount);
        }
        for ((collection, token, _key), record) in Attributes::<T>::iter() {
            ensure!(Collections::<T>::contains_key(collection), "attribute of no collection");
            if let Some(token) = token {
                ensure!(Tokens::<T>::contains_key(collection, token), "attribute of no token");
            }
            add(&mut deposits, &record.depositor, record.deposit);
        }
        for ((_, owner, _), approval) in Approvals::<T>::iter() {
            add(&mut deposits, &owner, approval.deposit);
        }
        let next_listing = NextListingId::<T>::get();
        for (collection, id, listing) in Listings::<T>::iter() {
            ensure!(id < next_listing, "listing id not below NextListingId");
            ensure!(listing.amount > 0, "empty listing stored");
            ensure!(Tokens::<T>::contains_key(collection, listing.token), "listing of no token");
            add_units((collection, listing.token), listing.amount);
            add(&mut deposits, &listing.seller, listing.deposit);
        }
        let next_trade = NextTradeId::<T>::get();
        for (id, trade) in Trades::<T>::iter() {
            ensure!(id < next_trade, "trade id not below NextTradeId");
            ensure!(trade.proposer != trade.counterparty, "trade with self stored");
            for item in &trade.give.items {
                ensure!(item.amount > 0, "empty trade item stored");
                ensure!(
                    Tokens::<T>::contains_key(item.collection, item.token),
                    "trade escrows a token that does not exist"
                );
                add_units((item.collection, item.token), item.amount);
            }
            add(&mut deposits, &trade.proposer, trade.deposit);
            add(&mut escrow, &trade.proposer, trade.give.lud);
        }
        for (collection, _, recipe) in Recipes::<T>::iter() {
            ensure!(Collections::<T>::contains_key(collection), "recipe of no collection");
            add(&mut deposits, &recipe.depositor, recipe.deposit);
        }
        for collection in FuelTanks::<T>::iter_keys() {
            ensure!(Collections::<T>::contains_key(collection), "fuel tank of no collection");
        }

        for (collection, token, details) in Tokens::<T>::iter() {
            let found = units.remove(&(collection, token)).unwrap_or(0);
            ensure!(found == details.supply, "supply differs from units held and escrowed");
        }
        ensure!(units.is_empty(), "units of a token that does not exist");

        for who in accounts {
            deposits.entry(who.clone()).or_insert_with(Zero::zero);
            escrow.entry(who.clone()).or_insert_with(Zero::zero);
        }
        for (who, expected) in deposits {
            let held = T::Currency::balance_on_hold(&HoldReason::StorageDeposit.into(), &who);
            ensure!(held == expected, "storage deposit held differs from the deposits recorded");
        }
        for (who, expected) in escrow {
            let held = T::Currency::balance_on_hold(&HoldReason::TradeEscrow.into(), &who);
            ensure!(held == expected, "trade escrow held differs from the LUD offered");
        }
        Ok(())
    }
}
