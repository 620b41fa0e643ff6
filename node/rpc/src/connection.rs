//! Per-connection bookkeeping: the per-address connection limit and the idle timeout.
//!
//! Each accepted TCP connection gets a [`Connection`]. It holds the connection's place in
//! its address's count ([`AddressLimits`]), so that one client cannot take every
//! connection the server allows, and it knows whether the connection is doing anything:
//! the connection is *busy* while a call runs ([`MarkBusy`], an RPC middleware) or a
//! subscription lives ([`busy`], taken by every subscription handler), and *idle*
//! otherwise. [`watch_idle`] stops a connection that has been idle longer than the
//! timeout, so idle connections cannot hold the server's connection slots forever.
//!
//! The server passes the `Arc<Connection>` to jsonrpsee as a request extension: it lives
//! as long as the HTTP connection or the WebSocket session that carries it, and the
//! address's slot is released when it goes.

use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, Weak,
    },
    time::{Duration, Instant},
};

use jsonrpsee::{
    server::{
        middleware::rpc::{Batch, Notification, RpcServiceT},
        ServerHandle, StopHandle,
    },
    types::Request,
    Extensions,
};
use tokio::sync::oneshot;

/// The unit the per-address limit counts in: an IPv4 address, or an IPv6 /64 network
/// (one subscriber's usual allocation, so hopping addresses within it does not help).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// How many connections each address holds, and how many it may hold.
#[derive(Debug)]
pub struct AddressLimits {
    max_per_address: u32,
    open: Mutex<HashMap<IpAddr, u32>>,
}

impl AddressLimits {
    /// At most `max_per_address` connections from one address at once.
    pub fn new(max_per_address: u32) -> Arc<Self> {
        Arc::new(Self { max_per_address, open: Mutex::new(HashMap::new()) })
    }

    /// A slot for one more connection from `ip`, or `None` if it holds its maximum already.
    pub fn try_admit(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let key = address_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(key).or_insert(0);
        if *count >= self.max_per_address {
            return None;
        }
        *count += 1;
        Some(AddressSlot { limits: self.clone(), key })
    }

    /// Connections open from `ip` now.
    pub fn open_from(&self, ip: IpAddr) -> u32 {
        let open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        open.get(&address_key(ip)).copied().unwrap_or(0)
    }
}

/// One connection's place in its address's count; released when dropped.
#[derive(Debug)]
pub struct AddressSlot {
    limits: Arc<AddressLimits>,
    key: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// One TCP connection (plain HTTP, or upgraded to a WebSocket session).
#[derive(Debug)]
pub struct Connection {
    remote: SocketAddr,
    /// Calls running plus subscriptions alive.
    busy: AtomicUsize,
    /// When the connection was last busy (or opened).
    last_busy: Mutex<Instant>,
    _slot: AddressSlot,
    /// Dropped with the connection, which ends its [`watch_idle`] task.
    _gone: oneshot::Sender<()>,
}

impl Connection {
    /// A connection from `remote` holding `slot`, and the signal that it is gone.
    pub fn new(remote: SocketAddr, slot: AddressSlot) -> (Arc<Self>, oneshot::Receiver<()>) {
        let (gone_tx, gone_rx) = oneshot::channel();
        let connection = Self {
            remote,
            busy: AtomicUsize::new(0),
            last_busy: Mutex::new(Instant::now()),
            _slot: slot,
            _gone: gone_tx,
        };
        (Arc::new(connection), gone_rx)
    }

    /// Marks the connection busy until the guard is dropped.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    /// How long the connection has been idle; `None` while it is busy.
    fn idle_for(&self) -> Option<Duration> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let last = *self.last_busy.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Some(last.elapsed())
    }
}

/// Keeps a [`Connection`] busy while it lives.
#[derive(Debug)]
pub struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        // Stamp the time first, so a watcher that sees the count at zero sees a fresh time.
        *self.0.last_busy.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Keeps the connection that sent a request busy while the guard lives: subscription
/// handlers hold it for the subscription's lifetime. `None` when the request came without
/// a connection (a module called directly, as in tests).
pub fn busy(ext: &Extensions) -> Option<Busy> {
    ext.get::<Arc<Connection>>().map(Connection::busy)
}

/// Stops the connection (through `stop`) once it has been idle for `timeout`, or when
/// the server stops; returns when the connection is gone. `None` never times out.
pub async fn watch_idle(
    connection: Weak<Connection>,
    gone: oneshot::Receiver<()>,
    timeout: Option<Duration>,
    server_stopped: StopHandle,
    stop: ServerHandle,
) {
    let server_stopped = server_stopped.shutdown();
    tokio::pin!(gone, server_stopped);
    let mut wait = timeout.unwrap_or_default();
    loop {
        tokio::select! {
            _ = &mut gone => return,
            _ = &mut server_stopped => break,
            _ = sleep_or_never(timeout.map(|_| wait)) => {
                let (Some(timeout), Some(connection)) = (timeout, connection.upgrade()) else { return };
                match connection.idle_for() {
                    Some(idle) if idle >= timeout => {
                        tracing::debug!(target: "rpc", remote = %connection.remote, ?idle, "closing idle connection");
                        break;
                    }
                    Some(idle) => wait = timeout - idle,
                    // Busy: look again a whole timeout later at the earliest it can be idle that long.
                    None => wait = timeout,
                }
            }
        }
    }
    // `stop` fails only if already stopped.
    let _ = stop.stop();
}

async fn sleep_or_never(duration: Option<Duration>) {
    match duration {
        Some(duration) => tokio::time::sleep(duration).await,
        None => std::future::pending().await,
    }
}

/// RPC middleware keeping the calling connection busy while each call runs.
#[derive(Debug, Clone)]
pub struct MarkBusy<S> {
    inner: S,
}

impl<S> MarkBusy<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S> RpcServiceT for MarkBusy<S>
where
    S: RpcServiceT + Send + Sync,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        let busy = busy(request.extensions());
        let call = self.inner.call(request);
        async move {
            let response = call.await;
            drop(busy);
            response
        }
    }

    fn batch<'a>(&self, mut batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let busy = busy(batch.extensions());
        let call = self.inner.batch(batch);
        async move {
            let response = call.await;
            drop(busy);
            response
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        let busy = busy(&notification.extensions);
        let call = self.inner.notification(notification);
        async move {
            let response = call.await;
            drop(busy);
            response
        }
    }
}
