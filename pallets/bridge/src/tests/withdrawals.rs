//! Withdrawals: burning, the relayer's fee, the circuit breaker, status and proofs through
//! the runtime API.

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::{verify_proof, Withdrawal};

use super::*;

fn withdraw(amount: u128) -> DispatchResult {
    withdraw_with_fee(amount, 0)
}

fn withdraw_with_fee(amount: u128, fee: u128) -> DispatchResult {
    Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, amount, L1_RECIPIENT, fee)
}

#[test]
fn withdraw_burns_and_records_the_withdrawal() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_ok!(withdraw(300));
        assert_eq!(asset_balance(RECIPIENT), 700);
        assert_eq!(Assets::total_supply(ASSET), 700);
        assert_eq!(
            PendingWithdrawals::<Test>::get().into_inner(),
            vec![Withdrawal { id: 1, token: TOKEN, recipient: L1_RECIPIENT, amount: 300, fee: 0 }]
        );
        assert_eq!(Tokens::<Test>::get(TOKEN).map(|info| info.outstanding), Some(700));
        assert!(events().contains(&Event::Withdrawn {
            id: 1,
            who: account(RECIPIENT),
            asset: ASSET,
            token: TOKEN,
            amount: 300,
            l1_recipient: L1_RECIPIENT,
            fee: 0,
        }));
        // The whole rest may go (expendable), but not a unit more than is held.
        assert!(withdraw(701).is_err());
        assert_ok!(withdraw(700));
        assert_eq!(asset_balance(RECIPIENT), 0);
        assert_eq!(NextWithdrawalId::<Test>::get(), 3);
    });
}

#[test]
fn bad_withdrawals_are_refused() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_noop!(withdraw(0), Error::<Test>::ZeroAmount);
        assert_noop!(
            Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 1, [0; 20], 0),
            Error::<Test>::ZeroRecipient
        );
        assert_noop!(
            Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET + 1, 1, L1_RECIPIENT, 0),
            Error::<Test>::UnknownAsset
        );
        assert_noop!(
            Bridge::withdraw(RuntimeOrigin::signed(account([1; 32])), ASSET, 1, L1_RECIPIENT, 0),
            sp_runtime::TokenError::FundsUnavailable
        );
    });
}

#[test]
fn the_fee_is_recorded_in_the_withdrawal_its_event_and_its_leaf() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_ok!(withdraw_with_fee(300, 25));
        // The whole amount may go to whoever claims (the user claiming themselves, say).
        assert_ok!(withdraw_with_fee(100, 100));
        // The fee is part of the amount burnt, not on top of it.
        assert_eq!(asset_balance(RECIPIENT), 600);
        assert_eq!(Tokens::<Test>::get(TOKEN).map(|info| info.outstanding), Some(600));
        let paying = Withdrawal { id: 1, token: TOKEN, recipient: L1_RECIPIENT, amount: 300, fee: 25 };
        assert_eq!(PendingWithdrawals::<Test>::get()[0], paying);
        assert!(events().contains(&Event::Withdrawn {
            id: 1,
            who: account(RECIPIENT),
            asset: ASSET,
            token: TOKEN,
            amount: 300,
            l1_recipient: L1_RECIPIENT,
            fee: 25,
        }));
        run_to_block(INTERVAL + 1);
        let WithdrawalProof { withdrawal, checkpoint, leaf, proof } = Bridge::withdrawal_proof(1).unwrap();
        assert_eq!(withdrawal, paying);
        assert_eq!(leaf, paying.leaf(L1_CHAIN_ID, VaultAddress::get()));
        let root = Checkpoints::<Test>::get(checkpoint).unwrap().withdrawals_root;
        assert!(verify_proof(&root, &leaf, &proof));
        // A relayer cannot raise its fee (nor anyone lower it) with the same proof.
        for fee in [0, 24, 26, 300] {
            let altered = Withdrawal { fee, ..paying };
            assert!(!verify_proof(&root, &altered.leaf(L1_CHAIN_ID, VaultAddress::get()), &proof), "fee {fee}");
        }
        assert_eq!(Bridge::withdrawal_proof(2).unwrap().withdrawal.fee, 100);
    });
}

#[test]
fn a_fee_above_the_amount_is_refused_and_nothing_is_burnt() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_noop!(withdraw_with_fee(300, 301), Error::<Test>::FeeAboveAmount);
        assert_noop!(withdraw_with_fee(1, u128::MAX), Error::<Test>::FeeAboveAmount);
        assert_eq!(asset_balance(RECIPIENT), 1_000);
        assert_eq!(Tokens::<Test>::get(TOKEN).map(|info| info.outstanding), Some(1_000));
        assert_eq!(NextWithdrawalId::<Test>::get(), 1);
        assert!(PendingWithdrawals::<Test>::get().is_empty());
    });
}

#[test]
fn paused_withdrawals_are_refused_until_resumed() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), false, true));
        assert_noop!(withdraw(1), Error::<Test>::WithdrawalsPaused);
        // Deposits still flow while withdrawals are paused.
        deposited(2, 1);
        assert_noop!(
            Bridge::set_paused(RuntimeOrigin::signed(account(RECIPIENT)), false, false),
            sp_runtime::DispatchError::BadOrigin
        );
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), false, false));
        assert_ok!(withdraw(1));
    });
}

#[test]
fn a_full_period_spills_into_later_checkpoints_instead_of_refusing() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        // Two and a half periods' worth, all in one period's time.
        let count = 2 * u64::from(MAX_WITHDRAWALS) + 3;
        for amount in 1..=count {
            assert_ok!(withdraw(u128::from(amount)));
        }
        assert_eq!(PendingWithdrawals::<Test>::get().len() as u32, MAX_WITHDRAWALS);
        assert_eq!(QueuedWithdrawalCount::<Test>::get(), count - u64::from(MAX_WITHDRAWALS));
        assert_eq!(Bridge::withdrawal_status(count), Some(WithdrawalStatus::Pending));
        Bridge::do_try_state().unwrap();
        // Each checkpoint takes a period's worth, oldest first; nothing waits for a heartbeat.
        for (number, ids) in [(1, 1..=5u64), (2, 6..=10), (3, 11..=13)] {
            run_to_block(number * INTERVAL + 1);
            let period = CheckpointWithdrawals::<Test>::get(number).unwrap();
            assert_eq!(period.withdrawals.iter().map(|w| w.id).collect::<Vec<_>>(), ids.clone().collect::<Vec<_>>());
            Bridge::do_try_state().unwrap();
        }
        assert_eq!(QueuedWithdrawalCount::<Test>::get(), 0);
        assert!(PendingWithdrawals::<Test>::get().is_empty());
        // Every one is claimable with its proof against its checkpoint's root.
        for id in 1..=count {
            let WithdrawalProof { withdrawal, checkpoint, leaf, proof } = Bridge::withdrawal_proof(id).unwrap();
            assert_eq!((withdrawal.id, withdrawal.amount), (id, u128::from(id)));
            let root = Checkpoints::<Test>::get(checkpoint).unwrap().withdrawals_root;
            assert_eq!(leaf, withdrawal.leaf(L1_CHAIN_ID, VaultAddress::get()));
            assert!(verify_proof(&root, &leaf, &proof));
        }
        let burnt: u128 = (1..=u128::from(count)).sum();
        assert_eq!(asset_balance(RECIPIENT), 1_000 - burnt);
    });
}

#[test]
fn withdrawals_below_the_tokens_minimum_are_refused() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().min_withdrawal, 1);
        assert_noop!(
            Bridge::set_min_withdrawal(RuntimeOrigin::signed(account(RECIPIENT)), TOKEN, 100),
            sp_runtime::DispatchError::BadOrigin
        );
        assert_noop!(Bridge::set_min_withdrawal(RuntimeOrigin::root(), [0x99; 20], 100), Error::<Test>::UnknownToken);
        assert_noop!(Bridge::set_min_withdrawal(RuntimeOrigin::root(), TOKEN, 0), Error::<Test>::ZeroAmount);
        assert_ok!(Bridge::set_min_withdrawal(RuntimeOrigin::root(), TOKEN, 100));
        assert!(events().contains(&Event::MinWithdrawalSet { token: TOKEN, min_withdrawal: 100 }));
        assert_noop!(withdraw(99), Error::<Test>::BelowMinimumWithdrawal);
        assert_ok!(withdraw(100));
        assert_eq!(asset_balance(RECIPIENT), 900);
    });
}

#[test]
fn registration_sets_the_minimum_withdrawal_to_the_assets_minimum_balance() {
    run_test(|| {
        assert_ok!(Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET, 50));
        deposited(1, 1_000);
        assert_noop!(withdraw(49), Error::<Test>::BelowMinimumWithdrawal);
        assert_ok!(withdraw(50));
    });
}

#[test]
fn a_checkpointed_withdrawal_has_a_proof_that_verifies_against_the_checkpoint_root() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        for amount in [10, 20, 30] {
            assert_ok!(withdraw(amount));
        }
        assert_eq!(Bridge::withdrawal_status(2), Some(WithdrawalStatus::Pending));
        assert_eq!(Bridge::withdrawal_proof(2), None);
        assert_eq!(Bridge::withdrawal_status(4), None);
        assert_eq!(Bridge::withdrawal_status(0), None);
        run_to_block(INTERVAL + 1);
        assert_ok!(withdraw(40));
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        assert!(!checkpoint.withdrawals_root.is_zero());
        for (id, amount) in [(1u64, 10u128), (2, 20), (3, 30)] {
            assert_eq!(Bridge::withdrawal_status(id), Some(WithdrawalStatus::InCheckpoint { number: 1 }));
            let WithdrawalProof { withdrawal, checkpoint: number, leaf, proof } = Bridge::withdrawal_proof(id).unwrap();
            assert_eq!(withdrawal, Withdrawal { id, token: TOKEN, recipient: L1_RECIPIENT, amount, fee: 0 });
            assert_eq!(number, 1);
            assert_eq!(leaf, withdrawal.leaf(L1_CHAIN_ID, VaultAddress::get()));
            assert!(verify_proof(&checkpoint.withdrawals_root, &leaf, &proof));
            // The proof is for this leaf only.
            let altered = Withdrawal { amount: amount + 1, ..withdrawal };
            assert!(!verify_proof(
                &checkpoint.withdrawals_root,
                &altered.leaf(L1_CHAIN_ID, VaultAddress::get()),
                &proof
            ));
            // Nor for another Vault on the same L1.
            assert!(!verify_proof(
                &checkpoint.withdrawals_root,
                &withdrawal.leaf(L1_CHAIN_ID, sp_core::H160::repeat_byte(0xee)),
                &proof
            ));
        }
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::Pending));
        // Period 2 has no withdrawal but the 4th... period 3 onwards is empty.
        run_to_block(3 * INTERVAL + 1);
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::InCheckpoint { number: 2 }));
        let proof = Bridge::withdrawal_proof(4).unwrap();
        assert_eq!((proof.checkpoint, proof.proof.len()), (2, 0), "a single leaf is its own root");
        assert_eq!(Checkpoints::<Test>::get(3).unwrap().withdrawals_root, sp_core::H256::zero());
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::InCheckpoint { number: 1 }));
        super::checkpoints::sign(1, 0..3);
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Signed { number: 1 }));
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::InCheckpoint { number: 2 }));
    });
}
