//! Deposits: attestations, the threshold, replay and conflicting attestations.

use frame_support::{assert_noop, assert_ok};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError, UnknownTransaction};

use super::*;

fn refused(error: InvalidTransaction) -> TransactionValidity {
    Err(TransactionValidityError::Invalid(error))
}

#[test]
fn the_threshold_is_more_than_two_thirds_and_never_zero() {
    assert_eq!(threshold(0), 1);
    assert_eq!(threshold(1), 1);
    assert_eq!(threshold(3), 3);
    assert_eq!(threshold(4), 3);
    assert_eq!(threshold(6), 5);
    assert_eq!(threshold(9), 7);
    for size in 1..=100u32 {
        let needed = threshold(size);
        assert!(3 * needed > 2 * size && 3 * (needed - 1) <= 2 * size, "{size}");
    }
}

#[test]
fn a_deposit_is_minted_only_when_more_than_two_thirds_attest() {
    run_test(|| {
        register();
        let deposit = deposit(1, 1_000);
        assert_ok!(attest(0, &deposit));
        assert_ok!(attest(1, &deposit));
        // Two of four: not enough.
        assert_eq!(asset_balance(RECIPIENT), 0);
        assert_eq!(outcome(1), None);
        assert_ok!(attest(2, &deposit));
        assert_eq!(asset_balance(RECIPIENT), 1_000);
        assert_eq!(outcome(1), Some(DepositOutcome::Minted));
        assert_eq!(Tokens::<Test>::get(TOKEN).map(|info| info.outstanding), Some(1_000));
        assert!(events().contains(&Event::DepositExecuted {
            nonce: 1,
            token: TOKEN,
            asset: ASSET,
            recipient: account(RECIPIENT),
            amount: 1_000,
        }));
    });
}

#[test]
fn exactly_two_thirds_of_a_three_validator_set_is_not_enough() {
    run_test(|| {
        register();
        let three: Vec<_> = validators().into_iter().take(3).map(|pair| pair.public()).collect();
        assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), three.try_into().unwrap()));
        run_to_block(2);
        assert_eq!(CurrentSetId::<Test>::get(), 1);
        // Indices of the new set are its rank by address; the first three of the sorted
        // four stay in the same order.
        let deposit = deposit(1, 10);
        assert_ok!(attest(0, &deposit));
        assert_ok!(attest(1, &deposit));
        assert_eq!(asset_balance(RECIPIENT), 0, "2 of 3 is exactly two thirds");
        assert_ok!(attest(2, &deposit));
        assert_eq!(asset_balance(RECIPIENT), 10);
        // The fourth dev key is not in set 1.
        assert!(validate(&Call::attest_deposit {
            deposit: super::deposit(2, 10),
            validator_index: 3,
            signature: attestation(&validators()[3], &super::deposit(2, 10)),
        })
        .is_err());
    });
}

#[test]
fn a_nonce_is_executed_at_most_once() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        // The last validator's late attestation, and a fresh round for the same nonce.
        let late = deposit(1, 1_000);
        let call =
            Call::attest_deposit { deposit: late, validator_index: 3, signature: attestation(&validators()[3], &late) };
        assert_eq!(validate(&call), refused(InvalidTransaction::Stale));
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), late, 3, attestation(&validators()[3], &late)),
            Error::<Test>::DepositAlreadyExecuted
        );
        let replay = deposit(1, 5_000);
        for index in 0..4 {
            assert_noop!(
                Bridge::attest_deposit(
                    RuntimeOrigin::none(),
                    replay,
                    index as u32,
                    attestation(&validators()[index], &replay)
                ),
                Error::<Test>::DepositAlreadyExecuted
            );
        }
        assert_eq!(asset_balance(RECIPIENT), 1_000);
    });
}

#[test]
fn conflicting_attestations_for_a_nonce_never_add_up() {
    run_test(|| {
        register();
        let honest = deposit(1, 1_000);
        let forged = deposit(1, 1_000_000);
        assert_ok!(attest(0, &honest));
        assert_ok!(attest(1, &honest));
        assert_ok!(attest(2, &forged));
        assert_ok!(attest(3, &forged));
        // Four attestations for nonce 1, but at most two for either version.
        assert_eq!(outcome(1), None);
        assert_eq!(asset_balance(RECIPIENT), 0);
        // Nor can a validator switch sides or vote twice.
        let call = Call::attest_deposit {
            deposit: honest,
            validator_index: 2,
            signature: attestation(&validators()[2], &honest),
        };
        assert_eq!(validate(&call), refused(InvalidTransaction::Stale));
        assert_noop!(attest(0, &honest), "refused by the pool");
    });
}

#[test]
fn forged_and_misattributed_signatures_are_refused() {
    run_test(|| {
        register();
        let deposit = deposit(1, 1_000);
        // Validator 1's signature presented as validator 0's.
        let call =
            Call::attest_deposit { deposit, validator_index: 0, signature: attestation(&validators()[1], &deposit) };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        // A key outside the set.
        let outsider = pair("//Eve");
        let call = Call::attest_deposit { deposit, validator_index: 0, signature: attestation(&outsider, &deposit) };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        // An index beyond the set.
        let call =
            Call::attest_deposit { deposit, validator_index: 4, signature: attestation(&validators()[0], &deposit) };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        // A signature of another deposit, and one made for another L1 chain id.
        let other = super::deposit(1, 999);
        let call =
            Call::attest_deposit { deposit, validator_index: 0, signature: attestation(&validators()[0], &other) };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        let digest = deposit.attestation_digest(Bridge::sidechain_genesis(), 1, VaultAddress::get());
        let other_chain = validators()[0].sign_prehashed(digest.as_fixed_bytes());
        let call = Call::attest_deposit { deposit, validator_index: 0, signature: other_chain };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        // Garbage bytes.
        let call = Call::attest_deposit { deposit, validator_index: 0, signature: ecdsa::Signature::from_raw([7; 65]) };
        assert_eq!(validate(&call), refused(InvalidTransaction::BadProof));
        // Dispatch checks too: the pool is not the only way in.
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), deposit, 0, attestation(&validators()[1], &deposit)),
            Error::<Test>::BadSignature
        );
        assert_noop!(
            Bridge::attest_deposit(
                RuntimeOrigin::signed(account(RECIPIENT)),
                deposit,
                0,
                attestation(&validators()[0], &deposit)
            ),
            sp_runtime::DispatchError::BadOrigin
        );
        assert!(Attestations::<Test>::iter().next().is_none());
    });
}

#[test]
fn a_valid_attestation_is_pooled_once_per_validator_and_nonce() {
    run_test(|| {
        let deposit = deposit(3, 1);
        let call =
            Call::attest_deposit { deposit, validator_index: 2, signature: attestation(&validators()[2], &deposit) };
        let valid = validate(&call).expect("a member's signature is valid");
        assert_eq!(valid.priority, 1 << 20);
        assert_eq!(valid.longevity, UNSIGNED_LONGEVITY);
        assert_eq!(valid.provides.len(), 1);
        let other =
            Call::attest_deposit { deposit, validator_index: 1, signature: attestation(&validators()[1], &deposit) };
        assert_ne!(validate(&other).unwrap().provides, valid.provides);
    });
}

#[test]
fn nonce_zero_is_never_valid() {
    run_test(|| {
        register();
        let deposit = deposit(0, 1);
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), deposit, 0, attestation(&validators()[0], &deposit)),
            Error::<Test>::ZeroNonce
        );
    });
}

#[test]
fn paused_deposits_refuse_attestations_until_resumed() {
    run_test(|| {
        register();
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), true, false));
        assert!(events().contains(&Event::PauseSet { deposits: true, withdrawals: false }));
        let deposit = deposit(1, 1_000);
        let call =
            Call::attest_deposit { deposit, validator_index: 0, signature: attestation(&validators()[0], &deposit) };
        assert_eq!(
            validate(&call),
            Err(TransactionValidityError::Unknown(UnknownTransaction::Custom(DEPOSITS_PAUSED)))
        );
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), deposit, 0, attestation(&validators()[0], &deposit)),
            Error::<Test>::DepositsPaused
        );
        assert_ok!(Bridge::set_paused(RuntimeOrigin::root(), false, false));
        deposited(1, 1_000);
        assert_eq!(asset_balance(RECIPIENT), 1_000);
    });
}
