//! Approvals: operators move an owner's tokens until the approval expires or is cancelled.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn an_approved_operator_moves_tokens_until_expiry() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, Some(5)));
        assert_eq!(deposit_of(ALICE), RECORD_DEPOSIT);
        assert_eq!(
            last_event(),
            Event::ApprovalGranted { collection: c, owner: ALICE, operator: STAFF, expires: Some(5) }
        );
        assert_ok!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, BOB, 3));
        assert_eq!(GameAssets::balance_of(c, t, &BOB), 3);
        System::set_block_number(5);
        assert_ok!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, BOB, 1));
        System::set_block_number(6);
        assert_noop!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, BOB, 1), Error::<Test>::ApprovalExpired);
        // Renewing keeps the single deposit.
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, None));
        assert_eq!(deposit_of(ALICE), RECORD_DEPOSIT);
        assert_ok!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, STAFF, 1));
    });
}

#[test]
fn approvals_are_per_owner_and_collection() {
    run_test(|| {
        let c = new_collection();
        let other = new_collection();
        let t = minted(c, 100, ALICE, 10);
        let _ = minted(c, 100, BOB, 10);
        assert_ok!(GameAssets::approve(signed(ALICE), other, STAFF, None));
        assert_noop!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, STAFF, 1), Error::<Test>::NotApproved);
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, None));
        assert_noop!(GameAssets::transfer_from(signed(STAFF), c, 1, BOB, STAFF, 1), Error::<Test>::NotApproved);
        // An operator is still bound by the token's rules.
        assert_noop!(
            GameAssets::transfer_from(signed(STAFF), c, t, ALICE, STAFF, 11),
            Error::<Test>::InsufficientBalance
        );
    });
}

#[test]
fn cancel_approval_releases_the_deposit_and_stops_the_operator() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, None));
        assert_ok!(GameAssets::cancel_approval(signed(ALICE), c, STAFF));
        assert_eq!(deposit_of(ALICE), 0);
        assert_eq!(last_event(), Event::ApprovalCancelled { collection: c, owner: ALICE, operator: STAFF });
        assert_noop!(GameAssets::transfer_from(signed(STAFF), c, t, ALICE, STAFF, 1), Error::<Test>::NotApproved);
        assert_noop!(GameAssets::cancel_approval(signed(ALICE), c, STAFF), Error::<Test>::UnknownApproval);
    });
}

#[test]
fn approve_errors() {
    run_test(|| {
        let c = new_collection();
        assert_noop!(GameAssets::approve(signed(ALICE), c + 1, STAFF, None), Error::<Test>::UnknownCollection);
        System::set_block_number(10);
        assert_noop!(GameAssets::approve(signed(ALICE), c, STAFF, Some(9)), Error::<Test>::InvalidExpiry);
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, Some(10)));
    });
}

#[test]
fn an_approval_outlives_its_collection_and_can_still_be_cancelled() {
    run_test(|| {
        let c = new_collection();
        assert_ok!(GameAssets::approve(signed(ALICE), c, STAFF, None));
        assert_ok!(GameAssets::destroy_collection(signed(STUDIO), c));
        assert_ok!(GameAssets::cancel_approval(signed(ALICE), c, STAFF));
        assert_eq!(deposit_of(ALICE), 0);
    });
}
