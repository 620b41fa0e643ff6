//! What relayers read through the runtime API besides proofs: validator sets as the L1
//! takes them, the lowest unexecuted deposit nonce, where a deposit stands, the L1
//! parameters and the digest a validator signs to attest a deposit.

use frame_support::assert_ok;
use ludus_primitives::bridge::{eth_address, validator_set_hash};
use sp_core::H160;
use sp_runtime::BuildStorage;

use super::*;

/// The Ethereum addresses of `keys`, ascending.
fn ascending(keys: &[ecdsa::Public]) -> Vec<H160> {
    let mut addresses: Vec<H160> = keys.iter().map(|key| eth_address(key).unwrap()).collect();
    addresses.sort();
    addresses
}

#[test]
fn validator_sets_are_read_by_id_with_addresses_ascending_and_the_current_by_default() {
    run_test(|| {
        let genesis: Vec<_> = validators().iter().map(|pair| pair.public()).collect();
        let set_0 = L1ValidatorSet {
            set_id: 0,
            validators: ascending(&genesis),
            hash: validator_set_hash(0, &ascending(&genesis)).unwrap(),
        };
        assert_eq!(Bridge::validator_set(None), Some(set_0.clone()));
        assert_eq!(Bridge::validator_set(Some(0)), Some(set_0.clone()));
        assert!(set_0.validators.windows(2).all(|pair| pair[0] < pair[1]), "the order the L1 demands");

        // Queued, set 1 is not readable yet; it is once the handover checkpoint installed it.
        run_to_block(2);
        let next = vec![pair("//Eve").public(), pair("//Ferdie").public(), validators()[0].public()];
        assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), next.clone().try_into().unwrap()));
        assert_eq!(Bridge::validator_set(Some(1)), None);
        assert_eq!(Bridge::validator_set(None), Some(set_0.clone()));
        run_to_block(3);
        let set_1 = Bridge::validator_set(None).unwrap();
        assert_eq!((set_1.set_id, &set_1.validators), (1, &ascending(&next)));
        // The hash is what the handover checkpoint committed to, so the L1's
        // `installValidatorSet(setId, validators)` accepts exactly these arguments.
        assert_eq!(set_1.hash, Checkpoints::<Test>::get(1).unwrap().next_validator_set_hash);
        assert_eq!(Bridge::validator_set(Some(1)), Some(set_1));
        assert_eq!(Bridge::validator_set(Some(0)), Some(set_0), "former sets stay readable");
        assert_eq!(Bridge::validator_set(Some(2)), None);
    });
}

#[test]
fn no_validator_set_reads_as_none() {
    let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    sp_io::TestExternalities::new(storage).execute_with(|| {
        assert_eq!(Bridge::validator_set(None), None);
        assert_eq!(Bridge::validator_set(Some(0)), None);
    });
}

#[test]
fn the_lowest_unexecuted_nonce_follows_executed_deposits() {
    run_test(|| {
        register();
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 1);
        deposited(1, 100);
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 2);
        // Nonce 3 executing first leaves 2 the lowest; 2 then moves it past both.
        deposited(3, 100);
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 2);
        deposited(2, 100);
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 4);
    });
}

#[test]
fn deposit_status_follows_a_deposit_from_first_attestation_to_execution() {
    run_test(|| {
        register();
        let threshold = threshold(4);
        assert_eq!(threshold, 3);
        assert_eq!(Bridge::deposit_status(0), None, "the Vault gives no nonce 0");
        assert_eq!(Bridge::deposit_status(1), None, "nothing attested yet");

        assert_ok!(attest(2, &deposit(1, 100)));
        assert_eq!(
            Bridge::deposit_status(1),
            Some(DepositStatus::Pending { set_id: 0, attestations: 1, threshold, attested_by: vec![2] })
        );
        // A validator attesting a different version counts as attested, not towards the
        // leading version's tally.
        let mut other = deposit(1, 100);
        other.amount = 99;
        assert_ok!(attest(0, &other));
        assert_ok!(attest(1, &deposit(1, 100)));
        assert_eq!(
            Bridge::deposit_status(1),
            Some(DepositStatus::Pending { set_id: 0, attestations: 2, threshold, attested_by: vec![0, 1, 2] })
        );

        // Executed in order: the lowest unexecuted nonce passed it, and it reads as minted.
        assert_ok!(attest(3, &deposit(1, 100)));
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 2);
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        assert_eq!(Bridge::deposit_status(2), None);
    });
}

#[test]
fn deposit_status_names_the_outcome_of_a_nonce_executed_ahead() {
    run_test(|| {
        register();
        deposited(2, 100);
        assert_eq!(Bridge::deposit_status(2), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        // Refunded ahead of nonce 1: the refund's withdrawal id is there for the depositor.
        let mut unknown = deposit(3, 100);
        unknown.token = [0x99; 20];
        for index in 0..3 {
            assert_ok!(attest(index, &unknown));
        }
        assert_eq!(
            Bridge::deposit_status(3),
            Some(DepositStatus::Executed {
                outcome: Some(DepositOutcome::Refunded { withdrawal: 1, reason: RefundReason::UnknownToken })
            })
        );
        assert_eq!(Bridge::deposit_status(1), None);
        // Once nonce 1 executed the lowest passes all three, and each keeps its outcome.
        deposited(1, 100);
        assert_eq!(Bridge::lowest_unexecuted_nonce(), 4);
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        assert_eq!(Bridge::deposit_status(2), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        assert_eq!(
            Bridge::deposit_status(3),
            Some(DepositStatus::Executed {
                outcome: Some(DepositOutcome::Refunded { withdrawal: 1, reason: RefundReason::UnknownToken })
            })
        );
        assert_eq!(Bridge::deposit_status(4), None);
    });
}

#[test]
fn deposit_status_keeps_the_outcome_of_the_last_retention_deposits_only() {
    run_test(|| {
        register();
        deposited(1, 100);
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        // `OUTCOME_RETENTION` later deposits: nonce 1 is still within the last ones.
        for nonce in 2..=OUTCOME_RETENTION {
            deposited(nonce, 100);
        }
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) }));
        // One more pushes it out: executed, its outcome in its event only.
        deposited(OUTCOME_RETENTION + 1, 100);
        assert_eq!(Bridge::deposit_status(1), Some(DepositStatus::Executed { outcome: None }));
        assert!(!ExecutedDeposits::<Test>::contains_key(1));
        assert_eq!(outcome(1), Some(DepositOutcome::Minted));
        for nonce in 2..=OUTCOME_RETENTION + 1 {
            assert_eq!(
                Bridge::deposit_status(nonce),
                Some(DepositStatus::Executed { outcome: Some(DepositOutcome::Minted) })
            );
        }
        // However many follow, the records are the last `OUTCOME_RETENTION` only.
        for nonce in OUTCOME_RETENTION + 2..=3 * OUTCOME_RETENTION + 1 {
            deposited(nonce, 100);
            assert!(ExecutedDeposits::<Test>::iter_keys().count() as u64 <= OUTCOME_RETENTION);
        }
        assert_eq!(ExecutedDeposits::<Test>::iter_keys().count() as u64, OUTCOME_RETENTION);
    });
}

#[test]
fn the_attestation_digest_is_what_attest_deposit_verifies_and_needs_l1_params() {
    run_test(|| {
        register();
        assert_eq!(Bridge::l1_params(), Some(l1_params()));
        let deposit = deposit(1, 100);
        let digest = Bridge::deposit_attestation_digest(&deposit).unwrap();
        let signature = validators()[0].sign_prehashed(digest.as_fixed_bytes());
        assert_eq!(signature, attestation(&validators()[0], &deposit));
        assert_ok!(Bridge::attest_deposit(RuntimeOrigin::none(), deposit, 0, signature));
    });
    new_test_ext_with(None).execute_with(|| {
        assert_eq!(Bridge::l1_params(), None);
        assert_eq!(Bridge::deposit_attestation_digest(&deposit(1, 100)), None);
    });
}
