//! The command line, in Substrate's conventions (`--dev`, `--chain`, `--base-path`, …).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use ludus_chain_spec::ChainSpec;
use ludus_network::Multiaddr;

use crate::adapters::network::{NetworkOptions, DEFAULT_PORT as DEFAULT_P2P_PORT};

/// Ludus node: authors, imports, finalizes and serves blocks of the Ludus game sidechain.
#[derive(Debug, Parser)]
#[command(name = "ludus-node", version, about, long_about = None)]
pub struct Cli {
    /// A subcommand; without one, the node runs.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// How to run the node.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the chain spec as JSON (to stdout), for editing or sharing with other validators.
    BuildSpec(BuildSpecArgs),
    /// Delete the chain's database (keeps the keystore).
    PurgeChain(PurgeChainArgs),
    /// Generate, inspect and insert keys.
    #[command(subcommand)]
    Key(KeyCommand),
}

/// Options shared by commands that pick a chain and a data directory.
#[derive(Debug, Args, Clone)]
pub struct SharedArgs {
    /// The chain: `dev`, `local`, or the path of a chain-spec JSON file.
    #[arg(long, value_name = "CHAIN")]
    pub chain: Option<String>,

    /// Development chain: implies `--chain dev --alice --validator`, and `--tmp` unless
    /// `--base-path` is given.
    #[arg(long)]
    pub dev: bool,

    /// Where the node keeps its data (`<base>/chains/<id>/{db,keystore}`).
    /// Default: `$HOME/.local/share/ludus-node`.
    #[arg(long, short = 'd', value_name = "PATH")]
    pub base_path: Option<PathBuf>,
}

/// How to run the node.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Chain and data directory.
    #[command(flatten)]
    pub shared: SharedArgs,

    /// Use a temporary directory as the base path, deleted when the node stops.
    #[arg(long, conflicts_with = "base_path")]
    pub tmp: bool,

    /// The node's human-readable name (shown by `system_name` peers and logs).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Author blocks in this node's slots (needs Aura keys in the keystore).
    #[arg(long)]
    pub validator: bool,

    /// The JSON-RPC port (WebSocket and HTTP on the same port).
    #[arg(long, value_name = "PORT", default_value_t = 9944)]
    pub rpc_port: u16,

    /// Listen for RPC on all interfaces instead of localhost only. Unsafe methods
    /// (key insertion, rotation) stay off unless `--rpc-methods unsafe` is given.
    #[arg(long)]
    pub rpc_external: bool,

    /// Which RPC methods to serve: `auto` serves unsafe methods on localhost only.
    #[arg(long, value_enum, default_value_t = RpcMethodsArg::Auto)]
    pub rpc_methods: RpcMethodsArg,

    /// Most RPC connections served at once.
    #[arg(long, value_name = "COUNT", default_value_t = 100)]
    pub rpc_max_connections: u32,

    /// Most RPC connections one IP address (an IPv6 /64) may hold at once; further ones are
    /// answered `429 Too Many Requests` and closed, so one client cannot take them all.
    #[arg(long, value_name = "COUNT", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub rpc_max_connections_per_ip: u32,

    /// Close an RPC connection (HTTP keep-alive or WebSocket) that has had no call running and
    /// no subscription for this many seconds; 0 never closes idle connections.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub rpc_idle_timeout: u64,

    /// Most RPC calls running at once, over all connections; further calls wait their turn,
    /// so RPC clients cannot take every thread and core from the node's own work.
    #[arg(long, value_name = "COUNT", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub rpc_max_concurrent_calls: u32,

    /// The port of the Prometheus metrics endpoint (`http://<addr>:<PORT>/metrics`).
    #[arg(long, value_name = "PORT", default_value_t = crate::metrics::DEFAULT_PORT)]
    pub prometheus_port: u16,

    /// Serve Prometheus metrics on all interfaces instead of localhost only.
    #[arg(long)]
    pub prometheus_external: bool,

    /// Do not serve Prometheus metrics.
    #[arg(long, conflicts_with_all = ["prometheus_port", "prometheus_external"])]
    pub no_prometheus: bool,

    /// Memory for the shared trie cache (recently read state nodes and values), in MiB; 0
    /// disables it.
    #[arg(long, value_name = "MiB", default_value_t = (ludus_storage::DEFAULT_TRIE_CACHE_BYTES >> 20) as u64)]
    pub trie_cache_size: u64,

    /// Free disk space the chain database keeps, in MiB: below it the node writes no block
    /// (authoring and import fail with a clear error) and resumes by itself once there is room
    /// again; 0 writes until the disk refuses (parity-db then crashes the node with SIGBUS).
    #[arg(long, value_name = "MiB", default_value_t = ludus_storage::DEFAULT_RESERVED_DISK_BYTES >> 20)]
    pub db_reserved_space: u64,

    /// Most transactions the pool holds, ready and future together (Substrate's flag).
    #[arg(long, value_name = "COUNT", default_value_t = 8192, value_parser = clap::value_parser!(u64).range(1..))]
    pub pool_limit: u64,

    /// Most kilobytes of transactions the pool holds (Substrate's flag).
    #[arg(long, value_name = "KiB", default_value_t = 20 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub pool_kbytes: u64,

    /// Add Alice's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub alice: bool,
    /// Add Bob's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub bob: bool,
    /// Add Charlie's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub charlie: bool,
    /// Add Dave's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub dave: bool,
    /// Add Eve's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub eve: bool,
    /// Add Ferdie's development keys to the keystore (implies --validator).
    #[arg(long)]
    pub ferdie: bool,

    /// TCP port for peer-to-peer connections, on all interfaces (default 30333).
    #[arg(long, value_name = "PORT", conflicts_with = "listen_addr")]
    pub port: Option<u16>,
    /// Listen for peers on these multiaddrs instead, e.g. `/ip4/127.0.0.1/tcp/30333`.
    #[arg(long, value_name = "MULTIADDR", num_args = 1..)]
    pub listen_addr: Vec<String>,
    /// Peers to connect to at start, as `/ip4/…/tcp/…/p2p/<peer id>` (added to the chain spec's).
    #[arg(long, value_name = "MULTIADDR", num_args = 1..)]
    pub bootnodes: Vec<String>,
    /// Peers to stay connected to at all times, in the same format.
    #[arg(long, value_name = "MULTIADDR", num_args = 1..)]
    pub reserved_nodes: Vec<String>,
    /// Connect to reserved nodes only, refusing everyone else.
    #[arg(long)]
    pub reserved_only: bool,
    /// The node's libp2p identity: a file with a 32-byte ed25519 secret (raw or hex); created on
    /// first start (default `<base>/chains/<id>/network/secret_ed25519`).
    #[arg(long, value_name = "PATH")]
    pub node_key_file: Option<PathBuf>,
    /// Most peers that may connect to us.
    #[arg(long, value_name = "COUNT", default_value_t = 25)]
    pub in_peers: u32,
    /// Most peers we connect to.
    #[arg(long, value_name = "COUNT", default_value_t = 25)]
    pub out_peers: u32,

    /// Log filter, e.g. `info,import=debug` (also read from RUST_LOG). FRAME's executive's
    /// per-block and per-extrinsic spans stay off unless it names `frame_executive`.
    #[arg(long, short = 'l', value_name = "FILTER")]
    pub log: Option<String>,
}

/// A flag whose value cannot be used; the message names the flag and the value.
#[derive(Debug, thiserror::Error)]
#[error("{flag} {value}: {reason}")]
pub struct FlagError {
    /// The flag (or chain spec field).
    pub flag: &'static str,
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RunArgs {
    /// The networking flags (and the spec's boot nodes), checked; `chain_dir` is
    /// `<base>/chains/<id>`.
    pub fn network_options(&self, spec: &ChainSpec, chain_dir: &Path) -> Result<NetworkOptions, FlagError> {
        let listen_addrs = if self.listen_addr.is_empty() {
            let port = self.port.unwrap_or(DEFAULT_P2P_PORT);
            vec![format!("/ip4/0.0.0.0/tcp/{port}").parse().map_err(|e| FlagError {
                flag: "--port",
                value: port.to_string(),
                reason: format!("not a usable TCP port: {e}"),
            })?]
        } else {
            self.listen_addr
                .iter()
                .map(|addr| {
                    addr.parse().map_err(|e| FlagError {
                        flag: "--listen-addr",
                        value: addr.clone(),
                        reason: format!("not a multiaddr: {e}"),
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let peers = |flag: &'static str, list: &[String]| -> Result<Vec<Multiaddr>, FlagError> {
            list.iter()
                .map(|addr| {
                    ludus_network::parse_peer_multiaddr(addr).map(|(_, addr)| addr).map_err(|e| FlagError {
                        flag,
                        value: addr.clone(),
                        reason: e.to_string(),
                    })
                })
                .collect()
        };
        let mut boot_nodes = peers("chain spec bootNodes", spec.boot_nodes())?;
        boot_nodes.extend(peers("--bootnodes", &self.bootnodes)?);
        Ok(NetworkOptions {
            listen_addrs,
            boot_nodes,
            reserved_nodes: peers("--reserved-nodes", &self.reserved_nodes)?,
            reserved_only: self.reserved_only,
            node_key_file: self
                .node_key_file
                .clone()
                .unwrap_or_else(|| chain_dir.join("network").join("secret_ed25519")),
            in_peers: self.in_peers,
            out_peers: self.out_peers,
        })
    }

    /// The RPC server's settings from the `--rpc-*` flags.
    pub fn rpc_config(&self) -> ludus_rpc::RpcConfig {
        let ip = if self.rpc_external { std::net::Ipv4Addr::UNSPECIFIED } else { std::net::Ipv4Addr::LOCALHOST };
        ludus_rpc::RpcConfig {
            listen: std::net::SocketAddr::from((ip, self.rpc_port)),
            methods: match self.rpc_methods {
                RpcMethodsArg::Auto => ludus_rpc::RpcMethods::Auto,
                RpcMethodsArg::Safe => ludus_rpc::RpcMethods::Safe,
                RpcMethodsArg::Unsafe => ludus_rpc::RpcMethods::Unsafe,
            },
            max_connections: self.rpc_max_connections,
            max_connections_per_ip: self.rpc_max_connections_per_ip,
            max_concurrent_calls: self.rpc_max_concurrent_calls,
            idle_timeout: (self.rpc_idle_timeout > 0).then(|| std::time::Duration::from_secs(self.rpc_idle_timeout)),
            ..ludus_rpc::RpcConfig::default()
        }
    }
}

/// Which RPC methods to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RpcMethodsArg {
    /// Unsafe methods only when listening on localhost.
    Auto,
    /// Safe methods only.
    Safe,
    /// Every method, wherever the server listens.
    Unsafe,
}

/// `build-spec` options.
#[derive(Debug, Args)]
pub struct BuildSpecArgs {
    /// Chain and data directory.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// Print genesis as raw storage instead of a runtime-genesis patch.
    #[arg(long)]
    pub raw: bool,
}

/// `purge-chain` options.
#[derive(Debug, Args)]
pub struct PurgeChainArgs {
    /// Chain and data directory.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Key subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new secret phrase and print its keys.
    Generate {
        /// The signature scheme.
        #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
        scheme: Scheme,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the public key, account id and SS58 address of a secret URI (phrase, //Dev, hex seed).
    Inspect {
        /// The secret URI.
        suri: String,
        /// The signature scheme.
        #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
        scheme: Scheme,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Insert a key into the node's keystore.
    Insert {
        /// Chain and data directory.
        #[command(flatten)]
        shared: SharedArgs,
        /// The secret URI of the key.
        #[arg(long)]
        suri: String,
        /// The key type: `aura`, `gran` (GRANDPA) or `brdg` (bridge).
        #[arg(long)]
        key_type: String,
        /// The signature scheme; by default the one the key type uses.
        #[arg(long, value_enum)]
        scheme: Option<Scheme>,
    },
}

/// A signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// Schnorrkel/Ristretto (accounts, Aura).
    Sr25519,
    /// Edwards (GRANDPA).
    Ed25519,
    /// secp256k1 (bridge).
    Ecdsa,
}
