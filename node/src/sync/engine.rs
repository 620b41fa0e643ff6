//! The sync engine: one task that owns every network event and routes it to the module
//! whose job it is (status and the peer table, the planner, serving, the import queue,
//! transaction gossip, GRANDPA).

use std::{collections::HashSet, sync::Arc, time::Duration};

use codec::{DecodeAll, Encode};
use ludus_finality::{GossipVerdict, Grandpa};
use ludus_network::{NetworkHandle, PeerId, Protocol, Topic, Verdict};
use ludus_primitives::{short, Hash};
use sp_runtime::traits::Header as HeaderT;
use tokio::sync::mpsc;

use super::{
    import_queue::{self, ImportJob, ImportReport, ImportWorker, Origin},
    messages::{BlockAnnounce, BlockData, BlockRequest, Role, Status},
    network::{SyncEvent, SyncNetwork},
    planner::{Action, ChainHead, ChainView, Planner},
    serve::serve_blocks,
    shared::SyncShared,
    transactions::{self, FromNetwork, OutgoingBatch},
};
use crate::{adapters::txpool::NodePool, chain::Chain};

/// How often our new transactions are gossiped, in one batch.
const TX_FLUSH: Duration = Duration::from_millis(100);
/// How often the planner looks again without an event (a back-off ending, say).
const REPLAN_TICK: Duration = Duration::from_millis(500);
/// Most blocks GRANDPA waits for that the planner considers at once.
const WANTED_BLOCKS: usize = 16;

/// Results flowing back into the engine from its helpers.
enum Internal<Id> {
    Status(PeerId, Result<Vec<u8>, String>),
    Blocks(PeerId, BlockRequest, Result<Vec<u8>, String>),
    Imported(ImportReport<Id>),
    GossipVerdict(Id, PeerId, Verdict, Option<String>),
}

/// Our chain as the planner sees it when it picks a download: with the announced blocks
/// already on their way through the import thread. An announcement makes its sender's claim
/// the block it announced, and without this every announced block was downloaded a second
/// time while its first copy imported.
struct Importing<'a> {
    chain: &'a Chain,
    blocks: &'a HashSet<Hash>,
}

impl ChainView for Importing<'_> {
    fn head(&self) -> ChainHead {
        self.chain.head()
    }

    fn has_block(&self, hash: &Hash) -> bool {
        self.blocks.contains(hash) || self.chain.has_block(hash)
    }
}

/// The sync engine; see the module docs of [`crate::sync`].
pub struct SyncEngine<N: SyncNetwork = NetworkHandle> {
    chain: Arc<Chain>,
    network: N,
    pool: Arc<NodePool>,
    grandpa: Option<Grandpa<PeerId>>,
    shared: Arc<SyncShared>,
    role: Role,
    internal_tx: mpsc::UnboundedSender<Internal<N::MessageId>>,
    internal_rx: mpsc::UnboundedReceiver<Internal<N::MessageId>>,
    import_tx: mpsc::UnboundedSender<ImportJob<N::MessageId>>,
    planner: Planner,
    /// Whether something happened that may start a download (checked after each event).
    replan: bool,
    /// Announced blocks handed to the import thread and not yet reported back.
    importing: HashSet<Hash>,
    /// Whether the next plan asks GRANDPA what it waits for (each replan tick: the answer walks
    /// the unfinalized chain).
    ask_grandpa: bool,
    outgoing_txs: OutgoingBatch,
    from_network: FromNetwork,
}

impl<N: SyncNetwork> SyncEngine<N> {
    /// An engine over `chain`, talking through `network`; starts the import thread.
    pub fn new(
        chain: Arc<Chain>,
        network: N,
        pool: Arc<NodePool>,
        grandpa: Option<Grandpa<PeerId>>,
        shared: Arc<SyncShared>,
        validator: bool,
    ) -> (Self, ImportWorker<N::MessageId>) {
        let (internal_tx, internal_rx) = mpsc::unbounded_channel();
        let reports = internal_tx.clone();
        let (import_tx, import_worker) =
            import_queue::new(chain.clone(), pool.clone(), grandpa.clone(), shared.clone(), move |report| {
                reports.send(Internal::Imported(report)).is_ok()
            });
        let engine = Self {
            chain,
            network,
            pool,
            grandpa,
            shared,
            role: if validator { Role::Authority } else { Role::Full },
            internal_tx,
            internal_rx,
            import_tx,
            planner: Planner::default(),
            replan: true,
            importing: HashSet::new(),
            ask_grandpa: true,
            outgoing_txs: OutgoingBatch::default(),
            from_network: FromNetwork::default(),
        };
        (engine, import_worker)
    }

    /// Runs until the network's event stream ends.
    pub async fn run<E: Into<SyncEvent<N::MessageId>>>(
        mut self,
        mut events: mpsc::Receiver<E>,
        mut grandpa_out: Option<ludus_finality::mpsc::UnboundedReceiver<Vec<u8>>>,
    ) {
        // Hashes only: a deep buffer costs little and keeps a burst of submissions propagating.
        let mut ready_txs = self.pool.import_notification_stream(16 * 1024);
        let mut tick = tokio::time::interval(REPLAN_TICK);
        let mut flush = tokio::time::interval(TX_FLUSH);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.on_event(event.into()),
                    None => return,
                },
                Some(internal) = self.internal_rx.recv() => self.on_internal(internal),
                Some(message) = async {
                    match grandpa_out.as_mut() {
                        Some(rx) => futures::StreamExt::next(rx).await,
                        None => std::future::pending().await,
                    }
                } => self.network.publish(Topic::Grandpa, message),
                Some(hash) = futures::StreamExt::next(&mut ready_txs) => {
                    if self.outgoing_txs.queue(hash, &self.pool, &self.from_network) {
                        self.flush_transactions();
                    }
                }
                _ = flush.tick() => self.flush_transactions(),
                _ = tick.tick() => {
                    self.replan = true;
                    self.ask_grandpa = true;
                }
            }
            if std::mem::take(&mut self.replan) {
                self.plan();
            }
        }
    }

    fn on_event(&mut self, event: SyncEvent<N::MessageId>) {
        match event {
            SyncEvent::PeerConnected { peer } => {
                self.replan = true;
                let (request, results) = (self.status().encode(), self.internal_tx.clone());
                let response = self.network.request(peer, Protocol::Status, request);
                tokio::spawn(async move {
                    let _ = results.send(Internal::Status(peer, response.await));
                });
            }
            SyncEvent::PeerDisconnected { peer } => {
                self.shared.peer_table().write().remove(&peer);
                self.planner.on_peer_disconnected(&peer);
            }
            SyncEvent::Request { peer, protocol, data, respond } => match protocol {
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
            SyncEvent::Gossip { topic, from, id, data } => match topic {
                Topic::BlockAnnounces => self.on_announce(from, id, &data),
                Topic::Transactions => self.on_transactions(from, id, &data),
                Topic::Grandpa => self.on_grandpa(from, id, &data),
            },
        }
    }

    /// Drops a bad gossip message (it travels no further) and bans the peer that sent it.
    fn reject(&self, id: N::MessageId, from: PeerId, reason: String) {
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

    fn on_announce(&mut self, from: PeerId, id: N::MessageId, data: &[u8]) {
        let announce = match BlockAnnounce::decode_all(&mut &data[..]) {
            Ok(announce) => announce,
            Err(error) => {
                self.reject(id, from, format!("undecodable block announcement: {error}"));
                return;
            }
        };
        let (hash, number) = (announce.header.hash(), *announce.header.number());
        self.shared.peer_table().write().note_best(from, number, hash);
        self.replan = true;
        if self.chain.has_block(&hash) || !self.chain.has_block(announce.header.parent_hash()) {
            // Known: nothing to do. Unknown parent: sync fetches the missing blocks from the
            // peer, whose best we just noted.
            self.network.validate(id, from, Verdict::Ignore);
            return;
        }
        let block = BlockData { header: announce.header, body: announce.body, justification: None };
        self.importing.insert(hash);
        self.queue_import(vec![block], Origin { peer: from, gossip: Some((id, hash)) });
    }

    fn on_transactions(&mut self, from: PeerId, id: N::MessageId, data: &[u8]) {
        let batch = match transactions::decode_batch(data) {
            Ok(batch) => batch,
            Err(reason) => return self.reject(id, from, reason),
        };
        let (pool, chain, results, seen) =
            (self.pool.clone(), self.chain.clone(), self.internal_tx.clone(), self.from_network.clone());
        tokio::task::spawn_blocking(move || {
            let (verdict, ban) = transactions::submit_batch(&pool, &chain, &seen, batch);
            let _ = results.send(Internal::GossipVerdict(id, from, verdict, ban));
        });
    }

    fn on_grandpa(&mut self, from: PeerId, id: N::MessageId, data: &[u8]) {
        let Some(grandpa) = &self.grandpa else {
            self.network.validate(id, from, Verdict::Ignore);
            return;
        };
        match grandpa.on_gossip(&from, data) {
            GossipVerdict::Accept => self.network.validate(id, from, Verdict::Accept),
            GossipVerdict::Ignore => self.network.validate(id, from, Verdict::Ignore),
            GossipVerdict::Reject(reason) => self.reject(id, from, format!("bad GRANDPA message: {reason}")),
        }
    }

    /// Gossips the queued transactions as one batch.
    fn flush_transactions(&mut self) {
        if self.outgoing_txs.is_empty() {
            return;
        }
        let peers: Vec<String> = self.shared.peer_table().read().iter().map(|(peer, _)| peer.to_base58()).collect();
        if let Some(batch) = self.outgoing_txs.take(&self.pool, peers) {
            self.network.publish(Topic::Transactions, batch);
        }
    }

    fn on_internal(&mut self, internal: Internal<N::MessageId>) {
        if !matches!(internal, Internal::GossipVerdict(..)) {
            self.replan = true;
        }
        match internal {
            Internal::Status(peer, response) => self.on_status(peer, response),
            Internal::Blocks(peer, request, response) => {
                let action =
                    self.planner.on_response(&*self.chain, peer, &request, response.as_deref().map_err(Clone::clone));
                self.apply(action);
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

    fn on_status(&mut self, peer: PeerId, response: Result<Vec<u8>, String>) {
        let status = response
            .and_then(|bytes| Status::decode_all(&mut &bytes[..]).map_err(|e| format!("undecodable status: {e}")));
        match status {
            Ok(status) if status.genesis != self.chain.genesis_hash() => {
                self.network.ban(peer, format!("peer is on another chain (genesis {})", short(&status.genesis)));
            }
            Ok(status) => {
                let mut peers = self.shared.peer_table().write();
                peers.note_best(peer, status.best_number, status.best_hash);
                peers.set_role(&peer, status.role);
            }
            Err(error) => tracing::debug!(target: "sync", "status of {peer} unavailable: {error}"),
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Import { peer, blocks } => self.queue_import(blocks, Origin { peer, gossip: None }),
            Action::Ban { peer, reason } => self.network.ban(peer, reason),
            Action::DropClaim { peer, best_number, best_hash } => {
                let mut peers = self.shared.peer_table().write();
                peers.drop_claim(&peer, best_number, best_hash);
                peers.back_off(&peer, std::time::Instant::now());
            }
            Action::BackOff { peer } => self.back_off(peer),
            Action::Nothing => {}
        }
    }

    fn back_off(&self, peer: PeerId) {
        self.shared.peer_table().write().back_off(&peer, std::time::Instant::now());
    }

    fn queue_import(&self, blocks: Vec<BlockData>, origin: Origin<N::MessageId>) {
        self.shared.import_queued();
        let _ = self.import_tx.send(ImportJob { blocks, origin });
    }

    fn on_imported(&mut self, report: ImportReport<N::MessageId>) {
        let ImportReport { origin, imported, failure } = report;
        if origin.gossip.is_none() {
            self.planner.on_imported();
            self.shared.count_downloaded(imported);
        }
        let verdict = match &failure {
            None => Verdict::Accept,
            Some((_, true)) => Verdict::Reject,
            Some((_, false)) => Verdict::Ignore,
        };
        if let Some((id, hash)) = origin.gossip {
            self.importing.remove(&hash);
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
        if let (true, Some(grandpa)) = (std::mem::take(&mut self.ask_grandpa), &self.grandpa) {
            self.planner.want(grandpa.wanted_blocks(WANTED_BLOCKS), grandpa.wanted_justification());
        }
        let next = {
            let peers = self.shared.peer_table().read();
            let view = Importing { chain: &self.chain, blocks: &self.importing };
            self.planner.next_request(&view, &peers, std::time::Instant::now())
        };
        let Some((peer, request)) = next else { return };
        let response = self.network.request(peer, Protocol::Blocks, request.encode());
        let results = self.internal_tx.clone();
        tokio::spawn(async move {
            let _ = results.send(Internal::Blocks(peer, request, response.await));
        });
    }
}
