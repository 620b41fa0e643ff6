//! Checkpoints: when they are fixed, what they commit to, and the signature collection.

use core::ops::Range;

use frame_support::{assert_noop, assert_ok};
use ludus_primitives::bridge::{eth_address, validator_set_hash, Checkpoint};
use sp_core::H256;
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError, UnknownTransaction};

use super::*;

/// `pair`'s signature of checkpoint `number`'s EIP-712 digest.
pub fn signature(pair: &ecdsa::Pair, number: u64) -> ecdsa::Signature {
    let checkpoint = Checkpoints::<Test>::get(number).unwrap();
    pair.sign_prehashed(checkpoint.digest(L1_CHAIN_ID, CheckpointsAddress::get()).as_fixed_bytes())
}

/// Validators `indices` sign checkpoint `number` through the pool and dispatch.
pub fn sign(number: u64, indices: Range<usize>) {
    for index in indices {
        let signature = signature(&validators()[index], number);
        let call = Call::<Test>::submit_checkpoint_signature { number, validator_index: index as u32, signature };
        assert_ok!(validate(&call));
        assert_ok!(Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), number, index as u32, signature));
    }
}

fn genesis_set_hash(set_id: u64) -> H256 {
    let addresses: Vec<_> = validators().iter().map(|pair| eth_address(&pair.public()).unwrap()).collect();
    validator_set_hash(set_id, &addresses).unwrap()
}

#[test]
fn checkpoints_are_fixed_every_interval_contiguously() {
    run_test(|| {
        run_to_block(INTERVAL);
        assert_eq!(LatestCheckpoint::<Test>::get(), 0);
        run_to_block(3 * INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 3);
        let genesis = frame_system::BlockHash::<Test>::get(0);
        for number in 1..=3u64 {
            let last = number * INTERVAL;
            assert_eq!(
                Checkpoints::<Test>::get(number),
                Some(Checkpoint {
                    sidechain_genesis: genesis,
                    number,
                    first_block: (last - INTERVAL + 1) as u32,
                    last_block: last as u32,
                    last_block_hash: hash_of_block(last),
                    withdrawals_root: H256::zero(),
                    validator_set_id: 0,
                    next_validator_set_hash: genesis_set_hash(0),
                })
            );
        }
        assert!(events().contains(&Event::CheckpointFixed {
            number: 2,
            first_block: 11,
            last_block: 20,
            withdrawals_root: H256::zero(),
            first_withdrawal_id: 1,
            withdrawals: 0,
            validator_set_id: 0,
        }));
    });
}

#[test]
fn a_set_change_fixes_a_checkpoint_that_commits_to_the_new_set() {
    run_test(|| {
        run_to_block(5);
        let next = vec![pair("//Eve").public(), pair("//Ferdie").public(), validators()[0].public()];
        assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), next.clone().try_into().unwrap()));
        let mut addresses: Vec<_> = next.iter().map(|key| eth_address(key).unwrap()).collect();
        addresses.sort();
        let set_hash = validator_set_hash(1, &addresses).unwrap();
        assert!(events().contains(&Event::ValidatorSetQueued { set_id: 1, validators: 3, set_hash }));
        assert_eq!(CurrentSetId::<Test>::get(), 0, "the new set waits for the checkpoint");
        run_to_block(6);
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        assert_eq!((checkpoint.first_block, checkpoint.last_block), (1, 5));
        assert_eq!(checkpoint.validator_set_id, 0, "the outgoing set signs the handoff");
        assert_eq!(checkpoint.next_validator_set_hash, validator_set_hash(1, &addresses).unwrap());
        assert_eq!(CurrentSetId::<Test>::get(), 1);
        assert!(events().contains(&Event::ValidatorSetChanged { set_id: 1, validators: 3, set_hash }));
        // The interval restarts from the handoff.
        run_to_block(6 + INTERVAL);
        let second = Checkpoints::<Test>::get(2).unwrap();
        assert_eq!((second.first_block, second.last_block, second.validator_set_id), (6, 15, 1));
        assert_eq!(second.next_validator_set_hash, validator_set_hash(1, &addresses).unwrap());
        // The outgoing set can still sign its last checkpoint.
        sign(1, 0..3);
        assert!(CheckpointTallies::<Test>::get(1).signed);
    });
}

#[test]
fn invalid_validator_sets_are_refused() {
    run_test(|| {
        assert_noop!(
            Bridge::set_validators(RuntimeOrigin::root(), vec![].try_into().unwrap()),
            Error::<Test>::EmptyValidatorSet
        );
        let alice = validators()[0].public();
        assert_noop!(
            Bridge::set_validators(RuntimeOrigin::root(), vec![alice, alice].try_into().unwrap()),
            Error::<Test>::DuplicateValidator
        );
        assert_noop!(
            Bridge::set_validators(RuntimeOrigin::root(), vec![ecdsa::Public::from_raw([0; 33])].try_into().unwrap()),
            Error::<Test>::InvalidValidatorKey
        );
        assert_noop!(
            Bridge::set_validators(RuntimeOrigin::signed(account(RECIPIENT)), vec![alice].try_into().unwrap()),
            sp_runtime::DispatchError::BadOrigin
        );
    });
}

#[test]
fn signatures_are_collected_until_more_than_two_thirds_signed() {
    run_test(|| {
        run_to_block(INTERVAL + 1);
        sign(1, 0..2);
        assert_eq!(CheckpointTallies::<Test>::get(1), SignatureTally { count: 2, signed: false });
        assert_eq!(Bridge::signed_checkpoint(1), None, "two of four is not enough");
        // Twice the same signer.
        let again = Call::submit_checkpoint_signature {
            number: 1,
            validator_index: 1,
            signature: signature(&validators()[1], 1),
        };
        assert_eq!(validate(&again), Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)));
        assert_noop!(
            Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 1, signature(&validators()[1], 1)),
            Error::<Test>::AlreadySigned
        );
        sign(1, 2..3);
        assert!(events().contains(&Event::CheckpointSigned { number: 1 }));
        let (checkpoint, signatures) = Bridge::signed_checkpoint(1).unwrap();
        assert_eq!(checkpoint, Checkpoints::<Test>::get(1).unwrap());
        // In the L1's form, by ascending signer address.
        let digest = checkpoint.digest(L1_CHAIN_ID, CheckpointsAddress::get());
        let signers: Vec<_> = signatures
            .iter()
            .map(|signature| {
                assert!(signature[64] == 27 || signature[64] == 28);
                let mut raw = *signature;
                raw[64] -= 27;
                let key =
                    sp_io::crypto::secp256k1_ecdsa_recover_compressed(&raw, digest.as_fixed_bytes()).ok().unwrap();
                eth_address(&ecdsa::Public::from_raw(key)).unwrap()
            })
            .collect();
        let expected: Vec<_> = validators()[..3].iter().map(|pair| eth_address(&pair.public()).unwrap()).collect();
        assert_eq!(signers, expected);
        assert!(signers.windows(2).all(|pair| pair[0] < pair[1]));
        // Enough is enough: the fourth signature is not needed on chain.
        let late = Call::submit_checkpoint_signature {
            number: 1,
            validator_index: 3,
            signature: signature(&validators()[3], 1),
        };
        assert_eq!(validate(&late), Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)));
    });
}

#[test]
fn forged_checkpoint_signatures_are_refused() {
    run_test(|| {
        run_to_block(2 * INTERVAL + 1);
        let bad_proof = Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof));
        // Another validator's signature, an outsider's, and one of another checkpoint.
        let cases = [
            (0, signature(&validators()[1], 1)),
            (0, signature(&pair("//Eve"), 1)),
            (0, signature(&validators()[0], 2)),
            (9, signature(&validators()[0], 1)),
        ];
        for (validator_index, signature) in cases {
            let call = Call::submit_checkpoint_signature { number: 1, validator_index, signature };
            assert_eq!(validate(&call), bad_proof);
        }
        // Signed for another L1 chain id.
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        let other_chain =
            validators()[0].sign_prehashed(checkpoint.digest(1, CheckpointsAddress::get()).as_fixed_bytes());
        let call = Call::submit_checkpoint_signature { number: 1, validator_index: 0, signature: other_chain };
        assert_eq!(validate(&call), bad_proof);
        assert_noop!(
            Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 0, other_chain),
            Error::<Test>::BadSignature
        );
        // A checkpoint that does not exist yet.
        let call = Call::submit_checkpoint_signature {
            number: 3,
            validator_index: 0,
            signature: signature(&validators()[0], 1),
        };
        assert_eq!(
            validate(&call),
            Err(TransactionValidityError::Unknown(UnknownTransaction::Custom(UNKNOWN_CHECKPOINT)))
        );
    });
}

#[test]
fn the_signer_is_told_which_checkpoints_to_sign() {
    run_test(|| {
        run_to_block(2 * INTERVAL + 1);
        let key = validators()[1].public();
        let to_sign = Bridge::checkpoints_to_sign(&key);
        assert_eq!(to_sign.len(), 2);
        assert_eq!(to_sign[0], (1, 1, Bridge::checkpoint_digest(1).unwrap()));
        let (number, index, digest) = to_sign[1];
        let signature = validators()[1].sign_prehashed(digest.as_fixed_bytes());
        assert_ok!(Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), number, index, signature));
        assert_eq!(Bridge::checkpoints_to_sign(&key).len(), 1);
        assert!(Bridge::checkpoints_to_sign(&pair("//Eve").public()).is_empty());
    });
}

#[test]
fn signers_work_from_the_lowest_unsigned_checkpoint_however_old() {
    run_test(|| {
        // 70 checkpoints nobody signed (more than a third of the set offline).
        run_to_block(70 * INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 70);
        let alice = validators()[0].public();
        let to_sign: Vec<u64> = Bridge::checkpoints_to_sign(&alice).into_iter().map(|(number, _, _)| number).collect();
        assert_eq!(to_sign, (1..=70).collect::<Vec<_>>(), "checkpoint 1 is still offered");
        // Signed out of order: the lowest unsigned moves only past contiguous signed ones.
        sign(2, 0..3);
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 1);
        sign(1, 0..3);
        assert_eq!(LowestUnsignedCheckpoint::<Test>::get(), 3);
        assert_eq!(Bridge::checkpoints_to_sign(&alice).first().map(|(number, _, _)| *number), Some(3));
    });
}
