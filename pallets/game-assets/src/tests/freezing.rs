//! Freezing: by the freezer role only, on a collection, a token or a holding.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn freezing_each_level_stops_movement_and_thawing_restores_it() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        let other = minted(c, 100, ALICE, 10);
        for target in [FreezeTarget::Collection, FreezeTarget::Token(t), FreezeTarget::Holding(t, ALICE)] {
            assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, target.clone(), true));
            assert_eq!(last_event(), Event::Frozen { collection: c, target: target.clone() });
            assert_noop!(GameAssets::transfer(signed(ALICE), c, t, BOB, 1), Error::<Test>::Frozen);
            assert_noop!(GameAssets::burn(signed(ALICE), c, t, 1), Error::<Test>::Frozen);
            assert_noop!(GameAssets::list(signed(ALICE), c, t, 1, 5), Error::<Test>::Frozen);
            // Minting is the issuer's and is not stopped.
            assert_ok!(GameAssets::mint(signed(STUDIO), c, t, ALICE, 1));
            assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, target.clone(), false));
            assert_eq!(last_event(), Event::Thawed { collection: c, target });
            assert_ok!(GameAssets::transfer(signed(ALICE), c, t, BOB, 1));
        }
        // A frozen token leaves the other tokens free; a frozen holding leaves other holders free.
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(t), true));
        assert_ok!(GameAssets::transfer(signed(ALICE), c, other, BOB, 1));
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(t), false));
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Holding(t, ALICE), true));
        assert_ok!(GameAssets::transfer(signed(BOB), c, t, ALICE, 1));
    });
}

#[test]
fn only_a_freezer_freezes() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN | Roles::ISSUER));
        assert_noop!(
            GameAssets::set_frozen(signed(STAFF), c, FreezeTarget::Collection, true),
            Error::<Test>::NoPermission
        );
        assert_noop!(
            GameAssets::set_frozen(signed(ALICE), c, FreezeTarget::Collection, true),
            Error::<Test>::NoPermission
        );
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::FREEZER));
        assert_ok!(GameAssets::set_frozen(signed(STAFF), c, FreezeTarget::Collection, true));
    });
}

#[test]
fn freeze_errors() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 1);
        assert_noop!(
            GameAssets::set_frozen(signed(STUDIO), c + 1, FreezeTarget::Collection, true),
            Error::<Test>::UnknownCollection
        );
        assert_noop!(
            GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(t + 1), true),
            Error::<Test>::UnknownToken
        );
        assert_noop!(
            GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Holding(t, ALICE), true),
            Error::<Test>::UnknownHolding
        );
    });
}
