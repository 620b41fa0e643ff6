//! Tokens: creation, supply caps, mint, burn, transfers and batches, and role checks.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn a_cap_of_one_makes_a_unique_item_and_larger_caps_a_currency() {
    run_test(|| {
        let c = new_collection();
        let sword = new_token(c, 1);
        let gold = new_token(c, 1_000_000);
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT + 2 * TOKEN_DEPOSIT);
        assert_ok!(GameAssets::mint(signed(STUDIO), c, sword, ALICE, 1));
        assert_noop!(GameAssets::mint(signed(STUDIO), c, sword, BOB, 1), Error::<Test>::MaxSupplyExceeded);
        assert_ok!(GameAssets::mint(signed(STUDIO), c, gold, ALICE, 999_999));
        assert_ok!(GameAssets::mint(signed(STUDIO), c, gold, BOB, 1));
        assert_noop!(GameAssets::mint(signed(STUDIO), c, gold, BOB, 1), Error::<Test>::MaxSupplyExceeded);
        assert_eq!(GameAssets::balance_of(c, gold, &ALICE), 999_999);
        assert_eq!(Tokens::<Test>::get(c, gold).unwrap().supply, 1_000_000);
        assert_eq!(last_event(), Event::Minted { collection: c, token: gold, to: BOB, amount: 1 });
    });
}

#[test]
fn create_token_errors_and_roles() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(GameAssets::create_token(signed(STUDIO), c + 1, 1), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::create_token(signed(STUDIO), c, 0), Error::<Test>::ZeroMaxSupply);
        assert_noop!(GameAssets::create_token(signed(STRANGER), c, 1), Error::<Test>::NoPermission);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN | Roles::FREEZER));
        assert_noop!(GameAssets::create_token(signed(STAFF), c, 1), Error::<Test>::NoPermission);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ISSUER));
        assert_ok!(GameAssets::create_token(signed(STAFF), c, 5));
        // The issuer that created the token paid its deposit.
        assert_eq!(deposit_of(STAFF), TOKEN_DEPOSIT);
        assert_eq!(last_event(), Event::TokenCreated { collection: c, token: 0, max_supply: 5, creator: STAFF });
    });
}

#[test]
fn a_non_issuer_cannot_mint() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 10);
        assert_noop!(GameAssets::mint(signed(ALICE), c, t, ALICE, 1), Error::<Test>::NoPermission);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN | Roles::FREEZER));
        assert_noop!(GameAssets::mint(signed(STAFF), c, t, ALICE, 1), Error::<Test>::NoPermission);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ISSUER));
        assert_ok!(GameAssets::mint(signed(STAFF), c, t, ALICE, 1));
        // Revoking takes effect at once.
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::default()));
        assert_noop!(GameAssets::mint(signed(STAFF), c, t, ALICE, 1), Error::<Test>::NoPermission);
    });
}

#[test]
fn mint_errors() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 10);
        assert_noop!(GameAssets::mint(signed(STUDIO), c + 1, t, ALICE, 1), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::mint(signed(STUDIO), c, t + 1, ALICE, 1), Error::<Test>::UnknownToken);
        assert_noop!(GameAssets::mint(signed(STUDIO), c, t, ALICE, 0), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::mint(signed(STUDIO), c, t, ALICE, 11), Error::<Test>::MaxSupplyExceeded);
        let big = new_token(c, u128::MAX);
        assert_ok!(GameAssets::mint(signed(STUDIO), c, big, ALICE, u128::MAX));
        assert_noop!(GameAssets::mint(signed(STUDIO), c, big, ALICE, 1), Error::<Test>::MaxSupplyExceeded);
    });
}

#[test]
fn batch_mint_is_all_or_nothing() {
    run_test(|| {
        let c = new_collection();
        let a = new_token(c, 10);
        let b = new_token(c, 1);
        let ok: BoundedVec<_, _> = vec![(a, ALICE, 5), (b, BOB, 1), (a, BOB, 5)].try_into().unwrap();
        assert_ok!(GameAssets::batch_mint(signed(STUDIO), c, ok));
        assert_eq!(events().iter().filter(|e| matches!(e, Event::Minted { .. })).count(), 3);
        let c2 = new_collection();
        let x = new_token(c2, 2);
        let bad: BoundedVec<_, _> = vec![(x, ALICE, 1), (x, BOB, 2)].try_into().unwrap();
        assert_noop!(GameAssets::batch_mint(signed(STUDIO), c2, bad.clone()), Error::<Test>::MaxSupplyExceeded);
        assert_noop!(GameAssets::batch_mint(signed(ALICE), c2, bad), Error::<Test>::NoPermission);
    });
}

#[test]
fn transfer_moves_units_and_says_so() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::transfer(signed(ALICE), c, t, BOB, 4));
        assert_eq!(GameAssets::balance_of(c, t, &ALICE), 6);
        assert_eq!(GameAssets::balance_of(c, t, &BOB), 4);
        assert_eq!(last_event(), Event::Transferred { collection: c, token: t, from: ALICE, to: BOB, amount: 4 });
        // Moving everything removes the holding.
        assert_ok!(GameAssets::transfer(signed(ALICE), c, t, BOB, 6));
        assert!(Holdings::<Test>::get((c, ALICE, t)).is_none());
    });
}

#[test]
fn transfer_errors() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_noop!(GameAssets::transfer(signed(ALICE), c + 1, t, BOB, 1), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::transfer(signed(ALICE), c, t + 1, BOB, 1), Error::<Test>::UnknownToken);
        assert_noop!(GameAssets::transfer(signed(ALICE), c, t, BOB, 0), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::transfer(signed(ALICE), c, t, BOB, 11), Error::<Test>::InsufficientBalance);
        assert_noop!(GameAssets::transfer(signed(BOB), c, t, ALICE, 1), Error::<Test>::InsufficientBalance);
        let soulbound = new_collection_with(CollectionPolicy { transferable: false, burnable_by_holder: true }, None);
        let badge = minted(soulbound, 1, ALICE, 1);
        assert_noop!(GameAssets::transfer(signed(ALICE), soulbound, badge, BOB, 1), Error::<Test>::NotTransferable);
    });
}

#[test]
fn batch_transfer_is_all_or_nothing() {
    run_test(|| {
        let c = new_collection();
        let a = minted(c, 100, ALICE, 10);
        let b = minted(c, 100, ALICE, 1);
        let moves: BoundedVec<_, _> = vec![(a, BOB, 3), (b, STAFF, 1), (a, STAFF, 7)].try_into().unwrap();
        assert_ok!(GameAssets::batch_transfer(signed(ALICE), c, moves));
        assert_eq!(GameAssets::balance_of(c, a, &STAFF), 7);
        assert_eq!(GameAssets::balance_of(c, b, &STAFF), 1);
        // The second entry fails, so the first is undone.
        let moves: BoundedVec<_, _> = vec![(a, ALICE, 1), (b, ALICE, 1)].try_into().unwrap();
        assert_noop!(GameAssets::batch_transfer(signed(BOB), c, moves), Error::<Test>::InsufficientBalance);
    });
}

#[test]
fn burn_by_holder_follows_the_policy() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::burn(signed(ALICE), c, t, 4));
        assert_eq!(Tokens::<Test>::get(c, t).unwrap().supply, 6);
        assert_eq!(last_event(), Event::Burned { collection: c, token: t, from: ALICE, amount: 4 });
        assert_noop!(GameAssets::burn(signed(ALICE), c, t, 7), Error::<Test>::InsufficientBalance);
        assert_noop!(GameAssets::burn(signed(ALICE), c, t, 0), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::burn(signed(ALICE), c, t + 1, 1), Error::<Test>::UnknownToken);
        assert_noop!(GameAssets::burn(signed(ALICE), c + 1, t, 1), Error::<Test>::UnknownCollection);
        let locked = new_collection_with(CollectionPolicy { transferable: true, burnable_by_holder: false }, None);
        let t2 = minted(locked, 10, ALICE, 1);
        assert_noop!(GameAssets::burn(signed(ALICE), locked, t2, 1), Error::<Test>::NotBurnable);
    });
}

#[test]
fn destroy_token_needs_zero_supply_and_an_admin() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 10, ALICE, 1);
        assert_noop!(GameAssets::destroy_token(signed(STUDIO), c, t), Error::<Test>::TokenInUse);
        assert_noop!(GameAssets::destroy_token(signed(STUDIO), c, t + 1), Error::<Test>::UnknownToken);
        assert_noop!(GameAssets::destroy_token(signed(STUDIO), c + 1, t), Error::<Test>::UnknownCollection);
        assert_ok!(GameAssets::burn(signed(ALICE), c, t, 1));
        assert_noop!(GameAssets::destroy_token(signed(ALICE), c, t), Error::<Test>::NoPermission);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN));
        assert_ok!(GameAssets::destroy_token(signed(STAFF), c, t));
        assert_eq!(last_event(), Event::TokenDestroyed { collection: c, token: t });
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT);
        // Ids are not reused.
        assert_eq!(new_token(c, 1), t + 1);
    });
}
