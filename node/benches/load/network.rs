//! The bench's chain spec and its four validators.

use std::{path::Path, time::Duration};

use ludus_primitives::{AccountId, LUD};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;

use crate::harness::{run_cli, Node};

/// The local testnet's validators, in genesis order, with their dev-key flags.
const VALIDATORS: [(&str, &str); 4] =
    [("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")];
/// What each bench account is endowed with.
pub const ENDOWMENT: u128 = 1_000 * LUD;

/// `build-spec --chain local` with every bench account endowed, written to a temporary file.
pub fn bench_spec(accounts: &[AccountId]) -> tempfile::NamedTempFile {
    let output = run_cli(&["build-spec", "--chain", "local"], Duration::from_secs(60));
    assert!(output.status.success(), "build-spec --chain local failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut spec: Value = serde_json::from_slice(&output.stdout).expect("build-spec prints a JSON chain spec");
    let balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
        .as_array_mut()
        .expect("the local spec endows accounts at genesis.runtimeGenesis.patch.balances.balances");
    let endowment = u64::try_from(ENDOWMENT).expect("1000 LUD fits a JSON integer");
    for account in accounts {
        balances.push(json!([account.to_ss58check(), endowment]));
    }
    let file = tempfile::Builder::new().prefix("ludus-load-").suffix(".json").tempfile().expect("create a spec file");
    serde_json::to_writer(file.as_file(), &spec).expect("write the spec");
    file
}

/// The four validators on `spec`, Alice first and the others booting from her.
pub fn start_network(spec: &Path) -> Vec<(&'static str, Node)> {
    let chain = spec.to_str().expect("temp paths are UTF-8");
    let (name, flag) = VALIDATORS[0];
    let alice = Node::start(&["--chain", chain, flag, "--name", name]);
    // The identity line may trail the RPC server's start by a moment.
    alice.wait_for("Alice's network identity", Duration::from_secs(20), || {
        (!alice.log_lines_with("Local node identity is: ").is_empty()).then_some(())
    });
    let boot = alice.multiaddr();
    let mut nodes = vec![(name, alice)];
    for (name, flag) in &VALIDATORS[1..] {
        nodes.push((*name, Node::start(&["--chain", chain, flag, "--name", name, "--bootnodes", &boot])));
    }
    nodes
}
