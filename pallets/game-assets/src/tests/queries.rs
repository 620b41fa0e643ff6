//! The reads behind the runtime API.

use frame_support::assert_ok;

use super::*;

#[test]
fn balances_are_paginated_in_token_order() {
    run_test(|| {
        let c = new_collection();
        for i in 0..7u32 {
            let t = new_token(c, 100);
            if i != 3 {
                assert_ok!(GameAssets::mint(signed(STUDIO), c, t, ALICE, u128::from(i) + 1));
            }
        }
        let page = GameAssets::balances_page(c, &ALICE, 0, 3);
        assert_eq!(page, BalancesPage { balances: vec![(0, 1), (1, 2), (2, 3)], next: Some(4) });
        let page = GameAssets::balances_page(c, &ALICE, 4, 3);
        assert_eq!(page, BalancesPage { balances: vec![(4, 5), (5, 6), (6, 7)], next: None });
        assert_eq!(GameAssets::balances_page(c, &BOB, 0, 10).balances, vec![]);
        assert_eq!(GameAssets::balances_page(c, &ALICE, 0, 0).next, Some(0));
    });
}

#[test]
fn attributes_are_listed_per_collection_and_token() {
    run_test(|| {
        let c = new_collection();
        let t = new_token(c, 1);
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(b"season"), bytes(b"2")));
        assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, Some(t), bytes(b"level"), bytes(b"9")));
        assert_eq!(GameAssets::attributes(c, None), vec![(b"season".to_vec(), b"2".to_vec())]);
        assert_eq!(GameAssets::attributes(c, Some(t)), vec![(b"level".to_vec(), b"9".to_vec())]);
        // A key longer than the limit cannot exist.
        assert_eq!(GameAssets::attribute(c, None, vec![0; 100]), None);
    });
}
