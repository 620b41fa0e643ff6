//! Unmodified polkadot.js clients against dev nodes:
//! - `tests/js/transfer.mjs`: metadata, balances, signed transfers watched until finalized,
//!   nonces for back-to-back sends;
//! - `tests/js/game.mjs`: a studio's collection, currency and items, an attribute, a sale
//!   with the royalty paid, crafting, and a player's fee paid from the studio's fuel tank;
//! - `transfer.mjs` again against one validator of a four-validator network, where blocks
//!   are finalized by GRANDPA votes between processes rather than at once.

use std::{path::PathBuf, process::Command, time::Duration};

use serde_json::Value;

use crate::harness::Node;

/// `tests/js`, beside the node crate.
fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/js")
}

/// Runs `tests/js/<script>` against a fresh dev node and returns the JSON line it prints.
fn run_script(script: &str) -> Value {
    run_script_against(script, &Node::dev())
}

/// Runs `tests/js/<script>` against `ludus` and returns the JSON line it prints.
fn run_script_against(script: &str, ludus: &Node) -> Value {
    let dir = js_dir();
    assert!(
        dir.join("node_modules/@polkadot/api").is_dir(),
        "{} has no node_modules: run `npm ci --prefix tests/js` first",
        dir.display()
    );
    let node_version = Command::new("node").arg("--version").output();
    assert!(
        node_version.as_ref().is_ok_and(|o| o.status.success()),
        "the `node` (Node.js) executable is needed to run polkadot.js: {node_version:?}"
    );

    let output = crate::harness::run_command(
        Command::new("node").arg(dir.join(script)).arg(ludus.ws_url()).current_dir(&dir),
        Duration::from_secs(120),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{script} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}", output.status);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("{script} printed no JSON:\n{stdout}\nstderr:\n{stderr}"));
    let result: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON from {script} ({e}): {line}"));
    assert_eq!(result["ok"], Value::Bool(true), "{script}: {result}");
    result
}

#[test]
fn polkadot_js_transfers_are_finalized() {
    let result = run_script("transfer.mjs");
    assert_eq!(result["chain"], "Development");
    assert!(
        result["metadataVersion"].as_u64().is_some_and(|v| v >= 14),
        "metadata version {}",
        result["metadataVersion"]
    );
}

#[test]
fn a_studio_runs_its_game_economy_from_polkadot_js() {
    let result = run_script("game.mjs");
    // 5 % of the 100 LUD sale went to the royalty beneficiary.
    assert_eq!(result["royalty"], "5000000000000", "{result}");
    assert!(result["sponsoredFee"].as_str().is_some_and(|fee| fee != "0"), "{result}");
}

#[test]
fn polkadot_js_on_any_node_of_a_four_validator_network_sees_transfers_finalized() {
    let nodes = crate::network::local_network();
    nodes[3].wait_for_finalized(2, Duration::from_secs(60));
    let result = run_script_against("transfer.mjs", &nodes[3]);
    assert_eq!(result["chain"], "Local Testnet");
}
