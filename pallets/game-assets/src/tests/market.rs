//! The market: escrow, purchases with the royalty, the price guard, atomicity.

use frame_support::{assert_noop, assert_ok};

use super::*;

#[test]
fn a_sale_pays_the_royalty_and_the_seller() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::list(signed(ALICE), c, t, 4, 1_000));
        assert_eq!(GameAssets::balance_of(c, t, &ALICE), 6);
        assert_eq!(deposit_of(ALICE), RECORD_DEPOSIT);
        assert_eq!(
            last_event(),
            Event::Listed { collection: c, listing: 0, seller: ALICE, token: t, amount: 4, unit_price: 1_000 }
        );
        let (alice, bob, beneficiary) = (free(ALICE), free(BOB), free(BENEFICIARY));
        assert_ok!(GameAssets::buy(signed(BOB), c, 0, 3, 1_000));
        // 3 000 at 5 %: 150 royalty, 2 850 to the seller.
        assert_eq!(free(BOB), bob - 3_000);
        assert_eq!(free(BENEFICIARY), beneficiary + 150);
        assert_eq!(free(ALICE), alice + 2_850);
        assert_eq!(GameAssets::balance_of(c, t, &BOB), 3);
        assert_eq!(
            last_event(),
            Event::Sold {
                collection: c,
                listing: 0,
                token: t,
                seller: ALICE,
                buyer: BOB,
                amount: 3,
                price: 3_000,
                royalty: 150
            }
        );
        assert_eq!(Listings::<Test>::get(c, 0).unwrap().amount, 1);
        // Buying the rest closes the listing and releases its deposit.
        assert_ok!(GameAssets::buy(signed(BOB), c, 0, 1, 2_000));
        assert!(Listings::<Test>::get(c, 0).is_none());
        assert_eq!(deposit_of(ALICE), 0);
    });
}

#[test]
fn royalty_arithmetic_at_the_edges() {
    run_test(|| {
        let royalty = |price: Balance, bps: u16| GameAssets::royalty_of(price, bps);
        // Rounding down: 5 % of 19 is 0.95.
        assert_eq!(royalty(19, 500), 0);
        assert_eq!(royalty(20, 500), 1);
        assert_eq!(royalty(9_999, 1), 0);
        assert_eq!(royalty(10_000, 1), 1);
        // Zero rate and zero price.
        assert_eq!(royalty(1_000_000, 0), 0);
        assert_eq!(royalty(0, 10_000), 0);
        // The maximum rate takes everything; the largest price does not overflow.
        assert_eq!(royalty(12_345, 10_000), 12_345);
        assert_eq!(royalty(u128::MAX, 10_000), u128::MAX);
        assert_eq!(royalty(u128::MAX, 5_000), u128::MAX / 2);
        assert_eq!(royalty(u128::MAX, 1), u128::MAX / 10_000);
    });
}

#[test]
fn sales_with_zero_and_full_royalty() {
    run_test(|| {
        let none = new_collection_with(CollectionPolicy::default(), None);
        let zero = new_collection_with(CollectionPolicy::default(), Some(Royalty { bps: 0, beneficiary: BENEFICIARY }));
        let full =
            new_collection_with(CollectionPolicy::default(), Some(Royalty { bps: 10_000, beneficiary: BENEFICIARY }));
        for (c, seller_gets, beneficiary_gets) in [(none, 500, 0), (zero, 500, 0), (full, 0, 500)] {
            let t = minted(c, 1, ALICE, 1);
            let listing = NextListingId::<Test>::get();
            assert_ok!(GameAssets::list(signed(ALICE), c, t, 1, 500));
            let (alice, beneficiary) = (free(ALICE), free(BENEFICIARY));
            assert_ok!(GameAssets::buy(signed(BOB), c, listing, 1, 500));
            // The seller also gets the listing deposit back.
            assert_eq!(free(ALICE), alice + seller_gets + RECORD_DEPOSIT);
            assert_eq!(free(BENEFICIARY), beneficiary + beneficiary_gets);
        }
    });
}

#[test]
fn the_price_guard_stops_a_raised_price() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::list(signed(ALICE), c, t, 4, 1_000));
        assert_noop!(GameAssets::buy(signed(BOB), c, 0, 1, 999), Error::<Test>::PriceTooHigh);
    });
}

#[test]
fn buy_errors() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::list(signed(ALICE), c, t, 4, 1_000));
        assert_noop!(GameAssets::buy(signed(BOB), c, 1, 1, 1_000), Error::<Test>::UnknownListing);
        assert_noop!(GameAssets::buy(signed(BOB), c + 1, 0, 1, 1_000), Error::<Test>::UnknownListing);
        assert_noop!(GameAssets::buy(signed(BOB), c, 0, 0, 1_000), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::buy(signed(BOB), c, 0, 5, 1_000), Error::<Test>::ExceedsListing);
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(t), true));
        assert_noop!(GameAssets::buy(signed(BOB), c, 0, 1, 1_000), Error::<Test>::Frozen);
    });
}

#[test]
fn a_purchase_the_buyer_cannot_pay_leaves_nothing_changed() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::list(signed(ALICE), c, t, 4, INITIAL_BALANCE / 2));
        // The royalty transfer succeeds before the seller's share fails; both are undone.
        let root = state_root();
        assert!(GameAssets::buy(signed(BOB), c, 0, 2, INITIAL_BALANCE).is_err());
        assert_eq!(state_root(), root);
        assert_eq!(free(BENEFICIARY), INITIAL_BALANCE);
        assert_eq!(Listings::<Test>::get(c, 0).unwrap().amount, 4);
    });
}

#[test]
fn list_errors() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_noop!(GameAssets::list(signed(ALICE), c + 1, t, 1, 1), Error::<Test>::UnknownCollection);
        assert_noop!(GameAssets::list(signed(ALICE), c, t + 1, 1, 1), Error::<Test>::UnknownToken);
        assert_noop!(GameAssets::list(signed(ALICE), c, t, 0, 1), Error::<Test>::ZeroAmount);
        assert_noop!(GameAssets::list(signed(ALICE), c, t, 11, 1), Error::<Test>::InsufficientBalance);
        let soulbound = new_collection_with(CollectionPolicy { transferable: false, burnable_by_holder: true }, None);
        let badge = minted(soulbound, 1, ALICE, 1);
        assert_noop!(GameAssets::list(signed(ALICE), soulbound, badge, 1, 1), Error::<Test>::NotTransferable);
    });
}

#[test]
fn cancel_listing_returns_units_and_deposit_to_the_seller_only() {
    run_test(|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        assert_ok!(GameAssets::list(signed(ALICE), c, t, 4, 1_000));
        assert_noop!(GameAssets::cancel_listing(signed(BOB), c, 0), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::cancel_listing(signed(ALICE), c, 1), Error::<Test>::UnknownListing);
        assert_ok!(GameAssets::cancel_listing(signed(ALICE), c, 0));
        assert_eq!(last_event(), Event::ListingCancelled { collection: c, listing: 0 });
        assert_eq!(GameAssets::balance_of(c, t, &ALICE), 10);
        assert_eq!(deposit_of(ALICE), 0);
    });
}
