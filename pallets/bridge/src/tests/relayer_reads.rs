//! What relayers read through the runtime API besides proofs: validator sets as the L1
//! takes them, and the lowest unexecuted deposit nonce.

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
