//! Bounded state: what a busy bridge stores stays bounded by its limits, not its history,
//! while users keep what they need to claim.

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::verify_proof;

use super::{checkpoints::sign, *};

/// Validator `index`'s signature of checkpoint `number`, as its signer would make it.
fn checkpoint_signature(index: usize, number: u64) -> ecdsa::Signature {
    let digest = Checkpoints::<Test>::get(number).unwrap().digest(L1_CHAIN_ID, CheckpointsAddress::get());
    validators()[index].sign_prehashed(digest.as_fixed_bytes())
}

#[test]
fn executed_deposits_keep_their_outcome_for_the_retention_only() {
    run_test(|| {
        register();
        // Several windows' worth, in order: only the last `OUTCOME_RETENTION` keep a record.
        for nonce in 1..=4 * WINDOW {
            deposited(nonce, 10);
        }
        let lowest = 4 * WINDOW + 1;
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), lowest);
        let mut kept: Vec<u64> = ExecutedDeposits::<Test>::iter_keys().collect();
        kept.sort_unstable();
        assert_eq!(kept, (lowest - OUTCOME_RETENTION..lowest).collect::<Vec<_>>());
        // Out of order: nonces above the lowest are recorded as executed besides those.
        let first = lowest;
        deposited(first + 2, 10);
        deposited(first + 1, 10);
        assert_eq!(ExecutedDeposits::<Test>::iter_keys().count() as u64, OUTCOME_RETENTION + 2);
        // The lowest passes three nonces: three records fall out of the retention.
        deposited(first, 10);
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), first + 3);
        let mut kept: Vec<u64> = ExecutedDeposits::<Test>::iter_keys().collect();
        kept.sort_unstable();
        assert_eq!(kept, (first + 3 - OUTCOME_RETENTION..first + 3).collect::<Vec<_>>());
        // "Below the lowest means executed": an old nonce is refused as executed, by the pool
        // and at dispatch, although nothing records it any more.
        let old = deposit(first + 2 - OUTCOME_RETENTION, 10);
        assert!(!ExecutedDeposits::<Test>::contains_key(old.nonce));
        let signature = attestation(&validators()[3], &old);
        let call = Call::<Test>::attest_deposit { deposit: old, validator_index: 3, signature };
        assert_eq!(validate(&call), Err(sp_runtime::transaction_validity::InvalidTransaction::Stale.into()));
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), old, 3, signature),
            Error::<Test>::DepositAlreadyExecuted
        );
        assert_eq!(asset_balance(RECIPIENT), u128::from(10 * (4 * WINDOW + 3)));
    });
}

#[test]
fn old_checkpoint_signatures_are_pruned_a_few_per_block_and_claims_stay_provable() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 100, L1_RECIPIENT, 0));
        let checkpoints = 4 * RETENTION;
        run_to_block(checkpoints * INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), checkpoints);
        assert_eq!(Bridge::checkpoint_of_withdrawal(1), Some(1));
        // Signed all at once, as after a stall: the backlog is pruned a few per block.
        for number in 1..=checkpoints {
            sign(number, 0..3);
        }
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), checkpoints + 1);
        run_to_block(checkpoints * INTERVAL + 2);
        assert_eq!(SignaturesRetainedFrom::<Test>::get(), 1 + MAX_PRUNED_PER_BLOCK);
        run_to_block(checkpoints * INTERVAL + 1 + checkpoints / MAX_PRUNED_PER_BLOCK);
        // Only the last `RETENTION` signed checkpoints keep their signatures.
        let horizon = checkpoints + 1 - RETENTION;
        assert_eq!(SignaturesRetainedFrom::<Test>::get(), horizon);
        assert_eq!(CheckpointSignatures::<Test>::iter().count() as u64, 3 * RETENTION);
        assert_eq!(CheckpointTallies::<Test>::iter().count() as u64, RETENTION);
        assert_eq!(Bridge::signed_checkpoint(horizon - 1), None, "pruned: an archive node serves it");
        assert_eq!(Bridge::signed_checkpoint(horizon).map(|(_, signatures)| signatures.len()), Some(3));
        // The withdrawal in checkpoint 1 is still signed, and provable.
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Signed { number: 1 }));
        let proof = Bridge::withdrawal_proof(1).expect("checkpoint 1's withdrawals are kept");
        let root = Checkpoints::<Test>::get(1).unwrap().withdrawals_root;
        assert!(verify_proof(&root, &proof.leaf, &proof.proof));
        // A pruned checkpoint gathers no signatures again.
        let late = checkpoint_signature(3, 1);
        let call = Call::<Test>::submit_checkpoint_signature { number: 1, validator_index: 3, signature: late };
        assert_eq!(validate(&call), Err(sp_runtime::transaction_validity::InvalidTransaction::Stale.into()));
        assert_noop!(
            Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 3, late),
            Error::<Test>::CheckpointAlreadySigned
        );
        // Unsigned checkpoints are never pruned, however old.
        run_to_block((checkpoints + 2 * RETENTION) * INTERVAL + 1);
        assert_eq!(SignaturesRetainedFrom::<Test>::get(), horizon);
        assert_eq!(
            Bridge::checkpoints_to_sign(&validators()[0].public()).first().map(|(n, ..)| *n),
            Some(checkpoints + 1)
        );
    });
}
