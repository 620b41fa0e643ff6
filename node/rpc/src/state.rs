//! `state_*`: runtime calls, storage reads and proofs, metadata, runtime version,
//! and storage / runtime-version subscriptions.

use std::sync::Arc;

use codec::{Decode, DecodeAll};
use futures::StreamExt;
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
    types::ErrorObjectOwned,
    Extensions, PendingSubscriptionSink,
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
    connection, error, params,
    storage_watch::{ChangeSet, StorageWatch, WatchError},
    subscription::{headers, send},
    types::ReadProof,
};

pub use crate::params::MAX_KEYS_PER_QUERY;

/// Most keys one `state_getKeysPaged` returns, as in Substrate.
pub const MAX_KEYS_PAGED: u32 = 1000;

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
        with_extensions,
    )]
    async fn subscribe_runtime_version(&self) -> SubscriptionResult;

    /// The values of `keys` now, then the changed ones at new best blocks (a slow
    /// subscriber gets the newest values of what changed since its last notification).
    #[subscription(
        name = "state_subscribeStorage" => "state_storage",
        unsubscribe = "state_unsubscribeStorage",
        item = StorageChangeSet<Hash>,
        with_extensions,
    )]
    async fn subscribe_storage(&self, keys: Option<Vec<StorageKey>>) -> SubscriptionResult;
}

/// Serves [`StateApiServer`] from a [`ChainBackend`], with storage subscriptions
/// served by one shared [`StorageWatch`].
pub struct State {
    backend: Arc<dyn ChainBackend>,
    storage_watch: StorageWatch,
    versions: BestVersion,
}

/// The runtime version of the newest best block, read once however many
/// `state_subscribeRuntimeVersion` subscribers ask for it (each asking alone would run
/// `Core_version` once per subscriber per block).
#[derive(Clone)]
struct BestVersion {
    backend: Arc<dyn ChainBackend>,
    last: Arc<tokio::sync::Mutex<Option<(Hash, RuntimeVersion)>>>,
}

impl BestVersion {
    /// The version at `at`: the cached one if `at` is the block it was read at. Concurrent
    /// askers queue on the lock, so only the first of them runs the runtime.
    async fn at(&self, at: Hash) -> Result<RuntimeVersion, ErrorObjectOwned> {
        let mut last = self.last.lock().await;
        if let Some((hash, version)) = &*last {
            if *hash == at {
                return Ok(version.clone());
            }
        }
        let backend = self.backend.clone();
        let version = blocking(move || runtime_version_at(&*backend, at)).await.and_then(|r| r)?;
        *last = Some((at, version.clone()));
        Ok(version)
    }
}

impl State {
    /// Serves `backend`; `storage_watch` serves `state_subscribeStorage`.
    pub fn new(backend: Arc<dyn ChainBackend>, storage_watch: StorageWatch) -> Self {
        let versions = BestVersion { backend: backend.clone(), last: Arc::default() };
        Self { backend, storage_watch, versions }
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

/// A refused storage subscription as a JSON-RPC error: jsonrpsee's "too many
/// subscriptions" (-32006) when the connection is over its share, "server is busy"
/// (-32009) when the server is, Substrate's 4003 when the keys cannot be read.
fn watch_error(e: WatchError) -> ErrorObjectOwned {
    use jsonrpsee::types::error::{SERVER_IS_BUSY_CODE, TOO_MANY_SUBSCRIPTIONS_CODE};
    match e {
        WatchError::ConnectionFull { .. } => {
            ErrorObjectOwned::owned(TOO_MANY_SUBSCRIPTIONS_CODE, e.to_string(), None::<()>)
        }
        WatchError::ServerFull { .. } | WatchError::Stopped => {
            ErrorObjectOwned::owned(SERVER_IS_BUSY_CODE, e.to_string(), None::<()>)
        }
        WatchError::Read(e) => error::state_client(e),
    }
}

/// Runs `f` on a blocking thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ErrorObjectOwned> {
    tokio::task::spawn_blocking(f).await.map_err(|e| error::internal(format!("state query failed: {e}")))
}

#[jsonrpsee::core::async_trait]
impl StateApiServer for State {
    fn call(&self, name: String, bytes: Bytes, hash: Option<Hash>) -> RpcResult<Bytes> {
        params::text("runtime API function", &name, params::MAX_RUNTIME_FUNCTION_CHARS)?;
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
        prefix.iter().chain(&start_key).try_for_each(params::storage_key)?;
        let at = self.at(hash);
        let prefix = prefix.map(|p| p.0).unwrap_or_default();
        self.backend
            .storage_keys_paged(at, &prefix, count, start_key.as_ref().map(|k| &k.0[..]))
            .map(|keys| keys.into_iter().map(StorageKey).collect())
            .map_err(error::state_client)
    }

    fn storage(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<StorageData>> {
        params::storage_key(&key)?;
        let at = self.at(hash);
        self.backend.storage(at, &key.0).map(|v| v.map(StorageData)).map_err(error::state_client)
    }

    fn storage_hash(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<Hash>> {
        params::storage_key(&key)?;
        let at = self.at(hash);
        self.backend
            .storage(at, &key.0)
            .map(|v| v.map(|v| <BlakeTwo256 as HashT>::hash(&v)))
            .map_err(error::state_client)
    }

    fn storage_size(&self, key: StorageKey, hash: Option<Hash>) -> RpcResult<Option<u64>> {
        params::storage_key(&key)?;
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
        params::storage_keys(&keys, MAX_KEYS_PER_QUERY)?;
        let block = self.at(at);
        let changes = read_keys(&*self.backend, block, &keys).map_err(error::state_client)?;
        Ok(vec![StorageChangeSet { block, changes }])
    }

    fn read_proof(&self, keys: Vec<StorageKey>, hash: Option<Hash>) -> RpcResult<ReadProof> {
        params::storage_keys(&keys, MAX_KEYS_PER_QUERY)?;
        let at = self.at(hash);
        let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.0).collect();
        let proof = self.backend.read_proof(at, &keys).map_err(error::state_client)?;
        Ok(ReadProof { at, proof: proof.into_iter().map(Bytes).collect() })
    }

    async fn subscribe_runtime_version(
        &self,
        pending: PendingSubscriptionSink,
        ext: &Extensions,
    ) -> SubscriptionResult {
        let _busy = connection::busy(ext);
        let backend = self.backend.clone();
        // Subscribe first so a best block arriving while we read the version is not missed.
        let best = headers(backend.subscribe_best());
        let first = match self.versions.at(backend.info().best_hash).await {
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
                let hash = header.hash();
                let version = match self.versions.at(hash).await {
                    Ok(version) => version,
                    // A block the node cannot run `Core_version` on is skipped, not fatal:
                    // the next best block will be tried.
                    Err(e) => {
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
        ext: &Extensions,
        keys: Option<Vec<StorageKey>>,
    ) -> SubscriptionResult {
        let _busy = connection::busy(ext);
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
        if let Err(e) = params::storage_keys(&keys, self.storage_watch.limits().per_subscription) {
            pending.reject(e).await;
            return Ok(());
        }
        let watching = match self.storage_watch.watch(pending.connection_id(), keys).await {
            Ok(watching) => watching,
            Err(e) => {
                pending.reject(watch_error(e)).await;
                return Ok(());
            }
        };
        let method = pending.method_name().to_owned();
        let sink = pending.accept().await?;
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), keys = watching.keys().len(), "subscribed");
        if send(&sink, &watching.initial()).await {
            loop {
                // While a send waits for a slow client, newer changes merge into the watcher's
                // slot for this subscription; nothing queues up.
                let (block, changes) = tokio::select! {
                    biased;
                    _ = sink.closed() => break,
                    changes = watching.next_changes() => changes,
                };
                let changes = changes.iter().map(|(key, value)| (key, value.as_deref())).collect();
                if !send(&sink, &ChangeSet { block, changes }).await {
                    break;
                }
            }
        }
        tracing::debug!(target: "rpc", %method, id = ?sink.subscription_id(), "unsubscribed");
        Ok(())
    }
}
