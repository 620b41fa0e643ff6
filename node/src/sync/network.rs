//! What the engine needs of the network, as a small trait, so that the same engine runs
//! over libp2p ([`NetworkHandle`]) in the node and over an in-memory router in tests.

use std::fmt::Debug;

use futures::future::BoxFuture;
use ludus_network::{MessageId, NetworkEvent, NetworkHandle, PeerId, Protocol, Topic, Verdict};
use tokio::sync::oneshot;

/// The network as the sync engine uses it.
pub trait SyncNetwork: Clone + Send + Sync + 'static {
    /// Identifies a received gossip message for [`SyncNetwork::validate`].
    type MessageId: Clone + Debug + Send + Sync + 'static;

    /// Publishes `data` on `topic` to every subscribed peer.
    fn publish(&self, topic: Topic, data: Vec<u8>);
    /// Answers a received gossip message: only accepted messages travel on.
    fn validate(&self, id: Self::MessageId, from: PeerId, verdict: Verdict);
    /// Disconnects and refuses `peer` for a while; `reason` is logged.
    fn ban(&self, peer: PeerId, reason: String);
    /// Sends a request to `peer` and resolves to its response, or why there is none.
    fn request(&self, peer: PeerId, protocol: Protocol, data: Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, String>>;
}

impl SyncNetwork for NetworkHandle {
    type MessageId = MessageId;

    fn publish(&self, topic: Topic, data: Vec<u8>) {
        NetworkHandle::publish(self, topic, data)
    }

    fn validate(&self, id: MessageId, from: PeerId, verdict: Verdict) {
        NetworkHandle::validate(self, id, from, verdict)
    }

    fn ban(&self, peer: PeerId, reason: String) {
        NetworkHandle::ban(self, peer, reason)
    }

    fn request(&self, peer: PeerId, protocol: Protocol, data: Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, String>> {
        let network = self.clone();
        Box::pin(async move { network.request(peer, protocol, data).await.map_err(|e| e.to_string()) })
    }
}

/// What the network tells the engine: [`NetworkEvent`] with the message id of the
/// network in use.
#[derive(Debug)]
pub enum SyncEvent<Id> {
    /// A peer of our chain is connected.
    PeerConnected {
        /// The peer.
        peer: PeerId,
    },
    /// A connected peer is gone.
    PeerDisconnected {
        /// The peer.
        peer: PeerId,
    },
    /// A gossip message awaiting the engine's verdict.
    Gossip {
        /// Its topic.
        topic: Topic,
        /// The peer that sent it to us (not necessarily its author).
        from: PeerId,
        /// Its id, for the verdict.
        id: Id,
        /// The payload.
        data: Vec<u8>,
    },
    /// An inbound request; dropping `respond` gives the peer an error.
    Request {
        /// The requesting peer.
        peer: PeerId,
        /// The protocol.
        protocol: Protocol,
        /// The request payload.
        data: Vec<u8>,
        /// Where the answer goes.
        respond: oneshot::Sender<Vec<u8>>,
    },
}

impl From<NetworkEvent> for SyncEvent<MessageId> {
    fn from(event: NetworkEvent) -> Self {
        match event {
            NetworkEvent::PeerConnected { peer, .. } => SyncEvent::PeerConnected { peer },
            NetworkEvent::PeerDisconnected { peer } => SyncEvent::PeerDisconnected { peer },
            NetworkEvent::Gossip { topic, from, id, data } => SyncEvent::Gossip { topic, from, id, data },
            NetworkEvent::Request { peer, protocol, data, respond } => {
                SyncEvent::Request { peer, protocol, data, respond }
            }
        }
    }
}
