//! `ludus-devnet` as a library: one validator without relayers comes up with the L1 wired to it
//! (contracts where the genesis expects them, built for this sidechain, tokens handed out), writes
//! the endpoints a user reads, and leaves no process behind when stopped.
//!
//! Needs the npm toolchain and forge's build of the contracts (`bash contracts/test.sh`, which
//! `scripts/test.sh` runs first).

use std::{path::Path, time::Duration};

use ludus_devnet::{
    alloy::{
        primitives::{Address, U256},
        providers::ProviderBuilder,
        signers::local::PrivateKeySigner,
    },
    contracts::{Checkpoints, TestToken, Vault},
    l1::{ANVIL_DEV_KEYS, EXPECTED_CHECKPOINTS, EXPECTED_TEST_TOKEN, EXPECTED_VAULT},
    Devnet, DevnetConfig, DEVNET_JSON,
};
use serde_json::{json, Value};

use crate::harness::{node_binary, rpc_call_at};

/// What the test token's constructor gives each anvil dev account: a million TEST.
const MILLION_TEST: u128 = 1_000_000 * 1_000_000_000_000_000_000;

#[test]
fn one_validator_devnet_wires_the_l1_to_ludus_and_stops_cleanly() {
    let data = tempfile::Builder::new().prefix("ludus-devnet-e2e-").tempdir().expect("create a tempdir");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let mut config = DevnetConfig::new(data.path().join("devnet"));
    config.relayers = false;
    config.node_bin = Some(node_binary());
    let devnet = runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(300), Devnet::start(config)).await })
        .expect("the devnet starts within 5 minutes")
        .unwrap_or_else(|e| panic!("the devnet did not start: {e}"));

    // devnet.json holds the fields the README's walkthrough reads.
    let info: Value = serde_json::from_str(
        &std::fs::read_to_string(devnet.data_dir().join(DEVNET_JSON)).expect("devnet.json is written"),
    )
    .expect("devnet.json is JSON");
    assert_eq!(info["l1_chain_id"], json!(31337));
    assert_eq!(info["l1_rpc"].as_str(), Some(devnet.l1_url()));
    for (field, expected) in
        [("checkpoints", EXPECTED_CHECKPOINTS), ("vault", EXPECTED_VAULT), ("erc20", EXPECTED_TEST_TOKEN)]
    {
        let address: Address = info[field].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            panic!("devnet.json's {field} is not an address: {}", info[field]);
        });
        assert_eq!(address, expected, "{field}");
    }
    let ludus_rpc = info["ludus_rpc"].as_array().expect("ludus_rpc is a list");
    assert_eq!(ludus_rpc.len(), 1, "one validator, one node: {ludus_rpc:?}");
    assert_eq!(info["relayer_status"], json!([]), "no relayers were asked for");

    // The node answers at the URL given, with the genesis the contracts were deployed for.
    let rpc_addr = ludus_rpc[0]
        .as_str()
        .and_then(|url| url.strip_prefix("http://"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("ludus_rpc[0] is not http://<addr>: {}", ludus_rpc[0]));
    let genesis = rpc_call_at(rpc_addr, "chain_getBlockHash", json!([0])).expect("chain_getBlockHash answers");
    assert_eq!(genesis, json!(devnet.sidechain_genesis().to_string()));

    runtime.block_on(async {
        let provider = ProviderBuilder::new().connect_http(devnet.l1_url().parse().expect("an L1 URL"));
        let vault = Vault::new(devnet.vault(), &provider);
        assert_eq!(vault.CHECKPOINTS().call().await.expect("Vault.CHECKPOINTS"), devnet.checkpoints());
        assert!(vault.isRegistered(Address::ZERO).call().await.expect("isRegistered(ETH)"), "ETH is registered");
        assert!(vault.isRegistered(devnet.erc20()).call().await.expect("isRegistered(TEST)"), "TEST is registered");
        let checkpoints = Checkpoints::new(devnet.checkpoints(), &provider);
        assert_eq!(
            checkpoints.SIDECHAIN_GENESIS().call().await.expect("SIDECHAIN_GENESIS"),
            devnet.sidechain_genesis()
        );
        let token = TestToken::new(devnet.erc20(), &provider);
        for key in ANVIL_DEV_KEYS {
            let holder = key.parse::<PrivateKeySigner>().expect("a dev key").address();
            let balance = token.balanceOf(holder).call().await.expect("balanceOf");
            assert_eq!(balance, U256::from(MILLION_TEST), "TEST balance of {holder}");
        }
    });

    let pids = devnet.child_pids();
    assert_eq!(pids.len(), 2, "anvil and one node run: {pids:?}");
    let killed = runtime.block_on(devnet.stop());
    assert!(killed.is_empty(), "every child stops on SIGTERM; these needed SIGKILL: {killed:?}");
    for pid in pids {
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "child {pid} is still there after stop");
    }
}
