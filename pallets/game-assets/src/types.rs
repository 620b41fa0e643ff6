//! The records the pallet stores and the values its calls take.
//!
//! Token amounts are `u128` everywhere (an in-game currency may need more than 2^64 units);
//! LUD amounts are the `Balance` of `Config::Currency`.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{traits::fungible, BoundedVec};
use frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;

use crate::Config;

/// Identifies a collection; assigned in order from zero and never reused.
pub type CollectionId = u32;
/// Identifies a token inside its collection; assigned in order from zero per collection.
pub type TokenId = u32;
/// Identifies a market listing; assigned in order from zero across all collections.
pub type ListingId = u32;
/// Identifies a trade proposal; assigned in order from zero.
pub type TradeId = u32;
/// Identifies a crafting recipe inside its collection.
pub type RecipeId = u32;
/// A number of units of one token.
pub type TokenAmount = u128;

/// The account type of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// The LUD balance type of the runtime.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<AccountIdOf<T>>>::Balance;
/// The block number type of the runtime.
pub type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;

/// The basis points of a whole: a royalty of `MAX_ROYALTY_BPS` takes the full price.
pub const MAX_ROYALTY_BPS: u16 = 10_000;

/// The roles an owner grants inside a collection, as a set of flags.
///
/// The owner implicitly holds every role; roles only matter for other accounts.
#[derive(
    Clone, Copy, Default, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct Roles(pub u8);

impl Roles {
    /// Sets attributes, destroys empty tokens, defines and retires recipes.
    pub const ADMIN: Roles = Roles(0b001);
    /// Creates tokens and mints them.
    pub const ISSUER: Roles = Roles(0b010);
    /// Freezes and thaws the collection, its tokens and holdings.
    pub const FREEZER: Roles = Roles(0b100);
    /// Every role.
    pub const ALL: Roles = Roles(0b111);

    /// Whether every flag of `other` is set in `self`.
    pub fn contains(self, other: Roles) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no role is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether only known flags are set.
    pub fn is_valid(self) -> bool {
        self.0 & !Self::ALL.0 == 0
    }
}

impl core::ops::BitOr for Roles {
    type Output = Roles;

    fn bitor(self, other: Roles) -> Roles {
        Roles(self.0 | other.0)
    }
}

/// What holders may do with the tokens of a collection.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct CollectionPolicy {
    /// `false` makes every token soulbound: holders cannot transfer, list or trade it.
    pub transferable: bool,
    /// Whether a holder may burn their own tokens (crafting burns inputs regardless).
    pub burnable_by_holder: bool,
}

impl Default for CollectionPolicy {
    fn default() -> Self {
        Self { transferable: true, burnable_by_holder: true }
    }
}

/// The royalty paid to `beneficiary` on every market sale of a token of the collection.
///
/// The amount is `price * bps / 10_000`, rounded down, taken out of the seller's proceeds.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Royalty<AccountId> {
    /// Basis points of the sale price, at most [`MAX_ROYALTY_BPS`].
    pub bps: u16,
    /// Who receives the royalty.
    pub beneficiary: AccountId,
}

/// A collection of tokens owned by a studio.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct CollectionDetails<AccountId, Balance> {
    /// The studio account that created the collection; it holds every role and the deposit.
    pub owner: AccountId,
    /// LUD held from the owner for this record (`CollectionDeposit`).
    pub deposit: Balance,
    /// What holders may do with the tokens.
    pub policy: CollectionPolicy,
    /// The royalty taken on market sales, if any.
    pub royalty: Option<Royalty<AccountId>>,
    /// Whether the freezer stopped every movement of the collection's tokens.
    pub frozen: bool,
    /// The id the next created token receives.
    pub next_token_id: TokenId,
    /// How many tokens exist.
    pub tokens: u32,
    /// How many collection-level attributes exist.
    pub attributes: u32,
    /// How many accounts other than the owner hold a role.
    pub role_holders: u32,
    /// The id the next recipe receives.
    pub next_recipe_id: RecipeId,
    /// How many recipes exist.
    pub recipes: u32,
}

/// The name and URI of a collection, with the deposit paid for their bytes.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(StringLimit))]
pub struct CollectionMetadata<Balance, StringLimit: frame_support::traits::Get<u32>> {
    /// Human-readable name.
    pub name: BoundedVec<u8, StringLimit>,
    /// Where clients find off-chain data (images, descriptions).
    pub uri: BoundedVec<u8, StringLimit>,
    /// LUD held from the collection owner: `DepositPerByte * (name + uri bytes)`.
    pub deposit: Balance,
}

/// One token id of a collection: non-fungible when `max_supply` is 1.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct TokenDetails<AccountId, Balance> {
    /// The cap on `supply`.
    pub max_supply: TokenAmount,
    /// Units in existence: held by accounts, escrowed in listings and in trades.
    pub supply: TokenAmount,
    /// Whether the freezer stopped movements of this token.
    pub frozen: bool,
    /// How many attributes the token carries.
    pub attributes: u32,
    /// Who paid `deposit` (the issuer that created the token).
    pub depositor: AccountId,
    /// LUD held from `depositor` for this record (`TokenDeposit`).
    pub deposit: Balance,
}

/// An account's units of one token.
#[derive(Clone, Copy, Default, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Holding {
    /// Units held, never zero in storage (an empty holding is removed).
    pub amount: TokenAmount,
    /// Whether the freezer stopped this holding from moving.
    pub frozen: bool,
}

/// An attribute value with the deposit paid for it.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(ValueLimit))]
pub struct AttributeRecord<AccountId, Balance, ValueLimit: frame_support::traits::Get<u32>> {
    /// The value, up to `ValueLimit` bytes.
    pub value: BoundedVec<u8, ValueLimit>,
    /// The admin that wrote it and paid the deposit.
    pub depositor: AccountId,
    /// `AttributeDepositBase + DepositPerByte * (key + value bytes)`.
    pub deposit: Balance,
}

/// What the freezer freezes or thaws.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub enum FreezeTarget<AccountId> {
    /// Every token of the collection.
    Collection,
    /// One token, for every holder.
    Token(TokenId),
    /// One account's holding of one token.
    Holding(TokenId, AccountId),
}

/// An operator's permission to move an owner's tokens in one collection.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Approval<BlockNumber, Balance> {
    /// The last block in which the approval may be used; `None` for no end.
    pub expires: Option<BlockNumber>,
    /// LUD held from the owner (`ApprovalDeposit`).
    pub deposit: Balance,
}

/// Units of a token offered on the market; the units are escrowed in the listing.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Listing<AccountId, Balance> {
    /// Who listed and receives the proceeds.
    pub seller: AccountId,
    /// The token on sale.
    pub token: TokenId,
    /// Units still on sale (taken out of the seller's holding).
    pub amount: TokenAmount,
    /// LUD per unit.
    pub unit_price: Balance,
    /// LUD held from the seller (`ListingDeposit`).
    pub deposit: Balance,
}

/// Units of one token in a trade.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct TradeItem {
    /// The token's collection.
    pub collection: CollectionId,
    /// The token.
    pub token: TokenId,
    /// Units given.
    pub amount: TokenAmount,
}

/// What one side of a trade gives.
#[derive(
    CloneNoBound,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
)]
#[scale_info(skip_type_params(MaxItems))]
pub struct TradeSide<Balance, MaxItems: frame_support::traits::Get<u32>>
where
    Balance: Clone + PartialEq + Eq + Debug,
{
    /// Tokens given.
    pub items: BoundedVec<TradeItem, MaxItems>,
    /// LUD given.
    pub lud: Balance,
}

/// A trade proposed by `proposer` to `counterparty`; the proposer's side is escrowed.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxItems))]
pub struct Trade<
    AccountId,
    Balance: Clone + PartialEq + Eq + Debug,
    BlockNumber,
    MaxItems: frame_support::traits::Get<u32>,
> {
    /// Who proposed; their side is held in escrow until accepted or cancelled.
    pub proposer: AccountId,
    /// The only account that may accept.
    pub counterparty: AccountId,
    /// What the proposer gives (escrowed tokens, LUD on hold).
    pub give: TradeSide<Balance, MaxItems>,
    /// What the counterparty gives on acceptance.
    pub want: TradeSide<Balance, MaxItems>,
    /// The last block in which the trade may be accepted.
    pub expires: BlockNumber,
    /// LUD held from the proposer (`TradeDeposit`).
    pub deposit: Balance,
}

/// A crafting recipe: `inputs` are burned from the crafter, `outputs` minted to them, and
/// `fee` LUD paid to the collection owner.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxItems))]
pub struct Recipe<AccountId, Balance, MaxItems: frame_support::traits::Get<u32>> {
    /// Burned from the crafter.
    pub inputs: BoundedVec<(TokenId, TokenAmount), MaxItems>,
    /// Minted to the crafter (within each token's supply cap).
    pub outputs: BoundedVec<(TokenId, TokenAmount), MaxItems>,
    /// LUD the crafter pays the collection owner.
    pub fee: Balance,
    /// The admin that defined the recipe and paid the deposit.
    pub depositor: AccountId,
    /// LUD held from `depositor` (`RecipeDeposit`).
    pub deposit: Balance,
}

/// The sponsorship settings of a collection's fuel tank.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct FuelTank<Balance> {
    /// The fees, in LUD, the tank pays for each player that has no limit of its own.
    pub default_player_limit: Balance,
}

/// One player's fee budget in a collection's fuel tank.
#[derive(Clone, Default, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct PlayerFuel<Balance> {
    /// The player's own limit, overriding the tank's default.
    pub limit: Option<Balance>,
    /// Fees the tank has paid for this player so far.
    pub used: Balance,
}

/// One page of an account's balances in a collection, for the runtime API.
#[derive(Clone, Encode, Decode, TypeInfo, PartialEq, Eq, Debug)]
pub struct BalancesPage {
    /// `(token, amount)` in ascending token order, starting at the requested token.
    pub balances: alloc::vec::Vec<(TokenId, TokenAmount)>,
    /// Where the next page starts, if there is one.
    pub next: Option<TokenId>,
}
