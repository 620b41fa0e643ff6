//! Transaction status events and the stream that delivers them.

use crate::Hash;
use futures::{channel::mpsc, Stream};
use serde::{Deserialize, Serialize};
use std::{
    pin::Pin,
    task::{Context, Poll},
};

/// What happened to a watched transaction.
///
/// Serialises exactly like `sc_transaction_pool_api::TransactionStatus` over
/// JSON-RPC (`"ready"`, `{"inBlock": "0x…"}`, …). Substrate's `InBlock` and
/// `Finalized` also carry the index within the block but drop it on the wire;
/// the pool does not know the index, so it carries only the block hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransactionStatus {
    /// Waiting in the future queue for a tag it requires (e.g. an earlier nonce).
    Future,
    /// In the ready queue: may be included in the next block.
    Ready,
    /// Sent to the given peers.
    Broadcast(Vec<String>),
    /// Included in the block with this hash.
    InBlock(Hash),
    /// The block it was included in was retracted by a re-organisation.
    Retracted(Hash),
    /// Too many blocks awaited finality; the pool stopped watching this one.
    FinalityTimeout(Hash),
    /// The block it was included in is finalized.
    Finalized(Hash),
    /// Replaced by the transaction with this hash, which provides the same tags.
    Usurped(Hash),
    /// Dropped because of the pool's limits.
    Dropped,
    /// No longer valid at the current state.
    Invalid,
}

impl TransactionStatus {
    /// True for the last event a watcher receives; its stream ends after it.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Usurped(_) | Self::Finalized(_) | Self::FinalityTimeout(_) | Self::Invalid | Self::Dropped)
    }
}

/// A stream of one transaction's [`TransactionStatus`] events, ending after a
/// final one ([`TransactionStatus::is_final`]).
///
/// Dropping it unsubscribes; the transaction stays in the pool.
#[derive(Debug)]
pub struct Watcher {
    hash: Hash,
    receiver: mpsc::UnboundedReceiver<TransactionStatus>,
}

impl Watcher {
    pub(crate) fn new(hash: Hash, receiver: mpsc::UnboundedReceiver<TransactionStatus>) -> Self {
        Self { hash, receiver }
    }

    /// Hash of the watched transaction.
    pub fn hash(&self) -> Hash {
        self.hash
    }
}

impl Stream for Watcher {
    type Item = TransactionStatus;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.receiver).poll_next(cx)
    }
}

/// The sending side of a watcher; unbounded because a transaction produces
/// only a handful of events before a final one closes it.
pub(crate) type StatusSender = mpsc::UnboundedSender<TransactionStatus>;
