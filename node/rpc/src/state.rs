//! `state_*`: runtime calls, storage reads and proofs, metadata, runtime version,
//! and storage / runtime-version subscriptions.

use std::{collections::HashMap, sync::Arc};

use codec::{Decode, DecodeAll};
use futures::StreamExt;
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
    types::ErrorObjectOwned,
    PendingSubscriptionSink,
};
use ludus_primitives::Hash;
use sp_core::{
    storage::{StorageChangeSet, StorageData, StorageKey},
    Bytes,
};
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};
use sp_version::RuntimeVersion;

use crate::{
    backend::{BackendError, ChainBackend},
    error,
    subscription::{headers, send},
    types::ReadProof,
};

/// Most keys one `state_getKeysPaged` returns, as in Substrate.
pub const MAX_KEYS_PAGED: u32 = 1000;
/// Most keys one `state_subscribeStorage`, `state_queryStorageAt` or
/// `state_getReadProof` may name: each costs a state read per request (and
/// per new block for subscriptions).
pub const MAX_KEYS_PER_QUERY: usize = 1000;

/// Substrate's state API (`sc_rpc_api::state::StateApi`), the parts Ludus serves.
#[rpc(server)]
pub trait StateApi {
    /// Runs runtime API function `name` with SCALE `bytes` at block `hash` (or best).
    #[method(name = "state_call", aliases = ["state_callAt"], blocking)]
    fn call(&self, name: String, bytes: Bytes, hash: Option<Hash>) -> RpcResult<Bytes>;

    /// Up to `count` (≤ 1000) keys under `prefix` after `start_key`, at `hash` (or best).
    #[method(name = "state_getKeysPaged", aliases = ["state_getKeysPagedAt"], blocking)]
    fn storage_keys_paged(
        &self,
        prefix: Option<StorageKey>,
        count: u32,
        start_key: Option<StorageKey>,
        hash: Option<Hash>,
    ) -> RpcResult<Vec<StorageKey>>;

    /// The value under `key` at `hash` (or best), `null` if absent.
    #[method(name = "state_getStorage", aliases = ["state_getStorageAt"], blocking)]
    fn storage(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<StorageData>>;

    /// Blake2-256 of the value under `key`, `null` if absent.
    #[method(name = "state_getStorageHash", aliases = ["state_getStorageHashAt"], blocking)]
    fn storage_hash(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<Hash>>;

    /// Length in bytes of the value under `key`, `null` if absent.
    #[method(name = "state_getStorageSize", aliases = ["state_getStorageSizeAt"], blocking)]
    fn storage_size(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<u64>>;

    /// The runtime's metadata (`Metadata_metadata`), as bytes.
    #[method(name = "state_getMetadata", blocking)]
    fn metadata(&self, hash: Option<Hash>) -> RpcResult<Bytes>;

    /// The runtime version (`Core_version`).
    #[method(name = "state_getRuntimeVersion", aliases = ["chain_getRuntimeVersion"], blocking)]
    fn runtime_version(&self, hash: Option<Hash>) -> RpcResult<RuntimeVersion>;

    /// The values of `keys` at `at` (or best), as one change set.
    #[method(name = "state_queryStorageAt", blocking)]
    fn query_storage_at(&self, keys: Vec<StorageKey>, at: Option<Hash>) -> RpcResult<Vec<StorageChangeSet<Hash>>>;

    /// A storage proof of `keys` at `hash` (or best).
    #[method(name = "state_getReadProof", blocking)]
    fn read_proof(&self, keys: Vec<StorageKey>, hash: Option<Hash>) -> RpcResult<ReadProof>;

    /// The runtime version now, then again whenever a new best block changes it.
    #[subscription(
        name = "state_subscribeRuntimeVersion" => "state_runtimeVersion",
        unsubscribe = "state_unsubscribeRuntimeVersion",
        aliases = ["chain_subscribeRuntimeVersion"],
        unsubscribe_aliases = ["chain_unsubscribeRuntimeVersion"],
        item = RuntimeVersion,
    )]
    async fn subscribe_runtime_version(&self) -> SubscriptionResult;

    /// The values of `keys` now, then the changed ones at each new best block.
    #[subscription(
        name = "state_subscribeStorage" => "state_storage",
        unsubscribe = "state_unsubscribeStorage",
        item = StorageChangeSet<Hash>,
    )]
    async fn subscribe_storage(&self, keys: Option<Vec<StorageKey>>) -> SubscriptionResult;
}

/// Serves [`StateApiServer`] from a [`ChainBackend`].
pub struct State {
    backend: Arc<dyn ChainBackend>,
}

impl State {
    /// Serves `backend`.
    pub fn new(backend: Arc<dyn ChainBackend>) -> Self {
        Self { backend }
    }

    fn at(&self, hash: Option<Hash>) -> Hash {
        hash.unwrap_or_else(|| self.backend.info().best_hash)
    }
}

/// Runs `Core_version` at `at` and decodes it.
fn runtime_version_at(backend: &dyn ChainBackend, at: Hash) -> Result<RuntimeVersion, ErrorObjectOwned> {
    let encoded = backend.call(at, "Core_version", &[]).map_err(error::state_client)?;
    RuntimeVersion::decode(&mut &encoded[..]).map_err(|e| {
        error::state_client(BackendError::Other(format!("Core_version returned an undecodable RuntimeVersion: {e}")))
    })
}

/// Reads `keys` at `at`.
fn read_keys(
    backend: &dyn ChainBackend,
    at: Hash,
    keys: &[StorageKey],
) -> Result<Vec<(StorageKey, Option<StorageData>)>, BackendError> {
    keys.iter().map(|key| Ok((key.clone(), backend.storage(at, &key.0)?.map(StorageData)))).collect()
}

fn check_key_count(n: usize) -> Result<(), ErrorObjectOwned> {
    if n > MAX_KEYS_PER_QUERY {
        return Err(error::invalid_params(format!(
            "{n} keys requested, at most {MAX_KEYS_PER_QUERY} are served per request: split the request"
        )));
    }
    Ok(())
}

/// Runs `f` on a blocking thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ErrorObjectOwned> {
    tokio::task::spawn_blocking(f).await.map_err(|e| error::internal(format!("state query failed: {e}")))
}

#[jsonrpsee::core::async_trait]
impl StateApiServer for State {
    fn call(&self, name: String, bytes: Bytes, hash: Option<Hash>) -> RpcResult<Bytes> {
        let at = self.at(hash);
        self.backend.call(at, &name, &bytes).map(Bytes).map_err(error::state_client)
    }

    fn storage_keys_paged(
        &self,
        prefix: Option<StorageKey>,
        count: u32,
        start_key: Option<StorageKey>,
        hash: Option<Hash>,
    ) -> RpcResult<Vec<StorageKey>> {
        if count > MAX_KEYS_PAGED {
            return Err(ErrorObjectOwned::owned(
                error::STATE_INVALID_COUNT,
                format!("count exceeds maximum value. value: {count}, max: {MAX_KEYS_PAGED}"),
                None::<()>,
            ));
        }
        let at = self.at(hash);
        let prefix = prefix.map(|p| p.0).unwrap_or_default();
        self.backend
            .storage_keys_paged(at, &prefix, count, start_key.as_ref().map(|k| &k.0[..]))
            .map(|keys| keys.into_iter().map(StorageKey).collect())
            .map_err(error::state_client)
    }

    fn storage(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<StorageData>> {
        let at = self.at(hash);
        self.backend.storage(at, &key.0).map(|v| v.map(StorageData)).map_err(error::state_client)
    }

    fn storage_hash(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<Hash>> {
        let at = self.at(hash);
        self.backend
            .storage(at, &key.0)
            .map(|v| v.map(|v| <BlakeTwo256 as HashT>::hash(&v)))
            .map_err(error::state_client)
    }

    fn storage_size(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<u64>> {
        let at = self.at(hash);
        self.backend.storage(at, &key.0).map(|v| v.map(|v| v.len() as u64)).map_err(error::state_client)
    }

    fn metadata(&self, hash: Option<Hash>) -> RpcResult<Bytes> {
        let at = self.at(hash);
        let encoded = self.backend.call(at, "Metadata_metadata", &[]).map_err(error::state_client)?;
        // The runtime returns `OpaqueMetadata`, a SCALE `Vec<u8>`; clients want its contents.
        Vec::<u8>::decode_all(&mut &encoded[..]).map(Bytes).map_err(|e| {
            error::state_client(BackendError::Other(format!("Metadata_metadata returned undecodable metadata: {e}")))
        })
    }

    fn runtime_version(&self, hash: Option<Hash>) -> RpcResult<RuntimeVersion> {
        runtime_version_at(&*self.backend, self.at(hash))
    }

    fn query_storage_at(&self, keys: Vec<StorageKey>, at: Option<Hash>) -> RpcResult<Vec<StorageChangeSet<Hash>>> {
        check_key_count(keys.len())?;
        let block = self.at(at);
        let changes = read_keys(&*self.backend, block, &keys).map_err(error::state_client)?;
        Ok(vec![StorageChangeSet { block, changes }])
    }

    fn read_proof(&self, keys: Vec<StorageKey>, hash: Option<Hash>) -> RpcResult<ReadProof> {
        check_key_count(keys.len())?;
        let at = self.at(hash);
        let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.0).collect();
        let proof = self.backend.read_proof(at, &keys).map_err(error::state_client)?;
        Ok(ReadProof { at, proof: proof.into_iter().map(Bytes).collect() })
    }

    async fn subscribe_runtime_version(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        let backend = self.backend.clone();
        // Subscribe first so a best block arriving while we read the version is not missed.
        let best = headers(backend.subscribe_best());
        let at = backend.info().best_hash;
        let b = backend.clone();
        let first = match blocking(move || runtime_version_at(&*b, at)).await.and_then(|r| r) {
            Ok(version) => version,
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        let method = pending.method_name().to_owned();
        let sink = pending.accept().await?;
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "subscribed");
        if send(&sink, &first).await {
            let mut last = first;
            let mut best = std::pin::pin!(best);
            loop {
                let header = tokio::select! {
                    biased;
                    _ = sink.closed() => break,
                    header = best.next() => match header { Some(h) => h, None => break },
                };
                let b = backend.clone();
                let hash = header.hash();
                let version = match blocking(move || runtime_version_at(&*b, hash)).await {
                    Ok(Ok(version)) => version,
                    // A block the node cannot run `Core_version` on is skipped, not fatal:
                    // the next best block will be tried.
                    Ok(Err(e)) | Err(e) => {
                        tracing::debug!(target: "rpc", %hash, error = %e.message(), "no runtime version for new best block");
                        continue;
                    }
                };
                if version != last {
                    if !send(&sink, &version).await {
                        break;
                    }
                    last = version;
                }
            }
        }
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "unsubscribed");
        Ok(())
    }

    async fn subscribe_storage(
        &self,
        pending: PendingSubscriptionSink,
        keys: Option<Vec<StorageKey>>,
    ) -> SubscriptionResult {
        // Watching every key needs a stream of state changes the node does not offer;
        // polkadot.js and subxt always name their keys.
        let Some(keys) = keys else {
            pending
                .reject(error::invalid_params(
                    "state_subscribeStorage needs a list of keys: watching all keys is not supported",
                ))
                .await;
            return Ok(());
        };
        if let Err(e) = check_key_count(keys.len()) {
            pending.reject(e).await;
            return Ok(());
        }
        let backend = self.backend.clone();
        let best = headers(backend.subscribe_best());
        let block = backend.info().best_hash;
        let keys = Arc::new(keys);
        let (b, k) = (backend.clone(), keys.clone());
        let first = match blocking(move || read_keys(&*b, block, &k)).await {
            Ok(Ok(changes)) => StorageChangeSet { block, changes },
            Ok(Err(e)) => {
                pending.reject(error::state_client(e)).await;
                return Ok(());
            }
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        let method = pending.method_name().to_owned();
        let sink = pending.accept().await?;
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), keys = keys.len(), "subscribed");
        let mut last: HashMap<StorageKey, Option<StorageData>> = first.changes.iter().cloned().collect();
        if send(&sink, &first).await {
            let mut best = std::pin::pin!(best);
            loop {
                let header = tokio::select! {
                    biased;
                    _ = sink.closed() => break,
                    header = best.next() => match header { Some(h) => h, None => break },
                };
                let block = header.hash();
                let (b, k) = (backend.clone(), keys.clone());
                let values = match blocking(move || read_keys(&*b, block, &k)).await {
                    Ok(Ok(values)) => values,
                    Ok(Err(e)) => {
                        tracing::debug!(target: "rpc", %block, error = %e, "cannot read watched keys at new best block");
                        continue;
                    }
                    Err(e) => {
                        tracing::debug!(target: "rpc", %block, error = %e.message(), "cannot read watched keys at new best block");
                        continue;
                    }
                };
                let changes: Vec<_> = values.into_iter().filter(|(key, value)| last.get(key) != Some(value)).collect();
                if changes.is_empty() {
                    continue;
                }
                for (key, value) in &changes {
                    last.insert(key.clone(), value.clone());
                }
                if !send(&sink, &StorageChangeSet { block, changes }).await {
                    break;
                }
            }
        }
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "unsubscribed");
        Ok(())
    }
}
