//! The informant: what the node is doing, told to the operator. [`run`] logs one line every
//! few seconds (syncing or idle, peers, best and finalized blocks, transaction pool), as
//! Substrate's informant does; [`update_metrics`] keeps the Prometheus gauges in step.

use std::{sync::Arc, time::Duration};

use ludus_primitives::short;

use tokio::sync::broadcast::error::RecvError;

use crate::{adapters::txpool::NodePool, chain::Chain, metrics::Metrics, sync::SyncShared};

/// How often the pool, peer and GRANDPA gauges are refreshed (block heights follow events).
const METRICS_REFRESH: Duration = Duration::from_secs(1);

/// How often the informant reports.
const PERIOD: Duration = Duration::from_secs(5);

/// Logs sync progress (or idleness), best and finalized every [`PERIOD`]; never returns.
pub async fn run(chain: Arc<Chain>, pool: Arc<NodePool>, sync: Arc<SyncShared>) {
    let mut interval = tokio::time::interval(PERIOD);
    interval.tick().await;
    let mut last_imported = sync.imported_from_peers();
    let mut last_counters = pool.counters();
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
        let counters = pool.counters();
        if counters != last_counters {
            tracing::info!(
                target: "txpool",
                "Pool under pressure in the last {} s: {} submissions refused (full), {} refused (sender's share), {} accepted evicted, {} invalid, {} expired",
                PERIOD.as_secs(),
                counters.refused_full - last_counters.refused_full,
                counters.refused_sender - last_counters.refused_sender,
                counters.evicted - last_counters.evicted,
                counters.invalid - last_counters.invalid,
                counters.expired - last_counters.expired,
            );
            last_counters = counters;
        }
    }
}

/// Keeps the block-height, pool, peer and GRANDPA gauges in step with the chain, pool,
/// sync and finality; returns only when the chain's channels close.
pub async fn update_metrics(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    sync: Arc<SyncShared>,
    grandpa: Option<ludus_finality::Grandpa<ludus_network::PeerId>>,
    metrics: Arc<Metrics>,
) {
    let mut best = chain.subscribe_best();
    let mut finalized = chain.subscribe_finalized();
    let refresh_from_chain = |metrics: &Metrics| {
        let info = chain.info();
        metrics.set_best(info.best_number);
        metrics.set_finalized(info.finalized_number);
    };
    refresh_from_chain(&metrics);
    let mut interval = tokio::time::interval(METRICS_REFRESH);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = best.recv() => match event {
                Ok(header) => metrics.set_best(header.number),
                // Missed announcements: the chain's own view is the truth.
                Err(RecvError::Lagged(_)) => refresh_from_chain(&metrics),
                Err(RecvError::Closed) => return,
            },
            event = finalized.recv() => match event {
                Ok(header) => metrics.set_finalized(header.number),
                Err(RecvError::Lagged(_)) => refresh_from_chain(&metrics),
                Err(RecvError::Closed) => return,
            },
            _ = interval.tick() => {
                let status = pool.status();
                metrics.set_pool(status.ready, status.future);
                metrics.set_pool_counters(&pool.counters());
                metrics.set_network(sync.peer_count(), sync.target());
                if let Some(grandpa) = &grandpa {
                    let status = grandpa.status();
                    metrics.set_grandpa(status.round, status.set_id);
                }
            }
        }
    }
}
