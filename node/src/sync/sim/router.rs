//! The in-memory router: who is connected to whom, and what happens to each message.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use futures::future::BoxFuture;
use ludus_network::{PeerId, Protocol, Topic, Verdict};
use parking_lot::Mutex;
use rand::{rngs::StdRng, Rng, SeedableRng};
use tokio::sync::{mpsc, oneshot};

use crate::sync::{SyncEvent, SyncNetwork};

/// A gossip message's id on the simulated network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SimId(u64);

/// A ban one node pronounced on another.
#[derive(Debug, Clone)]
pub struct Ban {
    /// Who banned.
    pub by: PeerId,
    /// Whom.
    pub peer: PeerId,
    /// Why.
    pub reason: String,
}

/// A request one node sent another.
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// The sender.
    pub from: PeerId,
    /// The receiver.
    pub to: PeerId,
    /// The protocol.
    pub protocol: Protocol,
    /// The payload.
    pub data: Vec<u8>,
}

struct State {
    /// Draws for gossip (loss, delay). Only publications consume it, so with engines that
    /// publish nothing of their own, a seed fixes which announcement reaches whom, when.
    gossip_rng: StdRng,
    /// Draws for request and response delays, which engines send at times of their own.
    stream_rng: StdRng,
    inboxes: HashMap<PeerId, mpsc::Sender<SyncEvent<SimId>>>,
    /// Connected pairs, smaller id first.
    connected: HashSet<(PeerId, PeerId)>,
    /// Pairs that may not connect again (bans).
    banned: HashSet<(PeerId, PeerId)>,
    /// Each node's side of a partition; nodes on different sides cannot connect.
    side: HashMap<PeerId, u8>,
    /// Chance that a gossip message to one peer is lost.
    loss: f64,
    /// Longest delay of any message.
    max_delay: Duration,
    next_id: u64,
    /// Gossip deliveries lost so far.
    dropped: usize,
    bans: Vec<Ban>,
    requests: Vec<SentRequest>,
    verdicts: Vec<(PeerId, PeerId, Verdict)>,
}

fn pair(a: PeerId, b: PeerId) -> (PeerId, PeerId) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// A delay of up to `max`.
fn delay(rng: &mut StdRng, max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    max.mul_f64(rng.gen_range(0.0..1.0))
}

impl State {
    fn is_connected(&self, a: PeerId, b: PeerId) -> bool {
        self.connected.contains(&pair(a, b))
    }
}

/// The simulated network; cheap to clone.
#[derive(Clone)]
pub struct Router(Arc<Mutex<State>>);

impl Router {
    /// A router whose delays and losses are drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(State {
            gossip_rng: StdRng::seed_from_u64(seed),
            stream_rng: StdRng::seed_from_u64(seed.wrapping_add(0x5eed)),
            inboxes: HashMap::new(),
            connected: HashSet::new(),
            banned: HashSet::new(),
            side: HashMap::new(),
            loss: 0.0,
            max_delay: Duration::ZERO,
            next_id: 0,
            dropped: 0,
            bans: Vec::new(),
            requests: Vec::new(),
            verdicts: Vec::new(),
        })))
    }

    /// From now on, each gossip delivery is lost with probability `loss`, and every message
    /// waits up to `max_delay`.
    pub fn set_conditions(&self, loss: f64, max_delay: Duration) {
        let mut state = self.0.lock();
        state.loss = loss;
        state.max_delay = max_delay;
    }

    /// Adds a node whose events go to `inbox`; returns its network.
    pub fn register(&self, peer: PeerId, inbox: mpsc::Sender<SyncEvent<SimId>>) -> SimNetwork {
        self.0.lock().inboxes.insert(peer, inbox);
        SimNetwork { me: peer, router: self.clone() }
    }

    /// Delivers `event` to `to` after a drawn delay, if `from` and `to` are still
    /// connected then.
    fn deliver(&self, from: PeerId, to: PeerId, delay: Duration, event: SyncEvent<SimId>) {
        let router = self.clone();
        let send = move || {
            let state = router.0.lock();
            if state.is_connected(from, to) {
                if let Some(inbox) = state.inboxes.get(&to) {
                    let _ = inbox.try_send(event);
                }
            }
        };
        if delay.is_zero() {
            send();
        } else {
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                send();
            });
        }
    }

    /// Connects `a` and `b` (both learn it at once), unless they are connected, on
    /// different sides of a partition, or one banned the other.
    pub fn connect(&self, a: PeerId, b: PeerId) {
        let mut state = self.0.lock();
        let key = pair(a, b);
        if a == b || state.connected.contains(&key) || state.banned.contains(&key) {
            return;
        }
        if state.side.get(&a).copied().unwrap_or(0) != state.side.get(&b).copied().unwrap_or(0) {
            return;
        }
        state.connected.insert(key);
        for (me, other) in [(a, b), (b, a)] {
            if let Some(inbox) = state.inboxes.get(&me) {
                let _ = inbox.try_send(SyncEvent::PeerConnected { peer: other });
            }
        }
    }

    /// Connects every pair of registered nodes that may connect.
    pub fn connect_all(&self) {
        let peers: Vec<PeerId> = self.0.lock().inboxes.keys().copied().collect();
        for (i, a) in peers.iter().enumerate() {
            for b in &peers[i + 1..] {
                self.connect(*a, *b);
            }
        }
    }

    fn disconnect(state: &mut State, a: PeerId, b: PeerId) {
        if state.connected.remove(&pair(a, b)) {
            for (me, other) in [(a, b), (b, a)] {
                if let Some(inbox) = state.inboxes.get(&me) {
                    let _ = inbox.try_send(SyncEvent::PeerDisconnected { peer: other });
                }
            }
        }
    }

    /// Splits the network: each group on a side of its own; connections across are cut.
    pub fn partition(&self, groups: &[&[PeerId]]) {
        let mut state = self.0.lock();
        for (side, group) in groups.iter().enumerate() {
            for peer in *group {
                state.side.insert(*peer, side as u8);
            }
        }
        let cut: Vec<_> =
            state.connected.iter().filter(|(a, b)| state.side.get(a) != state.side.get(b)).copied().collect();
        for (a, b) in cut {
            Self::disconnect(&mut state, a, b);
        }
    }

    /// Ends every partition and reconnects everyone (bans stand).
    pub fn heal(&self) {
        self.0.lock().side.clear();
        self.connect_all();
    }

    /// Every ban pronounced so far.
    pub fn bans(&self) -> Vec<Ban> {
        self.0.lock().bans.clone()
    }

    /// Every request sent so far.
    pub fn requests(&self) -> Vec<SentRequest> {
        self.0.lock().requests.clone()
    }

    /// How many gossip deliveries were lost.
    pub fn dropped(&self) -> usize {
        self.0.lock().dropped
    }

    /// Stops every node: their event streams end, so their engines return.
    pub fn shutdown(&self) {
        let mut state = self.0.lock();
        state.connected.clear();
        state.inboxes.clear();
    }

    /// Every gossip verdict given so far: (by, about a message from, verdict).
    pub fn verdicts(&self) -> Vec<(PeerId, PeerId, Verdict)> {
        self.0.lock().verdicts.clone()
    }
}

/// One node's side of the router.
#[derive(Clone)]
pub struct SimNetwork {
    me: PeerId,
    router: Router,
}

impl SyncNetwork for SimNetwork {
    type MessageId = SimId;

    fn publish(&self, topic: Topic, data: Vec<u8>) {
        let deliveries: Vec<_> = {
            let mut state = self.router.0.lock();
            let peers: Vec<PeerId> = {
                let mut peers: Vec<_> = state
                    .connected
                    .iter()
                    .filter_map(|&(a, b)| (a == self.me).then_some(b).or((b == self.me).then_some(a)))
                    .collect();
                // The set's order is not seeded; the draws must be.
                peers.sort();
                peers
            };
            let id = SimId(state.next_id);
            state.next_id += 1;
            let (loss, max_delay) = (state.loss, state.max_delay);
            peers
                .into_iter()
                .filter_map(|peer| {
                    let lost = state.gossip_rng.gen_bool(loss);
                    let delay = delay(&mut state.gossip_rng, max_delay);
                    state.dropped += usize::from(lost);
                    (!lost).then_some((peer, delay))
                })
                .map(|(peer, delay)| (peer, delay, id))
                .collect()
        };
        for (peer, delay, id) in deliveries {
            let event = SyncEvent::Gossip { topic, from: self.me, id, data: data.clone() };
            self.router.deliver(self.me, peer, delay, event);
        }
    }

    fn validate(&self, _id: SimId, from: PeerId, verdict: Verdict) {
        self.router.0.lock().verdicts.push((self.me, from, verdict));
    }

    fn ban(&self, peer: PeerId, reason: String) {
        let mut state = self.router.0.lock();
        state.bans.push(Ban { by: self.me, peer, reason });
        state.banned.insert(pair(self.me, peer));
        Router::disconnect(&mut state, self.me, peer);
    }

    fn request(&self, peer: PeerId, protocol: Protocol, data: Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, String>> {
        let (me, router) = (self.me, self.router.clone());
        let (connected, there, back) = {
            let mut state = router.0.lock();
            state.requests.push(SentRequest { from: me, to: peer, protocol, data: data.clone() });
            let max = state.max_delay;
            (state.is_connected(me, peer), delay(&mut state.stream_rng, max), delay(&mut state.stream_rng, max))
        };
        Box::pin(async move {
            if !connected {
                return Err("not connected".into());
            }
            let (respond, response) = oneshot::channel();
            router.deliver(me, peer, there, SyncEvent::Request { peer: me, protocol, data, respond });
            let response = tokio::time::timeout(Duration::from_secs(5), response)
                .await
                .map_err(|_| "timed out".to_owned())?
                .map_err(|_| "no response".to_owned())?;
            tokio::time::sleep(back).await;
            if !router.0.lock().is_connected(me, peer) {
                return Err("disconnected".into());
            }
            Ok(response)
        })
    }
}
