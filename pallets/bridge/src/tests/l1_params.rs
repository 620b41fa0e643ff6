//! The L1 parameters: from genesis, changeable by root only, and the bridge inert without them.

use frame_support::{assert_noop, assert_ok};
use sp_core::H160;
use sp_runtime::{
    transaction_validity::{TransactionValidityError, UnknownTransaction},
    DispatchError,
};

use super::*;

/// Runs `test` on a genesis without L1 parameters, then checks the invariants.
fn run_unset(test: impl FnOnce()) {
    new_test_ext_with(None).execute_with(|| {
        test();
        Bridge::do_try_state().expect("invariants hold");
    });
}

/// `pair`'s signature of checkpoint `number` under the mock's genesis L1 parameters.
fn checkpoint_signature(pair: &ecdsa::Pair, number: u64, params: &L1Parameters) -> ecdsa::Signature {
    let checkpoint = Checkpoints::<Test>::get(number).unwrap();
    pair.sign_prehashed(checkpoint.digest(params.chain_id, params.checkpoints_contract).as_fixed_bytes())
}

const UNSET: TransactionValidityError = TransactionValidityError::Unknown(UnknownTransaction::Custom(L1_PARAMS_UNSET));

#[test]
fn genesis_sets_the_l1_params() {
    run_test(|| assert_eq!(L1Params::<Test>::get(), Some(l1_params())));
}

#[test]
fn without_l1_params_attestations_are_refused_until_root_sets_them() {
    run_unset(|| {
        register();
        let deposit = deposit(1, 100);
        let signature = attestation(&validators()[0], &deposit);
        let call = Call::<Test>::attest_deposit { deposit, validator_index: 0, signature };
        assert_eq!(validate(&call), Err(UNSET));
        assert_noop!(
            Bridge::attest_deposit(RuntimeOrigin::none(), deposit, 0, signature),
            Error::<Test>::L1ParamsUnset
        );

        assert_ok!(Bridge::set_l1_params(RuntimeOrigin::root(), l1_params()));
        deposited(1, 100);
        assert_eq!(asset_balance(RECIPIENT), 100);
    });
}

#[test]
fn without_l1_params_no_checkpoint_is_fixed_until_root_sets_them() {
    run_unset(|| {
        // Far more than the 64 checkpoints the signers once looked back over.
        run_to_block(100 * INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 0, "no checkpoint without a digest to sign");
        let alice = validators()[0].public();
        assert!(Bridge::checkpoints_to_sign(&alice).is_empty());
        assert_eq!(Bridge::checkpoint_digest(1), None);
        let signature = ecdsa::Signature::from_raw([1; 65]);
        let call = Call::<Test>::submit_checkpoint_signature { number: 1, validator_index: 0, signature };
        assert_eq!(validate(&call), Err(UNSET));

        assert_ok!(Bridge::set_l1_params(RuntimeOrigin::root(), l1_params()));
        run_to_block(100 * INTERVAL + 2);
        // Checkpoint 1 covers every block since genesis, and it is the one to sign.
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        assert_eq!((checkpoint.first_block, checkpoint.last_block), (1, (100 * INTERVAL + 1) as u32));
        let to_sign = Bridge::checkpoints_to_sign(&alice);
        assert_eq!(to_sign.first().map(|(number, _, _)| *number), Some(1));
        let signature = checkpoint_signature(&validators()[0], 1, &l1_params());
        assert_ok!(Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 0, signature));
    });
}

#[test]
fn only_root_sets_the_l1_params_and_digests_follow_them() {
    run_test(|| {
        run_to_block(INTERVAL + 1);
        let moved =
            L1Parameters { chain_id: 1, vault: H160::repeat_byte(0x0a), checkpoints_contract: H160::repeat_byte(0x0c) };
        assert_noop!(Bridge::set_l1_params(RuntimeOrigin::signed(account(RECIPIENT)), moved), DispatchError::BadOrigin);
        assert_noop!(Bridge::set_l1_params(RuntimeOrigin::none(), moved), DispatchError::BadOrigin);

        assert_ok!(Bridge::set_l1_params(RuntimeOrigin::root(), moved));
        assert_eq!(L1Params::<Test>::get(), Some(moved));
        assert_eq!(events().last(), Some(&Event::L1ParamsSet { params: moved }));

        // A signature for the old L1 no longer verifies; one for the new L1 does.
        let old = checkpoint_signature(&validators()[0], 1, &l1_params());
        assert_noop!(
            Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 0, old),
            Error::<Test>::BadSignature
        );
        let new = checkpoint_signature(&validators()[0], 1, &moved);
        assert_ok!(Bridge::submit_checkpoint_signature(RuntimeOrigin::none(), 1, 0, new));
    });
}

#[test]
fn genesis_json_uses_camel_case_and_hex_addresses() {
    let json = r#"{
        "validators": [],
        "l1Params": {
            "chainId": 11155111,
            "vault": "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "checkpointsContract": "0xcccccccccccccccccccccccccccccccccccccccc"
        }
    }"#;
    let genesis: GenesisConfig<Test> = serde_json::from_str(json).unwrap();
    assert_eq!(
        genesis.l1_params,
        Some(L1Parameters {
            chain_id: 11_155_111,
            vault: H160::repeat_byte(0xaa),
            checkpoints_contract: H160::repeat_byte(0xcc)
        })
    );
    let back = serde_json::to_value(&genesis).unwrap();
    assert_eq!(back["l1Params"]["checkpointsContract"], "0xcccccccccccccccccccccccccccccccccccccccc");

    // A misspelt field is an error, not a silently unset bridge.
    let typo = json.replace("chainId", "chain_id");
    assert!(serde_json::from_str::<GenesisConfig<Test>>(&typo).is_err());
    // `null` leaves the bridge inert until root sets the parameters.
    let null: GenesisConfig<Test> = serde_json::from_str(r#"{"validators": [], "l1Params": null}"#).unwrap();
    assert_eq!(null.l1_params, None);
}

#[test]
fn a_fixed_checkpoints_proofs_keep_its_leaf_binding_when_the_l1_params_change() {
    run_test(|| {
        register();
        deposited(1, 1_000);
        for amount in [10, 20, 30] {
            assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, amount, L1_RECIPIENT, 0));
        }
        run_to_block(INTERVAL + 1);
        let root = Checkpoints::<Test>::get(1).unwrap().withdrawals_root;

        let moved =
            L1Parameters { chain_id: 1, vault: H160::repeat_byte(0x0a), checkpoints_contract: H160::repeat_byte(0x0c) };
        assert_ok!(Bridge::set_l1_params(RuntimeOrigin::root(), moved));
        assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, 40, L1_RECIPIENT, 0));
        run_to_block(3 * INTERVAL + 1);

        // Checkpoint 1's leaves stay bound to the Vault it was fixed for: its proofs still
        // verify against its root (and try_state, run after the test, agrees).
        for id in 1..=3 {
            let proof = Bridge::withdrawal_proof(id).unwrap();
            assert_eq!(proof.checkpoint, 1);
            assert_eq!(proof.leaf, proof.withdrawal.leaf(L1_CHAIN_ID, VaultAddress::get()));
            assert!(ludus_primitives::bridge::verify_proof(&root, &proof.leaf, &proof.proof), "withdrawal {id}");
        }
        // The next checkpoint binds its leaves to the new Vault.
        let proof = Bridge::withdrawal_proof(4).unwrap();
        assert_eq!(proof.checkpoint, 2);
        assert_eq!(proof.leaf, proof.withdrawal.leaf(moved.chain_id, moved.vault));
        let root = Checkpoints::<Test>::get(2).unwrap().withdrawals_root;
        assert!(ludus_primitives::bridge::verify_proof(&root, &proof.leaf, &proof.proof));
    });
}
