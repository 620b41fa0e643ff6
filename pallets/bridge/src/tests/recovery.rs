//! Recovery from a lost validator set (issue 9, item 9): root abandons the checkpoints the
//! lost set never signs, and the new set commits their withdrawals again.

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::{eth_address, verify_proof};
use sp_runtime::{
    transaction_validity::{InvalidTransaction, TransactionValidityError},
    DispatchError,
};

use super::{checkpoints::signature, *};

fn withdraw(amount: u128) -> DispatchResult {
    Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, amount, L1_RECIPIENT, 0)
}

/// The new set's pairs, in set order (ascending address).
fn new_set() -> Vec<ecdsa::Pair> {
    let mut pairs: Vec<_> = ["//Eve", "//Ferdie", "//Recovery"].iter().map(|seed| pair(seed)).collect();
    pairs.sort_by_key(|pair| eth_address(&pair.public()).unwrap());
    pairs
}

/// Root replaces the genesis set by [`new_set`]; the next block fixes the handoff checkpoint.
fn change_set() {
    let keys: Vec<_> = new_set().iter().map(|pair| pair.public()).collect();
    assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), keys.try_into().unwrap()));
}

/// Every member of the new set signs checkpoint `number`.
fn new_set_signs(number: u64) {
    for (index, pair) in new_set().iter().enumerate() {
        let signature = signature(pair, number);
        let call = Call::<Test>::submit_checkpoint_signature { number, validator_index: index as u32, signature };
        assert_ok!(validate(&call));
        assert_ok!(Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), number, index as u32, signature));
    }
}

fn ids(number: u64) -> Vec<u64> {
    CheckpointWithdrawals::<Test>::get(number).unwrap().withdrawals.iter().map(|w| w.id).collect()
}

#[test]
fn an_unsigned_handoff_is_abandoned_and_its_withdrawals_committed_again_by_the_new_set() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        for amount in [10, 20, 30] {
            assert_ok!(withdraw(amount));
        }
        change_set();
        run_to_block(2);
        // The handoff holds withdrawals 1..=3 and commits to set 1; set 0 is lost and never signs it.
        assert_eq!(ids(1), vec![1, 2, 3]);
        assert_eq!(Checkpoints::<Test>::get(1).unwrap().validator_set_id, 0);
        assert_eq!(CurrentSetId::<Test>::get(), 1);
        // Four newer ones: the period (5) fills up when the three come back.
        for amount in [40, 50, 60, 70] {
            assert_ok!(withdraw(amount));
        }
        assert_noop!(
            Bridge::abandon_checkpoints(RuntimeOrigin::signed(account(RECIPIENT)), 1),
            DispatchError::BadOrigin
        );
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 2), Error::<Test>::UnknownCheckpoint);
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 0), Error::<Test>::UnknownCheckpoint);
        assert_ok!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 1));
        assert!(events().contains(&Event::CheckpointsAbandoned { from: 1, to: 1, requeued: 3 }));
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 2);
        assert!(Bridge::is_abandoned(1));
        assert_eq!(PendingWithdrawals::<Test>::get().iter().map(|w| w.id).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        assert_eq!(QueuedWithdrawalCount::<Test>::get(), 2, "the newest spill into the queue");
        for id in 1..=7 {
            assert_eq!(Bridge::withdrawal_status(id), Some(WithdrawalStatus::Pending));
            assert_eq!(Bridge::withdrawal_proof(id), None);
        }
        Bridge::do_try_state().unwrap();
        // The lost set's signatures of the abandoned checkpoint are refused, in the pool and at dispatch.
        let late = signature(&validators()[0], 1);
        assert_eq!(
            validate(&Call::<Test>::submit_checkpoint_signature { number: 1, validator_index: 0, signature: late }),
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );
        assert_noop!(
            Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 0, late),
            Error::<Test>::CheckpointAbandoned
        );
        // The new set's checkpoints commit them again, with the same ids.
        run_to_block(2 + INTERVAL);
        assert_eq!(ids(2), vec![1, 2, 3, 4, 5]);
        assert_eq!(CheckpointWithdrawals::<Test>::get(2).unwrap().first_id, 4);
        assert_eq!(Checkpoints::<Test>::get(2).unwrap().validator_set_id, 1);
        run_to_block(2 + 2 * INTERVAL);
        assert_eq!(ids(3), vec![6, 7]);
        let key = new_set()[0].public();
        assert_eq!(
            Bridge::checkpoints_to_sign(&key).iter().map(|(number, ..)| *number).collect::<Vec<_>>(),
            vec![2, 3]
        );
        new_set_signs(2);
        new_set_signs(3);
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 4);
        for (id, number) in [(1u64, 2u64), (2, 2), (3, 2), (4, 2), (5, 2), (6, 3), (7, 3)] {
            assert_eq!(Bridge::withdrawal_status(id), Some(WithdrawalStatus::Signed { number }));
            let proof = Bridge::withdrawal_proof(id).unwrap();
            assert_eq!(
                (proof.withdrawal.id, proof.withdrawal.amount, proof.checkpoint),
                (id, u128::from(id) * 10, number)
            );
            let root = Checkpoints::<Test>::get(number).unwrap().withdrawals_root;
            assert!(verify_proof(&root, &proof.leaf, &proof.proof));
        }
        assert_eq!(Bridge::signed_checkpoint(1), None, "the abandoned checkpoint never goes to the L1");
    });
}

#[test]
fn only_unsigned_checkpoints_of_a_former_set_are_abandoned() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        run_to_block(INTERVAL + 1);
        assert_ok!(withdraw(10));
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 1), Error::<Test>::CheckpointOfCurrentSet);
        run_to_block(2 * INTERVAL + 1);
        change_set();
        run_to_block(2 * INTERVAL + 2);
        assert_eq!(LatestCheckpoint::<Test>::get(), 3);
        // Set 0 signed checkpoint 2 but not 1 or the handoff 3.
        super::checkpoints::sign(2, 0..3);
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 1);
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 3), Error::<Test>::CheckpointAlreadySigned);
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 2), Error::<Test>::CheckpointAlreadySigned);
        // Checkpoint 1 alone may go; the lowest unsigned one then moves past the signed 2.
        assert_ok!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 1));
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 3);
        assert_ok!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 3));
        assert!(events().contains(&Event::CheckpointsAbandoned { from: 3, to: 3, requeued: 0 }));
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 4);
        // Withdrawal 1 was in the signed checkpoint 2 and stays there.
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::Signed { number: 2 }));
        assert_noop!(Bridge::abandon_checkpoints(RuntimeOrigin::root(), 3), Error::<Test>::UnknownCheckpoint);
    });
}
