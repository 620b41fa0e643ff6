//! Deposits that cannot be minted go back to their depositor as ordinary withdrawals.

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::{verify_proof, Deposit, Withdrawal};

use super::*;

/// The L1 account that made [`deposit`]s.
const DEPOSITOR: L1Address = [0x22; 20];

/// Three of four validators attest `deposit`, which reaches the threshold.
fn executed(deposit: &Deposit) -> Option<DepositOutcome> {
    for index in 0..3 {
        assert_ok!(attest(index, deposit));
    }
    outcome(deposit.nonce)
}

/// Checks that `deposit` was refunded as withdrawal `id` for `reason`, and that the refund
/// is claimable with the usual proof once checkpointed.
fn assert_refunded(deposit: &Deposit, id: WithdrawalId, reason: RefundReason) {
    assert_eq!(outcome(deposit.nonce), Some(DepositOutcome::Refunded { withdrawal: id, reason }));
    assert!(events().contains(&Event::DepositRefunded {
        nonce: deposit.nonce,
        withdrawal_id: id,
        reason,
        token: deposit.token,
        depositor: DEPOSITOR,
        amount: deposit.amount,
    }));
    // The nonce is spent: no attestation counts towards it again.
    assert_noop!(attest(3, deposit), "refused by the pool");
    // A refund names no fee: the depositor is paid the whole amount, whoever claims.
    let refund = Withdrawal { id, token: deposit.token, recipient: DEPOSITOR, amount: deposit.amount, fee: 0 };
    let now = System::block_number();
    run_to_block(now + 2 * INTERVAL);
    let WithdrawalProof { withdrawal, checkpoint, leaf, proof } =
        Bridge::withdrawal_proof(id).expect("the refund is checkpointed");
    assert_eq!(withdrawal, refund);
    assert_eq!(leaf, refund.leaf(L1_CHAIN_ID, VaultAddress::get()));
    let root = Checkpoints::<Test>::get(checkpoint).unwrap().withdrawals_root;
    assert!(verify_proof(&root, &leaf, &proof));
}

#[test]
fn a_deposit_of_an_unregistered_token_is_refunded_to_its_depositor() {
    run_test(|| {
        let deposit = deposit(1, 1_000);
        assert_eq!(
            executed(&deposit),
            Some(DepositOutcome::Refunded { withdrawal: 1, reason: RefundReason::UnknownToken })
        );
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 2);
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Pending));
        register();
        assert_refunded(&deposit, 1, RefundReason::UnknownToken);
        assert_eq!(asset_balance(RECIPIENT), 0);
    });
}

#[test]
fn a_deposit_below_the_assets_minimum_balance_is_refunded() {
    run_test(|| {
        assert_ok!(Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET, 50));
        let deposit = deposit(1, 49);
        executed(&deposit);
        assert_eq!(Assets::total_supply(ASSET), 0);
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().outstanding, 0, "nothing was minted");
        assert_refunded(&deposit, 1, RefundReason::BelowMinimum);
    });
}

#[test]
fn a_deposit_to_a_frozen_asset_or_account_is_refunded() {
    run_test(|| {
        register();
        deposited(1, 10);
        // The bridge's account is the asset's freezer; governance could act through it.
        assert_ok!(Assets::freeze_asset(RuntimeOrigin::signed(Bridge::account_id()), ASSET));
        let frozen_asset = deposit(2, 1_000);
        executed(&frozen_asset);
        assert_ok!(Assets::thaw_asset(RuntimeOrigin::signed(Bridge::account_id()), ASSET));
        assert_ok!(Assets::block(RuntimeOrigin::signed(Bridge::account_id()), ASSET, account(RECIPIENT)));
        let blocked_account = deposit(3, 1_000);
        executed(&blocked_account);
        assert_eq!(asset_balance(RECIPIENT), 10);
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().outstanding, 10);
        assert_refunded(&frozen_asset, 1, RefundReason::AssetRefused);
        assert_refunded(&blocked_account, 2, RefundReason::AssetRefused);
    });
}

#[test]
fn a_deposit_overflowing_what_is_outstanding_is_refunded() {
    run_test(|| {
        register();
        deposited(1, u128::MAX);
        let deposit = deposit(2, 1);
        executed(&deposit);
        assert_eq!(asset_balance(RECIPIENT), u128::MAX);
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().outstanding, u128::MAX);
        assert_refunded(&deposit, 1, RefundReason::LedgerOverflow);
    });
}

#[test]
fn the_ledger_counts_what_is_outstanding_so_lifetime_volume_never_overflows_it() {
    run_test(|| {
        register();
        // More than u128::MAX crosses the bridge in all, never more than that at once: a
        // lifetime total would overflow on the second deposit and refund it.
        deposited(1, u128::MAX);
        assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, u128::MAX, L1_RECIPIENT, 0));
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().outstanding, 0);
        deposited(2, u128::MAX);
        assert_eq!(asset_balance(RECIPIENT), u128::MAX);
        assert_eq!(Tokens::<Test>::get(TOKEN).unwrap().outstanding, u128::MAX);
    });
}

#[test]
fn a_refund_into_a_full_period_queues_for_the_next_checkpoint() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        for _ in 0..MAX_WITHDRAWALS {
            assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 1, L1_RECIPIENT, 0));
        }
        let refunded = Deposit { token: [0x99; 20], ..deposit(2, 500) };
        let id = u64::from(MAX_WITHDRAWALS) + 1;
        assert_eq!(
            executed(&refunded),
            Some(DepositOutcome::Refunded { withdrawal: id, reason: RefundReason::UnknownToken })
        );
        assert_eq!(QueuedWithdrawalCount::<Test>::get(), 1);
        assert_refunded(&refunded, id, RefundReason::UnknownToken);
        assert_eq!(Bridge::checkpoint_of_withdrawal(id), Some(2));
    });
}

#[test]
fn an_in_order_refund_reads_as_refunded_with_its_withdrawal_id() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        let refunded = Deposit { token: [0x99; 20], ..deposit(2, 500) };
        executed(&refunded);
        // In order: the lowest unexecuted nonce passed it, and the status still names the
        // refund, which the depositor follows to its withdrawal and claims on the L1.
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 3);
        assert_eq!(
            Bridge::deposit_status(2),
            Some(DepositStatus::Executed {
                outcome: Some(DepositOutcome::Refunded { withdrawal: 1, reason: RefundReason::UnknownToken })
            })
        );
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Pending));
        assert_refunded(&refunded, 1, RefundReason::UnknownToken);
    });
}
