//! The token registry.

use frame_support::{
    assert_noop, assert_ok,
    traits::fungibles::{roles::Inspect as _, Inspect as _},
};
use sp_core::H160;
use sp_runtime::DispatchError;

use super::*;

#[test]
fn root_registers_a_token_as_a_new_asset_only_the_bridge_administers() {
    run_test(|| {
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::signed(account(RECIPIENT)), TOKEN, ASSET, 1),
            DispatchError::BadOrigin
        );
        register();
        assert_eq!(Tokens::<Test>::get(TOKEN), Some(TokenInfo { asset: ASSET, outstanding: 0, min_withdrawal: 1 }));
        assert_eq!(AssetTokens::<Test>::get(ASSET), Some(TOKEN));
        assert_eq!(Assets::admin(ASSET), Some(Bridge::account_id()));
        assert!(events().contains(&Event::TokenRegistered { token: TOKEN, asset: ASSET }));
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET + 1, 1),
            Error::<Test>::TokenAlreadyRegistered
        );
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::root(), [0x12; 20], ASSET, 1),
            Error::<Test>::AssetAlreadyExists
        );
    });
}

#[test]
fn an_existing_asset_cannot_become_a_bridged_one() {
    run_test(|| {
        // Someone else could mint it, and the supply invariant would not hold.
        let owner = account([9; 32]);
        assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), owner.clone(), 1_000));
        assert_ok!(Assets::create(RuntimeOrigin::signed(owner.clone()), ASSET, owner, 1));
        assert_noop!(Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET, 1), Error::<Test>::AssetAlreadyExists);
    });
}

#[test]
fn no_more_than_max_tokens_are_registered() {
    run_test(|| {
        register();
        assert_ok!(Bridge::register_token(RuntimeOrigin::root(), [0x12; 20], ASSET + 1, 1));
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::root(), [0x13; 20], ASSET + 2, 1),
            Error::<Test>::TooManyTokens
        );
    });
}

#[test]
fn deregistering_waits_until_no_unit_is_left_on_the_sidechain() {
    run_test(|| {
        register();
        deposited(1, 500);
        assert_noop!(Bridge::deregister_token(RuntimeOrigin::root(), TOKEN), Error::<Test>::TokenInCirculation);
        assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 500, L1_RECIPIENT, 0));
        assert_ok!(Bridge::deregister_token(RuntimeOrigin::root(), TOKEN));
        assert_eq!(Tokens::<Test>::get(TOKEN), None);
        assert_eq!(AssetTokens::<Test>::get(ASSET), None);
        assert!(events().contains(&Event::TokenDeregistered { token: TOKEN, asset: ASSET }));
        assert_noop!(Bridge::deregister_token(RuntimeOrigin::root(), TOKEN), Error::<Test>::UnknownToken);
    });
}

/// Genesis with the mock's validators and L1 parameters and `tokens` bridged.
fn genesis_with_tokens(tokens: Vec<(H160, u32, u128)>) -> sp_io::TestExternalities {
    new_test_ext_with_tokens(Some(l1_params()), tokens)
}

#[test]
fn genesis_tokens_are_registered_as_root_registers_them_and_bridge_at_once() {
    genesis_with_tokens(vec![(H160(TOKEN), ASSET, 5), (H160::zero(), ASSET + 1, 1_000_000_000)]).execute_with(|| {
        assert_eq!(Tokens::<Test>::get(TOKEN), Some(TokenInfo { asset: ASSET, outstanding: 0, min_withdrawal: 5 }));
        assert_eq!(AssetTokens::<Test>::get(ASSET), Some(TOKEN));
        assert_eq!(AssetTokens::<Test>::get(ASSET + 1), Some([0; 20]));
        assert_eq!(TokenCount::<Test>::get(), 2);
        assert_eq!(Assets::admin(ASSET), Some(Bridge::account_id()));
        assert_eq!(Assets::minimum_balance(ASSET + 1), 1_000_000_000);
        // Root's own registration of the same token or asset is refused as after `register_token`.
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET + 2, 1),
            Error::<Test>::TokenAlreadyRegistered
        );
        assert_noop!(
            Bridge::register_token(RuntimeOrigin::root(), [0x12; 20], ASSET, 1),
            Error::<Test>::AssetAlreadyExists
        );
        // A deposit mints at once.
        deposited(1, 100);
        assert_eq!(asset_balance(RECIPIENT), 100);
        Bridge::do_try_state().expect("invariants hold");
    });
}

#[test]
#[should_panic(expected = "cannot be registered")]
fn a_genesis_token_listed_twice_is_refused() {
    genesis_with_tokens(vec![(H160(TOKEN), ASSET, 1), (H160(TOKEN), ASSET + 1, 1)]);
}
