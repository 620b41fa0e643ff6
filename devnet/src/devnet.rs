//! [`Devnet`]: starts the whole system in order, hands out its endpoints, watches its children
//! and stops them.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::primitives::{Address, B256};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::{
    config::{DevnetConfig, VALIDATOR_NAMES},
    contracts::creation_bytecode,
    l1::{self, Deployment, Foundry, SidechainAnchor, L1_CHAIN_ID},
    ludus::{self, NodePorts, NodeRpc},
    process::{stop_all, ChildProcess, STOP_GRACE},
    relayer::{relayer_data_dir, RelayerSpec},
    DevnetError,
};

/// The file in the data directory that lists the endpoints.
pub const DEVNET_JSON: &str = "devnet.json";
/// The file that marks a directory as a devnet's (holding the pid of the devnet using it), so
/// that the devnet never empties a directory it did not make.
const MARKER: &str = ".ludus-devnet";
/// Interval at which [`Devnet::watch`] looks at the children.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// The endpoints of a running devnet, as written to `<data>/devnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetInfo {
    /// The L1's JSON-RPC URL (anvil).
    pub l1_rpc: String,
    /// The L1's chain id.
    pub l1_chain_id: u64,
    /// The Vault's address.
    pub vault: Address,
    /// The Checkpoints contract's address.
    pub checkpoints: Address,
    /// The test ERC-20's (TEST) address.
    pub erc20: Address,
    /// Each validator's node RPC, over HTTP (`http://127.0.0.1:<port>`); the same port serves
    /// WebSocket.
    pub ludus_rpc: Vec<String>,
    /// Each relayer's status URL (`http://127.0.0.1:<port>/status`); empty without relayers.
    pub relayer_status: Vec<String>,
    /// Each node's WebSocket URL (`ws://127.0.0.1:<port>`), for polkadot.js and subxt.
    pub ludus_ws: Vec<String>,
    /// polkadot.js apps connected to each node.
    pub polkadot_js: Vec<String>,
    /// Each node's Prometheus metrics URL.
    pub ludus_metrics: Vec<String>,
    /// Each relayer's Prometheus metrics URL.
    pub relayer_metrics: Vec<String>,
    /// The validators' names, in node order.
    pub validators: Vec<String>,
    /// The sidechain's genesis hash.
    pub sidechain_genesis: B256,
    /// The data directory (logs under `logs/`).
    pub data_dir: PathBuf,
}

/// A running devnet: anvil with the bridge contracts, the Ludus nodes and their relayers.
///
/// Dropping it kills every child (SIGKILL); [`Devnet::stop`] stops them gracefully.
#[derive(Debug)]
pub struct Devnet {
    info: DevnetInfo,
    deployment: Deployment,
    anvil: ChildProcess,
    nodes: Vec<ChildProcess>,
    relayer_specs: Vec<RelayerSpec>,
    /// `None` for a relayer stopped with [`Devnet::kill_relayer`].
    relayers: Vec<Option<ChildProcess>>,
}

impl Devnet {
    /// Starts a devnet: anvil; the nodes (waiting for each to answer and for every one to have
    /// finalized block 1); the contracts, deployed for the sidechain's genesis and validator set
    /// 0; the relayers. Writes `devnet.json`. Whatever started is killed if a later step fails.
    pub async fn start(config: DevnetConfig) -> Result<Devnet, DevnetError> {
        config.check()?;
        let node_bin = config.node_binary()?;
        let relayer_bin = if config.relayers { Some(config.relayer_binary()?) } else { None };
        let foundry = Foundry::locate(&config.contracts_dir)?;
        // Fail before starting anything if forge's build output is missing.
        for contract in ["Checkpoints", "Vault", "TestToken"] {
            creation_bytecode(&config.contracts_dir, contract)?;
        }
        let data_dir = prepare_data_dir(&config.data_dir)?;
        let logs = data_dir.join("logs");
        create_dir(&logs)?;

        let n = config.validators;
        let l1_port = port_or_free(config.l1_port, 0)?;
        let mut node_ports = Vec::with_capacity(n);
        for i in 0..n {
            node_ports.push(NodePorts {
                rpc: port_or_free(config.rpc_base_port, i)?,
                p2p: port_or_free(config.p2p_base_port, i)?,
                prometheus: port_or_free(config.prometheus_base_port, i)?,
            });
        }

        tracing::info!(target: "devnet", "starting anvil on port {l1_port}");
        let anvil = l1::start_anvil(&foundry, l1_port, &logs.join("anvil.log")).await?;
        let l1_rpc = l1::l1_url(l1_port);

        let chain = if n == 1 {
            "dev".to_owned()
        } else {
            let spec = data_dir.join("chain-spec.json");
            ludus::write_chain_spec(&node_bin, n, &spec)?;
            spec.to_string_lossy().into_owned()
        };
        let mut nodes = Vec::with_capacity(n);
        let mut rpcs = Vec::with_capacity(n);
        let mut bootnode = None;
        for (i, ports) in node_ports.iter().enumerate() {
            tracing::info!(target: "devnet", "starting {} (RPC port {})", ludus::node_name(i), ports.rpc);
            let base = ludus::node_base_path(&data_dir, i);
            let command = ludus::node_command(&node_bin, i, &chain, &base, *ports, bootnode.as_deref());
            let log = logs.join(format!("node-{i}.log"));
            let mut node = ChildProcess::spawn(ludus::node_name(i), command, &log)?;
            let rpc = NodeRpc::new(ports.rpc)?;
            rpc.wait_ready(&mut node).await?;
            if i == 0 && n > 1 {
                let peer_id = rpc.peer_id().await?;
                bootnode = Some(format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", ports.p2p));
            }
            nodes.push(node);
            rpcs.push(rpc);
        }
        for (node, rpc) in nodes.iter_mut().zip(&rpcs) {
            rpc.wait_finalized(node, 1).await?;
        }

        let set = rpcs[0].bridge_validator_set().await?;
        let anchor = SidechainAnchor {
            genesis: rpcs[0].genesis_hash().await?,
            set_id: set.set_id,
            validators: set.validators,
            set_hash: set.hash,
        };
        tracing::info!(
            target: "devnet",
            "deploying the bridge contracts for sidechain {} (validator set {}: {:?})",
            anchor.genesis,
            anchor.set_id,
            anchor.validators
        );
        let deployment = l1::deploy(&config.contracts_dir, l1_port, &anchor).await?;

        let mut relayer_specs = Vec::new();
        let mut relayers = Vec::new();
        if let Some(binary) = relayer_bin {
            for (i, ports) in node_ports.iter().enumerate() {
                let spec = RelayerSpec {
                    index: i,
                    binary: binary.clone(),
                    l1_rpc: l1_rpc.clone(),
                    ludus_rpc: format!("http://127.0.0.1:{}", ports.rpc),
                    vault: deployment.vault,
                    checkpoints: deployment.checkpoints,
                    data_dir: relayer_data_dir(&data_dir, i),
                    status_port: port_or_free(config.relayer_status_base_port, i)?,
                    metrics_port: port_or_free(config.relayer_metrics_base_port, i)?,
                    log: logs.join(format!("relayer-{i}.log")),
                };
                tracing::info!(target: "devnet", "starting {} (status {})", spec.name(), spec.status_url());
                relayers.push(Some(spec.start().await?));
                relayer_specs.push(spec);
            }
        }

        let info = DevnetInfo {
            l1_rpc,
            l1_chain_id: L1_CHAIN_ID,
            vault: deployment.vault,
            checkpoints: deployment.checkpoints,
            erc20: deployment.erc20,
            ludus_rpc: node_ports.iter().map(|p| format!("http://127.0.0.1:{}", p.rpc)).collect(),
            relayer_status: relayer_specs.iter().map(RelayerSpec::status_url).collect(),
            ludus_ws: node_ports.iter().map(|p| format!("ws://127.0.0.1:{}", p.rpc)).collect(),
            polkadot_js: node_ports
                .iter()
                .map(|p| format!("https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:{}", p.rpc))
                .collect(),
            ludus_metrics: node_ports.iter().map(|p| format!("http://127.0.0.1:{}/metrics", p.prometheus)).collect(),
            relayer_metrics: relayer_specs
                .iter()
                .map(|r| format!("http://127.0.0.1:{}/metrics", r.metrics_port))
                .collect(),
            validators: VALIDATOR_NAMES[..n].iter().map(|name| name.to_string()).collect(),
            sidechain_genesis: anchor.genesis,
            data_dir: data_dir.clone(),
        };
        let json_path = data_dir.join(DEVNET_JSON);
        let json = serde_json::to_string_pretty(&info)
            .map_err(|e| DevnetError::Io { path: json_path.clone(), source: std::io::Error::other(e) })?;
        std::fs::write(&json_path, json + "\n").map_err(|source| DevnetError::Io { path: json_path, source })?;
        Ok(Devnet { info, deployment, anvil, nodes, relayer_specs, relayers })
    }

    /// The endpoints, as in `devnet.json`.
    pub fn info(&self) -> &DevnetInfo {
        &self.info
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.info.data_dir
    }

    /// The path of `devnet.json`.
    pub fn info_path(&self) -> PathBuf {
        self.info.data_dir.join(DEVNET_JSON)
    }

    /// The L1's JSON-RPC URL.
    pub fn l1_url(&self) -> &str {
        &self.info.l1_rpc
    }

    /// The L1's chain id.
    pub fn l1_chain_id(&self) -> u64 {
        self.info.l1_chain_id
    }

    /// The Vault.
    pub fn vault(&self) -> Address {
        self.deployment.vault
    }

    /// The Checkpoints contract.
    pub fn checkpoints(&self) -> Address {
        self.deployment.checkpoints
    }

    /// The test ERC-20 (TEST).
    pub fn erc20(&self) -> Address {
        self.deployment.erc20
    }

    /// The sidechain's genesis hash.
    pub fn sidechain_genesis(&self) -> B256 {
        self.info.sidechain_genesis
    }

    /// Each node's RPC over HTTP (the same port serves WebSocket).
    pub fn node_rpc_urls(&self) -> &[String] {
        &self.info.ludus_rpc
    }

    /// Each node's RPC over WebSocket.
    pub fn node_ws_urls(&self) -> &[String] {
        &self.info.ludus_ws
    }

    /// Each relayer's status URL.
    pub fn relayer_status_urls(&self) -> &[String] {
        &self.info.relayer_status
    }

    /// anvil's process.
    pub fn anvil(&self) -> &ChildProcess {
        &self.anvil
    }

    /// The nodes' processes, validator order.
    pub fn nodes(&self) -> &[ChildProcess] {
        &self.nodes
    }

    /// The relayers' processes, validator order; `None` for one killed with
    /// [`Devnet::kill_relayer`] and not started again.
    pub fn relayers(&self) -> Vec<Option<&ChildProcess>> {
        self.relayers.iter().map(Option::as_ref).collect()
    }

    /// The process ids of every running child (anvil, nodes, relayers).
    pub fn child_pids(&self) -> Vec<u32> {
        std::iter::once(&self.anvil)
            .chain(&self.nodes)
            .chain(self.relayers.iter().flatten())
            .filter_map(ChildProcess::pid)
            .collect()
    }

    /// Kills relayer `index` at once (SIGKILL, as a crash would); its data directory stays.
    pub fn kill_relayer(&mut self, index: usize) -> Result<(), DevnetError> {
        let count = self.relayers.len();
        let slot = self.relayers.get_mut(index).ok_or(DevnetError::NoSuchRelayer { index, count })?;
        if let Some(mut relayer) = slot.take() {
            relayer.kill();
        }
        Ok(())
    }

    /// Starts relayer `index` again with the same flags and data directory (after
    /// [`Devnet::kill_relayer`]; a running relayer is killed first) and waits for its status.
    pub async fn start_relayer(&mut self, index: usize) -> Result<(), DevnetError> {
        self.kill_relayer(index)?;
        let relayer = self.relayer_specs[index].start().await?;
        self.relayers[index] = Some(relayer);
        Ok(())
    }

    /// Freezes the L1 (SIGSTOP to anvil): it keeps its port and answers nothing, as an L1 node
    /// that hangs.
    pub fn pause_l1(&mut self) -> Result<(), DevnetError> {
        self.anvil.pause()
    }

    /// Lets a paused L1 run again (SIGCONT).
    pub fn resume_l1(&mut self) -> Result<(), DevnetError> {
        self.anvil.resume()
    }

    /// An error naming the first child (anvil, a node, a running relayer) that has exited, with
    /// the tail of its log.
    pub fn check_children(&mut self) -> Result<(), DevnetError> {
        self.anvil.check_running()?;
        for node in &mut self.nodes {
            node.check_running()?;
        }
        for relayer in self.relayers.iter_mut().flatten() {
            relayer.check_running()?;
        }
        Ok(())
    }

    /// Returns when a child exits, with [`Devnet::check_children`]'s error. Cancel-safe.
    pub async fn watch(&mut self) -> DevnetError {
        loop {
            if let Err(error) = self.check_children() {
                return error;
            }
            tokio::time::sleep(WATCH_INTERVAL).await;
        }
    }

    /// Stops everything: relayers first, then the nodes, then anvil, each group with SIGTERM and
    /// SIGKILL after a few seconds. Returns the names of the children that needed SIGKILL.
    pub async fn stop(mut self) -> Vec<String> {
        let mut killed = Vec::new();
        let mut relayers: Vec<&mut ChildProcess> = self.relayers.iter_mut().flatten().collect();
        killed.extend(stop_all(&mut relayers, STOP_GRACE).await);
        let mut nodes: Vec<&mut ChildProcess> = self.nodes.iter_mut().collect();
        killed.extend(stop_all(&mut nodes, STOP_GRACE).await);
        killed.extend(stop_all(&mut [&mut self.anvil], STOP_GRACE).await);
        // The marker stays: its pid is gone now, and it lets the next run empty the directory.
        killed
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        // The children's own Drop kills them; relayers first, anvil last, as in `stop`.
        for relayer in self.relayers.iter_mut().flatten() {
            relayer.kill();
        }
        for node in &mut self.nodes {
            node.kill();
        }
        self.anvil.kill();
    }
}

/// `base + index`, or a free port when `base` is 0.
fn port_or_free(base: u16, index: usize) -> Result<u16, DevnetError> {
    if base != 0 {
        // `DevnetConfig::check` made sure this fits.
        return u16::try_from(usize::from(base) + index)
            .map_err(|_| DevnetError::InvalidConfig(format!("port {base} + {index} is out of range")));
    }
    // The OS picks a port nobody listens on; it is released for the child to bind.
    let listener = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| DevnetError::InvalidConfig(format!("cannot find a free port on 127.0.0.1: {e}")))?;
    Ok(listener.port())
}

/// Empties the data directory if it is a devnet's (or creates it), refusing one that holds
/// anything else or that a running devnet uses, and marks it with this process's pid.
fn prepare_data_dir(path: &Path) -> Result<PathBuf, DevnetError> {
    let data_error = |reason: String| DevnetError::DataDir { path: path.to_owned(), reason };
    create_dir(path)?;
    let path = path.canonicalize().map_err(|source| DevnetError::Io { path: path.to_owned(), source })?;
    let marker = path.join(MARKER);
    let mut entries = std::fs::read_dir(&path).map_err(|source| DevnetError::Io { path: path.clone(), source })?;
    if entries.next().is_some() {
        let owner = std::fs::read_to_string(&marker).map_err(|_| {
            data_error(format!(
                "it is not empty and not a devnet's (no {MARKER} file): choose a new or empty directory with --data-dir"
            ))
        })?;
        if let Ok(pid) = owner.trim().parse::<i32>() {
            let alive = pid != std::process::id() as i32 && nix::sys::signal::kill(Pid::from_raw(pid), None).is_ok();
            if alive {
                return Err(data_error(format!(
                    "the devnet with pid {pid} uses it: stop that one first, or choose another with --data-dir"
                )));
            }
        }
        // A devnet is fresh each run: anvil's chain lived in memory, so old node databases
        // would not match the new L1.
        std::fs::remove_dir_all(&path).map_err(|source| DevnetError::Io { path: path.clone(), source })?;
        create_dir(&path)?;
    }
    std::fs::write(&marker, std::process::id().to_string())
        .map_err(|source| DevnetError::Io { path: marker.clone(), source })?;
    Ok(path)
}

fn create_dir(path: &Path) -> Result<(), DevnetError> {
    std::fs::create_dir_all(path).map_err(|source| DevnetError::Io { path: path.to_owned(), source })
}
