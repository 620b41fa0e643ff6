//! The Ludus node's JSON-RPC server.
//!
//! One TCP port answers both HTTP POST and WebSocket JSON-RPC (jsonrpsee's
//! server tells them apart per connection), with Substrate's method names, JSON
//! shapes, subscription names and error codes, so polkadot.js and subxt work
//! unmodified:
//!
//! - `chain_*` ([`chain`]): hashes, headers, blocks, head subscriptions;
//! - `state_*` ([`state`]): runtime calls, storage, proofs, metadata, runtime
//!   version, storage and runtime-version subscriptions;
//! - `author_*` ([`author`]): submit and watch extrinsics, keystore (unsafe);
//! - `system_*` ([`system`]): node and chain facts, health, nonces;
//! - `payment_*` ([`payment`]): fee estimates;
//! - `ludus_gameAssets_*` ([`game_assets`]): balances, tokens, collections and
//!   attributes of pallet-game-assets, as plain JSON for game clients;
//! - `ludus_bridge_*` ([`bridge`]): withdrawal status and claim proofs, signed
//!   checkpoints of pallet-bridge, as the L1 contracts take them; deposit status, and
//!   (unsafe) attesting a deposit with the node's own bridge keys for its relayer;
//! - `rpc_methods`: every name served.
//!
//! The crate knows nothing of the node's insides: it talks to it through the
//! traits of [`backend`], which the node implements. Data flows one way per
//! request: JSON params are parsed and bounded here, the backend is called on a
//! blocking thread, and its answer is serialized with Substrate's serde impls
//! (`sp-runtime` headers and blocks, `sp-version` runtime versions, …).
//!
//! Tasks: [`start`] spawns the accept loop ([`server`]): it refuses connections past
//! [`RpcConfig::max_connections_per_ip`] and serves each admitted one with jsonrpsee's
//! service (one task per connection, one per call and subscription) beside a task that
//! closes it once idle for [`RpcConfig::idle_timeout`] ([`connection`]). It also spawns
//! the [`storage_watch`] actor, the one reader of the keys storage subscriptions watch.
//! Subscriptions read the node's broadcast channels of new heads
//! ([`backend::ChainBackend::subscribe_best`] …) and end when the client unsubscribes,
//! disconnects, or the channel closes.
//!
//! Everything a client sends is bounded before it is used: request and response sizes,
//! subscriptions per connection, keys per query and watched keys ([`storage_watch`]),
//! and the length of every string or byte parameter ([`params`]).
//!
//! Unsafe methods (`author_insertKey`, `author_rotateKeys`, `author_hasKey`,
//! `author_hasSessionKeys`, `ludus_bridge_attestDeposit`) answer only when [`RpcMethods`]
//! allows them (by default, only when listening on a loopback address).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod author;
pub mod backend;
pub mod bridge;
pub mod call_limit;
pub mod chain;
pub mod connection;
pub mod error;
pub mod game_assets;
pub mod params;
pub mod payment;
mod server;
pub mod state;
pub mod storage_watch;
pub mod submit_batch;
pub mod subscription;
pub mod system;
pub mod types;

#[cfg(test)]
mod tests;

use std::{net::SocketAddr, time::Duration};

use jsonrpsee::{server::ServerHandle, RpcModule};

pub use backend::{
    AttestError, AttestationResult, BackendError, Backends, BridgeAttesterBackend, ChainBackend, ChainInfo,
    DepositAttestation, Health, KeystoreBackend, NetworkBackend, PeerInfo, PoolBackend, PoolError, SystemInfo,
    TransactionStatus,
};

use author::AuthorApiServer;
use bridge::BridgeApiServer;
use chain::ChainApiServer;
use game_assets::GameAssetsApiServer;
use payment::PaymentApiServer;
use state::StateApiServer;
use storage_watch::StorageWatch;
pub use storage_watch::WatchLimits;
use system::SystemApiServer;

/// Which methods the server answers (Substrate's `--rpc-methods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RpcMethods {
    /// Unsafe methods only if the listen address is a loopback address.
    #[default]
    Auto,
    /// Never serve unsafe methods.
    Safe,
    /// Serve every method, whoever connects.
    Unsafe,
}

impl RpcMethods {
    /// Whether unsafe methods are served on `listen`.
    pub fn allows_unsafe(self, listen: &SocketAddr) -> bool {
        match self {
            RpcMethods::Auto => listen.ip().is_loopback(),
            RpcMethods::Safe => false,
            RpcMethods::Unsafe => true,
        }
    }
}

/// One mebibyte.
const MIB: u32 = 1024 * 1024;

/// Server settings. Defaults follow Substrate's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcConfig {
    /// Address to listen on (HTTP and WebSocket), e.g. `127.0.0.1:9944`.
    pub listen: SocketAddr,
    /// Which methods are served.
    pub methods: RpcMethods,
    /// Most simultaneous connections; further ones are refused (100).
    pub max_connections: u32,
    /// Largest request body accepted, bytes (15 MiB); larger ones get an error.
    pub max_request_bytes: u32,
    /// Largest response sent, bytes (15 MiB); larger ones become an error.
    pub max_response_bytes: u32,
    /// Most subscriptions one connection may hold (1024).
    pub max_subscriptions_per_connection: u32,
    /// Most responses and notifications queued for one connection before the server
    /// waits for the client to read (64, Substrate's default).
    pub message_buffer_capacity: u32,
    /// Most connections one IP address (an IPv6 /64) may hold; further ones are answered
    /// `429 Too Many Requests` and closed (20).
    pub max_connections_per_ip: u32,
    /// A connection with no call running and no subscription for this long is closed
    /// (60 s); `None` never closes idle connections.
    pub idle_timeout: Option<Duration>,
    /// Most calls running at once on the whole server (8, as Substrate's default
    /// `--max-runtime-instances`); further ones wait their turn.
    pub max_concurrent_calls: u32,
    /// How many storage keys subscriptions may watch (1,000 per subscription, 5,000 per
    /// connection, 20,000 on the server).
    pub watch_limits: WatchLimits,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9944)),
            methods: RpcMethods::Auto,
            max_connections: 100,
            max_request_bytes: 15 * MIB,
            max_response_bytes: 15 * MIB,
            max_subscriptions_per_connection: 1024,
            message_buffer_capacity: 64,
            max_connections_per_ip: 20,
            idle_timeout: Some(Duration::from_secs(60)),
            max_concurrent_calls: 8,
            watch_limits: WatchLimits::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Another process holds the port.
    #[error("RPC port {port} is in use: choose another with --rpc-port")]
    PortInUse {
        /// The port asked for.
        port: u16,
    },
    /// Binding failed for another reason (permission, bad address, …).
    #[error("cannot listen for RPC on {addr}: {source}; check --rpc-port and the interface address")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Two methods share a name (a bug in this crate).
    #[error("RPC method registered twice: {0}")]
    Register(#[from] jsonrpsee::core::RegisterMethodError),
}

/// A running server. Dropping it does not stop the server; call [`RpcHandle::stop`].
#[derive(Debug, Clone)]
pub struct RpcHandle {
    handle: ServerHandle,
    local_addr: SocketAddr,
}

impl RpcHandle {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Resolves when the server has stopped (after [`RpcHandle::stop`], or on its own).
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.handle.clone().stopped()
    }

    /// Stops accepting connections, closes open ones, and waits until the server has stopped.
    pub async fn stop(self) {
        // `stop` fails only if the server already stopped, which is what we want anyway.
        let _ = self.handle.stop();
        self.handle.stopped().await;
    }
}

/// Every method the server answers, `rpc_methods` included.
///
/// `allow_unsafe` decides whether unsafe methods run or answer Substrate's
/// "RPC call is unsafe to be called externally" (-32601); they are listed either way, as in Substrate.
/// Spawns the [`StorageWatch`] serving storage subscriptions within `watch_limits`, so it
/// must be called inside a tokio runtime.
pub fn rpc_module(
    backends: Backends,
    system_info: SystemInfo,
    allow_unsafe: bool,
    watch_limits: WatchLimits,
) -> Result<RpcModule<()>, RpcError> {
    let storage_watch = StorageWatch::spawn(backends.chain.clone(), watch_limits);
    let mut module = RpcModule::new(());
    module.merge(chain::Chain::new(backends.chain.clone()).into_rpc())?;
    module.merge(state::State::new(backends.chain.clone(), storage_watch).into_rpc())?;
    module.merge(author::Author::new(backends.pool.clone(), backends.keystore.clone(), allow_unsafe).into_rpc())?;
    module.merge(system::System::new(system_info, backends.network.clone(), backends.pool.clone()).into_rpc())?;
    module.merge(payment::Payment::new(backends.chain.clone()).into_rpc())?;
    module.merge(game_assets::GameAssets::new(backends.chain.clone()).into_rpc())?;
    module.merge(
        bridge::Bridge::new(backends.chain.clone(), backends.bridge_attester.clone(), allow_unsafe).into_rpc(),
    )?;

    let mut methods: Vec<String> = module.method_names().map(str::to_owned).collect();
    methods.push("rpc_methods".to_owned());
    methods.sort();
    let list = types::RpcMethodsList { methods };
    module.register_method("rpc_methods", move |_, _, _| Ok::<_, jsonrpsee::types::ErrorObjectOwned>(list.clone()))?;
    Ok(module)
}

/// Starts the server on `config.listen` and returns once it accepts connections.
pub async fn start(config: RpcConfig, backends: Backends, system_info: SystemInfo) -> Result<RpcHandle, RpcError> {
    let allow_unsafe = config.methods.allows_unsafe(&config.listen);
    let pool = backends.pool.clone();
    let module = rpc_module(backends, system_info, allow_unsafe, config.watch_limits)?;

    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|source| match source.kind() {
        std::io::ErrorKind::AddrInUse => RpcError::PortInUse { port: config.listen.port() },
        _ => RpcError::Bind { addr: config.listen, source },
    })?;
    let local_addr = listener.local_addr().map_err(|source| RpcError::Bind { addr: config.listen, source })?;
    let handle = server::spawn(listener, &config, module.into(), pool);
    tracing::info!(
        target: "rpc",
        %local_addr,
        unsafe_methods = allow_unsafe,
        max_connections = config.max_connections,
        max_connections_per_ip = config.max_connections_per_ip,
        idle_timeout = ?config.idle_timeout,
        "JSON-RPC server (HTTP and WebSocket) listening"
    );
    Ok(RpcHandle { handle, local_addr })
}
