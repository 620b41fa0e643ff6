//! Governance changes of the validator set, through the real pallet-session.

use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::DispatchError;

use crate::{mock::*, Error, Event, NewSetQueued, PendingRotation, PlannedFor, Validators, ROTATIONS_PER_CHANGE};

fn stored_validators() -> Vec<u64> {
    Validators::<Test>::get().into_inner()
}

fn active_validators() -> Vec<u64> {
    pallet_session::Validators::<Test>::get()
}

#[test]
fn genesis_set_is_the_session_set() {
    with_genesis(|| {
        assert_eq!(stored_validators(), GENESIS_VALIDATORS.to_vec());
        assert_eq!(active_validators(), GENESIS_VALIDATORS.to_vec());
        assert_eq!(Authorities::get(), GENESIS_VALIDATORS.to_vec());
        assert_eq!(Session::current_index(), 0);
        assert_eq!(PendingRotation::<Test>::get(), 0);
    });
}

#[test]
fn only_root_may_set_validators() {
    with_genesis(|| {
        register_keys(4);
        assert_noop!(ValidatorSet::set_validators(RuntimeOrigin::signed(1), vec![4]), DispatchError::BadOrigin);
        assert_noop!(ValidatorSet::set_validators(RuntimeOrigin::none(), vec![4]), DispatchError::BadOrigin);
        run_to_block(PERIOD - 1);
        assert_eq!(Session::current_index(), 0, "a refused call forces no rotation");
    });
}

#[test]
fn an_empty_set_is_refused() {
    with_genesis(|| {
        assert_noop!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![]), Error::<Test>::NoValidators);
    });
}

#[test]
fn a_duplicate_is_refused() {
    with_genesis(|| {
        assert_noop!(
            ValidatorSet::set_validators(RuntimeOrigin::root(), vec![1, 2, 1]),
            Error::<Test>::DuplicateValidator
        );
    });
}

#[test]
fn more_than_max_validators_is_refused() {
    with_genesis(|| {
        for who in CANDIDATES {
            register_keys(who);
        }
        // MaxValidators is 4 in the mock; all five accounts have keys.
        assert_noop!(
            ValidatorSet::set_validators(RuntimeOrigin::root(), vec![1, 2, 3, 4, 5]),
            Error::<Test>::TooManyValidators
        );
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![1, 2, 3, 4]));
    });
}

#[test]
fn an_account_without_session_keys_is_refused() {
    with_genesis(|| {
        assert_noop!(
            ValidatorSet::set_validators(RuntimeOrigin::root(), vec![1, 4]),
            Error::<Test>::ValidatorNotRegistered
        );
        register_keys(4);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![1, 4]));
    });
}

#[test]
fn a_new_set_takes_over_two_blocks_after_the_call() {
    with_genesis(|| {
        let n = 3;
        run_to_block(n);
        register_keys(4);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![4, 1]));
        assert_eq!(validator_set_events(), vec![Event::NewValidatorsQueued { validators: vec![4, 1] }]);
        assert_eq!(stored_validators(), vec![4, 1]);
        assert_eq!(PendingRotation::<Test>::get(), ROTATIONS_PER_CHANGE);

        // Block n + 1: session 1 starts with the old set and plans the new one for session 2.
        run_to_block(n + 1);
        assert_eq!(Session::current_index(), 1);
        assert_eq!(active_validators(), GENESIS_VALIDATORS.to_vec());
        assert_eq!(Authorities::get(), GENESIS_VALIDATORS.to_vec(), "block n + 2 is still authored by the old set");
        assert_eq!(Session::queued_keys().iter().map(|(who, _)| *who).collect::<Vec<_>>(), vec![4, 1]);
        assert!(System::events().iter().any(|record| record.event == pallet_session::Event::NewQueued.into()));
        assert_eq!(PlannedFor::<Test>::get(), Some(2));
        assert!(validator_set_events().is_empty());

        // Block n + 2: session 2 starts with the new set, in the order governance gave.
        run_to_block(n + 2);
        assert_eq!(Session::current_index(), 2);
        assert_eq!(active_validators(), vec![4, 1]);
        assert_eq!(Authorities::get(), vec![4, 1], "block n + 3 is the first authored by the new set");
        assert_eq!(ChangedFlags::get(), vec![false, true], "only the enacting rotation reports a change");
        assert_eq!(validator_set_events(), vec![Event::ValidatorsEnacted { session: 2, validators: vec![4, 1] }]);
        assert_eq!(PendingRotation::<Test>::get(), 0);

        // No more forced rotations: the next one is the periodic one, and it keeps the set.
        run_to_block(PERIOD - 1);
        assert_eq!(Session::current_index(), 2);
        run_to_block(PERIOD);
        assert_eq!(Session::current_index(), 3);
        assert_eq!(active_validators(), vec![4, 1]);
        assert_eq!(ChangedFlags::get(), vec![false, true, false]);
        assert!(validator_set_events().is_empty());
    });
}

#[test]
fn new_session_returns_a_set_only_once_per_change() {
    with_genesis(|| {
        assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(1), None);

        register_keys(4);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![4]));
        assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(1), Some(vec![4]));
        assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(2), None);
        assert!(!NewSetQueued::<Test>::get());
    });
}

#[test]
fn periodic_rotations_without_a_change_keep_the_set() {
    with_genesis(|| {
        run_to_block(3 * PERIOD);
        assert_eq!(Session::current_index(), 3);
        assert_eq!(active_validators(), GENESIS_VALIDATORS.to_vec());
        assert_eq!(ChangedFlags::get(), vec![false, false, false]);
        assert!(validator_set_events().is_empty());
    });
}

#[test]
fn a_periodic_rotation_counts_towards_a_change() {
    with_genesis(|| {
        // The call lands in the last block of session 0: the periodic rotation at PERIOD plans
        // the set, the one forced rotation still due enacts it one block later.
        run_to_block(PERIOD - 1);
        register_keys(5);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![5]));
        run_to_block(PERIOD);
        assert_eq!(Session::current_index(), 1);
        run_to_block(PERIOD + 1);
        assert_eq!(Session::current_index(), 2);
        assert_eq!(active_validators(), vec![5]);
        assert_eq!(validator_set_events(), vec![Event::ValidatorsEnacted { session: 2, validators: vec![5] }]);
        run_to_block(2 * PERIOD - 1);
        assert_eq!(Session::current_index(), 2, "no rotation is forced after the change");
    });
}

#[test]
fn a_second_change_before_enactment_follows_the_first() {
    with_genesis(|| {
        register_keys(4);
        register_keys(5);
        run_to_block(3);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![4]));
        run_to_block(4);
        // Set [4] is planned for session 2; governance changes its mind in block 4.
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![5]));
        run_to_block(5);
        assert_eq!(Session::current_index(), 2);
        assert_eq!(active_validators(), vec![4]);
        assert_eq!(validator_set_events(), vec![Event::ValidatorsEnacted { session: 2, validators: vec![4] }]);
        run_to_block(6);
        assert_eq!(Session::current_index(), 3);
        assert_eq!(active_validators(), vec![5]);
        assert_eq!(validator_set_events(), vec![Event::ValidatorsEnacted { session: 3, validators: vec![5] }]);
        run_to_block(7);
        assert_eq!(Session::current_index(), 3, "the second change needed no further rotation");
    });
}

#[test]
fn a_set_whose_keys_were_all_purged_is_not_enacted() {
    with_genesis(|| {
        register_keys(4);
        assert_ok!(ValidatorSet::set_validators(RuntimeOrigin::root(), vec![4]));
        assert_ok!(Session::purge_keys(RuntimeOrigin::signed(4)));
        run_to_block(3);
        assert_eq!(Session::current_index(), 2);
        assert_eq!(active_validators(), GENESIS_VALIDATORS.to_vec(), "the chain keeps validators with keys");
        assert_eq!(Authorities::get(), GENESIS_VALIDATORS.to_vec());
        assert!(validator_set_events().is_empty());
    });
}

#[test]
fn genesis_config_reads_the_preset_json_shape() {
    let config: crate::GenesisConfig<Test> =
        serde_json::from_value(serde_json::json!({ "validators": [1, 2] })).unwrap();
    assert_eq!(config.validators, vec![1, 2]);
}

#[test]
#[should_panic(expected = "the genesis validator set is invalid: ValidatorNotRegistered")]
fn genesis_refuses_validators_without_keys() {
    use sp_runtime::BuildStorage;
    let config =
        RuntimeGenesisConfig { validator_set: crate::GenesisConfig { validators: vec![7] }, ..Default::default() };
    let _ = config.build_storage();
}
