//! Withdrawals: burning, the circuit breaker, status and proofs through the runtime API.

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::{verify_proof, Withdrawal};

use super::*;

fn withdraw(amount: u128) -> DispatchResult {
    Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, amount, L1_RECIPIENT)
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
            vec![Withdrawal { id: 1, token: TOKEN, recipient: L1_RECIPIENT, amount: 300 }]
        );
        assert_eq!(Tokens::<Test>::get(TOKEN).map(|info| info.withdrawn), Some(300));
        assert!(events().contains(&Event::Withdrawn {
            id: 1,
            who: account(RECIPIENT),
            asset: ASSET,
            token: TOKEN,
            amount: 300,
            l1_recipient: L1_RECIPIENT,
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
            Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 1, [0; 20]),
            Error::<Test>::ZeroRecipient
        );
        assert_noop!(
            Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET + 1, 1, L1_RECIPIENT),
            Error::<Test>::UnknownAsset
        );
        assert_noop!(
            Bridge::withdraw(RuntimeOrigin::signed(account([1; 32])), ASSET, 1, L1_RECIPIENT),
            sp_runtime::TokenError::FundsUnavailable
        );
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
fn a_full_period_refuses_withdrawals_until_the_next_checkpoint() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        for _ in 0..MAX_WITHDRAWALS {
            assert_ok!(withdraw(1));
        }
        assert_noop!(withdraw(1), Error::<Test>::PeriodFull);
        run_to_block(INTERVAL + 1);
        assert_ok!(withdraw(1));
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
            let (withdrawal, number, proof) = Bridge::withdrawal_proof(id).unwrap();
            assert_eq!(withdrawal, Withdrawal { id, token: TOKEN, recipient: L1_RECIPIENT, amount });
            assert_eq!(number, 1);
            assert!(verify_proof(&checkpoint.withdrawals_root, &withdrawal.leaf(L1_CHAIN_ID, VaultAddress::get()), &proof));
            // The proof is for this leaf only.
            let altered = Withdrawal { amount: amount + 1, ..withdrawal };
            assert!(!verify_proof(&checkpoint.withdrawals_root, &altered.leaf(L1_CHAIN_ID, VaultAddress::get()), &proof));
            // Nor for another Vault on the same L1.
            assert!(!verify_proof(&checkpoint.withdrawals_root, &withdrawal.leaf(L1_CHAIN_ID, sp_core::H160::repeat_byte(0xee)), &proof));
        }
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::Pending));
        // Period 2 has no withdrawal but the 4th... period 3 onwards is empty.
        run_to_block(3 * INTERVAL + 1);
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::InCheckpoint { number: 2 }));
        let (_, number, proof) = Bridge::withdrawal_proof(4).unwrap();
        assert_eq!((number, proof.len()), (2, 0), "a single leaf is its own root");
        assert_eq!(Checkpoints::<Test>::get(3).unwrap().withdrawals_root, sp_core::H256::zero());
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::InCheckpoint { number: 1 }));
        super::checkpoints::sign(1, 0..3);
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Signed { number: 1 }));
        assert_eq!(Bridge::withdrawal_status(4), Some(WithdrawalStatus::InCheckpoint { number: 2 }));
    });
}
