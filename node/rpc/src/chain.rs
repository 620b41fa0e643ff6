//! `chain_*`: block hashes, headers, blocks and head subscriptions.

use std::sync::Arc;

use futures::StreamExt;
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
    types::ErrorObjectOwned,
    Extensions, PendingSubscriptionSink,
};
use ludus_primitives::{Hash, Header, SignedBlock};

use crate::{
    backend::ChainBackend,
    connection, error,
    subscription::{headers, pipe},
    types::{ListOrValue, NumberOrHex},
};

/// Most block numbers one `chain_getBlockHash` may ask for at once: each is an
/// index lookup, and a 15 MiB request could otherwise name millions.
pub const MAX_BLOCK_NUMBERS: usize = 1024;

/// Substrate's chain API (`sc_rpc_api::chain::ChainApi`).
#[rpc(server, client)]
pub trait ChainApi {
    /// Header of block `hash`, or of the best block; `null` if unknown.
    #[method(name = "chain_getHeader", blocking)]
    fn header(&self, hash: Option<Hash>) -> RpcResult<Option<Header>>;

    /// Header and body of block `hash`, or of the best block; `null` if unknown.
    #[method(name = "chain_getBlock", blocking)]
    fn block(&self, hash: Option<Hash>) -> RpcResult<Option<SignedBlock>>;

    /// Hash of the canonical block(s) at the given number(s), or the best hash.
    #[method(name = "chain_getBlockHash", aliases = ["chain_getHead"], blocking)]
    fn block_hash(&self, number: Option<ListOrValue<NumberOrHex>>) -> RpcResult<ListOrValue<Option<Hash>>>;

    /// Hash of the last finalized block.
    #[method(name = "chain_getFinalizedHead", aliases = ["chain_getFinalisedHead"])]
    fn finalized_head(&self) -> RpcResult<Hash>;

    /// Every imported block's header, starting with the current best.
    #[subscription(
        name = "chain_subscribeAllHeads" => "chain_allHead",
        unsubscribe = "chain_unsubscribeAllHeads",
        item = Header,
        with_extensions,
    )]
    async fn subscribe_all_heads(&self) -> SubscriptionResult;

    /// Each new best block's header, starting with the current best.
    #[subscription(
        name = "chain_subscribeNewHeads" => "chain_newHead",
        aliases = ["subscribe_newHead", "chain_subscribeNewHead"],
        unsubscribe = "chain_unsubscribeNewHeads",
        unsubscribe_aliases = ["unsubscribe_newHead", "chain_unsubscribeNewHead"],
        item = Header,
        with_extensions,
    )]
    async fn subscribe_new_heads(&self) -> SubscriptionResult;

    /// Each newly finalized block's header, starting with the current finalized one.
    #[subscription(
        name = "chain_subscribeFinalizedHeads" => "chain_finalizedHead",
        aliases = ["chain_subscribeFinalisedHeads"],
        unsubscribe = "chain_unsubscribeFinalizedHeads",
        unsubscribe_aliases = ["chain_unsubscribeFinalisedHeads"],
        item = Header,
        with_extensions,
    )]
    async fn subscribe_finalized_heads(&self) -> SubscriptionResult;
}

/// Serves [`ChainApiServer`] from a [`ChainBackend`].
pub struct Chain {
    backend: Arc<dyn ChainBackend>,
}

impl Chain {
    /// Serves `backend`.
    pub fn new(backend: Arc<dyn ChainBackend>) -> Self {
        Self { backend }
    }
}

/// Reads `hash`'s header on a blocking thread, as the first item of a head subscription.
async fn initial_header(backend: &Arc<dyn ChainBackend>, hash: Hash) -> Result<Header, ErrorObjectOwned> {
    let backend = backend.clone();
    tokio::task::spawn_blocking(move || backend.header(hash))
        .await
        .map_err(|e| error::internal(format!("header lookup failed: {e}")))?
        .map_err(error::chain_client)?
        .ok_or_else(|| {
            error::chain_client(crate::backend::BackendError::UnknownBlock(format!("head {hash:?} has no header")))
        })
}

/// Sends the current head, then every header from `rx`.
async fn subscribe_heads(
    backend: &Arc<dyn ChainBackend>,
    pending: PendingSubscriptionSink,
    head: Hash,
    rx: tokio::sync::broadcast::Receiver<Header>,
) -> SubscriptionResult {
    // Subscribe before reading the head so no block imported in between is lost.
    let first = match initial_header(backend, head).await {
        Ok(header) => header,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    pipe(pending, futures::stream::once(async move { first }).chain(headers(rx))).await;
    Ok(())
}

#[jsonrpsee::core::async_trait]
impl ChainApiServer for Chain {
    fn header(&self, hash: Option<Hash>) -> RpcResult<Option<Header>> {
        let hash = hash.unwrap_or_else(|| self.backend.info().best_hash);
        self.backend.header(hash).map_err(error::chain_client)
    }

    fn block(&self, hash: Option<Hash>) -> RpcResult<Option<SignedBlock>> {
        let hash = hash.unwrap_or_else(|| self.backend.info().best_hash);
        self.backend.block(hash).map_err(error::chain_client)
    }

    fn block_hash(&self, number: Option<ListOrValue<NumberOrHex>>) -> RpcResult<ListOrValue<Option<Hash>>> {
        let hash_of = |n: NumberOrHex| -> RpcResult<Option<Hash>> {
            let n = n.to_u32().ok_or_else(|| {
                ErrorObjectOwned::owned(
                    error::CHAIN_OTHER,
                    format!("`{n:?}` > u32::MAX, the max value of a block number"),
                    None::<()>,
                )
            })?;
            self.backend.hash(n).map_err(error::chain_client)
        };
        match number {
            None => Ok(ListOrValue::Value(Some(self.backend.info().best_hash))),
            Some(ListOrValue::Value(n)) => hash_of(n).map(ListOrValue::Value),
            Some(ListOrValue::List(list)) => {
                if list.len() > MAX_BLOCK_NUMBERS {
                    return Err(error::invalid_params(format!(
                        "{} block numbers requested, at most {MAX_BLOCK_NUMBERS} per request: split the request",
                        list.len()
                    )));
                }
                list.into_iter().map(hash_of).collect::<RpcResult<Vec<_>>>().map(ListOrValue::List)
            }
        }
    }

    fn finalized_head(&self) -> RpcResult<Hash> {
        Ok(self.backend.info().finalized_hash)
    }

    async fn subscribe_all_heads(&self, pending: PendingSubscriptionSink, ext: &Extensions) -> SubscriptionResult {
        let _busy = connection::busy(ext);
        let rx = self.backend.subscribe_imported();
        let head = self.backend.info().best_hash;
        subscribe_heads(&self.backend, pending, head, rx).await
    }

    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink, ext: &Extensions) -> SubscriptionResult {
        let _busy = connection::busy(ext);
        let rx = self.backend.subscribe_best();
        let head = self.backend.info().best_hash;
        subscribe_heads(&self.backend, pending, head, rx).await
    }

    async fn subscribe_finalized_heads(
        &self,
        pending: PendingSubscriptionSink,
        ext: &Extensions,
    ) -> SubscriptionResult {
        let _busy = connection::busy(ext);
        let rx = self.backend.subscribe_finalized();
        let head = self.backend.info().finalized_hash;
        subscribe_heads(&self.backend, pending, head, rx).await
    }
}
