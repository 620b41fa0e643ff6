//! Attributes: written by admins only, deposits per byte, bounded count.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn admin_sets_rewrites_and_clears_attributes() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 1);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN));
        assert_ok!(GameAssets::set_attribute(signed(STAFF), c, Some(t), bytes(b"level"), bytes(b"7")));
        assert_eq!(deposit_of(STAFF), ATTRIBUTE_DEPOSIT_BASE + 6 * DEPOSIT_PER_BYTE);
        assert_eq!(
            last_event(),
            Event::AttributeSet { collection: c, token: Some(t), key: bytes(b"level"), value: bytes(b"7") }
        );
        assert_eq!(GameAssets::attribute(c, Some(t), b"level".to_vec()), Some(b"7".to_vec()));
        // Rewriting by the same admin settles the difference.
        assert_ok!(GameAssets::set_attribute(signed(STAFF), c, Some(t), bytes(b"level"), bytes(b"12")));
        assert_eq!(deposit_of(STAFF), ATTRIBUTE_DEPOSIT_BASE + 7 * DEPOSIT_PER_BYTE);
        // Rewriting by another admin moves the deposit to them.
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, Some(t), bytes(b"level"), bytes(b"13")));
        assert_eq!(deposit_of(STAFF), 0);
        assert_eq!(Tokens::<Test>::get(c, t).unwrap().attributes, 1);
        assert_ok!(GameAssets::clear_attribute(signed(STAFF), c, Some(t), bytes(b"level")));
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT + TOKEN_DEPOSIT);
        assert_eq!(last_event(), Event::AttributeCleared { collection: c, token: Some(t), key: bytes(b"level") });
        assert_eq!(GameAssets::attribute(c, Some(t), b"level".to_vec()), None);
    });
}

#[test]
fn a_non_admin_cannot_set_or_clear_attributes() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ISSUER | Roles::FREEZER));
        for who in [STAFF, ALICE] {
            assert_noop!(
                GameAssets::set_attribute(signed(who), c, None, bytes(b"k"), bytes(b"v")),
                Error::<Test>::NoPermission
            );
        }
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(b"k"), bytes(b"v")));
        assert_noop!(GameAssets::clear_attribute(signed(STAFF), c, None, bytes(b"k")), Error::<Test>::NoPermission);
    });
}

#[test]
fn attribute_errors() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(
            GameAssets::set_attribute(signed(STUDIO), c + 1, None, bytes(b"k"), bytes(b"v")),
            Error::<Test>::UnknownCollection
        );
        assert_noop!(
            GameAssets::set_attribute(signed(STUDIO), c, Some(9), bytes(b"k"), bytes(b"v")),
            Error::<Test>::UnknownToken
        );
        assert_noop!(
            GameAssets::clear_attribute(signed(STUDIO), c, None, bytes(b"k")),
            Error::<Test>::UnknownAttribute
        );
        // MaxAttributes is 4 per collection; rewriting an existing key is still allowed.
        for key in [b"a", b"b", b"c", b"d"] {
            assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(key), bytes(b"v")));
        }
        assert_noop!(
            GameAssets::set_attribute(signed(STUDIO), c, None, bytes(b"e"), bytes(b"v")),
            Error::<Test>::TooManyAttributes
        );
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(b"a"), bytes(b"w")));
        // Token attributes have their own limit.
        let t = new_token(c, 1);
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, Some(t), bytes(b"e"), bytes(b"v")));
    });
}

#[test]
fn destroying_a_token_releases_its_attribute_deposits() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 1);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN));
        let before = free(STAFF);
        assert_ok!(GameAssets::set_attribute(signed(STAFF), c, Some(t), bytes(b"hp"), bytes(b"100")));
        assert_ok!(GameAssets::destroy_token(signed(STUDIO), c, t));
        assert_eq!(free(STAFF), before);
        assert_eq!(Attributes::<Test>::iter().count(), 0);
    });
}
