//! The runtime API game clients read the pallet through (served as `ludus_*` RPC methods).
//!
//! The runtime implements it with one-line calls into the pallet:
//!
//! ```ignore
//! impl pallet_game_assets::runtime_api::GameAssetsApi<Block, AccountId, Balance> for Runtime {
//!     fn balances(c: CollectionId, who: AccountId, start: TokenId, limit: u32) -> BalancesPage {
//!         GameAssets::balances_page(c, &who, start, limit)
//!     }
//!     fn token(c: CollectionId, t: TokenId) -> Option<TokenDetails<AccountId, Balance>> {
//!         pallet_game_assets::Tokens::<Runtime>::get(c, t)
//!     }
//!     fn collection(c: CollectionId) -> Option<CollectionDetails<AccountId, Balance>> {
//!         pallet_game_assets::Collections::<Runtime>::get(c)
//!     }
//!     fn collection_metadata(c: CollectionId) -> Option<(Vec<u8>, Vec<u8>)> {
//!         GameAssets::collection_metadata(c)
//!     }
//!     fn attribute(c: CollectionId, t: Option<TokenId>, key: Vec<u8>) -> Option<Vec<u8>> {
//!         GameAssets::attribute(c, t, key)
//!     }
//!     fn attributes(c: CollectionId, t: Option<TokenId>) -> Vec<(Vec<u8>, Vec<u8>)> {
//!         GameAssets::attributes(c, t)
//!     }
//! }
//! ```

use alloc::vec::Vec;

use crate::types::{BalancesPage, CollectionDetails, CollectionId, TokenDetails, TokenId};

pub use crate::features::MAX_PAGE_SIZE;

sp_api::decl_runtime_apis! {
    /// Reads of game assets for clients.
    pub trait GameAssetsApi<AccountId, Balance>
    where
        AccountId: codec::Codec,
        Balance: codec::Codec,
    {
        /// `who`'s balances in `collection` from token `start` on, at most `limit` (capped at
        /// [`MAX_PAGE_SIZE`]), in token order; `next` is where the following page starts.
        fn balances(collection: CollectionId, who: AccountId, start: TokenId, limit: u32) -> BalancesPage;
        /// A token's supply, cap, frozen flag and deposit.
        fn token(collection: CollectionId, token: TokenId) -> Option<TokenDetails<AccountId, Balance>>;
        /// A collection's owner, policy, royalty and counts.
        fn collection(collection: CollectionId) -> Option<CollectionDetails<AccountId, Balance>>;
        /// A collection's name and URI.
        fn collection_metadata(collection: CollectionId) -> Option<(Vec<u8>, Vec<u8>)>;
        /// One attribute of the collection (`token: None`) or of a token.
        fn attribute(collection: CollectionId, token: Option<TokenId>, key: Vec<u8>) -> Option<Vec<u8>>;
        /// Every attribute of the collection (`token: None`) or of a token, as `(key, value)`.
        fn attributes(collection: CollectionId, token: Option<TokenId>) -> Vec<(Vec<u8>, Vec<u8>)>;
    }
}
