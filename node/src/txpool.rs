//! The transaction pool wired to the chain.
//!
//! [`RuntimeValidator`] answers the pool's validation requests by calling the runtime's
//! `TaggedTransactionQueue_validate_transaction` at the requested block, after checking
//! on the host that the bytes are one well-formed extrinsic. [`maintain`] is the task
//! that tells the pool about every imported and finalized block, so included
//! transactions leave it, watchers see `inBlock`/`finalized`, and the rest is revalidated.

use std::sync::Arc;

use codec::{Decode, Encode};
use ludus_primitives::{Block, Hash};
use ludus_txpool::{ChainApi, Options, Pool};
use sp_runtime::{
    traits::Header as HeaderT,
    transaction_validity::{TransactionSource, TransactionValidity},
};
use tokio::sync::broadcast::error::RecvError;

use crate::chain::Chain;

/// The node's pool type.
pub type NodePool = Pool<RuntimeValidator>;

/// Validates transactions through the runtime.
pub struct RuntimeValidator {
    chain: Arc<Chain>,
}

/// Checks that `xt` is exactly one extrinsic the runtime can decode.
pub fn check_format(xt: &[u8]) -> Result<(), String> {
    let mut input = xt;
    ludus_runtime::UncheckedExtrinsic::decode(&mut input).map_err(|e| format!("Extrinsic has invalid format: {e}"))?;
    if !input.is_empty() {
        return Err(format!("Extrinsic has invalid format: {} trailing bytes", input.len()));
    }
    Ok(())
}

impl ChainApi for RuntimeValidator {
    fn validate(&self, at: Hash, source: TransactionSource, xt: &[u8]) -> Result<TransactionValidity, String> {
        check_format(xt)?;
        let mut args = source.encode();
        args.extend_from_slice(xt);
        at.encode_to(&mut args);
        self.chain
            .call_decoded::<TransactionValidity>(at, "TaggedTransactionQueue_validate_transaction", &args)
            .map_err(|e| e.to_string())
    }
}

/// A pool validating through `chain`'s runtime, with Substrate's default limits.
pub fn new_pool(chain: Arc<Chain>) -> Arc<NodePool> {
    Arc::new(Pool::new(Options::default(), RuntimeValidator { chain }))
}

fn included_hashes(block: &Block) -> Vec<Hash> {
    block.extrinsics.iter().map(|xt| ludus_txpool::tx_hash(&xt.encode())).collect()
}

/// Follows new best and finalized blocks and keeps the pool in step with them.
///
/// Every newly best block goes to `on_block_imported`; every finalized block, oldest
/// first and none skipped (finality may jump several blocks), to `on_block_finalized`.
pub async fn maintain(chain: Arc<Chain>, pool: Arc<NodePool>) {
    let mut best = chain.subscribe_best();
    let mut finalized = chain.subscribe_finalized();
    let mut last_finalized = chain.info().finalized_number;
    loop {
        // Biased: a block announced as best and final at once is imported before it is final.
        let (header, is_finality) = tokio::select! {
            biased;
            event = best.recv() => match event {
                Ok(header) => (header, false),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
            event = finalized.recv() => match event {
                Ok(header) => (header, true),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
        };
        let blocks: Vec<(Hash, Vec<Hash>)> = if is_finality {
            let newly_final = (last_finalized + 1)..=*header.number();
            last_finalized = last_finalized.max(*header.number());
            newly_final
                .filter_map(|number| chain.hash(number).ok().flatten())
                .filter_map(|hash| Some((hash, included_hashes(&chain.block(hash).ok()??.block))))
                .collect()
        } else {
            let hash = header.hash();
            let Ok(Some(block)) = chain.block(hash) else { continue };
            vec![(hash, included_hashes(&block.block))]
        };
        let pool = pool.clone();
        // Revalidation runs the runtime: keep it off the async threads.
        let _ = tokio::task::spawn_blocking(move || {
            for (hash, included) in blocks {
                if is_finality {
                    pool.on_block_finalized(hash, &included);
                } else {
                    pool.on_block_imported(hash, &included);
                }
            }
        })
        .await;
    }
}
