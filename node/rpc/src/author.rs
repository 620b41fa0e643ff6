//! `author_*`: submitting and watching extrinsics, and (unsafe) keystore access.

use std::sync::Arc;

use codec::DecodeAll;
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
    types::ErrorObjectOwned,
    Extensions, PendingSubscriptionSink,
};
use ludus_primitives::Hash;
use sp_core::Bytes;
use sp_runtime::OpaqueExtrinsic;

use crate::{
    backend::{BackendError, KeystoreBackend, PoolBackend},
    connection, error, params,
    subscription::pipe,
};

/// Substrate's author API (`sc_rpc_api::author::AuthorApi`), the parts Ludus serves.
#[rpc(server)]
pub trait AuthorApi {
    /// Submits a hex-encoded extrinsic to the pool; returns its hash.
    #[method(name = "author_submitExtrinsic", blocking)]
    fn submit_extrinsic(&self, extrinsic: String) -> RpcResult<Hash>;

    /// Unsafe. Inserts a key derived from `suri` into the keystore.
    #[method(name = "author_insertKey", blocking)]
    fn insert_key(&self, key_type: String, suri: String, public: Bytes) -> RpcResult<()>;

    /// Unsafe. Generates new session keys; returns their SCALE-encoded public keys.
    #[method(name = "author_rotateKeys", blocking)]
    fn rotate_keys(&self) -> RpcResult<Bytes>;

    /// Unsafe. Whether the keystore holds all private keys of the SCALE-encoded session keys.
    #[method(name = "author_hasSessionKeys", blocking)]
    fn has_session_keys(&self, session_keys: Bytes) -> RpcResult<bool>;

    /// Unsafe. Whether the keystore holds the private key of `public_key` of type `key_type`.
    #[method(name = "author_hasKey", blocking)]
    fn has_key(&self, public_key: Bytes, key_type: String) -> RpcResult<bool>;

    /// All extrinsics in the pool.
    #[method(name = "author_pendingExtrinsics", blocking)]
    fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>>;

    /// Submits an extrinsic and streams its status changes.
    #[subscription(
        name = "author_submitAndWatchExtrinsic" => "author_extrinsicUpdate",
        unsubscribe = "author_unwatchExtrinsic",
        item = crate::backend::TransactionStatus,
        with_extensions,
    )]
    async fn watch_extrinsic(&self, extrinsic: String) -> SubscriptionResult;
}

/// Serves [`AuthorApiServer`] from the pool and keystore.
pub struct Author {
    pool: Arc<dyn PoolBackend>,
    keystore: Arc<dyn KeystoreBackend>,
    allow_unsafe: bool,
}

impl Author {
    /// Serves `pool` and `keystore`; keystore methods answer only if `allow_unsafe`.
    pub fn new(pool: Arc<dyn PoolBackend>, keystore: Arc<dyn KeystoreBackend>, allow_unsafe: bool) -> Self {
        Self { pool, keystore, allow_unsafe }
    }

    fn check_unsafe(&self) -> RpcResult<()> {
        if self.allow_unsafe {
            Ok(())
        } else {
            Err(error::unsafe_denied())
        }
    }
}

/// Parses a hex extrinsic and checks that it is exactly one well-formed extrinsic
/// (length prefix matching its body), so the pool never sees truncated or padded bytes.
pub(crate) fn parse_extrinsic(hex: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
    let bytes = array_bytes::hex2bytes(hex).map_err(|e| error::author_bad_format(format!("not hex: {e:?}")))?;
    OpaqueExtrinsic::decode_all(&mut &bytes[..]).map_err(error::author_bad_format)?;
    Ok(bytes)
}

fn parse_key_type(key_type: &str) -> Result<[u8; 4], ErrorObjectOwned> {
    <[u8; 4]>::try_from(key_type.as_bytes())
        .map_err(|_| error::author_other("Invalid key type ID format (should be of length four)"))
}

#[jsonrpsee::core::async_trait]
impl AuthorApiServer for Author {
    fn submit_extrinsic(&self, extrinsic: String) -> RpcResult<Hash> {
        let xt = parse_extrinsic(&extrinsic)?;
        self.pool.submit(xt).map_err(error::pool)
    }

    fn insert_key(&self, key_type: String, suri: String, public: Bytes) -> RpcResult<()> {
        self.check_unsafe()?;
        let key_type = parse_key_type(&key_type)?;
        params::text("secret URI", &suri, params::MAX_SURI_CHARS)?;
        params::bytes("public key", &public, params::MAX_PUBLIC_KEY_BYTES)?;
        self.keystore
            .insert_key(key_type, &suri, &public)
            .map_err(|e| error::author_other(format!("Client error: {e}")))
    }

    fn rotate_keys(&self) -> RpcResult<Bytes> {
        self.check_unsafe()?;
        self.keystore.rotate_keys().map(Bytes).map_err(|e| error::author_other(format!("Client error: {e}")))
    }

    fn has_session_keys(&self, session_keys: Bytes) -> RpcResult<bool> {
        self.check_unsafe()?;
        params::bytes("session keys", &session_keys, params::MAX_SESSION_KEYS_BYTES)?;
        self.keystore.has_session_keys(&session_keys).map_err(|e| match e {
            BackendError::Other(reason) => {
                tracing::debug!(target: "rpc", %reason, "author_hasSessionKeys: bad session keys");
                error::author_other("Session keys are not encoded correctly")
            }
            e => error::author_other(format!("Client error: {e}")),
        })
    }

    fn has_key(&self, public_key: Bytes, key_type: String) -> RpcResult<bool> {
        self.check_unsafe()?;
        let key_type = parse_key_type(&key_type)?;
        params::bytes("public key", &public_key, params::MAX_PUBLIC_KEY_BYTES)?;
        Ok(self.keystore.has_key(&public_key, key_type))
    }

    fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>> {
        Ok(self.pool.pending().into_iter().map(Bytes).collect())
    }

    async fn watch_extrinsic(
        &self,
        pending: PendingSubscriptionSink,
        ext: &Extensions,
        extrinsic: String,
    ) -> SubscriptionResult {
        let _busy = connection::busy(ext);
        let xt = match parse_extrinsic(&extrinsic) {
            Ok(xt) => xt,
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        let pool = self.pool.clone();
        // Validation runs the runtime: keep it off the reactor.
        let submitted = tokio::task::spawn_blocking(move || pool.submit_and_watch(xt)).await;
        let stream = match submitted {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                pending.reject(error::pool(e)).await;
                return Ok(());
            }
            Err(e) => {
                pending.reject(error::internal(format!("submission failed: {e}"))).await;
                return Ok(());
            }
        };
        pipe(pending, stream).await;
        Ok(())
    }
}
