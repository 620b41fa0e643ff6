//! # Game assets
//!
//! The pallet Ludus studios run their game economies with: collections of tokens owned by a
//! studio, where each token id has a supply cap (a cap of 1 is a non-fungible item, larger caps
//! are in-game currencies and stackable items, as in ERC-1155).
//!
//! ## What it owns
//!
//! - **Collections** ([`Collections`]) with an owner, roles granted by the owner
//!   ([`CollectionRoles`]: admin, issuer, freezer), a [`CollectionPolicy`] (transferable or
//!   soulbound, burnable by holders or not), metadata, a [`Royalty`] and a fuel tank.
//! - **Tokens** ([`Tokens`]) and **holdings** ([`Holdings`], per collection, account and token),
//!   minted by issuers, burned, transferred, in batches bounded by `MaxBatch`.
//! - **Attributes** ([`Attributes`]) on collections and tokens, written by admins.
//! - **Approvals** ([`Approvals`]): an operator may move an owner's tokens in one collection.
//! - **Freezing** of a collection, a token or one holding, by freezers.
//! - **Deposits**: every record someone creates holds LUD from them under
//!   [`HoldReason::StorageDeposit`], released in full when the record is removed.
//! - **Market** ([`Listings`]): listed units are escrowed in the listing; a sale pays the
//!   collection's royalty to its beneficiary and the rest to the seller.
//! - **Trades** ([`Trades`]): the proposer's side is escrowed (tokens in the trade, LUD on hold
//!   under [`HoldReason::TradeEscrow`]) until the counterparty accepts, the proposer cancels, or
//!   anyone cancels it after it expired.
//! - **Crafting** ([`Recipes`]): a player burns inputs and receives outputs in one call.
//! - **Sponsored fees** ([`FuelTanks`], [`PlayerFuelOf`]): a studio funds a tank account per
//!   collection; [`SponsoredFees`] (an `OnChargeTransaction` wrapper for the runtime) pays the
//!   fees of players' game-assets calls on that collection from it, within per-player budgets.
//!
//! ## How data flows
//!
//! Calls in this file check the origin and hand over to `do_*` functions in `features/`, one
//! file per capability. Every call is transactional: an error rolls back all its writes, which is
//! what makes purchases, trades and crafting atomic. [`Pallet::do_try_state`] checks the
//! invariants (supply, deposits, escrow) and runs after every test and fuzzer step.
//!
//! The pallet spawns no tasks; clients read it through [`runtime_api::GameAssetsApi`].

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;

mod features;
pub mod runtime_api;
pub mod sponsored;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod weights_gen;

pub use pallet::*;
pub use sponsored::SponsoredFees;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's `pallet` macro expands to `expect` calls (metadata, storage prefixes) we do not
// control; the code written in this module itself uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use frame_support::{
        pallet_prelude::*,
        traits::fungible::{Inspect, Mutate, MutateHold},
        PalletId,
    };
    use frame_system::pallet_prelude::*;

    /// The pallet's storage layout version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// Why the pallet holds LUD from an account.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// A deposit for a record the account created (collection, token, attribute, ...).
        StorageDeposit,
        /// LUD the account offered in a trade proposal that is still open.
        TradeEscrow,
    }

    #[pallet::config]
    pub trait Config: frame_system::Config {
        /// The native currency (LUD): deposits are held, prices and fees transferred in it.
        type Currency: Inspect<Self::AccountId>
            + Mutate<Self::AccountId>
            + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

        /// The runtime's hold reason, which includes this pallet's [`HoldReason`].
        type RuntimeHoldReason: From<HoldReason>;

        /// Derives the fuel tank account of each collection.
        #[pallet::constant]
        type PalletId: Get<PalletId>;

        /// LUD held from the owner while a collection exists.
        #[pallet::constant]
        type CollectionDeposit: Get<BalanceOf<Self>>;

        /// LUD held from the issuer that creates a token while the token exists.
        #[pallet::constant]
        type TokenDeposit: Get<BalanceOf<Self>>;

        /// LUD held per attribute, on top of `DepositPerByte` for its key and value.
        #[pallet::constant]
        type AttributeDepositBase: Get<BalanceOf<Self>>;

        /// LUD held per byte of attribute keys and values and of collection metadata.
        #[pallet::constant]
        type DepositPerByte: Get<BalanceOf<Self>>;

        /// LUD held from the owner per operator approval.
        #[pallet::constant]
        type ApprovalDeposit: Get<BalanceOf<Self>>;

        /// LUD held from the seller per open listing.
        #[pallet::constant]
        type ListingDeposit: Get<BalanceOf<Self>>;

        /// LUD held from the proposer per open trade.
        #[pallet::constant]
        type TradeDeposit: Get<BalanceOf<Self>>;

        /// LUD held from the admin per recipe.
        #[pallet::constant]
        type RecipeDeposit: Get<BalanceOf<Self>>;

        /// The longest collection name or URI, in bytes.
        #[pallet::constant]
        type StringLimit: Get<u32>;

        /// The longest attribute key, in bytes.
        #[pallet::constant]
        type KeyLimit: Get<u32>;

        /// The longest attribute value, in bytes.
        #[pallet::constant]
        type ValueLimit: Get<u32>;

        /// The most attributes on one collection, and on one token.
        #[pallet::constant]
        type MaxAttributes: Get<u32>;

        /// The most accounts besides the owner that hold roles in one collection.
        #[pallet::constant]
        type MaxRoleHolders: Get<u32>;

        /// The most entries in one batch mint or batch transfer.
        #[pallet::constant]
        type MaxBatch: Get<u32>;

        /// The most token entries on one side of a trade, and among a recipe's inputs or outputs.
        #[pallet::constant]
        type MaxTradeItems: Get<u32>;

        /// The longest a trade proposal may stay open, in blocks.
        #[pallet::constant]
        type MaxTradeDuration: Get<BlockNumberFor<Self>>;

        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// The id the next collection receives.
    #[pallet::storage]
    pub type NextCollectionId<T> = StorageValue<_, CollectionId, ValueQuery>;

    /// Every collection.
    #[pallet::storage]
    pub type Collections<T: Config> =
        StorageMap<_, Blake2_128Concat, CollectionId, CollectionDetails<T::AccountId, BalanceOf<T>>>;

    /// The name and URI of collections that have them.
    #[pallet::storage]
    pub type CollectionMetadataOf<T: Config> =
        StorageMap<_, Blake2_128Concat, CollectionId, CollectionMetadata<BalanceOf<T>, T::StringLimit>>;

    /// The roles granted in a collection to accounts other than its owner (never empty).
    #[pallet::storage]
    pub type CollectionRoles<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, CollectionId, Blake2_128Concat, T::AccountId, Roles>;

    /// Every token, by collection and token id.
    #[pallet::storage]
    pub type Tokens<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        CollectionId,
        Twox64Concat,
        TokenId,
        TokenDetails<T::AccountId, BalanceOf<T>>,
    >;

    /// Non-empty holdings by (collection, account, token), so one account's balances in a
    /// collection share a key prefix (read by the runtime API).
    #[pallet::storage]
    pub type Holdings<T: Config> = StorageNMap<
        _,
        (
            NMapKey<Blake2_128Concat, CollectionId>,
            NMapKey<Blake2_128Concat, T::AccountId>,
            NMapKey<Twox64Concat, TokenId>,
        ),
        Holding,
    >;

    /// Attributes by (collection, token or `None` for the collection itself, key).
    #[pallet::storage]
    pub type Attributes<T: Config> = StorageNMap<
        _,
        (
            NMapKey<Blake2_128Concat, CollectionId>,
            NMapKey<Blake2_128Concat, Option<TokenId>>,
            NMapKey<Blake2_128Concat, BoundedVec<u8, T::KeyLimit>>,
        ),
        AttributeRecord<T::AccountId, BalanceOf<T>, T::ValueLimit>,
    >;

    /// Operator approvals by (collection, owner, operator).
    #[pallet::storage]
    pub type Approvals<T: Config> = StorageNMap<
        _,
        (
            NMapKey<Blake2_128Concat, CollectionId>,
            NMapKey<Blake2_128Concat, T::AccountId>,
            NMapKey<Blake2_128Concat, T::AccountId>,
        ),
        Approval<BlockNumberFor<T>, BalanceOf<T>>,
    >;

    /// The id the next listing receives.
    #[pallet::storage]
    pub type NextListingId<T> = StorageValue<_, ListingId, ValueQuery>;

    /// Open market listings by (collection, listing id).
    #[pallet::storage]
    pub type Listings<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        CollectionId,
        Twox64Concat,
        ListingId,
        Listing<T::AccountId, BalanceOf<T>>,
    >;

    /// The id the next trade proposal receives.
    #[pallet::storage]
    pub type NextTradeId<T> = StorageValue<_, TradeId, ValueQuery>;

    /// Open trade proposals.
    #[pallet::storage]
    pub type Trades<T: Config> =
        StorageMap<_, Twox64Concat, TradeId, Trade<T::AccountId, BalanceOf<T>, BlockNumberFor<T>, T::MaxTradeItems>>;

    /// Crafting recipes by (collection, recipe id).
    #[pallet::storage]
    pub type Recipes<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        CollectionId,
        Twox64Concat,
        RecipeId,
        Recipe<T::AccountId, BalanceOf<T>, T::MaxTradeItems>,
    >;

    /// Sponsorship settings of collections whose fuel tank was set up.
    #[pallet::storage]
    pub type FuelTanks<T: Config> = StorageMap<_, Blake2_128Concat, CollectionId, FuelTank<BalanceOf<T>>>;

    /// Per-player fee budgets and use, by (collection, player).
    #[pallet::storage]
    pub type PlayerFuelOf<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        CollectionId,
        Blake2_128Concat,
        T::AccountId,
        PlayerFuel<BalanceOf<T>>,
        ValueQuery,
    >;

    /// Events name every party and amount, so indexers need no storage reads.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    #[allow(missing_docs)] // Field names say what each is; the variant docs say the rest.
    pub enum Event<T: Config> {
        /// A collection was created.
        CollectionCreated { collection: CollectionId, owner: T::AccountId },
        /// An empty collection was destroyed and its deposits released.
        CollectionDestroyed { collection: CollectionId },
        /// The roles of `who` in a collection were set (empty roles: revoked).
        RolesSet { collection: CollectionId, who: T::AccountId, roles: Roles },
        /// The name and URI of a collection were set.
        CollectionMetadataSet {
            collection: CollectionId,
            name: BoundedVec<u8, T::StringLimit>,
            uri: BoundedVec<u8, T::StringLimit>,
        },
        /// A token was created.
        TokenCreated { collection: CollectionId, token: TokenId, max_supply: TokenAmount, creator: T::AccountId },
        /// A token with no supply left was destroyed and its deposits released.
        TokenDestroyed { collection: CollectionId, token: TokenId },
        /// Units of a token were minted.
        Minted { collection: CollectionId, token: TokenId, to: T::AccountId, amount: TokenAmount },
        /// Units of a token were burned by their holder.
        Burned { collection: CollectionId, token: TokenId, from: T::AccountId, amount: TokenAmount },
        /// Units of a token changed hands.
        Transferred {
            collection: CollectionId,
            token: TokenId,
            from: T::AccountId,
            to: T::AccountId,
            amount: TokenAmount,
        },
        /// An attribute was written.
        AttributeSet {
            collection: CollectionId,
            token: Option<TokenId>,
            key: BoundedVec<u8, T::KeyLimit>,
            value: BoundedVec<u8, T::ValueLimit>,
        },
        /// An attribute was removed.
        AttributeCleared { collection: CollectionId, token: Option<TokenId>, key: BoundedVec<u8, T::KeyLimit> },
        /// An owner let an operator move its tokens in a collection.
        ApprovalGranted {
            collection: CollectionId,
            owner: T::AccountId,
            operator: T::AccountId,
            expires: Option<BlockNumberFor<T>>,
        },
        /// An approval was cancelled.
        ApprovalCancelled { collection: CollectionId, owner: T::AccountId, operator: T::AccountId },
        /// A collection, token or holding was frozen.
        Frozen { collection: CollectionId, target: FreezeTarget<T::AccountId> },
        /// A collection, token or holding was thawed.
        Thawed { collection: CollectionId, target: FreezeTarget<T::AccountId> },
        /// Units of a token were put on sale.
        Listed {
            collection: CollectionId,
            listing: ListingId,
            seller: T::AccountId,
            token: TokenId,
            amount: TokenAmount,
            unit_price: BalanceOf<T>,
        },
        /// Units were bought from a listing; `royalty` of `price` went to the beneficiary.
        Sold {
            collection: CollectionId,
            listing: ListingId,
            token: TokenId,
            seller: T::AccountId,
            buyer: T::AccountId,
            amount: TokenAmount,
            price: BalanceOf<T>,
            royalty: BalanceOf<T>,
        },
        /// A listing was withdrawn and its remaining units returned to the seller.
        ListingCancelled { collection: CollectionId, listing: ListingId },
        /// A trade was proposed and the proposer's side escrowed.
        TradeProposed { trade: TradeId, proposer: T::AccountId, counterparty: T::AccountId, expires: BlockNumberFor<T> },
        /// A trade was accepted and both sides moved.
        TradeAccepted { trade: TradeId },
        /// A trade was cancelled and the escrow returned to the proposer.
        TradeCancelled { trade: TradeId },
        /// A recipe was defined.
        RecipeCreated { collection: CollectionId, recipe: RecipeId },
        /// A recipe was retired and its deposit released.
        RecipeRetired { collection: CollectionId, recipe: RecipeId },
        /// A player crafted with a recipe.
        Crafted { collection: CollectionId, recipe: RecipeId, who: T::AccountId },
        /// LUD was added to a collection's fuel tank.
        FuelTankFunded { collection: CollectionId, from: T::AccountId, amount: BalanceOf<T> },
        /// The owner took LUD out of a collection's fuel tank.
        FuelWithdrawn { collection: CollectionId, to: T::AccountId, amount: BalanceOf<T> },
        /// A fee budget was set: for one player, or (`player: None`) the default for all.
        PlayerFuelLimitSet { collection: CollectionId, player: Option<T::AccountId>, limit: BalanceOf<T> },
        /// A collection's fuel tank paid a player's transaction fee.
        FeeSponsored { collection: CollectionId, player: T::AccountId, fee: BalanceOf<T> },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// No collection has this id.
        UnknownCollection,
        /// No token has this id in the collection.
        UnknownToken,
        /// The caller lacks the role (or ownership) the call requires.
        NoPermission,
        /// Destroy the collection's tokens and retire its recipes first.
        CollectionNotEmpty,
        /// The token still has supply (held, listed or in trades); it cannot be destroyed.
        TokenInUse,
        /// The collection has `MaxRoleHolders` role holders; revoke one first.
        TooManyRoleHolders,
        /// The roles contain unknown flags, or were given to the owner (who holds all).
        InvalidRoles,
        /// Minting this would take the supply above the token's cap.
        MaxSupplyExceeded,
        /// A token's cap must be at least 1.
        ZeroMaxSupply,
        /// Amounts must be at least 1.
        ZeroAmount,
        /// The account holds fewer units than it tries to move.
        InsufficientBalance,
        /// The collection is soulbound: its tokens cannot be transferred, listed or traded.
        NotTransferable,
        /// The collection does not let holders burn tokens.
        NotBurnable,
        /// The collection, token or holding is frozen.
        Frozen,
        /// The collection or token has `MaxAttributes` attributes; clear one first.
        TooManyAttributes,
        /// No attribute has this key.
        UnknownAttribute,
        /// The caller is not an approved operator of the owner in this collection.
        NotApproved,
        /// The approval expired; the owner must approve again.
        ApprovalExpired,
        /// No approval of this operator exists.
        UnknownApproval,
        /// The expiry block has already passed, or is further out than `MaxTradeDuration`.
        InvalidExpiry,
        /// The account holds none of this token.
        UnknownHolding,
        /// A royalty cannot exceed 10 000 basis points.
        RoyaltyTooHigh,
        /// An amount or price computation overflowed.
        Overflow,
        /// No listing has this id in the collection.
        UnknownListing,
        /// The listing's price is above the `max_unit_price` the buyer accepted.
        PriceTooHigh,
        /// The listing holds fewer units than requested.
        ExceedsListing,
        /// No open trade has this id.
        UnknownTrade,
        /// Only the named counterparty may accept this trade.
        NotCounterparty,
        /// The trade expired; it can only be cancelled.
        TradeExpired,
        /// A trade needs two different accounts.
        TradeWithSelf,
        /// A trade must move something.
        EmptyTrade,
        /// No recipe has this id in the collection.
        UnknownRecipe,
        /// A recipe must have outputs.
        EmptyRecipe,
        /// The fuel tank holds less than requested.
        InsufficientFuel,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        #[cfg(feature = "try-runtime")]
        fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Create a collection owned by the caller.
        ///
        /// Anyone may call; holds `CollectionDeposit`. Emits `CollectionCreated`.
        /// Weight: `create_collection`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::create_collection())]
        pub fn create_collection(
            origin: OriginFor<T>,
            policy: CollectionPolicy,
            royalty: Option<Royalty<T::AccountId>>,
        ) -> DispatchResult {
            let owner = ensure_signed(origin)?;
            Self::do_create_collection(owner, policy, royalty).map(|_| ())
        }

        /// Destroy a collection that has no tokens and no recipes.
        ///
        /// Owner only. Removes the collection's attributes, roles and metadata, releases every
        /// deposit to whoever paid it, and sends what is left in the fuel tank to the owner.
        /// Emits `CollectionDestroyed`. Weight: `destroy_collection(MaxAttributes, MaxRoleHolders)`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::destroy_collection(T::MaxAttributes::get(), T::MaxRoleHolders::get(),))]
        pub fn destroy_collection(origin: OriginFor<T>, collection: CollectionId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_destroy_collection(who, collection)
        }

        /// Grant or revoke roles: `roles` replaces what `who` held (empty revokes all).
        ///
        /// Owner only. Emits `RolesSet`. Weight: `set_roles`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::set_roles())]
        pub fn set_roles(
            origin: OriginFor<T>,
            collection: CollectionId,
            who: T::AccountId,
            roles: Roles,
        ) -> DispatchResult {
            let caller = ensure_signed(origin)?;
            Self::do_set_roles(caller, collection, who, roles)
        }

        /// Set the collection's name and URI, holding `DepositPerByte` per byte from the owner.
        ///
        /// Owner only. Emits `CollectionMetadataSet`. Weight: `set_collection_metadata`.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_collection_metadata())]
        pub fn set_collection_metadata(
            origin: OriginFor<T>,
            collection: CollectionId,
            name: BoundedVec<u8, T::StringLimit>,
            uri: BoundedVec<u8, T::StringLimit>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_set_collection_metadata(who, collection, name, uri)
        }

        /// Create the collection's next token id with a supply cap (1 for a unique item).
        ///
        /// Issuer only; holds `TokenDeposit` from the caller. Emits `TokenCreated`.
        /// Weight: `create_token`.
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::create_token())]
        pub fn create_token(origin: OriginFor<T>, collection: CollectionId, max_supply: TokenAmount) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_create_token(who, collection, max_supply).map(|_| ())
        }

        /// Destroy a token with no supply, removing its attributes and releasing deposits.
        ///
        /// Admin only. Emits `TokenDestroyed`. Weight: `destroy_token(MaxAttributes)`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::destroy_token(T::MaxAttributes::get()))]
        pub fn destroy_token(origin: OriginFor<T>, collection: CollectionId, token: TokenId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_destroy_token(who, collection, token)
        }

        /// Mint `amount` units of a token to `to`, within the token's cap.
        ///
        /// Issuer only. Emits `Minted`. Weight: `mint`.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::mint())]
        pub fn mint(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: TokenId,
            to: T::AccountId,
            amount: TokenAmount,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_issue(&who, collection, core::iter::once((token, to, amount)))
        }

        /// Mint several `(token, to, amount)` entries at once; all or none.
        ///
        /// Issuer only. Emits `Minted` per entry. Weight: `batch_mint(n)`.
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::batch_mint(mints.len() as u32))]
        pub fn batch_mint(
            origin: OriginFor<T>,
            collection: CollectionId,
            mints: BoundedVec<(TokenId, T::AccountId, TokenAmount), T::MaxBatch>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_issue(&who, collection, mints.into_iter())
        }

        /// Burn `amount` of the caller's units of a token.
        ///
        /// Any holder, if the collection's policy lets holders burn and nothing is frozen.
        /// Emits `Burned`. Weight: `burn`.
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::burn())]
        pub fn burn(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: TokenId,
            amount: TokenAmount,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_burn(who, collection, token, amount)
        }

        /// Transfer `amount` of the caller's units of a token to `to`.
        ///
        /// Any holder of a transferable, unfrozen token. Emits `Transferred`. Weight: `transfer`.
        #[pallet::call_index(9)]
        #[pallet::weight(T::WeightInfo::transfer())]
        pub fn transfer(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: TokenId,
            to: T::AccountId,
            amount: TokenAmount,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_transfer(collection, token, &who, &to, amount)
        }

        /// Transfer several `(token, to, amount)` entries of the caller's at once; all or none.
        ///
        /// Any holder. Emits `Transferred` per entry. Weight: `batch_transfer(n)`.
        #[pallet::call_index(10)]
        #[pallet::weight(T::WeightInfo::batch_transfer(transfers.len() as u32))]
        pub fn batch_transfer(
            origin: OriginFor<T>,
            collection: CollectionId,
            transfers: BoundedVec<(TokenId, T::AccountId, TokenAmount), T::MaxBatch>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            for (token, to, amount) in transfers {
                Self::do_transfer(collection, token, &who, &to, amount)?;
            }
            Ok(())
        }

        /// Transfer `amount` of `from`'s units of a token to `to`, as `from`'s operator.
        ///
        /// An operator `from` approved in this collection (unexpired). Emits `Transferred`.
        /// Weight: `transfer_from`.
        #[pallet::call_index(11)]
        #[pallet::weight(T::WeightInfo::transfer_from())]
        pub fn transfer_from(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: TokenId,
            from: T::AccountId,
            to: T::AccountId,
            amount: TokenAmount,
        ) -> DispatchResult {
            let operator = ensure_signed(origin)?;
            Self::ensure_operator(collection, &from, &operator)?;
            Self::do_transfer(collection, token, &from, &to, amount)
        }

        /// Write an attribute of the collection (`token: None`) or of one token.
        ///
        /// Admin only; holds `AttributeDepositBase + DepositPerByte * (key + value bytes)` from
        /// the caller (a rewrite settles the difference). Emits `AttributeSet`.
        /// Weight: `set_attribute`.
        #[pallet::call_index(12)]
        #[pallet::weight(T::WeightInfo::set_attribute())]
        pub fn set_attribute(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: Option<TokenId>,
            key: BoundedVec<u8, T::KeyLimit>,
            value: BoundedVec<u8, T::ValueLimit>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_set_attribute(who, collection, token, key, value)
        }

        /// Remove an attribute, releasing its deposit to whoever paid it.
        ///
        /// Admin only. Emits `AttributeCleared`. Weight: `clear_attribute`.
        #[pallet::call_index(13)]
        #[pallet::weight(T::WeightInfo::clear_attribute())]
        pub fn clear_attribute(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: Option<TokenId>,
            key: BoundedVec<u8, T::KeyLimit>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_clear_attribute(who, collection, token, key)
        }

        /// Let `operator` move the caller's tokens in a collection, up to block `expires`.
        ///
        /// Any account; holds `ApprovalDeposit` (once per operator). Emits `ApprovalGranted`.
        /// Weight: `approve`.
        #[pallet::call_index(14)]
        #[pallet::weight(T::WeightInfo::approve())]
        pub fn approve(
            origin: OriginFor<T>,
            collection: CollectionId,
            operator: T::AccountId,
            expires: Option<BlockNumberFor<T>>,
        ) -> DispatchResult {
            let owner = ensure_signed(origin)?;
            Self::do_approve(owner, collection, operator, expires)
        }

        /// Cancel the caller's approval of `operator`, releasing its deposit.
        ///
        /// The approving owner; works after the collection is destroyed too.
        /// Emits `ApprovalCancelled`. Weight: `cancel_approval`.
        #[pallet::call_index(15)]
        #[pallet::weight(T::WeightInfo::cancel_approval())]
        pub fn cancel_approval(
            origin: OriginFor<T>,
            collection: CollectionId,
            operator: T::AccountId,
        ) -> DispatchResult {
            let owner = ensure_signed(origin)?;
            Self::do_cancel_approval(owner, collection, operator)
        }

        /// Freeze (`frozen: true`) or thaw the collection, one token, or one holding.
        ///
        /// Freezer only. Frozen tokens cannot be transferred, burned, listed, bought, traded or
        /// used in crafting. Emits `Frozen` or `Thawed`. Weight: `set_frozen`.
        #[pallet::call_index(16)]
        #[pallet::weight(T::WeightInfo::set_frozen())]
        pub fn set_frozen(
            origin: OriginFor<T>,
            collection: CollectionId,
            target: FreezeTarget<T::AccountId>,
            frozen: bool,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_set_frozen(who, collection, target, frozen)
        }

        /// Put `amount` of the caller's units of a token on sale at `unit_price` LUD each.
        ///
        /// Any holder of a transferable, unfrozen token; the units move into the listing and
        /// `ListingDeposit` is held. Emits `Listed`. Weight: `list`.
        #[pallet::call_index(17)]
        #[pallet::weight(T::WeightInfo::list())]
        pub fn list(
            origin: OriginFor<T>,
            collection: CollectionId,
            token: TokenId,
            amount: TokenAmount,
            unit_price: BalanceOf<T>,
        ) -> DispatchResult {
            let seller = ensure_signed(origin)?;
            Self::do_list(seller, collection, token, amount, unit_price).map(|_| ())
        }

        /// Buy `amount` units from a listing, paying at most `max_unit_price` LUD each.
        ///
        /// Any account. The price is `unit_price * amount`; the royalty
        /// (`price * bps / 10_000`, rounded down) goes to the collection's beneficiary and the
        /// rest to the seller. All or nothing. Emits `Sold`. Weight: `buy`.
        #[pallet::call_index(18)]
        #[pallet::weight(T::WeightInfo::buy())]
        pub fn buy(
            origin: OriginFor<T>,
            collection: CollectionId,
            listing: ListingId,
            amount: TokenAmount,
            max_unit_price: BalanceOf<T>,
        ) -> DispatchResult {
            let buyer = ensure_signed(origin)?;
            Self::do_buy(buyer, collection, listing, amount, max_unit_price)
        }

        /// Withdraw a listing, returning its units and deposit to the seller.
        ///
        /// The seller. Emits `ListingCancelled`. Weight: `cancel_listing`.
        #[pallet::call_index(19)]
        #[pallet::weight(T::WeightInfo::cancel_listing())]
        pub fn cancel_listing(origin: OriginFor<T>, collection: CollectionId, listing: ListingId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel_listing(who, collection, listing)
        }

        /// Propose a trade to `counterparty`: the caller gives `give`, receives `want`.
        ///
        /// Any account. `give` is escrowed at once (tokens into the trade, LUD on hold) and
        /// `TradeDeposit` is held; the trade can be accepted up to block `expires`, at most
        /// `MaxTradeDuration` ahead. Emits `TradeProposed`. Weight: `propose_trade(n)` for `n`
        /// token entries.
        #[pallet::call_index(20)]
        #[pallet::weight(T::WeightInfo::propose_trade(
			give.items.len() as u32 + want.items.len() as u32,
		))]
        pub fn propose_trade(
            origin: OriginFor<T>,
            counterparty: T::AccountId,
            give: TradeSide<BalanceOf<T>, T::MaxTradeItems>,
            want: TradeSide<BalanceOf<T>, T::MaxTradeItems>,
            expires: BlockNumberFor<T>,
        ) -> DispatchResult {
            let proposer = ensure_signed(origin)?;
            Self::do_propose_trade(proposer, counterparty, give, want, expires).map(|_| ())
        }

        /// Accept a trade: both sides move, or nothing does.
        ///
        /// The counterparty, until the trade expires. Emits `TradeAccepted`.
        /// Weight: `accept_trade(2 * MaxTradeItems)`.
        #[pallet::call_index(21)]
        #[pallet::weight(T::WeightInfo::accept_trade(T::MaxTradeItems::get() * 2))]
        pub fn accept_trade(origin: OriginFor<T>, trade: TradeId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_accept_trade(who, trade)
        }

        /// Cancel a trade and return the escrow to the proposer.
        ///
        /// The proposer at any time; anyone once the trade expired. Emits `TradeCancelled`.
        /// Weight: `cancel_trade(MaxTradeItems)`.
        #[pallet::call_index(22)]
        #[pallet::weight(T::WeightInfo::cancel_trade(T::MaxTradeItems::get()))]
        pub fn cancel_trade(origin: OriginFor<T>, trade: TradeId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel_trade(who, trade)
        }

        /// Define a recipe: `inputs` burned, `outputs` minted, `fee` LUD paid to the owner.
        ///
        /// Admin only; holds `RecipeDeposit`. Emits `RecipeCreated`. Weight: `create_recipe`.
        #[pallet::call_index(23)]
        #[pallet::weight(T::WeightInfo::create_recipe())]
        pub fn create_recipe(
            origin: OriginFor<T>,
            collection: CollectionId,
            inputs: BoundedVec<(TokenId, TokenAmount), T::MaxTradeItems>,
            outputs: BoundedVec<(TokenId, TokenAmount), T::MaxTradeItems>,
            fee: BalanceOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_create_recipe(who, collection, inputs, outputs, fee).map(|_| ())
        }

        /// Retire a recipe, releasing its deposit.
        ///
        /// Admin only. Emits `RecipeRetired`. Weight: `retire_recipe`.
        #[pallet::call_index(24)]
        #[pallet::weight(T::WeightInfo::retire_recipe())]
        pub fn retire_recipe(origin: OriginFor<T>, collection: CollectionId, recipe: RecipeId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_retire_recipe(who, collection, recipe)
        }

        /// Craft with a recipe: burn its inputs from the caller, mint its outputs to the
        /// caller and pay its fee to the collection owner, all or nothing.
        ///
        /// Any account holding the inputs. Emits `Crafted`. Weight: `craft(MaxTradeItems)`
        /// before dispatch (the recipe is not known yet), the recipe's own `craft(n)` after: the
        /// difference goes back to the payer and to the block.
        #[pallet::call_index(25)]
        #[pallet::weight(T::WeightInfo::craft(T::MaxTradeItems::get()))]
        pub fn craft(origin: OriginFor<T>, collection: CollectionId, recipe: RecipeId) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let items = Self::do_craft(who, collection, recipe)?;
            Ok(Some(T::WeightInfo::craft(items)).into())
        }

        /// Move `amount` LUD from the caller into the collection's fuel tank.
        ///
        /// Anyone (usually the studio). Emits `FuelTankFunded`. Weight: `fund_fuel_tank`.
        #[pallet::call_index(26)]
        #[pallet::weight(T::WeightInfo::fund_fuel_tank())]
        pub fn fund_fuel_tank(origin: OriginFor<T>, collection: CollectionId, amount: BalanceOf<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_fund_fuel_tank(who, collection, amount)
        }

        /// Move `amount` LUD from the collection's fuel tank to the owner.
        ///
        /// Owner only. Emits `FuelWithdrawn`. Weight: `withdraw_fuel`.
        #[pallet::call_index(27)]
        #[pallet::weight(T::WeightInfo::withdraw_fuel())]
        pub fn withdraw_fuel(origin: OriginFor<T>, collection: CollectionId, amount: BalanceOf<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_withdraw_fuel(who, collection, amount)
        }

        /// Set the fees the tank pays per player: for `player`, or for everyone without a
        /// limit of their own (`player: None`). A limit of zero stops sponsoring.
        ///
        /// Owner only. Emits `PlayerFuelLimitSet`. Weight: `set_player_fuel_limit`.
        #[pallet::call_index(28)]
        #[pallet::weight(T::WeightInfo::set_player_fuel_limit())]
        pub fn set_player_fuel_limit(
            origin: OriginFor<T>,
            collection: CollectionId,
            player: Option<T::AccountId>,
            limit: BalanceOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_set_player_fuel_limit(who, collection, player, limit)
        }
    }
}
