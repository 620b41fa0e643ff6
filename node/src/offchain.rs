//! Offchain workers (DESIGN.md, decision 8).
//!
//! A validator runs the runtime's `OffchainWorkerApi::offchain_worker` natively for every
//! newly **finalized** block (so work done there, such as signing bridge checkpoints, only
//! ever concerns final blocks), with these extensions:
//!
//! - the keystore (registered on the runtime API instance), so the runtime can sign with the node's keys;
//! - a transaction-pool extension that collects the extrinsics the worker submits; they
//!   enter the node's pool, as local transactions, once the worker has returned (never
//!   from inside the runtime call);
//! - offchain local storage, kept in memory for the node's lifetime;
//! - basic offchain facts: the node is a validator, the time, a random seed. HTTP and the
//!   network state are refused: Ludus's workers need neither.
//!
//! [`run_on_finality`] is the task; it runs each worker on a blocking thread.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use ludus_primitives::Header;
use parking_lot::Mutex;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_core::offchain::{
    DbExternalities, Externalities, HttpError, HttpRequestId, HttpRequestStatus, OffchainDbExt, OffchainWorkerExt,
    OpaqueNetworkState, StorageKind, Timestamp, TransactionPool, TransactionPoolExt,
};
use sp_core::OpaquePeerId;
use sp_offchain::OffchainWorkerApi;
use sp_runtime::{traits::Header as HeaderT, transaction_validity::TransactionSource};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    adapters::txpool::NodePool,
    chain::{Chain, ChainError},
};

/// Collects the extrinsics a worker submits.
#[derive(Clone, Default)]
struct CollectedTransactions(Arc<Mutex<Vec<Vec<u8>>>>);

impl TransactionPool for CollectedTransactions {
    fn submit_transaction(&mut self, extrinsic: Vec<u8>) -> Result<(), ()> {
        self.0.lock().push(extrinsic);
        Ok(())
    }
}

/// Offchain local storage values by (storage kind, key).
type StorageMap = HashMap<(u32, Vec<u8>), Vec<u8>>;

/// Offchain local storage shared by all worker runs (in memory; lost on restart).
#[derive(Clone, Default)]
pub struct LocalStorage(Arc<Mutex<StorageMap>>);

impl DbExternalities for LocalStorage {
    fn local_storage_set(&mut self, kind: StorageKind, key: &[u8], value: &[u8]) {
        self.0.lock().insert((kind.into(), key.to_vec()), value.to_vec());
    }

    fn local_storage_clear(&mut self, kind: StorageKind, key: &[u8]) {
        self.0.lock().remove(&(kind.into(), key.to_vec()));
    }

    fn local_storage_compare_and_set(
        &mut self,
        kind: StorageKind,
        key: &[u8],
        old_value: Option<&[u8]>,
        new_value: &[u8],
    ) -> bool {
        let mut storage = self.0.lock();
        let entry = (kind.into(), key.to_vec());
        if storage.get(&entry).map(Vec::as_slice) != old_value {
            return false;
        }
        storage.insert(entry, new_value.to_vec());
        true
    }

    fn local_storage_get(&mut self, kind: StorageKind, key: &[u8]) -> Option<Vec<u8>> {
        self.0.lock().get(&(kind.into(), key.to_vec())).cloned()
    }
}

/// What a worker may ask of the node besides storage and the pool.
struct NodeFacts {
    is_validator: bool,
}

impl Externalities for NodeFacts {
    fn is_validator(&self) -> bool {
        self.is_validator
    }

    fn network_state(&self) -> Result<OpaqueNetworkState, ()> {
        Err(())
    }

    fn timestamp(&mut self) -> Timestamp {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        Timestamp::from_unix_millis(now)
    }

    fn sleep_until(&mut self, deadline: Timestamp) {
        // Bounded, so a worker cannot hold a thread for long.
        let wait = deadline.diff(&self.timestamp()).millis().min(1_000);
        std::thread::sleep(Duration::from_millis(wait));
    }

    fn random_seed(&mut self) -> [u8; 32] {
        rand::random()
    }

    fn http_request_start(&mut self, _method: &str, _uri: &str, _meta: &[u8]) -> Result<HttpRequestId, ()> {
        Err(())
    }

    fn http_request_add_header(&mut self, _id: HttpRequestId, _name: &str, _value: &str) -> Result<(), ()> {
        Err(())
    }

    fn http_request_write_body(
        &mut self,
        _id: HttpRequestId,
        _chunk: &[u8],
        _deadline: Option<Timestamp>,
    ) -> Result<(), HttpError> {
        Err(HttpError::IoError)
    }

    fn http_response_wait(&mut self, ids: &[HttpRequestId], _deadline: Option<Timestamp>) -> Vec<HttpRequestStatus> {
        ids.iter().map(|_| HttpRequestStatus::Invalid).collect()
    }

    fn http_response_headers(&mut self, _id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
        Vec::new()
    }

    fn http_response_read_body(
        &mut self,
        _id: HttpRequestId,
        _buffer: &mut [u8],
        _deadline: Option<Timestamp>,
    ) -> Result<usize, HttpError> {
        Err(HttpError::IoError)
    }

    fn set_authorized_nodes(&mut self, _nodes: Vec<OpaquePeerId>, _authorized_only: bool) {}
}

/// Runs the offchain worker for `header` (a finalized block) and returns what it submitted.
pub fn run_worker(
    chain: &Chain,
    header: &Header,
    storage: &LocalStorage,
    is_validator: bool,
) -> Result<Vec<Vec<u8>>, ChainError> {
    let submitted = CollectedTransactions::default();
    let mut api = chain.runtime_api();
    if let Some(keystore) = chain.executor().keystore_ext() {
        api.register_extension(keystore);
    }
    api.register_extension(TransactionPoolExt::new(submitted.clone()));
    api.register_extension(OffchainDbExt::new(storage.clone()));
    api.register_extension(OffchainWorkerExt::new(NodeFacts { is_validator }));
    api.offchain_worker(header.hash(), header)?;
    let transactions = std::mem::take(&mut *submitted.0.lock());
    Ok(transactions)
}

/// The offchain-worker task: one worker run per newly finalized block, its transactions
/// submitted to the pool as local transactions.
pub async fn run_on_finality(chain: Arc<Chain>, pool: Arc<NodePool>, is_validator: bool) {
    let mut finalized = chain.subscribe_finalized();
    let storage = LocalStorage::default();
    loop {
        let header = match finalized.recv().await {
            Ok(header) => header,
            // A worker that falls behind skips to the newest finalized block.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let (chain, pool, storage) = (chain.clone(), pool.clone(), storage.clone());
        let number = *header.number();
        let outcome = tokio::task::spawn_blocking(move || {
            let transactions = run_worker(&chain, &header, &storage, is_validator)?;
            let at = chain.info().best_hash;
            let mut accepted = 0;
            for transaction in transactions {
                match pool.submit(at, TransactionSource::Local, transaction) {
                    Ok(_) => accepted += 1,
                    Err(error) => {
                        tracing::debug!(target: "offchain", "worker transaction at #{number} refused: {error}")
                    }
                }
            }
            Ok::<_, ChainError>(accepted)
        })
        .await;
        match outcome {
            Ok(Ok(0)) => {}
            Ok(Ok(accepted)) => {
                tracing::info!(target: "offchain", "Offchain worker at #{number} submitted {accepted} transactions")
            }
            Ok(Err(error)) => tracing::warn!(target: "offchain", "offchain worker at #{number} failed: {error}"),
            Err(error) => tracing::error!(target: "offchain", "offchain worker task failed: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::dev_chain;

    #[test]
    fn the_worker_runs_on_a_finalized_block_and_leaves_the_state_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.expect_header(chain.genesis_hash()).unwrap();
        let submitted = run_worker(&chain, &genesis, &LocalStorage::default(), true).unwrap();
        assert!(submitted.is_empty(), "no pallet of the dev runtime submits at genesis");
        assert_eq!(chain.info().best_number, 0);
    }

    #[test]
    fn local_storage_compare_and_set_only_replaces_the_expected_value() {
        let mut storage = LocalStorage::default();
        let kind = StorageKind::PERSISTENT;
        assert!(storage.local_storage_compare_and_set(kind, b"k", None, b"1"));
        assert!(!storage.local_storage_compare_and_set(kind, b"k", None, b"2"), "the key exists now");
        assert!(storage.local_storage_compare_and_set(kind, b"k", Some(b"1"), b"3"));
        assert_eq!(storage.local_storage_get(kind, b"k"), Some(b"3".to_vec()));
        assert_eq!(storage.local_storage_get(StorageKind::LOCAL, b"k"), None, "kinds are separate");
        storage.local_storage_clear(kind, b"k");
        assert_eq!(storage.local_storage_get(kind, b"k"), None);
    }
}
