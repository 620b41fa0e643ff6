//! The whole bridge with real processes: anvil with the contracts, Ludus validators and their
//! `ludus-relayer`s, all started by the `ludus-devnet` library the way `scripts/devnet.sh`
//! starts them. Users act as users do: deposits with `cast` on the L1, withdrawals as signed
//! Ludus extrinsics over RPC; nobody but the relayers touches `Checkpoints` or `Vault.claim`.
//!
//! Needs `npm ci --prefix contracts`, forge's build of the contracts (`bash contracts/test.sh`)
//! and the relayer binary beside `ludus-node` (`cargo build -p ludus-relayer`; scripts/test.sh
//! builds it first).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use ludus_devnet::{Devnet, DevnetConfig};
use ludus_node::test_utils::{pair, sign};
use ludus_runtime::RuntimeCall;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use crate::{
    harness::{http_get, rpc_call_at, run_command},
    tx::{account, hash, to_hex},
};

pub(crate) const WEI: u128 = 1_000_000_000_000_000_000;
/// Bridged ETH and the devnet's TEST token on Ludus (the dev presets register both).
pub(crate) const ETH_ASSET: u32 = 1;
const TEST_ASSET: u32 = 2;
/// anvil's dev account 5: the depositing user (relayers use accounts 1…4, the deployer 0).
const USER_KEY: &str = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const USER: &str = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
/// anvil's dev account 0: the contracts' admin.
const ADMIN_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// anvil's dev account 7: a second, independent relayer's gas account.
const SECOND_RELAYER_KEY: &str = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";
/// anvil's dev account 1: relayer 0's gas account.
pub(crate) const RELAYER_0: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const TIMEOUT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(250);

/// A devnet and the async runtime its library runs on.
pub(crate) struct Bridge {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) devnet: Option<Devnet>,
    cast: PathBuf,
    _dir: tempfile::TempDir,
}

fn contracts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    dir.canonicalize().unwrap_or(dir)
}

impl Bridge {
    pub(crate) fn start(relayers: bool) -> Bridge {
        Bridge::start_with(|config| config.relayers = relayers)
    }

    fn start_with(adjust: impl FnOnce(&mut DevnetConfig)) -> Bridge {
        let dir = tempfile::Builder::new().prefix("ludus-bridge-").tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
        let mut config = DevnetConfig::new(dir.path().join("devnet"));
        adjust(&mut config);
        config.node_bin = Some(crate::harness::node_binary());
        config.relayer_bin = Some(relayer_binary());
        config.contracts_dir = contracts_dir();
        // Free ports are picked by binding port 0 and released for the children to take; with
        // many devnets starting at once another process can take one in between. That (and only
        // a failure to start) is retried once, on fresh ports.
        let devnet = match runtime.block_on(Devnet::start(config.clone())) {
            Ok(devnet) => devnet,
            Err(first) => {
                eprintln!("devnet did not start ({first}); retrying once on fresh ports");
                config.data_dir = dir.path().join("devnet-retry");
                runtime.block_on(Devnet::start(config)).unwrap_or_else(|e| panic!("devnet: {e} (first try: {first})"))
            }
        };
        let cast = ludus_devnet::l1::platform_binary(&contracts_dir(), "cast").expect("cast from npm");
        Bridge { runtime, devnet: Some(devnet), cast, _dir: dir }
    }

    pub(crate) fn devnet(&self) -> &Devnet {
        self.devnet.as_ref().expect("running")
    }

    pub(crate) fn devnet_mut(&mut self) -> &mut Devnet {
        self.devnet.as_mut().expect("running")
    }

    pub(crate) fn l1(&self) -> String {
        self.devnet().l1_url().to_owned()
    }

    fn node_addr(&self) -> std::net::SocketAddr {
        let url = &self.devnet().node_rpc_urls()[0];
        url.trim_start_matches("http://").parse().expect("node address")
    }

    pub(crate) fn rpc(&self, method: &str, params: Value) -> Value {
        rpc_call_at(self.node_addr(), method, params).unwrap_or_else(|e| panic!("{method}: {e:?}"))
    }

    pub(crate) fn genesis(&self) -> ludus_primitives::Hash {
        hash(self.rpc("chain_getBlockHash", json!([0])).as_str().expect("genesis hash"))
    }

    pub(crate) fn cast(&self, args: &[&str]) -> String {
        let output = run_command(Command::new(&self.cast).args(args).stdin(Stdio::null()), Duration::from_secs(60));
        assert!(
            output.status.success(),
            "cast {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    pub(crate) fn send(&self, key: &str, to: &str, signature: &str, args: &[&str], value: Option<&str>) -> String {
        let l1 = self.l1();
        let mut all = vec!["send", "--json", "--rpc-url", &l1, "--private-key", key, to, signature];
        all.extend_from_slice(args);
        if let Some(value) = value {
            all.extend_from_slice(&["--value", value]);
        }
        let receipt: Value = serde_json::from_str(&self.cast(&all)).expect("receipt JSON");
        assert_eq!(receipt["status"], "0x1", "{signature} reverted: {receipt}");
        receipt["transactionHash"].as_str().expect("tx hash").to_owned()
    }

    pub(crate) fn call_u128(&self, to: &str, signature: &str, args: &[&str]) -> u128 {
        let l1 = self.l1();
        let mut all = vec!["call", "--rpc-url", &l1, to, signature];
        all.extend_from_slice(args);
        let out = self.cast(&all);
        let word = out.split_whitespace().next().expect("a value");
        word.parse().unwrap_or_else(|_| panic!("not a number: {out}"))
    }

    pub(crate) fn eth_balance(&self, who: &str) -> u128 {
        let l1 = self.l1();
        self.cast(&["balance", "--rpc-url", &l1, who]).parse().expect("wei")
    }

    fn token_balance(&self, token: &str, who: &str) -> u128 {
        self.call_u128(token, "balanceOf(address)(uint256)", &[who])
    }

    fn vault(&self) -> String {
        format!("{:?}", self.devnet().vault())
    }

    fn erc20(&self) -> String {
        format!("{:?}", self.devnet().erc20())
    }

    pub(crate) fn deposit_eth(&self, recipient: &str, wei: u128) -> String {
        let recipient = to_hex(account(recipient).as_ref());
        self.send(USER_KEY, &self.vault(), "depositETH(bytes32)", &[&recipient], Some(&wei.to_string()))
    }

    fn deposit_token(&self, token: &str, recipient: &str, amount: u128) -> String {
        let recipient = to_hex(account(recipient).as_ref());
        self.send(USER_KEY, token, "approve(address,uint256)", &[&self.vault(), &amount.to_string()], None);
        self.send(
            USER_KEY,
            &self.vault(),
            "deposit(address,uint256,bytes32)",
            &[token, &amount.to_string(), &recipient],
            None,
        )
    }

    pub(crate) fn asset_balance(&self, asset: u32, who: &str) -> u128 {
        crate::tx::asset_balance(self.node_addr(), asset, who)
    }

    /// `who` burns `amount` of `asset` on Ludus for `l1_recipient`, naming `fee` for the claimer.
    pub(crate) fn withdraw(&self, who: &str, nonce: u32, asset: u32, amount: u128, l1_recipient: &str, fee: u128) {
        let mut recipient = [0u8; 20];
        recipient.copy_from_slice(&hex::decode(l1_recipient.trim_start_matches("0x")).expect("hex address"));
        let call = RuntimeCall::Bridge(pallet_bridge::Call::withdraw { asset, amount, l1_recipient: recipient, fee });
        let xt = sign(call, &pair(who), nonce, self.genesis());
        self.rpc("author_submitExtrinsic", json!([to_hex(&xt)]));
    }

    fn relayer_status(&self, index: usize, path: &str) -> Value {
        let url = &self.devnet().relayer_status_urls()[index];
        let base = url.trim_start_matches("http://").trim_end_matches("/status");
        let response = http_get(&format!("http://{base}{path}")).expect("the relayer's status API answers");
        serde_json::from_str(&response.body).unwrap_or(Value::Null)
    }

    pub(crate) fn relayer_log(&self, index: usize) -> String {
        std::fs::read_to_string(self.devnet().data_dir().join(format!("logs/relayer-{index}.log"))).unwrap_or_default()
    }

    pub(crate) fn wait_for<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(value) = check() {
                return value;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}; relayer 0 log:\n{}",
                    tail(&self.relayer_log(0), 40)
                );
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(devnet) = self.devnet.take() {
            self.runtime.block_on(devnet.stop());
        }
    }
}

pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A relayer a test started itself, killed when the test ends, passed or failed.
struct Relayer(std::process::Child);

impl Drop for Relayer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ludus-relayer` beside the `ludus-node` this suite runs.
fn relayer_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LUDUS_RELAYER_BIN") {
        return path.into();
    }
    let path = crate::harness::node_binary().with_file_name("ludus-relayer");
    assert!(path.is_file(), "{} is missing: run `cargo build -p ludus-relayer` first", path.display());
    path
}

#[test]
fn eth_and_an_erc20_go_to_ludus_and_back_and_a_relayer_pays_the_withdrawals() {
    let bridge = Bridge::start(true);
    let (vault, test) = (bridge.vault(), bridge.erc20());
    let l1_recipient = "0x000000000000000000000000000000000000bEEF";

    // L1 → Ludus: the user deposits 1.5 ETH and 250 TEST for Bob.
    let eth_deposit = bridge.deposit_eth("//Bob", 3 * WEI / 2);
    bridge.deposit_token(&test, "//Bob", 250 * WEI);
    bridge.wait_for("Bob's bridged ETH and TEST", || {
        (bridge.asset_balance(ETH_ASSET, "//Bob") == 3 * WEI / 2
            && bridge.asset_balance(TEST_ASSET, "//Bob") == 250 * WEI)
            .then_some(())
    });
    let deposit = bridge.relayer_status(0, "/deposits/1");
    assert_eq!(deposit["stage"]["name"], "minted", "{deposit}");
    let by_tx = bridge.relayer_status(0, &format!("/deposits/tx/{eth_deposit}"));
    assert_eq!(by_tx["nonce"], 1, "{by_tx}");

    // Ludus → L1: Bob burns 0.4 ETH (fee 0.001 ETH) and 100 TEST (fee 1 TEST); the relayer
    // claims both once their checkpoint is on the L1, and nobody else acts.
    let relayer_test_before = bridge.token_balance(&test, RELAYER_0);
    bridge.withdraw("//Bob", 0, ETH_ASSET, 2 * WEI / 5, l1_recipient, WEI / 1000);
    bridge.withdraw("//Bob", 1, TEST_ASSET, 100 * WEI, l1_recipient, WEI);
    bridge.wait_for("both withdrawals paid on the L1", || {
        (bridge.eth_balance(l1_recipient) == 2 * WEI / 5 - WEI / 1000
            && bridge.token_balance(&test, l1_recipient) == 99 * WEI)
            .then_some(())
    });

    // Exact to the wei on both sides.
    assert_eq!(bridge.asset_balance(ETH_ASSET, "//Bob"), 3 * WEI / 2 - 2 * WEI / 5);
    assert_eq!(bridge.asset_balance(TEST_ASSET, "//Bob"), 150 * WEI);
    assert_eq!(bridge.eth_balance(&vault), 3 * WEI / 2 - 2 * WEI / 5, "the Vault holds what is still on Ludus");
    assert_eq!(bridge.token_balance(&test, &vault), 150 * WEI);
    assert_eq!(bridge.token_balance(&test, RELAYER_0), relayer_test_before + WEI, "the claimer got the TEST fee");
    // The relayer's status follows the receipt it waits for, a moment after the balance moves.
    for id in [1, 2] {
        bridge.wait_for(&format!("withdrawal {id} reported paid"), || {
            (bridge.relayer_status(0, &format!("/withdrawals/{id}"))["stage"]["name"] == "paid").then_some(())
        });
    }
    let status = bridge.relayer_status(0, "/status");
    assert_eq!(status["pendingClaims"], 0, "{status}");
    assert!(status["gasSpent"]["total"]["gas"].as_u64().unwrap_or(0) > 0, "{status}");
}

#[test]
fn a_relayer_killed_at_random_moments_and_a_second_relayer_double_nothing() {
    let mut bridge = Bridge::start(true);
    let test = bridge.erc20();
    let l1_recipient = "0x000000000000000000000000000000000000cafE";

    // A second relayer, without --attest, with its own gas account, on the same node.
    let second_dir = bridge._dir.path().join("second-relayer");
    let status_port = crate::harness::free_port();
    let metrics_port = crate::harness::free_port();
    let log = std::fs::File::create(bridge._dir.path().join("second-relayer.log")).expect("log");
    let _second = Relayer(
        Command::new(relayer_binary())
            .args(["--l1-rpc", &bridge.l1(), "--ludus-rpc", &bridge.devnet().node_rpc_urls()[0]])
            .args(["--vault", &bridge.vault(), "--checkpoints", &format!("{:?}", bridge.devnet().checkpoints())])
            .args(["--data-dir", second_dir.to_str().expect("utf-8")])
            .args([
                "--status-addr",
                &format!("127.0.0.1:{status_port}"),
                "--metrics-addr",
                &format!("127.0.0.1:{metrics_port}"),
            ])
            .env("LUDUS_RELAYER_L1_KEY", SECOND_RELAYER_KEY)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start the second relayer"),
    );

    let mut rng = StdRng::seed_from_u64(0x1d5);
    let rounds = 4u32;
    for round in 0..rounds {
        bridge.deposit_eth("//Charlie", WEI);
        bridge.deposit_token(&test, "//Charlie", 10 * WEI);
        // Kill relayer 0 at a random moment of the round, and bring it back after a random pause.
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..3_000)));
        bridge.devnet_mut().kill_relayer(0).expect("kill");
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..2_000)));
        let runtime = &bridge.runtime;
        runtime.block_on(bridge.devnet.as_mut().expect("running").start_relayer(0)).expect("restart");
        // Deposited so far: round + 1 ETH; withdrawn in earlier rounds: round halves.
        let eth = u128::from(round + 1) * WEI - u128::from(round) * WEI / 2;
        let tokens = u128::from(round + 1) * 10 * WEI - u128::from(round) * 5 * WEI;
        bridge.wait_for("Charlie's deposits of this round", || {
            (bridge.asset_balance(ETH_ASSET, "//Charlie") == eth
                && bridge.asset_balance(TEST_ASSET, "//Charlie") == tokens)
                .then_some(())
        });
        bridge.withdraw("//Charlie", 2 * round, ETH_ASSET, WEI / 2, l1_recipient, WEI / 100);
        bridge.withdraw("//Charlie", 2 * round + 1, TEST_ASSET, 5 * WEI, l1_recipient, 0);
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..4_000)));
        bridge.devnet_mut().kill_relayer(0).expect("kill");
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..2_000)));
        let runtime = &bridge.runtime;
        runtime.block_on(bridge.devnet.as_mut().expect("running").start_relayer(0)).expect("restart");
    }

    let n = u128::from(rounds);
    bridge.wait_for("every withdrawal paid once", || {
        (bridge.eth_balance(l1_recipient) == n * (WEI / 2 - WEI / 100)
            && bridge.token_balance(&test, l1_recipient) == n * 5 * WEI)
            .then_some(())
    });
    // Nothing doubled: minted once per deposit, paid once per withdrawal, and the Vault holds
    // exactly what is still on Ludus.
    assert_eq!(bridge.asset_balance(ETH_ASSET, "//Charlie"), n * WEI / 2);
    assert_eq!(bridge.asset_balance(TEST_ASSET, "//Charlie"), n * 5 * WEI);
    assert_eq!(bridge.eth_balance(&bridge.vault()), n * WEI / 2);
    assert_eq!(bridge.token_balance(&test, &bridge.vault()), n * 5 * WEI);
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(bridge.eth_balance(l1_recipient), n * (WEI / 2 - WEI / 100), "no late second payment");
}

#[test]
fn a_deposit_orphaned_by_an_l1_reorg_is_never_credited() {
    let bridge = Bridge::start(true);
    let l1 = bridge.l1();
    // The deposit lands in a block above the L1's finalized one (4 blocks behind the head)…
    let snapshot = bridge.cast(&["rpc", "--rpc-url", &l1, "evm_snapshot"]);
    bridge.deposit_eth("//Dave", 7 * WEI);
    // …and the L1 reorganises it away before it is final.
    let reverted = bridge.cast(&["rpc", "--rpc-url", &l1, "evm_revert", snapshot.trim_matches('"')]);
    assert_eq!(reverted, "true", "anvil reverted to the snapshot");
    // The next deposit takes the same nonce on the new chain and is credited; the orphan never is.
    bridge.deposit_eth("//Ferdie", 2 * WEI);
    bridge.wait_for("Ferdie's deposit", || (bridge.asset_balance(ETH_ASSET, "//Ferdie") == 2 * WEI).then_some(()));
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(bridge.asset_balance(ETH_ASSET, "//Dave"), 0, "the orphaned deposit was never credited");
    assert_eq!(bridge.rpc("ludus_bridge_lowestUnexecutedNonce", json!([])), json!(2));
}

#[test]
fn a_deposit_ludus_cannot_mint_is_refunded_on_the_l1() {
    let bridge = Bridge::start(true);
    // A token the Vault accepts but Ludus never registered: governance on the L1 added it, the
    // sidechain did not. The user's deposit of it cannot be minted.
    let contracts = contracts_dir();
    let artifact: Value = serde_json::from_str(
        &std::fs::read_to_string(contracts.join("out/TestToken.sol/TestToken.json")).expect("forge build of TestToken"),
    )
    .expect("artifact JSON");
    let bytecode = artifact["bytecode"]["object"].as_str().expect("bytecode");
    let l1 = bridge.l1();
    let args = bridge.cast(&["abi-encode", "constructor(address[])", &format!("[{USER}]")]);
    let created = bridge.cast(&[
        "send",
        "--json",
        "--rpc-url",
        &l1,
        "--private-key",
        ADMIN_KEY,
        "--create",
        &format!("{bytecode}{}", args.trim_start_matches("0x")),
    ]);
    let receipt: Value = serde_json::from_str(&created).expect("receipt");
    let token = receipt["contractAddress"].as_str().expect("contract address").to_owned();
    bridge.send(
        ADMIN_KEY,
        &bridge.vault(),
        "configureToken(address,bool,uint128,uint128,uint128)",
        &[&token, "true", &(1_000 * WEI).to_string(), &(100 * WEI).to_string(), "1"],
        None,
    );
    let before = bridge.token_balance(&token, USER);
    bridge.deposit_token(&token, "//Eve", 42 * WEI);
    assert_eq!(bridge.token_balance(&token, USER), before - 42 * WEI);
    // Ludus turns it into a refund withdrawal to the depositor, which the relayer claims.
    bridge.wait_for("the refund paid back to the depositor", || {
        (bridge.token_balance(&token, USER) == before).then_some(())
    });
    assert_eq!(bridge.token_balance(&token, &bridge.vault()), 0);
    let deposit = bridge.wait_for("the relayer to report the refund", || {
        let deposit = bridge.relayer_status(0, "/deposits/1");
        (deposit["stage"]["name"] == "refunded").then_some(deposit)
    });
    assert!(deposit["stage"]["withdrawalId"].as_u64().is_some(), "{deposit}");
}

#[test]
fn with_the_l1_down_for_a_minute_everything_catches_up() {
    let mut bridge = Bridge::start(true);
    bridge.deposit_eth("//Bob", WEI);
    bridge.wait_for("Bob's deposit", || (bridge.asset_balance(ETH_ASSET, "//Bob") == WEI).then_some(()));

    bridge.devnet_mut().pause_l1().expect("pause anvil");
    let l1_recipient = "0x000000000000000000000000000000000000d00d";
    // Ludus goes on: the withdrawal is burnt and checkpointed while the L1 hangs.
    bridge.withdraw("//Bob", 0, ETH_ASSET, WEI / 4, l1_recipient, 0);
    std::thread::sleep(Duration::from_secs(60));
    bridge.devnet_mut().resume_l1().expect("resume anvil");

    bridge.wait_for("the withdrawal paid after the outage", || {
        (bridge.eth_balance(l1_recipient) == WEI / 4).then_some(())
    });
    bridge.deposit_eth("//Bob", WEI);
    bridge.wait_for("a deposit after the outage", || {
        (bridge.asset_balance(ETH_ASSET, "//Bob") == 2 * WEI - WEI / 4).then_some(())
    });
    // One line when the L1 went away per duty, not one per retry, and one when it came back.
    let log = bridge.relayer_log(0);
    let down = log.lines().filter(|line| line.contains("retrying with back-off")).count();
    assert!((1..=3).contains(&down), "one warning per duty, got {down}:\n{}", tail(&log, 40));
    assert!(log.contains("answer again"), "{}", tail(&log, 40));
}

#[test]
fn a_relayer_of_a_node_without_a_validator_key_makes_no_deposit_count() {
    let p2p_port = crate::harness::free_port();
    let bridge = Bridge::start_with(|config| {
        config.relayers = false;
        config.p2p_base_port = p2p_port;
    });
    // A full node of the same chain, with no key in its keystore, and a relayer with --attest
    // beside it: it reads the deposit from the L1 like a validator's relayer would.
    let peer = bridge.rpc("system_localPeerId", json!([]));
    let bootnode = format!("/ip4/127.0.0.1/tcp/{p2p_port}/p2p/{}", peer.as_str().expect("peer id"));
    let full = crate::harness::Node::start(&["--chain", "dev", "--bootnodes", &bootnode]);
    full.wait_for("the full node to sync", Duration::from_secs(60), || (full.best_number() >= 2).then_some(()));
    let log_path = bridge._dir.path().join("outsider.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let _outsider = Relayer(
        Command::new(relayer_binary())
            .args(["--l1-rpc", &bridge.l1(), "--ludus-rpc", &format!("http://{}", full.rpc_addr())])
            .args(["--vault", &bridge.vault(), "--checkpoints", &format!("{:?}", bridge.devnet().checkpoints())])
            .args(["--attest", "--data-dir", bridge._dir.path().join("outsider").to_str().expect("utf-8")])
            .args(["--status-addr", &format!("127.0.0.1:{}", crate::harness::free_port())])
            .args(["--metrics-addr", &format!("127.0.0.1:{}", crate::harness::free_port())])
            .env_remove("LUDUS_RELAYER_L1_KEY")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start the outsider's relayer"),
    );

    bridge.deposit_eth("//Bob", WEI);
    bridge.wait_for("the outsider's relayer to try", || {
        std::fs::read_to_string(&log_path).ok().filter(|log| log.contains("did not attest deposit #1")).map(|_| ())
    });
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(bridge.asset_balance(ETH_ASSET, "//Bob"), 0, "nothing counts without a validator's attestation");
    let status = bridge.rpc("ludus_bridge_depositStatus", json!([1]));
    assert!(status.is_null() || status["attestations"] == 0, "{status}");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(log.contains("no bridge key"), "{log}");
}

/// The relayer's `Config` reads every flag; a typo in the TOML is refused at start with its name.
#[test]
fn a_relayer_with_a_bad_config_says_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("relayer.toml");
    std::fs::write(&file, "l1_rpc = \"http://127.0.0.1:1\"\nvalut = \"0x00\"\n").expect("config");
    let output = run_command(
        Command::new(relayer_binary())
            .args(["--config", file.to_str().expect("utf-8")])
            .env_remove("LUDUS_RELAYER_L1_KEY"),
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("valut"), "{stderr}");
}

#[test]
fn a_large_withdrawal_waits_out_its_delay_and_a_relayer_pays_it_when_due() {
    let bridge = Bridge::start(true);
    let test = bridge.erc20();
    let l1 = bridge.l1();
    let l1_recipient = "0x000000000000000000000000000000000000F00d";
    // Above the devnet's large-claim threshold for TEST (100,000 TEST): the claim is queued
    // for the Vault's delay instead of paid, and nobody comes back for it but the relayer.
    let large = 150_000 * WEI;
    bridge.deposit_token(&test, "//Eve", large);
    bridge.wait_for("Eve's TEST", || (bridge.asset_balance(TEST_ASSET, "//Eve") == large).then_some(()));
    bridge.withdraw("//Eve", 0, TEST_ASSET, large, l1_recipient, 10 * WEI);
    let queued = bridge.wait_for("the claim queued on the L1", || {
        let withdrawal = bridge.relayer_status(0, "/withdrawals/1");
        (withdrawal["stage"]["name"] == "queued").then_some(withdrawal)
    });
    assert_eq!(bridge.token_balance(&test, l1_recipient), 0, "nothing paid before the delay: {queued}");
    let delay = bridge.call_u128(&bridge.vault(), "largeClaimDelay()(uint64)", &[]);

    // The L1's clock passes the delay; the relayer executes the claim in the next blocks.
    bridge.cast(&["rpc", "--rpc-url", &l1, "evm_increaseTime", &(delay + 1).to_string()]);
    bridge.cast(&["rpc", "--rpc-url", &l1, "evm_mine"]);
    bridge.wait_for("the delayed claim paid", || {
        (bridge.token_balance(&test, l1_recipient) == large - 10 * WEI).then_some(())
    });
    bridge.wait_for("the relayer to report it paid", || {
        (bridge.relayer_status(0, "/withdrawals/1")["stage"]["name"] == "paid").then_some(())
    });
    let log = bridge.relayer_log(0);
    assert!(log.contains("Paid queued withdrawal #1"), "{}", tail(&log, 20));
}
