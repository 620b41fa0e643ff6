//! The node's networking settings ([`NetworkOptions`], which the command line fills from the
//! flags and the chain spec) turned into a [`ludus_network::NetworkConfig`].
//!
//! What travels over the network, and what the node does with it, is the sync module's.

use std::{path::PathBuf, time::Duration};

use ludus_network::{Multiaddr, NetworkConfig, NetworkError};

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
    /// The network crate's configuration, loading (or creating) the node key.
    pub fn config(&self, genesis_hash: [u8; 32], node_name: &str) -> Result<NetworkConfig, NetworkError> {
        let node_key = ludus_network::load_or_generate_node_key(&self.node_key_file)?;
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
