//! Reads for the runtime API: what a game client shows.

use alloc::vec::Vec;

use crate::*;

/// The most balances one page returns, whatever the caller asks.
pub const MAX_PAGE_SIZE: u32 = 1_000;

impl<T: Config> Pallet<T> {
    /// `who`'s balances in a collection from token `start` on, at most `limit`
    /// (and `MAX_PAGE_SIZE`) of them, in token order.
    pub fn balances_page(collection: CollectionId, who: &T::AccountId, start: TokenId, limit: u32) -> BalancesPage {
        let limit = limit.min(MAX_PAGE_SIZE) as usize;
        let mut balances: Vec<(TokenId, TokenAmount)> = Holdings::<T>::iter_prefix((collection, who))
            .filter(|(token, _)| *token >= start)
            .map(|(token, holding)| (token, holding.amount))
            .collect();
        balances.sort_unstable_by_key(|(token, _)| *token);
        let next = balances.get(limit).map(|(token, _)| *token);
        balances.truncate(limit);
        BalancesPage { balances, next }
    }

    /// The value of one attribute, if set.
    pub fn attribute(collection: CollectionId, token: Option<TokenId>, key: Vec<u8>) -> Option<Vec<u8>> {
        let key: BoundedVec<u8, T::KeyLimit> = key.try_into().ok()?;
        Attributes::<T>::get((collection, token, key)).map(|record| record.value.into_inner())
    }

    /// Every attribute of the collection (`token: None`) or of one token, as `(key, value)`.
    pub fn attributes(collection: CollectionId, token: Option<TokenId>) -> Vec<(Vec<u8>, Vec<u8>)> {
        Attributes::<T>::iter_prefix((collection, token))
            .map(|(key, record)| (key.into_inner(), record.value.into_inner()))
            .collect()
    }

    /// The name and URI of a collection, if set.
    pub fn collection_metadata(collection: CollectionId) -> Option<(Vec<u8>, Vec<u8>)> {
        CollectionMetadataOf::<T>::get(collection).map(|m| (m.name.into_inner(), m.uri.into_inner()))
    }
}

use frame_support::BoundedVec;
