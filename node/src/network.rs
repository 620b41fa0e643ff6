//! The node's networking settings: flags and chain spec turned into a
//! [`ludus_network::NetworkConfig`], checked before anything starts.
//!
//! What travels over the network, and what the node does with it, is [`crate::sync`]'s.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use ludus_chain_spec::ChainSpec;
use ludus_network::{Multiaddr, NetworkConfig};

use crate::cli::RunArgs;

/// Substrate's default peer-to-peer port.
pub const DEFAULT_PORT: u16 = 30333;

/// How long a misbehaving peer stays banned.
pub const BAN_DURATION: Duration = Duration::from_secs(60);

/// The networking flags, checked.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// Addresses to listen on.
    pub listen_addrs: Vec<Multiaddr>,
    /// Boot nodes from the chain spec and `--bootnodes`.
    pub boot_nodes: Vec<Multiaddr>,
    /// `--reserved-nodes`.
    pub reserved_nodes: Vec<Multiaddr>,
    /// `--reserved-only`.
    pub reserved_only: bool,
    /// Where the node key lives.
    pub node_key_file: PathBuf,
    /// `--in-peers`.
    pub in_peers: u32,
    /// `--out-peers`.
    pub out_peers: u32,
}

impl NetworkOptions {
    /// Reads the flags of `args` (and the spec's boot nodes); `chain_dir` is
    /// `<base>/chains/<id>`. Errors name the flag and the bad value.
    pub fn from_args(args: &RunArgs, spec: &ChainSpec, chain_dir: &Path) -> Result<Self, String> {
        let listen_addrs = if args.listen_addr.is_empty() {
            let port = args.port.unwrap_or(DEFAULT_PORT);
            vec![format!("/ip4/0.0.0.0/tcp/{port}")
                .parse()
                .map_err(|e| format!("--port {port}: not a usable TCP port: {e}"))?]
        } else {
            args.listen_addr
                .iter()
                .map(|addr| addr.parse().map_err(|e| format!("--listen-addr {addr}: not a multiaddr: {e}")))
                .collect::<Result<_, _>>()?
        };
        let peers = |flag: &str, list: &[String]| -> Result<Vec<Multiaddr>, String> {
            list.iter()
                .map(|addr| {
                    ludus_network::parse_peer_multiaddr(addr)
                        .map(|(_, addr)| addr)
                        .map_err(|e| format!("{flag} {addr}: {e}"))
                })
                .collect()
        };
        let mut boot_nodes = peers("chain spec bootNodes", spec.boot_nodes())?;
        boot_nodes.extend(peers("--bootnodes", &args.bootnodes)?);
        Ok(Self {
            listen_addrs,
            boot_nodes,
            reserved_nodes: peers("--reserved-nodes", &args.reserved_nodes)?,
            reserved_only: args.reserved_only,
            node_key_file: args
                .node_key_file
                .clone()
                .unwrap_or_else(|| chain_dir.join("network").join("secret_ed25519")),
            in_peers: args.in_peers,
            out_peers: args.out_peers,
        })
    }

    /// The network crate's configuration, loading (or creating) the node key.
    pub fn config(&self, genesis_hash: [u8; 32], node_name: &str) -> Result<NetworkConfig, String> {
        let node_key = ludus_network::load_or_generate_node_key(&self.node_key_file).map_err(|e| e.to_string())?;
        Ok(NetworkConfig {
            genesis_hash,
            node_key,
            listen_addrs: self.listen_addrs.clone(),
            boot_nodes: self.boot_nodes.clone(),
            reserved_nodes: self.reserved_nodes.clone(),
            reserved_only: self.reserved_only,
            max_inbound: self.in_peers,
            max_outbound: self.out_peers,
            ban_duration: BAN_DURATION,
            agent_version: format!("ludus-node/{} ({node_name})", env!("CARGO_PKG_VERSION")),
        })
    }
}
