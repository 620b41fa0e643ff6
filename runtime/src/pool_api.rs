//! The runtime API the node's transaction pool validates batches with.
//!
//! Transactions arrive in batches (a gossip message, a JSON-RPC batch of submissions, a
//! block's worth to revalidate). Validated one runtime call each, every one of them pays
//! again for the call: a state to read, the executor's dispatch, a block to initialize. This
//! API validates a batch in one call, each transaction exactly as
//! `TaggedTransactionQueue::validate_transaction` would on its own.

use alloc::vec::Vec;
use codec::{DecodeLimit, Encode};
use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
use sp_runtime::{
    traits::{Applyable, Block as BlockT, Checkable, One},
    transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidity},
    TransactionOutcome,
};

use crate::{Runtime, System, UncheckedExtrinsic};

sp_api::decl_runtime_apis! {
    /// Validation of many transactions in one call.
    pub trait TransactionBatchApi {
        /// `TaggedTransactionQueue::validate_transaction(source, tx, block_hash)` for each of
        /// `txs`, in order, each on the state of the block called at, none seeing what the
        /// others' validations changed.
        fn validate_transactions(
            txs: Vec<(TransactionSource, <Block as BlockT>::Extrinsic)>,
            block_hash: <Block as BlockT>::Hash,
        ) -> Vec<TransactionValidity>;
    }
}

/// [`TransactionBatchApi::validate_transactions`]: `frame_executive`'s `validate_transaction`
/// for each of `txs`, but the block initialized once for all of them rather than once each
/// (a quarter of what validating a transfer costs), and each validated in a storage
/// transaction that is rolled back, so it sees the state as the call found it.
pub fn validate_transactions(
    txs: Vec<(TransactionSource, UncheckedExtrinsic)>,
    block_hash: crate::Hash,
) -> Vec<TransactionValidity> {
    System::initialize(&(System::block_number() + crate::BlockNumber::one()), &block_hash, &Default::default());
    txs.into_iter()
        .map(|(source, tx)| {
            frame_support::storage::transactional::with_transaction_unchecked(|| {
                TransactionOutcome::Rollback(validate_initialized(source, tx))
            })
        })
        .collect()
}

/// `frame_executive::Executive::validate_transaction` after its `initialize`, step by step.
fn validate_initialized(source: TransactionSource, tx: UncheckedExtrinsic) -> TransactionValidity {
    // Re-decoded with the depth limit, as the executive does: the API's own decoding has none.
    let encoded = tx.encode();
    let tx = UncheckedExtrinsic::decode_all_with_depth_limit(frame_support::MAX_EXTRINSIC_DEPTH, &mut &encoded[..])
        .map_err(|_| InvalidTransaction::Call)?;
    let checked = tx.check(&frame_system::ChainContext::<Runtime>::default())?;
    let info = checked.get_dispatch_info();
    if info.class == DispatchClass::Mandatory {
        return Err(InvalidTransaction::MandatoryValidation.into());
    }
    checked.validate::<Runtime>(source, &info, encoded.len())
}
