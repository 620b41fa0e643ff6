//! Starting real `ludus-node` processes and talking to them the way an operator and a
//! wallet would: command-line flags, a data directory, JSON-RPC over HTTP (hyper's client,
//! one connection per request).
//!
//! Every node gets a fresh RPC port, a fresh Prometheus port (unless the test sets a
//! `--prometheus-port` or `--no-prometheus` itself) and its own temporary base path; its stderr goes to
//! `<base>/node.log`, whose tail is printed when a test panics while the node is alive.
//! Children are killed on drop, so a failing test never leaves a node behind. Every wait
//! polls with a bounded timeout and panics with what it was waiting for.

use std::{
    fs::{File, OpenOptions},
    future::Future,
    io::{BufRead, BufReader},
    net::{IpAddr, SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Output, Stdio},
    sync::{mpsc, OnceLock},
    thread,
    time::{Duration, Instant},
};

use http_body_util::{BodyExt, Full};
use hyper::{
    body::Bytes,
    header::{self, HeaderValue},
    HeaderMap, Request,
};
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use serde_json::{json, Value};
use tempfile::TempDir;

/// How long a node may take from spawn until its RPC answers.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a node may take to exit after SIGTERM.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// Interval between polls of RPC state.
const POLL: Duration = Duration::from_millis(50);
/// How long one HTTP request may take, connecting included.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the node's log printed when a test fails.
const LOG_TAIL_LINES: usize = 40;

/// The `ludus-node` binary under test: the one cargo built for this test run, or
/// `$LUDUS_NODE_BIN` to test another build.
pub fn node_binary() -> PathBuf {
    let path = std::env::var_os("LUDUS_NODE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ludus-node")));
    assert!(path.is_file(), "no ludus-node binary at {}", path.display());
    path
}

/// The `ludus-node-next` binary (this release plus the next runtime) cargo built for this test
/// run, or `$LUDUS_NODE_NEXT_BIN`.
pub fn next_node_binary() -> PathBuf {
    let path = std::env::var_os("LUDUS_NODE_NEXT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ludus-node-next")));
    assert!(path.is_file(), "no ludus-node-next binary at {}", path.display());
    path
}

/// A port nobody listens on right now (the OS picks it; we release it for the node), and
/// never one this test process handed out before: released, a port can come back from the OS
/// at the next call, and a node given it for both RPC and Prometheus fails to start.
pub fn free_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on loopback");
        let port = listener.local_addr().expect("a bound socket has an address").port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            return port;
        }
    }
}

/// A free port below the kernel's ephemeral range (32768 and up on Linux), for a node's
/// peer-to-peer port that must survive restarts: while the node is down, no outgoing
/// connection of any process can take it as its source port, as one can take a port the
/// kernel handed out once.
pub fn stable_port() -> u16 {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    for _ in 0..1_000 {
        let port = rng.gen_range(20_000..32_000);
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in 20000..32000");
}

/// Runs `ludus-node args…` to completion (a subcommand, or a node expected to exit) and
/// returns its output; panics if it runs longer than `timeout`.
pub fn run_cli(args: &[&str], timeout: Duration) -> Output {
    run_command(Command::new(node_binary()).args(args).env("NO_COLOR", "1"), timeout)
}

/// Runs `command` to completion and returns its output; kills it and panics if it runs
/// longer than `timeout`.
pub fn run_command(command: &mut Command, timeout: Duration) -> Output {
    let description = format!("{command:?}");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {description}: {e}"));
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    // Reading both pipes while waiting needs a thread; the channel gives us the timeout.
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(timeout) {
        Ok(output) => output.unwrap_or_else(|e| panic!("collect the output of {description}: {e}")),
        Err(_) => {
            // The waiting thread has not reaped the child yet, so the pid is still ours.
            signal(pid, libc::SIGKILL);
            panic!("{description} still running after {timeout:?}; killed it");
        }
    }
}

/// Sends `sig` to process `pid`.
#[allow(unsafe_code)]
fn signal(pid: u32, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).expect("pids fit in pid_t");
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; the pid is our
    // own child's, which we have not reaped yet, so it cannot name another process.
    let _ = unsafe { libc::kill(pid, sig) };
}

/// A JSON-RPC error object.
#[derive(Debug, Clone)]
pub struct RpcError {
    /// The error code (`-32700`, `1010`, …).
    pub code: i64,
    /// The human-readable message.
    pub message: String,
    /// Extra detail, if any.
    pub data: Option<Value>,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RPC error {}: {}", self.code, self.message)?;
        if let Some(data) = &self.data {
            write!(f, " ({data})")?;
        }
        Ok(())
    }
}

/// An HTTP response: status code, headers and body.
#[derive(Debug)]
pub struct HttpResponse {
    /// The status code (200, 413, …).
    pub status: u16,
    /// The response headers.
    #[allow(dead_code)]
    pub headers: HeaderMap,
    /// The body (hyper has undone any chunked transfer encoding).
    pub body: String,
}

impl HttpResponse {
    /// The body as JSON; panics (showing the body) if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("HTTP {} body is not JSON ({e}): {}", self.status, self.body))
    }
}

/// POSTs `body` as JSON to `http://addr/` over a fresh connection; the body need not be valid
/// JSON, so that tests can send what no JSON-RPC client library would.
pub fn http_post(addr: SocketAddr, body: &[u8]) -> std::io::Result<HttpResponse> {
    let body = body.to_vec();
    wait_on_http_runtime(async move { http_post_from(None, addr, body).await })
}

/// GETs `url` (`http://…`) over a fresh connection.
#[allow(dead_code)]
pub fn http_get(url: &str) -> std::io::Result<HttpResponse> {
    let request = Request::get(url).body(Full::default()).map_err(std::io::Error::other)?;
    wait_on_http_runtime(send(request, None))
}

/// POSTs `body` as JSON to `http://addr/` over a fresh connection from local address `source`
/// (another loopback address stands for another client); `None` lets the OS choose.
pub async fn http_post_from(source: Option<IpAddr>, addr: SocketAddr, body: Vec<u8>) -> std::io::Result<HttpResponse> {
    let request = Request::post(format!("http://{addr}/"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(std::io::Error::other)?;
    send(request, source).await
}

/// Sends `request` over a connection of its own and reads the whole answer, within
/// [`HTTP_TIMEOUT`].
async fn send(mut request: Request<Full<Bytes>>, source: Option<IpAddr>) -> std::io::Result<HttpResponse> {
    let mut connector = HttpConnector::new();
    connector.set_local_address(source);
    connector.set_connect_timeout(Some(HTTP_TIMEOUT));
    // No pooled connections: an idle one would hold one of the server's connection slots,
    // which the connection-limit tests count.
    let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(connector);
    request.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    let exchange = async {
        let response = client.request(request).await.map_err(std::io::Error::other)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(std::io::Error::other)?.to_bytes();
        Ok(HttpResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    };
    tokio::time::timeout(HTTP_TIMEOUT, exchange)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, format!("no answer within {HTTP_TIMEOUT:?}")))?
}

/// Runs `request` on the harness's own runtime and waits for it. Spawning and waiting on a
/// channel, rather than `block_on`, lets tests call the synchronous helpers from inside
/// their own runtimes too.
fn wait_on_http_runtime<T: Send + 'static>(request: impl Future<Output = T> + Send + 'static) -> T {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("e2e-http")
            .enable_all()
            .build()
            .expect("start the harness's HTTP runtime")
    });
    let (tx, rx) = mpsc::channel();
    runtime.spawn(async move {
        let _ = tx.send(request.await);
    });
    rx.recv().expect("the HTTP task ended without an answer")
}

/// Calls `method` with `params` at `addr`; the JSON-RPC result, or its error object.
pub fn rpc_call_at(addr: SocketAddr, method: &str, params: Value) -> Result<Value, RpcError> {
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let response = http_post(addr, request.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("HTTP request {method} to {addr} failed: {e}"))
        .json();
    response_result(method, response)
}

/// The `result` of a JSON-RPC response, or its `error` as an [`RpcError`].
pub fn response_result(method: &str, mut response: Value) -> Result<Value, RpcError> {
    if let Some(error) = response.get("error") {
        return Err(RpcError {
            code: error["code"].as_i64().unwrap_or_else(|| panic!("{method}: error without a code: {error}")),
            message: error["message"].as_str().unwrap_or_default().to_string(),
            data: error.get("data").cloned(),
        });
    }
    match response.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => panic!("{method}: response has neither result nor error: {response}"),
    }
}

/// Parses a hex quantity (`"0x1f"`) or a JSON number as a block number.
pub fn block_number(value: &Value) -> u64 {
    match value {
        Value::Number(n) => n.as_u64().unwrap_or_else(|| panic!("block number {n} is not a u64")),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16)
            .unwrap_or_else(|_| panic!("block number {s:?} is not hex")),
        other => panic!("block number {other} is neither a number nor a hex string"),
    }
}

/// A running (or stopped) `ludus-node` with its own base path.
pub struct Node {
    child: Option<Child>,
    /// The executable, [`node_binary`] unless the test chose another.
    binary: PathBuf,
    /// Flags other than `--base-path`, `--rpc-port` and the harness's own
    /// `--prometheus-port`, reused by [`Node::restart`].
    args: Vec<String>,
    port: u16,
    /// The peer-to-peer port the harness chose (kept across restarts so peers find the node
    /// again), unless the test set `--port` or `--listen-addr` itself.
    p2p_port: Option<u16>,
    /// The Prometheus port the harness chose, if the test set no Prometheus flag.
    prometheus_port: Option<u16>,
    /// Environment variables set for the process, on every run (e.g. libfaketime's).
    env: Vec<(String, String)>,
    log_path: PathBuf,
    base: TempDir,
}

impl Node {
    /// `ludus-node --dev`: authors and finalizes a block every slot.
    pub fn dev() -> Node {
        Node::start(&["--dev"])
    }

    /// `ludus-node args… --base-path <fresh tempdir> --rpc-port <free port>`, once its RPC
    /// answers; also `--prometheus-port <free port>` unless `args` has a Prometheus flag, so
    /// that parallel nodes never collide on the default port 9615.
    pub fn start(args: &[&str]) -> Node {
        Node::start_with_env(args, &[])
    }

    /// [`Node::start`] with extra environment variables, kept across restarts.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Node {
        Node::start_binary(&node_binary(), args, env)
    }

    /// [`Node::start_with_env`] of another executable (another release).
    pub fn start_binary(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> Node {
        let base = tempfile::Builder::new().prefix("ludus-e2e-").tempdir().expect("create a tempdir");
        let log_path = base.path().join("node.log");
        let mut node = Node {
            child: None,
            binary: binary.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            port: 0,
            p2p_port: None,
            prometheus_port: None,
            env: env.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect(),
            log_path,
            base,
        };
        node.spawn();
        node
    }

    /// The node's data directory (`--base-path`).
    pub fn base_path(&self) -> &Path {
        self.base.path()
    }

    /// The RPC address (loopback, even when the node listens on all interfaces).
    pub fn rpc_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Where the node serves Prometheus metrics, if the harness chose the port.
    #[allow(dead_code)]
    pub fn prometheus_addr(&self) -> Option<SocketAddr> {
        self.prometheus_port.map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// The process id while the node runs (for CPU and memory figures; the load bench).
    #[allow(dead_code)]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The node's libp2p peer id, from its start-up log line (Substrate's wording).
    pub fn peer_id(&self) -> String {
        const NEEDLE: &str = "Local node identity is: ";
        let line = self.log_lines_with(NEEDLE).pop().unwrap_or_else(|| panic!("no `{NEEDLE}` line in the log"));
        let (_, id) = line.split_once(NEEDLE).expect("the line has the needle");
        id.trim().to_owned()
    }

    /// The address other nodes use to reach this one: `/ip4/127.0.0.1/tcp/<port>/p2p/<peer id>`.
    pub fn multiaddr(&self) -> String {
        let port = self.p2p_port.expect("the harness chose this node's p2p port");
        format!("/ip4/127.0.0.1/tcp/{port}/p2p/{}", self.peer_id())
    }

    /// The WebSocket URL of the RPC server.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.rpc_addr())
    }

    /// Everything the node has logged so far (all runs on this base path).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn spawn(&mut self) {
        self.start_process();
        self.wait_for_rpc();
    }

    /// Starts the process on fresh RPC and Prometheus ports, its stderr appended to the log.
    fn start_process(&mut self) {
        assert!(self.child.is_none(), "node already running");
        // A fresh port each run: the old one may still be in TIME_WAIT or taken by a sibling test.
        self.port = free_port();
        let sets_prometheus =
            self.args.iter().any(|arg| arg.starts_with("--prometheus-port") || arg == "--no-prometheus");
        self.prometheus_port = (!sets_prometheus).then(free_port);
        let sets_p2p = self.args.iter().any(|arg| arg == "--port" || arg == "--listen-addr");
        if !sets_p2p && self.p2p_port.is_none() {
            self.p2p_port = Some(stable_port());
        }
        let log = OpenOptions::new().create(true).append(true).open(&self.log_path).expect("open the node log");
        let mut command = Command::new(&self.binary);
        command.args(&self.args).arg("--base-path").arg(self.base.path()).arg("--rpc-port").arg(self.port.to_string());
        if let Some(port) = self.prometheus_port {
            command.arg("--prometheus-port").arg(port.to_string());
        }
        if let Some(port) = self.p2p_port {
            command.arg("--listen-addr").arg(format!("/ip4/127.0.0.1/tcp/{port}"));
        }
        let child = command
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn ludus-node");
        self.child = Some(child);
    }

    fn wait_for_rpc(&mut self) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().expect("poll the child")) {
                self.child = None;
                panic!(
                    "ludus-node exited with {status} before its RPC answered; log:\n{}",
                    self.log_tail(LOG_TAIL_LINES)
                );
            }
            let request = json!({ "jsonrpc": "2.0", "id": 1, "method": "system_health", "params": [] });
            if let Ok(response) = http_post(self.rpc_addr(), request.to_string().as_bytes()) {
                if response.status == 200 && response.body.contains("\"result\"") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "ludus-node RPC on {} did not answer system_health within {STARTUP_TIMEOUT:?}; log:\n{}",
                self.rpc_addr(),
                self.log_tail(LOG_TAIL_LINES)
            );
            thread::sleep(POLL);
        }
    }

    /// Calls `method`; its result, panicking (with the log tail) on an RPC error.
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params.clone()).unwrap_or_else(|e| panic!("{method}({params}) failed: {e}"))
    }

    /// Calls `method`; its result or the RPC error.
    pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        rpc_call_at(self.rpc_addr(), method, params)
    }

    /// The dev chain's genesis hash, as RPC reports it.
    pub fn genesis_hash(&self) -> String {
        self.block_hash(0).expect("every chain has a genesis block")
    }

    /// The hash of canonical block `n`, if the node has it.
    pub fn block_hash(&self, n: u64) -> Option<String> {
        match self.rpc("chain_getBlockHash", json!([n])) {
            Value::Null => None,
            Value::String(hash) => Some(hash),
            other => panic!("chain_getBlockHash({n}) returned {other}"),
        }
    }

    /// The header with `hash`.
    pub fn header(&self, hash: &str) -> Value {
        let header = self.rpc("chain_getHeader", json!([hash]));
        assert!(header.is_object(), "chain_getHeader({hash}) returned {header}");
        header
    }

    /// The best block's number.
    pub fn best_number(&self) -> u64 {
        block_number(&self.rpc("chain_getHeader", json!([]))["number"])
    }

    /// The last finalized block's number.
    pub fn finalized_number(&self) -> u64 {
        let hash = self.rpc("chain_getFinalizedHead", json!([]));
        let hash = hash.as_str().unwrap_or_else(|| panic!("chain_getFinalizedHead returned {hash}"));
        block_number(&self.header(hash)["number"])
    }

    /// Waits until the best block is at least `n`; returns the best number seen.
    pub fn wait_for_best(&self, n: u64, timeout: Duration) -> u64 {
        self.wait_for(&format!("best block #{n}"), timeout, || Some(self.best_number()).filter(|best| *best >= n))
    }

    /// Waits until the finalized block is at least `n`; returns the finalized number seen.
    pub fn wait_for_finalized(&self, n: u64, timeout: Duration) -> u64 {
        self.wait_for(&format!("finalized block #{n}"), timeout, || {
            Some(self.finalized_number()).filter(|finalized| *finalized >= n)
        })
    }

    /// Polls `check` until it returns `Some`, or panics naming `what` after `timeout`.
    pub fn wait_for<T>(&self, what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what} (best #{}); log:\n{}",
                self.best_number(),
                self.log_tail(LOG_TAIL_LINES)
            );
            thread::sleep(POLL);
        }
    }

    /// SIGKILL: the node gets no chance to flush or clean up.
    pub fn kill_9(&mut self) {
        let mut child = self.child.take().expect("kill_9 on a node that is not running");
        // `Child::kill` sends SIGKILL on unix.
        child.kill().expect("SIGKILL the node");
        child.wait().expect("reap the killed node");
    }

    /// SIGSTOP: the process freezes (no slot, no vote, no answer) until [`Node::resume`],
    /// as a validator does whose machine hangs or whose VM is paused.
    pub fn pause(&self) {
        let child = self.child.as_ref().expect("pause on a node that is not running");
        signal(child.id(), libc::SIGSTOP);
    }

    /// SIGCONT after [`Node::pause`].
    pub fn resume(&self) {
        let child = self.child.as_ref().expect("resume on a node that is not running");
        signal(child.id(), libc::SIGCONT);
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("stop on a node that is not running");
        signal(child.id(), libc::SIGTERM);
        let deadline = Instant::now() + SHUTDOWN_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait().expect("poll the child") {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("ludus-node ignored SIGTERM for {SHUTDOWN_TIMEOUT:?}; log:\n{}", self.log_tail(LOG_TAIL_LINES));
            }
            thread::sleep(POLL);
        }
    }

    /// Starts the node again on the same base path with the same flags (after a stop or kill).
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// What an operator installing a release does: stops the node (SIGTERM) if it runs, and
    /// starts `binary` on the same base path with the same flags.
    pub fn restart_as(&mut self, binary: &Path) {
        if self.child.is_some() {
            let status = self.stop();
            assert!(status.success(), "the node stopped with {status}; log:\n{}", self.log_tail(LOG_TAIL_LINES));
        }
        self.binary = binary.to_path_buf();
        self.spawn();
    }

    /// Waits up to `timeout` for the node to exit by itself; its exit status.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        let child = self.child.as_mut().expect("wait_for_exit on a node that is not running");
        loop {
            if let Some(status) = child.try_wait().expect("poll the child") {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the node still runs after {timeout:?}; log:\n{}",
                self.log_tail(LOG_TAIL_LINES)
            );
            thread::sleep(POLL);
        }
    }

    /// Runs the node's binary on its base path with its flags until it exits by itself (within
    /// `timeout`), as an operator's start that fails at once; its exit status. The log gets
    /// what it printed.
    pub fn run_to_exit(&mut self, timeout: Duration) -> ExitStatus {
        self.start_process();
        self.wait_for_exit(timeout)
    }

    /// The lines of the log containing `needle`.
    pub fn log_lines_with(&self, needle: &str) -> Vec<String> {
        let file = match File::open(&self.log_path) {
            Ok(file) => file,
            Err(_) => return Vec::new(),
        };
        BufReader::new(file).lines().map_while(Result::ok).filter(|line| line.contains(needle)).collect()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // For a failure that needs every node's log, not the tail of one (README, "Faults").
        if let Some(dir) = std::env::var_os("LUDUS_E2E_KEEP_LOGS") {
            let name = self.base.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let _ = std::fs::copy(&self.log_path, Path::new(&dir).join(format!("{name}.log")));
        }
        if thread::panicking() {
            eprintln!(
                "---- ludus-node log tail ({}) ----\n{}\n---- end of log ----",
                self.log_path.display(),
                self.log_tail(LOG_TAIL_LINES)
            );
        }
    }
}
