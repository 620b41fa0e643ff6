//! Tests by theme, all on the mock runtime and all ending with the invariant check
//! ([`crate::mock::run_test`]).

mod approvals;
mod attributes;
mod collections;
mod crafting;
mod freezing;
mod fuel;
mod fuzz;
mod market;
mod queries;
mod tokens;
mod trades;

use frame_support::{assert_ok, traits::fungible::InspectHold, BoundedVec};

use crate::{mock::*, *};

/// The studio account that owns the collections in tests.
pub const STUDIO: AccountId = 1;
/// A player.
pub const ALICE: AccountId = 2;
/// Another player.
pub const BOB: AccountId = 3;
/// An account given roles in tests.
pub const STAFF: AccountId = 4;
/// An account with no part in the collection.
pub const STRANGER: AccountId = 5;
/// The royalty beneficiary.
pub const BENEFICIARY: AccountId = 6;

/// A signed origin.
pub fn signed(who: AccountId) -> RuntimeOrigin {
    RuntimeOrigin::signed(who)
}

/// A bounded byte string.
pub fn bytes<S: frame_support::traits::Get<u32>>(value: &[u8]) -> BoundedVec<u8, S> {
    value.to_vec().try_into().expect("fits the bound")
}

/// Creates a transferable, burnable collection of `STUDIO` with a 5 % royalty to
/// `BENEFICIARY`.
pub fn new_collection() -> CollectionId {
    new_collection_with(CollectionPolicy::default(), Some(Royalty { bps: 500, beneficiary: BENEFICIARY }))
}

/// Creates a collection of `STUDIO` with the given policy and royalty.
pub fn new_collection_with(policy: CollectionPolicy, royalty: Option<Royalty<AccountId>>) -> CollectionId {
    let id = NextCollectionId::<Test>::get();
    assert_ok!(GameAssets::create_collection(signed(STUDIO), policy, royalty));
    id
}

/// Creates a token in `collection` as `STUDIO`.
pub fn new_token(collection: CollectionId, max_supply: TokenAmount) -> TokenId {
    let id = Collections::<Test>::get(collection).unwrap().next_token_id;
    assert_ok!(GameAssets::create_token(signed(STUDIO), collection, max_supply));
    id
}

/// Creates a token and mints `amount` of it to `to`.
pub fn minted(collection: CollectionId, max_supply: TokenAmount, to: AccountId, amount: TokenAmount) -> TokenId {
    let token = new_token(collection, max_supply);
    assert_ok!(GameAssets::mint(signed(STUDIO), collection, token, to, amount));
    token
}

/// LUD `who` has held as storage deposits.
pub fn deposit_of(who: AccountId) -> Balance {
    Balances::balance_on_hold(&HoldReason::StorageDeposit.into(), &who)
}

/// LUD `who` has held in trade escrow.
pub fn escrow_of(who: AccountId) -> Balance {
    Balances::balance_on_hold(&HoldReason::TradeEscrow.into(), &who)
}

/// `who`'s free LUD.
pub fn free(who: AccountId) -> Balance {
    Balances::free_balance(who)
}

/// The pallet's events so far.
pub fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::GameAssets(event) => Some(event),
            _ => None,
        })
        .collect()
}

/// The last event of the pallet.
pub fn last_event() -> Event<Test> {
    events().pop().expect("an event was emitted")
}

/// The state root, to show a failed call changed nothing.
pub fn state_root() -> Vec<u8> {
    sp_io::storage::root(sp_runtime::StateVersion::V1)
}
