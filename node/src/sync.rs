//! Block propagation and sync: what the node says to its peers and what it does with what
//! they say (DESIGN.md decision 5).
//!
//! # What it owns
//!
//! One task, [`SyncEngine::run`], owns every network event:
//!
//! - **status** (request-response): on connecting, each side asks the other for its genesis,
//!   best and finalized blocks and role;
//! - **block announcements** (gossip): an author publishes each block it seals, header and
//!   body; a receiver whose chain has the parent imports it at once and only then lets it
//!   travel on; a bad block costs its sender a ban;
//! - **block sync** (request-response): when a peer's best block is ahead of ours and
//!   unknown, the engine downloads the missing blocks — by number from our best when far
//!   behind, otherwise backwards from the peer's head until a block we know (which also finds
//!   forks) — and imports them in order with their GRANDPA justifications, which finalize
//!   them through [`Grandpa::import_justification`]. It serves the same requests from the
//!   database;
//! - **transactions** (gossip): transactions that become ready in our pool are published;
//!   received ones go through the pool's validation;
//! - **GRANDPA** messages (gossip): handed to the finality gadget, whose verdict decides
//!   whether they travel on; its own messages are published.
//!
//! Imports run on a blocking thread ([`import_worker`]) fed in order, so the engine keeps
//! answering peers while a batch executes. Peers whose data fails a check that an honest
//! node never fails (undecodable bytes, a bad seal, a wrong state root, a forged vote) are
//! banned through [`NetworkHandle::ban`], which logs why.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use codec::{Decode, DecodeAll, Encode};
use ludus_finality::{GossipVerdict, Grandpa};
use ludus_network::{MessageId, NetworkEvent, NetworkHandle, PeerId, Protocol, Topic, Verdict};
use ludus_primitives::{now_ms, short, Block, BlockNumber, Hash, Header};
use ludus_rpc::{Health, NetworkBackend, PeerInfo};
use parking_lot::RwLock;
use sp_runtime::{traits::Header as HeaderT, OpaqueExtrinsic};
use tokio::sync::mpsc;

use crate::{
    adapters::txpool::NodePool,
    chain::Chain,
    consensus::import::{BlockImporter, ImportError, ImportOutcome},
};

/// Wire formats of the sync protocols, SCALE-encoded.
pub mod messages {
    use super::*;

    /// A node's role.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
    pub enum Role {
        /// Follows the chain.
        Full,
        /// Authors blocks and votes.
        Authority,
    }

    /// The answer to a status request.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct Status {
        /// Genesis hash: peers of another chain are useless.
        pub genesis: Hash,
        /// Best block number.
        pub best_number: BlockNumber,
        /// Best block hash.
        pub best_hash: Hash,
        /// Finalized block number.
        pub finalized_number: BlockNumber,
        /// Finalized block hash.
        pub finalized_hash: Hash,
        /// The sender's role.
        pub role: Role,
    }

    /// Where a block request starts.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
    pub enum From {
        /// At this block.
        Hash(Hash),
        /// At the canonical block of this height.
        Number(BlockNumber),
    }

    /// Which way a block request walks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
    pub enum Direction {
        /// Towards the tip, along the canonical chain.
        Ascending,
        /// Towards genesis, along parent links.
        Descending,
    }

    /// A request for up to `max` consecutive blocks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
    pub struct BlockRequest {
        /// The first block.
        pub from: From,
        /// The walk's direction.
        pub direction: Direction,
        /// At most this many blocks (clamped to [`MAX_BLOCKS`]).
        pub max: u32,
    }

    /// One block as sync sends it.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct BlockData {
        /// The sealed header.
        pub header: Header,
        /// The extrinsics.
        pub body: Vec<OpaqueExtrinsic>,
        /// The GRANDPA justification stored with the block, if any.
        pub justification: Option<Vec<u8>>,
    }

    /// The answer to a block request: blocks in the requested order.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct BlockResponse {
        /// The blocks.
        pub blocks: Vec<BlockData>,
    }

    /// A new block, gossiped by its author whole so receivers need no round trip.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct BlockAnnounce {
        /// The sealed header.
        pub header: Header,
        /// The extrinsics.
        pub body: Vec<OpaqueExtrinsic>,
    }

    /// Transactions gossiped together: one message per flush instead of one per
    /// transaction keeps gossip overhead flat under load.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct Transactions {
        /// Encoded extrinsics.
        pub extrinsics: Vec<Vec<u8>>,
    }

    /// Most blocks in one response.
    pub const MAX_BLOCKS: u32 = 128;
    /// Most bytes of blocks in one response (the network allows 16 MiB).
    pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
}

use messages::{BlockAnnounce, BlockData, BlockRequest, BlockResponse, Direction, Role, Status, Transactions};

/// Blocks behind the best peer beyond which the node counts as syncing (and does not author).
pub const SYNCING_DISTANCE: BlockNumber = 5;
/// Behind the best peer by more than this, download by number from our best upwards (our
/// best is almost always on the peer's chain); closer to the tip, walk back from the peer's
/// head, which also finds short forks.
const ASCEND_DISTANCE: BlockNumber = 8;
/// How often our new transactions are gossiped, in one batch.
const TX_FLUSH: Duration = Duration::from_millis(100);
/// Most bytes of transactions in one gossip batch (flushed early when reached).
const MAX_TX_BATCH_BYTES: usize = 512 * 1024;
/// Most hashes remembered as "came from the network" (cleared when full: at worst a
/// transaction is gossiped once more, which gossip's duplicate filter absorbs).
const MAX_REMEMBERED_TXS: usize = 100_000;
/// How long a peer that failed a request is left alone.
const PEER_BACKOFF: Duration = Duration::from_secs(5);
/// Most blocks kept while walking back from a peer's head to a known block.
const MAX_FORK_SEARCH: usize = 1024;

/// What the engine knows of one peer.
#[derive(Debug, Clone)]
struct PeerSync {
    best_number: BlockNumber,
    best_hash: Hash,
    role: Role,
    /// Not asked again before this instant (after a failed request).
    backoff_until: Option<Instant>,
}

/// Sync state shared with RPC (`system_peers`, `system_health`) and the slot worker.
pub struct SyncShared {
    chain: Arc<Chain>,
    peers: RwLock<HashMap<PeerId, PeerSync>>,
    local_peer_id: String,
    /// Blocks imported from peers, for the blocks-per-second figure in the log.
    imported: AtomicU64,
    /// Whether any peer was ever expected (false for a lone `--dev` node with no boot nodes).
    should_have_peers: bool,
    /// Blocks handed to the import thread and not yet done with.
    importing: std::sync::atomic::AtomicUsize,
}

impl SyncShared {
    /// Shared state for a node whose libp2p identity is `local_peer_id`.
    pub fn new(chain: Arc<Chain>, local_peer_id: String, should_have_peers: bool) -> Arc<Self> {
        Arc::new(Self {
            chain,
            peers: RwLock::new(HashMap::new()),
            local_peer_id,
            imported: AtomicU64::new(0),
            should_have_peers,
            importing: Default::default(),
        })
    }

    /// The highest best block any peer reported.
    pub fn target(&self) -> Option<BlockNumber> {
        self.peers.read().values().map(|p| p.best_number).max()
    }

    /// Whether we are well behind our peers: then we download instead of authoring.
    pub fn is_major_syncing(&self) -> bool {
        let best = self.chain.info().best_number;
        self.target().is_some_and(|target| target > best.saturating_add(SYNCING_DISTANCE))
    }

    /// Connected peers.
    pub fn peer_count(&self) -> usize {
        self.peers.read().len()
    }

    /// Whether blocks from peers are waiting for or in import. The slot worker gives them a
    /// moment before building: a block built on a parent whose child is being imported is a
    /// fork that loses.
    pub fn is_importing(&self) -> bool {
        self.importing.load(Ordering::Acquire) > 0
    }

    /// Blocks imported from peers since start.
    pub fn imported_from_peers(&self) -> u64 {
        self.imported.load(Ordering::Relaxed)
    }
}

impl NetworkBackend for SyncShared {
    fn peers(&self) -> Vec<PeerInfo> {
        let mut peers: Vec<PeerInfo> = self
            .peers
            .read()
            .iter()
            .map(|(id, peer)| PeerInfo {
                peer_id: id.to_base58(),
                roles: match peer.role {
                    Role::Full => "FULL".into(),
                    Role::Authority => "AUTHORITY".into(),
                },
                best_hash: peer.best_hash,
                best_number: peer.best_number,
            })
            .collect();
        peers.sort_by(|a, b| a.peer_id.cmp(&b.peer_id));
        peers
    }

    fn health(&self) -> Health {
        let peers = self.peer_count();
        Health { peers, is_syncing: self.is_major_syncing(), should_have_peers: peers > 0 || self.should_have_peers }
    }

    fn local_peer_id(&self) -> String {
        self.local_peer_id.clone()
    }
}

/// Where a batch of blocks came from, so the outcome can be credited or blamed.
#[derive(Debug, Clone)]
struct Origin {
    peer: PeerId,
    /// The gossip message to accept or reject once imported (announcements).
    gossip: Option<MessageId>,
}

/// A batch of consecutive blocks to import in order.
struct ImportJob {
    blocks: Vec<BlockData>,
    origin: Origin,
}

/// What the import worker did with a batch.
struct ImportReport {
    origin: Origin,
    imported: usize,
    /// Why the batch stopped early, and whether it is the sender's fault.
    failure: Option<(String, bool)>,
}

/// Results flowing back into the engine from its helpers.
enum Internal {
    Status(PeerId, Result<Vec<u8>, String>),
    Blocks(PeerId, BlockRequest, Result<Vec<u8>, String>),
    Imported(ImportReport),
    GossipVerdict(MessageId, PeerId, Verdict, Option<String>),
}

/// The sync engine; see the module docs.
pub struct SyncEngine {
    chain: Arc<Chain>,
    network: NetworkHandle,
    pool: Arc<NodePool>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    role: Role,
    internal_tx: mpsc::UnboundedSender<Internal>,
    internal_rx: mpsc::UnboundedReceiver<Internal>,
    import_tx: mpsc::UnboundedSender<ImportJob>,
    /// The block request in flight, if any (one at a time keeps sync simple and ordered).
    in_flight: Option<PeerId>,
    /// Imports of downloaded blocks not yet reported back.
    sync_imports_pending: usize,
    /// Blocks found walking back from a peer's head (highest first), waiting for a known parent.
    fork_search: Vec<BlockData>,
    /// Set when an ascending download did not connect to our best: restart from finality.
    ascend_from_finalized: bool,
    /// Whether something happened that may start a download (checked after each event).
    replan: bool,
    /// Our transactions waiting for the next gossip batch, and their size.
    outgoing_txs: Vec<(Hash, Vec<u8>)>,
    outgoing_bytes: usize,
    /// Transactions that reached our pool through gossip: gossip forwards them already, so
    /// we do not publish them again.
    from_network: Arc<parking_lot::Mutex<std::collections::HashSet<Hash>>>,
}

impl SyncEngine {
    /// An engine over `chain`, talking through `network`.
    pub fn new(
        chain: Arc<Chain>,
        network: NetworkHandle,
        pool: Arc<NodePool>,
        grandpa: Option<Grandpa<PeerId>>,
        shared: Arc<SyncShared>,
        validator: bool,
    ) -> std::io::Result<Self> {
        let (internal_tx, internal_rx) = mpsc::unbounded_channel();
        let (import_tx, import_rx) = mpsc::unbounded_channel();
        let worker_chain = chain.clone();
        let worker_grandpa = grandpa.clone();
        let worker_results = internal_tx.clone();
        let worker_shared = shared.clone();
        std::thread::Builder::new()
            .name("ludus-import".into())
            .stack_size(crate::executor::RUNTIME_THREAD_STACK_BYTES)
            .spawn(move || import_worker(worker_chain, worker_grandpa, worker_shared, import_rx, worker_results))?;
        Ok(Self {
            chain,
            network,
            pool,
            grandpa,
            shared,
            role: if validator { Role::Authority } else { Role::Full },
            internal_tx,
            internal_rx,
            import_tx,
            in_flight: None,
            sync_imports_pending: 0,
            fork_search: Vec::new(),
            ascend_from_finalized: false,
            replan: true,
            outgoing_txs: Vec::new(),
            outgoing_bytes: 0,
            from_network: Default::default(),
        })
    }

    /// Runs until the network's event stream ends.
    pub async fn run(
        mut self,
        mut events: mpsc::Receiver<NetworkEvent>,
        mut grandpa_out: Option<ludus_finality::mpsc::UnboundedReceiver<Vec<u8>>>,
    ) {
        // Hashes only: a deep buffer costs little and keeps a burst of submissions propagating.
        let mut ready_txs = self.pool.import_notification_stream(16 * 1024);
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let mut flush = tokio::time::interval(TX_FLUSH);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.on_event(event),
                    None => return,
                },
                Some(internal) = self.internal_rx.recv() => self.on_internal(internal),
                Some(message) = async {
                    match grandpa_out.as_mut() {
                        Some(rx) => futures::StreamExt::next(rx).await,
                        None => std::future::pending().await,
                    }
                } => self.network.publish(Topic::Grandpa, message),
                Some(hash) = futures::StreamExt::next(&mut ready_txs) => self.propagate_transaction(hash),
                _ = flush.tick() => self.flush_transactions(),
                _ = tick.tick() => self.replan = true,
            }
            if std::mem::take(&mut self.replan) {
                self.plan();
            }
        }
    }

    fn on_event(&mut self, event: NetworkEvent) {
        match event {
            NetworkEvent::PeerConnected { peer, .. } => {
                self.replan = true;
                let (network, results, request) =
                    (self.network.clone(), self.internal_tx.clone(), self.status().encode());
                tokio::spawn(async move {
                    let response = network.request(peer, Protocol::Status, request).await.map_err(|e| e.to_string());
                    let _ = results.send(Internal::Status(peer, response));
                });
            }
            NetworkEvent::PeerDisconnected { peer } => {
                self.shared.peers.write().remove(&peer);
                if self.in_flight == Some(peer) {
                    self.in_flight = None;
                }
            }
            NetworkEvent::Request { peer, protocol, data, respond } => match protocol {
                Protocol::Status => {
                    if Status::decode_all(&mut &data[..]).is_err() {
                        self.network.ban(peer, "undecodable status request".into());
                        return;
                    }
                    let _ = respond.send(self.status().encode());
                }
                Protocol::Blocks => match BlockRequest::decode_all(&mut &data[..]) {
                    Ok(request) => {
                        let chain = self.chain.clone();
                        tokio::task::spawn_blocking(move || {
                            let response = serve_blocks(&chain, &request);
                            let _ = respond.send(response.encode());
                        });
                    }
                    Err(error) => self.network.ban(peer, format!("undecodable block request: {error}")),
                },
            },
            NetworkEvent::Gossip { topic, from, id, data } => match topic {
                Topic::BlockAnnounces => self.on_announce(from, id, &data),
                Topic::Transactions => self.on_transaction(from, id, data),
                Topic::Grandpa => self.on_grandpa(from, id, &data),
            },
        }
    }

    /// Drops a bad gossip message (it travels no further) and bans the peer that sent it.
    fn reject(&self, id: MessageId, from: PeerId, reason: String) {
        self.network.validate(id, from, Verdict::Reject);
        self.network.ban(from, reason);
    }

    /// Our status as peers see it.
    fn status(&self) -> Status {
        let info = self.chain.info();
        Status {
            genesis: info.genesis_hash,
            best_number: info.best_number,
            best_hash: info.best_hash,
            finalized_number: info.finalized_number,
            finalized_hash: info.finalized_hash,
            role: self.role,
        }
    }

    fn on_announce(&mut self, from: PeerId, id: MessageId, data: &[u8]) {
        let announce = match BlockAnnounce::decode_all(&mut &data[..]) {
            Ok(announce) => announce,
            Err(error) => {
                self.reject(id, from, format!("undecodable block announcement: {error}"));
                return;
            }
        };
        let (hash, number) = (announce.header.hash(), *announce.header.number());
        self.note_peer_best(from, number, hash);
        self.replan = true;
        let known = matches!(self.chain.header(hash), Ok(Some(_)));
        let parent_known = matches!(self.chain.header(*announce.header.parent_hash()), Ok(Some(_)));
        if known || !parent_known {
            // Known: nothing to do. Unknown parent: sync fetches the missing blocks from the
            // peer, whose best we just noted.
            self.network.validate(id, from, Verdict::Ignore);
            return;
        }
        let block = BlockData { header: announce.header, body: announce.body, justification: None };
        self.shared.importing.fetch_add(1, Ordering::AcqRel);
        let _ = self.import_tx.send(ImportJob { blocks: vec![block], origin: Origin { peer: from, gossip: Some(id) } });
    }

    fn note_peer_best(&self, peer: PeerId, number: BlockNumber, hash: Hash) {
        let mut peers = self.shared.peers.write();
        let entry = peers.entry(peer).or_insert(PeerSync {
            best_number: 0,
            best_hash: Hash::zero(),
            role: Role::Full,
            backoff_until: None,
        });
        if number >= entry.best_number {
            entry.best_number = number;
            entry.best_hash = hash;
        }
    }

    fn on_transaction(&mut self, from: PeerId, id: MessageId, data: Vec<u8>) {
        let batch = match Transactions::decode_all(&mut &data[..]) {
            Ok(batch) => batch,
            Err(error) => {
                self.reject(id, from, format!("undecodable transaction batch: {error}"));
                return;
            }
        };
        if let Some(error) = batch.extrinsics.iter().find_map(|xt| crate::adapters::txpool::check_format(xt).err()) {
            self.reject(id, from, format!("gossiped an undecodable transaction: {error}"));
            return;
        }
        let (pool, chain, results, seen) =
            (self.pool.clone(), self.chain.clone(), self.internal_tx.clone(), self.from_network.clone());
        tokio::task::spawn_blocking(move || {
            use ludus_txpool::Error;
            use sp_runtime::transaction_validity::{InvalidTransaction, TransactionSource};
            let at = chain.info().best_hash;
            let mut accepted = false;
            for xt in batch.extrinsics {
                {
                    let mut seen = seen.lock();
                    if seen.len() >= MAX_REMEMBERED_TXS {
                        seen.clear();
                    }
                    seen.insert(ludus_txpool::tx_hash(&xt));
                }
                match pool.submit(at, TransactionSource::External, xt) {
                    Ok(_) => accepted = true,
                    Err(Error::InvalidTransaction(InvalidTransaction::BadProof | InvalidTransaction::BadSigner)) => {
                        let reason = "gossiped a transaction with a forged signature".to_owned();
                        let _ = results.send(Internal::GossipVerdict(id, from, Verdict::Reject, Some(reason)));
                        return;
                    }
                    // Stale nonces, duplicates, a full pool: honest peers send these in races.
                    Err(_) => {}
                }
            }
            let verdict = if accepted { Verdict::Accept } else { Verdict::Ignore };
            let _ = results.send(Internal::GossipVerdict(id, from, verdict, None));
        });
    }

    fn on_grandpa(&mut self, from: PeerId, id: MessageId, data: &[u8]) {
        let Some(grandpa) = &self.grandpa else {
            self.network.validate(id, from, Verdict::Ignore);
            return;
        };
        match grandpa.on_gossip(&from, data) {
            GossipVerdict::Accept => self.network.validate(id, from, Verdict::Accept),
            GossipVerdict::Ignore => self.network.validate(id, from, Verdict::Ignore),
            GossipVerdict::Reject(reason) => {
                self.reject(id, from, format!("bad GRANDPA message: {reason}"));
            }
        }
    }

    /// Queues a transaction that became ready in our pool for the next gossip batch, unless
    /// it came from the network (gossip forwards those itself).
    fn propagate_transaction(&mut self, hash: Hash) {
        if self.from_network.lock().remove(&hash) {
            return;
        }
        let Some(tx) = self.pool.ready_transaction(&hash) else { return };
        if !tx.propagate {
            return;
        }
        self.outgoing_bytes += tx.data.len();
        self.outgoing_txs.push((hash, tx.data.to_vec()));
        if self.outgoing_bytes >= MAX_TX_BATCH_BYTES {
            self.flush_transactions();
        }
    }

    /// Gossips the queued transactions as one batch and tells their watchers (`broadcast`).
    /// Without peers the batch waits for the first one (bounded: a lone node drops it, the
    /// transactions stay in its pool).
    fn flush_transactions(&mut self) {
        if self.outgoing_txs.is_empty() {
            return;
        }
        let peers: Vec<String> = self.shared.peers.read().keys().map(|peer| peer.to_base58()).collect();
        if peers.is_empty() {
            if self.outgoing_bytes >= MAX_TX_BATCH_BYTES {
                self.outgoing_txs.clear();
                self.outgoing_bytes = 0;
            }
            return;
        }
        let batch = std::mem::take(&mut self.outgoing_txs);
        self.outgoing_bytes = 0;
        for (hash, _) in &batch {
            self.pool.on_broadcasted(hash, peers.clone());
        }
        let extrinsics = batch.into_iter().map(|(_, xt)| xt).collect();
        self.network.publish(Topic::Transactions, Transactions { extrinsics }.encode());
    }

    fn on_internal(&mut self, internal: Internal) {
        if !matches!(internal, Internal::GossipVerdict(..)) {
            self.replan = true;
        }
        match internal {
            Internal::Status(peer, response) => {
                let status = response.and_then(|bytes| {
                    Status::decode_all(&mut &bytes[..]).map_err(|e| format!("undecodable status: {e}"))
                });
                match status {
                    Ok(status) if status.genesis != self.chain.genesis_hash() => {
                        self.network
                            .ban(peer, format!("peer is on another chain (genesis {})", short(&status.genesis)));
                    }
                    Ok(status) => {
                        self.note_peer_best(peer, status.best_number, status.best_hash);
                        if let Some(entry) = self.shared.peers.write().get_mut(&peer) {
                            entry.role = status.role;
                        }
                    }
                    Err(error) => tracing::debug!(target: "sync", "status of {peer} unavailable: {error}"),
                }
            }
            Internal::Blocks(peer, request, response) => {
                self.in_flight = None;
                match response {
                    Ok(bytes) => self.on_blocks(peer, request, &bytes),
                    Err(error) => {
                        tracing::debug!(target: "sync", "block request to {peer} failed: {error}");
                        self.back_off(peer);
                    }
                }
            }
            Internal::Imported(report) => self.on_imported(report),
            Internal::GossipVerdict(id, from, verdict, ban) => {
                self.network.validate(id, from, verdict);
                if let Some(reason) = ban {
                    self.network.ban(from, reason);
                }
            }
        }
    }

    fn back_off(&self, peer: PeerId) {
        if let Some(entry) = self.shared.peers.write().get_mut(&peer) {
            entry.backoff_until = Some(Instant::now() + PEER_BACKOFF);
        }
    }

    fn on_imported(&mut self, report: ImportReport) {
        let ImportReport { origin, imported, failure } = report;
        if origin.gossip.is_none() {
            self.sync_imports_pending = self.sync_imports_pending.saturating_sub(1);
            self.shared.imported.fetch_add(imported as u64, Ordering::Relaxed);
        }
        let verdict = match &failure {
            None => Verdict::Accept,
            Some((_, true)) => Verdict::Reject,
            Some((_, false)) => Verdict::Ignore,
        };
        if let Some(id) = origin.gossip {
            self.network.validate(id, origin.peer, verdict);
        }
        match failure {
            Some((reason, true)) => self.network.ban(origin.peer, reason),
            Some((reason, false)) => {
                tracing::debug!(target: "sync", "blocks from {} not imported: {reason}", origin.peer);
                self.back_off(origin.peer);
            }
            None => {}
        }
    }

    /// Starts the next block download if one is due.
    fn plan(&mut self) {
        if self.in_flight.is_some() || self.sync_imports_pending > 0 {
            return;
        }
        let info = self.chain.info();
        let now = Instant::now();
        let target = {
            let peers = self.shared.peers.read();
            peers
                .iter()
                .filter(|(_, p)| p.backoff_until.is_none_or(|until| until <= now))
                .filter(|(_, p)| p.best_number >= info.best_number && p.best_hash != info.best_hash)
                .filter(|(_, p)| !matches!(self.chain.header(p.best_hash), Ok(Some(_))))
                .max_by_key(|(_, p)| p.best_number)
                .map(|(id, p)| (*id, p.clone()))
        };
        let Some((peer, state)) = target else {
            self.fork_search.clear();
            return;
        };
        let request = if let Some(lowest) = self.fork_search.last() {
            let remaining = lowest.header.number().saturating_sub(info.finalized_number + 1);
            BlockRequest {
                from: messages::From::Hash(*lowest.header.parent_hash()),
                direction: Direction::Descending,
                max: remaining.clamp(1, messages::MAX_BLOCKS),
            }
        } else if self.ascend_from_finalized {
            BlockRequest {
                from: messages::From::Number(info.finalized_number + 1),
                direction: Direction::Ascending,
                max: messages::MAX_BLOCKS,
            }
        } else if state.best_number - info.best_number > ASCEND_DISTANCE {
            BlockRequest {
                from: messages::From::Number(info.best_number + 1),
                direction: Direction::Ascending,
                max: messages::MAX_BLOCKS,
            }
        } else {
            BlockRequest {
                from: messages::From::Hash(state.best_hash),
                direction: Direction::Descending,
                max: state.best_number.saturating_sub(info.finalized_number).clamp(1, messages::MAX_BLOCKS),
            }
        };
        self.in_flight = Some(peer);
        let (network, results) = (self.network.clone(), self.internal_tx.clone());
        tokio::spawn(async move {
            let response = network.request(peer, Protocol::Blocks, request.encode()).await.map_err(|e| e.to_string());
            let _ = results.send(Internal::Blocks(peer, request, response));
        });
    }

    fn on_blocks(&mut self, peer: PeerId, request: BlockRequest, bytes: &[u8]) {
        let response = match BlockResponse::decode_all(&mut &bytes[..]) {
            Ok(response) => response,
            Err(error) => {
                self.network.ban(peer, format!("undecodable block response: {error}"));
                return;
            }
        };
        if let Err(reason) = check_response(&request, &response) {
            self.network.ban(peer, format!("block response does not answer the request: {reason}"));
            return;
        }
        let mut blocks = response.blocks;
        if blocks.is_empty() {
            // It does not have what it claimed (a reorg, or a lie): its claim no longer counts
            // — an unchecked high "best" would otherwise keep us syncing instead of authoring —
            // until it announces a block again.
            let info = self.chain.info();
            if let Some(entry) = self.shared.peers.write().get_mut(&peer) {
                entry.best_number = info.best_number;
                entry.best_hash = info.best_hash;
            }
            self.back_off(peer);
            return;
        }
        let info = self.chain.info();
        if request.direction == Direction::Descending {
            self.fork_search.append(&mut blocks);
            let Some(lowest) = self.fork_search.last() else { return };
            let parent = *lowest.header.parent_hash();
            if matches!(self.chain.header(parent), Ok(Some(_))) {
                let mut chunk = std::mem::take(&mut self.fork_search);
                chunk.reverse();
                self.submit_sync(peer, chunk);
            } else if *lowest.header.number() <= info.finalized_number + 1 {
                self.fork_search.clear();
                self.network.ban(peer, "its chain does not contain our finalized block".into());
            } else if self.fork_search.len() >= MAX_FORK_SEARCH {
                self.fork_search.clear();
                self.ascend_from_finalized = true;
            }
            return;
        }
        let parent = *blocks[0].header.parent_hash();
        if matches!(self.chain.header(parent), Ok(Some(_))) {
            self.ascend_from_finalized = false;
            self.submit_sync(peer, blocks);
        } else if self.ascend_from_finalized {
            self.ascend_from_finalized = false;
            self.network.ban(peer, "its chain does not contain our finalized block".into());
        } else {
            // Our best is on a fork the peer does not have: restart from what is final.
            self.ascend_from_finalized = true;
        }
    }

    fn submit_sync(&mut self, peer: PeerId, blocks: Vec<BlockData>) {
        self.sync_imports_pending += 1;
        self.shared.importing.fetch_add(1, Ordering::AcqRel);
        let _ = self.import_tx.send(ImportJob { blocks, origin: Origin { peer, gossip: None } });
    }
}

/// Checks that a response has the shape the request asked for: the right first block,
/// consecutive numbers, linked parents, no more than asked.
fn check_response(request: &BlockRequest, response: &BlockResponse) -> Result<(), String> {
    let blocks = &response.blocks;
    if blocks.len() > request.max.min(messages::MAX_BLOCKS) as usize {
        return Err(format!("{} blocks for a request of {}", blocks.len(), request.max));
    }
    let Some(first) = blocks.first() else { return Ok(()) };
    match request.from {
        messages::From::Hash(hash) if first.header.hash() != hash => {
            return Err("first block is not the one asked for".into())
        }
        messages::From::Number(number) if *first.header.number() != number => {
            return Err("first block has the wrong number".into())
        }
        _ => {}
    }
    for pair in blocks.windows(2) {
        let (a, b) = (&pair[0].header, &pair[1].header);
        let linked = match request.direction {
            Direction::Ascending => b.parent_hash() == &a.hash() && *b.number() == a.number() + 1,
            Direction::Descending => a.parent_hash() == &b.hash() && *a.number() == b.number() + 1,
        };
        if !linked {
            return Err(format!("block #{} does not link to #{}", b.number(), a.number()));
        }
    }
    Ok(())
}

/// Answers a block request from the database.
pub fn serve_blocks(chain: &Chain, request: &BlockRequest) -> BlockResponse {
    let mut blocks = Vec::new();
    let max = request.max.clamp(1, messages::MAX_BLOCKS) as usize;
    let mut next = match request.from {
        messages::From::Hash(hash) => Some(hash),
        messages::From::Number(number) => chain.hash(number).ok().flatten(),
    };
    let mut bytes = 0usize;
    while let Some(hash) = next {
        let Ok(Some(signed)) = chain.block(hash) else { break };
        let justification =
            signed.justifications.as_ref().and_then(|all| all.get(sp_consensus_grandpa::GRANDPA_ENGINE_ID)).cloned();
        let header = signed.block.header;
        let number = *header.number();
        next = match request.direction {
            Direction::Ascending => {
                chain.hash(number + 1).ok().flatten().filter(|_| chain.hash(number).ok().flatten() == Some(hash))
            }
            Direction::Descending => (number > 0).then_some(*header.parent_hash()),
        };
        let data = BlockData { header, body: signed.block.extrinsics, justification };
        bytes += data.encoded_size();
        if bytes > messages::MAX_RESPONSE_BYTES && !blocks.is_empty() {
            break;
        }
        blocks.push(data);
        if blocks.len() >= max {
            break;
        }
    }
    BlockResponse { blocks }
}

/// Whether an import error proves the sender wrong (an honest node never sends such a
/// block), as opposed to a race or a difference of clocks or versions.
fn is_peer_fault(error: &ImportError) -> bool {
    match error {
        ImportError::Seal(_)
        | ImportError::BadNumber { .. }
        | ImportError::SlotNotIncreasing { .. }
        | ImportError::ExtrinsicsRoot { .. }
        | ImportError::Inherents(_)
        | ImportError::StateRoot { .. }
        | ImportError::MalformedExtrinsic { .. }
        | ImportError::Execution(_) => true,
        // An honest author may have built on a fork that lost the finality race meanwhile.
        ImportError::NotOnFinalizedChain { .. }
        | ImportError::UnknownParent(_)
        | ImportError::BelowFinalized { .. }
        | ImportError::UnsupportedSpecVersion { .. }
        | ImportError::SlotInFuture { .. }
        | ImportError::NoAuthorities
        | ImportError::Chain(_) => false,
    }
}

/// Imports batches in order on a thread of its own; reports each batch back.
fn import_worker(
    chain: Arc<Chain>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    mut jobs: mpsc::UnboundedReceiver<ImportJob>,
    results: mpsc::UnboundedSender<Internal>,
) {
    let importer = BlockImporter::new(chain.clone());
    while let Some(ImportJob { blocks, origin }) = jobs.blocking_recv() {
        let mut imported = 0;
        let mut failure = None;
        for data in blocks {
            let (hash, number) = (data.header.hash(), *data.header.number());
            let block = Block { header: data.header, extrinsics: data.body };
            match importer.import(block, None, now_ms()) {
                Ok(ImportOutcome::Imported { .. }) => imported += 1,
                Ok(ImportOutcome::AlreadyInChain(_)) => {}
                Err(error) => {
                    failure = Some((
                        format!("sent block #{number} ({}) that failed import: {error}", short(&hash)),
                        is_peer_fault(&error),
                    ));
                    break;
                }
            }
            if let (Some(grandpa), Some(justification)) = (&grandpa, data.justification) {
                if number > chain.info().finalized_number {
                    if let Err(error) = grandpa.import_justification(hash, number, &justification) {
                        // Our own database failing, a block we lack, or a justification we
                        // cannot check yet (it is past a set change we have not crossed) is
                        // not the sender's fault.
                        // The block itself is fine: keep importing, finality comes later.
                        let fault = !matches!(
                            error,
                            ludus_finality::JustificationError::UnknownBlock(_)
                                | ludus_finality::JustificationError::Chain(_)
                                | ludus_finality::JustificationError::SkipsSetChange { .. }
                        );
                        if fault {
                            failure = Some((format!("sent a bad justification for #{number}: {error}"), true));
                            break;
                        }
                        tracing::debug!(target: "sync", "justification for #{number} not used yet: {error}");
                    }
                }
            }
        }
        shared.importing.fetch_sub(1, Ordering::AcqRel);
        if results.send(Internal::Imported(ImportReport { origin, imported, failure })).is_err() {
            return;
        }
    }
}

/// The announcement of a block we authored.
pub fn announcement(block: &Block) -> Vec<u8> {
    BlockAnnounce { header: block.header.clone(), body: block.extrinsics.clone() }.encode()
}

#[cfg(test)]
mod tests {
    use super::{messages::From as Start, *};
    use crate::{consensus, consensus::authoring::author_slot, test_utils::dev_chain};

    /// A dev chain of `blocks` blocks authored in consecutive past slots.
    fn chain_with(dir: &std::path::Path, blocks: u64) -> Arc<Chain> {
        let (chain, keystore) = dev_chain(dir);
        let first = *consensus::slot_at(now_ms(), 1_000) - blocks - 1;
        for slot in first..first + blocks {
            author_slot(&chain, &keystore, slot.into(), Duration::from_secs(1), Vec::new()).unwrap().unwrap();
        }
        chain
    }

    fn request(from: Start, direction: Direction, max: u32) -> BlockRequest {
        BlockRequest { from, direction, max }
    }

    #[test]
    fn served_blocks_answer_the_request_and_import_on_a_fresh_node() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let source = chain_with(a.path(), 5);
        let best = source.info().best_hash;

        let up = request(Start::Number(1), Direction::Ascending, 3);
        let ascending = serve_blocks(&source, &up);
        assert_eq!(ascending.blocks.iter().map(|b| *b.header.number()).collect::<Vec<_>>(), [1, 2, 3]);
        check_response(&up, &ascending).unwrap();

        let down = request(Start::Hash(best), Direction::Descending, 4);
        let descending = serve_blocks(&source, &down);
        assert_eq!(descending.blocks.iter().map(|b| *b.header.number()).collect::<Vec<_>>(), [5, 4, 3, 2]);
        check_response(&down, &descending).unwrap();

        // More than the limit is clamped; past the tip is simply shorter.
        let greedy = request(Start::Number(4), Direction::Ascending, 10_000);
        assert_eq!(serve_blocks(&source, &greedy).blocks.len(), 2);
        assert!(serve_blocks(&source, &request(Start::Hash(Hash::repeat_byte(9)), Direction::Descending, 5))
            .blocks
            .is_empty());

        // What sync downloads, a fresh node imports to the same head.
        let (target, _) = dev_chain(b.path());
        let importer = BlockImporter::new(target.clone());
        let all = serve_blocks(&source, &request(Start::Number(1), Direction::Ascending, 128));
        for data in all.blocks {
            importer.import(Block { header: data.header, extrinsics: data.body }, None, now_ms()).unwrap();
        }
        assert_eq!(target.info().best_hash, best);
    }

    #[test]
    fn responses_that_do_not_answer_the_request_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let source = chain_with(dir.path(), 4);
        let up = request(Start::Number(1), Direction::Ascending, 4);
        let good = serve_blocks(&source, &up);

        let mut reordered = good.clone();
        reordered.blocks.swap(1, 2);
        assert!(check_response(&up, &reordered).unwrap_err().contains("does not link"));

        let mut gap = good.clone();
        gap.blocks.remove(1);
        assert!(check_response(&up, &gap).is_err());

        let wrong_start = request(Start::Number(2), Direction::Ascending, 4);
        assert!(check_response(&wrong_start, &good).unwrap_err().contains("wrong number"));

        let too_few_asked = request(Start::Number(1), Direction::Ascending, 2);
        assert!(check_response(&too_few_asked, &good).unwrap_err().contains("4 blocks for a request of 2"));

        let by_hash = request(Start::Hash(Hash::repeat_byte(1)), Direction::Descending, 4);
        let mut down = good;
        down.blocks.reverse();
        assert!(check_response(&by_hash, &down).unwrap_err().contains("not the one asked for"));
    }

    #[test]
    fn import_errors_blame_the_sender_only_for_what_an_honest_node_never_sends() {
        assert!(is_peer_fault(&ImportError::StateRoot { header: Hash::zero() }));
        assert!(is_peer_fault(&ImportError::Seal(crate::consensus::SealError::MissingSeal)));
        assert!(!is_peer_fault(&ImportError::UnknownParent(Hash::zero())));
        assert!(!is_peer_fault(&ImportError::SlotInFuture { slot: 10, now: 1 }));
        assert!(!is_peer_fault(&ImportError::UnsupportedSpecVersion { found: Some(2), ours: 1 }));
    }
}
