//! What one validator can make the chain hold: attestations only within the window above the
//! lowest unexecuted nonce, a cap on open attestations per validator, and nothing left once a
//! nonce executes or the set changes.

use frame_support::{assert_noop, assert_ok};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError, UnknownTransaction};

use super::*;

fn refused(code: u8) -> TransactionValidity {
    Err(TransactionValidityError::Unknown(UnknownTransaction::Custom(code)))
}

fn call(index: usize, deposit: &Deposit) -> Call<Test> {
    Call::attest_deposit {
        deposit: *deposit,
        validator_index: index as u32,
        signature: attestation(&validators()[index], deposit),
    }
}

#[test]
fn attestations_far_above_the_lowest_unexecuted_nonce_wait_for_their_turn() {
    run_test(|| {
        register();
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 1);
        // Nonces 1..=WINDOW are in the window, WINDOW + 1 and anything later is not.
        let far = deposit(WINDOW + 1, 10);
        assert_eq!(validate(&call(0, &far)), refused(NONCE_BEYOND_WINDOW));
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), far, 0, attestation(&validators()[0], &far)),
            Error::<Test>::NonceBeyondWindow
        );
        let very_far = deposit(u64::MAX, 10);
        assert_eq!(validate(&call(0, &very_far)), refused(NONCE_BEYOND_WINDOW));
        assert!(validate(&call(0, &deposit(WINDOW, 10))).is_ok());
        // Once nonce 1 executed, the window moved by one.
        deposited(1, 10);
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 2);
        assert_ok!(attest(0, &far));
        assert!(Attestations::<Test>::iter().all(|((nonce, _, _), _)| nonce == WINDOW + 1));
    });
}

#[test]
fn a_validator_holds_at_most_max_open_attestations_but_can_always_attest_the_lowest_nonce() {
    run_test(|| {
        register();
        for nonce in 2..2 + u64::from(MAX_OPEN) {
            assert_ok!(attest(0, &deposit(nonce, 10)));
        }
        assert_eq!(OpenAttestations::<Test>::get(0), MAX_OPEN);
        let next = deposit(2 + u64::from(MAX_OPEN), 10);
        assert_eq!(validate(&call(0, &next)), refused(TOO_MANY_OPEN_ATTESTATIONS));
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), next, 0, attestation(&validators()[0], &next)),
            Error::<Test>::TooManyOpenAttestations
        );
        // Other validators are not limited by validator 0's attestations.
        assert_ok!(attest(1, &next));
        // The lowest unexecuted nonce is exempt, so the queue cannot stall on it.
        assert_ok!(attest(0, &deposit(1, 10)));
        assert_eq!(OpenAttestations::<Test>::get(0), MAX_OPEN + 1);
        // Executing nonces releases their attestations.
        assert_ok!(attest(1, &deposit(1, 10)));
        assert_ok!(attest(2, &deposit(1, 10)));
        assert_eq!(OpenAttestations::<Test>::get(0), MAX_OPEN);
        assert_ok!(attest(1, &deposit(2, 10)));
        assert_ok!(attest(2, &deposit(2, 10)));
        assert_eq!(OpenAttestations::<Test>::get(0), MAX_OPEN - 1);
        assert_ok!(attest(0, &next));
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 3);
    });
}

#[test]
fn executing_a_nonce_clears_every_attestation_of_it_even_conflicting_ones() {
    run_test(|| {
        register();
        let forged = deposit(1, 1_000_000);
        assert_ok!(attest(3, &forged));
        deposited(1, 1_000);
        assert_eq!(Attestations::<Test>::iter().count(), 0);
        assert_eq!(AttestationTally::<Test>::iter().count(), 0);
        assert_eq!(OpenAttestations::<Test>::iter().count(), 0, "validator 3's forged attestation is released");
    });
}

#[test]
fn out_of_order_execution_moves_the_lowest_nonce_past_every_executed_one() {
    run_test(|| {
        register();
        deposited(2, 10);
        deposited(3, 10);
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 1);
        assert_eq!(
            validate(&call(3, &deposit(2, 10))),
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );
        deposited(1, 10);
        assert_eq!(LowestUnexecutedNonce::<Test>::get(), 4);
        assert_eq!(asset_balance(RECIPIENT), 30);
    });
}

#[test]
fn a_set_change_clears_the_outgoing_sets_attestations() {
    run_test(|| {
        register();
        assert_ok!(attest(0, &deposit(1, 10)));
        assert_ok!(attest(1, &deposit(2, 10)));
        assert_ok!(attest(1, &deposit(3, 10)));
        let three: Vec<_> = validators().into_iter().take(3).map(|pair| pair.public()).collect();
        assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), three.try_into().unwrap()));
        run_to_block(2);
        assert_eq!(CurrentSetId::<Test>::get(), 1);
        assert_eq!(Attestations::<Test>::iter().count(), 0);
        assert_eq!(AttestationTally::<Test>::iter().count(), 0);
        assert_eq!(OpenAttestations::<Test>::iter().count(), 0);
        // The new set attests afresh: validator 0 of set 1 may attest nonce 1 again.
        deposited(1, 10);
    });
}
