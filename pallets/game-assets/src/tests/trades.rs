//! Atomic trades: escrow on proposal, all-or-nothing acceptance, expiry and cancellation.

use frame_support::{assert_noop, assert_ok};

use super::*;

type Side = TradeSide<Balance, <Test as Config>::MaxTradeItems>;

fn side(items: &[(CollectionId, TokenId, TokenAmount)], lud: Balance) -> Side {
    TradeSide {
        items: items
            .iter()
            .map(|(collection, token, amount)| TradeItem { collection: *collection, token: *token, amount: *amount })
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
        lud,
    }
}

#[test]
fn an_accepted_trade_moves_both_sides() {
    run_test(|| {
        let c = new_collection();
        let sword = minted(c, 1, ALICE, 1);
        let gold = minted(c, 1_000, BOB, 500);
        let (alice, bob) = (free(ALICE), free(BOB));
        assert_ok!(GameAssets::propose_trade(
            signed(ALICE),
            BOB,
            side(&[(c, sword, 1)], 50),
            side(&[(c, gold, 200)], 7),
            10
        ));
        assert_eq!(last_event(), Event::TradeProposed { trade: 0, proposer: ALICE, counterparty: BOB, expires: 10 });
        // The proposer's side is escrowed at once.
        assert_eq!(GameAssets::balance_of(c, sword, &ALICE), 0);
        assert_eq!(escrow_of(ALICE), 50);
        assert_eq!(deposit_of(ALICE), RECORD_DEPOSIT);
        check_state();
        assert_ok!(GameAssets::accept_trade(signed(BOB), 0));
        assert_eq!(last_event(), Event::TradeAccepted { trade: 0 });
        assert_eq!(GameAssets::balance_of(c, sword, &BOB), 1);
        assert_eq!(GameAssets::balance_of(c, gold, &ALICE), 200);
        assert_eq!(GameAssets::balance_of(c, gold, &BOB), 300);
        assert_eq!(free(ALICE), alice - 50 + 7);
        assert_eq!(free(BOB), bob + 50 - 7);
        assert_eq!((escrow_of(ALICE), deposit_of(ALICE)), (0, 0));
        assert!(Trades::<Test>::get(0).is_none());
    });
}

#[test]
fn a_failed_acceptance_moves_nothing() {
    run_test(|| {
        let c = new_collection();
        let sword = minted(c, 1, ALICE, 1);
        let gold = minted(c, 1_000, BOB, 100);
        let potion = minted(c, 1_000, BOB, 1);
        // Bob has the gold but not 5 potions: the gold leg would succeed first.
        assert_ok!(GameAssets::propose_trade(
            signed(ALICE),
            BOB,
            side(&[(c, sword, 1)], 50),
            side(&[(c, gold, 100), (c, potion, 5)], 0),
            10
        ));
        assert_noop!(GameAssets::accept_trade(signed(BOB), 0), Error::<Test>::InsufficientBalance);
        // Same when the LUD leg fails last.
        assert_ok!(GameAssets::cancel_trade(signed(ALICE), 0));
        assert_ok!(GameAssets::propose_trade(
            signed(ALICE),
            BOB,
            side(&[(c, sword, 1)], 0),
            side(&[(c, gold, 100)], INITIAL_BALANCE * 2),
            10
        ));
        let root = state_root();
        assert!(GameAssets::accept_trade(signed(BOB), 1).is_err());
        assert_eq!(state_root(), root);
    });
}

#[test]
fn accept_errors() {
    run_test(|| {
        let c = new_collection();
        let sword = minted(c, 1, ALICE, 1);
        assert_ok!(GameAssets::propose_trade(signed(ALICE), BOB, side(&[(c, sword, 1)], 0), side(&[], 10), 10));
        assert_noop!(GameAssets::accept_trade(signed(BOB), 1), Error::<Test>::UnknownTrade);
        assert_noop!(GameAssets::accept_trade(signed(STRANGER), 0), Error::<Test>::NotCounterparty);
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(sword), true));
        assert_noop!(GameAssets::accept_trade(signed(BOB), 0), Error::<Test>::Frozen);
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Token(sword), false));
        System::set_block_number(11);
        assert_noop!(GameAssets::accept_trade(signed(BOB), 0), Error::<Test>::TradeExpired);
    });
}

#[test]
fn propose_errors() {
    run_test(|| {
        let c = new_collection();
        let sword = minted(c, 1, ALICE, 1);
        let some = side(&[(c, sword, 1)], 0);
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), ALICE, some.clone(), side(&[], 0), 10),
            Error::<Test>::TradeWithSelf
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, side(&[], 0), side(&[], 0), 10),
            Error::<Test>::EmptyTrade
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, some.clone(), side(&[], 0), 0),
            Error::<Test>::InvalidExpiry
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, some.clone(), side(&[], 0), 1 + MAX_TRADE_DURATION + 1),
            Error::<Test>::InvalidExpiry
        );
        assert_noop!(
            GameAssets::propose_trade(signed(BOB), ALICE, some.clone(), side(&[], 0), 10),
            Error::<Test>::InsufficientBalance
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, side(&[(c, sword, 0)], 0), side(&[], 0), 10),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, some.clone(), side(&[(c, 9, 1)], 0), 10),
            Error::<Test>::UnknownToken
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, some.clone(), side(&[(c + 1, 0, 1)], 0), 10),
            Error::<Test>::UnknownCollection
        );
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, side(&[], INITIAL_BALANCE * 2), side(&[], 0), 10),
            sp_runtime::TokenError::FundsUnavailable
        );
        let soulbound = new_collection_with(CollectionPolicy { transferable: false, burnable_by_holder: true }, None);
        let badge = minted(soulbound, 1, ALICE, 1);
        assert_noop!(
            GameAssets::propose_trade(signed(ALICE), BOB, side(&[(soulbound, badge, 1)], 0), side(&[], 0), 10),
            Error::<Test>::NotTransferable
        );
    });
}

#[test]
fn cancel_by_proposer_any_time_and_by_anyone_after_expiry() {
    run_test(|| {
        let c = new_collection();
        let gold = minted(c, 1_000, ALICE, 100);
        let alice = free(ALICE);
        assert_ok!(GameAssets::propose_trade(signed(ALICE), BOB, side(&[(c, gold, 60)], 40), side(&[], 1), 10));
        assert_noop!(GameAssets::cancel_trade(signed(STRANGER), 0), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::cancel_trade(signed(BOB), 0), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::cancel_trade(signed(ALICE), 1), Error::<Test>::UnknownTrade);
        assert_ok!(GameAssets::cancel_trade(signed(ALICE), 0));
        assert_eq!(last_event(), Event::TradeCancelled { trade: 0 });
        assert_eq!(GameAssets::balance_of(c, gold, &ALICE), 100);
        assert_eq!(free(ALICE), alice);
        assert_ok!(GameAssets::propose_trade(signed(ALICE), BOB, side(&[(c, gold, 60)], 40), side(&[], 1), 10));
        System::set_block_number(11);
        assert_ok!(GameAssets::cancel_trade(signed(STRANGER), 1));
        assert_eq!(GameAssets::balance_of(c, gold, &ALICE), 100);
        assert_eq!(free(ALICE), alice);
    });
}
