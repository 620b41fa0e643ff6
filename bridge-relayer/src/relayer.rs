//! Assembly: connects to both chains, serves status and metrics, and runs each duty
//! (deposits, checkpoints, claims) as a task of its own that looks at the chains every poll
//! interval. A duty whose endpoint is down retries with back-off (doubling up to
//! [`MAX_BACKOFF`]), says so in one line, and says so again when the endpoint is back; it
//! never gives up, because the chains keep everything it has not done yet.

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::net::TcpListener;

use crate::{
    checkpoints::CheckpointPoster,
    claims::Claimer,
    config::Config,
    cursor::{Cursor, CursorError, CursorStore},
    deposits::DepositWatcher,
    l1::{L1Error, L1},
    ludus::{Ludus, LudusError},
    metrics::{serve_metrics, Metrics},
    status::{serve_status, Endpoint, Tracker},
};

/// The longest wait between retries of a failing duty.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// One look of a duty failed.
#[derive(Debug, thiserror::Error)]
pub enum DutyError {
    /// The L1 failed.
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The Ludus node failed.
    #[error(transparent)]
    Ludus(#[from] LudusError),
    /// The cursor could not be saved.
    #[error(transparent)]
    Cursor(#[from] CursorError),
}

/// The relayer could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayerError {
    /// A port is taken or not ours to bind.
    #[error("cannot listen on {addr} for the {what}: {source} (choose another with --{flag})")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// What would have been served there.
        what: &'static str,
        /// The flag choosing it.
        flag: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The metrics registry could not be built.
    #[error("cannot set up metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    /// The cursor's directory is unusable.
    #[error(transparent)]
    Cursor(#[from] CursorError),
    /// An endpoint's settings are unusable.
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The Ludus endpoint's settings are unusable.
    #[error(transparent)]
    Ludus(#[from] LudusError),
    /// The relayer is configured for another bridge than the one the Ludus node is bound to.
    #[error("{0}")]
    WrongBridge(String),
    /// A duty or server task ended, which none does on its own.
    #[error("a relayer task ended unexpectedly: {0}")]
    TaskEnded(String),
}

/// The cursor, shared by the duties and saved after each change.
#[derive(Clone)]
pub struct SharedCursor(Arc<Mutex<(Cursor, CursorStore)>>);

impl SharedCursor {
    /// The current cursor.
    pub fn get(&self) -> Cursor {
        self.0.lock().map(|guard| guard.0).unwrap_or_default()
    }

    /// Changes the cursor and saves it.
    pub fn update(&self, change: impl FnOnce(&mut Cursor)) -> Result<(), CursorError> {
        let Ok(mut guard) = self.0.lock() else { return Ok(()) };
        let (cursor, store) = &mut *guard;
        change(cursor);
        let cursor = *cursor;
        store.save(cursor)
    }
}

/// Runs one duty's look, forever, with back-off while it fails.
async fn run_duty<S, F>(name: &'static str, tracker: Tracker, poll: Duration, mut state: S, mut step: F)
where
    F: for<'a> FnMut(&'a mut S) -> std::pin::Pin<Box<dyn Future<Output = Result<(), DutyError>> + Send + 'a>>,
{
    let mut backoff = poll;
    let mut failing = false;
    loop {
        match step(&mut state).await {
            Ok(()) => {
                if failing {
                    tracing::info!(target: "relayer", "{name}: both chains answer again, catching up");
                    failing = false;
                }
                tracker.endpoint(Endpoint::L1, true);
                tracker.endpoint(Endpoint::Ludus, true);
                backoff = poll;
                tokio::time::sleep(poll).await;
            }
            Err(error) => {
                match &error {
                    DutyError::L1(L1Error::Rpc { .. }) => tracker.endpoint(Endpoint::L1, false),
                    DutyError::Ludus(LudusError::Rpc { .. }) => tracker.endpoint(Endpoint::Ludus, false),
                    _ => {}
                }
                tracker.error(name);
                if !failing {
                    tracing::warn!(target: "relayer", "{name}: {error}; retrying with back-off (up to {MAX_BACKOFF:?})");
                    failing = true;
                } else {
                    tracing::debug!(target: "relayer", "{name}: still failing: {error}");
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

async fn bind(addr: std::net::SocketAddr, what: &'static str, flag: &'static str) -> Result<TcpListener, RelayerError> {
    TcpListener::bind(addr).await.map_err(|source| RelayerError::Bind { addr, what, flag, source })
}

/// Checks that the L1 and contracts this relayer was given are the ones Ludus is bound to:
/// `Ok(Err(why))` when they are not, `Err` when an endpoint does not answer.
async fn check_binding(l1: &L1, ludus: &Ludus, config: &Config) -> Result<Result<(), String>, DutyError> {
    let chain_id = l1.chain_id().await?;
    let Some(params) = ludus.l1_params().await? else {
        return Ok(Err(format!(
            "the Ludus node at {} is bound to no L1 yet (root has not set the bridge's L1 parameters)",
            ludus.url()
        )));
    };
    let mut wrong = Vec::new();
    if params.chain_id != chain_id {
        wrong.push(format!(
            "the L1 at {} is chain {chain_id}, Ludus bridges to chain {}",
            config.l1_rpc, params.chain_id
        ));
    }
    if params.vault.0 != config.vault.0 .0 {
        wrong.push(format!("--vault is {}, Ludus's Vault is {:?}", config.vault, params.vault));
    }
    if params.checkpoints_contract.0 != config.checkpoints.0 .0 {
        wrong.push(format!("--checkpoints is {}, Ludus's is {:?}", config.checkpoints, params.checkpoints_contract));
    }
    Ok(if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("this relayer is not configured for the bridge the Ludus node runs: {}", wrong.join("; ")))
    })
}

/// Runs the relayer until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), RelayerError> {
    let mut store = CursorStore::open(&config.data_dir)?;
    let cursor = store.load().unwrap_or_default();
    tracing::info!(
        target: "relayer",
        "Starting at L1 block {} for deposits and withdrawal #{} (cursor in {})",
        cursor.deposit_scan_from, cursor.next_withdrawal.max(1), config.data_dir.display()
    );
    let cursor = SharedCursor(Arc::new(Mutex::new((cursor, store))));

    let metrics = Metrics::new()?;
    let tracker = Tracker::with_metrics(metrics.clone());
    let status_listener = bind(config.status_addr, "status API", "status-addr").await?;
    let metrics_listener = bind(config.metrics_addr, "Prometheus metrics", "metrics-addr").await?;
    tracing::info!(
        target: "relayer",
        "Status at http://{}/status, metrics at http://{}/metrics",
        status_listener.local_addr().unwrap_or(config.status_addr),
        metrics_listener.local_addr().unwrap_or(config.metrics_addr),
    );

    let l1 = Arc::new(L1::connect(
        &config.l1_rpc,
        config.vault,
        config.checkpoints,
        config.l1_key.as_deref(),
        config.confirmations,
    )?);
    let ludus = Ludus::new(&config.ludus_rpc)?;
    match l1.sender() {
        Some(sender) => tracing::info!(target: "relayer", "Paying L1 gas from {sender}"),
        None => {
            tracing::info!(target: "relayer", "No L1 key: watching and attesting only, posting and claiming nothing")
        }
    }
    let can_send = l1.sender().is_some();

    // A relayer pointed at another chain's contracts would attest and post for nothing (every
    // signature would be refused): refuse to start instead. Endpoints that are down at start
    // are waited for, as later.
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = config.poll_interval;
    let mut warned = false;
    loop {
        let checked = tokio::select! {
            () = &mut shutdown => return Ok(()),
            checked = check_binding(&l1, &ludus, &config) => checked,
        };
        match checked {
            Ok(Ok(())) => break,
            Ok(Err(why)) => return Err(RelayerError::WrongBridge(why)),
            Err(error) => {
                if !warned {
                    tracing::warn!(target: "relayer", "Waiting for both chains to answer: {error}");
                    warned = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(serve_status(status_listener, tracker.clone()));
    tasks.spawn(serve_metrics(metrics_listener, metrics));

    let watcher = DepositWatcher::new(l1.clone(), ludus.clone(), tracker.clone(), cursor.clone(), config.attest);
    tasks.spawn(run_duty("deposits", tracker.clone(), config.poll_interval, watcher, |w| Box::pin(w.step())));
    if config.post_checkpoints && can_send {
        let poster = CheckpointPoster::new(l1.clone(), ludus.clone(), tracker.clone());
        tasks.spawn(run_duty("checkpoints", tracker.clone(), config.poll_interval, poster, |p| Box::pin(p.step())));
    }
    let claimer = Claimer::new(
        l1.clone(),
        ludus.clone(),
        tracker.clone(),
        cursor.clone(),
        config.claim && can_send,
        config.min_fee,
    );
    tasks.spawn(run_duty("claims", tracker.clone(), config.poll_interval, claimer, |c| Box::pin(c.step())));

    // Duties and servers loop forever: one that ends (a panic) stops the relayer with an
    // error, so a service manager restarts it rather than it running without that duty.
    let outcome = tokio::select! {
        () = &mut shutdown => {
            tracing::info!(target: "relayer", "Stopping; the chains keep what is done and the cursor where we were");
            Ok(())
        }
        Some(ended) = tasks.join_next() => Err(RelayerError::TaskEnded(format!("{ended:?}"))),
    };
    tasks.abort_all();
    outcome
}
