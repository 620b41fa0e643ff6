//! The committed bridge test vectors and the Foundry test generated from them.
//!
//! `vectors_are_current` rebuilds a fixed set of cases with this crate and compares them
//! with `vectors/bridge.json` and `contracts/test/Vectors.t.sol`. A difference means a wire
//! format changed: if that is intended, run
//! `LUDUS_BLESS=1 cargo test -p ludus-primitives vectors_are_current`, which rewrites both,
//! then run `contracts/test.sh` to prove the contracts still agree.

use std::path::PathBuf;

use serde_json::{json, Value};
use sp_core::{ecdsa, Pair, H160, H256};

use super::*;

const L1_CHAIN_ID: u64 = 31337;
/// Anvil's first deployment address (deployer 0xf39F…2266, nonce 0): the Checkpoints contract.
const CHECKPOINTS_ADDRESS: &str = "5fbdb2315678afecb367f032d93f642f64180aa3";
/// Anvil's second deployment address: the Vault.
const VAULT_ADDRESS: &str = "e7f1725e7734ce288f8367e1bb143e90bb3f0512";
/// Anvil's first account, which deploys the two contracts above.
const DEPLOYER: &str = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
/// An ERC-20 token address (anvil's third deployment).
const TOKEN: &str = "9fe46736679d2d9a65f0992f2272de9f3c7fa6e0";
/// Anvil's second and third accounts, as withdrawal recipients.
const ACCOUNT_1: &str = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
const ACCOUNT_2: &str = "3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
/// //Alice's sr25519 AccountId32, the usual dev recipient.
const ALICE_ACCOUNT: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
const VALIDATOR_SEEDS: [&str; 4] = ["//Alice", "//Bob", "//Charlie", "//Dave"];
const VALIDATOR_SET_ID: u64 = 1;

fn address(hex_str: &str) -> [u8; 20] {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

fn h(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Everything the vectors contain, as values; JSON and Solidity are both rendered from it.
struct Cases {
    genesis: H256,
    deposits: Vec<Deposit>,
    withdrawals: Vec<Withdrawal>,
    leaves: Vec<H256>,
    root: H256,
    proofs: Vec<Vec<H256>>,
    /// (seed, public key, address), ascending by address.
    validators: Vec<(&'static str, ecdsa::Public, H160)>,
    set_hash: H256,
    checkpoint: Checkpoint,
    digest: H256,
    /// Ethereum-form signatures of `digest`, in the order of `validators`.
    signatures: Vec<[u8; 65]>,
}

fn cases() -> Cases {
    let genesis = keccak(b"ludus/vectors/sidechain-genesis");
    let deposits = vec![
        Deposit {
            nonce: 1,
            token: address(TOKEN),
            depositor: address(DEPLOYER),
            recipient: hex::decode(ALICE_ACCOUNT).unwrap().try_into().unwrap(),
            amount: 1_000_000_000_000_000_007,
        },
        // ETH, and the largest amount the Vault accepts: catches a too-narrow amount word.
        Deposit { nonce: 2, token: [0; 20], depositor: address(ACCOUNT_1), recipient: [0xab; 32], amount: u128::MAX },
    ];
    let withdrawals = vec![
        // A relayer's fee of 0.001 ETH out of 1 ETH.
        Withdrawal {
            id: 1,
            token: [0; 20],
            recipient: address(ACCOUNT_1),
            amount: 1_000_000_000_000_000_000,
            fee: 1_000_000_000_000_000,
        },
        Withdrawal { id: 2, token: address(TOKEN), recipient: address(ACCOUNT_2), amount: 1, fee: 0 },
        // The whole amount as the fee, both at their widest: catches a too-narrow fee word.
        Withdrawal { id: 3, token: [0; 20], recipient: address(ACCOUNT_2), amount: u128::MAX, fee: u128::MAX },
        Withdrawal { id: 4, token: address(TOKEN), recipient: address(ACCOUNT_1), amount: 12_345, fee: 345 },
        Withdrawal { id: 5, token: address(TOKEN), recipient: address(DEPLOYER), amount: 42, fee: 0 },
    ];
    let leaves: Vec<H256> = withdrawals.iter().map(|w| w.leaf(L1_CHAIN_ID, H160(address(VAULT_ADDRESS)))).collect();
    let root = withdrawals_root(&leaves);
    let proofs = (0..leaves.len()).map(|i| merkle_proof(&leaves, i).unwrap()).collect();

    let mut validators: Vec<_> = VALIDATOR_SEEDS
        .iter()
        .map(|seed| {
            let public = ecdsa::Pair::from_string(seed, None).unwrap().public();
            (*seed, public, eth_address(&public).unwrap())
        })
        .collect();
    validators.sort_by_key(|(_, _, address)| *address);
    let addresses: Vec<H160> = validators.iter().map(|(_, _, address)| *address).collect();
    let set_hash = validator_set_hash(VALIDATOR_SET_ID, &addresses).unwrap();

    let checkpoint = Checkpoint {
        sidechain_genesis: genesis,
        number: 1,
        first_block: 1,
        last_block: 600,
        last_block_hash: keccak(b"ludus/vectors/block-600"),
        withdrawals_root: root,
        validator_set_id: VALIDATOR_SET_ID,
        next_validator_set_hash: set_hash,
    };
    let digest = checkpoint.digest(L1_CHAIN_ID, H160(address(CHECKPOINTS_ADDRESS)));
    let signatures = validators
        .iter()
        .map(|(seed, _, _)| {
            let pair = ecdsa::Pair::from_string(seed, None).unwrap();
            eth_signature(&pair.sign_prehashed(digest.as_fixed_bytes())).unwrap()
        })
        .collect();

    Cases { genesis, deposits, withdrawals, leaves, root, proofs, validators, set_hash, checkpoint, digest, signatures }
}

fn to_json(c: &Cases) -> Value {
    let vault = H160(address(VAULT_ADDRESS));
    let checkpoints = H160(address(CHECKPOINTS_ADDRESS));
    let cp = &c.checkpoint;
    json!({
        "comment": "Generated by `LUDUS_BLESS=1 cargo test -p ludus-primitives vectors_are_current` (primitives/src/bridge/vectors.rs). Formats: notes/bridge-formats.md. Hex is 0x-prefixed lowercase; u128/uint256 amounts are decimal strings; `scale` is the SCALE encoding of the Rust struct.",
        "l1ChainId": L1_CHAIN_ID,
        "sidechainGenesis": h(c.genesis),
        "checkpointsContract": h(checkpoints),
        "vaultContract": h(vault),
        "deposits": c.deposits.iter().map(|d| json!({
            "nonce": d.nonce,
            "token": h(d.token),
            "depositor": h(d.depositor),
            "recipient": h(d.recipient),
            "amount": d.amount.to_string(),
            "scale": h(d.encode()),
            "depositHash": h(d.deposit_hash()),
            "attestationDigest": h(d.attestation_digest(c.genesis, L1_CHAIN_ID, vault)),
        })).collect::<Vec<_>>(),
        "withdrawals": {
            "items": c.withdrawals.iter().zip(&c.leaves).zip(&c.proofs).map(|((w, leaf), proof)| json!({
                "id": w.id,
                "token": h(w.token),
                "recipient": h(w.recipient),
                "amount": w.amount.to_string(),
                "fee": w.fee.to_string(),
                "scale": h(w.encode()),
                "leaf": h(leaf),
                "proof": proof.iter().map(h).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "root": h(c.root),
        },
        "validatorSet": {
            "setId": VALIDATOR_SET_ID,
            "validators": c.validators.iter().map(|(seed, public, address)| json!({
                "seed": seed,
                "publicKey": h(public),
                "address": h(address),
            })).collect::<Vec<_>>(),
            "hash": h(c.set_hash),
        },
        "checkpoint": {
            "sidechainGenesis": h(cp.sidechain_genesis),
            "number": cp.number,
            "firstBlock": cp.first_block,
            "lastBlock": cp.last_block,
            "lastBlockHash": h(cp.last_block_hash),
            "withdrawalsRoot": h(cp.withdrawals_root),
            "validatorSetId": cp.validator_set_id,
            "nextValidatorSetHash": h(cp.next_validator_set_hash),
            "scale": h(cp.encode()),
            "structHash": h(cp.struct_hash()),
            "domainSeparator": h(domain_separator(L1_CHAIN_ID, checkpoints)),
            "digest": h(c.digest),
            "signatures": c.validators.iter().zip(&c.signatures).map(|((_, _, address), sig)| json!({
                "signer": h(address),
                "signature": h(sig),
            })).collect::<Vec<_>>(),
        },
    })
}

/// A Solidity `bytes32` expression.
fn sol_bytes32(hash: impl AsRef<[u8]>) -> String {
    format!("bytes32({})", sol_hex(hash))
}

/// A Solidity `bytes` literal (also converts implicitly to a `bytes32` of the same length).
fn sol_hex(bytes: impl AsRef<[u8]>) -> String {
    format!("hex\"{}\"", hex::encode(bytes))
}

/// A Solidity `address` expression; a bare 0x literal would need an EIP-55 checksum.
fn sol_address(bytes: impl AsRef<[u8]>) -> String {
    format!("address(bytes20(hex\"{}\"))", hex::encode(bytes))
}

fn to_solidity(c: &Cases) -> String {
    let cp = &c.checkpoint;
    let mut s = String::new();
    let mut line = |text: &str| {
        s.push_str(text);
        s.push('\n');
    };
    line("// SPDX-License-Identifier: Apache-2.0");
    line("// GENERATED by `LUDUS_BLESS=1 cargo test -p ludus-primitives vectors_are_current`");
    line("// (primitives/src/bridge/vectors.rs) from the values in primitives/vectors/bridge.json.");
    line("// Do not edit: change the Rust side and bless again.");
    line("pragma solidity ^0.8.24;");
    line("");
    line("import {Checkpoints, Checkpoint} from \"../src/Checkpoints.sol\";");
    line("import {Vault, Withdrawal} from \"../src/Vault.sol\";");
    line("import {MerkleProof} from \"@openzeppelin/contracts/utils/cryptography/MerkleProof.sol\";");
    line("import {ECDSA} from \"@openzeppelin/contracts/utils/cryptography/ECDSA.sol\";");
    line("");
    line("/// @notice The cheatcodes this test needs (no forge-std offline).");
    line("interface VectorsVm {");
    line("    function prank(address sender) external;");
    line("    function deal(address account, uint256 balance) external;");
    line("}");
    line("");
    line("/// @notice The contracts compute exactly the bytes and hashes the Rust primitives do, and");
    line("/// accept what sp-core ecdsa keys sign.");
    line("contract VectorsTest {");
    line("    VectorsVm private constant vm = VectorsVm(address(uint160(uint256(keccak256(\"hevm cheat code\")))));");
    line("");
    let mut constants = vec![
        ("uint256", "L1_CHAIN_ID".to_string(), format!("uint256({L1_CHAIN_ID})")),
        ("address", "CHECKPOINTS_ADDRESS".to_string(), sol_address(address(CHECKPOINTS_ADDRESS))),
        ("address", "VAULT_ADDRESS".to_string(), sol_address(address(VAULT_ADDRESS))),
        ("address", "DEPLOYER".to_string(), sol_address(address(DEPLOYER))),
        ("bytes32", "SIDECHAIN_GENESIS".to_string(), sol_bytes32(c.genesis)),
        ("uint64", "VALIDATOR_SET_ID".to_string(), format!("uint64({VALIDATOR_SET_ID})")),
        ("bytes32", "VALIDATOR_SET_HASH".to_string(), sol_bytes32(c.set_hash)),
        ("bytes32", "WITHDRAWALS_ROOT".to_string(), sol_bytes32(c.root)),
        ("bytes32", "CHECKPOINT_STRUCT_HASH".to_string(), sol_bytes32(cp.struct_hash())),
        ("bytes32", "CHECKPOINT_DIGEST".to_string(), sol_bytes32(c.digest)),
    ];
    for (i, d) in c.deposits.iter().enumerate() {
        constants.push(("bytes32", format!("DEPOSIT_HASH_{i}"), sol_bytes32(d.deposit_hash())));
    }
    for (ty, name, value) in constants {
        line(&format!("    {ty} private constant {name} = {value};"));
    }
    line("");
    line("    Checkpoints private checkpoints;");
    line("    Vault private vault;");
    line("");
    line("    function setUp() public {");
    line(&format!("        checkpoints = new Checkpoints(SIDECHAIN_GENESIS, {}, VALIDATOR_SET_ID, _validators(), address(this));", cp.number));
    line("        vault = new Vault(checkpoints, address(this), address(this));");
    line("    }");
    line("");
    line("    function _validators() private pure returns (address[] memory v) {");
    line(&format!("        v = new address[]({});", c.validators.len()));
    for (i, (seed, _, addr)) in c.validators.iter().enumerate() {
        line(&format!("        v[{i}] = {}; // {seed}", sol_address(addr)));
    }
    line("    }");
    line("");
    line("    function _signatures() private pure returns (bytes[] memory s) {");
    line(&format!("        s = new bytes[]({});", c.signatures.len()));
    for (i, sig) in c.signatures.iter().enumerate() {
        line(&format!("        s[{i}] = {};", sol_hex(sig)));
    }
    line("    }");
    line("");
    line("    function _checkpoint() private pure returns (Checkpoint memory) {");
    line("        return Checkpoint({");
    line(&format!("            sidechainGenesis: {},", sol_hex(cp.sidechain_genesis)));
    line(&format!("            number: {},", cp.number));
    line(&format!("            firstBlock: {},", cp.first_block));
    line(&format!("            lastBlock: {},", cp.last_block));
    line(&format!("            lastBlockHash: {},", sol_hex(cp.last_block_hash)));
    line(&format!("            withdrawalsRoot: {},", sol_hex(cp.withdrawals_root)));
    line(&format!("            validatorSetId: {},", cp.validator_set_id));
    line(&format!("            nextValidatorSetHash: {}", sol_hex(cp.next_validator_set_hash)));
    line("        });");
    line("    }");
    line("");
    line("    function _withdrawals() private pure returns (Withdrawal[] memory w) {");
    line(&format!("        w = new Withdrawal[]({});", c.withdrawals.len()));
    for (i, w) in c.withdrawals.iter().enumerate() {
        line(&format!(
            "        w[{i}] = Withdrawal({{id: {}, token: {}, recipient: {}, amount: {}, fee: {}}});",
            w.id,
            sol_address(w.token),
            sol_address(w.recipient),
            w.amount,
            w.fee
        ));
    }
    line("    }");
    line("");
    line("    function _leaves() private pure returns (bytes32[] memory l) {");
    line(&format!("        l = new bytes32[]({});", c.leaves.len()));
    for (i, leaf) in c.leaves.iter().enumerate() {
        line(&format!("        l[{i}] = {};", sol_hex(leaf)));
    }
    line("    }");
    line("");
    line("    function _proof(uint256 index) private pure returns (bytes32[] memory p) {");
    for (i, proof) in c.proofs.iter().enumerate() {
        line(&format!("        if (index == {i}) {{"));
        line(&format!("            p = new bytes32[]({});", proof.len()));
        for (j, node) in proof.iter().enumerate() {
            line(&format!("            p[{j}] = {};", sol_hex(node)));
        }
        line("        }");
    }
    line("    }");
    line("");
    line("    function test_checkpointStructHashMatchesRust() public view {");
    line("        require(checkpoints.structHash(_checkpoint()) == CHECKPOINT_STRUCT_HASH, \"Checkpoints.structHash differs from Rust\");");
    line("    }");
    line("");
    line("    function test_checkpointDigestMatchesRust() public view {");
    line("        require(");
    line("            checkpoints.hashTypedCheckpoint(L1_CHAIN_ID, CHECKPOINTS_ADDRESS, _checkpoint()) == CHECKPOINT_DIGEST,");
    line("            \"Checkpoints.hashTypedCheckpoint differs from Rust\"");
    line("        );");
    line("    }");
    line("");
    line("    function test_validatorSetHashMatchesRust() public view {");
    line("        require(checkpoints.validatorSetHash(VALIDATOR_SET_ID, _validators()) == VALIDATOR_SET_HASH, \"validatorSetHash differs from Rust\");");
    line("        require(checkpoints.currentSetHash() == VALIDATOR_SET_HASH, \"constructor stored a different set hash\");");
    line("    }");
    line("");
    line("    function test_withdrawalLeavesMatchRust() public view {");
    line("        Withdrawal[] memory w = _withdrawals();");
    line("        bytes32[] memory l = _leaves();");
    line("        for (uint256 i = 0; i < w.length; ++i) {");
    line("            require(");
    line("                vault.withdrawalLeafFor(L1_CHAIN_ID, VAULT_ADDRESS, w[i]) == l[i], \"Vault.withdrawalLeafFor differs from Rust\"");
    line("            );");
    line("            require(vault.withdrawalLeaf(w[i]) != l[i], \"the leaf does not bind the Vault's address\");");
    line("        }");
    line("    }");
    line("");
    line("    function test_depositHashesMatchRust() public view {");
    for (i, d) in c.deposits.iter().enumerate() {
        line("        require(");
        line(&format!(
            "            vault.depositHash({}, {}, {}, {}, {}) == DEPOSIT_HASH_{i},",
            d.nonce,
            sol_address(d.token),
            sol_address(d.depositor),
            sol_hex(d.recipient),
            d.amount
        ));
        line(&format!("            \"Vault.depositHash differs from Rust (deposit {i})\""));
        line("        );");
    }
    line("    }");
    line("");
    line("    function test_rustMerkleProofsVerify() public pure {");
    line("        bytes32[] memory l = _leaves();");
    line("        for (uint256 i = 0; i < l.length; ++i) {");
    line("            require(MerkleProof.verify(_proof(i), WITHDRAWALS_ROOT, l[i]), \"MerkleProof rejects a Rust proof\");");
    line("            // A proof must not carry over to a neighbouring leaf.");
    line("            require(!MerkleProof.verify(_proof(i), WITHDRAWALS_ROOT, l[(i + 1) % l.length]), \"proof accepted for another leaf\");");
    line("        }");
    line("    }");
    line("");
    line("    function test_rustSignaturesRecoverToValidators() public pure {");
    line("        address[] memory v = _validators();");
    line("        bytes[] memory s = _signatures();");
    line("        for (uint256 i = 0; i < v.length; ++i) {");
    line("            require(ECDSA.recover(CHECKPOINT_DIGEST, s[i]) == v[i], \"ECDSA.recover gives another address than Rust's eth_address\");");
    line("        }");
    line("    }");
    line("");
    line("    /// @notice End to end: a Checkpoints contract at the vectors' address accepts the Rust-signed");
    line("    /// checkpoint, and the Vault pays a withdrawal against it with the Rust proof: the amount");
    line("    /// less the fee to the recipient, the fee to the relayer that claims.");
    line("    function test_rustSignedCheckpointIsAcceptedAndPaysAClaim() public {");
    line("        // A create pranked as anvil's first account (nonce 0) lands at anvil's first deployment address.");
    line("        vm.prank(DEPLOYER);");
    line(&format!("        Checkpoints deployed = new Checkpoints(SIDECHAIN_GENESIS, {}, VALIDATOR_SET_ID, _validators(), address(this));", cp.number));
    line("        require(address(deployed) == CHECKPOINTS_ADDRESS, \"Checkpoints not at the vectors' verifyingContract\");");
    line("        require(deployed.checkpointDigest(_checkpoint()) == CHECKPOINT_DIGEST, \"checkpointDigest differs from Rust\");");
    line("        deployed.submit(_checkpoint(), _signatures());");
    line("        require(deployed.withdrawalsRoot(1) == WITHDRAWALS_ROOT, \"root not stored\");");
    line("");
    line("        // The leaves bind the Vault's address: anvil's second deployment, by the same account.");
    line("        vm.prank(DEPLOYER);");
    line("        Vault v = new Vault(deployed, address(this), address(this));");
    line("        require(address(v) == VAULT_ADDRESS, \"Vault not at the vectors' vault address\");");
    line("        require(block.chainid == L1_CHAIN_ID, \"forge runs on another chain id than the vectors'\");");
    line("        v.configureToken(address(0), true, type(uint128).max, type(uint128).max, 0);");
    line("        vm.deal(address(v), 10 ether);");
    line("        Withdrawal memory w = _withdrawals()[0];");
    line("        require(w.fee != 0, \"the first vector withdrawal should name a fee\");");
    line("        address relayer = DEPLOYER;");
    line("        uint256 recipientBefore = w.recipient.balance;");
    line("        uint256 relayerBefore = relayer.balance;");
    line("        vm.prank(relayer);");
    line("        v.claim(w, 1, _proof(0));");
    line("        require(w.recipient.balance == recipientBefore + w.amount - w.fee, \"claim did not pay the recipient the amount less the fee\");");
    line("        require(relayer.balance == relayerBefore + w.fee, \"claim did not pay the fee to the relayer\");");
    line("    }");
    line("}");
    s
}

fn blessing() -> bool {
    std::env::var("LUDUS_BLESS").is_ok_and(|v| v == "1")
}

fn check_or_bless(path: &PathBuf, expected: &str) {
    if blessing() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is not what the Rust formats produce now. If the format change is intended, run \
         `LUDUS_BLESS=1 cargo test -p ludus-primitives vectors_are_current`, review the diff, \
         and run contracts/test.sh",
        path.display()
    );
}

#[test]
fn vectors_are_current() {
    let c = cases();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let json = serde_json::to_string_pretty(&to_json(&c)).unwrap() + "\n";
    check_or_bless(&root.join("vectors/bridge.json"), &json);
    check_or_bless(&root.join("../contracts/test/Vectors.t.sol"), &to_solidity(&c));
}

#[test]
fn vector_signatures_verify_with_sp_core() {
    // The signatures in the vectors are the ones sp-core verification accepts for these keys.
    let c = cases();
    for ((_, public, _), sig) in c.validators.iter().zip(&c.signatures) {
        let mut raw = *sig;
        raw[64] -= 27;
        assert!(ecdsa::Pair::verify_prehashed(&ecdsa::Signature::from_raw(raw), c.digest.as_fixed_bytes(), public));
    }
}
