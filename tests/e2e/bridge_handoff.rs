//! The bridge's validator set from one end to the other, with real processes (the devnet of
//! [`crate::bridge_relayer`]): a set that Ludus's root hands over reaches the L1 through the
//! relayer alone and signs the checkpoints that follow; and a checkpoint forged with a
//! validator's key is caught by the relayer, which proves the equivocation and so pauses the
//! bridge.

use ludus_node::test_utils::{pair, sign};
use ludus_primitives::bridge::{eth_address, eth_signature, Checkpoint};
use ludus_runtime::RuntimeCall;
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, ecdsa, Pair, H160, H256};

use crate::{
    bridge_l1::{checkpoint_arg, SUBMIT},
    bridge_relayer::{tail, Bridge, ETH_ASSET, RELAYER_0, WEI},
    tx::{account, hash, to_hex},
};

/// anvil's dev account 9: an attacker's gas account, nobody else's.
const ATTACKER_KEY: &str = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

/// A dev bridge key (`//Alice`, `//Bob`: the secp256k1 keys the dev chain gives its validators).
fn bridge_key(suri: &str) -> ecdsa::Pair {
    ecdsa::Pair::from_string(suri, None).expect("dev bridge key")
}

/// The lowercase `0x…` Ethereum address of a bridge key.
fn address_of(key: &ecdsa::Pair) -> String {
    format!("0x{}", hex::encode(eth_address(&key.public()).expect("a valid secp256k1 key")))
}

fn h256(value: &Value) -> H256 {
    hash(value.as_str().unwrap_or_else(|| panic!("not a hex hash: {value}")))
}

/// The checkpoint of a `ludus_bridge_signedCheckpoint` answer.
fn checkpoint_of(signed: &Value) -> Checkpoint {
    let cp = &signed["checkpoint"];
    let number = |field: &str| cp[field].as_u64().unwrap_or_else(|| panic!("{field} in {signed}"));
    Checkpoint {
        sidechain_genesis: h256(&cp["sidechainGenesis"]),
        number: number("number"),
        first_block: u32::try_from(number("firstBlock")).expect("a block number"),
        last_block: u32::try_from(number("lastBlock")).expect("a block number"),
        last_block_hash: h256(&cp["lastBlockHash"]),
        withdrawals_root: h256(&cp["withdrawalsRoot"]),
        validator_set_id: number("validatorSetId"),
        next_validator_set_hash: h256(&cp["nextValidatorSetHash"]),
    }
}


/// The attacker, holding Alice's bridge key (the whole dev set), signs `forged` and posts it to
/// `Checkpoints.submit` from its own L1 account.
fn post_forgery(bridge: &Bridge, forged: &Checkpoint) {
    let checkpoints_address = H160::from(bridge.devnet().checkpoints().0 .0);
    let digest = forged.digest(bridge.devnet().l1_chain_id(), checkpoints_address);
    let signature = eth_signature(&bridge_key("//Alice").sign_prehashed(digest.as_fixed_bytes())).expect("low-s");
    let signatures = format!("[0x{}]", hex::encode(signature));
    bridge.send(ATTACKER_KEY, &bridge.checkpoints(), SUBMIT, &[&checkpoint_arg(forged), &signatures], None);
}

impl Bridge {
    fn checkpoints(&self) -> String {
        format!("{:?}", self.devnet().checkpoints())
    }

    /// A view of the Checkpoints contract, as cast prints it.
    fn checkpoints_view(&self, signature: &str) -> String {
        let (l1, checkpoints) = (self.l1(), self.checkpoints());
        self.cast(&["call", "--rpc-url", &l1, &checkpoints, signature])
    }

    fn l1_latest_checkpoint(&self) -> u64 {
        let latest = self.call_u128(&self.checkpoints(), "latestCheckpoint()(uint64)", &[]);
        u64::try_from(latest).expect("a checkpoint number")
    }

    /// The L1's current validator set, lowercase addresses in the contract's order.
    fn l1_validators(&self) -> Vec<String> {
        let list = self.checkpoints_view("validators()(address[])");
        list.trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|address| address.trim().to_lowercase())
            .filter(|address| !address.is_empty())
            .collect()
    }

    /// The sender of L1 transaction `tx`, lowercase.
    fn l1_sender(&self, tx: &str) -> String {
        let l1 = self.l1();
        self.cast(&["tx", "--rpc-url", &l1, tx, "from"]).to_lowercase()
    }

    /// Ludus checkpoint `number` once its validators signed it (at the best block).
    fn wait_signed_checkpoint(&self, number: u64) -> Value {
        self.wait_for(&format!("Ludus to sign checkpoint #{number}"), || {
            Some(self.rpc("ludus_bridge_signedCheckpoint", json!([number]))).filter(|signed| !signed.is_null())
        })
    }

    /// The L1 transaction hash of the relayer's log line that contains `prefix`, once it is
    /// logged (the relayer logs after the receipt, a moment after the L1 state changes).
    fn relayer_tx(&self, prefix: &str) -> String {
        let line = self.wait_for(&format!("'{prefix}' in relayer 0's log"), || {
            self.relayer_log(0).lines().find(|line| line.contains(prefix)).map(str::to_owned)
        });
        let after = line.split(" tx ").nth(1).unwrap_or_else(|| panic!("no tx in {line:?}"));
        let tx = after.split_whitespace().next().expect("a tx hash");
        tx.trim_end_matches(|c: char| !c.is_ascii_hexdigit()).to_owned()
    }
}

/// Root hands the bridge over from `{Alice}` (set 0) to `{Alice, Bob}` (set 1). Alice's node
/// holds both bridge keys, so its offchain worker signs for both members of set 1.
///
/// What the runtime does with the root call: `Bridge::set_validators` queues the set in the
/// bridge pallet; the next block fixes a checkpoint of set 0 that commits to set 1's hash and
/// installs set 1 on Ludus. The session pallet also feeds the bridge its validators' session
/// bridge keys (`configs::BridgeValidatorKeys`), but only in a session whose validators or keys
/// changed (`on_new_session` with `changed`): the periodic rotation every ten minutes changes
/// neither here (pallet-validator-set plans a new set only after its own `set_validators`, and
/// nobody calls `session.set_keys`), so root's set stands. Were a session to change the keys, it
/// would queue a further set 2 of the session's keys rather than undo set 1; the assertions
/// below hold either way, and the last one shows that root's set is still Ludus's current set.
#[test]
fn a_validator_set_handoff_is_installed_on_the_l1_and_the_new_set_checkpoints_follow() {
    let bridge = Bridge::start(true);
    let checkpoints = bridge.checkpoints();
    let (alice, bob) = (bridge_key("//Alice"), bridge_key("//Bob"));
    assert_eq!(bridge.call_u128(&checkpoints, "currentSetId()(uint64)", &[]), 0);
    assert_eq!(bridge.l1_validators(), vec![address_of(&alice)], "the L1 starts with Ludus's genesis set");

    // Bob gets bridged ETH to withdraw later (set 0 attests it).
    bridge.deposit_eth("//Bob", WEI);
    bridge.wait_for("Bob's bridged ETH", || (bridge.asset_balance(ETH_ASSET, "//Bob") == WEI).then_some(()));

    // Bob's bridge key joins Alice's in the node's keystore, then root names both the bridge's set.
    let inserted = bridge.rpc("author_insertKey", json!(["brdg", "//Bob", to_hex(bob.public().as_ref())]));
    assert_eq!(inserted, Value::Null);
    let keys = vec![alice.public(), bob.public()].try_into().expect("two keys fit the set");
    let set_validators = RuntimeCall::Bridge(pallet_bridge::Call::set_validators { keys });
    let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set_validators) });
    let nonce = bridge.rpc("system_accountNextIndex", json!([account("//Alice").to_ss58check()]));
    let nonce = u32::try_from(nonce.as_u64().expect("a nonce")).expect("a small nonce");
    bridge.rpc("author_submitExtrinsic", json!([to_hex(&sign(sudo, &pair("//Alice"), nonce, bridge.genesis()))]));

    // The relayer posts set 0's handoff checkpoint and installs set 1 on the L1.
    bridge.wait_for("set 1 installed on the L1", || {
        (bridge.call_u128(&checkpoints, "currentSetId()(uint64)", &[]) == 1).then_some(())
    });
    let mut set_1 = vec![address_of(&alice), address_of(&bob)];
    set_1.sort();
    assert_eq!(bridge.l1_validators(), set_1, "the L1 holds set 1, ascending");
    assert_eq!(bridge.checkpoints_view("handoffPending()(bool)"), "false");
    let handoff = bridge.l1_latest_checkpoint();
    let signed = bridge.rpc("ludus_bridge_signedCheckpoint", json!([handoff]));
    let handoff_checkpoint = checkpoint_of(&signed);
    assert_eq!(handoff_checkpoint.validator_set_id, 0, "the outgoing set signs the handoff: {signed}");
    let ludus_set_1 = bridge.rpc("ludus_bridge_validatorSet", json!([1]));
    assert_eq!(handoff_checkpoint.next_validator_set_hash, h256(&ludus_set_1["hash"]), "{signed}");
    let install = bridge.relayer_tx("Installed validator set 1 (2 members)");
    assert_eq!(bridge.l1_sender(&install), RELAYER_0.to_lowercase(), "the relayer installed set 1");

    // A withdrawal after the handoff is checkpointed by set 1, both signing, and paid on the L1.
    let l1_recipient = "0x000000000000000000000000000000000000b0b1";
    bridge.withdraw("//Bob", 0, ETH_ASSET, WEI / 4, l1_recipient, 0);
    bridge.wait_for("the withdrawal paid on the L1", || (bridge.eth_balance(l1_recipient) == WEI / 4).then_some(()));
    let status = bridge.rpc("ludus_bridge_withdrawalStatus", json!([1]));
    let number = status["checkpoint"].as_u64().unwrap_or_else(|| panic!("withdrawal 1 is checkpointed: {status}"));
    assert!(number > handoff, "{status}");
    let signed = bridge.rpc("ludus_bridge_signedCheckpoint", json!([number]));
    assert_eq!(checkpoint_of(&signed).validator_set_id, 1, "{signed}");
    assert_eq!(signed["signatures"].as_array().map(Vec::len), Some(2), "both members of set 1 signed: {signed}");
    assert!(bridge.l1_latest_checkpoint() >= number);
    let log = bridge.relayer_log(0);
    assert!(
        log.contains(&format!("Posted checkpoint #{number} (")) && log.contains("set 1, 2 signatures"),
        "the relayer posted set 1's checkpoint:\n{}",
        tail(&log, 40)
    );
    assert_eq!(bridge.asset_balance(ETH_ASSET, "//Bob"), WEI - WEI / 4);
    let current = bridge.rpc("ludus_bridge_validatorSet", json!([null]));
    assert_eq!(current["setId"], 1, "root's set is still Ludus's current set: {current}");
}

/// An attacker with Alice's bridge key (the whole of set 0) signs a second checkpoint under a
/// number Ludus already signed, with another withdrawals root, and posts it to the L1 while the
/// relayer is down. Back up, the relayer finds the L1's checkpoint differs from Ludus's and
/// proves the equivocation with both, which pauses `Checkpoints`.
#[test]
fn the_relayer_proves_an_equivocation_and_the_bridge_pauses() {
    let mut bridge = Bridge::start(true);
    bridge.deposit_eth("//Dave", WEI);
    bridge.wait_for("Dave's bridged ETH", || (bridge.asset_balance(ETH_ASSET, "//Dave") == WEI).then_some(()));

    bridge.devnet_mut().kill_relayer(0).expect("kill the relayer");
    let number = bridge.l1_latest_checkpoint() + 1;
    bridge.withdraw("//Dave", 0, ETH_ASSET, WEI / 2, "0x000000000000000000000000000000000000da7e", 0);
    let honest = checkpoint_of(&bridge.wait_signed_checkpoint(number));
    assert_eq!(bridge.l1_latest_checkpoint(), number - 1, "nobody posted checkpoint #{number} yet");

    // The forgery: the same number and blocks, the attacker's withdrawals root.
    let forged = Checkpoint { withdrawals_root: H256::repeat_byte(0x66), ..honest };
    post_forgery(&bridge, &forged);
    assert_eq!(bridge.l1_latest_checkpoint(), number, "the L1 took the forgery");
    assert_eq!(bridge.checkpoints_view("paused()(bool)"), "false");

    let runtime = &bridge.runtime;
    runtime.block_on(bridge.devnet.as_mut().expect("running").start_relayer(0)).expect("restart the relayer");
    bridge.wait_for("the bridge paused", || (bridge.checkpoints_view("paused()(bool)") == "true").then_some(()));
    bridge.wait_for("the relayer to log the proof", || {
        let log = bridge.relayer_log(0);
        (log.contains("EQUIVOCATION") && log.contains(&format!("Proved the equivocation of checkpoint #{number}")))
            .then_some(())
    });
    let proof = bridge.relayer_tx("Proved the equivocation");
    assert_eq!(bridge.l1_sender(&proof), RELAYER_0.to_lowercase(), "the relayer proved it");
    assert_eq!(bridge.l1_latest_checkpoint(), number, "nothing is taken after the pause");
}

/// The attacker is faster: with Alice's bridge key it posts a checkpoint under the next number
/// before Ludus has even fixed that number. The relayer, up all along, has nothing to compare it
/// with yet; once Ludus's validators sign their own checkpoint under that number, it proves the
/// equivocation, rather than posting Ludus's next checkpoints on top of the forgery.
#[test]
fn a_checkpoint_forged_ahead_of_ludus_is_proven_once_ludus_signs_its_number() {
    let bridge = Bridge::start(true);
    bridge.deposit_eth("//Dave", WEI);
    bridge.wait_for("Dave's bridged ETH", || (bridge.asset_balance(ETH_ASSET, "//Dave") == WEI).then_some(()));

    let number = bridge.l1_latest_checkpoint() + 1;
    assert!(bridge.rpc("ludus_bridge_signedCheckpoint", json!([number])).is_null(), "Ludus has no #{number} yet");
    let set_0 = bridge.rpc("ludus_bridge_validatorSet", json!([0]));
    let forged = Checkpoint {
        sidechain_genesis: bridge.genesis(),
        number,
        first_block: 1,
        last_block: 2,
        last_block_hash: H256::repeat_byte(0x77),
        withdrawals_root: H256::repeat_byte(0x66),
        validator_set_id: 0,
        next_validator_set_hash: h256(&set_0["hash"]),
    };
    post_forgery(&bridge, &forged);
    assert_eq!(bridge.l1_latest_checkpoint(), number, "the L1 took the forgery");
    // The relayer looks at the L1's new checkpoint while Ludus has nothing under its number.
    std::thread::sleep(std::time::Duration::from_secs(5));

    bridge.withdraw("//Dave", 0, ETH_ASSET, WEI / 2, "0x000000000000000000000000000000000000da7e", 0);
    bridge.wait_signed_checkpoint(number);
    bridge.wait_for("the bridge paused", || (bridge.checkpoints_view("paused()(bool)") == "true").then_some(()));
    bridge.relayer_tx(&format!("Proved the equivocation of checkpoint #{number}"));
    assert_eq!(bridge.l1_latest_checkpoint(), number, "nothing was posted on top of the forgery");
}
