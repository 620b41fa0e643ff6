//! The bridge's L1 half against the Rust half: signatures made with sp-core ecdsa keys, over
//! digests and Merkle roots computed by `ludus_primitives::bridge`, must be accepted by the
//! real `Checkpoints` and `Vault` contracts running on a real `anvil`, and the wrong ones
//! refused.
//!
//! Everything is done the way an operator would: `anvil` on a free loopback port (killed on
//! drop), contracts deployed with `forge create` from `contracts/`, transactions sent and state
//! read with `cast`. The Foundry binaries come from npm (`npm ci --prefix contracts`); they are
//! run directly from their platform package, not through `node_modules/.bin`, because that npm
//! shim exits 0 even when the tool fails, which would turn every refusal below into a pass.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::Mutex,
    thread,
    time::{Duration, Instant},
};

use ludus_primitives::bridge::{
    eth_address, eth_signature, merkle_proof, validator_set_hash, withdrawals_root, Checkpoint, Withdrawal,
};
use sp_core::{ecdsa, Pair, H160, H256};

use crate::harness::{free_port, run_command};

/// anvil's first well-known dev account (10,000 ETH at genesis): deployer, admin and guardian.
const DEPLOYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEPLOYER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// anvil's default chain id.
const ANVIL_CHAIN_ID: u64 = 31337;
/// How long anvil may take to answer `eth_chainId`.
const ANVIL_STARTUP: Duration = Duration::from_secs(20);
/// How long one forge/cast invocation may take (forge may have to compile with solcjs).
const TOOL_TIMEOUT: Duration = Duration::from_secs(300);
/// The ABI signature of `Checkpoints.submit`, as cast parses it.
pub(crate) const SUBMIT: &str = "submit((bytes32,uint64,uint32,uint32,bytes32,bytes32,uint64,bytes32),bytes[])";
const CHECKPOINT_TUPLE: &str = "(bytes32,uint64,uint32,uint32,bytes32,bytes32,uint64,bytes32)";
const ONE_ETH: u128 = 1_000_000_000_000_000_000;

/// `forge create` builds into the shared `contracts/out` and `contracts/cache`; two builds at
/// once in this process would race on them.
static FORGE: Mutex<()> = Mutex::new(());

/// The npm-installed Foundry toolchain of `contracts/`.
struct Foundry {
    contracts: PathBuf,
    forge: PathBuf,
    cast: PathBuf,
    anvil: PathBuf,
}

impl Foundry {
    fn locate() -> Foundry {
        let contracts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
        let contracts = contracts.canonicalize().unwrap_or(contracts);
        // npm installs only the platform package that matches this machine
        // (`forge-linux-amd64`, `forge-darwin-arm64`, …): the devnet finds whichever is there.
        let binary = |tool: &str| -> PathBuf {
            ludus_devnet::l1::platform_binary(&contracts, tool)
                .unwrap_or_else(|e| panic!("{e}: run `npm ci --prefix contracts` first"))
        };
        for needed in ["solc", "@openzeppelin/contracts"] {
            assert!(
                contracts.join("node_modules").join(needed).is_dir(),
                "contracts/node_modules/{needed} is missing: run `npm ci --prefix contracts` first"
            );
        }
        Foundry { forge: binary("forge"), cast: binary("cast"), anvil: binary("anvil"), contracts }
    }

    /// Runs `cast args…`; its output whether it succeeded or not.
    fn cast(&self, args: &[&str]) -> Output {
        run_command(Command::new(&self.cast).args(args).env("NO_COLOR", "1"), TOOL_TIMEOUT)
    }

    /// Runs `cast args…` and returns its trimmed stdout; panics with stderr if it failed.
    fn cast_ok(&self, args: &[&str]) -> String {
        let output = self.cast(args);
        assert!(
            output.status.success(),
            "cast {args:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Deploys `contract` (`src/File.sol:Name`) with `forge create`; its address.
    fn deploy(&self, anvil: &Anvil, contract: &str, constructor_args: &[&str]) -> H160 {
        let _build = FORGE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut command = Command::new(&self.forge);
        command
            .current_dir(&self.contracts)
            .env("NO_COLOR", "1")
            .args(["create", "--offline", "--use", "./solc-wrapper", "--broadcast", "--json"])
            .args(["--rpc-url", &anvil.rpc, "--private-key", DEPLOYER_KEY, contract, "--constructor-args"])
            .args(constructor_args);
        let output = run_command(&mut command, TOOL_TIMEOUT);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "forge create {contract} failed ({}): {stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        // stdout is the JSON report alone; lints and progress go to stderr.
        let report: serde_json::Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("forge create {contract} printed no JSON report ({e}): {stdout}"));
        let address = report["deployedTo"].as_str().unwrap_or_else(|| panic!("no deployedTo in {report}"));
        address.parse().unwrap_or_else(|e| panic!("deployedTo {address} is not an address: {e:?}"))
    }

    /// Sends a transaction from the deployer; panics with cast's error if it is refused.
    fn send_ok(&self, anvil: &Anvil, to: H160, signature: &str, args: &[&str]) {
        let output = self.send(anvil, to, signature, args, None);
        assert!(
            output.status.success(),
            "cast send {signature} {args:?} was refused: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Sends a transaction from the deployer, optionally with `value` wei.
    fn send(&self, anvil: &Anvil, to: H160, signature: &str, args: &[&str], value: Option<u128>) -> Output {
        let to = addr(to);
        let value = value.map(|v| v.to_string());
        let mut all = vec!["send", "--rpc-url", &anvil.rpc, "--private-key", DEPLOYER_KEY];
        if let Some(value) = &value {
            all.extend(["--value", value.as_str()]);
        }
        all.extend([to.as_str(), signature]);
        all.extend(args);
        self.cast(&all)
    }

    /// Sends a transaction that the contract must revert with the custom error `error`
    /// (its Solidity signature, e.g. `InvalidProof()`); returns cast's error text.
    fn send_refused(&self, anvil: &Anvil, to: H160, signature: &str, args: &[&str], error: &str) -> String {
        let output = self.send(anvil, to, signature, args, None);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "cast send {signature} {args:?} was accepted; expected {error}");
        // The revert data starts with the error's selector; checking it rather than cast's
        // decoded name needs no signature database.
        let selector = hex::encode(&sp_crypto_hashing::keccak_256(error.as_bytes())[..4]);
        assert!(stderr.contains(&selector), "expected revert {error} (0x{selector}), got: {stderr}");
        stderr
    }

    /// A read-only call; cast's decoded output.
    fn call(&self, anvil: &Anvil, to: H160, signature: &str, args: &[&str]) -> String {
        let to = addr(to);
        let mut all = vec!["call", "--rpc-url", &anvil.rpc, to.as_str(), signature];
        all.extend(args);
        self.cast_ok(&all)
    }
}

/// An `anvil` process on a free loopback port, killed on drop.
struct Anvil {
    child: Child,
    rpc: String,
}

impl Anvil {
    fn start(foundry: &Foundry) -> Anvil {
        let port = free_port();
        let child = Command::new(&foundry.anvil)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", foundry.anvil.display()));
        let mut anvil = Anvil { child, rpc: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + ANVIL_STARTUP;
        loop {
            if let Some(status) = anvil.child.try_wait().expect("poll anvil") {
                let mut stderr = String::new();
                if let Some(mut pipe) = anvil.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                panic!("anvil on port {port} exited during startup ({status}): {stderr}");
            }
            let output = foundry.cast(&["chain-id", "--rpc-url", &anvil.rpc]);
            if output.status.success() {
                return anvil;
            }
            assert!(Instant::now() < deadline, "anvil at {} did not answer within {ANVIL_STARTUP:?}", anvil.rpc);
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn chain_id(&self, foundry: &Foundry) -> u64 {
        let text = foundry.cast_ok(&["chain-id", "--rpc-url", &self.rpc]);
        text.parse().unwrap_or_else(|e| panic!("cast chain-id printed {text:?}: {e}"))
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The four dev bridge validators: sp-core ecdsa keys and their Ethereum addresses, ascending.
fn dev_validators() -> Vec<(H160, ecdsa::Pair)> {
    let mut set: Vec<(H160, ecdsa::Pair)> = ["//Alice", "//Bob", "//Charlie", "//Dave"]
        .into_iter()
        .map(|uri| {
            let pair = ecdsa::Pair::from_string(uri, None).expect("dev seed");
            (eth_address(&pair.public()).expect("a dev key is on the curve"), pair)
        })
        .collect();
    set.sort_by_key(|(address, _)| *address);
    set
}

fn addr(address: H160) -> String {
    format!("0x{}", hex::encode(address))
}

fn b32(hash: H256) -> String {
    format!("0x{}", hex::encode(hash))
}

/// The checkpoint as cast's tuple syntax.
pub(crate) fn checkpoint_arg(cp: &Checkpoint) -> String {
    format!(
        "({},{},{},{},{},{},{},{})",
        b32(cp.sidechain_genesis),
        cp.number,
        cp.first_block,
        cp.last_block,
        b32(cp.last_block_hash),
        b32(cp.withdrawals_root),
        cp.validator_set_id,
        b32(cp.next_validator_set_hash)
    )
}

/// Signs `digest` with `signers` (sp-core, prehashed), converts each signature for
/// `ECDSA.recover` and orders them by signer address, as `submit` requires; cast's array syntax.
fn signatures_arg(signers: &[&(H160, ecdsa::Pair)], digest: H256) -> String {
    let mut signed: Vec<(H160, [u8; 65])> = signers
        .iter()
        .map(|(address, pair)| {
            let signature = pair.sign_prehashed(digest.as_fixed_bytes());
            (*address, eth_signature(&signature).expect("sp-core signs low-s with v in {0, 1}"))
        })
        .collect();
    signed.sort_by_key(|(address, _)| *address);
    let items: Vec<String> = signed.iter().map(|(_, sig)| format!("0x{}", hex::encode(sig))).collect();
    format!("[{}]", items.join(","))
}

/// A withdrawal of `eth` ETH (token `address(0)`) to a fresh account, `id` thousandths of
/// an ETH of it for whoever claims it.
fn eth_withdrawal(id: u64, eth: u128) -> Withdrawal {
    let mut recipient = [0u8; 20];
    recipient[0] = 0x1d;
    recipient[19] = u8::try_from(id).expect("small ids");
    Withdrawal { id, token: [0; 20], recipient, amount: eth * ONE_ETH, fee: u128::from(id) * ONE_ETH / 1_000 }
}

/// A chain with Checkpoints deployed for the four dev validators (set id 1).
struct Bridge {
    foundry: Foundry,
    anvil: Anvil,
    checkpoints: H160,
    chain_id: u64,
    validators: Vec<(H160, ecdsa::Pair)>,
    set_hash: H256,
    genesis: H256,
}

impl Bridge {
    fn deploy() -> Bridge {
        let foundry = Foundry::locate();
        let anvil = Anvil::start(&foundry);
        let chain_id = anvil.chain_id(&foundry);
        assert_eq!(chain_id, ANVIL_CHAIN_ID, "anvil's default chain id");
        let validators = dev_validators();
        let addresses: Vec<H160> = validators.iter().map(|(address, _)| *address).collect();
        let set_hash = validator_set_hash(1, &addresses).expect("four distinct sorted addresses");
        let genesis = H256::repeat_byte(0x6e);
        let members = format!("[{}]", addresses.iter().map(|a| addr(*a)).collect::<Vec<_>>().join(","));
        let checkpoints =
            foundry.deploy(&anvil, "src/Checkpoints.sol:Checkpoints", &[&b32(genesis), "1", "1", &members, DEPLOYER]);
        let bridge = Bridge { foundry, anvil, checkpoints, chain_id, validators, set_hash, genesis };
        // The set the contract installed is the one the Rust commitment describes.
        assert_eq!(bridge.view("currentSetHash()(bytes32)", &[]), b32(set_hash), "validator set hash");
        bridge
    }

    fn view(&self, signature: &str, args: &[&str]) -> String {
        self.foundry.call(&self.anvil, self.checkpoints, signature, args)
    }

    fn latest(&self) -> u64 {
        let text = self.view("latestCheckpoint()(uint64)", &[]);
        text.parse().unwrap_or_else(|e| panic!("latestCheckpoint printed {text:?}: {e}"))
    }

    /// Checkpoint `number` of this chain and set, keeping the set.
    fn checkpoint(&self, number: u64, withdrawals_root: H256) -> Checkpoint {
        let first_block = u32::try_from(number).expect("small") * 10 - 9;
        Checkpoint {
            sidechain_genesis: self.genesis,
            number,
            first_block,
            last_block: first_block + 9,
            last_block_hash: H256::repeat_byte(u8::try_from(number).expect("small")),
            withdrawals_root,
            validator_set_id: 1,
            next_validator_set_hash: self.set_hash,
        }
    }

    fn signers(&self, indices: &[usize]) -> Vec<&(H160, ecdsa::Pair)> {
        indices.iter().map(|&i| &self.validators[i]).collect()
    }

    fn submit_args(&self, cp: &Checkpoint, signers: &[usize], chain_id: u64) -> [String; 2] {
        let digest = cp.digest(chain_id, self.checkpoints);
        [checkpoint_arg(cp), signatures_arg(&self.signers(signers), digest)]
    }

    fn submit(&self, cp: &Checkpoint, signers: &[usize]) {
        let [cp_arg, sigs] = self.submit_args(cp, signers, self.chain_id);
        self.foundry.send_ok(&self.anvil, self.checkpoints, SUBMIT, &[&cp_arg, &sigs]);
    }

    fn submit_refused(&self, cp: &Checkpoint, signers: &[usize], chain_id: u64, error: &str) {
        let [cp_arg, sigs] = self.submit_args(cp, signers, chain_id);
        self.foundry.send_refused(&self.anvil, self.checkpoints, SUBMIT, &[&cp_arg, &sigs], error);
    }
}

#[test]
fn sp_core_ecdsa_signatures_verify_in_checkpoints_on_anvil() {
    let bridge = Bridge::deploy();
    let withdrawals: Vec<Withdrawal> = (1..=3).map(|id| eth_withdrawal(id, u128::from(id))).collect();
    // No Vault here: the leaves only need to make a root.
    let leaves: Vec<H256> = withdrawals.iter().map(|w| w.leaf(bridge.chain_id, H160::zero())).collect();
    let root = withdrawals_root(&leaves);
    let first = bridge.checkpoint(1, root);

    // The contract hashes the checkpoint exactly as the Rust primitives do (if not, nothing
    // below can pass, and this says which half to look at).
    let digest = first.digest(bridge.chain_id, bridge.checkpoints);
    let signature = format!("checkpointDigest({CHECKPOINT_TUPLE})(bytes32)");
    assert_eq!(bridge.view(&signature, &[&checkpoint_arg(&first)]), b32(digest), "EIP-712 digest");

    // 3 of 4 (3·3 > 2·4): accepted, and the Rust withdrawals root is what the L1 now stores.
    assert_eq!(bridge.latest(), 0);
    bridge.submit(&first, &[0, 1, 3]);
    assert_eq!(bridge.latest(), 1);
    assert_eq!(bridge.view("withdrawalsRoot(uint64)(bytes32)", &["1"]), b32(root));

    let second = bridge.checkpoint(2, H256::repeat_byte(0x22));
    // 2 of 4 is exactly two thirds' boundary (3·2 = 6 ≤ 8): refused.
    bridge.submit_refused(&second, &[1, 2], bridge.chain_id, "InsufficientSignatures(uint256,uint256)");
    assert_eq!(bridge.latest(), 1, "a 2-of-4 checkpoint must not be stored");
    // Signed by 3 of 4, but for another L1 (chain id 1): the signatures recover to strangers.
    bridge.submit_refused(&second, &[0, 1, 2], 1, "SignerNotInSet(uint256,address)");
    assert_eq!(bridge.latest(), 1, "a checkpoint signed for another chain must not be stored");
    // The same checkpoint, properly signed, goes through: the refusals were about the signatures.
    bridge.submit(&second, &[0, 2, 3]);
    assert_eq!(bridge.latest(), 2);
    assert_eq!(bridge.view("withdrawalsRoot(uint64)(bytes32)", &["2"]), b32(second.withdrawals_root));
}

#[test]
fn vault_pays_a_withdrawal_proven_with_the_rust_merkle_proof() {
    let bridge = Bridge::deploy();
    let foundry = &bridge.foundry;
    let anvil = &bridge.anvil;
    let vault = foundry.deploy(anvil, "src/Vault.sol:Vault", &[&addr(bridge.checkpoints), DEPLOYER, DEPLOYER]);
    let eth = H160::zero();
    // ETH is token address(0); limits of 10 ETH a day and per immediate claim.
    let limit = (10 * ONE_ETH).to_string();
    foundry.send_ok(
        anvil,
        vault,
        "configureToken(address,bool,uint128,uint128,uint128)",
        &[&addr(eth), "true", &limit, &limit, "0"],
    );
    // Fund the vault the way users do: a deposit of 5 ETH.
    let depositor = b32(H256::repeat_byte(0xa1));
    let output = foundry.send(anvil, vault, "depositETH(bytes32)", &[&depositor], Some(5 * ONE_ETH));
    assert!(output.status.success(), "depositETH refused: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(foundry.cast_ok(&["balance", "--rpc-url", &anvil.rpc, &addr(vault)]), (5 * ONE_ETH).to_string());

    let withdrawals: Vec<Withdrawal> = (1..=3).map(|id| eth_withdrawal(id, u128::from(id))).collect();
    let leaves: Vec<H256> = withdrawals.iter().map(|w| w.leaf(bridge.chain_id, vault)).collect();
    bridge.submit(&bridge.checkpoint(1, withdrawals_root(&leaves)), &[0, 1, 2]);

    // Withdrawal 2 (the middle leaf: a two-step proof) is claimed by anyone, paid to its
    // recipient less the fee, which goes to the claimer.
    let claimed = withdrawals[1];
    let proof = merkle_proof(&leaves, 1).expect("leaf 1 exists");
    let proof_arg = format!("[{}]", proof.iter().map(|h| b32(*h)).collect::<Vec<_>>().join(","));
    let withdrawal_arg =
        |w: &Withdrawal| format!("({},{},{},{},{})", w.id, addr(H160(w.token)), addr(H160(w.recipient)), w.amount, w.fee);
    let recipient = addr(H160(claimed.recipient));
    let claim = "claim((uint64,address,address,uint256,uint256),uint64,bytes32[])";
    let balance = || foundry.cast_ok(&["balance", "--rpc-url", &anvil.rpc, &recipient]);
    assert_eq!(balance(), "0");

    // A proof for another amount does not verify, and pays nothing.
    let inflated = Withdrawal { amount: claimed.amount + 1, ..claimed };
    foundry.send_refused(anvil, vault, claim, &[&withdrawal_arg(&inflated), "1", &proof_arg], "InvalidProof()");
    // Nor does a relayer's larger fee.
    let greedy = Withdrawal { fee: claimed.fee + 1, ..claimed };
    foundry.send_refused(anvil, vault, claim, &[&withdrawal_arg(&greedy), "1", &proof_arg], "InvalidProof()");
    assert_eq!(balance(), "0");

    foundry.send_ok(anvil, vault, claim, &[&withdrawal_arg(&claimed), "1", &proof_arg]);
    assert!(claimed.fee > 0);
    assert_eq!(balance(), (claimed.amount - claimed.fee).to_string());
    assert_eq!(foundry.call(anvil, vault, "isClaimed(uint64)(bool)", &["2"]), "true");
    assert_eq!(foundry.call(anvil, vault, "isClaimed(uint64)(bool)", &["1"]), "false");

    // Once only.
    foundry.send_refused(anvil, vault, claim, &[&withdrawal_arg(&claimed), "1", &proof_arg], "AlreadyClaimed(uint64)");
    assert_eq!(balance(), (claimed.amount - claimed.fee).to_string());
    assert_eq!(
        foundry.cast_ok(&["balance", "--rpc-url", &anvil.rpc, &addr(vault)]),
        (5 * ONE_ETH - claimed.amount).to_string()
    );
}
