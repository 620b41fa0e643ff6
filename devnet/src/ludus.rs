//! The Ludus side: a chain spec for the chosen number of validators, one `ludus-node` per
//! validator with its dev keys, and the JSON-RPC reads the devnet needs from them.

use std::{
    borrow::Cow,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256},
    providers::{Provider, ProviderBuilder, RootProvider},
};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::Value;

use crate::{config::VALIDATOR_NAMES, l1::parse_url, process::ChildProcess, DevnetError};

/// How long a node may take from spawn until its RPC answers.
const NODE_STARTUP: Duration = Duration::from_secs(60);
/// How long the network may take to finalize its first block once every node is up.
const FIRST_FINALIZED: Duration = Duration::from_secs(90);
/// Interval between polls.
const POLL: Duration = Duration::from_millis(200);

/// The ports of one node.
#[derive(Debug, Clone, Copy)]
pub struct NodePorts {
    /// JSON-RPC (WebSocket and HTTP).
    pub rpc: u16,
    /// Peer-to-peer (TCP, loopback).
    pub p2p: u16,
    /// Prometheus.
    pub prometheus: u16,
}

/// Writes the chain spec of a network of the first `validators` of Alice, Bob, Charlie, Dave to
/// `path`: the node's `local` spec (its runtime's `local_testnet` preset, which names all four)
/// with the session keys and the validator set cut to the first `validators`. Everything else in
/// the preset (endowments, sudo, the L1 parameters, bridged assets) stays as the runtime has it.
pub fn write_chain_spec(node_bin: &Path, validators: usize, path: &Path) -> Result<(), DevnetError> {
    let spec_error = |reason: String| DevnetError::ChainSpec { validators, reason };
    let output = Command::new(node_bin)
        .args(["build-spec", "--chain", "local"])
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| spec_error(format!("cannot run {} build-spec: {e}", node_bin.display())))?;
    if !output.status.success() {
        return Err(spec_error(format!(
            "`ludus-node build-spec --chain local` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut spec: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| spec_error(format!("`ludus-node build-spec` printed no JSON: {e}")))?;
    spec["name"] = Value::from(format!("Ludus Devnet ({validators} validators)"));
    spec["id"] = Value::from("ludus_devnet");
    let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
    for field in ["/session/keys", "/validatorSet/validators"] {
        let list = patch
            .pointer_mut(field)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| spec_error(format!("the local spec's genesis patch has no list at {field}")))?;
        if list.len() < validators {
            return Err(spec_error(format!("the local spec has {} entries at {field}", list.len())));
        }
        list.truncate(validators);
    }
    let text = serde_json::to_string_pretty(&spec).map_err(|e| spec_error(e.to_string()))?;
    std::fs::write(path, text).map_err(|source| DevnetError::Io { path: path.to_owned(), source })
}

/// The command line of validator `index`'s node. `chain` is `dev` for a single validator or the
/// path of the devnet's chain spec; `bootnode` is the first node's multiaddr for the others.
pub fn node_command(
    node_bin: &Path,
    index: usize,
    chain: &str,
    base_path: &Path,
    ports: NodePorts,
    bootnode: Option<&str>,
) -> Command {
    let name = VALIDATOR_NAMES[index];
    let mut command = Command::new(node_bin);
    command
        .args(["--chain", chain, &format!("--{}", name.to_lowercase()), "--name", name])
        .arg("--base-path")
        .arg(base_path)
        .args(["--rpc-port", &ports.rpc.to_string(), "--prometheus-port", &ports.prometheus.to_string()])
        .args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", ports.p2p)]);
    if let Some(bootnode) = bootnode {
        command.args(["--bootnodes", bootnode]);
    }
    command
}

/// The name of validator `index`'s node process.
pub fn node_name(index: usize) -> String {
    format!("ludus-node {index} ({})", VALIDATOR_NAMES[index])
}

/// A JSON-RPC client of one node.
#[derive(Debug, Clone)]
pub struct NodeRpc {
    url: String,
    provider: RootProvider,
}

impl NodeRpc {
    /// A client of `http://127.0.0.1:<port>`.
    pub fn new(port: u16) -> Result<NodeRpc, DevnetError> {
        let url = format!("http://127.0.0.1:{port}");
        let provider = ProviderBuilder::new().disable_recommended_fillers().connect_http(parse_url(&url)?);
        Ok(NodeRpc { url, provider: provider.root().clone() })
    }

    /// Calls `method` with positional `params`.
    pub async fn call<R: DeserializeOwned>(&self, method: &'static str, params: Vec<Value>) -> Result<R, DevnetError> {
        let rpc_error = |reason: String| DevnetError::Rpc { endpoint: self.url.clone(), method: method.into(), reason };
        let value: Value =
            self.provider.raw_request(Cow::Borrowed(method), params).await.map_err(|e| rpc_error(e.to_string()))?;
        serde_json::from_value(value.clone()).map_err(|e| rpc_error(format!("unexpected answer {value}: {e}")))
    }

    /// Waits until the node answers `system_health`, failing early if it exits.
    pub async fn wait_ready(&self, node: &mut ChildProcess) -> Result<(), DevnetError> {
        let deadline = Instant::now() + NODE_STARTUP;
        loop {
            node.check_started()?;
            if self.call::<Value>("system_health", vec![]).await.is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(node.timeout(format!("its RPC at {}", self.url), NODE_STARTUP));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the node has finalized block `number`.
    pub async fn wait_finalized(&self, node: &mut ChildProcess, number: u64) -> Result<(), DevnetError> {
        let deadline = Instant::now() + FIRST_FINALIZED;
        loop {
            node.check_started()?;
            if self.finalized_number().await.is_ok_and(|finalized| finalized >= number) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(node.timeout(format!("finalized block #{number}"), FIRST_FINALIZED));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The number of the last finalized block.
    pub async fn finalized_number(&self) -> Result<u64, DevnetError> {
        let hash: String = self.call("chain_getFinalizedHead", vec![]).await?;
        let header: Value = self.call("chain_getHeader", vec![Value::from(hash)]).await?;
        let number = header["number"].as_str().unwrap_or_default().trim_start_matches("0x");
        u64::from_str_radix(number, 16).map_err(|_| DevnetError::Rpc {
            endpoint: self.url.clone(),
            method: "chain_getHeader".into(),
            reason: format!("no hex block number in {header}"),
        })
    }

    /// The node's libp2p peer id.
    pub async fn peer_id(&self) -> Result<String, DevnetError> {
        self.call("system_localPeerId", vec![]).await
    }

    /// The chain's genesis hash.
    pub async fn genesis_hash(&self) -> Result<B256, DevnetError> {
        self.call("chain_getBlockHash", vec![Value::from(0)]).await
    }

    /// The bridge's current validator set as the L1 takes it (`ludus_bridge_validatorSet`).
    pub async fn bridge_validator_set(&self) -> Result<BridgeValidatorSet, DevnetError> {
        let set: Option<BridgeValidatorSet> = self.call("ludus_bridge_validatorSet", vec![]).await?;
        set.ok_or_else(|| DevnetError::Rpc {
            endpoint: self.url.clone(),
            method: "ludus_bridge_validatorSet".into(),
            reason: "the chain has no bridge validator set".into(),
        })
    }
}

/// The answer of `ludus_bridge_validatorSet`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BridgeValidatorSet {
    /// The set's id.
    pub set_id: u64,
    /// Its members' Ethereum addresses, ascending.
    pub validators: Vec<Address>,
    /// `validatorSetHash(setId, validators)`.
    pub hash: B256,
}

/// `<data>/node-<index>`.
pub fn node_base_path(data_dir: &Path, index: usize) -> PathBuf {
    data_dir.join(format!("node-{index}"))
}
