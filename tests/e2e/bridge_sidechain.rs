//! The bridge on a dev node, from the outside: ETH is bridged from genesis, the validator's
//! attestation of an L1 deposit mints bridged ETH, a player withdraws, the checkpoint that
//! holds the withdrawal is fixed and signed by the validator's offchain worker once final,
//! and the `ludus_bridge_*` RPC hands out exactly what `Vault.claim` and
//! `Checkpoints.submit` need (proof verifies against the signed root; the signature
//! recovers to the validator's Ethereum address for the EIP-712 digest of the dev L1).
//! And the node attests a deposit for its relayer with the bridge key in its keystore
//! (`ludus_bridge_attestDeposit`), answering again, without error, once it is executed.

use std::time::Duration;

use codec::Encode;
use ludus_node::test_utils::{pair, sign};
use ludus_primitives::bridge::{eth_address, verify_proof, Checkpoint, Deposit, Withdrawal};
use ludus_runtime::{
    genesis_config_presets::{ANVIL_CHAIN_ID, ANVIL_CHECKPOINTS, ANVIL_VAULT, DEV_ETH_ASSET},
    RuntimeCall, UncheckedExtrinsic,
};
use serde_json::{json, Value};
use sp_core::{ecdsa, Pair, H160, H256};

use crate::{
    harness::Node,
    tx::{account, hash, to_hex},
};

const ETH: [u8; 20] = [0; 20];
const BRIDGED_ETH: u32 = DEV_ETH_ASSET;
const WEI: u128 = 1_000_000_000_000_000_000;

fn h160(hex_address: &str) -> H160 {
    H160::from_slice(&hex::decode(hex_address.trim_start_matches("0x")).expect("hex address"))
}

fn h256(value: &Value) -> H256 {
    hash(value.as_str().expect("a hex hash"))
}

fn asset_balance(node: &Node, who: &str) -> u128 {
    crate::tx::asset_balance(node.rpc_addr(), BRIDGED_ETH, who)
}

fn submit(node: &Node, xt: Vec<u8>) {
    node.rpc("author_submitExtrinsic", json!([to_hex(&xt)]));
}

#[test]
fn a_withdrawal_is_checkpointed_signed_and_provable() {
    let node = Node::dev();
    let genesis_hex = node.genesis_hash();
    let genesis = hash(&genesis_hex);

    // The dev validator (Alice's bridge key) attests a 5 ETH deposit to Bob; one of one is
    // more than two thirds, so it executes.
    let deposit =
        Deposit { nonce: 1, token: ETH, depositor: [0x11; 20], recipient: account("//Bob").into(), amount: 5 * WEI };
    let alice_bridge = ecdsa::Pair::from_string("//Alice", None).expect("dev key");
    let digest = deposit.attestation_digest(genesis, ANVIL_CHAIN_ID, h160(ANVIL_VAULT));
    let attestation = RuntimeCall::Bridge(pallet_bridge::Call::attest_deposit {
        deposit,
        validator_index: 0,
        signature: alice_bridge.sign_prehashed(&digest.0),
    });
    // Attestations are bound to the genesis hash the runtime records when it builds block 1.
    node.wait_for_best(1, Duration::from_secs(10));
    submit(&node, UncheckedExtrinsic::new_bare(attestation).encode());
    node.wait_for("Bob's bridged ETH", Duration::from_secs(20), || {
        (asset_balance(&node, "//Bob") == 5 * WEI).then_some(())
    });

    // Bob withdraws 2 ETH to an L1 address, a hundredth of it for the relayer that claims it.
    let l1_recipient = [0x22; 20];
    let fee = WEI / 50;
    let withdraw =
        RuntimeCall::Bridge(pallet_bridge::Call::withdraw { asset: BRIDGED_ETH, amount: 2 * WEI, l1_recipient, fee });
    submit(&node, sign(withdraw, &pair("//Bob"), 0, genesis));
    node.wait_for("the withdrawal burnt", Duration::from_secs(20), || {
        (asset_balance(&node, "//Bob") == 3 * WEI).then_some(())
    });

    // A checkpoint every 10 blocks; the offchain worker signs it when it is final.
    let status = node.wait_for("withdrawal 1 signed", Duration::from_secs(40), || {
        let status = node.rpc("ludus_bridge_withdrawalStatus", json!([1]));
        (status["status"] == "signed").then_some(status)
    });
    let number = status["checkpoint"].as_u64().expect("checkpoint number");

    let proof = node.rpc("ludus_bridge_withdrawalProof", json!([1]));
    let withdrawal = Withdrawal { id: 1, token: ETH, recipient: l1_recipient, amount: 2 * WEI, fee };
    assert_eq!(proof["withdrawal"]["amount"], (2 * WEI).to_string(), "{proof}");
    assert_eq!(proof["withdrawal"]["fee"], fee.to_string(), "{proof}");
    assert_eq!(proof["checkpoint"].as_u64(), Some(number));
    assert_eq!(
        h256(&proof["leaf"]),
        withdrawal.leaf(ANVIL_CHAIN_ID, h160(ANVIL_VAULT)),
        "the leaf binds the dev L1's Vault"
    );
    let path: Vec<H256> = proof["proof"].as_array().expect("proof").iter().map(h256).collect();

    let signed = node.rpc("ludus_bridge_signedCheckpoint", json!([number]));
    let cp = &signed["checkpoint"];
    let checkpoint = Checkpoint {
        sidechain_genesis: h256(&cp["sidechainGenesis"]),
        number: cp["number"].as_u64().expect("number"),
        first_block: cp["firstBlock"].as_u64().expect("firstBlock") as u32,
        last_block: cp["lastBlock"].as_u64().expect("lastBlock") as u32,
        last_block_hash: h256(&cp["lastBlockHash"]),
        withdrawals_root: h256(&cp["withdrawalsRoot"]),
        validator_set_id: cp["validatorSetId"].as_u64().expect("set id"),
        next_validator_set_hash: h256(&cp["nextValidatorSetHash"]),
    };
    assert_eq!(checkpoint.sidechain_genesis, genesis, "checkpoints are bound to this chain");
    assert_eq!(h256(&signed["structHash"]), checkpoint.struct_hash());
    assert!(
        verify_proof(&checkpoint.withdrawals_root, &withdrawal.leaf(ANVIL_CHAIN_ID, h160(ANVIL_VAULT)), &path),
        "the proof verifies against the signed root"
    );
    let block = node.block_hash(checkpoint.last_block as u64).expect("the checkpoint's last block exists");
    assert_eq!(hash(&block), checkpoint.last_block_hash);
    assert!(
        node.finalized_number() >= checkpoint.last_block as u64,
        "the checkpoint was signed only after its blocks were final"
    );

    // The one signature is Alice's bridge key over the EIP-712 digest for the dev L1.
    let signatures = signed["signatures"].as_array().expect("signatures");
    assert_eq!(signatures.len(), 1, "{signed}");
    let raw = hex::decode(signatures[0].as_str().expect("hex").trim_start_matches("0x")).expect("hex");
    assert_eq!(raw.len(), 65);
    let mut rsv = [0u8; 65];
    rsv.copy_from_slice(&raw);
    assert!(rsv[64] == 27 || rsv[64] == 28, "L1 form: v is 27 or 28");
    rsv[64] -= 27;
    let digest = checkpoint.digest(ANVIL_CHAIN_ID, h160(ANVIL_CHECKPOINTS));
    let signer = ecdsa::Signature::from_raw(rsv).recover_prehashed(&digest.0).expect("recoverable");
    assert_eq!(eth_address(&signer).expect("address"), eth_address(&alice_bridge.public()).expect("address"));
}

#[test]
fn the_node_attests_a_deposit_for_its_relayer_with_the_key_in_its_keystore() {
    let node = Node::dev();
    node.wait_for_best(1, Duration::from_secs(10));
    let params = node.rpc("ludus_bridge_l1Params", json!([]));
    assert_eq!(
        params,
        json!({"chainId": ANVIL_CHAIN_ID, "vault": ANVIL_VAULT, "checkpointsContract": ANVIL_CHECKPOINTS})
    );
    assert_eq!(node.rpc("ludus_bridge_depositStatus", json!([1])), Value::Null, "nothing attested yet");

    // What the relayer read from the Vault's `Deposited` log: 5 ETH to Bob.
    let deposit = json!({
        "nonce": 1,
        "token": to_hex(&ETH),
        "depositor": to_hex(&[0x11; 20]),
        "recipient": to_hex(account("//Bob").as_ref()),
        "amount": (5 * WEI).to_string(),
    });
    let alice = eth_address(&ecdsa::Pair::from_string("//Alice", None).expect("dev key").public()).expect("address");
    let answer = node.rpc("ludus_bridge_attestDeposit", json!([deposit]));
    let answers = answer.as_array().expect("one answer per key");
    assert_eq!(answers.len(), 1, "{answer}");
    assert_eq!(answers[0]["validatorIndex"], json!(0), "{answer}");
    assert_eq!(answers[0]["address"], json!(format!("{alice:?}")), "{answer}");
    assert_eq!(answers[0]["result"], json!("submitted"), "{answer}");
    assert!(answers[0]["txHash"].as_str().is_some_and(|h| h.len() == 66), "{answer}");

    // One of one is more than two thirds: the next block mints Bob's ETH.
    node.wait_for("Bob's bridged ETH", Duration::from_secs(20), || {
        (asset_balance(&node, "//Bob") == 5 * WEI).then_some(())
    });
    assert_eq!(node.rpc("ludus_bridge_depositStatus", json!([1])), json!({"status": "executed", "outcome": "minted"}));
    assert_eq!(node.rpc("ludus_bridge_lowestUnexecutedNonce", json!([])), json!(2));

    // Attesting it again (a relayer restarted from an old cursor) is an answer, not an error.
    let again = node.rpc("ludus_bridge_attestDeposit", json!([deposit]));
    assert_eq!(again, json!([{"validatorIndex": 0, "address": format!("{alice:?}"), "result": "executed"}]));
    assert_eq!(asset_balance(&node, "//Bob"), 5 * WEI, "nothing minted twice");

    // A deposit far ahead is refused as retryable, and nothing enters the pool (which would
    // ban the identical bytes of the retry).
    let mut far = deposit.clone();
    far["nonce"] = json!(2 + 256);
    let error = node.try_rpc("ludus_bridge_attestDeposit", json!([far])).expect_err("beyond the window");
    assert_eq!(error.code, 5002, "{}", error.message);
    assert!(
        error.message.contains("beyond the attestation window") && error.message.contains("is 2"),
        "{}",
        error.message
    );
    assert_eq!(error.data, Some(json!({"retryable": true})));
    assert_eq!(node.rpc("author_pendingExtrinsics", json!([])), json!([]));
}
