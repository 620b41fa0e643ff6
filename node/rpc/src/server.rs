//! The accept loop: jsonrpsee's per-connection service behind our own admission.
//!
//! jsonrpsee's own server accepts every TCP connection and counts only against one
//! server-wide maximum, so a single client holding that many idle WebSockets locks
//! everyone else out. Here we accept connections ourselves and, before jsonrpsee sees
//! them:
//!
//! - refuse a connection from an address that already holds
//!   [`RpcConfig::max_connections_per_ip`] with `429 Too Many Requests` (and close it);
//! - (RPC middleware) mark the connection busy while a call runs, and admit at most
//!   [`RpcConfig::max_concurrent_calls`] calls at once server-wide ([`CallLimit`]);
//!   submissions sent in one batch are validated together ([`SubmitBatch`]);
//! - give each connection a [`Connection`] (passed to jsonrpsee as a request extension)
//!   and its own stop signal, which [`watch_idle`] fires once the connection has been
//!   idle for [`RpcConfig::idle_timeout`] or when the server stops.
//!
//! Tasks: one accept loop; per connection, one task serving it (jsonrpsee spawns the
//! WebSocket session and its calls) and one watching it for idleness, both ending with it.

use std::{convert::Infallible, sync::Arc, time::Duration};

use hyper::{
    body::Incoming,
    header::{HeaderValue, CONNECTION},
    Request, StatusCode,
};
use jsonrpsee::{
    server::{
        middleware::rpc::RpcServiceBuilder, serve, serve_with_graceful_shutdown, stop_channel, HttpBody, HttpResponse,
        ServerConfig, ServerHandle,
    },
    Methods,
};
use tokio::net::{TcpListener, TcpStream};
use tower::Service;

use crate::{
    backend::PoolBackend,
    call_limit::CallLimit,
    connection::{watch_idle, AddressLimits, Connection, MarkBusy},
    submit_batch::SubmitBatch,
    RpcConfig,
};

/// Longest a refused connection may take to send the request it is answered 429 to.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `methods` on `listener` until the returned handle stops it.
pub(crate) fn spawn(
    listener: TcpListener,
    config: &RpcConfig,
    methods: Methods,
    pool: Arc<dyn PoolBackend>,
) -> ServerHandle {
    let (stop, handle) = stop_channel();
    let server_config = ServerConfig::builder()
        .max_connections(config.max_connections)
        .max_request_body_size(config.max_request_bytes)
        .max_response_body_size(config.max_response_bytes)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_message_buffer_capacity(config.message_buffer_capacity)
        .build();
    // At least one, or every call would wait forever.
    let max_response_bytes = config.max_response_bytes;
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_calls.max(1) as usize));
    let service_builder = jsonrpsee::server::Server::builder()
        .set_config(server_config)
        .set_rpc_middleware(
            RpcServiceBuilder::new()
                .layer_fn(MarkBusy::new)
                .layer_fn(move |service| CallLimit::new(service, permits.clone()))
                .layer_fn(move |service| SubmitBatch::new(service, pool.clone(), max_response_bytes)),
        )
        .to_service_builder();
    let limits = AddressLimits::new(config.max_connections_per_ip);
    let idle_timeout = config.idle_timeout;

    tokio::spawn(async move {
        loop {
            let (socket, remote) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: the next accept may succeed.
                        tracing::debug!(target: "rpc", error = %e, "cannot accept an RPC connection");
                        continue;
                    }
                },
                _ = stop.clone().shutdown() => break,
            };
            let Some(slot) = limits.try_admit(remote.ip()) else {
                tracing::debug!(target: "rpc", %remote, "refusing a connection: its address holds the most connections allowed");
                tokio::spawn(refuse(socket));
                continue;
            };
            if let Err(e) = socket.set_nodelay(true) {
                tracing::debug!(target: "rpc", %remote, error = %e, "cannot set TCP_NODELAY");
            }
            let (connection, gone) = Connection::new(remote, slot);
            let (connection_stop, connection_handle) = stop_channel();
            tokio::spawn(watch_idle(Arc::downgrade(&connection), gone, idle_timeout, stop.clone(), connection_handle));

            let methods = methods.clone();
            let service_builder = service_builder.clone();
            let session_stop = connection_stop.clone();
            let service = tower::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(connection.clone());
                let mut service = service_builder.clone().build(methods.clone(), session_stop.clone());
                // A concrete error type: with jsonrpsee's boxed one the future is not provably
                // `Send` (rust-lang/rust#102211).
                async move { service.call(request).await.map_err(std::io::Error::other) }
            });
            tokio::spawn(async move {
                if let Err(e) = serve_with_graceful_shutdown(socket, service, connection_stop.shutdown()).await {
                    tracing::debug!(target: "rpc", %remote, error = %e, "RPC connection ended with an error");
                }
            });
        }
        tracing::debug!(target: "rpc", "RPC server stopped accepting connections");
    });
    handle
}

/// Answers the connection's request with `429 Too Many Requests` and closes it.
async fn refuse(socket: TcpStream) {
    let service = tower::service_fn(|_: Request<Incoming>| async {
        let mut response = HttpResponse::new(HttpBody::from(
            "Too many connections from your address: close some, or ask the operator to raise \
             --rpc-max-connections-per-ip\n",
        ));
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        Ok::<_, Infallible>(response)
    });
    // A client that sends nothing is dropped after the timeout; errors are the client's.
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, serve(socket, service)).await;
}
