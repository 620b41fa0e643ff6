//! The runtime API the node's transaction pool validates batches with.
//!
//! Transactions arrive in batches (a gossip message, a JSON-RPC batch of submissions, a
//! block's worth to revalidate). Validated one runtime call each, every one of them pays
//! again for the call: a state to read, the executor's dispatch, a block to initialize. This
//! API validates a batch in one call, each transaction exactly as
//! `TaggedTransactionQueue::validate_transaction` would on its own.

use alloc::vec::Vec;
use sp_runtime::{
    traits::Block as BlockT,
    transaction_validity::{TransactionSource, TransactionValidity},
};

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
