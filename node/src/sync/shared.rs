//! Sync state read outside the engine: by RPC (`system_peers`, `system_health`), metrics,
//! the idle reporter and the slot worker.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use ludus_primitives::BlockNumber;
use ludus_rpc::{Health, NetworkBackend, PeerInfo};
use parking_lot::RwLock;
use tokio::sync::watch;

use super::{messages::Role, peers::PeerTable, SYNCING_DISTANCE};
use crate::chain::Chain;

/// Sync state shared with RPC, metrics and the slot worker; the engine writes it.
pub struct SyncShared {
    chain: Arc<Chain>,
    peers: RwLock<PeerTable>,
    local_peer_id: String,
    /// Blocks imported from peers, for the blocks-per-second figure in the log.
    imported: AtomicU64,
    /// Whether any peer was ever expected (false for a lone `--dev` node with no boot nodes).
    should_have_peers: bool,
    /// Batches of blocks handed to the import thread and not yet done with. A watch, so the
    /// slot worker wakes the moment the last one is done instead of polling.
    importing: watch::Sender<usize>,
}

impl SyncShared {
    /// Shared state for a node whose libp2p identity is `local_peer_id`.
    pub fn new(chain: Arc<Chain>, local_peer_id: String, should_have_peers: bool) -> Arc<Self> {
        Arc::new(Self {
            chain,
            peers: RwLock::new(PeerTable::default()),
            local_peer_id,
            imported: AtomicU64::new(0),
            should_have_peers,
            importing: watch::Sender::new(0),
        })
    }

    /// The highest best block any peer reported.
    pub fn target(&self) -> Option<BlockNumber> {
        self.peers.read().highest_claim()
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

    /// Waits until no block from peers is waiting for or in import, at most `timeout`.
    /// Returns whether imports settled. The slot worker calls it before building: a block
    /// built on a parent whose child is being imported is a fork that loses.
    pub async fn imports_settled(&self, timeout: Duration) -> bool {
        let mut importing = self.importing.subscribe();
        tokio::time::timeout(timeout, importing.wait_for(|count| *count == 0)).await.is_ok_and(|r| r.is_ok())
    }

    /// Blocks imported from peers since start.
    pub fn imported_from_peers(&self) -> u64 {
        self.imported.load(Ordering::Relaxed)
    }

    /// The peer table, written by the engine only.
    pub(super) fn peer_table(&self) -> &RwLock<PeerTable> {
        &self.peers
    }

    /// A batch was handed to the import thread.
    pub(super) fn import_queued(&self) {
        self.importing.send_modify(|count| *count += 1);
    }

    /// The import thread is done with a batch.
    pub(super) fn import_done(&self) {
        self.importing.send_modify(|count| *count = count.saturating_sub(1));
    }

    /// `count` downloaded (not gossiped) blocks were imported.
    pub(super) fn count_downloaded(&self, count: usize) {
        self.imported.fetch_add(count as u64, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::test_utils::dev_chain;

    #[tokio::test]
    async fn the_slot_worker_wakes_when_the_last_import_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let shared = SyncShared::new(chain, "local".into(), false);
        assert!(shared.imports_settled(Duration::ZERO).await, "nothing queued: settled at once");

        shared.import_queued();
        shared.import_queued();
        assert!(!shared.imports_settled(Duration::from_millis(20)).await, "still importing: times out");

        let finisher = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            finisher.import_done();
            tokio::time::sleep(Duration::from_millis(30)).await;
            finisher.import_done();
        });
        let started = Instant::now();
        assert!(shared.imports_settled(Duration::from_secs(10)).await);
        assert!(started.elapsed() < Duration::from_secs(5), "woken by the last import, not the timeout");
        assert_eq!(*shared.importing.borrow(), 0, "no import is left counted");
    }
}
