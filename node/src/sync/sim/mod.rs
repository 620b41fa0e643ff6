//! A simulated network: sync engines over real chains (temporary databases), wired
//! together in one process by an in-memory [`Router`] that delivers, delays and drops
//! messages in an order drawn from a seeded generator, and partitions and heals the
//! network on demand (the approach of commonware's simulated p2p).
//!
//! Gossip is a full mesh (no forwarding): every connected peer gets a publication
//! directly, unless the router drops it. Requests and responses ride a connection (a
//! reliable stream), so they are delayed but never dropped; they fail only when the peers
//! are not connected. Bans disconnect the pair for the rest of the test.

mod router;
mod scenarios;

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use ludus_network::{Keypair, PeerId, Topic};
use ludus_primitives::{now_ms, Block, BlockNumber, Hash};
use sp_core::Pair;
use sp_keystore::KeystorePtr;
use tokio::sync::mpsc;

pub use router::{Router, SimId, SimNetwork};

use super::{announcement, SyncEngine, SyncNetwork, SyncShared};
use crate::{
    chain::Chain,
    consensus,
    consensus::authoring::{build_block, seal_block},
    consensus::import::BlockImporter,
    test_utils::{dev_chain, pair},
};

/// The peer id of simulated node number `index`: fixed, so runs are comparable.
pub fn peer_id(index: u8) -> PeerId {
    let mut secret = [0u8; 32];
    secret[0] = index;
    secret[31] = 0x5a;
    let keypair = Keypair::ed25519_from_bytes(secret).expect("any 32 bytes are an ed25519 secret");
    keypair.public().to_peer_id()
}

/// Hands out increasing past slots, one per block, so every block of every fork has a
/// slot of its own (no two nodes build the same block) and slots grow along any chain.
pub struct Slots(AtomicU64);

impl Slots {
    /// Slots starting well in the past: all pass the future-slot check.
    pub fn new() -> Self {
        Self(AtomicU64::new(*consensus::slot_at(now_ms(), 1_000) - 10_000))
    }

    fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// One simulated node: a dev chain, its engine on the router, and the means to author.
pub struct SimNode {
    _dir: tempfile::TempDir,
    /// Its chain.
    pub chain: Arc<Chain>,
    keystore: KeystorePtr,
    /// Its identity on the router.
    pub peer: PeerId,
    /// What its engine shares (peer table, imports).
    pub shared: Arc<SyncShared>,
    network: SimNetwork,
    /// Its GRANDPA gadget, an observer, if started with one.
    pub grandpa: Option<ludus_finality::Grandpa<PeerId>>,
}

impl SimNode {
    /// A node with the dev genesis and `index`'s identity, registered on `router`; its
    /// engine runs without GRANDPA (no finality: longest chain only).
    pub fn start(router: &Router, index: u8) -> Self {
        Self::start_with(router, index, false)
    }

    /// [`SimNode::start`] with a GRANDPA observer (no keys) wired in as the node wires it:
    /// it checks the grandpa topic's messages, holds those naming blocks we lack, and tells
    /// the engine which blocks it waits for.
    pub fn start_observing(router: &Router, index: u8) -> Self {
        Self::start_with(router, index, true)
    }

    fn start_with(router: &Router, index: u8, observing: bool) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (chain, keystore) = dev_chain(dir.path());
        let peer = peer_id(index);
        let (events_tx, events) = mpsc::channel(4096);
        let network = router.register(peer, events_tx);
        let pool = crate::adapters::txpool::new_pool(chain.clone(), ludus_txpool::Options::default().ready_limit);
        let shared = SyncShared::new(chain.clone(), peer.to_base58(), true);
        let (grandpa, grandpa_out) = if observing {
            let config = ludus_finality::GrandpaConfig {
                keystore: None,
                state_dir: dir.path().join("grandpa"),
                gossip_duration: Duration::from_millis(50),
                name: format!("sim{index}"),
            };
            let (grandpa, out, worker) = ludus_finality::Grandpa::start(
                Arc::new(crate::adapters::finality::GrandpaChain(chain.clone())),
                config,
            )
            .expect("GRANDPA starts");
            let hook = grandpa.clone();
            chain.set_import_hook(Box::new(move |header| hook.on_block_imported(header)));
            tokio::spawn(worker);
            (Some(grandpa), Some(out))
        } else {
            (None, None)
        };
        let (engine, import) =
            SyncEngine::new(chain.clone(), network.clone(), pool, grandpa.clone(), shared.clone(), true);
        std::thread::Builder::new()
            .stack_size(crate::executor::RUNTIME_THREAD_STACK_BYTES)
            .spawn(move || import.run())
            .expect("import thread starts");
        tokio::spawn(engine.run(events, grandpa_out));
        Self { _dir: dir, chain, keystore, peer, shared, network, grandpa }
    }

    /// Builds, seals and imports a block on our best in the next slot from `slots`,
    /// without telling anyone.
    pub fn author_quietly(&self, slots: &Slots) -> Block {
        let parent = self.chain.expect_header(self.chain.info().best_hash).expect("best header");
        let slot = slots.next();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut built =
            build_block(&self.chain, &parent, slot.into(), slot * 1_000, Vec::new(), deadline).expect("block builds");
        let alice: sp_consensus_aura::sr25519::AuthorityId = pair("//Alice").public().into();
        seal_block(&self.keystore, &alice, &mut built.block).expect("block seals");
        BlockImporter::new(self.chain.clone()).import(built.block.clone(), None, now_ms()).expect("own block imports");
        built.block
    }

    /// Authors `count` blocks quietly; returns the last.
    pub fn author_chain(&self, slots: &Slots, count: usize) -> Block {
        let mut last = None;
        for _ in 0..count {
            last = Some(self.author_quietly(slots));
        }
        last.expect("at least one block")
    }

    /// Authors a block and announces it, as the slot worker does.
    pub fn author(&self, slots: &Slots) -> Block {
        let block = self.author_quietly(slots);
        self.network.publish(Topic::BlockAnnounces, announcement(&block));
        block
    }

    /// Our best block.
    pub fn best(&self) -> (BlockNumber, Hash) {
        let info = self.chain.info();
        (info.best_number, info.best_hash)
    }
}

/// Waits until `condition` holds, polling; panics with `what` after a while.
pub async fn eventually(condition: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until every node's best block is `target` (or, with `None`, until they agree),
/// polling; panics after `timeout` with what each node has.
pub async fn converge(nodes: &[&SimNode], target: Option<Hash>, router: &Router, timeout: Duration) -> Hash {
    let deadline = Instant::now() + timeout;
    loop {
        let bests: Vec<_> = nodes.iter().map(|node| node.best()).collect();
        let agreed = bests.windows(2).all(|pair| pair[0].1 == pair[1].1);
        if agreed && target.is_none_or(|target| bests[0].1 == target) {
            return bests[0].1;
        }
        if Instant::now() > deadline {
            panic!("no convergence on {target:?} in {timeout:?}: bests {bests:?}; bans {:?}", router.bans());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
