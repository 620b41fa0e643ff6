//! Assembles and runs the node: the one place that knows how the parts fit.
//!
//! Start-up: logging, chain spec, database, keystore, executor, chain (writing genesis on
//! first start), transaction pool, network, GRANDPA, sync, RPC server, Prometheus endpoint
//! (unless `--no-prometheus`). Then every task runs in a [`TaskManager`] until Ctrl-C or
//! SIGTERM, or until one of them ends, which stops the node with the task's name
//! ([`crate::tasks`]): `network` (the libp2p swarm), `grandpa-voter` (unless the node alone
//! finalizes), `sync` (with its import thread), `fork-pruning`, `rpc-server`,
//! `txpool-maintenance`, `informant`, `metrics-updater` and `metrics-server` (unless
//! `--no-prometheus`), and on validators `slot-worker` and `offchain-workers`.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use ludus_chain_spec::ChainSpec;
use ludus_primitives::short;

use crate::{
    adapters::network::NetworkOptions,
    adapters::txpool,
    chain::pruning,
    chain::{Chain, ChainError},
    consensus::authoring,
    consensus::slot_worker,
    executor::RuntimeExecutor,
    informant, keystore,
    metrics::{self, Metrics, MetricsError},
    sync::{SlotPropagation, SyncEngine, SyncShared},
    tasks::{TaskEnded, TaskManager},
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
    /// The RPC server's settings.
    pub rpc: ludus_rpc::RpcConfig,
    /// Log filter.
    pub log_filter: Option<String>,
    /// Where to serve Prometheus metrics; `None` with `--no-prometheus`.
    pub prometheus: Option<SocketAddr>,
    /// Bytes of the shared trie cache (0: none).
    pub trie_cache_bytes: usize,
    /// Free disk space below which the database writes nothing (`--db-reserved-space`).
    pub db_reserved_bytes: u64,
    /// Bound on the transaction pool (`--pool-limit`, `--pool-kbytes`).
    pub pool_limit: ludus_txpool::Limit,
    /// Peer-to-peer settings.
    pub network: NetworkOptions,
    /// The runtimes this release carries.
    pub runtimes: crate::executor::Runtimes,
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
    Rpc(#[from] ludus_rpc::RpcError),
    /// The metrics could not be set up or their port opened.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// Networking could not start (a port in use, an unreadable node key).
    #[error("network: {0}")]
    Network(#[from] ludus_network::NetworkError),
    /// GRANDPA could not start (unreadable voter state).
    #[error("finality: {0}")]
    Finality(#[from] ludus_finality::FinalityError),
    /// The block import thread could not start.
    #[error("cannot start the block import thread: {0}")]
    ImportThread(std::io::Error),
    /// An essential task ended.
    #[error(transparent)]
    TaskEnded(#[from] TaskEnded),
    /// The chain runs, or is about to run, a runtime this release does not carry.
    #[error(transparent)]
    Upgrade(#[from] crate::upgrade::UpgradeError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// The default log filter. libp2p warns about things that are normal for us: republishing
/// gossip that is already out (messages are content-addressed, so duplicates are dropped by
/// design) and a Kademlia bootstrap before any peer is known (the first node of a network).
const DEFAULT_LOG: &str = "info,libp2p_gossipsub=error,libp2p_kad=error";

/// The target of FRAME's executive's spans. It opens an INFO span per block and per
/// extrinsic whose fields are the whole block (`?block`) and the extrinsic's hex; the
/// runtime is native, so they reach our subscriber, which formats those fields when each
/// span opens: 4 % of a loaded node's CPU, for context no log line at `info` shows. Its
/// log lines have another target (`runtime::executive`) and are not affected.
const EXECUTIVE_SPANS: &str = "frame_executive";

/// `filter` (or `RUST_LOG`, or [`DEFAULT_LOG`]), with the executive's spans off unless it
/// names their target itself (`frame_executive=info` brings them back).
fn log_filter(filter: Option<&str>) -> String {
    let filter =
        filter.map(str::to_owned).or_else(|| std::env::var("RUST_LOG").ok()).unwrap_or_else(|| DEFAULT_LOG.to_owned());
    if filter.contains(EXECUTIVE_SPANS) {
        filter
    } else {
        format!("{filter},{EXECUTIVE_SPANS}=warn")
    }
}

fn init_logging(filter: Option<&str>) {
    let filter = log_filter(filter);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

/// GRANDPA's gossip period: round timers are twice and four times it.
const GOSSIP_DURATION: Duration = Duration::from_millis(200);

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
    let database = ludus_storage::Database::open_with_trie_cache(&db_path, config.trie_cache_bytes)?;
    database.reserve_disk_space(config.db_reserved_bytes);
    // A damaged database stops the node here, with what is wrong and what to do, rather than
    // after it has started and fails far from the cause.
    // parity-db may panic on a missing file; the check turns that into its error, and the
    // default hook's backtrace would only bury the message that says what to do.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let checked = database.check();
    std::panic::set_hook(hook);
    if let Some(report) = checked? {
        tracing::info!(
            target: "storage",
            "Database checked in {} ms: blocks #{} to #{} linked, {} state entries of the best and finalized blocks readable",
            report.elapsed.as_millis(),
            report.finalized.0,
            report.best.0,
            report.state_entries,
        );
    }
    let keystore = keystore::open(Some(&config.chain_dir.join("keystore")))?;
    for name in &config.dev_keys {
        keystore::add_dev_keys(&keystore, name)?;
    }
    let executor = RuntimeExecutor::new(Some(keystore.clone())).with_runtimes(config.runtimes.clone());
    let chain = Chain::open(database, executor, &config.spec)?;
    let info = chain.info();
    let role = if config.validator { "validator" } else { "full node" };
    tracing::info!(target: "service", "Ludus node {} ({})", env!("CARGO_PKG_VERSION"), config.name);
    tracing::info!(target: "service", "Chain: {} ({}), genesis {:?}", config.spec.name(), config.spec.id(), info.genesis_hash);
    tracing::info!(
        target: "service",
        "Runtime: {} {} at the best block; this release carries {}",
        config.runtimes.genesis().version.spec_name,
        chain.runtime_at(info.best_hash)?,
        config.runtimes.describe(),
    );
    // A release that cannot execute the chain's next block stops here, saying what to install.
    crate::upgrade::check(&chain)?;
    tracing::info!(target: "service", "Database: {}", db_path.display());
    tracing::info!(target: "service", "Role: {role}; best #{} ({}), finalized #{}", info.best_number, short(&info.best_hash), info.finalized_number);

    let mut tasks = TaskManager::new();
    let pool = txpool::new_pool(chain.clone(), config.pool_limit);

    let network_config = config.network.config(info.genesis_hash.to_fixed_bytes(), &config.name)?;
    let should_have_peers = !network_config.boot_nodes.is_empty() || !network_config.reserved_nodes.is_empty();
    let (network, network_events, network_worker) = ludus_network::build(network_config)?;
    tasks.spawn_essential("network", network_worker.run());
    let shared = SyncShared::new(chain.clone(), network.local_peer_id().to_base58(), should_have_peers);

    // One GRANDPA authority whose key we hold: the dev chain, final at once, no voter needed.
    let instant_finality =
        config.validator && authoring::sole_finality_key(&chain, &keystore, info.genesis_hash)?.is_some();
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
        let (grandpa, outgoing, voter) = ludus_finality::Grandpa::start(
            Arc::new(crate::adapters::finality::GrandpaChain(chain.clone())),
            grandpa_config,
        )?;
        let hook = grandpa.clone();
        chain.set_import_hook(Box::new(move |header| hook.on_block_imported(header)));
        tasks.spawn_essential("grandpa-voter", voter);
        (Some(grandpa), Some(outgoing))
    };
    let (engine, import) = SyncEngine::new(
        chain.clone(),
        network.clone(),
        pool.clone(),
        grandpa.clone(),
        shared.clone(),
        config.validator,
    );
    tasks
        .spawn_essential_thread("block-import", crate::executor::RUNTIME_THREAD_STACK_BYTES, move || import.run())
        .map_err(ServiceError::ImportThread)?;
    tasks.spawn_essential("sync", engine.run(network_events, grandpa_out));
    tasks.spawn_essential("fork-pruning", pruning::run(chain.clone()));

    let rpc = crate::adapters::rpc::start_rpc(
        config.rpc.clone(),
        &config.spec,
        chain.clone(),
        pool.clone(),
        keystore.clone(),
        shared.clone(),
    )
    .await?;
    tracing::info!(target: "service", "RPC: ws/http://{}", rpc.local_addr());
    tasks.spawn_essential("rpc-server", rpc.stopped());
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

    tasks.spawn_fallible("upgrade", crate::upgrade::watch(chain.clone()));
    tasks.spawn_essential("txpool-maintenance", txpool::maintain(chain.clone(), pool.clone()));
    tasks.spawn_essential("informant", informant::run(chain.clone(), pool.clone(), shared.clone()));
    let node_metrics = prometheus.map(|(node_metrics, listener)| {
        tasks.spawn_essential(
            "metrics-updater",
            informant::update_metrics(
                chain.clone(),
                pool.clone(),
                shared.clone(),
                grandpa.clone(),
                node_metrics.clone(),
            ),
        );
        tasks.spawn_essential("metrics-server", metrics::serve(listener, node_metrics.clone()));
        node_metrics
    });
    if config.validator {
        let propagation = Arc::new(SlotPropagation::new(shared.clone(), network.clone()));
        tasks.spawn_fallible(
            "slot-worker",
            slot_worker::run(chain.clone(), pool.clone(), keystore.clone(), node_metrics, propagation),
        );
        tasks.spawn_essential("offchain-workers", crate::offchain::run_on_finality(chain.clone(), pool.clone(), true));
    }

    let outcome = tasks.run_until_shutdown(wait_for_shutdown()).await;
    match &outcome {
        Ok(()) => tracing::info!(target: "service", "Shutting down"),
        Err(ended) => tracing::error!(target: "service", "{ended}"),
    }
    rpc.stop().await;
    tasks.shutdown().await;
    Ok(outcome?)
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

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing::Level;

    #[test]
    fn the_executives_spans_are_off_unless_the_filter_names_them() {
        assert_eq!(log_filter(Some("debug")), "debug,frame_executive=warn");
        assert_eq!(log_filter(Some("info,frame_executive=info")), "info,frame_executive=info");
        let subscriber = tracing_subscriber::fmt().with_env_filter(log_filter(Some("info"))).finish();
        tracing::subscriber::with_default(subscriber, || {
            assert!(!tracing::span_enabled!(target: "frame_executive", Level::INFO), "the per-extrinsic span");
            assert!(tracing::event_enabled!(target: "runtime::executive", Level::INFO), "the executive's log lines");
            assert!(tracing::event_enabled!(target: "ludus_node", Level::INFO));
        });
    }
}
