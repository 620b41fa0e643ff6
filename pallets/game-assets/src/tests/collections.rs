//! Collections: creation, roles, metadata, destruction and the deposits they hold.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn create_collection_holds_the_deposit_and_records_the_owner() {
    run_test(|| {
        let c = new_collection();
        let details = Collections::<Test>::get(c).unwrap();
        assert_eq!(details.owner, STUDIO);
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT);
        assert_eq!(last_event(), Event::CollectionCreated { collection: c, owner: STUDIO });
        assert_eq!(new_collection(), c + 1);
    });
}

#[test]
fn create_collection_rejects_a_royalty_above_100_percent() {
    run_test(|| {
        let royalty = Some(Royalty { bps: 10_001, beneficiary: BENEFICIARY });
        assert_noop!(
            GameAssets::create_collection(signed(STUDIO), CollectionPolicy::default(), royalty),
            Error::<Test>::RoyaltyTooHigh
        );
        let royalty = Some(Royalty { bps: 10_000, beneficiary: BENEFICIARY });
        assert_ok!(GameAssets::create_collection(signed(STUDIO), CollectionPolicy::default(), royalty));
    });
}

#[test]
fn create_collection_fails_without_the_deposit() {
    new_test_ext().execute_with(|| {
        let poor = 99;
        assert_ok!(Balances::transfer_allow_death(signed(ALICE), poor, COLLECTION_DEPOSIT - 1));
        assert!(GameAssets::create_collection(signed(poor), CollectionPolicy::default(), None).is_err());
        assert_eq!(NextCollectionId::<Test>::get(), 0);
        check_state();
    });
}

#[test]
fn set_roles_grants_replaces_and_revokes() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ISSUER));
        assert_eq!(CollectionRoles::<Test>::get(c, STAFF), Some(Roles::ISSUER));
        assert_eq!(Collections::<Test>::get(c).unwrap().role_holders, 1);
        assert_eq!(last_event(), Event::RolesSet { collection: c, who: STAFF, roles: Roles::ISSUER });
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ALL));
        assert_eq!(Collections::<Test>::get(c).unwrap().role_holders, 1);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::default()));
        assert_eq!(CollectionRoles::<Test>::get(c, STAFF), None);
        assert_eq!(Collections::<Test>::get(c).unwrap().role_holders, 0);
    });
}

#[test]
fn set_roles_errors() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(
            GameAssets::set_roles(signed(STUDIO), c + 1, STAFF, Roles::ADMIN),
            Error::<Test>::UnknownCollection
        );
        // Only the owner grants roles; an admin cannot.
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ALL));
        assert_noop!(GameAssets::set_roles(signed(STAFF), c, ALICE, Roles::ADMIN), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::set_roles(signed(STUDIO), c, ALICE, Roles(0b1000)), Error::<Test>::InvalidRoles);
        assert_noop!(GameAssets::set_roles(signed(STUDIO), c, STUDIO, Roles::ADMIN), Error::<Test>::InvalidRoles);
        // MaxRoleHolders is 3.
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, 10, Roles::ADMIN));
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, 11, Roles::ADMIN));
        assert_noop!(GameAssets::set_roles(signed(STUDIO), c, 12, Roles::ADMIN), Error::<Test>::TooManyRoleHolders);
        // Changing an existing holder's roles is still allowed at the limit.
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, 11, Roles::FREEZER));
    });
}

#[test]
fn metadata_deposit_follows_its_size() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::set_collection_metadata(signed(STUDIO), c, bytes(b"Dragons"), bytes(b"ipfs://x")));
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT + 15 * DEPOSIT_PER_BYTE);
        assert_eq!(
            last_event(),
            Event::CollectionMetadataSet { collection: c, name: bytes(b"Dragons"), uri: bytes(b"ipfs://x") }
        );
        assert_ok!(GameAssets::set_collection_metadata(signed(STUDIO), c, bytes(b"D"), bytes(b"")));
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT + DEPOSIT_PER_BYTE);
        assert_eq!(GameAssets::collection_metadata(c), Some((b"D".to_vec(), vec![])));
    });
}

#[test]
fn metadata_errors() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(
            GameAssets::set_collection_metadata(signed(STUDIO), c + 1, bytes(b"a"), bytes(b"b")),
            Error::<Test>::UnknownCollection
        );
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ALL));
        assert_noop!(
            GameAssets::set_collection_metadata(signed(STAFF), c, bytes(b"a"), bytes(b"b")),
            Error::<Test>::NoPermission
        );
    });
}

#[test]
fn destroy_returns_every_deposit_in_full() {
    run_test(|| {
        let before = [free(STUDIO), free(STAFF)];
        let c = new_collection();
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN));
        assert_ok!(GameAssets::set_collection_metadata(signed(STUDIO), c, bytes(b"name"), bytes(b"uri")));
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(b"season"), bytes(b"1")));
        assert_ok!(GameAssets::set_attribute(signed(STAFF), c, None, bytes(b"mode"), bytes(b"pvp")));
        let t = new_token(c, 10);
        assert_ok!(GameAssets::set_attribute(signed(STAFF), c, Some(t), bytes(b"level"), bytes(b"3")));
        assert!(deposit_of(STAFF) > 0);
        assert_noop!(GameAssets::destroy_collection(signed(STUDIO), c), Error::<Test>::CollectionNotEmpty);
        assert_ok!(GameAssets::destroy_token(signed(STUDIO), c, t));
        assert_ok!(GameAssets::destroy_collection(signed(STUDIO), c));
        assert_eq!(last_event(), Event::CollectionDestroyed { collection: c });
        assert_eq!([free(STUDIO), free(STAFF)], before);
        assert_eq!(deposit_of(STUDIO), 0);
        assert_eq!(deposit_of(STAFF), 0);
        assert!(Collections::<Test>::get(c).is_none());
        assert_eq!(CollectionRoles::<Test>::iter_prefix(c).count(), 0);
        assert_eq!(Attributes::<Test>::iter().count(), 0);
        assert!(CollectionMetadataOf::<Test>::get(c).is_none());
    });
}

#[test]
fn destroy_sweeps_the_fuel_tank_to_the_owner() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::fund_fuel_tank(signed(ALICE), c, 1_000));
        let before = free(STUDIO);
        assert_ok!(GameAssets::destroy_collection(signed(STUDIO), c));
        assert_eq!(free(STUDIO), before + 1_000 + COLLECTION_DEPOSIT);
        assert_eq!(free(GameAssets::fuel_tank_account(c)), 0);
        assert!(FuelTanks::<Test>::get(c).is_none());
    });
}

#[test]
fn destroy_errors() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(GameAssets::destroy_collection(signed(STUDIO), c + 1), Error::<Test>::UnknownCollection);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ALL));
        assert_noop!(GameAssets::destroy_collection(signed(STAFF), c), Error::<Test>::NoPermission);
        let t = new_token(c, 1);
        assert_ok!(GameAssets::create_recipe(
            signed(STUDIO),
            c,
            BoundedVec::default(),
            vec![(t, 1)].try_into().unwrap(),
            0
        ));
        assert_ok!(GameAssets::destroy_token(signed(STUDIO), c, t));
        // A recipe is left.
        assert_noop!(GameAssets::destroy_collection(signed(STUDIO), c), Error::<Test>::CollectionNotEmpty);
        assert_ok!(GameAssets::retire_recipe(signed(STUDIO), c, 0));
        assert_ok!(GameAssets::destroy_collection(signed(STUDIO), c));
    });
}
