//! What a devnet is made of: how many validators, where its data lives, which ports, which
//! binaries.

use std::path::{Path, PathBuf};

use crate::DevnetError;

/// The most validators a devnet runs: the dev keys the node has flags for and the `local` spec
/// names (Alice, Bob, Charlie, Dave).
pub const MAX_VALIDATORS: usize = 4;

/// The development names of the validators, in order: validator `i` is `VALIDATOR_NAMES[i]`
/// and its node runs with `--<name in lower case>` (its dev keys).
pub const VALIDATOR_NAMES: [&str; MAX_VALIDATORS] = ["Alice", "Bob", "Charlie", "Dave"];

/// How to build a devnet. Ports of 0 are picked free by the OS at start; a base port `B` gives
/// validator (or relayer) `i` the port `B + i`.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// How many validators (1 to [`MAX_VALIDATORS`]), each with its own node.
    pub validators: usize,
    /// Where everything lives: `devnet.json`, `anvil.log`, `node-<i>/`, `relayer-<i>/`,
    /// `chain-spec.json`. It is emptied at start: a devnet is fresh each time (anvil keeps its
    /// chain in memory, so a Ludus chain kept from an earlier run would not match the new L1).
    pub data_dir: PathBuf,
    /// anvil's RPC port.
    pub l1_port: u16,
    /// The first node's RPC port (WebSocket and HTTP).
    pub rpc_base_port: u16,
    /// The first node's peer-to-peer port.
    pub p2p_base_port: u16,
    /// The first node's Prometheus port.
    pub prometheus_base_port: u16,
    /// The first relayer's status port (`http://127.0.0.1:<port>/status`).
    pub relayer_status_base_port: u16,
    /// The first relayer's Prometheus port.
    pub relayer_metrics_base_port: u16,
    /// Whether to run one relayer per validator.
    pub relayers: bool,
    /// The `ludus-node` binary; `None`: beside the running executable (see [`default_binary`]).
    pub node_bin: Option<PathBuf>,
    /// The `ludus-relayer` binary; `None`: beside the running executable.
    pub relayer_bin: Option<PathBuf>,
    /// The Foundry project with `node_modules/` (the npm toolchain) and `out/` (forge's build).
    pub contracts_dir: PathBuf,
}

impl DevnetConfig {
    /// One validator with a relayer, every port free, data in `data_dir`, the contracts of this
    /// checkout.
    pub fn new(data_dir: impl Into<PathBuf>) -> DevnetConfig {
        DevnetConfig {
            validators: 1,
            data_dir: data_dir.into(),
            l1_port: 0,
            rpc_base_port: 0,
            p2p_base_port: 0,
            prometheus_base_port: 0,
            relayer_status_base_port: 0,
            relayer_metrics_base_port: 0,
            relayers: true,
            node_bin: None,
            relayer_bin: None,
            contracts_dir: default_contracts_dir(),
        }
    }

    /// Checks what can be checked before anything starts.
    pub fn check(&self) -> Result<(), DevnetError> {
        if !(1..=MAX_VALIDATORS).contains(&self.validators) {
            return Err(DevnetError::InvalidConfig(format!(
                "{} validators asked for; a devnet runs 1 to {MAX_VALIDATORS} (the dev keys {})",
                self.validators,
                VALIDATOR_NAMES.join(", ")
            )));
        }
        for (what, base) in [
            ("RPC", self.rpc_base_port),
            ("p2p", self.p2p_base_port),
            ("Prometheus", self.prometheus_base_port),
            ("relayer status", self.relayer_status_base_port),
            ("relayer metrics", self.relayer_metrics_base_port),
        ] {
            if base != 0 && usize::from(base) + self.validators > usize::from(u16::MAX) + 1 {
                return Err(DevnetError::InvalidConfig(format!(
                    "{what} base port {base} leaves no room for {} validators",
                    self.validators
                )));
            }
        }
        Ok(())
    }

    /// The `ludus-node` binary this configuration runs, checked to exist.
    pub fn node_binary(&self) -> Result<PathBuf, DevnetError> {
        resolve_binary(self.node_bin.as_deref(), "ludus-node", "--node-bin", "LUDUS_NODE_BIN")
    }

    /// The `ludus-relayer` binary this configuration runs, checked to exist.
    pub fn relayer_binary(&self) -> Result<PathBuf, DevnetError> {
        resolve_binary(self.relayer_bin.as_deref(), "ludus-relayer", "--relayer-bin", "LUDUS_RELAYER_BIN")
    }
}

/// `contracts/` of the checkout this crate was built from.
pub fn default_contracts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    dir.canonicalize().unwrap_or(dir)
}

/// Where `name` is when nobody says: beside the running executable, which is the cargo target
/// directory of the profile that built it (`target/release/ludus-devnet` →
/// `target/release/ludus-node`). Tests and examples live one level down, in `deps/` and
/// `examples/`, so for them it is the parent directory.
pub fn default_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let beside = dir.join(name);
    if beside.is_file() || dir.file_name().is_none_or(|n| n != "deps" && n != "examples") {
        return Some(beside);
    }
    dir.parent().map(|profile| profile.join(name))
}

fn resolve_binary(
    configured: Option<&Path>,
    name: &'static str,
    flag: &'static str,
    env: &'static str,
) -> Result<PathBuf, DevnetError> {
    let path = configured
        .map(Path::to_owned)
        .or_else(|| std::env::var_os(env).map(PathBuf::from))
        .or_else(|| default_binary(name))
        .unwrap_or_else(|| PathBuf::from(name));
    if path.is_file() {
        return Ok(path);
    }
    let release = path.parent().and_then(Path::file_name).is_some_and(|dir| dir == "release");
    let build = format!("cargo build{} -p {name}", if release { " --release" } else { "" });
    Err(DevnetError::MissingBinary { name, path, build, flag, env })
}
