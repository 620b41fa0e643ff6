//! Transaction gossip: our new transactions go out in batches; received batches go
//! through the pool's validation, whose outcome is the gossip verdict.

use std::sync::Arc;

use codec::{DecodeAll, Encode};
use ludus_network::Verdict;
use ludus_primitives::Hash;
use parking_lot::Mutex;
use schnellru::{ByLength, LruMap};

use super::messages::Transactions;
use crate::{adapters::txpool::NodePool, chain::Chain};

/// Most bytes of transactions in one gossip batch (flushed early when reached).
pub const MAX_TX_BATCH_BYTES: usize = 512 * 1024;
/// Most hashes remembered as "came from the network"; the oldest are forgotten first (at
/// worst a transaction is gossiped once more, which gossip's duplicate filter absorbs).
pub const MAX_REMEMBERED_TXS: u32 = 100_000;

/// Transactions that reached our pool through gossip: gossip forwards them already, so we
/// do not publish them again. Bounded: least recently remembered go first.
#[derive(Clone)]
pub struct FromNetwork(Arc<Mutex<LruMap<Hash, ()>>>);

impl Default for FromNetwork {
    fn default() -> Self {
        Self::with_capacity(MAX_REMEMBERED_TXS)
    }
}

impl FromNetwork {
    /// A set remembering at most `capacity` hashes.
    pub fn with_capacity(capacity: u32) -> Self {
        Self(Arc::new(Mutex::new(LruMap::new(ByLength::new(capacity)))))
    }

    /// Notes that the transaction `hash` came from a peer.
    pub fn remember(&self, hash: Hash) {
        self.0.lock().insert(hash, ());
    }

    /// Whether `hash` came from a peer; forgets it (it becomes ready once).
    pub fn take(&self, hash: &Hash) -> bool {
        self.0.lock().remove(hash).is_some()
    }

    /// How many hashes are remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().len()
    }
}

/// Our transactions waiting for the next gossip batch.
#[derive(Default)]
pub struct OutgoingBatch {
    transactions: Vec<(Hash, Vec<u8>)>,
    bytes: usize,
}

impl OutgoingBatch {
    /// Queues the ready transaction `hash` unless it came from the network or must not be
    /// propagated. Returns whether the batch is full and should go out now.
    pub fn queue(&mut self, hash: Hash, pool: &NodePool, from_network: &FromNetwork) -> bool {
        if from_network.take(&hash) {
            return false;
        }
        let Some(tx) = pool.ready_transaction(&hash) else { return false };
        if !tx.propagate {
            return false;
        }
        self.bytes += tx.data.len();
        self.transactions.push((hash, tx.data.to_vec()));
        self.bytes >= MAX_TX_BATCH_BYTES
    }

    /// Whether nothing waits to go out.
    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    /// The encoded batch to publish, telling the pool's watchers it was broadcast to
    /// `peers`. Without peers the batch waits for the first one (bounded: a full batch is
    /// dropped, the transactions stay in our pool).
    pub fn take(&mut self, pool: &NodePool, peers: Vec<String>) -> Option<Vec<u8>> {
        if self.transactions.is_empty() {
            return None;
        }
        if peers.is_empty() {
            if self.bytes >= MAX_TX_BATCH_BYTES {
                self.transactions.clear();
                self.bytes = 0;
            }
            return None;
        }
        let batch = std::mem::take(&mut self.transactions);
        self.bytes = 0;
        for (hash, _) in &batch {
            pool.on_broadcasted(hash, peers.clone());
        }
        let extrinsics = batch.into_iter().map(|(_, xt)| xt).collect();
        Some(Transactions { extrinsics }.encode())
    }
}

/// Decodes a gossiped batch; the error is the reason to reject it and ban its sender.
pub fn decode_batch(data: &[u8]) -> Result<Transactions, String> {
    let batch =
        Transactions::decode_all(&mut &data[..]).map_err(|error| format!("undecodable transaction batch: {error}"))?;
    if let Some(error) = batch.extrinsics.iter().find_map(|xt| crate::adapters::txpool::check_format(xt).err()) {
        return Err(format!("gossiped an undecodable transaction: {error}"));
    }
    Ok(batch)
}

/// Submits a gossiped batch to the pool (blocking: validation runs the runtime). Returns
/// the gossip verdict and, for a forged signature, why to ban the sender.
pub fn submit_batch(
    pool: &NodePool,
    chain: &Chain,
    from_network: &FromNetwork,
    batch: Transactions,
) -> (Verdict, Option<String>) {
    use ludus_txpool::Error;
    use sp_runtime::transaction_validity::{InvalidTransaction, TransactionSource};
    let at = chain.info().best_hash;
    for xt in &batch.extrinsics {
        from_network.remember(ludus_txpool::tx_hash(xt));
    }
    // Validated together: one runtime call, the signatures verified as one batch.
    let answers = pool.submit_many(at, TransactionSource::External, batch.extrinsics, true);
    let mut accepted = false;
    for answer in answers {
        match answer {
            Ok(_) => accepted = true,
            Err(Error::InvalidTransaction(InvalidTransaction::BadProof | InvalidTransaction::BadSigner)) => {
                return (Verdict::Reject, Some("gossiped a transaction with a forged signature".to_owned()));
            }
            // Stale nonces, duplicates, a full pool: honest peers send these in races.
            Err(_) => {}
        }
    }
    (if accepted { Verdict::Accept } else { Verdict::Ignore }, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_from_network_set_forgets_the_oldest_when_full() {
        let seen = FromNetwork::with_capacity(3);
        for byte in 1..=5 {
            seen.remember(Hash::repeat_byte(byte));
        }
        assert_eq!(seen.len(), 3, "bounded");
        assert!(!seen.take(&Hash::repeat_byte(1)), "the oldest is forgotten");
        assert!(seen.take(&Hash::repeat_byte(5)));
        assert!(!seen.take(&Hash::repeat_byte(5)), "taken once");
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn a_batch_with_an_undecodable_transaction_is_refused() {
        assert!(decode_batch(&[0xff]).unwrap_err().contains("undecodable transaction batch"));
        let bad = Transactions { extrinsics: vec![vec![0x01, 0x02]] }.encode();
        assert!(decode_batch(&bad).unwrap_err().contains("undecodable transaction"));
    }
}
