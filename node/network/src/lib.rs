//! The peer-to-peer layer of the Ludus node (DESIGN.md, decision 5).
//!
//! # What it owns
//! One libp2p swarm over TCP + Noise + Yamux with identify, ping, Kademlia
//! (boot nodes, periodic re-bootstrap, dialling discovered peers), gossipsub
//! ([`Topic`]s) and two request-response [`Protocol`]s, plus the connection
//! policy: peer slots, reserved nodes, `reserved_only` and bans.
//!
//! It knows nothing of blocks or GRANDPA: payloads are bytes. The node decides
//! what is valid and tells the network ([`NetworkHandle::validate`],
//! [`NetworkHandle::ban`]). The network itself bans only for transport-level
//! misbehaviour it can see (an oversized request-response payload).
//!
//! # Tasks and data flow
//! [`start`] binds the listen addresses and spawns one task (`worker`) on the
//! current tokio runtime that owns the swarm; it ends when every
//! [`NetworkHandle`] is dropped. The node talks to it through the cloneable
//! [`NetworkHandle`] (a command channel) and receives [`NetworkEvent`]s on the
//! returned receiver:
//!
//! ```text
//! node --NetworkHandle (commands)--> worker (swarm) --NetworkEvent--> node
//! ```
//!
//! Gossip is delivered unvalidated ([`NetworkEvent::Gossip`]) and forwarded to
//! other peers only after the node answers [`Verdict::Accept`]. Inbound
//! requests carry a `respond` channel the node answers on.
//!
//! A peer is reported ([`NetworkEvent::PeerConnected`], [`NetworkHandle::peers`])
//! only once identify shows it speaks our status protocol, i.e. it is a Ludus
//! node of the same chain; other peers are disconnected.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod codec;
mod config;
mod error;
mod gate;
mod worker;

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use config::{
    load_or_generate_node_key, parse_peer_multiaddr, NetworkConfig, DEFAULT_BAN_DURATION, DEFAULT_MAX_INBOUND,
    DEFAULT_MAX_OUTBOUND,
};
pub use error::{NetworkError, RequestError};
pub use libp2p::{identity::Keypair, Multiaddr, PeerId};

/// Request timeout of both request-response protocols.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest gossip message.
pub const MAX_GOSSIP_SIZE: usize = 16 * 1024 * 1024;
/// Capacity of the event channel to the node. Gossip and requests that do not
/// fit are dropped (with a warning); peer connect/disconnect events are queued.
pub const EVENT_CHANNEL_CAPACITY: usize = 4096;

/// A gossip topic. Topic names include the genesis hash so chains never mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Transactions (`/ludus/<genesis>/transactions/1`).
    Transactions,
    /// Block announcements (`/ludus/<genesis>/block-announces/1`).
    BlockAnnounces,
    /// GRANDPA messages (`/ludus/<genesis>/grandpa/1`).
    Grandpa,
}

impl Topic {
    /// Every topic; the network subscribes to all of them.
    pub const ALL: [Topic; 3] = [Topic::Transactions, Topic::BlockAnnounces, Topic::Grandpa];

    /// The gossipsub topic name on the chain with `genesis_hash`.
    pub fn name(self, genesis_hash: &[u8; 32]) -> String {
        let kind = match self {
            Topic::Transactions => "transactions",
            Topic::BlockAnnounces => "block-announces",
            Topic::Grandpa => "grandpa",
        };
        format!("/ludus/{}/{kind}/1", hex::encode(genesis_hash))
    }
}

/// A request-response protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Status exchange (`/ludus/<genesis>/status/1`); request and response at most 1 KiB.
    Status,
    /// Block download (`/ludus/<genesis>/blocks/1`); request at most 1 KiB, response 16 MiB.
    Blocks,
}

impl Protocol {
    /// The protocol name on the chain with `genesis_hash`.
    pub fn name(self, genesis_hash: &[u8; 32]) -> String {
        let kind = match self {
            Protocol::Status => "status",
            Protocol::Blocks => "blocks",
        };
        format!("/ludus/{}/{kind}/1", hex::encode(genesis_hash))
    }

    /// Largest request payload, in bytes.
    pub fn max_request_size(self) -> usize {
        1024
    }

    /// Largest response payload, in bytes.
    pub fn max_response_size(self) -> usize {
        match self {
            Protocol::Status => 1024,
            Protocol::Blocks => 16 * 1024 * 1024,
        }
    }
}

/// What the network tells the node.
#[derive(Debug)]
pub enum NetworkEvent {
    /// A peer of our chain is connected (identify confirmed it speaks our protocols).
    PeerConnected {
        /// The peer.
        peer: PeerId,
        /// Whether it dialled us.
        inbound: bool,
    },
    /// A peer reported by `PeerConnected` has no connection left.
    PeerDisconnected {
        /// The peer.
        peer: PeerId,
    },
    /// A gossip message awaiting validation: the node MUST answer with
    /// [`NetworkHandle::validate`]`(id, from, ..)`. Until `Accept` it is not forwarded.
    Gossip {
        /// Its topic.
        topic: Topic,
        /// The peer that sent it to us (not necessarily its author); the one to
        /// pass to `validate` and to ban if the message is invalid.
        from: PeerId,
        /// Its id (a hash of `data`).
        id: MessageId,
        /// The payload.
        data: Vec<u8>,
    },
    /// An inbound request; answer through `respond` (dropping it = the peer gets an error).
    Request {
        /// The requesting peer.
        peer: PeerId,
        /// The protocol.
        protocol: Protocol,
        /// The request payload (within the protocol's request limit).
        data: Vec<u8>,
        /// Where the answer goes; answers over the response limit are not sent.
        respond: oneshot::Sender<Vec<u8>>,
    },
}

/// Identifies a gossip message for [`NetworkHandle::validate`]. Opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId(libp2p::gossipsub::MessageId);

/// The node's judgement of a gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: deliver and forward.
    Accept,
    /// Not useful (e.g. stale) but not malicious: drop without forwarding.
    Ignore,
    /// Invalid: drop without forwarding. Ban the sender separately if warranted.
    Reject,
}

/// A connected peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// Its id.
    pub peer_id: PeerId,
    /// Remote addresses of its connections.
    pub addresses: Vec<Multiaddr>,
    /// Whether its first connection was inbound.
    pub inbound: bool,
}

/// Commands from the handle to the worker.
pub(crate) enum Command {
    Publish { topic: Topic, data: Vec<u8> },
    Validate { id: MessageId, from: PeerId, verdict: Verdict },
    Request { peer: PeerId, protocol: Protocol, data: Vec<u8>, reply: oneshot::Sender<Result<Vec<u8>, RequestError>> },
    Ban { peer: PeerId, reason: String },
    Peers { reply: oneshot::Sender<Vec<PeerInfo>> },
    ListenAddrs { reply: oneshot::Sender<Vec<Multiaddr>> },
    Dial { addr: Multiaddr, reply: oneshot::Sender<Result<(), NetworkError>> },
}

/// The node's side of the network: cheap to clone, usable from any task.
#[derive(Clone)]
pub struct NetworkHandle {
    local_peer_id: PeerId,
    commands: mpsc::Sender<Command>,
}

impl std::fmt::Debug for NetworkHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkHandle").field("local_peer_id", &self.local_peer_id).finish()
    }
}

impl NetworkHandle {
    /// Our peer id.
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// Sends a command the caller cannot wait for; logs if the worker is gone or swamped.
    fn send_now(&self, what: &str, command: Command) {
        if let Err(e) = self.commands.try_send(command) {
            let why = match e {
                mpsc::error::TrySendError::Full(_) => "the network task is overloaded",
                mpsc::error::TrySendError::Closed(_) => "the network task has stopped",
            };
            tracing::warn!(target: "network", "Dropped {what}: {why}");
        }
    }

    /// Publishes `data` on `topic` to every subscribed peer. Never fails loudly:
    /// having no peers is normal and only logged at debug. Publishing bytes
    /// identical to a recent message is a no-op (message ids are content hashes).
    pub fn publish(&self, topic: Topic, data: Vec<u8>) {
        self.send_now("a gossip publication", Command::Publish { topic, data });
    }

    /// Answers a [`NetworkEvent::Gossip`]; `from` is the event's `from`.
    pub fn validate(&self, id: MessageId, from: PeerId, verdict: Verdict) {
        self.send_now("a gossip verdict", Command::Validate { id, from, verdict });
    }

    /// Sends a request and waits for the response (at most [`REQUEST_TIMEOUT`]).
    /// Dials the peer if it is not connected but its address is known.
    pub async fn request(&self, peer: PeerId, protocol: Protocol, data: Vec<u8>) -> Result<Vec<u8>, RequestError> {
        let (reply, response) = oneshot::channel();
        self.commands
            .send(Command::Request { peer, protocol, data, reply })
            .await
            .map_err(|_| RequestError::Stopped)?;
        response.await.map_err(|_| RequestError::Stopped)?
    }

    /// Disconnects `peer` and refuses it (both directions, also as a gossip
    /// source) for the configured ban duration. Reserved peers are banned too.
    pub fn ban(&self, peer: PeerId, reason: String) {
        self.send_now("a ban", Command::Ban { peer, reason });
    }

    /// The connected peers of our chain.
    pub async fn peers(&self) -> Vec<PeerInfo> {
        let (reply, rx) = oneshot::channel();
        if self.commands.send(Command::Peers { reply }).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// The addresses actually bound (port 0 resolved). Waits for the first
    /// address to be bound if none is yet.
    pub async fn listen_addrs(&self) -> Vec<Multiaddr> {
        let (reply, rx) = oneshot::channel();
        if self.commands.send(Command::ListenAddrs { reply }).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// Dials `addr` (with or without a `/p2p/<id>` suffix). Returns once the dial
    /// has started; the connection shows up as [`NetworkEvent::PeerConnected`].
    pub async fn dial(&self, addr: Multiaddr) -> Result<(), NetworkError> {
        let (reply, rx) = oneshot::channel();
        self.commands.send(Command::Dial { addr, reply }).await.map_err(|_| NetworkError::Stopped)?;
        rx.await.map_err(|_| NetworkError::Stopped)?
    }
}

/// The swarm task: drives libp2p until every [`NetworkHandle`] is dropped. Whoever builds
/// the network runs it (the node, as an essential task).
pub struct NetworkWorker(worker::Worker);

impl NetworkWorker {
    /// Runs the swarm; returns once every handle is gone.
    pub async fn run(self) {
        self.0.run().await
    }
}

/// Builds the network: binds the listen addresses and returns the handle, the events and
/// the swarm task for the caller to run. Must be called inside a tokio runtime.
pub fn build(
    config: NetworkConfig,
) -> Result<(NetworkHandle, mpsc::Receiver<NetworkEvent>, NetworkWorker), NetworkError> {
    let local_peer_id = config.node_key.public().to_peer_id();
    let (commands, commands_rx) = mpsc::channel(1024);
    let (events_tx, events) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    let worker = worker::Worker::new(config, commands_rx, events_tx)?;
    Ok((NetworkHandle { local_peer_id, commands }, events, NetworkWorker(worker)))
}

/// Like [`build`], and spawns the swarm task on the current tokio runtime (panics if called
/// outside one, like `tokio::spawn`).
pub fn start(config: NetworkConfig) -> Result<(NetworkHandle, mpsc::Receiver<NetworkEvent>), NetworkError> {
    let (handle, events, worker) = build(config)?;
    tokio::spawn(worker.run());
    Ok((handle, events))
}
