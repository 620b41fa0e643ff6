//! An unmodified polkadot.js client (`tests/js/transfer.mjs`) against a dev node: metadata,
//! balances, signed transfers watched until finalized, nonces for back-to-back sends.

use std::{path::PathBuf, process::Command, time::Duration};

use serde_json::Value;

use crate::harness::Node;

/// `tests/js`, beside the node crate.
fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/js")
}

#[test]
fn polkadot_js_transfers_are_finalized() {
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

    let ludus = Node::dev();
    let output = crate::harness::run_command(
        Command::new("node").arg(dir.join("transfer.mjs")).arg(ludus.ws_url()).current_dir(&dir),
        Duration::from_secs(90),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "transfer.mjs failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}", output.status);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("transfer.mjs printed no JSON:\n{stdout}\nstderr:\n{stderr}"));
    let result: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON from transfer.mjs ({e}): {line}"));
    assert_eq!(result["ok"], Value::Bool(true), "transfer.mjs: {result}");
    assert_eq!(result["chain"], "Development");
    assert!(
        result["metadataVersion"].as_u64().is_some_and(|v| v >= 14),
        "metadata version {}",
        result["metadataVersion"]
    );
}
