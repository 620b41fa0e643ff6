//! Tests of the RPC layer over real sockets with jsonrpsee's WS and HTTP clients.
//!
//! The node is replaced by an in-memory chain (headers, blocks, per-block storage,
//! a `call` that answers the runtime APIs the RPC uses with really encoded
//! values): the part under test is this crate's translation between JSON-RPC and
//! the backend traits, which runs unchanged.

mod fake;

mod author;
mod bridge;
mod chain;
mod game_assets;
mod limits;
mod server;
mod state;
mod system_payment;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use jsonrpsee::{
    core::{
        client::{ClientT, Subscription, SubscriptionClientT},
        params::ArrayParams,
        ClientError,
    },
    http_client::{HttpClient, HttpClientBuilder},
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::{json, Value};

use crate::{start, Backends, RpcConfig, RpcHandle, RpcMethods};
use fake::{FakeAttester, FakeChain, FakeKeystore, FakeNetwork, FakePool};

/// A running server over fake backends, with clients.
struct Harness {
    handle: RpcHandle,
    chain: Arc<FakeChain>,
    keystore: Arc<FakeKeystore>,
    attester: Arc<FakeAttester>,
    pool: Arc<FakePool>,
    ws: WsClient,
    http: HttpClient,
}

impl Harness {
    async fn start() -> Self {
        Self::with_config(RpcConfig { listen: loopback(), ..RpcConfig::default() }).await
    }

    async fn with_config(config: RpcConfig) -> Self {
        let chain = Arc::new(FakeChain::new());
        let keystore = Arc::new(FakeKeystore::default());
        let attester = Arc::new(FakeAttester::default());
        let pool = Arc::new(FakePool::default());
        let backends = Backends {
            chain: chain.clone(),
            pool: pool.clone(),
            keystore: keystore.clone(),
            bridge_attester: attester.clone(),
            network: Arc::new(FakeNetwork),
        };
        let handle = start(config, backends, fake::system_info()).await.expect("server starts");
        let addr = handle.local_addr();
        let ws = WsClientBuilder::default().build(format!("ws://{addr}")).await.expect("ws connects");
        let http = HttpClientBuilder::default().build(format!("http://{addr}")).expect("http client");
        Self { handle, chain, keystore, attester, pool, ws, http }
    }

    /// Calls `method` over WebSocket and returns the JSON result.
    async fn call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        self.ws.request(method, to_params(params)).await
    }

    /// Calls `method` over HTTP and returns the JSON result.
    async fn http_call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        self.http.request(method, to_params(params)).await
    }

    /// Calls `method` and returns the error's (code, message, data).
    async fn call_err(&self, method: &str, params: Value) -> (i32, String, Option<Value>) {
        match self.call(method, params).await {
            Err(ClientError::Call(e)) => (
                e.code(),
                e.message().to_owned(),
                e.data().map(|d| serde_json::from_str(d.get()).expect("data is JSON")),
            ),
            other => panic!("{method}: expected a call error, got {other:?}"),
        }
    }

    async fn subscribe(&self, method: &str, params: Value, unsubscribe: &str) -> Subscription<Value> {
        self.ws.subscribe(method, to_params(params), unsubscribe).await.expect("subscribes")
    }
}

/// POSTs `body` over plain HTTP/1.1 and returns (status line, body).
pub(super) async fn raw_post(addr: SocketAddr, body: &[u8]) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes()).await.unwrap();
    // The server may answer and close before reading an oversized body: ignore write errors.
    let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, body).await;
    let mut out = Vec::new();
    let _ =
        tokio::time::timeout(Duration::from_secs(5), tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut out)).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn to_params(params: Value) -> ArrayParams {
    let mut out = ArrayParams::new();
    for p in params.as_array().expect("params are a JSON array") {
        out.insert(p).expect("params serialize");
    }
    out
}

/// The next notification, or a panic after a few seconds.
async fn next(sub: &mut Subscription<Value>) -> Value {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("notification within 5 s")
        .expect("subscription open")
        .expect("notification decodes")
}

/// Asserts that no notification arrives for a short while.
async fn nothing_more(sub: &mut Subscription<Value>) {
    if let Ok(item) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await {
        panic!("unexpected notification {item:?}");
    }
}

fn hex(bytes: &[u8]) -> String {
    array_bytes::bytes2hex("0x", bytes)
}
