//! `ludus_bridge_*`: JSON shapes, the arguments the runtime receives, null cases, errors,
//! and that a proof and a checkpoint from the RPC fit together as the L1 checks them.

use super::*;
use crate::tests::fake::*;
use codec::DecodeAll;
use ludus_primitives::{
    bridge::{verify_proof, Deposit, Withdrawal},
    Hash,
};

/// The bridge runtime calls the fake received since the last look.
fn take_calls(h: &Harness) -> Vec<RecordedCall> {
    std::mem::take(&mut *h.chain.bridge_calls.lock().unwrap())
}

/// The only runtime call since the last look: its block, and its argument decoded as the
/// runtime API's one `u64`.
fn only_call(h: &Harness, method: &str) -> (Hash, u64) {
    let calls = take_calls(h);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (at, name, args) = &calls[0];
    assert_eq!(name, method);
    (*at, u64::decode_all(&mut &args[..]).expect("arguments decode as the runtime API's tuple"))
}

fn best(h: &Harness) -> Hash {
    h.chain.info_best_header().hash()
}

fn h256(value: &Value) -> Hash {
    serde_json::from_value(value.clone()).expect("a 0x… 32-byte hash")
}

#[tokio::test]
async fn withdrawal_status_every_state_and_block_choice() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();

    assert_eq!(
        h.call("ludus_bridge_withdrawalStatus", json!([2])).await.unwrap(),
        json!({"status": "inCheckpoint", "checkpoint": 1})
    );
    assert_eq!(only_call(&h, "BridgeApi_withdrawal_status"), (genesis, 2));
    assert_eq!(
        h.call("ludus_bridge_withdrawalStatus", json!([PENDING_WITHDRAWAL])).await.unwrap(),
        json!({"status": "pending"})
    );
    assert_eq!(h.call("ludus_bridge_withdrawalStatus", json!([5])).await.unwrap(), Value::Null);
    assert_eq!(h.call("ludus_bridge_withdrawalStatus", json!([0])).await.unwrap(), Value::Null);
    take_calls(&h);

    // Once the checkpoint is signed the best block says so; the older block still does not.
    h.chain.import(&[(BRIDGE_SIGNED_KEY, Some(b"1"))], true);
    assert_eq!(
        h.call("ludus_bridge_withdrawalStatus", json!([2])).await.unwrap(),
        json!({"status": "signed", "checkpoint": 1})
    );
    assert_eq!(only_call(&h, "BridgeApi_withdrawal_status"), (best(&h), 2));
    assert_eq!(
        h.call("ludus_bridge_withdrawalStatus", json!([2, genesis])).await.unwrap(),
        json!({"status": "inCheckpoint", "checkpoint": 1})
    );
    assert_eq!(only_call(&h, "BridgeApi_withdrawal_status"), (genesis, 2));
    // An explicit null `at` is the best block.
    assert_eq!(h.call("ludus_bridge_withdrawalStatus", json!([2, null])).await.unwrap()["status"], json!("signed"));
}

#[tokio::test]
async fn withdrawal_proof_is_what_vault_claim_takes() {
    let h = Harness::start().await;
    let withdrawals = checkpointed_withdrawals();
    h.chain.import(&[], true);

    let answer = h.call("ludus_bridge_withdrawalProof", json!([3])).await.unwrap();
    assert_eq!(only_call(&h, "BridgeApi_withdrawal_proof"), (best(&h), 3));
    // The exact shape, amounts as decimal strings (u128::MAX does not fit a JSON number).
    let proof = answer["proof"].as_array().expect("proof is an array").clone();
    assert!(!proof.is_empty());
    assert_eq!(
        answer,
        json!({
            "withdrawal": {
                "id": 3,
                "token": hex(&[0x11; 20]),
                "recipient": hex(&[0xcc; 20]),
                "amount": u128::MAX.to_string(),
                "fee": (u128::MAX - 1).to_string(),
            },
            "checkpoint": 1,
            "leaf": hex(bridge_leaf(&withdrawals[2]).as_bytes()),
            "proof": proof,
        })
    );

    // Every withdrawal's leaf is Withdrawal::leaf of the withdrawal as the JSON shows it,
    // and its proof leads to the root of the checkpoint the relayer submits.
    h.chain.import(&[(BRIDGE_SIGNED_KEY, Some(b"1"))], true);
    let signed = h.call("ludus_bridge_signedCheckpoint", json!([1])).await.unwrap();
    let root = h256(&signed["checkpoint"]["withdrawalsRoot"]);
    for expected in withdrawals {
        let answer = h.call("ludus_bridge_withdrawalProof", json!([expected.id])).await.unwrap();
        let w = &answer["withdrawal"];
        let from_json = Withdrawal {
            id: w["id"].as_u64().unwrap(),
            token: serde_json::from_value::<sp_core::H160>(w["token"].clone()).unwrap().0,
            recipient: serde_json::from_value::<sp_core::H160>(w["recipient"].clone()).unwrap().0,
            amount: w["amount"].as_str().unwrap().parse().unwrap(),
            fee: w["fee"].as_str().unwrap().parse().unwrap(),
        };
        assert_eq!(from_json, expected);
        let leaf = h256(&answer["leaf"]);
        assert_eq!(leaf, bridge_leaf(&from_json), "the leaf is the runtime's, bound to its checkpoint's Vault");
        let proof: Vec<Hash> = serde_json::from_value(answer["proof"].clone()).unwrap();
        assert!(verify_proof(&root, &leaf, &proof), "withdrawal {} does not prove against the root", expected.id);
        assert_eq!(answer["checkpoint"], signed["checkpoint"]["number"]);
    }
    // ETH is the zero address.
    let eth = h.call("ludus_bridge_withdrawalProof", json!([1])).await.unwrap();
    assert_eq!(eth["withdrawal"]["token"], json!(hex(&[0; 20])));
    assert_eq!(eth["withdrawal"]["amount"], json!("1000000000000000000"));
    assert_eq!(eth["withdrawal"]["fee"], json!("1000000000000000"));

    // Not checkpointed yet, or no such withdrawal: null.
    for id in [PENDING_WITHDRAWAL, 5] {
        assert_eq!(h.call("ludus_bridge_withdrawalProof", json!([id])).await.unwrap(), Value::Null, "{id}");
    }
}

#[tokio::test]
async fn signed_checkpoint_is_what_checkpoints_submit_takes() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();

    // Not enough signatures yet: null.
    assert_eq!(h.call("ludus_bridge_signedCheckpoint", json!([1])).await.unwrap(), Value::Null);
    assert_eq!(only_call(&h, "BridgeApi_signed_checkpoint"), (genesis, 1));

    h.chain.import(&[(BRIDGE_SIGNED_KEY, Some(b"1"))], true);
    let checkpoint = bridge_checkpoint();
    let signatures = bridge_signatures();
    assert_eq!(signatures.len(), 2);
    assert_eq!(
        h.call("ludus_bridge_signedCheckpoint", json!([1])).await.unwrap(),
        json!({
            "checkpoint": {
                "sidechainGenesis": hex(&[0x01; 32]),
                "number": 1,
                "firstBlock": 1,
                "lastBlock": 100,
                "lastBlockHash": hex(&[0x02; 32]),
                "withdrawalsRoot": hex(checkpoint.withdrawals_root.as_bytes()),
                "validatorSetId": 0,
                "nextValidatorSetHash": hex(&[0x03; 32]),
            },
            "structHash": hex(checkpoint.struct_hash().as_bytes()),
            "signatures": [hex(&signatures[0]), hex(&signatures[1])],
        })
    );
    assert_eq!(only_call(&h, "BridgeApi_signed_checkpoint"), (best(&h), 1));
    // Signatures are passed on in L1 form: 65 bytes, v of 27 or 28.
    for signature in &signatures {
        assert!(signature[64] == 27 || signature[64] == 28);
    }

    // The older block, and a checkpoint that does not exist: null.
    assert_eq!(h.call("ludus_bridge_signedCheckpoint", json!([1, genesis])).await.unwrap(), Value::Null);
    assert_eq!(h.call("ludus_bridge_signedCheckpoint", json!([2])).await.unwrap(), Value::Null);
}

#[tokio::test]
async fn validator_set_is_what_install_validator_set_takes() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();
    let set_json = |id: u64| {
        let set = bridge_validator_set(id);
        json!({
            "setId": id,
            "validators": set.validators.iter().map(|a| hex(a.as_bytes())).collect::<Vec<_>>(),
            "hash": hex(set.hash.as_bytes()),
        })
    };

    // The current set by default (omitted or null), any installed set by id.
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([])).await.unwrap(), set_json(0));
    let calls = take_calls(&h);
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].0, calls[0].1.as_str()), (genesis, "BridgeApi_validator_set"));
    assert_eq!(<Option<u64>>::decode_all(&mut &calls[0].2[..]).unwrap(), None, "no id reaches the runtime as None");
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([null])).await.unwrap(), set_json(0));
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([0])).await.unwrap(), set_json(0));
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([1])).await.unwrap(), Value::Null, "not installed yet");

    h.chain.import(&[(BRIDGE_HANDOFF_KEY, Some(b"1"))], true);
    take_calls(&h);
    let current = h.call("ludus_bridge_validatorSet", json!([null])).await.unwrap();
    assert_eq!(current, set_json(1));
    let calls = take_calls(&h);
    assert_eq!((calls[0].0, <Option<u64>>::decode_all(&mut &calls[0].2[..]).unwrap()), (best(&h), None));
    // Addresses in the order the L1 demands: strictly ascending.
    let addresses: Vec<sp_core::H160> = serde_json::from_value(current["validators"].clone()).unwrap();
    assert_eq!(addresses.len(), 3);
    assert!(addresses.windows(2).all(|pair| pair[0] < pair[1]), "{addresses:?}");
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([0])).await.unwrap(), set_json(0), "former sets stay");
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([1, genesis])).await.unwrap(), Value::Null);
    let calls = take_calls(&h);
    assert_eq!((calls[1].0, <Option<u64>>::decode_all(&mut &calls[1].2[..]).unwrap()), (genesis, Some(1)));
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([null, genesis])).await.unwrap(), set_json(0));
    assert_eq!(h.call("ludus_bridge_validatorSet", json!([2])).await.unwrap(), Value::Null);
}

#[tokio::test]
async fn lowest_unexecuted_nonce_at_best_or_a_given_block() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();
    assert_eq!(h.call("ludus_bridge_lowestUnexecutedNonce", json!([])).await.unwrap(), json!(1));
    let calls = take_calls(&h);
    assert_eq!(calls, vec![(genesis, "BridgeApi_lowest_unexecuted_nonce".to_owned(), Vec::new())]);

    let lowest = codec::Encode::encode(&u64::MAX);
    h.chain.import(&[(BRIDGE_LOWEST_NONCE_KEY, Some(&lowest[..]))], true);
    assert_eq!(h.call("ludus_bridge_lowestUnexecutedNonce", json!([])).await.unwrap(), json!(u64::MAX));
    assert_eq!(h.call("ludus_bridge_lowestUnexecutedNonce", json!([null])).await.unwrap(), json!(u64::MAX));
    assert_eq!(h.call("ludus_bridge_lowestUnexecutedNonce", json!([genesis])).await.unwrap(), json!(1));

    let (code, message, _) = h.call_err("ludus_bridge_lowestUnexecutedNonce", json!([Hash::repeat_byte(9)])).await;
    assert_eq!(code, 4003);
    assert!(message.starts_with("Client error: UnknownBlock"), "{message}");
    take_calls(&h);
    for bad in [json!([1]), json!(["0x12"]), json!([true])] {
        let (code, _, _) = h.call_err("ludus_bridge_lowestUnexecutedNonce", bad.clone()).await;
        assert_eq!(code, -32602, "{bad}");
    }
    assert!(take_calls(&h).is_empty(), "bad parameters never reach the runtime");
}

#[tokio::test]
async fn bridge_failures_are_state_client_errors_and_bad_params_never_run() {
    let h = Harness::start().await;
    for method in [
        "ludus_bridge_withdrawalStatus",
        "ludus_bridge_withdrawalProof",
        "ludus_bridge_signedCheckpoint",
        "ludus_bridge_validatorSet",
        "ludus_bridge_depositStatus",
    ] {
        let (code, message, _) = h.call_err(method, json!([1, Hash::repeat_byte(9)])).await;
        assert_eq!(code, 4003, "{method}");
        assert!(message.starts_with("Client error: UnknownBlock"), "{method}: {message}");

        let (code, message, _) = h.call_err(method, json!([TRAPPING_BRIDGE_ID])).await;
        assert_eq!(code, 4003, "{method}");
        assert!(message.contains("Execution failed: wasm trap"), "{method}: {message}");

        // An answer that is not the pallet's type is reported, not misread.
        let (code, message, _) = h.call_err(method, json!([GARBLED_BRIDGE_ID])).await;
        assert_eq!(code, 4003, "{method}");
        assert!(message.contains("returned an undecodable answer"), "{method}: {message}");
        take_calls(&h);

        let mut bad_params =
            vec![json!([-1]), json!(["1"]), json!([1.5]), json!([1, "0x12"]), json!([18_446_744_073_709_551_616f64])];
        // Only the validator set's id is optional.
        if method != "ludus_bridge_validatorSet" {
            bad_params.push(json!([]));
        }
        for bad in bad_params {
            let (code, _, _) = h.call_err(method, bad.clone()).await;
            assert_eq!(code, -32602, "{method} {bad}");
        }
        assert!(take_calls(&h).is_empty(), "{method}: bad parameters never reach the runtime");
    }
}

#[tokio::test]
async fn bridge_methods_are_listed_and_served_over_http() {
    let h = Harness::start().await;
    let methods = h.call("rpc_methods", json!([])).await.unwrap();
    let methods: Vec<&str> = methods["methods"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    for name in [
        "ludus_bridge_attestDeposit",
        "ludus_bridge_depositStatus",
        "ludus_bridge_l1Params",
        "ludus_bridge_lowestUnexecutedNonce",
        "ludus_bridge_signedCheckpoint",
        "ludus_bridge_validatorSet",
        "ludus_bridge_withdrawalProof",
        "ludus_bridge_withdrawalStatus",
    ] {
        assert!(methods.contains(&name), "{name} missing from {methods:?}");
    }
    let status = h.http_call("ludus_bridge_withdrawalStatus", json!([PENDING_WITHDRAWAL])).await.unwrap();
    assert_eq!(status, json!({"status": "pending"}));
}

#[tokio::test]
async fn deposit_status_every_state_and_block_choice() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();

    assert_eq!(h.call("ludus_bridge_depositStatus", json!([1])).await.unwrap(), json!({"status": "executed"}));
    assert_eq!(only_call(&h, "BridgeApi_deposit_status"), (genesis, 1));
    assert_eq!(
        h.call("ludus_bridge_depositStatus", json!([2])).await.unwrap(),
        json!({"status": "executed", "outcome": "refunded", "refundWithdrawalId": 4, "reason": "unknownToken"})
    );
    assert_eq!(
        h.call("ludus_bridge_depositStatus", json!([3])).await.unwrap(),
        json!({"status": "pending", "setId": 0, "attestations": 1, "threshold": 2, "attestedBy": [1]})
    );
    assert_eq!(h.call("ludus_bridge_depositStatus", json!([4])).await.unwrap(), Value::Null);
    take_calls(&h);

    // After the handover the pending deposit counts the new set; the old block still says set 0.
    h.chain.import(&[(BRIDGE_HANDOFF_KEY, Some(b"1"))], true);
    assert_eq!(h.call("ludus_bridge_depositStatus", json!([3])).await.unwrap()["setId"], json!(1));
    assert_eq!(only_call(&h, "BridgeApi_deposit_status"), (best(&h), 3));
    assert_eq!(h.call("ludus_bridge_depositStatus", json!([3, genesis])).await.unwrap()["setId"], json!(0));
    assert_eq!(only_call(&h, "BridgeApi_deposit_status"), (genesis, 3));

    // The JSON reads back into the typed answer a relayer's client decodes.
    let back: crate::bridge::DepositStatusJson =
        serde_json::from_value(h.call("ludus_bridge_depositStatus", json!([2])).await.unwrap()).unwrap();
    assert_eq!(
        back,
        pallet_bridge::types::DepositStatus::Executed {
            outcome: Some(pallet_bridge::types::DepositOutcome::Refunded {
                withdrawal: 4,
                reason: pallet_bridge::types::RefundReason::UnknownToken,
            }),
        }
        .into()
    );
}

#[tokio::test]
async fn l1_params_are_what_digests_are_bound_to() {
    let h = Harness::start().await;
    let params = bridge_l1_params();
    assert_eq!(
        h.call("ludus_bridge_l1Params", json!([])).await.unwrap(),
        json!({
            "chainId": params.chain_id,
            "vault": format!("{:?}", params.vault),
            "checkpointsContract": format!("{:?}", params.checkpoints_contract),
        })
    );
    let calls = take_calls(&h);
    assert_eq!((calls.len(), calls[0].1.as_str(), calls[0].2.is_empty()), (1, "BridgeApi_l1_params", true));
    let (code, message, _) = h.call_err("ludus_bridge_l1Params", json!([Hash::repeat_byte(9)])).await;
    assert_eq!(code, 4003);
    assert!(message.starts_with("Client error: UnknownBlock"), "{message}");
}

/// The deposit of the attestation tests, as a relayer sends it.
fn deposit_json() -> Value {
    json!({
        "nonce": 7,
        "token": "0x0000000000000000000000000000000000000000",
        "depositor": "0x1111111111111111111111111111111111111111",
        "recipient": format!("0x{}", "42".repeat(32)),
        "amount": "340282366920938463463374607431768211455",
    })
}

#[tokio::test]
async fn attest_deposit_hands_the_deposit_to_the_node_and_answers_per_key() {
    use crate::backend::{AttestationResult, DepositAttestation};
    let h = Harness::start().await;
    let alice = bridge_validator_set(0).validators[0];
    assert_eq!(
        h.call("ludus_bridge_attestDeposit", json!([deposit_json()])).await.unwrap(),
        json!([{
            "validatorIndex": 0,
            "address": format!("{alice:?}"),
            "result": "submitted",
            "txHash": format!("{ATTESTATION_TX:?}"),
        }])
    );
    assert_eq!(
        *h.attester.received.lock().unwrap(),
        vec![Deposit { nonce: 7, token: [0; 20], depositor: [0x11; 20], recipient: [0x42; 32], amount: u128::MAX }]
    );

    // Stale attestations are answers, not errors: the relayer is done with the deposit.
    *h.attester.answer.lock().unwrap() = Ok(vec![
        DepositAttestation { validator_index: 0, address: alice, result: AttestationResult::AlreadyAttested },
        DepositAttestation { validator_index: 1, address: alice, result: AttestationResult::Executed },
    ]);
    let answer = h.call("ludus_bridge_attestDeposit", json!([deposit_json()])).await.unwrap();
    assert_eq!(answer[0], json!({"validatorIndex": 0, "address": format!("{alice:?}"), "result": "alreadyAttested"}));
    assert_eq!(answer[1]["result"], json!("executed"));
}

#[tokio::test]
async fn attest_deposit_errors_say_what_to_do_and_whether_to_retry() {
    use crate::backend::AttestError;
    let h = Harness::start().await;
    for (failure, code, retryable, says) in [
        (
            AttestError::NoBridgeKey { set_id: 3 },
            5001,
            false,
            "holds no bridge key of validator set 3: insert one with `ludus-node key insert --key-type brdg",
        ),
        (AttestError::L1ParamsUnset, 5002, true, "L1 parameters are unset"),
        (AttestError::DepositsPaused, 5002, true, "deposits are paused"),
        (
            AttestError::NonceBeyondWindow { nonce: 300, lowest: 2 },
            5002,
            true,
            "deposit nonce 300 is beyond the attestation window (the lowest unexecuted nonce is 2): retryable",
        ),
        (
            AttestError::Refused { validator_index: 0, reason: "bad signature".into() },
            5001,
            false,
            "should never happen",
        ),
    ] {
        *h.attester.answer.lock().unwrap() = Err(failure);
        let (got_code, message, data) = h.call_err("ludus_bridge_attestDeposit", json!([deposit_json()])).await;
        assert_eq!(got_code, code, "{message}");
        assert!(message.contains(says), "{message}");
        assert_eq!(data, Some(json!({"retryable": retryable})), "{message}");
    }
}

#[tokio::test]
async fn attest_deposit_refuses_malformed_deposits_before_the_node_sees_them() {
    let h = Harness::start().await;
    let with = |field: &str, value: Value| {
        let mut deposit = deposit_json();
        deposit[field] = value;
        json!([deposit])
    };
    let mut extra = deposit_json();
    extra["fee"] = json!("1");
    let mut missing = deposit_json();
    missing.as_object_mut().unwrap().remove("depositor");
    for bad in [
        with("nonce", json!(0)),
        with("nonce", json!(-1)),
        with("token", json!("0x00")),
        with("recipient", json!("0x1111111111111111111111111111111111111111")),
        // A JSON number would lose precision above 2^53: amounts are decimal strings.
        with("amount", json!(5)),
        with("amount", json!("-5")),
        with("amount", json!("340282366920938463463374607431768211456")),
        json!([extra]),
        json!([missing]),
        json!([]),
    ] {
        let (code, _, _) = h.call_err("ludus_bridge_attestDeposit", bad.clone()).await;
        assert_eq!(code, -32602, "{bad}");
    }
    assert!(h.attester.received.lock().unwrap().is_empty(), "nothing malformed reached the node");
}

#[tokio::test]
async fn attest_deposit_is_unsafe_and_refused_on_a_safe_server() {
    let h =
        Harness::with_config(RpcConfig { listen: loopback(), methods: RpcMethods::Safe, ..RpcConfig::default() }).await;
    let (code, message, _) = h.call_err("ludus_bridge_attestDeposit", json!([deposit_json()])).await;
    assert_eq!((code, message.as_str()), (-32601, "RPC call is unsafe to be called externally"));
    assert!(h.attester.received.lock().unwrap().is_empty(), "the node signed nothing");
    // The safe bridge reads still answer.
    assert_eq!(h.call("ludus_bridge_depositStatus", json!([1])).await.unwrap(), json!({"status": "executed"}));
}
