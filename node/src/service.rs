//! Assembles and runs the node: the one place that knows how the parts fit.
//!
//! Start-up: logging, chain spec, database, keystore, executor, chain (writing genesis on
//! first start), transaction pool, RPC server, Prometheus endpoint (unless `--no-prometheus`);
//! then the tasks — the slot worker (if a validator), the pool maintainer, the idle reporter,
//! the metrics updater and the metrics server — until Ctrl-C or SIGTERM.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use ludus_chain_spec::ChainSpec;
use ludus_primitives::short;
use sp_consensus_aura::Slot;
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Header as HeaderT;

use crate::{
    authoring::{self, Candidate},
    chain::{Chain, ChainError},
    cli::RpcMethodsArg,
    consensus,
    executor::RuntimeExecutor,
    keystore,
    metrics::{self, Metrics, MetricsError},
    network::NetworkOptions,
    sync::{SyncEngine, SyncShared},
    txpool::{self, NodePool},
};

/// Everything the node needs to start, resolved from the command line.
pub struct NodeConfig {
    /// The chain spec.
    pub spec: ChainSpec,
    /// `<base>/chains/<id>`: holds `db/` and `keystore/`.
    pub chain_dir: PathBuf,
    /// The node's name.
    pub name: String,
    /// Whether to author blocks.
    pub validator: bool,
    /// Development names whose keys to add in memory (`Alice`, …).
    pub dev_keys: Vec<&'static str>,
    /// RPC port.
    pub rpc_port: u16,
    /// Listen for RPC on all interfaces.
    pub rpc_external: bool,
    /// Which RPC methods to serve.
    pub rpc_methods: RpcMethodsArg,
    /// Most RPC connections at once.
    pub rpc_max_connections: u32,
    /// Most RPC connections from one IP address at once.
    pub rpc_max_connections_per_ip: u32,
    /// Most RPC calls running at once.
    pub rpc_max_concurrent_calls: u32,
    /// How long an RPC connection may stay idle before it is closed; `None`: forever.
    pub rpc_idle_timeout: Option<std::time::Duration>,
    /// Log filter.
    pub log_filter: Option<String>,
    /// Where to serve Prometheus metrics; `None` with `--no-prometheus`.
    pub prometheus: Option<SocketAddr>,
    /// Peer-to-peer settings.
    pub network: NetworkOptions,
}

/// Why the node could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database could not be opened.
    #[error(transparent)]
    Storage(#[from] ludus_storage::StorageError),
    /// The chain could not be opened.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The keystore could not be opened.
    #[error(transparent)]
    Keystore(#[from] keystore::KeystoreError),
    /// The RPC server could not start.
    #[error("RPC server: {0}")]
    Rpc(String),
    /// The metrics could not be set up or their port opened.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// Networking could not start (a port in use, an unreadable node key).
    #[error("network: {0}")]
    Network(String),
    /// GRANDPA could not start (unreadable voter state).
    #[error("finality: {0}")]
    Finality(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// The default log filter. libp2p warns about things that are normal for us: republishing
/// gossip that is already out (messages are content-addressed, so duplicates are dropped by
/// design) and a Kademlia bootstrap before any peer is known (the first node of a network).
const DEFAULT_LOG: &str = "info,libp2p_gossipsub=error,libp2p_kad=error";

fn init_logging(filter: Option<&str>) {
    let filter =
        filter.map(str::to_owned).or_else(|| std::env::var("RUST_LOG").ok()).unwrap_or_else(|| DEFAULT_LOG.to_owned());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

/// GRANDPA's gossip period: round timers are twice it (Substrate's default for short slots).
const GOSSIP_DURATION: Duration = Duration::from_millis(333);

/// Runs the node until it is told to stop.
pub fn run(config: NodeConfig) -> Result<(), ServiceError> {
    init_logging(config.log_filter.as_deref());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ludus")
        // Workers and blocking threads run the runtime; with this stack they run it in place.
        .thread_stack_size(crate::executor::RUNTIME_THREAD_STACK_BYTES)
        .build()
        .map_err(ServiceError::Runtime)?;
    runtime.block_on(run_async(config))
}

async fn run_async(config: NodeConfig) -> Result<(), ServiceError> {
    let db_path = config.chain_dir.join("db").join("full");
    let database = ludus_storage::Database::open(&db_path)?;
    let keystore = keystore::open(Some(&config.chain_dir.join("keystore")))?;
    for name in &config.dev_keys {
        keystore::add_dev_keys(&keystore, name)?;
    }
    let executor = RuntimeExecutor::new(Some(keystore.clone()));
    let chain = Chain::open(database, executor, &config.spec)?;
    let info = chain.info();
    let version = crate::chain::native_version();
    let role = if config.validator { "validator" } else { "full node" };
    tracing::info!(target: "service", "Ludus node {} ({})", env!("CARGO_PKG_VERSION"), config.name);
    tracing::info!(target: "service", "Chain: {} ({}), genesis {:?}", config.spec.name(), config.spec.id(), info.genesis_hash);
    tracing::info!(target: "service", "Runtime: {} spec version {}", version.spec_name, version.spec_version);
    tracing::info!(target: "service", "Database: {}", db_path.display());
    tracing::info!(target: "service", "Role: {role}; best #{} ({}), finalized #{}", info.best_number, short(&info.best_hash), info.finalized_number);

    let pool = txpool::new_pool(chain.clone());

    let network_config =
        config.network.config(info.genesis_hash.to_fixed_bytes(), &config.name).map_err(ServiceError::Network)?;
    let should_have_peers = !network_config.boot_nodes.is_empty() || !network_config.reserved_nodes.is_empty();
    let (network, network_events) =
        ludus_network::start(network_config).map_err(|e| ServiceError::Network(e.to_string()))?;
    let shared = SyncShared::new(chain.clone(), network.local_peer_id().to_base58(), should_have_peers);

    // One GRANDPA authority whose key we hold: the dev chain, final at once, no voter needed.
    let instant_finality =
        config.validator && authoring::sole_finality_key(&chain, &keystore, info.genesis_hash)?.is_some();
    let mut tasks = tokio::task::JoinSet::new();
    let (grandpa, grandpa_out) = if instant_finality {
        tracing::info!(target: "grandpa", "Single finality authority held locally: every authored block is final at once");
        (None, None)
    } else {
        let grandpa_config = ludus_finality::GrandpaConfig {
            keystore: config.validator.then(|| keystore.clone()),
            state_dir: config.chain_dir.join("grandpa"),
            gossip_duration: GOSSIP_DURATION,
            name: config.name.clone(),
        };
        let (grandpa, outgoing, voter) =
            ludus_finality::Grandpa::start(Arc::new(crate::finality::GrandpaChain(chain.clone())), grandpa_config)
                .map_err(|e| ServiceError::Finality(e.to_string()))?;
        let hook = grandpa.clone();
        chain.set_import_hook(Box::new(move |header| hook.on_block_imported(header)));
        tasks.spawn(voter);
        (Some(grandpa), Some(outgoing))
    };
    let engine = SyncEngine::new(
        chain.clone(),
        network.clone(),
        pool.clone(),
        grandpa.clone(),
        shared.clone(),
        config.validator,
    )
    .map_err(|e| ServiceError::Network(format!("cannot start the block import thread: {e}")))?;
    tasks.spawn(engine.run(network_events, grandpa_out));
    tasks.spawn(prune_forks(chain.clone()));

    let rpc = crate::rpc_backend::start_rpc(&config, chain.clone(), pool.clone(), keystore.clone(), shared.clone())
        .await
        .map_err(ServiceError::Rpc)?;
    tracing::info!(target: "service", "RPC: ws/http://{}", rpc.local_addr());
    let prometheus = match config.prometheus {
        Some(addr) => {
            let metrics = Metrics::new(&metrics::NodeInfo {
                name: &config.name,
                version: env!("CARGO_PKG_VERSION"),
                chain: config.spec.name(),
                validator: config.validator,
            })?;
            // Bound before any task starts, so a taken port stops start-up with a clear error.
            let listener = match metrics::bind(addr).await {
                Ok(listener) => listener,
                Err(error) => {
                    rpc.stop().await;
                    return Err(error.into());
                }
            };
            let local = listener.local_addr().unwrap_or(addr);
            tracing::info!(target: "service", "Prometheus: http://{local}/metrics");
            Some((metrics, listener))
        }
        None => None,
    };

    tasks.spawn(txpool::maintain(chain.clone(), pool.clone()));
    tasks.spawn(idle_reporter(chain.clone(), pool.clone(), shared.clone()));
    let node_metrics = prometheus.map(|(node_metrics, listener)| {
        tasks.spawn(metrics::follow_chain(
            chain.clone(),
            pool.clone(),
            shared.clone(),
            grandpa.clone(),
            node_metrics.clone(),
        ));
        tasks.spawn(metrics::serve(listener, node_metrics.clone()));
        node_metrics
    });
    if config.validator {
        tasks.spawn(slot_worker(
            chain.clone(),
            pool.clone(),
            keystore.clone(),
            node_metrics,
            network.clone(),
            shared.clone(),
        ));
        tasks.spawn(crate::offchain::run_on_finality(chain.clone(), pool.clone(), true));
    }

    wait_for_shutdown().await;
    tracing::info!(target: "service", "Shutting down");
    tasks.abort_all();
    rpc.stop().await;
    Ok(())
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Wakes at each slot boundary and authors a block when the slot is ours.
async fn slot_worker(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    keystore: KeystorePtr,
    metrics: Option<Arc<Metrics>>,
    network: ludus_network::NetworkHandle,
    sync: Arc<SyncShared>,
) {
    let slot_duration = match chain.call_decoded::<sp_consensus_aura::SlotDuration>(
        chain.info().best_hash,
        "AuraApi_slot_duration",
        &[],
    ) {
        Ok(duration) => Duration::from_millis(duration.as_millis()),
        Err(error) => {
            tracing::error!(target: "authoring", "cannot read the slot duration, not authoring: {error}");
            return;
        }
    };
    tracing::info!(target: "authoring", "Authoring in {}ms slots", slot_duration.as_millis());
    loop {
        let now = ludus_primitives::now_ms();
        let duration_ms = slot_duration.as_millis() as u64;
        let next = (now / duration_ms + 1) * duration_ms;
        tokio::time::sleep(Duration::from_millis(next - now)).await;
        let slot: Slot = consensus::slot_at(ludus_primitives::now_ms(), duration_ms);
        if sync.is_major_syncing() {
            // Blocks built on a stale best would only fork the chain.
            tracing::debug!(target: "authoring", "slot {}: syncing, not authoring", *slot);
            continue;
        }
        // The previous slot's block may still be importing (a big block, a busy machine):
        // building now would fork off its parent. Give it up to a third of the slot.
        sync.imports_settled(slot_duration / 3).await;
        let (chain, pool, keystore, metrics) = (chain.clone(), pool.clone(), keystore.clone(), metrics.clone());
        let outcome = authoring::on_author_thread(move || {
            let candidates = pool.ready().into_iter().map(|tx| Candidate { hash: tx.hash, bytes: tx.data });
            let started = Instant::now();
            let result = authoring::author_slot(&chain, &keystore, slot, slot_duration, candidates);
            if let Ok(Some((_, built, _))) = &result {
                // Only slots where we built a block count; skipped slots would drag the histogram to zero.
                if let Some(metrics) = &metrics {
                    metrics.block_authored(started.elapsed());
                }
                pool.report_invalid(&built.invalid);
            }
            result
        })
        .await;
        match outcome {
            Ok(Ok(Some((block, built, finality)))) => {
                network.publish(ludus_network::Topic::BlockAnnounces, crate::sync::announcement(&block));
                if let Some(finality) = finality {
                    network.publish(ludus_network::Topic::Grandpa, finality.gossip);
                }
                tracing::info!(
                    target: "authoring",
                    "Authored #{} ({}) in slot {} with {} txs",
                    block.header.number(),
                    short(&block.header.hash()),
                    *slot,
                    built.included.len(),
                )
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => tracing::warn!(target: "authoring", "slot {}: authoring failed: {error}", *slot),
            Err(error) => tracing::error!(target: "authoring", "slot {}: authoring task failed: {error}", *slot),
        }
    }
}

/// Logs sync progress (or idleness), best and finalized every five seconds.
async fn idle_reporter(chain: Arc<Chain>, pool: Arc<NodePool>, sync: Arc<SyncShared>) {
    const PERIOD: Duration = Duration::from_secs(5);
    let mut interval = tokio::time::interval(PERIOD);
    interval.tick().await;
    let mut last_imported = sync.imported_from_peers();
    loop {
        interval.tick().await;
        let info = chain.info();
        let status = pool.status();
        let imported = sync.imported_from_peers();
        let bps = (imported - last_imported) as f64 / PERIOD.as_secs_f64();
        last_imported = imported;
        let peers = sync.peer_count();
        let state = match sync.target() {
            Some(target) if sync.is_major_syncing() => {
                format!("Syncing {bps:.1} bps, target=#{target} ({peers} peers)")
            }
            _ => format!("Idle ({peers} peers)"),
        };
        tracing::info!(
            target: "service",
            "{state}, best: #{} ({}), finalized #{} ({}), txpool: {} ready, {} future",
            info.best_number,
            short(&info.best_hash),
            info.finalized_number,
            short(&info.finalized_hash),
            status.ready,
            status.future,
        );
    }
}

/// How far behind finality abandoned forks are deleted: far enough that no import that
/// began before finality moved can still be executing on one of their states.
const PRUNE_FORKS_BEHIND: u32 = 32;

/// Deletes blocks of abandoned forks after each finality step.
async fn prune_forks(chain: Arc<Chain>) {
    let mut finalized = chain.subscribe_finalized();
    loop {
        match finalized.recv().await {
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        let up_to = chain.info().finalized_number.saturating_sub(PRUNE_FORKS_BEHIND);
        let chain = chain.clone();
        let outcome = tokio::task::spawn_blocking(move || chain.database().prune_forks(up_to)).await;
        if let Ok(Err(error)) = outcome {
            tracing::warn!(target: "storage", "pruning abandoned forks failed: {error}");
        }
    }
}
