//! The transaction pool wired to the chain.
//!
//! [`RuntimeValidator`] answers the pool's validation requests by calling the runtime's
//! `TaggedTransactionQueue::validate_transaction` at the requested block, after checking
//! on the host that the bytes are one well-formed extrinsic. [`maintain`] is the task
//! that tells the pool about every imported and finalized block, so included
//! transactions leave it, watchers see `inBlock`/`finalized`, and the rest is revalidated.

use std::sync::Arc;

use codec::Encode;
use ludus_primitives::{Block, Hash, Header};
use ludus_runtime::pool_api::TransactionBatchApi;
use ludus_txpool::{ChainApi, Options, Pool};
use sp_api::ProvideRuntimeApi;
use sp_runtime::{
    generic::Preamble,
    traits::Header as HeaderT,
    transaction_validity::{TransactionSource, TransactionValidity},
    MultiAddress, OpaqueExtrinsic,
};
use sp_transaction_pool::runtime_api::TaggedTransactionQueue;
use tokio::sync::broadcast::error::RecvError;

use crate::{
    chain::{Chain, ChainError},
    executor::decode::{decode_extrinsic, DecodeError},
};

/// The node's pool type.
pub type NodePool = Pool<RuntimeValidator>;

/// Validates transactions through the runtime.
pub struct RuntimeValidator {
    chain: Arc<Chain>,
}

/// Checks that `xt` is exactly one extrinsic the runtime can decode, its calls nested no
/// deeper than [`crate::executor::decode::MAX_EXTRINSIC_DEPTH`].
pub fn check_format(xt: &[u8]) -> Result<(), DecodeError> {
    decode_extrinsic(xt).map(drop)
}

/// `xt` as the runtime API takes it, once [`check_format`] passed; the error is the pool's
/// answer for bytes that are not one extrinsic.
fn well_formed(xt: &[u8]) -> Result<OpaqueExtrinsic, String> {
    check_format(xt).map_err(|e| format!("Extrinsic has invalid format: {e}"))?;
    OpaqueExtrinsic::try_from_encoded_extrinsic(xt).map_err(|e| format!("Extrinsic has invalid format: {e}"))
}

impl ChainApi for RuntimeValidator {
    fn validate(&self, at: Hash, source: TransactionSource, xt: &[u8]) -> Result<TransactionValidity, String> {
        let xt = well_formed(xt)?;
        self.chain.runtime_api().validate_transaction(at, source, xt, at).map_err(|e| ChainError::from(e).to_string())
    }

    /// Validates `xts` in one runtime call ([`TransactionBatchApi`]), their sr25519
    /// signatures first verified as one batch ([`Chain::preverify_signatures`]). Should the
    /// batch call fail, each is validated on its own, so one cannot spoil the others' answers.
    fn validate_many(&self, at: Hash, xts: &[(TransactionSource, &[u8])]) -> Vec<Result<TransactionValidity, String>> {
        if xts.len() < 2 {
            return xts.iter().map(|(source, xt)| self.validate(at, *source, xt)).collect();
        }
        // The well-formed ones go to the runtime; the others are answered here.
        let mut answers: Vec<Option<Result<TransactionValidity, String>>> = Vec::with_capacity(xts.len());
        let mut batch = Vec::with_capacity(xts.len());
        for (source, xt) in xts {
            match well_formed(xt) {
                Ok(opaque) => {
                    batch.push((*source, opaque));
                    answers.push(None);
                }
                Err(error) => answers.push(Some(Err(error))),
            }
        }
        if let Err(error) = self.chain.preverify_signatures(at, xts.iter().map(|(_, xt)| *xt)) {
            tracing::debug!(target: "txpool", "batch signature check skipped: {error}");
        }
        let count = batch.len();
        match self.chain.runtime_api().validate_transactions(at, batch, at) {
            Ok(validities) if validities.len() == count => {
                let mut validities = validities.into_iter().map(Ok);
                answers.into_iter().filter_map(|answer| answer.or_else(|| validities.next())).collect()
            }
            outcome => {
                if let Err(error) = outcome {
                    tracing::debug!(target: "txpool", "batch validation failed, validating one by one: {}", ChainError::from(error));
                }
                xts.iter()
                    .zip(answers)
                    .map(|((source, xt), answer)| answer.unwrap_or_else(|| self.validate(at, *source, xt)))
                    .collect()
            }
        }
    }

    /// The signer's account id: what the runtime charges and counts nonces for.
    fn sender(&self, xt: &[u8]) -> Option<Vec<u8>> {
        match decode_extrinsic(xt).ok()?.preamble {
            Preamble::Signed(MultiAddress::Id(signer), ..) => Some(signer.encode()),
            Preamble::Signed(address, ..) => Some(address.encode()),
            Preamble::Bare(_) | Preamble::General(..) => None,
        }
    }
}

/// A pool validating through `chain`'s runtime, holding at most `limit` (ready and future
/// together), with Substrate's defaults otherwise.
pub fn new_pool(chain: Arc<Chain>, limit: ludus_txpool::Limit) -> Arc<NodePool> {
    let future_limit = Options::default().future_limit;
    let future_limit = ludus_txpool::Limit {
        count: future_limit.count.min(limit.count),
        total_bytes: future_limit.total_bytes.min(limit.total_bytes),
    };
    Arc::new(Pool::new(Options { ready_limit: limit, future_limit, ..Options::default() }, RuntimeValidator { chain }))
}

fn included_hashes(block: &Block) -> Vec<Hash> {
    block.extrinsics.iter().map(|xt| ludus_txpool::tx_hash(&xt.encode())).collect()
}

/// How far back a reorg is followed; deeper ones (only possible below no finality for
/// minutes) skip resubmission of what the old branch included.
const MAX_REORG_DEPTH: usize = 256;

/// The blocks a move of the best block from `old` to `new` takes off the best chain
/// (`retracted`, newest first) and puts on it (`enacted`, oldest first, `new` last).
fn tree_route(chain: &Chain, old: Hash, new: &Header) -> (Vec<Hash>, Vec<Hash>) {
    let hashes = |blocks: &[sp_blockchain::HashAndNumber<ludus_primitives::Block>]| {
        blocks.iter().map(|block| block.hash).collect::<Vec<_>>()
    };
    match chain.tree_route(old, new.hash()) {
        Ok(route) if route.retracted().len() <= MAX_REORG_DEPTH => (hashes(route.retracted()), hashes(route.enacted())),
        // Too deep, or `old` is gone (pruned): only the new block is followed.
        _ => (Vec::new(), vec![new.hash()]),
    }
}

/// Follows new best and finalized blocks and keeps the pool in step with them.
///
/// Every block that becomes part of the best chain goes to `on_block_imported`, oldest
/// first; on a reorg, the transactions of the blocks that left the best chain are submitted
/// again first (those the new branch also included then leave at once). Every finalized
/// block, oldest first and none skipped (finality may jump several blocks), goes to
/// `on_block_finalized`.
pub async fn maintain(chain: Arc<Chain>, pool: Arc<NodePool>) {
    let mut best = chain.subscribe_best();
    let mut finalized = chain.subscribe_finalized();
    let mut last_finalized = chain.info().finalized_number;
    let mut last_best = chain.info().best_hash;
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
        let mut resubmit: Vec<Vec<u8>> = Vec::new();
        let blocks: Vec<(Hash, Vec<Hash>)> = if is_finality {
            let newly_final = (last_finalized + 1)..=*header.number();
            last_finalized = last_finalized.max(*header.number());
            newly_final
                .filter_map(|number| chain.hash(number).ok().flatten())
                .filter_map(|hash| Some((hash, included_hashes(&chain.block(hash).ok()??.block))))
                .collect()
        } else {
            let (retracted, enacted) = tree_route(&chain, last_best, &header);
            last_best = header.hash();
            for hash in retracted {
                if let Ok(Some(block)) = chain.block(hash) {
                    resubmit.extend(block.block.extrinsics.iter().map(Encode::encode));
                }
            }
            enacted
                .into_iter()
                .filter_map(|hash| Some((hash, included_hashes(&chain.block(hash).ok()??.block))))
                .collect()
        };
        let (pool, at) = (pool.clone(), header.hash());
        // Revalidation runs the runtime: keep it off the async threads.
        let _ = tokio::task::spawn_blocking(move || {
            if !resubmit.is_empty() {
                tracing::debug!(target: "txpool", "Reorg: resubmitting {} transactions of retracted blocks", resubmit.len());
            }
            for xt in resubmit {
                // Inherents and transactions the new branch made stale are refused: fine.
                let _ = pool.submit(at, TransactionSource::InBlock, xt);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{consensus, consensus::authoring::commit_empty_block_on, test_utils::dev_chain};
    use ludus_primitives::now_ms;

    /// A validator over a fresh dev chain (kept alive by the returned directory).
    fn validator() -> (tempfile::TempDir, RuntimeValidator, Hash) {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        (dir, RuntimeValidator { chain }, genesis)
    }

    /// `validator`'s answers for `xts` as one batch, asserted equal to its answers for each alone.
    fn validated_as_alone(
        validator: &RuntimeValidator,
        at: Hash,
        xts: &[(TransactionSource, &[u8])],
    ) -> Vec<Result<TransactionValidity, String>> {
        let batch = validator.validate_many(at, xts);
        let alone: Vec<_> = xts.iter().map(|(source, xt)| validator.validate(at, *source, xt)).collect();
        assert_eq!(batch, alone);
        batch
    }

    #[test]
    fn a_batch_is_validated_as_each_transaction_alone_would_be() {
        use crate::test_utils::{pair, transfer};
        use ludus_primitives::AccountId;
        use sp_core::Pair;
        use TransactionSource::{External, InBlock, Local};

        let (_dir, validator, genesis) = validator();
        let bob = AccountId::from(pair("//Bob").public());
        let alice = pair("//Alice");
        let mut forged = transfer(&alice, bob.clone(), 1_000, 1, genesis);
        let at_amount = forged.len() - 3;
        forged[at_amount] ^= 1;
        let xts: Vec<(TransactionSource, Vec<u8>)> = vec![
            (External, transfer(&alice, bob.clone(), 1_000, 0, genesis)),
            (Local, transfer(&alice, bob.clone(), 1_000, 3, genesis)),
            (External, forged),
            (External, vec![0x01, 0x02]),
            (InBlock, transfer(&pair("//Charlie"), bob.clone(), 1_000, 0, genesis)),
            (External, transfer(&pair("//Nobody"), bob.clone(), 1_000, 0, genesis)),
            (External, transfer(&alice, bob, 1_000, 0, genesis)),
        ];
        let xts: Vec<(TransactionSource, &[u8])> = xts.iter().map(|(source, xt)| (*source, xt.as_slice())).collect();

        let batch = validated_as_alone(&validator, genesis, &xts);
        let outcome = |i: usize| match &batch[i] {
            Ok(Ok(_)) => "valid".to_owned(),
            Ok(Err(e)) => format!("{e:?}"),
            Err(e) => e.clone(),
        };
        assert_eq!(outcome(0), "valid");
        assert_eq!(outcome(1), "valid", "a future nonce");
        assert_eq!(outcome(2), "Invalid(BadProof)");
        assert!(outcome(3).starts_with("Extrinsic has invalid format"), "{}", outcome(3));
        assert_eq!(outcome(5), "Invalid(Payment)");
        assert_eq!(outcome(6), "valid", "each on the state the batch started from");
    }

    #[test]
    fn a_batch_holding_an_extrinsic_near_the_depth_limit_is_answered_as_one_by_one() {
        use crate::test_utils::{bare_extrinsic, nested_call_bytes, pair, transfer, Wrapper};
        use ludus_primitives::AccountId;
        use sp_core::Pair;

        let (_dir, validator, genesis) = validator();
        let deepest = (0..=crate::executor::decode::MAX_EXTRINSIC_DEPTH as usize + 1)
            .take_while(|&levels| check_format(&bare_extrinsic(&nested_call_bytes(Wrapper::Batch, levels))).is_ok())
            .last()
            .unwrap();
        let xts = [
            transfer(&pair("//Alice"), AccountId::from(pair("//Bob").public()), 1_000, 0, genesis),
            // Well-formed alone; inside the batch's own encoding, a level too deep.
            bare_extrinsic(&nested_call_bytes(Wrapper::Batch, deepest)),
            bare_extrinsic(&nested_call_bytes(Wrapper::Batch, deepest + 1)),
        ];
        let opaque = OpaqueExtrinsic::try_from_encoded_extrinsic(&xts[1]).unwrap();
        let args = (vec![(TransactionSource::External, opaque)], genesis).encode();
        assert!(
            crate::executor::decode::check_runtime_args("TransactionBatchApi_validate_transactions", &args).is_err(),
            "the batch call refuses it: the pool falls back to one by one"
        );
        let xts: Vec<(TransactionSource, &[u8])> =
            xts.iter().map(|xt| (TransactionSource::External, xt.as_slice())).collect();
        let batch = validated_as_alone(&validator, genesis, &xts);
        assert!(matches!(batch[0], Ok(Ok(_))), "{:?}", batch[0]);
        assert!(batch[2].as_ref().unwrap_err().contains("nest deeper"), "{:?}", batch[2]);
    }

    #[test]
    fn tree_route_names_what_a_reorg_retracts_and_enacts() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        let genesis = chain.expect_header(chain.genesis_hash()).unwrap();
        let slot = *consensus::slot_at(now_ms(), 1_000) - 20;
        let a1 = commit_empty_block_on(&chain, &keystore, &genesis, slot + 1);
        let a2 = commit_empty_block_on(&chain, &keystore, &a1, slot + 2);
        let b2 = commit_empty_block_on(&chain, &keystore, &a1, slot + 3);
        let b3 = commit_empty_block_on(&chain, &keystore, &b2, slot + 4);

        assert_eq!(tree_route(&chain, a1.hash(), &a2), (vec![], vec![a2.hash()]), "a child: nothing retracted");
        assert_eq!(tree_route(&chain, a2.hash(), &a2), (vec![], vec![]), "the same block: nothing to do");
        assert_eq!(tree_route(&chain, a2.hash(), &b3), (vec![a2.hash()], vec![b2.hash(), b3.hash()]));
        assert_eq!(tree_route(&chain, b3.hash(), &a2), (vec![b3.hash(), b2.hash()], vec![a2.hash()]));
        assert_eq!(tree_route(&chain, genesis.hash(), &b3), (vec![], vec![a1.hash(), b2.hash(), b3.hash()]));
    }
}
