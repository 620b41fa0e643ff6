//! The swarm task: owns the libp2p swarm, executes [`Command`]s from the
//! handles and turns swarm events into [`NetworkEvent`]s.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use futures::{future::BoxFuture, stream::FuturesUnordered, FutureExt, StreamExt};
use libp2p::{
    gossipsub::{self, IdentTopic, MessageAcceptance, TopicHash},
    identify, kad, noise, ping,
    request_response::{self, OutboundFailure, OutboundRequestId, ProtocolSupport, ResponseChannel},
    swarm::{
        dial_opts::{DialOpts, PeerCondition},
        ConnectionId, NetworkBehaviour, SwarmEvent,
    },
    tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm,
};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::{
    codec::{oversized_limit, BoundedBytesCodec},
    config::split_peer_id,
    gate::PeerGate,
    Command, MessageId, NetworkConfig, NetworkError, NetworkEvent, PeerInfo, Protocol, RequestError, Topic, Verdict,
    MAX_GOSSIP_SIZE, REQUEST_TIMEOUT,
};

const LOG: &str = "network";
/// Identify's protocol version string: tells Ludus nodes from other libp2p nodes.
const IDENTIFY_PROTOCOL_VERSION: &str = "/ludus/id/1";
/// Connections are kept open while idle: peers are few and long-lived, and
/// re-establishing one costs a Noise handshake plus a gossipsub re-subscription.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// How often reserved nodes that are not connected are redialled.
const RESERVED_REDIAL_INTERVAL: Duration = Duration::from_secs(5);
/// Discovery (re-bootstrap, boot node redial, dialling known peers) starts at
/// this interval and doubles up to [`MAX_DISCOVERY_INTERVAL`], as Substrate's
/// random walk does: quick convergence at start, little chatter later.
const MIN_DISCOVERY_INTERVAL: Duration = Duration::from_secs(1);
const MAX_DISCOVERY_INTERVAL: Duration = Duration::from_secs(60);
/// Room for protobuf framing and the signature around a maximal gossip payload.
const GOSSIP_FRAMING_OVERHEAD: usize = 64 * 1024;
/// Peer connect/disconnect events waiting for room in the event channel.
const MAX_PEER_EVENT_BACKLOG: usize = 10_000;

#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    gate: PeerGate,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    kad: kad::Behaviour<kad::store::MemoryStore>,
    gossipsub: gossipsub::Behaviour,
    status: request_response::Behaviour<BoundedBytesCodec>,
    blocks: request_response::Behaviour<BoundedBytesCodec>,
}

impl Behaviour {
    fn rr(&mut self, protocol: Protocol) -> &mut request_response::Behaviour<BoundedBytesCodec> {
        match protocol {
            Protocol::Status => &mut self.status,
            Protocol::Blocks => &mut self.blocks,
        }
    }
}

/// What we know of a peer with at least one connection.
struct Connected {
    inbound: bool,
    addresses: Vec<(ConnectionId, Multiaddr)>,
    /// Identify confirmed it speaks our status protocol and the node was told.
    reported: bool,
}

/// Where the outcome of an outbound request goes.
type RequestReply = oneshot::Sender<Result<Vec<u8>, RequestError>>;

/// An inbound request waiting for the node's answer.
type PendingResponse = BoxFuture<'static, (Protocol, PeerId, ResponseChannel<Vec<u8>>, Option<Vec<u8>>)>;

pub(crate) struct Worker {
    swarm: Swarm<Behaviour>,
    local_peer_id: PeerId,
    ban_duration: Duration,
    status_protocol: StreamProtocol,
    kad_protocol: StreamProtocol,
    topics: HashMap<TopicHash, Topic>,
    topic_names: HashMap<Topic, IdentTopic>,
    boot_nodes: Vec<(PeerId, Multiaddr)>,
    reserved: Vec<(PeerId, Multiaddr)>,
    connected: HashMap<PeerId, Connected>,
    pending_requests: HashMap<(Protocol, OutboundRequestId), RequestReply>,
    pending_responses: FuturesUnordered<PendingResponse>,
    listen_addrs: Vec<Multiaddr>,
    listen_waiters: Vec<oneshot::Sender<Vec<Multiaddr>>>,
    /// Listeners still open; while any is, `listen_addrs` may yet be filled.
    open_listeners: usize,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<NetworkEvent>,
    peer_event_backlog: VecDeque<NetworkEvent>,
    discovery_interval: Duration,
    next_discovery: Instant,
    next_reserved_redial: Instant,
}

fn setup_err(what: &str) -> impl Fn(String) -> NetworkError + '_ {
    move |e| NetworkError::Setup(format!("{what}: {e}"))
}

fn protocol_name(name: String) -> Result<StreamProtocol, NetworkError> {
    StreamProtocol::try_from_owned(name).map_err(|e| NetworkError::Setup(format!("protocol name: {e}")))
}

/// libp2p-tcp binds listeners with `SO_REUSEPORT`, so a port already used by
/// another node would be shared silently (the kernel splitting connections
/// between the two). A plain bind first turns that into a clear error.
fn probe_port_free(addr: &Multiaddr) -> Result<(), NetworkError> {
    use libp2p::multiaddr::Protocol as P;
    let mut parts = addr.iter();
    let ip: std::net::IpAddr = match parts.next() {
        Some(P::Ip4(ip)) => ip.into(),
        Some(P::Ip6(ip)) => ip.into(),
        _ => return Ok(()),
    };
    let port = match parts.next() {
        Some(P::Tcp(port)) if port != 0 => port,
        _ => return Ok(()),
    };
    std::net::TcpListener::bind((ip, port))
        .map(drop)
        .map_err(|e| NetworkError::Listen { addr: addr.to_string(), reason: e.to_string() })
}

fn peer_addrs(list: &[Multiaddr]) -> Result<Vec<(PeerId, Multiaddr)>, NetworkError> {
    list.iter()
        .map(|addr| {
            split_peer_id(addr).ok_or_else(|| NetworkError::InvalidPeerAddress {
                addr: addr.to_string(),
                reason: "it does not end in /p2p/<peer id>".into(),
            })
        })
        .collect()
}

impl Worker {
    pub(crate) fn new(
        config: NetworkConfig,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<NetworkEvent>,
    ) -> Result<Self, NetworkError> {
        let key = config.node_key;
        let local_peer_id = key.public().to_peer_id();
        let genesis = config.genesis_hash;
        let boot_nodes = peer_addrs(&config.boot_nodes)?;
        let reserved = peer_addrs(&config.reserved_nodes)?;

        let status_protocol = protocol_name(Protocol::Status.name(&genesis))?;
        let kad_protocol = protocol_name(format!("/ludus/{}/kad", hex::encode(genesis)))?;

        // Unsigned, as Ethereum's consensus layer runs gossipsub: the connection (noise) already
        // authenticates the peer a message came from, which is whom a verdict rewards or bans,
        // and every payload carries its own signatures (transactions, block seals, votes). A
        // signed message costs an ed25519 signature over all of it at the publisher and a check
        // at every receiver, for every copy, duplicates included (gossipsub checks before it
        // looks the message up).
        let gossip_config = gossipsub::ConfigBuilder::default()
            .validation_mode(gossipsub::ValidationMode::Anonymous)
            .validate_messages()
            // Content addressing: identical bytes are one message, whoever sends them.
            .message_id_fn(|message: &gossipsub::Message| {
                gossipsub::MessageId::from(Sha256::digest(&message.data).to_vec())
            })
            // Validator sets are small and latency matters more than bandwidth.
            .flood_publish(true)
            .max_transmit_size(MAX_GOSSIP_SIZE + GOSSIP_FRAMING_OVERHEAD)
            .heartbeat_interval(Duration::from_millis(500))
            // The defaults assume dozens of peers; a 4-5 node network must still form a mesh.
            .mesh_n_low(1)
            .mesh_n(6)
            .mesh_n_high(12)
            .mesh_outbound_min(0)
            .build()
            .map_err(|e| setup_err("gossipsub config")(e.to_string()))?;
        let mut gossipsub = gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Anonymous, gossip_config)
            .map_err(|e| setup_err("gossipsub")(e.to_string()))?;
        let mut topics = HashMap::new();
        let mut topic_names = HashMap::new();
        for topic in Topic::ALL {
            let ident = IdentTopic::new(topic.name(&genesis));
            gossipsub.subscribe(&ident).map_err(|e| setup_err("gossipsub subscribe")(e.to_string()))?;
            topics.insert(ident.hash(), topic);
            topic_names.insert(topic, ident);
        }

        let mut kad_config = kad::Config::new(kad_protocol.clone());
        // We run discovery ourselves (see `discover`), with redials of boot nodes.
        kad_config.set_periodic_bootstrap_interval(None);
        let mut kad =
            kad::Behaviour::with_config(local_peer_id, kad::store::MemoryStore::new(local_peer_id), kad_config);
        kad.set_mode(Some(kad::Mode::Server));
        for (peer, addr) in boot_nodes.iter().chain(reserved.iter()) {
            kad.add_address(peer, addr.clone());
        }

        let rr = |protocol: Protocol| -> Result<_, NetworkError> {
            let codec = BoundedBytesCodec {
                max_request: protocol.max_request_size(),
                max_response: protocol.max_response_size(),
            };
            Ok(request_response::Behaviour::with_codec(
                codec,
                [(protocol_name(protocol.name(&genesis))?, ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(REQUEST_TIMEOUT),
            ))
        };

        let behaviour = Behaviour {
            gate: PeerGate::new(
                reserved.iter().map(|(peer, _)| *peer).collect(),
                config.reserved_only,
                config.max_inbound,
                config.max_outbound,
            ),
            identify: identify::Behaviour::new(
                identify::Config::new(IDENTIFY_PROTOCOL_VERSION.into(), key.public())
                    .with_agent_version(config.agent_version),
            ),
            ping: ping::Behaviour::default(),
            kad,
            gossipsub,
            status: rr(Protocol::Status)?,
            blocks: rr(Protocol::Blocks)?,
        };

        let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
            .with_tokio()
            .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
            .map_err(|e| setup_err("tcp transport")(e.to_string()))?
            .with_behaviour(|_| behaviour)
            .map_err(|e| setup_err("behaviour")(e.to_string()))?
            .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
            .build();

        for addr in &config.listen_addrs {
            probe_port_free(addr)?;
            swarm
                .listen_on(addr.clone())
                .map_err(|e| NetworkError::Listen { addr: addr.to_string(), reason: e.to_string() })?;
        }
        tracing::info!(target: LOG, "Local node identity is: {local_peer_id}");

        let now = Instant::now();
        let mut worker = Self {
            swarm,
            local_peer_id,
            ban_duration: config.ban_duration,
            status_protocol,
            kad_protocol,
            topics,
            topic_names,
            boot_nodes,
            reserved,
            connected: HashMap::new(),
            pending_requests: HashMap::new(),
            pending_responses: FuturesUnordered::new(),
            listen_addrs: Vec::new(),
            listen_waiters: Vec::new(),
            open_listeners: config.listen_addrs.len(),
            commands,
            events,
            peer_event_backlog: VecDeque::new(),
            discovery_interval: MIN_DISCOVERY_INTERVAL,
            next_discovery: now + MIN_DISCOVERY_INTERVAL,
            next_reserved_redial: now + RESERVED_REDIAL_INTERVAL,
        };
        worker.dial_boot_nodes();
        worker.dial_reserved();
        Ok(worker)
    }

    /// Runs until every [`crate::NetworkHandle`] is dropped.
    pub(crate) async fn run(mut self) {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // A second sender, so a reserved slot does not borrow `self`.
        let events = self.events.clone();
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                Some((protocol, peer, channel, response)) = self.pending_responses.next(),
                    if !self.pending_responses.is_empty() =>
                {
                    self.send_response(protocol, peer, channel, response);
                }
                permit = events.reserve(), if !self.peer_event_backlog.is_empty() => match permit {
                    Ok(permit) => {
                        if let Some(event) = self.peer_event_backlog.pop_front() {
                            permit.send(event);
                        }
                    }
                    // The node dropped its receiver; nobody is listening.
                    Err(_) => self.peer_event_backlog.clear(),
                },
                _ = tick.tick() => self.housekeeping(),
            }
        }
        tracing::debug!(target: LOG, "Network task stopped");
    }

    // ----- events to the node -----

    fn emit_peer_event(&mut self, event: NetworkEvent) {
        // Order matters (connect before disconnect), so once anything waits, everything waits.
        if self.peer_event_backlog.is_empty() {
            match self.events.try_send(event) {
                // Closed: the node dropped its receiver; nobody is listening.
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
                Err(mpsc::error::TrySendError::Full(event)) => self.peer_event_backlog.push_back(event),
            }
        } else if self.peer_event_backlog.len() < MAX_PEER_EVENT_BACKLOG {
            self.peer_event_backlog.push_back(event);
        } else {
            tracing::error!(target: LOG, "Dropped a peer event: the node is not reading network events");
        }
    }

    /// Sends gossip or a request to the node if there is room; returns false if dropped.
    fn emit_droppable(&mut self, event: NetworkEvent) -> bool {
        match self.events.try_send(event) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(target: LOG, "Dropped an inbound message: the node is not keeping up");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    fn reported_peers(&self) -> usize {
        self.connected.values().filter(|c| c.reported).count()
    }

    // ----- swarm events -----

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                tracing::info!(target: LOG, "Listening on {address}/p2p/{}", self.local_peer_id);
                self.listen_addrs.push(address);
                for waiter in self.listen_waiters.drain(..) {
                    let _ = waiter.send(self.listen_addrs.clone());
                }
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_addrs.retain(|a| a != &address);
            }
            SwarmEvent::ListenerError { error, .. } => {
                tracing::warn!(target: LOG, "Listener error: {error}");
            }
            SwarmEvent::ListenerClosed { addresses, reason, .. } => {
                tracing::warn!(target: LOG, "Stopped listening on {addresses:?}: {reason:?}");
                self.listen_addrs.retain(|a| !addresses.contains(a));
                self.open_listeners = self.open_listeners.saturating_sub(1);
                if self.open_listeners == 0 {
                    for waiter in self.listen_waiters.drain(..) {
                        let _ = waiter.send(self.listen_addrs.clone());
                    }
                }
            }
            SwarmEvent::ConnectionEstablished { peer_id, connection_id, endpoint, .. } => {
                let entry = self.connected.entry(peer_id).or_insert(Connected {
                    inbound: endpoint.is_listener(),
                    addresses: Vec::new(),
                    reported: false,
                });
                entry.addresses.push((connection_id, endpoint.get_remote_address().clone()));
                tracing::debug!(target: LOG, "Connection to {peer_id} at {}", endpoint.get_remote_address());
            }
            SwarmEvent::ConnectionClosed { peer_id, connection_id, num_established, cause, .. } => {
                tracing::debug!(target: LOG, "Connection to {peer_id} closed: {cause:?}");
                if num_established > 0 {
                    if let Some(c) = self.connected.get_mut(&peer_id) {
                        c.addresses.retain(|(id, _)| *id != connection_id);
                    }
                    return;
                }
                if let Some(c) = self.connected.remove(&peer_id) {
                    if c.reported {
                        let n = self.reported_peers();
                        tracing::info!(target: LOG, "Peer {peer_id} disconnected, {n} peers");
                        self.emit_peer_event(NetworkEvent::PeerDisconnected { peer: peer_id });
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(target: LOG, "Dial to {peer_id:?} failed: {error}");
            }
            SwarmEvent::IncomingConnectionError { send_back_addr, error, .. } => {
                tracing::debug!(target: LOG, "Inbound connection from {send_back_addr} failed: {error}");
            }
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gate(never) => match never {},
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                self.on_identified(peer_id, info)
            }
            BehaviourEvent::Identify(_) | BehaviourEvent::Ping(_) => {}
            BehaviourEvent::Kad(kad::Event::RoutingUpdated { peer, .. }) => self.dial_if_wanted(peer),
            BehaviourEvent::Kad(event) => tracing::trace!(target: LOG, "Kademlia: {event:?}"),
            BehaviourEvent::Gossipsub(gossipsub::Event::Message { propagation_source, message_id, message }) => {
                self.on_gossip(propagation_source, message_id, message)
            }
            BehaviourEvent::Gossipsub(event) => tracing::trace!(target: LOG, "Gossipsub: {event:?}"),
            BehaviourEvent::Status(event) => self.on_request_response(Protocol::Status, event),
            BehaviourEvent::Blocks(event) => self.on_request_response(Protocol::Blocks, event),
        }
    }

    fn on_identified(&mut self, peer: PeerId, info: identify::Info) {
        if !info.protocols.contains(&self.status_protocol) {
            tracing::info!(
                target: LOG,
                "Disconnecting {peer} ({}): it does not speak {}, so it is on another chain or not a Ludus node",
                info.agent_version,
                self.status_protocol,
            );
            self.swarm.behaviour_mut().kad.remove_peer(&peer);
            let _ = self.swarm.disconnect_peer_id(peer);
            return;
        }
        if info.protocols.contains(&self.kad_protocol) {
            for addr in info.listen_addrs {
                self.swarm.behaviour_mut().kad.add_address(&peer, addr);
            }
        }
        let Some(connected) = self.connected.get_mut(&peer) else { return };
        if connected.reported {
            return;
        }
        connected.reported = true;
        let inbound = connected.inbound;
        let n = self.reported_peers();
        let direction = if inbound { "inbound" } else { "outbound" };
        tracing::info!(target: LOG, "Peer {peer} connected ({direction}), {n} peers");
        self.emit_peer_event(NetworkEvent::PeerConnected { peer, inbound });
    }

    fn on_gossip(&mut self, from: PeerId, message_id: gossipsub::MessageId, message: gossipsub::Message) {
        let Some(topic) = self.topics.get(&message.topic).copied() else {
            // Gossipsub only delivers topics we subscribed to; be strict anyway.
            self.report(&message_id, &from, MessageAcceptance::Reject);
            return;
        };
        let event = NetworkEvent::Gossip { topic, from, id: MessageId(message_id.clone()), data: message.data };
        if !self.emit_droppable(event) {
            self.report(&message_id, &from, MessageAcceptance::Ignore);
        }
    }

    fn report(&mut self, id: &gossipsub::MessageId, from: &PeerId, acceptance: MessageAcceptance) {
        if !self.swarm.behaviour_mut().gossipsub.report_message_validation_result(id, from, acceptance) {
            tracing::debug!(target: LOG, "Gossip verdict for an unknown or expired message {id}");
        }
    }

    fn on_request_response(&mut self, protocol: Protocol, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        use request_response::{Event, InboundFailure, Message};
        match event {
            Event::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                if self.swarm.behaviour().gate.is_banned(&peer) {
                    return;
                }
                let (respond, response) = oneshot::channel();
                if self.emit_droppable(NetworkEvent::Request { peer, protocol, data: request, respond }) {
                    self.pending_responses.push(
                        async move {
                            let response = tokio::time::timeout(REQUEST_TIMEOUT, response).await;
                            (protocol, peer, channel, response.ok().and_then(Result::ok))
                        }
                        .boxed(),
                    );
                }
            }
            Event::Message { message: Message::Response { request_id, response }, .. } => {
                if let Some(reply) = self.pending_requests.remove(&(protocol, request_id)) {
                    let _ = reply.send(Ok(response));
                }
            }
            Event::OutboundFailure { peer, request_id, error, .. } => {
                let error = match error {
                    OutboundFailure::DialFailure => RequestError::DialFailure,
                    OutboundFailure::Timeout => RequestError::Timeout,
                    OutboundFailure::ConnectionClosed => RequestError::ConnectionClosed,
                    OutboundFailure::UnsupportedProtocols => RequestError::UnsupportedProtocol,
                    OutboundFailure::Io(e) => match oversized_limit(&e) {
                        Some(limit) => {
                            self.ban(peer, format!("sent a {protocol:?} response over the {limit}-byte limit"));
                            RequestError::ResponseTooLarge { limit }
                        }
                        None => RequestError::Io(e.to_string()),
                    },
                };
                if let Some(reply) = self.pending_requests.remove(&(protocol, request_id)) {
                    let _ = reply.send(Err(error));
                }
            }
            Event::InboundFailure { peer, error: InboundFailure::Io(e), .. } => match oversized_limit(&e) {
                Some(limit) => self.ban(peer, format!("sent a {protocol:?} request over the {limit}-byte limit")),
                None => tracing::debug!(target: LOG, "Inbound {protocol:?} request from {peer} failed: {e}"),
            },
            Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(target: LOG, "Inbound {protocol:?} request from {peer} failed: {error}")
            }
            Event::ResponseSent { .. } => {}
        }
    }

    fn send_response(
        &mut self,
        protocol: Protocol,
        peer: PeerId,
        channel: ResponseChannel<Vec<u8>>,
        response: Option<Vec<u8>>,
    ) {
        // No answer (dropped or too slow): dropping `channel` tells the peer.
        let Some(data) = response else { return };
        if data.len() > protocol.max_response_size() {
            tracing::warn!(
                target: LOG,
                "Not sending a {protocol:?} response of {} bytes to {peer}: over the {}-byte limit",
                data.len(),
                protocol.max_response_size(),
            );
            return;
        }
        if self.swarm.behaviour_mut().rr(protocol).send_response(channel, data).is_err() {
            tracing::debug!(target: LOG, "{protocol:?} response to {peer} not sent: connection gone");
        }
    }

    // ----- commands -----

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { topic, data } => self.publish(topic, data),
            Command::Validate { id, from, verdict } => {
                let acceptance = match verdict {
                    Verdict::Accept => MessageAcceptance::Accept,
                    Verdict::Ignore => MessageAcceptance::Ignore,
                    Verdict::Reject => MessageAcceptance::Reject,
                };
                self.report(&id.0, &from, acceptance);
            }
            Command::Request { peer, protocol, data, reply } => {
                if self.swarm.behaviour().gate.is_banned(&peer) {
                    let _ = reply.send(Err(RequestError::Banned));
                    return;
                }
                let limit = protocol.max_request_size();
                if data.len() > limit {
                    let _ = reply.send(Err(RequestError::RequestTooLarge { size: data.len(), limit }));
                    return;
                }
                let id = self.swarm.behaviour_mut().rr(protocol).send_request(&peer, data);
                self.pending_requests.insert((protocol, id), reply);
            }
            Command::Ban { peer, reason } => self.ban(peer, reason),
            Command::Peers { reply } => {
                let peers = self
                    .connected
                    .iter()
                    .filter(|(_, c)| c.reported)
                    .map(|(peer, c)| PeerInfo {
                        peer_id: *peer,
                        addresses: c.addresses.iter().map(|(_, a)| a.clone()).collect(),
                        inbound: c.inbound,
                    })
                    .collect();
                let _ = reply.send(peers);
            }
            Command::ListenAddrs { reply } => {
                if self.listen_addrs.is_empty() && self.open_listeners > 0 {
                    self.listen_waiters.push(reply);
                } else {
                    let _ = reply.send(self.listen_addrs.clone());
                }
            }
            Command::Dial { addr, reply } => {
                let _ = reply.send(self.dial_addr(addr));
            }
        }
    }

    fn publish(&mut self, topic: Topic, data: Vec<u8>) {
        let Some(ident) = self.topic_names.get(&topic).cloned() else { return };
        if data.len() > MAX_GOSSIP_SIZE {
            tracing::warn!(target: LOG, "Not publishing {topic:?} message of {} bytes: over the limit", data.len());
            return;
        }
        match self.swarm.behaviour_mut().gossipsub.publish(ident, data) {
            Ok(_) => {}
            Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {
                tracing::debug!(target: LOG, "Published {topic:?} message reached no peer (none connected)")
            }
            Err(gossipsub::PublishError::Duplicate) => {
                tracing::debug!(target: LOG, "Not republishing an identical {topic:?} message")
            }
            Err(e) => tracing::warn!(target: LOG, "Publishing a {topic:?} message failed: {e}"),
        }
    }

    fn dial_addr(&mut self, addr: Multiaddr) -> Result<(), NetworkError> {
        let opts = match split_peer_id(&addr) {
            Some((peer, bare)) => DialOpts::peer_id(peer).addresses(vec![bare]).build(),
            None => DialOpts::unknown_peer_id().address(addr.clone()).build(),
        };
        self.swarm.dial(opts).map_err(|e| NetworkError::Dial { addr: addr.to_string(), reason: e.to_string() })
    }

    fn ban(&mut self, peer: PeerId, reason: String) {
        if peer == self.local_peer_id {
            return;
        }
        let until = Instant::now() + self.ban_duration;
        let behaviour = self.swarm.behaviour_mut();
        behaviour.gate.ban(peer, until);
        behaviour.gossipsub.blacklist_peer(&peer);
        let _ = self.swarm.disconnect_peer_id(peer);
        tracing::info!(target: LOG, "Banned peer {peer} for {:?}: {reason}", self.ban_duration);
    }

    // ----- periodic work -----

    fn housekeeping(&mut self) {
        let now = Instant::now();
        for peer in self.swarm.behaviour_mut().gate.expire_bans(now) {
            self.swarm.behaviour_mut().gossipsub.remove_blacklisted_peer(&peer);
            tracing::debug!(target: LOG, "Ban on {peer} expired");
        }
        if now >= self.next_reserved_redial {
            self.next_reserved_redial = now + RESERVED_REDIAL_INTERVAL;
            self.dial_reserved();
        }
        if now >= self.next_discovery {
            self.discovery_interval = (self.discovery_interval * 2).min(MAX_DISCOVERY_INTERVAL);
            self.next_discovery = now + self.discovery_interval;
            self.discover();
        }
    }

    fn dial_known(&mut self, peer: PeerId, addr: Multiaddr) {
        let gate = &self.swarm.behaviour().gate;
        if peer == self.local_peer_id || gate.is_connected(&peer) || gate.is_banned(&peer) {
            return;
        }
        let opts =
            DialOpts::peer_id(peer).addresses(vec![addr]).condition(PeerCondition::DisconnectedAndNotDialing).build();
        if let Err(e) = self.swarm.dial(opts) {
            tracing::debug!(target: LOG, "Not dialling {peer}: {e}");
        }
    }

    fn dial_boot_nodes(&mut self) {
        for (peer, addr) in self.boot_nodes.clone() {
            self.dial_known(peer, addr);
        }
    }

    fn dial_reserved(&mut self) {
        for (peer, addr) in self.reserved.clone() {
            self.dial_known(peer, addr);
        }
    }

    /// Dials `peer` (addresses from Kademlia) if it would fill a free outbound slot.
    fn dial_if_wanted(&mut self, peer: PeerId) {
        if peer == self.local_peer_id || !self.swarm.behaviour().gate.wants_outbound(&peer) {
            return;
        }
        let opts = DialOpts::peer_id(peer).condition(PeerCondition::DisconnectedAndNotDialing).build();
        if let Err(e) = self.swarm.dial(opts) {
            tracing::debug!(target: LOG, "Not dialling discovered {peer}: {e}");
        }
    }

    fn discover(&mut self) {
        self.dial_boot_nodes();
        if let Err(e) = self.swarm.behaviour_mut().kad.bootstrap() {
            tracing::debug!(target: LOG, "Kademlia bootstrap skipped: {e:?}");
        }
        let known: Vec<PeerId> = self
            .swarm
            .behaviour_mut()
            .kad
            .kbuckets()
            .flat_map(|bucket| bucket.iter().map(|entry| *entry.node.key.preimage()).collect::<Vec<_>>())
            .collect();
        for peer in known {
            self.dial_if_wanted(peer);
        }
    }
}
