//! The Ludus node's transaction pool.
//!
//! # What it owns
//!
//! Every transaction the node has accepted but not yet seen in a block: the
//! bytes as submitted (SCALE-encoded extrinsics, never decoded here), what the
//! runtime said about them when validating (`priority`, `requires`, `provides`,
//! `longevity`, `propagate`), the watchers subscribed to their fate, and a
//! short-lived ban list of transactions found invalid.
//!
//! # How data flows
//!
//! - **In:** RPC, the network and offchain workers call [`Pool::submit`] /
//!   [`Pool::submit_and_watch`], or [`Pool::submit_many`] for what arrives together (a
//!   gossiped batch, a JSON-RPC batch of submissions). The pool asks the runtime through the
//!   [`ChainApi`] trait (the node implements it with
//!   `TaggedTransactionQueue_validate_transaction`, and a batch with one
//!   `TransactionBatchApi_validate_transactions` call), then files the
//!   transaction as *ready* (every tag it `requires` is provided by a ready
//!   transaction or by a recently imported block) or *future* (waiting for a
//!   tag, e.g. a nonce gap). A ready transaction promotes the futures waiting
//!   for what it provides. Only one transaction may provide a given tag: a
//!   newcomer replaces the holder only with strictly higher priority.
//! - **Out:** block authoring reads [`Pool::ready`], an inclusion order that
//!   respects dependencies and puts the highest priority first, and reports
//!   what the runtime refused with [`Pool::report_invalid`].
//! - **Maintenance:** after each imported block the node calls
//!   [`Pool::on_block_imported`] (drops the included transactions,
//!   revalidates the rest against the new state, expires old ones) and, on
//!   finality, [`Pool::on_block_finalized`].
//! - **Watchers** ([`Watcher`]) receive [`TransactionStatus`] events that
//!   serialise exactly like Substrate's, so `author_submitAndWatchExtrinsic`
//!   can forward them untouched.
//!
//! # Tasks and locking
//!
//! The pool spawns no task. All methods are synchronous; the state sits
//! behind one `parking_lot::Mutex`, which is never held while the runtime is
//! called, so slow validation does not block block authoring. Call the
//! validating methods from a blocking context (`spawn_blocking`).
//!
//! # Limits
//!
//! Everything entering comes from untrusted peers, so every collection is
//! bounded: the whole pool and, within it, the future queue by count and bytes
//! ([`Options`]), single transactions by size, the ban list and the finality
//! watchers by count. Each sender ([`ChainApi::sender`]) is bounded too: a share of
//! the pool and of the future queue, and a future transaction waits only
//! [`Options::future_lifetime`] blocks, so one account cannot take either queue from
//! the others, least of all with futures, which pay nothing until they are ready.
//!
//! # Under overload
//!
//! A full pool refuses at the door rather than accepting work it would later
//! lose: a newcomer gets in only by outranking what is there (futures go
//! first, then lower priority, then newer), so a submitter of equal priority
//! hears `Immediately Dropped` (1016) at once and can retry. New submissions
//! fill a quarter of the pool on equal terms (a node's own submitters always a sixteenth,
//! whatever peers' work it holds), the rest is for transactions
//! peers relay ([`Pool::submit_relayed`]): under overload the
//! pools then hold the same transactions, which any author can include,
//! instead of four backlogs each drained only in its node's slots. A relay
//! reaching a full pool is refused before validation (the node that took it
//! from its submitter holds it); and the transactions of a block that left the best
//! chain go back ahead of every waiting arrival. Whatever accepted transaction
//! is still pushed out (by a higher priority) tells its watchers `dropped`.
//! [`Pool::counters`] counts both kinds.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod graph;
mod pool;
mod status;
#[cfg(test)]
mod tests;

pub use error::Error;
pub use pool::{ChainApi, Limit, Options, Pool, PoolCounters, PoolStatus, ReadyTransaction};
pub use status::{TransactionStatus, Watcher};

pub use ludus_primitives::Hash;
pub use sp_runtime::transaction_validity::{
    InvalidTransaction, TransactionLongevity, TransactionPriority, TransactionSource, TransactionTag,
    TransactionValidity, TransactionValidityError, UnknownTransaction, ValidTransaction,
};

/// The pool's identifier of a transaction: BLAKE2-256 of its bytes as
/// submitted, the same hash Substrate's RPC and block explorers show. The node
/// must use it too when telling the pool which transactions a block included.
pub fn tx_hash(xt: &[u8]) -> Hash {
    use sp_runtime::traits::Hash as _;
    ludus_primitives::Hashing::hash(xt)
}
