//! Fuel tanks and sponsored fees through `pallet_transaction_payment`.

use frame_support::{
    assert_noop, assert_ok,
    dispatch::{DispatchInfo, PostDispatchInfo},
    weights::Weight,
};
use pallet_transaction_payment::ChargeTransactionPayment;
use sp_runtime::traits::{DispatchTransaction, Dispatchable};

use super::*;

const TANK_FUNDS: Balance = 10_000_000_000;
const BUDGET: Balance = 1_000_000_000;

/// Runs `call` as a signed transaction of `who` through `ChargeTransactionPayment`, with the
/// dispatch reporting `actual` weight; returns the fee charged to whoever paid.
fn submit(who: AccountId, call: RuntimeCall, tip: Balance, actual: Option<u64>) {
    let info = DispatchInfo { call_weight: Weight::from_parts(1_000_000, 0), ..Default::default() };
    let result = ChargeTransactionPayment::<Test>::from(tip)
        .test_run(signed(who), &call, &info, 100, 0, |origin| {
            call.clone().dispatch(origin)?;
            Ok(PostDispatchInfo {
                actual_weight: actual.map(|w| Weight::from_parts(w, 0)),
                pays_fee: Default::default(),
            })
        })
        .expect("the transaction is valid");
    assert_ok!(result);
}

fn sponsored_setup() -> (CollectionId, TokenId, AccountId) {
    let c = new_collection();
    let t = minted(c, 1_000, ALICE, 100);
    assert_ok!(GameAssets::fund_fuel_tank(signed(STUDIO), c, TANK_FUNDS));
    assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, None, BUDGET));
    (c, t, GameAssets::fuel_tank_account(c))
}

fn transfer_call(c: CollectionId, t: TokenId) -> RuntimeCall {
    RuntimeCall::GameAssets(Call::transfer { collection: c, token: t, to: BOB, amount: 1 })
}

#[test]
fn the_tank_pays_a_players_fee_within_budget() {
    run_test(|| {
        let (c, t, tank) = sponsored_setup();
        let (alice, tank_before) = (free(ALICE), free(tank));
        submit(ALICE, transfer_call(c, t), 0, None);
        let fee = tank_before - free(tank);
        assert!(fee > 0);
        assert_eq!(free(ALICE), alice);
        assert_eq!(GameAssets::balance_of(c, t, &BOB), 1);
        assert_eq!(PlayerFuelOf::<Test>::get(c, ALICE).used, fee);
        assert_eq!(last_event(), Event::FeeSponsored { collection: c, player: ALICE, fee });
    });
}

#[test]
fn a_refund_after_dispatch_goes_back_to_the_tank_and_the_budget() {
    run_test(|| {
        let (c, t, tank) = sponsored_setup();
        let tank_before = free(tank);
        submit(ALICE, transfer_call(c, t), 0, None);
        let full_fee = tank_before - free(tank);
        let tank_before = free(tank);
        submit(ALICE, transfer_call(c, t), 0, Some(1_000));
        let corrected = tank_before - free(tank);
        assert!(corrected < full_fee);
        assert_eq!(PlayerFuelOf::<Test>::get(c, ALICE).used, full_fee + corrected);
    });
}

#[test]
fn players_pay_themselves_when_the_sponsorship_does_not_cover_them() {
    run_test(|| {
        let (c, t, tank) = sponsored_setup();
        let pays_self = |who: AccountId, call: RuntimeCall, tip: Balance| {
            let (player, tank_before) = (free(who), free(tank));
            submit(who, call, tip, None);
            assert_eq!(free(tank), tank_before, "the tank paid");
            assert!(free(who) < player, "the player did not pay");
        };
        // A tip is never sponsored.
        pays_self(ALICE, transfer_call(c, t), 1);
        // A call outside game assets.
        pays_self(ALICE, RuntimeCall::System(frame_system::Call::remark { remark: vec![] }), 0);
        // Calls that manage the tank.
        pays_self(
            STUDIO,
            RuntimeCall::GameAssets(Call::set_player_fuel_limit { collection: c, player: None, limit: BUDGET }),
            0,
        );
        // A player whose own limit is zero.
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, Some(ALICE), 0));
        assert_eq!(last_event(), Event::PlayerFuelLimitSet { collection: c, player: Some(ALICE), limit: 0 });
        pays_self(ALICE, transfer_call(c, t), 0);
        // A spent budget: one sponsored call, then the limit is what was used.
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, Some(ALICE), BUDGET));
        submit(ALICE, transfer_call(c, t), 0, None);
        let used = PlayerFuelOf::<Test>::get(c, ALICE).used;
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, Some(ALICE), used + 1));
        pays_self(ALICE, transfer_call(c, t), 0);
        // An empty tank.
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, Some(ALICE), BUDGET));
        let left = free(tank);
        assert_ok!(GameAssets::withdraw_fuel(signed(STUDIO), c, left));
        assert_eq!(
            GameAssets::sponsor_for(&ALICE, &Call::transfer { collection: c, token: t, to: BOB, amount: 1 }),
            None
        );
        let alice = free(ALICE);
        submit(ALICE, transfer_call(c, t), 0, None);
        assert!(free(ALICE) < alice);
    });
}

#[test]
fn sponsor_for_reports_the_tank_and_the_remaining_budget() {
    run_test(|| {
        let (c, t, tank) = sponsored_setup();
        let call = Call::<Test>::transfer { collection: c, token: t, to: BOB, amount: 1 };
        assert_eq!(GameAssets::sponsor_for(&ALICE, &call), Some((tank, BUDGET)));
        // The tank's balance caps the budget (it keeps the existential deposit).
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, None, TANK_FUNDS * 2));
        assert_eq!(GameAssets::sponsor_for(&ALICE, &call), Some((tank, TANK_FUNDS - ED)));
        assert_eq!(GameAssets::sponsor_for(&ALICE, &Call::withdraw_fuel { collection: c, amount: 1 }), None);
        let other = new_collection();
        assert_eq!(GameAssets::sponsor_for(&ALICE, &Call::burn { collection: other, token: 0, amount: 1 }), None);
        assert_eq!(call.collection_of(), Some(c));
        assert_eq!(Call::<Test>::accept_trade { trade: 0 }.collection_of(), None);
    });
}

#[test]
fn fuel_management_errors_and_events() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(GameAssets::fund_fuel_tank(signed(STUDIO), c + 1, 10), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::fund_fuel_tank(signed(STUDIO), c, 0), Error::<Test>::ZeroAmount);
        // Anyone may fund; only the owner withdraws or sets limits.
        assert_ok!(GameAssets::fund_fuel_tank(signed(ALICE), c, 500));
        assert_eq!(last_event(), Event::FuelTankFunded { collection: c, from: ALICE, amount: 500 });
        assert_noop!(GameAssets::withdraw_fuel(signed(ALICE), c, 1), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::withdraw_fuel(signed(STUDIO), c + 1, 1), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::withdraw_fuel(signed(STUDIO), c, 0), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::withdraw_fuel(signed(STUDIO), c, 501), Error::<Test>::InsufficientFuel);
        let studio = free(STUDIO);
        assert_ok!(GameAssets::withdraw_fuel(signed(STUDIO), c, 200));
        assert_eq!(last_event(), Event::FuelWithdrawn { collection: c, to: STUDIO, amount: 200 });
        assert_eq!(free(STUDIO), studio + 200);
        assert_noop!(GameAssets::set_player_fuel_limit(signed(ALICE), c, None, 1), Error::<Test>::NoPermission);
        assert_noop!(
            GameAssets::set_player_fuel_limit(signed(STUDIO), c + 1, None, 1),
            Error::<Test>::UnknownCollection
        );
        assert_ok!(GameAssets::set_player_fuel_limit(signed(STUDIO), c, None, 7));
        assert_eq!(FuelTanks::<Test>::get(c), Some(FuelTank { default_player_limit: 7 }));
    });
}
