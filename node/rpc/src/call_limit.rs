//! A server-wide bound on calls running at once.
//!
//! Most methods run on tokio's blocking pool (state reads, runtime calls), which the node
//! shares with its own work and which holds up to 512 threads: enough concurrent calls
//! would fill it and leave a few CPU-seconds of the node's own work queued behind them.
//! [`CallLimit`] makes a call wait (asynchronously, holding no thread) until one of
//! [`crate::RpcConfig::max_concurrent_calls`] permits is free, as Substrate's runtime
//! calls wait for one of its `--max-runtime-instances`. A batch runs its calls one after
//! another and so takes one permit; notifications run nothing and take none.

use std::{future::Future, sync::Arc};

use jsonrpsee::{
    server::middleware::rpc::{Batch, Notification, RpcServiceT},
    types::Request,
};
use tokio::sync::Semaphore;

/// RPC middleware admitting at most a fixed number of calls at once, server-wide.
#[derive(Debug, Clone)]
pub struct CallLimit<S> {
    inner: S,
    permits: Arc<Semaphore>,
}

impl<S> CallLimit<S> {
    /// Wraps `inner`, sharing `permits` with every other connection.
    pub fn new(inner: S, permits: Arc<Semaphore>) -> Self {
        Self { inner, permits }
    }
}

impl<S> RpcServiceT for CallLimit<S>
where
    S: RpcServiceT + Send + Sync + Clone + 'static,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        let (inner, permits) = (self.inner.clone(), self.permits.clone());
        async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await;
            inner.call(request).await
        }
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let (inner, permits) = (self.inner.clone(), self.permits.clone());
        async move {
            let _permit = permits.acquire_owned().await;
            inner.batch(batch).await
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(notification)
    }
}
