//! Prometheus metrics, served on their own port (DESIGN.md, "Conventions").
//!
//! [`Metrics`] owns a `prometheus` registry with Substrate's metric names where one exists,
//! so dashboards and alerts written for Substrate nodes work unchanged:
//!
//! - `substrate_block_height{status="best"|"finalized"|"sync_target"}`: set by
//!   `informant::update_metrics` from the chain's best and finalized broadcasts, and the best block any
//!   peer reported;
//! - `substrate_sub_libp2p_peers_count`: connected peers;
//! - `substrate_finality_grandpa_round`, `ludus_finality_grandpa_set_id`: where GRANDPA is
//!   (0 on a chain that finalizes at once, whose single validator runs no voter);
//! - `substrate_ready_transactions_number`, `ludus_future_transactions_number`: the pool's
//!   counts, refreshed by `informant::update_metrics` every second;
//! - `ludus_txpool_turned_away_total{reason="full"|"sender"|"evicted"|"invalid"|"expired"}`:
//!   submissions the pool refused for being full or because their sender held its share, and
//!   accepted transactions it later evicted, found invalid or let expire (refreshed with the
//!   gauges);
//! - `substrate_proposer_block_constructed` (seconds to build a block) and
//!   `ludus_blocks_authored_total`: observed by the slot worker through
//!   [`Metrics::block_authored`];
//! - `substrate_build_info{name,version,chain}`, `substrate_node_roles`,
//!   `substrate_process_start_time_seconds`: constants set at start-up.
//!
//! Task: [`serve`] (the HTTP endpoint), spawned by `service`; the gauges are set by the
//! informant. This module depends on no other part of the node. The endpoint (hyper's HTTP/1
//! server) answers `GET /metrics` in the text exposition format 0.0.4 and nothing else: other
//! paths get 404, other methods 405. Clients are untrusted: the request head is bounded in
//! size and time, connections are capped, and a malformed request gets a 4xx answer (or, cut
//! short, a closed connection), never a panic.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use http_body_util::Full;
use hyper::{
    body::Bytes,
    header::{self, HeaderValue},
    server::conn::http1,
    service::service_fn,
    Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};

use prometheus::{
    exponential_buckets, Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use tokio::{net::TcpListener, sync::Semaphore};

/// Substrate's default Prometheus port.
pub const DEFAULT_PORT: u16 = 9615;
/// Largest request head read (hyper's smallest allowed buffer); a scrape request is a few
/// hundred bytes.
const MAX_HEAD: usize = 8 * 1024;
/// How long a client may take to send its request head, and again to read the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Most scrapes served at once; further clients wait in the listen backlog.
const MAX_CONNECTIONS: usize = 16;
/// The content type of the text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Why metrics could not be set up or served.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A metric could not be created or registered (a bug: names are fixed).
    #[error("Prometheus metric registration failed: {0}")]
    Registry(#[from] prometheus::Error),
    /// The listening socket could not be opened.
    #[error(
        "cannot listen for Prometheus on {addr}: {error}; choose another port with \
         --prometheus-port <PORT>, or turn metrics off with --no-prometheus"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        error: std::io::Error,
    },
}

/// Constant facts about this node, exported as labels and values.
pub struct NodeInfo<'a> {
    /// The node's name (`--name`).
    pub name: &'a str,
    /// The node's version.
    pub version: &'a str,
    /// The chain's name (`Development`, …).
    pub chain: &'a str,
    /// Whether the node authors blocks.
    pub validator: bool,
}

/// The node's metrics; cheap to share behind an `Arc`.
pub struct Metrics {
    registry: Registry,
    block_height: IntGaugeVec,
    ready_transactions: IntGauge,
    pool_turned_away: IntCounterVec,
    future_transactions: IntGauge,
    block_constructed: Histogram,
    blocks_authored: IntCounter,
    peers: IntGauge,
    grandpa_round: IntGauge,
    grandpa_set_id: IntGauge,
}

impl Metrics {
    /// Creates and registers every metric, setting the constant ones from `info`.
    pub fn new(info: &NodeInfo<'_>) -> Result<Arc<Self>, MetricsError> {
        let registry = Registry::new();
        let register = |metric: Box<dyn prometheus::core::Collector>| registry.register(metric);

        let block_height =
            IntGaugeVec::new(Opts::new("substrate_block_height", "Block height info of the chain"), &["status"])?;
        register(Box::new(block_height.clone()))?;
        let ready_transactions =
            IntGauge::new("substrate_ready_transactions_number", "Number of transactions in the ready queue")?;
        register(Box::new(ready_transactions.clone()))?;
        let pool_turned_away = IntCounterVec::new(
            Opts::new(
                "ludus_txpool_turned_away_total",
                "Submissions refused for a full pool, and accepted transactions evicted, invalidated or expired",
            ),
            &["reason"],
        )?;
        register(Box::new(pool_turned_away.clone()))?;
        let future_transactions = IntGauge::new(
            "ludus_future_transactions_number",
            "Number of transactions in the future queue (waiting for an earlier nonce)",
        )?;
        register(Box::new(future_transactions.clone()))?;
        // Substrate's buckets: 5 ms doubling up to ~2.5 s, beyond any sane block build.
        let block_constructed = Histogram::with_opts(
            HistogramOpts::new(
                "substrate_proposer_block_constructed",
                "Histogram of time taken to construct new block",
            )
            .buckets(exponential_buckets(0.005, 2.0, 10)?),
        )?;
        register(Box::new(block_constructed.clone()))?;
        let blocks_authored = IntCounter::new("ludus_blocks_authored_total", "Number of blocks this node authored")?;
        register(Box::new(blocks_authored.clone()))?;

        let build_info = IntGauge::with_opts(
            Opts::new("substrate_build_info", "A metric with a constant '1' value labeled by name, version and chain")
                .const_label("name", info.name)
                .const_label("version", info.version)
                .const_label("chain", info.chain),
        )?;
        build_info.set(1);
        register(Box::new(build_info))?;
        // Substrate's role bits: 1 full node, 2 light client, 4 authority.
        let roles = IntGauge::new("substrate_node_roles", "The roles the node is running as")?;
        roles.set(if info.validator { 4 } else { 1 });
        register(Box::new(roles))?;
        let start_time = IntGauge::new(
            "substrate_process_start_time_seconds",
            "Number of seconds between the UNIX epoch and the moment the process started",
        )?;
        let started = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        start_time.set(i64::try_from(started).unwrap_or(i64::MAX));
        register(Box::new(start_time))?;
        let peers = IntGauge::new("substrate_sub_libp2p_peers_count", "Number of connected peers")?;
        register(Box::new(peers.clone()))?;
        let grandpa_round = IntGauge::new("substrate_finality_grandpa_round", "Highest completed GRANDPA round.")?;
        register(Box::new(grandpa_round.clone()))?;
        let grandpa_set_id = IntGauge::new("ludus_finality_grandpa_set_id", "The current GRANDPA authority set id.")?;
        register(Box::new(grandpa_set_id.clone()))?;

        Ok(Arc::new(Self {
            registry,
            block_height,
            ready_transactions,
            pool_turned_away,
            future_transactions,
            block_constructed,
            blocks_authored,
            peers,
            grandpa_round,
            grandpa_set_id,
        }))
    }

    /// Sets `substrate_block_height{status="best"}`.
    pub fn set_best(&self, number: u32) {
        self.block_height.with_label_values(&["best"]).set(i64::from(number));
    }

    /// Sets `substrate_block_height{status="finalized"}`.
    pub fn set_finalized(&self, number: u32) {
        self.block_height.with_label_values(&["finalized"]).set(i64::from(number));
    }

    /// Sets the pool gauges.
    pub fn set_pool(&self, ready: usize, future: usize) {
        self.ready_transactions.set(i64::try_from(ready).unwrap_or(i64::MAX));
        self.future_transactions.set(i64::try_from(future).unwrap_or(i64::MAX));
    }

    /// Brings `ludus_txpool_turned_away_total` up to the pool's counters (which only grow).
    pub fn set_pool_counters(&self, counters: &ludus_txpool::PoolCounters) {
        for (reason, total) in [
            ("full", counters.refused_full),
            ("sender", counters.refused_sender),
            ("evicted", counters.evicted),
            ("invalid", counters.invalid),
            ("expired", counters.expired),
        ] {
            let counter = self.pool_turned_away.with_label_values(&[reason]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
    }

    /// Sets the peer count and `substrate_block_height{status="sync_target"}` (the best block
    /// any peer reported).
    pub fn set_network(&self, peers: usize, sync_target: Option<u32>) {
        self.peers.set(i64::try_from(peers).unwrap_or(i64::MAX));
        if let Some(target) = sync_target {
            self.block_height.with_label_values(&["sync_target"]).set(i64::from(target));
        }
    }

    /// Sets the GRANDPA round and authority set id.
    pub fn set_grandpa(&self, round: u64, set_id: u64) {
        self.grandpa_round.set(i64::try_from(round).unwrap_or(i64::MAX));
        self.grandpa_set_id.set(i64::try_from(set_id).unwrap_or(i64::MAX));
    }

    /// Records a block this node built and wrote, and how long building it took.
    pub fn block_authored(&self, took: Duration) {
        self.block_constructed.observe(took.as_secs_f64());
        self.blocks_authored.inc();
    }

    /// Every metric in the text exposition format 0.0.4.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Encoding into a Vec fails only on metric families the registry itself rejects.
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(target: "metrics", "encoding metrics failed: {error}");
        }
        out
    }
}

/// Opens the metrics port; the error names the flags that change it.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, MetricsError> {
    TcpListener::bind(addr).await.map_err(|error| MetricsError::Bind { addr, error })
}

/// Serves `GET /metrics` on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(IO_TIMEOUT)
        .max_buf_size(MAX_HEAD)
        // One scrape per connection: an idle kept-alive client would hold one of the few slots.
        .keep_alive(false)
        // Header names as in the exposition format's documentation (`Content-Type`).
        .title_case_headers(true);
    loop {
        // Taking a slot before accepting leaves excess clients in the kernel's backlog.
        let Ok(permit) = slots.clone().acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::debug!(target: "metrics", "accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = metrics.clone();
        let service = service_fn(move |request| {
            let response = respond(&request, &metrics);
            async move { Ok::<_, Infallible>(response) }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            let _permit = permit;
            // The header timeout bounds the request; this also bounds a client too slow to
            // read the answer.
            match tokio::time::timeout(IO_TIMEOUT * 2, connection).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::debug!(target: "metrics", "scrape connection: {error}"),
                Err(_) => tracing::debug!(target: "metrics", "scrape connection timed out"),
            }
        });
    }
}

/// The answer to `request`; hyper has already refused what does not parse as HTTP/1.
fn respond<B>(request: &Request<B>, metrics: &Metrics) -> Response<Full<Bytes>> {
    // hyper also accepts the authority (`GET host:80`) and asterisk (`GET *`) forms, which
    // name no resource here.
    let path = request.uri().path();
    if !path.starts_with('/') {
        return status_only(StatusCode::BAD_REQUEST);
    }
    if path != "/metrics" {
        return status_only(StatusCode::NOT_FOUND);
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = status_only(StatusCode::METHOD_NOT_ALLOWED);
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    // hyper drops the body of an answer to HEAD, keeping its Content-Length.
    let mut response = Response::new(Full::new(Bytes::from(metrics.encode())));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// An answer carrying only its status, repeated in a plain-text body for people with curl.
fn status_only(status: StatusCode) -> Response<Full<Bytes>> {
    let body = format!("{} {}\n", status.as_str(), status.canonical_reason().unwrap_or(""));
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpStream,
    };

    fn metrics() -> Arc<Metrics> {
        Metrics::new(&NodeInfo { name: "test-node", version: "1.2.3", chain: "Development", validator: true }).unwrap()
    }

    /// Starts the server on an ephemeral loopback port.
    async fn server(metrics: Arc<Metrics>) -> SocketAddr {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, metrics));
        addr
    }

    /// Sends `request` raw and returns the whole answer.
    async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The server may answer and close before reading an oversized request entirely.
        let _ = stream.write_all(request).await;
        // Half-close: the server sees the end of the request, as from a client that gave up.
        let _ = stream.shutdown().await;
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    fn status(response: &str) -> &str {
        response.split(' ').nth(1).unwrap_or("")
    }

    #[tokio::test]
    async fn get_metrics_returns_the_text_format_with_current_values() {
        let metrics = metrics();
        metrics.set_best(7);
        metrics.set_finalized(5);
        metrics.set_pool(3, 2);
        metrics.block_authored(Duration::from_millis(12));
        let addr = server(metrics).await;
        let response = exchange(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(status(&response), "200", "{response}");
        assert!(response.contains("Content-Type: text/plain; version=0.0.4\r\n"), "{response}");
        for line in [
            "substrate_block_height{status=\"best\"} 7",
            "substrate_block_height{status=\"finalized\"} 5",
            "substrate_ready_transactions_number 3",
            "ludus_future_transactions_number 2",
            "ludus_blocks_authored_total 1",
            "substrate_proposer_block_constructed_count 1",
            "substrate_node_roles 4",
            "substrate_build_info{chain=\"Development\",name=\"test-node\",version=\"1.2.3\"} 1",
        ] {
            assert!(response.lines().any(|l| l == line), "missing {line:?} in:\n{response}");
        }
        // The query string does not change the resource; HEAD gets headers only.
        assert_eq!(status(&exchange(addr, b"GET /metrics?x=1 HTTP/1.0\r\n\r\n").await), "200");
        let head = exchange(addr, b"HEAD /metrics HTTP/1.1\r\n\r\n").await;
        assert_eq!(status(&head), "200");
        assert!(head.ends_with("\r\n\r\n"), "HEAD answer has a body: {head}");
    }

    #[tokio::test]
    async fn other_paths_are_404_and_other_methods_405() {
        let addr = server(metrics()).await;
        assert_eq!(status(&exchange(addr, b"GET / HTTP/1.1\r\n\r\n").await), "404");
        assert_eq!(status(&exchange(addr, b"GET /metricsx HTTP/1.1\r\n\r\n").await), "404");
        let post = exchange(addr, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").await;
        assert_eq!(status(&post), "405", "{post}");
        assert!(post.contains("Allow: GET, HEAD\r\n"), "{post}");
    }

    #[tokio::test]
    async fn garbage_gets_400_or_431_and_the_server_keeps_serving() {
        let addr = server(metrics()).await;
        for garbage in [
            &b"hello\r\n\r\n"[..],
            b"GET\r\n\r\n",
            b"GET /metrics\r\n\r\n",
            b"GET metrics HTTP/1.1\r\n\r\n",
            b"GET * HTTP/1.1\r\n\r\n",
            b"GET /metrics SMTP/1.1\r\n\r\n",
            b"GET /metrics HTTP/1.1 extra\r\n\r\n",
            b"\xff\xfe\x00 /metrics HTTP/1.1\r\n\r\n",
        ] {
            let response = exchange(addr, garbage).await;
            assert_eq!(status(&response), "400", "{garbage:?} got {response}");
        }
        // A client that gives up before ending a request gets no answer, just the close.
        for unfinished in [&b"\r\n\r\n"[..], b"GET /metr"] {
            let response = exchange(addr, unfinished).await;
            assert_eq!(response, "", "{unfinished:?} got {response}");
        }
        let huge = format!("GET /metrics HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD * 4));
        assert_eq!(status(&exchange(addr, huge.as_bytes()).await), "431");
        // None of that hurt the server.
        assert_eq!(status(&exchange(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await), "200");
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_cut_off_after_the_timeout() {
        let addr = server(metrics()).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET /metrics HTTP/1.1\r\n").await.unwrap();
        let started = tokio::time::Instant::now();
        let mut out = Vec::new();
        // The read ends (EOF or reset) only because the server gave up on the head.
        let _ = stream.read_to_end(&mut out).await;
        assert!(started.elapsed() >= IO_TIMEOUT, "cut off after {:?}", started.elapsed());
        assert!(out.is_empty(), "an unfinished request was answered: {}", String::from_utf8_lossy(&out));
    }

    #[tokio::test]
    async fn a_taken_port_is_an_error_naming_the_flag() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error = bind(taken.local_addr().unwrap()).await.unwrap_err();
        assert!(error.to_string().contains("--prometheus-port"), "{error}");
    }
}
