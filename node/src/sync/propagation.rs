//! Block propagation as the slot worker sees it ([`BlockPropagation`]): whether we are
//! catching up, whether received blocks are still importing, and publishing what we author.

use std::{sync::Arc, time::Duration};

use ludus_network::{NetworkHandle, Topic};
use ludus_primitives::Block;

use super::{announcement, SyncShared};
use crate::consensus::slot_worker::BlockPropagation;

/// Sync's state and the network, for the slot worker.
pub struct SlotPropagation {
    shared: Arc<SyncShared>,
    network: NetworkHandle,
}

impl SlotPropagation {
    /// Propagation over `shared` sync state and `network`.
    pub fn new(shared: Arc<SyncShared>, network: NetworkHandle) -> Self {
        Self { shared, network }
    }
}

impl BlockPropagation for SlotPropagation {
    fn is_major_syncing(&self) -> bool {
        self.shared.is_major_syncing()
    }

    async fn imports_settled(&self, timeout: Duration) {
        self.shared.imports_settled(timeout).await;
    }

    fn announce(&self, block: &Block, finality_gossip: Option<Vec<u8>>) {
        self.network.publish(Topic::BlockAnnounces, announcement(block));
        if let Some(gossip) = finality_gossip {
            self.network.publish(Topic::Grandpa, gossip);
        }
    }
}
