//! Forwarding a stream of items to a subscriber until either side ends.

use futures::{Stream, StreamExt};
use jsonrpsee::{PendingSubscriptionSink, SubscriptionSink};
use ludus_primitives::Header;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

/// Accepts `pending` and sends every item of `stream` until the stream ends, the
/// client unsubscribes or the connection closes.
pub async fn pipe<T, S>(pending: PendingSubscriptionSink, stream: S)
where
    T: Serialize,
    S: Stream<Item = T> + Send,
{
    let method = pending.method_name().to_owned();
    let Ok(sink) = pending.accept().await else {
        tracing::debug!(target: "rpc", %method, "subscriber left before the subscription was accepted");
        return;
    };
    tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "subscribed");
    forward(&sink, stream).await;
    tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "unsubscribed");
}

/// Sends every item of `stream` to `sink`, stopping when either ends.
pub async fn forward<T, S>(sink: &SubscriptionSink, stream: S)
where
    T: Serialize,
    S: Stream<Item = T> + Send,
{
    let mut stream = std::pin::pin!(stream);
    loop {
        tokio::select! {
            biased;
            _ = sink.closed() => return,
            item = stream.next() => {
                let Some(item) = item else { return };
                if !send(sink, &item).await {
                    return;
                }
            }
        }
    }
}

/// Sends one item; false when the subscriber is gone or the item cannot be serialized.
pub async fn send<T: Serialize>(sink: &SubscriptionSink, item: &T) -> bool {
    match serde_json::value::to_raw_value(item) {
        Ok(json) => sink.send(json).await.is_ok(),
        Err(e) => {
            // Our own types always serialize; if one does not, end the subscription loudly.
            tracing::error!(target: "rpc", error = %e, "cannot serialize a subscription item");
            false
        }
    }
}

/// Headers from a backend broadcast channel. A subscriber too slow to keep up
/// skips the headers it missed rather than ending the subscription: clients
/// want the latest head, not every head.
pub fn headers(rx: broadcast::Receiver<Header>) -> impl Stream<Item = Header> + Send {
    BroadcastStream::new(rx).filter_map(|item| async move {
        match item {
            Ok(header) => Some(header),
            Err(BroadcastStreamRecvError::Lagged(skipped)) => {
                tracing::debug!(target: "rpc", skipped, "slow subscriber skipped headers");
                None
            }
        }
    })
}
