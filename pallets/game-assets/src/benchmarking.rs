//! Benchmarks of every call (frame-benchmarking v2), each in its worst case.
//!
//! Setup code unwraps: a failure there means the benchmark itself is wrong, and the
//! benchmark test suite run against the mock (`cargo test --features runtime-benchmarks`)
//! catches it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{fungible::Mutate, Get},
    BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Bounded;

use crate::*;

/// Plenty for any deposit, price or fee in a benchmark, with room for many accounts.
fn rich<T: Config>() -> BalanceOf<T> {
    BalanceOf::<T>::max_value() / BalanceOf::<T>::from(1_000_000u32)
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
    let who: T::AccountId = account(name, index, 0);
    T::Currency::set_balance(&who, rich::<T>());
    who
}

/// A collection of `owner` with a royalty, so sales pay it.
fn collection<T: Config>(owner: &T::AccountId) -> CollectionId {
    let royalty = Royalty { bps: 500, beneficiary: funded::<T>("beneficiary", 0) };
    Pallet::<T>::do_create_collection(owner.clone(), CollectionPolicy::default(), Some(royalty)).unwrap()
}

/// A token of `c` created by its owner, with `amount` minted to `to` (if any).
fn token<T: Config>(owner: &T::AccountId, c: CollectionId, to: &T::AccountId, amount: TokenAmount) -> TokenId {
    let t = Pallet::<T>::do_create_token(owner.clone(), c, u128::MAX).unwrap();
    if amount > 0 {
        Pallet::<T>::mint_into(c, t, to, amount).unwrap();
    }
    t
}

fn key<T: Config>(i: u32) -> BoundedVec<u8, T::KeyLimit> {
    let mut key = vec![b'k'; T::KeyLimit::get() as usize];
    let bytes = i.to_le_bytes();
    let n = key.len().min(4);
    key[..n].copy_from_slice(&bytes[..n]);
    key.try_into().unwrap()
}

fn value<T: Config>() -> BoundedVec<u8, T::ValueLimit> {
    vec![7u8; T::ValueLimit::get() as usize].try_into().unwrap()
}

fn set_attributes<T: Config>(owner: &T::AccountId, c: CollectionId, t: Option<TokenId>, n: u32) {
    for i in 0..n {
        Pallet::<T>::do_set_attribute(owner.clone(), c, t, key::<T>(i), value::<T>()).unwrap();
    }
}

fn trade_side<T: Config>(
    owner: &T::AccountId,
    c: CollectionId,
    holder: &T::AccountId,
    n: u32,
    lud: BalanceOf<T>,
) -> TradeSide<BalanceOf<T>, T::MaxTradeItems> {
    let items: Vec<TradeItem> =
        (0..n).map(|_| TradeItem { collection: c, token: token::<T>(owner, c, holder, 10), amount: 10 }).collect();
    TradeSide { items: items.try_into().unwrap(), lud }
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn create_collection() {
        let caller = funded::<T>("caller", 0);
        let royalty = Some(Royalty { bps: 500, beneficiary: caller.clone() });
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), CollectionPolicy::default(), royalty);
        assert!(Collections::<T>::contains_key(0));
    }

    #[benchmark]
    fn destroy_collection(a: Linear<0, { T::MaxAttributes::get() }>, r: Linear<0, { T::MaxRoleHolders::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        set_attributes::<T>(&owner, c, None, a);
        for i in 0..r {
            Pallet::<T>::do_set_roles(owner.clone(), c, account("staff", i, 0), Roles::ALL).unwrap();
        }
        let name: BoundedVec<u8, T::StringLimit> = vec![1u8; T::StringLimit::get() as usize].try_into().unwrap();
        Pallet::<T>::do_set_collection_metadata(owner.clone(), c, name.clone(), name).unwrap();
        Pallet::<T>::do_fund_fuel_tank(owner.clone(), c, rich::<T>() / 10u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c);
        assert!(!Collections::<T>::contains_key(c));
    }

    #[benchmark]
    fn set_roles() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let staff: T::AccountId = account("staff", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, staff.clone(), Roles::ALL);
        assert_eq!(CollectionRoles::<T>::get(c, staff), Some(Roles::ALL));
    }

    #[benchmark]
    fn set_collection_metadata() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let name: BoundedVec<u8, T::StringLimit> = vec![1u8; T::StringLimit::get() as usize].try_into().unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, name.clone(), name);
        assert!(CollectionMetadataOf::<T>::contains_key(c));
    }

    #[benchmark]
    fn create_token() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, 1_000);
        assert!(Tokens::<T>::contains_key(c, 0));
    }

    #[benchmark]
    fn destroy_token(a: Linear<0, { T::MaxAttributes::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 0);
        set_attributes::<T>(&owner, c, Some(t), a);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, t);
        assert!(!Tokens::<T>::contains_key(c, t));
    }

    #[benchmark]
    fn mint() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 0);
        let to: T::AccountId = account("to", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, t, to.clone(), 10);
        assert_eq!(Pallet::<T>::balance_of(c, t, &to), 10);
    }

    #[benchmark]
    fn batch_mint(n: Linear<1, { T::MaxBatch::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let mints: Vec<_> =
            (0..n).map(|i| (token::<T>(&owner, c, &owner, 0), account::<T::AccountId>("to", i, 0), 10)).collect();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, mints.try_into().unwrap());
        assert_eq!(Tokens::<T>::get(c, n - 1).unwrap().supply, 10);
    }

    #[benchmark]
    fn burn() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner.clone()), c, t, 10);
        assert_eq!(Pallet::<T>::balance_of(c, t, &owner), 0);
    }

    #[benchmark]
    fn transfer() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        let to: T::AccountId = account("to", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, t, to.clone(), 5);
        assert_eq!(Pallet::<T>::balance_of(c, t, &to), 5);
    }

    #[benchmark]
    fn batch_transfer(n: Linear<1, { T::MaxBatch::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let transfers: Vec<_> =
            (0..n).map(|i| (token::<T>(&owner, c, &owner, 10), account::<T::AccountId>("to", i, 0), 5)).collect();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, transfers.try_into().unwrap());
        assert_eq!(Pallet::<T>::balance_of(c, n - 1, &account("to", n - 1, 0)), 5);
    }

    #[benchmark]
    fn transfer_from() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        let operator = funded::<T>("operator", 0);
        Pallet::<T>::do_approve(owner.clone(), c, operator.clone(), Some(1_000u32.into())).unwrap();
        let to: T::AccountId = account("to", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(operator), c, t, owner, to.clone(), 5);
        assert_eq!(Pallet::<T>::balance_of(c, t, &to), 5);
    }

    #[benchmark]
    fn set_attribute() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 0);
        // Worst case: a rewrite of another admin's attribute (release one deposit, hold another).
        let admin = funded::<T>("admin", 0);
        Pallet::<T>::do_set_roles(owner.clone(), c, admin.clone(), Roles::ADMIN).unwrap();
        Pallet::<T>::do_set_attribute(admin, c, Some(t), key::<T>(0), value::<T>()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, Some(t), key::<T>(0), value::<T>());
        assert!(Attributes::<T>::contains_key((c, Some(t), key::<T>(0))));
    }

    #[benchmark]
    fn clear_attribute() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 0);
        set_attributes::<T>(&owner, c, Some(t), 1);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, Some(t), key::<T>(0));
        assert!(!Attributes::<T>::contains_key((c, Some(t), key::<T>(0))));
    }

    #[benchmark]
    fn approve() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let operator: T::AccountId = account("operator", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner.clone()), c, operator.clone(), Some(1_000u32.into()));
        assert!(Approvals::<T>::contains_key((c, owner, operator)));
    }

    #[benchmark]
    fn cancel_approval() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let operator: T::AccountId = account("operator", 0, 0);
        Pallet::<T>::do_approve(owner.clone(), c, operator.clone(), None).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner.clone()), c, operator.clone());
        assert!(!Approvals::<T>::contains_key((c, owner, operator)));
    }

    #[benchmark]
    fn set_frozen() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner.clone()), c, FreezeTarget::Holding(t, owner.clone()), true);
        assert!(Holdings::<T>::get((c, owner, t)).unwrap().frozen);
    }

    #[benchmark]
    fn list() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, t, 10, 1_000u32.into());
        assert!(Listings::<T>::contains_key(c, 0));
    }

    #[benchmark]
    fn buy() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let seller = funded::<T>("seller", 0);
        let t = token::<T>(&owner, c, &seller, 10);
        let listing = Pallet::<T>::do_list(seller, c, t, 10, 1_000u32.into()).unwrap();
        let buyer = funded::<T>("buyer", 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(buyer.clone()), c, listing, 10, 1_000u32.into());
        assert_eq!(Pallet::<T>::balance_of(c, t, &buyer), 10);
    }

    #[benchmark]
    fn cancel_listing() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 10);
        let listing = Pallet::<T>::do_list(owner.clone(), c, t, 10, 1_000u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, listing);
        assert!(!Listings::<T>::contains_key(c, listing));
    }

    #[benchmark]
    fn propose_trade(n: Linear<1, { T::MaxTradeItems::get() * 2 }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let proposer = funded::<T>("proposer", 0);
        let counterparty = funded::<T>("counterparty", 0);
        let give_n = n.min(T::MaxTradeItems::get());
        let give = trade_side::<T>(&owner, c, &proposer, give_n, 100u32.into());
        let want = trade_side::<T>(&owner, c, &counterparty, n - give_n, 100u32.into());
        #[extrinsic_call]
        _(RawOrigin::Signed(proposer), counterparty, give, want, 10u32.into());
        assert!(Trades::<T>::contains_key(0));
    }

    #[benchmark]
    fn accept_trade(n: Linear<1, { T::MaxTradeItems::get() * 2 }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let proposer = funded::<T>("proposer", 0);
        let counterparty = funded::<T>("counterparty", 0);
        let give_n = n.min(T::MaxTradeItems::get());
        let give = trade_side::<T>(&owner, c, &proposer, give_n, 100u32.into());
        let want = trade_side::<T>(&owner, c, &counterparty, n - give_n, 100u32.into());
        let trade = Pallet::<T>::do_propose_trade(proposer, counterparty.clone(), give, want, 10u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(counterparty), trade);
        assert!(!Trades::<T>::contains_key(trade));
    }

    #[benchmark]
    fn cancel_trade(n: Linear<1, { T::MaxTradeItems::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let proposer = funded::<T>("proposer", 0);
        let counterparty = funded::<T>("counterparty", 0);
        let give = trade_side::<T>(&owner, c, &proposer, n, 100u32.into());
        let want = TradeSide { items: BoundedVec::default(), lud: 1u32.into() };
        let trade = Pallet::<T>::do_propose_trade(proposer.clone(), counterparty, give, want, 10u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(proposer), trade);
        assert!(!Trades::<T>::contains_key(trade));
    }

    #[benchmark]
    fn create_recipe() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let items: Vec<_> = (0..T::MaxTradeItems::get()).map(|_| (token::<T>(&owner, c, &owner, 0), 1)).collect();
        let items: BoundedVec<_, T::MaxTradeItems> = items.try_into().unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, items.clone(), items, 10u32.into());
        assert!(Recipes::<T>::contains_key(c, 0));
    }

    #[benchmark]
    fn retire_recipe() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let t = token::<T>(&owner, c, &owner, 0);
        let outputs: BoundedVec<_, T::MaxTradeItems> = vec![(t, 1)].try_into().unwrap();
        let recipe =
            Pallet::<T>::do_create_recipe(owner.clone(), c, BoundedVec::default(), outputs, 0u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, recipe);
        assert!(!Recipes::<T>::contains_key(c, recipe));
    }

    #[benchmark]
    fn craft(n: Linear<1, { T::MaxTradeItems::get() }>) {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let player = funded::<T>("player", 0);
        let inputs: Vec<_> = (0..n).map(|_| (token::<T>(&owner, c, &player, 1), 1)).collect();
        let outputs: Vec<_> = (0..n).map(|_| (token::<T>(&owner, c, &owner, 0), 1)).collect();
        let recipe = Pallet::<T>::do_create_recipe(
            owner,
            c,
            inputs.try_into().unwrap(),
            outputs.try_into().unwrap(),
            10u32.into(),
        )
        .unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(player.clone()), c, recipe);
        assert_eq!(Pallet::<T>::balance_of(c, 2 * n - 1, &player), 1);
    }

    #[benchmark]
    fn fund_fuel_tank() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, rich::<T>() / 10u32.into());
        assert!(FuelTanks::<T>::contains_key(c));
    }

    #[benchmark]
    fn withdraw_fuel() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        Pallet::<T>::do_fund_fuel_tank(owner.clone(), c, rich::<T>() / 10u32.into()).unwrap();
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, rich::<T>() / 20u32.into());
    }

    #[benchmark]
    fn set_player_fuel_limit() {
        let owner = funded::<T>("owner", 0);
        let c = collection::<T>(&owner);
        let player: T::AccountId = account("player", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), c, Some(player.clone()), 1_000u32.into());
        assert_eq!(PlayerFuelOf::<T>::get(c, player).limit, Some(1_000u32.into()));
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
