//! Why the pool refused a transaction, with Substrate's author RPC codes.

use crate::Hash;
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionPriority, UnknownTransaction};

/// Substrate's base code for author RPC errors (`sc_rpc_api::error::base::AUTHOR`).
const AUTHOR_BASE: i32 = 1000;

/// Why a transaction was not accepted into the pool.
///
/// Messages start with Substrate's author RPC wording so wallets that match
/// on it keep working, then say what the submitter can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The runtime declared the transaction invalid; it is banned for a while.
    #[error("Invalid Transaction: {}; fix it (nonce, signature, fees) before resubmitting", invalid_reason(.0))]
    InvalidTransaction(InvalidTransaction),
    /// The runtime could not decide whether the transaction is valid.
    #[error("Unknown Transaction Validity: {0:?}; retry later")]
    UnknownTransaction(UnknownTransaction),
    /// The transaction was found invalid recently and is refused until its ban expires.
    #[error("Transaction is temporarily banned: it was recently found invalid; wait for the ban to expire or submit a corrected transaction")]
    TemporarilyBanned,
    /// The same bytes are already in the pool.
    #[error("Transaction Already Imported: {0:?} is already in the pool; wait for it to be included")]
    AlreadyImported(Hash),
    /// Another transaction provides the same tag (e.g. the same sender and
    /// nonce) with a priority at least as high.
    #[error("Priority is too low: ({old} vs {new}); raise the tip above the pending transaction's to replace it")]
    TooLowPriority {
        /// Priority of the transaction already in the pool.
        old: TransactionPriority,
        /// Priority of the rejected transaction.
        new: TransactionPriority,
    },
    /// The transaction requires a tag it provides itself and could never become ready.
    #[error("Cycle Detected: the transaction requires a tag it provides itself")]
    CycleDetected,
    /// The pool is full of transactions with higher priority.
    #[error("Immediately Dropped: the transaction couldn't enter the pool because of the limit; raise its priority or retry later")]
    ImmediatelyDropped,
    /// The sender already holds its share of the pool (`future`: of the future queue).
    #[error("Immediately Dropped: this sender already has {limit} {} transactions in the pool; wait until they are included{}", if *.future { "future" } else { "pending" }, if *.future { " or submit the missing nonces first" } else { "" })]
    SenderLimit {
        /// The bound reached.
        limit: usize,
        /// Whether it is the bound on waiting (future) transactions.
        future: bool,
    },
    /// The runtime returned no `provides` tag, so the pool cannot tell the transaction apart from replacements.
    #[error("No tags provided: the runtime did not say what the transaction provides, so the pool cannot hold it")]
    NoTagsProvided,
    /// The transaction is larger than the pool accepts.
    #[error("Verification Error: transaction is {size} bytes, more than the pool's limit of {limit}; split it up")]
    TooLarge {
        /// Size of the submitted transaction in bytes.
        size: usize,
        /// The pool's `max_tx_bytes`.
        limit: usize,
    },
    /// The runtime could not be called to validate the transaction (node-side failure).
    #[error("Verification Error: the runtime failed to validate the transaction: {0}")]
    Validation(String),
}

impl Error {
    /// The JSON-RPC error code Substrate's author API uses for this error
    /// (`substrate/client/rpc-api/src/author/error.rs`).
    pub fn rpc_code(&self) -> i32 {
        // POOL_INVALID_TX = AUTHOR_BASE + 10, the pool errors follow it in order.
        let pool = AUTHOR_BASE + 10;
        match self {
            Error::InvalidTransaction(_) => pool,
            Error::UnknownTransaction(_) => pool + 1,
            Error::TemporarilyBanned => pool + 2,
            Error::AlreadyImported(_) => pool + 3,
            Error::TooLowPriority { .. } => pool + 4,
            Error::CycleDetected => pool + 5,
            Error::ImmediatelyDropped | Error::SenderLimit { .. } => pool + 6,
            Error::NoTagsProvided => pool + 9,
            // VERIFICATION_ERROR = AUTHOR_BASE + 2.
            Error::TooLarge { .. } | Error::Validation(_) => AUTHOR_BASE + 2,
        }
    }

    /// Whether the same transaction may succeed if submitted again later.
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            Error::TemporarilyBanned
                | Error::ImmediatelyDropped
                | Error::SenderLimit { .. }
                | Error::UnknownTransaction(_)
                | Error::Validation(_)
        )
    }
}

fn invalid_reason(invalid: &InvalidTransaction) -> String {
    match invalid {
        InvalidTransaction::Custom(code) => format!("Custom error: {code}"),
        other => {
            let message: &'static str = (*other).into();
            message.to_owned()
        }
    }
}
